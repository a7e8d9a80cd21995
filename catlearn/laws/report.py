"""``report``: check every law of many suites, and say how each went and how long it took.

Unlike ``suite.check()``, a report does not stop at the first failure: every law
runs, under a clock, and the result is a :class:`LawReport`, a value to print (a
markdown table), serialise (``.json()``) or assert on (``.failed``)::

    >>> from catlearn import laws
    >>> from catlearn.semirings import Boolean
    >>> suite = laws.semiring(Boolean())
    >>> result = laws.report(suite, max_examples=3)
    >>> result.failed, len(result.rows) == len(suite)
    ((), True)
    >>> row = result.rows[0]
    >>> row.law, row.status, row.seconds >= 0
    ('semiring[Boolean]::additive_associativity', 'ok', True)
    >>> print(result.table().splitlines()[2])
    | semiring[Boolean]::additive_associativity | ok | ... |
    >>> result.to_dict()["suites"][0]["passed"] == len(suite)
    True
"""

from __future__ import annotations

import json as _json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from hypothesis.errors import HypothesisException

from catlearn.errors import ArgumentTypeError, LawViolation, UnexpectedPass
from catlearn.laws import arguments
from catlearn.laws.law import LawSuite

#: Every status a law can end in; the last three are failures.
STATUSES = ("ok", "inapplicable", "expected failure", "violated", "unexpected pass",
            "could not check")  # fmt: skip
FAILURES = frozenset(STATUSES[3:])


@dataclass(frozen=True)
class LawResult:
    """How one law of one suite went.

    ``status`` is one of :data:`STATUSES`: "ok"; "inapplicable" and "expected
    failure" (with the declared reason as ``message``); or a failure: "violated"
    (the message names the counterexample and both sides), "unexpected pass" (a law
    declared to fail holds) or "could not check" (hypothesis found no example in the
    law's domain: a law never tried is not a law that holds). ``seconds`` is the
    wall time of ``law.check``, compilation included.
    """

    suite: str
    law: str
    status: str
    message: str
    seconds: float

    @property
    def failed(self) -> bool:
        return self.status in FAILURES

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.message else self.status


@dataclass(frozen=True, repr=False)
class LawReport:
    """The results of :func:`report`, one row per law, suites in the order given.

    ``str(report)`` (and ``print``) is :meth:`table`; ``report.failed`` the failing
    rows, so ``assert not report.failed, report`` shows the table when it fails.
    """

    rows: tuple[LawResult, ...]
    max_examples: int | None = None

    def __post_init__(self) -> None:
        rows = tuple(self.rows) if isinstance(self.rows, (list, tuple)) else None
        if rows is None or not all(isinstance(r, LawResult) for r in rows):
            raise ArgumentTypeError(
                f"LawReport(rows): expected a tuple of LawResults, got {self.rows!r:.60}"
            )
        object.__setattr__(self, "rows", rows)

    @property
    def failed(self) -> tuple[LawResult, ...]:
        """The rows whose law was violated, passed unexpectedly or could not be checked."""
        return tuple(r for r in self.rows if r.failed)

    @property
    def seconds(self) -> float:
        """The time spent checking, in all."""
        return sum(r.seconds for r in self.rows)

    @property
    def by_suite(self) -> dict[str, tuple[LawResult, ...]]:
        """The rows of each suite, by suite name, in the order the suites ran."""
        groups: dict[str, list[LawResult]] = {}
        for r in self.rows:
            groups.setdefault(r.suite, []).append(r)
        return {name: tuple(rows) for name, rows in groups.items()}

    def slowest(self, n: int = 5) -> tuple[LawResult, ...]:
        """The ``n`` laws that took longest, slowest first."""
        n = arguments.count(n, "slowest(n)", low=0)
        return tuple(sorted(self.rows, key=lambda r: r.seconds, reverse=True)[:n])

    def table(self) -> str:
        """A markdown table: law, result, seconds; after each suite, its count and total."""
        lines = ["| law | result | seconds |", "|---|---|---:|"]
        for name, rows in self.by_suite.items():
            for r in rows:
                lines.append(f"| {r.law} | {_cell(str(r))} | {r.seconds:.3f} |")
            passed = sum(not r.failed for r in rows)
            total = sum(r.seconds for r in rows)
            lines.append(f"| **{_cell(name)}** | {passed}/{len(rows)} hold | **{total:.3f}** |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: each suite's counts and time, each law's row, and the totals."""
        suites = [
            {
                "suite": name,
                "laws": len(rows),
                "passed": sum(not r.failed for r in rows),
                "seconds": sum(r.seconds for r in rows),
            }
            for name, rows in self.by_suite.items()
        ]
        return {
            "max_examples": self.max_examples,
            "suites": suites,
            "results": [asdict(r) for r in self.rows],
            "failed": len(self.failed),
            "seconds": self.seconds,
        }

    def json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return _json.dumps(self.to_dict(), indent=indent)

    def __iter__(self) -> Iterator[LawResult]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        return self.table()

    def _repr_markdown_(self) -> str:  # notebooks render the table
        return self.table()

    def __repr__(self) -> str:
        return (
            f"<LawReport: {len(self.by_suite)} suites, {len(self.rows)} laws, "
            f"{len(self.failed)} failed, {self.seconds:.2f} s>"
        )


def report(*suites: LawSuite, max_examples: int | None = None, shrink: bool = True) -> LawReport:
    """Check every law of every suite, timing each; a :class:`LawReport`.

    ``max_examples`` is per law (None: hypothesis's profile decides); ``shrink=False``
    reports each counterexample as first found, which is faster.
    """
    for i, suite in enumerate(suites):
        if not isinstance(suite, LawSuite):
            hint = (
                "; pass the suites themselves: report(*suites)"
                if isinstance(suite, (list, tuple))
                else ""
            )
            raise ArgumentTypeError(
                f"report(suites[{i}]): expected a LawSuite, got {type(suite).__name__} "
                f"{suite!r:.60}{hint}"
            )
    max_examples = arguments.examples(max_examples, "report(max_examples)")
    arguments.flag(shrink, "report(shrink)")
    rows = []
    for suite in suites:
        for law in suite.laws:
            start = time.perf_counter()
            try:
                law.check(max_examples, shrink=shrink)
                if law.skip_reason is not None:
                    status, message = "inapplicable", law.skip_reason
                elif law.xfail_reason is not None:
                    status, message = "expected failure", law.xfail_reason
                else:
                    status, message = "ok", ""
            except LawViolation as violation:
                status, message = "violated", str(violation)
            except UnexpectedPass as passed:
                status, message = "unexpected pass", str(passed)
            except HypothesisException as error:
                status, message = "could not check", f"{type(error).__name__}: {error}"
            seconds = time.perf_counter() - start
            rows.append(LawResult(suite.name, law.id, status, message, seconds))
    return LawReport(tuple(rows), max_examples)


def _cell(text: str) -> str:
    """``text`` as one markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")
