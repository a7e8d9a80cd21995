"""What the user declared a functor to be, read without the functor's own code.

A law's oracle must not share with the object under test anything that could
be wrong. For a functor that means: the oracle reads the ``ob`` and ``ar``
the user handed in (``F.ob``, ``F.ar``, or ``ob=``/``ar=`` given to the
suite) by the documented rules, never through ``F.image``, ``F.dim`` or
``F.spec``::

    >>> from catlearn.diagrams import Box, Ty
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> image({"f": [[1, 2], [3, 4]]}, f)
    [[1, 2], [3, 4]]
    >>> dimension({x: 2}, x.inside[0])
    2

The rules: ``ar`` is a function of the box, or a mapping keyed by the box
itself and then (except for a dagger box, which keeps its original's name)
by its name; with ``ar=None`` a box's own ``.array``. ``ob`` is a function
of the atomic object, or a mapping keyed by atomic types, objects or names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catlearn.errors import ArgumentTypeError, MissingImageError

MISSING = object()


def _name(x: Any) -> str:
    inside = getattr(x, "inside", None)
    if inside is not None and len(inside) == 1:
        x = inside[0]
    return str(getattr(x, "name", x))


def image(ar: Any, box: Any) -> Any:
    """What ``ar`` declares for ``box``, or ``MISSING``."""
    if ar is None:
        return getattr(box, "array", MISSING)
    if isinstance(ar, Mapping):
        keys = [box] if getattr(box, "is_dagger", False) else [box, _name(box)]
        for key in keys:
            try:
                return ar[key]
            except (KeyError, TypeError):
                continue
        return MISSING
    if callable(ar):
        return ar(box)
    raise ArgumentTypeError(f"ar: expected a mapping or a function of the box, got {ar!r:.60}")


def dimension(ob: Any, atom: Any) -> Any:
    """What ``ob`` declares for one atomic object (a size, a shape, a ShapeDtypeStruct)."""
    if callable(ob) and not isinstance(ob, Mapping):
        return ob(atom)
    if isinstance(ob, Mapping):
        name = _name(atom)
        for key, value in ob.items():
            if _name(key) == name:
                return value
    raise MissingImageError(f"the declared ob gives no dimension to {atom!r}")


def declaration(F: Any, ob: Any, ar: Any, where: str) -> tuple[Any, Any] | None:
    """``(ob, ar)`` the oracle reads: the suite's arguments, else ``F.ob``/``F.ar``;
    None when neither says (the oracle law then cannot apply)."""
    ob = getattr(F, "ob", None) if ob is None else ob
    ar = getattr(F, "ar", MISSING) if ar is None else ar
    if ob is None or ar is MISSING:
        return None
    for value, what in ((ob, "ob"), (ar, "ar")):
        if value is not None and not (isinstance(value, Mapping) or callable(value)):
            raise ArgumentTypeError(
                f"{where}({what}): expected a mapping or a function, got "
                f"{type(value).__name__} {value!r:.60}"
            )
    return ob, ar
