"""Circuits as polynomials, exactly: network polynomials and polynomial circuits' outputs.

``network_polynomial(c)`` reads a semiring circuit as a polynomial in its
leaves' indicator symbols (``x1`` for x₁, ``nx1`` for ¬x₁) with its edge
weights as exact numbers; ``polynomials(d)`` reads a polynomial circuit
(``catlearn.diagrams.polycirc``) as one polynomial per output::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> c = b.build([b.sum([b.literal(1), b.literal(1, False)], weights=[0.3, 0.7])])
    >>> network_polynomial(c)
    (7*nx1/10 + 3*x1/10,)
"""

from __future__ import annotations

import operator
from typing import Any

import sympy

from catlearn.errors import ArgumentValueError, SymbolError
from catlearn.functors.exact import exact_scalar


def indicator(var: int, state: int, n_states: int = 2) -> sympy.Symbol:
    """The symbol of the leaf [X_var = state]: ``x1`` / ``nx1`` for a binary variable's
    states 1 / 0, ``x3_2`` for state 2 of a variable with more than two states."""
    if n_states == 2:
        return sympy.Symbol(f"x{var}" if state == 1 else f"nx{var}")
    return sympy.Symbol(f"x{var}_{state}")


def network_polynomial(c: Any, *, expand: bool = False) -> tuple[sympy.Expr, ...]:
    """A circuit's polynomial in its indicators (see :func:`indicator`), one per root.

    Leaves are indicator symbols, constants 0 and 1, a sum node Σ wᵢ·childᵢ
    with its edge weights as exact numbers (floats by their printed decimal,
    0.3 ↦ 3/10), a product node Π childᵢ. The circuit is read as it is,
    not smoothed. Shared sub-circuits stay shared; ``expand=True`` multiplies
    out (exponential in the worst case).
    """
    from catlearn.circuits.circuit import CONST, LEAF, SUM

    weights = c.edge_weights()
    values: list[sympy.Expr] = []
    for node in range(c.n_nodes):
        kind = int(c.kind[node])
        if kind == LEAF:
            v = int(c.var[node])
            values.append(indicator(v, int(c.state[node]), int(c.n_states[v])))
            continue
        if kind == CONST:
            values.append(sympy.Integer(int(c.state[node])))
            continue
        lo, hi = int(c.child_offsets[node]), int(c.child_offsets[node + 1])
        kids = [values[k] for k in c.children[lo:hi].tolist()]
        if kind == SUM:
            w = [exact_scalar(float(x)) for x in weights[lo:hi]]
            values.append(sympy.Add(*[wi * k for wi, k in zip(w, kids)]))
        else:
            values.append(sympy.Mul(*kids))
    roots = tuple(values[r] for r in c.roots.tolist())
    return tuple(sympy.expand(r) for r in roots) if expand else roots


def polynomials(diagram: Any, symbols: Any = None) -> tuple[sympy.Expr, ...]:
    """The outputs of a polynomial circuit as expanded polynomials in its inputs.

    ``symbols`` name the inputs (default ``x0, x1, …``). Over the integers:
    read them in Z/n by reducing the coefficients::

        >>> from catlearn.diagrams import polycirc as pc
        >>> polynomials(pc.OR())
        (x0*x1 + x0 + x1,)
    """
    from catlearn.diagrams.polycirc import Netlist

    net = Netlist(diagram)
    if symbols is None:
        symbols = sympy.symbols(f"x0:{len(net.sources)}") if net.sources else ()
    symbols = tuple(sympy.Symbol(s) if isinstance(s, str) else s for s in symbols)
    if len(symbols) != len(net.sources):
        raise ArgumentValueError(
            f"symbols: the circuit has {len(net.sources)} inputs, got {len(symbols)} symbols"
        )
    for s in symbols:
        if not isinstance(s, sympy.Symbol):
            raise SymbolError(f"symbols: {s!r} ({type(s).__name__}) is not a name or a Symbol")
    seen: dict[str, int] = {}
    for i, s in enumerate(symbols):
        j = seen.setdefault(s.name, i)
        if j != i:  # two inputs under one name would be merged into one variable
            raise SymbolError(
                f"symbols: {s.name!r} names both input {j} and input {i}; names must differ"
            )
    outputs = net.interpret(
        symbols, operator.add, operator.mul, operator.neg, lambda c: sympy.Rational(c)
    )
    return tuple(sympy.expand(y) for y in outputs)


__all__ = ["indicator", "network_polynomial", "polynomials"]
