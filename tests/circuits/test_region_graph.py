"""Region graphs: RAT-SPN and Poon–Domingos structure, checked against set arithmetic."""

import numpy as np
import pytest

from catlearn.circuits.region_graph import (
    RegionGraph,
    poon_domingos,
    quad_tree,
    random_binary_tree,
    rat_spn,
)
from catlearn.errors import ArgumentTypeError, ArgumentValueError, CircuitError


def scopes_by_sets(g: RegionGraph) -> list[frozenset]:
    """Each region's scope from its partitions, with Python sets (the oracle)."""
    scope = [frozenset({r + 1}) for r in range(g.n_vars)] + [None] * (g.n_regions - g.n_vars)
    for p in np.argsort(g.region, kind="stable"):
        scope[g.region[p]] = scope[g.left[p]] | scope[g.right[p]]
    return scope


def assert_partitions_split_scopes(g: RegionGraph) -> None:
    scope = scopes_by_sets(g)
    for p in range(g.n_partitions):
        a, b, r = scope[g.left[p]], scope[g.right[p]], scope[g.region[p]]
        assert a and b and not a & b and a | b == r, p
    assert scope[g.root] == frozenset(range(1, g.n_vars + 1))


@pytest.mark.parametrize("depth", [None, 1, 2])
def test_rat_spn_is_repetitions_of_balanced_splits(depth):
    g = rat_spn(7, depth=depth, repetitions=3, seed=5)
    assert_partitions_split_scopes(g)
    root_parts = g.partitions_of(g.root)
    assert len(root_parts) == 3
    for p in root_parts:  # balanced halves
        assert sorted([len(g.scope(int(g.left[p]))), len(g.scope(int(g.right[p])))]) == [3, 4]
    # A region per distinct scope.
    assert len(set(scopes_by_sets(g))) == g.n_regions
    np.testing.assert_array_equal(rat_spn(7, depth, 3, seed=5).left, g.left)  # seeded


def test_poon_domingos_has_every_cut_at_multiples_of_delta():
    g = poon_domingos(2, 3)
    assert_partitions_split_scopes(g)
    # delta = 1: every sub-rectangle is a region, with every cut: (h - 1) + (w - 1) each.
    assert g.n_regions == 3 * 6
    pixel = np.arange(1, 7).reshape(2, 3)
    rectangles = {frozenset(pixel[r0:r1, c0:c1].ravel().tolist())
                  for r0 in range(2) for r1 in range(r0 + 1, 3)
                  for c0 in range(3) for c1 in range(c0 + 1, 4)}  # fmt: skip
    assert set(scopes_by_sets(g)) == rectangles
    assert g.n_partitions == sum(
        (r1 - r0 - 1) + (c1 - c0 - 1)
        for r0 in range(2) for r1 in range(r0 + 1, 3) for c0 in range(3) for c1 in range(c0 + 1, 4)
    )  # fmt: skip
    coarse = poon_domingos(4, 4, delta=2)
    assert_partitions_split_scopes(coarse)
    root_cuts = {frozenset(coarse.scope(int(coarse.left[p])))
                 for p in coarse.partitions_of(coarse.root)}  # fmt: skip
    grid = np.arange(1, 17).reshape(4, 4)
    top, side = frozenset(grid[:2].ravel().tolist()), frozenset(grid[:, :2].ravel().tolist())
    assert root_cuts == {top, side}


def test_trees_are_the_one_partition_case():
    for tree in (random_binary_tree(6, seed=1), quad_tree(2, 3)):
        g = tree.graph()
        assert g.n_regions == tree.n_regions and g.n_partitions == tree.left.size
        assert all(g.scope(r) == tree.scope(r) for r in range(tree.n_regions))


@pytest.mark.parametrize(
    "region, left, right, match",
    [
        ([2, 3], [0, 2], [1, 1], "overlap on variable 2"),  # a mutant: overlapping children
        ([3, 3], [0, 2], [1, 1], "has no partition"),
        ([2, 3, 3], [0, 2, 0], [1, 1, 2], "partition 1 splits region 3 .* variable 2"),
        ([2, 2, 3], [0, 0, 2], [1, 1, 1], "overlap"),
        ([3], [0], [5], "outside 0..3"),
        ([2], [2], [1], "numbered before their parent"),
    ],
)
def test_broken_graphs_are_refused_by_name(region, left, right, match):
    with pytest.raises(CircuitError, match=match):
        RegionGraph(2, np.array(region), np.array(left), np.array(right))


def test_unsmooth_partitions_and_strays_are_refused():
    # Region 3 = {1, 2} by its first partition, {1, 3}... by its second: not smooth.
    with pytest.raises(CircuitError, match="covers another scope"):
        RegionGraph(3, np.array([3, 3, 4]), np.array([0, 0, 3]), np.array([1, 2, 2]))
    with pytest.raises(CircuitError, match="root .* misses variable 3"):
        RegionGraph(3, np.array([3]), np.array([0]), np.array([1]))
    with pytest.raises(CircuitError, match="region 2 is not below the root"):
        RegionGraph(2, np.array([2, 3]), np.array([0, 0]), np.array([1, 1]))
    with pytest.raises(ArgumentTypeError, match="repetitions"):
        rat_spn(4, repetitions=1.5)
    with pytest.raises(ArgumentValueError, match="depth"):
        rat_spn(4, depth=3)
    with pytest.raises(ArgumentValueError, match="at least 2 variables"):
        poon_domingos(1, 1)
