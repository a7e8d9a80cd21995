"""Region graphs: how a tensorised probabilistic circuit splits its variables.

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

A ``RegionGraph`` is the general case, a DAG: a region may have several
*partitions* (ways to split its scope in two), and regions may be shared.
``rat_spn`` puts several random balanced splittings under one root (Peharz
et al.'s random tensorised SPNs); ``poon_domingos`` splits every rectangle of
an image at every multiple of ``delta`` along either axis, sharing equal
rectangles (Poon & Domingos' sum-product networks)::

    >>> g = rat_spn(8, repetitions=3, seed=0)
    >>> len(g.partitions_of(g.root)), g.scope(g.root) == set(range(1, 9))
    (3, True)
    >>> pd = poon_domingos(2, 3)          # every sub-rectangle of a 2×3 image is a region
    >>> pd.n_regions, len(pd.partitions_of(pd.root))   # 18 rectangles; 1 + 2 cuts of the whole
    (18, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import MAX_VARS
from catlearn.errors import ArgumentValueError, CircuitError


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

    def graph(self) -> RegionGraph:
        """The same regions as a :class:`RegionGraph`: one partition per internal region."""
        internal = np.arange(self.n_vars, self.n_regions)
        return RegionGraph(self.n_vars, internal, self.left, self.right)


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


@dataclass(frozen=True)
class RegionGraph:
    """A DAG of regions. Regions ``0..n_vars-1`` are the leaves (variable ``r + 1``);
    partition ``p`` splits region ``region[p]`` into ``left[p]`` and ``right[p]``.
    Children are numbered before their parents, every internal region has at least one
    partition, and the last region is the root. Checked on construction: each
    partition's two children have disjoint scopes whose union is the region's scope (so a
    circuit built on the graph is decomposable and smooth), the root covers every
    variable, and every region lies below the root; otherwise a ``CircuitError`` names
    the partition or region.

    >>> RegionGraph(2, region=[2, 3, 3], left=[0, 2, 1], right=[1, 1, 2])
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: RegionGraph: partition 1 splits region 3 into regions 2 ...
    >>> RegionGraph(2, region=[2, 2], left=[0, 1], right=[1, 0]).n_partitions
    2
    """

    n_vars: int
    region: np.ndarray
    left: np.ndarray
    right: np.ndarray

    def __post_init__(self) -> None:
        n_vars = whole(self.n_vars, "RegionGraph: n_vars", least=2, most=MAX_VARS)
        arrays = {}
        for name in ("region", "left", "right"):
            a = np.asarray(getattr(self, name))
            if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
                raise CircuitError(f"RegionGraph: {name} must be a vector of region ids")
            arrays[name] = np.array(a, dtype=np.int64)
            arrays[name].flags.writeable = False
            object.__setattr__(self, name, arrays[name])
        region, left, right = arrays["region"], arrays["left"], arrays["right"]
        if not region.size or not region.size == left.size == right.size:
            raise CircuitError(
                "RegionGraph: region, left and right must be equally long and non-empty, got "
                f"{region.size}, {left.size}, {right.size}"
            )
        n_regions = int(region.max()) + 1
        object.__setattr__(self, "n_vars", n_vars)
        _check_partitions(n_vars, n_regions, region, left, right)

    @property
    def n_regions(self) -> int:
        return int(self.region.max()) + 1

    @property
    def n_partitions(self) -> int:
        return int(self.region.size)

    @property
    def root(self) -> int:
        return self.n_regions - 1

    def partitions_of(self, region: int) -> np.ndarray:
        """The indices of ``region``'s partitions (empty for a leaf region)."""
        return np.flatnonzero(self.region == region)

    def scope(self, region: int) -> set[int]:
        """The variables (1-based) below ``region``."""
        if region < self.n_vars:
            return {region + 1}
        p = int(self.partitions_of(region)[0])
        return self.scope(int(self.left[p])) | self.scope(int(self.right[p]))


def _check_partitions(n_vars, n_regions, region, left, right) -> None:
    """Raise a ``CircuitError`` naming the first partition or region that breaks the rules."""
    for name, ids, low in (("region", region, n_vars), ("left", left, 0), ("right", right, 0)):
        bad = np.flatnonzero((ids < low) | (ids >= n_regions))
        if bad.size:
            p = int(bad[0])
            raise CircuitError(
                f"RegionGraph: partition {p} has {name} {int(ids[p])}, "
                f"outside {low}..{n_regions - 1}"
            )
    late = np.flatnonzero((left >= region) | (right >= region))
    if late.size:
        p = int(late[0])
        raise CircuitError(
            f"RegionGraph: partition {p} of region {int(region[p])} names child regions "
            f"{int(left[p])} and {int(right[p])}: children must be numbered before their parent"
        )
    has = np.zeros(n_regions, bool)
    has[region] = True
    missing = np.flatnonzero(~has[n_vars:])
    if missing.size:
        raise CircuitError(f"RegionGraph: region {int(missing[0]) + n_vars} has no partition")
    # Scopes as Python-int bitsets, filled in region order (children come first).
    scope: list[int] = [1 << v for v in range(n_vars)] + [0] * (n_regions - n_vars)
    for p in np.argsort(region, kind="stable").tolist():
        r, a, b = int(region[p]), int(left[p]), int(right[p])
        if scope[a] & scope[b]:
            v = (scope[a] & scope[b]).bit_length()
            raise CircuitError(
                f"RegionGraph: partition {p} splits region {r} into regions {a} and {b}, "
                f"whose scopes overlap on variable {v}"
            )
        union = scope[a] | scope[b]
        if scope[r] and scope[r] != union:
            v = (scope[r] ^ union).bit_length()
            raise CircuitError(
                f"RegionGraph: partition {p} of region {r} covers another scope than the "
                f"region's first partition (they differ on variable {v}): a sum over them "
                "would not be smooth"
            )
        scope[r] = union
    if scope[-1] != (1 << n_vars) - 1:
        v = (~scope[-1] & ((1 << n_vars) - 1)).bit_length()
        raise CircuitError(f"RegionGraph: the root (region {n_regions - 1}) misses variable {v}")
    below = np.zeros(n_regions, bool)
    below[-1] = True
    for p in np.argsort(-region, kind="stable").tolist():
        if below[region[p]]:
            below[left[p]] = below[right[p]] = True
    stray = np.flatnonzero(~below)
    if stray.size:
        raise CircuitError(f"RegionGraph: region {int(stray[0])} is not below the root")


def _from_scopes(n_vars: int, splits: list[tuple[int, int]]) -> RegionGraph:
    """A graph from (left scope, right scope) bitset pairs; a region per distinct scope,
    numbered by scope size (so children before parents), leaves first."""
    scopes = sorted({a | b for a, b in splits}, key=lambda s: (s.bit_count(), s))
    ids = {1 << v: v for v in range(n_vars)}
    ids.update({s: n_vars + i for i, s in enumerate(scopes)})
    order = sorted(range(len(splits)), key=lambda i: ids[splits[i][0] | splits[i][1]])
    region = [ids[splits[i][0] | splits[i][1]] for i in order]
    return RegionGraph(
        n_vars,
        np.asarray(region, np.int64),
        np.asarray([ids[splits[i][0]] for i in order], np.int64),
        np.asarray([ids[splits[i][1]] for i in order], np.int64),
    )


def _bits(items) -> int:
    return sum(1 << (int(v) - 1) for v in items)


def rat_spn(
    n_vars: int, depth: int | None = None, repetitions: int = 2, seed: int = 0
) -> RegionGraph:
    """``repetitions`` random balanced binary splittings of the variables under one root.

    Each repetition halves a fresh random permutation of the variables ``depth`` times
    (all the way to single variables when ``depth`` is None); a region left with several
    variables below ``depth`` is halved further in variable order. Regions with equal
    scopes are one region, so the root has ``repetitions`` partitions.

    >>> g = rat_spn(6, depth=1, repetitions=2, seed=1)
    >>> sorted(len(g.scope(int(g.left[p]))) for p in g.partitions_of(g.root))
    [3, 3]
    """
    n_vars = whole(n_vars, "rat_spn: n_vars", least=2, most=MAX_VARS)
    full = int(np.ceil(np.log2(n_vars)))
    depth = full if depth is None else whole(depth, "rat_spn: depth", least=1, most=full)
    repetitions = whole(repetitions, "rat_spn: repetitions", least=1)
    seed = whole(seed, "rat_spn: seed", least=0)
    rng = np.random.default_rng(seed)
    splits: list[tuple[int, int]] = []

    def grow(items: np.ndarray, level: int) -> None:
        if len(items) < 2:
            return
        if level == depth:
            items = np.sort(items)
        half = len(items) // 2
        a, b = items[:half], items[half:]
        splits.append((_bits(a), _bits(b)))
        grow(a, min(level + 1, depth))
        grow(b, min(level + 1, depth))

    for _ in range(repetitions):
        grow(rng.permutation(n_vars) + 1, 0)
    return _from_scopes(n_vars, splits)


def poon_domingos(height: int, width: int, delta: int = 1) -> RegionGraph:
    """Every rectangle of an image (pixel ``(r, c)`` is variable ``r * width + c + 1``)
    reachable from the whole image by axis-aligned cuts at multiples of ``delta``; a
    rectangle that no such cut crosses (a cell of the ``delta`` grid) is cut at every
    pixel. Equal rectangles are one shared region.

    >>> g = poon_domingos(4, 4, delta=2)
    >>> len(g.partitions_of(g.root))          # cut at row 2 or at column 2
    2
    """
    height = whole(height, "poon_domingos: height", least=1)
    width = whole(width, "poon_domingos: width", least=1)
    delta = whole(delta, "poon_domingos: delta", least=1)
    n = height * width
    if n < 2:
        raise ArgumentValueError(f"a region graph needs at least 2 variables, got {n}")
    if n > MAX_VARS:
        raise ArgumentValueError(f"a region graph of {n} variables: at most {MAX_VARS}")
    pixel = np.arange(1, height * width + 1).reshape(height, width)
    splits: list[tuple[int, int]] = []
    seen: set[tuple[int, int, int, int]] = set()
    todo = [(0, height, 0, width)]
    while todo:
        box = todo.pop()
        if box in seen:
            continue
        seen.add(box)
        r0, r1, c0, c1 = box
        rows = [r for r in range(r0 + 1, r1) if r % delta == 0]
        cols = [c for c in range(c0 + 1, c1) if c % delta == 0]
        if not rows and not cols:  # a cell of the delta grid: every cut
            rows, cols = list(range(r0 + 1, r1)), list(range(c0 + 1, c1))
        halves = [((r0, r, c0, c1), (r, r1, c0, c1)) for r in rows]
        halves += [((r0, r1, c0, c), (r0, r1, c, c1)) for c in cols]
        for a, b in halves:
            splits.append((_bits(pixel[a[0]:a[1], a[2]:a[3]].ravel()),
                           _bits(pixel[b[0]:b[1], b[2]:b[3]].ravel())))  # fmt: skip
            todo += [a, b]
    return _from_scopes(height * width, splits)
