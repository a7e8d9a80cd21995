"""Hypothesis profiles: `ci` (the default under CI=true) keeps the suite fast on 2 cores;
and fixtures shared across test folders (one conftest: without packages, two files named
conftest.py collide on import)."""

import os

import jax
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# XLA compiles dominate the suite's time, and the xdist workers compile many of the same
# programs: they share one persistent compilation cache for this run (tests only).
# The tests' arrays are tiny, so XLA's backend optimisation costs more than it saves:
# compile without most of it (a quarter off the structured tests' time; tests only,
# the library never sets it).
jax.config.update("jax_disable_most_optimizations", True)
_run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
if _run:
    import tempfile

    jax.config.update("jax_compilation_cache_dir", f"{tempfile.gettempdir()}/catlearn-xla-{_run}")
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)


def _bernoulli_mixture(probabilities, mixing):
    """Σ_k mixing[k] Π_v Bernoulli(probabilities[k][v]) over variables 1..n, as a PC."""
    from catlearn.circuits import CircuitBuilder

    b = CircuitBuilder()
    components = [
        b.product(
            [b.sum([b.literal(v), b.literal(v, False)], [p, 1 - p]) for v, p in enumerate(ps, 1)]
        )
        for ps in probabilities
    ]
    return b.build([b.sum(components, list(mixing))])


@pytest.fixture
def bernoulli_mixture():
    """``bernoulli_mixture(probabilities, mixing)``: a mixture of products of Bernoullis."""
    return _bernoulli_mixture
