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


def _residual(n=4, d=3, reverse=False):
    """h ← h + (h W_i)² for n stacked W_i, and each step's h W_i as a y."""
    blk = ArrayBuilder([(2, d), (d, d)])
    h, W = blk.inputs
    hW = blk.matmul(h, W)
    block = blk.build([blk.add(h, blk.mul(hW, hW)), hW])
    b = ArrayBuilder([(2, d), (n, d, d)])
    return b.build(b.scan(block, [b.inputs[0]], [b.inputs[1]], reverse=reverse))


def _loop(h, Ws, reverse=False, xp=jnp):
    ys = [None] * len(Ws)
    for i in reversed(range(len(Ws))) if reverse else range(len(Ws)):
        ys[i] = h @ Ws[i]
        h = h + ys[i] ** 2
    return h, xp.stack(ys)


def test_a_scan_is_one_lax_scan_and_its_derivatives_agree_with_jax(reverse=True):
    c = _residual(reverse=reverse)
    f = RingFunctor(Real()).compile(c)
    rng = np.random.default_rng(2)
    h, Ws = (rng.normal(size=s).astype(np.float32) * 0.3 for s in ((2, 3), (4, 3, 3)))
    assert str(jax.make_jaxpr(f._run)(h, Ws)).count("scan[") == 1
    for got, want in zip(f(h, Ws), _loop(h, Ws, reverse, xp=np)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    dh, dys = (rng.normal(size=s).astype(np.float32) for s in ((2, 3), (4, 2, 3)))
    outs, pull = jax.vjp(f, h, Ws)  # JAX's own derivative of lax.scan
    r = RingFunctor(Real()).compile(reverse_derivative(c))
    for got, want in zip(r(h, Ws, dh, dys), pull((dh, dys))):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    _, jv = jax.jvp(f, (h, Ws), (dh, Ws))
    d = RingFunctor(Real()).compile(forward_derivative(c))
    for got, want in zip(d(h, Ws, dh, Ws), jv):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_a_scan_compiles_batched_and_over_gf2():
    c = _residual()
    rng = np.random.default_rng(3)
    h, Ws = rng.integers(0, 2, (5, 2, 3)), rng.integers(0, 2, (4, 3, 3))
    got = RingFunctor(GF2).compile(c)(h, Ws)  # h batched, Ws shared
    for i in range(5):
        for g, w in zip(got, _loop(h[i], Ws, xp=np)):
            np.testing.assert_array_equal(g[i], w % 2)


def test_the_scan_rule_rematerialises_without_the_replayed_residuals():
    """Called on a builder whose forward scan saved nothing, the rule recomputes the
    residuals by one more forward scan: same cotangents."""
    from catlearn.diagrams.arrays.circuit import _TrustedArrayBuilder
    from catlearn.functors import array_derivatives as ad
    from catlearn.laws.arrays import evaluate

    c = _residual()
    (op,) = c.ops
    b = _TrustedArrayBuilder(c.input_shapes + c.output_shapes)
    dxs = ad.ARRAY_RULES["scan"](b, op, (0, 1), (2, 3))
    remat = b.build(list(dxs))
    assert remat.count() == {"scan": 2}
    rng = np.random.default_rng(4)
    args = [rng.normal(size=s) * 0.3 for s in remat.input_shapes]
    for got, want in zip(evaluate(remat, args, None), evaluate(reverse_derivative(c), args, None)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
