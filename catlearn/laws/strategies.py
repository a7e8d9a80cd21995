"""Hypothesis strategies for semiring elements and arrays of them.

``elements(S)`` draws valid carrier values of a built-in semiring (or, for
a user's semiring, from its dtype). Float values are dyadic rationals
(multiples of 1/16 in a small range) plus the semiring's infinities, so
that ⊕ and ⊗ are exact in float32 and a law that fails does so for an
algebraic reason, not a rounding one; Log, whose operations round
anyway, is compared within a stated tolerance.

    >>> from hypothesis import given
    >>> from catlearn.semirings import Log
    >>> @given(elements(Log()))
    ... def test_log_elements_are_scalars(x):
    ...     assert x.shape == () and x <= 4
    >>> test_log_elements_are_scalars()
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import sympy
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import arguments
from catlearn.semirings import (
    Boolean,
    Counting,
    Dual,
    Fuzzy,
    Log,
    Lukasiewicz,
    MaxPlus,
    MinPlus,
    Polynomial,
    Product,
    Real,
    Semiring,
    TopK,
    Viterbi,
    Zn,
    require_semiring,
)

_INF = float("inf")


def dyadic(low: float, high: float, denominator: int = 16) -> st.SearchStrategy[float]:
    """Multiples of 1/denominator in [low, high]: exact in binary floating point.

    The range must hold at least one::

        >>> dyadic(0.01, 0.02)
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentValueError: dyadic(low, high): no multiple of 1/16 in [0.01, 0.02]
    """
    low, high = arguments.number(low, "dyadic(low)"), arguments.number(high, "dyadic(high)")
    denominator = arguments.count(denominator, "dyadic(denominator)")
    if low > high:
        raise ArgumentValueError(f"dyadic(low, high): low {low:g} is above high {high:g}")
    first, last = math.ceil(low * denominator), math.floor(high * denominator)
    if first > last:
        raise ArgumentValueError(
            f"dyadic(low, high): no multiple of 1/{denominator} in [{low:g}, {high:g}]"
        )
    return st.integers(first, last).map(lambda k: k / denominator)


def _raw(S: Semiring) -> st.SearchStrategy[Any]:
    """Python values for S.asarray."""
    if isinstance(S, Real):
        return dyadic(-2, 2)
    if isinstance(S, Log):
        return st.one_of(st.just(-_INF), dyadic(-16, 4))
    if isinstance(S, MaxPlus):
        return st.one_of(st.just(-_INF), dyadic(-8, 8))
    if isinstance(S, MinPlus):
        return st.one_of(st.just(_INF), dyadic(-8, 8))
    if isinstance(S, (Viterbi, Fuzzy, Lukasiewicz)):
        return dyadic(0, 1)
    if isinstance(S, Boolean):
        return st.booleans()
    if isinstance(S, Zn):
        return st.integers(0, S.n - 1)
    if isinstance(S, Counting):
        return st.one_of(st.integers(0, 5), st.integers(0, 2**80))
    if isinstance(S, TopK):
        score = st.one_of(st.just(-_INF), dyadic(-8, 8))
        return st.lists(score, min_size=S.k, max_size=S.k)
    if isinstance(S, Polynomial):
        x, y, z = sympy.symbols("x y z")
        monomial = st.tuples(st.integers(1, 3), st.sampled_from([1, x, y, z, x * y, x**2]))
        return st.lists(monomial, max_size=3).map(lambda ms: sum((c * m for c, m in ms), 0))
    if isinstance(S, (Dual, Product)):
        left, right = (S.base, S.base) if isinstance(S, Dual) else (S.left, S.right)
        return st.tuples(_raw(left), _raw(right))
    return _from_dtype(S)


def _from_dtype(S: Semiring) -> st.SearchStrategy[Any]:
    dtype = np.dtype(S.dtype)
    if dtype.kind == "f":
        return dyadic(-4, 4)
    if dtype.kind == "c":
        return st.builds(complex, dyadic(-4, 4), dyadic(-4, 4))
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        return st.integers(0, 100)
    raise ArgumentTypeError(
        f"no default strategy for elements of {S!r} (dtype {dtype}); pass elements=…"
    )


def elements(S: Semiring) -> st.SearchStrategy[Any]:
    """Single elements of ``S``, as ``S.asarray`` returns them."""
    S = require_semiring(S, "elements(S)")
    return _raw(S).map(S.asarray)


def raw_elements(S: Semiring) -> st.SearchStrategy[Any]:
    """The Python values :func:`elements` converts (floats, ints, k-lists, pairs): drawn
    many at a time, they become one array by :func:`stack_raw`, one conversion in all."""
    return _raw(require_semiring(S, "raw_elements(S)"))


def stack_raw(S: Semiring, values: list[Any]) -> Any:
    """A batch (index shape ``(len(values),)``) of ``S`` from values :func:`raw_elements`
    drew, converted by one ``S.asarray``::

        >>> from catlearn.semirings import Dual, Real
        >>> value, tangent = stack_raw(Dual(Real()), [(1.0, 0.5), (2.0, 0.0)])
        >>> value.tolist(), tangent.tolist()
        ([1.0, 2.0], [0.5, 0.0])
    """
    if isinstance(S, (Dual, Product)):
        left, right = (S.base, S.base) if isinstance(S, Dual) else (S.left, S.right)
        return S.asarray((stack_raw(left, [v[0] for v in values]),
                          stack_raw(right, [v[1] for v in values])))  # fmt: skip
    if S.host:  # exact values (big ints, sympy) stay Python objects
        exact = np.empty(len(values), dtype=object)
        exact[:] = values
        return S.asarray(exact)
    return S.asarray(np.asarray(values))


def stack(S: Semiring, items: list[Any], shape: tuple[int, ...]) -> Any:
    """An array of index shape ``shape`` from a flat list of elements."""

    def go(*leaves):
        if isinstance(leaves[0], jax.Array):
            stacked = jnp.stack(leaves)
            return stacked.reshape(tuple(shape) + stacked.shape[1:])
        exact = np.empty(len(leaves), dtype=object)  # host values stay Python objects
        exact[:] = [leaf.item() if isinstance(leaf, np.ndarray) else leaf for leaf in leaves]
        return exact.reshape(shape)

    return jax.tree.map(go, *items)


def arrays(S: Semiring, shape: tuple[int, ...], items=None) -> st.SearchStrategy[Any]:
    """Arrays of elements of ``S`` with index shape ``shape``."""
    S = require_semiring(S, "arrays(S)")
    shape = _shape(shape, "arrays(shape)")
    size = int(np.prod(shape))
    items = arguments.optional_strategy(items, "arrays(items)")
    items = items if items is not None else elements(S)
    return st.lists(items, min_size=size, max_size=size).map(lambda xs: stack(S, xs, shape))


def _shape(value: Any, argument: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)):
        raise ArgumentTypeError(f"{argument}: expected a tuple of sizes, got {value!r:.60}")
    return tuple(arguments.count(n, f"{argument}[{i}]", low=0) for i, n in enumerate(value))


def matrix_pairs(S: Semiring, items=None, max_size: int = 3) -> st.SearchStrategy:
    """Two batched matrices (1, m, k) and (1, k, n) that can be multiplied.

    Each size is 1 or ``max_size``: the degenerate and the general case. Every
    new shape costs an XLA compile of the kernel, so eight shapes, not max_size³.
    """
    S = require_semiring(S, "matrix_pairs(S)")
    items = arguments.optional_strategy(items, "matrix_pairs(items)")
    max_size = arguments.count(max_size, "matrix_pairs(max_size)")
    return _matrix_pairs(S, items, max_size)


@st.composite
def _matrix_pairs(draw, S: Semiring, items, max_size: int):
    m, k, n = (draw(st.sampled_from(sorted({1, max_size}))) for _ in range(3))
    return draw(arrays(S, (1, m, k), items)), draw(arrays(S, (1, k, n), items))


def circuits(*args: Any, **kwargs: Any) -> st.SearchStrategy:
    """Random circuits with requested structure (see ``catlearn.laws.random_circuits``)."""
    from catlearn.laws.random_circuits import circuits as strategy

    return strategy(*args, **kwargs)


def polycircs(
    n_inputs: tuple[int, int] = (1, 3),
    n_outputs: tuple[int, int] = (1, 2),
    max_gates: int = 6,
    ring: bool = True,
) -> st.SearchStrategy:
    """Random polynomial circuits (``catlearn.diagrams.polycirc``) as hypergraphs.

    Gates read any earlier wire, so copies and discards occur; ``ring=False``
    leaves out ``neg``. Constants are small integers.
    """
    return _polycircs(
        arguments.bounds(n_inputs, "polycircs(n_inputs)"),
        arguments.bounds(n_outputs, "polycircs(n_outputs)"),
        arguments.count(max_gates, "polycircs(max_gates)", low=0),
        arguments.flag(ring, "polycircs(ring)"),
    )


@st.composite
def _polycircs(draw, n_inputs, n_outputs, max_gates, ring):
    from catlearn.diagrams.polycirc import GATES, Builder, constant

    n_in = draw(st.integers(*n_inputs))
    b = Builder(n_in)
    kinds = ["add", "mul", "neg", "const", "zero"] if ring else ["add", "mul", "const", "zero"]
    for _ in range(draw(st.integers(0, max_gates))):
        kind = draw(st.sampled_from(kinds))
        if kind in ("const", "zero") or b.n_wires == 0:
            value = draw(st.integers(0, 3)) if kind == "const" else 0
            b.gate(constant(value)) if value else b.zero()
            continue
        wire = st.integers(0, b.n_wires - 1)
        b.gate(GATES[kind], *(draw(wire) for _ in range(1 + (kind != "neg"))))
    if b.n_wires == 0:
        b.zero()
    last = st.integers(0, b.n_wires - 1).map(lambda w, n=b.n_wires: n - 1 - w)
    return b.build([draw(last) for _ in range(draw(st.integers(*n_outputs)))])
