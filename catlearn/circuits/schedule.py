"""The schedule of a circuit's evaluation: layers of equal-shape chunks.

Nodes are grouped by depth (longest path from a leaf) and kind; nodes
with more than ``fan_in`` children are split into trees of new nodes;
each group is cut into chunks of ``chunk`` nodes × ``fan_in`` children,
padded with the semiring's zero (for ⊕) or one (for ⊗) rows, so that one
``lax.scan`` body serves every chunk. Sizes are padded to powers of two,
so circuits of like size share one compiled program::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, y = b.literal(1), b.literal(2)
    >>> s = schedule(b.build([b.sum([b.product([x, y]), x, y, x, y])]), fan_in=2, chunk=4)
    >>> s.kids.shape, s.depth          # the 5-child sum became a tree of 2-child sums
    ((8, 4, 2), 4)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from catlearn.circuits.circuit import CONST, LEAF, SUM, Circuit


@dataclass(frozen=True)
class Schedule:
    """The chunks: ``kids``/``widx`` (steps, chunk, fan_in), ``target`` (steps, chunk),
    ``is_sum`` (steps,); rows ``zero``, ``one`` and ``dummy`` follow the nodes."""

    kids: np.ndarray
    widx: np.ndarray
    target: np.ndarray
    is_sum: np.ndarray
    n_rows: int
    zero: int
    one: int
    dummy: int
    one_weight: int
    depth: int


def schedule(
    c: Circuit,
    fan_in: int | None = None,
    chunk: int | None = None,
    min_steps: int = 1,
    min_rows: int = 1,
) -> Schedule:
    """Split wide nodes, layer by depth, cut layers into equal chunks (numpy, host side)."""
    offsets, children = c.child_offsets, c.children
    fan = np.diff(offsets)
    internal = (c.kind != LEAF) & (c.kind != CONST)
    if fan_in is None:
        typical = np.percentile(fan[internal], 95) if internal.any() else 2
        fan_in = int(min(32, max(2, 2 ** math.ceil(math.log2(max(2, typical))))))
    n, e = c.n_nodes, c.n_edges
    one_weight = e  # the weight index of "no weight" (the semiring's one)
    # Nodes with more than fan_in children become trees of new nodes (ids ≥ n).
    node_edges: dict[int, tuple[list[int], list[int]]] = {}
    extra_kind: list[int] = []
    wide = np.flatnonzero(internal & (fan > fan_in)).tolist()
    for node in wide:
        kids = children[offsets[node] : offsets[node + 1]].tolist()
        widx = list(range(int(offsets[node]), int(offsets[node + 1])))
        while len(kids) > fan_in:
            new_kids, new_widx = [], []
            for start in range(0, len(kids), fan_in):
                extra = n + len(extra_kind)
                extra_kind.append(int(c.kind[node]))
                node_edges[extra] = (kids[start : start + fan_in], widx[start : start + fan_in])
                new_kids.append(extra)
                new_widx.append(one_weight)
            kids, widx = new_kids, new_widx
        node_edges[node] = (kids, widx)
    rows = n + len(extra_kind)
    n_rows = max(min_rows, bucket(rows + 3))  # padded: like-sized circuits share a program
    zero, one, dummy = n_rows - 3, n_rows - 2, n_rows - 1
    kind = np.concatenate([c.kind, np.asarray(extra_kind, dtype=np.int8)])
    # Depth = longest path from a leaf; a node's extras are settled just before it.
    depth_list = [0] * rows
    kids_of = children.tolist()
    offs = offsets.tolist()

    def edges(node: int) -> tuple[list[int], list[int]]:
        if node in node_edges:
            return node_edges[node]
        return kids_of[offs[node] : offs[node + 1]], list(range(offs[node], offs[node + 1]))

    def settle(node: int) -> None:
        ks = edges(node)[0]
        depth_list[node] = 1 + max((depth_list[k] for k in ks), default=0)

    extras_of: dict[int, list[int]] = {}
    for node in wide:
        stack, found = list(node_edges[node][0]), []
        while stack:
            k = stack.pop()
            if k >= n:
                found.append(k)
                stack.extend(node_edges[k][0])
        extras_of[node] = sorted(found)  # a parent extra has a larger id than its children
    for node in np.flatnonzero(internal).tolist():
        for extra in extras_of.get(node, ()):
            settle(extra)
        settle(node)
    depth = np.asarray(depth_list, dtype=np.int64)
    all_internal = np.concatenate([np.flatnonzero(internal), np.arange(n, rows)])
    levels = int(depth[all_internal].max()) if all_internal.size else 0
    if chunk is None:  # about one chunk per layer, in powers of two (few distinct programs)
        mean_width = all_internal.size / max(1, levels)
        chunk = int(min(2048, max(8, bucket(math.ceil(mean_width)))))
    # Group by (depth, kind): each chunk is all-sum or all-product.
    key = depth[all_internal] * 2 + (kind[all_internal] == SUM)
    by_key = all_internal[np.argsort(key, kind="stable")]
    keys = np.sort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(keys)) + 1
    kids_rows, widx_rows, target_rows, flags = [], [], [], []
    groups = np.split(by_key, bounds) if by_key.size else []
    for group, k in zip(groups, keys[np.r_[0, bounds]].tolist() if by_key.size else []):
        is_sum = bool(k % 2)
        pad_child = zero if is_sum else one
        for start in range(0, group.size, chunk):
            part = group[start : start + chunk].tolist()
            kid_block = np.full((chunk, fan_in), pad_child, dtype=np.int64)
            w_block = np.full((chunk, fan_in), one_weight, dtype=np.int64)
            t_block = np.full(chunk, dummy, dtype=np.int64)
            for j, node in enumerate(part):
                ks, ws = edges(node)
                kid_block[j, : len(ks)] = ks
                w_block[j, : len(ws)] = ws
                t_block[j] = node
            kids_rows.append(kid_block)
            widx_rows.append(w_block)
            target_rows.append(t_block)
            flags.append(is_sum)
    for _ in range(max(min_steps, bucket(len(flags))) - len(flags)):  # idle: ones into dummy
        kids_rows.append(np.full((chunk, fan_in), one, dtype=np.int64))
        widx_rows.append(np.full((chunk, fan_in), one_weight, dtype=np.int64))
        target_rows.append(np.full(chunk, dummy, dtype=np.int64))
        flags.append(False)
    if not flags:  # no internal node: an empty loop
        none = np.zeros((0, chunk, fan_in), np.int32)
        return Schedule(none, none, np.zeros((0, chunk), np.int32), np.zeros(0, bool), n_rows,
                        zero, one, dummy, one_weight, 0)  # fmt: skip
    return Schedule(
        np.stack(kids_rows).astype(np.int32),
        np.stack(widx_rows).astype(np.int32),
        np.stack(target_rows).astype(np.int32),
        np.asarray(flags),
        n_rows,
        zero,
        one,
        dummy,
        one_weight,
        levels,
    )


def bucket(n: int) -> int:
    """The padded size for n: the next power of two (at least 1)."""
    return 1 << max(0, math.ceil(math.log2(max(1, n))))
