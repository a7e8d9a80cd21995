"""Ansätze: grammatical types to dimensions, each word to a learnable tensor.

In the DisCoCat / QNLP workflow a sentence is a pregroup diagram: word
boxes (``Word("Alice", n)``) wired by cups. An ansatz fixes what every
atomic type means (``n ↦ 2``, ``s ↦ 2``) and gives each *word*, a name at
one type, its own tensor of that type's shape, shared by every sentence
the word occurs in. A word's entry is keyed by its name **and** its type,
so "run" the noun and "run" the verb are two words::

    >>> from discopy.grammar.pregroup import Ty, Word
    >>> n, s = Ty("n"), Ty("s")
    >>> ansatz = TensorAnsatz({n: 2, s: 3})
    >>> ansatz.key(Word("runs", n.r @ s))
    ('runs', 'n.r @ s')
    >>> ansatz.shape(Word("runs", n.r @ s))
    (2, 3)

``catlearn.learn.Corpus`` evaluates a whole corpus of sentences under an
ansatz, sharing one program per grammatical structure; ``functor(params,
vocabulary)`` is the same semantics as a ``TensorFunctor`` for one diagram
at a time (for drawing, exact checks and the functor laws).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from catlearn.errors import ArgumentTypeError, MissingImageError
from catlearn.functors import TensorFunctor
from catlearn.functors.boxes import Dimensions, name_of, signature_of
from catlearn.semirings import Real, Semiring, require_semiring


class TensorAnsatz(Dimensions):
    """``ob`` maps atomic types (or their names) to dimensions; a word ``w : t`` (a box
    with no inputs) is a tensor of shape ``dims(t)`` in ``semiring`` (default ``Real``).

    ``scale`` is the standard deviation of the initial entries (default: one over
    the square root of the tensor's size, so that contracted sentences start near 1).
    """

    def __init__(
        self, ob: Mapping[Any, int], semiring: Semiring | None = None, scale: float | None = None
    ) -> None:
        if not isinstance(ob, Mapping):
            raise ArgumentTypeError(
                f"ob: expected a mapping from atomic types to dimensions, got {type(ob).__name__}"
            )
        self._ob = self._dimensions(ob)
        self.semiring = Real() if semiring is None else require_semiring(semiring, "semiring")
        if scale is not None and not (isinstance(scale, (int, float)) and scale > 0):
            raise ArgumentTypeError(f"scale: expected a positive number, got {scale!r:.40}")
        self.scale = scale

    def __repr__(self) -> str:
        return f"TensorAnsatz({self._ob!r}, {self.semiring!r})"

    # -- words ---------------------------------------------------------------
    def key(self, box: Any) -> tuple[str, str]:
        """``(name, type)``: what a word's entry is keyed by, after checking that the ansatz
        can interpret it (a box with no inputs, every atom of its type with a dimension)."""
        if not hasattr(box, "dom") or not hasattr(box, "cod"):
            raise ArgumentTypeError(f"expected a word box, got {type(box).__name__} {box!r:.40}")
        if len(getattr(box.dom, "inside", ())):
            raise MissingImageError(
                f"the ansatz interprets words (boxes with no inputs); box "
                f"{signature_of(box)} has inputs"
            )
        for atom in box.cod.inside:
            if name_of(atom) not in self._ob:
                raise MissingImageError(
                    f"the ansatz maps no dimension to type {name_of(atom)!r} "
                    f"(in word {signature_of(box)}); known: {sorted(self._ob)}"
                )
        return name_of(box), str(box.cod)

    def draw(self, key: jax.Array, type_shape: tuple[int, ...], count: int) -> jax.Array:
        """Initial tensors of ``count`` words of one type, stacked: ``(count,) + shape``."""
        size = int(np.prod(type_shape, dtype=np.int64))
        scale = self.scale if self.scale is not None else 1.0 / np.sqrt(max(size, 1))
        values = jax.random.normal(key, (count, *type_shape)) * scale
        return self.semiring.asarray(values.astype(self.semiring.dtype))

    # -- what a Corpus asks of an ansatz (a quantum ansatz overrides these) ------------
    def parameters_shape(self, type_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of one word's parameters, for a word tensor of ``type_shape``."""
        return type_shape

    def tensors(self, table: Any, type_shape: tuple[int, ...]) -> Any:
        """The word tensors ``(words,) + type_shape`` of a table of parameters."""
        return table

    def readout(self, sentences: Any) -> Any:
        """What a sentence's contracted tensor means: here, itself."""
        return sentences

    def functor(self, params: Mapping[str, Any], vocabulary: Any) -> TensorFunctor:
        """A ``TensorFunctor`` sending each word of ``vocabulary`` to its tensor in
        ``params`` (as ``Corpus.init`` lays them out): one diagram at a time."""

        def ar(box: Any) -> Any:
            name, type_ = self.key(box)
            table = params[type_][vocabulary.row(name, type_)][None]
            return self.tensors(table, self.shape(box))[0]

        return TensorFunctor(dict(self._ob), ar, self.semiring)
