"""What a functor sends a box to: arrays, learnable ``Param``s, daggers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import size
from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CarrierOverflowError,
    CatlearnError,
    MissingImageError,
    ShapeError,  # noqa: F401 (the functors import it from here)
)


class Dimensions:
    """Objects ↦ dimensions and boxes ↦ array shapes, from ``self._ob``: what the tensor
    functors (numeric and exact) share."""

    _ob: Any

    @staticmethod
    def _dimensions(ob: Any) -> Any:
        """``ob`` checked: a mapping of atomic types to sizes ≥ 1, a function, or None."""
        if isinstance(ob, Mapping):
            return {atom_name(k): size(v, f"ob[{name_of(k)}]") for k, v in ob.items()}
        if ob is not None and not callable(ob):
            raise ArgumentTypeError(
                f"ob: expected a mapping from types to dimensions or a function, "
                f"got {type(ob).__name__}"
            )
        return ob

    def dim(self, obj: Any) -> int:
        """The dimension of one atomic object."""
        if isinstance(obj, (int, np.integer)):  # discopy.tensor.Dim atoms
            return size(obj, f"the dimension {obj!r}")
        if callable(self._ob):
            return size(self._ob(obj), f"ob({name_of(obj)})")
        if self._ob is not None and name_of(obj) in self._ob:
            return self._ob[name_of(obj)]
        raise MissingImageError(f"the functor maps no dimension to object {obj!r}")

    def shape(self, box: Any) -> tuple[int, ...]:
        """The array shape of a box: its domain dims, then its codomain dims."""
        atoms = tuple(getattr(box.dom, "inside", ())) + tuple(getattr(box.cod, "inside", ()))
        return tuple(self.dim(o) for o in atoms)


def _normal_init(key: jax.Array, shape: tuple[int, ...], dtype: Any) -> jax.Array:
    fan_in = shape[0] if shape else 1
    return jax.random.normal(key, shape, dtype) / np.sqrt(max(1, fan_in))


@dataclass(frozen=True)
class Param:
    """A learnable box: ``init(key, shape, dtype)`` makes its array.

    ``shape`` defaults to the box's (dom dims + cod dims).
    """

    shape: tuple[int, ...] | None = None
    init: Callable[[jax.Array, tuple[int, ...], Any], jax.Array] = _normal_init

    def __post_init__(self) -> None:
        if self.shape is not None:
            if not isinstance(self.shape, tuple):
                raise ArgumentTypeError(
                    f"Param(shape=...): a shape is a tuple of ints, got "
                    f"{type(self.shape).__name__} {self.shape!r:.40}"
                )
            for i, d in enumerate(self.shape):
                size(d, f"Param(shape={self.shape!r:.40}) axis {i}")
        if not callable(self.init):
            raise ArgumentTypeError(
                f"Param(init=...): expected a function init(key, shape, dtype), "
                f"got {type(self.init).__name__}"
            )


MISSING = object()  # what look_up returns when ``ar`` has nothing for a box


def look_up(ar: Any, box: Any, *, by_name: bool = True) -> Any:
    """What ``ar`` gives for ``box``: a function of the box, or a mapping keyed by the box
    or (with ``by_name``) its name; ``MISSING`` when it has nothing."""
    if callable(ar) and not isinstance(ar, Mapping):
        return ar(box)
    if isinstance(ar, Mapping):
        # A dagger keeps its original's name: found by name, it would silently get the
        # original's (untransposed) image.
        by_name = by_name and not getattr(box, "is_dagger", False)
        keys = (box, name_of(box)) if by_name else (box,)
        for key in keys:
            try:
                return ar[key]
            except (KeyError, TypeError):  # unhashable keys, missing entries
                continue
    return MISSING


def boxes_of(ar: Any) -> tuple:
    """The boxes a mapping ``ar`` is keyed by (entries keyed by name or a function give none)."""
    if not isinstance(ar, Mapping):
        return ()
    return tuple(k for k in ar if hasattr(k, "dom") and hasattr(k, "cod"))


def name_of(x: Any) -> str:
    """A box or object's name (DisCoPy's ``.name``), else its string."""
    return str(getattr(x, "name", x))


def atom_name(key: Any) -> str:
    """The name of an atomic type (``Ty("x")``, an ``Ob`` or a name), used as an ``ob`` key."""
    inside = getattr(key, "inside", None)
    if inside is not None and len(inside) == 1:
        return name_of(inside[0])
    if inside is not None:
        raise ArgumentValueError(f"ob keys are atomic types; got {key} of length {len(inside)}")
    return name_of(key)


def signature_of(box: Any) -> str:
    """``name : dom → cod``, how errors name a box."""
    return f"{name_of(box)} : {getattr(box, 'dom', '?')} → {getattr(box, 'cod', '?')}"


def array_like(box: Any, value: Any, *, numbers: bool = True) -> Any:
    """An ``ar`` value that should be an array: nested lists become a numpy array, and
    what is not an array at all (None, a string, ragged lists, with ``numbers`` lists of
    non-numbers) is refused naming the box. Anything else (an array, a scalar, a
    semiring's tuple of arrays) passes as it is."""
    if value is None or isinstance(value, (str, bytes)):
        raise ArgumentTypeError(
            f"ar maps box {signature_of(box)} to {type(value).__name__} {value!r:.40}; "
            "expected an array"
        )
    if not isinstance(value, list):
        return value
    try:
        array = np.asarray(value)
    except ValueError as e:  # numpy refuses ragged nesting
        raise ArgumentValueError(
            f"box {signature_of(box)}: its data is ragged (nested lists of unequal lengths)"
        ) from e
    if array.dtype.kind in "US" or (numbers and array.dtype.kind == "O"):
        raise ArgumentTypeError(
            f"box {signature_of(box)}: its data holds {type(array.reshape(-1)[0]).__name__} "
            f"entries ({array.reshape(-1)[0]!r:.30}, …), not numbers"
        )
    return array


def converted(where: str | Callable[[], str], convert: Callable[[Any], Any], value: Any) -> Any:
    """``convert(value)``, with what it raises prefixed by ``where`` (a box, an input; a
    function giving it when it costs something to write, as on every call)."""
    try:
        return convert(value)
    except Exception as e:
        name = where() if callable(where) else where
        if isinstance(e, CatlearnError):
            raise _renamed(e, f"{name}: {e}") from e
        if isinstance(e, OverflowError):  # a Python int beyond the carrier
            raise CarrierOverflowError(f"{name}: {e}") from e
        if not isinstance(e, (TypeError, ValueError)):
            raise
        if isinstance(value, (list, tuple)) and _ragged(value):
            raise ArgumentValueError(
                f"{name}: ragged nested lists (rows of unequal lengths)"
            ) from e
        raise ArgumentTypeError(
            f"{name}: expected an array, got {type(value).__name__} {value!r:.40} ({e})"
        ) from e


def _ragged(value: list | tuple) -> bool:
    try:
        np.asarray(value)
    except ValueError:
        return True
    return False


def _renamed(error: CatlearnError, message: str) -> CatlearnError:
    try:
        return type(error)(message)
    except TypeError:  # an error type with its own constructor: keep it as it is
        return error


@dataclass(frozen=True)
class Dagger:
    """The image of a dagger box: its original's image, conjugate-transposed."""

    value: Any
    n_front: int


def flip(array: Any, k: int) -> Any:
    """The dagger: conjugate, with the last k axes (the codomain) moved to the front."""
    axes = list(range(np.ndim(array)))
    return jnp.conj(jnp.transpose(array, axes[-k:] + axes[:-k])) if k else array
