"""Float carriers: JAX's default float dtype, and a conversion that never truncates."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from catlearn.semirings.carrier import real_array
from catlearn.semirings.semiring import Array, Semiring


def float_dtype() -> Any:
    """JAX's default float dtype: float32, or float64 when the user enabled x64."""
    return jax.dtypes.canonicalize_dtype(jnp.float64)


class FloatSemiring(Semiring):
    """A semiring whose carrier is (extended) real numbers in a float array.

    ``asarray`` keeps the caller's float width (float16, bfloat16, float64);
    only non-floats are promoted to the default float dtype, on the host
    (an int64 of 3·10⁹ is 3·10⁹, never an int32 wrapped first). NaN is a
    value like any other: every operation propagates it.
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    @property
    def dtype(self) -> Any:
        return float_dtype()

    def asarray(self, x: Any) -> Array:
        return real_array(x, repr(self), self.dtype)
