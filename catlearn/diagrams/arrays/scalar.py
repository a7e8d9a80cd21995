"""An array circuit as a scalar polynomial circuit, element by element.

``to_scalar(c)`` writes every array generator as the scalar gates it
stands for (a ``matmul`` of (m, k) by (k, n) is m·n·k ``mul`` gates and
sums of them; shape operations are wiring), so that the array and scalar
forms of one circuit can be compared, and a small array circuit can be
composed with scalar ones. A ``scan`` is unrolled: its body's gates once
per step. Inputs and outputs are flattened in order,
each array in row-major order::

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> b = ArrayBuilder([(2, 3), (3, 1)])
    >>> W, x = b.inputs
    >>> h = to_scalar(b.build([b.matmul(W, x)]))
    >>> len(h.dom), len(h.cod), h.n_boxes          # 6 products, 2 sums of 3
    (9, 2, 10)
"""

from __future__ import annotations

import math

import numpy as np

from catlearn.diagrams.arrays.circuit import ArrayCircuit, require_array_circuit
from catlearn.diagrams.hypergraph import Hypergraph
from catlearn.diagrams.polycirc import _TrustedBuilder, no_gc_pauses


def to_scalar(circuit: ArrayCircuit) -> Hypergraph:
    """The scalar polynomial circuit computing ``circuit`` element by element."""
    c = require_array_circuit(circuit)
    sizes = [math.prod(s) for s in c.input_shapes]
    with no_gc_pauses():
        b = _TrustedBuilder(sum(sizes))
        starts = np.cumsum([0] + sizes)
        inputs = [np.arange(starts[i], starts[i + 1], dtype=object).reshape(s)
                  for i, s in enumerate(c.input_shapes)]
        outputs = [w for y in _run(b, c, inputs) for w in np.ravel(y).tolist()]
        return b.build(outputs)


def _run(b: _TrustedBuilder, c: ArrayCircuit, inputs: list) -> list:
    """c's outputs as arrays of scalar wires, given its inputs as such arrays."""
    values: list = inputs + [None] * (len(c.shapes) - c.n_inputs)
    for op in c.ops:
        xs = [values[w] for w in op.ins]
        if op.kind == "scan":
            values[op.out : op.out + len(op.outs)] = _unrolled(b, op, xs)
        else:
            values[op.out] = _gates(b, op, xs, c.shapes[op.out])
    return [values[w] for w in c.outputs]


def _unrolled(b: _TrustedBuilder, op, xs: list) -> list:
    body, k, n = op.attr("body"), op.attr("n_carries"), op.attr("length")
    carry, ys = list(xs[:k]), [None] * n
    for i in reversed(range(n)) if op.attr("reverse") else range(n):
        out = _run(b, body, carry + [x[i, ...] for x in xs[k:]])  # arrays, even 0-d
        carry, ys[i] = out[:k], out[k:]
    stacked = []
    for j, shape in enumerate(body.output_shapes[k:]):
        y = np.empty((n,) + shape, dtype=object)
        for i in range(n):
            y[i, ...] = ys[i][j]
        stacked.append(y)
    return carry + stacked


def _gates(b: _TrustedBuilder, op, xs: list, shape: tuple) -> np.ndarray:
    kind, a = op.kind, dict(op.attrs)
    out = np.empty(shape, dtype=object)
    if kind in ("add", "mul"):
        gate = b.add if kind == "add" else b.mul
        for i in np.ndindex(shape):
            out[i] = gate(xs[0][i], xs[1][i])
        return out
    if kind == "neg":
        for i in np.ndindex(shape):
            out[i] = b.neg(xs[0][i])
        return out
    if kind == "constant":
        out[...] = b.constant(a["value"])  # one gate, copied to every element
        return out
    if kind == "matmul":
        p, q = xs
        for i in np.ndindex(shape):
            lead, m, n = i[:-2], i[-2], i[-1]
            terms = [b.mul(p[lead + (m, j)], q[lead + (j, n)]) for j in range(p.shape[-1])]
            out[i] = b.sum(terms)
        return out
    if kind == "sum":
        x, axes = xs[0], a["axes"]
        moved = np.moveaxis(x, axes, tuple(range(-len(axes), 0)))
        flat = moved.reshape(shape + (-1,))
        for i in np.ndindex(shape):
            out[i] = b.sum(flat[i].tolist())
        return out
    if kind == "broadcast":
        expanded = [1] * len(shape)
        for i, d in enumerate(a["dims"]):
            expanded[d] = xs[0].shape[i]
        return np.broadcast_to(xs[0].reshape(expanded), shape)
    if kind == "reshape":
        return xs[0].reshape(shape)
    if kind == "transpose":
        return np.transpose(xs[0], a["perm"])
    if kind == "concatenate":
        return np.concatenate(xs, axis=a["axis"])
    if kind == "slice":
        index = [slice(None)] * len(shape)
        index[a["axis"]] = slice(a["start"], a["stop"])
        return xs[0][tuple(index)]
    raise AssertionError(kind)
