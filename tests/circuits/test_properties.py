"""Determinism, verified: certified, refuted or unknown, against brute-force enumeration.

The oracle below evaluates every node on every assignment from the node arrays
alone (kind, children, variable, state, edge weights), in plain Python; it shares
nothing with ``catlearn.circuits.disjointness`` but the circuit's data.
"""

import io
import itertools
import re
from math import comb

import numpy as np
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from catlearn.circuits import (
    Circuit,
    CircuitBuilder,
    CircuitError,
    UnverifiedDeterminism,
    determinism,
    disjointness,
    exactly_k_of_n,
    is_deterministic,
    is_marginal_deterministic,
    parity,
    read_nnf,
    write_nnf,
)
from catlearn.circuits.circuit import CONST, LEAF, SUM
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws.random_circuits import circuits


# -- the oracle ------------------------------------------------------------------------
def _live(c, node):
    lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
    for e in range(lo, hi):
        if c.kind[node] != SUM or c.weights is None or c.weights[e] != 0:
            yield e - lo, int(c.children[e])


def _values(c, x):
    """Every node's truth on the complete assignment ``x`` ({var: state})."""
    out = []
    for node in range(c.n_nodes):
        k = c.kind[node]
        if k == LEAF:
            out.append(x[int(c.var[node])] == c.state[node])
        elif k == CONST:
            out.append(bool(c.state[node]))
        elif k == SUM:
            out.append(any(out[ch] for _, ch in _live(c, node)))
        else:
            out.append(all(out[ch] for _, ch in _live(c, node)))
    return out


def _assignments(c):
    states = [range(int(c.n_states[v])) for v in range(1, c.n_vars + 1)]
    for values in itertools.product(*states):
        yield dict(zip(range(1, c.n_vars + 1), values))


def _scope(c, node, memo):
    if node not in memo:
        if c.kind[node] == LEAF:
            memo[node] = {int(c.var[node])}
        else:
            memo[node] = set().union(*(_scope(c, int(ch), memo) for ch in c.children_of(node)))
    return memo[node]


def enumerated(c, wanted=None):
    """{⊕ node: deterministic?} for every ⊕ node (marginally in ``wanted``, skipping nodes
    with none of them in scope), by enumerating every assignment."""
    memo: dict = {}
    nodes = [
        n
        for n in range(c.n_nodes)
        if c.kind[n] == SUM and (wanted is None or _scope(c, n, memo) & set(wanted))
    ]
    ok = dict.fromkeys(nodes, True)
    seen: dict = {n: {} for n in nodes}
    for x in _assignments(c):
        values = _values(c, x)
        key = tuple(x.items()) if wanted is None else tuple(x[v] for v in sorted(wanted))
        for n in nodes:
            for position, ch in _live(c, n):
                if values[ch]:
                    holders = seen[n].setdefault(key, set())
                    holders.add(position)
                    if len(holders) > 1:
                        ok[n] = False
    return ok


def unflagged(c):
    """The same circuit without its decision flags: only the verifier can certify it."""
    return Circuit.from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots,
                               c.n_states, c.weights)  # fmt: skip


@st.composite
def random_circuits(draw):
    """Small circuits of every structure, flags stripped, some ⊕ edges weighted 0."""
    c = draw(circuits((1, 5), deterministic=False, decomposable=draw(st.booleans()),
                      smooth=False, weighted=True, max_depth=3))  # fmt: skip
    weights = c.edge_weights().copy()
    sums = np.repeat(c.kind, np.diff(c.child_offsets)) == SUM
    zero = np.array([draw(st.integers(0, 7)) == 0 for _ in range(weights.size)], dtype=bool)
    weights[sums & zero] = 0.0
    return Circuit.from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots,
                               c.n_states, weights)  # fmt: skip


def _either():
    b = CircuitBuilder()
    return b.build([b.sum([b.literal(1), b.product([b.literal(1), b.literal(2)])])])


def check_against_enumeration(c, wanted=None):
    report = determinism(c, wanted)
    want = enumerated(c, wanted)
    for node, deterministic in want.items():
        verdict = report.verdict(node)
        assert verdict.status == ("certified" if deterministic else "refuted"), (node, verdict)
        if not deterministic:  # the counterexample holds: two children non-zero on it
            i, j = verdict.pair
            x = verdict.counterexample
            kids = dict(_live(c, node))
            if wanted is None:
                values = _values(c, {v: x.get(v, 0) for v in range(1, c.n_vars + 1)})
                assert values[kids[i]] and values[kids[j]]
            else:
                for child in (kids[i], kids[j]):
                    assert any(_values(c, y)[child] for y in _assignments(c)
                               if all(y[v] == s for v, s in x.items()))  # fmt: skip
    assert report.deterministic == all(want.values())


# -- agreement with enumeration ------------------------------------------------------------
@settings(max_examples=25)
@given(random_circuits())
@example(_either())
def test_determinism_agrees_with_enumeration(c):
    check_against_enumeration(c)


@settings(max_examples=15)
@given(random_circuits(), st.data())
def test_marginal_determinism_agrees_with_enumeration(c, data):
    wanted = data.draw(st.lists(st.integers(1, c.n_vars), unique=True, max_size=3))
    check_against_enumeration(c, wanted)


@settings(max_examples=15)
@given(random_circuits(), st.integers(0, 40), st.integers(0, 2), st.booleans(), st.data())
def test_a_small_budget_gives_unknown_never_a_wrong_verdict(c, budget, max_vars, marginal, data):
    wanted = None
    if marginal:
        wanted = data.draw(st.lists(st.integers(1, c.n_vars), unique=True, max_size=3))
    report = determinism(c, wanted, budget=budget, max_vars=max_vars)
    for node, deterministic in enumerated(c, wanted).items():
        status = report.verdict(node).status
        assert status in ("unknown", "certified" if deterministic else "refuted")
    assert (report.deterministic is None) == bool(report.unknown and not report.refuted)


MUTANTS = {
    # certifies every ⊕ node by "a variable splits its children"
    "trusts every node": ("split", lambda self, kids: True),
    # certifies whatever the linear rule leaves open
    "trusts what it cannot certify": (
        "disjoint",
        lambda self, a, b: (disjointness._CERTIFIED, disjointness._SEARCH, None, ""),
    ),
}


@settings(max_examples=25, phases=[Phase.generate], database=None)
@given(random_circuits())
def _agrees_on_generated_circuits(c):
    check_against_enumeration(c)  # the property above, on generated circuits only


@pytest.mark.parametrize("mutant", MUTANTS, ids=list(MUTANTS))
def test_the_enumeration_test_catches_unsound_checkers(monkeypatch, mutant):
    name, method = MUTANTS[mutant]
    monkeypatch.setattr(disjointness._Check, name, method)
    with pytest.raises(AssertionError):
        _agrees_on_generated_circuits()


# -- knowledge compilers' circuits -----------------------------------------------------------
def _as_compiler_writes(c):
    """``c`` through the .nnf format with every decision flag dropped (``O j`` → ``O 0``),
    as a compiler that does not record decision variables (D4's OR nodes) writes it."""
    text = io.StringIO()
    write_nnf(c, text)
    return read_nnf(io.StringIO(re.sub(r"(?m)^O \d+ ", "O 0 ", text.getvalue())))


def test_compiled_circuits_keep_their_exact_counts_without_flags():
    c = _as_compiler_writes(exactly_k_of_n(24, 8))
    assert c.decision.max() == 0 and c.n_vars == 24
    report = determinism(c)
    assert report.deterministic and report.work == 0  # no search: the linear rule alone
    assert set(report.summary()) <= {"entailed literals", "one live child"}
    assert c.model_count() == comb(24, 8)
    deep = _as_compiler_writes(parity(300))
    assert deep.is_deterministic() and deep.model_count() == 2**299


def test_a_decision_literal_past_the_kept_literals_is_found():
    # D4 conjoins each branch of an OR with the literals it propagates: here nine shared
    # ones come before the decision, more than the K literals the linear pass keeps.
    b = CircuitBuilder()
    shared = [b.literal(v) for v in range(2, 11)]
    rest = b.sum([b.literal(11), b.literal(11, False)])
    top = b.sum([b.product([*shared, b.literal(1), rest]),
                 b.product([*shared, b.literal(1, False), rest])])  # fmt: skip
    c = b.build([top], n_vars=20)
    report = determinism(c)
    assert report.deterministic and report.verdict(top).method == "entailed literals"
    assert c.model_count() == 2 * 2 * 2**9


def test_a_lying_compiled_circuit_is_refused_never_miscounted():
    # One OR node of a 24-variable compiled circuit lies: its children overlap.
    c = exactly_k_of_n(24, 8)
    b = CircuitBuilder()
    x = [None] + [b.literal(v) for v in range(1, 25)]
    nx = [None] + [b.literal(v, False) for v in range(1, 25)]
    both = b.sum([b.product([x[1], x[2]]), b.product([x[1], nx[3]])])  # x1x2 ∨ x1¬x3
    c = b.build([b.product([both, *x[4:]])], n_vars=24)
    with pytest.raises(CircuitError, match=f"⊕ node {int(both)} is not deterministic"):
        c.model_count()
    verdict = determinism(c).verdict(both)
    x_ = verdict.counterexample
    assert x_[1] == 1 and x_[2] == 1 and x_[3] == 0  # both children hold there
    for query in (lambda: c.wmc({1: 0.5}), c.mpe, c.entropy, lambda: c.sample(2)):
        with pytest.raises(CircuitError, match="not deterministic"):
            query()


def test_what_cannot_be_decided_is_refused_naming_the_node(monkeypatch):
    c = _either()
    report = determinism(c, budget=0)
    assert report.deterministic is None and report.unknown == (4,)
    assert "budget of 0" in report.explain()
    monkeypatch.setattr(disjointness, "DEFAULT_BUDGET", 0)
    fresh = _either()
    with pytest.raises(UnverifiedDeterminism, match="model_count needs .* ⊕ node 4") as error:
        fresh.model_count()
    assert error.value.node == 4 and error.value.report.deterministic is None
    with pytest.raises(UnverifiedDeterminism, match="could not be verified"):
        is_deterministic(_either())


def test_marginal_determinism_below_a_non_decomposable_node_enumerates_up_to_max_vars():
    b = CircuitBuilder()
    x1, x2, nx2 = b.literal(1), b.literal(2), b.literal(2, False)
    # (x1 ∧ x2 ∧ x1) ∨ (x1 ∧ ¬x2): not decomposable, disjoint on x2
    c = b.build([b.sum([b.product([x1, x2, b.product([x1])]), b.product([x1, nx2])])])
    assert determinism(c, [1]).deterministic is False
    assert determinism(c, [2]).deterministic  # literals: x2 against ¬x2
    tangled = b.build([b.sum([b.product([x1, b.product([x1, x2])]), b.product([x1])])])
    assert determinism(tangled, [1]).verdict(int(tangled.roots[0])).method == "enumeration"
    unknown = determinism(tangled, [1], max_vars=1)
    assert unknown.deterministic is None and "max_vars = 1" in unknown.explain()
    with pytest.raises(UnverifiedDeterminism, match="marginally deterministic"):
        is_marginal_deterministic(tangled, [1], max_vars=1)


# -- the report ------------------------------------------------------------------------------
def test_the_report_names_each_node_s_status_and_method():
    b = CircuitBuilder()
    x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    stray = b.sum([x, nx])  # no root reaches it: checked all the same
    xor = b.sum([b.product([x, ny]), b.product([nx, y])])
    one = b.sum([x, y], [1.0, 0.0])  # the other child weighs 0
    claim = b.sum([b.product([x, xor]), b.product([nx, one])], decision=1)
    c = b.build([claim])
    r = determinism(c)
    assert [r.verdict(n).status for n in (stray, xor, one, claim, x)] == [
        "certified", "certified", "certified", "certified", "not a ⊕ node"]  # fmt: skip
    assert [r.verdict(n).method for n in (xor, one, claim)] == [
        "entailed literals", "one live child", "decision claim"]  # fmt: skip
    assert r.summary() == {"entailed literals": 2, "one live child": 1, "decision claim": 1}
    assert r.explain() == "" and r.refuted == r.unknown == ()


def test_a_check_that_stops_at_the_first_refutation_leaves_the_rest_unchecked():
    b = CircuitBuilder()
    x, y, z = b.literal(1), b.literal(2), b.literal(3)
    c = b.build([b.product([b.sum([x, y]), b.sum([z, b.literal(4)])])])
    quick, full = determinism(c, exhaustive=False), determinism(c)
    assert quick.deterministic is False and full.deterministic is False
    assert quick.refuted == (3,) and quick.verdict(5).status == "unchecked"
    assert full.refuted == (3, 5)


def test_multi_state_variables_and_zero_weights():
    b = CircuitBuilder()
    s = [b.indicator(1, i, n_states=3) for i in range(3)]
    c = b.build([b.sum([s[0], s[1], s[2]])])
    assert determinism(c).verdict(3).method == "entailed literals"
    overlap = b.build([b.sum([s[0], b.sum([s[0], s[2]])])])
    r = determinism(overlap)
    assert r.deterministic is False and r.verdict(r.refuted[0]).counterexample == {1: 0}
    # Zero-weight children are not models: counts follow the Boolean support.
    b = CircuitBuilder()
    s = [b.indicator(1, i, n_states=3) for i in range(3)]
    z = b.build([b.sum([s[0], b.sum([s[0], s[2]])], [1.0, 0.0])])
    assert z.is_deterministic() and z.model_count() == 1


def test_bad_arguments_are_named():
    c = _either()
    for call, error, text in [
        (lambda: determinism("c"), ArgumentTypeError, "Circuit"),
        (lambda: determinism(c, budget=-1), ArgumentValueError, "budget"),
        (lambda: determinism(c, max_vars=1.5), ArgumentTypeError, "max_vars"),
        (lambda: determinism(c, [9]), CircuitError, "variable 9"),
        (lambda: determinism(c, exhaustive="no"), ArgumentTypeError, "exhaustive"),
        (lambda: determinism(c).verdict(99), ArgumentValueError, "node"),
    ]:
        with pytest.raises(error, match=text):
            call()


def test_the_linear_rule_certifies_a_large_unflagged_circuit_without_search():
    c = unflagged(parity(2000))
    report = determinism(c)
    assert report.deterministic and report.work == 0
    summary = report.summary()  # two ⊕ nodes have a false child: one live child
    assert summary == {"entailed literals": 3998, "one live child": 2}
