"""Pictures: string diagrams through DisCoPy, circuits through Graphviz or matplotlib.

``draw(obj, path)`` writes a PNG or SVG (by the suffix) of

* a DisCoPy diagram, or a catlearn ``Hypergraph`` (polynomial circuits,
  reverse derivatives), drawn by DisCoPy;
* a ``catlearn.circuits.Circuit``: with the ``graphviz`` package and its
  ``dot`` program installed, Graphviz lays out ``Circuit.to_dot()``;
  otherwise matplotlib draws the DAG in layers, leaves at the bottom and
  roots at the top, ⊕ nodes round and ⊗ nodes square::

    >>> import tempfile, pathlib
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> c = b.build([b.sum([x, nx], [0.3, 0.7])])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "c.png"
    >>> draw(c, out).suffix, out.stat().st_size > 0
    ('.png', True)
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, DrawingError

MAX_NODES = 2000  # beyond this a picture of every node is no longer readable
ENGINES = ("auto", "graphviz", "matplotlib")
FORMATS = (".png", ".svg")


def draw(obj: Any, path: str | os.PathLike, *, engine: str = "auto", figsize=None) -> Path:
    """Write a picture of ``obj`` to ``path`` (``.png`` or ``.svg``); returns the path.

    ``engine`` picks the circuit renderer: ``"graphviz"``, ``"matplotlib"``
    or ``"auto"`` (Graphviz when its ``dot`` program is installed). Every
    argument is checked before anything is drawn; ``path``'s folder must
    exist and take files::

        >>> from catlearn.diagrams import Box, Ty
        >>> draw(Box("f", Ty("x"), Ty("x")), "no-such-folder/f.png")
        Traceback (most recent call last):
        ...
        catlearn.errors.DrawingError: draw(path): the folder 'no-such-folder' does not exist
    """
    if not isinstance(engine, str):
        raise ArgumentTypeError(f"draw(engine): expected one of {ENGINES}, got {engine!r:.60}")
    if engine not in ENGINES:
        raise DrawingError(f"draw(engine): expected one of {ENGINES}, got {engine!r:.60}")
    figsize = _figsize(figsize)
    from catlearn.circuits import Circuit
    from catlearn.diagrams import Hypergraph, to_discopy

    obj = drawable(obj, "draw(obj)")
    path = picture_path(path, "draw(path)")
    if isinstance(obj, Circuit):
        _draw_circuit(obj, path, engine, figsize)
        return path
    if isinstance(obj, Hypergraph):
        obj = to_discopy(obj)
    obj.draw(path=str(path), figsize=figsize or (6, 6))
    return path


def drawable(obj: Any, argument: str = "obj") -> Any:
    """``obj`` if :func:`draw` can draw it (and it is not too large); else a
    :class:`DrawingError` naming ``argument``."""
    from catlearn.circuits import Circuit
    from catlearn.diagrams import Hypergraph

    if isinstance(obj, type):
        raise DrawingError(f"{argument}: got the class {obj.__name__}, not an instance")
    discopy = type(obj).__module__.split(".")[0] == "discopy"
    if not (
        isinstance(obj, (Circuit, Hypergraph)) or discopy and callable(getattr(obj, "draw", None))
    ):
        raise DrawingError(
            f"{argument}: cannot draw a {type(obj).__name__}: expected a DisCoPy diagram, "
            "a catlearn Hypergraph or a Circuit"
        )
    size = obj.n_nodes if isinstance(obj, Circuit) else 0
    size = obj.n_boxes if isinstance(obj, Hypergraph) else size
    if size > MAX_NODES:
        what = "nodes" if isinstance(obj, Circuit) else "boxes"
        raise DrawingError(f"{argument}: {size} {what}: too many to draw (at most {MAX_NODES})")
    return obj


def picture_path(path: Any, argument: str = "path") -> Path:
    """``path`` as a ``.png`` or ``.svg`` file that can be written: its folder exists and
    takes files; else a :class:`DrawingError` naming ``argument``."""
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(name, str):
        raise ArgumentTypeError(f"{argument}: expected a file name, got {path!r:.60}")
    if "\0" in name:
        raise DrawingError(f"{argument}: {name!r} is not a file name")
    path = Path(name)
    if path.suffix.lower() not in FORMATS:
        raise DrawingError(f"{argument}: draw writes .png or .svg files, not {path.name!r}")
    folder = path.parent
    try:
        if path.is_dir():
            raise DrawingError(f"{argument}: {name!r} is a folder, not a file")
        for place in (folder, *folder.parents):
            if place.exists() and not place.is_dir():
                raise DrawingError(f"{argument}: {name!r} lies inside {str(place)!r}, a file")
        if not folder.is_dir():
            raise DrawingError(f"{argument}: the folder {str(folder)!r} does not exist")
        # os.access says yes to root on read-only mounts: only a real file tells.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise DrawingError(f"{argument}: cannot write {name!r} ({error.strerror})") from None
    return path


def _figsize(figsize: Any) -> tuple[float, float] | None:
    if figsize is None:
        return None
    ok = (
        isinstance(figsize, (tuple, list))
        and len(figsize) == 2
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
            for v in figsize
        )
    )
    if not ok:
        raise ArgumentTypeError(
            f"draw(figsize): expected (width, height) in inches, both > 0, got {figsize!r:.60}"
        )
    return float(figsize[0]), float(figsize[1])


def _draw_circuit(c: Any, path: Path, engine: str, figsize) -> None:
    if engine != "matplotlib":
        try:
            import graphviz
        except ImportError:
            graphviz = None
        if graphviz is not None and shutil.which("dot") is not None:
            source = graphviz.Source(c.to_dot())
            source.render(outfile=str(path), format=path.suffix[1:], cleanup=True)
            return
        if engine == "graphviz":
            raise DrawingError(
                "engine='graphviz' needs the graphviz package (`pip install catlearn[draw]`) "
                "and Graphviz's `dot` program on PATH"
            )
    _matplotlib_circuit(c, path, figsize)


def _matplotlib_circuit(c: Any, path: Path, figsize) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from catlearn.circuits.circuit import LEAF, SUM
    from catlearn.circuits.export import _label

    depth = np.zeros(c.n_nodes, dtype=int)
    for node in range(c.n_nodes):  # children come before parents in a Circuit
        kids = c.children[c.child_offsets[node] : c.child_offsets[node + 1]]
        if kids.size:
            depth[node] = 1 + depth[kids].max()
    position = np.zeros((c.n_nodes, 2))
    for level in range(depth.max() + 1):
        nodes = np.flatnonzero(depth == level)
        position[nodes, 0] = (np.arange(nodes.size) + 0.5) / nodes.size
        position[nodes, 1] = level
    size = (max(4, c.n_nodes**0.5 * 1.2), 1.2 * (depth.max() + 2))
    fig, ax = plt.subplots(figsize=figsize or size)
    weights = c.edge_weights()
    for node in range(c.n_nodes):
        for edge in range(c.child_offsets[node], c.child_offsets[node + 1]):
            kid = c.children[edge]
            ax.plot(*zip(position[node], position[kid]), color="0.6", lw=0.8, zorder=1)
            if c.kind[node] == SUM and weights[edge] != 1:
                middle = (position[node] + position[kid]) / 2
                ax.annotate(f"{weights[edge]:.3g}", middle, fontsize=7, color="0.3")
    roots = set(np.asarray(c.roots).tolist())
    for node in range(c.n_nodes):
        shape = "o" if c.kind[node] == SUM else "s" if c.kind[node] != LEAF else "D"
        face = "#f6c35b" if node in roots else "white"
        ax.scatter(*position[node], s=420, marker=shape, facecolor=face, edgecolor="black",
                   zorder=2)  # fmt: skip
        ax.annotate(_label(c, node), position[node], ha="center", va="center", fontsize=8,
                    zorder=3)  # fmt: skip
    ax.set_axis_off()
    ax.margins(0.08)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


__all__ = ["DrawingError", "draw", "drawable", "picture_path"]
