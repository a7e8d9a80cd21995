"""Blocking: a scalar polynomial circuit as an array circuit, its dense linear blocks lifted.

``lift(h)`` reads a scalar circuit (``catlearn.diagrams.polycirc``) and
writes the same function as an array circuit with one input vector (the
scalar inputs, in order) and one output vector. Outputs that are sums of
products ``Σ_c w[r, c] · x[c]`` of inputs, plus perhaps one input b[r]
— a matrix–vector product or an affine layer, as ``polycirc.matvec``,
``dot`` and ``linear`` build them — are grouped by the inputs ``x`` they
share into blocks; a block whose weights, ``x`` and biases are contiguous
runs of the inputs (the weights row- or column-major) becomes one
``matmul`` (and an ``add``) on slices of the input vector. Every other gate is
kept as a shape-``()`` generator, so the function never changes; only
where a block is found does the circuit get faster::

    >>> from catlearn.diagrams import polycirc
    >>> c = lift(polycirc.matvec(224, 224))        # 50,176 products, 49,952 adds
    >>> c.count()["matmul"], len(c), c.input_shapes, c.output_shapes
    (1, 6, ((50400,),), ((224,),))

The scalar circuit's R[d] compiled over ``Real()`` runs its 10^5 gates in
chunks; ``reverse_derivative(lift(h))`` is two matmuls (benchmarks/arrays.py).
"""

from __future__ import annotations

from typing import Any

from catlearn.diagrams.arrays.circuit import ArrayCircuit, _TrustedArrayBuilder
from catlearn.diagrams.arrays.simplifier import _live
from catlearn.diagrams.polycirc import Netlist, no_gc_pauses


def lift(diagram: Any) -> ArrayCircuit:
    """The scalar circuit ``diagram`` as an array circuit (n_inputs,) → (n_outputs,), each
    dense linear block found in it one ``matmul``."""
    with no_gc_pauses():
        net = Netlist(diagram)
        source = {w: i for i, w in enumerate(net.sources)}
        terms = _bilinear_terms(net, source)
        blocks = _blocks(net, terms)
        # Dead generators dropped, constants left as they are: folding them here would hide
        # one that does not exist in the ring the result is compiled over.
        return _live(_build(net, source, blocks))


def _bilinear_terms(net: Netlist, source: dict) -> dict:
    """wire → (pairs, singles) when the wire is Σ x_i · x_j + Σ x_s: the (i, j) of its
    products of two inputs (operand order kept) and the s of its lone inputs."""
    terms: dict[int, tuple] = {w: ((), (i,)) for w, i in source.items()}
    for gate, xs, y in zip(net.gates, net.ins, net.outs):
        if gate.kind == "mul" and xs[0] in source and xs[1] in source:
            terms[y] = (((source[xs[0]], source[xs[1]]),), ())
        elif gate.kind == "add" and xs[0] in terms and xs[1] in terms:
            (p, s), (q, t) = terms[xs[0]], terms[xs[1]]
            terms[y] = (p + q, s + t)
    return terms


def _blocks(net: Netlist, terms: dict) -> list:
    """Groups of target wires forming dense blocks: (targets, x run start, k, W layout)."""
    by_x: dict[tuple, list] = {}
    for t in dict.fromkeys(net.targets):  # each target wire once, in order
        pairs, singles = terms.get(t, ((), ()))
        if not pairs or len(singles) > 1:
            continue
        xs = sorted(j for _, j in pairs)
        if len(set(xs)) != len(xs) or xs != list(range(xs[0], xs[0] + len(xs))):
            continue  # x must be a contiguous run, each element once
        row = [i for _, i in sorted((j, i) for i, j in pairs)]
        by_x.setdefault((xs[0], len(xs), len(singles)), []).append((t, row, singles))
    blocks = []
    for (x0, k, biased), rows in by_x.items():
        m = len(rows)
        w = [row for _, row, _ in rows]
        bias = [s[0] for _, _, s in rows] if biased else None
        if bias and bias != list(range(bias[0], bias[0] + m)):
            continue
        w0 = w[0][0]
        if all(w[r][c] == w0 + r * k + c for r in range(m) for c in range(k)):
            layout = "rows"
        elif all(w[r][c] == w0 + c * m + r for r in range(m) for c in range(k)):
            layout = "columns"
        else:
            continue
        blocks.append(([t for t, _, _ in rows], x0, k, w0, layout, bias and bias[0]))
    return blocks


def _build(net: Netlist, source: dict, blocks: list) -> ArrayCircuit:
    n = len(net.sources)
    b = _TrustedArrayBuilder([(n,)])
    flat = 0
    value: dict[int, int] = {}  # scalar wire → its () wire in b
    row_of: dict[int, tuple[int, int]] = {}  # target wire → (block output, row)
    for targets, x0, k, w0, layout, b0 in blocks:
        m = len(targets)
        x = b.reshape(b.slice(flat, 0, x0, x0 + k), (k, 1))
        weights = b.slice(flat, 0, w0, w0 + m * k)
        if layout == "rows":
            W = b.reshape(weights, (m, k))
        else:
            W = b.transpose(b.reshape(weights, (k, m)), (1, 0))
        y = b.reshape(b.matmul(W, x), (m,))
        if b0 is not None:
            y = b.add(y, b.slice(flat, 0, b0, b0 + m))
        for r, t in enumerate(targets):
            row_of[t] = (y, r)
    needed = {t for t in net.targets if t not in row_of}
    for xs, out in zip(reversed(net.ins), reversed(net.outs)):
        if out in needed:
            needed.update(xs)
    for w in needed & source.keys():
        value[w] = b.reshape(b.slice(flat, 0, source[w], source[w] + 1), ())
    for gate, xs, y in zip(net.gates, net.ins, net.outs):
        if y not in needed:
            continue
        if gate.kind in ("add", "mul"):
            op = b.add if gate.kind == "add" else b.mul
            value[y] = op(value[xs[0]], value[xs[1]])
        elif gate.kind == "neg":
            value[y] = b.neg(value[xs[0]])
        else:
            value[y] = b.constant(gate.value or 0, ())
    pieces: list[int] = []
    i = 0
    targets = net.targets
    while i < len(targets):
        t = targets[i]
        if t in row_of:
            y, r = row_of[t]
            m = b.shapes[y][0]
            run = [row_of.get(u) for u in targets[i : i + m - r]]
            if r == 0 and run == [(y, j) for j in range(m)]:
                pieces.append(y)  # the whole block, in order
                i += m
                continue
            pieces.append(b.slice(y, 0, r, r + 1))
        else:
            pieces.append(b.reshape(value[t], (1,)))
        i += 1
    if not pieces:
        return b.build([b.zeros((0,))])
    return b.build([b.concatenate(pieces, 0) if len(pieces) > 1 else pieces[0]])
