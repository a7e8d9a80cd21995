"""Projective dependency CRFs: Eisner's first-order algorithm in any semiring.

Potentials have shape (batch, N, N): ``θ[b, h, m]`` scores the arc from
head word ``h`` to modifier word ``m`` for ``h ≠ m``, and the diagonal
``θ[b, m, m]`` the arc from the ROOT to ``m`` (torch-struct's convention:
there is no root row or column). A structure gives every word one head
(a word or ROOT) such that the arcs form a tree hanging from ROOT with no
crossing arcs; with ``multiroot=False`` exactly one word hangs from ROOT.
``lengths`` counts words, 1 … N; every column ``m < L`` of the marginals
sums to 1.

Eisner's chart has four kinds of spans (complete or incomplete, head on the
left or right). It is filled one width at a time, every start at once: each
kind is a ⊗ of two windows of the chart followed by one ⊕-reduction.

    >>> import jax.numpy as jnp
    >>> crf = DependencyCRF(jnp.zeros((1, 3, 3)))             # 3 words, flat scores
    >>> int(crf.count()[0])                                   # projective trees
    12
    >>> int(DependencyCRF(jnp.zeros((1, 3, 3)), multiroot=False).count()[0])
    7
    >>> crf.marginals.sum(axis=1).round(4).tolist()           # one head per word
    [[1.0, 1.0, 1.0]]
"""

from __future__ import annotations

import itertools
from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ShapeError
from catlearn.semirings import Semiring
from catlearn.structured import carrier
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import DynamicProgram, compiled
from catlearn.structured.tree import (
    at_step,
    gradient_samples,
    put_window,
    select,
    window,
)

Array = Any


def check_multiroot(multiroot: Any) -> bool:
    """``multiroot`` if it is a bool, else an ``ArgumentTypeError``."""
    if not isinstance(multiroot, (bool, np.bool_)):
        raise ArgumentTypeError(f"multiroot: expected True or False, got {multiroot!r:.40}")
    return bool(multiroot)


def check_square(name: str, shape: tuple[int, ...]) -> int:
    """The number of words N of an event shape (N, N); a ``ShapeError`` otherwise."""
    N, N2 = shape
    if N != N2 or N < 1:
        raise ShapeError(
            f"{name}: potentials must be (batch, N, N), arcs head × modifier with ROOT "
            f"arcs on the diagonal, N ≥ 1; got event shape {shape}"
        )
    return N


def head_vectors(N: int, length: int, multiroot: bool) -> list[tuple[int, ...]]:
    """Every head vector of ``length`` words forming a tree under ROOT (−1), with
    exactly one root child unless ``multiroot``."""
    out = []
    choices = [[-1] + [h for h in range(length) if h != m] for m in range(length)]
    for heads in itertools.product(*choices):
        if (multiroot or heads.count(-1) == 1) and _reaches_root(heads):
            out.append(heads)
    return out


def _reaches_root(heads: tuple[int, ...]) -> bool:
    for m in range(len(heads)):
        seen, h = set(), m
        while h != -1:
            if h in seen:
                return False
            seen.add(h)
            h = heads[h]
    return True


def _projective(heads: tuple[int, ...]) -> bool:
    def dominates(h: int, m: int) -> bool:
        while m != -1:
            if m == h:
                return True
            m = heads[m]
        return False

    for m, h in enumerate(heads):
        for between in range(min(h, m) + 1, max(h, m)):
            if h != -1 and not dominates(h, between):
                return False
    return True


def heads_structure(shape: tuple[int, ...], heads: tuple[int, ...]) -> np.ndarray:
    """The 0/1 arc array (N, N) of a head vector (−1 is ROOT, on the diagonal)."""
    y = np.zeros(shape)
    for m, h in enumerate(heads):
        y[m if h == -1 else h, m] = 1.0
    return y


def heads(shape: tuple[int, ...], length: int) -> np.ndarray:
    """One mask per word: its possible heads (column m: words and, on the diagonal, ROOT)."""
    masks = np.zeros((length, *shape))
    for m in range(length):
        masks[m, :length, m] = 1.0
    return masks


class DependencyTrees(DynamicProgram):
    """Base class: trees of head → modifier arcs over N words, ROOT arcs on the
    diagonal, with one root child or several (``multiroot``)."""

    event_ndim = 2

    def __init__(self, multiroot: bool) -> None:
        self.multiroot = check_multiroot(multiroot)
        self.name = type(self).__name__

    def event_doc(self) -> str:
        return "N, N"

    def check_event(self, shape: tuple[int, ...]) -> int:
        return check_square(self.name, shape)

    def exactly_one(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        return heads(shape, length)


class Projective(DependencyTrees):
    """The family of projective dependency trees (Eisner's algorithm)."""

    def __init__(self, multiroot: bool = True) -> None:
        super().__init__(multiroot)

    @staticmethod
    def arcs(S: Semiring, potentials: Array) -> tuple[Array, Array]:
        """Arc scores over nodes 0 … N (0 is ROOT, node p is word p − 1) by width:
        ``right[w, i]`` is the arc i → i + w, ``left[w, i]`` the arc i + w → i."""
        B, N = S.index_shape(potentials)[:2]
        n = N + 1
        xp = np if S.host else jnp
        w, i = xp.arange(n)[:, None], xp.arange(n)[None, :]
        inside = (w >= 1) & (i + w <= N)
        mod = xp.clip(i + w - 1, 0, N - 1)
        head = xp.where(i == 0, mod, xp.clip(i - 1, 0, N - 1))  # ROOT arcs: the diagonal
        right = carrier.index(potentials, (slice(None), head, mod))
        left = carrier.index(potentials, (slice(None), mod, xp.clip(i - 1, 0, N - 1)))
        zero = S.zeros((B, n, n))
        right = S.where(xp.broadcast_to(inside, (B, n, n)), right, zero)
        left = S.where(xp.broadcast_to(inside & (i >= 1), (B, n, n)), left, zero)
        return right, left

    def charts(self, potentials: Array, semiring: Semiring) -> tuple[Array, Array]:
        """Eisner's complete charts by [width, start] over nodes 0 … N: head on the left
        (``C_r``, first) and head on the right (``C_l``)."""
        S = semiring
        B, N = S.index_shape(potentials)[:2]
        n = N + 1
        xp = np if S.host else jnp
        arc_right, arc_left = self.arcs(S, potentials)
        # Left operands by [width, start]; right operands by [n − 1 − width, end], padded
        # with zeros to (2n, 2n) so that every split of every span of one width is one
        # window, aligned with the left operand. Unfilled widths are zero, so the windows
        # need no mask. I_r has one more (zero) row, so its widths 1 … n are one window too.
        ones = S.ones((B, 1, n))
        c_left = put_window(S, S.zeros((B, n, n)), (0, 0, 0), ones)  # head on the right
        c_right = put_window(S, S.zeros((B, n, n)), (0, 0, 0), ones)  # head on the left
        i_right = S.zeros((B, n + 1, n))
        c_left_end = put_window(S, S.zeros((B, 2 * n, 2 * n)), (0, n - 1, 0), ones)
        c_right_end = put_window(S, S.zeros((B, 2 * n, 2 * n)), (0, n - 1, 0), ones)
        i_left_end = S.zeros((B, 2 * n, 2 * n))

        def by_end(x: Array, span: Array, w: Array) -> Array:
            # span i goes to column i + w; spans past the end are zero, as is the padding
            return put_window(S, x, (0, n - 1 - w, w), carrier.expand(S, span, 1))

        def row(x: Array, w: Array) -> Array:
            return carrier.index(window(S, x, (0, w, 0), (B, 1, n)), (slice(None), 0))

        def step(state: tuple, w: Array) -> tuple[tuple, None]:
            c_left, c_right, i_right, c_left_end, c_right_end, i_left_end = state
            Sw = at_step(S, w)
            # incomplete i → i + w (and back) = C_r[i, i + k] ⊗ C_l[i + k + 1, i + w]
            split = window(S, c_left_end, (0, n - w, w), (B, n, n))
            inner = Sw.sum(Sw.mul(c_right, split), axis=1)
            i_l = Sw.mul(inner, row(arc_left, w))
            i_r = Sw.mul(inner, row(arc_right, w))
            i_right = put_window(S, i_right, (0, w, 0), carrier.expand(S, i_r, 1))
            i_left_end = by_end(i_left_end, i_l, w)
            # complete, head right: C_l[i, i + k] ⊗ I_l[i + k, i + w], k = 0 … w − 1
            tail = window(S, i_left_end, (0, n - 1 - w, w), (B, n, n))
            c_l = Sw.sum(Sw.mul(c_left, tail), axis=1)
            # complete, head left: I_r[i, i + k + 1] ⊗ C_r[i + k + 1, i + w], k = 0 … w − 1
            head = window(S, i_right, (0, 1, 0), (B, n, n))
            tail = window(S, c_right_end, (0, n - w, w), (B, n, n))
            c_r = Sw.sum(Sw.mul(head, tail), axis=1)
            c_left = put_window(S, c_left, (0, w, 0), carrier.expand(S, c_l, 1))
            c_right = put_window(S, c_right, (0, w, 0), carrier.expand(S, c_r, 1))
            c_left_end = by_end(c_left_end, c_l, w)
            c_right_end = by_end(c_right_end, c_r, w)
            return (c_left, c_right, i_right, c_left_end, c_right_end, i_left_end), None

        state = (c_left, c_right, i_right, c_left_end, c_right_end, i_left_end)
        state, _ = carrier.steps(S, step, state, xp.arange(1, n))
        return state[1], state[0]

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        return compiled(self, "_sum", semiring, potentials, lengths)

    def _sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        S = semiring
        B, N = S.index_shape(potentials)[:2]
        xp = np if S.host else jnp
        lengths = np.asarray(lengths) if S.host else lengths
        c_right, c_left = self.charts(potentials, S)
        b = xp.arange(B)
        if self.multiroot:
            # ROOT … word L − 1, head ROOT
            return select(S, carrier.index(c_right, (slice(None), slice(None), 0)), lengths)
        # one root child m: ROOT → m ⊗ C_l[1, m] ⊗ C_r[m, L], over nodes m = 1 … N
        m = xp.arange(1, N + 1)[None, :]
        L = lengths[:, None]
        root = carrier.index(potentials, (b[:, None], m - 1, m - 1))
        left = carrier.index(c_left, (b[:, None], m - 1, 1))
        right = carrier.index(c_right, (b[:, None], xp.maximum(L - m, 0), m))
        terms = S.mul(root, S.mul(left, right))
        return S.sum(S.where(xp.broadcast_to(m <= L, (B, N)), terms, S.zeros((B, N))), axis=1)

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        trees = [h for h in head_vectors(shape[0], length, self.multiroot) if _projective(h)]
        return np.stack([heads_structure(shape, h) for h in trees])

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        return gradient_samples(self, log_potentials, lengths, key, n)


class DependencyCRF(StructuredDistribution):
    """A CRF over projective dependency trees (torch-struct's ``DependencyCRF``).

    ``log_potentials`` (batch, N, N) as in :class:`Projective`; ``lengths``
    (batch,) counts words, 1 … N (default: all N); ``multiroot`` (default
    True) lets ROOT have several children, False exactly one.

    >>> import jax
    >>> crf = DependencyCRF(jax.random.normal(jax.random.key(0), (2, 4, 4)), lengths=[4, 2])
    >>> crf.argmax.sum(axis=1).tolist()          # one head per word, none for padding
    [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
    """

    def __init__(
        self, log_potentials: Array, lengths: Array | None = None, multiroot: bool = True
    ) -> None:
        self.program = Projective(multiroot)
        super().__init__(log_potentials, lengths)
