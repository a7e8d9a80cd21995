"""Literal weights, checked where they enter: one table for every query.

A ``{literal: weight}`` dict with DIMACS literals (``v`` for x_v, ``-v`` for
¬x_v; missing ones weigh 1), or an array of shape ``(n_vars, 2)`` (column 0
for ¬x, 1 for x) or ``(n_vars, max_states)``. Either way every weight must be
a finite real number and every literal must name a declared variable. A
negative weight is legitimate in real-valued WMC (signed weights), but has
no logarithm, so the log-space queries (``wmc(..., log=True)``, marginals,
MPE, marginal MAP, entropy, sampling) refuse it rather than return NaN::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> c = b.build([b.sum([b.literal(1), b.literal(1, False)])])
    >>> literal_table(c, {1: 0.3, -1: 0.7}).tolist()
    [[1.0, 1.0], [0.7, 0.3]]
    >>> literal_table(c, {1: -0.5})
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: literal_weights[1] = -0.5: a weight below 0 has no logarithm; ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from catlearn.arguments import is_whole
from catlearn.circuits.circuit import Circuit, CircuitError, require_circuit
from catlearn.errors import ArgumentTypeError

_SIGNED = (
    "a weight below 0 has no logarithm; signed weights are meaningful only in "
    "real-valued WMC (wmc(..., log=False))"
)


def literal_table(c: Circuit, literal_weights: Any, *, signed: bool = False) -> np.ndarray:
    """Literal weights as a float64 ``(n_vars + 1, max_states)`` table (row 0 unused);
    negative weights only if ``signed`` (real-valued WMC)."""
    c = require_circuit(c, "c")
    states = int(c.n_states.max(initial=2))
    table = np.ones((c.n_vars + 1, states))
    if literal_weights is None:
        return table
    table = _filled(c, literal_weights, signed, table, states)
    # A variable with a single state and no leaf is no variable of the circuit (one
    # summed out by marginalize): it weighs 1, so its weights are not counted in again.
    single = np.flatnonzero(c.n_states == 1)
    if single.size:
        mentioned = np.unique(c.var[c.kind == 0])
        table[single[~np.isin(single, mentioned)]] = 1.0
    return table


def _filled(c: Circuit, literal_weights: Any, signed: bool, table: np.ndarray,
            states: int) -> np.ndarray:  # fmt: skip
    if isinstance(literal_weights, Mapping):
        for lit, w in literal_weights.items():
            if not is_whole(lit):
                raise ArgumentTypeError(
                    f"literal_weights: key {lit!r:.40} is not a DIMACS literal (an integer ±v)"
                )
            v = abs(int(lit))
            if lit == 0 or v > c.n_vars:
                raise CircuitError(f"literal {lit} names no variable of 1..{c.n_vars}")
            table[v, 1 if lit > 0 else 0] = _weight(w, f"literal_weights[{lit}]", signed)
        return table
    try:
        array = np.asarray(literal_weights)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"literal_weights: not a dict or an array ({error})") from None
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(
            f"literal_weights must be a dict or an array of real numbers, got dtype {array.dtype}"
        )
    if array.ndim != 2 or array.shape[0] != c.n_vars or array.shape[1] > states:
        raise CircuitError(
            f"literal weights must be a dict or an array of shape ({c.n_vars}, ≤{states}); "
            f"got {array.shape}"
        )
    array = array.astype(np.float64)
    bad = ~np.isfinite(array) | (False if signed else array < 0)
    if bad.any():
        i, s = (int(k) for k in np.argwhere(bad)[0])
        what = f"literal_weights[{i}, {s}] = {float(array[i, s])!r} (variable {i + 1}, state {s})"
        if np.isfinite(array[i, s]):
            raise CircuitError(f"{what}: {_SIGNED}")
        raise CircuitError(f"{what} is not a finite number")
    table[1:, : array.shape[1]] = array
    return table


def _weight(w: Any, what: str, signed: bool) -> float:
    a = np.asarray(w) if not isinstance(w, (str, bytes)) else np.asarray(object())
    if a.shape != () or a.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{what} = {w!r:.40} is not a real number")
    x = float(a)
    if not np.isfinite(x):
        raise CircuitError(f"{what} = {x!r} is not a finite number")
    if x < 0 and not signed:
        raise CircuitError(f"{what} = {x!r}: {_SIGNED}")
    return x


__all__ = ["literal_table"]
