"""What a functor sends a box to: arrays, learnable ``Param``s, daggers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import MissingImageError, ShapeError


class Dimensions:
    """Objects ↦ dimensions and boxes ↦ array shapes, from ``self._ob``: what the tensor
    functors (numeric and exact) share."""

    _ob: Any

    def dim(self, obj: Any) -> int:
        """The dimension of one atomic object."""
        if isinstance(obj, (int, np.integer)):  # discopy.tensor.Dim atoms
            return int(obj)
        if callable(self._ob):
            return int(self._ob(obj))
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


MISSING = object()  # what look_up returns when ``ar`` has nothing for a box


def look_up(ar: Any, box: Any) -> Any:
    """What ``ar`` gives for ``box``: a function of the box, or a mapping keyed by the box
    or its name; ``MISSING`` when it has nothing."""
    if callable(ar) and not isinstance(ar, Mapping):
        return ar(box)
    if isinstance(ar, Mapping):
        # A dagger keeps its original's name: found by name, it would silently get the
        # original's (untransposed) image.
        keys = (box,) if getattr(box, "is_dagger", False) else (box, name_of(box))
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
        raise ShapeError(f"ob keys are atomic types; got {key} of length {len(inside)}")
    return name_of(key)


@dataclass(frozen=True)
class Dagger:
    """The image of a dagger box: its original's image, conjugate-transposed."""

    value: Any
    n_front: int


def flip(array: Any, k: int) -> Any:
    """The dagger: conjugate, with the last k axes (the codomain) moved to the front."""
    axes = list(range(np.ndim(array)))
    return jnp.conj(jnp.transpose(array, axes[-k:] + axes[:-k])) if k else array
