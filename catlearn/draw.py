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

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from catlearn.errors import DrawingError

MAX_NODES = 2000  # beyond this a picture of every node is no longer readable


def draw(obj: Any, path: str | Path, *, engine: str = "auto", figsize=None) -> Path:
    """Write a picture of ``obj`` to ``path`` (``.png`` or ``.svg``); returns the path.

    ``engine`` picks the circuit renderer: ``"graphviz"``, ``"matplotlib"``
    or ``"auto"`` (Graphviz when its ``dot`` program is installed).
    """
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise DrawingError(f"draw writes .png or .svg files, not {path.name!r}")
    from catlearn.circuits import Circuit

    if isinstance(obj, Circuit):
        _draw_circuit(obj, path, engine, figsize)
        return path
    from catlearn.diagrams import Hypergraph, to_discopy

    if isinstance(obj, Hypergraph):
        if obj.n_boxes > MAX_NODES:
            raise DrawingError(f"{obj.n_boxes} boxes: too many to draw (at most {MAX_NODES})")
        obj = to_discopy(obj)
    if not callable(getattr(obj, "draw", None)):
        raise DrawingError(f"cannot draw a {type(obj).__name__}: expected a diagram or a Circuit")
    obj.draw(path=str(path), figsize=figsize or (6, 6))
    return path


def _draw_circuit(c: Any, path: Path, engine: str, figsize) -> None:
    if c.n_nodes > MAX_NODES:
        raise DrawingError(f"{c.n_nodes} nodes: too many to draw (at most {MAX_NODES})")
    if engine not in ("auto", "graphviz", "matplotlib"):
        raise DrawingError(f"engine is 'auto', 'graphviz' or 'matplotlib', not {engine!r}")
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


__all__ = ["DrawingError", "draw"]
