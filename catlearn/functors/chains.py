"""Repeated structure becomes a loop: chains of boxes fed by a domain wire.

A run of boxes each with one input and one output wire, where each box
feeds only the next and all arrays have one square shape, is what an
unrolled model or a transfer-matrix product looks like. Contracted pair
by pair it becomes one XLA op per box (a 1000-box chain took 1.9 s to
trace and compile); pushed through a ``lax.scan`` over the stacked
arrays it is one loop, compiled once, whatever its length.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from catlearn.diagrams import Hypergraph

MIN_LENGTH = 8  # shorter runs are cheaper unrolled


def input_chains(graph: Hypergraph, wire_dims: list[int], min_length: int = MIN_LENGTH):
    """Runs of boxes starting at a domain wire: ``[(source position, [box ids], out wire)]``.

    Every wire inside a run touches exactly the two boxes it connects; the
    run's first wire is a domain wire used nowhere else.
    """
    uses = np.zeros(graph.n_wires, dtype=np.int64)
    np.add.at(uses, graph.inputs, 1)
    np.add.at(uses, graph.outputs, 1)
    np.add.at(uses, graph.sources, 1)
    np.add.at(uses, graph.targets, 1)
    n_in = np.diff(graph.in_offsets)
    n_out = np.diff(graph.out_offsets)
    simple = np.flatnonzero((n_in == 1) & (n_out == 1))
    # For a one-input box, its input is the entry its offset points at.
    consumer = dict(zip(graph.inputs[graph.in_offsets[simple]].tolist(), simple.tolist()))
    chains = []
    for position, wire in enumerate(graph.sources.tolist()):
        if uses[wire] != 2 or wire not in consumer:
            continue
        run, w = [], wire
        while w in consumer and (not run or uses[w] == 2):
            box = consumer[w]
            out = int(graph.outputs[graph.out_offsets[box]])
            if out == w or wire_dims[out] != wire_dims[w] or wire_dims[w] != wire_dims[wire]:
                break
            run.append(box)
            w = out
        if len(run) >= min_length:
            chains.append((position, run, w))
    return chains


def push_through(semiring: Any, vector: Any, stacked: Any) -> Any:
    """``vector ⊗ M₀ ⊗ M₁ ⊗ …`` by one ``lax.scan``; vector is (batch…, d), stacked (n, d, d)."""
    S = semiring
    shape = S.index_shape(vector)
    d = shape[-1]
    rows = int(np.prod(shape[:-1], dtype=np.int64))

    def to3(leaf, n_index):
        return leaf.reshape((1, rows, d) + leaf.shape[n_index:])

    carry = jax.tree.map(lambda leaf: to3(leaf, len(shape)), vector)

    def step(v, m):
        m3 = jax.tree.map(lambda leaf: leaf[None], m)
        return S.matmul(v, m3), None

    out, _ = jax.lax.scan(step, carry, stacked)
    return jax.tree.map(lambda leaf: leaf.reshape(tuple(shape) + leaf.shape[3:]), out)
