"""Fuzzy-logic semirings on [0, 1]: Gödel (max, min) and Łukasiewicz.

Both are idempotent and selective, so they share the bounded-memory
max-kernel of the tropical semirings, and gradients flow to the winning
term. Each has ``star(a) = 1`` on the carrier [0, 1]; outside it the star is
the series' own value (``max(1, a)`` for Gödel, +∞ for Łukasiewicz above 1).
"""

from __future__ import annotations

import jax.numpy as jnp

from catlearn.semirings.semiring import Array, reduced_shape
from catlearn.semirings.tropical import Selective


def _lukasiewicz_and(a: Array, b: Array) -> Array:
    return jnp.maximum(0.0, a + b - 1.0)


class Fuzzy(Selective):
    """([0, 1], max, min, 0, 1): Gödel fuzzy logic, the bottleneck semiring.

    >>> import jax.numpy as jnp
    >>> Fuzzy().matmul(jnp.array([[[0.5, 0.9]]]), jnp.array([[[1.0], [0.25]]])).tolist()
    [[[0.5]]]
    """

    name = "Fuzzy"
    zero, one = 0.0, 1.0
    has_star = True
    select = "max"

    mul = staticmethod(jnp.minimum)

    def prod(self, x: Array, axis: int) -> Array:
        if x.shape[axis] == 0:
            return jnp.ones(reduced_shape(x.shape, axis), dtype=x.dtype)
        return jnp.min(x, axis=axis)

    def star(self, a: Array) -> Array:
        # 1 ⊕ a ⊕ min(a, a) ⊕ … = max(1, a): converges everywhere, NaN stays NaN.
        return jnp.maximum(1.0, self.asarray(a))

    def star_domain(self, a: Array) -> Array:
        a = self.asarray(a)
        return (a >= 0) & (a <= 1)


class Lukasiewicz(Selective):
    """([0, 1], max, max(0, a + b − 1), 0, 1): Łukasiewicz fuzzy logic.

    >>> import jax.numpy as jnp
    >>> Lukasiewicz().mul(jnp.array(0.75), jnp.array(0.5)).item()
    0.25
    """

    name = "Lukasiewicz"
    zero, one = 0.0, 1.0
    has_star = True
    select = "max"

    mul = staticmethod(_lukasiewicz_and)

    def star(self, a: Array) -> Array:
        # a ⊗ⁿ a = max(0, n·a − (n − 1)): bounded by 1 for a ≤ 1, unbounded above.
        a = self.asarray(a)
        return jnp.where(a > 1, jnp.inf, jnp.where(a <= 1, 1.0, a))

    def star_domain(self, a: Array) -> Array:
        a = self.asarray(a)
        return (a >= 0) & (a <= 1)
