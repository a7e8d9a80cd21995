"""The Boolean semiring: reachability, satisfiability, support."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from catlearn.semirings.carrier import truth_values
from catlearn.semirings.floats import float_dtype
from catlearn.semirings.semiring import Array, Semiring


class Boolean(Semiring):
    """({False, True}, ∨, ∧, False, True). ``star(a) = True``.

    The matrix product runs as one float matmul followed by ``> 0``:
    a count of true pairs is positive exactly when their disjunction is,
    and BLAS is much faster than any Boolean loop. ``asarray`` reads a
    number as true where it is nonzero (a big integer too, on the host, never
    wrapped to 0 first) and refuses NaN, which is neither.

    >>> import jax.numpy as jnp
    >>> Boolean().matmul(jnp.array([[[True, False]]]), jnp.array([[[False], [True]]])).tolist()
    [[[False]]]
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    name = "Boolean"
    zero, one = False, True
    idempotent = True
    has_star = True

    @property
    def dtype(self) -> Any:
        return jnp.bool_

    def asarray(self, x: Any) -> Array:
        return truth_values(x, self.name)

    def add(self, a: Array, b: Array) -> Array:
        return a | b

    def mul(self, a: Array, b: Array) -> Array:
        return a & b

    def sum(self, x: Array, axis: int) -> Array:
        return jnp.any(x, axis=axis)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.all(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        f = float_dtype()
        return jnp.matmul(a.astype(f), b.astype(f)) > 0

    def star(self, a: Array) -> Array:
        return jnp.ones_like(self.asarray(a))
