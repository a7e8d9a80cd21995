"""Shared circuits for the circuit tests."""

import pytest

from catlearn.circuits import CircuitBuilder


def _bernoulli_mixture(probabilities, mixing):
    """Σ_k mixing[k] Π_v Bernoulli(probabilities[k][v]) over variables 1..n, as a PC."""
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
