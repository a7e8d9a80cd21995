"""Vtrees: construction, structured decomposability, a vtree found from a circuit, and
compatibility, each against what the definitions say on small hand-made circuits."""

import pytest

from catlearn.circuits import (
    CircuitBuilder,
    CircuitError,
    Vtree,
    compatible,
    exactly_k_of_n,
    parity,
    structured_decomposability,
    vtree_of,
)
from catlearn.circuits.vtree import common_vtree
from catlearn.errors import ArgumentTypeError


def _three(split):
    """x1·x2·x3 as one ⊗ node bracketed by ``split``: "flat", "left" (x1x2)x3, "right"."""
    b = CircuitBuilder()
    x = [b.sum([b.literal(v), b.literal(v, False)], [0.3, 0.7], decision=v) for v in (1, 2, 3)]
    if split == "flat":
        root = b.product(x)
    elif split == "left":
        root = b.product([b.product(x[:2]), x[2]])
    else:
        root = b.product([x[0], b.product(x[1:])])
    return b.build([root])


def test_constructors_and_reading():
    v = Vtree(((1, 2), (3, 4)))
    assert v.nested() == ((1, 2), (3, 4)) and v == Vtree.balanced([1, 2, 3, 4])
    assert Vtree.right_linear([3, 1, 2]) == Vtree((3, (1, 2)))
    r = Vtree.random(range(1, 9), seed=3)
    assert r.variables == tuple(range(1, 9)) and r.n_nodes == 15
    assert r == Vtree.random(range(1, 9), seed=3) and hash(r) == hash(Vtree(r.nested()))
    assert v.lca(0b00110) == v.children(v.root)[0]  # variables 1, 2: the left subtree
    assert Vtree(5).variables == (5,) and repr(Vtree((1, 2))) == "Vtree((1, 2))"


def test_deep_vtrees_build_without_recursion():
    v = Vtree.right_linear(range(1, 3001))
    last_two = 1 << 3000 | 1 << 2999
    assert v.n_nodes == 5999 and v.scope(v.lca(last_two)) == last_two
    assert repr(v) == "Vtree(<3000 variables>)"


@pytest.mark.parametrize("bad, error, match", [
    ((1, (2, 1)), CircuitError, "variable 1 appears twice"),
    ((1, 2, 3), ArgumentTypeError, "pair of vtrees"),
    ((0, 1), ValueError, "variable"),
    ("x1", ArgumentTypeError, "expected a variable"),
])  # fmt: skip
def test_malformed_vtrees_are_refused(bad, error, match):
    with pytest.raises(error, match=match):
        Vtree(bad)


def test_structured_decomposability_follows_the_vtree():
    assert structured_decomposability(parity(4), Vtree.right_linear([1, 2, 3, 4]))
    assert not structured_decomposability(parity(4), Vtree.balanced([1, 2, 3, 4]))
    # An n-ary ⊗ of single variables respects every vtree: bracket it as the vtree does.
    for nested in [((1, 2), 3), (1, (2, 3)), ((1, 3), 2)]:
        assert structured_decomposability(_three("flat"), Vtree(nested))
    assert structured_decomposability(_three("left"), Vtree(((1, 2), 3)))
    assert not structured_decomposability(_three("left"), Vtree((1, (2, 3))))
    with pytest.raises(CircuitError, match="lacks variable 3"):
        structured_decomposability(_three("flat"), Vtree((1, 2)))
    with pytest.raises(ArgumentTypeError, match="expected a catlearn Vtree"):
        structured_decomposability(parity(2), ((1, 2)))


def test_vtree_of_finds_one_or_names_the_conflict():
    assert vtree_of(parity(4)) == Vtree((1, (2, (3, 4))))
    v = vtree_of(exactly_k_of_n(6, 3))
    assert structured_decomposability(exactly_k_of_n(6, 3), v)
    b = CircuitBuilder()
    x = [b.literal(v) for v in (1, 2, 3)]
    mixed = b.build([b.sum([b.product([x[0], b.product(x[1:])]),
                            b.product([b.product(x[:2]), x[2]])])])  # fmt: skip
    with pytest.raises(CircuitError, match=r"product node \d+ splits them as"):
        vtree_of(mixed)
    b = CircuitBuilder()
    overlapping = b.build([b.product([b.literal(1), b.literal(1, False)])])
    with pytest.raises(CircuitError, match="not decomposable"):
        vtree_of(overlapping)


def test_compatible_needs_one_vtree_for_the_shared_variables():
    assert compatible(_three("left"), _three("flat"))
    assert compatible(_three("right"), _three("flat"))
    assert not compatible(_three("left"), _three("right"))
    assert common_vtree(_three("left"), _three("flat")) == Vtree(((1, 2), 3))
    with pytest.raises(CircuitError, match="not compatible"):
        common_vtree(_three("left"), _three("right"))
    b = CircuitBuilder()
    unsmooth = b.build([b.sum([b.literal(1), b.product([b.literal(1, False), b.literal(2)])])])
    assert not compatible(unsmooth, unsmooth)
    # Only shared variables are constrained: x1 alone is compatible with anything.
    b = CircuitBuilder()
    one = b.build([b.literal(1)], n_vars=3)
    assert compatible(one, _three("left")) and compatible(one, _three("right"))
