"""Hostile arguments to ``catlearn.laws``: every public builder and check names the
argument, what it got and what it needs, before a strategy is built or a law is run."""

import math

import jax.numpy as jnp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catlearn import laws
from catlearn.diagrams import Box, Ty
from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CatlearnError,
    UnknownLawError,
)
from catlearn.functors import FunctionFunctor, TensorFunctor
from catlearn.laws import Law, LawSuite, strategies
from catlearn.semirings import Boolean, Homomorphism, MaxPlus, Real, Semiring

X = Ty("x")
F_BOX = Box("f", X, X)
TENSOR = TensorFunctor({X: 2}, {F_BOX: jnp.eye(2)})
FUNCTION = FunctionFunctor({X: 2}, {F_BOX: jnp.sin})
SUITE = laws.semiring(Boolean())
LAW = SUITE["idempotence"]
ITEMS = st.just(1.0)


def equal(a, b):
    return a == b


class NoDefaultElements(Semiring):
    """A user's semiring whose carrier has no default strategy."""

    zero, one, dtype = "", "e", object

    def add(self, a, b):
        return a

    def mul(self, a, b):
        return a + b


CASES = [
    # semirings and homomorphisms
    (lambda: laws.semiring(Real), ArgumentTypeError, r"laws.semiring\(S\): got the class Real"),
    (lambda: laws.semiring(object()), ArgumentTypeError, r"laws.semiring\(S\): expected a catl"),
    (lambda: laws.semiring(Real(), elements=[1.0]), ArgumentTypeError, "hypothesis strategy"),
    (lambda: laws.semiring(Real(), equal=1), ArgumentTypeError, r"laws.semiring\(equal\)"),
    (lambda: laws.semiring(Real(), rtol=-1), ArgumentValueError, r"\(rtol\): .*≥ 0, got -1"),
    (lambda: laws.semiring(Real(), atol=math.inf), ArgumentValueError, r"\(atol\): .*got inf"),
    (lambda: laws.semiring(Real(), rtol="1e-3"), ArgumentTypeError, r"laws.semiring\(rtol\)"),
    (lambda: laws.semiring(NoDefaultElements()), ArgumentTypeError, "pass elements="),
    (lambda: laws.semiring(Semiring()), ArgumentTypeError, "Semiring sets no zero or one"),
    (lambda: laws.homomorphism(Real()), ArgumentTypeError, "expected a Homomorphism"),
    (lambda: laws.homomorphism(Homomorphism), ArgumentTypeError, "got the class Homomorphism"),
    (
        lambda: laws.homomorphism(Homomorphism(Real(), Real(), abs), rtol=math.nan),
        ArgumentValueError,
        r"laws.homomorphism\(rtol\)",
    ),
    (lambda: laws.monoid("m", max, 0.0, ITEMS, equal), ArgumentTypeError, r"monoid\(unit\)"),
    (lambda: laws.monoid("m", 1, lambda: 0, ITEMS, equal), ArgumentTypeError, r"monoid\(op\)"),
    (lambda: laws.monoid("m", max, lambda: 0, 1, equal), ArgumentTypeError, r"monoid\(items\)"),
    (lambda: laws.monoid(3, max, lambda: 0, ITEMS, equal), ArgumentTypeError, r"monoid\(name\)"),
    # functors and categories
    (lambda: laws.functor(object(), [F_BOX]), ArgumentTypeError, r"laws.functor\(F\): expected"),
    (lambda: laws.functor(TensorFunctor, [F_BOX]), ArgumentTypeError, "got the class Tensor"),
    (lambda: laws.functor(TENSOR, []), ArgumentValueError, "empty signature"),
    (lambda: laws.functor(TENSOR, F_BOX), ArgumentTypeError, r"got one box; pass \[box\]"),
    (lambda: laws.functor(TENSOR, [1]), ArgumentTypeError, r"signature\)\[0\]: expected a box"),
    (
        lambda: laws.functor(TENSOR, [Box("u", Ty(), Ty())]),
        ArgumentValueError,
        "every box has empty dom and cod",
    ),
    (lambda: laws.functor(TENSOR, [F_BOX], max_boxes=0), ArgumentValueError, "max_boxes"),
    (lambda: laws.functor(FUNCTION, []), ArgumentValueError, "empty signature"),
    (lambda: laws.function_functor(TENSOR, [F_BOX]), ArgumentTypeError, "compile, init and spec"),
    (lambda: laws.lens_functor(object(), [F_BOX]), ArgumentTypeError, r"lens_functor\(F\)"),
    (lambda: laws.hypergraph([]), ArgumentValueError, r"laws.hypergraph\(signature\)"),
    (lambda: laws.monoidal([F_BOX], interpret=3), ArgumentTypeError, r"monoidal\(interpret\)"),
    (lambda: laws.diagrams([F_BOX], wiring=("twist",)), ArgumentValueError, "unknown"),
    (lambda: laws.diagrams([F_BOX], max_width=-1), ArgumentValueError, "max_width"),
    # circuits and reverse derivatives
    (lambda: laws.circuit(Real), ArgumentTypeError, r"laws.circuit\(S\): got the class Real"),
    (lambda: laws.circuit(Real(), n_vars=(3, 1)), ArgumentValueError, r"circuit\(n_vars\)"),
    (lambda: laws.circuit_queries(n_vars=(1, 40)), ArgumentValueError, "most ≤ 16"),
    (lambda: laws.transformation(3), ArgumentTypeError, r"transformation\(f\)"),
    (lambda: laws.reverse_derivative(MaxPlus()), ArgumentTypeError, "need a ring"),
    (lambda: laws.reverse_derivative(Real), ArgumentTypeError, "got the class Real"),
    (lambda: laws.reverse_derivative(Real(), R=3), ArgumentTypeError, r"derivative\(R\)"),
    # checks and reports
    (lambda: SUITE.check(max_examples=0), ArgumentValueError, r"check\(max_examples\).* got 0"),
    (lambda: SUITE.check(max_examples=-1), ArgumentValueError, "got -1"),
    (lambda: SUITE.check(max_examples=1.5), ArgumentTypeError, "got float 1.5"),
    (lambda: SUITE.check(max_examples=True), ArgumentTypeError, "got bool True"),
    (lambda: SUITE.check(shrink="no"), ArgumentTypeError, r"check\(shrink\)"),
    (lambda: LAW.check(max_examples=0), ArgumentValueError, r"check\(max_examples\)"),
    (lambda: SUITE.report(max_examples=0), ArgumentValueError, r"report\(max_examples\)"),
    (lambda: laws.report(SUITE, max_examples=0), ArgumentValueError, r"report\(max_examples\)"),
    (lambda: laws.report([SUITE]), ArgumentTypeError, r"report\(\*suites\)"),
    (lambda: laws.report("suite"), ArgumentTypeError, r"report\(suites\[0\]\)"),
    (lambda: laws.combine("all", SUITE), ArgumentTypeError, r"pass \[suite\]"),
    (lambda: laws.combine("all", [1]), ArgumentTypeError, r"combine\(suites\)\[0\]"),
    (lambda: SUITE["distributivity"], UnknownLawError, "has no law 'distributivity'"),
    (lambda: SUITE.inapplicable("idempotence", 3), ArgumentTypeError, "reason"),
    (lambda: Law("s", "n", "a = a", ITEMS, equal), ArgumentTypeError, r"pass \(s,\)"),
    (lambda: Law("s", "n", "a = a", (ITEMS,), 1), ArgumentTypeError, r"Law\(sides\)"),
    (lambda: LawSuite("s", [1]), ArgumentTypeError, r"LawSuite\(own\)\[0\]"),
    (lambda: laws.equality(rtol=-1), ArgumentValueError, r"equality\(rtol\)"),
    (lambda: laws.close(1.0, 1.0, atol=math.nan), ArgumentValueError, r"close\(atol\)"),
    # strategies
    (lambda: strategies.dyadic(2, 1), ArgumentValueError, "low 2 is above high 1"),
    (lambda: strategies.dyadic(0.01, 0.02), ArgumentValueError, "no multiple of 1/16"),
    (lambda: strategies.dyadic(math.nan, 1), ArgumentValueError, r"dyadic\(low\)"),
    (lambda: strategies.dyadic(0, 1, denominator=0), ArgumentValueError, "denominator"),
    (lambda: strategies.elements(Real), ArgumentTypeError, r"elements\(S\): got the class"),
    (lambda: strategies.arrays(Real(), (-1,)), ArgumentValueError, r"arrays\(shape\)\[0\]"),
    (lambda: strategies.arrays(Real(), 3), ArgumentTypeError, r"arrays\(shape\)"),
    (lambda: strategies.matrix_pairs(Real(), max_size=0), ArgumentValueError, "max_size"),
    (lambda: strategies.circuits(n_vars=0), ArgumentValueError, r"circuits\(n_vars\)"),
    (lambda: strategies.circuits(smooth="yes"), ArgumentTypeError, r"circuits\(smooth\)"),
    (lambda: strategies.polycircs(n_inputs=(-1, 2)), ArgumentValueError, "n_inputs"),
]


@pytest.mark.parametrize("call, error, message", CASES, ids=[c[2][:40] for c in CASES])
def test_a_bad_argument_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_law_never_tried_is_reported_not_passed():
    never = Law("s", "empty_domain", "x = x", (st.integers(),), lambda x: (x, x),
                assume=lambda x: False)  # fmt: skip
    (row,) = LawSuite("s", (never,)).report(max_examples=5)
    assert row[1].startswith("could not check: Unsatisfiable")


@given(
    st.one_of(
        st.integers(max_value=0),
        st.floats(),
        st.booleans(),
        st.text(max_size=4),
        st.lists(st.integers(), max_size=2),
    )
)
def test_any_bad_max_examples_is_refused_before_running(value):
    with pytest.raises(CatlearnError, match=r"check\(max_examples\)"):
        SUITE.check(max_examples=value)


@given(
    st.one_of(
        st.floats(max_value=-1e-300),
        st.sampled_from([math.inf, -math.inf, math.nan]),
        st.text(max_size=3),
        st.none(),
    )
)
def test_any_bad_tolerance_is_refused(value):
    with pytest.raises(CatlearnError, match=r"equality\(atol\)"):
        laws.equality(atol=value)
