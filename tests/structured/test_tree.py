"""TreeCRF (CKY over labelled spans): every query against brute-force enumeration."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Boolean, Expectation, Real
from catlearn.structured.tree import SpanTree, TreeCRF, spans, tree

N, NT = 4, 2
LENGTHS = [4, 3]


def theta(seed=0, shape=(2, N, N, NT)):
    return jax.random.normal(jax.random.key(seed), shape)


def brute(t, length):
    """Structures, their scores and log Z of one item, in float64."""
    t = np.asarray(t, dtype=np.float64)
    ys = SpanTree().structures(t.shape, length)
    scores = np.where(ys > 0, t, 0.0).reshape(len(ys), -1).sum(1)
    m = scores.max()
    return ys, scores, m + np.log(np.exp(scores - m).sum())


@pytest.fixture(scope="module")
def crf():
    return TreeCRF(theta(), lengths=LENGTHS)


def test_log_partition_and_marginals_match_enumeration(crf):
    for b, L in enumerate(LENGTHS):
        ys, scores, log_z = brute(crf.log_potentials[b], L)
        p = np.exp(scores - log_z)
        np.testing.assert_allclose(crf.log_partition[b], log_z, rtol=1e-5)
        np.testing.assert_allclose(crf.marginals[b], np.tensordot(p, ys, 1), atol=1e-5)
    # padding (words ≥ L, lower triangle) gets exactly zero marginals
    mu = np.asarray(crf.marginals)
    assert np.all(mu[1, 3:] == 0) and np.all(mu[1, :, 3:] == 0)
    assert np.all(mu[:, np.tril_indices(N, -1)[0], np.tril_indices(N, -1)[1]] == 0)


def test_real_partition_and_entropy_by_expectation(crf):
    z, expected = crf.partition(Expectation)
    for b, L in enumerate(LENGTHS):
        _, scores, log_z = brute(crf.log_potentials[b], L)
        p = np.exp(scores - log_z)
        entropy = -(p * np.log(p)).sum()
        np.testing.assert_allclose(crf.partition(Real())[b], np.exp(log_z), rtol=1e-5)
        np.testing.assert_allclose(np.log(z[b]) - expected[b] / z[b], entropy, rtol=1e-4)
        np.testing.assert_allclose(crf.entropy[b], entropy, rtol=1e-4)


def test_count_is_exact_past_int64():
    L = 33  # Catalan(32) bracketings × 2^65 labellings
    big = TreeCRF(jnp.zeros((1, L, L, 2))).count()[0]
    assert big == math.comb(2 * (L - 1), L - 1) // L * 2 ** (2 * L - 1) and big > 2**63
    assert TreeCRF(jnp.zeros((1, 3, 3, 1))).partition(Boolean()).tolist() == [True]


def test_samples_are_bracketings_with_marginal_frequencies(crf):
    n = 3000
    samples = np.asarray(crf.sample(jax.random.key(1), n))
    assert samples.shape == (n, 2, N, N, NT)
    for b, L in enumerate(LENGTHS):
        known = {y.tobytes() for y in brute(crf.log_potentials[b], L)[0].astype(samples.dtype)}
        assert all(y.tobytes() in known for y in samples[:200, b])
    mu = np.asarray(crf.marginals)
    freq = samples.mean(0)
    assert np.all(np.abs(freq - mu) <= 5 * np.sqrt(mu * (1 - mu) / n) + 2e-3)


def test_minus_infinity_gives_zero_marginals_and_finite_gradients():
    t = theta(2)
    t = t.at[0, 0, 1].set(-jnp.inf).at[0, 2, 2, 0].set(-jnp.inf)  # span (0, 1) barred
    crf = TreeCRF(t)
    ys, scores, log_z = brute(t[0], N)
    np.testing.assert_allclose(crf.log_partition[0], log_z, rtol=1e-5)
    mu = np.asarray(crf.marginals)
    assert np.all(np.isfinite(mu)) and np.all(mu[0, 0, 1] == 0) and mu[0, 2, 2, 0] == 0
    assert int(crf.count()[0]) == int(np.isfinite(scores).sum())
    # no bracketing at all: a word with every label barred
    dead = TreeCRF(t.at[1, 3, 3].set(-jnp.inf))
    assert dead.log_partition[1] == -jnp.inf and int(dead.count()[1]) == 0
    assert np.all(dead.marginals[1] == 0)


def test_jit_with_traced_lengths_matches_eager(crf):
    f = jax.jit(lambda t, L: TreeCRF(t, L).log_partition)
    np.testing.assert_allclose(
        f(crf.log_potentials, jnp.array(LENGTHS)), crf.log_partition, rtol=1e-6
    )


def test_tree_reading():
    t = jnp.zeros((1, 3, 3, 2)).at[0, 1, 2, 1].set(5.0)  # favour (1, 2) labelled 1
    crf = TreeCRF(t)
    y = crf.argmax
    assert spans(y[0]) == [(0, 2, 0), (0, 0, 0), (1, 2, 1), (1, 1, 0), (2, 2, 0)]
    assert crf.tree(y) == (0, (0, 0), (1, (0, 1), (0, 2)))
    assert tree(jnp.ones((1, 1, 1))) == (0, 0)


def test_bad_inputs_raise_typed_errors():
    with pytest.raises(ShapeError, match="batch, N, N, NT"):
        TreeCRF(jnp.zeros((3, 3, 2)))
    with pytest.raises(ShapeError, match="square"):
        TreeCRF(jnp.zeros((1, 3, 4, 2)))
    with pytest.raises(ArgumentValueError, match="lengths"):
        TreeCRF(jnp.zeros((1, 3, 3, 2)), lengths=[4])
    with pytest.raises(ArgumentValueError, match="lengths"):
        TreeCRF(jnp.zeros((1, 3, 3, 2)), lengths=[0])
    with pytest.raises(ArgumentTypeError, match="lengths"):
        TreeCRF(jnp.zeros((1, 3, 3, 2)), lengths=[2.0])
    with pytest.raises(ShapeError, match="lengths"):
        TreeCRF(jnp.zeros((1, 3, 3, 2)), lengths=[2, 3])
    with pytest.raises(ArgumentTypeError, match="log_potentials"):
        TreeCRF("scores")
    with pytest.raises(ArgumentValueError, match="bracketing"):
        spans(jnp.ones((3, 3, 1)))
    with pytest.raises(ShapeError, match="structure"):
        spans(jnp.ones((3, 2, 1)))
    with pytest.raises(ShapeError, match="structure"):
        TreeCRF(jnp.zeros((1, 3, 3, 2))).tree(jnp.zeros((3, 3, 2)))
