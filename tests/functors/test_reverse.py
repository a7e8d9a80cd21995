"""R[d] and D[d] are polynomial circuits: they agree with JAX, draw, nest, build in linear time."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.diagrams import Box, to_discopy
from catlearn.diagrams import polycirc as pc
from catlearn.diagrams.polycirc import PolycircError, R
from catlearn.functors import RingFunctor, forward_derivative, polynomials, reverse_derivative
from catlearn.semirings import GF2, Real, Zn

F = RingFunctor(Real())


def test_reverse_derivative_of_matvec_is_vjp():
    d = pc.matvec(3, 4)
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 16)).astype(np.float32)
    b = rng.normal(size=(5, 3)).astype(np.float32)
    _, pull = jax.vjp(F.compile(d), jnp.asarray(a))
    got = F.compile(reverse_derivative(d))(np.concatenate([a, b], axis=1))
    np.testing.assert_allclose(got, pull(jnp.asarray(b))[0], rtol=1e-5, atol=1e-6)


def test_forward_derivative_is_jvp():
    d = pc.matvec(2, 3)
    rng = np.random.default_rng(1)
    a, v = (rng.normal(size=(4, 9)).astype(np.float32) for _ in range(2))
    _, want = jax.jvp(F.compile(d), (jnp.asarray(a),), (jnp.asarray(v),))
    got = F.compile(forward_derivative(d))(np.concatenate([a, v], axis=1))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_reverse_derivative_is_symbolically_the_gradient():
    b = pc.Builder(2)
    x, y = b.inputs
    f = b.build([b.add(b.mul(b.mul(x, x), y), b.neg(y))])  # x²y − y
    dx, dy = polynomials(reverse_derivative(f), ["x", "y", "w"])
    import sympy

    xs, ys, w = sympy.symbols("x y w")
    assert sympy.expand(dx - 2 * xs * ys * w) == 0
    assert sympy.expand(dy - (xs**2 - 1) * w) == 0


def test_over_gf2_the_derivative_belongs_to_the_circuit():
    # x·x and x are one function on GF2 but R differs: 2xb = 0 against b.
    square = pc.Builder(1)
    square = square.build([square.mul(0, 0)])
    points = np.array([[0, 1], [1, 1]])
    G = RingFunctor(GF2)
    assert G.compile(reverse_derivative(square))(points).ravel().tolist() == [0, 0]
    identity = pc.Builder(1).build([0])
    assert G.compile(reverse_derivative(identity))(points).ravel().tolist() == [1, 1]


def test_second_derivative_is_a_circuit_too():
    # R[R[x³]]: its cotangent part is the Hessian-vector product 6x·b·u.
    b = pc.Builder(1)
    cube = b.build([b.mul(b.mul(0, 0), 0)])
    rr = reverse_derivative(reverse_derivative(cube))  # (x, b, u) ↦ (∂/∂x, ∂/∂b) of u·3x²b
    out = F.compile(rr)([[2.0, 1.0, 1.0]])
    assert out.tolist() == [[12.0, 12.0]]


def test_reverse_derivative_draws_as_a_discopy_diagram():
    diagram = to_discopy(reverse_derivative(pc.dot(2)))
    assert len(diagram.dom) == 5 and len(diagram.cod) == 4


def test_size_of_reverse_derivative_is_linear():
    sizes = []
    for m in (4, 8, 16):
        d = pc.matvec(m, m)
        sizes.append(reverse_derivative(d).n_boxes / d.n_boxes)
    assert max(sizes) < 3 and max(sizes) - min(sizes) < 0.2


def test_zero_cotangent_domain_gets_a_zero_gate():
    b = pc.Builder(2)
    f = b.build([b.neg(0)])  # input 1 is discarded
    out = RingFunctor(Zn(5)).compile(reverse_derivative(f))([[3, 4, 2]])
    assert out.tolist() == [[3, 0]]


def test_non_polynomial_boxes_are_refused():
    with pytest.raises(PolycircError, match="not a polynomial-circuit gate"):
        reverse_derivative(Box("relu", R, R))
    with pytest.raises(PolycircError):
        forward_derivative(Box("relu", R, R))


@pytest.mark.parametrize("S", [Zn(5), GF2], ids=repr)
def test_against_target_is_the_derivative_at_the_error(S):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from catlearn.laws.reverse import evaluate
    from catlearn.laws.strategies import polycircs

    @settings(max_examples=25, deadline=None)
    @given(polycircs(), st.integers(0, 2**31))
    def check(f, seed):
        n_a, n_b = len(f.sources), len(f.targets)
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 2 if S == GF2 else 5, size=(3, n_a))
        y = rng.integers(0, 2 if S == GF2 else 5, size=(3, n_b))
        error = S.add(S.asarray(evaluate(f, S, a)), S.neg(S.asarray(y)))
        fused = evaluate(reverse_derivative(f, against_target=True), S, np.c_[a, y])
        two_pass = evaluate(reverse_derivative(f), S, np.c_[a, np.asarray(error)])
        np.testing.assert_array_equal(np.asarray(fused), np.asarray(two_pass))

    check()
