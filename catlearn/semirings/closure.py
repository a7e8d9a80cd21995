"""Matrix closure A* = I ⊕ A ⊕ A² ⊕ … in a closed semiring.

One algorithm serves every closed semiring: Lehmann's generalisation of
Floyd–Warshall, n rank-1 updates ``A ← A ⊕ A[:, k] ⊗ A[k, k]* ⊗ A[k, :]``
(a ``lax.fori_loop``, so it jits to one small loop). It gives all-pairs
shortest paths in MinPlus (−∞ where a negative cycle is reachable),
reachability in Boolean, best paths in MaxPlus and Viterbi, and path sums
in Real, where the series converges only for spectral radius < 1.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import DivergenceError, NotClosedError, SpecError
from catlearn.semirings.real import Real
from catlearn.semirings.semiring import Array, Semiring


def closure(semiring: Semiring, a: Any) -> Array:
    """The Kleene closure A* of a square matrix over a closed semiring.

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import MinPlus
    >>> inf = jnp.inf
    >>> closure(MinPlus(), jnp.array([[inf, 1.0, inf], [inf, inf, 2.0], [inf, inf, inf]])).tolist()
    [[0.0, 1.0, 3.0], [inf, 0.0, 2.0], [inf, inf, 0.0]]

    Raises ``NotClosedError`` for a semiring without a star, ``SpecError``
    for a non-square input, and, for ``Real``, ``DivergenceError`` when the
    spectral radius is ≥ 1 (checked when ``a`` is concrete; under ``jit``
    the result is (I − A)⁻¹, the series' value only when it converges).
    """
    if not semiring.has_star:
        raise NotClosedError(f"closure needs a closed semiring (has_star); {semiring!r} has none")
    a = semiring.asarray(a)
    shape = semiring.index_shape(a)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise SpecError(f"closure needs a square matrix, got index shape {shape}")
    n = shape[0]
    if isinstance(semiring, Real):
        return _real_closure(a, n)
    if semiring.host:
        return _lehmann(semiring, a, n, range)
    return _lehmann(semiring, a, n, None)


def _real_closure(a: Array, n: int) -> Array:
    if not isinstance(a, jax.core.Tracer):
        radius = float(np.max(np.abs(np.linalg.eigvals(np.asarray(a, dtype=np.float64)))))
        if radius >= 1.0:
            raise DivergenceError(
                f"Real closure I + A + A² + … diverges: spectral radius {radius:.4g} ≥ 1"
            )
    eye = jnp.eye(n, dtype=a.dtype)
    return jnp.linalg.solve(eye - a, eye)


def _lehmann(semiring: Semiring, a: Array, n: int, loop) -> Array:
    def step(k, a):
        col = jax.tree.map(lambda leaf: leaf[:, k], a)
        row = jax.tree.map(lambda leaf: leaf[k, :], a)
        pivot = semiring.star(jax.tree.map(lambda leaf: leaf[k, k], a))
        through = semiring.mul(
            jax.tree.map(lambda leaf: leaf[:, None], semiring.mul(col, pivot)),
            jax.tree.map(lambda leaf: leaf[None, :], row),
        )
        return semiring.add(a, through)

    if loop is not None:
        for k in loop(n):
            a = step(k, a)
    else:
        a = jax.lax.fori_loop(0, n, step, a)
    return semiring.add(semiring.eye(n), a)
