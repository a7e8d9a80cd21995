"""Integers modulo n: the rings of polynomial and Boolean circuits.

``GF2`` is Z/2 (⊕ = XOR, ⊗ = AND), where reverse derivatives of Boolean
circuits live. ``Zn(n)`` is Z/n for 2 ≤ n ≤ 46341, so that one product
fits an int32; matrix products reduce modulo n often enough that no
partial sum overflows, whatever the size. ``asarray`` reduces integers of
any size (int64, uint64, Python ints past 2⁶³) modulo n *before* narrowing
them to int32, so 2⁴⁰ + 3 is 5 in Z/7, never a wrapped 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.semirings.carrier import residues
from catlearn.semirings.semiring import Array, Semiring

_INT32_MAX = 2**31 - 1


@dataclass(frozen=True, repr=False)
class Zn(Semiring):
    """(Z/n, + mod n, × mod n, 0, 1), a commutative ring; carrier int32.

    >>> import jax.numpy as jnp
    >>> Z7 = Zn(7)
    >>> Z7.mul(jnp.array(3), jnp.array(5)).item(), Z7.neg(jnp.array(3)).item()
    (1, 4)
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    n: int
    zero = 0
    one = 1
    ring = True

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, (int, np.integer)):
            raise ArgumentTypeError(
                f"Zn: the modulus n must be an integer 2 ≤ n ≤ 46341, got {self.n!r}"
            )
        if not 2 <= self.n <= 46341:
            raise ArgumentValueError(
                f"Zn: the modulus n must be an integer 2 ≤ n ≤ 46341, got {self.n!r}"
            )
        object.__setattr__(self, "n", int(self.n))  # Zn(np.int64(7)) == Zn(7)

    @property
    def name(self) -> str:  # type: ignore[override]
        return "GF2" if self.n == 2 else f"Z{self.n}"

    @property
    def dtype(self) -> Any:
        return jnp.int32

    def asarray(self, x: Any) -> Array:
        return residues(x, self.n, self.name)

    def add(self, a: Array, b: Array) -> Array:
        return (a + b) % self.n

    def mul(self, a: Array, b: Array) -> Array:
        return (a * b) % self.n

    def neg(self, a: Array) -> Array:
        """The additive inverse −a."""
        return (-a) % self.n

    def sum(self, x: Array, axis: int) -> Array:
        # Partial sums of at most `chunk` values < n cannot overflow int32.
        chunk = _INT32_MAX // (self.n - 1)
        if x.shape[axis] <= chunk:
            return jnp.sum(x, axis=axis) % self.n
        return super().sum(x, axis)

    def matmul(self, a: Array, b: Array) -> Array:
        batch, m, k = a.shape
        chunk = max(1, _INT32_MAX // (self.n - 1) ** 2)
        if k <= chunk:
            return jnp.matmul(a, b, preferred_element_type=jnp.int32) % self.n
        blocks = -(-k // chunk)
        pad = blocks * chunk - k
        a = jnp.pad(a, ((0, 0), (0, 0), (0, pad))).reshape(batch, m, blocks, chunk)
        b = jnp.pad(b, ((0, 0), (0, pad), (0, 0))).reshape(batch, blocks, chunk, -1)
        partial = jnp.einsum("bmjc,bjcn->bjmn", a, b, preferred_element_type=jnp.int32) % self.n
        return self.sum(partial, axis=1)

    def __repr__(self) -> str:
        return self.name


GF2 = Zn(2)
"""Z/2: ⊕ is XOR, ⊗ is AND, and −a = a."""
