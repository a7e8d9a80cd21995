"""Tensorised probabilistic circuits: K units per region, one dense layer per tree level.

Every region of a :class:`RegionTree` holds K units. A leaf region's
units are K categorical distributions over its variable (or, with
``leaf="gaussian"``, K normal densities over a real variable); an internal
region multiplies its children's units elementwise (a Hadamard product,
CP-style) and mixes them with a K×K sum layer; the root mixes to one
unit. All regions of a level are one ``(regions, batch, K)`` tensor, so a
level costs one elementwise ⊗ and one batched semiring matmul — for the
Log semiring max-shift → exp → BLAS → log, which is where EiNets' and
cirkit's speed comes from (reference/circuit-libraries.md).

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
``Circuit``, ~K² edges per region, built vectorised), for the queries
and checks that work on any circuit.

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

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.circuits.circuit import LEAF, PRODUCT, SUM, Circuit, CircuitError
from catlearn.circuits.evidence import evidence_array
from catlearn.circuits.region_graph import RegionTree
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.semirings import Log, MaxPlus, Semiring, require_semiring

LEAVES = ("categorical", "gaussian")
_HALF_LOG_2PI = 0.5 * float(np.log(2 * np.pi))


class TensorizedPC:
    """A smooth, decomposable probabilistic circuit over a region tree (see module docstring)."""

    def __init__(
        self, tree: RegionTree, units: int, states: int = 2, leaf: str = "categorical"
    ) -> None:
        if not isinstance(tree, RegionTree):
            raise ArgumentTypeError(
                f"TensorizedPC: tree must be a RegionTree (random_binary_tree, quad_tree), "
                f"got {type(tree).__name__}"
            )
        units = whole(units, "TensorizedPC: units (need units ≥ 1)", least=1)
        states = whole(states, "TensorizedPC: states (need states ≥ 2)", least=2)
        if leaf not in LEAVES:
            raise ArgumentValueError(f"leaf must be one of {LEAVES}, got {leaf!r:.40}")
        self.tree, self.units, self.states, self.leaf = tree, units, states, leaf
        self._jitted = jax.jit(self._evaluate, static_argnums=2)
        # Evaluation numbers regions level by level, so that a level's outputs are one
        # static slice (an in-place update; its gradient a slice) rather than a scatter.
        V = tree.n_vars
        renumber = np.empty(tree.n_regions, np.int64)
        renumber[np.concatenate([np.arange(V), *tree.levels])] = np.arange(tree.n_regions)
        self._slices, start = [], V
        for level in tree.levels:
            left, right = renumber[tree.left[level - V]], renumber[tree.right[level - V]]
            self._slices.append((start, start + level.size, jnp.asarray(left), jnp.asarray(right)))
            start += level.size
        self._root = int(renumber[tree.root])
        self._levels = [
            (jnp.asarray(level), jnp.asarray(tree.left[level - tree.n_vars]),
             jnp.asarray(tree.right[level - tree.n_vars]))
            for level in tree.levels
        ]  # fmt: skip

    def init(self, key: jax.Array) -> dict[str, Any]:
        """Logits: leaves (n_vars, K, states), one (regions, K, K) per level, root (K,).

        Gaussian leaves are ``{"mean": (n_vars, K), "log_scale": (n_vars, K)}``
        (standard-normal means, unit scales)."""
        _require_key(key)
        keys = jax.random.split(key, len(self._levels) + 2)
        K = self.units
        V = self.tree.n_vars
        if self.leaf == "gaussian":
            leaves: Any = {
                "mean": jax.random.normal(keys[0], (V, K)),
                "log_scale": jnp.zeros((V, K)),
            }
        else:
            leaves = jax.random.normal(keys[0], (V, K, self.states))
        return {
            "leaves": leaves,
            "sums": [
                jax.random.normal(k, (level.size, K, K)) * 0.5
                for k, (level, _, _) in zip(keys[1:], self._levels)
            ],
            "root": jax.random.normal(keys[-1], (K,)) * 0.5,
        }

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
        V = self.tree.n_vars
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
        x = jnp.asarray(x)
        return self._jitted(params, x, S)

    def _check_params(self, params: Any) -> None:
        """The shapes ``init`` makes (static, so also checked under ``jit``)."""
        V, K = self.tree.n_vars, self.units
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
        sums = params["sums"]
        if not isinstance(sums, (list, tuple)) or len(sums) != len(self._levels):
            raise CircuitError(f"params['sums'] must be a list of {len(self._levels)} arrays")
        shapes += [(f"sums[{i}]", w, (level.size, K, K))
                   for i, (w, (level, _, _)) in enumerate(zip(sums, self._levels))]  # fmt: skip
        shapes.append(("root", params["root"], (K,)))
        for name, a, want in shapes:
            if tuple(jnp.shape(a)) != want:
                raise CircuitError(f"params['{name}'] must have shape {want}, got {jnp.shape(a)}")

    def _leaves(self, params: dict[str, Any], x: jax.Array, S: Semiring) -> jax.Array:
        """Every leaf unit's log value on every example: (V, B, K)."""
        V = self.tree.n_vars
        if self.leaf == "gaussian":
            mean, log_scale = params["leaves"]["mean"], params["leaves"]["log_scale"]
            z = (jnp.nan_to_num(x).T[:, :, None] - mean[:, None, :]) * jnp.exp(-log_scale)[:, None]
            peak = -log_scale[:, None, :] - _HALF_LOG_2PI  # the density at its mode
            seen = peak - 0.5 * z**2
            # Marginalised: ∫ N = 1 under Log (log 0); under MaxPlus, the mode's density.
            unseen = jnp.zeros_like(peak) if isinstance(S, Log) else peak
            return jnp.where(jnp.isnan(x).T[:, :, None], unseen, seen)
        leaf = jax.nn.log_softmax(params["leaves"], axis=-1)  # (V, K, states)
        seen = leaf[jnp.arange(V)[:, None], :, jnp.maximum(x, 0).T]  # (V, B, K)
        unseen = S.sum(leaf, axis=-1)[:, None, :]  # marginalised: ⊕ over the states
        return jnp.where(x.T[:, :, None] < 0, unseen, seen)

    def _evaluate(self, params: dict[str, Any], x: jax.Array, S: Semiring) -> jax.Array:
        values = self._leaves(params, x, S)
        regions = jnp.zeros((self.tree.n_regions, x.shape[0], self.units), values.dtype)
        regions = regions.at[: self.tree.n_vars].set(values)
        for (start, stop, left, right), logits in zip(self._slices, params["sums"]):
            product = S.mul(regions[left], regions[right])  # (R, B, K): Hadamard
            weights = jax.nn.log_softmax(logits, axis=1)  # normalised over inputs
            regions = regions.at[start:stop].set(S.matmul(product, weights))
        root = regions[self._root]  # (B, K): the root region's units, mixed to one
        weights = jax.nn.log_softmax(params["root"])
        return S.sum(S.mul(root, weights[None, :]), axis=1)

    def to_circuit(self, params: dict[str, Any]) -> Circuit:
        """The same PC as a flat ``Circuit`` with normalised weights (vectorised build)."""
        if self.leaf != "categorical":
            raise CircuitError(
                "to_circuit needs categorical leaves: a Circuit's leaves are indicators"
            )
        self._check_params(params)
        t, K, St = self.tree, self.units, self.states
        V = t.n_vars
        leaf_w = _softmax(params["leaves"], axis=-1)
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
        unit = np.empty((t.n_regions, K), np.int64)  # node id of each region's units
        kids = np.broadcast_to(ind[:, None, :], (V, K, St)).reshape(V * K, St)
        unit[:V] = add(SUM, V * K, kids, leaf_w.reshape(V * K, St)).reshape(V, K)
        for (level, left, right), logits in zip(self._levels, params["sums"]):
            level, left, right = np.asarray(level), np.asarray(left), np.asarray(right)
            R = level.size
            pairs = np.stack([unit[left], unit[right]], axis=-1).reshape(R * K, 2)
            prods = add(PRODUCT, R * K, pairs, np.ones(R * K * 2)).reshape(R, K)
            w = _softmax(logits, axis=1)  # (R, K_in, K_out)
            sum_kids = np.broadcast_to(prods[:, None, :], (R, K, K)).reshape(R * K, K)
            sum_w = np.transpose(w, (0, 2, 1)).reshape(R * K, K)
            unit[level] = add(SUM, R * K, sum_kids, sum_w).reshape(R, K)
        root_w = _softmax(params["root"], axis=0)
        root = add(SUM, 1, unit[t.root][None, :], root_w[None, :])
        n_states = np.full(V + 1, St, np.int64)
        n_states[0] = 0
        return Circuit.from_arrays(
            np.concatenate(kinds), np.concatenate(offsets), np.concatenate(children),
            np.concatenate(var), np.concatenate(state), root, n_states,
            np.concatenate(weights),
        )  # fmt: skip


def _require_key(key: Any) -> None:
    """A JAX PRNG key: a typed key (``jax.random.key``) or a raw ``uint32[2]`` one."""
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape == ():
            return
    elif isinstance(key, (jax.Array, np.ndarray)) and key.dtype == np.uint32:
        if key.shape == (2,):
            return
    raise ArgumentTypeError(
        f"init: key must be a JAX PRNG key such as jax.random.key(0), got "
        f"{type(key).__name__} {getattr(key, 'dtype', '')} {key!r:.40}"
    )


def _softmax(logits: Any, axis: int) -> np.ndarray:
    """On the host, in float64 (an eager device softmax compiles a kernel per shape)."""
    z = np.asarray(logits, dtype=np.float64)
    z = np.exp(z - z.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)
