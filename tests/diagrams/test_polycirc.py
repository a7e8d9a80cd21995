"""The polynomial-circuit signature: gates, Builder, builders and Netlist's checks."""

import itertools

import numpy as np
import pytest

from catlearn.diagrams import Box, Copy, Discard, Hypergraph, Merge, Ty
from catlearn.diagrams import polycirc as pc
from catlearn.diagrams.polycirc import Builder, Netlist, PolycircError, R
from catlearn.functors import RingFunctor
from catlearn.semirings import GF2, Real

TRUTH = np.array(list(itertools.product([0, 1], repeat=2)))


@pytest.mark.parametrize(
    "gate, table",
    [(pc.AND, [0, 0, 0, 1]), (pc.XOR, [0, 1, 1, 0]), (pc.OR, [0, 1, 1, 1])],
    ids=["AND", "XOR", "OR"],
)
def test_boolean_gates_over_gf2(gate, table):
    out = RingFunctor(GF2).compile(gate())(TRUTH)
    assert out.ravel().tolist() == table


def test_not_over_gf2():
    assert RingFunctor(GF2).compile(pc.NOT())([[0], [1]]).ravel().tolist() == [1, 0]


def test_dot_and_matvec_compute_what_they_say():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)
    F = RingFunctor(Real())
    got = F.compile(pc.matvec(3, 4))(np.concatenate([w.ravel(), x])[None])[0]
    np.testing.assert_allclose(got, w @ x, rtol=1e-5)
    got = F.compile(pc.dot(4))(np.concatenate([w[0], x])[None])[0, 0]
    np.testing.assert_allclose(got, w[0] @ x, rtol=1e-5)
    assert pc.matvec(3, 4).n_boxes == 3 * 4 + 3 * 3


def test_builder_apply_and_copies():
    b = Builder(2)
    x, y = b.inputs
    (s,) = b.apply(pc.OR(), [x, x])  # x ∨ x = x, a copy feeding a sub-circuit
    c = b.build([s, y, y])  # y twice: a copy at the boundary
    out = RingFunctor(GF2).compile(c)(TRUTH)
    np.testing.assert_array_equal(out, TRUTH[:, [0, 1, 1]])


def test_discopy_composition_reads_as_a_circuit():
    square_plus_one = Copy(R) >> pc.mul >> (R @ pc.constant(1)) >> pc.add
    assert RingFunctor(Real()).compile(square_plus_one)([[3.0]]).tolist() == [[10.0]]
    assert len(Netlist(R @ Discard(R))) == 0


def test_gates_reject_bad_arguments():
    with pytest.raises(PolycircError, match="unknown gate kind"):
        pc.Gate("div")
    with pytest.raises(PolycircError, match="ints or Fractions"):
        pc.constant(0.5)
    b = Builder(1)
    with pytest.raises(PolycircError, match="takes 2 inputs"):
        b.gate(pc.add, 0)
    with pytest.raises(PolycircError, match="wire 3, which does not exist"):
        b.mul(0, 3)
    with pytest.raises(PolycircError, match="outside"):
        b.build([5])
    with pytest.raises(PolycircError, match="takes 1 wires"):
        b.apply(pc.NOT(), [0, 0])


def test_netlist_refuses_what_is_not_a_function():
    x = Ty("x")
    with pytest.raises(PolycircError, match="not a polynomial-circuit gate"):
        Netlist(Box("f", R, R))
    with pytest.raises(PolycircError, match="merges wires"):
        Netlist(Merge(R) >> pc.negate)
    loop = Hypergraph.build([x, x], [pc.negate, pc.negate], [[1], [0]], [[0], [1]], [], [0])
    with pytest.raises(PolycircError, match="loop"):
        Netlist(loop)
    twice = Hypergraph.build([x, x], [pc.zero, pc.zero], [[], []], [[1], [1]], [0], [1])
    with pytest.raises(PolycircError, match="written twice"):
        Netlist(twice)


def test_netlist_orders_gates_topologically():
    x = Ty("R")
    # Gate 0 reads what gate 1 writes: stored out of order, read in order.
    g = Hypergraph.build([x, x, x], [pc.negate, pc.negate], [[1], [0]], [[2], [1]], [0], [2])
    assert RingFunctor(Real()).compile(g)([[2.0]]).tolist() == [[2.0]]


def test_a_cached_fraction_does_not_let_a_float_through():
    from fractions import Fraction

    assert pc.constant(Fraction(1, 2)).value == Fraction(1, 2)
    with pytest.raises(PolycircError, match="ints or Fractions"):
        pc.constant(0.5)  # equal to Fraction(1, 2), and once a cache hit
    assert pc.constant(Fraction(4, 2)) is pc.constant(2)
