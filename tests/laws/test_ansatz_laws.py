"""laws.ansatz: the built-in ansätze pass; deliberately broken ones are caught."""

import jax.numpy as jnp
import pytest

from catlearn import laws
from catlearn.demo.sentences import corpus, n, s
from catlearn.laws import LawViolation
from catlearn.learn import IQPAnsatz, TensorAnsatz

SENTENCES = corpus(6, seed=4)[0]


@pytest.mark.parametrize(
    "A", [TensorAnsatz({n: 2, s: 2}), IQPAnsatz({n: 1, s: 1}, layers=2)], ids=repr
)
def test_builtin_ansatze_pass(A):
    laws.ansatz(A, SENTENCES).check(max_examples=2)


class MixingRows(TensorAnsatz):
    """Each word's tensor depends on the other words in its table: a batch leaks into the
    corpus's shared evaluation, not into one sentence on its own."""

    def tensors(self, table, type_shape):
        return table - 0.5 * jnp.mean(table, axis=0)


class Scaled(TensorAnsatz):
    """Every diagram's tensor doubled: no longer a monoidal functor."""

    def functor(self, params, vocabulary):
        base = super().functor(params, vocabulary)
        return lambda d: 2 * base(d)


def test_a_corpus_that_leaks_across_sentences_is_caught():
    with pytest.raises(LawViolation, match="shape_shared"):
        laws.ansatz(MixingRows({n: 2, s: 2}), SENTENCES)["shape_shared"].check(
            max_examples=5, shrink=False
        )


def test_a_non_monoidal_functor_is_caught():
    with pytest.raises(LawViolation, match="tensor"):
        laws.ansatz(Scaled({n: 2, s: 2}), SENTENCES)["tensor"].check(max_examples=3, shrink=False)
