"""Evidence, checked where it enters: observed states of a circuit's variables.

Evidence comes as an array of rows, one column per variable, holding a
state ``0 … n_states − 1`` or ``-1`` for an unobserved variable (compiled
circuits, ``TensorizedPC``, ``em``, ``sample``), or as a ``{variable:
state}`` dict (``condition``). Anything else is refused by name, never read
as something near it: state 5 of a binary variable is not state 1, −2 is
not "unobserved", 0.5 is not a state::

    >>> import numpy as np
    >>> states = np.array([2, 3])                       # x1 binary, x2 with 3 states
    >>> evidence_array([[1, 2], [-1, 0]], states).tolist()
    [[1, 2], [-1, 0]]
    >>> evidence_array([[1, 3]], states)
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: evidence[0, 1] = 3: variable 2 has states 0..2 (-1: unobserved)
    >>> evidence_dict({1: 0.5}, states)
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: evidence: variable 1 = 0.5 is not a state (an integer in 0..1)

Values are checked on the host. A ``jax.Array`` is left as it is (only its
static shape and dtype are checked): reading its values would copy it from
the device and wait for it on every call, and under ``jit`` it is a tracer
with no values at all. Check device-resident data once, when it is made,
with :func:`evidence_array`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from catlearn.arguments import is_whole
from catlearn.errors import ArgumentTypeError, CircuitError


def evidence_array(
    evidence: Any, n_states: np.ndarray, argument: str = "evidence", *, rows: bool = True
) -> Any:
    """``evidence`` as a checked ``(batch, n_vars)`` integer array (``(n_vars,)`` if not
    ``rows``); ``n_states[i]`` is the number of states of variable ``i + 1``.

    A ``jax.Array`` (or tracer) comes back unchanged once its shape and dtype pass;
    anything else comes back as a numpy array whose every entry was checked.
    """
    n_vars = len(n_states)
    want = f"({'batch, ' if rows else ''}{n_vars})"
    device = isinstance(evidence, jax.Array)
    given = evidence
    if not device:
        try:
            evidence = np.asarray(evidence)
        except (TypeError, ValueError, OverflowError) as error:  # ragged rows
            raise CircuitError(f"{argument} must be {want} integers: {error}") from None
    shape = tuple(evidence.shape)
    if len(shape) != (2 if rows else 1) or shape[-1] != n_vars:
        raise CircuitError(
            f"{argument} must be {want} integers (-1: unobserved); got shape {shape}"
        )
    kind = np.dtype(evidence.dtype).kind
    if kind in "fO" and not device and not isinstance(given, np.ndarray):
        _python_ints(given, shape, n_states, argument)  # e.g. 2**64 - 1 in a list
    if kind not in "iub" and not (kind == "f" and evidence.size == 0):
        raise ArgumentTypeError(
            f"{argument} must hold integer states (-1: unobserved), got dtype {evidence.dtype}"
        )
    if device:
        return evidence
    # Range-check in the given dtype, before any cast: uint64 2**64 - 1 must not wrap to -1.
    limit = np.asarray(n_states, dtype=np.int64)
    if kind == "u":
        bad = evidence >= limit.astype(evidence.dtype)
    elif kind == "i":
        bad = (evidence < -1) | (evidence >= limit)
    else:
        bad = evidence.astype(np.int64) >= limit
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        _out_of_range(argument, at, evidence[at].item(), n_states)
    return evidence.astype(np.int64, copy=False)


def _out_of_range(argument: str, at: tuple, value: Any, n_states: np.ndarray) -> None:
    v = at[-1] + 1
    raise CircuitError(
        f"{argument}[{', '.join(map(str, at))}] = {value!r}: variable {v} has "
        f"states 0..{n_states[v - 1] - 1} (-1: unobserved)"
    )


def _python_ints(given: Any, shape: tuple, n_states: np.ndarray, argument: str) -> None:
    """Name an out-of-range Python integer that made numpy fall back to float or object
    (``[[2**64 - 1, 0]]`` becomes float64): the problem is the integer, not the dtype."""
    try:
        cells = np.asarray(given, dtype=object).reshape(shape)
    except (TypeError, ValueError):
        return
    for at, x in np.ndenumerate(cells):
        if is_whole(x):
            if not -1 <= x < n_states[at[-1]]:
                _out_of_range(argument, at, int(x), n_states)


def evidence_dict(evidence: Any, n_states: np.ndarray, argument: str = "evidence") -> dict:
    """``evidence`` as a checked ``{variable: state}`` dict (variables numbered from 1)."""
    if not isinstance(evidence, Mapping):
        raise ArgumentTypeError(
            f"{argument} must be a dict {{variable: state}}, got {type(evidence).__name__}"
        )
    n_vars = len(n_states)
    out = {}
    for v, s in evidence.items():
        if not is_whole(v) or not 1 <= v <= n_vars:
            raise CircuitError(f"{argument}: {v!r:.40} is not a variable of 1..{n_vars}")
        if not is_whole(s) or not 0 <= s < n_states[v - 1]:
            raise CircuitError(
                f"{argument}: variable {v} = {s!r:.40} is not a state (an integer in "
                f"0..{n_states[v - 1] - 1})"
            )
        out[int(v)] = int(s)
    return out


__all__ = ["evidence_array", "evidence_dict"]
