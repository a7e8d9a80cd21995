"""Dual numbers S[ε]/ε²: forward-mode derivatives and expectations.

An element is a pair (a, a′) of arrays, meaning a + a′ε. ⊕ is pairwise,
(a, a′) ⊗ (b, b′) = (a ⊗ b, a ⊗ b′ ⊕ a′ ⊗ b). Evaluating any ⊕/⊗
expression on (x, 1) gives (f(x), f′(x)): forward-mode differentiation
that works in every commutative semiring, including those where
``jax.grad`` has nothing to say (Z/n). Over probabilities, the same
algebra is Eisner's *expectation semiring*: with (p, p·r) on each edge,
the total is (Z, Z·E[r]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catlearn.errors import ArgumentTypeError, NonCommutativeError, SpecError
from catlearn.semirings.carrier import checked, pair
from catlearn.semirings.real import Real
from catlearn.semirings.semiring import Array, Semiring, require_semiring


@dataclass(frozen=True, repr=False)
class Dual(Semiring):
    """Dual numbers over a commutative semiring ``base`` (default Real).

    >>> import jax.numpy as jnp
    >>> D = Dual()
    >>> x = D.asarray((3.0, 1.0))                # x = 3, dx = 1
    >>> [v.item() for v in D.mul(x, D.mul(x, x))]  # x³ and 3x²
    [27.0, 27.0]
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    base: Semiring = Real()
    label: str = ""

    def __post_init__(self) -> None:
        require_semiring(self.base, "Dual: base")
        if not isinstance(self.label, str):
            raise ArgumentTypeError(f"Dual: label must be a str, got {self.label!r}")
        if not self.base.commutative:
            raise NonCommutativeError(f"Dual needs a commutative base, got {self.base!r}")

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label or f"Dual({self.base!r})"

    @property
    def zero(self) -> Any:  # type: ignore[override]
        return (self.base.zero, self.base.zero)

    @property
    def one(self) -> Any:  # type: ignore[override]
        return (self.base.one, self.base.zero)

    @property
    def host(self) -> bool:  # type: ignore[override]
        return self.base.host

    @property
    def idempotent(self) -> bool:  # type: ignore[override]
        return False  # (0, 1) ⊕ (0, 1) = (0, 1 ⊕ 1)

    @property
    def has_star(self) -> bool:  # type: ignore[override]
        return self.base.has_star

    @property
    def ring(self) -> bool:
        return getattr(self.base, "ring", False)

    @property
    def dtype(self) -> Any:
        return self.base.dtype

    def asarray(self, x: Any) -> Array:
        value, tangent = pair(x, self.name, "(value, tangent)")
        value = checked(self.base.asarray, value, f"{self.name}: value")
        tangent = checked(self.base.asarray, tangent, f"{self.name}: tangent")
        if self.base.index_shape(value) != self.base.index_shape(tangent):
            raise SpecError(
                f"{self.name}: value shape {self.base.index_shape(value)} and tangent "
                f"shape {self.base.index_shape(tangent)} differ"
            )
        return (value, tangent)

    def index_shape(self, x: Array) -> tuple[int, ...]:
        return self.base.index_shape(x[0])

    def add(self, a: Array, b: Array) -> Array:
        return (self.base.add(a[0], b[0]), self.base.add(a[1], b[1]))

    def mul(self, a: Array, b: Array) -> Array:
        S = self.base
        return (S.mul(a[0], b[0]), S.add(S.mul(a[0], b[1]), S.mul(a[1], b[0])))

    def neg(self, a: Array) -> Array:
        """−(a, a′) = (−a, −a′), where the base is a ring."""
        return (self.base.neg(a[0]), self.base.neg(a[1]))

    def sum(self, x: Array, axis: int) -> Array:
        return (self.base.sum(x[0], axis), self.base.sum(x[1], axis))

    def matmul(self, a: Array, b: Array) -> Array:
        S = self.base
        tangent = S.add(S.matmul(a[0], b[1]), S.matmul(a[1], b[0]))
        return (S.matmul(a[0], b[0]), tangent)

    def star(self, a: Array) -> Array:
        # (a, a′)* = (a*, a* ⊗ a′ ⊗ a*): differentiate 1/(1 − a).
        s = self.base.star(a[0])
        return (s, self.base.mul(self.base.mul(s, a[1]), s))

    def star_domain(self, a: Array) -> Array:
        return self.base.star_domain(a[0])

    def __repr__(self) -> str:
        return self.name


Expectation = Dual(Real(), label="Expectation")
"""Eisner's expectation semiring: pairs (p, r) with (p, r)(q, s) = (pq, ps + rq)."""
