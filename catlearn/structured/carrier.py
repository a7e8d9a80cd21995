"""Index arithmetic on semiring carriers, the same for JAX and host semirings.

A semiring element array may be a pytree (TopK's k-lists, Expectation's
pairs) whose leading axes are the index axes and whose trailing axes belong
to the element; host semirings (Counting) keep numpy object arrays that JAX
cannot trace. A dynamic program written with these helpers runs unchanged
in every catlearn semiring: ``steps`` is a ``lax.scan`` for a JAX semiring
and a Python loop for a host one.

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import TopK
    >>> x = TopK(2).lift(jnp.zeros((3, 4)))
    >>> index(x, (slice(None), 1)).shape
    (3, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.semirings import Semiring

Array = Any


def index(x: Array, key: Any) -> Array:
    """``x[key]`` on the index axes of every leaf (``key`` indexes leading axes only)."""
    return jax.tree.map(lambda leaf: leaf[key], x)


def moveaxis(S: Semiring, x: Array, source: int, destination: int) -> Array:
    """Move an index axis; element axes stay last."""
    n = len(S.index_shape(x))
    xp = np if S.host else jnp
    return jax.tree.map(lambda leaf: xp.moveaxis(leaf, source % n, destination % n), x)


def reshape(S: Semiring, x: Array, shape: tuple[int, ...]) -> Array:
    """Reshape the index axes to ``shape``; element axes are kept."""
    n = len(S.index_shape(x))
    return jax.tree.map(lambda leaf: leaf.reshape(tuple(shape) + leaf.shape[n:]), x)


def expand(S: Semiring, x: Array, axis: int) -> Array:
    """Insert an index axis of size 1 at ``axis`` (counted among index axes)."""
    n = len(S.index_shape(x))
    xp = np if S.host else jnp
    return jax.tree.map(lambda leaf: xp.expand_dims(leaf, axis % (n + 1)), x)


def broadcast(S: Semiring, x: Array, shape: tuple[int, ...]) -> Array:
    """Broadcast the index axes to ``shape``."""
    n = len(S.index_shape(x))
    xp = np if S.host else jnp
    return jax.tree.map(lambda leaf: xp.broadcast_to(leaf, tuple(shape) + leaf.shape[n:]), x)


def stack(S: Semiring, xs: list[Array], axis: int = 0) -> Array:
    """Stack element arrays along a new index axis."""
    xp = np if S.host else jnp
    return jax.tree.map(lambda *leaves: xp.stack(leaves, axis=axis), *xs)


def concatenate(S: Semiring, xs: list[Array], axis: int = 0) -> Array:
    """Concatenate element arrays along an existing index axis."""
    xp = np if S.host else jnp
    return jax.tree.map(lambda *leaves: xp.concatenate(leaves, axis=axis), *xs)


def steps(
    S: Semiring, step: Callable[[Array, Any], tuple[Array, Array]], carry: Array, xs: Any
) -> tuple[Array, Array]:
    """``lax.scan(step, carry, xs)`` for a JAX semiring, a Python loop for a host one.

    ``xs`` is a pytree whose leaves have the time axis first (plain arrays, or
    element arrays with the time axis moved to the front); the per-step outputs
    come back stacked along a new first axis (``None`` if ``step`` returns none).
    """
    if not S.host:
        return jax.lax.scan(step, carry, xs)
    leaves = jax.tree.leaves(xs)
    length = len(leaves[0]) if leaves else 0
    outputs = []
    for t in range(length):
        carry, out = step(carry, jax.tree.map(lambda leaf, t=t: leaf[t], xs))
        outputs.append(out)
    if not outputs or outputs[0] is None:
        return carry, None
    return carry, jax.tree.map(lambda *leaves: np.stack(leaves), *outputs)
