"""The suites catch deliberately broken instances, naming the law and a counterexample."""

import jax.numpy as jnp
import pytest

from catlearn import laws
from catlearn.errors import UnknownLawError
from catlearn.laws import LawViolation
from catlearn.semirings import Homomorphism, Log, MaxPlus, Real, Semiring


class MaxTimesOnReals(Semiring):
    """(max, ×) over all reals: × does not distribute over max for negatives."""

    zero, one = -jnp.inf, 1.0
    idempotent = True

    def add(self, a, b):
        return jnp.maximum(a, b)

    def mul(self, a, b):
        return a * b


class LogWithWrongZero(Log):
    name = "LogWithWrongZero"
    zero = 0.0


class FalselyIdempotentReal(Real):
    name = "FalselyIdempotentReal"
    idempotent = True


class RealWithBadStar(Real):
    name = "RealWithBadStar"

    def star(self, a):
        return 1.0 / (1.0 + a)


class MaxPlusWithRealKernel(MaxPlus):
    """A fast kernel that computes the wrong product (sum instead of max)."""

    name = "MaxPlusWithRealKernel"

    def matmul(self, a, b):
        return jnp.matmul(a, b)


class Matrices2x2(Semiring):
    """2×2 real matrices: a semiring, but ⊗ is not commutative."""

    name = "Matrices2x2"
    zero, one = jnp.zeros((2, 2)), jnp.eye(2)

    def asarray(self, x):
        return jnp.asarray(x, dtype=jnp.float32)

    def index_shape(self, x):
        return tuple(x.shape[:-2])

    def add(self, a, b):
        return a + b

    def mul(self, a, b):
        return a @ b


@pytest.mark.parametrize(
    "semiring, law",
    [
        (MaxTimesOnReals(), "left_distributivity"),
        (LogWithWrongZero(), "additive_identity"),
        (FalselyIdempotentReal(), "idempotence"),
        (RealWithBadStar(), "star_left_unfold"),
        (MaxPlusWithRealKernel(), "matmul_matches_definition"),
    ],
    ids=lambda v: v if isinstance(v, str) else repr(v),
)
def test_suite_flags_broken_semiring(semiring, law):
    with pytest.raises(LawViolation) as caught:
        laws.semiring(semiring)[law].check(shrink=False)
    message = str(caught.value)
    assert f"semiring[{semiring!r}]::{law}" in message
    assert "fails for (" in message and "lhs =" in message


def test_whole_suite_check_raises_on_broken():
    with pytest.raises(AssertionError):  # LawViolation is an AssertionError
        laws.semiring(MaxTimesOnReals()).check()


def test_non_commutative_semiring_flagged_when_declared_commutative():
    from hypothesis import strategies as st

    from catlearn.laws.strategies import dyadic

    matrices = st.lists(dyadic(-2, 2), min_size=4, max_size=4).map(
        lambda v: jnp.asarray(v, dtype=jnp.float32).reshape(2, 2)
    )
    honest = type("HonestMatrices", (Matrices2x2,), {"commutative": False})()
    for law in laws.semiring(honest, elements=matrices):
        if law.name not in {"sum_matches_fold", "matmul_matches_definition"}:
            law.check()
    with pytest.raises(LawViolation, match="multiplicative_commutativity"):
        suite = laws.semiring(Matrices2x2(), elements=matrices)
        suite["multiplicative_commutativity"].check(shrink=False)


def test_broken_homomorphism_is_flagged():
    log2 = Homomorphism(Real(), Log(), jnp.log2, "log2", domain=lambda x: x >= 0)
    with pytest.raises(LawViolation, match=r"homomorphism\[log2\]::preserves_add"):
        laws.homomorphism(log2)["preserves_add"].check(shrink=False)


def test_counterexample_is_shrunk():
    with pytest.raises(LawViolation) as caught:
        laws.semiring(FalselyIdempotentReal())["idempotence"].check()
    (a,) = caught.value.counterexample
    assert float(a) == 1 / 16  # shrunk to the smallest non-zero dyadic: a ⊕ a = 2a ≠ a


def test_report_lists_every_law():
    rows = laws.semiring(FalselyIdempotentReal()).report(max_examples=5)
    status = dict(rows)
    assert status["semiring[FalselyIdempotentReal]::left_distributivity"] == "ok"
    assert "fails for" in status["semiring[FalselyIdempotentReal]::idempotence"]


def test_unknown_law_name_is_a_key_error():
    with pytest.raises(UnknownLawError, match="no law 'distributivity'"):
        laws.semiring(Real())["distributivity"]
    with pytest.raises(KeyError):  # a suite is a mapping of names to laws
        laws.semiring(Real())["distributivity"]


def test_expected_failure_is_strict_and_inapplicable_skips():
    from catlearn.laws.law import UnexpectedPass

    suite = laws.semiring(FalselyIdempotentReal()).expected_failure("idempotence", "known")
    suite["idempotence"].check()  # fails, as declared: fine
    with pytest.raises(UnexpectedPass, match="declared to fail"):
        laws.semiring(Real())["left_distributivity"].expected_failure("not really").check()
    skipped = laws.semiring(RealWithBadStar()).inapplicable("star_left_unfold", "no star")
    skipped["star_left_unfold"].check()  # not run
    rows = dict(skipped.report(max_examples=3))
    assert rows["semiring[RealWithBadStar]::star_left_unfold"] == "inapplicable: no star"


class RowMixingReal(Real):
    """Adds b's rows in reverse order: right on one element, wrong on a batch. It opts in
    to batched laws (as a subclass of Real), so the suite must see it is not elementwise."""

    name = "RowMixingReal"

    def add(self, a, b):
        return a + jnp.flip(b)


def test_batched_suite_flags_an_operation_that_is_not_elementwise():
    with pytest.raises(LawViolation, match="not elementwise"):
        laws.semiring(RowMixingReal())["additive_commutativity"].check(shrink=False)
    laws.semiring(RowMixingReal(), batch=0)["additive_commutativity"].check(max_examples=10)


@pytest.mark.parametrize("batch", [0, 16])
def test_batched_and_unbatched_report_one_row(batch):
    with pytest.raises(LawViolation) as caught:
        laws.semiring(LogWithWrongZero(), batch=batch)["additive_identity"].check()
    (a,) = caught.value.counterexample
    assert jnp.shape(a) == ()  # one element, whichever way it was drawn


def test_batch_must_be_a_count():
    from catlearn.errors import ArgumentValueError

    with pytest.raises(ArgumentValueError, match="batch"):
        laws.semiring(Real(), batch=-1)
