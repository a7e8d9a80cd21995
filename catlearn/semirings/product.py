"""The product semiring S × T: two semantics in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catlearn.errors import SpecError
from catlearn.semirings.carrier import checked, pair
from catlearn.semirings.semiring import Array, Semiring, require_semiring


@dataclass(frozen=True, repr=False)
class Product(Semiring):
    """Pairs (s, t) with both operations componentwise.

    Evaluating once in ``Product(Log(), MaxPlus())`` gives a likelihood and
    the best path score together.

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import Boolean, Real
    >>> P = Product(Real(), Boolean())
    >>> x = P.asarray((jnp.array([2.0, 0.0]), jnp.array([True, False])))
    >>> [v.tolist() for v in P.sum(x, axis=0)]
    [2.0, True]
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    left: Semiring
    right: Semiring

    def __post_init__(self) -> None:
        require_semiring(self.left, "Product: left")
        require_semiring(self.right, "Product: right")

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"Product({self.left!r}, {self.right!r})"

    @property
    def zero(self) -> Any:  # type: ignore[override]
        return (self.left.zero, self.right.zero)

    @property
    def one(self) -> Any:  # type: ignore[override]
        return (self.left.one, self.right.one)

    @property
    def commutative(self) -> bool:  # type: ignore[override]
        return self.left.commutative and self.right.commutative

    @property
    def idempotent(self) -> bool:  # type: ignore[override]
        return self.left.idempotent and self.right.idempotent

    @property
    def has_star(self) -> bool:  # type: ignore[override]
        return self.left.has_star and self.right.has_star

    @property
    def host(self) -> bool:  # type: ignore[override]
        return self.left.host or self.right.host

    @property
    def dtype(self) -> Any:
        return self.left.dtype

    def asarray(self, x: Any) -> Array:
        left, right = pair(x, self.name, "(left, right)")
        pair_ = (
            checked(self.left.asarray, left, f"{self.name}: left component"),
            checked(self.right.asarray, right, f"{self.name}: right component"),
        )
        if self.left.index_shape(pair_[0]) != self.right.index_shape(pair_[1]):
            raise SpecError(
                f"{self.name}: component shapes {self.left.index_shape(pair_[0])} and "
                f"{self.right.index_shape(pair_[1])} differ"
            )
        return pair_

    def index_shape(self, x: Array) -> tuple[int, ...]:
        return self.left.index_shape(x[0])

    def add(self, a: Array, b: Array) -> Array:
        return (self.left.add(a[0], b[0]), self.right.add(a[1], b[1]))

    def mul(self, a: Array, b: Array) -> Array:
        return (self.left.mul(a[0], b[0]), self.right.mul(a[1], b[1]))

    def sum(self, x: Array, axis: int) -> Array:
        return (self.left.sum(x[0], axis), self.right.sum(x[1], axis))

    def prod(self, x: Array, axis: int) -> Array:
        return (self.left.prod(x[0], axis), self.right.prod(x[1], axis))

    def matmul(self, a: Array, b: Array) -> Array:
        return (self.left.matmul(a[0], b[0]), self.right.matmul(a[1], b[1]))

    def star(self, a: Array) -> Array:
        return (self.left.star(a[0]), self.right.star(a[1]))

    def star_domain(self, a: Array) -> Array:
        return self.left.star_domain(a[0]) & self.right.star_domain(a[1])

    def __repr__(self) -> str:
        return self.name
