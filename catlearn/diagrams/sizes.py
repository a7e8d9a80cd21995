"""Sizes a user hands in (dimensions, arities, vocabularies, steps): integers, checked once.

``int(2.7)`` is 2 and ``int(True)`` is 1, so a size is never coerced: it is
a Python or numpy integer, or an error naming what it sizes::

    >>> size(3, "steps")
    3
    >>> size(2.7, "ob[x]")
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentTypeError: ob[x]: a size is an int, got float 2.7
"""

from __future__ import annotations

from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError


def size(value: Any, what: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``; ``what`` names it in the error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(
            f"{what}: a size is an int, got {type(value).__name__} {value!r:.60}"
        )
    if value < minimum:
        raise ArgumentValueError(f"{what}: a size is an int ≥ {minimum}, got {value}")
    return int(value)
