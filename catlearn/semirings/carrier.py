"""Data entering a carrier: the one boundary check of every semiring's ``asarray``.

User data (Python numbers, nested lists, numpy arrays of any dtype, object
arrays of unbounded Python ints) is checked and converted *on the host*,
before any narrowing cast: an int64 count never wraps to int32 on its way
to a float, a residue is reduced before it is narrowed, an integer too big
for its carrier is refused. JAX arrays (concrete or traced) are checked by
dtype only: no value is read back from the device, so the compiled path
costs nothing more.

    >>> real_array(np.array([3_000_000_000]), "Real", np.float32).tolist()
    [3000000000.0]
    >>> residues(np.array([2**40 + 3]), 7, "Z7").tolist() == [(2**40 + 3) % 7]
    True
    >>> real_array("1.5", "Real", np.float32)
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentTypeError: Real: got the str '1.5', needs numbers
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CarrierOverflowError,
    CatlearnError,
    SpecError,
)

Array = Any


def is_traced(x: Any) -> bool:
    """Whether ``x`` (or a leaf of it) is a JAX tracer: its values are unknown here."""
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(x))


def _show(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def host_array(x: Any, what: str) -> np.ndarray | jax.Array:
    """``x`` as an array of numbers: a JAX array as it is, anything else through numpy.

    Refuses, naming ``what``: None, text, ragged nested lists, complex numbers and
    object arrays holding anything but real numbers.
    """
    if isinstance(x, jax.Array):
        _check_kind(x.dtype, what)
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(v, jax.Array) for v in jax.tree.leaves(x)):
        return host_array(jnp.asarray(x), what)  # a list of (traced) JAX arrays: JAX stacks it
    arr = numpy_array(x, what)
    _check_kind(arr.dtype, what)
    if arr.dtype == object:
        for v in arr.flat:
            if not isinstance(v, numbers.Real):
                needs = "real numbers" if isinstance(v, numbers.Complex) else "numbers"
                raise ArgumentTypeError(
                    f"{what}: got an element {_show(v)} of type {type(v).__name__}, needs {needs}"
                )
    return arr


def numpy_array(x: Any, what: str) -> np.ndarray:
    """``np.asarray(x)``, refusing None, text and ragged lists, and keeping a list of
    Python ints exact (numpy would round [2**64 - 1, 1] to float64)."""
    if x is None or isinstance(x, (str, bytes)):
        raise ArgumentTypeError(f"{what}: got the {type(x).__name__} {_show(x)}, needs numbers")
    try:
        arr = np.asarray(x)
    except ValueError as error:  # numpy's "inhomogeneous shape"
        raise ArgumentValueError(
            f"{what}: a ragged nested sequence (rows of different lengths) is not an array"
        ) from error
    if arr.dtype.kind == "f" and _first_scalar(x) is not x and _is_int(_first_scalar(x)):
        exact = np.array(x, dtype=object)
        if all(_is_int(v) for v in exact.flat):
            arr = exact
    return arr


def complex_array(x: Any, what: str, dtype: Any) -> Array:
    """Complex numbers: complex arrays keep their width; reals and integers become ``dtype``
    (an integer beyond its range is refused, not rounded to infinity)."""
    if isinstance(x, jax.Array):
        if x.dtype.kind == "c":
            return x
        _check_kind(x.dtype, what)
        return x.astype(dtype)
    arr = numpy_array(x, what)
    if arr.dtype.kind == "c":
        return jnp.asarray(arr)
    if arr.dtype == object:
        values = []
        for v in arr.flat:
            if not isinstance(v, numbers.Complex):
                raise ArgumentTypeError(
                    f"{what}: got an element {_show(v)} of type {type(v).__name__}, needs numbers"
                )
            try:
                values.append(complex(v))
            except OverflowError:
                raise CarrierOverflowError(
                    f"{what}: the number {_show(v)} is beyond {dtype}"
                ) from None
        return jnp.asarray(np.array(values, dtype=dtype).reshape(arr.shape))
    _check_kind(arr.dtype, what)
    return jnp.asarray(arr.astype(dtype))


def _first_scalar(x: Any) -> Any:
    while isinstance(x, (list, tuple)) and len(x):
        x = x[0]
    return x


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral)


def _check_kind(dtype: Any, what: str) -> None:
    if np.dtype(dtype).kind in "biufO":  # the common case, without issubdtype's cost
        return
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise ArgumentTypeError(f"{what}: got complex numbers (dtype {dtype}), needs real numbers")
    if not any(jnp.issubdtype(dtype, kind) for kind in (jnp.integer, jnp.floating)):
        raise ArgumentTypeError(f"{what}: got an array of dtype {dtype}, needs numbers")


def _integers_only(arr: np.ndarray | jax.Array, what: str) -> None:
    kind = np.dtype(arr.dtype).kind
    floats = kind == "f" or (
        kind == "O" and any(not isinstance(v, numbers.Integral) for v in np.ravel(arr))
    )
    if floats:
        raise SpecError(f"{what} elements are integers, got {_describe(arr)}")


def _describe(arr: np.ndarray | jax.Array) -> str:
    if arr.dtype != object:
        return f"dtype {arr.dtype}"
    bad = next(v for v in np.ravel(arr) if not isinstance(v, numbers.Integral))
    return f"the {type(bad).__name__} {_show(bad)}"


def real_array(x: Any, what: str, dtype: Any) -> Array:
    """Real numbers as floats: floats keep their width, integers and bools become
    ``dtype`` exactly as numpy rounds them (never through a narrower integer)."""
    if isinstance(x, jax.Array) and x.dtype.kind == "f":  # the steady state: nothing to do
        return x
    arr = host_array(x, what)
    if jnp.issubdtype(arr.dtype, jnp.inexact):
        return jnp.asarray(arr)
    if isinstance(arr, jax.Array):
        return arr.astype(dtype)
    if arr.dtype == object:  # unbounded Python ints (and floats) one by one
        return jnp.asarray(_object_floats(arr, what, dtype))
    return jnp.asarray(arr.astype(dtype))


def _object_floats(arr: np.ndarray, what: str, dtype: Any) -> np.ndarray:
    top = float(np.finfo(dtype).max)
    out = np.empty(arr.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.flat):
        try:
            f = float(v)
        except OverflowError:
            f = float("inf")
        if isinstance(v, numbers.Integral) and abs(f) > top:
            raise CarrierOverflowError(
                f"{what}: the integer {_show(v)} is beyond the largest {np.dtype(dtype)} "
                f"({top:.4g})"
            )
        flat[i] = f
    return out


def integer_array(x: Any, what: str, dtype: Any) -> Array:
    """Integers in the integer carrier ``dtype``, refused if they would wrap."""
    arr = host_array(x, what)
    _integers_only(arr, what)
    if isinstance(arr, jax.Array):
        return arr.astype(dtype)
    info = np.iinfo(dtype)
    if arr.size:
        low, high = int(arr.min()), int(arr.max())  # Python ints: exact at any size
        if low < info.min or high > info.max:
            culprit = low if low < info.min else high
            raise CarrierOverflowError(
                f"{what}: the integer {int(culprit)} does not fit the carrier {np.dtype(dtype)} "
                f"[{info.min}, {info.max}]"
            )
    return jnp.asarray(arr.astype(dtype))


def residues(x: Any, n: int, what: str) -> Array:
    """Integers reduced modulo ``n`` in their own width, then narrowed to int32."""
    arr = host_array(x, what)
    _integers_only(arr, what)
    if isinstance(arr, jax.Array):
        if arr.dtype == jnp.bool_:
            arr = arr.astype(jnp.int32)
        return jnp.mod(arr, n).astype(jnp.int32)
    if arr.dtype == np.bool_:
        arr = arr.astype(np.int32)
    return jnp.asarray(np.asarray(np.mod(arr, n)).astype(np.int32))  # object: Python's %


def truth_values(x: Any, what: str) -> Array:
    """Booleans: numbers are true where nonzero; NaN (neither) is refused on the host."""
    if isinstance(x, jax.Array) and x.dtype == jnp.bool_:
        return x
    arr = host_array(x, what)
    if isinstance(arr, jax.Array):
        return arr.astype(jnp.bool_)
    nan = np.isnan(arr).any() if arr.dtype != object else any(v != v for v in arr.flat)
    if nan:
        raise ArgumentValueError(f"{what}: NaN is neither true nor false")
    return jnp.asarray(arr.astype(np.bool_))


def renamed(error: Exception, where: str) -> Exception:
    """The same error, its message prefixed with ``where`` (the argument at fault)."""
    kind = type(error)
    if not isinstance(error, CatlearnError):
        kind = (
            CarrierOverflowError
            if isinstance(error, OverflowError)
            else ArgumentTypeError
            if isinstance(error, TypeError)
            else ArgumentValueError
        )
    try:
        return kind(f"{where}: {error}")
    except TypeError:  # an error class with another signature: keep it whole
        return error


def checked(convert: Callable[[Any], Any], x: Any, where: str) -> Any:
    """``convert(x)``, with any refusal of a bad value renamed to ``where``."""
    try:
        return convert(x)
    except (CatlearnError, TypeError, ValueError, OverflowError) as error:
        raise renamed(error, where) from error


def pair(x: Any, what: str, parts: str) -> tuple[Any, Any]:
    """The two components of an element of a pair carrier (Product, Dual)."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        got = f"a {type(x).__name__}"
        if isinstance(x, (tuple, list)):
            got += f" of length {len(x)}"
        raise ArgumentTypeError(f"{what} elements are pairs {parts}, got {got}")
    return x[0], x[1]


def carrier_array(x: Any, dtype: Any, what: str) -> Array:
    """``x`` in a scalar carrier of ``dtype``, by the check that fits its kind."""
    if jnp.issubdtype(dtype, jnp.bool_):
        return truth_values(x, what)
    if jnp.issubdtype(dtype, jnp.integer):
        return integer_array(x, what, dtype)
    if jnp.issubdtype(dtype, jnp.floating):
        return real_array(x, what, dtype).astype(dtype)
    return jnp.asarray(x, dtype=dtype)
