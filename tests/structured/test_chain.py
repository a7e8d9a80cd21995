"""LinearChainCRF against brute-force enumeration of tag sequences, in every semiring,
by both sums (sequential and tree product): values, gradients, samples, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Boolean, Counting, Expectation, Log, MaxPlus, Real
from catlearn.structured import LinearChain, LinearChainCRF, lift

SHAPE = (2, 4, 3, 3)  # batch, T, C, C: up to 5 positions, 3 tags (243 sequences)
LENGTHS = np.array([5, 2])


def theta(seed=0, shape=SHAPE):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def brute(t, lengths):
    """Per item: structures, float64 scores, log Z, probabilities, marginals."""
    out = []
    for b, length in enumerate(lengths):
        ys = LinearChain().structures(t.shape[1:], int(length))
        with np.errstate(invalid="ignore"):
            s = np.where(ys > 0, t[b].astype(np.float64), 0.0).sum(axis=(1, 2, 3))
        m = s[np.isfinite(s)].max(initial=-np.inf)
        logz = m + np.log(np.exp(s - m).sum()) if np.isfinite(m) else -np.inf
        p = np.exp(s - logz) if np.isfinite(logz) else np.zeros_like(s)
        out.append(dict(ys=ys, scores=s, logz=logz, p=p, mu=np.tensordot(p, ys, axes=1)))
    return out


# argmax, k-best, counts against enumeration, and the tree product against the sequential
# scan: laws.structured (tests/laws/test_structured_laws.py), on this same shape.
@pytest.fixture(scope="module")
def case():
    t = theta()
    return t, LinearChainCRF(t, LENGTHS), brute(t, LENGTHS)


def test_partition_marginals_and_entropy_match_enumeration(case):
    _, crf, ref = case
    np.testing.assert_allclose(crf.log_partition, [r["logz"] for r in ref], rtol=1e-5)
    np.testing.assert_allclose(crf.marginals, [r["mu"] for r in ref], atol=1e-5)
    assert np.all(np.asarray(crf.marginals)[1, 1:] == 0)  # edges past the length
    np.testing.assert_allclose(crf.partition(Real()), [np.exp(r["logz"]) for r in ref], rtol=1e-4)
    entropy = [-(r["p"] * np.log(r["p"])).sum() for r in ref]
    np.testing.assert_allclose(crf.entropy, entropy, rtol=1e-4)
    z, total = crf.partition(Expectation)
    np.testing.assert_allclose(jnp.log(z) - total / z, entropy, rtol=1e-4)
    assert [int(c) for c in crf.count()] == [3**5, 3**2]
    assert crf.partition(Boolean()).tolist() == [True, True]


def test_samples_are_sequences_with_marginal_frequencies(case):
    _, crf, ref = case
    n = 2000
    samples = np.asarray(crf.sample(jax.random.key(0), n))
    assert samples.shape == (n, *SHAPE)
    for b, r in enumerate(ref):
        known = {y.tobytes() for y in r["ys"].astype(samples.dtype)}
        assert all(y.tobytes() in known for y in samples[:200, b])
    mu, freq = np.asarray(crf.marginals), samples.mean(0)
    assert np.all(np.abs(freq - mu) <= 5 * np.sqrt(mu * (1 - mu) / n) + 2e-3)
    np.testing.assert_allclose(
        jnp.exp(crf.log_prob(ref[0]["ys"][:, None].repeat(2, 1)))[:, 0], ref[0]["p"], atol=1e-5
    )


def test_minus_infinity_forbids_parts_with_exact_zero_marginals_and_finite_gradients():
    t = theta(1)
    t[0, :, 0, 1] = -np.inf  # tag 0 is never followed by tag 1
    t[1, 0] = -np.inf  # item 1 (2 positions, one edge) allows nothing
    for method in ("sequential", "parallel"):
        crf = LinearChainCRF(t, LENGTHS, method=method)
        ref = brute(t, LENGTHS)
        np.testing.assert_allclose(crf.log_partition[0], ref[0]["logz"], rtol=1e-5)
        assert crf.log_partition[1] == -np.inf and crf.max[1] == -np.inf
        mu = np.asarray(crf.marginals)
        assert np.all(np.isfinite(mu)) and np.all(mu[0, :, 0, 1] == 0) and np.all(mu[1] == 0)
        np.testing.assert_allclose(mu[0], ref[0]["mu"], atol=1e-5)
        assert [int(c) for c in crf.count()] == [int(np.isfinite(ref[0]["scores"]).sum()), 0]
        g = jax.grad(lambda x, m=method: LinearChainCRF(x, LENGTHS, m).log_partition[0])(t)
        assert np.all(np.isfinite(g))


def test_counts_stay_exact_past_two_to_the_63():
    crf = LinearChainCRF(jnp.zeros((1, 63, 3, 3)))
    assert crf.count()[0] == 3**64 > 2**63


@pytest.mark.parametrize("C", [3, 17])  # 17 > BROADCAST_MAX: the matmul path
def test_parallel_equals_sequential_in_values_and_gradients(C):
    T = 7 if C < 5 else 3  # odd: levels pad with the identity
    t = jnp.asarray(theta(2, (3, T, C, C)))
    lengths = jnp.array([T + 1, 3, 1])

    def value(method, S):
        return lambda x: LinearChain(method).sum(x, S, lengths)

    best = [value(m, MaxPlus())(t) for m in ("parallel", "sequential")]
    np.testing.assert_allclose(*best, rtol=1e-6)  # float ⊗ in another order
    if C < 5:  # exact integers: equal, not close (host arithmetic: small C only)
        x, S = lift(Counting(), t), Counting()
        assert value("parallel", S)(x).tolist() == value("sequential", S)(x).tolist()
    seq = jax.jit(jax.value_and_grad(lambda x: value("sequential", Log())(x).sum()))(t)
    par = jax.jit(jax.value_and_grad(lambda x: value("parallel", Log())(x).sum()))(t)
    np.testing.assert_allclose(par[0], seq[0], rtol=1e-5)
    np.testing.assert_allclose(par[1], seq[1], atol=1e-5)


def test_jit_with_traced_lengths_matches_eager():
    t = theta()
    f = jax.jit(lambda x, n: LinearChainCRF(x, n).log_partition)
    np.testing.assert_allclose(f(t, jnp.array(LENGTHS)), LinearChainCRF(t, LENGTHS).log_partition)


def test_potentials_fold_emissions_start_and_transitions_into_edges():
    rng = np.random.default_rng(3)
    e, tr, s = rng.standard_normal((1, 3, 2)), rng.standard_normal((2, 2)), rng.standard_normal(2)
    crf = LinearChainCRF(LinearChain.potentials(e, tr, s))
    for y in [(0, 1, 1), (1, 0, 1)]:
        score = s[y[0]] + sum(e[0, i, y[i]] for i in range(3)) + tr[y[0], y[1]] + tr[y[1], y[2]]
        parts = np.zeros((1, 2, 2, 2))
        parts[0, 0, y[0], y[1]] = parts[0, 1, y[1], y[2]] = 1
        np.testing.assert_allclose(crf.log_prob(parts) + crf.log_partition, [score], rtol=1e-5)


def test_bad_input_is_a_typed_error_naming_it():
    with pytest.raises(ShapeError, match="square"):
        LinearChainCRF(jnp.zeros((1, 3, 2, 3)))
    with pytest.raises(ShapeError, match=r"\(batch, T, C, C\)"):
        LinearChainCRF(jnp.zeros((3, 2, 2)))
    with pytest.raises(ArgumentValueError, match=r"lengths\[1\] = 5 is outside 1..4"):
        LinearChainCRF(jnp.zeros((2, 3, 2, 2)), lengths=[4, 5])
    with pytest.raises(ArgumentTypeError, match="lengths must be integers"):
        LinearChainCRF(jnp.zeros((1, 3, 2, 2)), lengths=[2.5])
    with pytest.raises(ShapeError, match=r"lengths must have shape \(2,\)"):
        LinearChainCRF(jnp.zeros((2, 3, 2, 2)), lengths=[2])
    with pytest.raises(ArgumentValueError, match="method"):
        LinearChainCRF(jnp.zeros((1, 3, 2, 2)), method="fast")
    with pytest.raises(ArgumentTypeError, match="real scores"):
        LinearChainCRF(jnp.zeros((1, 3, 2, 2), dtype=bool))
    with pytest.raises(ShapeError, match="transitions"):
        LinearChain.potentials(jnp.zeros((1, 3, 2)), jnp.zeros((3, 3)))
    with pytest.raises(ArgumentTypeError, match="LinearChainCRF"):
        LinearChainCRF(jnp.zeros((1, 3, 2, 2))).kl(object())
    t = jnp.zeros((2, 3, 2, 2))
    with pytest.raises(ArgumentValueError, match=r"lengths \[4, 3\] differ from \[4, 2\]"):
        LinearChainCRF(t, lengths=[4, 2]).kl(LinearChainCRF(t, lengths=[4, 3]))
