"""Linear-chain CRFs and HMMs: tag sequences scored by adjacent tag pairs.

Potentials have shape (batch, T, C, C): ``θ[b, t, i, j]`` scores tag ``i``
at position ``t`` followed by tag ``j`` at position ``t + 1``, so a
sequence of ``n ≤ T + 1`` positions uses edges ``0 … n − 2`` (``lengths``
counts positions, as torch-struct's does). Node scores (emissions) fold
into the edges: :meth:`LinearChain.potentials` does it.

The sum is a product of semiring matrices. ``sequential`` pushes a vector
through them one edge at a time (O(T·C²) work, T steps); ``parallel``
multiplies them pairwise in a balanced tree (O(T·C³) work, log₂ T steps).
The two give the same values and gradients. On 2 CPU cores the tree never
won (C times the work, 2 cores to spread it on: benchmarks/structured.py,
section "parallel in time"), so ``auto`` runs ``sequential``; ``parallel``
is there for wide accelerators and is opt-in.

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import Counting
    >>> crf = LinearChainCRF(jnp.zeros((2, 4, 3, 3)), lengths=jnp.array([5, 2]))
    >>> [int(c) for c in crf.count()]   # 3⁵ and 3² tag sequences
    [243, 9]
"""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentValueError, ShapeError
from catlearn.semirings import Log, Semiring
from catlearn.structured import carrier
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import DynamicProgram, compiled

Array = Any

# Up to this many tags, the tree's products broadcast instead of calling matmul.
BROADCAST_MAX = 16


class LinearChain(DynamicProgram):
    """The family of tag sequences; ``method`` is "auto", "sequential" or "parallel"."""

    event_ndim = 3

    def __init__(self, method: str = "auto") -> None:
        if method not in ("auto", "sequential", "parallel"):
            raise ArgumentValueError(
                f"method: expected 'auto', 'sequential' or 'parallel', got {method!r}"
            )
        self.method = method
        self.name = "LinearChain"

    def event_doc(self) -> str:
        return "T, C, C"

    def check_event(self, shape: tuple[int, ...]) -> int:
        T, C, C2 = shape
        if C != C2 or C < 1:
            raise ShapeError(
                f"LinearChain: potentials must be (batch, T, C, C) with square tag "
                f"blocks; got event shape {shape}"
            )
        return T + 1

    # -- the program --------------------------------------------------------------
    @staticmethod
    def masked(S: Semiring, potentials: Array, lengths: Array) -> Array:
        """The edges, with the identity past each item's last position."""
        B, T, C, _ = S.index_shape(potentials)
        xp = np if S.host else jnp
        live = xp.arange(T)[None, :] < (xp.asarray(lengths)[:, None] - 1)
        cond = xp.broadcast_to(live[:, :, None, None], (B, T, C, C))
        eye = carrier.broadcast(S, S.eye(C), (B, T, C, C))
        return S.where(cond, potentials, eye)

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        return compiled(self, "_sum", semiring, potentials, lengths)

    def _sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        S = semiring
        B, T, C, _ = S.index_shape(potentials)
        edges = self.masked(S, potentials, np.asarray(lengths) if S.host else lengths)
        if self.method == "parallel" and T > 1:
            total = product(S, edges)  # (B, C, C)
            return S.sum(S.sum(total, axis=2), axis=1)
        alpha = S.ones((B, 1, C))

        def step(alpha: Array, edge: Array) -> tuple[Array, None]:
            return _matmul(S, alpha, edge), None

        alpha, _ = carrier.steps(S, step, alpha, carrier.moveaxis(S, edges, 1, 0))
        return S.sum(carrier.reshape(S, alpha, (B, C)), axis=1)

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        T, C, _ = shape
        out = []
        for tags in itertools.product(range(C), repeat=length):
            y = np.zeros(shape)
            for t in range(length - 1):
                y[t, tags[t], tags[t + 1]] = 1.0
            out.append(y)
        return np.stack(out)

    def exactly_one(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        masks = np.zeros((length - 1, *shape))
        for t in range(length - 1):
            masks[t, t] = 1.0  # one tag pair on each edge
        return masks

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        return _jitted_sample(self, log_potentials, lengths, key, n)

    def _sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        S = Log()
        B, T, C, _ = log_potentials.shape
        edges = self.masked(S, log_potentials, lengths)
        alpha0 = jnp.zeros((B, C), log_potentials.dtype)

        def forward(alpha: Array, edge: Array) -> tuple[Array, Array]:
            return jax.nn.logsumexp(alpha[:, :, None] + edge, axis=1), alpha

        last, alphas = jax.lax.scan(forward, alpha0, jnp.moveaxis(edges, 1, 0))

        def one(key: Array) -> Array:
            key, first = jax.random.split(key)
            tag = jax.random.categorical(first, last, axis=-1)  # tag at position T

            def backward(tag: Array, inputs: tuple[Array, Array, Array]) -> tuple[Array, Array]:
                alpha, edge, k = inputs
                logits = alpha + jnp.take_along_axis(edge, tag[:, None, None], axis=2)[:, :, 0]
                prev = jax.random.categorical(k, logits, axis=-1)
                onehot = jax.nn.one_hot(prev, C)[:, :, None] * jax.nn.one_hot(tag, C)[:, None, :]
                return prev, onehot

            keys = jax.random.split(key, T)
            _, ys = jax.lax.scan(
                backward, tag, (alphas, jnp.moveaxis(edges, 1, 0), keys), reverse=True
            )
            live = jnp.arange(T)[None, :] < (lengths[:, None] - 1)
            return jnp.moveaxis(ys, 0, 1) * live[:, :, None, None]

        return jax.vmap(one)(jax.random.split(key, n)).astype(log_potentials.dtype)

    # -- building potentials -------------------------------------------------------
    @staticmethod
    def potentials(emissions: Array, transitions: Array, start: Array | None = None) -> Array:
        """Edge potentials of an HMM/CRF from node and transition scores.

        ``emissions`` (batch, N, C) scores each tag at each position, ``transitions``
        (C, C) each tag pair, ``start`` (C,) the first tag; the result has shape
        (batch, N − 1, C, C), each node score folded into one edge. N ≥ 2.

        Use these potentials with lengths ≥ 2: a sequence of one position has no
        edge, so it has nowhere to keep its node score (edge 0 holds it, and a
        length of 1 masks edge 0).
        """
        e = jnp.asarray(emissions)
        tr = jnp.asarray(transitions)
        if e.ndim != 3 or e.shape[1] < 2:
            raise ShapeError(f"emissions: expected shape (batch, N ≥ 2, C), got {tuple(e.shape)}")
        C = e.shape[2]
        if tr.shape != (C, C):
            raise ShapeError(f"transitions: expected shape ({C}, {C}), got {tuple(tr.shape)}")
        edges = tr[None, None] + e[:, 1:, None, :]
        first = e[:, 0] if start is None else e[:, 0] + _vector(start, C, "start")
        return edges.at[:, 0].add(first[:, :, None])


_jitted_sample = jax.jit(LinearChain._sample, static_argnums=(0, 4))


def _vector(x: Array, C: int, what: str) -> Array:
    v = jnp.asarray(x)
    if v.shape != (C,):
        raise ShapeError(f"{what}: expected shape ({C},), got {tuple(v.shape)}")
    return v


def _matmul(S: Semiring, a: Array, b: Array) -> Array:
    # Many small products: one broadcast ⊗ and ⊕ over the shared axis beats a
    # batched kernel call per product (XLA's batched dot is slow on tiny blocks).
    C = S.index_shape(a)[-1]
    if S.host or C > BROADCAST_MAX:
        return S.matmul(a, b)
    return S.sum(S.mul(carrier.expand(S, a, 3), carrier.expand(S, b, 1)), axis=2)


def product(S: Semiring, mats: Array) -> Array:
    """⊗-product of (B, T, C, C) matrices along T as a balanced tree: (B, C, C)."""
    B, T, C, _ = S.index_shape(mats)
    while T > 1:
        if T % 2:
            eye = carrier.broadcast(S, S.eye(C), (B, 1, C, C))
            mats = carrier.concatenate(S, [mats, eye], axis=1)
            T += 1
        even = carrier.index(mats, (slice(None), slice(0, None, 2)))
        odd = carrier.index(mats, (slice(None), slice(1, None, 2)))
        left, right = (carrier.reshape(S, m, (-1, C, C)) for m in (even, odd))
        T //= 2
        mats = carrier.reshape(S, _matmul(S, left, right), (B, T, C, C))
    return carrier.index(mats, (slice(None), 0))


class LinearChainCRF(StructuredDistribution):
    """A linear-chain CRF (or HMM posterior) over tag sequences.

    ``log_potentials`` (batch, T, C, C) as in :class:`LinearChain`; ``lengths``
    (batch,) counts positions, 1 … T + 1 (default: all T + 1).

    >>> import jax
    >>> crf = LinearChainCRF(jax.random.normal(jax.random.key(0), (2, 5, 3, 3)))
    >>> crf.argmax.shape, crf.marginals.shape
    ((2, 5, 3, 3), (2, 5, 3, 3))
    """

    def __init__(
        self, log_potentials: Array, lengths: Array | None = None, method: str = "auto"
    ) -> None:
        self.program = LinearChain(method)
        super().__init__(log_potentials, lengths)
