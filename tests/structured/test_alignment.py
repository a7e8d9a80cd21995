"""AlignmentCRF against brute-force enumeration of monotone paths, in every semiring:
partition, marginals, best, k best, exact count, expectation, samples."""

from math import comb

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Boolean, Expectation, MaxPlus, Real
from catlearn.structured.alignment import Alignment, AlignmentCRF

SHAPE = (3, 3, 4, 3)  # batch, N, M, moves
LENGTHS = np.array([[3, 4], [2, 3], [3, 1]])


def theta(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(SHAPE).astype(np.float32)


def brute(t: np.ndarray, lengths: np.ndarray) -> list[dict]:
    """Every path of each item, its score (float64), log Z, p and the marginals."""
    out = []
    for b, length in enumerate(lengths):
        ys = Alignment().structures(t.shape[1:], length)
        with np.errstate(invalid="ignore"):
            s = np.where(ys > 0, t[b][None].astype(np.float64), 0.0).sum(axis=(1, 2, 3))
        m = np.max(s)
        logz = m + np.log(np.sum(np.exp(s - m))) if np.isfinite(m) else -np.inf
        p = np.exp(s - logz) if np.isfinite(m) else np.zeros_like(s)
        out.append(dict(ys=ys, scores=s, logz=logz, p=p, marginals=np.tensordot(p, ys, axes=1)))
    return out


def delannoy(n: int, m: int) -> int:
    """Monotone paths with diagonal steps from corner to corner of an n × m grid."""
    a, b = n - 1, m - 1
    return sum(comb(a, k) * comb(b, k) * 2**k for k in range(min(a, b) + 1))


@pytest.fixture(scope="module")
def case():
    t = theta()
    return t, AlignmentCRF(jnp.asarray(t), jnp.asarray(LENGTHS)), brute(t, LENGTHS)


def test_log_partition_and_marginals(case):
    _, crf, ref = case
    np.testing.assert_allclose(crf.log_partition, [r["logz"] for r in ref], rtol=1e-5)
    np.testing.assert_allclose(crf.marginals, [r["marginals"] for r in ref], atol=1e-5)


def test_real_and_boolean_partition(case):
    _, crf, ref = case
    np.testing.assert_allclose(crf.partition(Real()), [np.exp(r["logz"]) for r in ref], rtol=1e-4)
    assert crf.partition(Boolean()).tolist() == [True, True, True]


def test_count_is_exact_and_passes_2_to_the_63():
    crf = AlignmentCRF(jnp.zeros(SHAPE), jnp.asarray(LENGTHS))
    counts = [int(c) for c in crf.count()]
    assert counts == [delannoy(*n) for n in LENGTHS] == [25, 5, 1]
    assert counts == [len(Alignment().structures(SHAPE[1:], n)) for n in LENGTHS]
    big = AlignmentCRF(jnp.zeros((1, 30, 31, 3)))
    assert delannoy(30, 31) > 2**63 and int(big.count()[0]) == delannoy(30, 31)


def test_expectation_gives_the_entropy(case):
    _, crf, ref = case
    z, total = crf.partition(Expectation)
    entropy = [-(r["p"] * np.log(r["p"])).sum() for r in ref]
    np.testing.assert_allclose(jnp.log(z) - total / z, entropy, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(crf.entropy, entropy, rtol=1e-4, atol=1e-6)


def test_sample_frequencies_match_marginals(case):
    _, crf, ref = case
    ys = crf.sample(jax.random.key(1), 4000)
    assert ys.shape == (4000,) + SHAPE
    np.testing.assert_allclose(ys.mean(axis=0), [r["marginals"] for r in ref], atol=0.04)
    for b, r in enumerate(ref):  # every sample is a path of its item
        flat = r["ys"].reshape(len(r["ys"]), -1)
        sample = np.asarray(ys[:50, b]).reshape(50, -1)
        assert all((flat == s).all(axis=1).any() for s in sample)


def test_cells_outside_the_lengths_get_zero_marginals(case):
    _, crf, _ = case
    mu = np.asarray(crf.marginals)
    assert np.all(mu[1, 2:] == 0) and np.all(mu[1, :, 3:] == 0)  # item 1 is 2 × 3
    assert np.all(mu[2, :, 1:] == 0)  # item 2 is 3 × 1
    assert np.all(mu[:, 0, 0, 1:] == 0) and np.all(mu[:, 0, 0, 0] == 1)
    assert np.all(mu[:, 1:, 0, 0] == 0) and np.all(mu[:, 0, 1:, 0] == 0)  # from off the grid
    np.testing.assert_allclose(mu[2, :3, 0], [[1, 0, 0], [0, 1, 0], [0, 1, 0]], atol=1e-6)


def test_neg_inf_potentials_are_forbidden_with_finite_gradients():
    t = theta()
    t[:, 1, 1, 0] = -np.inf
    t[:, 2, 3, 2] = -np.inf
    t[1, 1, 2] = -np.inf  # item 1 cannot reach its last cell: no path at all
    crf = AlignmentCRF(jnp.asarray(t), jnp.asarray(LENGTHS))
    ref = brute(t, LENGTHS)
    np.testing.assert_allclose(crf.log_partition, [r["logz"] for r in ref], rtol=1e-5)
    assert crf.log_partition[1] == -np.inf
    mu = np.asarray(crf.marginals)
    assert np.isfinite(mu).all() and np.all(mu[np.isneginf(t)] == 0) and np.all(mu[1] == 0)
    np.testing.assert_allclose(mu, [r["marginals"] for r in ref], atol=1e-5)
    assert [int(c) for c in crf.count()] == [int((r["p"] > 0).sum()) for r in ref]


def test_from_scores_is_dtw_with_a_gap_penalty():
    match = np.random.default_rng(2).standard_normal((1, 3, 4))
    crf = AlignmentCRF.from_scores(jnp.asarray(match, jnp.float32), gap=0.3)
    ys = Alignment().structures((3, 4, 3), (3, 4))
    cells = ys.max(axis=-1)
    gaps = ys[..., 1:].sum(axis=(1, 2, 3))
    best = np.max((cells * match[0]).sum(axis=(1, 2)) - 0.3 * gaps)
    np.testing.assert_allclose(crf.partition(MaxPlus()), [best], rtol=1e-5)


def test_jit_with_traced_lengths(case):
    t, crf, _ = case

    @jax.jit
    def logz(t, lengths):
        return AlignmentCRF(t, lengths).log_partition

    np.testing.assert_allclose(logz(jnp.asarray(t), jnp.asarray(LENGTHS)), crf.log_partition)


@pytest.mark.parametrize(
    "potentials, lengths, error",
    [
        (None, None, ArgumentTypeError),
        (np.zeros((3, 4, 3)), None, ShapeError),  # no batch axis
        (np.zeros((3, 3, 4, 2)), None, ShapeError),  # two moves, not three
        (np.zeros((3, 0, 4, 3)), None, ShapeError),  # an empty sequence
        (np.zeros(SHAPE), np.array([3, 4, 2]), ShapeError),  # one length, not a pair
        (np.zeros(SHAPE), np.ones((3, 2)) * 2.0, ArgumentTypeError),
        (np.zeros(SHAPE), np.array([[3, 4], [2, 3], [4, 1]]), ArgumentValueError),
        (np.zeros(SHAPE), np.array([[3, 5], [2, 3], [3, 1]]), ArgumentValueError),
        (np.zeros(SHAPE), np.array([[3, 4], [0, 3], [3, 1]]), ArgumentValueError),
    ],
)
def test_bad_inputs_are_refused(potentials, lengths, error):
    with pytest.raises(error):
        AlignmentCRF(potentials, lengths)


@pytest.mark.parametrize(
    "match, gap, error",
    [
        (np.zeros((3, 4)), 1.0, ShapeError),
        (np.zeros((1, 3, 4)), "1", ArgumentTypeError),
        (np.zeros((1, 3, 4)), float("nan"), ArgumentValueError),
        ("abc", 1.0, ArgumentTypeError),
    ],
)
def test_bad_scores_are_refused(match, gap, error):
    with pytest.raises(error):
        AlignmentCRF.from_scores(match, gap)
