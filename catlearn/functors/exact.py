"""``SympyFunctor``: exact symbolic semantics, the oracle for tests.

The same tensor semantics as ``TensorFunctor`` (objects ↦ dimensions,
boxes ↦ arrays, wiring ↦ shared indices, axes in DisCoPy's order: domain
wires, then codomain wires), computed exactly with sympy: entries are
integers, rationals and expressions in the symbols of the boxes' data.
Floats are read as the decimal they print as (``0.1`` ↦ ``1/10``).
A diagram with a boundary gives an ``ImmutableDenseNDimArray``; a scalar
diagram gives a sympy expression::

    >>> import sympy
    >>> from catlearn.diagrams import Box, Cap, Cup, Ty
    >>> t = sympy.Symbol("t")
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> F = SympyFunctor({x: 2}, {f: [[t, 1], [0, 0.5]]})
    >>> F(f >> f)
    [[t**2, t + 1/2], [0, 1/4]]
    >>> F(Cap(x, x.r) >> (f @ x) >> Cup(x, x.r))       # the trace
    t + 1/2

A circuit's network polynomial has one indicator symbol per literal
(``x1`` for x₁, ``nx1`` for ¬x₁) and its edge weights as exact numbers::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> c = b.build([b.sum([b.literal(1), b.literal(1, False)], weights=[0.3, 0.7])])
    >>> SympyFunctor.circuit(c)
    (7*nx1/10 + 3*x1/10,)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import isfinite
from typing import Any

import jax.numpy as jnp
import numpy as np
import opt_einsum
import sympy

from catlearn.arguments import size
from catlearn.diagrams import from_discopy
from catlearn.errors import ArgumentTypeError, NotExactError, SizeLimitError
from catlearn.functors.boxes import (
    MISSING,
    Dagger,
    Dimensions,
    MissingImageError,
    Param,
    ShapeError,
    array_like,
    look_up,
    signature_of,
)
from catlearn.semirings import Semiring, contract

# Sympy arithmetic costs microseconds per entry, so an exact contraction is
# refused above this many scalar operations (opt_einsum's estimate): ~seconds.
MAX_COST = 10**6


# -- exact values --------------------------------------------------------------


def exact_scalar(v: Any) -> sympy.Expr:
    """One entry as a sympy number or expression (floats by their printed decimal)."""
    if isinstance(v, sympy.Basic):
        return v
    if isinstance(v, (bool, np.bool_, int, np.integer)):
        return sympy.Integer(int(v))
    if isinstance(v, (float, np.floating)):
        if not isfinite(float(v)):
            raise NotExactError(f"{v} has no exact value")
        # str() is the shortest decimal that round-trips: 0.1 -> 1/10, not 3602879701896397/2^55
        return sympy.Rational(str(v))
    if isinstance(v, (complex, np.complexfloating)):
        return exact_scalar(v.real) + sympy.I * exact_scalar(v.imag)
    raise NotExactError(f"{v!r} ({type(v).__name__}) has no exact value")


_exact_each = np.frompyfunc(exact_scalar, 1, 1)


@dataclass(frozen=True, eq=False)
class ExactArray:
    """A constant exact array that numpy and JAX read as floats (``__array__``,
    ``__jax_array__``): one ``ar`` value that serves ``SympyFunctor`` exactly and
    ``TensorFunctor`` numerically (which cannot read sympy numbers itself)."""

    exact: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.exact.shape

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        try:
            floats = np.asarray(self.exact, dtype=float)
        except TypeError:  # complex entries
            floats = np.asarray(self.exact, dtype=complex)
        return floats if dtype is None else floats.astype(dtype)

    def __jax_array__(self) -> Any:
        return jnp.asarray(self.__array__())


def exact_array(value: Any) -> np.ndarray:
    """An array-like (list, numpy, JAX, sympy Matrix/Array, expression) as an object array of
    sympy entries."""
    if isinstance(value, ExactArray):
        return value.exact
    if isinstance(value, (Param, str, bytes)) or callable(value):
        raise NotExactError(f"{type(value).__name__} {value!r} has no exact array")
    if isinstance(value, sympy.NDimArray):
        array = np.asarray(value.tolist(), dtype=object).reshape(value.shape)
    else:
        raw = value if isinstance(value, (list, tuple)) else np.asarray(value)
        if isinstance(raw, np.ndarray) and raw.dtype != object:
            # numpy scalars, not Python floats: float32 0.1 prints (and reads) as 0.1
            flat = np.empty(raw.size, dtype=object)
            flat[:] = [exact_scalar(v) for v in raw.reshape(-1)]
            return flat.reshape(raw.shape)
        array = np.asarray(raw, dtype=object)
    return np.asarray(_exact_each(array), dtype=object)


def _real_conjugate(e: sympy.Expr) -> sympy.Expr:
    # Symbols are real parameters (their values are JAX floats), so conj(θ) = θ.
    return sympy.conjugate(e).subs({sympy.conjugate(s): s for s in e.free_symbols})


_conj_each = np.frompyfunc(_real_conjugate, 1, 1)


def exact_value(value: Any) -> np.ndarray:
    """``exact_array``, with ``Dagger`` images conjugate-transposed (symbols taken as real)."""
    if isinstance(value, Dagger):
        array = exact_value(value.value)
        k = value.n_front
        axes = list(range(array.ndim))
        return np.asarray(_conj_each(array.transpose(axes[-k:] + axes[:-k])), dtype=object)
    return exact_array(value)


def own_value(box: Any) -> Any:
    """A box's own array: ``box.array`` (``discopy.tensor``), else its ``data``; or ``MISSING``."""
    for attr in ("array", "data"):
        value = getattr(box, attr, None)
        if value is not None:
            return value
    return MISSING


def resolve(ar: Any, box: Any) -> Any:
    """What a functor with this ``ar`` gives ``box``, as ``TensorFunctor.image`` reads it.

    ``ar``'s entry; else, for a dagger box, ``Dagger`` of its original's value;
    else, when ``ar`` is None, the box's own array or data; else ``MISSING``.
    """
    value = look_up(ar, box)
    if value is not MISSING:
        return value
    if getattr(box, "is_dagger", False):
        original = resolve(ar, box.dagger())
        n = len(getattr(box.dom, "inside", ()))
        return MISSING if original is MISSING else Dagger(original, n)
    return own_value(box) if ar is None else MISSING


class _Exact(Semiring):
    """(+, ×) on sympy expressions in numpy object arrays, no simplification."""

    name = "Exact"
    zero, one = sympy.Integer(0), sympy.Integer(1)
    host = True

    @property
    def dtype(self) -> Any:
        return np.dtype(object)

    def asarray(self, x: Any) -> np.ndarray:
        return np.asarray(x, dtype=object)

    def add(self, a: Any, b: Any) -> np.ndarray:
        return np.add(a, b, dtype=object)

    def mul(self, a: Any, b: Any) -> np.ndarray:
        return np.multiply(a, b, dtype=object)

    def sum(self, x: Any, axis: int) -> np.ndarray:
        return np.asarray(np.sum(x, axis=axis, dtype=object, initial=self.zero), dtype=object)

    def prod(self, x: Any, axis: int) -> np.ndarray:
        return np.asarray(np.prod(x, axis=axis, dtype=object, initial=self.one), dtype=object)

    def matmul(self, a: Any, b: Any) -> np.ndarray:
        return np.matmul(a, b)


_EXACT = _Exact()


# -- the functor ---------------------------------------------------------------


class SympyFunctor(Dimensions):
    """Objects ↦ dimensions, boxes ↦ exact arrays; ``F(diagram)`` is the exact tensor.

    ``ob`` and ``ar`` are read as by ``TensorFunctor`` (``ar`` maps boxes or
    box names to array-likes, or is a function of the box; with ``ar=None``
    a box's own ``array`` or ``data`` is used). The result is an
    ``ImmutableDenseNDimArray``, or a sympy expression for a scalar diagram.
    Symbols are real parameters: a dagger box conjugates numbers, not
    symbols. A contraction estimated above ``max_cost`` scalar operations
    (default ``MAX_COST``) raises ``SizeLimitError``.
    """

    def __init__(
        self,
        ob: Mapping[Any, int] | Callable[[Any], int] | None,
        ar: Mapping[Any, Any] | Callable[[Any], Any] | None = None,
        *,
        max_cost: int = MAX_COST,
    ) -> None:
        if ar is not None and not (isinstance(ar, Mapping) or callable(ar)):
            raise ArgumentTypeError(
                f"ar: expected a mapping from boxes (or names) to arrays, or a function of "
                f"the box, got {type(ar).__name__}"
            )
        self._ob = self._dimensions(ob)
        self._ar = ar
        self.max_cost = size(max_cost, "max_cost")
        if isinstance(ar, Mapping):  # wrong values are refused now, not at the first call
            for box, value in ar.items():
                if hasattr(box, "dom") and not isinstance(value, (Param, Dagger)):
                    self._fit(box, self._exact(box, value), self.shape(box))

    # -- objects and arrows ------------------------------------------------

    def image(self, box: Any) -> np.ndarray:
        """The exact array of ``box`` (an object array of sympy entries, axes dom + cod)."""
        value = resolve(self._ar, box)
        if value is MISSING:
            raise MissingImageError(f"the functor has no array for box {signature_of(box)}")
        return self._exact(box, value)

    @staticmethod
    def _exact(box: Any, value: Any) -> np.ndarray:
        if not isinstance(value, Dagger):
            value = array_like(box, value, numbers=False)
        try:
            return exact_value(value)
        except NotExactError as e:
            raise NotExactError(f"box {signature_of(box)}: {e}") from None

    @staticmethod
    def _fit(box: Any, array: np.ndarray, want: tuple[int, ...]) -> np.ndarray:
        if array.shape == want:
            return array
        if array.ndim <= 1 and array.size == int(np.prod(want)):  # DisCoPy's flat data
            return array.reshape(want)
        raise ShapeError(
            f"box {signature_of(box)} needs an array of shape {want}, got shape {array.shape}"
        )

    # -- evaluation --------------------------------------------------------
    def __call__(self, diagram: Any) -> sympy.ImmutableDenseNDimArray | sympy.Expr:
        """The diagram's exact tensor, axes (domain wires, codomain wires)."""
        g = from_discopy(diagram)
        dims = [self.dim(t) for t in g.wire_types]
        operands: list[np.ndarray] = []
        labels: list[list[Any]] = []
        for i, box in enumerate(g.boxes):
            ins, outs = g.box_wires(i)
            wires = ins.tolist() + outs.tolist()
            operands.append(self._fit(box, self.image(box), tuple(dims[w] for w in wires)))
            labels.append(wires)
        output: list[Any] = []
        for w in g.sources.tolist() + g.targets.tolist():
            if w in output:  # a wire shown twice on the boundary is a diagonal
                fresh = ("copy", len(operands))
                operands.append(_EXACT.eye(dims[w]))
                labels.append([w, fresh])
                w = fresh
            output.append(w)
        used = {lab for ix in labels for lab in ix}
        for w in range(g.n_wires):  # a wire no box touches is the all-ones spider
            if w not in used:
                operands.append(_EXACT.ones((dims[w],)))
                labels.append([w])
        if not operands:
            return sympy.Integer(1)
        self._check_cost(g.n_boxes, operands, labels, output)
        return _to_sympy(contract(_EXACT, operands, labels, output))

    def _check_cost(self, n_boxes: int, operands: list, labels: list, output: list) -> None:
        symbols: dict[Any, str] = {}
        for lab in [lab for ix in labels for lab in ix]:
            symbols.setdefault(lab, opt_einsum.get_symbol(len(symbols)))
        eq = ",".join("".join(symbols[lab] for lab in ix) for ix in labels)
        eq += "->" + "".join(symbols[lab] for lab in output)
        shapes = [a.shape for a in operands]
        _, info = opt_einsum.contract_path(eq, *shapes, shapes=True)
        cost = max(int(info.opt_cost), int(info.largest_intermediate))
        if cost > self.max_cost:
            raise SizeLimitError(
                f"the exact contraction of this {n_boxes}-box diagram needs ~{cost} sympy "
                f"operations (largest tensor: {info.largest_intermediate} entries), above "
                f"max_cost={self.max_cost}; use TensorFunctor, or raise max_cost"
            )

    # -- circuits ----------------------------------------------------------
    @staticmethod
    def polycirc(diagram: Any, symbols: Any = None) -> tuple[sympy.Expr, ...]:
        """A polynomial circuit's outputs as polynomials in its inputs (see ``polynomials``)."""
        from catlearn.functors.polynomials import polynomials

        return polynomials(diagram, symbols)

    @staticmethod
    def circuit(c: Any, *, expand: bool = False) -> tuple[sympy.Expr, ...]:
        """The network polynomial of a circuit, one per root (see :func:`network_polynomial`)."""
        from catlearn.functors.polynomials import network_polynomial

        return network_polynomial(c, expand=expand)


def _to_sympy(array: np.ndarray) -> sympy.ImmutableDenseNDimArray | sympy.Expr:
    if array.ndim == 0:  # sympy's rank-0 arrays are half-supported: a scalar is an Expr
        return sympy.sympify(array.item())
    return sympy.ImmutableDenseNDimArray(array.reshape(-1).tolist(), array.shape)


__all__ = [
    "MAX_COST",
    "ExactArray",
    "MissingImageError",
    "NotExactError",
    "SizeLimitError",
    "SympyFunctor",
    "exact_array",
    "exact_scalar",
]
