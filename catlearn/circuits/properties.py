"""Structural properties: scopes, smoothness, decomposability, determinism.

A node's *scope* is the set of variables below it, kept as a Python int
bitset (bit v for variable v), so one pass in topological order computes
every scope. Smooth: every ⊕ node's children have the same scope.
Decomposable: every ⊗ node's children have pairwise disjoint scopes.
Deterministic: at most one child of every ⊕ node is non-zero on any
assignment; *marginally* deterministic for a set of variables when that
holds for their assignments alone, the others left free. NNF decision
nodes (``O j`` with j ≠ 0) are deterministic: their children disagree on
variable j, a claim verified when the circuit is built or read (see
``catlearn.circuits.decisions``); other ⊕ nodes are checked exactly by
enumerating their scope, which is only done when it has at most
``max_vars`` variables — beyond that :func:`is_deterministic` raises
rather than guess.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    >>> c = b.build([b.sum([b.product([x, y]), nx])])
    >>> c.is_decomposable(), c.is_smooth(), c.is_deterministic()
    (True, False, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    CircuitError,
    require_circuit,
)
from catlearn.circuits.variables import variable_set


def scopes(c: Circuit) -> list[int]:
    """Every node's scope as an int bitset (bit v for variable v); cached on the circuit."""
    c = require_circuit(c, "c")
    if "scopes" not in c._cache:
        out = [0] * c.n_nodes
        kind, var, offsets = c.kind.tolist(), c.var.tolist(), c.child_offsets.tolist()
        children = c.children.tolist()
        for node in range(c.n_nodes):
            if kind[node] == LEAF:
                out[node] = 1 << var[node]
            elif kind[node] != CONST:
                s = 0
                for child in children[offsets[node] : offsets[node + 1]]:
                    s |= out[child]
                out[node] = s
        c._cache["scopes"] = out
    return c._cache["scopes"]


def _violations(c: Circuit, kind: int, bad) -> list[int]:
    s = scopes(c)
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    return [
        node
        for node in np.flatnonzero(c.kind == kind).tolist()
        if bad([s[k] for k in children[offsets[node] : offsets[node + 1]]])
    ]


def unsmooth_nodes(c: Circuit) -> list[int]:
    """⊕ nodes whose children's scopes differ."""
    return _violations(c, SUM, lambda ss: len(set(ss)) > 1)


def undecomposable_nodes(c: Circuit) -> list[int]:
    """⊗ nodes whose children share a variable."""

    def overlaps(ss):
        union = 0
        for s in ss:
            if union & s:
                return True
            union |= s
        return False

    return _violations(c, PRODUCT, overlaps)


def is_smooth(c: Circuit) -> bool:
    """Whether every ⊕ node's children have the same scope (``unsmooth_nodes`` lists those
    that do not; ``smooth()`` repairs them)."""
    return not unsmooth_nodes(c)


def is_decomposable(c: Circuit) -> bool:
    """Whether every ⊗ node's children have pairwise disjoint scopes (``undecomposable_nodes``
    lists those that do not)."""
    return not undecomposable_nodes(c)


def is_deterministic(c: Circuit, max_vars: int = 16) -> bool:
    """Exact: decision nodes (their claims verified when the circuit was built) count as
    deterministic; other ⊕ nodes are enumerated."""
    return _disjoint_on(c, range(1, c.n_vars + 1), max_vars, "determinism", marginal=False)


def is_marginal_deterministic(c: Circuit, variables: Sequence[int], max_vars: int = 16) -> bool:
    """Whether every ⊕ node that has some of ``variables`` in scope has children with
    disjoint supports *on those variables* (the others left free).

    This is what marginal MAP over ``variables`` needs (Choi, Vergari et al.): such
    a node is non-zero for a given assignment of them through one child only, so
    maximising over them commutes with summing out the rest. A decision node on
    one of ``variables`` qualifies by construction; other nodes are enumerated
    over at most ``max_vars`` of ``variables``.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    >>> xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)])
    >>> is_marginal_deterministic(xor, [2]), is_marginal_deterministic(xor, [])
    (True, True)
    >>> c = b.build([b.sum([b.product([x, y]), b.product([nx, y])], decision=1)])
    >>> is_marginal_deterministic(c, [2])     # both children allow y = 1
    False
    """
    return _disjoint_on(c, variables, max_vars, "marginal determinism", marginal=True)


def _disjoint_on(
    c: Circuit, variables: Sequence[int], max_vars: int, what: str, marginal: bool
) -> bool:
    """Whether every ⊕ node's children have disjoint supports on ``variables`` (those in
    its scope; a decision on one of them is disjoint by construction). Marginally, a node
    with none of them in scope is summed out and exempt; otherwise even a node over
    constants alone must have one live child (two would count the empty model twice)."""
    c = require_circuit(c, "c")
    max_vars = whole(max_vars, "max_vars", least=0)
    wanted = variable_set(variables, c.n_vars, what) if marginal else set(variables)
    s = scopes(c)
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    for node in np.flatnonzero(c.kind == SUM).tolist():
        kids = children[offsets[node] : offsets[node + 1]]
        if len(kids) < 2 or int(c.decision[node]) in wanted:
            continue
        inside = [v for v in sorted(wanted) if s[node] >> v & 1]
        if marginal and not inside:
            continue
        if len(inside) > max_vars:
            raise CircuitError(
                f"⊕ node {node} has {len(inside)} variables in scope; checking {what} "
                f"exactly enumerates them, which is only done up to max_vars = {max_vars}"
            )
        if not _disjoint_supports(c, kids, inside):
            return False
    return True


def _disjoint_supports(c: Circuit, kids: list[int], variables: list[int]) -> bool:
    """Whether no assignment of ``variables`` makes two of ``kids`` non-zero."""
    states = [range(int(c.n_states[v])) for v in variables]
    for assignment in itertools.product(*states):
        values = dict(zip(variables, assignment))
        live = sum(1 for k in kids if _nonzero(c, k, values))
        if live > 1:
            return False
    return True


def _nonzero(c: Circuit, node: int, values: dict[int, int], memo: dict | None = None) -> bool:
    """Boolean evaluation of one node under a (partial) assignment; unassigned leaves are true."""
    memo = {} if memo is None else memo
    if node in memo:
        return memo[node]
    k = c.kind[node]
    if k == LEAF:
        v = int(c.var[node])
        out = v not in values or values[v] == c.state[node]
    elif k == CONST:
        out = bool(c.state[node])
    else:
        kids = c.children_of(node).tolist()
        w = c.edge_weights()[c.child_offsets[node] : c.child_offsets[node + 1]]
        if k == SUM:
            out = any(_nonzero(c, x, values, memo) and w[i] != 0 for i, x in enumerate(kids))
        else:
            out = all(_nonzero(c, x, values, memo) for x in kids)
    memo[node] = out
    return out
