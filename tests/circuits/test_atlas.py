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


# -- vtree-compatible products ------------------------------------------------------------
def _independent(split, weights=(0.3, 0.6, 0.8)):
    """Π_v Bernoulli(weights[v]) over x1, x2, x3, one ⊗ node bracketed by ``split``."""
    b = CircuitBuilder()
    x = [b.sum([b.literal(v), b.literal(v, False)], [w, 1 - w], decision=v)
         for v, w in zip((1, 2, 3), weights)]  # fmt: skip
    if split == "flat":
        root = b.product(x)
    elif split == "left":
        root = b.product([b.product(x[:2]), x[2]])
    else:
        root = b.product([x[0], b.product(x[1:])])
    return b.build([root])


def _table(c):
    """c(x) at every assignment, node by node in float64 from the arrays (the oracle)."""
    from catlearn.circuits.circuit import CONST, LEAF, SUM
    from catlearn.laws.random_circuits import assignments

    w = c.edge_weights().tolist()
    out = []
    for x in assignments(c.n_vars):
        values = []
        for node in range(c.n_nodes):
            lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
            kids = [values[int(k)] for k in c.children[lo:hi]]
            if c.kind[node] == LEAF:
                values.append(float(x[c.var[node] - 1] == c.state[node]))
            elif c.kind[node] == CONST:
                values.append(float(c.state[node]))
            elif c.kind[node] == SUM:
                values.append(sum(w[e] * v for e, v in zip(range(lo, hi), kids)))
            else:
                values.append(float(np.prod(kids)))
        out.append(values[int(c.roots[0])])
    return np.array(out)


def test_products_bracketed_differently_along_one_vtree_multiply():
    from catlearn.circuits import Vtree

    a, b = _independent("flat"), _independent("left", (0.5, 0.1, 0.9))
    both, report = product(a, b)  # the old recursion refused: x1 against x1·x2
    assert np.allclose(_table(both), _table(a) * _table(b))
    assert report.smooth and report.decomposable and report.deterministic
    again, _ = product(a, b, Vtree(((1, 2), 3)))
    assert np.allclose(_table(again), _table(a) * _table(b))
    with pytest.raises(CircuitError, match="not compatible with the vtree: product node"):
        product(a, b, Vtree((1, (2, 3))))
    with pytest.raises(CircuitError, match="not compatible"):
        product(_independent("left"), _independent("right"))


# -- elementwise maps ---------------------------------------------------------------------
def test_maps_are_pointwise_on_a_deterministic_circuit():
    from catlearn.circuits import elementwise_map

    c = parity(3)
    b = CircuitBuilder()  # a weighted decision chain with a zero weight
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2) for s in (0, 1)}
    y = b.sum([x[2, 1], x[2, 0]], [0.2, 0.0], decision=2)
    c = b.build([b.sum([b.product([x[1, 1], y]), b.product([x[1, 0], y])], [3.0, 0.5],
                       decision=1)])  # fmt: skip
    t = _table(c)  # [0, 0.1, 0, 0.6] over (x1, x2) = 00, 01, 10, 11
    live = t > 0
    support, report = elementwise_map(c, "support")
    assert np.array_equal(_table(support), live.astype(float)) and report.deterministic
    inverse, _ = elementwise_map(c, "power", alpha=-2)
    assert np.allclose(_table(inverse), np.where(live, np.where(live, t, 1) ** -2.0, 0))
    logs, report = elementwise_map(c, "log")
    got = _table(logs.positive) - _table(logs.negative)
    assert np.allclose(got[live], np.log(t[live])) and np.array_equal(_table(logs.support), live)
    assert report.smooth and report.decomposable
    cubed, _ = elementwise_map(c, "power", alpha=3)
    assert np.allclose(_table(cubed), t**3)


def test_a_homomorphism_needs_no_condition():
    from catlearn.circuits import elementwise_map
    from catlearn.semirings import log_to_real, real_to_log

    b = CircuitBuilder()  # x1 ∨ x2 as a mixture: not deterministic (values: SemiringImage)
    c = b.build([b.sum([b.literal(1), b.literal(2)], [0.5, 0.25])])
    logs, report = elementwise_map(c, real_to_log)
    assert report.deterministic is False and "no condition" in report.reason
    assert logs.circuit is c and logs.homomorphism is real_to_log
    with pytest.raises(CircuitError, match="needs a deterministic circuit"):
        elementwise_map(c, "support")
    with pytest.raises(CircuitError, match="log.*not a sum of logs"):
        elementwise_map(c, "log")
    with pytest.raises(CircuitError, match="maps from Log"):
        elementwise_map(c, log_to_real)


def test_maps_refuse_bad_arguments():
    from catlearn.circuits import elementwise_map
    from catlearn.errors import ArgumentTypeError, ArgumentValueError

    c = parity(2)
    with pytest.raises(ArgumentTypeError, match="tau must be one of"):
        elementwise_map(c, "exp")
    with pytest.raises(ArgumentValueError, match="takes alpha"):
        elementwise_map(c, "power")
    with pytest.raises(ArgumentValueError, match="takes alpha"):
        elementwise_map(c, "log", alpha=2)
    b = CircuitBuilder()
    tiny = b.build([b.sum([b.literal(1), b.literal(1, False)], [1e-300, 1.0], decision=1)])
    with pytest.raises(CircuitError, match="overflows float64"):
        elementwise_map(tiny, "power", alpha=-2)


def test_product_keeps_the_state_counts_of_variables_it_does_not_mention():
    """Regression (found in review): a 3-state variable neither root uses came back with 2
    states, so the product of c with itself counted 2 models where c counts 3."""
    from catlearn.circuits import CircuitBuilder

    b = CircuitBuilder()
    b.indicator(2, 0, 3)  # x2 declared with 3 states, used by no root
    c = b.build([b.literal(1)], n_vars=2)
    p, _ = product(c, c)
    assert p.n_states.tolist() == c.n_states.tolist() and p.model_count() == c.model_count() == 3
    product(p, c)  # the result multiplies with its inputs again
