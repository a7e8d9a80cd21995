"""The log semiring: probabilities as log-probabilities, stable at −∞.

⊕ is log-sum-exp and ⊗ is +. Zero is −∞ (probability 0), one is 0.
Gradients of a ⊕-sum are the posterior weights softmax(terms) — in a
circuit or tensor network, marginals. Every reduction here is max-shifted
and guarded so that an all-(−∞) input gives −∞ with a zero (never NaN)
gradient, while a NaN term makes its sum NaN (the shift of a NaN row is 0,
and the sum of its exponentials stays NaN through the final log).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from catlearn.semirings.floats import FloatSemiring
from catlearn.semirings.semiring import Array, reduced_shape


def _shift(m: Array) -> Array:
    # The shift is a constant of the computation: its gradient cancels.
    return jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0.0))


def _safe_log(s: Array) -> Array:
    # s is a sum of exponentials: 0 (log −∞, gradient 0), positive, or NaN, which
    # must reach the result (a `s > 0` test would turn NaN into −∞).
    empty = s == 0
    return jnp.where(empty, -jnp.inf, jnp.log(jnp.where(empty, 1.0, s)))


def logsumexp(x: Array, axis: int) -> Array:
    """log Σ exp(x) along ``axis``; −∞ (gradient 0) where every term is −∞ or there is
    none, NaN where a term is NaN."""
    if x.shape[axis] == 0:  # max has no identity: the empty sum is the zero, −∞
        return jnp.full(reduced_shape(x.shape, axis), -jnp.inf, x.dtype)
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


def _exact_log_matmul_vjp(a: Array, b: Array, out: Array, g: Array):
    """Cotangents from the exact weights exp(a + b − out), one row at a time."""

    def one_batch(args):
        a_mat, b_mat, out_mat, g_mat = args

        def row(gb, xs):
            a_row, out_row, g_row = xs
            live = jnp.isfinite(out_row)
            w = jnp.exp(a_row[:, None] + b_mat - jnp.where(live, out_row, 0.0)[None, :])
            w = jnp.where(live[None, :], w, 0.0) * g_row[None, :]  # (K, N)
            return gb + w, jnp.sum(w, axis=1)

        gb, ga = jax.lax.scan(row, jnp.zeros_like(b_mat), (a_mat, out_mat, g_mat))
        return ga, gb

    return jax.lax.map(one_batch, (a, b, out, g))


def _shifted(a: Array, b: Array):
    ma = _shift(jnp.max(a, axis=2, keepdims=True))
    mb = _shift(jnp.max(b, axis=1, keepdims=True))
    ea, eb = jnp.exp(a - ma), jnp.exp(b - mb)
    return ma, mb, ea, eb


def _lost(a: Array, b: Array, s: Array) -> Array:
    """Entries whose shifted sum underflowed although a finite pair of terms exists."""
    tiny = jnp.finfo(s.dtype).tiny
    rows_live = jnp.any(jnp.isfinite(a), axis=2, keepdims=True)
    cols_live = jnp.any(jnp.isfinite(b), axis=1, keepdims=True)
    suspect = (s < tiny) & rows_live & cols_live

    def count_live_pairs(_):
        live = jnp.isfinite(a).astype(s.dtype) @ jnp.isfinite(b).astype(s.dtype)
        return suspect & (live > 0)

    # The extra matmul runs only when some entry is suspect.
    return jax.lax.cond(jnp.any(suspect), count_live_pairs, lambda _: suspect, None)


@jax.custom_vjp
def log_matmul(a: Array, b: Array) -> Array:
    """(B, M, K) ⊗ (B, K, N) in the log semiring, by one BLAS matmul.

    ``log(exp(a − ma) @ exp(b − mb)) + ma + mb`` with ma the row maxima of a
    and mb the column maxima of b. When the shifted sum underflows
    although some pair of terms is finite (row and column maxima far apart,
    beyond the float's exponent range), those entries are recomputed
    exactly; the check costs one comparison unless underflow happens. The
    gradient is two more BLAS matmuls (the exact row-by-row path only
    where entries were recomputed), and stores nothing of size M·K·N.
    """
    return _log_matmul_forward(a, b)[0]


def _log_matmul_forward(a: Array, b: Array):
    ma, mb, ea, eb = _shifted(a, b)
    s = jnp.matmul(ea, eb)
    out = _safe_log(s) + ma + mb
    lost = _lost(a, b, s)
    out = jax.lax.cond(
        jnp.any(lost),
        lambda o: jnp.where(lost, _exact_log_matmul(a, b), o),
        lambda o: o,
        out,
    )
    return out, (a, b, out, lost)


def _log_matmul_backward(residuals, g):
    a, b, out, lost = residuals
    ma, mb, ea, eb = _shifted(a, b)
    # NaN entries stay live, so that their NaN reaches the gradient as autodiff would.
    live = ~jnp.isinf(out) & ~lost
    # d out[m, n] / d a[m, k] = exp(a[m, k] + b[k, n] − out[m, n]): factor the shifts.
    w = jnp.where(live, g * jnp.exp(jnp.where(live, ma + mb - out, 0.0)), 0.0)
    ga = ea * jnp.matmul(w, jnp.swapaxes(eb, 1, 2))
    gb = eb * jnp.matmul(jnp.swapaxes(ea, 1, 2), w)

    def add_exact(grads):
        ga_lost, gb_lost = _exact_log_matmul_vjp(a, b, out, jnp.where(lost, g, 0.0))
        return grads[0] + ga_lost, grads[1] + gb_lost

    return jax.lax.cond(jnp.any(lost), add_exact, lambda grads: grads, (ga, gb))


log_matmul.defvjp(_log_matmul_forward, _log_matmul_backward)
log_matmul = jax.jit(log_matmul)


class Log(FloatSemiring):
    """(ℝ ∪ {−∞}, log-sum-exp, +, −∞, 0): the real semiring in log space.

    Gradients w.r.t. the terms of a ⊕-sum are their posterior weights.
    ``star(a) = −log(1 − exp(a))`` for a < 0 (probability < 1), +∞ for a ≥ 0
    where the series diverges. NaN propagates through every operation.

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
        if a.shape[2] == 0:
            return jnp.full(a.shape[:2] + b.shape[2:], -jnp.inf, jnp.result_type(a, b))
        return log_matmul(a, b)

    def star(self, a: Array) -> Array:
        """−log(1 − exp a) for a < 0; +∞ for a ≥ 0, where the series diverges."""
        a = self.asarray(a)
        inside = -jnp.log1p(-jnp.exp(jnp.minimum(a, 0.0)))
        return jnp.where(a >= 0.0, jnp.inf, inside)

    def star_domain(self, a: Array) -> Array:
        return self.asarray(a) < 0.0
