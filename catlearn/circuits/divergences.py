"""Cross-entropy, KL and Rényi divergences between compatible probabilistic circuits.

Each divergence is composed from the atlas's operators, as in Vergari et
al., "A Compositional Atlas of Tractable Circuit Operations": the product
of two compatible circuits, the log of a deterministic one
(``elementwise_map(q, "log")``) and powers of deterministic ones, then one
integral. Hence the conditions, checked and named when they fail:

- ``cross_entropy(p, q)`` = −Σ p log q: p and q compatible, q deterministic;
- ``kl_divergence(p, q)`` = Σ p log(p / q): also p deterministic;
- ``renyi_divergence(p, q, α)`` = log(Σ p^α q^(1−α)) / (α − 1): q deterministic,
  and p deterministic, or α a whole number (p^α as α − 1 self-products, which
  needs p structured-decomposable).

A circuit c stands for the distribution c(x) / Σ_x' c(x') over every
assignment of its declared variables (leaves are indicators; a variable it
does not mention is uniform); both circuits must declare the same
variables. Literal weights are not read: fold them into edge weights first.
Sums run in float64 and log space. Where p puts mass on an x with q(x) = 0,
the cross-entropy, the KL divergence and Rényi divergences of order α > 1
are +∞: that is decided exactly (counting derivations with Python
integers), not by comparing rounded masses::

    >>> from catlearn.circuits import CircuitBuilder
    >>> def coin(heads):
    ...     b = CircuitBuilder()
    ...     return b.build([b.sum([b.literal(1), b.literal(1, False)], [heads, 1 - heads],
    ...                           decision=1)])
    >>> p, q = coin(0.5), coin(0.25)
    >>> round(kl_divergence(p, q), 6)        # ½ log(½ / ¼) + ½ log(½ / ¾)
    0.143841
    >>> round(cross_entropy(p, q) - cross_entropy(p, p), 6)
    0.143841
    >>> kl_divergence(p, coin(1.0))
    inf
"""

from __future__ import annotations

import math

import numpy as np

from catlearn.arguments import real
from catlearn.circuits.atlas import elementwise_map, product
from catlearn.circuits.circuit import CONST, LEAF, PRODUCT, Circuit, CircuitError, require_circuit
from catlearn.circuits.properties import (
    is_deterministic,
    scopes,
    undecomposable_nodes,
    unsmooth_nodes,
)
from catlearn.circuits.vtree import Vtree, common_vtree
from catlearn.errors import ArgumentValueError


def cross_entropy(p: Circuit, q: Circuit) -> float:
    """−Σ_x p(x) log q(x) (nats) for compatible p, q with q deterministic; +∞ where p has
    mass outside q's support.

    >>> from catlearn.circuits import parity
    >>> round(cross_entropy(parity(3), parity(3)) / math.log(2), 6)   # 4 equally likely
    2.0
    """
    p, q, vtree = _distributions(p, q, "cross_entropy")
    _require_deterministic(q, "cross_entropy", "q", "log q is a circuit only for a deterministic q")
    log_zp, log_zq = _log_mass(p, "p", "cross_entropy"), _log_mass(q, "q", "cross_entropy")
    if _escapes(p, q, vtree):
        return math.inf
    return log_zq - _expected_log(p, q, vtree, log_zp)


def kl_divergence(p: Circuit, q: Circuit) -> float:
    """Σ_x p(x) log(p(x) / q(x)) (nats) for compatible, deterministic p and q; +∞ where p has
    mass outside q's support. It is ≥ 0, and 0 exactly when p = q (up to rounding).

    >>> from catlearn.circuits import parity
    >>> kl_divergence(parity(3), parity(3)), kl_divergence(parity(3), parity(3, odd=False))
    (0.0, inf)
    """
    p, q, vtree = _distributions(p, q, "kl_divergence")
    _require_deterministic(p, "kl_divergence", "p", "log p is a circuit only for a deterministic p")
    _require_deterministic(q, "kl_divergence", "q", "log q is a circuit only for a deterministic q")
    log_zp, log_zq = _log_mass(p, "p", "kl_divergence"), _log_mass(q, "q", "kl_divergence")
    if _escapes(p, q, vtree):
        return math.inf
    # Σ p log p − Σ p log q, each through the atlas: (p · log p) and (p · log q), integrated.
    own = _expected_log(p, p, None, log_zp) - log_zp
    other = _expected_log(p, q, vtree, log_zp) - log_zq
    return own - other


def renyi_divergence(p: Circuit, q: Circuit, alpha: float) -> float:
    """log(Σ_x p(x)^α q(x)^(1−α)) / (α − 1) for α > 0 (nats); α = 1 is the KL divergence.

    Needs p and q compatible and q deterministic (q^(1−α) is a power), and p
    deterministic or α a whole number ≥ 2. +∞ for α > 1 where p has mass outside
    q's support, and for α < 1 where their supports do not meet.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> p = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.5, 0.5], decision=1)])
    >>> b = CircuitBuilder()
    >>> q = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.25, 0.75], decision=1)])
    >>> round(renyi_divergence(p, q, 2), 6)      # log(¼/¼ + ¼/¾) = log(4/3)
    0.287682
    >>> round(renyi_divergence(p, q, 1 + 1e-6), 4) == round(kl_divergence(p, q), 4)
    True
    """
    alpha = real(alpha, "renyi_divergence: α")
    if not 0 < alpha < math.inf:
        raise ArgumentValueError(f"renyi_divergence needs a finite order α > 0, got {alpha}")
    if alpha == 1:
        return kl_divergence(p, q)
    p, q, vtree = _distributions(p, q, "renyi_divergence")
    why = f"q^(1 − α) with α = {alpha} is a circuit only for a deterministic q"
    _require_deterministic(q, "renyi_divergence", "q", why)
    log_zp = _log_mass(p, "p", "renyi_divergence")
    log_zq = _log_mass(q, "q", "renyi_divergence")
    p_alpha = _power_of_p(p, alpha)
    q_rest, _ = elementwise_map(q, "power", alpha=1 - alpha)
    if alpha > 1 and _escapes(p, q, vtree):
        return math.inf
    both, _ = product(p_alpha, q_rest)
    log_s = _log_integral(both) - alpha * log_zp - (1 - alpha) * log_zq
    return float(log_s / (alpha - 1))


# -- the parts ---------------------------------------------------------------------
def _distributions(p: Circuit, q: Circuit, what: str) -> tuple[Circuit, Circuit, Vtree | None]:
    p, q = require_circuit(p, "p"), require_circuit(q, "q")
    for name, c in (("p", p), ("q", q)):
        if c.roots.size != 1:
            raise CircuitError(f"{what}: {name} has {c.roots.size} roots; a distribution has one")
        bad = undecomposable_nodes(c)
        if bad:
            raise CircuitError(
                f"{what}: {name} is not decomposable (product node {bad[0]} shares variables "
                "between its children)"
            )
        bad = unsmooth_nodes(c)
        if bad:
            raise CircuitError(
                f"{what}: {name} is not smooth (sum node {bad[0]}); smooth() it first, "
                "checking that it stays compatible"
            )
    if p.n_vars != q.n_vars or (p.n_states != q.n_states).any():
        raise CircuitError(f"{what}: p and q must declare the same variables and states")
    try:
        vtree = common_vtree(p, q)
    except CircuitError as error:
        raise CircuitError(f"{what}: p and q are not compatible: {error}") from None
    return p, q, vtree


def _require_deterministic(c: Circuit, what: str, name: str, why: str) -> None:
    try:
        deterministic = is_deterministic(c)
    except CircuitError as error:
        raise CircuitError(
            f"{what}: cannot verify that {name} is deterministic ({error})"
        ) from None
    if not deterministic:
        raise CircuitError(f"{what} needs {name} deterministic: {why}")


def _power_of_p(p: Circuit, alpha: float) -> Circuit:
    try:
        deterministic = is_deterministic(p)
        unknown = ""
    except CircuitError as error:
        deterministic, unknown = False, f" (its determinism cannot be verified: {error})"
    if deterministic:
        return elementwise_map(p, "power", alpha=alpha)[0]
    if alpha != round(alpha) or alpha < 2:
        raise CircuitError(
            f"renyi_divergence with α = {alpha} needs p deterministic{unknown}: p^α of a "
            "circuit with overlapping children is a circuit only for whole α"
        )
    out = p
    for _ in range(int(alpha) - 1):
        try:
            out, _ = product(out, p)
        except CircuitError as error:
            raise CircuitError(
                f"renyi_divergence: p is not deterministic, and p^{int(alpha)} as "
                f"self-products needs p structured-decomposable: {error}"
            ) from None
    return out


def _expected_log(p: Circuit, q: Circuit, vtree: Vtree | None, log_zp: float) -> float:
    """Σ_x p(x) log q(x) / Z_p for deterministic q, supp p ⊆ supp q: two atlas products."""
    log_q, _ = elementwise_map(q, "log")
    total = 0.0
    for sign, part in ((1.0, log_q.positive), (-1.0, log_q.negative)):
        # log q's circuits have q's splits, so the vtree of (p, q) serves them too.
        both, _ = product(p, part, vtree if q is not p else None)
        total += sign * math.exp(_log_integral(both) - log_zp)
    return total


def _log_mass(c: Circuit, name: str, what: str) -> float:
    log_z = _log_integral(c)
    if not math.isfinite(log_z):
        raise CircuitError(f"{what}: {name} has total mass 0: it is no distribution")
    return log_z


def _escapes(p: Circuit, q: Circuit, vtree: Vtree | None) -> bool:
    """Whether p(x) > 0 = q(x) for some x (q deterministic): exact, by counting p's
    non-zero derivations with and without q's support."""
    derivations = _with_weights(p, (p.edge_weights() > 0).astype(float))
    support, _ = elementwise_map(q, "support")
    inside, _ = product(derivations, support, vtree)
    return _count(derivations) > _count(inside)


def _with_weights(c: Circuit, weights: np.ndarray) -> Circuit:
    return Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, c.state, c.roots, c.n_states, weights,
        c.decision,
    )  # fmt: skip


def _free_variables(c: Circuit) -> np.ndarray:
    scope = scopes(c)[int(c.roots[0])]
    return np.array([v for v in range(1, c.n_vars + 1) if not scope >> v & 1], dtype=np.int64)


def _log_integral(c: Circuit) -> float:
    """log Σ_x c(x) over every assignment of the declared variables, in float64: one pass
    with leaves at log 1 (each smooth ⊕ node then sums its scope out), plus log n_states
    for each variable the root does not mention."""
    if unsmooth_nodes(c):
        c = c.smooth(all_variables=False)
    with np.errstate(divide="ignore"):
        log_w = np.log(c.edge_weights())
    values = np.zeros(c.n_nodes)
    kind, offsets, children = c.kind, c.child_offsets, c.children
    for node in range(c.n_nodes):
        k, lo, hi = kind[node], offsets[node], offsets[node + 1]
        if k == LEAF:
            continue
        if k == CONST:
            values[node] = 0.0 if c.state[node] else -np.inf
        elif k == PRODUCT:
            values[node] = values[children[lo:hi]].sum()
        else:
            terms = values[children[lo:hi]] + log_w[lo:hi]
            top = terms.max(initial=-np.inf)
            values[node] = top + np.log(np.exp(terms - top).sum()) if np.isfinite(top) else top
    free = _free_variables(c)
    return float(values[int(c.roots[0])] + np.log(c.n_states[free].astype(float)).sum())


def _count(c: Circuit) -> int:
    """Σ_x c(x) exactly, for whole-number edge weights (Python integers)."""
    if unsmooth_nodes(c):
        c = c.smooth(all_variables=False)
    w = [int(v) for v in c.edge_weights().tolist()]
    kind, offsets, children = c.kind.tolist(), c.child_offsets.tolist(), c.children.tolist()
    values = [0] * c.n_nodes
    for node in range(c.n_nodes):
        k, lo, hi = kind[node], offsets[node], offsets[node + 1]
        if k == LEAF:
            values[node] = 1
        elif k == CONST:
            values[node] = int(c.state[node])
        elif k == PRODUCT:
            out = 1
            for x in children[lo:hi]:
                out *= values[x]
            values[node] = out
        else:
            values[node] = sum(w[e] * values[children[e]] for e in range(lo, hi))
    factor = 1
    for v in _free_variables(c).tolist():
        factor *= int(c.n_states[v])
    return values[int(c.roots[0])] * factor


__all__ = ["cross_entropy", "kl_divergence", "renyi_divergence"]
