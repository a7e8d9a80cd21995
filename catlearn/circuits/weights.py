"""Literal-weight files for the ``catlearn circuit`` command.

Two formats: a JSON object ``{"1": 0.3, "-1": 0.7, …}`` (DIMACS literal →
weight), or text lines ``lit weight`` (also ``w lit weight``, as in
model-counting competition files; ``c`` lines are comments). Literals not
listed weigh 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from catlearn.circuits.circuit import CircuitError


def read_weights(path: str | Path) -> dict[int, float]:
    """The ``{literal: weight}`` of a weights file; errors name the line."""
    text = Path(path).read_text()
    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
            return {int(k): float(v) for k, v in raw.items()}
        except (ValueError, AttributeError) as error:
            raise CircuitError(f"{path}: not a JSON object of literal → weight ({error})") from None
    weights: dict[int, float] = {}
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0] == "c":
            continue
        if parts[0] == "w":
            parts = parts[1:]
        if parts and parts[-1] == "0" and len(parts) == 3:  # "w lit weight 0"
            parts = parts[:2]
        try:
            lit, weight = int(parts[0]), float(parts[1])
            if len(parts) != 2:
                raise ValueError
        except (ValueError, IndexError):
            raise CircuitError(f"{path}: line {number}: expected 'lit weight'") from None
        weights[lit] = weight
    return weights
