"""Pruning a probabilistic circuit: remove the ⊕ edges the data uses least.

Dang, Liu and Van den Broeck ("Sparse Probabilistic Circuits via Pruning
and Growing", NeurIPS 2022) bound the log-likelihood lost by deleting an
edge by its *flow*, the expected number of times the data uses it (see
``catlearn.circuits.flows``). ``prune(pc, data, fraction)`` removes the
``⌊fraction · m⌋`` of its ``m`` prunable ⊕ edges of smallest flow, but never
a ⊕ node's last one (its edge of largest flow stays, which caps what can
go); ties go to the edge of smaller weight, then to the earlier edge.

Prunable are the ⊕ edges into inner nodes. An edge into a leaf is a state
of an input distribution (a ⊕ node over indicators is a categorical):
removing it gives that state probability 0, and every held-out row with
it likelihood 0, so only ``inputs=True`` prunes those too. When every
input gives each state positive probability (as in a ``TensorizedPC``'s
circuit), inner pruning keeps every node's support, so no example's
likelihood becomes 0.

Nodes no longer reachable from the root are dropped, and each ⊕ node's
remaining weights are rescaled to its former total (sum to one again,
for a normalised circuit). Removing a child of a smooth ⊕ node leaves
its scope unchanged, so the result is again smooth and decomposable::

    >>> import numpy as np
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x = [b.sum([b.literal(v), b.literal(v, False)], [0.5, 0.5]) for v in (1, 2)]
    >>> pc = b.build([b.sum([b.product(x), b.product(x[::-1])], [0.9, 0.1])])
    >>> small = prune(pc, np.array([[1, 1], [1, 0]]), 0.5)
    >>> pc.n_edges, small.n_edges, small.is_smooth() and small.is_decomposable()
    (10, 7, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from catlearn.arguments import flag, real
from catlearn.circuits.circuit import CONST, LEAF, SUM, Circuit, CircuitError, require_circuit
from catlearn.circuits.flows import Flows, flows, require_probabilistic
from catlearn.errors import ArgumentValueError


def prune(pc: Circuit, data_or_flows: Any, fraction: float, *, inputs: bool = False) -> Circuit:
    """``pc`` without the ``fraction`` (0 to 1) of its prunable ⊕ edges of smallest flow
    (``inputs``: edges into leaves are prunable too).

    ``data_or_flows`` is either data (``(batch, n_vars)`` states, -1 unobserved),
    whose flows are computed, or the :class:`Flows` of ``pc`` computed before.
    See the module docstring for what is removed and how weights are rescaled.

    >>> import numpy as np
    >>> from catlearn.circuits import CircuitBuilder, flows
    >>> b = CircuitBuilder()
    >>> pc = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5])])
    >>> seen = flows(pc, np.array([[1], [1], [0]]))
    >>> prune(pc, seen, 1.0).weights.tolist(), prune(pc, seen, 1.0, inputs=True).weights.tolist()
    ([0.5, 0.5], [1.0])
    """
    pc = require_circuit(pc, "pc")
    fraction = real(fraction, "prune: fraction", non_negative=True)
    inputs = flag(inputs, "prune: inputs")
    if fraction > 1:
        raise ArgumentValueError(f"prune: fraction is a share of the ⊕ edges, 0..1; got {fraction}")
    require_probabilistic(pc, "prune")
    if isinstance(data_or_flows, Flows):
        if data_or_flows.edges.shape != (pc.n_edges,):
            raise CircuitError(
                f"prune: the flows given are of a circuit with {data_or_flows.edges.size} edges; "
                f"this one has {pc.n_edges}"
            )
        edge_flows = data_or_flows.edges
        if not np.all(np.isfinite(edge_flows) & (edge_flows >= 0)):
            raise CircuitError("prune: flows must be finite numbers ≥ 0 (from flows(pc, data))")
    else:
        edge_flows = flows(pc, data_or_flows).edges
    return without_edges(pc, smallest_flows(pc, edge_flows, fraction, inputs))


def smallest_flows(
    pc: Circuit, edge_flows: np.ndarray, fraction: float, inputs: bool = False
) -> np.ndarray:
    """The mask of the ⊕ edges ``prune`` removes, given each edge's flow (any real
    numbers that order the edges; see the module docstring).

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> pc = b.build([b.sum([x, nx, x], [0.2, 0.3, 0.5])])
    >>> smallest_flows(pc, np.array([3.0, 1.0, 2.0]), 1.0, inputs=True).tolist()
    [False, True, True]
    """
    E = pc.n_edges
    parent = np.repeat(np.arange(pc.n_nodes), np.diff(pc.child_offsets))
    on_sum = pc.kind[parent] == SUM
    inner = (pc.kind != LEAF) & (pc.kind != CONST)
    prunable = on_sum & (inputs | inner[pc.children])
    weight = pc.edge_weights()
    # Within each node, edges by rising (flow, weight, id): the last one stays, unless
    # the node keeps an edge that is not prunable anyway.
    by_node = np.lexsort((np.arange(E), weight, edge_flows, parent))
    last = np.ones(E, bool)
    last[:-1] = parent[by_node][1:] != parent[by_node][:-1]
    kept = np.zeros(E, bool)
    kept[by_node[last]] = True
    # A node keeps its edge of largest flow unless an unprunable edge of positive weight
    # holds it up: one of weight 0 would leave the node (and what reads it) at zero.
    fixed = np.bincount(parent[on_sum & ~prunable & (weight > 0)], minlength=pc.n_nodes) > 0
    candidates = np.flatnonzero(prunable & ~(kept & ~fixed[parent]))
    count = min(int(np.floor(fraction * prunable.sum())), candidates.size)
    order = np.lexsort((candidates, weight[candidates], edge_flows[candidates]))
    removed = np.zeros(E, bool)
    removed[candidates[order[:count]]] = True
    return removed


def without_edges(pc: Circuit, removed: np.ndarray) -> Circuit:
    """``pc`` without the ⊕ edges of mask ``removed`` and the nodes no root reaches any
    more; each ⊕ node's remaining weights rescaled to its former total.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> pc = b.build([b.sum([x, nx], [0.2, 0.6])])
    >>> small = without_edges(pc, np.array([False, True]))
    >>> small.n_nodes, small.weights.tolist()       # ¬x is gone; x carries the node's 0.8
    (2, [0.8])
    """
    n = pc.n_nodes
    parent = np.repeat(np.arange(n), np.diff(pc.child_offsets))
    on_sum = pc.kind[parent] == SUM
    keep = ~removed
    weight = pc.edge_weights().astype(np.float64)
    total = np.bincount(parent, weight, minlength=n)
    left = np.bincount(parent[keep], weight[keep], minlength=n)
    scale = np.divide(total, left, out=np.ones(n), where=left > 0)
    weight = np.where(on_sum, weight * scale[parent], weight)
    alive = _reached(pc, keep)
    edge = keep & alive[parent]
    new_id = np.cumsum(alive) - 1
    fan = np.bincount(parent[edge], minlength=n)[alive]
    return Circuit.from_arrays(
        pc.kind[alive], np.concatenate([[0], np.cumsum(fan)]), new_id[pc.children[edge]],
        pc.var[alive], pc.state[alive], new_id[pc.roots], pc.n_states, weight[edge],
        pc.decision[alive],
    )  # fmt: skip


def _reached(pc: Circuit, keep: np.ndarray) -> np.ndarray:
    """Which nodes the roots reach through the kept edges (parents before children)."""
    offsets, children, keep = pc.child_offsets.tolist(), pc.children.tolist(), keep.tolist()
    alive = [False] * pc.n_nodes
    for r in pc.roots.tolist():
        alive[r] = True
    for v in range(pc.n_nodes - 1, -1, -1):
        if alive[v]:
            for e in range(offsets[v], offsets[v + 1]):
                if keep[e]:
                    alive[children[e]] = True
    return np.asarray(alive, bool)


__all__ = ["prune"]
