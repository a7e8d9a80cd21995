"""The log semiring: probabilities as log-probabilities, stable at −∞.

⊕ is log-sum-exp and ⊗ is +. Zero is −∞ (probability 0), one is 0.
Gradients of a ⊕-sum are the posterior weights softmax(terms) — in a
circuit or tensor network, marginals. Every reduction here is max-shifted
and guarded so that an all-(−∞) input gives −∞ with a zero (never NaN)
gradient.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from catlearn.semirings.floats import FloatSemiring
from catlearn.semirings.semiring import Array


def _shift(m: Array) -> Array:
    # The shift is a constant of the computation: its gradient cancels.
    return jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0.0))


def _safe_log(s: Array) -> Array:
    positive = s > 0
    return jnp.where(positive, jnp.log(jnp.where(positive, s, 1.0)), -jnp.inf)


def logsumexp(x: Array, axis: int) -> Array:
    """log Σ exp(x) along ``axis``; −∞ (gradient 0) where every term is −∞."""
    m = _shift(jnp.max(x, axis=axis, keepdims=True))
    s = jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True)
    return jnp.squeeze(_safe_log(s) + m, axis=axis)


def logaddexp(a: Array, b: Array) -> Array:
    """log(exp(a) + exp(b)), with the gradient of (−∞, −∞) equal to (0, 0)."""
    m = _shift(jnp.maximum(a, b))
    return _safe_log(jnp.exp(a - m) + jnp.exp(b - m)) + m


def _exact_log_matmul(a: Array, b: Array) -> Array:
    """Row by row log-sum-exp of all terms: exact, O(M·K·N) work, O(K·N) memory."""

    def row(a_row, b_mat):  # (K,), (K, N) → (N,)
        return logsumexp(a_row[:, None] + b_mat, axis=0)

    return jax.vmap(lambda am, bm: jax.lax.map(lambda r: row(r, bm), am))(a, b)


@jax.jit
def log_matmul(a: Array, b: Array) -> Array:
    """(B, M, K) ⊗ (B, K, N) in the log semiring, by one BLAS matmul.

    ``log(exp(a − ma) @ exp(b − mb)) + ma + mb`` with ma the row maxima of a
    and mb the column maxima of b. When the shifted sum underflows
    although some pair of terms is finite (row and column maxima far apart,
    beyond the float's exponent range), those entries are recomputed
    exactly; the check costs one comparison unless underflow happens.
    """
    ma = _shift(jnp.max(a, axis=2, keepdims=True))
    mb = _shift(jnp.max(b, axis=1, keepdims=True))
    s = jnp.matmul(jnp.exp(a - ma), jnp.exp(b - mb))
    out = _safe_log(s) + ma + mb
    tiny = jnp.finfo(s.dtype).tiny
    rows_live = jnp.any(jnp.isfinite(a), axis=2, keepdims=True)
    cols_live = jnp.any(jnp.isfinite(b), axis=1, keepdims=True)
    suspect = (s < tiny) & rows_live & cols_live

    def refine(out):
        live = jnp.isfinite(a).astype(s.dtype) @ jnp.isfinite(b).astype(s.dtype)
        lost = suspect & (live > 0)
        return jax.lax.cond(
            jnp.any(lost),
            lambda o: jnp.where(lost, _exact_log_matmul(a, b), o),
            lambda o: o,
            out,
        )

    return jax.lax.cond(jnp.any(suspect), refine, lambda o: o, out)


class Log(FloatSemiring):
    """(ℝ ∪ {−∞}, log-sum-exp, +, −∞, 0): the real semiring in log space.

    Gradients w.r.t. the terms of a ⊕-sum are their posterior weights.
    ``star(a) = −log(1 − exp(a))``, defined for a < 0 (probability < 1).

    >>> import jax, jax.numpy as jnp
    >>> Log().sum(jnp.array([-jnp.inf, -jnp.inf]), axis=0).item()
    -inf
    >>> jax.grad(lambda x: Log().sum(x, axis=0))(jnp.array([-jnp.inf, -jnp.inf])).tolist()
    [0.0, 0.0]
    """

    name = "Log"
    zero, one = -float("inf"), 0.0
    has_star = True

    def add(self, a: Array, b: Array) -> Array:
        return logaddexp(a, b)

    def mul(self, a: Array, b: Array) -> Array:
        return a + b

    def sum(self, x: Array, axis: int) -> Array:
        return logsumexp(x, axis=axis)

    def prod(self, x: Array, axis: int) -> Array:
        return jnp.sum(x, axis=axis)

    def matmul(self, a: Array, b: Array) -> Array:
        return log_matmul(a, b)

    def star(self, a: Array) -> Array:
        return -jnp.log1p(-jnp.exp(a))

    def star_domain(self, a: Array) -> Array:
        return a < 0.0
