"""Provenance polynomials ℕ[X] on sympy: why a result holds, symbolically.

Green, Karvounarakis and Tannen's provenance semiring: each input is
tagged by a variable, ⊕ records alternatives and ⊗ joint use, so the
result is a polynomial listing every derivation. It is the most general
commutative semiring: evaluating the polynomial in any other semiring
(``catlearn.semirings.evaluate``) gives the same answer as computing
there directly. Host-side (sympy objects in numpy object arrays), for
small structures, tests and explanations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from catlearn.semirings.counting import as_object_array
from catlearn.semirings.semiring import Array, Semiring

_expand_each = np.frompyfunc(sympy.expand, 1, 1)


def _expand(x: Any) -> np.ndarray:
    # frompyfunc returns a bare object for 0-d input; keep arrays throughout.
    return np.asarray(_expand_each(x), dtype=object)


class Polynomial(Semiring):
    """(ℕ[X], +, ×, 0, 1) with sympy expressions, kept expanded.

    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> P = Polynomial()
    >>> P.mul(P.asarray(x + y), P.asarray(x + y)).item()
    x**2 + 2*x*y + y**2
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    name = "Polynomial"
    zero, one = sympy.Integer(0), sympy.Integer(1)
    host = True

    @property
    def dtype(self) -> Any:
        return np.dtype(object)

    def asarray(self, x: Any) -> Array:
        return _expand(as_object_array(x, sympy.Expr, "Polynomial", sympy.sympify))

    def add(self, a: Array, b: Array) -> Array:
        return _expand(np.add(a, b, dtype=object))

    def mul(self, a: Array, b: Array) -> Array:
        return _expand(np.multiply(a, b, dtype=object))

    def sum(self, x: Array, axis: int) -> Array:
        return _expand(np.sum(x, axis=axis, dtype=object, initial=self.zero))

    def prod(self, x: Array, axis: int) -> Array:
        return _expand(np.prod(x, axis=axis, dtype=object, initial=self.one))

    def matmul(self, a: Array, b: Array) -> Array:
        return _expand(np.matmul(a, b))
