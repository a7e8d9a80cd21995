"""Exact, batched sampling from a smooth, decomposable circuit's (weighted) distribution.

An upward pass computes, for every node, the log of its weighted count
under the evidence; a downward pass starts every sample at the root and,
at each ⊕ node a sample reaches, picks one child with probability
proportional to edge weight × that child's count, and follows every
child of a ⊗ node (decomposability makes those choices independent).
Leaves reached set their variable. Both passes visit each node once and
are vectorised over the samples::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> c = b.build([b.sum([x, nx], [0.25, 0.75])])
    >>> xs = sample(c, 4000, seed=0)
    >>> xs.shape, round(float(xs[:, 0].mean()), 1)
    ((4000, 1), 0.2)
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from catlearn.arguments import is_whole, whole
from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    CircuitError,
    require_circuit,
)
from catlearn.circuits.disjointness import UnverifiedDeterminism, determinism
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.literals import literal_table
from catlearn.circuits.properties import is_deterministic, undecomposable_nodes
from catlearn.errors import ArgumentTypeError, ArgumentValueError


def sample(
    c: Circuit,
    n: int,
    literal_weights: Any = None,
    evidence: Any = None,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """``n`` assignments (n, n_vars) drawn ∝ weight, consistent with ``evidence``.

    ``evidence`` is ``(n_vars,)`` states, -1 where free (checked, as everywhere:
    see ``catlearn.circuits.evidence``); ``seed`` an integer ≥ 0 or a numpy
    ``Generator`` (sampling runs on the host: a JAX key is not a seed here).

    Which distribution: the circuit must be decomposable, and either deterministic
    (a d-DNNF, as ``wmc``, ``marginals`` and ``mpe`` require), so that each model is
    drawn ∝ the product of its literal weights, or carry explicit edge weights (a
    probabilistic circuit / mixture), whose ⊕ nodes are then sampled as the mixtures
    they are: x is drawn ∝ the circuit's value at x. An unweighted, non-deterministic
    circuit (``x1 ∨ x2`` as a plain ⊕) is refused: its value at a model counts the
    ⊕ children that hold there, so its draws would not follow the models' weights.
    """
    c = require_circuit(c, "c")
    n = whole(n, "sample: n", least=0)
    rng = _generator(seed)
    if c.roots.size != 1:
        raise CircuitError("sample needs a single root")
    bad = undecomposable_nodes(c)
    if bad:
        raise CircuitError(f"sample needs a decomposable circuit (see product node {bad[0]})")
    if c.weights is None:
        _require_deterministic(c)
    table = literal_table(c, literal_weights)
    ev = np.full(c.n_vars, -1) if evidence is None else evidence
    if isinstance(ev, jax.Array):  # sampling runs on the host: its values are needed here
        ev = np.asarray(ev)
    ev = evidence_array(ev, c.n_states[1:], "evidence", rows=False)
    s = c.smooth(all_variables=True)
    with np.errstate(divide="ignore"):
        log_table = np.log(table)
        log_w = np.log(s.edge_weights())
    up = _upward(s, log_table, ev, log_w)
    root = int(s.roots[0])
    if not np.isfinite(up[root]):
        raise CircuitError("no assignment consistent with the evidence has positive weight")
    out = np.full((n, c.n_vars), -1, dtype=np.int64)
    active = np.zeros((s.n_nodes, n), dtype=bool)
    active[root] = True
    offsets, children = s.child_offsets, s.children
    for node in range(s.n_nodes - 1, -1, -1):
        here = active[node]
        if not here.any():
            continue
        k = s.kind[node]
        lo, hi = offsets[node], offsets[node + 1]
        if k == LEAF:
            out[here, s.var[node] - 1] = s.state[node]
        elif k == PRODUCT:
            active[children[lo:hi]] |= here
        elif k == SUM:
            logits = up[children[lo:hi]] + log_w[lo:hi]
            p = np.exp(logits - np.max(logits))
            p /= p.sum()
            who = np.flatnonzero(here)
            picks = rng.choice(hi - lo, size=who.size, p=p)
            active[children[lo + picks], who] = True
    return out


def _require_deterministic(c: Circuit) -> None:
    need = (
        "sample needs a deterministic circuit (d-DNNF) or explicit ⊕ edge weights (a "
        "probabilistic circuit)"
    )
    try:
        ok = is_deterministic(c)
    except UnverifiedDeterminism as error:
        raise UnverifiedDeterminism(
            f"{need}; this one has no edge weights, and {error}", error.report
        ) from None
    if not ok:
        raise CircuitError(
            f"{need}: this one has neither, so a model satisfying several children of an ⊕ "
            f"node would be drawn more often than its weight says "
            f"({determinism(c, exhaustive=False).explain()})"
        )


def _upward(s: Circuit, log_table: np.ndarray, ev: np.ndarray, log_w: np.ndarray) -> np.ndarray:
    up = np.empty(s.n_nodes)
    offsets, children = s.child_offsets, s.children
    for node in range(s.n_nodes):
        k = s.kind[node]
        if k == LEAF:
            v, st = int(s.var[node]), int(s.state[node])
            up[node] = log_table[v, st] if ev[v - 1] in (-1, st) else -np.inf
        elif k == CONST:
            up[node] = 0.0 if s.state[node] else -np.inf
        else:
            lo, hi = offsets[node], offsets[node + 1]
            kids = up[children[lo:hi]]
            if k == PRODUCT:
                up[node] = kids.sum()
            else:
                terms = kids + log_w[lo:hi]
                top = terms.max(initial=-np.inf)
                up[node] = top + np.log(np.exp(terms - top).sum()) if np.isfinite(top) else top
    return up


def _generator(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if is_whole(seed):
        if seed < 0:
            raise ArgumentValueError(f"sample: seed must be an integer ≥ 0, got {seed}")
        return np.random.default_rng(int(seed))
    raise ArgumentTypeError(
        f"sample: seed must be an integer ≥ 0 or a numpy Generator, got "
        f"{type(seed).__name__} {seed!r:.40} (sampling runs on the host with numpy; "
        "a JAX key is not a seed here)"
    )
