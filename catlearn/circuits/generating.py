"""Probabilistic generating circuits: signed weights, marginals by coefficient extraction.

A distribution p over n binary variables has the *generating polynomial*
g(z) = Σ_x p(x) Π_i z_i^{x_i}: the coefficient of Π_{i ∈ S} z_i is the
probability that exactly the variables in S are 1. A probabilistic
generating circuit (Zhang, Juba and Van den Broeck, ICML 2021) is a
circuit of ⊕ (weights of any sign), ⊗, constants and leaves z_i that
computes g. Negative weights may cancel, so a small PGC can hold
distributions (determinantal point processes among them) that no small
probabilistic circuit is known to hold.

Marginals come from coefficients. For Pr(X_A = 1, X_B = 0) put z_i = 0
on B, z_i = 1 off A ∪ B and z_i = t on A: what is left is
Σ_S p(S) t^{|S ∩ A|} over the S missing B, whose coefficient of t^{|A|}
is the answer. The circuit is evaluated once per evidence row in
:class:`~catlearn.semirings.TruncatedPolynomial` (degree ≥ |A|), batched
and jitted by the ordinary layered evaluator::

    >>> g = dpp([[1.0, 0.5], [0.5, 1.0]])          # an L-ensemble on two items
    >>> p = marginal(g, [[1, -1], [1, 1], [0, 0]]) # Pr(X₁=1), Pr(X₁=X₂=1), Pr(none)
    >>> [round(float(v), 4) for v in p]
    [0.4667, 0.2, 0.2667]
    >>> normalizes(g)
    True

The signed weights are why the ordinary queries (``sample``, ``mpe``,
``entropy``, ``em``, ``wmc``, …) refuse a generating circuit: they need
non-negative weights. Whether every coefficient of g is ≥ 0 (a *valid*
PGC) cannot be checked in general; :func:`is_valid` checks it by
enumeration for small n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.arguments import is_whole, real, whole
from catlearn.circuits.builder import CircuitBuilder
from catlearn.circuits.circuit import CONST, LEAF, MAX_VARS, PRODUCT, Circuit, require_circuit
from catlearn.circuits.compile import CompiledCircuit
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.schedule import bucket
from catlearn.errors import ArgumentTypeError, CircuitError
from catlearn.semirings import Complex, Real, Semiring, TruncatedPolynomial, require_semiring

_ENUMERATE = 16  # is_valid enumerates 2^n assignments: at most this many variables by default


class SignedWeightsError(CircuitError, TypeError):
    """A generating circuit (signed weights) was given to a query that needs weights ≥ 0."""


@dataclass(frozen=True, eq=False)
class GeneratingCircuit:
    """The circuit of a generating polynomial g(z₁, …, z_n): signed ⊕ weights, ⊗, constants
    and leaves z_i. Built by :class:`GeneratingBuilder`, :func:`from_circuit` or :func:`dpp`;
    ``structure`` holds the nodes (a leaf ``[X_i = 1]`` stands for z_i) and ``weights`` one
    finite real per edge (1 on ⊗ edges)::

        >>> g = dpp([[1.0]])                        # one item, kept with probability ½
        >>> g, g.n_vars, g.weights.tolist()
        (GeneratingCircuit(5 nodes, 5 edges, 1 variables), 1, [1.0, 1.0, 1.0, 1.0, 0.5])
    """

    structure: Circuit
    weights: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        c = require_circuit(self.structure, "GeneratingCircuit: structure")
        w = np.array(self.weights, dtype=np.float64).reshape(-1)
        if w.size != c.n_edges:
            raise CircuitError(f"GeneratingCircuit: {w.size} weights for {c.n_edges} edges")
        if not np.all(np.isfinite(w)):
            edge = int(np.flatnonzero(~np.isfinite(w))[0])
            raise CircuitError(f"GeneratingCircuit: edge {edge} has weight {w[edge]!r}")
        on_products = np.repeat(c.kind == PRODUCT, np.diff(c.child_offsets))
        if np.any(w[on_products] != 1):
            edge = int(np.flatnonzero(on_products & (w != 1))[0])
            raise CircuitError(f"GeneratingCircuit: edge {edge} is a ⊗ edge; its weight must be 1")
        if c.roots.size != 1:
            raise CircuitError(f"a generating circuit has one root, got {c.roots.size}")
        if np.any(c.n_states[1:] != 2):
            raise CircuitError("a generating circuit's variables are binary")
        leaves = np.flatnonzero((c.kind == LEAF) & (c.state != 1))
        if leaves.size:
            raise CircuitError(f"leaf node {leaves[0]} is not a z_i (an indicator of state 1)")
        w.flags.writeable = False
        object.__setattr__(self, "weights", w)

    @property
    def n_vars(self) -> int:
        return self.structure.n_vars

    def __repr__(self) -> str:
        c = self.structure
        return f"GeneratingCircuit({c.n_nodes} nodes, {c.n_edges} edges, {c.n_vars} variables)"

    def compile(self, semiring: Semiring) -> Any:
        """``f(z) -> (batch,)``: g at a batch of points ``z`` (``(batch, n_vars)`` carrier
        values of ``semiring``), jitted. Signed weights need a ring over the reals
        (``Real``, ``Complex``, ``TruncatedPolynomial``); any other semiring is refused::

            >>> from catlearn.semirings import Log
            >>> dpp([[1.0]]).compile(Log())
            Traceback (most recent call last):
            ...
            catlearn.circuits.generating.SignedWeightsError: ... which Log cannot hold: ...
        """
        S = require_semiring(semiring, "compile: semiring")
        if not isinstance(S, (Real, Complex, TruncatedPolynomial)):
            raise SignedWeightsError(
                f"a generating circuit has signed weights, which {S!r} cannot hold: evaluate "
                "it in a ring over the reals (Real, Complex, TruncatedPolynomial)"
            )
        if S not in self._cache:
            self._cache[S] = _Evaluator(self, S)
        return self._cache[S]


class _Evaluator:
    """g in one ring: the structure compiled once, the signed weights lifted once."""

    def __init__(self, g: GeneratingCircuit, S: Semiring) -> None:
        self.g, self.S = g, S
        self.compiled = CompiledCircuit(g.structure, S)
        self._truncated = isinstance(S, TruncatedPolynomial)
        w = np.concatenate([g.weights, [1.0]]).astype(S.dtype)
        # Built on the host: an eager device op would compile a kernel for every size.
        self.weights = (w,) + (0 * w,) * S.degree if self._truncated else S.asarray(w)

    def __call__(self, z: Any) -> Any:
        S, n = self.S, self.g.n_vars
        shape = S.index_shape(z)
        if len(shape) != 2 or shape[1] != n:
            raise CircuitError(f"z must hold (batch, {n}) points; got shape {shape}")
        # Per-row literal weights: column 1 is z_i (the leaves are [X_i = 1]); column 0
        # and row 0 are unused and hold the semiring's one.
        host = all(isinstance(a, np.ndarray) for a in (z if self._truncated else (z,)))
        xp = np if host else jnp

        def table(zs: Any, one: float) -> Any:
            zs = xp.asarray(zs, dtype=S.dtype)
            pad = xp.full(zs.shape, one, dtype=S.dtype)
            body = xp.stack([pad, zs], axis=2)
            return xp.concatenate([xp.full((zs.shape[0], 1, 2), one, dtype=S.dtype), body], 1)

        if self._truncated:
            literals = tuple(table(a, float(k == 0)) for k, a in enumerate(z))
        else:
            literals = table(z, 1.0)
        out = self.compiled.apply({"weights": self.weights, "literals": literals})
        return tuple(a[:, 0] for a in out) if self._truncated else out[:, 0]


class GeneratingBuilder:
    """Generating circuits node by node: ``variable(i)`` is the leaf z_i, ``sum`` takes
    weights of any sign, ``build(root)`` checks and freezes the result::

        >>> b = GeneratingBuilder()
        >>> z1, z2 = b.variable(1), b.variable(2)
        >>> # 1.5·(½ + ½z₁)(½ + ½z₂) − 0.5·(½ + ½z₁z₂): a signed mixture
        >>> half = b.constant(0.5)
        >>> a = b.product([b.sum([half, z1], [1.0, 0.5]), b.sum([half, z2], [1.0, 0.5])])
        >>> g = b.build(b.sum([a, b.sum([half, b.product([z1, z2])], [1.0, 0.5])], [1.5, -0.5]))
        >>> [round(float(p), 3) for p in probability(g, [[0, 0], [1, 0], [0, 1], [1, 1]])]
        [0.125, 0.375, 0.375, 0.125]
    """

    def __init__(self) -> None:
        self._nodes = CircuitBuilder()
        self._weights: list[float] = []
        self._constants: dict[bool, int] = {}

    def variable(self, i: int) -> int:
        """The leaf z_i (variables are numbered from 1)."""
        return self._nodes.literal(whole(i, "variable: i", least=1, most=MAX_VARS))

    def constant(self, value: float) -> int:
        """The constant ``value`` (0 and 1 are constants; others a weighted 1)."""
        value = real(value, "constant: value")
        if value in (0.0, 1.0):
            if value not in self._constants:
                self._constants[bool(value)] = self._nodes.constant(bool(value))
            return self._constants[bool(value)]
        return self.sum([self.constant(1.0)], [value])

    def sum(self, children: Sequence[int], weights: Sequence[float] | None = None) -> int:
        """An ⊕ node: Σ_k weights[k]·children[k], weights finite reals of any sign
        (default 1)."""
        node = self._nodes.sum(children)
        n = len(children)
        if weights is None:
            weights = [1.0] * n
        elif isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
            raise ArgumentTypeError("sum: weights must be a list of numbers")
        elif len(weights) != n:
            raise CircuitError(f"sum: {len(weights)} weights for {n} children")
        self._weights += [real(w, f"sum: weight {k}") for k, w in enumerate(list(weights))]
        return node

    def product(self, children: Sequence[int]) -> int:
        """An ⊗ node (no children: the constant 1)."""
        node = self._nodes.product(children)
        self._weights += [1.0] * len(children)
        return node

    def build(self, root: int, n_vars: int | None = None) -> GeneratingCircuit:
        """The generating circuit of ``root`` over z_1..z_``n_vars`` (default: the largest
        variable used)."""
        if not is_whole(root):
            raise ArgumentTypeError(f"build: root must be one node id, got {root!r:.40}")
        return GeneratingCircuit(self._nodes.build([root], n_vars), np.array(self._weights))


def from_circuit(c: Circuit, weights: Any = None) -> GeneratingCircuit:
    """The generating circuit of a decomposable circuit over binary variables: [X_i = 1]
    becomes z_i, [X_i = 0] becomes 1, and each variable a ⊕ child (or the root) leaves out
    is put back as a factor (1 + z_i), which smooths it. ``weights`` (one per edge, 1 on ⊗
    edges) replaces the circuit's own by signed ones::

        >>> from catlearn.circuits import CircuitBuilder
        >>> b = CircuitBuilder()
        >>> c = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.25, 0.75])])
        >>> g = from_circuit(c, weights=[0.75, 0.5])          # 0.75·z₁ + 0.5·1
        >>> [round(float(p), 3) for p in probability(g, [[1], [0]])]
        [0.75, 0.5]
        >>> normalizes(g)
        False
    """
    c = require_circuit(c, "from_circuit: c")
    if np.any(c.n_states[1:] > 2):
        v = int(np.flatnonzero(c.n_states[1:] > 2)[0]) + 1
        raise CircuitError(f"from_circuit: variable {v} has {c.n_states[v]} states, not 2")
    if c.roots.size != 1:
        raise CircuitError(f"from_circuit: a generating circuit has one root, got {c.roots.size}")
    if not c.is_decomposable():
        raise CircuitError(
            "from_circuit: the circuit is not decomposable, so its polynomial is not the "
            "generating polynomial of its distribution"
        )
    w = c.edge_weights() if weights is None else np.array(weights, dtype=np.float64).reshape(-1)
    if w.size != c.n_edges:
        raise CircuitError(f"from_circuit: {w.size} weights for {c.n_edges} edges")
    on_products = np.repeat(c.kind == PRODUCT, np.diff(c.child_offsets))
    if np.any(w[on_products] != 1):
        edge = int(np.flatnonzero(on_products & (w != 1))[0])
        raise CircuitError(f"from_circuit: edge {edge} is a ⊗ edge; its weight must be 1")
    scope = c.scopes()
    b, new, factor = GeneratingBuilder(), [0] * c.n_nodes, {}

    def pad(node: int, missing: int) -> int:
        if not missing:
            return node
        for v in (v for v in range(1, c.n_vars + 1) if missing >> v & 1):
            if v not in factor:  # (1 + z_v): both states of a variable left out
                factor[v] = b.sum([b.constant(1.0), b.variable(v)])
        return b.product([node] + [factor[v] for v in range(c.n_vars + 1) if missing >> v & 1])

    offsets = c.child_offsets
    for node in range(c.n_nodes):
        kind, kids = int(c.kind[node]), c.children_of(node).tolist()
        if kind == LEAF:
            new[node] = b.variable(int(c.var[node])) if c.state[node] else b.constant(1.0)
        elif kind == CONST:
            new[node] = b.constant(float(c.state[node]))
        elif kind == PRODUCT:
            new[node] = b.product([new[k] for k in kids])
        else:
            edge = w[offsets[node] : offsets[node + 1]]
            padded = [pad(new[k], scope[node] & ~scope[k]) for k in kids]
            new[node] = b.sum(padded, [real(x, f"from_circuit: weight {offsets[node] + i}")
                                       for i, x in enumerate(edge)])  # fmt: skip
    root = int(c.roots[0])
    everything = sum(1 << v for v in range(1, c.n_vars + 1))
    return b.build(pad(new[root], everything & ~scope[root]), c.n_vars)


def dpp(L: Any) -> GeneratingCircuit:
    """The generating circuit of the L-ensemble Pr(Y = S) = det(L_S) / det(L + I), for a
    symmetric positive semi-definite ``L``: g(z) = det(I + L·diag(z)) / det(I + L).

    The determinant is built division-free from Mahajan and Vinay's clow sequences:
    O(n⁴) edges, the signs of the permutation expansion carried by weights −1. Its
    marginals are the DPP's: Pr(S ⊆ Y) = det(K_S) with K = L(L + I)⁻¹::

        >>> g = dpp([[1.0, 0.5], [0.5, 1.0]])       # K = [[7, 2], [2, 7]] / 15
        >>> [round(float(p), 4) for p in marginal(g, [[1, -1], [1, 1]])]
        [0.4667, 0.2]
    """
    try:
        L = np.array(L, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"dpp: L must be a matrix of reals ({error})") from None
    if L.ndim != 2 or L.shape[0] != L.shape[1] or L.shape[0] == 0:
        raise CircuitError(f"dpp: L must be a non-empty square matrix, got shape {L.shape}")
    if not np.all(np.isfinite(L)):
        raise CircuitError("dpp: L has entries that are not finite")
    if not np.allclose(L, L.T, atol=1e-12):
        raise CircuitError("dpp: L must be symmetric")
    if np.linalg.eigvalsh(L).min() < -1e-9 * max(1.0, np.abs(L).max()):
        raise CircuitError("dpp: L must be positive semi-definite (an eigenvalue is < 0)")
    n = L.shape[0]
    b = GeneratingBuilder()
    entry = {}  # M[u][v] = δ_uv + L_uv z_v, the entries of I + L·diag(z)
    for u in range(n):
        for v in range(n):
            kids = [(b.constant(1.0), 1.0)] if u == v else []
            if L[u, v] != 0:
                kids.append((b.variable(v + 1), float(L[u, v])))
            if kids:
                entry[u, v] = b.sum([k for k, _ in kids], [w for _, w in kids])
    # State (h, u) after l edges: the open clow has head h and stands at u. A state lives
    # if n − l more edges can finish the sequence: its last clow closes on the n-th edge.
    alive = [set() for _ in range(n)]
    alive[n - 1] = {(h, u) for h in range(n) for u in range(h, n)}
    for l in range(n - 2, -1, -1):
        for h in range(n):
            for u in range(h, n):
                goes_on = any((h, v) in alive[l + 1] for v in range(h + 1, n))
                restarts = any((k, k) in alive[l + 1] for k in range(h + 1, n))
                if goes_on or restarts:
                    alive[l].add((h, u))
    state = {(h, h): b.constant(1.0) for h in range(n) if (h, h) in alive[0]}
    for l in range(n - 1):
        terms: dict[tuple[int, int], list[tuple[int, float]]] = {}
        for (h, u), node in state.items():
            for v in range(h + 1, n):  # walk on to v > h
                if (h, v) in alive[l + 1] and (u, v) in entry:
                    terms.setdefault((h, v), []).append((b.product([node, entry[u, v]]), 1.0))
            if (u, h) in entry:  # close the clow at h, open one at a later head: one more sign
                closed = b.product([node, entry[u, h]])
                for k in range(h + 1, n):
                    if (k, k) in alive[l + 1]:
                        terms.setdefault((k, k), []).append((closed, -1.0))
        state = {s: b.sum([k for k, _ in t], [w for _, w in t]) for s, t in terms.items()}
    # det = (−1)^n Σ (−1)^{clows} · weight; the last closing adds its sign here.
    scale = (-1.0) ** (n + 1) / np.linalg.det(np.eye(n) + L)
    last = [b.product([node, entry[u, h]]) for (h, u), node in state.items() if (u, h) in entry]
    return b.build(b.sum(last, [scale] * len(last)), n)


def _truncation(most_ones: int) -> int:
    """The degree to truncate at: at least the most variables a row observes as 1,
    rounded up to a multiple of 4, so that small circuits share one compiled program
    (⊗ costs (degree + 1)² products: more would cost more to compile than it saves)."""
    return -(-max(most_ones, 1) // 4) * 4


def _coefficient(coefficients: Any, ones: np.ndarray) -> Any:
    """Row r's coefficient of t^{ones[r]} from ``(batch, degree + 1)`` coefficients."""
    return jnp.take_along_axis(coefficients, jnp.asarray(ones)[:, None], axis=1)[:, 0]


def marginal(g: GeneratingCircuit, evidence: Any) -> Any:
    """Pr(evidence) for each row of ``evidence`` (``(batch, n_vars)``: 1, 0, or -1 for a
    variable summed out), by coefficient extraction; a ``(batch,)`` array. The rows are
    checked on the host and evaluated together in one jitted call (padded to a power of
    two, at least 128 rows, so that batches of like size share one compiled program). g
    must be multilinear, as the circuits of :func:`dpp` and :func:`from_circuit` are::

        >>> g = dpp([[1.0, 0.0], [0.0, 3.0]])       # independent: ½ and ¾
        >>> [round(float(p), 4) for p in marginal(g, [[-1, 1], [0, 1], [-1, -1]])]
        [0.75, 0.375, 1.0]
    """
    g = _require(g, "marginal: g")
    ev = evidence_array(np.asarray(evidence), g.structure.n_states[1:])
    batch = ev.shape[0]
    ev = np.concatenate([ev, np.full((max(128, bucket(batch)) - batch, g.n_vars), -1)])
    ones = (ev == 1).sum(axis=1)
    S = TruncatedPolynomial(_truncation(int(ones.max(initial=0))))
    f = g.compile(S)
    # z_i = 1 where summed out, t where observed 1, 0 where observed 0.
    z = tuple(
        (ev == -1).astype(S.dtype) if k == 0
        else (ev == 1).astype(S.dtype) if k == 1
        else np.zeros(ev.shape, dtype=S.dtype)
        for k in range(S.degree + 1)
    )  # fmt: skip
    return _coefficient(jnp.stack(f(z), axis=1), ones)[:batch]


def probability(g: GeneratingCircuit, assignment: Any) -> Any:
    """Pr(X = x) for complete assignments (rows of 0s and 1s): the coefficient of
    Π_{x_i = 1} z_i. Use :func:`marginal` to sum variables out::

        >>> [round(float(p), 4) for p in probability(dpp([[1.0, 0.0], [0.0, 3.0]]), [[1, 0]])]
        [0.125]
    """
    g = _require(g, "probability: g")
    x = evidence_array(np.asarray(assignment), g.structure.n_states[1:], "assignment")
    if np.any(x < 0):
        at = tuple(int(i) for i in np.argwhere(x < 0)[0])
        raise CircuitError(f"assignment{list(at)} = -1: probability needs every variable "
                           "observed; use marginal() to sum variables out")  # fmt: skip
    return marginal(g, x)


def normalizes(g: GeneratingCircuit, *, atol: float = 1e-5) -> bool:
    """Whether g(1, …, 1) = 1 within ``atol``: the coefficients sum to one. It says
    nothing of their signs (see :func:`is_valid`)::

        >>> normalizes(dpp([[1.0]]))
        True
    """
    g = _require(g, "normalizes: g")
    atol = real(atol, "normalizes: atol", non_negative=True)
    total = marginal(g, np.full((1, g.n_vars), -1))[0]
    return bool(abs(float(total) - 1.0) <= atol)


def is_valid(g: GeneratingCircuit, *, max_vars: int = _ENUMERATE, atol: float = 1e-5) -> bool:
    """Whether g is the generating polynomial of a distribution: multilinear, every
    coefficient ≥ 0 (within ``atol``) and their sum 1 (within ``atol``·√(2^n), the
    rounding of 2^n float coefficients). No efficient check is known for a
    generating circuit with signed weights, so this enumerates all 2^n coefficients
    (refusing beyond ``max_vars`` variables rather than guess) and compares g with the
    multilinear polynomial they make at random points (a z₁² that the coefficients of
    Π z_i cannot show is caught there, with probability one)::

        >>> is_valid(dpp([[2.0, 1.0], [1.0, 2.0]]))
        True
    """
    g = _require(g, "is_valid: g")
    max_vars = whole(max_vars, "is_valid: max_vars", least=0, most=30)
    atol = real(atol, "is_valid: atol", non_negative=True)
    n = g.n_vars
    if n > max_vars:
        raise CircuitError(
            f"is_valid: {n} variables is more than max_vars = {max_vars}; non-negativity of a "
            "generating circuit's coefficients is only checked by enumerating 2^n of them"
        )
    x = (np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1
    p = np.asarray(probability(g, x), dtype=np.float64)
    tol = atol * np.sqrt(1 << n)
    if p.min() < -atol or abs(p.sum() - 1.0) > tol:
        return False
    z = np.random.default_rng(0).uniform(0.0, 1.0, size=(8, n))  # on [0, 1]^n, |g| ≤ Σ |p|
    multilinear = np.prod(np.where(x[None] == 1, z[:, None], 1.0), axis=2) @ p
    at = np.asarray(g.compile(Real())(z.astype(np.float32)), dtype=np.float64)
    return bool(np.all(np.abs(at - multilinear) <= tol))


def _require(g: Any, argument: str) -> GeneratingCircuit:
    if isinstance(g, GeneratingCircuit):
        return g
    raise ArgumentTypeError(
        f"{argument}: expected a GeneratingCircuit (from GeneratingBuilder, from_circuit or "
        f"dpp), got {type(g).__name__}; a Circuit becomes one by from_circuit(c)"
    )
