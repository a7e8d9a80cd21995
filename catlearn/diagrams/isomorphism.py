"""Equality of string diagrams up to the axioms of hypergraph categories.

Two diagrams are equal in every symmetric monoidal (compact closed,
hypergraph) category exactly when their open hypergraphs are isomorphic:
a bijection of wires and of boxes that keeps box labels, wire types, the
port each wire meets, and the ordered boundary. Layer order, interchange,
swaps, snakes and spider fusion all disappear::

    >>> from catlearn.diagrams import Box, Id, Swap, Ty
    >>> x, y = Ty("x"), Ty("y")
    >>> f, g = Box("f", x, y), Box("g", y, x)
    >>> is_isomorphic((f @ Id(y)) >> (Id(y) @ g), (Id(x) @ g) >> (f @ Id(x)))
    True
    >>> is_isomorphic((f @ g) >> Swap(y, x), f @ g)
    False

DisCoPy's own ``==`` is syntactic (the same layers in the same order);
``is_isomorphic`` is the semantic equality that :func:`catlearn.laws.symmetric`
and its relatives test an interpretation against. It uses networkx's VF2
matcher: fine for the small diagrams of law tests and rewriting checks,
exponential in the worst case (many interchangeable identical boxes).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from catlearn.diagrams.hypergraph import Hypergraph, _box_key
from catlearn.diagrams.interop import from_discopy


def _graph(g: Hypergraph) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for w, ty in enumerate(g.wire_types):
        boundary = (
            tuple(int(i) for i in (g.sources == w).nonzero()[0]),
            tuple(int(i) for i in (g.targets == w).nonzero()[0]),
        )
        graph.add_node(("w", w), label=("wire", ty, boundary))
    for i, box in enumerate(g.boxes):
        graph.add_node(("b", i), label=("box", _box_key(box)))
        ins, outs = g.box_wires(i)
        for k, w in enumerate(ins):
            graph.add_edge(("w", int(w)), ("b", i), port=("in", k))
        for k, w in enumerate(outs):
            graph.add_edge(("b", i), ("w", int(w)), port=("out", k))
    return graph


def _same_label(a: dict, b: dict) -> bool:
    return a["label"] == b["label"]


def _same_ports(a: dict, b: dict) -> bool:
    # Multigraph edges between one box and one wire: compare the ports as multisets.
    return sorted(e["port"] for e in a.values()) == sorted(e["port"] for e in b.values())


def is_isomorphic(a: Any, b: Any) -> bool:
    """Whether diagrams (DisCoPy or :class:`Hypergraph`) ``a`` and ``b`` are the same open
    hypergraph up to renumbering: equal in every hypergraph category."""
    g, h = from_discopy(a), from_discopy(b)
    if (len(g.sources), len(g.targets), g.n_boxes, g.n_wires) != (
        len(h.sources),
        len(h.targets),
        h.n_boxes,
        h.n_wires,
    ):
        return False
    if g == h:
        return True
    return nx.is_isomorphic(_graph(g), _graph(h), node_match=_same_label, edge_match=_same_ports)
