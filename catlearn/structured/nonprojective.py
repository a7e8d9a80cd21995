"""Non-projective dependency CRFs: the matrix-tree theorem, and Chu–Liu/Edmonds.

Potentials are those of :mod:`catlearn.structured.dependency`, (batch, N, N):
``θ[b, h, m]`` scores the arc head ``h`` → modifier ``m`` for ``h ≠ m`` and
``θ[b, m, m]`` the arc ROOT → ``m``; a structure is any tree hanging from
ROOT (arcs may cross). ``multiroot`` defaults to **False** here, as in
torch-struct's ``NonProjectiveDependencyCRF``: exactly one word hangs from
ROOT (Koo et al. 2007); True allows several.

The sum over trees of the product of arc weights is the determinant of a
Laplacian (Kirchhoff; Koo et al. 2007 replace its first row by the ROOT
weights for one root child). A determinant needs subtraction, so the sum
runs where that means something: ``Log`` and ``Real`` (the log-determinant,
shifted per column so the exponentials cannot overflow; no ε added, unlike
torch-struct), ``Expectation`` (dual numbers: det(A + εB) = det A · (1 + ε
tr A⁻¹B)) and ``Counting`` (a fraction-free integer determinant on the host,
exact). The best tree is a maximum spanning arborescence, found by
Chu–Liu/Edmonds on the host; samples are drawn head by head from
conditional marginals, exactly.

    >>> import jax.numpy as jnp
    >>> crf = NonProjectiveDependencyCRF(jnp.zeros((1, 4, 4)))    # one root child
    >>> int(crf.count()[0])                                       # 4³ trees
    64
    >>> int(NonProjectiveDependencyCRF(jnp.zeros((1, 4, 4)), multiroot=True).count()[0])
    125
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, HostOnlyError
from catlearn.semirings import Counting, Dual, Log, Real, Semiring
from catlearn.semirings.carrier import is_traced
from catlearn.structured.dependency import DependencyTrees, head_vectors, heads_structure
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.program import compiled

Array = Any


# -- determinants ------------------------------------------------------------------------
@jax.custom_vjp
def logdet(a: Array) -> Array:
    """log det of a batch of matrices with det ≥ 0 (a Laplacian): −∞ where det ≤ 0,
    with a zero gradient there (the gradient of slogdet would be NaN)."""
    sign, value = jnp.linalg.slogdet(a)
    return jnp.where(sign > 0, value, -jnp.inf)


def _logdet_forward(a: Array) -> tuple[Array, tuple[Array, Array]]:
    sign, value = jnp.linalg.slogdet(a)
    ok = sign > 0
    return jnp.where(ok, value, -jnp.inf), (a, ok)


def _logdet_backward(residuals: tuple[Array, Array], g: Array) -> tuple[Array]:
    a, ok = residuals
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    inverse = jnp.linalg.inv(jnp.where(ok[..., None, None], a, eye))  # d log det A = A⁻ᵀ
    return (jnp.where(ok, g, 0.0)[..., None, None] * jnp.swapaxes(inverse, -1, -2),)


logdet.defvjp(_logdet_forward, _logdet_backward)


def bareiss(matrix: list[list[int]]) -> int:
    """The determinant of a square integer matrix, exactly (fraction-free elimination)."""
    a = [list(row) for row in matrix]
    n, sign, previous = len(a), 1, 1
    for k in range(n - 1):
        if a[k][k] == 0:
            swap = next((r for r in range(k + 1, n) if a[r][k] != 0), None)
            if swap is None:
                return 0
            a[k], a[swap] = a[swap], a[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                # exact: Sylvester's identity makes every such quotient an integer
                a[i][j] = (a[i][j] * a[k][k] - a[i][k] * a[k][j]) // previous
        previous = a[k][k]
    return sign * a[n - 1][n - 1] if n else 1


def laplacian(weights: Array, lengths: Array, multiroot: bool, pad: float = 1.0) -> Array:
    """The (B, N, N) Laplacian of arc weights (B, N, N), ROOT weights on the diagonal.

    ``L[m, m]`` = Σ_h w[h, m] (+ the ROOT weight if ``multiroot``), ``L[h, m]`` =
    −w[h, m]; for one root child, row 0 is the ROOT weights instead. Rows and
    columns past each length are ``pad`` times the identity (det unchanged for 1).
    """
    B, N, _ = weights.shape
    live = jnp.arange(N)[None, :] < lengths[:, None]
    pair = live[:, :, None] & live[:, None, :]
    eye = jnp.eye(N, dtype=bool)
    arcs = jnp.where(pair & ~eye, weights, 0.0)
    root = jnp.where(live, jnp.diagonal(weights, axis1=1, axis2=2), 0.0)
    degree = jnp.sum(arcs, axis=1) + (root if multiroot else 0.0)
    lap = jnp.where(eye, degree[:, None, :], -arcs)
    if not multiroot:
        lap = lap.at[:, 0, :].set(root)
    return jnp.where(pair, lap, pad * eye)


# -- the program -------------------------------------------------------------------------
class NonProjective(DependencyTrees):
    """The family of (not necessarily projective) dependency trees: a determinant."""

    def __init__(self, multiroot: bool = False) -> None:
        super().__init__(multiroot)

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        S = semiring
        if isinstance(S, Counting):
            return self._count(potentials, np.asarray(lengths))
        if type(S) is Log or type(S) is Real or (isinstance(S, Dual) and type(S.base) is Real):
            return compiled(self, "_sum", S, potentials, lengths)
        raise ArgumentTypeError(
            f"semiring: the sum over non-projective trees is a determinant (the "
            f"matrix-tree theorem), which needs additive inverses; it runs in Log, Real, "
            f"Expectation and Counting (an exact integer determinant), not in {S!r}. "
            "Max and k-best over these trees are no determinant: the best tree is a "
            "maximum spanning arborescence (NonProjectiveDependencyCRF.argmax, by "
            "Chu–Liu/Edmonds)"
        )

    def _sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        if type(semiring) is Log:
            return self._log_partition(potentials, lengths)
        if type(semiring) is Real:
            return jnp.exp(self._scaled(potentials, lengths)[0])
        return self._expectation(potentials, lengths)

    def _live(self, lengths: Array, N: int) -> tuple[Array, Array]:
        live = jnp.arange(N)[None, :] < lengths[:, None]
        return live, live[:, :, None] & live[:, None, :]

    def _log_partition(self, theta: Array, lengths: Array) -> Array:
        live, pair = self._live(lengths, theta.shape[1])
        # −∞ before exp, so padding can neither overflow nor send NaN into the gradient.
        theta = jnp.where(pair, theta, -jnp.inf)
        # Every entry of column m is a multiple of weights into m: scaling the column by
        # exp(−shift[m]) scales the determinant by it, and log Z does not depend on it.
        shift = jnp.max(theta, axis=1)
        shift = jax.lax.stop_gradient(jnp.where(jnp.isfinite(shift), shift, 0.0))
        weights = jnp.exp(theta - shift[:, None, :])
        lap = laplacian(weights, lengths, self.multiroot)
        return logdet(lap) + jnp.sum(jnp.where(live, shift, 0.0), axis=1)

    def _scaled(self, weights: Array, lengths: Array) -> tuple[Array, Array, Array]:
        """log Z from real weights, the column scales and the scaled Laplacian."""
        live, pair = self._live(lengths, weights.shape[1])
        weights = jnp.where(pair, weights, 0.0)
        scale = jnp.max(weights, axis=1)
        scale = jax.lax.stop_gradient(jnp.where(scale > 0, scale, 1.0))
        lap = laplacian(weights / scale[:, None, :], lengths, self.multiroot)
        log_scale = jnp.sum(jnp.where(live, jnp.log(scale), 0.0), axis=1)
        return logdet(lap) + log_scale, scale, lap

    def _expectation(self, potentials: tuple[Array, Array], lengths: Array) -> tuple:
        value, tangent = potentials
        log_z, scale, lap = self._scaled(value, lengths)
        _, pair = self._live(lengths, value.shape[1])
        dlap = laplacian(
            jnp.where(pair, tangent, 0.0) / scale[:, None, :], lengths, self.multiroot, pad=0.0
        )
        # det(A + εB) = det A (1 + ε tr A⁻¹B); column scaling leaves tr A⁻¹B unchanged.
        ok = jnp.isfinite(log_z)
        eye = jnp.eye(lap.shape[-1], dtype=lap.dtype)
        solved = jnp.linalg.solve(jnp.where(ok[:, None, None], lap, eye), dlap)
        z = jnp.exp(log_z)
        trace = jnp.trace(solved, axis1=1, axis2=2)
        return z, jnp.where(ok, z * trace, 0.0)

    def _count(self, potentials: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.empty(len(lengths), dtype=object)
        for b, L in enumerate(lengths.tolist()):
            w = [[int(potentials[b, h, m]) for m in range(L)] for h in range(L)]
            lap = [[0] * L for _ in range(L)]
            for m in range(L):
                for h in range(L):
                    if h != m:
                        lap[h][m] = -w[h][m]
                        lap[m][m] += w[h][m]
                if self.multiroot:
                    lap[m][m] += w[m][m]
            if not self.multiroot:
                lap[0] = [w[m][m] for m in range(L)]
            out[b] = bareiss(lap)
        return out

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        trees = head_vectors(shape[0], length, self.multiroot)
        return np.stack([heads_structure(shape, h) for h in trees])

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        return _jitted_samples(self, n, log_potentials, lengths, key)

    def _sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        """Heads drawn word by word, each from its marginal given the heads drawn before
        (the chain rule: exact); the conditioning keeps only the drawn arc's potential."""
        B, N, _ = log_potentials.shape

        def marginals(theta: Array) -> Array:
            return jax.grad(lambda t: jnp.sum(self._log_partition(t, lengths)))(theta)

        def one(key: Array) -> Array:
            def step(theta: Array, inputs: tuple[Array, Array]) -> tuple[Array, Array]:
                m, k = inputs
                mu = marginals(theta)[:, :, m]  # (B, N): P(head of m = h | heads so far)
                logits = jnp.log(jnp.clip(mu, 0.0, None))
                head = jax.nn.one_hot(jax.random.categorical(k, logits), N, dtype=bool)
                live = (m < lengths)[:, None]
                column = jnp.where(head | ~live, theta[:, :, m], -jnp.inf)
                return theta.at[:, :, m].set(column), head & live

            _, heads = jax.lax.scan(step, log_potentials, (jnp.arange(N), jax.random.split(key, N)))
            return jnp.moveaxis(heads, 0, 2).astype(log_potentials.dtype)  # (m, B, h) → (B, h, m)

        return jax.vmap(one)(jax.random.split(key, n))


@partial(jax.jit, static_argnums=(0, 1))
def _jitted_samples(
    program: NonProjective, n: int, log_potentials: Array, lengths: Array, key: Array
) -> Array:
    return program._sample(log_potentials, lengths, key, n)


# -- the best tree -------------------------------------------------------------------------
def _cycle(heads: np.ndarray) -> list[int] | None:
    """A cycle of the head graph (node 0 is the root, heads[0] = −1), if any."""
    state = np.zeros(len(heads), dtype=int)  # 0 unseen, 1 on the current path, 2 done
    for start in range(1, len(heads)):
        path, v = [], start
        while v != -1 and state[v] == 0:
            state[v] = 1
            path.append(v)
            v = heads[v]
        if v != -1 and state[v] == 1:
            return path[path.index(v) :]
        for u in path:
            state[u] = 2
    return None


def arborescence(score: np.ndarray) -> np.ndarray | None:
    """Heads (heads[0] = −1) of a maximum spanning arborescence rooted at node 0 of
    the arc scores ``score[h, m]`` (−∞: no arc), by Chu–Liu/Edmonds; None if none."""
    n = len(score)
    s = np.array(score, dtype=float)
    np.fill_diagonal(s, -np.inf)
    s[:, 0] = -np.inf
    heads = np.argmax(s, axis=0)
    heads[0] = -1
    if n > 1 and not np.all(np.isfinite(s[heads[1:], np.arange(1, n)])):
        return None  # a node no arc reaches
    cycle = _cycle(heads)
    if cycle is None:
        return heads
    cyc = np.array(cycle)
    rest = np.flatnonzero(~np.isin(np.arange(n), cyc))  # rest[0] = 0: the root
    c = len(rest)  # the contracted cycle's node
    t = np.full((c + 1, c + 1), -np.inf)
    t[:c, :c] = s[np.ix_(rest, rest)]
    # entering the cycle at v replaces v's cycle arc: score relative to it
    gain = s[np.ix_(rest, cyc)] - s[heads[cyc], cyc][None, :]
    enter = np.argmax(gain, axis=1)
    t[:c, c] = gain[np.arange(c), enter]
    leave_scores = s[np.ix_(cyc, rest)]
    leave = np.argmax(leave_scores, axis=0)
    t[c, :c] = leave_scores[leave, np.arange(c)]
    sub = arborescence(t)
    if sub is None:
        return None
    out = heads.copy()
    for a in range(1, c):
        out[rest[a]] = cyc[leave[a]] if sub[a] == c else rest[sub[a]]
    h = sub[c]
    out[cyc[enter[h]]] = rest[h]
    return out


def best_tree(theta: np.ndarray, length: int, multiroot: bool) -> np.ndarray:
    """The best tree's 0/1 arcs (N, N) for one item (all zero if no tree is allowed)."""
    N = theta.shape[0]
    L = length
    score = np.full((L + 1, L + 1), -np.inf)
    score[1:, 1:] = theta[:L, :L]
    score[0, 1:] = np.diagonal(theta)[:L]
    candidates = [None] if multiroot else range(L)
    best, best_score = None, -np.inf
    for child in candidates:
        s = score.copy()
        if child is not None:  # one root child: try each, keep the best
            s[0, :] = -np.inf
            s[0, child + 1] = score[0, child + 1]
        heads = arborescence(s)
        if heads is None:
            continue
        total = s[heads[1:], np.arange(1, L + 1)].sum()
        if best is None or total > best_score:
            best, best_score = heads, total
    y = np.zeros((N, N))
    if best is not None:
        for m in range(L):
            h = best[m + 1] - 1
            y[m if h < 0 else h, m] = 1.0
    return y


class NonProjectiveDependencyCRF(StructuredDistribution):
    """A CRF over non-projective dependency trees (torch-struct's
    ``NonProjectiveDependencyCRF``, without its ε).

    ``log_potentials`` (batch, N, N) as in :mod:`catlearn.structured.dependency`;
    ``lengths`` (batch,) counts words, 1 … N; ``multiroot`` defaults to False (one
    root child). ``argmax`` and ``max`` run Chu–Liu/Edmonds on the host; ``kbest``
    is not supported.

    >>> import jax
    >>> crf = NonProjectiveDependencyCRF(jax.random.normal(jax.random.key(0), (1, 4, 4)))
    >>> crf.marginals.sum(axis=1).round(4).tolist()       # one head per word
    [[1.0, 1.0, 1.0, 1.0]]
    >>> int(jax.numpy.trace(crf.argmax[0]))                # one root child
    1
    """

    def __init__(
        self, log_potentials: Array, lengths: Array | None = None, multiroot: bool = False
    ) -> None:
        self.program = NonProjective(multiroot)
        super().__init__(log_potentials, lengths)

    @property
    def argmax(self) -> Array:
        """The best tree (Chu–Liu/Edmonds, on the host), 0/1 of the potentials' shape;
        all zero for an item that allows no tree."""
        if is_traced(self.log_potentials) or is_traced(self.lengths):
            raise HostOnlyError(
                "NonProjectiveDependencyCRF.argmax runs Chu–Liu/Edmonds on the host and "
                "cannot run under a JAX trace"
            )
        theta = np.asarray(jax.device_get(self.log_potentials), dtype=float)
        lengths = np.asarray(jax.device_get(self.lengths)).tolist()
        trees = [best_tree(t, L, self.program.multiroot) for t, L in zip(theta, lengths)]
        return jnp.asarray(np.stack(trees), dtype=self.log_potentials.dtype)

    @property
    def max(self) -> Array:
        """The best tree's score, shape (batch,); −∞ where no tree is allowed."""
        y = self.argmax
        score = jnp.sum(jnp.where(y > 0, self.log_potentials, 0.0), axis=(1, 2))
        return jnp.where(jnp.any(y > 0, axis=(1, 2)), score, -jnp.inf)

    def kbest(self, k: int) -> tuple[Array, Array]:
        """Not supported: k-best spanning arborescences are no determinant (Camerini et
        al.'s algorithm would be needed)."""
        raise ArgumentTypeError(
            "kbest: not supported for non-projective trees (the sum over them is a "
            "determinant, which has no k-best version); argmax gives the best tree"
        )
