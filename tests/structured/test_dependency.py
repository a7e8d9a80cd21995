"""Dependency CRFs (projective by Eisner, non-projective by the matrix-tree theorem):
every query against brute-force enumeration of head vectors."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, HostOnlyError, ShapeError
from catlearn.semirings import Boolean, Expectation, MaxPlus, Real, TopK
from catlearn.structured.dependency import DependencyCRF
from catlearn.structured.nonprojective import (
    NonProjective,
    NonProjectiveDependencyCRF,
    bareiss,
    best_tree,
)

N = 4
LENGTHS = [4, 3]
FAMILIES = {
    "projective-multiroot": (DependencyCRF, True),
    "projective-one-root": (DependencyCRF, False),
    "nonprojective-multiroot": (NonProjectiveDependencyCRF, True),
    "nonprojective-one-root": (NonProjectiveDependencyCRF, False),
}


def theta(seed=0, shape=(2, N, N)):
    return jax.random.normal(jax.random.key(seed), shape)


def is_family(crf, *names):
    """Whether ``crf`` is one of the named FAMILIES (to spend compiles where code differs)."""
    return any(
        type(crf) is FAMILIES[name][0] and crf.program.multiroot == FAMILIES[name][1]
        for name in names
    )


def brute(crf, b, length):
    """Structures, scores and log Z of one item, in float64."""
    t = np.asarray(crf.log_potentials[b], dtype=np.float64)
    ys = crf.program.structures(t.shape, length)
    scores = np.where(ys > 0, t, 0.0).reshape(len(ys), -1).sum(1)
    m = scores[np.isfinite(scores)].max(initial=-np.inf)
    return ys, scores, m + np.log(np.exp(scores - m).sum()) if np.isfinite(m) else -np.inf


@functools.cache
def make(family):
    cls, multiroot = FAMILIES[family]
    return cls(theta(), lengths=LENGTHS, multiroot=multiroot)


@pytest.fixture(scope="module", params=list(FAMILIES))
def crf(request):
    return make(request.param)


# laws.structured checks the other two variants' log Z, marginals and entropy
@pytest.mark.parametrize("family", ["projective-multiroot", "nonprojective-multiroot"])
def test_log_partition_marginals_and_entropy_match_enumeration(family):
    crf = make(family)
    mu = np.asarray(crf.marginals)
    for b, L in enumerate(LENGTHS):
        ys, scores, log_z = brute(crf, b, L)
        p = np.exp(scores - log_z)
        np.testing.assert_allclose(crf.log_partition[b], log_z, rtol=1e-5)
        np.testing.assert_allclose(mu[b], np.tensordot(p, ys, 1), atol=1e-5)
        entropy = -(p * np.log(p)).sum()
        np.testing.assert_allclose(crf.entropy[b], entropy, rtol=1e-4)
        z, expected = crf.partition(Expectation)
        np.testing.assert_allclose(crf.partition(Real())[b], np.exp(log_z), rtol=1e-5)
        np.testing.assert_allclose(np.log(z[b]) - expected[b] / z[b], entropy, rtol=1e-4)
    np.testing.assert_allclose(mu.sum(axis=1), [[1, 1, 1, 1], [1, 1, 1, 0]], atol=1e-5)
    assert np.all(mu[1, 3:] == 0) and np.all(mu[1, :, 3:] == 0)  # padding: exactly zero


def test_counts_past_int64_match_closed_forms():
    L = 40  # projective trees: C(3L, L)/(2L + 1) with any root children, C(3L−2, L−1)/L one
    flat = jnp.zeros((1, L, L))
    assert DependencyCRF(flat).count()[0] == math.comb(3 * L, L) // (2 * L + 1) > 2**63
    one = DependencyCRF(flat, multiroot=False).count()[0]
    assert one == math.comb(3 * L - 2, L - 1) // L > 2**63
    L = 20  # non-projective: (L + 1)^(L − 1) and L^(L − 1) (Cayley)
    flat = jnp.zeros((1, L, L))
    assert NonProjectiveDependencyCRF(flat, multiroot=True).count()[0] == (L + 1) ** (L - 1)
    assert NonProjectiveDependencyCRF(flat).count()[0] == L ** (L - 1) > 2**63
    assert bareiss([[2, 1], [4, 2]]) == 0 and bareiss([[0, 1], [1, 0]]) == -1


# nonprojective-multiroot is left out: the same sampler as one root child, another Laplacian
@pytest.mark.parametrize(
    "family", ["projective-multiroot", "projective-one-root", "nonprojective-one-root"]
)
def test_samples_are_trees_with_marginal_frequencies(family):
    crf = make(family)
    n = 2000
    samples = np.asarray(crf.sample(jax.random.key(1), n))
    assert samples.shape == (n, 2, N, N)
    for b, L in enumerate(LENGTHS):
        known = {y.tobytes() for y in brute(crf, b, L)[0].astype(samples.dtype)}
        assert all(y.tobytes() in known for y in samples[:100, b])
    mu = np.asarray(crf.marginals)
    freq = samples.mean(0)
    assert np.all(np.abs(freq - mu) <= 5 * np.sqrt(mu * (1 - mu) / n) + 2e-3)


def test_minus_infinity_gives_zero_marginals_and_finite_gradients(crf):
    t = crf.log_potentials.at[0, 1, 2].set(-jnp.inf).at[0, 0, 0].set(-jnp.inf)
    t = t.at[1].set(t[1].at[:, 1].set(-jnp.inf))  # word 1 of item 1 has no head: no tree
    other = type(crf)(t, multiroot=crf.program.multiroot)
    ys, scores, log_z = brute(other, 0, N)
    np.testing.assert_allclose(other.log_partition[0], log_z, rtol=1e-5)
    mu = np.asarray(other.marginals)
    assert np.all(np.isfinite(mu)) and mu[0, 1, 2] == 0 and mu[0, 0, 0] == 0
    assert other.log_partition[1] == -jnp.inf and np.all(mu[1] == 0)
    assert [int(c) for c in other.count()] == [int(np.isfinite(scores).sum()), 0]
    assert other.max[1] == -jnp.inf


@pytest.mark.parametrize("family", ["projective-multiroot", "nonprojective-one-root"])
def test_jit_with_traced_lengths_matches_eager(family):
    crf = make(family)  # one variant of each program is enough
    cls, multiroot = type(crf), crf.program.multiroot
    f = jax.jit(lambda t, L: cls(t, L, multiroot=multiroot).log_partition)
    np.testing.assert_allclose(
        f(crf.log_potentials, jnp.array(LENGTHS)), crf.log_partition, rtol=1e-6
    )


@pytest.mark.parametrize("multiroot", [True, False])
def test_chu_liu_edmonds_matches_enumeration(multiroot):
    rng = np.random.default_rng(0)
    program = NonProjective(multiroot)
    ys = program.structures((5, 5), 5)
    for _ in range(20):
        t = rng.standard_normal((5, 5))
        t[rng.random((5, 5)) < 0.3] = -np.inf
        scores = np.where(ys > 0, t, 0.0).sum(axis=(1, 2))
        y = best_tree(t, 5, multiroot)
        if np.isfinite(scores.max()):
            np.testing.assert_array_equal(y, ys[np.argmax(scores)])
        else:
            assert not y.any()


def test_bad_inputs_raise_typed_errors():
    for cls in (DependencyCRF, NonProjectiveDependencyCRF):
        with pytest.raises(ShapeError, match="batch, N, N"):
            cls(jnp.zeros((3, 3)))
        with pytest.raises(ShapeError, match="ROOT"):
            cls(jnp.zeros((1, 3, 4)))
        with pytest.raises(ArgumentValueError, match="lengths"):
            cls(jnp.zeros((1, 3, 3)), lengths=[4])
        with pytest.raises(ArgumentTypeError, match="lengths"):
            cls(jnp.zeros((1, 3, 3)), lengths=[1.5])
        with pytest.raises(ArgumentTypeError, match="multiroot"):
            cls(jnp.zeros((1, 3, 3)), multiroot="yes")
    crf = NonProjectiveDependencyCRF(jnp.zeros((1, 3, 3)))
    for S in (MaxPlus(), TopK(2), Boolean()):
        with pytest.raises(ArgumentTypeError, match="determinant"):
            crf.partition(S)
    with pytest.raises(ArgumentTypeError, match="kbest"):
        crf.kbest(2)
    with pytest.raises(HostOnlyError, match="host"):
        jax.jit(lambda t: NonProjectiveDependencyCRF(t).argmax)(jnp.zeros((1, 3, 3)))
