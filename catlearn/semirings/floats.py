"""Float carriers: JAX's default float dtype, and a conversion that never truncates."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from catlearn.semirings.semiring import Array, Semiring


def float_dtype() -> Any:
    """JAX's default float dtype: float32, or float64 when the user enabled x64."""
    return jax.dtypes.canonicalize_dtype(jnp.float64)


class FloatSemiring(Semiring):
    """A semiring whose carrier is (extended) real numbers in a float array.

    ``asarray`` keeps the caller's float width (float16, bfloat16, float64);
    only non-floats are promoted to the default float dtype.
    """

    @property
    def dtype(self) -> Any:
        return float_dtype()

    def asarray(self, x: Any) -> Array:
        x = jnp.asarray(x)
        return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(self.dtype)
