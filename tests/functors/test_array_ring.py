"""Array circuits compiled over a ring: batching, checked inputs, derivatives by dispatch."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.diagrams.arrays import ArrayBuilder
from catlearn.errors import ArgumentTypeError, PolycircError, ShapeError
from catlearn.functors import RingFunctor, forward_derivative, reverse_derivative
from catlearn.semirings import GF2, Boolean, Real, Zn


def _mlp():
    b = ArrayBuilder([(3, 4), (4,)])
    W, x = b.inputs
    h = b.sum(b.mul(W, b.broadcast(x, (3, 4), (1,))), (1,))
    return b.build([b.mul(h, h)])


def test_shared_and_batched_inputs():
    f = RingFunctor(Real()).compile(_mlp())
    rng = np.random.default_rng(0)
    W, xs = rng.normal(size=(3, 4)), rng.normal(size=(2, 5, 4))
    got = f(W, xs)
    assert got.shape == (2, 5, 3)
    np.testing.assert_allclose(got, (xs @ W.T) ** 2, rtol=1e-5)


def test_inputs_are_checked():
    f = RingFunctor(Zn(7)).compile(_mlp())
    with pytest.raises(ShapeError, match="input 1"):
        f(np.zeros((3, 4), int), np.zeros((5,), int))
    with pytest.raises(ShapeError, match="batch shape"):
        f(np.zeros((2, 3, 4), int), np.zeros((3, 4), int))
    with pytest.raises(ArgumentTypeError, match="integers"):
        f(np.zeros((3, 4)), np.zeros(4, int))
    with pytest.raises(ShapeError, match="takes 2 inputs"):
        f(np.zeros((3, 4), int))
    big = np.full((3, 4), 2**40 + 1, dtype=np.int64)  # reduced before the int32 cast
    assert f(big, np.ones(4, int)).tolist() == RingFunctor(Zn(7)).compile(_mlp())(
        np.full((3, 4), (2**40 + 1) % 7), np.ones(4, int)).tolist()


def test_rings_only_where_the_circuit_negates():
    b = ArrayBuilder([(2,)])
    c = b.build([b.neg(b.inputs[0])])
    with pytest.raises(PolycircError, match="not a ring"):
        RingFunctor(Boolean()).compile(c)
    with pytest.raises(ArgumentTypeError, match="bit-packed inside"):
        RingFunctor(GF2, packed=True).compile(c)


def test_derivatives_dispatch_and_agree_with_jax():
    c = _mlp()
    f = RingFunctor(Real()).compile(c)
    r = RingFunctor(Real()).compile(reverse_derivative(c))
    d = RingFunctor(Real()).compile(forward_derivative(c))
    rng = np.random.default_rng(1)
    W, x, dy = (jnp.asarray(rng.normal(size=s), jnp.float32) for s in ((3, 4), (4,), (3,)))
    _, pull = jax.vjp(f, W, x)
    for got, want in zip(r(W, x, dy), pull(dy)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    _, jv = jax.jvp(f, (W, x), (W, x))
    np.testing.assert_allclose(d(W, x, W, x), jv, rtol=1e-5)


def test_a_rule_giving_the_wrong_shape_is_refused():
    from catlearn.functors import array_derivatives as ad

    def bad(b, op, xs, dy):
        return (b.sum(dy, (1,)),)  # (3,), for an input of shape (4,)

    with pytest.raises(PolycircError, match="shape"):
        reverse_derivative(_mlp(), {**ad.ARRAY_RULES, "broadcast": bad})


def test_compiles_under_the_users_jit_and_grad():
    f = RingFunctor(Real()).compile(_mlp())
    W, x = jnp.ones((3, 4)), jnp.arange(4.0)
    g = jax.jit(jax.grad(lambda W: f(W, x).sum()))(W)
    assert g.shape == (3, 4)
