"""Layered, looped evaluation of a circuit in any semiring.

Nodes are grouped by depth (longest path from a leaf); a layer's nodes
are evaluated together by one gather of their children's values and one
semiring reduction (⊕ with edge weights for sum nodes, ⊗ for product
nodes). Values live in one ``(rows, batch)`` array with the batch as the
inner dimension, so memory is linear in nodes × batch.

Deep circuits from knowledge compilers (depth 10^2–10^4) must not become
one XLA op per layer: every layer is cut into *chunks* of one shape
(``chunk`` nodes × ``fan_in`` children, padded with the semiring's zero
or one), nodes with more children are split into trees of at most
``fan_in``, and a single ``lax.scan`` runs the chunks in order. Compile
time is then independent of depth. Host semirings (Counting, Polynomial)
run the same chunks in a Python loop on exact values.

    >>> import jax.numpy as jnp
    >>> from catlearn.circuits import CircuitBuilder
    >>> from catlearn.semirings import Real
    >>> b = CircuitBuilder()
    >>> x, nx = b.literal(1), b.literal(1, False)
    >>> c = b.build([b.sum([x, nx], weights=[0.3, 0.7])])
    >>> f = c.compile(Real())
    >>> f.apply(f.params(), jnp.array([[1], [0], [-1]])).ravel().tolist()  # x, ¬x, unobserved
    [0.3..., 0.7..., 1.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.circuits.circuit import CONST, LEAF, SUM, Circuit, CircuitError
from catlearn.semirings import Boolean, Counting, Log, MaxPlus, Semiring


@dataclass(frozen=True)
class Schedule:
    """The chunks: ``kids``/``widx`` (steps, chunk, fan_in), ``target`` (steps, chunk),
    ``is_sum`` (steps,); rows ``zero``, ``one`` and ``dummy`` follow the nodes."""

    kids: np.ndarray
    widx: np.ndarray
    target: np.ndarray
    is_sum: np.ndarray
    n_rows: int
    zero: int
    one: int
    dummy: int
    one_weight: int
    depth: int


def schedule(c: Circuit, fan_in: int | None = None, chunk: int | None = None) -> Schedule:
    """Split wide nodes, layer by depth, cut layers into equal chunks (numpy, host side)."""
    offsets, children = c.child_offsets, c.children
    fan = np.diff(offsets)
    internal = (c.kind != LEAF) & (c.kind != CONST)
    if fan_in is None:
        typical = np.percentile(fan[internal], 95) if internal.any() else 2
        fan_in = int(min(32, max(2, 2 ** math.ceil(math.log2(max(2, typical))))))
    n, e = c.n_nodes, c.n_edges
    one_weight = e  # the weight index of "no weight" (the semiring's one)
    # Nodes with more than fan_in children become trees of new nodes (ids ≥ n).
    node_edges: dict[int, tuple[list[int], list[int]]] = {}
    extra_kind: list[int] = []
    wide = np.flatnonzero(internal & (fan > fan_in)).tolist()
    for node in wide:
        kids = children[offsets[node] : offsets[node + 1]].tolist()
        widx = list(range(int(offsets[node]), int(offsets[node + 1])))
        while len(kids) > fan_in:
            new_kids, new_widx = [], []
            for start in range(0, len(kids), fan_in):
                extra = n + len(extra_kind)
                extra_kind.append(int(c.kind[node]))
                node_edges[extra] = (kids[start : start + fan_in], widx[start : start + fan_in])
                new_kids.append(extra)
                new_widx.append(one_weight)
            kids, widx = new_kids, new_widx
        node_edges[node] = (kids, widx)
    rows = n + len(extra_kind)
    zero, one, dummy = rows, rows + 1, rows + 2
    kind = np.concatenate([c.kind, np.asarray(extra_kind, dtype=np.int8)])
    # Depth = longest path from a leaf; a node's extras are settled just before it.
    depth_list = [0] * rows
    kids_of = children.tolist()
    offs = offsets.tolist()

    def edges(node: int) -> tuple[list[int], list[int]]:
        if node in node_edges:
            return node_edges[node]
        return kids_of[offs[node] : offs[node + 1]], list(range(offs[node], offs[node + 1]))

    def settle(node: int) -> None:
        ks = edges(node)[0]
        depth_list[node] = 1 + max((depth_list[k] for k in ks), default=0)

    extras_of: dict[int, list[int]] = {}
    for node in wide:
        stack, found = list(node_edges[node][0]), []
        while stack:
            k = stack.pop()
            if k >= n:
                found.append(k)
                stack.extend(node_edges[k][0])
        extras_of[node] = sorted(found)  # a parent extra has a larger id than its children
    for node in np.flatnonzero(internal).tolist():
        for extra in extras_of.get(node, ()):
            settle(extra)
        settle(node)
    depth = np.asarray(depth_list, dtype=np.int64)
    all_internal = np.concatenate([np.flatnonzero(internal), np.arange(n, rows)])
    if all_internal.size == 0:
        empty = np.zeros((0, 1, fan_in), dtype=np.int32)
        return Schedule(empty, empty, np.zeros((0, 1), np.int32), np.zeros(0, bool),
                        rows + 3, zero, one, dummy, one_weight, 0)  # fmt: skip
    levels = int(depth[all_internal].max())
    if chunk is None:
        mean_width = all_internal.size / max(1, levels)
        chunk = int(min(2048, max(8, 2 ** math.ceil(math.log2(max(1.0, mean_width))))))
    # Group by (depth, kind): each chunk is all-sum or all-product.
    key = depth[all_internal] * 2 + (kind[all_internal] == SUM)
    by_key = all_internal[np.argsort(key, kind="stable")]
    keys = np.sort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(keys)) + 1
    kids_rows, widx_rows, target_rows, flags = [], [], [], []
    for group, k in zip(np.split(by_key, bounds), keys[np.r_[0, bounds]].tolist()):
        is_sum = bool(k % 2)
        pad_child = zero if is_sum else one
        for start in range(0, group.size, chunk):
            part = group[start : start + chunk].tolist()
            kid_block = np.full((chunk, fan_in), pad_child, dtype=np.int64)
            w_block = np.full((chunk, fan_in), one_weight, dtype=np.int64)
            t_block = np.full(chunk, dummy, dtype=np.int64)
            for j, node in enumerate(part):
                ks, ws = edges(node)
                kid_block[j, : len(ks)] = ks
                w_block[j, : len(ws)] = ws
                t_block[j] = node
            kids_rows.append(kid_block)
            widx_rows.append(w_block)
            target_rows.append(t_block)
            flags.append(is_sum)
    return Schedule(
        np.stack(kids_rows).astype(np.int32),
        np.stack(widx_rows).astype(np.int32),
        np.stack(target_rows).astype(np.int32),
        np.asarray(flags),
        rows + 3,
        zero,
        one,
        dummy,
        one_weight,
        levels,
    )


def lift_weights(S: Semiring, weights: np.ndarray) -> Any:
    """Edge weights (given as non-negative reals, e.g. probabilities) in the semiring's carrier.

    Log and MaxPlus take logarithms; Boolean keeps which are non-zero;
    Counting needs whole numbers; anything else is converted as is.
    """
    w = np.asarray(weights, dtype=np.float64)
    if isinstance(S, (Log, MaxPlus)):
        with np.errstate(divide="ignore"):
            return S.asarray(np.log(w).astype(np.float32))
    if isinstance(S, Boolean):
        return S.asarray(w != 0)
    if isinstance(S, Counting):
        if np.any(w != np.round(w)) or np.any(w < 0):
            raise CircuitError("Counting needs whole-number edge weights")
        return S.asarray(w.astype(np.int64).astype(object))
    return S.asarray(w.astype(np.float32) if not S.host else w)


class CompiledCircuit:
    """``apply(params, evidence) -> (batch, roots)``: a circuit evaluated in a semiring.

    ``params`` holds ``"weights"`` (one carrier value per edge, and one more
    equal to the semiring's one) and ``"literals"`` (``(n_vars + 1,
    max_states)`` carrier values: the weight of each indicator). ``evidence``
    is ``(batch, n_vars)`` integers, -1 for an unobserved variable.
    """

    def __init__(self, circuit: Circuit, semiring: Semiring, **options: Any) -> None:
        self.circuit, self.semiring = circuit, semiring
        self.schedule = schedule(circuit, **options)
        c = circuit
        self._leaves = np.flatnonzero(c.kind == LEAF)
        self._consts = np.flatnonzero(c.kind == CONST)
        self.max_states = int(c.n_states.max(initial=2))
        self._run = self._evaluate if semiring.host else jax.jit(self._evaluate)

    def params(self, literal_weights: Any = None) -> dict[str, Any]:
        """The circuit's own edge weights (lifted) and literal weights (default: one)."""
        S, c = self.semiring, self.circuit
        weights = lift_weights(S, np.concatenate([c.edge_weights(), [1.0]]))
        if literal_weights is None:
            literal_weights = S.ones((c.n_vars + 1, self.max_states))
        return {"weights": weights, "literals": S.asarray(literal_weights)}

    def __call__(self, evidence: Any = None) -> Any:
        return self.apply(self.params(), evidence)

    def apply(self, params: dict[str, Any], evidence: Any = None) -> Any:
        c = self.circuit
        if evidence is None:
            evidence = np.full((1, c.n_vars), -1, dtype=np.int32)
        ev = evidence if isinstance(evidence, jax.core.Tracer) else np.asarray(evidence)
        if ev.ndim != 2 or ev.shape[1] != c.n_vars:
            raise CircuitError(
                f"evidence must be (batch, {c.n_vars}) integers (-1: unobserved); got {ev.shape}"
            )
        want = (c.n_vars + 1, self.max_states)
        got = tuple(self.semiring.index_shape(params["literals"]))
        if got != want:
            raise CircuitError(f"params['literals'] must have shape {want}; got {got}")
        if not self.semiring.host:
            ev = jnp.asarray(ev, dtype=jnp.int32)
        return self._run(params, ev)

    def _evaluate(self, params: dict[str, Any], evidence: Any) -> Any:
        S, c, sch = self.semiring, self.circuit, self.schedule
        xp = np if S.host else jnp
        batch = evidence.shape[0]
        lit, weights = params["literals"], params["weights"]
        values = S.zeros((sch.n_rows, batch))
        var, state = c.var[self._leaves], c.state[self._leaves]
        if self._leaves.size:
            seen = evidence[:, var - 1].T  # (leaves, batch)
            agree = (seen < 0) | (seen == state[:, None])
            leaf = _take(S, lit, (var, state))
            leaf = S.where(
                agree, _broadcast(S, leaf, (var.size, batch)), S.zeros((var.size, batch))
            )
            values = _set(S, values, self._leaves, leaf)
        if self._consts.size:
            on = c.state[self._consts].astype(bool)[:, None]
            consts = S.where(xp.asarray(on) if not S.host else on,
                             S.ones((self._consts.size, batch)),
                             S.zeros((self._consts.size, batch)))  # fmt: skip
            values = _set(S, values, self._consts, consts)
        values = _set(S, values, np.array([sch.one]), S.ones((1, batch)))

        def step(values, kids, widx, target, is_sum):
            x = _take(S, values, kids)  # (chunk, fan_in, batch)
            if is_sum:
                w = _take(S, weights, widx)
                out = S.sum(S.mul(x, _expand(S, w)), axis=1)
            else:
                out = S.prod(x, axis=1)
            return _set(S, values, target, out)

        if S.host:
            for kids, widx, target, is_sum in zip(sch.kids, sch.widx, sch.target, sch.is_sum):
                values = step(values, kids, widx, target, bool(is_sum))
        elif sch.kids.shape[0]:

            def body(values, chunk):
                kids, widx, target, is_sum = chunk
                out = jax.lax.cond(
                    is_sum,
                    lambda v: step(v, kids, widx, target, True),
                    lambda v: step(v, kids, widx, target, False),
                    values,
                )
                return out, None

            values, _ = jax.lax.scan(
                body,
                values,
                (jnp.asarray(sch.kids), jnp.asarray(sch.widx), jnp.asarray(sch.target),
                 jnp.asarray(sch.is_sum)),
            )  # fmt: skip
        roots = _take(S, values, c.roots)  # (roots, batch)
        return jax.tree.map(lambda a: a.T, roots) if not S.host else roots.T


def _take(S: Semiring, x: Any, index: Any) -> Any:
    return jax.tree.map(lambda a: a[index], x) if not S.host else x[index]


def _set(S: Semiring, x: Any, index: Any, value: Any) -> Any:
    if S.host:
        x = x.copy()
        x[index] = value
        return x
    return jax.tree.map(lambda a, v: a.at[index].set(v), x, value)


def _expand(S: Semiring, w: Any) -> Any:
    return jax.tree.map(lambda a: a[..., None], w) if not S.host else w[..., None]


def _broadcast(S: Semiring, x: Any, shape: tuple) -> Any:
    if S.host:
        return np.broadcast_to(x[:, None], shape)
    return jax.tree.map(lambda a: jnp.broadcast_to(a[:, None], shape), x)


def compile_circuit(circuit: Circuit, semiring: Semiring, **options: Any) -> CompiledCircuit:
    if not isinstance(semiring, Semiring):
        raise TypeError(f"compile needs a catlearn Semiring, got {type(semiring).__name__}")
    return CompiledCircuit(circuit, semiring, **options)
