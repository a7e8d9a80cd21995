"""Law suite for an ansatz on a corpus of sentence diagrams (``catlearn.learn``).

``ansatz(A, sentences)`` draws sentences (and pairs, and splits of them)
from the given corpus and checks, at one draw of word parameters:

* **shape_shared**: a ``Corpus`` of any few sentences gives, for each one,
  what the ansatz's own per-diagram functor gives it (``A.functor``, a
  ``TensorFunctor`` compiling that one diagram: the oracle shares the word
  tensors with the corpus, not its grouping, gathering or batching);
* **tensor**: ``F(a ⊗ b) = F(a) ⊗ F(b)``;
* **composition**: ``F(f ; g)`` is ``F(f)`` contracted with ``F(g)`` over
  the wires between them, for ``f ; g`` a split of a sentence;
* **identity**: ``F(d ; id) = F(d)``;
* **matches_discopy**: ``F(d)`` is DisCoPy's own contraction of the word
  tensors (Real and Complex ansätze).

Oracle: ``shape_shared`` compares the corpus with ``A.functor``, a
``TensorFunctor``; the two share catlearn's reading of diagrams
(``from_discopy``) and its contraction (``semirings.contract``), so
``matches_discopy`` compares ``F`` with DisCoPy's tensor functor, built
here from the ansatz's declared word tensors (``A.tensors`` of each
word's row of parameters, at ``A.shape``'s dimensions). That is all it
shares with the implementation: the ansatz's definition of a word,
which no law can check against anything else (``readout`` is likewise
taken as declared). The other laws are equations in ``F``::

    >>> from catlearn.demo.sentences import corpus, n, s
    >>> from catlearn.learn import TensorAnsatz
    >>> sentences, _ = corpus(6, seed=0)
    >>> ansatz(TensorAnsatz({n: 2, s: 2}), sentences).check(max_examples=2)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import arguments
from catlearn.laws.equality import ATOL, RTOL, equality
from catlearn.laws.law import Law, LawSuite


def ansatz(
    A: Any,
    sentences: Sequence[Any],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    key: jax.Array | None = None,
) -> LawSuite:
    """The laws of the ansatz ``A`` (a ``TensorAnsatz`` or ``IQPAnsatz``) on ``sentences``."""
    from catlearn.learn import Corpus, TensorAnsatz
    from catlearn.semirings import Complex, Real

    if not isinstance(A, TensorAnsatz):
        raise ArgumentTypeError(f"laws.ansatz(A): expected an ansatz, got {type(A).__name__}")
    sentences = list(sentences)
    if not sentences:
        raise ArgumentValueError("laws.ansatz(sentences): needs at least one sentence")
    rtol = arguments.tolerance(rtol, "laws.ansatz(rtol)")
    atol = arguments.tolerance(atol, "laws.ansatz(atol)")
    whole = Corpus(sentences, A)  # the vocabulary, and typed errors for bad sentences
    params = whole.init(jax.random.key(0) if key is None else key)
    F = A.functor(params, whole.vocabulary)
    declared = _declared(A, params, whole.vocabulary)
    name = f"ansatz[{type(A).__name__}]"
    equal = equality(rtol, atol)
    index = st.integers(0, len(sentences) - 1)

    def tensor_of(d: Any) -> np.ndarray:
        return np.asarray(F(d))

    def shape_shared(chosen: list[int]) -> tuple:
        picked = [sentences[i] for i in chosen]
        shared = Corpus(picked, A, vocabulary=whole.vocabulary).apply(params)
        return np.asarray(shared), np.stack([np.asarray(A.readout(F(d))) for d in picked])

    def tensor(i: int, j: int) -> tuple:
        a, b = sentences[i], sentences[j]
        return tensor_of(a @ b), np.multiply.outer(tensor_of(a), tensor_of(b))

    def composition(i: int, k: int) -> tuple:
        d = sentences[i]
        k = k % (len(d.inside) + 1)
        f, g = d[:k], d[k:]
        middle = len(f.cod.inside)
        return tensor_of(d), np.tensordot(tensor_of(f), tensor_of(g), axes=middle)

    def by_discopy(i: int) -> tuple:
        d = sentences[i]
        want = np.asarray(declared(d).array)
        got = tensor_of(d)
        return got, want.reshape(got.shape) if want.size == got.size else want

    def identity(i: int) -> tuple:
        d = sentences[i]
        return tensor_of(d >> type(d).id(d.cod)), tensor_of(d)

    laws = [
        Law(name, "shape_shared", "Corpus(ds).apply = [F(d) for d in ds]",
            (st.lists(index, min_size=1, max_size=4),), shape_shared, equal),
        Law(name, "tensor", "F(a ⊗ b) = F(a) ⊗ F(b)", (index, index), tensor, equal),
        Law(name, "composition", "F(f ; g) = F(f) · F(g)", (index, st.integers(0, 64)),
            composition, equal),
        Law(name, "identity", "F(d ; id) = F(d)", (index,), identity, equal),
        Law(name, "matches_discopy", "F(d) = DisCoPy's contraction of the word tensors",
            (index,), by_discopy, equal),
    ]  # fmt: skip
    suite = LawSuite(name, tuple(laws))
    if not isinstance(A.semiring, (Real, Complex)):
        suite = suite.inapplicable(
            "matches_discopy", f"DisCoPy contracts in (+, ×), not in {A.semiring!r}"
        )
    return suite


def _declared(A: Any, params: Any, vocabulary: Any) -> Any:
    """DisCoPy's tensor functor from the ansatz's declared word tensors: ``A.tensors`` of
    each word's row of ``params``, its types' dimensions from ``A.shape``."""
    from discopy import tensor as dtensor
    from discopy.grammar import pregroup

    dtype = complex

    def ar(box: Any) -> np.ndarray:
        name, type_ = A.key(box)
        table = params[type_][vocabulary.row(name, type_)][None]
        return np.asarray(A.tensors(table, A.shape(box))[0], dtype=dtype)

    def ob(x: Any) -> Any:
        return dtensor.Dim(*A.shape(pregroup.Word("_", x)))

    return dtensor.Functor(ob=ob, ar=ar, dom=pregroup.Category(), dtype=dtype)
