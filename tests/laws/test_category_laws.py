"""The monoidal / symmetric / compact / hypergraph suites: the IR passes, broken readings fail."""

import jax.numpy as jnp
import numpy as np
import pytest
from discopy import frobenius

from catlearn import laws
from catlearn.diagrams import Box, Id, Spider, Ty, from_discopy, is_isomorphic
from catlearn.functors import TensorFunctor
from catlearn.laws import LawViolation

x, y = Ty("x"), Ty("y")
f, g, h = Box("f", x, y), Box("g", y, x @ x), Box("h", x @ y, y)
SIGNATURE = [f, g, h]


def _rebuilt(d, replace):
    """``d`` layer by layer, each box passed through ``replace`` (a broken reading)."""
    out = Id(d.dom)
    for layer in d.inside:
        left, box, right = layer.boxes_or_types
        out = out >> (Id(left) @ replace(box) @ Id(right))
    return out


def drop_like_swaps(d):
    """Reads a swap of two like wires as the identity: not symmetric monoidal."""
    same = lambda b: isinstance(b, frobenius.Swap) and b.dom[0] == b.dom[1]  # noqa: E731
    return from_discopy(_rebuilt(d, lambda b: Id(b.dom) if same(b) else b))


def cups_as_discards(d):
    """Reads a cup as two discards: wires end, but snakes no longer straighten."""
    return from_discopy(
        _rebuilt(
            d,
            lambda b: (
                Spider(1, 0, b.dom[:1]) @ Spider(1, 0, b.dom[1:])
                if isinstance(b, frobenius.Cup)
                else b
            ),
        )
    )


def test_the_ir_satisfies_every_hypergraph_category_law():
    suite = laws.hypergraph(SIGNATURE)
    assert [s.split("[")[0] for s in dict.fromkeys(law.suite for law in suite)] == list(
        laws.categories.LEVELS
    )
    suite.check(max_examples=15)


def test_suites_nest():
    assert set(laws.monoidal(SIGNATURE).names) < set(laws.symmetric(SIGNATURE).names)
    assert set(laws.symmetric(SIGNATURE).names) < set(laws.compact(SIGNATURE).names)
    assert set(laws.compact(SIGNATURE).names) < set(laws.hypergraph(SIGNATURE).names)


def test_syntactic_equality_breaks_interchange():
    suite = laws.monoidal(SIGNATURE, interpret=lambda d: d)  # DisCoPy's own ==
    with pytest.raises(LawViolation, match="interchange"):
        suite["interchange"].check(max_examples=20, shrink=False)


def test_dropping_swaps_breaks_naturality():
    suite = laws.symmetric(SIGNATURE, interpret=drop_like_swaps, equal=is_isomorphic)
    suite["swap_involution"].check(max_examples=10)  # σ;σ = 1 still holds
    with pytest.raises(LawViolation, match="swap_naturality"):
        suite["swap_naturality"].check(max_examples=50, shrink=False)


def test_cups_as_discards_break_the_snake():
    suite = laws.compact(SIGNATURE, interpret=cups_as_discards, equal=is_isomorphic)
    with pytest.raises(LawViolation, match="snake_left"):
        suite["snake_left"].check(max_examples=10, shrink=False)


def test_the_cartesian_reading_is_symmetric_but_not_frobenius():
    # Function semantics: copying is wiring but a merge is a box (an aggregator), so
    # δ ; μ is not the identity; the suite says so instead of passing silently.
    cartesian = lambda d: from_discopy(d, cartesian=True)  # noqa: E731
    laws.symmetric(SIGNATURE, interpret=cartesian, equal=is_isomorphic).check(max_examples=10)
    special = laws.hypergraph(SIGNATURE, interpret=cartesian, equal=is_isomorphic)["special"]
    lhs, rhs = special.sides(x.inside[0], Id(Ty()), False)  # δ ; μ on one bare wire
    assert not is_isomorphic(lhs, rhs) and lhs.n_boxes == 1  # the merge stayed a box
    with pytest.raises(LawViolation, match="special"):
        special.check(max_examples=5, shrink=False)


def test_a_tensor_functor_satisfies_the_frobenius_and_snake_laws():
    rng = np.random.default_rng(0)
    F = TensorFunctor(
        {x: 2, y: 3},
        {b: jnp.asarray(rng.normal(size=(2,) * len(b.dom @ b.cod))) for b in [Box("k", x, x)]},
    )
    suite = laws.hypergraph([Box("k", x, x)], interpret=F, equal=laws.equality(), max_boxes=2)
    for name in ("snake_left", "frobenius", "spider_fusion", "swap_naturality"):
        suite[name].check(max_examples=4)


def test_empty_signature_is_refused():
    with pytest.raises(ValueError, match="signature"):
        laws.symmetric([])
