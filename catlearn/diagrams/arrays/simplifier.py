"""Simplifying array circuits: rewrites valid in every commutative ring.

Valid, that is, in every ring in which the circuit's constants exist: folding
is done over the rationals, so constant(1/2) summed twice folds to 1, which
is right wherever 2 is invertible. ``RingFunctor.compile`` checks the
constants of the circuit as given, before simplifying it.

``simplify(c)`` makes one forward pass, then drops what no output reads:

- constant folding: a generator whose inputs are all constants (arrays
  filled with one int or ``Fraction``) is a constant — ``sum`` of a fill v
  over n elements is n·v, ``matmul`` of fills is k·u·v, shape operations
  move the fill;
- the ring's identities that hold in every ring: x·0 = 0, 0 @ x = 0,
  x·1 = x, x + 0 = x, −(−x) = x, and identity reshapes, transposes and
  broadcasts are x;
- common subexpressions: one wire per (generator, inputs, attributes, shape),
  ``add`` and ``mul`` read up to the order of their inputs;
- dead generators: those no output depends on;
- inside every ``scan``, its body, simplified the same way (its interface kept).

It never grows a circuit and the function it computes is unchanged (the
law suite ``catlearn.laws.array_simplifier`` checks both on random
circuits at random points over Z7 and the reals)::

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> b = ArrayBuilder([(3,)])
    >>> (x,) = b.inputs
    >>> zero, one = b.zeros((3,)), b.constant(1, (3,))
    >>> y = b.add(b.mul(x, one), b.mul(x, zero))        # x·1 + x·0
    >>> c = b.build([b.neg(b.neg(y)), b.mul(x, one)])
    >>> len(c), len(simplify(c)), simplify(c).outputs   # both outputs are the input
    (8, 0, (0, 0))
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from catlearn.diagrams.arrays.circuit import (
    ArrayCircuit,
    _TrustedArrayBuilder,
    require_array_circuit,
)


def simplify(circuit: ArrayCircuit) -> ArrayCircuit:
    """The same function in at most as many generators (see the module docstring)."""
    c = require_array_circuit(circuit)
    b = _TrustedArrayBuilder(c.input_shapes)
    fill: dict[int, Fraction | int] = {}  # new wire → the value every element has
    seen: dict[tuple, int] = {}
    negated: dict[int, int] = {}  # new wire −x → x
    new = list(range(c.n_inputs)) + [0] * (len(c.shapes) - c.n_inputs)

    def constant(value: Any, shape: tuple) -> int:
        value = Fraction(value)
        value = int(value) if value.denominator == 1 else value
        key = ("constant", value, shape)
        if key not in seen:
            seen[key] = b.constant(value, shape)
            fill[seen[key]] = value
        return seen[key]

    for op in c.ops:
        xs = [new[w] for w in op.ins]
        if op.kind == "scan":
            outs = _scan(b, op, xs, c.shapes, seen)
            for w, v in zip(op.outs, outs):
                new[w] = v
            continue
        shape = c.shapes[op.out]
        new[op.out] = _rewrite(b, op, xs, shape, fill, seen, negated, constant)
    return _live(b.build([new[w] for w in c.outputs]))


def _scan(b, op, xs, shapes, seen) -> list[int]:
    """A scan with its body simplified, shared with an equal one (same inputs, body and
    attributes) met before."""
    attrs = dict(op.attrs)
    attrs["body"] = simplify(attrs["body"])
    attrs = tuple(sorted(attrs.items()))
    key = ("scan", tuple(xs), attrs)
    if key not in seen:
        first = b._copy_all(op._replace(attrs=attrs), xs, shapes)[0]
        seen[key] = first
    return list(range(seen[key], seen[key] + len(op.outs)))


def _rewrite(b, op, xs, shape, fill, seen, negated, constant) -> int:
    kind, attrs = op.kind, dict(op.attrs)
    values = [fill.get(x) for x in xs]
    if kind == "constant":
        return constant(attrs["value"], shape)
    foldable = not (kind == "concatenate" and len(set(values)) > 1)  # not one fill
    if xs and foldable and all(v is not None for v in values):
        return constant(_folded(kind, values, attrs, b.shapes, xs), shape)
    if kind == "mul":
        for i in (0, 1):
            if values[i] == 0:
                return constant(0, shape)
            if values[i] == 1:
                return xs[1 - i]
    if kind == "matmul" and 0 in values:
        return constant(0, shape)
    if kind == "add":
        for i in (0, 1):
            if values[i] == 0:
                return xs[1 - i]
    if kind == "neg" and xs[0] in negated:
        return negated[xs[0]]
    if kind in ("reshape", "broadcast") and b.shapes[xs[0]] == shape:
        return xs[0]
    if kind == "transpose" and attrs["perm"] == tuple(range(len(shape))):
        return xs[0]
    if kind == "concatenate" and len(xs) == 1:
        return xs[0]
    if kind == "slice" and b.shapes[xs[0]] == shape:
        return xs[0]
    ins = tuple(sorted(xs)) if kind in ("add", "mul") else tuple(xs)
    key = (kind, ins, op.attrs, shape)  # the shape too: reshape keeps it in no attribute
    if key not in seen:
        seen[key] = b._copy(op, xs, shape)
        if kind == "neg":
            negated[seen[key]] = xs[0]
    return seen[key]


def _folded(kind: str, values: list, attrs: dict, shapes: list, xs: list) -> Fraction:
    """The fill of a generator applied to fills (exact: ints and Fractions)."""
    if kind == "add":
        return Fraction(values[0]) + values[1]
    if kind == "mul":
        return Fraction(values[0]) * values[1]
    if kind == "neg":
        return -Fraction(values[0])
    if kind == "matmul":
        return Fraction(values[0]) * values[1] * shapes[xs[0]][-1]
    if kind == "sum":
        return Fraction(values[0]) * math.prod(shapes[xs[0]][a] for a in attrs["axes"])
    return Fraction(values[0])  # shape operations move the fill


def _live(c: ArrayCircuit) -> ArrayCircuit:
    """``c`` without the generators no output depends on. Wire ids are kept (a dropped
    generator's wire is left unwritten), so this is one backward pass and one filter."""
    needed = bytearray(len(c.shapes))
    for w in c.outputs:
        needed[w] = 1
    keep = bytearray(len(c.ops))
    for i in range(len(c.ops) - 1, -1, -1):
        op = c.ops[i]
        if needed[op.out] if op.kind != "scan" else any(needed[w] for w in op.outs):
            keep[i] = 1
            for w in op.ins:
                needed[w] = 1
    if all(keep):
        return c
    ops = tuple(op for op, k in zip(c.ops, keep) if k)
    return ArrayCircuit(c.shapes, c.n_inputs, ops, c.outputs)
