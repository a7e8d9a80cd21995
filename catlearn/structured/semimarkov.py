"""Semi-Markov CRFs: labelled segmentations of a sequence.

A sequence of ``L`` positions 0 … L − 1 is cut at boundaries
0 = p₀ < p₁ < … < p_m = L − 1, each boundary carrying a label, and each
jump pₛ → pₛ₊₁ is one segment. Potentials have shape (batch, T, K, C, C):
``θ[b, n, k, i, j]`` scores the jump from boundary ``n`` to ``n + k`` with
label ``i`` at ``n`` and label ``j`` at ``n + k``. Jumps have length
1 … K − 1: the slot ``k = 0`` is never used (its marginals are 0), as in
torch-struct, whose potentials port here by swapping the last two axes.
``lengths`` counts positions, 1 … T + 1, as :class:`LinearChainCRF` does;
a single position is the empty segmentation (score 0).

The sum walks the positions once, keeping the last K − 1 forward vectors
in a ring buffer: each step is one semiring vector–matrix product,
(K−1)·C ⊗ ((K−1)·C × C), so T sequential steps of O(K·C²) work each.

    >>> import jax.numpy as jnp
    >>> theta = jnp.zeros((1, 3, 3, 2, 2))   # 4 positions, jumps of 1 or 2, 2 labels
    >>> int(SemiMarkovCRF(theta).count()[0])   # cuttings 1+1+1, 1+2, 2+1: 2⁴ + 2³ + 2³
    32
    >>> crf = SemiMarkovCRF(theta.at[0, 0, 2, 1, 0].set(1.0))   # reward 0 → 2, labels 1, 0
    >>> crf.max.tolist()
    [1.0]
    >>> [tuple(int(v) for v in s) for s in jnp.argwhere(crf.argmax[0])]   # (n, k, i, j)
    [(0, 2, 1, 0), (2, 1, 0, 0)]
"""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ShapeError
from catlearn.semirings import Log, Semiring
from catlearn.structured import carrier
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import DynamicProgram, compiled

Array = Any


class SemiMarkov(DynamicProgram):
    """The family of labelled segmentations (jumps of 1 … K − 1 positions)."""

    name = "SemiMarkov"
    event_ndim = 4

    def event_doc(self) -> str:
        return "T, K, C, C"

    def check_event(self, shape: tuple[int, ...]) -> int:
        T, K, C, C2 = shape
        if C != C2 or C < 1:
            raise ShapeError(
                f"SemiMarkov: potentials must be (batch, T, K, C, C) with square label "
                f"blocks; got event shape {shape}"
            )
        if K < 2:
            raise ShapeError(
                f"SemiMarkov: potentials must be (batch, T, K, C, C) with K ≥ 2 (jumps of "
                f"1 … K − 1, the slot k = 0 unused); got K = {K} in event shape {shape}"
            )
        return T + 1

    # -- the program --------------------------------------------------------------
    @staticmethod
    def incoming(S: Semiring, potentials: Array) -> Array:
        """The jumps into each position: element (b, n − 1, k − 1, i, j) is
        θ[b, n − k, k, i, j] for n = 1 … T, k = 1 … K − 1 (``zero`` where n < k)."""
        B, T, K, C, _ = S.index_shape(potentials)
        n = np.arange(1, T + 1)[:, None]
        k = np.arange(1, K)[None, :]
        start = n - k
        jumps = carrier.index(
            potentials, (slice(None), np.maximum(start, 0), np.broadcast_to(k, start.shape))
        )
        shape = (B, T, K - 1, C, C)
        inside = np.broadcast_to((start >= 0)[None, :, :, None, None], shape)
        return S.where(inside, jumps, S.zeros(shape))

    def forward(self, potentials: Array, semiring: Semiring, lengths: Array) -> tuple[Array, Array]:
        """The sum, shape (batch,), and the forward vectors β[n] (⊕ over segmentations
        of positions 0 … n of their score, by the label at n) for n = 1 … T, (T, batch, C)."""
        S = semiring
        B, T, K, C, _ = S.index_shape(potentials)
        xp = np if S.host else jnp
        last = xp.asarray(lengths) - 1
        jumps = carrier.reshape(S, self.incoming(S, potentials), (B, T, (K - 1) * C, C))
        # The ring buffer holds β[n − 1], …, β[n − K + 1]; β[0] is one for every label.
        ring = carrier.concatenate(S, [S.ones((B, 1, C)), S.zeros((B, K - 2, C))], axis=1)
        # A single position is the empty segmentation, whose product is one.
        total = S.ones((B,))

        def step(carry: tuple[Array, Array], xs: tuple[Array, Array]) -> tuple[Any, Array]:
            ring, total = carry
            block, n = xs
            # ⊗ then ⊕ rather than S.matmul: for a single row, Log's BLAS matmul (with
            # its underflow guard) compiles twice as slowly and runs slower.
            vec = carrier.reshape(S, ring, (B, (K - 1) * C, 1))
            beta = S.sum(S.mul(vec, block), axis=1)
            total = S.where(n == last, S.sum(beta, axis=1), total)
            older = carrier.index(ring, (slice(None), slice(0, K - 2)))
            ring = carrier.concatenate(S, [carrier.expand(S, beta, 1), older], axis=1)
            return (ring, total), beta

        xs = (carrier.moveaxis(S, jumps, 1, 0), np.arange(1, T + 1))
        (_, total), betas = carrier.steps(S, step, (ring, total), xs)
        return total, betas

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        return compiled(self, "forward", semiring, potentials, lengths)[0]

    def exactly_one(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        masks = np.zeros((1 if length > 1 else 0, *shape))
        masks[:, 0, 1:] = 1.0  # one segment starts at position 0
        return masks

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        T, K, C, _ = shape
        out = []
        for cuts in _compositions(length - 1, K - 1):
            bounds = np.concatenate([[0], np.cumsum(cuts)]).astype(int)
            for labels in itertools.product(range(C), repeat=len(bounds) if cuts else 0):
                y = np.zeros(shape)
                for s, k in enumerate(cuts):
                    y[bounds[s], k, labels[s], labels[s + 1]] = 1.0
                out.append(y)
        return np.stack(out)

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        _, betas = compiled(self, "forward", Log(), log_potentials, lengths)  # marginals share it
        return _walker(self, log_potentials, betas, lengths, key, n)

    def _walk(
        self, log_potentials: Array, betas: Array, lengths: Array, key: Array, n: int
    ) -> Array:
        """``n`` segmentations drawn backwards from the forward vectors ``betas``."""
        theta = log_potentials
        B, T, K, C, _ = theta.shape
        if T == 0:  # one position: the empty segmentation, nothing to draw
            return jnp.zeros((n,) + theta.shape, theta.dtype)
        betas = jnp.concatenate([jnp.zeros((1, B, C), theta.dtype), betas], axis=0)
        rows = jnp.arange(B)[None, :, None]  # (1, B, 1), against samples and jumps
        ks = jnp.arange(1, K)[None, None, :]
        # Gumbel-max draws; the noise is drawn at once, outside the walk.
        first, rest = jax.random.split(key)
        noise = jax.random.gumbel(rest, (T, n, B, (K - 1) * C), theta.dtype)
        end = betas[lengths - 1, jnp.arange(B)] + jax.random.gumbel(first, (n, B, C), theta.dtype)
        label = jnp.argmax(end, axis=-1)  # (n, B): the label at the last position

        # Walk back from the last position: pick the jump (k, label i) into the current
        # boundary p in proportion to β[p − k, i] · θ[p − k, k, i, label].
        def back(state: tuple[Array, Array], gumbel: Array) -> tuple[Any, Any]:
            p, label = state
            start = p[:, :, None] - ks  # (n, B, K − 1)
            at = jnp.maximum(start, 0)
            logits = betas[at, rows] + theta[rows, at, ks, :, label[:, :, None]]
            logits = jnp.where((start >= 0)[..., None], logits, -jnp.inf)
            pick = jnp.argmax(logits.reshape(n, B, -1) + gumbel, axis=-1)
            jump, prev = pick // C + 1, pick % C
            live = p > 0
            part = (jnp.where(live, p - jump, 0), jump, prev, label, live)
            return (jnp.where(live, p - jump, p), jnp.where(live, prev, label)), part

        state = (jnp.broadcast_to(lengths - 1, (n, B)), label)
        _, (at, jump, prev, nxt, live) = jax.lax.scan(back, state, noise)
        sample = jnp.broadcast_to(jnp.arange(n)[:, None], (n, B))
        y = jnp.zeros((n, B, T, K, C, C), theta.dtype)
        return y.at[sample, jnp.arange(B), at, jump, prev, nxt].add(live.astype(theta.dtype))


_walker = jax.jit(SemiMarkov._walk, static_argnums=(0, 5))


def _compositions(total: int, most: int) -> list[tuple[int, ...]]:
    """Ordered ways to write ``total`` as a sum of parts 1 … ``most``."""
    if total == 0:
        return [()]
    return [
        (k,) + rest
        for k in range(1, min(most, total) + 1)
        for rest in _compositions(total - k, most)
    ]


class SemiMarkovCRF(StructuredDistribution):
    """A semi-Markov CRF over labelled segmentations.

    ``log_potentials`` (batch, T, K, C, C) as in :class:`SemiMarkov`; ``lengths``
    (batch,) counts positions, 1 … T + 1 (default: all T + 1).

    >>> import jax
    >>> crf = SemiMarkovCRF(jax.random.normal(jax.random.key(0), (2, 6, 4, 3, 3)))
    >>> crf.marginals[:, :, 0].sum().item()   # no jump of length 0
    0.0
    """

    def __init__(self, log_potentials: Array, lengths: Array | None = None) -> None:
        self.program = SemiMarkov()
        super().__init__(log_potentials, lengths)
