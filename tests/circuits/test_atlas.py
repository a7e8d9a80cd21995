"""The atlas product: correct counts when its conditions hold, a clear refusal when not."""

from math import comb

import numpy as np
import pytest

from catlearn.circuits import CircuitBuilder, CircuitError, exactly_k_of_n, parity, product


@pytest.mark.parametrize("k", [0, 2, 3, 6])
def test_product_of_compatible_circuits_counts_the_conjunction(k):
    both, report = product(exactly_k_of_n(6, k), parity(6, 1))
    assert both.model_count() == (comb(6, k) if k % 2 else 0)
    assert report.smooth and report.decomposable and report.deterministic
    assert "compatible" in report.reason


def test_product_preserves_weighted_counts():
    weights = np.random.default_rng(0).random((5, 2)) + 0.1
    a, b = exactly_k_of_n(5, 2), parity(5, 0)
    both, _ = product(a, b)
    brute = 0.0
    for bits in np.ndindex(*(2,) * 5):
        if sum(bits) == 2:
            brute += np.prod([weights[v, s] for v, s in enumerate(bits)])
    assert float(both.wmc(weights)) == pytest.approx(brute, rel=1e-5)


def test_disjoint_scopes_need_only_a_product_node():
    b = CircuitBuilder()
    left = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5])], n_vars=2)
    b = CircuitBuilder()
    right = b.build([b.literal(2)], n_vars=2)
    both, report = product(left, right)
    assert report.reason.startswith("disjoint scopes") and both.model_count() == 2


def test_incompatible_circuits_are_refused():
    b = CircuitBuilder()  # x1 ⊕ … ⊕ x4 deciding x4 first: other splits than `parity`
    even, odd = b.literal(1, False), b.literal(1)
    for v in range(2, 5):
        x, nx = b.literal(v), b.literal(v, False)
        even, odd = (
            b.sum([b.product([even, nx]), b.product([odd, x])], decision=v),
            b.sum([b.product([even, x]), b.product([odd, nx])], decision=v),
        )
    reversed_parity = b.build([odd])
    with pytest.raises(CircuitError, match="not compatible"):
        product(reversed_parity, parity(4, 1))
    b = CircuitBuilder()
    x = b.literal(1)
    overlapping = b.build([b.product([x, b.literal(1, False)])])
    with pytest.raises(CircuitError, match="not decomposable"):
        product(overlapping, parity(1, 1))


def test_power_raises_each_assignment_and_needs_determinism():
    from catlearn.circuits import power
    from catlearn.laws.random_circuits import reference_evaluate
    from catlearn.semirings import Real

    b = CircuitBuilder()
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2) for s in (0, 1)}
    y = b.sum([x[2, 1], x[2, 0]], [0.2, 0.8], decision=2)
    c = b.build([b.sum([b.product([x[1, 1], y]), b.product([x[1, 0], x[2, 1]])], [0.3, 0.7])])
    cubed, report = power(c, 3)
    assert report.deterministic and report.decomposable
    ones = [[1.0, 1.0]] * 3
    for xs in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        want = float(reference_evaluate(c, Real(), ones, np.array(xs))[0]) ** 3
        got = float(reference_evaluate(cubed, Real(), ones, np.array(xs))[0])
        assert got == pytest.approx(want, rel=1e-5)
    # With literal weights: c^α weighed by w^α sums (c·w)^α over assignments.
    w = np.array([[0.4, 0.6], [0.5, 0.5]])
    assert float(cubed.wmc(w**3)) == pytest.approx(
        (0.3 * 0.6 * 0.2 * 0.5) ** 3 + (0.3 * 0.6 * 0.8 * 0.5) ** 3 + (0.7 * 0.4 * 0.5) ** 3,
        rel=1e-5,
    )
    b = CircuitBuilder()
    overlapping = b.build([b.sum([b.literal(1), b.literal(2)], [0.5, 0.5])])
    with pytest.raises(CircuitError, match="deterministic"):
        power(overlapping, 2)
    with pytest.raises(ValueError, match="α > 0"):
        power(c, 0)
