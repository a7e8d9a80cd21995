"""The real (sum-product) semiring: probabilities, counts in floats, linear algebra."""

from __future__ import annotations

import jax.numpy as jnp

from catlearn.semirings.floats import FloatSemiring
from catlearn.semirings.semiring import Array


class Real(FloatSemiring):
    """(ℝ, +, ×, 0, 1): ordinary arithmetic, contracted by BLAS.

    Gradients are ordinary derivatives. ``star(a) = 1 / (1 − a)``, the sum
    of the geometric series, for |a| < 1; +∞ for a ≥ 1 and NaN for a ≤ −1,
    where the series diverges (1 / (1 − a) there is not its value).

    >>> import jax.numpy as jnp
    >>> Real().matmul(jnp.ones((1, 2, 3)), jnp.ones((1, 3, 2))).tolist()
    [[[3.0, 3.0], [3.0, 3.0]]]
    >>> Real().star(jnp.array([0.5, 2.0])).tolist()
    [2.0, inf]
    """

    name = "Real"
    zero, one = 0.0, 1.0
    has_star = True
    ring = True

    def add(self, a: Array, b: Array) -> Array:
        return a + b

    def mul(self, a: Array, b: Array) -> Array:
        return a * b

    def neg(self, a: Array) -> Array:
        return -a

    def sum(self, x: Array, axis: int) -> Array:
        return jnp.sum(x, axis=axis)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.prod(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        return jnp.matmul(a, b)

    def star(self, a: Array) -> Array:
        a = self.asarray(a)
        inside = jnp.abs(a) < 1.0
        series = 1.0 / (1.0 - jnp.where(inside, a, 0.0))
        return jnp.where(inside, series, jnp.where(a >= 1.0, jnp.inf, jnp.nan))

    def star_domain(self, a: Array) -> Array:
        return jnp.abs(self.asarray(a)) < 1.0
