"""SemiMarkovCRF against brute-force enumeration of labelled segmentations, in every
semiring: partition, marginals, best, k best, exact count, expectation, samples."""

from math import comb

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Boolean, Expectation, Real
from catlearn.structured.semimarkov import SemiMarkov, SemiMarkovCRF

SHAPE = (2, 4, 3, 2, 2)  # batch, T, K, C, C: up to 5 positions, jumps of 1 or 2, 2 labels
LENGTHS = np.array([5, 3])


def theta(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(SHAPE).astype(np.float32)


def enumerate_item(t: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Every structure of one item and its score (float64; −∞ where a part is)."""
    ys = SemiMarkov().structures(t.shape, length)
    with np.errstate(invalid="ignore"):
        scores = np.where(ys > 0, t[None].astype(np.float64), 0.0).sum(axis=(1, 2, 3, 4))
    return ys, scores


def brute(t: np.ndarray, lengths: np.ndarray) -> list[dict]:
    out = []
    for b, length in enumerate(lengths):
        ys, s = enumerate_item(t[b], int(length))
        m = np.max(s)
        logz = m + np.log(np.sum(np.exp(s - m)))
        p = np.exp(s - logz)
        out.append(dict(ys=ys, scores=s, logz=logz, p=p, marginals=np.tensordot(p, ys, axes=1)))
    return out


@pytest.fixture(scope="module")
def case():
    t = theta()
    return t, SemiMarkovCRF(jnp.asarray(t), jnp.asarray(LENGTHS)), brute(t, LENGTHS)


def test_log_partition_and_marginals(case):
    _, crf, ref = case
    np.testing.assert_allclose(crf.log_partition, [r["logz"] for r in ref], rtol=1e-5)
    np.testing.assert_allclose(crf.marginals, [r["marginals"] for r in ref], atol=1e-5)


def test_real_and_boolean_partition(case):
    _, crf, ref = case
    np.testing.assert_allclose(crf.partition(Real()), [np.exp(r["logz"]) for r in ref], rtol=1e-4)
    assert crf.partition(Boolean()).tolist() == [True, True]


def test_count_is_exact_and_passes_2_to_the_63():
    # Flat scores, 61 positions, jumps of 1 or 2, 3 labels: s jumps of total 60 are
    # C(s, 60 − s) cuttings with 3^(s + 1) labellings.
    big = SemiMarkovCRF(jnp.zeros((1, 60, 3, 3, 3)))
    expected = sum(comb(s, 60 - s) * 3 ** (s + 1) for s in range(30, 61))
    assert expected > 2**63 and int(big.count()[0]) == expected


def test_expectation_gives_the_entropy(case):
    _, crf, ref = case
    z, total = crf.partition(Expectation)
    entropy = [-(r["p"] * np.log(r["p"])).sum() for r in ref]
    np.testing.assert_allclose(jnp.log(z) - total / z, entropy, rtol=1e-4)
    np.testing.assert_allclose(crf.entropy, entropy, rtol=1e-4)


def test_sample_frequencies_match_marginals(case):
    _, crf, ref = case
    ys = crf.sample(jax.random.key(1), 4000)
    assert ys.shape == (4000,) + SHAPE
    assert set(np.unique(ys).tolist()) <= {0.0, 1.0}
    np.testing.assert_allclose(ys.mean(axis=0), [r["marginals"] for r in ref], atol=0.04)
    # Every sample is a structure of its item.
    for b, r in enumerate(ref):
        flat = r["ys"].reshape(len(r["ys"]), -1)
        sample = np.asarray(ys[:50, b]).reshape(50, -1)
        assert all((flat == s).all(axis=1).any() for s in sample)


def test_padding_and_unused_slots_get_zero_marginals(case):
    _, crf, _ = case
    mu = np.asarray(crf.marginals)
    assert np.all(mu[:, :, 0] == 0)  # no jump of length 0
    assert np.all(mu[1, 2:] == 0) and np.all(mu[1, 1, 2] == 0)  # item 1 ends at position 2
    assert np.all(np.asarray(crf.argmax)[1, 2:] == 0)


def test_one_position_is_the_empty_segmentation():
    crf = SemiMarkovCRF(jnp.asarray(theta()), jnp.array([1, 2]))
    assert crf.log_partition[0] == 0.0 and int(crf.count()[0]) == 1
    assert np.all(np.asarray(crf.marginals)[0] == 0)


def test_neg_inf_potentials_are_forbidden_with_finite_gradients():
    t = theta()
    t[:, :, 1] = -np.inf  # no jump of length 1: only even cuttings remain
    t[0, 0, 2, 0, 1] = -np.inf
    crf = SemiMarkovCRF(jnp.asarray(t), jnp.asarray(LENGTHS))
    ref = brute(t, LENGTHS)
    np.testing.assert_allclose(crf.log_partition, [r["logz"] for r in ref], rtol=1e-5)
    mu = np.asarray(crf.marginals)
    assert np.isfinite(mu).all() and np.all(mu[np.isneginf(t)] == 0)
    assert [int(c) for c in crf.count()] == [int((r["p"] > 0).sum()) for r in ref]
    # An item with no allowed structure: −∞, zero (not NaN) gradient.
    dead = SemiMarkovCRF(jnp.full(SHAPE, -jnp.inf, jnp.float32))  # compiled already
    assert dead.log_partition.tolist() == [-np.inf, -np.inf]
    assert np.all(np.asarray(dead.marginals) == 0)


def test_jit_with_traced_lengths(case):
    t, crf, _ = case

    @jax.jit
    def logz(t, lengths):
        return SemiMarkovCRF(t, lengths).log_partition

    np.testing.assert_allclose(logz(jnp.asarray(t), jnp.asarray(LENGTHS)), crf.log_partition)


@pytest.mark.parametrize(
    "potentials, lengths, error",
    [
        ("scores", None, ArgumentTypeError),
        (np.zeros((2, 4, 3, 2)), None, ShapeError),  # no batch axis
        (np.zeros((2, 4, 3, 2, 3)), None, ShapeError),  # labels not square
        (np.zeros((2, 4, 1, 2, 2)), None, ShapeError),  # K = 1: no jump at all
        (np.zeros(SHAPE), np.array([5.0, 3.0]), ArgumentTypeError),
        (np.zeros(SHAPE), np.array([5, 3, 2]), ShapeError),
        (np.zeros(SHAPE), np.array([6, 3]), ArgumentValueError),
        (np.zeros(SHAPE), np.array([5, 0]), ArgumentValueError),
    ],
)
def test_bad_inputs_are_refused(potentials, lengths, error):
    with pytest.raises(error):
        SemiMarkovCRF(potentials, lengths)
