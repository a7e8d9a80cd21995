"""Circuit flows: how often data uses each edge of a probabilistic circuit.

For a smooth, decomposable circuit with one root and an example ``x`` it
gives probability ``p(x) > 0``, the *flow* of a node is defined top-down:
the root's flow is 1, a ⊕ edge ``n → c`` with weight θ carries
``F(n) · θ · p_c(x) / p_n(x)`` (``F(n)`` times the posterior probability of
choosing ``c`` at ``n``), a ⊗ edge carries its parent's flow, and a node's flow is
the sum over its incoming edges. A ⊕ edge's flow is then the expected
number of times the edge is used by the induced trees (sub-circuits)
that generate ``x``, and it equals ``∂ log p(x) / ∂ log θ``: one forward and
one backward pass of the compiled Log-semiring evaluator give them all,
for a whole batch at once. ``flows(pc, data)`` sums them over the rows of
``data`` (optionally weighted); an example of probability 0 has no flow.
These are EM's expected counts (``em``) and the statistic by which
``prune`` removes edges::

    >>> import numpy as np
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> coin = b.build([b.sum([x, nx], [0.5, 0.5])])
    >>> f = flows(coin, np.array([[1], [1], [0], [-1]]))
    >>> f.edges.tolist(), f.examples      # the unobserved row splits 0.5 : 0.5
    ([2.5, 1.5], 4.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import PRODUCT, Circuit, CircuitError, require_circuit
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.properties import undecomposable_nodes, unsmooth_nodes
from catlearn.circuits.schedule import bucket
from catlearn.errors import ArgumentTypeError
from catlearn.semirings import Log


@dataclass(frozen=True, eq=False)
class Flows:
    """Flows summed over a data set (read-only float64 arrays).

    ``edges[e]``: the expected number of times edge ``e`` is used (a ⊗ edge: its
    parent's flow); ``nodes[n]``: the expected number of times node ``n`` is
    visited; ``examples``: the total weight of the rows of positive probability
    (the root's flow).

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, y = b.literal(1), b.literal(2)
    >>> f = flows(b.build([b.product([x, y])]), [[1, 1], [1, 0]])   # p = 1, then 0
    >>> f.edges.tolist(), f.nodes.tolist(), f.examples
    ([1.0, 1.0], [1.0, 1.0, 1.0], 1.0)
    """

    edges: np.ndarray
    nodes: np.ndarray
    examples: float


def flows(pc: Circuit, data: Any, *, weights: Any = None, batch_size: int = 512) -> Flows:
    """The flows of ``data`` (``(batch, n_vars)`` states, -1 where unobserved) in ``pc``.

    ``pc`` must be smooth, decomposable and have one root; ``weights`` (one finite
    number ≥ 0 per row, default 1) weigh the rows. Rows go through the jitted
    evaluator ``batch_size`` at a time (the last batch padded), so memory stays
    bounded whatever the number of rows. See the module docstring for the definition.

    >>> import numpy as np
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> coin = b.build([b.sum([x, nx], [0.5, 0.5])])
    >>> flows(coin, np.array([[1], [0]]), weights=[3.0, 1.0]).edges.tolist()
    [3.0, 1.0]
    """
    pc = require_circuit(pc, "pc")
    require_probabilistic(pc, "flows")
    data = evidence_array(np.asarray(data) if isinstance(data, jax.Array) else data,
                          pc.n_states[1:], "data")  # fmt: skip
    rows = data.shape[0]
    weights = _row_weights(weights, rows)
    batch_size = whole(batch_size, "flows: batch_size", least=1)
    compiled = pc.compile(Log())
    base = compiled.params()
    # Batches of a few fixed sizes: the evaluator's backward pass compiles once per size
    # (and per size tier of circuit), not once per data set.
    size = min(batch_size, max(64, bucket(rows)))
    edges, examples = np.zeros(pc.n_edges), 0.0
    for start in range(0, rows, size):
        block, w = data[start : start + size], weights[start : start + size]
        block = np.pad(block, ((0, size - block.shape[0]), (0, 0)), constant_values=-1)
        w = np.pad(w, (0, size - w.shape[0]))
        grad, live = _edge_flows(compiled, base, jnp.asarray(block, jnp.int32),
                                 jnp.asarray(w, jnp.float32))  # fmt: skip
        edges += np.asarray(grad, np.float64)[: pc.n_edges]
        examples += float(live)
    edges, nodes = _top_down(pc, edges, examples)
    edges.flags.writeable = nodes.flags.writeable = False
    return Flows(edges, nodes, examples)


def require_probabilistic(pc: Circuit, what: str) -> None:
    """Refuse (naming ``what`` and a culprit node) a circuit that is not smooth,
    decomposable and single-rooted: flows are only expected counts on such circuits.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> require_probabilistic(b.build([b.sum([b.literal(1), b.literal(2)])]), "em")
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: em needs a smooth circuit (smooth() makes it so); node 2 is not
    """
    if pc.roots.size != 1:
        raise CircuitError(f"{what} needs a circuit with one root; this one has {pc.roots.size}")
    for bad, name in ((undecomposable_nodes(pc), "decomposable"), (unsmooth_nodes(pc), "smooth")):
        if bad:
            hint = " (smooth() makes it so)" if name == "smooth" else ""
            raise CircuitError(f"{what} needs a {name} circuit{hint}; node {bad[0]} is not")


def _row_weights(weights: Any, rows: int) -> np.ndarray:
    if weights is None:
        return np.ones(rows)
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"flows: weights must be real numbers ({error})") from None
    if w.shape != (rows,):
        raise CircuitError(f"flows: weights must have shape ({rows},), one per row; got {w.shape}")
    bad = np.flatnonzero(~(np.isfinite(w) & (w >= 0)))
    if bad.size:
        raise CircuitError(
            f"flows: weights[{bad[0]}] = {w[bad[0]].item()!r} is not a finite number ≥ 0"
        )
    return w


def _edge_flows(compiled: Any, base: dict, block: jax.Array, w: jax.Array) -> tuple:
    """Σ_x w_x ∂ log p(x) / ∂ log θ over one batch (the evaluator's own jitted backward
    pass), and the weight of the rows of positive probability."""

    def objective(log_w):
        ll = compiled.apply(dict(base, weights=log_w), block)[:, 0]
        live = jnp.isfinite(ll) & (w > 0)
        # where, not a product: a row of probability 0 sends no cotangent (not NaN).
        return jnp.sum(jnp.where(live, ll, 0.0) * w), jnp.sum(jnp.where(live, w, 0.0))

    grad, live = jax.grad(objective, has_aux=True)(base["weights"])
    return grad, live


def _top_down(pc: Circuit, edges: np.ndarray, examples: float) -> tuple[np.ndarray, np.ndarray]:
    """Node flows and ⊗-edge flows from the ⊕-edge flows, parents before children."""
    kind, offsets, children = pc.kind.tolist(), pc.child_offsets.tolist(), pc.children.tolist()
    edge, node = edges.tolist(), [0.0] * pc.n_nodes
    node[int(pc.roots[0])] = examples
    for v in range(pc.n_nodes - 1, -1, -1):
        if kind[v] == PRODUCT:
            for e in range(offsets[v], offsets[v + 1]):
                edge[e] = node[v]
        for e in range(offsets[v], offsets[v + 1]):
            node[children[e]] += edge[e]
    return np.asarray(edge, np.float64), np.asarray(node, np.float64)


__all__ = ["Flows", "flows"]
