"""A run of like boxes in a semiring, contracted by one ``lax.scan``.

The carry is a matrix ``(rows, d_in)``: a vector batch pushed through the
run, or the identity when the run's own product is wanted. Each block of
the run multiplies it by its boxes' matrices in turn; a box's array, axes
(inputs…, outputs…), is read as a ``(d_in, d_out)`` matrix, a free reshape.
Stacked arrays are read as matrices by a reshape outside the loop, so the
loop body holds only the products. Short runs are cheaper unrolled; ``should_scan``
is the measured rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from catlearn.semirings import Real

# Runs of fewer boxes are unrolled. Measured (benchmarks/parametrised.py, section D, on
# XLA:CPU): an unrolled 64×64 mat-vec chain runs 10–40% faster than a scan, but its
# compile grows by about 20 ms per box (1.2 s at 100 boxes, 10 s at 1,000) where the
# scan's stays near 0.15 s; at 16 boxes the two first calls are about even.
SCAN_MIN = 16
UNROLL = 1


def should_scan(repeats: int, period: int) -> bool:
    """Whether a run of ``repeats`` blocks of ``period`` boxes is scanned (else unrolled)."""
    return repeats * period >= SCAN_MIN


def _index_ndim(semiring: Any, x: Any) -> int:
    return len(semiring.index_shape(x))


def as_matrix(semiring: Any, array: Any, n_lead: int, d_in: int, d_out: int) -> Any:
    """``array`` (``n_lead`` leading axes, inputs…, outputs…) as ``lead + (d_in, d_out)``."""
    k = _index_ndim(semiring, array)
    return jax.tree.map(
        lambda leaf: leaf.reshape(leaf.shape[:n_lead] + (d_in, d_out) + leaf.shape[k:]), array
    )


def product(semiring: Any, a: Any, b: Any) -> Any:
    """``a ⊗ b`` for matrices. Real is ``@`` itself: the kernel's size-1 batch axis, added
    and squeezed inside a loop body, made the scan's gradient 1.5× slower on XLA:CPU."""
    if isinstance(semiring, Real):
        return a @ b
    one = jax.tree.map(lambda leaf: leaf[None], (a, b))
    return jax.tree.map(lambda leaf: leaf[0], semiring.matmul(*one))


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

    def step(v, xs):
        for j in range(len(slots)):
            v = product(S, v, xs[j] if tied[j] is None else tied[j])
        return v, None

    out, _ = jax.lax.scan(step, carry, stacked, length=repeats, unroll=UNROLL)
    return out


def rows_of(shape: Sequence[int], d_in: int) -> int:
    """How many rows a carry of index shape ``shape`` makes over a ``d_in``-wide input."""
    return int(np.prod(shape, dtype=np.int64)) // max(d_in, 1)
