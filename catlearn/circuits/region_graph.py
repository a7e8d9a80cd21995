"""Region trees: how a tensorised probabilistic circuit splits its variables.

A binary region tree has one leaf region per variable; every internal
region's scope is the disjoint union of its two children's. ``random_binary_tree``
splits a random permutation of the variables in halves (EiNets, RAT-SPNs);
``quad_tree`` splits an image's pixel rectangle along its longer side, so
that neighbouring pixels meet low in the tree (cirkit's QuadTree, made binary)::

    >>> t = random_binary_tree(8, seed=0)
    >>> t.n_regions, len(t.levels), t.scope(t.root) == set(range(1, 9))
    (15, 3, True)
    >>> quad_tree(4, 4).levels[0].size      # 8 regions of two neighbouring pixels
    8
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import MAX_VARS
from catlearn.errors import ArgumentValueError


@dataclass(frozen=True)
class RegionTree:
    """Regions 0..n_vars-1 are the leaves (variable ``r + 1``); internal regions follow,
    each with ``left``/``right`` children (indexed ``r - n_vars``); ``levels`` groups the
    internal regions by height, bottom-up."""

    n_vars: int
    left: np.ndarray
    right: np.ndarray
    levels: tuple[np.ndarray, ...]

    @property
    def n_regions(self) -> int:
        return self.n_vars + self.left.size

    @property
    def root(self) -> int:
        return self.n_regions - 1

    def scope(self, region: int) -> set[int]:
        if region < self.n_vars:
            return {region + 1}
        i = region - self.n_vars
        return self.scope(int(self.left[i])) | self.scope(int(self.right[i]))


def _from_splits(n_vars: int, split, items: np.ndarray | None = None) -> RegionTree:
    """Build bottom-up from a recursive splitter ``split(items) -> (left, right)``."""
    if n_vars < 2:
        raise ArgumentValueError(f"a region tree needs at least 2 variables, got {n_vars}")
    if n_vars > MAX_VARS:
        raise ArgumentValueError(f"a region tree of {n_vars} variables: at most {MAX_VARS}")
    left: list[int] = []
    right: list[int] = []
    height: list[int] = []

    def grow(items) -> tuple[int, int]:  # (region id, height)
        if len(items) == 1:
            return int(items[0]) - 1, 0
        a, b = split(items)
        (ra, ha), (rb, hb) = grow(a), grow(b)
        left.append(ra)
        right.append(rb)
        height.append(max(ha, hb) + 1)
        return n_vars + len(left) - 1, height[-1]

    grow(np.arange(1, n_vars + 1) if items is None else items)
    heights = np.asarray(height)
    levels = tuple(np.flatnonzero(heights == h) + n_vars for h in range(1, heights.max() + 1))
    return RegionTree(n_vars, np.asarray(left), np.asarray(right), levels)


def random_binary_tree(n_vars: int, seed: int = 0) -> RegionTree:
    """Balanced: a random permutation of the variables, halved recursively."""
    n_vars = whole(n_vars, "random_binary_tree: n_vars")
    seed = whole(seed, "random_binary_tree: seed", least=0)
    if n_vars < 2:
        raise ArgumentValueError(f"a region tree needs at least 2 variables, got {n_vars}")
    order = np.random.default_rng(seed).permutation(n_vars) + 1

    def split(items):
        half = len(items) // 2
        return items[:half], items[half:]

    return _from_splits(n_vars, split, order)


def quad_tree(height: int, width: int) -> RegionTree:
    """Pixels (row-major, variable ``r * width + c + 1``) split along the longer side."""
    height = whole(height, "quad_tree: height", least=1)
    width = whole(width, "quad_tree: width", least=1)

    def split(items):
        rows, cols = (items - 1) // width, (items - 1) % width
        if rows.max() - rows.min() >= cols.max() - cols.min():
            mid = (rows.min() + rows.max() + 1) // 2
            return items[rows < mid], items[rows >= mid]
        mid = (cols.min() + cols.max() + 1) // 2
        return items[cols < mid], items[cols >= mid]

    return _from_splits(height * width, split)
