"""Parameters belong to boxes: who owns each params entry, and checks of what comes in.

A params pytree is keyed by box name (or sympy symbol name), but an entry
belongs to a *box*: its name, its types and everything else DisCoPy
compares (its class, its data, so a ``Dense`` layer's activation). The
same box used twice, or its dagger, shares one entry (weight tying); two
different boxes that would share one are a ``ParameterConflictError``,
raised when a diagram is compiled or initialised, never a silent wrong
answer::

    >>> from catlearn.diagrams import Box, Ty
    >>> n, s = Ty("n"), Ty("s")
    >>> owners = {}
    >>> claim(owners, "w", Box("w", n, n))
    >>> claim(owners, "w", Box("w", n, n))     # the same box: tied
    >>> claim(owners, "w", Box("w", n, s))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    catlearn.errors.ParameterConflictError: ... entry 'w': w : n → n and w : n → s; rename one...

The checks of params and keys run on the host when a function is called or
traced, never inside the compiled program.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    MissingImageError,
    ParameterConflictError,
    ShapeError,
)
from catlearn.functors.boxes import signature_of


def owner_of(box: Any) -> Any:
    """The box whose entry ``box`` uses: a dagger uses its original's."""
    return box.dagger() if getattr(box, "is_dagger", False) else box


def same_box(a: Any, b: Any) -> bool:
    """Whether two boxes are one box (DisCoPy's equality: class, name, types, data)."""
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):  # data that compares elementwise (arrays)
        return False


def claim(owners: dict[str, Any], name: str, box: Any) -> None:
    """Record that ``box`` reads the params entry ``name``; a ``ParameterConflictError``
    when another box already does."""
    box = owner_of(box)
    other = owners.setdefault(name, box)
    if not same_box(other, box):
        raise ParameterConflictError(
            f"two different boxes would share the params entry {name!r}: "
            f"{_describe(other)} and {_describe(box)}; rename one of them"
        )


def _describe(owner: Any) -> str:
    if hasattr(owner, "dom") and hasattr(owner, "cod"):
        kind = type(owner).__name__
        plain = kind in ("Box", "Ob")
        data = getattr(owner, "data", None)
        extra = f" ({kind}{f', data={data!r:.30}' if data is not None else ''})"
        return signature_of(owner) + ("" if plain and data is None else extra)
    return f"the symbol {owner!r} ({getattr(owner, 'assumptions0', {}) or 'no assumptions'})"


def require_key(key: Any, argument: str = "key") -> jax.Array:
    """``key`` if it is one PRNG key: a typed key (``jax.random.key``) of shape (), or a
    raw ``uint32`` key of shape (2,) (``jax.random.PRNGKey``)."""
    if not isinstance(key, (jax.Array, np.ndarray)):
        hint = f"; pass jax.random.key({key})" if isinstance(key, (int, np.integer)) else ""
        raise ArgumentTypeError(
            f"{argument}: expected a PRNG key such as jax.random.key(0), "
            f"got {type(key).__name__} {key!r:.40}{hint}"
        )
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise ArgumentValueError(
                f"{argument}: expected one PRNG key (shape ()), got keys of shape {key.shape}"
            )
        return key
    if key.dtype != np.uint32 or key.shape != (2,):
        raise ArgumentValueError(
            f"{argument}: a raw PRNG key is a uint32 array of shape (2,), got "
            f"{key.dtype} of shape {key.shape}; use jax.random.key(seed)"
        )
    return key


def entry_key(key: jax.Array, name: str) -> jax.Array:
    """The PRNG key of the params entry ``name``: folded from ``key`` and the name, so
    an entry's initial value depends on nothing else (not the other boxes, not the layout)."""
    return jax.random.fold_in(key, zlib.crc32(name.encode()))


# Above this many rows a stack is drawn by one compiled loop (about 0.6 s to compile,
# whatever the count) rather than box by box (about 0.7 ms per box once warm).
_LOOP_MIN = 256


def draw(init: Callable[[jax.Array], Any], key: jax.Array, names: Sequence[str]) -> Any:
    """``init(entry_key(key, name))`` for every name, stacked on a new first axis."""
    codes = np.array([zlib.crc32(name.encode()) for name in names], dtype=np.uint32)
    if len(names) >= _LOOP_MIN:
        one = lambda c, key: init(jax.random.fold_in(key, c))  # noqa: E731
        return jax.jit(lambda key, codes: jax.lax.map(lambda c: one(c, key), codes))(key, codes)
    rows = [init(jax.random.fold_in(key, int(c))) for c in codes]
    return jax.tree.map(lambda *xs: jnp.asarray(np.stack([np.asarray(x) for x in xs])), *rows)


def require_params(params: Any) -> Mapping[str, Any]:
    """``params`` if it is a mapping (entry name ↦ value), as ``init`` makes."""
    if type(params) is not dict and not isinstance(params, Mapping):  # dict: the fast path
        raise ArgumentTypeError(
            f"params: expected a mapping from box names to arrays (see init), "
            f"got {type(params).__name__}"
        )
    return params


def entry(params: Mapping[str, Any], name: str, box: Any) -> Any:
    """``params[name]``, or a ``MissingImageError`` naming the box that needs it."""
    try:
        return params[name]
    except KeyError:
        raise MissingImageError(
            f"box {signature_of(box)} has no entry {name!r} in params "
            f"(entries: {sorted(map(str, params))}); make params with init"
        ) from None


def check_shapes(box: Any, name: str, value: Any, want: Any) -> None:
    """The params entry ``value`` has the tree structure and leaf shapes of ``want`` (a
    pytree of arrays or ``jax.ShapeDtypeStruct``); a ``ShapeError`` naming the box and
    the leaf when not. Reads ``.shape`` only, so it costs nothing under a trace."""
    got, got_tree = jax.tree_util.tree_flatten_with_path(value)
    wanted, want_tree = jax.tree.flatten(want)
    if got_tree != want_tree:
        raise ShapeError(
            f"params[{name!r}] for box {signature_of(box)} has the structure {got_tree}; "
            f"it needs {want_tree}"
        )
    for (path, leaf), like in zip(got, wanted):
        if tuple(np.shape(leaf)) != tuple(like.shape):
            raise ShapeError(
                f"params[{name!r}]{jax.tree_util.keystr(path)} for box {signature_of(box)} "
                f"has shape {tuple(np.shape(leaf))}; it needs {tuple(like.shape)}"
            )


def explain_leaves(params: Any) -> None:
    """After JAX refused params at a jit boundary: an ``ArgumentTypeError`` naming the
    first entry that is not an array (called only on that failure, never per call)."""
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        if not isinstance(leaf, (jax.Array, np.ndarray, np.generic, int, float, complex)):
            raise ArgumentTypeError(
                f"params{jax.tree_util.keystr(path)} is a {type(leaf).__name__} "
                f"{leaf!r:.30}, not an array"
            )
