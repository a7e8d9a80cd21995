"""Pictures of circuits: Graphviz DOT text, and a DisCoPy diagram for small circuits.

``to_dot`` writes the DAG (leaves as literals, ⊕ / ⊗ nodes, weighted
edges labelled) for ``dot -Tpng``. ``to_diagram`` turns a small circuit
into a string diagram: every node is a box with one output wire, shared
nodes are copied (spiders), the roots are the outputs — drawn by
DisCoPy like any diagram::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> c = b.build([b.sum([x, nx], [0.3, 0.7])])
    >>> print(to_dot(c).splitlines()[2])
      n0 [label="x1", shape=box];
    >>> d = to_diagram(c)
    >>> {"x1", "¬x1", "⊕"} <= {box.name for box in d.boxes}   # (and swaps DisCoPy adds)
    True
"""

from __future__ import annotations

import re
from typing import Any

from catlearn.circuits.circuit import CONST, LEAF, SUM, Circuit, CircuitError, require_circuit
from catlearn.errors import ArgumentTypeError, ArgumentValueError

_MAX_DIAGRAM_NODES = 500


def _label(c: Circuit, node: int) -> str:
    k = c.kind[node]
    if k == LEAF:
        v, s = int(c.var[node]), int(c.state[node])
        if c.n_states[v] == 2:
            return f"x{v}" if s else f"¬x{v}"
        return f"x{v}={s}"
    if k == CONST:
        return "⊤" if c.state[node] else "⊥"
    return "⊕" if k == SUM else "⊗"


def to_dot(c: Circuit, name: str = "circuit") -> str:
    """Graphviz DOT text of the circuit (roots drawn with a double border); ``name`` is
    the graph's DOT identifier (letters, digits, '_')."""
    c = require_circuit(c, "c")
    if not isinstance(name, str):
        raise ArgumentTypeError(f"to_dot: name must be a string, got {type(name).__name__}")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ArgumentValueError(
            f"to_dot: name {name!r:.40} is not a DOT identifier (letters, digits and '_')"
        )
    roots = set(c.roots.tolist())
    lines = [f"digraph {name} {{", "  rankdir=BT;"]
    weights = c.weights
    for node in range(c.n_nodes):
        shape = "box" if c.kind[node] in (LEAF, CONST) else "circle"
        extra = ", peripheries=2" if node in roots else ""
        lines.append(f'  n{node} [label="{_label(c, node)}", shape={shape}{extra}];')
    for node in range(c.n_nodes):
        lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
        for e in range(lo, hi):
            child = int(c.children[e])
            label = ""
            if weights is not None and c.kind[node] == SUM and weights[e] != 1.0:
                label = f' [label="{weights[e]:.3g}"]'
            lines.append(f"  n{child} -> n{node}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_diagram(c: Circuit) -> Any:
    """A ``discopy.frobenius.Diagram`` of a small circuit (for drawing)."""
    from catlearn.diagrams import Box, Hypergraph, Ty, to_discopy

    c = require_circuit(c, "c")
    if c.n_nodes > _MAX_DIAGRAM_NODES:
        raise CircuitError(
            f"to_diagram draws circuits of at most {_MAX_DIAGRAM_NODES} nodes; "
            f"this one has {c.n_nodes} (use to_dot)"
        )
    wire = Ty("v")
    atom = wire.inside[0]
    boxes, ins, outs = [], [], []
    for node in range(c.n_nodes):
        kids = c.children_of(node).tolist()
        boxes.append(Box(_label(c, node), wire ** len(kids), wire))
        ins.append(kids)
        outs.append([node])
    graph = Hypergraph.build([atom] * c.n_nodes, boxes, ins, outs, [], c.roots.tolist())
    return to_discopy(graph)


__all__ = ["to_diagram", "to_dot"]
