"""Cross-entropy, KL and Rényi divergences against enumeration on hand-made circuits, and
every refusal naming its missing condition."""

import math

import numpy as np
import pytest

from catlearn.circuits import (
    CircuitBuilder,
    CircuitError,
    cross_entropy,
    kl_divergence,
    parity,
    renyi_divergence,
)
from catlearn.errors import ArgumentValueError
from catlearn.laws.random_circuits import assignments


def _chain(weights, mixture=False):
    """p(x1, x2) = p(x1) p(x2 | x1), deciding x1 (or a mixture of two such circuits)."""
    b = CircuitBuilder()
    (a1, a0), (t1, t0), (f1, f0) = weights
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2) for s in (0, 1)}
    given = [b.sum([x[2, 1], x[2, 0]], w, decision=2) for w in ([t1, t0], [f1, f0])]
    root = b.sum([b.product([x[1, 1], given[0]]), b.product([x[1, 0], given[1]])], [a1, a0],
                 decision=1)  # fmt: skip
    if mixture:  # the same split, another component: p is no longer deterministic
        other = b.sum([b.product([x[1, 1], given[1]]), b.product([x[1, 0], given[0]])],
                      [a0, a1])  # fmt: skip
        root = b.sum([root, other], [0.5, 0.5])
    return b.build([root])


def _probabilities(weights, mixture=False):
    (a1, a0), (t1, t0), (f1, f0) = weights
    p = {(1, 1): a1 * t1, (1, 0): a1 * t0, (0, 1): a0 * f1, (0, 0): a0 * f0}
    if mixture:
        q = {(1, 1): a0 * f1, (1, 0): a0 * f0, (0, 1): a1 * t1, (0, 0): a1 * t0}
        p = {k: 0.5 * p[k] + 0.5 * q[k] for k in p}
    t = np.array([p[tuple(int(s) for s in x)] for x in assignments(2)])
    return t / t.sum()


P = ((0.4, 0.6), (0.3, 0.7), (0.9, 0.1))
Q = ((0.5, 0.5), (0.5, 0.5), (0.2, 0.8))
ZERO = ((0.5, 0.5), (1.0, 0.0), (0.2, 0.8))  # q(x1 = 1, x2 = 0) = 0


def test_divergences_match_enumeration():
    p, q = _probabilities(P), _probabilities(Q)
    assert cross_entropy(_chain(P), _chain(Q)) == pytest.approx(-(p * np.log(q)).sum())
    assert kl_divergence(_chain(P), _chain(Q)) == pytest.approx((p * np.log(p / q)).sum())
    for alpha in (0.5, 2.0, 3.0):
        want = math.log((p**alpha * q ** (1 - alpha)).sum()) / (alpha - 1)
        assert renyi_divergence(_chain(P), _chain(Q), alpha) == pytest.approx(want)
    assert renyi_divergence(_chain(P), _chain(Q), 1) == kl_divergence(_chain(P), _chain(Q))
    assert kl_divergence(_chain(P), _chain(P)) == pytest.approx(0, abs=1e-12)


def test_a_mixture_p_needs_only_a_deterministic_q_or_a_whole_order():
    p, q = _probabilities(P, mixture=True), _probabilities(Q)
    mixed = _chain(P, mixture=True)
    assert cross_entropy(mixed, _chain(Q)) == pytest.approx(-(p * np.log(q)).sum())
    want = math.log((p**2 * q**-1).sum())
    assert renyi_divergence(mixed, _chain(Q), 2) == pytest.approx(want)
    with pytest.raises(CircuitError, match="kl_divergence needs p deterministic"):
        kl_divergence(mixed, _chain(Q))
    with pytest.raises(CircuitError, match="needs p deterministic.*whole α"):
        renyi_divergence(mixed, _chain(Q), 0.5)
    with pytest.raises(CircuitError, match="cross_entropy needs q deterministic"):
        cross_entropy(_chain(Q), mixed)


def test_mass_outside_the_support_of_q_is_infinite():
    p, q = _probabilities(P), _probabilities(ZERO)
    assert kl_divergence(_chain(P), _chain(ZERO)) == math.inf
    assert cross_entropy(_chain(P), _chain(ZERO)) == math.inf
    assert renyi_divergence(_chain(P), _chain(ZERO), 2) == math.inf
    # Below order 1 only the common support counts.
    want = math.log((p[q > 0] ** 0.5 * q[q > 0] ** 0.5).sum()) / -0.5
    assert renyi_divergence(_chain(P), _chain(ZERO), 0.5) == pytest.approx(want)
    # The other way round, q's zero is where p has mass: finite.
    assert kl_divergence(_chain(ZERO), _chain(P)) == pytest.approx(
        (q[q > 0] * np.log(q[q > 0] / p[q > 0])).sum()
    )
    # Disjoint supports: every order is infinite.
    assert renyi_divergence(parity(3), parity(3, odd=False), 0.5) == math.inf


def test_refusals_name_the_missing_condition():
    b = CircuitBuilder()  # (x1 x2) x3 against x1 (x2 x3): no vtree splits both ways
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2, 3) for s in (0, 1)}
    left = b.build([b.product([b.product([x[1, 1], x[2, 1]]), x[3, 1]])])
    right = b.build([b.product([x[1, 1], b.product([x[2, 1], x[3, 1]])])])
    with pytest.raises(CircuitError, match="p and q are not compatible"):
        kl_divergence(left, right)
    b = CircuitBuilder()
    empty = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.0, 0.0], decision=1)])
    b = CircuitBuilder()
    coin = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5], decision=1)])
    with pytest.raises(CircuitError, match="q has total mass 0"):
        cross_entropy(coin, empty)
    with pytest.raises(CircuitError, match="same variables"):
        kl_divergence(coin, parity(2))
    with pytest.raises(ArgumentValueError, match="α > 0"):
        renyi_divergence(coin, coin, 0)
    with pytest.raises(ArgumentValueError, match="finite"):
        renyi_divergence(coin, coin, math.inf)
    b = CircuitBuilder()
    unsmooth = b.build([b.sum([b.literal(1), b.product([b.literal(1, False), b.literal(2)])])])
    with pytest.raises(CircuitError, match="p is not smooth"):
        kl_divergence(unsmooth, parity(2))
