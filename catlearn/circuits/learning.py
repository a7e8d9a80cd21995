"""Parameters of probabilistic circuits: normalised edge weights from free logits.

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
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.circuits.circuit import SUM, Circuit, CircuitError


def normalized_log_weights(c: Circuit, logits: jax.Array) -> jax.Array:
    """Per-⊕-node log-softmax of edge logits (shape ``(n_edges,)``); 0 on product edges."""
    if jnp.shape(logits) != (c.n_edges,):
        raise CircuitError(f"logits must have shape ({c.n_edges},), got {jnp.shape(logits)}")
    parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
    on_sum = c.kind[parent] == SUM
    segments = jnp.asarray(np.where(on_sum, parent, c.n_nodes))  # product edges: one bin
    top = jax.ops.segment_max(logits, segments, num_segments=c.n_nodes + 1)
    shifted = logits - top[segments]
    total = jax.ops.segment_sum(jnp.exp(shifted), segments, num_segments=c.n_nodes + 1)
    return jnp.where(jnp.asarray(on_sum), shifted - jnp.log(total[segments]), 0.0)
