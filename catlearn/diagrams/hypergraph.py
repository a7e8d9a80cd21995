"""The open-hypergraph IR: a string diagram as integer arrays.

Wilson and Zanasi's data-parallel representation: *wires* are nodes
(``wire_types[w]`` is the object on wire w), each *box* is a hyperedge
with an ordered list of input wires and one of output wires, and the
boundary is two lists of wires, ``sources`` (the domain) and ``targets``
(the codomain). Identities, swaps, cups, caps and spiders are not boxes:
they only say which boundary positions share a wire, so they cost nothing
when the diagram is evaluated. A wire touched by several ports is a
spider (in tensor semantics, a repeated einsum index).

Composition glues the targets of one hypergraph to the sources of the
next; tensor puts two side by side. Both cost time linear in the sizes,
and ``sequential`` / ``parallel`` compose whole lists in one pass::

    >>> from catlearn.diagrams import Box, Ty
    >>> x = Ty("x")
    >>> f = Hypergraph.from_box(Box("f", x, x))
    >>> chain = Hypergraph.sequential([f] * 1000)
    >>> chain.n_boxes, chain.n_wires, len(chain.sources), len(chain.targets)
    (1000, 1001, 1, 1)
    >>> (f >> f).structure_hash() == Hypergraph.sequential([f, f]).structure_hash()
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, CompositionError


def _ints(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.int64).reshape(-1)


def _wire_ids(name: str, x: Any) -> np.ndarray:
    """Wire ids as int64, refusing what ``astype`` would truncate (1.5 ↦ 1) or misread."""
    try:
        ids = np.asarray(x)
    except ValueError as e:  # ragged nesting
        raise ArgumentTypeError(f"{name}: wire ids are a flat sequence of ints ({e})") from e
    if ids.size and ids.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"{name}: wire ids are ints, got {ids.dtype} ({ids.reshape(-1)[0]!r:.20}, …)"
        )
    return ids.astype(np.int64).reshape(-1)


@dataclass(frozen=True, eq=False)
class Hypergraph:
    """An open hypergraph: wires, boxes (hyperedges) and a boundary.

    ``inputs[in_offsets[i]:in_offsets[i + 1]]`` are the input wires of box i
    (CSR layout), likewise ``outputs``/``out_offsets``.
    """

    wire_types: tuple
    boxes: tuple
    inputs: np.ndarray
    in_offsets: np.ndarray
    outputs: np.ndarray
    out_offsets: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    _hash: list = field(default_factory=list, repr=False, compare=False)

    # -- construction ------------------------------------------------------
    @classmethod
    def build(
        cls,
        wire_types: Sequence[Any],
        boxes: Sequence[Any],
        box_inputs: Sequence[Sequence[int]],
        box_outputs: Sequence[Sequence[int]],
        sources: Sequence[int],
        targets: Sequence[int],
    ) -> Hypergraph:
        """From per-box wire lists; checks that every wire id is in range."""
        n = len(wire_types)
        if not len(boxes) == len(box_inputs) == len(box_outputs):
            raise ArgumentValueError(
                f"boxes, box_inputs and box_outputs differ in length: {len(boxes)}, "
                f"{len(box_inputs)} and {len(box_outputs)}"
            )
        inputs = _wire_ids("box_inputs", [w for ws in box_inputs for w in ws])
        outputs = _wire_ids("box_outputs", [w for ws in box_outputs for w in ws])
        in_offsets = _ints(np.cumsum([0] + [len(ws) for ws in box_inputs]))
        out_offsets = _ints(np.cumsum([0] + [len(ws) for ws in box_outputs]))
        graph = cls(
            tuple(wire_types),
            tuple(boxes),
            inputs,
            in_offsets,
            outputs,
            out_offsets,
            _wire_ids("sources", sources),
            _wire_ids("targets", targets),
        )
        for name, ids in (
            ("box_inputs", inputs),
            ("box_outputs", outputs),
            ("sources", graph.sources),
            ("targets", graph.targets),
        ):
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                bad = int(ids[(ids < 0) | (ids >= n)][0])
                raise ArgumentValueError(f"{name} name wire {bad}, outside 0..{n - 1}")
        return graph

    @classmethod
    def from_box(cls, box: Any) -> Hypergraph:
        """One box with a fresh wire per port (``box`` has ``dom`` and ``cod``)."""
        if not hasattr(box, "dom") or not hasattr(box, "cod"):
            raise ArgumentTypeError(f"from_box needs a box, got {type(box).__name__}")
        dom, cod = _atoms(box.dom), _atoms(box.cod)
        n_in, n_out = len(dom), len(cod)
        ins, outs = list(range(n_in)), list(range(n_in, n_in + n_out))
        return cls.build(dom + cod, [box], [ins], [outs], ins, outs)

    @classmethod
    def identity(cls, types: Sequence[Any]) -> Hypergraph:
        """The identity: each boundary position shares its wire with the other side."""
        types = tuple(types)
        ids = list(range(len(types)))
        return cls.build(types, [], [], [], ids, ids)

    # -- sizes and views ---------------------------------------------------
    @property
    def n_wires(self) -> int:
        return len(self.wire_types)

    @property
    def n_boxes(self) -> int:
        return len(self.boxes)

    @property
    def dom(self) -> tuple:
        """The types of the source wires."""
        return tuple(self.wire_types[w] for w in self.sources)

    @property
    def cod(self) -> tuple:
        """The types of the target wires."""
        return tuple(self.wire_types[w] for w in self.targets)

    def box_wires(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(input wires, output wires) of box i."""
        return (
            self.inputs[self.in_offsets[i] : self.in_offsets[i + 1]],
            self.outputs[self.out_offsets[i] : self.out_offsets[i + 1]],
        )

    def structure_hash(self) -> int:
        """A hash of the whole structure, computed once (O(size)) and cached."""
        if not self._hash:
            self._hash.append(
                hash(
                    (
                        self.wire_types,
                        tuple(_box_key(b) for b in self.boxes),
                        self.inputs.tobytes(),
                        self.in_offsets.tobytes(),
                        self.outputs.tobytes(),
                        self.out_offsets.tobytes(),
                        self.sources.tobytes(),
                        self.targets.tobytes(),
                    )
                )
            )
        return self._hash[0]

    def __hash__(self) -> int:
        return self.structure_hash()

    def __eq__(self, other: object) -> bool:
        """Equal as data (same numbering), not up to isomorphism."""
        if not isinstance(other, Hypergraph):
            return NotImplemented
        return (
            self.structure_hash() == other.structure_hash()
            and self.wire_types == other.wire_types
            and all(_box_key(a) == _box_key(b) for a, b in zip(self.boxes, other.boxes))
            and all(
                np.array_equal(getattr(self, k), getattr(other, k))
                for k in ("inputs", "in_offsets", "outputs", "out_offsets", "sources", "targets")
            )
        )

    # -- composition -------------------------------------------------------
    def __rshift__(self, other: Any) -> Hypergraph:
        return Hypergraph.sequential([self, other])

    def __matmul__(self, other: Any) -> Hypergraph:
        return Hypergraph.parallel([self, other])

    then = __rshift__
    tensor = __matmul__

    @staticmethod
    def parallel(graphs: Sequence[Hypergraph]) -> Hypergraph:
        """g₀ ⊗ g₁ ⊗ …: disjoint union, boundaries concatenated. Linear time.

        DisCoPy diagrams among ``graphs`` are converted (``from_discopy``)."""
        if not graphs:
            return Hypergraph.identity(())
        graphs = _hypergraphs(graphs)
        shift = np.cumsum([0] + [g.n_wires for g in graphs])[:-1]
        sources = _shifted([g.sources for g in graphs], shift)
        return _union(graphs, shift, sources, _shifted([g.targets for g in graphs], shift))

    @staticmethod
    def sequential(graphs: Sequence[Hypergraph]) -> Hypergraph:
        """g₀ ; g₁ ; …: targets of each glued to sources of the next. Linear time.

        DisCoPy diagrams among ``graphs`` are converted (``from_discopy``)."""
        if not graphs:
            raise ArgumentValueError("sequential needs at least one hypergraph")
        graphs = _hypergraphs(graphs)
        for i, (g, h) in enumerate(zip(graphs, graphs[1:])):
            if g.cod != h.dom:
                raise CompositionError(
                    f"cannot compose: diagram {i} ends in {_show(g.cod)} "
                    f"but diagram {i + 1} starts with {_show(h.dom)}"
                )
        shift = np.cumsum([0] + [g.n_wires for g in graphs])[:-1]
        glued = _union(graphs, shift, graphs[0].sources, graphs[-1].targets + shift[-1])
        left = _shifted([g.targets for g in graphs[:-1]], shift[:-1])
        right = _shifted([h.sources for h in graphs[1:]], shift[1:])
        return _identify(glued, left, right)


def _hypergraphs(graphs: Sequence[Any]) -> list[Hypergraph]:
    if all(isinstance(g, Hypergraph) for g in graphs):
        return list(graphs)
    from catlearn.diagrams.interop import from_discopy

    converted = []
    for i, g in enumerate(graphs):
        if not isinstance(g, Hypergraph) and not (hasattr(g, "dom") and hasattr(g, "inside")):
            raise ArgumentTypeError(
                f"diagram {i} is a {type(g).__name__}; compose Hypergraphs or DisCoPy diagrams"
            )
        converted.append(from_discopy(g))
    return converted


def _shifted(arrays: list[np.ndarray], shift: np.ndarray) -> np.ndarray:
    """concatenate(a + s for a, s in zip(arrays, shift)), in a constant number of numpy calls."""
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    sizes = [a.size for a in arrays]
    return np.concatenate(arrays) + np.repeat(shift, sizes)


def _union(graphs, shift, sources, targets) -> Hypergraph:
    in_base = np.cumsum([0] + [g.inputs.size for g in graphs])[:-1]
    out_base = np.cumsum([0] + [g.outputs.size for g in graphs])[:-1]
    zero = np.zeros(1, dtype=np.int64)
    return Hypergraph(
        tuple(chain.from_iterable(g.wire_types for g in graphs)),
        tuple(chain.from_iterable(g.boxes for g in graphs)),
        _shifted([g.inputs for g in graphs], shift),
        np.concatenate([zero, _shifted([g.in_offsets[1:] for g in graphs], in_base)]),
        _shifted([g.outputs for g in graphs], shift),
        np.concatenate([zero, _shifted([g.out_offsets[1:] for g in graphs], out_base)]),
        _ints(sources),
        _ints(targets),
    )


def _identify(g: Hypergraph, left: np.ndarray, right: np.ndarray) -> Hypergraph:
    """Merge wire left[i] with wire right[i] for every i (union–find), then renumber."""
    parent = list(range(g.n_wires))  # Python ints: far cheaper to index than numpy scalars

    def find(w: int) -> int:
        root = w
        while parent[root] != root:
            root = parent[root]
        while parent[w] != root:
            parent[w], w = root, parent[w]
        return root

    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    for w in set(left.tolist()) | set(right.tolist()):
        parent[w] = find(w)
    keep, new = renumber(parent)
    return Hypergraph(
        tuple(compress(g.wire_types, keep.tolist())),
        g.boxes,
        new[g.inputs],
        g.in_offsets,
        new[g.outputs],
        g.out_offsets,
        new[g.sources],
        new[g.targets],
    )


def renumber(roots: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Given each wire's union–find root, (which wires survive, each wire's new id)."""
    roots = np.asarray(roots, dtype=np.int64)
    keep = roots == np.arange(len(roots))
    return keep, (np.cumsum(keep) - 1)[roots]


def _atoms(ty: Any) -> tuple:
    """The atomic objects of a DisCoPy type (``Ty``, ``Dim``, …), or a plain tuple."""
    inside = getattr(ty, "inside", ty)
    return tuple(inside)


def _box_key(box: Any) -> Any:
    try:
        hash(box)
        return box
    except TypeError:
        return id(box)


def _show(types: tuple) -> str:
    return " @ ".join(str(t) for t in types) if types else "Ty()"
