"""Matrix closure A* = I ⊕ A ⊕ A² ⊕ … in a closed semiring.

One algorithm serves every closed semiring: Lehmann's generalisation of
Floyd–Warshall, n rank-1 updates ``A ← A ⊕ A[:, k] ⊗ A[k, k]* ⊗ A[k, :]``
(a ``lax.fori_loop``, so it jits to one small loop). It gives all-pairs
shortest paths in MinPlus, reachability in Boolean, best paths in MaxPlus
and Viterbi, and path sums in Real, where the series converges only for
spectral radius < 1. Dual numbers and products are closed componentwise.

The series diverges exactly when some pivot A[k, k] (the cycles through k
via nodes before k) falls outside ``star_domain``: a negative cycle in
MinPlus, a positive one in MaxPlus, a cycle of probability ≥ 1 in Log.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import DivergenceError, NotClosedError, SpecError
from catlearn.semirings.carrier import checked, is_traced
from catlearn.semirings.dual import Dual
from catlearn.semirings.product import Product
from catlearn.semirings.real import Real
from catlearn.semirings.semiring import Array, Semiring, require_semiring


def closure(semiring: Semiring, a: Any) -> Array:
    """The Kleene closure A* of a square matrix over a closed semiring.

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import MinPlus
    >>> inf = jnp.inf
    >>> closure(MinPlus(), jnp.array([[inf, 1.0, inf], [inf, inf, 2.0], [inf, inf, inf]])).tolist()
    [[0.0, 1.0, 3.0], [inf, 0.0, 2.0], [inf, inf, 0.0]]

    Raises ``NotClosedError`` for a semiring without a star, ``SpecError``
    for a non-square input, and ``DivergenceError`` when the series
    diverges (a negative cycle in MinPlus, a positive one in MaxPlus, a
    cycle of probability ≥ 1 in Log, spectral radius ≥ 1 in Real, …)::

        >>> closure(MinPlus(), jnp.array([[inf, 1.0], [-3.0, inf]]))
        Traceback (most recent call last):
        ...
        catlearn.errors.DivergenceError: closure in MinPlus diverges: ...

    The check runs when ``a`` is concrete. Under ``jit`` it cannot, and the
    divergence shows in the values instead: ±∞ (or NaN) where the series
    diverges; for Real, (I − A)⁻¹, the series' value only when it converges.
    NaN entries propagate as NaN.
    """
    semiring = require_semiring(semiring, "closure: semiring")
    if not semiring.has_star:
        raise NotClosedError(f"closure needs a closed semiring (has_star); {semiring!r} has none")
    a = checked(semiring.asarray, a, f"closure in {semiring!r}: argument a")
    shape = semiring.index_shape(a)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise SpecError(f"closure needs a square matrix, got index shape {shape}")
    return _closure(semiring, a, shape[0])


def _closure(semiring: Semiring, a: Array, n: int) -> Array:
    if isinstance(semiring, Real):
        return _real_closure(a, n)
    if isinstance(semiring, Product):
        return (_closure(semiring.left, a[0], n), _closure(semiring.right, a[1], n))
    if isinstance(semiring, Dual):
        # (A, A′)* = (A*, A* ⊗ A′ ⊗ A*): the base decides convergence (for Real, by
        # its spectral radius, which no pivot test gives).
        S = semiring.base
        star = _closure(S, a[0], n)
        tangent = S.matmul(S.matmul(star[None], a[1][None]), star[None])[0]
        return (star, tangent)
    return _lehmann(semiring, a, n)


def _real_closure(a: Array, n: int) -> Array:
    if not is_traced(a) and n:
        host = np.asarray(a, dtype=np.float64)
        infinite = np.argwhere(np.isinf(host))
        if not np.isnan(host).any():  # NaN propagates: (I − A)⁻¹ is NaN then
            if len(infinite):
                i, j = infinite[0]
                raise DivergenceError(
                    f"Real closure I + A + A² + … diverges: a[{i}, {j}] = {host[i, j]}"
                )
            radius = float(np.max(np.abs(np.linalg.eigvals(host))))
            if radius >= 1.0:
                raise DivergenceError(
                    f"Real closure I + A + A² + … diverges: spectral radius {radius:.4g} ≥ 1"
                )
    eye = jnp.eye(n, dtype=a.dtype)
    return jnp.linalg.solve(eye - a, eye)


def _diverges(semiring: Semiring, pivot: Array) -> Array:
    """Outside ``star_domain`` and not NaN (NaN is not divergence: it propagates)."""
    nan = False
    for leaf in jax.tree.leaves(pivot):
        nan = nan | jnp.any(leaf != leaf)
    return ~jnp.asarray(semiring.star_domain(pivot)) & ~nan


def _lehmann(semiring: Semiring, a: Array, n: int) -> Array:
    def at(x, *ix):
        return jax.tree.map(lambda leaf: leaf[ix], x)

    def pick(condition, x, y):  # host carriers are numpy objects: decide in Python
        return (x if bool(condition) else y) if semiring.host else jnp.where(condition, x, y)

    def step(k, carry):
        a, first, culprit = carry
        col = jax.tree.map(lambda leaf: leaf[:, k], a)
        row = jax.tree.map(lambda leaf: leaf[k, :], a)
        pivot = at(a, k, k)
        fresh = (first == n) & _diverges(semiring, pivot)
        first = pick(fresh, k, first)
        culprit = jax.tree.map(lambda p, c: pick(fresh, p, c), pivot, culprit)
        star = semiring.star(pivot)
        through = semiring.mul(
            jax.tree.map(lambda leaf: leaf[:, None], semiring.mul(col, star)),
            jax.tree.map(lambda leaf: leaf[None, :], row),
        )
        return semiring.add(a, through), first, culprit

    carry = (a, jnp.asarray(n), at(a, 0, 0) if n else None)
    if semiring.host:
        for k in range(n):
            carry = step(k, carry)
    elif n:
        carry = jax.lax.fori_loop(0, n, step, carry)
    a, first, culprit = carry
    if not is_traced(a) and int(first) < n:
        k = int(first)
        value = jax.tree.map(lambda leaf: np.asarray(leaf).tolist(), culprit)
        raise DivergenceError(
            f"closure in {semiring!r} diverges: the cycles through node {k} (via earlier "
            f"nodes) weigh {value}, outside star_domain, so I ⊕ A ⊕ A² ⊕ … has no value"
        )
    return semiring.add(semiring.eye(n), a)
