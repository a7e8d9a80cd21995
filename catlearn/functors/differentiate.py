"""Diagrammatic differentiation of parameterised tensor diagrams, and ``lambdify``.

Contraction is multilinear in each box, so by the Leibniz rule d/dθ of a
diagram is the formal sum, over the boxes that depend on θ, of the
diagram with that one box replaced by ``∂box/∂θ`` (its data
differentiated entrywise); a box used twice gives two terms. ``grad``
builds that sum on the hypergraph IR; ``FormalSum.ar`` is the ``ar`` a
functor needs to evaluate its terms, exactly or numerically (here checked
against ``jax.grad``). Symbols are real parameters.

::

    >>> import jax, sympy
    >>> from catlearn.diagrams import Box, Ty
    >>> from catlearn.functors import TensorFunctor
    >>> t = sympy.Symbol("t")
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> ar = {f: [[t, 1], [0, t**2]]}
    >>> df = grad(f >> f, t, ar)
    >>> [[str(box) for box in term.boxes] for term in df]    # f is used twice
    [['∂f/∂t', 'f'], ['f', '∂f/∂t']]
    >>> df.evaluate(SympyFunctor({x: 2}, df.ar))
    [[2*t, 2*t + 1], [0, 4*t**3]]
    >>> F = TensorFunctor({x: 2}, ar)
    >>> jax.grad(lambda v: F.compile(f >> f).tensor({"t": v})[1, 1])(3.0)   # 4 t³
    Array(108., dtype=float32, weak_type=True)
    >>> df.evaluate(TensorFunctor({x: 2}, df.ar), {"t": 3.0})[1, 1]
    Array(108., dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from catlearn.diagrams import CompositionError, Hypergraph, from_discopy
from catlearn.errors import ArgumentTypeError, SymbolError
from catlearn.functors.boxes import MISSING, Dagger, look_up
from catlearn.functors.exact import (
    ExactArray,
    MissingImageError,
    SympyFunctor,
    exact_value,
    own_value,
    resolve,
)
from catlearn.functors.symbolic import is_symbolic, lambdify_array


@dataclass(frozen=True, eq=False)
class DerivedBox:
    """``∂original/∂symbol``: a box whose own ``array`` is the entrywise derivative.

    Compared by identity, so that a compiled term is never reused for another
    derivative's arrays.
    """

    original: Any
    symbol: sympy.Symbol
    array: np.ndarray

    @property
    def name(self) -> str:
        inner = str(getattr(self.original, "name", self.original))
        inner = f"({inner})" if "/" in inner else inner
        return f"∂{inner}/∂{self.symbol}"

    @property
    def dom(self) -> Any:
        return self.original.dom

    @property
    def cod(self) -> Any:
        return self.original.cod

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class FormalSum:
    """Σ terms: hypergraphs of one type ``dom → cod``; the empty sum is zero.

    ``base`` is the ``ar`` the boxes' values were read from (None: their own data).
    """

    terms: tuple[Hypergraph, ...]
    dom: tuple
    cod: tuple
    base: Any = None

    def __iter__(self) -> Iterator[Hypergraph]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __add__(self, other: FormalSum) -> FormalSum:
        if not isinstance(other, FormalSum):
            return NotImplemented
        if (self.dom, self.cod) != (other.dom, other.cod):
            raise CompositionError(
                f"cannot add sums of types {self.dom} → {self.cod} and {other.dom} → {other.cod}"
            )
        if self.base is not other.base:
            raise CompositionError("only sums read from one and the same ar can be added")
        return FormalSum(self.terms + other.terms, self.dom, self.cod, self.base)

    def __repr__(self) -> str:
        derived = [str(b) for g in self.terms for b in g.boxes if isinstance(b, DerivedBox)]
        return f"FormalSum({len(self.terms)} terms: {', '.join(derived) or '0'})"

    @property
    def ar(self) -> Mapping[Any, Any] | Callable[[Any], Any]:
        """The ``ar`` for a functor evaluating the terms: ``base``, plus each ∂-box's array.

        A dict when ``base`` is a mapping, else a function of the box.
        """
        derived = {
            b: _ar_value(b) for g in self.terms for b in g.boxes if isinstance(b, DerivedBox)
        }
        base = self.base
        if isinstance(base, Mapping):
            return {**base, **derived}

        def ar(box: Any) -> Any:
            if isinstance(box, DerivedBox):
                return _ar_value(box)
            return own_value(box) if base is None else look_up(base, box)

        return ar

    def evaluate(self, functor: Any, params: Mapping[Any, Any] | None = None) -> Any:
        """Σ of the terms' tensors under ``functor`` (built with ``ar=self.ar``).

        With ``params`` (symbol name ↦ value): a ``TensorFunctor`` contracts
        ``compile(term).tensor(params)``; a ``SympyFunctor``'s exact result has
        the values substituted.
        """
        if params is not None and not isinstance(params, Mapping):
            raise ArgumentTypeError(
                f"params: expected a mapping from symbols (or names) to values, "
                f"got {type(params).__name__}"
            )
        values = [self._term(functor, term, params) for term in self.terms]
        if not values:
            shape = tuple(functor.dim(t) for t in self.dom + self.cod)
            if isinstance(functor, SympyFunctor):
                return sympy.ImmutableDenseNDimArray.zeros(*shape) if shape else sympy.Integer(0)
            return functor.semiring.zeros(shape)
        add = functor.semiring.add if hasattr(functor, "semiring") else (lambda a, b: a + b)
        total = values[0]
        for v in values[1:]:
            total = add(total, v)
        return total

    @staticmethod
    def _term(functor: Any, term: Hypergraph, params: Mapping[Any, Any] | None) -> Any:
        try:
            if params is not None and hasattr(functor, "compile"):
                return functor.compile(term).tensor({str(k): v for k, v in params.items()})
            value = functor(term)
        except KeyError as e:
            if "∂" not in str(e):
                raise
            raise MissingImageError(
                f"{e.args[0]} (evaluate a derivative under a functor built with ar=sum.ar)"
            ) from None
        if params:
            names = {str(k): v for k, v in params.items()}
            free = getattr(value, "free_symbols", set())
            value = value.subs({s: names[s.name] for s in free if s.name in names})
        return value

    def grad(self, symbol: sympy.Symbol) -> FormalSum:
        """d/dθ of the sum: the sum of every term's derivative (for second derivatives)."""
        ar = self.ar
        terms = [t for term in self.terms for t in _derive(term, _symbol(symbol), ar)]
        return FormalSum(tuple(terms), self.dom, self.cod, ar)


def _ar_value(box: DerivedBox) -> Any:
    # A symbolic array is lambdified by TensorFunctor; a constant one must read as floats.
    return box.array if is_symbolic(box.array) else ExactArray(box.array)


def grad(diagram: Any, symbol: sympy.Symbol, ar: Any = None) -> FormalSum:
    """d diagram / d symbol as a :class:`FormalSum` (Leibniz rule, one term per use of a box).

    Box values are read as a functor with this ``ar`` reads them (an entry
    of ``ar``, a dagger's conjugate transpose, or with ``ar=None`` the box's
    own ``array``/``data``); a box with no value raises ``MissingImageError``.
    """
    if isinstance(diagram, FormalSum):
        return diagram.grad(symbol)
    g = from_discopy(diagram)
    return FormalSum(tuple(_derive(g, _symbol(symbol), ar)), g.dom, g.cod, ar)


def _symbol(symbol: Any) -> sympy.Symbol:
    if not isinstance(symbol, sympy.Symbol):
        hint = f"; use sympy.Symbol({symbol!r})" if isinstance(symbol, str) else ""
        raise SymbolError(f"differentiate with respect to a sympy Symbol, not {symbol!r}{hint}")
    return symbol


def _derive(g: Hypergraph, symbol: sympy.Symbol, ar: Any) -> list[Hypergraph]:
    terms, seen = [], set()
    for i, box in enumerate(g.boxes):
        value = resolve(ar, box)
        if value is MISSING:
            raise MissingImageError(f"no array for box {box}: pass the ar its values come from")
        inner = value
        while isinstance(inner, Dagger):
            inner = inner.value
        if not is_symbolic(inner):
            continue
        array = exact_value(value)
        seen |= set().union(*(e.free_symbols for e in array.reshape(-1)))
        derivative = np.asarray(_diff(array, symbol), dtype=object)
        if all(e == 0 for e in derivative.reshape(-1)):
            continue
        boxes = g.boxes[:i] + (DerivedBox(box, symbol, derivative),) + g.boxes[i + 1 :]
        terms.append(replace(g, boxes=boxes, _hash=[]))  # fresh structure-hash cache
    twins = [s for s in seen if s.name == symbol.name and s != symbol]
    if twins and symbol not in seen:  # Symbol("t") and Symbol("t", real=True) are different
        raise SymbolError(
            f"the data holds a symbol {twins[0]} with other assumptions "
            f"({twins[0].assumptions0}) than {symbol} ({symbol.assumptions0})"
        )
    return terms


_diff = np.frompyfunc(lambda e, s: sympy.diff(e, s), 2, 1)


def lambdify(value: Any, symbols: Sequence[sympy.Symbol] | None = None) -> Callable[..., Any]:
    """An expression or array of them as a JAX function of the symbols' values.

    Arguments follow ``symbols`` (default: the free symbols, sorted by name;
    the order is kept as ``fn.symbols``). The function composes with
    ``jax.jit``, ``jax.grad`` and ``jax.vmap``.
    """
    if isinstance(value, sympy.NDimArray):
        value = np.asarray(value.tolist(), dtype=object).reshape(value.shape)
    fn, free = lambdify_array(value)
    order = free if symbols is None else tuple(symbols)
    for s in order:
        _symbol(s)
    missing = [s for s in free if s not in order]
    if missing:
        raise SymbolError(f"the expression's symbol(s) {missing} are not among {list(order)}")
    positions = [order.index(s) for s in free]

    def call(*values: Any) -> Any:
        if len(values) != len(order):
            raise SymbolError(f"expected values for {list(order)}, got {len(values)}")
        return fn(*[values[p] for p in positions])

    call.symbols = order  # type: ignore[attr-defined]
    return call


__all__ = ["DerivedBox", "FormalSum", "SymbolError", "grad", "lambdify"]
