"""The open-hypergraph IR: structural invariants, DisCoPy round trips, errors."""

import numpy as np
import pytest
from hypothesis import given, settings

from catlearn import laws
from catlearn.diagrams import (
    Box,
    Cap,
    CompositionError,
    Cup,
    Hypergraph,
    Id,
    Spider,
    Swap,
    Ty,
    UnsupportedDiagramError,
    from_discopy,
    to_discopy,
)
from catlearn.functors import TensorFunctor

x, y = Ty("x"), Ty("y")
SIGNATURE = [Box("f", x, y), Box("g", y @ x, x), Box("h", Ty(), x), Box("k", x, Ty())]
WIRING = {"Swap", "Cup", "Cap", "Spider"}


def n_generators(d):
    return sum(1 for box in d.boxes if type(box).__name__ not in WIRING)


@settings(max_examples=25)
@given(laws.diagrams(SIGNATURE, max_boxes=6), laws.diagrams(SIGNATURE, max_boxes=6))
def test_structural_invariants(d1, d2):
    g1, g2 = from_discopy(d1), from_discopy(d2)
    assert g1.n_boxes == n_generators(d1)
    assert g1.dom == tuple(d1.dom.inside) and g1.cod == tuple(d1.cod.inside)
    both = g1 @ g2
    assert both.n_boxes == g1.n_boxes + g2.n_boxes
    assert both.n_wires == g1.n_wires + g2.n_wires
    assert both.dom == g1.dom + g2.dom
    if g1.cod == g2.dom:
        glued = g1 >> g2
        assert glued.n_boxes == g1.n_boxes + g2.n_boxes
        assert glued.dom == g1.dom and glued.cod == g2.cod
        boundary = len(g1.cod)
        assert g1.n_wires + g2.n_wires - boundary <= glued.n_wires <= g1.n_wires + g2.n_wires


@settings(max_examples=10)
@given(laws.diagrams(SIGNATURE, max_boxes=4))
def test_round_trip_through_discopy_keeps_the_tensor(d):
    F = TensorFunctor(
        {x: 2, y: 3},
        {
            b: np.random.default_rng(0).normal(
                size=tuple(
                    {"x": 2, "y": 3}[o.name] for o in list(b.dom.inside) + list(b.cod.inside)
                )
            )
            for b in SIGNATURE
        },
    )
    back = to_discopy(from_discopy(d))
    np.testing.assert_allclose(F(back), F(d), rtol=1e-4, atol=1e-5)


def test_wiring_costs_no_boxes():
    f = Box("f", x, x)
    snake = (Cap(x, x.r) @ x) >> (x @ Cup(x.r, x))
    g = from_discopy((((f >> snake) @ x) >> Swap(x, x) >> Swap(x, x)) @ Spider(2, 1, y))
    assert g.n_boxes == 1
    assert g.n_wires == 2 + 1 + 1  # f's two wires, the passing wire, one spider wire


def test_identity_and_direct_building():
    f = Hypergraph.from_box(Box("f", x, x))
    assert (Hypergraph.identity((x.inside[0],)) >> f) == f.__class__.sequential(
        [Hypergraph.identity((x.inside[0],)), f]
    )
    chain = Hypergraph.sequential([f] * 10_000)
    assert chain.n_boxes == 10_000 and chain.n_wires == 10_001
    wide = Hypergraph.parallel([f] * 200)
    assert wide.n_boxes == 200 and len(wide.sources) == 200


def test_hash_is_structural_and_cached():
    f = Hypergraph.from_box(Box("f", x, x))
    a, b = Hypergraph.sequential([f, f, f]), (f >> f) >> f
    assert a == b and hash(a) == hash(b)
    assert a._hash  # computed once


def test_errors():
    f = Hypergraph.from_box(Box("f", x, y))
    with pytest.raises(CompositionError, match="ends in y but diagram 1 starts with x") as e:
        f >> f
    assert isinstance(e.value, TypeError)
    with pytest.raises(UnsupportedDiagramError, match="expected a DisCoPy diagram"):
        from_discopy(42)
    with pytest.raises(ValueError, match="outside"):
        Hypergraph.build([x], [], [], [], [0], [3])
    assert Id(x).dom == x  # DisCoPy untouched
