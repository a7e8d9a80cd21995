"""``catlearn demo``: what the library computes, on embedded data.

A model (an iris classifier) composed, drawn and trained as a string
diagram; path problems in four semirings on a small road network; and a
string diagram (an MPS norm) compiled into one tensor contraction;
exact queries on a d-DNNF read from an embedded ``.nnf`` file; and a
Boolean circuit learned over GF2 by Reverse Derivative Ascent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catlearn.demo.boolean import boolean_section
from catlearn.demo.cardinality import circuit_section, exactly_k_of_n
from catlearn.demo.model import iris, model_diagram
from catlearn.demo.paths import _graph, paths


def demo(out: str | Path | None = None, *, progress: bool = True) -> dict[str, Any]:
    """Every section's results; pictures go to ``out`` (none when ``None``)."""
    from catlearn.demo.model import train

    result = {"model": train(Path(out) if out is not None else None, progress=progress)}
    result.update(paths())
    result["circuit"] = circuit_section()
    result["boolean"] = boolean_section()
    return result


__all__ = ["_graph", "demo", "exactly_k_of_n", "iris", "model_diagram"]
