"""Structural properties: scopes, smoothness, decomposability, determinism.

A node's *scope* is the set of variables below it, kept as a Python int
bitset (bit v for variable v), so one pass in topological order computes
every scope. Smooth: every ⊕ node's children have the same scope.
Decomposable: every ⊗ node's children have pairwise disjoint scopes.
Deterministic: at most one child of every ⊕ node is non-zero on any
assignment; *marginally* deterministic for a set of variables when that
holds for their assignments alone, the others left free.

Determinism is verified, never assumed and never enumerated blindly
(``catlearn.circuits.disjointness`` does the work): decision nodes (``O j``
with j ≠ 0) count once their claim is verified, in linear time, when the
circuit is built (``catlearn.circuits.decisions``); other ⊕ nodes are
certified in linear time when their children pairwise entail two states
of one variable (the form c2d and D4 write, flagged or not), and the rest
by an exact search for a common model of two children, which refutes the
node with that model or certifies it. A node the search cannot settle
within its budget is *unknown*: :func:`is_deterministic` then raises
``UnverifiedDeterminism`` rather than guess, and ``determinism`` reports
every node's status, method and counterexample.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    >>> c = b.build([b.sum([b.product([x, y]), nx])])
    >>> c.is_decomposable(), c.is_smooth(), c.is_deterministic()
    (True, False, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    require_circuit,
)


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
    """Whether every ⊕ node is deterministic, verified (see ``determinism``): True or
    False, or an ``UnverifiedDeterminism`` error (a ``CircuitError``) naming the node that
    could be neither certified nor refuted. ``max_vars`` bounds the one enumeration the
    check may do.

    >>> from catlearn.circuits import exactly_k_of_n
    >>> exactly_k_of_n(40, 20).is_deterministic()   # 40 variables: nothing enumerated
    True
    """
    from catlearn.circuits.disjointness import UnverifiedDeterminism, determinism

    report = determinism(c, max_vars=max_vars, exhaustive=False)
    if report.deterministic is None:
        raise UnverifiedDeterminism(report.explain(), report)
    return bool(report.deterministic)


def is_marginal_deterministic(c: Circuit, variables: Sequence[int], max_vars: int = 16) -> bool:
    """Whether every ⊕ node that has some of ``variables`` in scope has children with
    disjoint supports *on those variables* (the others left free).

    This is what marginal MAP over ``variables`` needs (Choi, Vergari et al.): such
    a node is non-zero for a given assignment of them through one child only, so
    maximising over them commutes with summing out the rest. Verified like
    :func:`is_deterministic` (a decision on one of ``variables``, entailed literals,
    then an exact search); an ``UnverifiedDeterminism`` error where it cannot decide.

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
    from catlearn.circuits.disjointness import UnverifiedDeterminism, determinism

    report = determinism(c, variables, max_vars=max_vars, exhaustive=False)
    if report.deterministic is None:
        raise UnverifiedDeterminism(report.explain(), report)
    return bool(report.deterministic)
