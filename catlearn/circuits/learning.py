"""Parameters of probabilistic circuits: normalised weights from logits, and EM.

A sum node of a probabilistic circuit mixes its children with weights
that sum to one. Learning them by gradient descent is easiest on free
*logits*: ``normalized_log_weights(c, logits)`` applies a log-softmax
within each ⊕ node's edges (product edges get log 1 = 0), ready for the
Log semiring::

    >>> import jax.numpy as jnp
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> c = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5])])
    >>> jnp.exp(normalized_log_weights(c, jnp.array([0.0, jnp.log(3.0)]))).round(3).tolist()
    [0.25, 0.75]

``em(c, data)`` learns the ⊕ weights by expectation–maximisation: the
expected edge counts are the gradient of the log-likelihood with respect
to the log weights (one backward pass), renormalised per ⊕ node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import real, whole
from catlearn.circuits.circuit import SUM, Circuit, CircuitError, require_circuit
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.properties import undecomposable_nodes, unsmooth_nodes
from catlearn.semirings import Log


def _segments(c: Circuit) -> tuple[np.ndarray, jax.Array]:
    """(edge is under a ⊕ node, the edge's ⊕ parent or one shared bin for product edges)."""
    parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
    on_sum = c.kind[parent] == SUM
    return on_sum, jnp.asarray(np.where(on_sum, parent, c.n_nodes))


def normalized_log_weights(c: Circuit, logits: jax.Array) -> jax.Array:
    """Per-⊕-node log-softmax of edge logits (shape ``(n_edges,)``); 0 on product edges."""
    c = require_circuit(c, "c")
    if jnp.shape(logits) != (c.n_edges,):
        raise CircuitError(f"logits must have shape ({c.n_edges},), got {jnp.shape(logits)}")
    on_sum, segments = _segments(c)
    top = jax.ops.segment_max(logits, segments, num_segments=c.n_nodes + 1)
    shifted = logits - top[segments]
    total = jax.ops.segment_sum(jnp.exp(shifted), segments, num_segments=c.n_nodes + 1)
    return jnp.where(jnp.asarray(on_sum), shifted - jnp.log(total[segments]), 0.0)


@dataclass(frozen=True)
class EMResult:
    """The circuit with learned weights, and the data's mean log-likelihood before each step
    and after the last (``len(log_likelihood) == steps + 1``; it never decreases)."""

    circuit: Circuit
    log_likelihood: list[float]


def em(c: Circuit, data: Any, steps: int = 10, *, prior: float = 0.0) -> EMResult:
    """Learn the ⊕ edge weights of a smooth, decomposable circuit by EM on ``data``.

    ``data`` is ``(batch, n_vars)`` integer states, -1 where unobserved (every
    entry checked, as everywhere: see ``catlearn.circuits.evidence``). Each step's
    E-step is one backward pass: n_e = Σ_x ∂ log p(x) / ∂ log θ_e, the
    expected number of times edge e is used (the circuit flow); the M-step
    sets θ_e = (n_e + prior) / Σ_siblings (n + prior). A ⊕ node no example
    reaches keeps its weights. Literal leaves are indicators (no parameters).

    >>> import numpy as np
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> coin = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5])])
    >>> np.round(em(coin, np.array([[1], [1], [1], [0]]), steps=1).circuit.weights, 3).tolist()
    [0.75, 0.25]
    """
    c = require_circuit(c, "c")
    steps = whole(steps, "em: steps", least=0)
    prior = real(prior, "em: prior", non_negative=True)
    for bad, what in ((undecomposable_nodes(c), "decomposable"), (unsmooth_nodes(c), "smooth")):
        if bad:
            raise CircuitError(f"em needs a {what} circuit; node {bad[0]} is not")
    data = evidence_array(np.asarray(data) if isinstance(data, jax.Array) else data,
                          c.n_states[1:], "data")  # fmt: skip
    if data.shape[0] == 0:
        raise CircuitError("em: data has no rows")
    compiled = c.compile(Log())
    base = compiled.params()
    on_sum, segments = _segments(c)
    with np.errstate(divide="ignore"):
        log_w = jnp.asarray(np.log(c.edge_weights()), jnp.float32)
    # Start from locally normalised weights, so that log p(x) is a log-likelihood.
    log_w = normalized_log_weights(c, log_w)

    def mean_ll(log_w):
        params = dict(base, weights=jnp.concatenate([log_w, jnp.zeros(1, log_w.dtype)]))
        return compiled.apply(params, data)[:, 0].mean()

    @jax.jit
    def step(log_w):
        ll, grad = jax.value_and_grad(mean_ll)(log_w)
        counts = grad * data.shape[0] + prior
        total = jax.ops.segment_sum(counts, segments, num_segments=c.n_nodes + 1)[segments]
        updated = jnp.log(counts) - jnp.log(total)
        keep = (total <= 0) | ~jnp.asarray(on_sum)
        return ll, jnp.where(keep, log_w, updated)

    history = []
    for _ in range(steps + 1):  # the last pass only measures (one program, not two)
        ll, updated = step(log_w)
        history.append(float(ll))
        log_w = updated if len(history) <= steps else log_w
    weights = np.where(on_sum, np.exp(np.asarray(log_w, np.float64)), c.edge_weights())
    learned = Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, c.state, c.roots, c.n_states, weights,
        c.decision,
    )  # fmt: skip
    return EMResult(learned, history)
