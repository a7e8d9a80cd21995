"""Log semiring numerics: exact at −∞ in value and gradient, no silent underflow."""

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.semirings import Log, einsum

NEG = -jnp.inf


def reference(a, b):
    """float64 log-sum-exp over all terms."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    terms = a[:, :, None] + b[None, :, :]
    m = np.max(terms, axis=1)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(terms - safe[:, None, :]), axis=1)) + safe


def test_all_neg_inf_row_gives_neg_inf_and_zero_gradient():
    a = jnp.array([[NEG, NEG], [0.0, -1.0]])
    b = jnp.array([[0.0, 1.0], [2.0, NEG]])
    out = einsum(Log(), "ij,jk->ik", a, b)
    assert out[0].tolist() == [NEG, NEG]
    ga, gb = jax.grad(lambda a, b: einsum(Log(), "ij,jk->ik", a, b)[1].sum(), (0, 1))(a, b)
    assert np.isfinite(ga).all() and np.isfinite(gb).all()
    ga0, gb0 = jax.grad(lambda a, b: einsum(Log(), "ij,jk->ik", a, b)[0].sum(), (0, 1))(a, b)
    assert np.all(np.asarray(ga0) == 0) and np.all(np.asarray(gb0) == 0)


def test_elementwise_ops_have_finite_gradients_at_neg_inf():
    L = Log()
    g = jax.grad(lambda a, b: L.add(a, b), (0, 1))(NEG, NEG)
    assert [float(v) for v in g] == [0.0, 0.0]
    g = jax.grad(lambda x: L.sum(x, 0))(jnp.array([NEG, NEG, NEG]))
    assert np.all(np.asarray(g) == 0)
    g = jax.grad(lambda x: L.sum(x, 0))(jnp.array([0.0, NEG]))
    assert g.tolist() == [1.0, 0.0]  # the posterior weights


def test_gradient_is_posterior_weight():
    a = jnp.log(jnp.array([[0.2, 0.3]]))
    b = jnp.log(jnp.array([[1.0], [2.0]]))
    g = jax.grad(lambda a: einsum(Log(), "ij,jk->ik", a, b).sum())(a)
    np.testing.assert_allclose(g, [[0.2 / 0.8, 0.6 / 0.8]], rtol=1e-6)


def test_matches_float64_reference():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(64, 48)).astype(np.float32) * 10
    b = rng.normal(size=(48, 32)).astype(np.float32) * 10
    a[3, :] = NEG
    b[:, 5] = NEG
    got = np.asarray(einsum(Log(), "ij,jk->ik", a, b))
    want = reference(a, b)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(
        got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-5, atol=1e-4
    )


def test_underflow_of_the_shifted_sum_is_refined_exactly():
    # Row maximum and column maximum sit at different k, 400 apart: exp
    # underflows to 0 after shifting, although the true value is finite.
    a = jnp.array([[0.0, -400.0]])
    b = jnp.array([[-400.0], [0.0]])
    got = float(einsum(Log(), "ij,jk->ik", a, b)[0, 0])
    np.testing.assert_allclose(got, -400.0 + np.log(2.0), rtol=1e-6)
    g = jax.grad(lambda a: einsum(Log(), "ij,jk->ik", a, b).sum())(a)
    np.testing.assert_allclose(g, [[0.5, 0.5]], rtol=1e-5)


def test_block_structured_zeros_stay_neg_inf():
    # Identity matrices: no finite pair for off-diagonal outputs, legitimately −∞.
    eye = jnp.where(jnp.eye(3, dtype=bool), 0.0, NEG)
    got = einsum(Log(), "ij,jk->ik", eye, eye)
    np.testing.assert_array_equal(got, eye)


def test_star_at_neg_inf_and_boundary():
    L = Log()
    assert float(L.star(jnp.array(NEG))) == 0.0
    assert float(L.star(jnp.array(0.0))) == np.inf  # probability 1: the series diverges


def test_custom_gradient_matches_autodiff_of_the_definition():
    rng = np.random.default_rng(3)
    a = jnp.asarray(rng.normal(size=(2, 5, 4)) * 3, dtype=jnp.float32).at[0, 1].set(NEG)
    b = jnp.asarray(rng.normal(size=(2, 4, 3)) * 3, dtype=jnp.float32).at[1, :, 2].set(NEG)
    # One entry whose shifted sum underflows, so both gradient paths run.
    a = a.at[1, 0].set(jnp.array([0.0, -300.0, NEG, NEG]))
    b = b.at[1, :, 0].set(jnp.array([-300.0, 0.0, NEG, NEG]))
    g = jnp.asarray(rng.normal(size=(2, 5, 3)), dtype=jnp.float32)

    # Reference: d out[m, n] / d a[m, k] = exp(a[m, k] + b[k, n] − out[m, n]), in float64.
    a64, b64, g64 = (np.asarray(v, np.float64) for v in (a, b, g))
    terms = a64[:, :, :, None] + b64[:, None, :, :]  # (B, M, K, N)
    out = np.stack([reference(x, y) for x, y in zip(a64, b64)])
    live = np.isfinite(out)[:, :, None, :]
    with np.errstate(invalid="ignore"):
        w = np.where(live, np.exp(terms - np.where(live, out[:, :, None, :], 0.0)), 0.0)
    want_a = np.einsum("bmkn,bmn->bmk", w, g64)
    want_b = np.einsum("bmkn,bmn->bkn", w, g64)

    def loss(a, b):
        out = Log().matmul(a, b)
        return jnp.sum(jnp.where(jnp.isfinite(out), out, 0.0) * g)

    got_a, got_b = jax.grad(loss, (0, 1))(a, b)
    np.testing.assert_allclose(got_a, want_a, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, want_b, rtol=1e-4, atol=1e-5)


def test_gradient_stores_nothing_cubic():
    n = 256
    a = jnp.zeros((n, n))
    grad = jax.jit(jax.grad(lambda a, b: einsum(Log(), "ij,jk->ik", a, b).sum()))
    analysis = grad.lower(a, a).compile().memory_analysis()
    if analysis is None:  # pragma: no cover - backend without memory analysis
        return
    assert analysis.temp_size_in_bytes < n**3 * 4 / 16  # an n³ buffer would be 64 MiB
