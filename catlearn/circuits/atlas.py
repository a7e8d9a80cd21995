"""Compositional-atlas operators that check and report their tractability conditions.

Vergari, Choi, Liu, Teso and Van den Broeck, "A Compositional Atlas of
Tractable Circuit Operations": the product of two circuits is again a
smooth, decomposable circuit when their scopes are disjoint, or when both
are smooth, decomposable and *compatible* (their product nodes split
shared variables the same way). ``product(c1, c2)`` builds it by the
atlas's recursion, memoised on node pairs, and raises when the two
circuits are not compatible rather than return a circuit whose queries
would be wrong; the returned :class:`Report` says which conditions hold
(determinism is preserved when both inputs are deterministic).
``power(c, α)``, the elementwise power, needs determinism and refuses
without it::

    >>> from catlearn.circuits import CircuitBuilder
    >>> def chain(n, parity):       # x1 ⊕ … ⊕ xn = parity, deciding x1 first
    ...     b = CircuitBuilder()
    ...     below = {0: b.constant(True), 1: b.constant(False)}
    ...     for v in range(n, 0, -1):
    ...         x, nx = b.literal(v), b.literal(v, False)
    ...         below = {p: b.sum([b.product([x, below[1 - p]]), b.product([nx, below[p]])],
    ...                           decision=v) for p in (0, 1)}
    ...     return b.build([below[parity]])
    >>> both, report = product(chain(4, 1), chain(4, 1))
    >>> both.model_count(), report.decomposable, report.deterministic
    (8, True, True)
    >>> product(chain(4, 1), chain(4, 0))[0].model_count()
    0

Compatibility is decided with a vtree (``catlearn.circuits.vtree``): the
product recursion splits each pair of ⊗ nodes at the vtree node that
separates the variables they share, so ⊗ nodes that bracket their
children differently (a flat x1·x2·x3 against (x1·x2)·x3) still multiply.
``elementwise_map(c, τ)`` applies a map to the circuit's function x ↦ c(x)
(leaves are indicators; literal weights are a separate factor): the
support, the logarithm and powers need determinism and refuse without it;
a semiring homomorphism needs nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from catlearn.arguments import real
from catlearn.circuits.builder import CircuitBuilder
from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    CircuitError,
    require_circuit,
)
from catlearn.circuits.properties import (
    is_deterministic,
    scopes,
    undecomposable_nodes,
    unsmooth_nodes,
)
from catlearn.circuits.vtree import Vtree, common_vtree, require_vtree, unstructured_nodes
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.semirings import Homomorphism, Real


@dataclass(frozen=True)
class Report:
    """Which tractability conditions the result of an operator has, and why."""

    smooth: bool
    decomposable: bool
    deterministic: bool | None
    reason: str


def product(c1: Circuit, c2: Circuit, vtree: Vtree | None = None) -> tuple[Circuit, Report]:
    """The circuit of c1 · c2 (single roots, same variables declared), with a report.

    Circuits sharing variables must be smooth, decomposable and compatible: one vtree
    over the shared variables (``vtree``, or one found by ``common_vtree``) respected by
    both. The recursion is memoised on pairs of nodes (and of ⊗ children grouped under a
    vtree node), so compatible circuits multiply in polynomial time; the result is
    smooth, decomposable, and deterministic when both inputs are.
    """
    c1, c2 = require_circuit(c1, "c1"), require_circuit(c2, "c2")
    if c1.roots.size != 1 or c2.roots.size != 1:
        raise CircuitError("product takes single-root circuits")
    if c1.n_vars != c2.n_vars or (c1.n_states != c2.n_states).any():
        raise CircuitError("product needs both circuits over the same declared variables")
    for name, c in (("first", c1), ("second", c2)):
        if undecomposable_nodes(c):
            raise CircuitError(
                f"the {name} circuit is not decomposable: its product is not tractable"
            )
    s1, s2 = scopes(c1), scopes(c2)
    r1, r2 = int(c1.roots[0]), int(c2.roots[0])
    det = _deterministic(c1) and _deterministic(c2)
    b = CircuitBuilder()
    if not s1[r1] & s2[r2]:
        root = b.product([_Copier(c1, b)(r1), _Copier(c2, b)(r2)])
        return _finish(b, root, c1, "disjoint scopes: one product node", det)
    for name, c in (("first", c1), ("second", c2)):
        if unsmooth_nodes(c):
            raise CircuitError(
                f"the {name} circuit is not smooth; smooth() it first (the product recursion "
                "matches children by scope)"
            )
    shared = s1[r1] & s2[r2]
    if vtree is None:
        vtree = common_vtree(c1, c2)  # raises "… not compatible" when there is none
    else:
        vtree = require_vtree(vtree)
        if shared & ~vtree.bits:
            raise CircuitError("product: the vtree lacks variables that the circuits share")
        for name, c in (("first", c1), ("second", c2)):
            bad = unstructured_nodes(c, vtree, shared)
            if bad:
                raise CircuitError(
                    f"the circuits are not compatible with the vtree: product node {bad[0]} "
                    f"of the {name} circuit splits the shared variables otherwise"
                )
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000 + 8 * (c1.n_nodes + c2.n_nodes)))
    try:
        root = _Multiplier(c1, c2, vtree, b).lists((r1,), (r2,))
    finally:
        sys.setrecursionlimit(limit)
    return _finish(b, root, c1, "smooth, decomposable and compatible: the atlas product", det)


class _Multiplier:
    """The atlas product, memoised. ``lists(L1, L2)`` is the circuit of (Π L1) · (Π L2) for
    nodes L1 of c1 and L2 of c2 with pairwise disjoint scopes on each side. Parts that
    share no variable with the other side are copied; a single pair is multiplied node by
    node; several are split at the vtree node ``v`` above the variables both sides share:
    a ⊗ part straddling ``v`` is opened into its children, a ⊕ part straddling it is
    distributed over, and then each side of ``v`` is multiplied on its own. The two
    products share no variable (each side's shared variables lie under one child of
    ``v``), so the result is decomposable; ⊕ nodes keep their scope, so it is smooth."""

    def __init__(self, c1: Circuit, c2: Circuit, vtree: Vtree, b: CircuitBuilder) -> None:
        self.c = (c1, c2)
        self.s = (scopes(c1), scopes(c2))
        self.w = (c1.edge_weights(), c2.edge_weights())
        self.copy = (_Copier(c1, b), _Copier(c2, b))
        self.vtree, self.b = vtree, b
        self.false = b.constant(False)
        self.memo: dict[tuple, int] = {}

    def plus(self, kids: list[int], weights: list[float]) -> int:
        # Constant propagation keeps the result smooth: a false ⊕ child (x · ¬x) would
        # otherwise be a child with an empty scope.
        live = [(k, w) for k, w in zip(kids, weights) if k != self.false]
        if not live:
            return self.false
        return self.b.sum([k for k, _ in live], [w for _, w in live])

    def times(self, kids: list[int]) -> int:
        if self.false in kids:
            return self.false
        return kids[0] if len(kids) == 1 else self.b.product(kids)

    def lists(self, l1: tuple[int, ...], l2: tuple[int, ...]) -> int:
        key = (l1, l2)
        if key not in self.memo:
            self.memo[key] = self._lists(l1, l2)
        return self.memo[key]

    def _lists(self, l1: tuple[int, ...], l2: tuple[int, ...]) -> int:
        free: list[int] = []
        rest: list[list[int]] = [[], []]
        union = [0, 0]
        for side, parts in enumerate((l1, l2)):
            for x in parts:
                union[side] |= self.s[side][x]
        for side, parts in enumerate((l1, l2)):
            c = self.c[side]
            for x in parts:
                if c.kind[x] == CONST:
                    if not c.state[x]:
                        return self.false
                elif self.s[side][x] & union[1 - side]:
                    rest[side].append(x)
                else:  # shares nothing with the other side: a factor as it is
                    free.append(self.copy[side](x))
        if not rest[0]:
            return self.times(free) if free else self.b.product([])
        if len(rest[0]) == 1 and len(rest[1]) == 1:
            core = self.pair(rest[0][0], rest[1][0])
        else:
            core = self.split(rest[0], rest[1])
        return self.times(free + [core])

    def split(self, r1: list[int], r2: list[int]) -> int:
        both = [0, 0]
        for side, parts in enumerate((r1, r2)):
            for x in parts:
                both[side] |= self.s[side][x]
        shared = both[0] & both[1]
        node = self.vtree.lca(shared)
        halves = self.vtree.children(node)
        assert halves is not None  # ≥ 2 parts on a side meet the other: ≥ 2 shared variables
        left = self.vtree.scope(halves[0])
        sides: list[list[list[int]]] = [[[], []], [[], []]]  # [circuit][left/right]
        for side, parts in enumerate((r1, r2)):
            c = self.c[side]
            for i, x in enumerate(parts):
                t = self.s[side][x] & shared
                if t & left and t & ~left:  # straddles: open it up
                    others = parts[:i] + parts[i + 1 :]
                    kids, weights = _edges(c, x, self.w[side])
                    if c.kind[x] == PRODUCT:
                        return self.lists(*self._swap(side, others + kids, r1, r2))
                    terms = [self.lists(*self._swap(side, others + [k], r1, r2)) for k in kids]
                    return self.plus(terms, weights)
                sides[side][0 if t & left else 1].append(x)
        return self.times([
            self.lists(tuple(sorted(sides[0][h])), tuple(sorted(sides[1][h]))) for h in (0, 1)
        ])  # fmt: skip

    @staticmethod
    def _swap(side: int, new: list[int], r1: list[int], r2: list[int]) -> tuple:
        return (tuple(sorted(new)), tuple(r2)) if side == 0 else (tuple(r1), tuple(sorted(new)))

    def pair(self, n: int, m: int) -> int:
        key = ("pair", n, m)
        if key in self.memo:
            return self.memo[key]
        (c1, c2), (w1, w2) = self.c, self.w
        k1, k2 = c1.kind[n], c2.kind[m]
        if k1 == LEAF and k2 == LEAF and c1.var[n] == c2.var[m]:
            out = self.copy[0](n) if c1.state[n] == c2.state[m] else self.false
        elif k1 == SUM:
            kids, weights = _edges(c1, n, w1)
            out = self.plus([self.pair(x, m) for x in kids], weights)
        elif k2 == SUM:
            kids, weights = _edges(c2, m, w2)
            out = self.plus([self.pair(n, y) for y in kids], weights)
        else:  # ⊗ against ⊗ or a leaf (or parts sharing nothing): multiply the parts
            parts1 = tuple(sorted(c1.children_of(n).tolist())) if k1 == PRODUCT else (n,)
            parts2 = tuple(sorted(c2.children_of(m).tolist())) if k2 == PRODUCT else (m,)
            out = self.lists(parts1, parts2)
        self.memo[key] = out
        return out


def power(c: Circuit, alpha: float) -> tuple[Circuit, Report]:
    """The circuit of c(x)^α, for α > 0 (the atlas's elementwise power), with a report.

    Tractable when c is deterministic: an assignment then has at most one
    derivation, whose value is a product of ⊕ edge weights, so raising each
    edge weight to α raises c(x) to α. Indicators and constants are 0 or 1 and
    stay; literal weights are applied at query time, so weigh c^α with w^α.
    Without determinism the power is #P-hard in general, and ``power`` raises.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> coin = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.3, 0.7], decision=1)])
    >>> squared, report = power(coin, 2)
    >>> round(float(squared.wmc({})), 6), report.deterministic   # Σ p² = 0.09 + 0.49
    (0.58, True)
    """
    c = require_circuit(c, "c")
    alpha = real(alpha, "power: α")
    if alpha <= 0:
        raise ArgumentValueError(f"power needs a finite α > 0, got {alpha}")
    deterministic = _deterministic(c)
    if deterministic is None:
        raise CircuitError(
            "power: determinism could not be verified within the check's work budget "
            "(catlearn.circuits.determinism(c) says which node)"
        )
    if not deterministic:
        raise CircuitError(
            "power needs a deterministic circuit: with two derivations for one x, "
            "(a + b)^α is not a^α + b^α"
        )
    with np.errstate(over="ignore"):  # refused just below
        weights = c.edge_weights() ** alpha
    if not np.isfinite(weights).all():
        raise CircuitError(f"power: an edge weight raised to α = {alpha} overflows float64")
    out = Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, c.state, c.roots, c.n_states, weights,
        c.decision,
    )  # fmt: skip
    return out, Report(
        smooth=not unsmooth_nodes(out),
        decomposable=not undecomposable_nodes(out),
        deterministic=True,
        reason="deterministic: each ⊕ edge weight raised to α",
    )


MAPS = ("support", "log", "power")


def elementwise_map(
    c: Circuit, tau: str | Homomorphism, alpha: float | None = None
) -> tuple[Any, Report]:
    """τ(c(x)) at every assignment x, with a report of the condition that makes it exact.

    ``c(x)`` is the circuit's own function: leaves are indicators, edge weights
    count, literal weights are a separate factor applied by queries. ``tau`` is

    - ``"support"``: x ↦ [c(x) ≠ 0], a 0/1-valued ``Circuit`` (edge weights become
      [w ≠ 0]). Needs determinism: a ⊕ node with two non-zero children would be 2.
    - ``"power"`` with ``alpha=α``, any real: x ↦ c(x)^α where c(x) ≠ 0 and 0 where
      c(x) = 0 (so α = 0 is the support, and α < 0 is 1/c^|α| on the support), a
      ``Circuit`` whose edge weights are w^α (0 where w = 0). Needs determinism: the one
      derivation of x is raised factor by factor. α > 0 is :func:`power`.
    - ``"log"``: x ↦ log c(x), a :class:`LogCircuit` (two non-negative circuits whose
      difference is log c on the support; −∞ off it). Needs determinism.
    - a semiring :class:`~catlearn.semirings.Homomorphism` h from ``Real``: x ↦ h(c(x)),
      a :class:`SemiringImage` (c evaluated in h's target, h(w) on its edges). Needs
      nothing: h commutes with every ⊕ and ⊗ (``real_to_log`` gives log c(x) in the
      Log semiring on any circuit, but that is not a sum-product circuit one can
      multiply or integrate, which is what the ``"log"`` map is for).

    Refused with a ``CircuitError`` naming the missing condition otherwise.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> coin = b.build([b.sum([x, nx], [0.25, 0.0], decision=1)])
    >>> support, report = elementwise_map(coin, "support")
    >>> support.weights.tolist(), report.deterministic
    ([1.0, 0.0], True)
    >>> inverse, _ = elementwise_map(coin, "power", alpha=-1)     # 1 / c(x) on the support
    >>> inverse.weights.tolist()
    [4.0, 0.0]
    >>> log_coin, _ = elementwise_map(coin, "log")
    >>> round(float(log_coin.negative.wmc({})), 4)   # −log 0.25 · [x = 1], summed over x
    1.3863
    """
    c = require_circuit(c, "c")
    if isinstance(tau, Homomorphism):
        if alpha is not None:
            raise ArgumentValueError("elementwise_map: alpha goes with tau='power' only")
        return _homomorphic_image(c, tau)
    if not isinstance(tau, str) or tau not in MAPS:
        raise ArgumentTypeError(
            f"elementwise_map: tau must be one of {MAPS} or a semiring Homomorphism, got "
            f"{tau!r:.60}"
        )
    if (tau == "power") != (alpha is not None):
        raise ArgumentValueError("elementwise_map: tau='power' takes alpha=α, the others none")
    _require_determinism(c, f"elementwise_map(τ = {tau!r})", tau)
    if tau == "log":
        return _log_circuit(c)
    alpha = 0.0 if tau == "support" else real(alpha, "elementwise_map: α")
    if alpha > 0:
        return power(c, alpha)
    out = _support_power(c, alpha, f"elementwise_map(τ = {tau!r})")
    what = (
        "support: each ⊕ edge weight w becomes [w ≠ 0]"
        if tau == "support"
        else (f"deterministic: each ⊕ edge weight w > 0 raised to α = {alpha}, 0 kept 0")
    )
    return out, Report(not unsmooth_nodes(out), not undecomposable_nodes(out), True, what)


def _require_determinism(c: Circuit, what: str, tau: str) -> None:
    why = {
        "support": "with two non-zero children a ⊕ node sums two 1s",
        "power": "with two derivations for one x, (a + b)^α is not a^α + b^α",
        "log": "with two derivations for one x, log(a + b) is not a sum of logs",
    }[tau]
    try:
        deterministic = is_deterministic(c)
    except CircuitError as error:
        raise CircuitError(
            f"{what}: cannot verify that the circuit is deterministic ({error})"
        ) from None
    if not deterministic:
        raise CircuitError(f"{what} needs a deterministic circuit: {why}")


def _support_power(c: Circuit, alpha: float, what: str) -> Circuit:
    """c with each ⊕ edge weight w > 0 raised to α ≤ 0 and zero weights kept zero."""
    w = c.edge_weights()
    live = w > 0
    with np.errstate(over="ignore", divide="ignore"):
        weights = np.where(live, np.where(live, w, 1.0) ** alpha, 0.0)
    if not np.isfinite(weights).all():
        raise CircuitError(f"{what}: an edge weight raised to α = {alpha} overflows float64")
    return _rewired(c, weights, c.roots)


def _rewired(c: Circuit, weights: np.ndarray | None, roots: Any) -> Circuit:
    return Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, c.state, roots, c.n_states,
        c.weights if weights is None else weights, c.decision,
    )  # fmt: skip


@dataclass(frozen=True)
class LogCircuit:
    """log c(x) of a deterministic circuit as sum-product circuits over c's variables:
    ``positive(x) − negative(x)`` where ``support(x) = 1``, and −∞ where it is 0.

    Built by the atlas's recursion on c's unique derivation: for a ⊕ node,
    log n(x) = log w_k + log n_k(x) with n_k the one child non-zero at x; for a ⊗
    node, the sum of its children's logs. ``positive`` collects the logs of the
    weights above 1, ``negative`` minus those below 1, each weighted by the support
    of the child it leads to, so both are non-negative circuits (linear in c for
    binary products; Σ m² for m-ary ones) with c's splits, hence compatible with
    whatever c is compatible with: Σ_x p(x) log c(x) is two atlas products.
    """

    support: Circuit
    positive: Circuit
    negative: Circuit


def _log_circuit(c: Circuit) -> tuple[LogCircuit, Report]:
    supp = _support_power(c, 0.0, "elementwise_map(τ = 'log')")
    b = CircuitBuilder()
    S = _Copier(supp, b)
    false = b.constant(False)
    w = c.edge_weights()
    with np.errstate(divide="ignore"):
        log_w = np.log(w)

    def plus(kids: list[int], weights: list[float]) -> int:
        live = [(k, a) for k, a in zip(kids, weights) if k != false and a != 0]
        return b.sum([k for k, _ in live], [a for _, a in live]) if live else false

    def times(kids: list[int]) -> int:
        return false if false in kids else kids[0] if len(kids) == 1 else b.product(kids)

    parts = {+1: [false] * c.n_nodes, -1: [false] * c.n_nodes}  # leaves, constants: log 1 = 0
    for node in range(c.n_nodes):
        k = c.kind[node]
        lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
        kids = c.children[lo:hi].tolist()
        for sign, L in parts.items():
            if k == SUM:
                terms, coefficients = [], []
                for e, x in zip(range(lo, hi), kids):
                    if w[e] > 0:  # an edge of weight 0 is never on a derivation
                        terms += [S(x), L[x]]
                        coefficients += [max(sign * float(log_w[e]), 0.0), 1.0]
                L[node] = plus(terms, coefficients)
            elif k == PRODUCT:
                L[node] = plus(
                    [times([L[x]] + [S(y) for j, y in enumerate(kids) if j != i])
                     for i, x in enumerate(kids)], [1.0] * len(kids),
                )  # fmt: skip
    root = int(c.roots[0]) if c.roots.size == 1 else None
    if root is None:
        raise CircuitError("elementwise_map(τ = 'log') takes a single-root circuit")
    roots = [S(root), parts[+1][root], parts[-1][root]]
    _declare(b, c)
    both = b.build(roots, n_vars=c.n_vars)
    out = LogCircuit(*(_rewired(both, None, [r]) for r in roots))
    return out, Report(
        smooth=not unsmooth_nodes(both),
        decomposable=not undecomposable_nodes(both),
        deterministic=False,  # positive sums a node's support with its children's logs
        reason="deterministic: log c = positive − negative on the support of c",
    )


@dataclass(frozen=True, eq=False)
class SemiringImage:
    """h(c(x)) for a semiring homomorphism h: c evaluated in h's target semiring with h(w)
    on its edges. Call it with evidence (``(batch, n_vars)``, −1 unobserved): an
    unobserved variable is summed in the target, which is h of c's marginal.

    >>> from catlearn.circuits import CircuitBuilder
    >>> from catlearn.semirings import real_to_log
    >>> b = CircuitBuilder()                 # ½·x1 + ¼·x2: not deterministic, no matter
    >>> c = b.build([b.sum([b.literal(1), b.literal(2)], [0.5, 0.25])])
    >>> image, report = elementwise_map(c, real_to_log)
    >>> [round(float(v), 4) for v in image([[1, 1], [0, 1], [0, 0]]).ravel()]  # log ¾, ¼, 0
    [-0.2877, -1.3863, -inf]
    """

    circuit: Circuit
    homomorphism: Homomorphism

    def __call__(self, evidence: Any = None) -> Any:
        h, c = self.homomorphism, self.circuit
        compiled = c.compile(h.target)
        params = compiled.params()
        params["weights"] = h(np.concatenate([c.edge_weights(), [1.0]]))
        return compiled.apply(params, evidence)


def _homomorphic_image(c: Circuit, h: Homomorphism) -> tuple[SemiringImage, Report]:
    if not isinstance(h.source, Real):
        raise CircuitError(
            f"elementwise_map: the homomorphism {h!r} maps from {h.source!r}; a circuit's "
            "values are in Real"
        )
    if h.domain is not None:
        w = np.concatenate([c.edge_weights(), [0.0, 1.0]])
        if not np.all(np.asarray(h.domain(Real().asarray(w)))):
            raise CircuitError(f"elementwise_map: an edge weight lies outside {h!r}'s domain")
    return SemiringImage(c, h), Report(
        smooth=not unsmooth_nodes(c),
        decomposable=not undecomposable_nodes(c),
        deterministic=_deterministic(c),
        reason=f"a semiring homomorphism ({h!r}) commutes with ⊕ and ⊗: no condition",
    )


def _edges(c: Circuit, node: int, weights) -> tuple[list[int], list[float]]:
    lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
    return c.children[lo:hi].tolist(), weights[lo:hi].tolist()


def _deterministic(c: Circuit) -> bool | None:
    try:
        return is_deterministic(c)
    except CircuitError:
        return None  # the check could not decide within its work budget


class _Copier:
    """Copies a circuit's nodes into a builder on demand (memoised)."""

    def __init__(self, c: Circuit, b: CircuitBuilder) -> None:
        self.c, self.b, self.done = c, b, {}
        self.w = c.edge_weights()

    def __call__(self, node: int) -> int:
        if node in self.done:
            return self.done[node]
        c, b = self.c, self.b
        k = c.kind[node]
        if k == LEAF:
            out = b.indicator(int(c.var[node]), int(c.state[node]), int(c.n_states[c.var[node]]))
        elif k == CONST:
            out = b.constant(bool(c.state[node]))
        else:
            kids, weights = _edges(c, node, self.w)
            new = [self(x) for x in kids]
            out = b.sum(new, weights, int(c.decision[node])) if k == SUM else b.product(new)
        self.done[node] = out
        return out


def _declare(b: CircuitBuilder, like: Circuit) -> None:
    """Every variable of ``like`` with its number of states, used in the result or not: the
    builder would otherwise give 2 states to a variable it never saw (a 3-state variable
    the product does not mention would then count 2 models, not 3)."""
    for v in range(1, like.n_vars + 1):
        b.declare(v, int(like.n_states[v]), "product")


def _finish(
    b: CircuitBuilder, root: int, like: Circuit, reason: str, det
) -> tuple[Circuit, Report]:
    _declare(b, like)
    out = b.build([root], n_vars=like.n_vars)
    return out, Report(
        smooth=not unsmooth_nodes(out),
        decomposable=not undecomposable_nodes(out),
        deterministic=det,
        reason=reason,
    )
