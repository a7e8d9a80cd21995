"""Truncated polynomials ℝ[t]/(t^{d+1}): coefficient extraction in one pass.

An element is a polynomial c₀ + c₁t + … + c_d t^d in one formal variable
t whose terms above degree d are dropped. ⊕ adds coefficients and ⊗
multiplies polynomials and truncates. Dropping the high terms is a ring
homomorphism ℝ[t] → ℝ[t]/(t^{d+1}), so evaluating any ⊕/⊗ expression on
truncated inputs gives exactly the low coefficients of the full result,
however high the degrees inside the expression grow. This is how the
marginals of a probabilistic generating circuit are read off
(``catlearn.circuits.generating``); with d = 1 it is the dual numbers.

The carrier is a tuple of d + 1 float arrays of one shape, the
coefficients from t⁰ up (a pytree, like ``Dual``'s pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.errors import ArgumentTypeError, SpecError
from catlearn.semirings.carrier import checked, real_array
from catlearn.semirings.floats import float_dtype
from catlearn.semirings.semiring import Array, Semiring

MAX_DEGREE = 1 << 10  # ⊗ costs (d + 1)² products: refuse absurd degrees early


@dataclass(frozen=True, repr=False)
class TruncatedPolynomial(Semiring):
    """Real polynomials in t modulo t^{degree + 1}: a commutative ring.

    >>> P = TruncatedPolynomial(2)
    >>> one_plus_t = P.asarray((1.0, 1.0, 0.0))
    >>> cube = P.mul(one_plus_t, P.mul(one_plus_t, one_plus_t))   # 1 + 3t + 3t² (+ t³ dropped)
    >>> [c.item() for c in cube]
    [1.0, 3.0, 3.0]
    >>> P.coefficient(cube, 1).item()
    3.0
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    degree: int
    ring = True

    def __post_init__(self) -> None:
        degree = whole(self.degree, "TruncatedPolynomial: degree", least=0, most=MAX_DEGREE)
        object.__setattr__(self, "degree", degree)  # TruncatedPolynomial(np.int64(2)) == (2)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"TruncatedPolynomial({self.degree})"

    @property
    def zero(self) -> Any:  # type: ignore[override]
        return (0.0,) * (self.degree + 1)

    @property
    def one(self) -> Any:  # type: ignore[override]
        return (1.0,) + (0.0,) * self.degree

    @property
    def dtype(self) -> Any:
        return float_dtype()

    @property
    def chunk_cost(self) -> int:
        return (self.degree + 1) ** 2

    def asarray(self, x: Any) -> Array:
        """``degree + 1`` coefficient arrays (a tuple or list, t⁰ first), broadcast to
        one shape; :meth:`constant` lifts plain reals."""
        size = self.degree + 1
        if not isinstance(x, (tuple, list)) or len(x) != size:
            got = f"a {type(x).__name__}" + (
                f" of length {len(x)}" if isinstance(x, (tuple, list)) else ""
            )
            raise ArgumentTypeError(
                f"{self.name} elements are tuples of {size} coefficient arrays (t⁰ first), "
                f"got {got}; use constant() for plain reals"
            )
        parts = [checked(self._real, c, f"{self.name}: coefficient {k}") for k, c in enumerate(x)]
        try:
            parts = jnp.broadcast_arrays(*parts)
        except ValueError:
            shapes = [tuple(p.shape) for p in parts]
            raise SpecError(f"{self.name}: coefficient shapes {shapes} do not broadcast") from None
        return tuple(parts)

    def _real(self, x: Any) -> Array:
        return real_array(x, self.name, self.dtype)

    def constant(self, x: Any) -> Array:
        """Reals as constant polynomials x + 0·t + …"""
        x = real_array(x, f"{self.name}.constant", self.dtype)
        return (x,) + tuple(jnp.zeros_like(x) for _ in range(self.degree))

    def variable(self, shape: tuple[int, ...] = ()) -> Array:
        """The polynomial t (the constant 0 when degree is 0), filled to ``shape``."""
        one = jnp.ones(shape, dtype=self.dtype)
        return tuple(one if k == 1 else 0 * one for k in range(self.degree + 1))

    def coefficient(self, x: Array, k: int) -> Array:
        """The coefficient of t^k (0 ≤ k ≤ degree) of each element."""
        k = whole(k, f"{self.name}.coefficient: k", least=0, most=self.degree)
        return x[k]

    def index_shape(self, x: Array) -> tuple[int, ...]:
        return tuple(np.shape(x[0]))

    def add(self, a: Array, b: Array) -> Array:
        return tuple(u + v for u, v in zip(a, b, strict=True))

    def mul(self, a: Array, b: Array) -> Array:
        # Cauchy product, stopping at t^degree: the dropped terms never reach the kept ones.
        return tuple(
            sum((a[i] * b[k - i] for i in range(1, k + 1)), a[0] * b[k])
            for k in range(self.degree + 1)
        )

    def matmul(self, a: Array, b: Array) -> Array:
        # (A B)_k = Σ_{i ≤ k} A_i B_{k−i}: (d + 1)(d + 2)/2 real matrix products (BLAS).
        return tuple(
            sum((jnp.matmul(a[i], b[k - i]) for i in range(1, k + 1)), jnp.matmul(a[0], b[k]))
            for k in range(self.degree + 1)
        )

    def neg(self, a: Array) -> Array:
        """−(c₀ + c₁t + …) = −c₀ − c₁t − …"""
        return tuple(-c for c in a)

    def sum(self, x: Array, axis: int) -> Array:
        axis = self._axis(x, axis)
        return tuple(jnp.sum(c, axis=axis) for c in x)

    def __repr__(self) -> str:
        return self.name
