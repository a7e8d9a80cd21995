"""Decision claims, verified: a ⊕ node that says it decides variable v must split on v.

A *decision* node on v (``O v …`` in c2d's NNF, ``sum(..., decision=v)``
in the builder) tells the queries that its children fix v to distinct
states, so at most one of them is non-zero on any assignment: the node is
deterministic without enumeration. Believing a false claim counts some
models twice (``O 1 2 x1 x2`` is x1 ∨ x2: 3 models, not 4), so every claim
is checked when the circuit is built or read, by a sound syntactic rule:

- a leaf [X_v = s] fixes v to s; the constant false (and an empty ⊕) fixes
  v to anything — it has no models;
- a ⊗ node fixes v to s if some child does (or to anything if some child
  is false);
- a ⊕ node fixes v to s if every child with a non-zero edge weight does.

A claim holds when every child of the node fixes v, no two to the same
state. The rule misses entailments that need reasoning by cases, so a
claim it cannot confirm is refused, not believed; the forms knowledge
compilers write (each child a conjunction that holds the literal, perhaps
under padding added by ``smooth``) are confirmed after looking at a few
nodes per child. The search is memoised and its total work is capped at a
small multiple of the circuit's size, so verification stays linear; a claim
whose check would exceed that is refused too::

    >>> from catlearn.circuits import CircuitBuilder, CircuitError
    >>> b = CircuitBuilder()
    >>> x1, x2 = b.literal(1), b.literal(2)
    >>> b.build([b.sum([x1, x2], decision=1)])
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: ⊕ node 2 claims to decide variable 1, but its child 1 (node 1) ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from catlearn.circuits.circuit import Circuit

LEAF, CONST, SUM, PRODUCT = 0, 1, 2, 3  # as in circuit.py (which imports this module)
FALSE, UNFIXED, OVER_BUDGET = -1, -2, -3  # besides states s ≥ 0


class FalseClaim(NamedTuple):
    """A claim that could not be verified: the node, the child (index and node) at fault,
    and why: the child does not fix the variable, fixes it to the state that child
    ``other`` does, or the search ran out of its linear budget there."""

    node: int
    variable: int
    position: int
    child: int
    problem: str  # "unfixed", "same" or "budget"
    other: int = -1


def false_claim(c: Circuit) -> FalseClaim | None:
    """The first decision claim of ``c`` that the rule does not confirm, or None."""
    claims = np.flatnonzero(c.decision).tolist()
    if not claims:
        return None
    kind, var, state = c.kind.tolist(), c.var.tolist(), c.state.tolist()
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    weights = None if c.weights is None else c.weights.tolist()
    budget = [4 * (c.n_nodes + c.n_edges) + 1024]
    memo: dict[tuple[int, int], int] = {}

    def direct(node: int, v: int) -> int | None:
        """The verdict on a node whose verdict needs no search, else None."""
        k = kind[node]
        if k == LEAF:
            return state[node] if var[node] == v else UNFIXED
        if k == CONST:
            return UNFIXED if state[node] else FALSE
        if offsets[node] == offsets[node + 1]:  # an empty ⊕ is false, an empty ⊗ true
            return FALSE if k == SUM else UNFIXED
        return memo.get((node, v))

    def fixes(root: int, v: int) -> int:
        verdict = direct(root, v)
        if verdict is not None:
            return verdict
        if kind[root] == PRODUCT:  # the usual shape, x_v ∧ …: settled without a search
            for k in children[offsets[root] : offsets[root + 1]]:
                if kind[k] == LEAF and var[k] == v:
                    return state[k]
        # Iterative depth-first search (circuits are thousands of nodes deep): a frame
        # is [node, its children in the order to try, next index, accumulated verdict].
        stack = [_frame(root, kind, offsets, children, weights)]
        result = None
        while stack:
            frame = stack[-1]
            node, kids, i, acc = frame
            done = False
            if result is not None:  # the search of child i just ended
                acc, done = _combine(kind[node], acc, result)
                result, i = None, i + 1
            while not done and i < len(kids):
                budget[0] -= 1
                if budget[0] < 0:
                    return OVER_BUDGET
                if kids[i] < 0:  # an edge of weight 0 contributes nothing
                    i += 1
                    continue
                verdict = direct(kids[i], v)
                if verdict is None:
                    break
                acc, done = _combine(kind[node], acc, verdict)
                i += 1
            frame[2], frame[3] = i, acc
            if not done and i < len(kids):  # child i needs a search of its own
                stack.append(_frame(kids[i], kind, offsets, children, weights))
                continue
            result = memo[node, v] = _finish(kind[node], acc)
            stack.pop()
        return result

    for node in claims:
        v = int(c.decision[node])
        seen: dict[int, int] = {}
        for position in range(offsets[node + 1] - offsets[node]):
            edge = offsets[node] + position
            if weights is not None and weights[edge] == 0:
                continue
            child = children[edge]
            verdict = fixes(child, v)
            if verdict == FALSE:
                continue
            if verdict == OVER_BUDGET:
                return FalseClaim(node, v, position, child, "budget")
            if verdict == UNFIXED:
                return FalseClaim(node, v, position, child, "unfixed")
            if verdict in seen:
                return FalseClaim(node, v, position, child, "same", seen[verdict])
            seen[verdict] = position
    return None


def describe(claim: FalseClaim, node: str, child: str) -> str:
    """The error text for a false claim, with the node and its child named by the caller."""
    v, i = claim.variable, claim.position
    head = f"{node} claims to decide variable {v}, but"
    if claim.problem == "unfixed":
        return f"{head} its child {i} ({child}) does not fix variable {v}"
    if claim.problem == "same":
        return f"{head} its children {claim.other} and {i} ({child}) fix it to the same state"
    return f"{head} the claim could not be verified in linear time (at its child {i}, {child})"


_ORDER = {LEAF: 0, CONST: 0, PRODUCT: 1, SUM: 2}


def _frame(node: int, kind: list, offsets: list, children: list, weights: list | None) -> list:
    lo, hi = offsets[node], offsets[node + 1]
    kids = children[lo:hi]
    if kind[node] == SUM:
        if weights is not None:  # zero-weight children contribute nothing: skipped (-1)
            kids = [k if weights[lo + j] != 0 else -1 for j, k in enumerate(kids)]
    else:  # a ⊗ node is settled by its first fixing child: try leaves, then ⊗, then ⊕
        kids = sorted(kids, key=lambda k: _ORDER[kind[k]])
    return [node, kids, 0, None]


def _combine(k: int, acc: int | None, verdict: int) -> tuple[int | None, bool]:
    """(new accumulated verdict, whether the node's verdict is settled)."""
    if k == PRODUCT:
        if verdict == UNFIXED:
            return acc, False
        return verdict, True  # a state, or FALSE: the product entails it
    if verdict == FALSE:
        return acc, False
    if verdict == UNFIXED or (acc is not None and acc != verdict):
        return UNFIXED, True
    return verdict, False


def _finish(k: int, acc: int | None) -> int:
    if k == PRODUCT:
        return UNFIXED if acc is None else acc
    return FALSE if acc is None else acc


__all__ = ["FalseClaim", "describe", "false_claim"]
