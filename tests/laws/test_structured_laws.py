"""laws.structured: every built-in family passes; deliberately broken ones are caught."""

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import strategies as st

from catlearn import laws
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import LawViolation
from catlearn.semirings import Counting
from catlearn.structured import (
    WCFG,
    AlignmentCRF,
    DependencyCRF,
    LinearChain,
    LinearChainCRF,
    NonProjectiveDependencyCRF,
    SemiMarkovCRF,
    StructuredDistribution,
    TreeCRF,
    carrier,
    left_corner,
)

# The shapes of the families' own tests (tests/structured/): their compiles are shared.
PAIRS = st.lists(st.tuples(st.integers(1, 3), st.integers(1, 4)), min_size=3, max_size=3)
FAMILIES = {
    # the tree product, as the twin: same log Z and marginals (its MaxPlus and Counting
    # sums: tests/structured/test_chain.py)
    "chain": (
        LinearChainCRF,
        (2, 4, 3, 3),
        {"twin": lambda t, L: LinearChainCRF(t, L, method="parallel")},
    ),
    "semimarkov": (SemiMarkovCRF, (2, 4, 3, 2, 2), {}),
    "tree": (TreeCRF, (2, 4, 4, 2), {}),
    "projective": (DependencyCRF, (2, 4, 4), {}),
    "projective-one-root": (lambda t, L: DependencyCRF(t, L, multiroot=False), (2, 4, 4), {}),
    "nonprojective": (NonProjectiveDependencyCRF, (2, 4, 4), {}),
    "alignment": (AlignmentCRF, (3, 3, 4, 3), {"lengths": PAIRS}),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_builtin_families_pass(family):
    build, shape, options = FAMILIES[family]
    laws.structured(build, shape, **options).check(max_examples=3)


def test_laws_a_family_cannot_run_are_declared_with_its_reason():
    rows = dict(laws.structured(NonProjectiveDependencyCRF, (1, 3, 3)).report(max_examples=1))
    assert rows["structured[NonProjectiveDependencyCRF]::kbest"].startswith("inapplicable: kbest")
    assert "determinant" in rows["structured[NonProjectiveDependencyCRF]::viterbi_of_max"]
    assert rows["structured[NonProjectiveDependencyCRF]::partition"] == "ok"


# -- mutants ------------------------------------------------------------------------------
class Transposed(LinearChain):
    """Reads each edge's block as [next, prev]: the transposed-box bug, for chains."""

    def _sum(self, potentials, semiring, lengths):
        return super()._sum(carrier.moveaxis(semiring, potentials, 3, 2), semiring, lengths)


class LastEdgeDropped(LinearChain):
    """Stops one edge early: an off-by-one in the length mask."""

    def _sum(self, potentials, semiring, lengths):
        return super()._sum(potentials, semiring, jnp.maximum(lengths - 1, 1))


class LyingMask(LinearChain):
    """Claims every structure has exactly one part among all tag pairs of all edges."""

    def exactly_one(self, shape, length):
        return np.ones((1, *shape))


def mutant(program):
    class Mutant(LinearChainCRF):
        def __init__(self, log_potentials, lengths=None):
            self.program = program
            StructuredDistribution.__init__(self, log_potentials, lengths)

    return Mutant


class SecondBest(LinearChainCRF):
    """argmax answers the runner-up."""

    @property
    def argmax(self):
        return self.kbest(2)[1][1]


@pytest.mark.parametrize(
    "broken, law",
    [
        (mutant(Transposed()), "partition"),
        (mutant(LastEdgeDropped()), "partition"),
        (mutant(LyingMask()), "exactly_one"),
        (SecondBest, "argmax"),
    ],
    ids=["transposed", "last-edge-dropped", "lying-mask", "second-best"],
)
def test_broken_families_are_caught(broken, law):
    suite = laws.structured(broken, (2, 3, 2, 2), forbid=0.0)
    with pytest.raises(LawViolation, match=law):
        suite[law].check(max_examples=10, shrink=False)


def test_bad_arguments_are_typed_errors():
    with pytest.raises(ArgumentTypeError, match="family"):
        laws.structured("chain", (1, 2, 2, 2))
    with pytest.raises(ArgumentTypeError, match="shape"):
        laws.structured(LinearChainCRF, [1, 2, 2, 2])
    with pytest.raises(ArgumentValueError, match="forbid"):
        laws.structured(LinearChainCRF, (1, 2, 2, 2), forbid=1.0)
    with pytest.raises(ArgumentValueError, match="structures per item"):
        laws.structured(LinearChainCRF, (1, 9, 4, 4))
    with pytest.raises(ArgumentTypeError, match="StructuredDistribution"):
        laws.structured(lambda t, L: t, (1, 2, 2, 2))


# -- grammars -----------------------------------------------------------------------------
GRAMMAR = "S -> S a 0.3\nS -> A b 0.4\nA -> a 0.5\nA -> S S 0.2\nS -> b 0.3"


def test_grammar_transforms_keep_the_weighted_language():
    g = WCFG.from_text(GRAMMAR)
    laws.grammars(g, left_corner(g), max_length=4).check(max_examples=10)
    laws.grammars(g, g.to_cnf(), max_length=4, semiring=Counting()).check(max_examples=10)


def test_a_grammar_with_one_weight_changed_is_caught():
    g = WCFG.from_text(GRAMMAR)
    other = WCFG.from_text(GRAMMAR.replace("A -> a 0.5", "A -> a 0.6"))
    with pytest.raises(LawViolation, match="same_stringsums"):
        laws.grammars(g, left_corner(other), max_length=3).check(max_examples=20)
    with pytest.raises(ArgumentValueError, match="max_length"):
        laws.grammars(g, g, max_length=-1)
