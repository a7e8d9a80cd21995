"""The :class:`Semiring` protocol: an immutable object that computes on arrays.

A semiring is a value, not a class hierarchy of values: ``Log`` is an
object whose methods take and return JAX arrays of its carrier. A user
defines a new one by naming ``zero``, ``one``, ``add`` and ``mul``; every
other operation (``sum``, ``prod``, ``matmul``, ``einsum``) has a correct
generic default that a built-in overrides with a faster kernel::

    >>> import jax.numpy as jnp
    >>> class MaxTimes(Semiring):
    ...     '''(max, ×) on [0, ∞): the best-derivation probability.'''
    ...     zero, one = 0.0, 1.0
    ...     idempotent = True
    ...     def add(self, a, b):
    ...         return jnp.maximum(a, b)
    ...     def mul(self, a, b):
    ...         return a * b
    >>> S = MaxTimes()
    >>> S.sum(jnp.array([0.5, 0.25, 0.75]), axis=0).item()
    0.75
    >>> S.matmul(jnp.array([[[0.5, 1.0]]]), jnp.array([[[1.0], [0.25]]])).tolist()
    [[[0.5]]]

Carriers. A scalar semiring's elements are entries of one array (its
*index shape* is the array's shape). A structured carrier (pairs, k-best
lists) is a pytree of arrays whose leading axes are the index shape and
whose trailing axes belong to the element; ``index_shape`` says which is
which. Host semirings (``host = True``) keep exact values in numpy object
arrays and cannot be traced by JAX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, NotClosedError
from catlearn.semirings.carrier import carrier_array

Array = Any  # a JAX array, a numpy array, or a pytree of them (structured carriers)

# Elements in one chunk of the generic matmul: bounds memory at ~64 MiB of f32.
_CHUNK_ELEMENTS = 1 << 24


class Semiring:
    """Base class and protocol of a semiring (⊕, ⊗, 0, 1) over arrays.

    Subclasses set ``zero`` and ``one`` and define ``add`` and ``mul``
    (elementwise, broadcasting over the index axes). Flags are promises
    that :func:`catlearn.laws.semiring` checks: ``commutative`` (⊗
    commutes), ``idempotent`` (a ⊕ a = a), ``has_star`` (``star`` is
    defined on ``star_domain``). ``batched_laws`` lets the law suites check
    a batch of elements per example (every operation is elementwise over
    the leading axis, as the built-ins are): an opt-in, since a user's
    semiring may be written one element at a time.
    """

    name: str = ""
    zero: Any
    one: Any
    commutative: bool = True
    idempotent: bool = False
    has_star: bool = False
    ring: bool = False
    host: bool = False
    batched_laws: bool = False
    chunk_cost: int = 1  # memory of one ⊗ term, in units of one index element

    # -- the algebra -------------------------------------------------------
    def add(self, a: Array, b: Array) -> Array:
        """a ⊕ b, elementwise."""
        raise NotImplementedError(f"{self!r} does not define add")

    def mul(self, a: Array, b: Array) -> Array:
        """a ⊗ b, elementwise."""
        raise NotImplementedError(f"{self!r} does not define mul")

    def star(self, a: Array) -> Array:
        """a* = 1 ⊕ a ⊕ a⊗a ⊕ …, elementwise, where ``has_star``."""
        raise NotClosedError(f"semiring {self!r} has no star (has_star is False)")

    def neg(self, a: Array) -> Array:
        """The additive inverse −a, where ``ring`` (a ⊕ −a = 0)."""
        raise NotImplementedError(f"semiring {self!r} is not a ring (ring is False)")

    def star_domain(self, a: Array) -> Array:
        """Where ``star(a)`` is defined (the series converges): a bool array."""
        return jnp.ones(self.index_shape(a), dtype=bool)

    # -- carrier -----------------------------------------------------------
    @property
    def dtype(self) -> Any:
        """The dtype of the carrier's (first) leaf."""
        return jnp.asarray(self.zero).dtype

    def asarray(self, x: Any) -> Array:
        """Convert ``x`` to this semiring's carrier (no copy when it already is).

        The boundary check of user data (see :mod:`catlearn.semirings.carrier`):
        text, None, ragged lists and complex numbers are refused, and an integer
        that would wrap in an integer carrier raises ``CarrierOverflowError``.
        """
        return carrier_array(x, self.dtype, repr(self))

    def index_shape(self, x: Array) -> tuple[int, ...]:
        """The shape of the array of elements ``x`` (without element axes)."""
        return tuple(np.shape(x))

    def full(self, shape: tuple[int, ...], value: Any) -> Array:
        """An array of index shape ``shape`` filled with the element ``value``."""
        value = self.asarray(value)
        shape = tuple(shape)
        return jax.tree.map(lambda v: _broadcast_to(v, shape + tuple(np.shape(v))), value)

    def zeros(self, shape: tuple[int, ...]) -> Array:
        """An array of ``zero`` (the additive identity)."""
        return self.full(shape, self.zero)

    def ones(self, shape: tuple[int, ...]) -> Array:
        """An array of ``one`` (the multiplicative identity)."""
        return self.full(shape, self.one)

    def eye(self, n: int) -> Array:
        """The n×n identity matrix: ``one`` on the diagonal, ``zero`` elsewhere."""
        diag = np.eye(n, dtype=bool)
        where = jnp.asarray(diag) if not self.host else diag
        return self.where(where, self.ones((n, n)), self.zeros((n, n)))

    def where(self, cond: Array, a: Array, b: Array) -> Array:
        """Select elements: ``a`` where ``cond``, else ``b`` (cond has index shape)."""
        xp = np if self.host else jnp

        def pick(x, y):
            c = cond.reshape(cond.shape + (1,) * (np.ndim(x) - cond.ndim))
            return xp.where(c, x, y)

        return jax.tree.map(pick, a, b)

    # -- reductions and contraction (generic defaults) -----------------------
    def sum(self, x: Array, axis: int) -> Array:
        """⊕-reduce along index axis ``axis``."""
        return _fold(self.add, x, self._axis(x, axis), self.zero, self)

    def prod(self, x: Array, axis: int) -> Array:
        """⊗-reduce along index axis ``axis`` (in order, for non-commutative ⊗)."""
        return _fold(self.mul, x, self._axis(x, axis), self.one, self)

    def matmul(self, a: Array, b: Array) -> Array:
        """Batched semiring matrix product: (B, M, K) ⊗ (B, K, N) → (B, M, N).

        The generic kernel forms ⊗ on one chunk of rows at a time and
        ⊕-reduces it, so memory stays bounded whatever the sizes.
        """
        return _chunked_matmul(self, a, b)

    # -- identity ----------------------------------------------------------
    def _axis(self, x: Array, axis: int) -> int:
        ndim = len(self.index_shape(x))
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ArgumentTypeError(f"axis: expected an integer, got {axis!r}")
        if not -ndim <= axis < ndim:
            raise ArgumentValueError(f"axis {axis} out of range for {ndim} index axes")
        return axis % ndim

    def __repr__(self) -> str:
        return self.name or type(self).__name__

    # Parameterless semirings are equal by type, so jit caches keyed by a
    # semiring hit for `Log()` and `Log()` alike (dataclass ones compare fields).
    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))


def require_semiring(value: Any, argument: str = "semiring") -> Semiring:
    """``value`` if it is a :class:`Semiring` instance, else an ``ArgumentTypeError``
    naming ``argument``: the check every public entry point that takes a semiring runs
    first (a class such as ``Log`` instead of ``Log()`` is the usual slip)::

        >>> from catlearn.semirings import Log
        >>> require_semiring(Log, "semiring")
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentTypeError: semiring: got the class Log, not an instance; pass Log()
    """
    if isinstance(value, Semiring):
        return value
    if isinstance(value, type) and issubclass(value, Semiring):
        raise ArgumentTypeError(
            f"{argument}: got the class {value.__name__}, not an instance; pass {value.__name__}()"
        )
    raise ArgumentTypeError(
        f"{argument}: expected a catlearn Semiring (such as Real() or Log()), "
        f"got {type(value).__name__} {value!r:.60}"
    )


def reduced_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` without ``axis`` (negative axes count from the end)."""
    axis = axis % len(shape)
    return tuple(shape[:axis]) + tuple(shape[axis + 1 :])


def _broadcast_to(v: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(v, np.ndarray):
        return np.broadcast_to(v, shape).copy()
    return jnp.broadcast_to(v, shape)


def _take(x: Array, axis: int, start: int, stop: int) -> Array:
    index = (slice(None),) * axis + (slice(start, stop),)
    return jax.tree.map(lambda leaf: leaf[index], x)


def _concat(xs: list[Array], axis: int) -> Array:
    def cat(*leaves):
        xp = np if isinstance(leaves[0], np.ndarray) else jnp
        return xp.concatenate(leaves, axis=axis)

    return jax.tree.map(cat, *xs)


def _squeeze(x: Array, axis: int) -> Array:
    return jax.tree.map(lambda leaf: leaf.squeeze(axis), x)


def _fold(
    op: Callable[[Array, Array], Array],
    x: Array,
    axis: int,
    identity: Any,
    semiring: Semiring,
) -> Array:
    """Reduce ``x`` along ``axis`` by a balanced tree of ``op``: log-depth, vectorised."""
    n = semiring.index_shape(x)[axis]
    if n == 0:
        shape = semiring.index_shape(x)
        return semiring.full(shape[:axis] + shape[axis + 1 :], identity)
    while n > 1:
        half = n // 2
        folded = op(_take(x, axis, 0, half), _take(x, axis, half, 2 * half))
        x = folded if n % 2 == 0 else _concat([folded, _take(x, axis, n - 1, n)], axis)
        n = half + n % 2
    return _squeeze(x, axis)


def _chunked_matmul(semiring: Semiring, a: Array, b: Array) -> Array:
    """(B, M, K) ⊗ (B, K, N) → (B, M, N) from ``mul`` and ``sum`` alone."""
    batch, m, k = semiring.index_shape(a)
    n = semiring.index_shape(b)[2]

    def rows(a_rows: Array) -> Array:  # (B, r, K) → (B, r, N)
        a4 = jax.tree.map(lambda leaf: leaf[:, :, :, None], a_rows)
        b4 = jax.tree.map(lambda leaf: leaf[:, None, :, :], b)
        return semiring.sum(semiring.mul(a4, b4), axis=2)

    if semiring.host or batch * m * k * n * semiring.chunk_cost <= _CHUNK_ELEMENTS:
        return rows(a)
    per_row = max(1, _CHUNK_ELEMENTS // max(1, batch * k * n * semiring.chunk_cost))
    # lax.map runs `per_row` rows at once and loops over the rest.
    by_row = jax.tree.map(lambda leaf: jnp.moveaxis(leaf, 1, 0)[:, :, None], a)
    out = jax.lax.map(rows, by_row, batch_size=min(per_row, m))
    return jax.tree.map(lambda leaf: jnp.moveaxis(leaf[:, :, 0], 0, 1), out)
