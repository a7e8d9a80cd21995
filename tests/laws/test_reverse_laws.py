"""Reverse derivatives satisfy soundness and RD1–RD7 over GF2, Z5, Real; wrong rules are caught."""

from functools import partial

import pytest

from catlearn import laws
from catlearn.functors import reverse_derivative
from catlearn.functors.reverse import RULES
from catlearn.laws import LawViolation
from catlearn.semirings import GF2, Real, Zn

RINGS = [GF2, Zn(5), Real()]
CASES = [(ring, law.name) for ring in RINGS for law in laws.reverse_derivative(ring)]


@pytest.mark.parametrize("ring, name", CASES, ids=[f"{r!r}::{n}" for r, n in CASES])
def test_catlearn_reverse_derivative_satisfies(ring, name):
    law = laws.reverse_derivative(ring)[name]
    # Three rings × fifteen laws: ten examples each; the compiled law is one XLA
    # compile per random circuit, so two.
    law.check(max_examples=2 if name == "compiled_matches_reference" else 10)


def _swapped_mul(b, xs, dy):  # (x₁·b, x₂·b): the partials exchanged
    return (b.mul(xs[0], dy), b.mul(xs[1], dy))


def _straight_through_mul(b, xs, dy):  # polycirc's comparison rule, wrong for mul
    return (dy, dy)


def _wrong_sign_neg(b, xs, dy):  # invisible over GF2, where −b = b
    return (dy,)


def _add_forgets_second(b, xs, dy):  # a plumbing bug: one input gets no cotangent
    return (dy, None)


MUTANTS = [
    ("swapped_mul", "mul", _swapped_mul, [GF2, Zn(5), Real()]),
    ("straight_through_mul", "mul", _straight_through_mul, [GF2, Zn(5), Real()]),
    ("wrong_sign_neg", "neg", _wrong_sign_neg, [Zn(5), Real()]),
    ("add_forgets_second", "add", _add_forgets_second, [GF2, Real()]),
]
MUTANT_CASES = [(m, kind, rule, ring) for m, kind, rule, rings in MUTANTS for ring in rings]


@pytest.mark.parametrize(
    "mutant, kind, rule, ring", MUTANT_CASES, ids=[f"{m}-{r!r}" for m, _, _, r in MUTANT_CASES]
)
def test_wrong_rule_is_caught_by_soundness(mutant, kind, rule, ring):
    broken = partial(reverse_derivative, rules={**RULES, kind: rule})
    suite = laws.reverse_derivative(ring, broken)
    with pytest.raises(LawViolation, match="generators_sound"):
        suite["generators_sound"].check(shrink=False)


def test_plumbing_bug_breaks_the_axioms_too():
    broken = partial(reverse_derivative, rules={**RULES, "add": _add_forgets_second})
    with pytest.raises(LawViolation, match="rd1_sum"):
        laws.reverse_derivative(Real(), broken)["rd1_sum"].check(max_examples=50, shrink=False)


def test_wrong_sign_is_invisible_over_gf2():
    # reference/laws.md §6: over Z2, −b = b, so this mutant is a correct rule there.
    broken = partial(reverse_derivative, rules={**RULES, "neg": _wrong_sign_neg})
    laws.reverse_derivative(GF2, broken)["generators_sound"].check(max_examples=10)


def test_suite_needs_a_ring():
    from catlearn.semirings import Boolean

    with pytest.raises(TypeError, match="ring"):
        laws.reverse_derivative(Boolean())
