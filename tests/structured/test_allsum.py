"""allsum: the least solution of a grammar's fixpoint equations, in every semiring
that has one, and a typed error where it does not exist."""

import itertools

import jax
import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, DivergenceError, NotClosedError
from catlearn.semirings import (
    GF2,
    Boolean,
    Counting,
    Expectation,
    Fuzzy,
    Log,
    MaxPlus,
    MinPlus,
    Real,
    TopK,
    Viterbi,
)
from catlearn.structured.allsum import allsum, allsums
from catlearn.structured.grammar import WCFG

# Three strongly connected parts: B (linear recursion), A (uses B), S (quadratic, uses A).
LAYERED = """
S -> S S 0.2
S -> A 0.6
S -> 0.1
A -> a 0.5
A -> A B 0.3
A -> B 0.1
B -> b 0.5
B -> B B 0.2
C -> C C 2.0
"""


def kleene(g, steps=20000):
    """The least solution by plain iteration from zero in float64 (slow, independent)."""
    nts = g.nonterminals
    x = dict.fromkeys(nts, 0.0)
    for _ in range(steps):
        new = dict.fromkeys(nts, 0.0)
        for r in g.rules:
            term = float(r.weight)
            for s in r.rhs:
                term *= x.get(s, 1.0) if s in nts else 1.0
            new[r.lhs] += term
        x = new
    return x


def test_real_newton_matches_plain_iteration_and_the_equations():
    g = WCFG.from_text(LAYERED)
    got = {k: float(v) for k, v in allsums(g).items()}
    slow = kleene(g)
    for k in ("S", "A", "B"):
        assert got[k] == pytest.approx(slow[k], rel=1e-5)
    assert got["C"] == 0.0  # C derives no finite tree
    # The equations hold: X = f(X).
    with jax.enable_x64(True):
        g64 = WCFG.from_text(LAYERED)
        x = {k: float(v) for k, v in allsums(g64).items()}
    for nt in ("S", "A", "B"):
        rhs = sum(
            float(r.weight) * np.prod([x[s] for s in r.rhs if s in x])
            for r in g64.rules
            if r.lhs == nt
        )
        assert rhs == pytest.approx(x[nt], rel=1e-9)


@pytest.mark.parametrize("p, expected", [(0.3, 1.0), (0.6, 2 / 3), (0.5, 1.0), (0.0, 1.0)])
def test_branching_process_least_solution(p, expected):
    # X = p X² + (1 − p): the least root is min(1, (1 − p) / p), critical at p = 1/2.
    with jax.enable_x64(True):
        g = WCFG.from_text(f"S -> S S {p}\nS -> a {1 - p}")
        assert float(allsum(g)) == pytest.approx(expected, abs=1e-7)
        assert float(allsum(g, Log())) == pytest.approx(np.log(expected), abs=1e-7)


@pytest.mark.parametrize(
    "text, where",
    [
        ("S -> S S 0.6\nS -> a 0.5", "'S'"),  # no real root
        ("S -> S 1.0\nS -> a 1", "'S'"),  # Σ 1ⁿ
        ("S -> T 1\nT -> S 0.5\nT -> T T 1\nS -> a 0.5", "diverges"),
    ],
)
def test_real_divergence_is_an_error(text, where):
    with pytest.raises(DivergenceError, match=where):
        allsum(WCFG.from_text(text))
    with pytest.raises(DivergenceError):
        allsum(WCFG.from_text(text), Log())


def test_negative_weights_only_where_not_recursive():
    assert float(allsum(WCFG.from_text("S -> A A -1\nA -> a 0.5\nA -> 0.25"))) == pytest.approx(
        -0.5625
    )
    with pytest.raises(ArgumentValueError, match="weights ≥ 0"):
        allsum(WCFG.from_text("S -> S S -0.1\nS -> a 0.5"))


def _derivations(g, height):
    """The weights (products of rule weights) of every derivation of height ≤ height."""
    nts = set(g.nonterminals)

    def of(x, h):
        if x not in nts:
            return [1.0]
        if h == 0:
            return []
        out = []
        for r in g.rules:
            if r.lhs == x:
                for kids in itertools.product(*(of(s, h - 1) for s in r.rhs)):
                    out.append(float(r.weight) * float(np.prod(kids)))
        return out

    return of(g.start, height)


SMALL = """
S -> S A 0.5
S -> a 0.4
A -> A A 0.3
A -> b 0.9
A -> 0.2
"""


def test_idempotent_and_topk_match_enumerated_derivations():
    g = WCFG.from_text(SMALL)
    weights = sorted(_derivations(g, 4), reverse=True)  # the 3 best have height ≤ 3
    assert float(allsum(g, Viterbi())) == pytest.approx(weights[0])
    assert float(allsum(g, MaxPlus())) == pytest.approx(np.log(weights[0]))
    assert np.asarray(allsum(g, TopK(3))).tolist() == pytest.approx(np.log(weights[:3]).tolist())
    assert bool(allsum(g, Boolean()))
    fuzzy = g.map(lambda w: min(float(w), 1.0), Fuzzy())
    assert float(allsum(fuzzy)) == pytest.approx(0.4)  # best bottleneck: S → a
    cheap = g.map(lambda w: -np.log(float(w)), MinPlus())
    assert float(allsum(cheap)) == pytest.approx(-np.log(weights[0]))


def test_improving_cycles_diverge():
    with pytest.raises(DivergenceError, match="'S'"):
        allsum(WCFG.from_text("S -> S a 0.5\nS -> a -1", MaxPlus()))  # +0.5 per pump
    with pytest.raises(DivergenceError):
        allsum(WCFG.from_text("S -> S S 3.0\nS -> a 0.5", Viterbi()))  # context 1.5
    with pytest.raises(DivergenceError):
        allsum(WCFG.from_text("S -> S a 0.5\nS -> a -1", MaxPlus()), TopK(2))


def test_counting_is_exact_when_finite_and_diverges_when_recursive():
    g = WCFG.from_text(
        """
        S -> A A A 1
        A -> B B 2
        A -> a 1
        B -> b 3
        B -> 1
        """,
        Counting(),
    )
    # B: 4, A: 2·4² + 1 = 33, S: 33³.
    assert allsum(g).item() == 33**3
    assert {k: v.item() for k, v in allsums(g).items()} == {"S": 33**3, "A": 33, "B": 4}
    with pytest.raises(DivergenceError, match="infinitely many derivations"):
        allsum(WCFG.from_text(SMALL), Counting())
    # A recursive part that the start does not use is no problem.
    unused = WCFG.from_text("S -> a 2\nT -> T T 1\nT -> b 1", Counting())
    assert allsum(unused).item() == 2


def test_expectation_tangent_is_the_derivative():
    # Weights (w, w): the tangent is d/dt of the allsum with weights w·(1 + t) at t = 0.
    with jax.enable_x64(True):
        g = WCFG.from_text(LAYERED)
        value, tangent = (float(x) for x in allsum(g.map(lambda w: (w, w), Expectation)))
        h = 1e-6

        def at(t):
            return float(allsum(g.map(lambda w: w * (1 + t), Real())))

        assert value == pytest.approx(at(0.0), rel=1e-9)
        assert tangent == pytest.approx((at(h) - at(-h)) / (2 * h), rel=1e-5)


def test_refusals():
    with pytest.raises(ArgumentTypeError, match="expected a WCFG"):
        allsum("S -> a")
    with pytest.raises(NotClosedError, match="recursive"):
        allsum(WCFG.from_text("S -> S S 1\nS -> a 1", GF2))
    acyclic = WCFG.from_text("S -> a a 1", GF2)
    assert int(allsum(acyclic)) == 1
    with pytest.raises(ArgumentTypeError, match="Real"):
        allsum(WCFG.from_text("S -> a"), Real)
