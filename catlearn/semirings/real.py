"""The real (sum-product) semiring: probabilities, counts in floats, linear algebra."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from catlearn.semirings.floats import FloatSemiring
from catlearn.semirings.semiring import Array


class Real(FloatSemiring):
    """(ℝ, +, ×, 0, 1): ordinary arithmetic, contracted by BLAS.

    Gradients are ordinary derivatives. ``star(a) = 1 / (1 − a)``, the sum
    of the geometric series, defined for |a| < 1.

    >>> import jax.numpy as jnp
    >>> Real().matmul(jnp.ones((1, 2, 3)), jnp.ones((1, 3, 2))).tolist()
    [[[3.0, 3.0], [3.0, 3.0]]]
    >>> Real().star(jnp.array(0.5)).item()
    2.0
    """

    name = "Real"
    zero, one = 0.0, 1.0
    has_star = True
    ring = True

    def asarray(self, x: Any) -> Array:
        x = jnp.asarray(x)
        # Keep the caller's float width (float16/bfloat16/float64); only
        # non-floats are promoted, never floats truncated.
        return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(self.dtype)

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
        return 1.0 / (1.0 - a)

    def star_domain(self, a: Array) -> Array:
        return jnp.abs(a) < 1.0
