"""catlearn's pytest plugin: a ``LawSuite`` at module level in a test file becomes one test per law.

Installed with catlearn (a ``pytest11`` entry point), so a user's test
module needs only::

    test_my_semiring = catlearn.laws.semiring(MySemiring())

and pytest collects ``test_my_semiring[semiring[MySemiring]::left_distributivity]``
and the rest. Inapplicable laws are reported as skipped; a suite with no
laws fails, rather than pass by collecting nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

# Loaded by every pytest run in an environment with catlearn installed, so it
# imports nothing of catlearn (jax, DisCoPy) until a suite is actually found.


def _is_suite(obj: Any) -> bool:
    return type(obj).__name__ == "LawSuite" and type(obj).__module__ == "catlearn.laws.law"


def _run(law: Any) -> None:
    if law.skip_reason is not None:
        pytest.skip(f"inapplicable: {law.skip_reason}")
    law.check()


def pytest_pycollect_makeitem(collector: Any, name: str, obj: Any) -> Any:
    if not _is_suite(obj) or not collector.funcnamefilter(name):
        return None
    if not obj.laws:  # an empty suite would pass by collecting nothing: say so instead

        def empty() -> None:
            pytest.fail(f"{name}: the suite {obj.name!r} has no laws to check")

        return [pytest.Function.from_parent(collector, name=f"{name}[no laws]", callobj=empty)]
    return [
        pytest.Function.from_parent(
            collector, name=f"{name}[{law.id}]", callobj=lambda law=law: _run(law)
        )
        for law in obj.laws
    ]
