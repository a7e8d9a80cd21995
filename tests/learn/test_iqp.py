"""IQPAnsatz: each word's state is DisCoPy's evaluation of its circuit, the corpus is the
Born rule of the per-sentence network (the demo test checks that the model learns)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from discopy.grammar.pregroup import Word

from catlearn.demo.sentences import corpus, n, s
from catlearn.errors import ArgumentTypeError
from catlearn.learn import Corpus, IQPAnsatz


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("type_", [n, n.r @ s, n.r @ s @ n.l, n @ n @ n.l @ s])
def test_a_words_state_is_discopys_evaluation_of_its_circuit(layers, type_):
    ansatz = IQPAnsatz({n: 1, s: 1}, layers=layers)
    word = Word("w", type_)
    shape = ansatz.shape(word)
    rng = np.random.default_rng(layers + len(shape))
    angles = rng.uniform(0, 2, (4, *ansatz.parameters_shape(shape))).astype(np.float32)
    states = np.asarray(ansatz.tensors(jnp.asarray(angles), shape))
    for k in range(len(angles)):
        want = np.asarray(ansatz.word_circuit(word, angles[k]).eval().array).reshape(shape)
        np.testing.assert_allclose(states[k], want, atol=1e-5)


def test_two_qubit_types_are_one_wire_of_dimension_four():
    ansatz = IQPAnsatz({n: 2, s: 1})
    word = Word("w", n.r @ s)
    assert ansatz.shape(word) == (4, 2) and ansatz.parameters_shape((4, 2)) == (2,)
    angles = np.array([0.3, 1.1], np.float32)
    want = np.asarray(ansatz.word_circuit(word, angles).eval().array).reshape(4, 2)
    np.testing.assert_allclose(
        ansatz.tensors(jnp.asarray(angles[None]), (4, 2))[0], want, atol=1e-5
    )


def test_the_corpus_is_the_born_rule_of_each_sentence():
    sentences, _ = corpus(8, seed=2)
    ansatz = IQPAnsatz({n: 1, s: 1})
    c = Corpus(sentences, ansatz)
    params = c.init(jax.random.key(0))
    F = ansatz.functor(params, c.vocabulary)
    want = np.stack([np.abs(np.asarray(F(d))) ** 2 for d in sentences])
    np.testing.assert_allclose(np.asarray(c.apply(params)), want, rtol=1e-4, atol=1e-6)


def test_bad_ansatz_arguments():
    with pytest.raises(ArgumentTypeError):
        IQPAnsatz([("n", 1)])
    with pytest.raises(ArgumentTypeError):
        IQPAnsatz({n: 1}, layers=1.5)
