"""Corpus and TensorAnsatz: shape-shared evaluation equals per-sentence evaluation, the
ansatz is a functor, and bad input is refused before anything compiles."""

import jax
import numpy as np
import pytest
from discopy.grammar.pregroup import Box, Cup, Id, Word
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.demo.sentences import corpus, n, s
from catlearn.errors import ArgumentTypeError, ArgumentValueError, MissingImageError, ShapeError
from catlearn.learn import Corpus, TensorAnsatz
from catlearn.semirings import Log, Real

RTOL = 1e-5  # float32: the batched contraction may sum in another order than one sentence's


def per_sentence(ansatz, params, vocabulary, sentences):
    F = ansatz.functor(params, vocabulary)
    return np.stack([np.asarray(F(d)) for d in sentences])


@settings(max_examples=2, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(1, 3))
def test_shared_evaluation_equals_each_sentence_on_its_own(seed, dn, ds):
    sentences, _ = corpus(8, seed=seed)
    ansatz = TensorAnsatz({n: dn, s: ds})
    c = Corpus(sentences, ansatz)
    params = c.init(jax.random.key(seed))
    got = np.asarray(c.apply(params))
    np.testing.assert_allclose(
        got, per_sentence(ansatz, params, c.vocabulary, sentences), rtol=RTOL, atol=1e-6
    )
    # The check can fail: swapping two words' rows changes some sentence.
    t = max(params, key=lambda k: len(c.vocabulary.words[k]))
    if len(c.vocabulary.words[t]) > 1:
        swapped = dict(params, **{t: params[t][::-1]})
        assert not np.allclose(np.asarray(c.apply(swapped)), got, rtol=1e-3)


def test_log_semiring_corpus_equals_each_sentence():
    sentences, _ = corpus(4, seed=3)
    ansatz = TensorAnsatz({n: 2, s: 2}, semiring=Log())
    c = Corpus(sentences, ansatz)
    params = c.init(jax.random.key(1))
    np.testing.assert_allclose(
        np.asarray(c.apply(params)),
        per_sentence(ansatz, params, c.vocabulary, sentences),
        rtol=RTOL,
        atol=1e-5,
    )


def test_one_program_per_structure_and_words_keyed_by_type():
    def sv(subject, verb):
        return Word(subject, n) @ Word(verb, n.r @ s) >> Cup(n, n.r) @ s

    def svo(subject, verb, obj):
        words = Word(subject, n) @ Word(verb, n.r @ s @ n.l) @ Word(obj, n)
        return words >> Cup(n, n.r) @ s @ Cup(n.l, n)

    c = Corpus(
        [sv("Alice", "runs"), sv("Bob", "runs"), svo("Alice", "runs", "Bob")],
        TensorAnsatz({n: 2, s: 2}),
    )
    assert c.structures == 2
    # "runs" intransitive and "runs" transitive are two words of two types.
    assert c.vocabulary.words == {
        "n": ("Alice", "Bob"),
        "n.r @ s": ("runs",),
        "n.r @ s @ n.l": ("runs",),
    }
    params = c.init(jax.random.key(0))
    alice, runs = params["n"][0], params["n.r @ s"][0]
    np.testing.assert_allclose(c.apply(params)[0], alice @ runs, rtol=RTOL)
    assert np.array_equal(c.vocabulary.entry(params, "runs", "n.r @ s"), runs)


def test_the_ansatz_is_a_functor_on_sentences():
    sentences, _ = corpus(40, seed=5)
    ansatz = TensorAnsatz({n: 2, s: 3})
    c = Corpus(sentences, ansatz)
    F = ansatz.functor(c.init(jax.random.key(2)), c.vocabulary)
    a, b = sentences[0], sentences[1]
    noun, intransitive = c.vocabulary.words["n"][0], c.vocabulary.words["n.r @ s"][0]
    # Tensor: F(a ⊗ b) = F(a) ⊗ F(b).
    np.testing.assert_allclose(F(a @ b), np.einsum("i,j->ij", F(a), F(b)), rtol=RTOL, atol=1e-6)
    # Composition: F(words ; cups) = F(cups) applied to F(words).
    subject, verb = Word(noun, n), Word(intransitive, n.r @ s)
    words = subject @ verb
    np.testing.assert_allclose(
        F(words >> Cup(n, n.r) @ s), np.einsum("i,ij->j", F(subject), F(verb)), rtol=RTOL
    )
    np.testing.assert_allclose(F(words >> Id(words.cod)), F(words), rtol=RTOL)  # identity


def test_a_word_outside_the_vocabulary_is_named():
    sentences, _ = corpus(10, seed=0)
    train = Corpus(sentences[:1], TensorAnsatz({n: 2, s: 2}))
    with pytest.raises(MissingImageError, match=r"sentence \d+|not in the vocabulary"):
        Corpus(sentences, TensorAnsatz({n: 2, s: 2}), vocabulary=train.vocabulary)


def test_a_type_without_a_dimension_is_named():
    sentences, _ = corpus(3, seed=0)
    with pytest.raises(MissingImageError, match="no dimension to type 's'"):
        Corpus(sentences, TensorAnsatz({n: 2}))


def test_a_box_the_ansatz_cannot_interpret_is_named():
    verb = Box("modifier", n, n)  # has inputs: not a word
    diagram = Word("Alice", n) >> verb
    with pytest.raises(MissingImageError, match=r"sentence 0: .*modifier"):
        Corpus([diagram], TensorAnsatz({n: 2}))


def test_other_bad_input():
    sentences, _ = corpus(4, seed=0)
    ansatz = TensorAnsatz({n: 2, s: 2})
    with pytest.raises(ArgumentValueError):
        Corpus([], ansatz)
    with pytest.raises(ArgumentTypeError):
        Corpus(sentences, {"n": 2})
    with pytest.raises(ArgumentTypeError):
        TensorAnsatz([("n", 2)])
    with pytest.raises(ShapeError, match="output dimensions"):
        Corpus([sentences[0], Word("Alice", n @ n)], ansatz)
    c = Corpus(sentences, ansatz)
    params = c.init(jax.random.key(0))
    with pytest.raises(ShapeError, match=r"params\['n'\]"):
        c.apply(dict(params, n=params["n"][:-1]))
    with pytest.raises(MissingImageError, match="no table for type n"):
        c.apply({k: v for k, v in params.items() if k != "n"})


def test_real_semiring_is_the_default():
    assert TensorAnsatz({n: 2}).semiring == Real()


def test_frobenius_and_rigid_sentences_are_accepted():
    from discopy import frobenius, rigid

    fn = frobenius.Ty("n")
    a, b = frobenius.Box("a", frobenius.Ty(), fn), frobenius.Box("b", frobenius.Ty(), fn)
    merged = Corpus([a @ b >> frobenius.Spider(2, 1, fn)], TensorAnsatz({fn: 3}))
    params = merged.init(jax.random.key(0))
    np.testing.assert_allclose(merged.apply(params)[0], params["n"][0] * params["n"][1], rtol=RTOL)
    rn = rigid.Ty("n")
    traced = Corpus(
        [rigid.Box("x", rigid.Ty(), rn @ rn.r) >> rigid.Cup(rn, rn.r)], TensorAnsatz({rn: 2})
    )
    params = traced.init(jax.random.key(0))
    np.testing.assert_allclose(traced.apply(params)[0], np.trace(params["n @ n.r"][0]), rtol=RTOL)
