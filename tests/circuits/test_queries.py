"""Queries on hand-made and generated circuits: exactness, numerics, errors, deep circuits."""

import io

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

from catlearn.circuits import Circuit, CircuitBuilder, CircuitError, read_nnf
from catlearn.laws.random_circuits import circuits
from catlearn.semirings import Boolean, Counting, Log, MaxPlus, Real


def xor_chain(n: int):
    """Parity of n variables as a d-DNNF: depth ~2n, 4n nodes (a deep, narrow circuit)."""
    b = CircuitBuilder()
    even, odd = b.literal(1, False), b.literal(1, True)
    for v in range(2, n + 1):
        x, nx = b.literal(v), b.literal(v, False)
        even, odd = (
            b.sum([b.product([even, nx]), b.product([odd, x])], decision=v),
            b.sum([b.product([even, x]), b.product([odd, nx])], decision=v),
        )
    return b.build([odd, even])


def test_counts_stay_exact_past_2_to_the_63():
    c = xor_chain(80)
    odd, even = c.model_count()
    assert odd == even == 2**79
    b = CircuitBuilder()
    free = b.build([b.literal(1)], n_vars=100)  # 99 variables never mentioned
    assert free.model_count() == 2**99


def test_multiple_roots_keep_their_order():
    c = xor_chain(3)
    assert c.is_satisfiable() == [True, True]
    weights = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])  # P(x=0), P(x=1) per variable
    odd, even = (float(v) for v in c.wmc(weights))
    assert odd + even == pytest.approx(1.0, abs=1e-6)
    p = [w[1] for w in weights]
    brute_odd = sum(
        np.prod([p[i] if bits[i] else 1 - p[i] for i in range(3)])
        for bits in np.ndindex(2, 2, 2)
        if sum(bits) % 2
    )
    assert odd == pytest.approx(brute_odd, abs=1e-6)


def test_deep_circuit_runs_as_one_loop_and_matches_counting():
    c = xor_chain(3000)  # depth ~6000
    f = c.compile(Boolean())
    assert not f.small and f.schedule.depth == 2 * 2999
    assert f.schedule.kids.shape[0] <= 2 * 8192  # chunks, padded to a power of two
    ev = np.zeros((2, 3000), dtype=np.int32)
    ev[1, 0] = 1  # one variable set: odd parity
    out = np.asarray(f(ev))
    assert out.tolist() == [[False, True], [True, False]]


def test_log_semiring_is_exact_at_zero_weights_with_finite_gradients():
    c = xor_chain(4)
    weights = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [0.3, 0.7]])
    log_odd = c.wmc(weights, log=True)[0]
    real_odd = c.wmc(weights)[0]
    assert float(jnp.exp(log_odd)) == pytest.approx(float(real_odd), rel=1e-5)
    compiled = c.smooth().compile(Log())
    with np.errstate(divide="ignore"):
        table = jnp.asarray(np.log(np.vstack([[1.0, 1.0], weights])), dtype=jnp.float32)
    value, grad = compiled.literal_gradient(compiled.params(table))
    assert np.isfinite(float(value)) and not np.isnan(np.asarray(grad)).any()
    # All weight on impossible models: log WMC is -inf, exactly, and still no NaN.
    b = CircuitBuilder()
    x = b.literal(1)
    dead = b.build([x]).smooth().compile(Log())
    table = jnp.array([[0.0, 0.0], [0.0, -jnp.inf]])
    value, grad = dead.literal_gradient(dead.params(table))
    assert float(value) == -np.inf and not np.isnan(np.asarray(grad)).any()


def test_marginals_match_brute_force_and_free_variables_get_their_prior():
    c = read_nnf(io.StringIO("nnf 7 6 3\nL 1\nL -2\nA 2 0 1\nL -1\nL 2\nA 2 3 4\nO 1 2 2 5\n"))
    weights = np.array([[0.4, 0.6], [0.3, 0.7], [0.2, 0.8]])
    m = c.marginals(weights)
    z = 0.6 * 0.3 + 0.4 * 0.7  # x1 ¬x2 or ¬x1 x2
    assert m[0, 1] == pytest.approx(0.6 * 0.3 / z, rel=1e-5)
    assert m[2].tolist() == pytest.approx([0.2, 0.8], rel=1e-5)  # x3 is free


def test_mpe_returns_a_maximal_model():
    c = xor_chain(5).smooth()
    weights = {1: 0.9, -1: 0.1, 2: 0.8, -2: 0.2, 3: 0.3, -3: 0.7, 4: 0.6, -4: 0.4, 5: 0.5, -5: 0.5}
    odd = type(c).from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots[:1],
                              c.n_states, c.weights, c.decision)  # fmt: skip
    value, assignment = odd.mpe(weights)
    assert sum(assignment.values()) % 2 == 1
    w = np.prod([weights[v if s else -v] for v, s in assignment.items()])
    assert value == pytest.approx(w, rel=1e-6)
    best = max(
        np.prod([weights[v + 1 if bit else -(v + 1)] for v, bit in enumerate(bits)])
        for bits in np.ndindex(*(2,) * 5)
        if sum(bits) % 2
    )
    assert value == pytest.approx(best, rel=1e-6)


def test_probabilistic_circuit_likelihood_and_learning_by_gradient():
    # A mixture of two product-of-Bernoullis over 3 variables.
    b = CircuitBuilder()
    comps = []
    for _ in range(2):
        leaves = [b.sum([b.literal(v, True), b.literal(v, False)], [0.5, 0.5]) for v in (1, 2, 3)]
        comps.append(b.product(leaves))
    pc = b.build([b.sum(comps, [0.5, 0.5])])
    f = pc.compile(Log())
    data = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, -1, 0]], dtype=np.int32)
    params = f.params()
    assert np.allclose(
        np.exp(np.asarray(f.apply(params, data))[:, 0]), [1 / 8, 1 / 8, 1 / 8, 1 / 4]
    )
    grad = jax.grad(lambda p: f.apply(p, data).sum())(params)
    assert np.isfinite(np.asarray(grad["weights"])).all()


def test_condition_and_marginalize():
    c = xor_chain(3)
    odd = type(c).from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots[:1],
                              c.n_states, c.weights, c.decision)  # fmt: skip
    assert odd.condition({1: 1}).model_count() == 2  # x1 = 1 and x2 ⊕ x3 = 0
    assert odd.condition({1: 1, 2: 1, 3: 1}).model_count() == 1
    assert odd.marginalize([3]).is_satisfiable()
    with pytest.raises(CircuitError, match="9 is not a variable of 1..3"):
        odd.condition({9: 1})
    with pytest.raises(CircuitError, match="undeclared"):
        odd.marginalize([0])


def test_queries_refuse_circuits_without_the_structure_they_need():
    b = CircuitBuilder()
    x = b.literal(1)
    overlapping = b.build([b.product([x, b.literal(1, False)])])
    with pytest.raises(CircuitError, match="decomposable"):
        overlapping.model_count()
    b = CircuitBuilder()
    x, y = b.literal(1), b.literal(2)
    nondeterministic = b.build([b.sum([x, y])])
    with pytest.raises(CircuitError, match="deterministic"):
        nondeterministic.wmc({1: 0.5})
    assert nondeterministic.is_satisfiable()


def test_bad_inputs_are_named():
    c = xor_chain(3)
    f = c.compile(Real())
    with pytest.raises(CircuitError, match=r"evidence must be \(batch, 3\)"):
        f(np.zeros((2, 4), dtype=np.int32))
    with pytest.raises(CircuitError, match="literals"):
        f.apply({"weights": f.params()["weights"], "literals": jnp.ones((2, 2))})
    with pytest.raises(CircuitError, match="literal 7 names no variable"):
        c.wmc({7: 0.5})
    with pytest.raises(CircuitError, match="children must come before parents"):
        type(c).from_arrays([3], [0, 1], [0], [0], [0], [0], [0, 2])
    with pytest.raises(TypeError, match="catlearn Semiring"):
        c.compile("Real")


def test_large_and_small_schedules_agree():
    c = xor_chain(200)
    ev = np.random.default_rng(0).integers(-1, 2, size=(4, 200)).astype(np.int32)
    for S in (Real(), MaxPlus(), Boolean()):
        big = c.compile(S)
        tiny = c.compile(S, fan_in=2, chunk=4)
        assert not big.small
        np.testing.assert_allclose(np.asarray(big(ev), float), np.asarray(tiny(ev), float))
    counts = c.compile(Counting())(ev)
    assert counts.dtype == object


def test_pictures_dot_and_diagram(tmp_path):
    c = xor_chain(3)
    dot = c.to_dot()
    assert dot.startswith("digraph circuit {") and dot.count("->") == c.n_edges
    assert dot.count("peripheries=2") == 2  # two roots
    d = c.to_diagram()
    assert len(d.cod.inside) == 2 and len(d.dom.inside) == 0
    xor_chain(2).to_diagram().draw(path=str(tmp_path / "xor.png"))
    assert (tmp_path / "xor.png").stat().st_size > 1000
    with pytest.raises(CircuitError, match="at most 500 nodes"):
        xor_chain(200).to_diagram()


def test_batched_literal_weights_match_one_by_one():
    c = xor_chain(4).smooth()
    f = c.compile(Real())
    lit = np.random.default_rng(0).random((3, 5, 2)).astype(np.float32)
    out = np.asarray(f.apply({"weights": f.params()["weights"], "literals": lit}))
    one_by_one = [np.asarray(c.wmc(lit[b, 1:])) for b in range(3)]
    np.testing.assert_allclose(out, np.stack(one_by_one), rtol=1e-5)
    with pytest.raises(CircuitError, match="with the evidence's batch 2"):
        f.apply({"weights": f.params()["weights"], "literals": lit}, np.zeros((2, 4), np.int32))


def test_samples_follow_the_weighted_distribution_and_the_evidence():
    c = xor_chain(4)
    odd = type(c).from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots[:1],
                              c.n_states, c.weights, c.decision)  # fmt: skip
    weights = np.array([[0.3, 0.7], [0.5, 0.5], [0.8, 0.2], [0.4, 0.6]])
    xs = odd.sample(20_000, weights, seed=1)
    assert (xs.sum(axis=1) % 2 == 1).all()  # every sample is a model
    m = odd.marginals(weights)[:, 1]
    assert np.abs(xs.mean(axis=0) - m).max() < 0.02  # 20k samples: ~3.5 standard errors
    fixed = odd.sample(500, weights, evidence=[1, -1, 0, -1], seed=2)
    assert (fixed[:, 0] == 1).all() and (fixed[:, 2] == 0).all()
    with pytest.raises(CircuitError, match="no assignment consistent"):
        odd.sample(5, evidence=[1, 1, 1, 1])


def _enumerated_entropy(c, table):
    """−Σ p log p over all assignments, p ∝ circuit value (with edge weights) × Π w."""
    from itertools import product as assignments

    from catlearn.laws.random_circuits import reference_evaluate

    ones = [[1.0, 1.0]] * (c.n_vars + 1)
    masses = []
    for x in assignments((0, 1), repeat=c.n_vars):
        value = float(reference_evaluate(c, Real(), ones, np.array(x))[0])
        masses.append(value * np.prod([table[v][s] for v, s in enumerate(x)]))
    p = np.array([m for m in masses if m > 0]) / sum(masses)
    return float(-(p * np.log(p)).sum())


def test_entropy_of_a_weighted_deterministic_circuit_matches_enumeration():
    # A decision on x1 (weights 0.3 / 0.7), then x2 given x1; x3 is declared but free.
    b = CircuitBuilder()
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2) for s in (0, 1)}
    left = b.product([x[1, 1], b.sum([x[2, 1], x[2, 0]], [0.9, 0.1], decision=2)])
    right = b.product([x[1, 0], x[2, 1]])
    c = b.build([b.sum([left, right], [0.3, 0.7], decision=1)], n_vars=3)
    table = np.array([[0.5, 0.5], [1.0, 1.0], [0.2, 0.6], [0.25, 0.75]])  # rows: ¬x, x
    want = _enumerated_entropy(c, table[1:])
    assert abs(c.entropy(table[1:]) - want) < 1e-6  # the enumeration runs in float32
    # A zero weight removes models (0 log 0 = 0), and a zero-mass circuit is refused.
    assert abs(c.entropy({2: 0.0}) - _enumerated_entropy(c, [[1, 1], [1, 0], [1, 1]])) < 1e-6
    with pytest.raises(CircuitError, match="weighted count 0"):
        c.entropy({1: 0.0, -1: 0.0})


def test_em_reaches_the_maximum_likelihood_and_never_decreases(bernoulli_mixture):
    from catlearn.circuits import em

    # Complete data on a deterministic circuit: one EM step gives the frequencies.
    b = CircuitBuilder()
    x1, nx1 = b.literal(1), b.literal(1, False)
    y = b.sum([b.literal(2), b.literal(2, False)], [0.5, 0.5])
    ny = b.sum([b.literal(2), b.literal(2, False)], [0.5, 0.5])
    c = b.build([b.sum([b.product([x1, y]), b.product([nx1, ny])], [0.5, 0.5])])
    data = np.array([[1, 1], [1, 1], [1, 0], [0, 0], [0, 1], [1, 1]])
    fit = em(c, data, steps=1)
    w = fit.circuit.weights
    assert sorted(np.round(w[w != 1.0], 6).tolist()) == sorted(
        np.round([4 / 6, 2 / 6, 3 / 4, 1 / 4, 1 / 2, 1 / 2], 6).tolist()
    )
    assert fit.log_likelihood[1] >= fit.log_likelihood[0]
    # A latent mixture with missing values: the likelihood climbs monotonically.
    pc = bernoulli_mixture([[0.3] * 3, [0.7] * 3], [0.5, 0.5])
    rng = np.random.default_rng(0)
    data = (rng.random((64, 3)) < [0.9, 0.8, 0.1]).astype(np.int32)
    data[rng.random((64, 3)) < 0.2] = -1
    fit = em(pc, data, steps=8)
    assert np.all(np.diff(fit.log_likelihood) > -1e-5), fit.log_likelihood
    assert fit.log_likelihood[-1] > fit.log_likelihood[0] + 0.1
    with pytest.raises(CircuitError, match=r"data must be \(batch, 3\)"):
        em(pc, data[:, :2])


def test_marginal_map_between_mpe_and_wmc():
    from catlearn.circuits import is_marginal_deterministic, marginal_map

    b = CircuitBuilder()
    x = {(v, s): b.literal(v, bool(s)) for v in (1, 2, 3) for s in (0, 1)}
    free3 = b.sum([x[3, 0], x[3, 1]], [0.5, 0.5])
    c = b.build(
        [
            b.sum(
                [b.product([x[1, 1], x[2, 1], free3]), b.product([x[1, 0], x[2, 0], x[3, 1]])],
                [0.4, 0.6],
                decision=1,
            )
        ]
    )
    w = {1: 0.5, -1: 0.5, 2: 0.9, -2: 0.1, 3: 0.3, -3: 0.7}
    (value, q), (best, assignment) = marginal_map(c, [1, 2, 3], w), c.mpe(w)
    assert value == pytest.approx(best, rel=1e-12) and q == assignment
    assert marginal_map(c, [], w)[0] == pytest.approx(float(c.wmc(w)), rel=1e-6)
    # x1 = 1: 0.4·0.5·0.9·(0.5·0.3 + 0.5·0.7) = 0.09 against x1 = 0: 0.6·0.5·0.1·0.3 = 0.009
    value, q = marginal_map(c, [1], w)
    assert q == {1: 1} and value == pytest.approx(0.09)
    # Over x3 alone, the root's children overlap (both allow x3 = 1): refused, not guessed.
    assert not is_marginal_deterministic(c, [3])
    with pytest.raises(CircuitError, match="marginally deterministic in variables \\[3\\]"):
        marginal_map(c, [3], w)
    with pytest.raises(CircuitError, match="variable 7"):
        marginal_map(c, [7], w)


def test_marginal_map_law_catches_max_everywhere(monkeypatch):
    from catlearn import laws
    from catlearn.circuits import Circuit
    from catlearn.laws import LawViolation

    def mpe_restricted(self, variables, literal_weights=None):  # max where it should sum
        value, assignment = self.mpe(literal_weights)
        return value, {v: assignment[v] for v in variables}

    monkeypatch.setattr(Circuit, "marginal_map", mpe_restricted)
    with pytest.raises(LawViolation, match="marginal_map"):
        laws.circuit_queries()["marginal_map"].check(max_examples=40, shrink=False)


# -- queries on circuits whose ⊕ nodes carry no (or lying) claims --------------------------
def _enumerated_count(c):
    """(number of models, whether every ⊕ node has disjoint live children), by
    evaluating every node on every assignment from the node arrays (zero-weight ⊕ edges
    dropped), in plain Python."""
    import itertools

    from catlearn.circuits.circuit import CONST, LEAF, SUM

    def live(node):
        for e in range(int(c.child_offsets[node]), int(c.child_offsets[node + 1])):
            if c.kind[node] != SUM or c.weights is None or c.weights[e] != 0:
                yield int(c.children[e])

    count, disjoint = 0, True
    for x in itertools.product((0, 1), repeat=c.n_vars):
        value = []
        for node in range(c.n_nodes):
            k = c.kind[node]
            if k == LEAF:
                value.append(x[c.var[node] - 1] == c.state[node])
            elif k == CONST:
                value.append(bool(c.state[node]))
            else:
                kids = [value[ch] for ch in live(node)]
                value.append(any(kids) if k == SUM else all(kids))
                if k == SUM and sum(kids) > 1:
                    disjoint = False
        count += value[int(c.roots[0])]
    return count, disjoint


@settings(max_examples=15, deadline=None)
@given(circuits((1, 4), deterministic=False, smooth=False, max_depth=3))
def test_unflagged_circuits_are_counted_exactly_or_refused_never_miscounted(c):
    # No decision claims: verification alone certifies or refutes.
    c = Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, c.state, c.roots, c.n_states, c.weights
    )
    count, disjoint = _enumerated_count(c)
    try:
        got = c.model_count()
    except CircuitError as error:
        assert not disjoint, error  # the check is complete on small circuits
        assert "is not deterministic" in str(error) and "⊕ node" in str(error)
        return
    assert disjoint and got == count


def test_sampling_an_unweighted_circuit_needs_verified_determinism():
    b = CircuitBuilder()
    x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])])])  # no flag: certified
    xs = xor.sample(200, seed=0)
    assert (xs.sum(axis=1) == 1).all()
    either = b.build([b.sum([x, y])])
    with pytest.raises(CircuitError, match=r"sample needs .*⊕ node 7 is not deterministic"):
        either.sample(3)
