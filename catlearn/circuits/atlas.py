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
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

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
from catlearn.errors import ArgumentValueError


@dataclass(frozen=True)
class Report:
    """Which tractability conditions the result of an operator has, and why."""

    smooth: bool
    decomposable: bool
    deterministic: bool | None
    reason: str


def product(c1: Circuit, c2: Circuit) -> tuple[Circuit, Report]:
    """The circuit of c1 · c2 (single roots, same variables declared), with a report."""
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
    copy1, copy2 = _Copier(c1, b), _Copier(c2, b)
    if not s1[r1] & s2[r2]:
        root = b.product([copy1(r1), copy2(r2)])
        return _finish(b, root, c1, "disjoint scopes: one product node", det)
    for name, c in (("first", c1), ("second", c2)):
        if unsmooth_nodes(c):
            raise CircuitError(
                f"the {name} circuit is not smooth; smooth() it first (the product recursion "
                "matches children by scope)"
            )
    memo: dict[tuple[int, int], int] = {}
    false = b.constant(False)

    # Constant propagation keeps the result smooth: a ⊕ child that is false (x · ¬x)
    # would otherwise be a child with an empty scope.
    def plus(kids: list[int], weights: list[float]) -> int:
        live = [(k, w) for k, w in zip(kids, weights) if k != false]
        if not live:
            return false
        return b.sum([k for k, _ in live], [w for _, w in live])

    def times(kids: list[int]) -> int:
        return false if false in kids else b.product(kids)

    w1, w2 = c1.edge_weights(), c2.edge_weights()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000 + 4 * (c1.n_nodes + c2.n_nodes)))

    def mult(n: int, m: int) -> int:
        key = (n, m)
        if key in memo:
            return memo[key]
        k1, k2 = c1.kind[n], c2.kind[m]
        if k1 == CONST:
            out = copy2(m) if c1.state[n] else false
        elif k2 == CONST:
            out = copy1(n) if c2.state[m] else false
        elif k1 == LEAF and k2 == LEAF:
            same = c1.var[n] == c2.var[m]
            if not same:  # disjoint single variables
                out = b.product([copy1(n), copy2(m)])
            elif c1.state[n] == c2.state[m]:
                out = copy1(n)
            else:
                out = false
        elif k1 == SUM:
            kids, weights = _edges(c1, n, w1)
            out = plus([mult(x, m) for x in kids], weights)
        elif k2 == SUM:
            kids, weights = _edges(c2, m, w2)
            out = plus([mult(n, y) for y in kids], weights)
        elif k1 == PRODUCT and k2 == PRODUCT:
            out = _match(n, m)
        elif k1 == PRODUCT:  # m is a leaf inside one part of n's split
            out = _absorb(n, m, c1, s1, copy1, lambda part: mult(part, m))
        else:
            out = _absorb(m, n, c2, s2, copy2, lambda part: mult(n, part))
        memo[key] = out
        return out

    def _match(n: int, m: int) -> int:
        parts1, parts2 = c1.children_of(n).tolist(), c2.children_of(m).tolist()
        out = []
        used = set()
        for x in parts1:
            if not s1[x]:  # a constant part: nothing to match
                out.append(copy1(x))
                continue
            partners = [y for y in parts2 if s2[y] & s1[x]]
            if len(partners) != 1 or s2[partners[0]] != s1[x]:
                raise CircuitError(
                    f"the circuits are not compatible: product nodes {n} and {m} split their "
                    "shared variables differently, so their product is not decomposable"
                )
            used.add(partners[0])
            out.append(mult(x, partners[0]))
        out += [copy2(y) for y in parts2 if y not in used]
        return times(out)

    def _absorb(n, leaf, c, s, copy, multiply) -> int:
        parts = c.children_of(n).tolist()
        v_bits = scopes(c2 if c is c1 else c1)[leaf]
        out = [multiply(x) if s[x] & v_bits else copy(x) for x in parts]
        if not any(s[x] & v_bits for x in parts):  # the leaf's variable is elsewhere
            out.append((copy2 if c is c1 else copy1)(leaf))
        return times(out)

    try:
        root = mult(r1, r2)
    finally:
        sys.setrecursionlimit(limit)
    return _finish(b, root, c1, "smooth, decomposable and compatible: the atlas product", det)


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
        raise CircuitError("power: the circuit is too large to check determinism exactly")
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


def _edges(c: Circuit, node: int, weights) -> tuple[list[int], list[float]]:
    lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
    return c.children[lo:hi].tolist(), weights[lo:hi].tolist()


def _deterministic(c: Circuit) -> bool | None:
    try:
        return is_deterministic(c)
    except CircuitError:
        return None  # too large to check exactly


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


def _finish(
    b: CircuitBuilder, root: int, like: Circuit, reason: str, det
) -> tuple[Circuit, Report]:
    out = b.build([root], n_vars=like.n_vars)
    return out, Report(
        smooth=not unsmooth_nodes(out),
        decomposable=not undecomposable_nodes(out),
        deterministic=det,
        reason=reason,
    )
