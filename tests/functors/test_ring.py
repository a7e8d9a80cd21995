"""RingFunctor: every ring, packed GF2, dual numbers, constants, and clear errors."""

from fractions import Fraction

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

from catlearn.diagrams import polycirc as pc
from catlearn.diagrams.polycirc import PolycircError
from catlearn.errors import ArgumentTypeError
from catlearn.functors import RingFunctor, ShapeError, reverse_derivative
from catlearn.laws.reverse import evaluate
from catlearn.laws.strategies import polycircs
from catlearn.semirings import GF2, Boolean, Counting, Dual, Real, Zn


@settings(max_examples=4)
@given(polycircs(n_inputs=(2, 2), n_outputs=(2, 2), max_gates=8))
def test_packed_gf2_equals_unpacked(circuit):
    # Shared shapes (2 → 2) keep the number of XLA compiles down.
    bits = np.random.default_rng(0).integers(0, 2, size=(70, 2))  # 70: not a multiple of 32
    packed = RingFunctor(GF2, packed=True).compile(circuit)(bits)
    plain = RingFunctor(GF2).compile(circuit)(bits)
    np.testing.assert_array_equal(packed, plain)
    np.testing.assert_array_equal(plain, evaluate(circuit, GF2, bits))


def test_batch_axes_are_kept():
    out = RingFunctor(Zn(7)).compile(pc.dot(2))(np.ones((2, 3, 4), dtype=int))
    assert out.shape == (2, 3, 1) and int(out[0, 0, 0]) == 2


def test_dual_numbers_give_the_forward_derivative():
    b = pc.Builder(1)
    cube = b.build([b.mul(b.mul(0, 0), 0)])
    value, tangent = RingFunctor(Dual()).compile(cube)((jnp.array([[2.0]]), jnp.array([[1.0]])))
    assert (value.item(), tangent.item()) == (8.0, 12.0)


def test_constants_are_read_in_the_ring():
    half = pc.Builder(0)
    c = half.build([half.constant(Fraction(1, 2))])
    assert RingFunctor(Zn(5)).compile(c)(np.zeros((1, 0), int)).item() == 3  # 2·3 = 1 mod 5
    assert RingFunctor(Real()).compile(c)(np.zeros((1, 0))).item() == 0.5
    with pytest.raises(PolycircError, match="does not exist in GF2"):
        RingFunctor(GF2).compile(c)
    with pytest.raises(PolycircError, match="does not exist in Z4"):
        RingFunctor(Zn(4)).compile(c)


def test_function_functor_gives_the_same_semantics():
    d = reverse_derivative(pc.matvec(2, 2))
    x = np.random.default_rng(0).integers(0, 5, size=(3, 8))
    F = RingFunctor(Zn(5))
    compiled = F.function_functor().compile(d)
    got = np.stack(compiled.apply({}, *[x[:, i] for i in range(8)]), axis=1)
    np.testing.assert_array_equal(got, F.compile(d)(x))


def test_errors_name_the_culprit():
    f = RingFunctor(Real()).compile(pc.dot(2))
    with pytest.raises(ShapeError, match="takes 4 inputs"):
        f(np.ones((3, 5)))
    with pytest.raises(PolycircError, match="not a ring"):
        RingFunctor(Boolean()).compile(pc.NOT() >> pc.negate)
    with pytest.raises(ValueError, match="needs GF2"):
        RingFunctor(Real(), packed=True)
    with pytest.raises(TypeError, match="host"):
        RingFunctor(Counting())
    with pytest.raises(ArgumentTypeError, match="x: GF2 .* integers"):
        RingFunctor(GF2, packed=True).compile(pc.XOR())(np.ones((1, 2)))
    with pytest.raises(TypeError, match="Semiring"):
        RingFunctor("GF2")


def test_repr_describes_the_schedule():
    f = RingFunctor(GF2).compile(pc.matvec(4, 4))
    assert "28 gates" in repr(f) and f.steps >= 1
