"""The checks every public law builder runs on its arguments, before any strategy is built.

Each names the argument (as ``function(argument)``), what it got and what it needs,
and raises :class:`ArgumentTypeError` for the wrong kind of value or
:class:`ArgumentValueError` for a value outside its domain::

    >>> count(0, "check(max_examples)")
    Traceback (most recent call last):
    ...
    catlearn.errors.ArgumentValueError: check(max_examples): expected a whole number ≥ 1, got 0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

from hypothesis.strategies import SearchStrategy

from catlearn.arguments import is_whole, real
from catlearn.errors import ArgumentTypeError, ArgumentValueError


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def count(value: Any, argument: str, low: int = 1) -> int:
    """A whole number ≥ ``low`` (a bool is not one: ``True`` examples is a slip)."""
    if not is_whole(value):
        raise ArgumentTypeError(f"{argument}: expected a whole number ≥ {low}, got {_shown(value)}")
    if value < low:
        raise ArgumentValueError(f"{argument}: expected a whole number ≥ {low}, got {value}")
    return int(value)


def examples(value: Any, argument: str) -> int | None:
    """``max_examples``: None (hypothesis's profile decides) or a whole number ≥ 1."""
    return None if value is None else count(value, argument)


def flag(value: Any, argument: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{argument}: expected True or False, got {_shown(value)}")
    return value


def text(value: Any, argument: str) -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{argument}: expected a str, got {_shown(value)}")
    return value


def number(value: Any, argument: str) -> float:
    """A finite real number."""
    return real(value, argument)


def tolerance(value: Any, argument: str) -> float:
    """A finite number ≥ 0: an infinite (or NaN) tolerance would let every law pass."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ArgumentTypeError(f"{argument}: expected a number ≥ 0, got {_shown(value)}")
    if not (math.isfinite(value) and value >= 0):
        raise ArgumentValueError(f"{argument}: expected a finite number ≥ 0, got {value}")
    return float(value)


def function(value: Any, argument: str, needs: str = "a function") -> Callable:
    if not callable(value):
        raise ArgumentTypeError(f"{argument}: expected {needs}, got {_shown(value)}")
    return value


def optional_function(value: Any, argument: str, needs: str = "a function") -> Callable | None:
    return None if value is None else function(value, argument, needs)


def strategy(value: Any, argument: str) -> SearchStrategy:
    if not isinstance(value, SearchStrategy):
        raise ArgumentTypeError(
            f"{argument}: expected a hypothesis strategy (such as st.integers()), "
            f"got {_shown(value)}"
        )
    return value


def optional_strategy(value: Any, argument: str) -> SearchStrategy | None:
    return None if value is None else strategy(value, argument)


def bounds(value: Any, argument: str, low: int = 0, high: int | None = None) -> tuple[int, int]:
    """A pair ``(least, most)`` of whole numbers with ``low ≤ least ≤ most (≤ high)``."""
    needs = f"a pair (least, most) of whole numbers with {low} ≤ least ≤ most" + (
        f" ≤ {high}" if high is not None else ""
    )
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, Integral) for v in value)
    ):
        raise ArgumentTypeError(f"{argument}: expected {needs}, got {_shown(value)}")
    least, most = int(value[0]), int(value[1])
    if not low <= least <= most or (high is not None and most > high):
        raise ArgumentValueError(f"{argument}: expected {needs}, got {value!r}")
    return least, most


def signature(value: Any, argument: str) -> list:
    """A non-empty sequence of boxes (``dom``, ``cod``), one with a non-empty type."""
    if hasattr(value, "dom") and hasattr(value, "cod"):
        raise ArgumentTypeError(f"{argument}: expected a list of boxes, got one box; pass [box]")
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ArgumentTypeError(f"{argument}: expected a list of boxes, got {_shown(value)}")
    boxes = list(value)
    if not boxes:
        raise ArgumentValueError(f"{argument}: expected at least one box, got an empty signature")
    for i, box in enumerate(boxes):
        typed = all(hasattr(getattr(box, end, None), "inside") for end in ("dom", "cod"))
        if isinstance(box, type) or not typed:
            raise ArgumentTypeError(
                f"{argument}[{i}]: expected a box (with dom and cod), got {_shown(box)}"
            )
    if not any(list(b.dom.inside) + list(b.cod.inside) for b in boxes):
        raise ArgumentValueError(
            f"{argument}: every box has empty dom and cod, so no wire can be drawn; "
            "give at least one box a non-empty type"
        )
    return boxes


def tensor_functor(value: Any, argument: str) -> Any:
    """A tensor functor: ``F.semiring``, ``F.dim`` and ``F(diagram)``."""
    _instance(value, argument)
    if not (hasattr(value, "semiring") and hasattr(value, "dim") and callable(value)):
        raise ArgumentTypeError(
            f"{argument}: expected a functor (a TensorFunctor, or a FunctionFunctor), "
            f"got {_shown(value)}"
        )
    return value


def function_functor(value: Any, argument: str) -> Any:
    """A function functor: ``F.compile``, ``F.init`` and ``F.spec``."""
    _instance(value, argument)
    if not all(callable(getattr(value, m, None)) for m in ("compile", "init", "spec")):
        raise ArgumentTypeError(
            f"{argument}: expected a function functor (such as a FunctionFunctor, with "
            f"compile, init and spec), got {_shown(value)}"
        )
    return value


def _instance(value: Any, argument: str) -> None:
    if isinstance(value, type):
        raise ArgumentTypeError(
            f"{argument}: got the class {value.__name__}, not an instance; pass {value.__name__}(…)"
        )
