"""Plain arguments at a public boundary: integers, sizes, finite reals, flags.

Python's ``int()`` and ``float()`` accept too much at a boundary (``int(2.7)``
is 2, ``int(True)`` is 1, ``float("nan")`` is a number), so every count, size,
index and weight a caller hands in goes through one of these, which never
coerce and name the argument and the value they got::

    >>> whole(3, "units", least=1)
    3
    >>> whole(2.5, "units", least=1)
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentTypeError: units: expected an integer, got float 2.5
    >>> size(2.7, "ob[x]")
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentTypeError: ob[x]: a size is an int, got float 2.7
    >>> real(float("nan"), "alpha", positive=True)
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentValueError: alpha: expected a finite number > 0, got nan

Like ``errors``, this is the ground floor: every layer may import it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError


def is_whole(value: Any) -> bool:
    """Whether ``value`` is a Python or numpy integer (a bool is not a number here)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole(value: Any, argument: str, *, least: int | None = None, most: int | None = None) -> int:
    """``value`` as an ``int``, if it is an integer in ``least..most``; else a typed error."""
    if not is_whole(value):
        raise ArgumentTypeError(
            f"{argument}: expected an integer, got {type(value).__name__} {value!r:.60}"
        )
    value = int(value)
    if (least is not None and value < least) or (most is not None and value > most):
        span = f"{'' if least is None else least}..{'' if most is None else most}"
        raise ArgumentValueError(f"{argument}: expected an integer in {span}, got {value}")
    return value


def real(value: Any, argument: str, *, positive: bool = False, non_negative: bool = False) -> float:
    """``value`` as a finite ``float`` (> 0 or ≥ 0 if asked); else a typed error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ArgumentTypeError(
            f"{argument}: expected a real number, got {type(value).__name__} {value!r:.60}"
        )
    if isinstance(value, (complex, np.complexfloating)):
        raise ArgumentTypeError(f"{argument}: expected a real number, got complex {value!r}")
    try:
        number = float(value)
    except OverflowError:  # a Python int past float64's range (10**400)
        number = math.inf
    bound = " > 0" if positive else " ≥ 0" if non_negative else ""
    if not math.isfinite(number) or (positive and number <= 0) or (non_negative and number < 0):
        shown = value.item() if isinstance(value, np.generic) else value
        raise ArgumentValueError(f"{argument}: expected a finite number{bound}, got {shown!r}")
    return number


def flag(value: Any, argument: str) -> bool:
    """``value`` as a ``bool``: True, False, 1 or 0 (numpy's too), nothing else."""
    if isinstance(value, (bool, np.bool_)) or (is_whole(value) and int(value) in (0, 1)):
        return bool(value)
    raise ArgumentTypeError(f"{argument}: expected True or False, got {value!r:.60}")


def size(value: Any, what: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``; ``what`` names it in the error."""
    if not is_whole(value):
        raise ArgumentTypeError(
            f"{what}: a size is an int, got {type(value).__name__} {value!r:.60}"
        )
    if value < minimum:
        raise ArgumentValueError(f"{what}: a size is an int ≥ {minimum}, got {value}")
    return int(value)
