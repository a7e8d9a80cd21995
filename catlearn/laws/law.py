"""``Law`` and ``LawSuite``: named, property-based equations with shrunk counterexamples.

A law is an equation ``lhs(x…) = rhs(x…)`` over values drawn by hypothesis
strategies, compared with a stated equality (exact, or within a float
tolerance). A suite is a named list of laws that inherits its parents'
laws (monoid ⊂ semiring ⊂ closed semiring). ``check`` raises
:class:`LawViolation` naming the law and the smallest counterexample that
hypothesis found::

    >>> from hypothesis import strategies as st
    >>> bad = Law("demo", "commutativity", "a - b = b - a",
    ...           (st.integers(), st.integers()), lambda a, b: (a - b, b - a))
    >>> bad.check()
    Traceback (most recent call last):
    ...
    catlearn.errors.LawViolation: demo::commutativity (a - b = b - a) fails for (0, 1): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import hypothesis
import hypothesis.errors
import jax
import numpy as np
from hypothesis import strategies as st

from catlearn.errors import (
    ArgumentTypeError,
    LawViolation,
    UnexpectedPass,
    UnknownLawError,
)
from catlearn.laws import arguments

_MIN_BATCHES = 5  # batched laws draw at least this many batches (or max_examples, if fewer)


def _exact(a: Any, b: Any) -> bool:
    return bool(np.all(np.asarray(a == b)))


@dataclass(frozen=True)
class Law:
    """One equation, checked on values drawn from ``strategies``.

    ``sides(*values)`` returns ``(lhs, rhs)``; ``equal(lhs, rhs)`` decides;
    ``assume(*values)`` (optional) restricts to the law's domain.

    ``batch`` is how many cases one example checks, and ``max_examples``
    counts cases: 100 cases in batches of 16 are 7 examples (at least 5, or
    ``max_examples`` if fewer, since hypothesis's first example is its
    simplest). With ``stack``, the law draws them: each example draws ``batch``
    values per strategy and ``stack`` makes them one array whose leading axis
    is the batch, so ``sides`` and ``assume`` run once, elementwise, for all of
    them (one dispatch instead of ``batch``). A failing batch is reported by
    its first failing row, checked again on its own; a batch that fails while
    every row holds alone is reported too (the operations are not
    elementwise). Without ``stack``, the strategies draw the batches
    themselves (a batch of matrix products, say).
    """

    suite: str
    name: str
    statement: str
    strategies: tuple[st.SearchStrategy, ...]
    sides: Callable[..., tuple[Any, Any]]
    equal: Callable[[Any, Any], bool] = _exact
    assume: Callable[..., Any] | None = None
    skip_reason: str | None = None
    xfail_reason: str | None = None
    stack: Callable[[list[Any]], Any] | None = None
    batch: int = 1

    def __post_init__(self) -> None:
        arguments.text(self.suite, "Law(suite)")
        arguments.text(self.name, "Law(name)")
        arguments.text(self.statement, "Law(statement)")
        if isinstance(self.strategies, st.SearchStrategy):
            raise ArgumentTypeError("Law(strategies): expected a tuple of strategies; pass (s,)")
        if isinstance(self.strategies, (str, bytes)) or not isinstance(self.strategies, Sequence):
            raise ArgumentTypeError(
                f"Law(strategies): expected a tuple of strategies, got {self.strategies!r:.60}"
            )
        for i, s in enumerate(self.strategies):
            arguments.strategy(s, f"Law(strategies[{i}])")
        object.__setattr__(self, "strategies", tuple(self.strategies))  # hashable, frozen
        arguments.function(self.sides, "Law(sides)", "a function returning (lhs, rhs)")
        arguments.function(self.equal, "Law(equal)", "a function of (lhs, rhs) returning a bool")
        arguments.optional_function(self.assume, "Law(assume)")
        arguments.optional_function(self.stack, "Law(stack)", "a function of a list of values")
        arguments.count(self.batch, "Law(batch)")

    @property
    def id(self) -> str:
        """``suite::name``, e.g. ``semiring[Log]::left_distributivity``."""
        return f"{self.suite}::{self.name}"

    def inapplicable(self, reason: str) -> Law:
        """This law, declared not to apply (``check`` does nothing; reports say why)."""
        arguments.text(reason, "inapplicable(reason)")
        return replace(self, skip_reason=reason)

    def expected_failure(self, reason: str) -> Law:
        """This law, declared to fail: ``check`` raises :class:`UnexpectedPass` if it holds."""
        arguments.text(reason, "expected_failure(reason)")
        return replace(self, xfail_reason=reason)

    def check(self, max_examples: int | None = None, *, shrink: bool = True) -> None:
        """Run the law under hypothesis; raise :class:`LawViolation` if it fails.

        ``shrink=False`` reports the first counterexample found as it is: faster when
        only *whether* the law fails matters (each shrinking step may recompile).
        """
        max_examples = arguments.examples(max_examples, "check(max_examples)")
        arguments.flag(shrink, "check(shrink)")
        if self.skip_reason is not None:
            return
        if self.xfail_reason is None:
            return self._check(max_examples, shrink)
        try:
            self._check(max_examples, shrink)
        except LawViolation:
            return
        raise UnexpectedPass(f"{self.id} was declared to fail ({self.xfail_reason}) but holds")

    def _check(self, max_examples: int | None, shrink: bool = True) -> None:
        failures: list[LawViolation] = []

        def run(*args: Any) -> None:
            if self.assume is not None:
                hypothesis.assume(bool(np.all(np.asarray(self.assume(*args)))))
            try:
                lhs, rhs = self.sides(*args)
                ok = self.equal(lhs, rhs)
            except Exception as error:  # a crash is a violation too: report it
                failures.append(LawViolation(self, args, error=error))
                raise
            if not ok:
                failures.append(LawViolation(self, args, lhs, rhs))
                raise AssertionError(self.id)

        def run_batch(*rows: list) -> None:
            try:
                args = tuple(self.stack(values) for values in rows)
                inside = None if self.assume is None else np.asarray(self.assume(*args), bool)
                if inside is not None and not inside.any():
                    hypothesis.assume(False)
                lhs, rhs = _broadcast(*self.sides(*args))
                if inside is not None and not inside.all():
                    lhs, rhs = _rows(lhs, inside), _rows(rhs, inside)
                ok = self.equal(lhs, rhs)
            except hypothesis.errors.UnsatisfiedAssumption:
                raise
            except Exception as error:
                ok, lhs, rhs, failure = False, None, None, error
            else:
                failure = None
            if ok:
                return
            for i in range(self.batch):  # the first failing row, on its own
                try:
                    run(*(_row(self.stack(values), i) for values in rows))
                except hypothesis.errors.UnsatisfiedAssumption:
                    continue
            note = "fails on a batch of {} although each row holds alone: not elementwise"
            error = failure or AssertionError(note.format(self.batch))
            failures.append(LawViolation(self, args if failure is None else rows, error=error))
            raise AssertionError(self.id)

        if not self.strategies:  # a closed equation: one evaluation decides it
            try:
                run()
            except Exception:
                raise failures[-1] from None
            return
        # Laws with a domain (star, homomorphisms) filter by design; JAX
        # compiles on first use, so per-example deadlines would be noise.
        options: dict[str, Any] = {
            "deadline": None,
            "database": None,
            "suppress_health_check": [
                hypothesis.HealthCheck.filter_too_much,
                hypothesis.HealthCheck.too_slow,
            ],
        }
        if self.batch > 1:
            # Cases, not examples, are what max_examples counts; but at least a few
            # batches, since hypothesis's first example is its simplest.
            rows = (
                hypothesis.settings.default.max_examples if max_examples is None else max_examples
            )
            max_examples = max(-(-rows // self.batch), min(rows, _MIN_BATCHES))
        if max_examples is not None:
            options["max_examples"] = max_examples
        if not shrink:
            options["phases"] = [p for p in hypothesis.Phase if p != hypothesis.Phase.shrink]

        check = run if self.stack is None else run_batch

        def run_drawn(args: tuple) -> None:  # @given does not accept *args
            check(*args)

        strategies = self.strategies
        if self.stack is not None:
            strategies = tuple(
                st.lists(s, min_size=self.batch, max_size=self.batch) for s in strategies
            )
        drawn = st.tuples(*strategies)
        test = hypothesis.settings(**options)(hypothesis.given(drawn)(run_drawn))
        try:
            test()
        except Exception:
            if failures:  # hypothesis replays the shrunk example last
                raise failures[-1] from None
            raise

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class LawSuite:
    """A named collection of laws, including those of its parent suites."""

    name: str
    own: tuple[Law, ...]
    parents: tuple[LawSuite, ...] = field(default=())

    def __post_init__(self) -> None:
        arguments.text(self.name, "LawSuite(name)")
        object.__setattr__(self, "own", _members(self.own, Law, "LawSuite(own)"))
        object.__setattr__(self, "parents", _members(self.parents, LawSuite, "LawSuite(parents)"))

    @property
    def laws(self) -> tuple[Law, ...]:
        """Every law: the parents' first, then this suite's own."""
        inherited = tuple(law for parent in self.parents for law in parent.laws)
        return inherited + self.own

    def __iter__(self) -> Iterator[Law]:
        return iter(self.laws)

    def __len__(self) -> int:
        return len(self.laws)

    def __getitem__(self, name: str) -> Law:
        for law in self.laws:
            if law.name == name or law.id == name:
                return law
        raise UnknownLawError(f"suite {self.name} has no law {name!r}; it has {self.names}")

    @property
    def names(self) -> list[str]:
        return [law.name for law in self.laws]

    def check(self, max_examples: int | None = None, *, shrink: bool = True) -> None:
        """Check every law; raise :class:`LawViolation` at the first that fails."""
        max_examples = arguments.examples(max_examples, "check(max_examples)")
        arguments.flag(shrink, "check(shrink)")
        for law in self.laws:
            law.check(max_examples, shrink=shrink)

    def inapplicable(self, name: str, reason: str) -> LawSuite:
        """This suite with law ``name`` declared not to apply."""
        return self._declare(name, lambda law: law.inapplicable(reason))

    def expected_failure(self, name: str, reason: str) -> LawSuite:
        """This suite with law ``name`` declared to fail (strictly)."""
        return self._declare(name, lambda law: law.expected_failure(reason))

    def _declare(self, name: str, change: Callable[[Law], Law]) -> LawSuite:
        target = self[name]
        laws = tuple(change(law) if law is target else law for law in self.laws)
        return LawSuite(self.name, laws)

    def report(self, max_examples: int | None = None) -> list[tuple[str, str]]:
        """Check every law: ``(law id, result)`` rows, the result "ok", "inapplicable: …",
        "violated: …" and so on (see :func:`catlearn.laws.report`, which also times them)."""
        from catlearn.laws.report import report

        return [(row.law, str(row)) for row in report(self, max_examples=max_examples)]

    def pytest(self) -> Callable[[Law], None]:
        """A pytest test, parametrised with one test id per law.

        ``test_my_semiring = catlearn.laws.semiring(S).pytest()`` at module level
        collects ``test_my_semiring[semiring[S]::left_distributivity]`` and so on.
        """
        import pytest

        @pytest.mark.parametrize("law", self.laws, ids=lambda law: law.id)
        def test_law(law: Law) -> None:
            if law.skip_reason is not None:
                pytest.skip(f"inapplicable: {law.skip_reason}")
            law.check()

        return test_law


def combine(name: str, suites: Sequence[LawSuite]) -> LawSuite:
    """One suite holding the laws of several (e.g. every built-in semiring)."""
    if isinstance(suites, LawSuite):
        raise ArgumentTypeError("combine(suites): expected a list of suites, got one; pass [suite]")
    return LawSuite(name, (), _members(suites, LawSuite, "combine(suites)"))


def _broadcast(lhs: Any, rhs: Any) -> tuple[list, list]:
    """The two sides' leaves, each pair broadcast to one shape (a unit drawn once stands
    for every row of the batch)."""
    pairs = [np.broadcast_arrays(np.asarray(a), np.asarray(b))
             for a, b in zip(jax.tree.leaves(lhs), jax.tree.leaves(rhs), strict=True)]  # fmt: skip
    return [a for a, _ in pairs], [b for _, b in pairs]


def _row(batch: Any, i: int) -> Any:
    return jax.tree.map(lambda leaf: leaf[i], batch)


def _rows(leaves: list, inside: np.ndarray) -> list:
    return [leaf[inside] for leaf in leaves]


def _members(values: Any, kind: type, argument: str) -> tuple:
    """``values`` as a tuple, each an instance of ``kind``."""
    if isinstance(values, (str, bytes, kind)) or not isinstance(values, Sequence):
        raise ArgumentTypeError(
            f"{argument}: expected a tuple of {kind.__name__}s, got {type(values).__name__} "
            f"{values!r:.60}"
        )
    for i, value in enumerate(values):
        if not isinstance(value, kind):
            raise ArgumentTypeError(
                f"{argument}[{i}]: expected a {kind.__name__}, got {type(value).__name__} "
                f"{value!r:.60}"
            )
    return tuple(values)
