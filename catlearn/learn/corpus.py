"""A corpus of sentence diagrams under one ansatz: one program per grammatical structure.

Sentences with the same grammatical structure (the same wiring, the same
*types* of words in the same places) differ only in which words fill the
slots. ``Corpus`` groups them by that structure and contracts each group
as one batched tensor network whose operands are *gathered* from per-type
tables of word tensors, so one jitted evaluation of the whole corpus
compiles once per distinct structure, not once per sentence::

    >>> import jax
    >>> from discopy.grammar.pregroup import Cup, Ty, Word
    >>> n, s = Ty("n"), Ty("s")
    >>> def sentence(subject, verb):
    ...     return Word(subject, n) @ Word(verb, n.r @ s) >> Cup(n, n.r) @ s
    >>> corpus = Corpus([sentence("Alice", "runs"), sentence("Bob", "runs"),
    ...                  sentence("Alice", "sleeps")], TensorAnsatz({n: 2, s: 2}))
    >>> len(corpus), corpus.structures                 # three sentences, one structure
    (3, 1)
    >>> params = corpus.init(jax.random.key(0))
    >>> {t: table.shape for t, table in params.items()}  # one row per word of each type
    {'n': (2, 2), 'n.r @ s': (2, 2, 2)}
    >>> corpus.apply(params).shape                      # one s-vector per sentence
    (3, 2)

Params are a plain dict, type ↦ ``(words of that type,) + shape``, so optax
and the ``jax.tree`` utilities take them as they are; ``vocabulary`` says
which row is which word (``vocabulary.entry(params, "runs", "n.r @ s")``).
A held-out corpus reuses the training vocabulary, and a word it does not
know is an error naming it, raised before anything compiles.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph, from_discopy
from catlearn.errors import ArgumentTypeError, ArgumentValueError, MissingImageError, ShapeError
from catlearn.functors.parameters import require_key, require_params
from catlearn.learn.ansatz import TensorAnsatz
from catlearn.semirings import contract


class Vocabulary:
    """The words of each type, in row order: ``words[type] = (name, …)``. Immutable."""

    def __init__(self, words: Mapping[str, Iterable[str]]) -> None:
        self.words = {t: tuple(names) for t, names in words.items()}
        self._row = {(n, t): k for t, names in self.words.items() for k, n in enumerate(names)}

    def __repr__(self) -> str:
        return f"Vocabulary({self.words!r})"

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, word: tuple[str, str]) -> bool:
        return word in self._row

    def row(self, name: str, type_: str) -> int:
        """The row of the word ``name`` of type ``type_`` in its type's table."""
        try:
            return self._row[(name, type_)]
        except KeyError:
            known = ", ".join(self.words.get(type_, ())[:8]) or "none"
            raise MissingImageError(
                f"the word {name!r} of type {type_} is not in the vocabulary "
                f"(words of that type: {known})"
            ) from None

    def entry(self, params: Mapping[str, Any], name: str, type_: str) -> Any:
        """The tensor of one word, read from its type's table."""
        return params[type_][self.row(name, type_)]


class _Group:
    """Sentences of one structure: the representative graph, and per sentence its words'
    rows (``rows[i, j]``: sentence i, word slot j)."""

    def __init__(self, graph: Hypergraph, types: tuple[str, ...]) -> None:
        self.graph, self.types = graph, types
        self.members: list[int] = []
        self.rows: list[list[int]] = []


class Corpus:
    """``diagrams`` (pregroup, rigid or frobenius sentences) under ``ansatz``.

    ``apply(params)`` is every sentence's tensor, shape ``(len(corpus),) + dims(s)``,
    in the corpus's order; it is jitted once and its program holds one batched
    contraction per distinct structure. ``vocabulary`` (default: the corpus's own
    words, in order of first use) fixes which row of ``params`` is which word.
    """

    def __init__(
        self, diagrams: Iterable[Any], ansatz: TensorAnsatz, vocabulary: Vocabulary | None = None
    ) -> None:
        if not isinstance(ansatz, TensorAnsatz):
            raise ArgumentTypeError(f"ansatz: expected a TensorAnsatz, got {type(ansatz).__name__}")
        if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
            raise ArgumentTypeError(
                f"vocabulary: expected a Vocabulary (a corpus's .vocabulary), "
                f"got {type(vocabulary).__name__}"
            )
        self.ansatz = ansatz
        self.diagrams = list(diagrams)
        if not self.diagrams:
            raise ArgumentValueError("a corpus needs at least one diagram")
        words: dict[str, dict[str, None]] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}
        groups: dict[Any, _Group] = {}
        cod = None
        for i, diagram in enumerate(self.diagrams):
            graph = from_discopy(diagram)
            keys = [self._word(i, box) for box in graph.boxes]
            for box, (name, type_) in zip(graph.boxes, keys):
                words.setdefault(type_, {})[name] = None
                self._shapes.setdefault(type_, ansatz.shape(box))
            dims = tuple(ansatz.dim(t) for t in graph.wire_types)
            out = tuple(dims[w] for w in np.concatenate([graph.sources, graph.targets]))
            if cod is None:
                cod = out
            elif out != cod:
                raise ShapeError(
                    f"sentence {i} has output dimensions {out}, sentence 0 {cod}: a corpus "
                    "stacks one output shape (give every sentence the same type)"
                )
            types = tuple(t for _, t in keys)
            structure = (
                types,
                dims,
                graph.outputs.tobytes(),
                graph.out_offsets.tobytes(),
                graph.inputs.tobytes(),
                graph.in_offsets.tobytes(),
                graph.sources.tobytes(),
                graph.targets.tobytes(),
            )
            group = groups.setdefault(structure, _Group(graph, types))
            group.members.append(i)
            group.rows.append(keys)  # names for now: rows once the vocabulary is known
        self.vocabulary = vocabulary or Vocabulary({t: list(ns) for t, ns in words.items()})
        for group in groups.values():
            group.rows = np.array(
                [[self.vocabulary.row(n, t) for n, t in keys] for keys in group.rows],
                dtype=np.int32,
            ).reshape(len(group.members), len(group.types))
        self._groups = list(groups.values())
        self._cod = cod
        order = np.concatenate([g.members for g in self._groups])
        self._order = np.argsort(order)  # concatenated group results → corpus order
        self._evaluate = jax.jit(self._run)

    def _word(self, i: int, box: Any) -> tuple[str, str]:
        try:
            return self.ansatz.key(box)
        except MissingImageError as error:
            raise MissingImageError(f"sentence {i}: {error}") from None

    # -- sizes -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.diagrams)

    @property
    def structures(self) -> int:
        """How many distinct grammatical structures: how many programs the corpus compiles."""
        return len(self._groups)

    # -- parameters --------------------------------------------------------------
    def init(self, key: jax.Array) -> dict[str, Any]:
        """One table per type, ``(words,) + shape``; each type's key is folded from its name."""
        key = require_key(key, "key")
        shapes = self._all_shapes()
        return {
            t: self.ansatz.draw(
                jax.random.fold_in(key, zlib.crc32(t.encode())), shapes[t], len(names)
            )
            for t, names in self.vocabulary.words.items()
        }

    def _all_shapes(self) -> dict[str, tuple[int, ...]]:
        missing = [t for t in self.vocabulary.words if t not in self._shapes]
        if missing:  # a given vocabulary may hold types this corpus never uses
            raise MissingImageError(
                f"the corpus has no word of type {missing[0]}, so no shape for its table; "
                "initialise with the corpus the vocabulary came from"
            )
        return self._shapes

    # -- evaluation --------------------------------------------------------------
    def apply(self, params: Mapping[str, Any]) -> jax.Array:
        """Every sentence's tensor, stacked in corpus order (checked, then one jitted call)."""
        params = require_params(params)
        for type_, shape in self._shapes.items():
            if type_ not in params:
                raise MissingImageError(
                    f"params has no table for type {type_} (tables: {sorted(params)})"
                )
            want = (len(self.vocabulary.words[type_]), *self.ansatz.parameters_shape(shape))
            got = tuple(self.ansatz.semiring.index_shape(params[type_]))
            if got != want:
                raise ShapeError(
                    f"params[{type_!r}] has shape {got}; the vocabulary's "
                    f"{want[0]} words of that type need {want}"
                )
        if any(isinstance(v, jax.core.Tracer) for v in jax.tree.leaves(params)):
            return self._run(dict(params))
        return self._evaluate(dict(params))

    def _run(self, params: Mapping[str, Any]) -> jax.Array:
        tensors = {t: self.ansatz.tensors(params[t], shape) for t, shape in self._shapes.items()}
        results = [self._contract(group, tensors) for group in self._groups]
        stacked = jax.tree.map(lambda *xs: jnp.concatenate(xs), *results)
        return self.ansatz.readout(jax.tree.map(lambda leaf: leaf[self._order], stacked))

    def _contract(self, group: _Group, tensors: Mapping[str, Any]) -> Any:
        """One structure, all its sentences: a tensor network with a shared batch index."""
        S, g = self.ansatz.semiring, group.graph
        dims = [self.ansatz.dim(t) for t in g.wire_types]
        batch = ("sentence",)
        operands, labels = [], []
        for j, type_ in enumerate(group.types):
            table = tensors[type_]
            operands.append(jax.tree.map(lambda leaf, j=j: leaf[group.rows[:, j]], table))
            labels.append([batch] + g.box_wires(j)[1].tolist())
        output = [batch]
        for w in np.concatenate([g.sources, g.targets]).tolist():
            if w in output:  # a wire shown twice: a diagonal
                fresh = ("copy", len(operands))
                operands.append(S.eye(dims[w]))
                labels.append([w, fresh])
                w = fresh
            output.append(w)
        used = {lab for ix in labels for lab in ix}
        for w in range(g.n_wires):  # a wire touching nothing: the all-ones spider
            if w not in used:
                operands.append(S.ones((dims[w],)))
                labels.append([w])
        operands.append(S.ones((len(group.members),)))  # the batch axis, even with no words
        labels.append([batch])
        return contract(S, operands, labels, output)
