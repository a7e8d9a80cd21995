"""DisCoPy diagrams ⇄ open hypergraphs, in time linear in the diagram.

``from_discopy`` walks the layers once, keeping the list of wires of the
current slice: a box takes its input wires and adds fresh output wires;
a swap permutes the slice; a cup merges two wires (union–find) and a cap
creates one wire used twice; a spider (and markov's copy, merge and
discard, which are spiders in tensor semantics) merges all its legs into
one wire. Any DisCoPy flavour works — monoidal, symmetric, rigid,
compact, frobenius, markov, tensor — since only the layer structure and
these generator classes are read::

    >>> from discopy import frobenius
    >>> x = frobenius.Ty("x")
    >>> f = frobenius.Box("f", x, x)
    >>> snake = (frobenius.Cap(x, x.r) @ x) >> (x @ frobenius.Cup(x.r, x))
    >>> g = from_discopy(f >> snake)
    >>> g.n_boxes, g.n_wires                 # the snake is only wiring
    (1, 2)
"""

from __future__ import annotations

from itertools import compress
from typing import Any

import numpy as np
from discopy import braided, frobenius, markov, rigid

from catlearn.diagrams.hypergraph import Hypergraph, _atoms, renumber
from catlearn.errors import ArgumentTypeError, UnsupportedDiagramError


def from_discopy(diagram: Any, *, cartesian: bool = False) -> Hypergraph:
    """The open hypergraph of a DisCoPy diagram (or a single box).

    With ``cartesian=True`` (the reading of function semantics), only
    copying is wiring: a spider with one input per wire is copy or
    discard, but merges (``Merge``, spiders with no input or several) stay
    boxes, to be interpreted by a monoid, since fusing them into one wire
    would be wrong for functions (a merge fed by its own copy would become
    a cycle). Cups and caps have no cartesian reading and are refused.
    """
    if isinstance(diagram, Hypergraph):
        return diagram
    inside = getattr(diagram, "inside", None)
    if not hasattr(diagram, "dom") or inside is None:
        raise UnsupportedDiagramError(f"expected a DisCoPy diagram, got {type(diagram).__name__}")
    if not _is_diagram(diagram):
        layers = [[diagram.dom[:0], diagram, diagram.dom[:0]]]
    else:
        layers = [list(layer) for layer in inside]
    return _from_layers(diagram.dom, layers, cartesian)


def _is_diagram(x: Any) -> bool:
    # A Box is also an Arrow whose `inside` is (itself,); layers are what diagrams hold.
    inside = x.inside
    return not (len(inside) == 1 and inside[0] is x)


def _from_layers(dom: Any, layers: list[list[Any]], cartesian: bool) -> Hypergraph:
    parent: list[int] = []
    types: list[Any] = []

    def fresh(obj: Any) -> int:
        parent.append(len(parent))
        types.append(obj)
        return len(parent) - 1

    def find(w: int) -> int:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    def merge(ws: list[int]) -> int:
        roots = sorted({find(w) for w in ws})
        for r in roots[1:]:
            parent[r] = roots[0]
        return roots[0]

    current = [fresh(obj) for obj in _atoms(dom)]
    sources = list(current)
    boxes, box_in, box_out = [], [], []
    for layer in layers:
        new, pos = [], 0
        for i, item in enumerate(layer):
            if i % 2 == 0:  # a type: wires pass through
                k = len(_atoms(item))
                new += current[pos : pos + k]
                pos += k
                continue
            box = item
            n_in = len(_atoms(box.dom))
            ins = current[pos : pos + n_in]
            pos += n_in
            new += _generator(box, ins, fresh, merge, boxes, box_in, box_out, cartesian)
        current = new
    roots = [find(w) for w in range(len(parent))]
    return _compact(types, roots, boxes, box_in, box_out, sources, current)


def _generator(box, ins, fresh, merge, boxes, box_in, box_out, cartesian) -> list[int]:
    """Wire one generator into the slice; returns its output wires."""
    cod = _atoms(box.cod)
    if isinstance(box, braided.Braid):  # swaps (and braids, in symmetric semantics)
        k = len(_atoms(box.left))  # dom = left @ right, cod = right @ left
        return ins[k:] + ins[:k]
    if cartesian and isinstance(box, (rigid.Cup, rigid.Cap)):
        raise UnsupportedDiagramError(
            f"{type(box).__name__} {box} has no reading as a function (cartesian semantics)"
        )
    if cartesian and _merges(box):
        outs = [fresh(obj) for obj in cod]
        boxes.append(box)
        box_in.append(ins)
        box_out.append(outs)
        return outs
    if isinstance(box, rigid.Cup):
        merge(ins)
        return []
    if isinstance(box, rigid.Cap):
        w = fresh(cod[0])
        return [w, w]
    if isinstance(box, frobenius.Spider):
        typ = _atoms(box.typ)
        width = len(typ)
        n_out = len(cod) // width if width else 0
        outs = []
        for j in range(width):
            legs = ins[j::width]
            w = merge(legs) if legs else fresh(typ[j])
            outs.append(w)
        return outs * n_out
    if isinstance(box, (markov.Copy, markov.Merge)):
        w = merge(ins) if ins else fresh(cod[0])
        return [w] * len(cod)
    if _is_bubble_or_sum(box):
        raise UnsupportedDiagramError(
            f"{type(box).__name__} {box} has no open-hypergraph form; evaluate its terms separately"
        )
    outs = [fresh(obj) for obj in cod]
    boxes.append(box)
    box_in.append(ins)
    box_out.append(outs)
    return outs


def _merges(box: Any) -> bool:
    """Whether a generator adds values together (a merge, or a spider with ≠ 1 input per wire)."""
    if isinstance(box, markov.Merge):
        return True
    if isinstance(box, frobenius.Spider):
        width = len(_atoms(box.typ))
        return width > 0 and len(_atoms(box.dom)) != width
    return False


def _is_bubble_or_sum(box: Any) -> bool:
    return type(box).__name__ in {"Sum", "Bubble"}


def _compact(types, roots, boxes, box_in, box_out, sources, targets) -> Hypergraph:
    keep, new = renumber(roots)

    def remap(ws):
        return new[np.asarray(ws, dtype=np.int64)] if len(ws) else []

    return Hypergraph.build(
        list(compress(types, keep.tolist())),
        boxes,
        [remap(ws) for ws in box_in],
        [remap(ws) for ws in box_out],
        remap(sources),
        remap(targets),
    )


def to_discopy(graph: Hypergraph) -> Any:
    """A ``discopy.frobenius.Diagram`` with the same boxes and wiring, for drawing."""
    if not isinstance(graph, Hypergraph):
        raise ArgumentTypeError(
            f"to_discopy needs a Hypergraph, got {type(graph).__name__} (a DisCoPy diagram "
            "already is one)"
        )
    Ty, Box = frobenius.Ty, frobenius.Box

    def ty(objs):
        return Ty(*[o if isinstance(o, frobenius.Ob) else frobenius.Ob(str(o)) for o in objs])

    boxes = []
    wiring = []
    for i, box in enumerate(graph.boxes):
        ins, outs = graph.box_wires(i)
        dom = ty(graph.wire_types[w] for w in ins)
        cod = ty(graph.wire_types[w] for w in outs)
        boxes.append(box if isinstance(box, frobenius.Box) else Box(str(box), dom, cod))
        wiring.append((tuple(ins.tolist()), tuple(outs.tolist())))
    spider_types = {w: ty([t]) for w, t in enumerate(graph.wire_types)}
    h = frobenius.Hypergraph(
        ty(graph.dom),
        ty(graph.cod),
        tuple(boxes),
        (tuple(graph.sources.tolist()), tuple(wiring), tuple(graph.targets.tolist())),
        spider_types,
    )
    return h.to_diagram()
