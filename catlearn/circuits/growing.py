"""Growing a probabilistic circuit: duplicate its units and perturb the copies.

The other half of Dang, Liu and Van den Broeck's prune–grow cycle
("Sparse Probabilistic Circuits via Pruning and Growing", NeurIPS 2022).
``grow(pc, key, noise=σ)`` gives every ⊕ node ``n`` a copy ``n'``, and every
⊗ node above a copied node a copy whose children are the copies: a ⊕
edge ``n → c`` of weight θ becomes the two edges ``n → c`` and ``n → c'`` of
weight θ/2 each, in ``n`` and in ``n'``. Leaves, constants and ⊗ nodes over
them have no parameters, so a copy of them would compute the same
function forever: they are shared, not copied; copies no root reaches
(the root's own) are not made. Every ⊕ edge weight is then multiplied by
``exp(σ·ε)``, ε standard normal and independent per edge, and each ⊕
node's weights rescaled to its former total. With ``noise=0`` the grown
circuit has the same distribution (each copy computes what its original
does); smoothness and decomposability are kept, since a copy has its
original's scope (a ⊕ node whose children are doubled no longer decides a
variable, and drops that claim). ⊕ edges into copied units quadruple, the
other edges double::

    >>> import jax
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x = [b.sum([b.literal(v), b.literal(v, False)], [0.3, 0.7]) for v in (1, 2)]
    >>> pc = b.build([b.sum([b.product(x)], [1.0])])
    >>> big = grow(pc, jax.random.key(0), noise=0.0)
    >>> pc.n_edges, big.n_edges, big.is_smooth() and big.is_decomposable()
    (7, 14, True)
    >>> from catlearn.semirings import Real
    >>> [round(float(c.compile(Real())([[1, 0]])[0, 0]), 6) for c in (pc, big)]  # p(x₁, ¬x₂)
    [0.21, 0.21]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import real
from catlearn.circuits.circuit import PRODUCT, SUM, Circuit, require_circuit
from catlearn.circuits.schedule import bucket
from catlearn.errors import ArgumentTypeError


def grow(pc: Circuit, key: jax.Array, *, noise: float = 0.1) -> Circuit:
    """``pc`` with its units duplicated and the copies' ⊕ weights perturbed by a factor
    ``exp(noise · ε)`` (see the module docstring); ``key`` is a JAX PRNG key.

    >>> import jax
    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x = [b.sum([b.literal(v), b.literal(v, False)], [0.5, 0.5]) for v in (1, 2)]
    >>> pc = b.build([b.sum([b.product(x), b.product(x[::-1])], [0.9, 0.1])])
    >>> big = grow(pc, jax.random.key(1), noise=0.5)
    >>> from catlearn.semirings import Real
    >>> total = big.compile(Real())()[0, 0]            # every variable summed out
    >>> pc.n_edges, big.n_edges, round(float(total), 5)  # still normalised
    (10, 20, 1.0)
    """
    pc = require_circuit(pc, "pc")
    _require_key(key)
    noise = real(noise, "grow: noise", non_negative=True)
    n = pc.n_nodes
    kind, offsets, children = pc.kind.tolist(), pc.child_offsets.tolist(), pc.children.tolist()
    weight = pc.edge_weights().tolist()
    copied = [False] * n  # ⊕ nodes, and ⊗ nodes above one
    for v in range(n):
        kids = children[offsets[v] : offsets[v + 1]]
        copied[v] = kind[v] == SUM or (kind[v] == PRODUCT and any(copied[c] for c in kids))
    needed = [False] * n  # copies some parent uses: under a ⊕ node or a needed ⊗ copy
    for v in range(n - 1, -1, -1):
        if kind[v] == SUM or (kind[v] == PRODUCT and needed[v]):
            for c in children[offsets[v] : offsets[v + 1]]:
                needed[c] = needed[c] or copied[c]
    out_kind, out_var, out_state, out_decision = [], [], [], []
    out_children, out_weights, out_offsets = [], [], [0]
    original, copy = [0] * n, [0] * n

    def emit(v: int, kids: list[int], ws: list[float], decision: int) -> int:
        out_kind.append(kind[v])
        out_var.append(int(pc.var[v]))
        out_state.append(int(pc.state[v]))
        out_decision.append(decision)
        out_children.extend(kids)
        out_weights.extend(ws)
        out_offsets.append(len(out_children))
        return len(out_kind) - 1

    for v in range(n):
        edges = range(offsets[v], offsets[v + 1])
        if kind[v] == SUM:
            kids, ws = [], []
            for e in edges:
                c = children[e]
                pair = [original[c], copy[c]] if copied[c] else [original[c]]
                kids += pair
                ws += [weight[e] / len(pair)] * len(pair)
            # Children fixing a variable to one state twice no longer decide it.
            decision = int(pc.decision[v]) if len(kids) == len(edges) else 0
            original[v] = emit(v, kids, ws, decision)
            if needed[v]:
                copy[v] = emit(v, kids, ws, decision)
        else:
            original[v] = emit(v, [original[children[e]] for e in edges],
                               [weight[e] for e in edges], 0)  # fmt: skip
            if needed[v]:
                below = children[offsets[v] : offsets[v + 1]]
                kids = [copy[c] if copied[c] else original[c] for c in below]
                copy[v] = emit(v, kids, [weight[e] for e in edges], 0)
    weights = _perturbed(np.asarray(out_kind), np.asarray(out_offsets), np.asarray(out_weights),
                         key, noise)  # fmt: skip
    return Circuit.from_arrays(
        out_kind, out_offsets, out_children, out_var, out_state,
        [original[r] for r in pc.roots.tolist()], pc.n_states, weights, out_decision,
    )  # fmt: skip


def _perturbed(kind: np.ndarray, offsets: np.ndarray, weights: np.ndarray, key: jax.Array,
               noise: float) -> np.ndarray:  # fmt: skip
    """Every ⊕ edge weight times exp(noise·ε), rescaled to its node's former total."""
    parent = np.repeat(np.arange(kind.size), np.diff(offsets))
    on_sum = kind[parent] == SUM
    # A padded draw: one random-number program per size bucket (all small circuits share
    # one), not per circuit.
    eps = np.asarray(jax.random.normal(key, (bucket(max(1024, weights.size)),)), np.float64)
    shaken = weights * np.exp(noise * eps[: weights.size])
    total = np.bincount(parent, np.where(on_sum, weights, 0.0), minlength=kind.size)
    now = np.bincount(parent, np.where(on_sum, shaken, 0.0), minlength=kind.size)
    scale = np.divide(total, now, out=np.ones(kind.size), where=now > 0)
    return np.where(on_sum, shaken * scale[parent], weights)


def _require_key(key: Any) -> None:
    """A JAX PRNG key: a typed key (``jax.random.key``) or a raw ``uint32[2]`` one."""
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape == ():
            return
    elif isinstance(key, (jax.Array, np.ndarray)) and key.dtype == np.uint32 and key.shape == (2,):
        return
    raise ArgumentTypeError(
        f"grow: key must be a JAX PRNG key such as jax.random.key(0), got "
        f"{type(key).__name__} {getattr(key, 'dtype', '')} {key!r:.40}"
    )


__all__ = ["grow"]
