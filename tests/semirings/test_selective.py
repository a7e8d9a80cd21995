"""The selective (max/min) kernel: right answers, subgradients, bounded memory."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.semirings import Fuzzy, MaxPlus, MinPlus, Viterbi, einsum, selective


def test_maxplus_matches_broadcast():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(37, 29)), rng.normal(size=(29, 41))
    want = np.max(a[:, :, None] + b[None], axis=1)
    np.testing.assert_allclose(einsum(MaxPlus(), "ij,jk->ik", a, b), want, rtol=1e-6)
    want = np.min(a[:, :, None] + b[None], axis=1)
    np.testing.assert_allclose(einsum(MinPlus(), "ij,jk->ik", a, b), want, rtol=1e-6)


def test_blocking_gives_the_same_answer(monkeypatch):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 9, 7)), rng.normal(size=(2, 7, 5))
    whole = MaxPlus().matmul(jnp.asarray(a), jnp.asarray(b))
    monkeypatch.setattr(selective, "_block_elements", lambda: 35)  # one row per block
    blocked = selective._blocked(MaxPlus.mul, "max", False, jnp.asarray(a), jnp.asarray(b))
    np.testing.assert_array_equal(whole, blocked)


def test_subgradient_flows_to_the_winner():
    a = jnp.array([[1.0, 5.0]])
    b = jnp.array([[0.0, 9.0], [2.0, 0.0]])
    ga, gb = jax.grad(lambda a, b: einsum(MaxPlus(), "ij,jk->ik", a, b).sum(), (0, 1))(a, b)
    # out[0,0] = max(1+0, 5+2) picks k=1; out[0,1] = max(1+9, 5+0) picks k=0.
    assert ga.tolist() == [[1.0, 1.0]]
    assert gb.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_viterbi_gradient_uses_mul_derivative():
    a = jnp.array([[0.5, 0.25]])
    b = jnp.array([[0.5], [1.0]])
    ga = jax.grad(lambda a: einsum(Viterbi(), "ij,jk->ik", a, b).sum())(a)
    assert ga.tolist() == [[0.5, 0.0]]  # d(a·b)/da = b at the winner k=0


def test_neg_inf_absorbs_pos_inf():
    S = MaxPlus()
    assert float(S.mul(jnp.array(-jnp.inf), jnp.array(jnp.inf))) == -np.inf
    assert float(MinPlus().mul(jnp.array(jnp.inf), jnp.array(-jnp.inf))) == np.inf


def test_fuzzy_matmul():
    a = jnp.array([[0.2, 0.9]])
    b = jnp.array([[1.0], [0.5]])
    assert einsum(Fuzzy(), "ij,jk->ik", a, b).tolist() == [[0.5]]


@pytest.mark.slow
def test_large_maxplus_product_runs_in_blocks():
    # 1024³ broadcast would be 4 GiB; the kernel holds one 16 MiB block at a time.
    n = 1024
    a = jnp.zeros((n, n)).at[0, 5].set(3.0)
    b = jnp.zeros((n, n)).at[5, 7].set(4.0)
    out = einsum(MaxPlus(), "ij,jk->ik", a, b)
    assert float(out[0, 7]) == 7.0 and float(out[1, 1]) == 0.0
