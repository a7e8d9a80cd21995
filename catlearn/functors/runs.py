"""Repeated structure: runs of like boxes, found anywhere in a diagram.

A *run* is a path of boxes in which every box's output wires are exactly
the next box's input wires, in order, and no one else touches them (no
copy, no boundary), and whose sequence of *kinds* repeats a block of
``period`` boxes ``repeats`` times. An unrolled deep model (``Dense``
layers, or ``Linear >> ReLU`` blocks), a transfer-matrix product or a
tied recurrence unrolled in time all look like this, fed by a domain wire
or by any box. Both functors turn a run into one ``lax.scan`` over its
blocks, so its compile time does not grow with its length::

    >>> from catlearn.diagrams import Box, Hypergraph, Ty
    >>> x = Ty("x")
    >>> a, b = Box("a", x, x), Box("b", x, x)
    >>> graph = Hypergraph.from_box(Box("head", x, x))
    >>> graph = Hypergraph.sequential([graph] + [Hypergraph.from_box(f) for f in [a, b] * 4])
    >>> kinds = ["other"] + ["A", "B"] * 4          # what makes two boxes alike
    >>> [(run.boxes, run.period) for run in find_runs(graph, kinds)]
    [((1, 2, 3, 4, 5, 6, 7, 8), 2)]

What "alike" means is the functor's business (same shapes and the same
function, differing at most in parameters); this module only reads wires.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np

from catlearn.diagrams import Hypergraph

MAX_PERIOD = 8  # longest block a run may repeat


class Run(NamedTuple):
    """``boxes`` (ids, in data-flow order) are ``len(boxes) // period`` repeats of a block."""

    boxes: tuple[int, ...]
    period: int

    @property
    def repeats(self) -> int:
        return len(self.boxes) // self.period

    def slot(self, j: int) -> tuple[int, ...]:
        """The boxes at position ``j`` of every block (one per repeat)."""
        return self.boxes[j :: self.period]


def find_runs(
    graph: Hypergraph,
    kinds: Sequence[Hashable | None],
    wire_kinds: Sequence[Hashable] | None = None,
    min_repeats: int = 2,
    max_period: int = MAX_PERIOD,
) -> list[Run]:
    """Maximal runs of like boxes, disjoint, each at least ``min_repeats`` blocks long.

    ``kinds[i]`` says which boxes are alike (``None``: box ``i`` is never in a run);
    ``wire_kinds[w]`` (e.g. shapes) must agree between a block's input and output
    wires, since a scan's carry keeps one type.
    """
    chains = _chains(graph, kinds)
    runs = []
    for chain in chains:
        runs += _segment(graph, chain, kinds, wire_kinds, min_repeats, max_period)
    return runs


def _chains(graph: Hypergraph, kinds: Sequence[Hashable | None]) -> list[list[int]]:
    """Maximal paths of boxes where each box's outputs are exactly the next one's inputs."""
    uses = np.zeros(graph.n_wires, dtype=np.int64)
    for ids in (graph.inputs, graph.outputs, graph.sources, graph.targets):
        np.add.at(uses, ids, 1)
    reader = np.full(graph.n_wires, -1, dtype=np.int64)
    first_inputs = graph.in_offsets[:-1][np.diff(graph.in_offsets) > 0]
    boxes_with_inputs = np.flatnonzero(np.diff(graph.in_offsets) > 0)
    reader[graph.inputs[first_inputs]] = boxes_with_inputs
    following = {}
    for i in range(graph.n_boxes):
        if kinds[i] is None:
            continue
        outs = graph.box_wires(i)[1]
        if not len(outs) or np.any(uses[outs] != 2):
            continue
        j = int(reader[outs[0]])
        if j < 0 or j == i or kinds[j] is None:
            continue
        ins = graph.box_wires(j)[0]
        if len(ins) == len(outs) and np.array_equal(ins, outs):
            following[i] = j
    preceded = set(following.values())
    chains = []
    for start in following:
        if start in preceded:
            continue
        chain, box, seen = [start], start, {start}
        while box in following and following[box] not in seen:
            box = following[box]
            chain.append(box)
            seen.add(box)
        chains.append(chain)
    return chains


def _segment(graph, chain, kinds, wire_kinds, min_repeats, max_period) -> list[Run]:
    """Split one chain into runs: at each position the block that covers most boxes."""
    keys = [kinds[i] for i in chain]
    runs, i, n = [], 0, len(chain)
    while i < n:
        best_p, best_r = 0, 0
        for p in range(1, min(max_period, (n - i) // 2) + 1):
            r = 1
            while i + (r + 1) * p <= n and keys[i + r * p : i + (r + 1) * p] == keys[i : i + p]:
                r += 1
            if (
                r >= min_repeats
                and p * r > best_p * best_r
                and _closed(graph, chain, i, p, wire_kinds)
            ):
                best_p, best_r = p, r
        if best_p:
            runs.append(Run(tuple(chain[i : i + best_p * best_r]), best_p))
            i += best_p * best_r
        else:
            i += 1
    return runs


def _closed(graph: Hypergraph, chain: list[int], i: int, p: int, wire_kinds) -> bool:
    """Whether a block's output wires have the kinds of its input wires (the scan's carry)."""
    ins = graph.box_wires(chain[i])[0]
    outs = graph.box_wires(chain[i + p - 1])[1]
    if len(ins) != len(outs):
        return False
    if wire_kinds is None:
        return True
    return all(wire_kinds[a] == wire_kinds[b] for a, b in zip(ins.tolist(), outs.tolist()))
