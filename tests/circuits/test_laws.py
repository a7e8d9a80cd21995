"""Circuit law suites through the public API; broken instances are caught."""

import jax.numpy as jnp
import numpy as np
import pytest

from catlearn import laws
from catlearn.circuits import Circuit
from catlearn.laws import LawViolation
from catlearn.semirings import (
    GF2,
    Boolean,
    Counting,
    Fuzzy,
    Log,
    MaxPlus,
    MinPlus,
    Real,
    Viterbi,
)

SEMIRINGS = [Real(), Log(), MaxPlus(), MinPlus(), Viterbi(), Boolean(), Counting(), Fuzzy(), GF2]


@pytest.mark.parametrize("S", SEMIRINGS, ids=repr)
def test_compiled_evaluation_matches_reference(S):
    laws.circuit(S).check(max_examples=8)


QUERIES = list(laws.circuit_queries())


@pytest.mark.parametrize("law", QUERIES, ids=lambda law: law.id)
def test_queries_match_enumeration(law):
    law.check(max_examples=15)


@pytest.mark.parametrize("name", ["smooth", "smooth_roots_only"])
def test_smoothing_preserves_wmc(name):
    f = (lambda c: c.smooth()) if name == "smooth" else (lambda c: c.smooth(all_variables=False))
    laws.transformation(f, name).check(max_examples=15)


def drop_last_child(c: Circuit) -> Circuit:
    """A 'simplification' that forgets the last child of every sum node: it changes the value."""
    keep = np.ones(c.n_edges, dtype=bool)
    sums = np.flatnonzero((c.kind == 2) & (np.diff(c.child_offsets) > 1))
    keep[c.child_offsets[sums + 1] - 1] = False
    counts = np.diff(c.child_offsets) - np.bincount(
        np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))[~keep], minlength=c.n_nodes
    )
    offsets = np.concatenate([[0], np.cumsum(counts)])
    weights = None if c.weights is None else c.weights[keep]
    return Circuit.from_arrays(
        c.kind, offsets, c.children[keep], c.var, c.state, c.roots, c.n_states, weights, c.decision
    )


def test_transformation_that_changes_the_value_is_caught():
    with pytest.raises(LawViolation, match=r"transformation\[drop_last_child\]::preserves_wmc"):
        laws.transformation(drop_last_child).check(max_examples=50)


class RealWithMaxKernel(Real):
    """⊕ is +, but the fast reduction is max: the compiled circuit disagrees with ⊕."""

    name = "RealWithMaxKernel"

    def sum(self, x, axis):
        return jnp.max(x, axis=axis)


def test_semiring_whose_reduction_disagrees_is_caught():
    with pytest.raises(LawViolation, match="compile_matches_reference"):
        laws.circuit(RealWithMaxKernel(), n_vars=(2, 3)).check(max_examples=50, shrink=False)
