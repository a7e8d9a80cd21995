"""Probabilistic generating circuits against independent oracles.

The oracles: the circuit's polynomial expanded by sympy from its arrays (not through
any catlearn evaluator), the determinantal formulas Pr(Y = S) = det(L_S)/det(L + I) and
Pr(S ⊆ Y) = det(K_S), and brute-force sums over all 2^n assignments. Every circuit here
is small enough to share one compiled program (one degree, one padded batch).
"""

import itertools

import jax.numpy as jnp
import numpy as np
import pytest
import sympy

from catlearn.circuits import CircuitBuilder, em, entropy, marginals, mpe, product, sample, wmc
from catlearn.circuits import generating as gen
from catlearn.circuits.circuit import CONST, LEAF, PRODUCT
from catlearn.circuits.generating import (
    GeneratingBuilder,
    SignedWeightsError,
    dpp,
    from_circuit,
    is_valid,
    marginal,
    normalizes,
    probability,
)
from catlearn.errors import ArgumentTypeError, ArgumentValueError, CircuitError
from catlearn.semirings import Boolean, Log, Real

N = 4
Z = sympy.symbols(f"z1:{N + 1}")


def rows(n, states=(-1, 0, 1)):
    return np.array(list(itertools.product(states, repeat=n)))


EVIDENCE = rows(N)  # all 81 partial assignments: each variable 1, 0 or summed out


def expanded(g):
    """g's polynomial in z₁…z_n, read from its arrays and expanded by sympy."""
    c, w = g.structure, g.weights
    value = []
    for node in range(c.n_nodes):
        kids = c.children_of(node).tolist()
        edges = w[c.child_offsets[node] : c.child_offsets[node + 1]]
        if c.kind[node] == LEAF:
            value.append(Z[c.var[node] - 1])
        elif c.kind[node] == CONST:
            value.append(sympy.Integer(int(c.state[node])))
        elif c.kind[node] == PRODUCT:
            value.append(sympy.Mul(*[value[k] for k in kids]))
        else:
            value.append(sympy.Add(*[sympy.Float(x, 30) * value[k] for x, k in zip(edges, kids)]))
    return sympy.Poly(sympy.expand(value[int(c.roots[0])]), *Z[: c.n_vars])


def table(poly):
    """Pr(X = x) for every x, from the coefficients; the polynomial must be multilinear
    (up to rounding: sympy's floats leave ~1e-17 where the clows cancel)."""
    for monomial, coefficient in zip(poly.monoms(), poly.coeffs()):
        assert max(monomial, default=0) <= 1 or abs(coefficient) < 1e-12, "not multilinear"
    n = len(poly.gens)
    return {tuple(x): float(poly.coeff_monomial(tuple(int(v) for v in x)))
            for x in rows(n, (0, 1))}  # fmt: skip


def summed(p, evidence):
    """Pr(evidence) by summing the consistent complete assignments."""
    return np.array([sum(q for x, q in p.items() if all(e < 0 or e == v for e, v in zip(row, x)))
                     for row in evidence])  # fmt: skip


def random_signed(rng, n):
    """A random decomposable generating circuit over z₁…z_n with signed weights."""
    b = GeneratingBuilder()

    def grow(vs):
        if len(vs) == 1:
            return b.sum([b.constant(1.0), b.variable(vs[0])], rng.uniform(-1, 1, 2).tolist())
        cut = int(rng.integers(1, len(vs)))
        parts = [b.product([grow(vs[:cut]), grow(vs[cut:])]) for _ in range(2)]
        return b.sum(parts, rng.uniform(-1, 1, 2).tolist())

    return b.build(grow(list(range(1, n + 1))), n)


def test_marginals_of_signed_circuits_match_the_expanded_polynomial():
    rng = np.random.default_rng(0)
    for _ in range(2):
        g = random_signed(rng, N)
        p = table(expanded(g))
        np.testing.assert_allclose(marginal(g, EVIDENCE), summed(p, EVIDENCE), atol=2e-5)


def test_dpp_marginals_are_the_determinantal_formulas():
    n, rng = 3, np.random.default_rng(1)
    A = rng.normal(size=(n, n))
    L = A @ A.T / n
    g = dpp(L)
    p = table(expanded(g))  # the clow expansion cancels down to a multilinear g
    detI = np.linalg.det(np.eye(n) + L)
    for x, q in p.items():  # Pr(Y = S) = det(L_S) / det(L + I)
        S = np.flatnonzero(x)
        assert q == pytest.approx(np.linalg.det(L[np.ix_(S, S)]) / detI, abs=1e-9)
    evidence = rows(n)
    got = np.asarray(marginal(g, evidence))
    K = L @ np.linalg.inv(L + np.eye(n))
    for row, value in zip(evidence, got):
        S = np.flatnonzero(row == 1)
        if np.all(row != 0):  # Pr(S ⊆ Y) = det(K_S)
            assert value == pytest.approx(np.linalg.det(K[np.ix_(S, S)]), abs=2e-5)
    np.testing.assert_allclose(got, summed(p, evidence), atol=2e-5)
    assert normalizes(g) and is_valid(g)
    # Negatively correlated: Pr(1, 2 ∈ Y) < Pr(1 ∈ Y)·Pr(2 ∈ Y).
    assert np.linalg.det(K[:2, :2]) < K[0, 0] * K[1, 1]


def test_reading_the_coefficient_one_degree_too_low_is_caught(monkeypatch):
    g = random_signed(np.random.default_rng(0), N)
    want = summed(table(expanded(g)), EVIDENCE)
    right = gen._coefficient
    monkeypatch.setattr(gen, "_coefficient", lambda c, ones: right(c, np.maximum(ones - 1, 0)))
    wrong = np.abs(np.asarray(marginal(g, EVIDENCE)) - want) > 1e-3
    assert wrong.any() and not wrong[(EVIDENCE == 1).sum(axis=1) == 0].any()


def test_from_circuit_keeps_the_distribution_of_a_pc():
    # A non-smooth PC: x1 ∧ (0.3 x2 + 0.7 ¬x2), or 0.6 ¬x1 (x2 left free, x3 never named).
    b = CircuitBuilder()
    x1, nx1 = b.literal(1), b.literal(1, False)
    inner = b.sum([b.literal(2), b.literal(2, False)], [0.3, 0.7])
    c = b.build([b.sum([b.product([x1, inner]), nx1], [0.4, 0.6])], n_vars=3)
    g = from_circuit(c)
    p = table(expanded(g))
    want = {(1, 1): 0.12, (1, 0): 0.28, (0, 0): 0.6, (0, 1): 0.6}
    for x, q in p.items():  # x3 free: both its states count, as the PC counts them
        assert q == pytest.approx(want[x[:2]])
    everything = rows(3, (0, 1))
    np.testing.assert_allclose(probability(g, everything), [p[tuple(x)] for x in everything],
                               atol=1e-6)  # fmt: skip
    assert not normalizes(g)  # the free x3 counts twice
    # Edges: the inner ⊕ (0.3, 0.7), the ⊗ (1, 1), the root (0.4, 0.6) made signed.
    signed = from_circuit(c, weights=[0.3, 0.7, 1, 1, 1.5, -0.5])
    np.testing.assert_allclose(probability(signed, [[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
                               [0.45, 1.05, -0.5], atol=1e-6)  # fmt: skip


def test_validity_and_normalization_are_different_checks():
    b = GeneratingBuilder()
    z1, z2 = b.variable(1), b.variable(2)
    # 0.5 + 0.75 z₁ + 0.75 z₂ − z₁z₂: coefficients sum to 1, one of them is negative.
    g = b.build(b.sum([b.constant(1.0), z1, z2, b.product([z1, z2])], [0.5, 0.75, 0.75, -1.0]))
    assert normalizes(g) and not is_valid(g)
    assert float(probability(g, [[1, 1]])[0]) == pytest.approx(-1.0)
    with pytest.raises(CircuitError, match="only checked by enumerating"):
        is_valid(g, max_vars=1)
    # 0.5 + 0.5 z₁ + 0.5 z₁² − 0.5 z₁³: coefficients 0.5 and 0.5 of 1 and z₁, not multilinear.
    b = GeneratingBuilder()
    z1 = b.variable(1)
    powers = [b.constant(1.0), z1, b.product([z1, z1]), b.product([z1, z1, z1])]
    cubic = b.build(b.sum(powers, [0.5, 0.5, 0.5, -0.5]))
    assert probability(cubic, [[0], [1]]).tolist() == [0.5, 0.5]
    assert not is_valid(cubic)


def test_evaluation_in_real_at_points():
    g = random_signed(np.random.default_rng(2), N)
    poly = expanded(g)
    z = np.random.default_rng(3).uniform(-1, 2, size=(8, N))  # is_valid's batch: one program
    want = [float(poly.eval(dict(zip(Z, row)))) for row in z]
    np.testing.assert_allclose(g.compile(Real())(jnp.asarray(z, jnp.float32)), want, atol=1e-4)


@pytest.mark.parametrize("query", [
    lambda g: sample(g, 3), lambda g: mpe(g), lambda g: entropy(g), lambda g: marginals(g),
    lambda g: em(g, [[1, 0]]), lambda g: wmc(g, None), lambda g: product(g, g),
])  # fmt: skip
def test_queries_that_need_non_negative_weights_refuse(query):
    g = dpp([[1.0, 0.2], [0.2, 1.0]])
    with pytest.raises(SignedWeightsError, match="takes circuits with non-negative weights"):
        query(g)


def test_compile_refuses_semirings_that_cannot_hold_signed_weights():
    g = dpp([[1.0]])
    for S in (Log(), Boolean()):
        with pytest.raises(SignedWeightsError, match=f"which {S!r} cannot hold"):
            g.compile(S)


def test_bad_input_is_refused_by_name():
    b = GeneratingBuilder()
    with pytest.raises(ArgumentValueError, match="weight 0"):
        b.sum([b.variable(1)], [float("nan")])
    with pytest.raises(ArgumentValueError, match="variable: i"):
        b.variable(0)
    with pytest.raises(CircuitError, match="1 weights for 2 children"):
        b.sum([b.variable(1), b.variable(2)], [1.0])
    with pytest.raises(ArgumentTypeError, match="one node id"):
        b.build([0])
    with pytest.raises(CircuitError, match="symmetric"):
        dpp([[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(CircuitError, match="positive semi-definite"):
        dpp([[1.0, 2.0], [2.0, 1.0]])
    g = dpp([[1.0]])
    with pytest.raises(CircuitError, match="states 0..1"):
        marginal(g, [[2]])
    with pytest.raises(CircuitError, match="use marginal"):
        probability(g, [[-1]])
    with pytest.raises(ArgumentTypeError, match="expected a GeneratingCircuit"):
        marginal(g.structure, [[1]])
    c = CircuitBuilder()
    x = c.literal(1)
    with pytest.raises(CircuitError, match="not decomposable"):
        from_circuit(c.build([c.product([x, c.literal(1, False)])]))
    c = CircuitBuilder()
    with pytest.raises(CircuitError, match="⊗ edge"):
        from_circuit(c.build([c.product([c.literal(1)])]), weights=[2.0])
    with pytest.raises(CircuitError, match="not a z_i"):
        gen.GeneratingCircuit(c.build([c.literal(1, False)]), np.ones(1))
