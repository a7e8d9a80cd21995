"""Tensorised probabilistic circuits: K units per region, dense batched layers.

Every region of a region graph (a :class:`RegionTree` or a
:class:`RegionGraph`) holds K units. A leaf region's units are K categorical
distributions over its variable (or, with ``leaf="gaussian"``, K normal
densities over a real variable). A partition multiplies its two child
regions' units elementwise (a Hadamard product, CP-style); a region's K units
are sums over the products of *all* its partitions, each unit's weights
normalised jointly over them ("mixing"); the root mixes to one unit. So the
circuit is smooth and decomposable by construction.

Partitions run in a few dense steps: the host schedules them (children
first, at most one partition of a region per step) into equal slabs, and one
``lax.scan`` evaluates a slab per step — a gather, an elementwise ⊗ and one
batched matmul (for Log: max-shift → exp → BLAS → log, which is where
EiNets' and cirkit's speed comes from). XLA compiles one step, not one layer
per level, so the first call is cheap.

    >>> import jax, numpy as np
    >>> from catlearn.circuits.region_graph import random_binary_tree
    >>> pc = TensorizedPC(random_binary_tree(4), units=3)
    >>> params = pc.init(jax.random.key(0))
    >>> every = np.array(np.meshgrid(*[[0, 1]] * 4)).reshape(4, -1).T
    >>> round(float(np.exp(pc.log_likelihood(params, every)).sum()), 5)   # normalised
    1.0
    >>> float(pc.log_likelihood(params, -np.ones((1, 4), int))[0])          # all marginalised
    0.0

``to_circuit(params)`` writes the same circuit as flat arrays (a generic
``Circuit``, ~K² edges per partition, built vectorised), for the queries
and checks that work on any circuit. ``em_step(params, x)`` is one step of
expectation–maximisation: the expected counts (circuit flows) are the
gradient of the log-likelihood with respect to the normalised log-weights.

Gaussian input units model real-valued data; NaN marginalises a variable
(its density integrates to one)::

    >>> pc = TensorizedPC(random_binary_tree(2), units=2, leaf="gaussian")
    >>> params = pc.init(jax.random.key(0))
    >>> grid = np.linspace(-12, 12, 2001)
    >>> p = np.exp(pc.log_likelihood(params, np.stack([grid, np.full_like(grid, np.nan)], 1)))
    >>> round(float(p.sum() * (grid[1] - grid[0])), 4)                       # ∫ p(x₁) dx₁
    1.0
"""

from __future__ import annotations

import heapq
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import real, whole
from catlearn.circuits.circuit import LEAF, PRODUCT, SUM, Circuit, CircuitError
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.region_graph import RegionGraph, RegionTree
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.semirings import Log, MaxPlus, Semiring, require_semiring

LEAVES = ("categorical", "gaussian")
_HALF_LOG_2PI = 0.5 * float(np.log(2 * np.pi))
_STEP_COST = 2  # a scan step's fixed cost, in partitions' worth of work
_MIN_VARIANCE = 1e-6  # EM's floor for a Gaussian unit fitted to (nearly) one point


class TensorizedPC:
    """A smooth, decomposable probabilistic circuit over a region graph (see module
    docstring). ``tree`` is a :class:`RegionTree` (``random_binary_tree``,
    ``quad_tree``) or a :class:`RegionGraph` (``rat_spn``, ``poon_domingos``)."""

    def __init__(
        self, tree: RegionTree | RegionGraph, units: int, states: int = 2,
        leaf: str = "categorical",
    ) -> None:  # fmt: skip
        if isinstance(tree, RegionTree):
            graph = tree.graph()
        elif isinstance(tree, RegionGraph):
            graph = tree
        else:
            raise ArgumentTypeError(
                "TensorizedPC: tree must be a RegionTree (random_binary_tree, quad_tree) or "
                f"a RegionGraph (rat_spn, poon_domingos), got {type(tree).__name__}"
            )
        units = whole(units, "TensorizedPC: units (need units ≥ 1)", least=1)
        states = whole(states, "TensorizedPC: states (need states ≥ 2)", least=2)
        if leaf not in LEAVES:
            raise ArgumentValueError(f"leaf must be one of {LEAVES}, got {leaf!r:.40}")
        self.tree, self.graph, self.units, self.states, self.leaf = tree, graph, units, states, leaf
        self._plan = _Plan(graph)
        self._jitted = jax.jit(self._evaluate, static_argnums=2)
        self._fast = jax.jit(lambda params, x: self._evaluate(params, x, Log(), fast=True))
        self._em_jitted = jax.jit(self._em)
        self._em_fast = jax.jit(lambda *args: self._em(*args, fast=True))

    def init(self, key: jax.Array) -> dict[str, Any]:
        """Logits: leaves (n_vars, K, states); ``sums``, a list with one (P, K, K) array
        per layer of partitions (layer ``l`` splits the regions of height ``l + 1``; for
        a tree, one (regions, K, K) per level); root (K,).

        Gaussian leaves are ``{"mean": (n_vars, K), "log_scale": (n_vars, K)}``
        (standard-normal means, unit scales). The numbers are drawn on the host by a
        generator seeded with the key's bits: no device kernel is compiled for them."""
        rng = np.random.default_rng(_key_bits(key))
        K, V = self.units, self.graph.n_vars

        def normal(shape, scale=1.0):
            return (rng.standard_normal(shape) * scale).astype(np.float32)

        if self.leaf == "gaussian":
            leaves: Any = {"mean": normal((V, K)), "log_scale": np.zeros((V, K), np.float32)}
        else:
            leaves = normal((V, K, self.states))
        # One transfer of the whole tree (jnp.asarray would compile a kernel per shape).
        return jax.device_put({
            "leaves": leaves,
            "sums": [normal((n, K, K), 0.5) for n in self._plan.layer_sizes],
            "root": normal((K,), 0.5),
        })  # fmt: skip

    def log_likelihood(
        self, params: dict[str, Any], x: Any, semiring: Semiring | None = None
    ) -> jax.Array:
        """log p(x) for each row of ``x`` (batch, n_vars); a variable is marginalised
        where ``x`` is -1 (categorical leaves, integer states) or NaN (Gaussian leaves).

        With ``semiring=MaxPlus()`` it is the max-product (MPE) value instead.

        Categorical states are checked on the host when ``x`` is numpy (or a list):
        a state outside -1..states-1 is a ``CircuitError`` naming the entry. A
        ``jax.Array`` is checked for shape and dtype only (its values would cost a
        device-to-host copy and a wait per call; under ``jit`` they are traced).
        """
        S = Log() if semiring is None else require_semiring(semiring, "semiring")
        self._check_params(params)
        x = self._checked_x(x, S)
        if isinstance(S, Log) and not any(
            isinstance(a, jax.core.Tracer) for a in jax.tree.leaves((params, x))
        ):
            # Called with values: the kernel without a fallback branch (less to compile),
            # and, in the rare case where a sum underflowed (a NaN, which the exact
            # kernel also gives when the inputs hold one), the exact one after all.
            out = self._fast(params, x)
            if not np.isnan(np.asarray(out)).any():
                return out
        return self._jitted(params, x, S)

    def em_step(
        self, params: dict[str, Any], x: Any, *, prior: float = 0.0, step_size: float = 1.0
    ) -> dict[str, Any]:
        """One EM step on the rows of ``x`` (all the data, or a mini-batch); new params.

        E-step: the expected counts of every sum edge and leaf state are the circuit
        flows, the gradient of Σ log p(x) with respect to the normalised log-weights
        (one backward pass). M-step: each unit's weights become its counts plus
        ``prior`` (a pseudo-count per edge), normalised; Gaussian units take the
        flow-weighted mean and variance of the observed values (``prior`` pseudo-
        observations of unit variance; variance at least 1e-6). A unit that no example
        reaches and no prior supports keeps its weights. With ``step_size`` η < 1 the
        result is (1 - η) · old + η · new (stochastic EM on mini-batches). With
        ``prior=0`` and ``step_size=1`` the likelihood of ``x`` never decreases. Jittable.

        >>> import jax, numpy as np
        >>> from catlearn.circuits.region_graph import rat_spn
        >>> pc = TensorizedPC(rat_spn(4, repetitions=2), units=2)
        >>> params = pc.init(jax.random.key(0))
        >>> x = np.random.default_rng(0).integers(0, 2, (8, 4))
        >>> before = float(pc.log_likelihood(params, x).mean())
        >>> after = float(pc.log_likelihood(pc.em_step(params, x), x).mean())
        >>> after >= before
        True
        """
        prior = real(prior, "em_step: prior", non_negative=True)
        step_size = real(step_size, "em_step: step_size", positive=True)
        if step_size > 1:
            raise ArgumentValueError(f"em_step: step_size must be in (0, 1], got {step_size}")
        self._check_params(params)
        x = self._checked_x(x, Log())
        if not any(isinstance(a, jax.core.Tracer) for a in jax.tree.leaves((params, x))):
            new, lost = self._em_fast(params, x, prior, step_size)  # as in log_likelihood
            if not bool(lost):
                return new
        return self._em_jitted(params, x, prior, step_size)

    def _checked_x(self, x: Any, S: Semiring) -> jax.Array:
        V = self.graph.n_vars
        if not isinstance(x, jax.Array):
            try:
                x = np.asarray(x)
            except (TypeError, ValueError) as error:
                raise CircuitError(f"x must be (batch, {V}): {error}") from None
        if x.ndim != 2 or x.shape[1] != V:
            raise CircuitError(f"x must be (batch, {V}); got {x.shape}")
        if self.leaf == "gaussian":
            if not jnp.issubdtype(x.dtype, jnp.floating):
                raise ArgumentTypeError(f"Gaussian leaves need real-valued x, got dtype {x.dtype}")
            if not isinstance(S, (Log, MaxPlus)):
                raise ArgumentValueError(
                    f"Gaussian leaves are log densities: Log or MaxPlus, not {S!r}"
                )
            if isinstance(x, np.ndarray) and np.isinf(x).any():
                at = tuple(int(i) for i in np.argwhere(np.isinf(x))[0])
                raise CircuitError(
                    f"x[{at[0]}, {at[1]}] = {x[at]}: a Gaussian leaf takes a finite value, "
                    "or NaN to marginalise"
                )
        elif not jnp.issubdtype(x.dtype, jnp.integer):
            raise ArgumentTypeError(f"categorical leaves need integer states in x, got {x.dtype}")
        else:
            x = evidence_array(x, np.full(V, self.states), "x")
        return x if isinstance(x, jax.Array) else jax.device_put(x)  # no kernel compiled

    def _check_params(self, params: Any) -> None:
        """The shapes ``init`` makes (static, so also checked under ``jit``)."""
        V, K = self.graph.n_vars, self.units
        if not isinstance(params, dict) or not {"leaves", "sums", "root"} <= params.keys():
            raise ArgumentTypeError("params must be the dict init() makes: leaves, sums, root")
        if self.leaf == "gaussian":
            leaves = params["leaves"]
            if not isinstance(leaves, dict) or not {"mean", "log_scale"} <= leaves.keys():
                raise ArgumentTypeError("Gaussian params['leaves'] needs 'mean' and 'log_scale'")
            shapes = [("leaves.mean", leaves["mean"], (V, K)),
                      ("leaves.log_scale", leaves["log_scale"], (V, K))]  # fmt: skip
        else:
            shapes = [("leaves", params["leaves"], (V, K, self.states))]
        sums, sizes = params["sums"], self._plan.layer_sizes
        if not isinstance(sums, (list, tuple)) or len(sums) != len(sizes):
            raise CircuitError(f"params['sums'] must be a list of {len(sizes)} arrays")
        shapes += [(f"sums[{i}]", w, (n, K, K)) for i, (w, n) in enumerate(zip(sums, sizes))]
        shapes.append(("root", params["root"], (K,)))
        for name, a, want in shapes:
            if tuple(jnp.shape(a)) != want:
                raise CircuitError(f"params['{name}'] must have shape {want}, got {jnp.shape(a)}")

    # -- evaluation --------------------------------------------------------------------

    def _leaf_values(self, leaves: Any, x: jax.Array, S: Semiring) -> jax.Array:
        """Every leaf unit's log value on every example: (V, B, K). ``leaves`` are
        normalised log-probabilities (V, K, states), or the Gaussian parameters."""
        V = self.graph.n_vars
        if self.leaf == "gaussian":
            mean, log_scale = leaves["mean"], leaves["log_scale"]
            z = (jnp.nan_to_num(x).T[:, :, None] - mean[:, None, :]) * jnp.exp(-log_scale)[:, None]
            peak = -log_scale[:, None, :] - _HALF_LOG_2PI  # the density at its mode
            seen = peak - 0.5 * z**2
            # Marginalised: ∫ N = 1 under Log (log 0); under MaxPlus, the mode's density.
            unseen = jnp.zeros_like(peak) if isinstance(S, Log) else peak
            return jnp.where(jnp.isnan(x).T[:, :, None], unseen, seen)
        seen = leaves[jnp.arange(V)[:, None], :, jnp.maximum(x, 0).T]  # (V, B, K)
        unseen = S.sum(leaves, axis=-1)[:, None, :]  # marginalised: ⊕ over the states
        return jnp.where(x.T[:, :, None] < 0, unseen, seen)

    def _log_weights(self, sums: list[jax.Array]) -> jax.Array:
        """(P, K, K) log-weights, each region's unit normalised over all its partitions'
        products (the layers' partitions concatenated)."""
        logits = jnp.concatenate(list(sums)) if len(sums) > 1 else sums[0]
        plan = self._plan
        if not plan.mixing:
            return jax.nn.log_softmax(logits, axis=1)
        per_partition = jax.nn.logsumexp(logits, axis=1)  # (P, K)
        top = jax.ops.segment_max(per_partition, plan.segment, plan.n_internal)
        top = jax.lax.stop_gradient(jnp.where(jnp.isfinite(top), top, 0.0))
        total = jax.ops.segment_sum(
            jnp.exp(per_partition - top[plan.segment]), plan.segment, plan.n_internal
        )
        return logits - (jnp.log(total) + top)[plan.segment][:, None, :]

    def _evaluate(self, params: dict[str, Any], x: jax.Array, S: Semiring, fast: bool = False):
        leaves = params["leaves"]
        if self.leaf == "categorical":
            leaves = jax.nn.log_softmax(leaves, axis=-1)
        return self._forward(
            self._leaf_values(leaves, x, S), self._log_weights(params["sums"]),
            jax.nn.log_softmax(params["root"]), S, fast,
        )  # fmt: skip

    def _forward(self, leaves: jax.Array, weights: jax.Array, root: jax.Array, S: Semiring,
                 fast: bool = False):  # fmt: skip
        """The scan over the slabs of partitions, from leaf values and log-weights. With
        ``fast`` (Log only): the value without the underflow fallback, NaN for every
        example where some sum underflowed (NaN propagates to the root; see
        ``_fast_log_matmul``)."""
        plan, K = self._plan, self.units
        B = leaves.shape[1]
        fill = jnp.full((1, B, K), S.zero, leaves.dtype)  # the "no earlier partition" slot
        buffer = jnp.concatenate([leaves, fill, jnp.zeros((plan.n_slots, B, K), leaves.dtype)])
        padded = jnp.concatenate([weights, jnp.zeros((1, K, K), weights.dtype)])
        # The step gathers its weights itself: one small gather, where slabs of
        # weights gathered up front and then sliced per step cost two large kernels to
        # compile (XLA CPU compiles each fused kernel separately) and more time to run.
        steps = (np.arange(plan.n_steps), plan.left, plan.right, plan.previous,
                 plan.partition)  # fmt: skip
        first = plan.n_vars + 1

        def step(buffer, xs):
            t, left, right, previous, q = xs
            out = matmul(S.mul(buffer[left], buffer[right]), padded[q])
            if plan.mixing:  # the region's earlier partitions, summed in
                out = S.add(out, buffer[previous])
            return jax.lax.dynamic_update_slice_in_dim(buffer, out, first + t * plan.width, 0), None

        if fast:
            matmul = _fast_log_matmul
        elif isinstance(S, Log):
            matmul = _log_matmul
        else:
            matmul = S.matmul
        buffer = jax.lax.scan(step, buffer, steps)[0]
        top = buffer[plan.root]  # (B, K): the root region's units, mixed to one
        return S.sum(S.mul(top, root[None, :]), axis=1)

    # -- expectation-maximisation --------------------------------------------------------

    def _em(self, params: dict[str, Any], x: jax.Array, prior: Any, eta: Any,
            fast: bool = False) -> Any:  # fmt: skip
        S, plan = Log(), self._plan
        weights = self._log_weights(params["sums"])
        root = jax.nn.log_softmax(params["root"])
        if self.leaf == "categorical":
            leaves = jax.nn.log_softmax(params["leaves"], axis=-1)

            def total(leaves, weights, root):
                return self._forward(self._leaf_values(leaves, x, S), weights, root, S, fast)

        else:
            leaves = self._leaf_values(params["leaves"], x, S)  # flows per example

            def total(leaves, weights, root):
                return self._forward(leaves, weights, root, S, fast)

        def summed(*args):
            out = total(*args).sum()
            return out, jnp.isnan(out)  # fast: NaN where a sum underflowed (see _forward)

        flows, lost = jax.grad(summed, argnums=(0, 1, 2), has_aux=True)(leaves, weights, root)
        by_unit = (plan.segment, plan.n_internal) if plan.mixing else None
        new_weights = _m_step(weights, flows[1], prior, eta, axis=1, groups=by_unit)
        cuts = np.cumsum(plan.layer_sizes)[:-1].tolist()
        out = {
            "sums": list(jnp.split(new_weights, cuts)) if cuts else [new_weights],
            "root": _m_step(root, flows[2], prior, eta, axis=0),
        }
        if self.leaf == "categorical":
            out["leaves"] = _m_step(leaves, flows[0], prior, eta, axis=-1)
        else:
            out["leaves"] = _gaussian_m_step(params["leaves"], flows[0], x, prior, eta)
        return (out, lost) if fast else out

    # -- the flat circuit ----------------------------------------------------------------

    def to_circuit(self, params: dict[str, Any]) -> Circuit:
        """The same PC as a flat ``Circuit`` with normalised weights (vectorised build)."""
        if self.leaf != "categorical":
            raise CircuitError(
                "to_circuit needs categorical leaves: a Circuit's leaves are indicators"
            )
        self._check_params(params)
        plan, K, St = self._plan, self.units, self.states
        V = plan.n_vars
        leaf_w = _softmax(params["leaves"], axis=-1)
        w = _host_weights(params["sums"], plan)  # (P, K_in, K_out)
        kinds, offsets, children, weights, var, state = [], [np.zeros(1, np.int64)], [], [], [], []
        count = 0

        def add(kind, n, kids, w, v=None, s=None):  # n nodes with fan-in kids.shape[1]
            nonlocal count
            kinds.append(np.full(n, kind, np.int8))
            fan = kids.shape[1] if kids.size else 0
            offsets.append(offsets[-1][-1] + fan * np.arange(1, n + 1))
            children.append(kids.reshape(-1))
            weights.append(w.reshape(-1))
            var.append(np.zeros(n, np.int64) if v is None else v)
            state.append(np.zeros(n, np.int64) if s is None else s)
            first, count = count, count + n
            return np.arange(first, count)

        none = np.zeros((0,), np.int64)
        indicators = add(LEAF, V * St, none.reshape(0, 0), np.zeros(0),
                         np.repeat(np.arange(1, V + 1), St), np.tile(np.arange(St), V))  # fmt: skip
        ind = indicators.reshape(V, St)
        unit = np.empty((plan.n_regions, K), np.int64)  # node id of each region's units
        kids = np.broadcast_to(ind[:, None, :], (V, K, St)).reshape(V * K, St)
        unit[:V] = add(SUM, V * K, kids, leaf_w.reshape(V * K, St)).reshape(V, K)
        start = 0
        for size in plan.layer_sizes:
            q = np.arange(start, start + size)
            start += size
            pairs = np.stack([unit[plan.left_of[q]], unit[plan.right_of[q]]], axis=-1)
            prods = add(PRODUCT, size * K, pairs.reshape(-1, 2), np.ones(size * K * 2))
            prods = prods.reshape(size, K)
            regions, first, count_m = np.unique(
                plan.region_of[q], return_index=True, return_counts=True
            )
            for m in np.unique(count_m):  # regions with m partitions: (m K)-ary sums
                sel = count_m == m
                R = int(sel.sum())
                rows = first[sel][:, None] + np.arange(m)[None, :]  # (R, m) layer rows
                sum_kids = np.broadcast_to(prods[rows].reshape(R, 1, m * K), (R, K, m * K))
                sum_w = np.transpose(w[q[rows]], (0, 3, 1, 2)).reshape(R, K, m * K)
                unit[regions[sel]] = add(SUM, R * K, sum_kids.reshape(R * K, m * K),
                                         sum_w).reshape(R, K)  # fmt: skip
        root_w = _softmax(params["root"], axis=0)
        root = add(SUM, 1, unit[self.graph.root][None, :], root_w[None, :])
        n_states = np.full(V + 1, St, np.int64)
        n_states[0] = 0
        return Circuit.from_arrays(
            np.concatenate(kinds), np.concatenate(offsets), np.concatenate(children),
            np.concatenate(var), np.concatenate(state), root, n_states,
            np.concatenate(weights),
        )  # fmt: skip


class _Plan:
    """The host's schedule of a region graph's partitions (numpy, built once).

    Partitions are numbered layer by layer (by their region's height, then region):
    the order of ``params["sums"]``. The scan's buffer holds the leaves, one slot
    holding the semiring's zero, then ``n_steps`` slabs of ``width`` slots; partition
    ``partition[t, j]`` writes slot ``n_vars + 1 + t * width + j``, reading its children
    at ``left[t, j]``, ``right[t, j]`` and, for a region with several partitions, the
    running sum of its earlier ones at ``previous[t, j]``. Padding entries compute on
    slot 0 with the spare weight block ``P`` and are never read."""

    def __init__(self, g: RegionGraph) -> None:
        V, R, P = g.n_vars, g.n_regions, g.n_partitions
        region, left, right = g.region, g.left, g.right
        height = np.zeros(R, np.int64)
        for p in np.argsort(region, kind="stable").tolist():
            r = region[p]
            height[r] = max(height[r], 1 + max(height[left[p]], height[right[p]]))
        order = np.lexsort((np.arange(P), region, height[region]))
        self.n_vars, self.n_regions, self.n_internal = V, R, R - V
        self.region_of, self.left_of, self.right_of = region[order], left[order], right[order]
        self.layer_sizes = np.bincount(height[self.region_of] - 1).tolist()
        self.segment = self.region_of - V  # numpy: constants in the traced programs
        parts = np.bincount(region, minlength=R)
        self.mixing = bool(parts.max() > 1)
        # Priority: the longest chain of partitions from a region up to the root.
        rank = np.zeros(R, np.int64)
        rank[-1] = parts[-1]
        for q in range(P - 1, -1, -1):  # parents come later in the order
            r = self.region_of[q]
            for c in (self.left_of[q], self.right_of[q]):
                if c >= V:
                    rank[c] = max(rank[c], rank[r] + parts[c])
        base = -(-P // int(rank.max()))
        factors = (0.5, 0.75, 1, 1.25, 1.5, 2)
        widths = sorted({max(1, min(P, int(round(base * f)))) for f in factors})
        best = min(
            ((len(s) * (w + _STEP_COST), w, s)
             for w in widths for s in [self._schedule(w, rank[self.region_of], parts)]),
            key=lambda c: c[:2],
        )  # fmt: skip
        _, width, steps = best
        self.width, self.n_steps = width, len(steps)
        self.n_slots = width * len(steps)
        final = np.arange(R)  # leaves are their own slots; regions get their last partition's
        latest = np.full(R, V)  # the slot holding the zero: no earlier partition
        table = np.full((4, len(steps), width), 0, np.int64)
        table[0], table[3] = P, V
        for t, step in enumerate(steps):
            for j, q in enumerate(step):
                r = self.region_of[q]
                table[:, t, j] = (q, final[self.left_of[q]], final[self.right_of[q]], latest[r])
                latest[r] = final[r] = V + 1 + t * width + j
        self.partition, self.left, self.right, self.previous = table
        self.root = int(final[R - 1])

    def _schedule(self, width: int, priority: np.ndarray, parts: np.ndarray) -> list[list[int]]:
        """List scheduling, highest priority first: a partition runs once its child
        regions are complete, and a region's partitions run in different steps."""
        V, P = self.n_vars, self.region_of.size
        users: list[list[int]] = [[] for _ in range(self.n_regions)]
        waiting = np.zeros(P, np.int64)
        for q in range(P):
            for c in {int(self.left_of[q]), int(self.right_of[q])}:
                if c >= V:
                    users[c].append(q)
                    waiting[q] += 1
        remaining = parts.copy()
        ready = [(-int(priority[q]), q) for q in range(P) if waiting[q] == 0]
        heapq.heapify(ready)
        steps = []
        while ready:
            step, busy, later = [], set(), []
            while ready and len(step) < width:
                item = heapq.heappop(ready)
                r = int(self.region_of[item[1]])
                if r in busy:
                    later.append(item)
                else:
                    busy.add(r)
                    step.append(item[1])
            for item in later:
                heapq.heappush(ready, item)
            for q in step:
                r = int(self.region_of[q])
                remaining[r] -= 1
                if remaining[r] == 0:
                    for u in users[r]:
                        waiting[u] -= 1
                        if waiting[u] == 0:
                            heapq.heappush(ready, (-int(priority[u]), u))
            steps.append(step)
        return steps


def _safe_log(s: jax.Array) -> jax.Array:
    """log s, with log 0 = −∞ and a zero (not NaN) gradient there; NaN stays NaN."""
    empty = s == 0
    return jnp.where(empty, -jnp.inf, jnp.log(jnp.where(empty, 1.0, s)))


def _shift(m: jax.Array) -> jax.Array:
    return jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0.0))


def _fast_log_matmul(a: jax.Array, b: jax.Array) -> jax.Array:
    """(S, B, K) ⊗ (S, K, N) in the Log semiring by one BLAS matmul, row maxima of ``a``
    and column maxima of ``b`` shifted out; NaN where an entry's shifted sum underflowed
    although its row and column are live (then only the exact path is right). The NaN
    reaches every later sum of its example, so the caller sees it in the output and
    needs no flag of its own: no reduction to compile or carry through the scan."""
    out, lost = _shifted_log_matmul(a, b)
    return jnp.where(lost, jnp.nan, out)


def _shifted_log_matmul(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    ma, mb = jnp.max(a, axis=2, keepdims=True), jnp.max(b, axis=1, keepdims=True)
    sa, sb = _shift(ma), _shift(mb)
    s = jnp.matmul(jnp.exp(a - sa), jnp.exp(b - sb))
    lost = jnp.isfinite(ma) & jnp.isfinite(mb) & (s < jnp.finfo(s.dtype).tiny)
    return _safe_log(s) + sa + sb, lost


def _terms(a: jax.Array, b: jax.Array) -> jax.Array:
    return a[:, :, :, None] + b[:, None, :, :]  # (S, B, K, N), fused into its reductions


@jax.custom_vjp
def _log_matmul(a: jax.Array, b: jax.Array) -> jax.Array:
    """The fast kernel, exact: entries whose shifted sum underflowed are recomputed term
    by term, and so is the gradient when there are any (both branches rarely run)."""
    return _log_matmul_forward(a, b)[0]


def _log_matmul_forward(a: jax.Array, b: jax.Array):
    out, lost = _shifted_log_matmul(a, b)

    def exact(out):
        z = _terms(a, b)
        top = _shift(jnp.max(z, axis=2))
        again = _safe_log(jnp.sum(jnp.exp(z - top[:, :, None, :]), axis=2)) + top
        return jnp.where(lost, again, out)

    any_lost = jnp.any(lost)
    out = jax.lax.cond(any_lost, exact, lambda out: out, out)
    return out, (a, b, out, any_lost)


def _log_matmul_backward(residuals, g):
    a, b, out, any_lost = residuals
    live = ~jnp.isinf(out)  # NaN stays live, so that it reaches the gradient

    def shifted(_):  # d out[m, n] / d a[m, k] = exp(a[m, k] + b[k, n] − out[m, n])
        sa = _shift(jnp.max(a, axis=2, keepdims=True))
        sb = _shift(jnp.max(b, axis=1, keepdims=True))
        w = jnp.where(live, g * jnp.exp(jnp.where(live, sa + sb - out, 0.0)), 0.0)
        ea, eb = jnp.exp(a - sa), jnp.exp(b - sb)
        ga = ea * jnp.matmul(w, jnp.swapaxes(eb, 1, 2))
        return ga, eb * jnp.matmul(jnp.swapaxes(ea, 1, 2), w)

    def exact(_):
        p = jnp.exp(_terms(a, b) - jnp.where(live, out, 0.0)[:, :, None, :])
        p = jnp.where(live[:, :, None, :], p, 0.0) * g[:, :, None, :]
        return jnp.sum(p, axis=3), jnp.sum(p, axis=1)

    return jax.lax.cond(any_lost, exact, shifted, None)


_log_matmul.defvjp(_log_matmul_forward, _log_matmul_backward)


def _m_step(log_w: jax.Array, counts: jax.Array, prior: Any, eta: Any, axis: int,
            groups: tuple[jax.Array, int] | None = None) -> jax.Array:  # fmt: skip
    """Counts plus prior, normalised along ``axis`` (and, for sums over several
    partitions, across the partitions of each region: ``groups``); log of the mix."""
    mass = counts + prior
    total = jnp.sum(mass, axis=axis, keepdims=True)
    if groups is not None:  # (P, K_in, K_out): one normaliser per region and unit
        segment, n = groups
        total = jax.ops.segment_sum(total[:, 0, :], segment, n)[segment][:, None, :]
    old = jnp.exp(log_w)
    new = jnp.where(total > 0, mass / jnp.where(total > 0, total, 1.0), old)
    return jnp.log((1 - eta) * old + eta * new)


def _gaussian_m_step(old: dict, flows: jax.Array, x: jax.Array, prior: Any, eta: Any) -> dict:
    """Flow-weighted mean and variance of each unit's observed values (V, K)."""
    seen = ~jnp.isnan(x).T[:, :, None]
    r = jnp.where(seen, flows, 0.0)  # (V, B, K)
    values = jnp.nan_to_num(x).T[:, :, None]
    n = r.sum(axis=1)
    some = n > 0
    safe_n = jnp.where(some, n, 1.0)
    mean = jnp.where(some, (r * values).sum(axis=1) / safe_n, old["mean"])
    spread = (r * (values - mean[:, None, :]) ** 2).sum(axis=1)
    var_old = jnp.exp(2 * old["log_scale"])
    var = jnp.where(n + prior > 0, (spread + prior) / jnp.where(n + prior > 0, n + prior, 1.0),
                    var_old)  # fmt: skip
    var = jnp.maximum((1 - eta) * var_old + eta * var, _MIN_VARIANCE)
    return {"mean": (1 - eta) * old["mean"] + eta * mean, "log_scale": 0.5 * jnp.log(var)}


def _host_weights(sums: list[Any], plan: _Plan) -> np.ndarray:
    """The normalised weights (P, K_in, K_out) on the host, in float64."""
    z = np.concatenate([np.asarray(s, np.float64) for s in sums])
    if not plan.mixing:
        return _softmax(z, axis=1)
    top = z.max(axis=(1,))  # (P, K)
    top = np.where(np.isfinite(top), top, 0.0)
    region_top = np.full((plan.n_internal, z.shape[2]), -np.inf)
    segment = np.asarray(plan.segment)
    np.maximum.at(region_top, segment, top)
    region_top = np.where(np.isfinite(region_top), region_top, 0.0)
    e = np.exp(z - region_top[segment][:, None, :])
    total = np.zeros_like(region_top)
    np.add.at(total, segment, e.sum(axis=1))
    return e / total[segment][:, None, :]


def _key_bits(key: Any) -> np.ndarray:
    """A JAX PRNG key's bits: a typed key (``jax.random.key``) or a raw ``uint32[2]``."""
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape == ():
            return np.asarray(jax.random.key_data(key)).reshape(-1)
    elif isinstance(key, (jax.Array, np.ndarray)) and key.dtype == np.uint32:
        if key.shape == (2,):
            return np.asarray(key)
    raise ArgumentTypeError(
        f"init: key must be a JAX PRNG key such as jax.random.key(0), got "
        f"{type(key).__name__} {getattr(key, 'dtype', '')} {key!r:.40}"
    )


def _softmax(logits: Any, axis: int) -> np.ndarray:
    """On the host, in float64 (an eager device softmax compiles a kernel per shape)."""
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)
