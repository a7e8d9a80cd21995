"""The variables a circuit query is asked about: integers naming declared variables."""

from __future__ import annotations

from typing import Any

from catlearn.arguments import is_whole
from catlearn.errors import ArgumentTypeError, CircuitError


def variable_set(variables: Any, n_vars: int, argument: str) -> set[int]:
    """A collection of variable numbers, each an integer in 1..``n_vars``."""
    if isinstance(variables, (str, bytes, dict)) or not hasattr(variables, "__iter__"):
        raise ArgumentTypeError(
            f"{argument}: variables must be a list of variable numbers, got {variables!r:.40}"
        )
    out = set()
    for v in variables:
        if not is_whole(v):
            raise ArgumentTypeError(f"{argument}: variable {v!r:.40} is not an integer")
        if not 1 <= v <= n_vars:
            raise CircuitError(
                f"{argument}: variable {v} is undeclared (the circuit's variables are 1..{n_vars})"
            )
        out.add(int(v))
    return out


def bit_positions(mask: int) -> list[int]:
    """The set bits of an int bitset (a scope: bit v for variable v), in rising order."""
    out, v = [], 0
    while mask:
        if mask & 1:
            out.append(v)
        mask >>= 1
        v += 1
    return out
