"""Tropical semirings: best paths and best derivations.

``MaxPlus`` (max, +) scores the best path, ``MinPlus`` (min, +) the
shortest one, ``Viterbi`` (max, ×) the most probable one. ⊕ picks a
single term, so gradients are subgradients: they flow to the winning
term only (the argmax path), which is what a structured-prediction
loss or a Viterbi decoder back-traces.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from catlearn.semirings.floats import FloatSemiring
from catlearn.semirings.selective import selective_matmul
from catlearn.semirings.semiring import Array, reduced_shape

_INF = float("inf")
_selective_matmul = jax.jit(selective_matmul, static_argnums=(0, 1))


def _max_plus(a: Array, b: Array) -> Array:
    # −∞ absorbs: −∞ ⊗ +∞ = −∞ (a closure may produce +∞ for positive cycles).
    # minimum propagates NaN, so NaN ⊗ −∞ stays NaN rather than being absorbed.
    return jnp.where(jnp.minimum(a, b) == -_INF, -_INF, a + b)


def _min_plus(a: Array, b: Array) -> Array:
    return jnp.where(jnp.maximum(a, b) == _INF, _INF, a + b)


def _times(a: Array, b: Array) -> Array:
    return a * b


def _plus(a: Array, b: Array) -> Array:
    return a + b


@partial(jax.jit, static_argnums=0)
def _tropical_matmul(select: str, a: Array, b: Array) -> Array:
    # a + b is already right unless −∞ meets +∞ (NaN). The absorbing guard
    # costs 2.5× inside the n³ loop, so it runs only when the opposite
    # infinity (a closure's output, say) is actually present.
    opposite = _INF if select == "max" else -_INF
    guarded = _max_plus if select == "max" else _min_plus
    present = jnp.any(a == opposite) | jnp.any(b == opposite)
    return jax.lax.cond(
        present,
        lambda a, b: selective_matmul(guarded, select, a, b),
        lambda a, b: selective_matmul(_plus, select, a, b),
        a,
        b,
    )


class Selective(FloatSemiring):
    """A semiring whose ⊕ is max or min: bounded-memory matmul, subgradients.

    Subclasses name ``select`` ("max" or "min") and ``mul``; ``add``,
    ``sum`` and ``matmul`` follow. ``jnp.maximum``/``jnp.max`` (and min)
    propagate NaN, so a NaN term makes its ⊕ NaN, never a silent loser.
    """

    select: str = "max"
    idempotent = True

    def add(self, a: Array, b: Array) -> Array:
        return jnp.maximum(a, b) if self.select == "max" else jnp.minimum(a, b)

    def sum(self, x: Array, axis: int) -> Array:
        if x.shape[axis] == 0:
            return jnp.full(reduced_shape(x.shape, axis), self.zero, dtype=x.dtype)
        return jnp.max(x, axis=axis) if self.select == "max" else jnp.min(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        if a.shape[2] == 0:
            return self._empty_matmul(a, b)
        return _selective_matmul(type(self).mul, self.select, a, b)

    def _empty_matmul(self, a: Array, b: Array) -> Array:
        return jnp.full(a.shape[:2] + b.shape[2:], self.zero, jnp.result_type(a, b))

    def mul(self, a: Array, b: Array) -> Array:
        raise NotImplementedError


class MaxPlus(Selective):
    """(ℝ ∪ {−∞}, max, +, −∞, 0): best path score (the arctic semiring).

    ``star(a) = 0`` for a ≤ 0 and +∞ for a > 0 (a positive cycle: the series
    diverges, and ``closure`` raises ``DivergenceError`` on concrete input).

    >>> import jax.numpy as jnp
    >>> MaxPlus().matmul(jnp.array([[[0.0, 2.0]]]), jnp.array([[[1.0], [5.0]]])).tolist()
    [[[7.0]]]
    """

    name = "MaxPlus"
    zero, one = -_INF, 0.0
    has_star = True
    select = "max"

    mul = staticmethod(_max_plus)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.sum(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        if a.shape[2] == 0:
            return self._empty_matmul(a, b)
        return _tropical_matmul(self.select, a, b)

    def star(self, a: Array) -> Array:
        a = self.asarray(a)
        return jnp.where(a > 0, _INF, jnp.where(a <= 0, 0.0, a))  # NaN stays NaN

    def star_domain(self, a: Array) -> Array:
        return self.asarray(a) <= 0


class MinPlus(Selective):
    """(ℝ ∪ {+∞}, min, +, +∞, 0): shortest paths (the tropical semiring).

    ``star(a) = 0`` for a ≥ 0 and −∞ for a < 0 (a negative cycle: the series
    diverges, and ``closure`` raises ``DivergenceError`` on concrete input).

    >>> import jax.numpy as jnp
    >>> MinPlus().matmul(jnp.array([[[0.0, 2.0]]]), jnp.array([[[1.0], [5.0]]])).tolist()
    [[[1.0]]]
    """

    name = "MinPlus"
    zero, one = _INF, 0.0
    has_star = True
    select = "min"

    mul = staticmethod(_min_plus)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.sum(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        if a.shape[2] == 0:
            return self._empty_matmul(a, b)
        return _tropical_matmul(self.select, a, b)

    def star(self, a: Array) -> Array:
        a = self.asarray(a)
        return jnp.where(a < 0, -_INF, jnp.where(a >= 0, 0.0, a))  # NaN stays NaN

    def star_domain(self, a: Array) -> Array:
        return self.asarray(a) >= 0


class Viterbi(Selective):
    """([0, 1], max, ×, 0, 1): most probable derivation.

    ``star(a) = 1`` on [0, 1] (the empty derivation is the best one); +∞ for
    a > 1, where the series diverges; NaN below 0, outside the carrier.

    >>> import jax.numpy as jnp
    >>> Viterbi().matmul(jnp.array([[[0.5, 1.0]]]), jnp.array([[[1.0], [0.25]]])).tolist()
    [[[0.5]]]
    """

    name = "Viterbi"
    zero, one = 0.0, 1.0
    has_star = True
    select = "max"

    mul = staticmethod(_times)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.prod(x, axis=axis)

    def star(self, a: Array) -> Array:
        a = self.asarray(a)
        return jnp.where(a > 1, _INF, jnp.where(a >= 0, 1.0, jnp.nan)).astype(a.dtype)

    def star_domain(self, a: Array) -> Array:
        a = self.asarray(a)
        return (a >= 0) & (a <= 1)
