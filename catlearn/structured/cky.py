"""CKY: the inside algorithm of a CNF grammar over a batch of sentences, any semiring.

The chart holds one element per span and label. A span of width w ≥ 2
sums over its w − 1 split points and every pair of child labels (B, C):

    β[i, i+w, A] = ⊕_k ⊕_{B, C} β[i, k, B] ⊗ β[k, i+w, C] ⊗ rule[A, B, C]

computed for all spans of one width at once as two semiring matmuls: the
split points against the child-label pairs, then the pairs against the
rules. The chart is kept twice, by start and by end, so that the children
of every span of a width are two contiguous blocks; widths run as a few
``scan`` loops over groups of widths (one compiled body per group). In Log
the widths are computed in probability space, with an exact log-space
fallback wherever that could underflow (see ``WIDTH_GROUPS``).

Two entry points share it:

- :func:`stringsum`, :func:`parse`, :func:`kbest_parses` for a
  :class:`~catlearn.structured.grammar.WCFG` in Chomsky normal form and
  sentences of terminals (``grammar.to_cnf()`` first);
- :class:`CFG`, torch-struct's SentCFG layout, for learning from
  log-potentials under ``jit``: ``terms`` (batch, N, T) scores preterminal t
  at word n, ``rules`` (NT, S, S) or (batch, NT, S, S) scores A → B C with
  S = NT + T (index NT + t is preterminal t), ``roots`` (NT,) or (batch, NT)
  the root label. Single words are preterminals only, wider spans
  nonterminals only. The gradient of the Log partition is the expected
  count of every term, rule and root.

    >>> from catlearn.semirings import Counting
    >>> from catlearn.structured.grammar import WCFG
    >>> g = WCFG.from_text("S -> S S 0.5\\nS -> a 0.5")
    >>> round(float(stringsum(g, "a a a".split())), 6)   # two trees, 5 rules each
    0.0625
    >>> int(stringsum(g, ["a"] * 6, semiring=Counting()))   # Catalan(5)
    42
    >>> parse(g, ["a", "a", "a"])[1]
    ('S', ('S', 'a'), ('S', ('S', 'a'), ('S', 'a')))
"""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Log, MaxPlus, Semiring, TopK, require_semiring
from catlearn.semirings.carrier import is_traced
from catlearn.structured import carrier
from catlearn.structured.grammar import WCFG, require_cnf
from catlearn.structured.potentials import FirstMaxPlus, lift
from catlearn.structured.program import DynamicProgram

Array = Any


# -- the inside algorithm ------------------------------------------------------------


def _put(S: Semiring, chart: Array, key: Any, value: Array) -> Array:
    """``chart[key] = value`` without mutating: ``.at[].set`` for JAX, a copy on the host."""
    if S.host:

        def put(leaf: np.ndarray, v: np.ndarray) -> np.ndarray:
            out = leaf.copy()
            out[key] = v
            return out

        return jax.tree.map(put, chart, value)
    return jax.tree.map(lambda leaf, v: leaf.at[key].set(v), chart, value)


def inside(
    S: Semiring,
    leaves: Array,
    rules: Array,
    roots: Array,
    lengths: Array,
    spans: Array | None = None,
) -> Array:
    """⊕ over the trees of each sentence, shape (batch,).

    ``leaves`` (B, N, K): the width-1 chart (K labels). ``rules`` (R, A, K, K),
    R ∈ {1, B}: A → B C, where the labels of wider spans are the first A of
    the K. ``roots`` (R', A): the root label's weight. ``lengths`` (B,) ≥ 1.
    ``spans`` (B, N, N, K), optional: a weight ⊗-ed into every chart entry
    [width − 1, start, label] (its gradient marks the spans a tree uses).
    Log without ``spans`` runs in probability space with an exact fallback
    (see ``WIDTH_GROUPS``); every other case the generic chart, in semiring
    operations. JAX semirings run it as one compiled program per shape.
    """
    if S.host:
        return _inside(S, leaves, rules, roots, lengths, spans)
    return _inside_jit(S, leaves, rules, roots, jnp.asarray(lengths), spans)


def _inside(
    S: Semiring,
    leaves: Array,
    rules: Array,
    roots: Array,
    lengths: Array,
    spans: Array | None = None,
) -> Array:
    if isinstance(S, Log) and spans is None:
        chart, lost = _log_scan(leaves, rules, exact=False)

        def exact(leaves: Array, rules: Array, roots: Array, lengths: Array) -> Array:
            return _at_root(S, _log_scan(leaves, rules, exact=True)[0], roots, lengths)

        total = _at_root(S, chart, roots, lengths)
        return _unless_lost(total, lost, exact, leaves, rules, roots, lengths)
    return _at_root(S, _chart(S, leaves, rules, spans), roots, lengths)


_inside_jit = jax.jit(_inside, static_argnums=0)


def _at_root(S: Semiring, chart: Array, roots: Array, lengths: Array) -> Array:
    """⊕_A β(0, length, A) ⊗ root[A] per sentence; zero for the empty one."""
    A = S.index_shape(roots)[-1]
    B = S.index_shape(chart)[0]
    xp = np if S.host else jnp
    lengths = xp.asarray(lengths)
    last = xp.maximum(lengths - 1, 0)
    top = carrier.index(chart, (xp.arange(B), 0, last))  # (B, K)
    top = carrier.index(top, (slice(None), slice(0, A)))
    total = S.sum(S.mul(top, roots), axis=1)
    return S.where(lengths > 0, total, S.zeros((B,)))


def _chart(S: Semiring, leaves: Array, rules: Array, spans: Array | None) -> Array:
    """The chart by start, (B, N, N, K): [b, i, d] = β(i, i + d + 1), in any semiring.

    The same layout and width groups as the Log chart (see ``WIDTH_GROUPS``):
    a padded block of children reads zeros where a split point or span does
    not exist, and zero annihilates, so no mask is needed.
    """
    B, N, K = S.index_shape(leaves)
    R, A = S.index_shape(rules)[:2]
    xp = np if S.host else jnp
    flat = carrier.reshape(S, rules, (R, A, K * K))
    flat = carrier.moveaxis(S, flat, 1, 2)  # (R, K·K, A)
    if spans is not None:
        leaves = S.mul(leaves, carrier.index(spans, (slice(None), 0)))
    groups = _groups(list(range(2, N + 1)))
    pad = max((hi - lo for lo, hi in groups), default=0)
    # by_end[b, j, N − 1 − d] = β(j − d, j + 1): the right children of a width are a block.
    by_start = _put(S, S.zeros((B, N, N, K)), (slice(None), slice(None), 0), leaves)
    by_end = S.zeros((B, N + pad, N + pad, K))
    by_end = _put(S, by_end, (slice(None), slice(0, N), N - 1), leaves)
    for lo, hi in groups:
        n, s = N - lo + 1, hi - 1  # spans and split points, padded to the group's largest

        def step(carry: tuple, w: Array, n: int = n, s: int = s) -> tuple:
            by_start, by_end = carry
            left = carrier.index(by_start, (slice(None), slice(0, n), slice(0, s)))
            right = _block(S, by_end, (0, w - 1, N - w + 1, 0), (B, n, s, K))
            left = carrier.reshape(S, carrier.moveaxis(S, left, 3, 2), (B * n, K, s))
            right = carrier.reshape(S, right, (B * n, s, K))
            pairs = S.matmul(left, right)  # (B·n, K, K): ⊕ over split points
            pairs = carrier.reshape(S, pairs, (R, B * n // R, K * K))
            new = carrier.reshape(S, S.matmul(pairs, flat), (B, n, A))  # ⊕ over (B, C)
            if A < K:
                new = carrier.concatenate(S, [new, S.zeros((B, n, K - A))], axis=2)
            if spans is not None:
                mark = _block(S, spans, (0, w - 1, 0, 0), (B, 1, n, K))
                new = S.mul(new, carrier.reshape(S, mark, (B, n, K)))
            new = carrier.expand(S, new, 2)
            by_start = _put_block(S, by_start, new, (0, 0, w - 1, 0))
            by_end = _put_block(S, by_end, new, (0, w - 1, N - w, 0))
            return (by_start, by_end), None

        (by_start, by_end), _ = carrier.steps(S, step, (by_start, by_end), xp.arange(lo, hi + 1))
    return by_start


def _block(S: Semiring, x: Array, starts: tuple, sizes: tuple) -> Array:
    """``x[starts : starts + sizes]`` on the index axes, ``starts`` possibly traced."""
    if S.host:
        key = tuple(slice(int(a), int(a) + b) for a, b in zip(starts, sizes))
        return jax.tree.map(lambda leaf: leaf[key], x)

    def cut(leaf: Array) -> Array:
        extra = leaf.ndim - len(sizes)  # element axes (TopK's k, …) come whole
        return jax.lax.dynamic_slice(
            leaf, tuple(starts) + (0,) * extra, tuple(sizes) + leaf.shape[leaf.ndim - extra :]
        )

    return jax.tree.map(cut, x)


def _put_block(S: Semiring, x: Array, value: Array, starts: tuple) -> Array:
    """``x`` with ``value`` written at ``starts`` on the index axes."""
    if S.host:
        n = len(S.index_shape(value))
        key = tuple(slice(int(a), int(a) + b) for a, b in zip(starts, S.index_shape(value)[:n]))
        return _put(S, x, key, value)

    def put(leaf: Array, v: Array) -> Array:
        extra = leaf.ndim - len(starts)
        return jax.lax.dynamic_update_slice(leaf, v, tuple(starts) + (0,) * extra)

    return jax.tree.map(put, x, value)


# -- the log semiring, fast --------------------------------------------------------------


def _shift(m: Array) -> Array:
    # A constant of the computation (its gradient cancels); 0 where there is nothing.
    return jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0.0))


def _safe_log(q: Array) -> Array:
    empty = q == 0
    return jnp.where(empty, -jnp.inf, jnp.log(jnp.where(empty, 1.0, q)))


# The Log chart is computed in probability space where that is exact: per width, the
# children are shifted by their best label (per span and split point) and the split
# points by the best one, so that every factor lies in [0, 1]; the rules are
# exponentiated once, shifted per parent label. A width is then two BLAS matmuls and
# one log of (B, n, A). A product that underflows lies below float `tiny` in the
# shifted scale, so a sum is exact to rounding unless it is itself below K²·N·tiny/eps;
# if any entry where a derivation may exist has such a sum, the whole sum is
# recomputed term by term in log space (slow, exact).


# Groups of widths, each one scan body: fewer compile faster, more compute more.
WIDTH_GROUPS = 4


def _log_scan(leaves: Array, rules: Array, exact: bool) -> tuple[Array, Array]:
    """The chart by start and whether the fast path lost an entry.

    The widths run as a ``scan`` per group of widths (``WIDTH_GROUPS``),
    padded to the group's largest split count and span count: one compiled
    body per group instead of one per width (XLA's CPU compile time grows
    with the kernels it emits), at ~25% more arithmetic.
    """
    B, N, K = leaves.shape
    R, A = rules.shape[:2]
    info = jnp.finfo(leaves.dtype)
    floor = K * K * N * float(info.tiny) / float(info.eps)
    flat = rules.reshape(R, A, K * K)
    top_rule = _shift(jnp.max(flat, axis=2, keepdims=True))  # (R, A, 1)
    exp_rules = jnp.swapaxes(jnp.exp(flat - top_rule), 1, 2)  # (R, K·K, A), entries ≤ 1
    live_rule = jnp.any(flat > -jnp.inf, axis=2)[:, None, :]  # (R, 1, A)
    top_rule = top_rule[:, None, :, 0]  # (R, 1, A)
    groups = _groups(list(range(2, N + 1)))
    pad = max((hi - lo for lo, hi in groups), default=0)
    # by_start[b, i, d] = β(i, i + d + 1); by_end[b, j, N − 1 − d] = β(j − d, j + 1), padded
    # so that every group's fixed-size block of right children stays inside (−∞ there).
    by_start = jnp.full((B, N, N, K), -jnp.inf, leaves.dtype).at[:, :, 0].set(leaves)
    by_end = jnp.full((B, N + pad, N + pad, K), -jnp.inf, leaves.dtype)
    by_end = by_end.at[:, :N, N - 1].set(leaves)
    lost = jnp.zeros((), bool)
    for lo, hi in groups:
        n, s = N - lo + 1, hi - 1  # spans and split points, padded to the group's largest

        def step(carry: tuple, w: Array, n: int = n, s: int = s) -> tuple:
            by_start, by_end, lost = carry
            # Split points past w − 1 and spans past N − w read −∞ cells: no mask needed.
            left = by_start[:, :n, :s]  # (B, n, s, K)
            right = jax.lax.dynamic_slice(by_end, (0, w - 1, N - w + 1, 0), (B, n, s, K))
            if exact:
                new = _log_exact(left, right, flat)
            else:
                new, lost_here = _log_fast(left, right, exp_rules, top_rule, live_rule, floor)
                lost = lost | lost_here
            if A < K:
                new = jnp.concatenate([new, jnp.full((B, n, K - A), -jnp.inf, new.dtype)], axis=2)
            by_start = jax.lax.dynamic_update_slice(by_start, new[:, :, None], (0, 0, w - 1, 0))
            by_end = jax.lax.dynamic_update_slice(by_end, new[:, :, None], (0, w - 1, N - w, 0))
            return (by_start, by_end, lost), None

        (by_start, by_end, lost), _ = jax.lax.scan(
            step, (by_start, by_end, lost), jnp.arange(lo, hi + 1)
        )
    return by_start, lost


def _log_fast(
    left: Array, right: Array, exp_rules: Array, top_rule: Array, live_rule: Array, floor: float
) -> tuple[Array, Array]:
    """The spans of one width, (B, n, A), from their children (B, n, s, K) each, and
    whether an entry may have underflowed."""
    B, n, s, K = left.shape
    R, _, A = exp_rules.shape
    best_left = jnp.max(left, axis=3, keepdims=True)
    best_right = jnp.max(right, axis=3, keepdims=True)
    shift_right = _shift(best_right)
    best = _shift(jnp.max(_shift(best_left) + shift_right, axis=2, keepdims=True))
    # exp(left + shift_right − best) = the split point's weight × the left child's labels.
    e_left = jnp.exp(left + shift_right - best).reshape(B * n, s, K)
    e_right = jnp.exp(right - shift_right).reshape(B * n, s, K)
    pairs = jnp.matmul(jnp.swapaxes(e_left, 1, 2), e_right)  # (B·n, K, K)
    q = jnp.matmul(pairs.reshape(R, B * n // R, K * K), exp_rules).reshape(B, n, A)
    live_span = jnp.any((best_left > -jnp.inf) & (best_right > -jnp.inf), axis=(2, 3))
    lost = jnp.any((q < floor) & live_span[:, :, None] & live_rule)
    return _safe_log(q) + best[:, :, 0] + top_rule, lost


def _log_exact(left: Array, right: Array, flat: Array) -> Array:
    """One width term by term in log space: (B, n, A)."""
    S = Log()
    B, n, s, K = left.shape
    R, A = flat.shape[:2]
    pairs = S.sum(left[..., :, None] + right[..., None, :], axis=2)  # (B, n, K, K)
    pairs = pairs.reshape(R, B * n // R, 1, K * K)
    return S.sum(pairs + flat[:, None], axis=3).reshape(B, n, A)


@jax.jit  # one program (inlined under an outer jit); eagerly, op by op would compile slowly
def _sentcfg_log(terms: Array, rules: Array, roots: Array, lengths: Array) -> Array:
    """SentCFG's Log partition: the fast chart, or the exact one if it lost an entry."""
    S = Log()
    B, N, _ = terms.shape
    NT = rules.shape[1]
    chart, lost = _sentcfg_log_fast(terms, rules)

    def exact(terms: Array, rules: Array, roots: Array, lengths: Array) -> Array:
        # The generic exact chart, preterminal labels after the NT ones.
        no = jnp.full((B, N, NT), -jnp.inf, terms.dtype)
        leaves = jnp.concatenate([no, terms], axis=2)
        return _at_root(S, _log_scan(leaves, rules, exact=True)[0], roots, lengths)

    total = _at_root(S, chart, roots, lengths)
    return _unless_lost(total, lost, exact, terms, rules, roots, lengths)


def _unless_lost(total: Array, lost: Array, exact: Any, *args: Array) -> Array:
    """``total``, or ``exact(*args)`` if the fast path lost an entry (decided on the
    host when it can be, by ``lax.cond`` on the (B,) result under a trace)."""
    try:
        rerun = bool(lost)
    except jax.errors.ConcretizationTypeError:
        exact = jax.checkpoint(exact)  # its terms are recomputed, not stored, for gradients
        return jax.lax.cond(lost, lambda: exact(*args), lambda: total)
    return exact(*args) if rerun else total


def _groups(widths: list[int]) -> list[tuple[int, int]]:
    """``widths`` cut into at most ``WIDTH_GROUPS`` runs of consecutive widths, (lo, hi)."""
    if not widths:
        return []
    # About 8 widths a group at least: short sentences compile one or two bodies.
    size = -(-len(widths) // min(WIDTH_GROUPS, max(1, len(widths) // 8)))
    return [
        (widths[i], widths[min(i + size, len(widths)) - 1]) for i in range(0, len(widths), size)
    ]


def _sentcfg_log_fast(terms: Array, rules: Array) -> tuple[Array, Array]:
    """The fast chart of SentCFG's layout and whether it lost an entry.

    Single words are preterminals, wider spans nonterminals, so a span of
    width w has three kinds of split: a word then a span (k = 1), a span then
    a word (k = w − 1), and two spans (the others, an NT × NT matmul over
    the split points). All three, shifted to one scale per span as in
    the Log chart, meet the rules in one matmul over NT² + 2·T·NT pairs.
    Width 2 (two words) is done on its own. Underflow: see the comment above
    :data:`WIDTH_GROUPS`.
    """
    B, N, T = terms.shape
    R, A, K, _ = rules.shape
    info = jnp.finfo(terms.dtype)
    floor = K * K * N * float(info.tiny) / float(info.eps)
    top_rule = _shift(jnp.max(rules.reshape(R, A, K * K), axis=2))  # (R, A)
    e = jnp.exp(rules - top_rule[:, :, None, None])
    blocks = [e[:, :, :A, :A], e[:, :, A:, :A], e[:, :, :A, A:]]  # NN, TN, NT: (R, A, ·, ·)
    e_mid = jnp.swapaxes(jnp.concatenate([b.reshape(R, A, -1) for b in blocks], axis=2), 1, 2)
    e_words = jnp.swapaxes(e[:, :, A:, A:].reshape(R, A, T * T), 1, 2)  # (R, T², A)
    live_rule = jnp.any(rules > -jnp.inf, axis=(2, 3))[:, None, :]  # (R, 1, A)
    top_rule = top_rule[:, None, :]
    word_top = _shift(jnp.max(terms, axis=2, keepdims=True))  # (B, N, 1)
    e_term = jnp.exp(terms - word_top)
    chart = jnp.full((B, N, N, A), -jnp.inf, terms.dtype)
    if N < 2:
        return chart, jnp.zeros((), bool)

    def finish(q: Array, best: Array, live: Array) -> tuple[Array, Array]:
        lost = jnp.any((q < floor) & live[:, :, None] & live_rule)
        return _safe_log(q) + best + top_rule, lost

    # Width 2: word i, word i + 1.
    n = N - 1
    pairs = e_term[:, :n, :, None] * e_term[:, 1:, None, :]  # (B, n, T, T)
    q = jnp.matmul(pairs.reshape(R, B * n // R, T * T), e_words).reshape(B, n, A)
    live = (terms[:, :n].max(axis=2) > -jnp.inf) & (terms[:, 1:].max(axis=2) > -jnp.inf)
    new, lost = finish(q, word_top[:, :n] + word_top[:, 1:], live)
    widths = list(range(3, N + 1))
    groups = _groups(widths)
    pad = max((hi - lo for lo, hi in groups), default=0) + 1
    by_start = chart.at[:, :n, 1].set(new)
    by_end = jnp.full((B, N + pad, N + pad, A), -jnp.inf, terms.dtype)
    by_end = by_end.at[:, 1:N, N - 2].set(new)
    pad_rows = jnp.full((B, pad, 1), -jnp.inf, terms.dtype)
    tops = jnp.concatenate([word_top, pad_rows], axis=1)  # (B, N + pad, 1)
    words = jnp.concatenate([e_term, jnp.zeros((B, pad, T), terms.dtype)], axis=1)
    live_words = jnp.concatenate([terms.max(axis=2) > -jnp.inf, jnp.zeros((B, pad), bool)], 1)

    for lo, hi in groups:
        n, s = N - lo + 1, hi - 2  # spans; span-span split points (k = 2 … w − 2), padded

        def step(carry: tuple, w: Array, n: int = n, s: int = s) -> tuple:
            by_start, by_end, lost = carry
            # Two spans: left widths 2 … s + 1, right the rest (−∞ past w − 2: no mask).
            left = by_start[:, :n, 1 : s + 1]  # (B, n, s, A)
            right = jax.lax.dynamic_slice(by_end, (0, w - 1, N - w + 2, 0), (B, n, s, A))
            # Word then span (i + 1, width w − 1); span (i, width w − 1) then word i + w − 1.
            after = jax.lax.dynamic_slice(by_start, (0, 1, w - 2, 0), (B, n, 1, A))[:, :, 0]
            before = jax.lax.dynamic_slice(by_start, (0, 0, w - 2, 0), (B, n, 1, A))[:, :, 0]
            last_top = jax.lax.dynamic_slice(tops, (0, w - 1, 0), (B, n, 1))
            last = jax.lax.dynamic_slice(words, (0, w - 1, 0), (B, n, T))
            best_left = jnp.max(left, axis=3, keepdims=True)
            best_right = jnp.max(right, axis=3, keepdims=True)
            best_after = jnp.max(after, axis=2, keepdims=True)
            best_before = jnp.max(before, axis=2, keepdims=True)
            shift_right = _shift(best_right)
            mid = jnp.max(_shift(best_left) + shift_right, axis=2)  # (B, n, 1)
            first = word_top[:, :n] + _shift(best_after)
            final = _shift(best_before) + _shift(last_top)
            best = _shift(jnp.maximum(jnp.maximum(mid, first), final))  # (B, n, 1)
            e_left = jnp.exp(left + shift_right - best[:, :, None]).reshape(B * n, s, A)
            e_right = jnp.exp(right - shift_right).reshape(B * n, s, A)
            span_span = jnp.matmul(jnp.swapaxes(e_left, 1, 2), e_right)  # (B·n, A, A)
            word_span = (
                e_term[:, :n, :, None] * jnp.exp(after + word_top[:, :n] - best)[:, :, None, :]
            )  # (B, n, T, A)
            span_word = (
                jnp.exp(before + _shift(last_top) - best)[:, :, :, None] * last[:, :, None, :]
            )  # (B, n, A, T)
            x = jnp.concatenate(
                [
                    span_span.reshape(B, n, A * A),
                    word_span.reshape(B, n, T * A),
                    span_word.reshape(B, n, A * T),
                ],
                axis=2,
            )
            q = jnp.matmul(x.reshape(R, B * n // R, -1), e_mid).reshape(B, n, A)
            live = (
                jnp.any((best_left > -jnp.inf) & (best_right > -jnp.inf), axis=(2, 3))
                | (live_words[:, :n] & (best_after[:, :, 0] > -jnp.inf))
                | ((best_before[:, :, 0] > -jnp.inf) & (last_top[:, :, 0] > -jnp.inf))
            )
            new, lost_here = finish(q, best, live)
            by_start = jax.lax.dynamic_update_slice(by_start, new[:, :, None], (0, 0, w - 1, 0))
            by_end = jax.lax.dynamic_update_slice(by_end, new[:, :, None], (0, w - 1, N - w, 0))
            return (by_start, by_end, lost | lost_here), None

        (by_start, by_end, lost), _ = jax.lax.scan(
            step, (by_start, by_end, lost), jnp.arange(lo, hi + 1)
        )
    return by_start, lost


# -- sentences of a WCFG -------------------------------------------------------------


def _sentences(g: WCFG, tokens: Any, lengths: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Token ids (B, N), lengths (B,), and whether one sentence was given."""
    if isinstance(tokens, (str, bytes)):
        raise ArgumentTypeError(
            "tokens: expected a sequence of terminal symbols (e.g. 'a b'.split()), a list of "
            "them, or an integer array of ids; got a str"
        )
    ids = {t: i for i, t in enumerate(g.terminals)}
    if isinstance(tokens, jax.Array) or (isinstance(tokens, np.ndarray) and tokens.dtype != object):
        if is_traced(tokens):
            raise ArgumentTypeError("tokens: stringsum runs on the host; got a traced array")
        arr = np.asarray(tokens)
        if not np.issubdtype(arr.dtype, np.integer):
            raise ArgumentTypeError(f"tokens: an id array must be integers, got {arr.dtype}")
        single = arr.ndim == 1
        arr = arr[None] if single else arr
        if arr.ndim != 2:
            raise ShapeError(f"tokens: ids must have shape (N,) or (batch, N), got {arr.shape}")
        if lengths is None:
            lens = np.full(arr.shape[0], arr.shape[1])
        else:
            lens = np.asarray(lengths)
            if not np.issubdtype(lens.dtype, np.integer) or lens.shape != (arr.shape[0],):
                raise ShapeError(
                    f"lengths: expected integers of shape ({arr.shape[0]},), got "
                    f"{lens.dtype}{lens.shape}"
                )
            bad = np.flatnonzero((lens < 0) | (lens > arr.shape[1]))
            if bad.size:
                raise ArgumentValueError(
                    f"lengths[{bad[0]}] = {lens[bad[0]]} is outside 0..{arr.shape[1]}"
                )
        live = np.arange(arr.shape[1])[None, :] < lens[:, None]
        bad = np.argwhere(live & ((arr < 0) | (arr >= len(ids))))
        if len(bad):
            b, i = bad[0]
            raise ArgumentValueError(
                f"tokens[{b}, {i}] = {arr[b, i]} is not a terminal id (0..{len(ids) - 1})"
            )
        return np.where(live, arr, 0), lens.astype(np.int64), single
    if lengths is not None:
        raise ArgumentTypeError("lengths: give lengths only with an integer array of token ids")
    seqs = list(tokens)
    single = not seqs or all(isinstance(t, str) for t in seqs)
    if single:
        seqs = [seqs]
    rows = []
    for b, seq in enumerate(seqs):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
            raise ArgumentTypeError(
                f"tokens[{b}]: expected a sequence of terminal symbols, got {seq!r:.40}"
            )
        row = []
        for i, t in enumerate(seq):
            if t not in ids:
                where = f"tokens[{i}]" if single else f"tokens[{b}][{i}]"
                raise ArgumentValueError(
                    f"{where} = {t!r} is not a terminal of the grammar (terminals: "
                    f"{', '.join(map(repr, g.terminals[:8]))}{', …' if len(ids) > 8 else ''})"
                )
            row.append(ids[t])
        rows.append(row)
    n = max((len(r) for r in rows), default=0)
    arr = np.zeros((len(rows), n), dtype=np.int64)
    for b, r in enumerate(rows):
        arr[b, : len(r)] = r
    return arr, np.array([len(r) for r in rows], dtype=np.int64), single


def _grammar(grammar: Any, semiring: Semiring | None, what: str) -> WCFG:
    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(f"{what}: expected a WCFG, got {type(grammar).__name__}")
    g = grammar if semiring is None else grammar.over(require_semiring(semiring, what))
    return require_cnf(g, what)


def _string_inside(
    S: Semiring, g: WCFG, ids: np.ndarray, lengths: np.ndarray, spans: Array | None = None
) -> Array:
    B, N = ids.shape
    if N == 0 or not g.terminals:
        return S.zeros((B,))
    t = g.tensors()
    xp = np if S.host else jnp
    lexical = carrier.moveaxis(S, t.lexical, 1, 0)  # (V, n)
    leaves = carrier.index(lexical, xp.asarray(ids))  # (B, N, n)
    n = len(g.nonterminals)
    root = S.where(xp.arange(n)[None, :] == t.root, S.ones((1, n)), S.zeros((1, n)))
    return inside(S, leaves, carrier.expand(S, t.binary, 0), root, lengths, spans)


def stringsum(
    grammar: WCFG, tokens: Any, semiring: Semiring | None = None, lengths: Any = None
) -> Array:
    """⊕ over the derivations of each sentence of ⊗ over their rules (CNF grammars).

    ``tokens`` is one sentence (a sequence of terminals: one element back), a
    list of sentences, or an integer array (batch, N) of ids into
    ``grammar.terminals`` with ``lengths`` (batch,) (elements of shape (batch,)
    back). ``semiring`` reads the grammar in another semiring
    (:meth:`WCFG.over`). The empty sentence weighs zero (CNF has no ε).
    """
    g = _grammar(grammar, semiring, "stringsum")
    ids, lens, single = _sentences(g, tokens, lengths)
    out = _string_inside(g.semiring, g, ids, lens)
    if not single:
        return out
    # An element, as an array even on the host (numpy would hand back a bare int).
    return jax.tree.map(lambda leaf: leaf[0:1].reshape(leaf.shape[1:]), out)


def _scores(grammar: Any, what: str, semiring: Semiring) -> WCFG:
    g = _grammar(grammar, None, what)
    try:
        return g.over(semiring)
    except ArgumentTypeError:
        raise ArgumentTypeError(
            f"{what}: a best derivation needs ordered weights (Real, Viterbi, Log, MaxPlus, "
            f"Counting, Boolean); the grammar is over {g.semiring!r}"
        ) from None


def _tree(g: WCFG, used: np.ndarray, tokens: list[str], length: int) -> Any:
    """The tree whose spans ``used`` (width − 1, start, label) marks."""
    cells: dict[tuple[int, int], str] = {}
    for d, i, a in np.argwhere(used > 0.5):
        cells[(int(d) + 1, int(i))] = g.nonterminals[int(a)]

    def build(i: int, w: int) -> Any:
        label = cells[(w, i)]
        if w == 1:
            return (label, tokens[i])
        for k in range(1, w):
            if (k, i) in cells and (w - k, i + k) in cells:
                return (label, build(i, k), build(i + k, w - k))
        raise AssertionError("the marked spans do not form a tree")  # unreachable

    return build(0, length)


def tree_weight(grammar: WCFG, tree: Any) -> Array:
    """⊗ over the rules of a derivation tree ``(label, child, …)``, leaves terminals."""
    S = grammar.semiring

    def weight(node: Any) -> Array:
        if isinstance(node, str):
            return S.ones(())
        label, *kids = node
        rhs = tuple(k if isinstance(k, str) else k[0] for k in kids)
        total = grammar.weight(label, rhs)
        for k in kids:
            total = S.mul(total, weight(k))
        return total

    return weight(tree)


def parse(grammar: WCFG, tokens: Any) -> tuple[Array, Any] | list[tuple[Array, Any]]:
    """The best derivation: ``(weight, tree)``, or ``(zero, None)`` if there is none.

    The tree is nested tuples ``(label, left, right)`` / ``(label, terminal)``
    over the CNF grammar's symbols; its weight is in the grammar's semiring.
    Best means highest probability (Real, Viterbi) or score (Log, MaxPlus);
    ties go to the first. A list of sentences gives a list of pairs.
    """
    g = _grammar(grammar, None, "parse")
    scores = _scores(g, "parse", MaxPlus())
    ids, lens, single = _sentences(g, tokens, None)
    sentences = _words(g, ids, lens)
    B, N = ids.shape
    n = len(g.nonterminals)
    S = FirstMaxPlus()
    out = []
    if N and g.terminals:

        def best(s: Array) -> Array:
            return _string_inside(S, scores, ids, lens, s)

        def total(s: Array) -> tuple[Array, Array]:
            v = best(s)
            return jnp.sum(jnp.where(v > -jnp.inf, v, 0.0)), v  # no parse: 0, no gradient

        # One compiled program for the scores and the spans they use.
        grad = jax.jit(jax.grad(total, has_aux=True))
        used, values = (np.asarray(x) for x in grad(jnp.zeros((B, N, N, n))))
    for b in range(B):
        if not N or lens[b] == 0 or not values[b] > -np.inf:
            out.append((g.semiring.zeros(()), None))
            continue
        tree = _tree(g, used[b], sentences[b], int(lens[b]))
        out.append((tree_weight(g, tree), tree))
    return out[0] if single else out


def kbest_parses(grammar: WCFG, tokens: Any, k: int) -> list[tuple[Array, Any]] | list[list]:
    """The k best derivations, best first: a list of ``(weight, tree)`` (fewer if fewer
    exist). Equal scores come in either order. A list of sentences gives a list of lists."""
    k = whole(k, "k", least=1)
    g = _grammar(grammar, None, "kbest_parses")
    scores = _scores(g, "kbest_parses", TopK(k))
    ids, lens, single = _sentences(g, tokens, None)
    sentences = _words(g, ids, lens)
    B, N = ids.shape
    n = len(g.nonterminals)
    S = TopK(k)
    out: list[list] = [[] for _ in range(B)]
    if N and g.terminals:

        def best(s: Array) -> Array:
            return _string_inside(S, scores, ids, lens, S.lift(s))  # (B, k)

        def totals(s: Array) -> tuple[Array, Array]:  # the j-th best of every sentence, summed
            v = best(s)
            return jnp.sum(jnp.where(v > -jnp.inf, v, 0.0), axis=0), v

        jacobian = jax.jit(jax.jacrev(totals, has_aux=True))
        jac, values = (np.asarray(x) for x in jacobian(jnp.zeros((B, N, N, n))))  # (k, B, …)
        for b in range(B):
            for j in range(k):
                if lens[b] == 0 or not values[b, j] > -np.inf:
                    break
                tree = _tree(g, jac[j, b], sentences[b], int(lens[b]))
                out[b].append((tree_weight(g, tree), tree))
    return out[0] if single else out


def _words(g: WCFG, ids: np.ndarray, lens: np.ndarray) -> list[list[str]]:
    return [[g.terminals[int(t)] for t in row[: int(n)]] for row, n in zip(ids, lens)]


# -- torch-struct's SentCFG layout, for learning ----------------------------------------


class CFG(DynamicProgram):
    """Binary trees labelled by a PCFG in CNF, scored by (terms, rules, roots).

    Potentials are the triple ``(terms, rules, roots)`` described in the module
    docstring; ``lengths`` counts words, 2 … N (a single word has no binary
    tree in this layout). ``sum`` is jit-friendly and batched.

        >>> import jax, jax.numpy as jnp
        >>> terms, rules, roots = jnp.zeros((1, 3, 2)), jnp.zeros((1, 3, 3)), jnp.zeros(1)
        >>> p, lengths = CFG().check((terms, rules, roots))   # 3 words, NT = 1, T = 2
        >>> round(float(jnp.exp(CFG().sum(p, Log(), lengths)[0])))   # 2 bracketings × 2³ tags
        16
    """

    name = "CFG"

    def event_doc(self) -> str:
        return "terms (batch, N, T), rules ([batch,] NT, S, S), roots ([batch,] NT)"

    def least_length(self) -> int:
        return 2

    def check(self, log_potentials: Any, lengths: Any = None) -> tuple[tuple, Array]:
        """Checked ``((terms, rules, roots), lengths)``: float arrays, shapes agreeing."""
        if not isinstance(log_potentials, (tuple, list)) or len(log_potentials) != 3:
            raise ArgumentTypeError(
                "CFG: log_potentials must be the triple (terms, rules, roots), got "
                f"{type(log_potentials).__name__}"
            )
        arrays = []
        for name, x in zip(("terms", "rules", "roots"), log_potentials):
            if x is None or isinstance(x, (str, bytes)):
                raise ArgumentTypeError(f"CFG: {name} must be an array of scores, got {x!r:.40}")
            a = jnp.asarray(x)
            if not (jnp.issubdtype(a.dtype, jnp.floating) or jnp.issubdtype(a.dtype, jnp.integer)):
                raise ArgumentTypeError(f"CFG: {name} must be real scores, got dtype {a.dtype}")
            arrays.append(a.astype(jnp.result_type(float)) if a.dtype.kind != "f" else a)
        terms, rules, roots = arrays
        if terms.ndim != 3:
            raise ShapeError(f"CFG: terms must have shape (batch, N, T), got {terms.shape}")
        B, N, T = terms.shape
        if rules.ndim not in (3, 4) or rules.shape[-1] != rules.shape[-2]:
            raise ShapeError(
                f"CFG: rules must have shape (NT, S, S) or (batch, NT, S, S), got {rules.shape}"
            )
        NT, S = rules.shape[-3], rules.shape[-1]
        if S != NT + T or NT < 1:
            raise ShapeError(
                f"CFG: rules {rules.shape} need S = NT + T = {NT} + {T} = {NT + T} child "
                f"labels (T from terms {terms.shape}), got {S}"
            )
        if rules.ndim == 4 and rules.shape[0] != B:
            raise ShapeError(f"CFG: batched rules need {B} rows (terms' batch), got {rules.shape}")
        if roots.shape not in ((NT,), (B, NT)):
            raise ShapeError(
                f"CFG: roots must have shape ({NT},) or ({B}, {NT}), got {roots.shape}"
            )
        _, lengths = _Lengths(N).check(jnp.zeros((B, N)), lengths)
        return (terms, rules, roots), lengths

    def sum(self, potentials: tuple, semiring: Semiring, lengths: Array) -> Array:
        """⊕ over trees; ``potentials`` already in ``semiring``'s carrier."""
        S = semiring
        terms, rules, roots = potentials
        B, N, T = S.index_shape(terms)
        shape = S.index_shape(rules)
        NT = shape[-3]
        if len(shape) == 3:
            rules = carrier.expand(S, rules, 0)
        if len(S.index_shape(roots)) == 1:
            roots = carrier.expand(S, roots, 0)
        if isinstance(S, Log):
            return _sentcfg_log(terms, rules, roots, jnp.asarray(lengths))
        leaves = carrier.concatenate(S, [S.zeros((B, N, NT)), terms], axis=2)
        return inside(S, leaves, rules, roots, lengths)

    def structures(self, shape: tuple[int, ...], length: int) -> tuple[np.ndarray, ...]:
        """Every tree of ``length`` words for ``shape`` = (N, NT, T), as stacked 0/1
        count arrays (terms (M, N, T), rules (M, NT, S, S), roots (M, NT))."""
        N, NT, T = shape
        S = NT + T
        out: list[tuple[np.ndarray, ...]] = []
        for inner in _bracketings(0, length):
            for labels in itertools.product(range(NT), repeat=len(inner)):
                lab = dict(zip(inner, labels))
                for tags in itertools.product(range(T), repeat=length):
                    terms = np.zeros((N, T))
                    rules = np.zeros((NT, S, S))
                    roots = np.zeros(NT)
                    terms[np.arange(length), tags] = 1
                    roots[lab[(0, length)]] = 1

                    for (i, j), (left, right) in inner.items():
                        kids = [
                            NT + tags[a] if b - a == 1 else lab[(a, b)] for a, b in (left, right)
                        ]
                        rules[lab[(i, j)], kids[0], kids[1]] += 1
                    out.append((terms, rules, roots))
        return tuple(np.stack(parts) for parts in zip(*out))

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        raise NotImplementedError("CFG: exact sampling is not implemented")


class _Lengths(DynamicProgram):
    """The lengths check of CFG (words, 2 … N) by the base class's rules."""

    name = "CFG"
    event_ndim = 1

    def __init__(self, N: int) -> None:
        self.N = N

    def least_length(self) -> int:
        return 2

    def check_event(self, shape: tuple[int, ...]) -> int:
        return self.N


def _bracketings(i: int, j: int) -> list[dict]:
    """Every full binary bracketing of words i..j−1: {span: (left, right)} of inner spans."""
    if j - i == 1:
        return [{}]
    out = []
    for k in range(i + 1, j):
        for left in _bracketings(i, k):
            for right in _bracketings(k, j):
                out.append({(i, j): ((i, k), (k, j)), **left, **right})
    return out


def cfg_partition(
    terms: Array,
    rules: Array,
    roots: Array,
    lengths: Array | None = None,
    semiring: Semiring | None = None,
) -> Array:
    """⊕ over trees in ``semiring`` (default Log: log Z) from SentCFG log-potentials.

    Checks shapes and lengths on the host (lengths must be concrete here;
    under ``jit`` call ``CFG().sum`` directly). Shape (batch,).
    """
    S = Log() if semiring is None else require_semiring(semiring, "cfg_partition: semiring")
    program = CFG()
    (t, r, o), lens = program.check((terms, rules, roots), lengths)
    return program.sum(tuple(lift(S, x) for x in (t, r, o)), S, lens)
