"""Transformations that keep a circuit's meaning where they must: smooth, condition, marginalize.

``smooth`` makes every ⊕ node's children cover the same variables by
multiplying a child with ``[X = 0] ⊕ [X = 1] ⊕ …`` for each variable X it
misses (one shared gadget per variable). Without it a weighted count of
an unsmoothed d-DNNF silently drops the weights of the missing variables;
with ``all_variables`` the roots are also smoothed against every declared
variable, so variables absent from the circuit count as free (a factor
``w(x) + w(¬x)``)::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    >>> c = b.build([b.sum([b.product([x, y]), nx])], n_vars=3)
    >>> s = c.smooth()
    >>> s.is_smooth(), s.model_count() == c.model_count() == 6
    (True, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from catlearn.arguments import flag
from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    require_circuit,
)
from catlearn.circuits.evidence import evidence_dict
from catlearn.circuits.properties import scopes
from catlearn.circuits.variables import bit_positions, variable_set


class _Emitter:
    """Appends nodes to growing arrays (kinds, children, weights) with fresh ids."""

    def __init__(self, c: Circuit) -> None:
        self.c = c
        self.kind: list[int] = []
        self.var: list[int] = []
        self.state: list[int] = []
        self.decision: list[int] = []
        self.offsets: list[int] = [0]
        self.children: list[int] = []
        self.weights: list[float] = []

    def node(self, kind, children=(), weights=None, var=0, state=0, decision=0) -> int:
        self.kind.append(kind)
        self.var.append(var)
        self.state.append(state)
        self.decision.append(decision)
        self.children += list(children)
        self.weights += list(weights) if weights is not None else [1.0] * len(children)
        self.offsets.append(len(self.children))
        return len(self.kind) - 1

    def build(self, roots) -> Circuit:
        c = self.c
        weighted = c.weights is not None
        return Circuit.from_arrays(
            self.kind, self.offsets, self.children, self.var, self.state, roots,
            c.n_states, self.weights if weighted else None, self.decision,
        )  # fmt: skip


def smooth(c: Circuit, all_variables: bool = True) -> Circuit:
    """An equivalent smooth circuit (see the module docstring)."""
    c = require_circuit(c, "c")
    all_variables = flag(all_variables, "smooth: all_variables")
    s = scopes(c)
    out = _Emitter(c)
    gadgets: dict[int, int] = {}
    new: list[int] = [0] * c.n_nodes
    w_all = c.edge_weights()

    def gadget(v: int) -> int:
        if v not in gadgets:
            leaves = [out.node(LEAF, var=v, state=k) for k in range(int(c.n_states[v]))]
            gadgets[v] = out.node(SUM, leaves)
        return gadgets[v]

    def pad(node_new: int, missing: int) -> int:
        if not missing:
            return node_new
        extra = [gadget(v) for v in bit_positions(missing)]
        return out.node(PRODUCT, [node_new, *extra])

    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    for node in range(c.n_nodes):
        k = int(c.kind[node])
        kids = children[offsets[node] : offsets[node + 1]]
        if k in (LEAF, CONST):
            new[node] = out.node(k, var=int(c.var[node]), state=int(c.state[node]))
        elif k == PRODUCT:
            new[node] = out.node(PRODUCT, [new[x] for x in kids])
        else:
            padded = [pad(new[x], s[node] & ~s[x]) for x in kids]
            weights = w_all[offsets[node] : offsets[node + 1]].tolist()
            new[node] = out.node(SUM, padded, weights, decision=int(c.decision[node]))
    everything = (1 << (c.n_vars + 1)) - 2  # bits 1..n_vars, in O(n) (not a sum of n)
    roots = [pad(new[r], (everything & ~s[r]) if all_variables else 0) for r in c.roots.tolist()]
    return out.build(roots)


def _replace_leaves(c: Circuit, rule, decision=None, n_states=None) -> Circuit:
    kind, state = c.kind.copy(), c.state.copy()
    var = c.var.copy()
    decision = c.decision if decision is None else decision
    for node in np.flatnonzero(c.kind == LEAF).tolist():
        verdict = rule(int(c.var[node]), int(c.state[node]))
        if verdict is not None:
            kind[node], state[node], var[node] = CONST, int(verdict), 0
    return Circuit.from_arrays(
        kind, c.child_offsets, c.children, var, state, c.roots,
        c.n_states if n_states is None else n_states, c.weights, decision,
    )  # fmt: skip


def condition(c: Circuit, evidence: dict[int, int]) -> Circuit:
    """The circuit times the evidence indicator: leaves that contradict it become false.

    ``evidence`` is ``{variable: state}``, each variable declared and each state an
    integer below its count (checked: see ``catlearn.circuits.evidence``). Variables
    stay declared and consistent leaves stay, so a count or weighted count of the
    result is that of the models agreeing with the evidence (P(e) for a
    probabilistic circuit).
    """
    c = require_circuit(c, "c")
    evidence = evidence_dict(evidence, c.n_states[1:])
    return _replace_leaves(
        c, lambda v, s: (False if evidence[v] != s else None) if v in evidence else None
    )


def marginalize(c: Circuit, variables: Sequence[int]) -> Circuit:
    """Sum variables out: their leaves become true (exact for smooth, decomposable circuits).

    A summed-out variable is no longer a variable of the result: it keeps its number but
    has a single state and no leaf, so it multiplies no count (``model_count`` counts
    it once) and no weight (``literal_table`` weighs such a variable 1, whatever weights
    are given for it). So ``marginalize(c, [v]).wmc(w)`` is Σ over the other variables'
    assignments of Π of their weights times Σ_v c — never v's weights counted in again.

    A decision on a summed-out variable no longer holds (its children lose the
    literals that told them apart), so those nodes lose their claim.
    """
    c = require_circuit(c, "c")
    drop = variable_set(variables, c.n_vars, "marginalize")
    decision = np.where(np.isin(c.decision, sorted(drop)), 0, c.decision)
    n_states = c.n_states.copy()
    n_states[sorted(drop)] = 1
    return _replace_leaves(c, lambda v, s: True if v in drop else None, decision, n_states)


__all__ = ["condition", "marginalize", "smooth"]
