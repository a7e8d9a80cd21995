"""Matrix product for *selective* semirings, where ⊕ is max or min.

(max, +), (min, +), (max, ×), (max, min) and Łukasiewicz all pick one
term per output entry. Their product is computed a block of rows at a
time, so the (M, K, N) broadcast is never materialised (a 2048³ MaxPlus
product stays under a few hundred MiB), and differentiated by
*subgradient*: the cotangent of an output entry flows to the one pair
(a[m, k*], b[k*, n]) that won, through ``mul``'s own derivative. The
backward pass is a scatter of M·N values, never an M·K·N tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp

from catlearn.errors import SpecError

Mul = Callable[[jax.Array, jax.Array], jax.Array]

# Elements of one (rows, K, N) block. On CPU the block is materialised, so
# 2^22 f32 = 16 MiB bounds memory. On a GPU each block is one kernel launch
# and XLA fuses the broadcast into the reduction (the block is never
# written out), so blocks are 64× larger: measured on an H200 at n = 2048,
# MaxPlus forward 37.7 → 4.1 ms and its gradient 62 → 6.5 ms, with XLA
# temporaries of 21 and 128 MiB.
_BLOCK_ELEMENTS = {"cpu": 1 << 22, "gpu": 1 << 28}


def _block_elements() -> int:
    return _BLOCK_ELEMENTS.get(jax.default_backend(), 1 << 22)


def _blocked(mul: Mul, select: str, with_arg: bool, a: jax.Array, b: jax.Array):
    """Per batch, per block of rows: reduce mul(a[m, k], b[k, n]) over k."""
    reduce = jnp.max if select == "max" else jnp.min
    k, n = b.shape[1], b.shape[2]

    def row(a_row, b_mat):  # (K,), (K, N) → (N,)
        terms = mul(a_row[:, None], b_mat)
        value = reduce(terms, axis=0)
        if not with_arg:
            return value
        # The first k that attains the value; XLA vectorises this where it
        # does not vectorise argmax (measured 6× faster on CPU).
        ks = jnp.arange(k, dtype=jnp.int32)[:, None]
        return value, jnp.min(jnp.where(terms == value[None, :], ks, k), axis=0)

    def one_batch(ab):
        a_mat, b_mat = ab
        rows = max(1, min(a_mat.shape[0], _block_elements() // max(1, k * n)))
        return jax.lax.map(lambda r: row(r, b_mat), a_mat, batch_size=rows)

    if a.shape[0] == 1:
        out = one_batch((a[0], b[0]))
        return jax.tree.map(lambda x: x[None], out)
    return jax.lax.map(one_batch, (a, b))


@partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def selective_matmul(mul: Mul, select: str, a: jax.Array, b: jax.Array) -> jax.Array:
    """(B, M, K) × (B, K, N) → (B, M, N): out[m, n] = select_k mul(a[m, k], b[k, n])."""
    if a.shape[2] == 0:
        raise SpecError("selective_matmul needs K ≥ 1 (the caller fills zeros)")
    return _blocked(mul, select, False, a, b)


def _forward(mul, select, a, b):
    value, winner = _blocked(mul, select, True, a, b)
    return value, (a, b, winner)


def _backward(mul, select, residuals, g):
    a, b, winner = residuals
    batch, m, n = winner.shape
    bi = jnp.arange(batch)[:, None, None]
    mi = jnp.arange(m)[None, :, None]
    ni = jnp.arange(n)[None, None, :]
    a_win = a[bi, mi, winner]  # (B, M, N)
    b_win = b[bi, winner, ni]
    _, pullback = jax.vjp(mul, a_win, b_win)
    ga, gb = pullback(g)
    grad_a = jnp.zeros_like(a).at[bi, mi, winner].add(ga)
    grad_b = jnp.zeros_like(b).at[bi, winner, ni].add(gb)
    return grad_a, grad_b


selective_matmul.defvjp(_forward, _backward)
