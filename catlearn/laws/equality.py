"""How laws compare two carrier values: exactly, or within a stated tolerance.

Exact carriers (bool, integers, Python ints) compare with ``==``; sympy
polynomials by expanding their difference; floats with
``|x − y| ≤ atol + rtol·|y|`` where infinities must match exactly and a
NaN on either side is a failure (a law that produces NaN is broken).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import sympy

from catlearn.laws import arguments

RTOL = 1e-5
ATOL = 1e-5


def close(x: Any, y: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Tree-wise equality of carrier values, with tolerance for floats (and for the real
    and imaginary parts of complex numbers)."""
    rtol, atol = arguments.tolerance(rtol, "close(rtol)"), arguments.tolerance(atol, "close(atol)")
    xs, ys = jax.tree.leaves(x), jax.tree.leaves(y)
    if len(xs) != len(ys):
        return False
    return all(_leaf_close(a, b, rtol, atol) for a, b in zip(xs, ys))


def _leaf_close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype == object or b.dtype == object:
        return all(_object_equal(u, v) for u, v in zip(a.reshape(-1), b.reshape(-1)))
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    if a.dtype.kind == "c" or b.dtype.kind == "c":  # complex: real and imaginary parts
        a = np.stack([np.real(a), np.imag(a)])
        b = np.stack([np.real(b), np.imag(b)])
    a, b = a.astype(np.float64), b.astype(np.float64)
    if np.isnan(a).any() or np.isnan(b).any():
        return False
    infinite = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[infinite], b[infinite]):
        return False
    finite = ~infinite
    return bool(np.all(np.abs(a[finite] - b[finite]) <= atol + rtol * np.abs(b[finite])))


def _object_equal(u: Any, v: Any) -> bool:
    if isinstance(u, sympy.Basic) or isinstance(v, sympy.Basic):
        return sympy.expand(sympy.sympify(u) - sympy.sympify(v)) == 0
    return bool(u == v)


def equality(rtol: float = RTOL, atol: float = ATOL) -> Callable[[Any, Any], bool]:
    """The comparison laws use: :func:`close` at the given tolerance (each a finite
    number ≥ 0: an infinite one would let every law pass)::

        >>> equality(rtol=-1)
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentValueError: equality(rtol): expected a finite number ≥ 0, got -1
    """
    rtol = arguments.tolerance(rtol, "equality(rtol)")
    atol = arguments.tolerance(atol, "equality(atol)")

    def equal(x: Any, y: Any) -> bool:
        return close(x, y, rtol, atol)

    equal.__doc__ = f"equal within rtol={rtol}, atol={atol} (exact for exact carriers)"
    return equal
