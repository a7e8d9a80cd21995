"""Exact queries: model count, weighted count, MPE, marginal MAP, marginals, entropy, SAT.

Each query states the structure it needs and checks it: decomposability
always, and determinism for counting, weighted counting, marginals, MPE
and entropy (marginal determinism for marginal MAP), *verified* by
``determinism``: decision nodes by their checked claims, other ⊕ nodes by
entailed literals in linear time or an exact search; a node that can be
neither certified nor refuted makes the query refuse with
``UnverifiedDeterminism`` naming it, never answer. Smoothness is
*established* rather than required: an unsmoothed circuit is smoothed
first, against every declared variable, so a variable the circuit never
mentions counts as free (a factor ``w(x) + w(¬x)``).

Literal weights are a ``{literal: weight}`` dict with DIMACS literals
(``v`` for x_v, ``-v`` for ¬x_v; missing ones weigh 1), or an array of
shape ``(n_vars, 2)`` (column 0 for ¬x, 1 for x) or ``(n_vars,
max_states)``, checked by :func:`literal_table` (finite; ≥ 0 except in
real-valued ``wmc``, the one query where signed weights mean something)::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    >>> xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)])
    >>> xor.model_count(), round(float(xor.wmc({1: 0.9, -1: 0.1, 2: 0.5, -2: 0.5})), 6)
    (2, 0.5)
    >>> xor.mpe({1: 0.9, -1: 0.1, 2: 0.2, -2: 0.8})[1]
    {1: 1, 2: 0}
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.circuits.circuit import LEAF, PRODUCT, SUM, Circuit, CircuitError, require_circuit
from catlearn.circuits.disjointness import UnverifiedDeterminism, determinism
from catlearn.circuits.literals import literal_table
from catlearn.circuits.properties import (
    is_deterministic,
    is_marginal_deterministic,
    scopes,
    undecomposable_nodes,
)
from catlearn.circuits.variables import variable_set
from catlearn.errors import ArgumentTypeError
from catlearn.semirings import Boolean, Counting, Log, Real


def _require(c: Circuit, deterministic: bool, query: str, smooth: bool = True) -> Circuit:
    c = require_circuit(c, "c")
    bad = undecomposable_nodes(c)
    if bad:
        raise CircuitError(
            f"{query} needs a decomposable circuit; product node {bad[0]} shares variables "
            "between its children"
        )
    if deterministic:
        require_deterministic(c, query)
    return c.smooth(all_variables=True) if smooth else c


def require_deterministic(c: Circuit, query: str, variables: Any = None) -> None:
    """Nothing if ``c`` is verified deterministic (marginally, in ``variables``, if given);
    else a ``CircuitError`` naming ``query``, the node and the property: refuted, with its
    counterexample, or ``UnverifiedDeterminism`` where the check could not decide.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> c = b.build([b.sum([b.literal(1), b.literal(2)])])       # x1 ∨ x2, not disjoint
    >>> require_deterministic(c, "model_count")
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: model_count needs a deterministic circuit (d-DNNF): ⊕ node 2
    is not deterministic: its children 0 and 1 are both non-zero on the assignment {1: 1, 2: 1}
    (found by search)
    """
    marginal = variables is not None
    what = (
        f"a circuit marginally deterministic in variables {sorted(variables)}"
        if marginal
        else "a deterministic circuit (d-DNNF)"
    )
    try:  # through the names this module imported, which tests may replace with mutants
        ok = is_marginal_deterministic(c, variables) if marginal else is_deterministic(c)
    except UnverifiedDeterminism as error:
        raise UnverifiedDeterminism(f"{query} needs {what}: {error}", error.report) from None
    if not ok:
        why = determinism(c, variables, exhaustive=False).explain()
        raise CircuitError(f"{query} needs {what}: {why}")


def _single(values: Any, c: Circuit) -> Any:
    row = values[0]
    return row[0] if c.roots.size == 1 else row


def model_count(c: Circuit) -> int | list[int]:
    """The exact number of satisfying assignments of all declared variables (Python int)."""
    c = require_circuit(c, "c")
    _require(c, True, "model_count", smooth=False)
    # Smooth only against the variables the circuit mentions; each root's free variables
    # multiply its count once, computed in bulk (2**26 declared variables cost O(n_vars)).
    s = c.smooth(all_variables=False)
    free = [_free_factor(c, scope) for scope in (scopes(s)[r] for r in s.roots.tolist())]
    compiled = s.compile(Counting())
    C = Counting()  # a count counts models: an edge counts once, or not at all if weighted 0
    support = np.append(s.edge_weights() != 0, True).astype(np.int64)
    ones = {
        "weights": C.asarray(np.array([int(w) for w in support], dtype=object)),
        "literals": C.ones((s.n_vars + 1, compiled.max_states)),
    }
    out = np.asarray(compiled.apply(ones))[0]
    counts = [int(v) * f for v, f in zip(out.tolist(), free)]
    return counts[0] if c.roots.size == 1 else counts


def _free_factor(c: Circuit, scope: int) -> int:
    """Π of n_states over the declared variables outside ``scope`` (a bitmask over 0..n)."""
    n = c.n_vars + 1
    bits = np.unpackbits(
        np.frombuffer(scope.to_bytes((n + 7) // 8, "little"), dtype=np.uint8), bitorder="little"
    )[:n].astype(bool)
    states = c.n_states[1:][~bits[1:]]
    factor = 1
    for k, m in zip(*np.unique(states, return_counts=True)):
        factor *= int(k) ** int(m)
    return factor


def wmc(c: Circuit, literal_weights: Any = None, *, log: bool = False) -> Any:
    """Σ over models of Π of their literals' weights (and the circuit's edge weights).

    ``log=True`` computes it in the Log semiring and returns log WMC: exact at
    zero weights (−∞), no clamping, and gradients that never become NaN. Signed
    (negative) literal weights are accepted only with ``log=False``.
    """
    c = require_circuit(c, "c")
    if not isinstance(log, (bool, np.bool_)):
        raise ArgumentTypeError(f"wmc: log must be True or False, got {log!r:.40}")
    s = _require(c, True, "wmc")
    table = literal_table(c, literal_weights, signed=not log)
    S = Log() if log else Real()
    compiled = s.compile(S)
    with np.errstate(divide="ignore"):
        literals = np.log(table) if log else table
    params = compiled.params(jnp.asarray(literals, dtype=jnp.float32))
    return _single(compiled.apply(params), c)


def marginals(c: Circuit, literal_weights: Any = None) -> np.ndarray:
    """P(X_v = s) for every variable and state, ``(n_vars, max_states)``, in one backward pass.

    The gradient of log WMC with respect to the log literal weights; a
    variable the circuit does not mention gets its prior w(s) / Σ w.
    """
    c = require_circuit(c, "c")
    if c.roots.size != 1:
        raise CircuitError("marginals need a single root")
    s = _require(c, True, "marginals")
    compiled = s.compile(Log())
    with np.errstate(divide="ignore"):
        log_table = jnp.asarray(np.log(literal_table(c, literal_weights)), dtype=jnp.float32)
    log_z, grad = compiled.literal_gradient(compiled.params(log_table))
    grad = np.asarray(grad)
    if not np.isfinite(float(log_z)):
        raise CircuitError("the circuit has weighted count 0: marginals are undefined")
    return grad[1:, :]


def mpe(c: Circuit, literal_weights: Any = None) -> tuple[float, dict[int, int]]:
    """The most probable explanation: (max weight of one model, its assignment {var: state}).

    Max-product (the MaxPlus semiring on log weights) over every node in
    float64, then a top-down pass that follows, at each ⊕ node, the child
    achieving the maximum (the first, on ties), so the assignment is one
    model of the maximum's subcircuit.
    """
    c = require_circuit(c, "c")
    if c.roots.size != 1:
        raise CircuitError("mpe needs a single root")
    s = _require(c, True, "mpe")
    with np.errstate(divide="ignore"):
        log_table = np.log(literal_table(c, literal_weights))
    values = _node_values(s, log_table)
    root = int(s.roots[0])
    if not np.isfinite(values[root]):
        raise CircuitError("the circuit has no model of non-zero weight")
    return float(np.exp(values[root])), _descend(s, values)


def _node_values(s: Circuit, log_table: np.ndarray, summed: Any = None) -> np.ndarray:
    """Every node's value in log space (float64), in topological order: ⊕ nodes take the
    max of their children, or, where ``summed[node]``, their log-sum-exp."""
    with np.errstate(divide="ignore"):
        w = np.log(s.edge_weights())
    values = np.empty(s.n_nodes)
    kind, offsets, children = s.kind, s.child_offsets, s.children
    for node in range(s.n_nodes):
        k = kind[node]
        if k == LEAF:
            values[node] = log_table[s.var[node], s.state[node]]
        elif k == SUM or k == PRODUCT:
            lo, hi = offsets[node], offsets[node + 1]
            kids = values[children[lo:hi]]
            if k == PRODUCT:
                values[node] = np.sum(kids)
                continue
            terms = kids + w[lo:hi]
            top = np.max(terms, initial=-np.inf)
            if summed is not None and summed[node] and np.isfinite(top):
                top += np.log(np.sum(np.exp(terms - top)))
            values[node] = top
        else:
            values[node] = 0.0 if s.state[node] else -np.inf
    return values


def _descend(s: Circuit, values: np.ndarray, keep: Any = None) -> dict[int, int]:
    """The assignment of the maximising derivation: every child of a ⊗ node, the best
    child of a ⊕ node (the first, on ties); only ⊕ nodes where ``keep`` holds."""
    with np.errstate(divide="ignore"):
        weights = np.log(s.edge_weights())
    assignment: dict[int, int] = {}
    stack, offsets = [int(s.roots[0])], s.child_offsets
    while stack:
        node = stack.pop()
        k = s.kind[node]
        if k == LEAF:
            assignment[int(s.var[node])] = int(s.state[node])
        elif k == PRODUCT:
            stack.extend(s.children_of(node).tolist())
        elif k == SUM and (keep is None or keep[node]):
            lo, hi = offsets[node], offsets[node + 1]
            scores = values[s.children[lo:hi]] + weights[lo:hi]
            stack.append(int(s.children[lo + int(np.argmax(scores))]))
    return dict(sorted(assignment.items()))


def marginal_map(
    c: Circuit, variables: Any, literal_weights: Any = None
) -> tuple[float, dict[int, int]]:
    """max over assignments q of ``variables`` of Σ over the others of the weight, and q.

    Tractable (one pass) when the circuit is decomposable and *marginally
    deterministic* in ``variables`` (checked: see ``is_marginal_deterministic``):
    ⊕ nodes with some of them in scope take the max, the others sum. With every
    variable it is :func:`mpe`; with none, :func:`wmc`.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    >>> xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)])
    >>> value, q = marginal_map(xor, [1], {1: 0.3, -1: 0.7, 2: 0.5, -2: 0.5})
    >>> round(value, 6), q
    (0.35, {1: 0})
    """
    c = require_circuit(c, "c")
    if c.roots.size != 1:
        raise CircuitError("marginal_map needs a single root")
    wanted = sorted(variable_set(variables, c.n_vars, "marginal_map"))
    outside = [v for v in wanted if not 1 <= v <= c.n_vars]
    if outside:
        raise CircuitError(f"variable {outside[0]} is not one of the circuit's 1..{c.n_vars}")
    bad = undecomposable_nodes(c)
    if bad:
        raise CircuitError(f"marginal_map needs a decomposable circuit (see node {bad[0]})")
    require_deterministic(c, "marginal_map", wanted)
    s = c.smooth(all_variables=True)
    mask = sum(1 << v for v in wanted)
    maximised = np.array([bool(scope & mask) for scope in scopes(s)])
    with np.errstate(divide="ignore"):
        log_table = np.log(literal_table(c, literal_weights))
    values = _node_values(s, log_table, summed=~maximised)
    root = int(s.roots[0])
    if not np.isfinite(values[root]):
        raise CircuitError("the circuit has no model of non-zero weight")
    assignment = _descend(s, values, keep=maximised)
    return float(np.exp(values[root])), {v: assignment[v] for v in wanted}


def entropy(c: Circuit, literal_weights: Any = None) -> float:
    """Shannon entropy (nats) of p(x) ∝ c(x) Π_v w(x_v), the distribution a d-DNNF defines.

    Needs determinism: a deterministic ⊕ node mixes children with disjoint
    supports, so with mixture weights π_k = θ_k Z_k / Z its entropy is
    Σ π_k (H_k − log π_k), and a decomposable ⊗ node adds its children's.
    One bottom-up pass in float64, in log space (no underflow on long
    products); edge weights of a probabilistic circuit count as θ_k.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    >>> xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)])
    >>> print(round(entropy(xor) / np.log(2), 6))   # two equally likely models: one bit
    1.0
    """
    c = require_circuit(c, "c")
    if c.roots.size != 1:
        raise CircuitError("entropy needs a single root")
    s = _require(c, True, "entropy")
    with np.errstate(divide="ignore"):
        log_table = np.log(literal_table(c, literal_weights))
        log_w = np.log(s.edge_weights())
    log_z, h = np.empty(s.n_nodes), np.zeros(s.n_nodes)
    kind, offsets, children = s.kind, s.child_offsets, s.children
    for node in range(s.n_nodes):
        k = kind[node]
        lo, hi = offsets[node], offsets[node + 1]
        if k == LEAF:
            log_z[node] = log_table[s.var[node], s.state[node]]
        elif k == PRODUCT:
            log_z[node], h[node] = log_z[children[lo:hi]].sum(), h[children[lo:hi]].sum()
        elif k == SUM:
            kids = children[lo:hi]
            terms = log_z[kids] + log_w[lo:hi]
            top = terms.max(initial=-np.inf)
            if not np.isfinite(top):
                log_z[node] = -np.inf
                continue
            log_z[node] = top + np.log(np.exp(terms - top).sum())
            live = np.isfinite(terms)  # π_k = 0 contributes nothing (0 log 0 = 0)
            log_pi = terms[live] - log_z[node]
            h[node] = float(np.sum(np.exp(log_pi) * (h[kids[live]] - log_pi)))
        else:
            log_z[node] = 0.0 if s.state[node] else -np.inf
    root = int(s.roots[0])
    if not np.isfinite(log_z[root]):
        raise CircuitError("the circuit has weighted count 0: its distribution is undefined")
    return float(h[root])


def is_satisfiable(c: Circuit) -> bool | list[bool]:
    """Whether some assignment satisfies the circuit (Boolean semiring; needs decomposability)."""
    c = require_circuit(c, "c")
    bad = undecomposable_nodes(c)
    if bad:
        raise CircuitError(f"is_satisfiable needs a decomposable circuit (see node {bad[0]})")
    out = np.asarray(c.compile(Boolean())())[0]
    return bool(out[0]) if c.roots.size == 1 else [bool(v) for v in out]
