"""Hostile and edge-case input to catlearn.semirings: right answers or named, typed errors.

Every case either checks the exact answer against an independent oracle
(numpy in float64, Python's integers and ``%``, brute-force enumeration) or
expects a specific catlearn error whose message names the culprit.
"""

from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CarrierOverflowError,
    CatlearnError,
    DivergenceError,
    HostOnlyError,
    SpecError,
)
from catlearn.semirings import (
    GF2,
    Boolean,
    Counting,
    Dual,
    Expectation,
    Fuzzy,
    Homomorphism,
    Log,
    Lukasiewicz,
    MaxPlus,
    MinPlus,
    Polynomial,
    Product,
    Real,
    Semiring,
    TopK,
    Viterbi,
    Zn,
    closure,
    contract,
    einsum,
    evaluate,
    real_to_log,
)

NAN, INF = float("nan"), float("inf")

# -- NaN propagates: numpy oracles of each float semiring's ⊕ and ⊗ ------------------


def _lse(x, axis):
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True)  # np.max propagates NaN
        shift = np.where(np.isfinite(m), m, 0.0)
        out = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return np.squeeze(out, axis)


def _tropical(select, absorb):
    def mul(a, b):
        with np.errstate(all="ignore"):
            bound = np.minimum(a, b) if absorb < 0 else np.maximum(a, b)
            return np.where(bound == absorb, absorb, a + b)

    return mul, select


ORACLES = {  # semiring: (mul, sum over an axis), float64, NaN-propagating
    "Real": (np.multiply, np.sum),
    "Log": (np.add, _lse),
    "MaxPlus": _tropical(np.max, -INF),
    "MinPlus": _tropical(np.min, INF),
    "Viterbi": (np.multiply, np.max),
    "Fuzzy": (np.minimum, np.max),
    "Lukasiewicz": (lambda a, b: np.maximum(0.0, a + b - 1.0), np.max),
}
FLOAT_SEMIRINGS = [Real(), Log(), MaxPlus(), MinPlus(), Viterbi(), Fuzzy(), Lukasiewicz()]


def _oracle_matmul(S, a, b):
    mul, reduce = ORACLES[repr(S)]
    with np.errstate(all="ignore"):
        return reduce(mul(a[:, :, None], b[None, :, :]), 1)


def _same(got, want, rtol=1e-5):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize("S", FLOAT_SEMIRINGS, ids=repr)
def test_nan_propagates_through_add_sum_and_einsum(S):
    # Log used to drop NaN in its max-shift: sum([nan, 0]) was −∞.
    assert np.isnan(S.sum(jnp.array([NAN, 0.0]), 0))
    assert np.isnan(S.add(jnp.array(NAN), jnp.array(S.zero)))
    assert np.isnan(einsum(S, "i->", [0.5, NAN]))
    a = np.array([[NAN, 0.5], [0.25, 0.5]])
    b = np.array([[0.5, 1.0], [0.75, 0.0]])
    _same(einsum(S, "ij,jk->ik", a, b), _oracle_matmul(S, a, b))


@pytest.mark.parametrize("S", [MaxPlus(), MinPlus()], ids=repr)
def test_nan_is_not_absorbed_by_the_tropical_zero(S):
    # x ⊗ 0 = 0 for x in the carrier; NaN is not in it, and stays NaN.
    assert np.isnan(S.mul(jnp.array(NAN), jnp.array(S.zero)))
    a = np.array([[NAN, -S.zero]])  # the opposite infinity takes the guarded kernel
    b = np.array([[S.zero], [1.0]])
    _same(einsum(S, "ij,jk->ik", a, b), _oracle_matmul(S, a, b))


SCORES = st.sampled_from([NAN, INF, -INF, 0.0, 0.5, 1.0, -1.5, 2.25, 0.125])


@pytest.mark.parametrize("S", FLOAT_SEMIRINGS, ids=repr)
@settings(max_examples=15, deadline=None)
@given(
    a=np_arrays(np.float32, (2, 3), elements=SCORES),
    b=np_arrays(np.float32, (3, 2), elements=SCORES),
)
def test_nan_and_inf_anywhere_match_the_oracle(S, a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(all="ignore"):
        want = ORACLES[repr(S)][1](a64, 1)
    _same(S.sum(jnp.asarray(a), 1), want)
    _same(einsum(S, "ij,jk->ik", a, b), _oracle_matmul(S, a64, b64))


@settings(max_examples=15, deadline=None)
@given(scores=np_arrays(np.float32, (3, 2), elements=SCORES))
def test_topk_nan_poisons_exactly_the_lists_it_enters(scores):
    T = TopK(2)
    x = T.asarray(scores)
    total = T.sum(x, 0)
    assert np.isnan(total).all() == np.isnan(scores).any()
    assert not np.isnan(total).any() or np.isnan(total).all()
    # The two-best of the non-NaN case is the top two of all six scores, sorted.
    if not np.isnan(scores).any():
        np.testing.assert_array_equal(total, np.sort(scores.ravel())[::-1][:2])
    per_row = np.isnan(np.asarray(x)).all(axis=1)
    np.testing.assert_array_equal(per_row, np.isnan(scores).any(axis=1))


@settings(max_examples=15, deadline=None)
@given(
    value=np_arrays(np.float32, (3,), elements=SCORES),
    tangent=np_arrays(np.float32, (3,), elements=SCORES),
)
def test_expectation_and_product_propagate_nan_componentwise(value, tangent):
    got = Expectation.sum(Expectation.asarray((value, tangent)), 0)
    v64, t64 = value.astype(np.float64), tangent.astype(np.float64)
    with np.errstate(all="ignore"):
        _same(got[0], np.sum(v64))
        _same(got[1], np.sum(t64))
    P = Product(Log(), MaxPlus())
    left, right = P.sum(P.asarray((value, tangent)), 0)
    _same(left, _lse(v64, 0))
    _same(right, np.max(t64))


def test_structured_einsum_propagates_nan():
    T = TopK(2)
    a = T.asarray([[[NAN, 0.0], [1.0, 0.0]]])
    b = T.asarray([[[0.0, -1.0]], [[0.0, -1.0]]])
    assert np.isnan(einsum(T, "ij,jk->ik", a, b)).all()
    value, tangent = einsum(Expectation, "i,i->", ([1.0, 2.0], [NAN, 0.0]), ([1.0, 1.0], [0, 0]))
    assert float(value) == 3.0 and np.isnan(tangent)


def test_log_stays_exact_at_neg_inf_in_value_and_gradient():
    L = Log()
    assert float(L.sum(jnp.array([-INF, -INF]), 0)) == -INF
    assert jax.grad(lambda x: L.sum(x, 0))(jnp.array([-INF, -INF])).tolist() == [0.0, 0.0]
    assert jax.grad(lambda x: L.add(x, x))(-INF).item() == 0.0


# -- stars and closures: divergence is an error, or an honest ±∞/NaN under jit ---------


@pytest.mark.parametrize(
    "S, a, want",
    [
        (Real(), [0.5, 2.0, 1.0, -1.0, -3.0, NAN], [2.0, INF, INF, NAN, NAN, NAN]),
        (Log(), [np.log(0.5), 0.0, 1.0, -INF, NAN], [np.log(2.0), INF, INF, 0.0, NAN]),
        (MaxPlus(), [-1.0, 0.0, 1.0, -INF, NAN], [0.0, 0.0, INF, 0.0, NAN]),
        (MinPlus(), [1.0, 0.0, -1.0, INF, NAN], [0.0, 0.0, -INF, 0.0, NAN]),
        (Viterbi(), [0.5, 1.0, 2.0, -0.5, NAN], [1.0, 1.0, INF, NAN, NAN]),
        (Lukasiewicz(), [0.5, 1.0, 1.5, NAN], [1.0, 1.0, INF, NAN]),
        (Fuzzy(), [0.5, 1.0, NAN], [1.0, 1.0, NAN]),
    ],
    ids=repr,
)
def test_star_is_the_series_value_or_inf_or_nan(S, a, want):
    # Real.star(2) was −1 and Viterbi.star(2) was 1: finite-looking wrong sums.
    _same(S.star(jnp.array(a, dtype=jnp.float32)), want)


@pytest.mark.parametrize(
    "S, a, culprit",
    [
        (Log(), [[1.0]], "node 0"),
        (Log(), [[0.0]], "node 0"),  # probability 1: 1 + 1 + 1 + …
        (Log(), np.log([[0.5, 0.6], [0.6, 0.5]]), "node 1"),  # spectral radius 1.1
        (Viterbi(), [[2.0]], "node 0"),
        (Viterbi(), [[0.0, 2.0], [0.6, 0.0]], "node 1"),  # a cycle of weight 1.2
        (MaxPlus(), [[-INF, 1.0], [-0.5, -INF]], "node 1"),  # positive cycle
        (MinPlus(), [[INF, 1.0], [-3.0, INF]], "node 1"),  # negative cycle
        (MinPlus(), [[-1.0]], "node 0"),
        (Lukasiewicz(), [[1.5]], "node 0"),
        (Fuzzy(), [[2.0]], "node 0"),  # outside the carrier [0, 1]
    ],
    ids=lambda v: repr(v) if isinstance(v, Semiring) else None,
)
def test_divergent_closure_raises_naming_the_node(S, a, culprit):
    with pytest.raises(DivergenceError, match=f"closure in {S!r} diverges: .*{culprit}"):
        closure(S, jnp.asarray(a, dtype=jnp.float32))


@pytest.mark.parametrize(
    "S, a, want",
    [
        (Log(), [[1.0]], INF),
        (Viterbi(), [[2.0]], INF),
        (MaxPlus(), [[1.0]], INF),
        (MinPlus(), [[-1.0]], -INF),
        (Real(), [[NAN]], NAN),
    ],
    ids=repr,
)
def test_divergence_under_jit_is_honest(S, a, want):
    got = jax.jit(lambda a: closure(S, a))(jnp.asarray(a, dtype=jnp.float32))
    _same(got, [[want]])


def test_convergent_closures_match_the_inverse():
    p = np.array([[0.25, 0.5], [0.125, 0.25]])
    want = np.linalg.inv(np.eye(2) - p)
    np.testing.assert_allclose(np.exp(closure(Log(), np.log(p))), want, rtol=1e-5)
    np.testing.assert_allclose(closure(Real(), p), want, rtol=1e-5)
    # ρ = 0.958 < 1, although the first pivot is −1.09, outside (−1, 1): Expectation
    # (dual numbers over Real) must not mistake it for divergence.
    a = np.array([[-1.09214991, -0.96156807], [1.25260348, 0.26248497]])
    value, tangent = closure(Expectation, (a, np.eye(2)))
    inverse = np.linalg.inv(np.eye(2) - a)
    np.testing.assert_allclose(value, inverse, rtol=1e-4)
    np.testing.assert_allclose(tangent, inverse @ inverse, rtol=1e-4)
    with pytest.raises(DivergenceError, match="spectral radius"):
        closure(Expectation, (a * 1.1, np.eye(2)))


def test_empty_closure_is_empty():
    assert closure(Real(), np.zeros((0, 0))).shape == (0, 0)
    assert closure(MinPlus(), np.zeros((0, 0))).shape == (0, 0)


def test_real_closure_with_an_infinite_weight_diverges():
    with pytest.raises(DivergenceError, match=r"a\[0, 1\] = inf"):
        closure(Real(), [[0.0, INF], [0.0, 0.0]])


@pytest.mark.parametrize("S", [Real(), MinPlus(), Log()], ids=repr)
def test_closure_propagates_nan_instead_of_raising(S):
    # A cycle of unknown (NaN) weight is not divergence: the pairs on it are NaN
    # (and Real's host check no longer hits numpy's LinAlgError on NaN).
    assert np.isnan(closure(S, [[NAN, S.zero], [S.zero, S.zero]])[0, 0])


def test_product_closure_diverges_in_the_component_that_does():
    with pytest.raises(DivergenceError, match="MinPlus"):
        closure(Product(Log(), MinPlus()), (np.full((1, 1), -INF), [[-2.0]]))


def test_boolean_closure_reads_weights_as_edges():
    reach = closure(Boolean(), np.array([[0, 5], [0, 0]]))
    assert reach.tolist() == [[True, True], [False, True]]


# -- integers: reduced or refused before any narrowing cast --------------------------

BIG = [2**40 + 3, 2**63 - 1, -(2**63), 2**64 - 1, 2**70, -(2**70) - 5, 10**40 + 1]


@pytest.mark.parametrize("n", [2, 7, 46341])
@pytest.mark.parametrize("value", BIG, ids=str)
def test_zn_reduces_big_integers_exactly(n, value):
    want = value % n
    assert Zn(n).asarray(value).item() == want
    assert Zn(n).asarray([value, 1]).tolist() == [want, 1 % n]
    if -(2**63) <= value < 2**63:
        assert Zn(n).asarray(np.array([value], dtype=np.int64)).tolist() == [want]
    if 0 <= value < 2**64:
        assert Zn(n).asarray(np.array([value], dtype=np.uint64)).tolist() == [want]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-(2**100), 2**100), min_size=1, max_size=5), st.integers(2, 46341))
def test_zn_matches_python_mod(values, n):
    assert Zn(n).asarray(np.array(values, dtype=object)).tolist() == [v % n for v in values]


def test_float_carriers_take_integers_as_floats_exactly():
    assert float(einsum(Real(), "i->", np.array([3_000_000_000]))) == 3e9  # was −1.29e9
    assert Real().asarray(np.array([2**64 - 1], dtype=np.uint64)).item() == np.float32(2**64)
    assert Log().asarray(2**70).item() == np.float32(2**70)
    assert MaxPlus().asarray(np.array([2**40 + 1, True])).tolist() == [2.0**40, 1.0]


@pytest.mark.parametrize("S", [Real(), Log(), TopK(1)], ids=repr)
def test_integers_beyond_the_float_range_are_refused(S):
    with pytest.raises(CarrierOverflowError, match="the integer 1797693134862315907729") as e:
        S.asarray([2**1024])
    assert isinstance(e.value, OverflowError)


def test_counting_stays_exact_past_2_to_the_63():
    C = Counting()
    assert C.sum(C.asarray([2**100, 2**100]), 0).item() == 2**101
    total = einsum(C, "i,i->", np.array([2**64 - 1, 1], dtype=np.uint64), [2**64, 3])
    assert total.item() == (2**64 - 1) * 2**64 + 3
    assert C.asarray([2**64 - 1, 1]).tolist() == [2**64 - 1, 1]  # numpy alone gives float64
    ints = C.asarray(np.array([True, False]))
    assert ints.tolist() == [1, 0] and all(type(v) is int for v in ints.tolist())


def test_integer_carriers_refuse_what_would_wrap():
    class Tally(Semiring):  # a user semiring with an int32 carrier: the generic asarray
        zero, one = np.int32(0), np.int32(1)

        def add(self, a, b):
            return a + b

        def mul(self, a, b):
            return a * b

    with pytest.raises(CarrierOverflowError, match="3000000000 does not fit the carrier int32"):
        Tally().asarray(np.array([3_000_000_000]))
    with pytest.raises(CarrierOverflowError, match="-2147483649"):
        Tally().asarray([-(2**31) - 1])
    with pytest.raises(SpecError, match="integers, got dtype float64"):
        Tally().asarray([1.5])
    assert Tally().asarray([2**31 - 1]).tolist() == [2**31 - 1]


def test_boolean_reads_big_integers_without_wrapping():
    assert Boolean().asarray(np.array([2**32, 0])).tolist() == [True, False]  # was False
    assert Boolean().asarray(np.array([2**70], dtype=object)).tolist() == [True]
    with pytest.raises(ArgumentValueError, match="Boolean: NaN is neither true nor false"):
        Boolean().asarray([0.0, NAN])


@pytest.mark.parametrize(
    "S, x, error, match",
    [
        (Counting(), np.array([1.5], dtype=object), SpecError, "exact integers, got the float 1.5"),
        (Counting(), [Fraction(1, 2)], SpecError, "Fraction"),
        (Counting(), [-3], SpecError, "negative -3"),
        (Counting(), [1.0], SpecError, "exact"),
        (Zn(5), [1.5], SpecError, "Z5 elements are integers"),
        (Zn(5), np.array([2**70, 0.5], dtype=object), SpecError, "the float 0.5"),
        (GF2, jnp.array([1.0]), SpecError, "GF2 elements are integers"),
        (Polynomial(), np.array([sympy.Symbol("x"), 0.5], dtype=object), SpecError, "0.5"),
    ],
    ids=lambda v: repr(v) if isinstance(v, Semiring) else None,
)
def test_exact_carriers_refuse_inexact_values(S, x, error, match):
    with pytest.raises(error, match=match):
        S.asarray(x)


# -- the wrong kind of argument: named, typed, early -------------------------------

ONE = jnp.ones(2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: einsum(Log, "i->", ONE), r"einsum: semiring: got the class Log.*pass Log\(\)"),
        (lambda: contract(Real, [ONE], [["i"]], []), r"contract: semiring: .*pass Real\(\)"),
        (lambda: closure(MinPlus, jnp.ones((2, 2))), r"closure: semiring: .*pass MinPlus\(\)"),
        (lambda: Homomorphism(Real, Log(), jnp.log), r"source: got the class Real"),
        (lambda: Homomorphism(Real(), Log, jnp.log), r"target: got the class Log"),
        (lambda: evaluate({}, Real), r"evaluate: target: .*pass Real\(\)"),
        (lambda: Product(Real(), Log), r"Product: right: .*pass Log\(\)"),
        (lambda: Product(3, Real()), r"Product: left: expected a catlearn Semiring.*int 3"),
        (lambda: Dual(Log), r"Dual: base: .*pass Log\(\)"),
        (lambda: einsum("Real", "i->", ONE), r"einsum: semiring: .*got str 'Real'"),
    ],
)
def test_a_semiring_class_or_non_semiring_is_named(call, match):
    with pytest.raises(ArgumentTypeError, match=match) as caught:
        call()
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    "operand, error, match",
    [
        ("abc", ArgumentTypeError, "got the str 'abc', needs numbers"),
        (None, ArgumentTypeError, "got the NoneType None"),
        (object(), ArgumentTypeError, "of type object, needs numbers"),
        ([1 + 2j, 0], ArgumentTypeError, "complex numbers"),
        (np.array([1, 2j], dtype=object), ArgumentTypeError, "complex, needs real numbers"),
        ([[1.0, 2.0], [3.0]], ArgumentValueError, "ragged nested sequence"),
        ([None, 1.0], ArgumentTypeError, "element None"),
        (np.array(["1", "2"]), ArgumentTypeError, "dtype <U1"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), ArgumentTypeError, "datetime64"),
    ],
    ids=lambda v: type(v).__name__,
)
@pytest.mark.parametrize("S", [Real(), Log(), Zn(3), Boolean(), TopK(2)], ids=repr)
def test_non_numeric_operands_are_named(S, operand, error, match):
    # TopK's operands carry a trailing k-axis; a bad one is refused before shape checks.
    with pytest.raises(error, match=f"einsum operand 1: .*{match}"):
        einsum(S, "i,i->" if not isinstance(S, TopK) else "i,i->", [1, 1], operand)


@pytest.mark.parametrize(
    "S",
    [Real(), Log(), MaxPlus(), MinPlus(), Viterbi(), Boolean(), GF2, Zn(5), Fuzzy()]
    + [Lukasiewicz(), TopK(2), Expectation, Counting(), Product(Log(), Boolean())],
    ids=repr,
)
def test_empty_sum_is_zero_and_empty_product_is_one(S):
    # Log's ⊕ over nothing raised numpy's "zero-size array to reduction operation".
    empty = S.zeros((0, 3))
    for reduce, unit in ((S.sum, S.zero), (S.prod, S.one)):
        got, want = reduce(empty, 0), S.full((3,), unit)
        for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
            np.testing.assert_array_equal(g, w)
    got = einsum(S, "ij,jk->ik", S.zeros((2, 0)), S.zeros((0, 3)))
    for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(S.zeros((2, 3)))):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("S", [Log(), MaxPlus(), MinPlus(), Viterbi(), Fuzzy()], ids=repr)
def test_matmul_over_an_empty_inner_axis_is_zero(S):
    got = S.matmul(jnp.ones((1, 2, 0)), jnp.ones((1, 0, 3)))
    np.testing.assert_array_equal(got, np.full((1, 2, 3), S.zero))
    assert float(S.sum(jnp.zeros((3, 0)), -1)[0]) == S.zero  # a negative axis too


@pytest.mark.parametrize(
    "spec, shapes, match",
    [
        ("ij->i->j", [(2, 2)], "2 arrows"),
        ("...i...->i", [(2, 2)], "more than one '...'"),
        ("ij,jk", [(2, 2)], "names 2 operands, got 1"),
        ("i,j,k->", [(2,), (2,)], "names 3 operands, got 2"),
        ("i.j->i", [(2, 2)], r"invalid index character\(s\) \['\.'\]"),
        ("ij->ik", [(2, 2)], "output index 'k' appears in no operand"),
        ("ijk->i", [(2, 2)], "operand 0 has 2 index axes"),
        ("ij,ij->", [(2, 3), (3, 2)], "index 'i' has size 2 in operand 0 but 3 in operand 1"),
    ],
)
def test_malformed_specs_are_spec_errors(spec, shapes, match):
    with pytest.raises(SpecError, match=match):
        einsum(Real(), spec, *[jnp.ones(s) for s in shapes])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"operands": ONE}, ArgumentTypeError, "operands must be a list .* got ArrayImpl"),
        ({"indices": "i"}, ArgumentTypeError, "indices must be a list .* got str"),
        ({"indices": [[["i"]]]}, ArgumentTypeError, r"indices\[0\] has the label \['i'\]"),
        ({"indices": [3]}, ArgumentTypeError, r"indices\[0\] must be a sequence"),
        ({"output": None}, ArgumentTypeError, "output must be a sequence of index labels"),
        ({"optimize": "bogus"}, ArgumentValueError, "unknown opt_einsum strategy 'bogus'"),
        ({"optimize": 3}, ArgumentTypeError, "optimize must be an opt_einsum strategy"),
        ({"operands": [ONE, "x"], "indices": [["i"], ["i"]]}, ArgumentTypeError, "operands"),
    ],
)
def test_contract_arguments_are_checked(kwargs, error, match):
    args = {"operands": [ONE], "indices": [["i"]], "output": []} | kwargs
    optimize = args.pop("optimize", "auto")
    with pytest.raises(error, match=match):
        contract(Real(), args["operands"], args["indices"], args["output"], optimize=optimize)


def test_spec_must_be_text():
    with pytest.raises(ArgumentTypeError, match="einsum spec must be a string, got list"):
        einsum(Real(), ["i->"], ONE)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: TopK(0), ArgumentValueError, "k must be an integer ≥ 1, got 0"),
        (lambda: TopK(1.5), ArgumentTypeError, "got 1.5"),
        (lambda: TopK(True), ArgumentTypeError, "got True"),
        (lambda: TopK("2"), ArgumentTypeError, "got '2'"),
        (lambda: Zn(1), ArgumentValueError, "modulus n must be .* got 1"),
        (lambda: Zn(46342), ArgumentValueError, "got 46342"),
        (lambda: Zn(7.0), ArgumentTypeError, "got 7.0"),
        (lambda: Zn(True), ArgumentTypeError, "got True"),
        (lambda: Homomorphism(Real(), Log(), 3), ArgumentTypeError, "fn must be a function"),
        (lambda: Homomorphism(Real(), Log(), np.log, domain=0), ArgumentTypeError, "domain"),
        (lambda: Dual(Real(), label=3), ArgumentTypeError, "label must be a str"),
        (lambda: evaluate([1], Real()), ArgumentTypeError, "values must be a mapping"),
        (lambda: evaluate({"x+y": 1.0}, Real()), ArgumentValueError, "key 'x\\+y'"),
        (lambda: evaluate({3: 1.0}, Real()), ArgumentValueError, "key 3"),
        (lambda: evaluate({"x": "a"}, Real()), ArgumentTypeError, r"values\['x'\]: Real"),
    ],
)
def test_constructors_refuse_bad_parameters(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_integer_parameters_from_numpy_are_normalised():
    assert TopK(np.int64(2)) == TopK(2) and hash(TopK(np.int64(2))) == hash(TopK(2))
    assert Zn(np.int32(7)) == Zn(7) and type(Zn(np.int32(7)).n) is int


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: Product(Real(), Boolean()).asarray((1.0, 2.0, 3.0)),
            ArgumentTypeError,
            "tuple of length 3",
        ),
        (
            lambda: Product(Real(), Boolean()).asarray(ONE),
            ArgumentTypeError,
            "pairs .* got a ArrayImpl",
        ),
        (lambda: Product(Real(), Zn(3)).asarray(([1.0], [0.5])), SpecError, "right component: Z3"),
        (lambda: Expectation.asarray(([1.0], ["a"])), ArgumentTypeError, "Expectation: tangent"),
        (lambda: Expectation.asarray(([1.0], [1.0, 2.0])), SpecError, "value shape"),
        (lambda: TopK(2).asarray([1.0, 2.0, 3.0]), SpecError, "vectors of 2 scores"),
        (lambda: TopK(2).lift("a"), ArgumentTypeError, "TopK.2..lift"),
        (lambda: real_to_log("a"), ArgumentTypeError, "Real→Log: argument x: Real: got the str"),
        (lambda: Log().star("a"), ArgumentTypeError, "Log: got the str"),
        (lambda: MinPlus().star_domain(None), ArgumentTypeError, "MinPlus: got the NoneType"),
        (lambda: closure(Log(), "a"), ArgumentTypeError, "closure in Log: argument a: Log"),
        (
            lambda: closure(Real(), np.ones((2, 3))),
            SpecError,
            r"square matrix, got index shape \(2, 3\)",
        ),
        (lambda: TopK(2).sum(TopK(2).zeros((2,)), 5), ArgumentValueError, "axis 5 out of range"),
        (
            lambda: TopK(2).sum(TopK(2).zeros((2,)), "0"),
            ArgumentTypeError,
            "axis: expected an integer",
        ),
        (lambda: Counting().asarray("12"), ArgumentTypeError, "Counting: got the str '12'"),
        (lambda: Counting().asarray([[1], [2, 3]]), ArgumentValueError, "ragged"),
        (lambda: Polynomial().asarray("x + y"), ArgumentTypeError, "Polynomial: got the str"),
        (lambda: Polynomial().asarray(np.array([object()])), ArgumentTypeError, "type object"),
    ],
)
def test_element_level_errors_name_the_part(call, error, match):
    with pytest.raises(error, match=match) as caught:
        call()
    assert isinstance(caught.value, CatlearnError)


def test_host_semirings_refuse_traces_by_name():
    with pytest.raises(HostOnlyError, match="Counting is a host semiring"):
        jax.jit(lambda x: einsum(Counting(), "i->", x))(jnp.ones(2, dtype=jnp.int32))


def test_traced_operands_skip_host_checks_and_still_work():
    f = jax.jit(lambda a, b: einsum(Zn(7), "i,i->", a, b))
    assert int(f(jnp.array([3, 4]), jnp.array([5, 6]))) == (15 + 24) % 7
    g = jax.jit(lambda x: Real().asarray([x, 2 * x]))
    assert g(jnp.float32(1.5)).tolist() == [1.5, 3.0]
