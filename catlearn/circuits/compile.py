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

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import CONST, LEAF, Circuit, CircuitError, require_circuit
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.schedule import bucket, schedule
from catlearn.errors import ArgumentTypeError, CarrierOverflowError
from catlearn.semirings import Boolean, Counting, Dual, Log, MaxPlus, Semiring, require_semiring

# The padded shapes of small circuits (chunks of 8 nodes × 8 children): a tiny and a small one.
_TIERS = (
    {"steps": 16, "rows": 256, "vars": 32, "leaves": 64, "consts": 16, "weights": 256},
    {"steps": 64, "rows": 1024, "vars": 64, "leaves": 256, "consts": 64, "weights": 1024},
)


def lift_weights(S: Semiring, weights: np.ndarray) -> Any:
    """Edge weights (given as non-negative reals, e.g. probabilities) in the semiring's carrier.

    Log and MaxPlus take logarithms; Boolean keeps which are non-zero; dual
    numbers (``Expectation``) lift their base's value with tangent 0;
    exact carriers (Counting, Z_n, GF2) need whole numbers; anything else
    is converted as is. NaN, infinite or negative weights are refused.
    """
    S = require_semiring(S, "S")
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"lift_weights: weights must be real numbers ({error})") from None
    if not np.all(np.isfinite(w) & (w >= 0)):
        bad = w[~(np.isfinite(w) & (w >= 0))].ravel()[0].item()
        raise CircuitError(f"lift_weights: edge weight {bad!r} is not a finite number ≥ 0")
    if isinstance(S, Dual):  # constants: tangent 0
        value = lift_weights(S.base, w)
        return S.asarray((value, jax.tree.map(lambda a: a * 0, value)))
    if isinstance(S, (Log, MaxPlus)):
        with np.errstate(divide="ignore"):
            return S.asarray(np.log(w).astype(np.float32))
    if isinstance(S, Boolean):
        return S.asarray(w != 0)
    exact = S.host or np.dtype(S.dtype).kind in "iu"
    if exact and (np.any(w != np.round(w)) or np.any(w < 0)):
        raise CircuitError(f"{S!r} needs whole-number edge weights")
    if isinstance(S, Counting):  # Python ints: exact past 2^63
        return S.asarray(np.array([int(v) for v in w.ravel()], dtype=object).reshape(w.shape))
    # A cast would wrap (or round to ∞) silently: refuse what the carrier cannot hold.
    dtype = np.int64 if S.host else np.int32 if exact else np.float32
    top = np.iinfo(dtype).max if exact else np.finfo(dtype).max
    if w.size and w.max() > top:
        raise CarrierOverflowError(
            f"lift_weights: edge weight {w.max().item()!r} does not fit {S!r}'s carrier "
            f"({np.dtype(dtype).name}, at most {top})"
        )
    return S.asarray(w.astype(dtype))


class CompiledCircuit:
    """``apply(params, evidence) -> (batch, roots)``: a circuit evaluated in a semiring.

    ``params`` holds ``"weights"`` (one carrier value per edge, ignored on
    product edges; ``params()`` appends one more, the semiring's one) and
    ``"literals"`` (``(n_vars + 1, max_states)`` carrier values: the weight
    of each indicator; row 0 is unused). ``evidence`` is ``(batch,
    n_vars)`` integers, -1 for an unobserved variable. Sizes are padded to
    powers of two, so circuits of like size share one compiled program.

    Evidence given as numpy (or lists) is checked on the host on every call
    (O(batch × n_vars), no device work): a state out of range is a
    ``CircuitError`` naming the entry, never read as another state. A
    ``jax.Array`` is checked for shape and dtype only: its values live on the
    device (a check would copy them back and wait, every call) or are traced;
    check such data once with ``catlearn.circuits.evidence.evidence_array``.
    """

    def __init__(self, circuit: Circuit, semiring: Semiring, **options: Any) -> None:
        circuit = require_circuit(circuit, "circuit")
        semiring = require_semiring(semiring, "semiring")
        for name, value in options.items():
            if name not in _OPTIONS:
                raise ArgumentTypeError(
                    f"compile: unknown option {name!r}; the options are {sorted(_OPTIONS)}"
                )
            if value is not None:
                least, most = _OPTIONS[name]
                whole(value, f"compile: {name}", least=least, most=most)
        self.circuit, self.semiring = circuit, semiring
        c = circuit
        # Small circuits all get one padded shape, so that they share one XLA
        # program per (semiring, batch) instead of compiling 0.3-2 s each.
        sch = None
        for tier in _TIERS if not options else ():
            if c.n_nodes > tier["rows"] // 2 or c.n_vars >= tier["vars"]:
                continue
            sch = schedule(c, fan_in=8, chunk=8, min_steps=tier["steps"], min_rows=tier["rows"])
            if sch.kids.shape[0] == tier["steps"]:
                self._tier = tier
                break
            sch = None
        self.small = sch is not None
        sch = self.schedule = sch if sch is not None else schedule(c, **options)
        c = circuit
        self.max_states = int(c.n_states.max(initial=2))
        least = self._tier if self.small else dict.fromkeys(_TIERS[0], 1)
        self._vars = max(least["vars"], bucket(c.n_vars + 1))
        self._weights = max(least["weights"], bucket(c.n_edges + 1))
        leaves, consts = np.flatnonzero(c.kind == LEAF), np.flatnonzero(c.kind == CONST)
        n_leaves = max(least["leaves"], bucket(leaves.size)) if leaves.size or self.small else 0
        n_consts = max(least["consts"], bucket(consts.size)) if consts.size or self.small else 0
        self._tables = {
            "kids": sch.kids,
            "widx": sch.widx,
            "target": sch.target,
            "is_sum": sch.is_sum,
            "leaf_rows": _pad(leaves, n_leaves, sch.dummy),
            "leaf_var": _pad(c.var[leaves], n_leaves, 1),
            "leaf_state": _pad(c.state[leaves], n_leaves, 0),
            "const_rows": _pad(consts, n_consts, sch.dummy),
            "const_on": _pad(c.state[consts], n_consts, 0).astype(bool),
            "roots": c.roots.astype(np.int32),
        }
        if not semiring.host:
            self._tables = {k: jnp.asarray(v) for k, v in self._tables.items()}

    def params(self, literal_weights: Any = None) -> dict[str, Any]:
        """The circuit's own edge weights (lifted) and literal weights (default: one)."""
        S, c = self.semiring, self.circuit
        weights = lift_weights(S, np.concatenate([c.edge_weights(), [1.0]]))
        if literal_weights is None:
            literal_weights = _ones(S, (c.n_vars + 1, self.max_states))
        return {"weights": weights, "literals": S.asarray(literal_weights)}

    def __call__(self, evidence: Any = None) -> Any:
        return self.apply(self.params(), evidence)

    def apply(self, params: dict[str, Any], evidence: Any = None) -> Any:
        S, c = self.semiring, self.circuit
        _check_params(params)
        if evidence is None:
            shape = tuple(S.index_shape(params["literals"]))
            batch = shape[0] if len(shape) == 3 else 1  # per-example literal weights
            ev = np.full((batch, c.n_vars), -1, dtype=np.int32)
        else:  # a jax.Array stays one (it may be sharded over devices); lists become numpy
            ev = evidence_array(evidence, c.n_states[1:])
        want = (c.n_vars + 1, self.max_states)
        got = tuple(S.index_shape(params["literals"]))
        if got != want and (got[1:] != want or got[0] != ev.shape[0]):
            raise CircuitError(
                f"params['literals'] must have shape {want}, or (batch,) + {want} with the "
                f"evidence's batch {ev.shape[0]}; got {got}"
            )
        got = tuple(S.index_shape(params["weights"]))
        if got not in ((c.n_edges,), (c.n_edges + 1,)):
            raise CircuitError(f"params['weights'] must have shape ({c.n_edges},); got {got}")
        return self._call(_evaluate if S.host else _evaluate_jit, params, ev)

    def literal_gradient(self, params: dict[str, Any], evidence: Any = None) -> tuple[Any, Any]:
        """(value, d value / d params["literals"]) of the first root on the first example."""
        c = self.circuit
        _check_params(params)
        if evidence is None:
            evidence = np.full((1, c.n_vars), -1, dtype=np.int32)
        ev = evidence_array(evidence, c.n_states[1:])
        value, grad = self._call(_literal_gradient, params, ev)
        return value, grad[: c.n_vars + 1]

    def _call(self, run: Any, params: dict[str, Any], ev: Any) -> Any:
        S, c = self.semiring, self.circuit
        batched = len(S.index_shape(params["literals"])) == 3
        literals = _pad_rows(S, params["literals"], self._vars, axis=1 if batched else 0)
        weights = _pad_rows(S, params["weights"], self._weights)
        xp = jnp if isinstance(ev, jax.Array) else np  # tracers and sharded arrays stay on device
        ev = xp.pad(xp.asarray(ev, dtype=xp.int32), ((0, 0), (0, self._vars - 1 - c.n_vars)),
                    constant_values=-1)  # fmt: skip
        return run(S, self.schedule.n_rows, literals, weights, ev, self._tables)


# Schedule options, with their least and greatest sensible values.
_OPTIONS = {"fan_in": (2, 1 << 10), "chunk": (1, 1 << 16), "min_steps": (1, 1 << 24),
            "min_rows": (1, 1 << 28)}  # fmt: skip


def _check_params(params: Any) -> None:
    if not isinstance(params, dict) or not {"weights", "literals"} <= params.keys():
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ArgumentTypeError(
            f"params must be a dict with 'weights' and 'literals' (see params()), got {got}"
        )


def _pad(a: np.ndarray, size: int, fill: int) -> np.ndarray:
    out = np.full(size, fill, dtype=np.int32)
    out[: a.size] = a
    return out


def _ones(S: Semiring, shape: tuple) -> Any:
    """S.ones built on the host where the carrier is one array (no kernel per shape)."""
    if S.host or jax.tree.structure(S.one).num_leaves != 1:
        return S.ones(shape)
    return np.full(shape, np.asarray(S.one, dtype=S.dtype))


def _pad_rows(S: Semiring, x: Any, size: int, axis: int = 0) -> Any:
    """x with entries of the semiring's one appended along ``axis`` up to ``size`` (on the
    host when concrete, since an eager device op would compile a kernel for every shape)."""
    shape = tuple(S.index_shape(x))
    if shape[axis] == size:
        return x
    filler = _ones(S, shape[:axis] + (size - shape[axis],) + shape[axis + 1 :])
    if S.host:
        return np.concatenate([x, filler], axis=axis)
    if any(isinstance(a, jax.core.Tracer) for a in jax.tree.leaves(x)):
        return jax.tree.map(lambda a, f: jnp.concatenate([a, f], axis=axis), x, filler)
    return jax.tree.map(
        lambda a, f: np.concatenate([np.asarray(a), np.asarray(f)], axis=axis), x, filler
    )


def _evaluate(S: Semiring, n_rows: int, literals: Any, weights: Any, evidence: Any,
              t: dict[str, Any]) -> Any:  # fmt: skip
    """The whole evaluation, a pure function of padded tables (jitted once per shape)."""
    xp = np if S.host else jnp
    batch = evidence.shape[0]
    # Float carriers accumulate each chunk's results with a scatter-*add* into rows
    # that start at numeric 0: every node is written once, so it equals a set, but
    # its gradient needs no per-chunk mask of the whole array (a set's does: 8.6 GB
    # for a 3e5-edge circuit at batch 512).
    accumulate = not S.host and all(
        jnp.issubdtype(a.dtype, jnp.inexact) for a in jax.tree.leaves(S.zeros((1,)))
    )
    if accumulate:
        values = jax.tree.map(jnp.zeros_like, S.zeros((n_rows, batch)))
        values = _set(S, values, xp.asarray([n_rows - 3]), S.zeros((1, batch)))
    else:
        values = S.zeros((n_rows, batch))
    if t["leaf_rows"].shape[0]:
        seen = evidence[:, t["leaf_var"] - 1].T  # (leaves, batch)
        agree = (seen < 0) | (seen == t["leaf_state"][:, None])
        if len(S.index_shape(literals)) == 3:  # per-example weights: (batch, vars, states)
            leaf = _take(S, literals, (slice(None), t["leaf_var"], t["leaf_state"]))
            leaf = leaf.T if S.host else jax.tree.map(lambda a: a.T, leaf)
        else:
            leaf = _broadcast(S, _take(S, literals, (t["leaf_var"], t["leaf_state"])), seen.shape)
        values = _set(S, values, t["leaf_rows"], S.where(agree, leaf, S.zeros(seen.shape)))
    if t["const_rows"].shape[0]:
        shape = (t["const_rows"].shape[0], batch)
        on = xp.broadcast_to(t["const_on"][:, None], shape)
        values = _set(S, values, t["const_rows"], S.where(on, S.ones(shape), S.zeros(shape)))
    values = _set(S, values, xp.asarray([n_rows - 2]), S.ones((1, batch)))

    chunks = (t["kids"], t["widx"], t["target"], t["is_sum"])
    if S.host:
        for kids, widx, target, is_sum in zip(*chunks):
            out = _chunk(S, bool(is_sum), _take(S, values, kids), _take(S, weights, widx))
            values = _set(S, values, target, out)
    elif t["kids"].shape[0]:
        if accumulate:
            values = _sweep(S, values, weights, chunks)
        else:

            def body(values, chunk):
                kids, widx, target, is_sum = chunk
                out = _chunk(S, is_sum, _take(S, values, kids), _take(S, weights, widx))
                return _set(S, values, target, out), None

            values, _ = jax.lax.scan(body, values, chunks)
    roots = _take(S, values, t["roots"])  # (roots, batch)
    return roots.T if S.host else jax.tree.map(lambda a: a.T, roots)


def _chunk(S: Semiring, is_sum: Any, x: Any, w: Any) -> Any:
    """One chunk's nodes from their gathered children ``x`` (chunk, fan_in, batch).

    Chunks are all-⊕ or all-⊗: a ``lax.cond`` picks the reduction on the small
    gathered block only (a cond over the whole values array copied it on every
    chunk: 36x slower on a 3e5-edge circuit). Host semirings pass a Python bool.
    """

    def summed(x, w):
        return S.sum(S.mul(x, _expand(S, w)), axis=1)

    def multiplied(x, w):
        return S.prod(x, axis=1)

    if isinstance(is_sum, bool):
        return (summed if is_sum else multiplied)(x, w)
    return jax.lax.cond(is_sum, summed, multiplied, x, w)


@partial(jax.custom_vjp, nondiff_argnums=(0,))
def _sweep(S: Semiring, values: Any, weights: Any, chunks: tuple) -> Any:
    """Every chunk in order, each scatter-*added* into rows that start at numeric 0."""

    def body(values, chunk):
        kids, widx, target, is_sum = chunk
        out = _chunk(S, is_sum, _take(S, values, kids), _take(S, weights, widx))
        return jax.tree.map(lambda a, v: a.at[target].add(v), values, out), None

    return jax.lax.scan(body, values, chunks)[0]


def _sweep_forward(S, values, weights, chunks):
    out = _sweep(S, values, weights, chunks)
    return out, (out, weights, chunks)


def _sweep_backward(S, residuals, g):
    # The circuit's backward pass, chunks in reverse. Autodiff of the scan would keep
    # every chunk's gathered block (1 GB on a 3e5-edge circuit at batch 512); the final
    # values hold every node once, so each chunk's block is gathered again instead.
    values, weights, chunks = residuals

    def body(carry, chunk):
        g, g_weights = carry
        kids, widx, target, is_sum = chunk
        x, w = _take(S, values, kids), _take(S, weights, widx)
        g_out = _take(S, g, target)
        if isinstance(S, Log):
            # Closed form: the final values already hold each ⊕ node's log-sum, so its
            # children's cotangents are posterior weights exp(x + w − out), no recompute.
            g_x, g_w = jax.lax.cond(
                is_sum, _log_sum_grad, _log_product_grad, x, w, _take(S, values, target), g_out
            )
        else:
            _, pull = jax.vjp(lambda x, w: _chunk(S, is_sum, x, w), x, w)
            g_x, g_w = pull(g_out)
        g = jax.tree.map(lambda a, v: a.at[kids].add(v), g, g_x)
        g_weights = jax.tree.map(lambda a, v: a.at[widx].add(v), g_weights, g_w)
        return (g, g_weights), None

    zero_weights = jax.tree.map(jnp.zeros_like, weights)
    (g, g_weights), _ = jax.lax.scan(body, (g, zero_weights), chunks, reverse=True)
    return g, g_weights, None


_sweep.defvjp(_sweep_forward, _sweep_backward)


def _log_sum_grad(x, w, out, g_out):
    # Rows with out = −∞, and the dummy row padding targets share (its value is a sum
    # of several chunks', its cotangent 0), get nothing; the exponent is at most 0.
    live = jnp.isfinite(out) & (g_out != 0)
    exponent = jnp.minimum(x + w[..., None] - jnp.where(live, out, 0.0)[:, None, :], 0.0)
    r = jnp.where(live[:, None, :], jnp.exp(exponent), 0.0) * g_out[:, None, :]
    return r, r.sum(axis=2)


def _log_product_grad(x, w, out, g_out):
    return jnp.broadcast_to(g_out[:, None, :], x.shape), jnp.zeros_like(w)


_evaluate_jit = jax.jit(_evaluate, static_argnums=(0, 1))


def _first_root(S, n_rows, literals, weights, evidence, tables):
    return _evaluate(S, n_rows, literals, weights, evidence, tables)[0, 0]


# d(first root of the first example) / d(literal weights), jitted once per shape.
_literal_gradient = jax.jit(jax.value_and_grad(_first_root, argnums=2), static_argnums=(0, 1))


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
    """``CompiledCircuit(circuit, semiring, **options)``: options ``fan_in`` (≥ 2) and
    ``chunk`` (≥ 1) shape the schedule (see ``catlearn.circuits.schedule``)."""
    return CompiledCircuit(circuit, semiring, **options)
