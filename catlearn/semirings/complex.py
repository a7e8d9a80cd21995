"""The complex field: amplitudes of quantum circuits, contracted by BLAS."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from catlearn.semirings.carrier import complex_array
from catlearn.semirings.semiring import Array, Semiring


class Complex(Semiring):
    """(ℂ, +, ×, 0, 1): complex arithmetic in JAX's default complex dtype (complex64, or
    complex128 under x64). A commutative ring, not idempotent, without a star.

    Real numbers and integers enter as complex numbers; a complex array keeps its
    width. Gradients of a real function of complex values (a probability
    ``|amplitude|²``) are JAX's: with respect to real parameters, ordinary derivatives.

    >>> import jax.numpy as jnp
    >>> Complex().matmul(jnp.array([[[1j, 1.0]]]), jnp.array([[[1j], [2.0]]])).tolist()
    [[[(1+0j)]]]
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    name = "Complex"
    zero, one = 0.0, 1.0
    ring = True

    @property
    def dtype(self) -> Any:
        return jax.dtypes.canonicalize_dtype(jnp.complex128)

    def asarray(self, x: Any) -> Array:
        return complex_array(x, repr(self), self.dtype)

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
