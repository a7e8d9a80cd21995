"""k-best tropical semiring: the k highest path scores, not just the best.

An element is a vector of k scores sorted in decreasing order, padded
with −∞ (fewer than k derivations). ⊕ merges two lists and keeps the k
best; ⊗ adds every pair of scores and keeps the k best. With k = 1 it is
``MaxPlus``. Gradients flow to the derivations that made the list. A NaN
score makes its whole list NaN: the ranking it belongs to is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, SpecError
from catlearn.semirings.carrier import real_array
from catlearn.semirings.floats import float_dtype
from catlearn.semirings.semiring import Array, Semiring

_NEG_INF = -float("inf")


@dataclass(frozen=True, repr=False)
class TopK(Semiring):
    """The k best (max, +) scores. Carrier: float arrays with a trailing axis of k.

    >>> import jax.numpy as jnp
    >>> T = TopK(2)
    >>> T.add(T.lift(jnp.array(1.0)), T.lift(jnp.array(3.0))).tolist()
    [3.0, 1.0]
    >>> T.mul(T.asarray([3.0, 1.0]), T.asarray([0.0, -1.0])).tolist()
    [3.0, 2.0]
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    k: int

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer)):
            raise ArgumentTypeError(f"TopK: k must be an integer ≥ 1, got {self.k!r}")
        if self.k < 1:
            raise ArgumentValueError(f"TopK: k must be an integer ≥ 1, got {self.k!r}")
        object.__setattr__(self, "k", int(self.k))  # TopK(np.int64(2)) == TopK(2)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"TopK({self.k})"

    @property
    def zero(self) -> Any:  # type: ignore[override]
        return [_NEG_INF] * self.k

    @property
    def one(self) -> Any:  # type: ignore[override]
        return [0.0] + [_NEG_INF] * (self.k - 1)

    @property
    def dtype(self) -> Any:
        return float_dtype()

    @property
    def chunk_cost(self) -> int:
        return self.k * self.k

    def asarray(self, x: Any) -> Array:
        x = real_array(x, self.name, self.dtype)
        if x.ndim == 0 or x.shape[-1] != self.k:
            raise SpecError(
                f"{self.name} elements are vectors of {self.k} scores (trailing axis "
                f"of size {self.k}); got shape {x.shape}. Use lift() for single scores."
            )
        return _poisoned(x, -jnp.sort(-x, axis=-1))  # canonical: best first

    def lift(self, score: Any) -> Array:
        """Single scores as k-best lists: (score, −∞, …, −∞)."""
        score = real_array(score, f"{self.name}.lift", self.dtype)
        pad = jnp.full(score.shape + (self.k - 1,), _NEG_INF, dtype=score.dtype)
        return jnp.concatenate([score[..., None], pad], axis=-1)

    def index_shape(self, x: Array) -> tuple[int, ...]:
        return tuple(x.shape[:-1])

    def _best(self, scores: Array) -> Array:
        return _top(scores, self.k)

    def add(self, a: Array, b: Array) -> Array:
        a, b = jnp.broadcast_arrays(a, b)
        return self._best(jnp.concatenate([a, b], axis=-1))

    def mul(self, a: Array, b: Array) -> Array:
        pairs = a[..., :, None] + b[..., None, :]
        return self._best(pairs.reshape(pairs.shape[:-2] + (self.k * self.k,)))

    def sum(self, x: Array, axis: int) -> Array:
        axis = self._axis(x, axis)
        if x.shape[axis] == 0:
            return self.zeros(x.shape[:axis] + x.shape[axis + 1 : -1])
        x = jnp.moveaxis(x, axis, -2)
        return self._best(x.reshape(x.shape[:-2] + (x.shape[-2] * self.k,)))

    def __repr__(self) -> str:
        return self.name


@partial(jax.jit, static_argnums=1)  # one dispatch, as top_k alone was, when run eagerly
def _top(scores: Array, k: int) -> Array:
    return _poisoned(scores, jax.lax.top_k(scores, k)[0])


def _poisoned(scores: Array, best: Array) -> Array:
    # top_k and sort place NaN first or last by its sign bit: neither is a rank.
    return jnp.where(jnp.any(jnp.isnan(scores), axis=-1, keepdims=True), jnp.nan, best)
