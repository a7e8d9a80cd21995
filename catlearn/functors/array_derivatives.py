"""Reverse and forward derivatives of array circuits, one rule per array generator.

For an array circuit d : A → B, R[d] : A ⊗ B → A is again an array
circuit, built in one pass in time linear in d, exact over every
commutative ring (GF2 and Z/n included). Each generator's rule is an array
operation of the same cost as the generator, so R[d] of a model built
from matmuls is a model built from matmuls:

=================================  ====================================================
generator                          R[d](x, b)
=================================  ====================================================
``add(x₁, x₂)``                     ``(b, b)``
``mul(x₁, x₂)``                     ``(x₂ · b, x₁ · b)``
``neg(x)``                          ``−b``
``matmul(a, c)``                    ``(b @ cᵀ, aᵀ @ b)`` (ᵀ swaps the last two axes)
``sum(x, axes)``                    ``broadcast(b)`` back to x's shape
``broadcast(x, shape, dims)``       ``sum`` of b over the new and stretched axes
``reshape(x)``                      ``reshape(b)`` to x's shape
``transpose(x, perm)``              ``transpose(b, perm⁻¹)``
``concatenate(xs, axis)``           one ``slice`` of b per part
``slice(x, axis, i, j)``            b padded with zeros (a ``concatenate``)
``constant``                        ``()``
copy (a wire read twice)            the sum of its cotangents
=================================  ====================================================

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> b = ArrayBuilder([(2, 3), (3, 1)])
    >>> W, x = b.inputs
    >>> r = reverse_derivative(b.build([b.matmul(W, x)]))   # (W, x, b) ↦ (b xᵀ, Wᵀ b)
    >>> r.input_shapes, r.output_shapes, r.count()["matmul"]
    (((2, 3), (3, 1), (2, 1)), ((2, 3), (3, 1)), 2)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from catlearn.diagrams.arrays.circuit import (
    ArrayCircuit,
    Op,
    _TrustedArrayBuilder,
    require_array_circuit,
)
from catlearn.diagrams.arrays.simplifier import _live
from catlearn.errors import ArgumentTypeError, PolycircError

ArrayRule = Callable[[_TrustedArrayBuilder, Op, tuple[int, ...], int], tuple[Any, ...]]
"""A reverse rule: (builder, the generator, its forward input wires in the builder, the
output's cotangent) → one cotangent wire (or ``None`` for zero) per input."""


def _swap_last(b: _TrustedArrayBuilder, w: int) -> int:
    rank = len(b.shapes[w])
    return b.transpose(w, tuple(range(rank - 2)) + (rank - 1, rank - 2))


def _r_add(b, op, xs, dy):
    return (dy, dy)


def _r_mul(b, op, xs, dy):
    return (b.mul(xs[1], dy), b.mul(xs[0], dy))


def _r_neg(b, op, xs, dy):
    return (b.neg(dy),)


def _r_matmul(b, op, xs, dy):
    a, c = xs
    return (b.matmul(dy, _swap_last(b, c)), b.matmul(_swap_last(b, a), dy))


def _r_sum(b, op, xs, dy):
    shape = b.shapes[xs[0]]
    axes = op.attr("axes")
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return (b.broadcast(dy, shape, kept),)


def _r_broadcast(b, op, xs, dy):
    sx, shape, dims = b.shapes[xs[0]], b.shapes[dy], op.attr("dims")
    stretched = {d for i, d in enumerate(dims) if sx[i] != shape[d]}
    axes = tuple(a for a in range(len(shape)) if a not in dims or a in stretched)
    out = b.sum(dy, axes) if axes else dy
    return (b.reshape(out, sx) if b.shapes[out] != sx else out,)


def _r_reshape(b, op, xs, dy):
    return (b.reshape(dy, b.shapes[xs[0]]),)


def _r_transpose(b, op, xs, dy):
    perm = op.attr("perm")
    inverse = tuple(sorted(range(len(perm)), key=lambda i: perm[i]))
    return (b.transpose(dy, inverse),)


def _r_concatenate(b, op, xs, dy):
    axis, start, out = op.attr("axis"), 0, []
    for x in xs:
        n = b.shapes[x][axis]
        out.append(b.slice(dy, axis, start, start + n))
        start += n
    return tuple(out)


def _r_slice(b, op, xs, dy):
    sx, axis = b.shapes[xs[0]], op.attr("axis")
    start, stop = op.attr("start"), op.attr("stop")
    parts = []
    for n in (start, None, sx[axis] - stop):
        if n is None:
            parts.append(dy)
        elif n:
            parts.append(b.zeros(sx[:axis] + (n,) + sx[axis + 1 :]))
    return (b.concatenate(parts, axis) if len(parts) > 1 else dy,)


def _r_nullary(b, op, xs, dy):
    return ()


ARRAY_RULES: Mapping[str, ArrayRule] = {
    "add": _r_add,
    "mul": _r_mul,
    "neg": _r_neg,
    "matmul": _r_matmul,
    "sum": _r_sum,
    "broadcast": _r_broadcast,
    "reshape": _r_reshape,
    "transpose": _r_transpose,
    "concatenate": _r_concatenate,
    "slice": _r_slice,
    "constant": _r_nullary,
}
"""The reverse rule of each array generator; pass another mapping to experiment (the law
tests build wrong rules this way and show that the laws catch them)."""


def reverse_derivative(
    circuit: ArrayCircuit, rules: Mapping[str, ArrayRule] = ARRAY_RULES, *,
    against_target: bool = False,
) -> ArrayCircuit:
    """R[d] : A ⊗ B → A of an array circuit d : A → B: inputs are d's inputs then one
    cotangent per output (shaped like it), outputs one cotangent per input.

    With ``against_target=True`` the cotangents are replaced by targets y and the
    circuit computes R[d](a, d(a) − y), the step of reverse derivative ascent.
    The forward generators no cotangent reads are dropped (``simplify`` does more).
    """
    d = require_array_circuit(circuit)
    _check_rules(d, rules)
    b = _TrustedArrayBuilder(d.input_shapes + d.output_shapes)
    wire = _replay(b, d, list(range(d.n_inputs)))
    cotangents: list[list[int]] = [[] for _ in d.shapes]
    for j, t in enumerate(d.outputs):
        given = d.n_inputs + j
        cotangents[t].append(b.add(wire[t], b.neg(given)) if against_target else given)
    for op in reversed(d.ops):
        dy = _total(b, cotangents[op.out])
        if dy is None:
            continue
        dxs = rules[op.kind](b, op, tuple(wire[x] for x in op.ins), dy)
        if len(dxs) != len(op.ins):
            raise PolycircError(
                f"the reverse rule for {op.kind!r} returned {len(dxs)} cotangents for a "
                f"generator with {len(op.ins)} inputs"
            )
        for x, dx in zip(op.ins, dxs):
            if dx is None:
                continue
            if b.shapes[dx] != d.shapes[x]:
                raise PolycircError(
                    f"the reverse rule for {op.kind!r} gave a cotangent of shape "
                    f"{b.shapes[dx]} for an input of shape {d.shapes[x]}"
                )
            cotangents[x].append(dx)
    outputs = [_total(b, cotangents[s]) for s in range(d.n_inputs)]
    return _live(b.build([b.zeros(d.shapes[s]) if w is None else w for s, w in enumerate(outputs)]))


def forward_derivative(circuit: ArrayCircuit) -> ArrayCircuit:
    """D[d] : A ⊗ A → B, D[d](a, v) = J_d(a) v: inputs are d's inputs then one tangent per
    input, outputs one tangent per output."""
    d = require_array_circuit(circuit)
    b = _TrustedArrayBuilder(d.input_shapes + d.input_shapes)
    wire = _replay(b, d, list(range(d.n_inputs)))
    tangent: dict[int, int] = {s: d.n_inputs + s for s in range(d.n_inputs)}
    for op in d.ops:
        ts = [tangent.get(x) for x in op.ins]
        if op.kind == "constant" or all(t is None for t in ts):
            continue
        xs = [wire[x] for x in op.ins]
        if op.kind == "add":
            t = _total(b, [t for t in ts if t is not None])
        elif op.kind in ("mul", "matmul"):
            apply = b.mul if op.kind == "mul" else b.matmul
            terms = [apply(ts[0], xs[1]) if ts[0] is not None else None,
                     apply(xs[0], ts[1]) if ts[1] is not None else None]
            t = _total(b, [t for t in terms if t is not None])
        else:  # linear in its inputs: the same generator applied to the tangents
            full = [b.zeros(b.shapes[x]) if t is None else t for x, t in zip(xs, ts)]
            t = b._copy(op, full, d.shapes[op.out])
        tangent[op.out] = t
    outputs = [tangent.get(t) for t in d.outputs]
    return _live(b.build([b.zeros(d.shapes[t]) if w is None else w
                          for t, w in zip(d.outputs, outputs)]))


def _check_rules(d: ArrayCircuit, rules: Any) -> None:
    if not isinstance(rules, Mapping):
        raise ArgumentTypeError(
            f"rules: expected a mapping from generator kinds to rules, got {type(rules).__name__}"
        )
    for kind in sorted({op.kind for op in d.ops}):
        if not callable(rules.get(kind)):
            raise PolycircError(f"rules: the circuit has {kind!r} generators but no rule for them")


def _replay(b: _TrustedArrayBuilder, d: ArrayCircuit, inputs: list[int]) -> list[int]:
    ids = inputs + [0] * (len(d.shapes) - d.n_inputs)
    for op in d.ops:
        ids[op.out] = b._copy(op, [ids[x] for x in op.ins], d.shapes[op.out])
    return ids


def _total(b: _TrustedArrayBuilder, wires: list[int]) -> int | None:
    """Σ wires as a balanced tree of adds, or ``None`` for an empty (zero) sum."""
    if len(wires) < 2:
        return wires[0] if wires else None
    while len(wires) > 1:
        paired = [b.add(x, y) for x, y in zip(wires[::2], wires[1::2])]
        wires = paired + wires[len(paired) * 2 :]
    return wires[0]
