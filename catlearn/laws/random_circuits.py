"""Hypothesis strategy for random circuits with requested structure, and a reference evaluator.

``circuits(n_vars, smooth=…, decomposable=…, deterministic=…)`` grows a
circuit over variables 1..n top-down: a ⊗ node splits its variables into
disjoint parts (decomposable), a decision ⊕ node branches on one variable
(deterministic), a mixture ⊕ node sums weighted circuits over the same
variables (smooth but not deterministic); equal sub-problems are shared,
so the result is a DAG, not a tree. Dropping a property lets the strategy
break it: ``smooth=False`` may leave variables out of a branch,
``decomposable=False`` may let a product's parts overlap.

``reference_evaluate`` is the oracle: one node at a time, in Python, with
the semiring's own ⊕ and ⊗ on scalars, reading the node arrays (kind,
children, variable, state, weights) directly and lifting edge weights
with its own :func:`lift`; it shares with the compiled evaluator only the
semiring's scalar ⊕ and ⊗, the user's declared operations (its vectorised
kernels, ``sum``/``prod`` reductions, and the compiler's schedule and
lifting are what is under test)::

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(circuits(n_vars=3))
    ... def test_structure(c):
    ...     assert c.is_smooth() and c.is_decomposable() and c.is_deterministic()
    >>> test_structure()
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from hypothesis import strategies as st

from catlearn.circuits import CircuitBuilder
from catlearn.circuits.circuit import CONST, LEAF, SUM, Circuit
from catlearn.laws import arguments


def circuits(
    n_vars: int | tuple[int, int] = (1, 5),
    *,
    smooth: bool = True,
    decomposable: bool = True,
    deterministic: bool = True,
    weighted: bool = False,
    max_depth: int = 4,
) -> st.SearchStrategy[Circuit]:
    """A random circuit over binary variables with (at least) the requested properties.

    ``n_vars`` is a number of variables (≥ 1) or a range ``(least, most)`` to draw from.
    """
    if isinstance(n_vars, (tuple, list)):
        n_vars = arguments.bounds(n_vars, "circuits(n_vars)", low=1)
    else:
        n_vars = arguments.count(n_vars, "circuits(n_vars)")
    flags = {"smooth": smooth, "decomposable": decomposable, "deterministic": deterministic,
             "weighted": weighted}  # fmt: skip
    for name, value in flags.items():
        arguments.flag(value, f"circuits({name})")
    max_depth = arguments.count(max_depth, "circuits(max_depth)", low=0)
    return _circuits(n_vars, max_depth=max_depth, **flags)


@st.composite
def _circuits(
    draw,
    n_vars: int | tuple[int, int],
    *,
    smooth: bool,
    decomposable: bool,
    deterministic: bool,
    weighted: bool,
    max_depth: int,
) -> Circuit:
    n = draw(st.integers(*n_vars)) if isinstance(n_vars, tuple) else n_vars
    b = CircuitBuilder()
    shared: dict[tuple[int, ...], int] = {}
    weights = st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0]) if weighted else st.just(1.0)

    def literal(v: int) -> int:
        return b.literal(v, draw(st.booleans()))

    def grow(variables: tuple[int, ...], depth: int) -> int:
        key = variables
        if key in shared and draw(st.integers(0, 3)) == 0:
            return shared[key]  # reuse: a DAG
        if len(variables) == 1 or depth >= max_depth:
            node = _leafy(variables)
        else:
            choices = ["product", "decision"] + ([] if deterministic else ["mixture"])
            move = draw(st.sampled_from(choices))
            if move == "product":
                node = _product(variables, depth)
            elif move == "decision":
                node = _decision(variables, depth)
            else:
                k = draw(st.integers(2, 3))
                kids = [grow(_maybe_drop(variables), depth + 1) for _ in range(k)]
                node = b.sum(kids, [draw(weights) for _ in kids])
        shared[key] = node
        return node

    def _leafy(variables: tuple[int, ...]) -> int:
        # A product of literals, or a decision over the first variable's two values.
        if len(variables) == 1 and draw(st.booleans()):
            v = variables[0]
            return b.sum([b.literal(v, True), b.literal(v, False)],
                         [draw(weights), draw(weights)], decision=v)  # fmt: skip
        return (
            b.product([literal(v) for v in variables])
            if len(variables) > 1
            else literal(variables[0])
        )

    def _product(variables: tuple[int, ...], depth: int) -> int:
        cut = draw(st.integers(1, len(variables) - 1))
        order = draw(st.permutations(variables))
        left, right = tuple(sorted(order[:cut])), tuple(sorted(order[cut:]))
        if not decomposable and draw(st.integers(0, 2)) == 0:
            right = tuple(sorted(set(right) | {left[0]}))  # overlap on purpose
        return b.product([grow(left, depth + 1), grow(right, depth + 1)])

    def _decision(variables: tuple[int, ...], depth: int) -> int:
        v = draw(st.sampled_from(variables))
        rest = tuple(u for u in variables if u != v)
        branches = []
        for value in (True, False):
            lit = b.literal(v, value)
            branches.append(b.product([lit, grow(_maybe_drop(rest), depth + 1)]) if rest else lit)
        return b.sum(branches, [draw(weights), draw(weights)], decision=v)

    def _maybe_drop(variables: tuple[int, ...]) -> tuple[int, ...]:
        if smooth or len(variables) < 2 or draw(st.integers(0, 2)):
            return variables
        gone = draw(st.sampled_from(variables))
        return tuple(u for u in variables if u != gone)

    root = grow(tuple(range(1, n + 1)), 0)
    return b.build([root], n_vars=n)


def reference_evaluate(c: Circuit, S: Any, literal_table: Any, evidence: Any) -> list:
    """Root values for one evidence row, by ⊕/⊗ on scalars, node by node (the oracle).

    ``literal_table[v][s]`` is the carrier value of leaf [X_v = s]; edge weights
    are the reals in ``c.weights`` (1 where there are none) read into ``S`` by
    :func:`lift`, this module's own reading of ``lift_weights``' documented rule.
    """
    weights = lift(S, np.ones(c.n_edges) if c.weights is None else np.asarray(c.weights))
    values: list[Any] = [None] * c.n_nodes
    for node in range(c.n_nodes):
        k = c.kind[node]
        if k == LEAF:
            v, s = int(c.var[node]), int(c.state[node])
            seen = int(evidence[v - 1])
            values[node] = literal_table[v][s] if seen < 0 or seen == s else S.zero
        elif k == CONST:
            values[node] = S.one if c.state[node] else S.zero
        else:
            lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
            acc = S.zero if k == SUM else S.one
            for e in range(lo, hi):
                x = values[int(c.children[e])]
                if k == SUM:
                    acc = S.add(acc, S.mul(x, weights[e]))
                else:
                    acc = S.mul(acc, x)
            values[node] = acc
    return [values[int(r)] for r in c.roots]


def lift(S: Any, weights: np.ndarray) -> Any:
    """Real edge weights in ``S``'s carrier, as ``catlearn.circuits.lift_weights``
    documents it (logarithms in Log and MaxPlus, non-zero in Boolean, Python ints in
    Counting, whole numbers in integer carriers, tangent 0 in dual numbers), written
    again here so that the oracle does not share the compiler's lifting."""
    from catlearn.semirings import Boolean, Counting, Dual, Log, MaxPlus

    w = np.asarray(weights, dtype=np.float64)
    if isinstance(S, Dual):
        value = lift(S.base, w)
        return S.asarray((value, jax.tree.map(lambda a: a * 0, value)))
    if isinstance(S, (Log, MaxPlus)):
        with np.errstate(divide="ignore"):
            return S.asarray(np.log(w).astype(np.float32))
    if isinstance(S, Boolean):
        return S.asarray(w != 0)
    if isinstance(S, Counting):
        return S.asarray(np.array([int(v) for v in w.ravel()], dtype=object).reshape(w.shape))
    if S.host:
        return S.asarray(w.astype(np.int64))
    exact = np.dtype(S.dtype).kind in "iu"
    return S.asarray(w.astype(np.int32 if exact else np.float32))


def assignments(n_vars: int) -> np.ndarray:
    """Every assignment of n binary variables, (2^n, n)."""
    grid = np.indices((2,) * n_vars).reshape(n_vars, -1).T if n_vars else np.zeros((1, 0))
    return grid.astype(np.int32)
