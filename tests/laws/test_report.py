"""``laws.report``: every law of many suites, as a table and as JSON, with per-law timings."""

import json

import pytest
from hypothesis import strategies as st

from catlearn import laws
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import Law, LawReport, LawResult, LawSuite
from catlearn.semirings import Boolean

INTS = (st.integers(-9, 9), st.integers(-9, 9))
PLUS = Law("ints", "commutativity", "a + b = b + a", INTS, lambda a, b: (a + b, b + a))
MINUS = Law("ints", "minus_commutes", "a - b = b - a", INTS, lambda a, b: (a - b, b - a))
NEVER = Law("ints", "empty_domain", "a = a", INTS[:1], lambda a: (a, a), assume=lambda a: False)
# Pure-Python laws: every status, in milliseconds, with no compilation.
INTS_SUITE = LawSuite(
    "ints",
    (
        PLUS,
        MINUS,
        MINUS.expected_failure("subtraction is not commutative"),
        PLUS.expected_failure("a stale declaration"),
        MINUS.inapplicable("not a group"),
        NEVER,
    ),
)
STATUS = ["ok", "violated", "expected failure", "unexpected pass", "inapplicable",
          "could not check"]  # fmt: skip


class BooleanWithWrongZero(Boolean):
    """True as ⊕'s identity: a ∨ True = True ≠ a, and True does not annihilate."""

    name = "BooleanWithWrongZero"
    zero = True


@pytest.fixture(scope="module")
def mixed():
    return laws.report(INTS_SUITE, laws.combine("empty", []), max_examples=5)


def test_every_status_is_reported_with_its_message(mixed):
    assert [r.status for r in mixed] == STATUS and len(mixed) == 6
    assert [r.law for r in mixed.failed] == ["ints::minus_commutes", "ints::commutativity",
                                             "ints::empty_domain"]  # fmt: skip
    ok, violated, xfail, xpass, skipped, never = mixed.rows
    assert ok.message == "" and str(ok) == "ok" and not ok.failed
    assert "ints::minus_commutes (a - b = b - a) fails for" in violated.message
    assert xfail.message == "subtraction is not commutative" and not xfail.failed
    assert "declared to fail (a stale declaration) but holds" in xpass.message
    assert str(skipped) == "inapplicable: not a group"
    assert never.message.startswith("Unsatisfiable")
    assert all(r.suite == "ints" and r.seconds >= 0 for r in mixed)
    assert mixed.max_examples == 5 and mixed.seconds == sum(r.seconds for r in mixed)
    assert mixed.slowest(2) == tuple(sorted(mixed, key=lambda r: -r.seconds)[:2])
    assert repr(mixed).startswith("<LawReport: 1 suites, 6 laws, 3 failed")


def test_table_has_a_row_per_law_and_a_total_per_suite(mixed):
    lines = str(mixed).splitlines()
    assert lines[:2] == ["| law | result | seconds |", "|---|---|---:|"]
    assert lines[2].startswith("| ints::commutativity | ok | ") and lines[2].endswith(" |")
    assert "| violated: ints::minus_commutes (a - b = b - a) fails for" in lines[3]
    assert lines[6].startswith("| ints::minus_commutes | inapplicable: not a group | ")
    assert lines[-1].startswith("| **ints** | 3/6 hold | **") and len(lines) == 2 + 6 + 1
    for line in lines[2:]:
        seconds = line.rsplit("|", 2)[1].strip().strip("*")
        assert float(seconds) >= 0
    assert mixed._repr_markdown_() == mixed.table() == str(mixed)


def test_json_holds_every_row_with_its_time(mixed):
    data = json.loads(mixed.json())
    assert data == mixed.to_dict() and data["failed"] == 3 and data["max_examples"] == 5
    assert data["suites"] == [
        {"suite": "ints", "laws": 6, "passed": 3, "seconds": pytest.approx(mixed.seconds)}
    ]
    assert [r["status"] for r in data["results"]] == STATUS
    assert set(data["results"][0]) == {"suite", "law", "status", "message", "seconds"}
    assert all(r["seconds"] >= 0 for r in data["results"])
    assert json.loads(mixed.json(indent=None)) == data


def test_many_suites_in_order_with_a_real_semiring():
    suite = laws.semiring(Boolean())
    broken = laws.semiring(BooleanWithWrongZero())
    result = laws.report(suite, broken, max_examples=2, shrink=False)
    assert list(result.by_suite) == ["semiring[Boolean]", "semiring[BooleanWithWrongZero]"]
    assert [r.law for r in result] == [law.id for law in (*suite, *broken)]
    assert {r.suite for r in result.failed} == {"semiring[BooleanWithWrongZero]"}
    assert "semiring[BooleanWithWrongZero]::additive_identity" in {r.law for r in result.failed}
    assert all(r.status == "violated" for r in result.failed)
    table = result.table().splitlines()
    assert table[2].startswith("| semiring[Boolean]::additive_associativity | ok | ")
    assert f"| **semiring[Boolean]** | {len(suite)}/{len(suite)} hold |" in result.table()


def test_an_empty_report_is_empty():
    nothing = laws.report()
    assert nothing.rows == () and nothing.failed == () and nothing.seconds == 0
    assert nothing.to_dict()["suites"] == [] and nothing.table().count("\n") == 1


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: laws.report([INTS_SUITE]), ArgumentTypeError, r"report\(\*suites\)"),
        (lambda: laws.report(INTS_SUITE, PLUS), ArgumentTypeError, r"report\(suites\[1\]\).*Law"),
        (lambda: laws.report(INTS_SUITE, max_examples=0), ArgumentValueError, "max_examples"),
        (lambda: laws.report(INTS_SUITE, shrink=1), ArgumentTypeError, r"report\(shrink\)"),
        (lambda: LawReport([("ints", "ok")]), ArgumentTypeError, r"LawReport\(rows\)"),
        (lambda: LawReport(None), ArgumentTypeError, r"LawReport\(rows\)"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_report_is_a_value():
    row = LawResult("s", "s::l", "ok", "", 0.5)
    assert LawReport([row]) == LawReport((row,)) and LawReport([row]).slowest(0) == ()
    with pytest.raises(ArgumentValueError, match=r"slowest\(n\)"):
        LawReport([row]).slowest(-1)
