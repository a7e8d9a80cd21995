"""Exact counting: natural numbers of any size, on the host.

Model counts and path counts pass 2^63 quickly (a 2^70 count is a
70-variable formula with all models). ``Counting`` keeps them as Python
integers in numpy object arrays, so they stay exact at any size; the
price is that it runs on the host, not under ``jax.jit``. Map a count
into a jittable semiring with a homomorphism (Counting → Boolean, or
into Real where rounding is acceptable).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, HostOnlyError, SpecError
from catlearn.semirings.carrier import is_traced, numpy_array
from catlearn.semirings.semiring import Array, Semiring


def as_object_array(
    x: Any, kind: type, what: str, convert: Callable[[Any], Any] | None = None
) -> np.ndarray:
    """An object array of exact values of type ``kind``, refusing tracers, text and
    floats (a float is not exact; ``int(1.5)`` would silently be 1)."""
    if is_traced(x):
        raise HostOnlyError(f"{what} is a host semiring and cannot run under a JAX trace")
    arr = numpy_array(x, what)
    if arr.dtype.kind == "f":
        raise SpecError(f"{what} elements must be exact, got dtype {arr.dtype}")
    if arr.dtype.kind not in "biuO":
        raise ArgumentTypeError(f"{what}: got an array of dtype {arr.dtype}, needs numbers")
    if arr.dtype != object or not all(_kept(v, kind) for v in arr.flat):
        flat = [_exact(v, kind, what, convert) for v in arr.reshape(-1).tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        arr = out.reshape(arr.shape)
    return arr


def _kept(v: Any, kind: type) -> bool:
    return isinstance(v, kind) and not isinstance(v, bool)  # True is an int, not a count


def _exact(v: Any, kind: type, what: str, convert: Callable[[Any], Any] | None) -> Any:
    if _kept(v, kind):
        return v
    if isinstance(v, (numbers.Integral, np.bool_)):  # tolist() gives bools and ints
        return (convert or kind)(int(v))
    if isinstance(v, numbers.Number):
        raise SpecError(
            f"{what} elements must be exact integers, got the {type(v).__name__} {v!r:.60}"
        )
    if convert is None or isinstance(v, (str, bytes)):
        raise ArgumentTypeError(f"{what}: got an element {v!r:.60} of type {type(v).__name__}")
    try:
        return convert(v)
    except Exception as error:  # sympify's many failure types
        raise ArgumentTypeError(
            f"{what}: got an element {v!r:.60} of type {type(v).__name__}"
        ) from error


class Counting(Semiring):
    """(ℕ, +, ×, 0, 1) with exact, unbounded Python integers (host only).

    >>> C = Counting()
    >>> C.prod(C.asarray([2**40, 2**40]), axis=0).item() == 2**80
    True
    """

    batched_laws = True  # its operations are elementwise: laws check batches

    name = "Counting"
    zero, one = 0, 1
    host = True

    @property
    def dtype(self) -> Any:
        return np.dtype(object)

    def asarray(self, x: Any) -> Array:
        arr = as_object_array(x, int, "Counting")
        if arr.size and min(arr.flat) < 0:
            raise SpecError(
                f"Counting elements are natural numbers; got the negative {min(arr.flat)}"
            )
        return arr

    # numpy hands back bare Python ints for 0-d results; keep arrays throughout.
    def add(self, a: Array, b: Array) -> Array:
        return np.asarray(np.add(a, b, dtype=object), dtype=object)

    def mul(self, a: Array, b: Array) -> Array:
        return np.asarray(np.multiply(a, b, dtype=object), dtype=object)

    def sum(self, x: Array, axis: int) -> Array:
        return np.asarray(np.sum(x, axis=axis, dtype=object, initial=0), dtype=object)

    def prod(self, x: Array, axis: int) -> Array:
        return np.asarray(np.prod(x, axis=axis, dtype=object, initial=1), dtype=object)

    def matmul(self, a: Array, b: Array) -> Array:
        return np.matmul(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
