"""The generalised left-corner transform keeps every stringsum and removes left
recursion; same_stringsums catches a transform that does not."""

import itertools

import numpy as np
import pytest

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    LawViolation,
    NonCommutativeError,
)
from catlearn.semirings import Counting, Log, Real
from catlearn.structured.grammar import WCFG
from catlearn.structured.left_corner import (
    is_left_recursive,
    left_corner,
    left_recursive_rules,
    same_stringsums,
)

# Direct and indirect left recursion (S → A …, A → S …), a unary rule, a long rule.
RECURSIVE = """
S -> S a 0.3
S -> A b 0.3
S -> b 0.4
A -> S b 0.5
A -> a 0.25
A -> B 0.25
B -> a b a 1.0
"""

# With ε-rules: nullable symbols hide left corners.
NULLABLE = """
S -> A S a 0.4
S -> b 0.6
A -> a 0.5
A -> 0.5
"""


def brute(g, max_len):
    """{string: number of derivations} by iterating the grammar on truncated languages."""
    nts = set(g.nonterminals)
    lang = {x: {} for x in nts}
    for _ in range(4 * max_len + 8):
        new = {x: {} for x in nts}
        for r in g.rules:
            acc = {(): int(np.asarray(r.weight).item())}
            for sym in r.rhs:
                part = lang[sym] if sym in nts else {(sym,): 1}
                acc = _convolve(acc, part, max_len)
            for s, w in acc.items():
                new[r.lhs][s] = new[r.lhs].get(s, 0) + w
        lang = new
    return lang[g.start]


def _convolve(a, b, max_len):
    out = {}
    for (s1, w1), (s2, w2) in itertools.product(a.items(), b.items()):
        if len(s1) + len(s2) <= max_len:
            out[s1 + s2] = out.get(s1 + s2, 0) + w1 * w2
    return out


@pytest.mark.parametrize("text", [RECURSIVE, NULLABLE], ids=["recursive", "nullable"])
def test_left_corner_keeps_real_stringsums(text):
    g = WCFG.from_text(text)
    same_stringsums(g, left_corner(g), max_length=5)
    same_stringsums(g, left_corner(g, rules=left_recursive_rules(g)), max_length=5)


def test_left_corner_keeps_counts_exactly_against_brute_force():
    g = WCFG.from_text(RECURSIVE).over(Counting())
    lc = left_corner(g)
    same_stringsums(g, lc, max_length=5)
    # And against derivations counted without any CNF or CKY.
    from catlearn.structured.cky import stringsum

    truth = brute(g, 4)
    words = [s for n in range(1, 5) for s in itertools.product("ab", repeat=n)]
    got = stringsum(lc.to_cnf(), [list(s) for s in words]).tolist()
    assert got == [truth.get(s, 0) for s in words]


def test_selective_transforms_on_random_choices_keep_stringsums():
    g = WCFG.from_text(RECURSIVE).over(Counting())
    rng = np.random.default_rng(0)
    moved = [(r.lhs, r.rhs) for r in g.rules]
    symbols = list(g.nonterminals + g.terminals)
    for _ in range(3):
        rules = [m for m in moved if rng.random() < 0.5]
        cut = [x for x in symbols if rng.random() < 0.5]
        same_stringsums(g, left_corner(g, rules=rules, symbols=cut), max_length=4)


def test_left_recursion_is_removed():
    g = WCFG.from_text(RECURSIVE)
    assert is_left_recursive(g)
    assert not is_left_recursive(left_corner(g))
    selective = left_corner(g, rules=left_recursive_rules(g))
    assert not is_left_recursive(selective)
    assert ("~B", ("a", "b", "a")) in {(r.lhs, r.rhs) for r in selective.rules}  # not moved
    assert {r for r, _ in left_recursive_rules(g)} == {"S", "A"}
    # A nullable prefix counts: S → A S … with A ⇒ ε is left recursion.
    assert is_left_recursive(WCFG.from_text(NULLABLE))
    assert not is_left_recursive(WCFG.from_text("S -> a S 1\nS -> b 1"))


def test_a_mutant_is_caught():
    g = WCFG.from_text(RECURSIVE)
    lc = left_corner(g)
    dropped = WCFG(lc.rules[:-1], lc.start, lc.semiring, terminals=lc.terminals)
    with pytest.raises(LawViolation, match="same_stringsums") as caught:
        same_stringsums(g, dropped, max_length=5)
    assert caught.value.lhs != caught.value.rhs
    first = lc.rules[1]
    reweighted = WCFG(
        [(r.lhs, r.rhs, 2 * float(r.weight) if r == first else r.weight) for r in lc.rules],
        lc.start,
        lc.semiring,
        terminals=lc.terminals,
    )
    with pytest.raises(LawViolation, match=r"fails for \('"):
        same_stringsums(g, reweighted, max_length=5)
    counted = WCFG.from_text(RECURSIVE).over(Counting())
    with pytest.raises(LawViolation, match=r"fails for \('a'\): lhs = 0, rhs = 1"):
        same_stringsums(counted, WCFG.from_text("S -> a 1", Counting()), max_length=1)


def test_refusals():
    g = WCFG.from_text(RECURSIVE)
    with pytest.raises(ArgumentValueError, match="S -> a a is not a rule"):
        left_corner(g, rules=[("S", ("a", "a"))])
    with pytest.raises(ArgumentValueError, match="ε-rule"):
        left_corner(WCFG.from_text(NULLABLE), rules=[("A", ())])
    with pytest.raises(ArgumentValueError, match="'Q' is not a symbol"):
        left_corner(g, symbols=["Q"])
    with pytest.raises(ArgumentTypeError, match="got a str"):
        left_corner(g, rules="S -> a")
    with pytest.raises(ArgumentTypeError, match="expected a WCFG"):
        left_corner("S -> a")

    class Ordered(Real):
        commutative = False

    with pytest.raises(NonCommutativeError, match="commutative"):
        left_corner(WCFG([("S", "a", 1.0)], "S", Ordered()))
    with pytest.raises(ArgumentTypeError, match="pass semiring="):
        same_stringsums(g, g.over(Log()), 2)
    with pytest.raises(ArgumentValueError, match="max_length"):
        same_stringsums(g, g, -1)
    with pytest.raises(ArgumentTypeError, match="g2 must be a WCFG"):
        same_stringsums(g, None, 2)
    same_stringsums(g, g.over(Log()), 3, semiring=Log())  # both read in one semiring
