"""A run of like boxes in a semiring, contracted by one ``lax.scan``.

The carry is a matrix ``(rows, d_in)``: a vector batch pushed through the
run, or the identity when the run's own product is wanted. Each block of
the run multiplies it by its boxes' matrices in turn; a box's array, axes
(inputs…, outputs…), is read as a ``(d_in, d_out)`` matrix, a free reshape.
Stacked arrays are reshaped to the kernel's ``(1, d_in, d_out)`` batch form
*outside* the loop, so nothing is broadcast per step and the backward pass
keeps no copy of the weights. Short runs are cheaper unrolled; ``should_scan``
is the measured rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

# Below this many blocks a run is unrolled (see benchmarks/parametrised.py, section D):
# on XLA:CPU a scan step costs a few microseconds of loop overhead, an unrolled
# 64×64 mat-vec about as much, and the unrolled chain compiles in well under a second.
SCAN_MIN = 32
UNROLL = 1


def should_scan(repeats: int, period: int) -> bool:
    """Whether a run of ``repeats`` blocks of ``period`` boxes is scanned (else unrolled)."""
    return repeats * period >= SCAN_MIN


def _index_ndim(semiring: Any, x: Any) -> int:
    return len(semiring.index_shape(x))


def as_matrix(semiring: Any, array: Any, n_lead: int, d_in: int, d_out: int) -> Any:
    """``array`` (``n_lead`` leading axes, inputs…, outputs…) as ``lead + (1, d_in, d_out)``."""
    k = _index_ndim(semiring, array)
    return jax.tree.map(
        lambda leaf: leaf.reshape(leaf.shape[:n_lead] + (1, d_in, d_out) + leaf.shape[k:]), array
    )


def scan_run(
    semiring: Any,
    carry: Any,
    slots: Sequence[tuple[str, Any]],
    dims: Sequence[tuple[int, int]],
    repeats: int,
) -> Any:
    """``carry ⊗ B₀ ⊗ B₁ ⊗ …`` for the blocks Bₖ of a run; ``carry`` is ``(rows, d_in)``.

    ``slots[j]`` is ``("stacked", array)`` (one row per block) or ``("tied", array)``
    (the same array in every block), for the box at position ``j`` of a block,
    whose wires have ``dims[j] = (d_in, d_out)``.
    """
    S = semiring
    stacked = tuple(
        as_matrix(S, a, 1, *dims[j]) if kind == "stacked" else None
        for j, (kind, a) in enumerate(slots)
    )
    tied = tuple(
        as_matrix(S, a, 0, *dims[j]) if kind == "tied" else None
        for j, (kind, a) in enumerate(slots)
    )
    v = jax.tree.map(lambda leaf: leaf[None], carry)  # (1, rows, d_in): the kernel's batch

    def step(v, xs):
        for j in range(len(slots)):
            v = S.matmul(v, xs[j] if tied[j] is None else tied[j])
        return v, None

    out, _ = jax.lax.scan(step, v, stacked, length=repeats, unroll=UNROLL)
    return jax.tree.map(lambda leaf: leaf[0], out)


def rows_of(shape: Sequence[int], d_in: int) -> int:
    """How many rows a carry of index shape ``shape`` makes over a ``d_in``-wide input."""
    return int(np.prod(shape, dtype=np.int64)) // max(d_in, 1)
