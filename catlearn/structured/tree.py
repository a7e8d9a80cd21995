"""Tree CRFs: labelled binary bracketings of a sentence, by CKY in any semiring.

Potentials have shape (batch, N, N, NT): ``θ[b, i, j, a]`` scores the span
of words ``i … j`` (inclusive, ``i ≤ j``) carrying label ``a``; entries with
``i > j`` are never used. A structure is a full binary bracketing of words
``0 … L − 1``: its 2L − 1 spans (every single word, the whole sentence, and
the L − 2 spans in between), each with exactly one label, scored by the sum
of their potentials. ``lengths`` counts words, 1 … N (torch-struct's
``TreeCRF`` convention).

The inside algorithm fills the chart one span width at a time (a
``lax.scan``), every start position at once: the split points of all spans
of one width are one ⊗ of two fixed-shape windows of the chart followed by
one ⊕-reduction. Exact samples are drawn top-down by :class:`SampledLog`,
whose ⊕ picks one term in the backward pass. The chart helpers here
(``window``, ``put_window``, ``select``, ``SampledLog``) serve the dependency
programs as well.

    >>> import jax.numpy as jnp
    >>> crf = TreeCRF(jnp.zeros((1, 4, 4, 2)))      # 4 words, 2 labels, flat scores
    >>> int(crf.count()[0])                         # 5 bracketings × 2⁷ labellings
    640
    >>> theta = jnp.zeros((1, 4, 4, 1)).at[0, (0, 2), (1, 3)].set(1.0)  # favour (0 1)(2 3)
    >>> y = TreeCRF(theta).argmax[0]
    >>> spans(y)
    [(0, 3, 0), (0, 1, 0), (0, 0, 0), (1, 1, 0), (2, 3, 0), (2, 2, 0), (3, 3, 0)]
    >>> tree(y)                                     # (label, word) or (label, left, right)
    (0, (0, (0, 0), (0, 1)), (0, (0, 2), (0, 3)))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentValueError, ShapeError
from catlearn.semirings import Log, Semiring
from catlearn.semirings.log import logsumexp
from catlearn.structured import carrier
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import DynamicProgram, compiled

Array = Any


# -- generic chart helpers ------------------------------------------------------------
def window(S: Semiring, x: Array, start: tuple, size: tuple[int, ...]) -> Array:
    """The block of index shape ``size`` at ``start`` (entries may be traced) of ``x``."""
    if S.host:
        key = tuple(slice(int(a), int(a) + n) for a, n in zip(start, size))
        return carrier.index(x, key)
    starts = tuple(jnp.asarray(a, jnp.int32) for a in start)

    def one(leaf: Array) -> Array:
        extra = leaf.ndim - len(size)
        zeros = (jnp.zeros((), jnp.int32),) * extra
        return jax.lax.dynamic_slice(leaf, starts + zeros, tuple(size) + leaf.shape[len(size) :])

    return jax.tree.map(one, x)


def put_window(S: Semiring, x: Array, start: tuple, value: Array) -> Array:
    """``x`` with the block at ``start`` (entries may be traced) replaced by ``value``."""
    if S.host:
        size = S.index_shape(value)
        key = tuple(slice(int(a), int(a) + n) for a, n in zip(start, size))

        def assign(leaf: np.ndarray, v: np.ndarray) -> np.ndarray:
            leaf = leaf.copy()
            leaf[key] = v
            return leaf

        return jax.tree.map(assign, x, value)
    starts = tuple(jnp.asarray(a, jnp.int32) for a in start)

    def one(leaf: Array, v: Array) -> Array:
        zeros = (jnp.zeros((), jnp.int32),) * (leaf.ndim - len(starts))
        return jax.lax.dynamic_update_slice(leaf, v.astype(leaf.dtype), starts + zeros)

    return jax.tree.map(one, x, value)


def by_width(S: Semiring, x: Array) -> Array:
    """(B, N, N, …) indexed [i, j] → (B, N, N, …) indexed [w, i] = x[i, i + w].

    Entries with ``i + w ≥ N`` (no such span) are the semiring's zero.
    """
    B, N = S.index_shape(x)[:2]
    xp = np if S.host else jnp
    w, i = xp.arange(N)[:, None], xp.arange(N)[None, :]
    j = i + w
    out = carrier.index(x, (slice(None), i, xp.minimum(j, N - 1)))
    shape = S.index_shape(out)
    valid = xp.broadcast_to((j < N).reshape((1, N, N) + (1,) * (len(shape) - 3)), shape)
    return S.where(valid, out, S.zeros(shape))


def select(S: Semiring, x: Array, at: Array) -> Array:
    """``x[b, at[b]]`` of (B, K) elements, as a ⊕ over K of all but one zero: in Log an
    impossible item (−∞) then sends no gradient back (an index would send it all)."""
    B, K = S.index_shape(x)
    xp = np if S.host else jnp
    pick = xp.arange(K)[None, :] == xp.asarray(at)[:, None]
    return S.sum(S.where(pick, x, S.zeros((B, K))), axis=1)


# -- exact sampling through the backward pass -----------------------------------------
@partial(jax.custom_vjp, nondiff_argnums=(2,))
def _sampled_logsumexp(x: Array, key: Array, axis: int) -> Array:
    return logsumexp(x, axis)


def _sampled_forward(x: Array, key: Array, axis: int) -> tuple[Array, tuple]:
    return logsumexp(x, axis), (x, key)


def _sampled_backward(axis: int, residuals: tuple, g: Array) -> tuple[Array, None]:
    x, key = residuals
    # Gumbel-max: the term picked has probability exp(x_k) / Σ exp(x), the posterior
    # of that term given that its ⊕ node is part of the sampled derivation (g = 1).
    noisy = x + jax.random.gumbel(key, x.shape, x.dtype)
    pick = jnp.argmax(noisy, axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    onehot = jnp.arange(x.shape[axis]).reshape(shape) == pick
    return jnp.where(onehot, jnp.expand_dims(g, axis), 0.0).astype(x.dtype), None


_sampled_logsumexp.defvjp(_sampled_forward, _sampled_backward)


class SampledLog(Log):
    """Log whose ⊕ sends its gradient to one term, drawn by its posterior weight.

    The forward pass is the Log inside algorithm; the backward pass, started
    with 1 at the root, walks the derivation forest top-down, and each ⊕ node
    it reaches passes the 1 to one of its terms drawn with probability
    proportional to the term's inside weight. For an unambiguous program (one
    derivation per structure, each chart item used at most once in it, as in
    CKY and Eisner) the gradient of ``sum`` is an exact sample, a 0/1 array.
    Every ⊕ call site draws its own noise; a ``lax.scan`` body is traced once,
    so a program's loop step must use :func:`at_step` for noise fresh at each step.
    """

    name = "SampledLog"
    per_call = True  # its noise is new with each instance: never worth compiling for

    def __init__(self, key: Array) -> None:
        self.key = key
        self.calls = 0

    def at_step(self, step: Array) -> SampledLog:
        """This semiring with its noise keyed by ``step`` as well."""
        return SampledLog(jax.random.fold_in(self.key, step))

    def sum(self, x: Array, axis: int) -> Array:
        axis = self._axis(x, axis)
        if x.shape[axis] == 0:
            return super().sum(x, axis)
        self.calls += 1
        return _sampled_logsumexp(x, jax.random.fold_in(self.key, self.calls), axis)

    def add(self, a: Array, b: Array) -> Array:
        a, b = jnp.broadcast_arrays(a, b)
        return self.sum(jnp.stack([a, b]), 0)

    def matmul(self, a: Array, b: Array) -> Array:
        if a.shape[2] == 0:
            return super().matmul(a, b)
        return self.sum(self.mul(a[:, :, :, None], b[:, None, :, :]), axis=2)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def at_step(S: Semiring, step: Array) -> Semiring:
    """``S`` for one step of a program's loop: a :class:`SampledLog` draws fresh noise
    at each step of a ``lax.scan`` (whose body is traced once), any other ``S`` is itself."""
    return S.at_step(step) if isinstance(S, SampledLog) else S


def gradient_samples(
    program: DynamicProgram, log_potentials: Array, lengths: Array, key: Array, n: int
) -> Array:
    """``n`` exact samples of an unambiguous program: gradients of its SampledLog sum
    over n copies of the batch (memory: n times one gradient's)."""
    return _jitted_samples(program, n, log_potentials, lengths, key)


@partial(jax.jit, static_argnums=(0, 1))
def _jitted_samples(
    program: DynamicProgram, n: int, log_potentials: Array, lengths: Array, key: Array
) -> Array:
    # n copies of the batch in one program: each ⊕ draws noise for every copy at once.
    B = log_potentials.shape[0]
    copies = jnp.broadcast_to(log_potentials, (n,) + log_potentials.shape)
    copies = copies.reshape((n * B,) + log_potentials.shape[1:])
    lengths = jnp.tile(lengths, n)
    S = SampledLog(key)
    samples = jax.grad(lambda t: jnp.sum(program.sum(t, S, lengths)))(copies)
    return samples.reshape((n,) + log_potentials.shape)


# -- the program -----------------------------------------------------------------------
class SpanTree(DynamicProgram):
    """The family of labelled binary bracketings (CKY)."""

    name = "SpanTree"
    event_ndim = 3

    def event_doc(self) -> str:
        return "N, N, NT"

    def check_event(self, shape: tuple[int, ...]) -> int:
        N, N2, NT = shape
        if N != N2 or N < 1 or NT < 1:
            raise ShapeError(
                f"SpanTree: potentials must be (batch, N, N, NT) with square span blocks "
                f"and at least one word and one label; got event shape {shape}"
            )
        return N

    def inside(self, potentials: Array, semiring: Semiring) -> Array:
        """The inside chart (B, N, N), [b, w, i] the ⊕ over subtrees of words i … i + w."""
        S = semiring
        B, N = S.index_shape(potentials)[:2]
        xp = np if S.host else jnp
        rule = by_width(S, S.sum(potentials, axis=3))  # labels are independent given spans
        # Two copies of the chart, zero where not yet filled: `start` [width, start] holds
        # left parts; `end` holds right parts by (N − 1 − width, end), padded with zeros to
        # (2N, 2N), so that the right parts of every split of every span of one width are
        # one window of it, aligned with `start`: no gathers, nothing to mask.
        first = carrier.index(rule, (slice(None), slice(0, 1)))
        start = put_window(S, S.zeros((B, N, N)), (0, 0, 0), first)
        end = put_window(S, S.zeros((B, 2 * N, 2 * N)), (0, N - 1, 0), first)

        def step(charts: tuple[Array, Array], w: Array) -> tuple[tuple[Array, Array], None]:
            start, end = charts
            Sw = at_step(S, w)
            # span i … i + w = (i … i + k) ⊗ (i + k + 1 … i + w), k = 0 … w − 1:
            # start[k, i] ⊗ end[N − w + k, i + w]
            right = window(S, end, (0, N - w, w), (B, N, N))
            inner = Sw.sum(Sw.mul(start, right), axis=1)
            label_sums = carrier.index(window(S, rule, (0, w, 0), (B, 1, N)), (slice(None), 0))
            span = Sw.mul(inner, label_sums)
            start = put_window(S, start, (0, w, 0), carrier.expand(S, span, 1))
            # span i ends at i + w; spans past the end are zero, as is the padding
            end = put_window(S, end, (0, N - 1 - w, w), carrier.expand(S, span, 1))
            return (start, end), None

        (start, _), _ = carrier.steps(S, step, (start, end), xp.arange(1, N))
        return start

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        return compiled(self, "_sum", semiring, potentials, lengths)

    def _sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        S = semiring
        lengths = np.asarray(lengths) if S.host else lengths
        chart = self.inside(potentials, S)
        return select(S, carrier.index(chart, (slice(None), slice(None), 0)), lengths - 1)

    def exactly_one(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        # one label on each single word and on the whole sentence
        spans_ = [(i, i) for i in range(length)] + ([(0, length - 1)] if length > 1 else [])
        masks = np.zeros((len(spans_), *shape))
        for s, (i, j) in enumerate(spans_):
            masks[s, i, j] = 1.0
        return masks

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        N, _, NT = shape
        out = []
        for spans_ in _bracketings(0, length - 1):
            for labels in itertools.product(range(NT), repeat=len(spans_)):
                y = np.zeros(shape)
                for (i, j), a in zip(spans_, labels):
                    y[i, j, a] = 1.0
                out.append(y)
        return np.stack(out)

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        return gradient_samples(self, log_potentials, lengths, key, n)


def _bracketings(i: int, j: int) -> Iterator[list[tuple[int, int]]]:
    if i == j:
        yield [(i, i)]
        return
    for k in range(i, j):
        for left in _bracketings(i, k):
            for right in _bracketings(k + 1, j):
                yield [(i, j), *left, *right]


# -- reading a structure ---------------------------------------------------------------
def spans(structure: Array) -> list[tuple[int, int, int]]:
    """The labelled spans ``(i, j, label)`` of one bracketing, (N, N, NT) 0/1, in
    pre-order (a parent before its children, left before right)."""
    y = np.asarray(jax.device_get(structure))
    if y.ndim != 3 or y.shape[0] != y.shape[1]:
        raise ShapeError(
            f"structure: expected one item's spans, shape (N, N, NT); got {tuple(y.shape)}"
        )
    found = [(int(i), int(j), int(a)) for i, j, a in zip(*np.nonzero(y > 0.5))]
    found.sort(key=lambda s: (s[0], -s[1]))
    _check_bracketing(found)
    return found


def tree(structure: Array) -> tuple:
    """One bracketing as nested tuples: ``(label, word)`` for a single-word span,
    ``(label, left, right)`` above it."""
    by_span = {(i, j): a for i, j, a in spans(structure)}

    def build(i: int, j: int) -> tuple:
        if i == j:
            return (by_span[i, i], i)
        k = next(k for k in range(j - 1, i - 1, -1) if (i, k) in by_span)
        return (by_span[i, j], build(i, k), build(k + 1, j))

    root = max(j for i, j in by_span if i == 0)
    return build(0, root)


def _check_bracketing(found: list[tuple[int, int, int]]) -> None:
    cells = [(i, j) for i, j, _ in found]
    if not cells:
        raise ArgumentValueError("structure: no spans are set; expected a bracketing")
    L = max(j for _, j in cells) + 1
    nested = all(not (a < c <= b < d) for (a, b), (c, d) in itertools.permutations(cells, 2))
    if len(set(cells)) != len(cells) or len(cells) != 2 * L - 1 or (0, L - 1) not in cells:
        nested = False
    if not nested or any(i > j for i, j in cells):
        raise ArgumentValueError(
            f"structure: spans {cells} are not one labelled binary bracketing of words "
            f"0 … {L - 1} (2L − 1 nested spans, one label each)"
        )


class TreeCRF(StructuredDistribution):
    """A CRF over labelled binary bracketings (torch-struct's ``TreeCRF``).

    ``log_potentials`` (batch, N, N, NT) as in :class:`SpanTree`; ``lengths``
    (batch,) counts words, 1 … N (default: all N).

    >>> import jax
    >>> crf = TreeCRF(jax.random.normal(jax.random.key(0), (2, 4, 4, 2)), lengths=[4, 3])
    >>> crf.marginals[1, 0, 2].sum().round(4).item()   # the root span has one label
    1.0
    >>> crf.marginals[1, 3].sum().item()              # word 3 is padding
    0.0
    """

    def __init__(self, log_potentials: Array, lengths: Array | None = None) -> None:
        self.program = SpanTree()
        super().__init__(log_potentials, lengths)

    def tree(self, structure: Array, b: int = 0) -> tuple:
        """Batch item ``b`` of ``structure`` (batch, N, N, NT) as nested tuples: see
        :func:`tree`."""
        y = jnp.asarray(structure)
        if y.shape != self.log_potentials.shape:
            raise ShapeError(
                f"structure: expected shape {tuple(self.log_potentials.shape)}, "
                f"got {tuple(y.shape)}"
            )
        return tree(y[b])
