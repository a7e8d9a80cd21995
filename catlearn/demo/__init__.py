"""``catlearn demo``: what the library computes, on embedded data.

A model (an iris classifier) composed, drawn and trained as a string
diagram; path problems in four semirings on a small road network; and a
string diagram (an MPS norm) compiled into one tensor contraction;
exact queries on a d-DNNF read from an embedded ``.nnf`` file; a
Boolean circuit learned over GF2 by Reverse Derivative Ascent; and word
meanings learnt from a corpus of sentence diagrams (DisCoCat).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from catlearn.demo.boolean import boolean_section
from catlearn.demo.cardinality import circuit_section, exactly_k_of_n
from catlearn.demo.meaning import meaning_section
from catlearn.demo.model import iris, model_diagram
from catlearn.demo.paths import _graph, paths
from catlearn.errors import ArgumentTypeError, ArgumentValueError


def demo(out: str | Path | None = None, *, progress: bool = True) -> dict[str, Any]:
    """Every section's results; pictures go to ``out`` (none when ``None``).

    ``out`` is created (with its parents) and checked writable first: a bad
    folder fails at once, not after a minute of training.
    """
    from catlearn.demo.model import train

    if not isinstance(progress, bool):
        raise ArgumentTypeError(f"demo(progress): expected True or False, got {progress!r:.60}")
    folder = output_folder(out, "demo(out)") if out is not None else None
    result = {"model": train(folder, progress=progress)}
    result.update(paths())
    result["circuit"] = circuit_section()
    result["boolean"] = boolean_section()
    result["meaning"] = meaning_section(folder)
    return result


def output_folder(out: str | os.PathLike, argument: str = "out") -> Path:
    """``out`` as a folder that exists and takes files; else an error naming ``argument``."""
    name = os.fspath(out) if isinstance(out, (str, os.PathLike)) else None
    if not isinstance(name, str):
        raise ArgumentTypeError(f"{argument}: expected a folder name, got {out!r:.60}")
    if not name or "\0" in name:
        raise ArgumentValueError(f"{argument}: {name!r} is not a folder name")
    folder = Path(name)
    try:
        for place in (folder, *folder.parents):
            if place.exists() and not place.is_dir():
                where = "" if place == folder else f"cannot make the folder {name!r}: "
                raise ArgumentValueError(
                    f"{argument}: {where}{str(place)!r} is a file, not a folder"
                )
        folder.mkdir(parents=True, exist_ok=True)
        # os.access says yes to root on read-only mounts: only a real file tells.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ArgumentValueError(
            f"{argument}: cannot write to the folder {name!r} ({error.strerror})"
        ) from None
    return folder


__all__ = ["_graph", "demo", "exactly_k_of_n", "iris", "model_diagram", "output_folder"]
