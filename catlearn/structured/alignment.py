"""Monotone alignments of two sequences (DTW-style paths), in any semiring.

An alignment of x (length n) and y (length m) is a path through the grid of
cells (i, j) from (0, 0) to (n − 1, m − 1), each step a move
0 = diagonal from (i − 1, j − 1), 1 = vertical from (i − 1, j) or
2 = horizontal from (i, j − 1). Potentials have shape (batch, N, M, 3):
``θ[b, i, j, move]`` scores entering cell (i, j) by ``move``. The path
enters (0, 0) diagonally from a virtual (−1, −1), so it always scores
``θ[b, 0, 0, 0]`` and never ``θ[b, 0, 0, 1 or 2]``. A structure is the
0/1 array of its steps; ``lengths`` (batch, 2) holds each item's (n, m).

The sum sweeps the anti-diagonals i + j = d: every cell of one depends only
on the two before it, so each step updates a whole anti-diagonal at once,
N + M − 1 sequential steps in all.

:meth:`AlignmentCRF.from_scores` builds potentials from a match-score
matrix and a gap penalty; in MaxPlus its best score is a DTW similarity::

    >>> import jax.numpy as jnp
    >>> match = jnp.array([[[2.0, 0.0], [1.0, 0.0], [0.0, 3.0]]])   # x of 3, y of 2
    >>> crf = AlignmentCRF.from_scores(match, gap=0.5)
    >>> crf.max.tolist()   # (0,0) ↓ (1,0) ↘ (2,1): 2 + (1 − 0.5) + 3
    [5.5]
    >>> [tuple(int(v) for v in s) for s in jnp.argwhere(crf.argmax[0])]   # (i, j, move)
    [(0, 0, 0), (1, 0, 1), (2, 1, 0)]
    >>> int(crf.count()[0])   # monotone paths through a 3 × 2 grid
    5
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import real
from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Log, Semiring
from catlearn.semirings.carrier import is_traced
from catlearn.structured import carrier
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import DynamicProgram, compiled

Array = Any

DIAGONAL, VERTICAL, HORIZONTAL = 0, 1, 2


class Alignment(DynamicProgram):
    """The family of monotone paths from (0, 0) to (n − 1, m − 1)."""

    name = "Alignment"
    event_ndim = 3

    def event_doc(self) -> str:
        return "N, M, 3"

    def check_event(self, shape: tuple[int, ...]) -> int:
        N, M, moves = shape
        if moves != 3 or N < 1 or M < 1:
            raise ShapeError(
                f"Alignment: potentials must be (batch, N ≥ 1, M ≥ 1, 3), one score per "
                f"move (diagonal, vertical, horizontal); got event shape {shape}"
            )
        return max(N, M)

    def check(self, log_potentials: Any, lengths: Any = None) -> tuple[Array, Array]:
        """Checked potentials and lengths (batch, 2) of pairs (n, m), 1 ≤ n ≤ N,
        1 ≤ m ≤ M (``None``: every item full size). Traced lengths are taken as given."""
        theta, _ = super().check(log_potentials, None)
        B, N, M, _ = theta.shape
        if lengths is None:
            return theta, jnp.broadcast_to(jnp.array([N, M], jnp.int32), (B, 2))
        if is_traced(lengths):
            lengths = jnp.asarray(lengths)
            if lengths.shape != (B, 2) or not jnp.issubdtype(lengths.dtype, jnp.integer):
                raise ShapeError(
                    f"Alignment: lengths must be integers of shape ({B}, 2), got "
                    f"{lengths.dtype}{tuple(lengths.shape)}"
                )
            return theta, lengths.astype(jnp.int32)
        values = np.asarray(jax.device_get(lengths))
        if not np.issubdtype(values.dtype, np.integer):
            raise ArgumentTypeError(
                f"Alignment: lengths must be integers, got {values.dtype} {values.tolist()!r:.60}"
            )
        if values.shape != (B, 2):
            raise ShapeError(
                f"Alignment: lengths must have shape ({B}, 2), a pair (n, m) per batch "
                f"item; got shape {values.shape}"
            )
        bad = np.flatnonzero(np.any((values < 1) | (values > np.array([N, M])), axis=1))
        if bad.size:
            b = int(bad[0])
            raise ArgumentValueError(
                f"Alignment: lengths[{b}] = {values[b].tolist()} is outside 1 ≤ n ≤ {N}, "
                f"1 ≤ m ≤ {M}, the sizes potentials of shape {tuple(theta.shape)} hold"
            )
        return theta, jnp.asarray(values, dtype=jnp.int32)

    # -- the program --------------------------------------------------------------
    @staticmethod
    def skewed(S: Semiring, potentials: Array) -> Array:
        """The potentials by anti-diagonal: element (d, b, i, move) is θ[b, i, d − i, move]
        for d = 0 … N + M − 2 (``zero`` where d − i falls outside 0 … M − 1)."""
        B, N, M, _ = S.index_shape(potentials)
        D = N + M - 1
        i = np.broadcast_to(np.arange(N)[None, :], (D, N))
        j = np.arange(D)[:, None] - i
        cells = carrier.index(potentials, (slice(None), i, np.clip(j, 0, M - 1)))
        inside = np.broadcast_to(((j >= 0) & (j < M))[None, :, :, None], (B, D, N, 3))
        cells = S.where(inside, cells, S.zeros((B, D, N, 3)))
        return carrier.moveaxis(S, cells, 1, 0)

    def forward(self, potentials: Array, semiring: Semiring, lengths: Array) -> tuple[Array, Array]:
        """The sum, shape (batch,), and the forward values by anti-diagonal, (D, batch, N):
        element (d, b, i) is ⊕ over paths from (0, 0) to (i, d − i) of their score."""
        S = semiring
        B, N, M, _ = S.index_shape(potentials)
        xp = np if S.host else jnp
        lengths = xp.asarray(lengths)
        n, m = lengths[:, 0], lengths[:, 1]
        rows = np.arange(B)
        none = S.zeros((B, 1))

        def move(cells: Array, k: int) -> Array:
            return carrier.index(cells, (slice(None), slice(None), k))

        def down(diag: Array, fill: Array) -> Array:  # value of cell i − 1 at index i
            return carrier.concatenate(
                S, [fill, carrier.index(diag, (slice(None), slice(0, N - 1)))], axis=1
            )

        def step(carry: tuple[Array, Array, Array], xs: tuple[Array, Array]) -> tuple[Any, Array]:
            before, last, total = carry  # anti-diagonals d − 2 and d − 1
            cells, d = xs
            # Only (0, 0) is entered from outside the grid: diagonally, from "one".
            origin = S.where(xp.full((B, 1), d == 0), S.ones((B, 1)), none)
            terms = [
                S.mul(down(before, origin), move(cells, DIAGONAL)),
                S.mul(down(last, none), move(cells, VERTICAL)),
                S.mul(last, move(cells, HORIZONTAL)),
            ]
            here = S.sum(carrier.stack(S, terms, axis=2), axis=2)
            end = carrier.index(here, (rows, n - 1))
            total = S.where(d == n + m - 2, end, total)
            return (last, here, total), here

        start = (S.zeros((B, N)), S.zeros((B, N)), S.zeros((B,)))
        xs = (self.skewed(S, potentials), np.arange(N + M - 1))
        (_, _, total), diagonals = carrier.steps(S, step, start, xs)
        return total, diagonals

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        return compiled(self, "forward", semiring, potentials, lengths)[0]

    def structures(self, shape: tuple[int, ...], length: Any) -> np.ndarray:
        """Every path for ``length`` = (n, m), as 0/1 arrays of shape (N, M, 3)."""
        n, m = (int(v) for v in length)
        out = []

        def walk(i: int, j: int, y: np.ndarray) -> None:
            if (i, j) == (n - 1, m - 1):
                out.append(y.copy())
                return
            for k, (di, dj) in ((DIAGONAL, (1, 1)), (VERTICAL, (1, 0)), (HORIZONTAL, (0, 1))):
                if i + di < n and j + dj < m:
                    y[i + di, j + dj, k] = 1.0
                    walk(i + di, j + dj, y)
                    y[i + di, j + dj, k] = 0.0

        start = np.zeros(shape)
        start[0, 0, DIAGONAL] = 1.0
        walk(0, 0, start)
        return np.stack(out)

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        _, alpha = compiled(self, "forward", Log(), log_potentials, lengths)  # marginals share it
        return _walker(self, log_potentials, alpha, lengths, key, n)

    def _walk(
        self, log_potentials: Array, alpha: Array, lengths: Array, key: Array, n: int
    ) -> Array:
        """``n`` paths drawn backwards from the forward values ``alpha`` (D, batch, N)."""
        theta = log_potentials
        B, N, M, _ = theta.shape
        rows = jnp.arange(B)
        steps = N + M - 2  # the most moves a path makes after (0, 0)
        # Gumbel-max draws; the noise is drawn at once, outside the walk.
        noise = jax.random.gumbel(key, (steps, n, B, 3), theta.dtype)

        def value(i: Array, j: Array) -> Array:  # α at (i, j); −∞ outside the grid
            ok = (i >= 0) & (j >= 0)
            return jnp.where(ok, alpha[jnp.maximum(i + j, 0), rows, jnp.maximum(i, 0)], -jnp.inf)

        # Walk back from the last cell: pick the move into (i, j) in proportion to
        # α(predecessor) · θ[i, j, move].
        def back(state: tuple[Array, Array], gumbel: Array) -> tuple[Any, Any]:
            i, j = state  # (n, B)
            before = jnp.stack([value(i - 1, j - 1), value(i - 1, j), value(i, j - 1)], -1)
            pick = jnp.argmax(before + theta[rows, i, j] + gumbel, axis=-1)
            live = (i > 0) | (j > 0)
            part = (i, j, pick, live)
            i = jnp.where(live & (pick != HORIZONTAL), i - 1, i)
            j = jnp.where(live & (pick != VERTICAL), j - 1, j)
            return (i, j), part

        last = (
            jnp.broadcast_to(lengths[:, 0] - 1, (n, B)),
            jnp.broadcast_to(lengths[:, 1] - 1, (n, B)),
        )
        _, (i, j, pick, live) = jax.lax.scan(back, last, noise)
        sample = jnp.broadcast_to(jnp.arange(n)[:, None], (n, B))
        y = jnp.zeros((n, B, N, M, 3), theta.dtype).at[:, :, 0, 0, DIAGONAL].set(1.0)
        return y.at[sample, rows, i, j, pick].add(live.astype(theta.dtype))


_walker = jax.jit(Alignment._walk, static_argnums=(0, 5))


class AlignmentCRF(StructuredDistribution):
    """A distribution over monotone alignments of two sequences.

    ``log_potentials`` (batch, N, M, 3) as in :class:`Alignment`; ``lengths``
    (batch, 2) holds each item's (n, m) (default: all (N, M)).

    >>> import jax
    >>> crf = AlignmentCRF(jax.random.normal(jax.random.key(0), (2, 4, 5, 3)))
    >>> crf.marginals[:, 0, 0, 0].tolist()   # every path starts at (0, 0)
    [1.0, 1.0]
    """

    def __init__(self, log_potentials: Array, lengths: Array | None = None) -> None:
        self.program = Alignment()
        super().__init__(log_potentials, lengths)

    @classmethod
    def from_scores(cls, match: Array, gap: float, lengths: Array | None = None) -> AlignmentCRF:
        """Alignments scored by ``match`` (batch, N, M), the score of pairing x_i with y_j,
        less ``gap`` for each vertical or horizontal step (one that pairs an element
        again, as DTW's warping does): θ[b, i, j, move] = match[b, i, j] − gap·[move ≠ 0].
        Every cell on the path counts its match score once."""
        if isinstance(match, (str, bytes)) or match is None:
            raise ArgumentTypeError(f"match: expected an array of scores, got {match!r:.40}")
        scores = jnp.asarray(match)
        if not (
            jnp.issubdtype(scores.dtype, jnp.floating) or jnp.issubdtype(scores.dtype, jnp.integer)
        ):
            raise ArgumentTypeError(f"match: expected real scores, got dtype {scores.dtype}")
        if scores.ndim != 3:
            raise ShapeError(
                f"match: expected match scores of shape (batch, N, M), got shape "
                f"{tuple(scores.shape)}"
            )
        penalty = real(gap, "gap")
        scores = scores.astype(jnp.result_type(scores, float))
        moves = jnp.asarray([0.0, penalty, penalty], dtype=scores.dtype)
        return cls(scores[..., None] - moves, lengths)
