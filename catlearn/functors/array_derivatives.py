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
``scan(body, c, xs)``               a reverse scan of R[body] (below)
=================================  ====================================================

A ``scan`` has several outputs, so its rule receives a tuple of cotangents, one per
output (``None`` for zero). R[body] is split into its forward work (on the carry c and the
slice x alone) and its cotangent work. A forward scan does the forward work and stacks,
step by step, the residuals the cotangent work reads (the carries' history, and e.g. h W
for a block h + (h W)²; shape operations such as Wᵀ are redone, not stored). Then a scan in
the opposite direction over (residuals, xs, dys), its carry the carries' cotangent, does
the cotangent work and gives the cotangent of the initial carries and the stacked
cotangents of xs. In ``reverse_derivative`` the replayed forward scan is that forward scan,
so R[d] runs the body's forward work once, like JAX's own ``lax.scan`` VJP; a rule called
without it recomputes the residuals by one more forward scan (rematerialisation). The
forward derivative of a scan is one scan of (body, D[body]) carrying (c, dc).

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> b = ArrayBuilder([(2, 3), (3, 1)])
    >>> W, x = b.inputs
    >>> r = reverse_derivative(b.build([b.matmul(W, x)]))   # (W, x, b) ↦ (b xᵀ, Wᵀ b)
    >>> r.input_shapes, r.output_shapes, r.count()["matmul"]
    (((2, 3), (3, 1), (2, 1)), ((2, 3), (3, 1)), 2)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from catlearn.diagrams.arrays.circuit import (
    ArrayCircuit,
    Op,
    _TrustedArrayBuilder,
    kinds,
    require_array_circuit,
)
from catlearn.diagrams.arrays.simplifier import _live, simplify
from catlearn.errors import ArgumentTypeError, PolycircError

ArrayRule = Callable[[_TrustedArrayBuilder, Op, tuple[int, ...], int], tuple[Any, ...]]
"""A reverse rule: (builder, the generator, its forward input wires in the builder, the
output's cotangent) → one cotangent wire (or ``None`` for zero) per input. A generator with
several outputs (``scan``, whose attributes hold ``n_outs``) gets a tuple of cotangents,
one per output, ``None`` for zero."""


class _RuleBuilder(_TrustedArrayBuilder):
    """The builder of R[d]; it carries the rules, which the ``scan`` rule applies to its
    body, each scan body's split R[body], and, by a scan's first output wire in d, the
    residuals its replayed forward scan stacked."""

    rules: Mapping[str, ArrayRule]
    splits: dict
    saved: dict


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


_RECOMPUTED = frozenset({"transpose", "reshape", "broadcast", "slice", "concatenate"})
"""Shape operations on forward values: the reverse scan redoes them rather than store
their results (a stored Wᵀ would cost as much memory as W)."""


class _Split(NamedTuple):
    """R[body] split for a scan: ``side[w]`` is 'P' for a wire of the forward work (on the
    carries c and slices x alone), 'T' for one that reads a cotangent, 'S' for one of
    constants alone, 'C' for a shape operation on forward work (redone in the reverse
    scan); ``residuals`` are the 'P' wires the cotangent work reads (x's apart: the reverse
    scan reads xs), and ``forward`` is the step (c, x) → (c', y, residuals…)."""

    r: ArrayCircuit
    side: list
    residuals: list
    forward: ArrayCircuit


def _split(body: ArrayCircuit, k: int, rules: Mapping[str, ArrayRule]) -> _Split:
    r = reverse_derivative(body, rules)
    n_forward = body.n_inputs  # R[body]'s inputs: c, x, then dc', dy
    side = ["P"] * n_forward + ["T"] * (r.n_inputs - n_forward) + [""] * (
        len(r.shapes) - r.n_inputs)
    for o in r.ops:
        ins = {side[w] for w in o.ins}
        c = "T" if "T" in ins else "P" if "P" in ins or "C" in ins else "S"
        if c == "P" and o.kind in _RECOMPUTED:
            c = "C"
        for w in o.outs:
            side[w] = c
    needed = set(r.outputs)  # what the reverse scan computes or reads
    for o in reversed(r.ops):
        if side[o.out] == "T" or (side[o.out] == "C" and needed.intersection(o.outs)):
            needed.update(o.ins)
    residuals = sorted(w for w in needed if side[w] == "P" and not k <= w < n_forward)
    hb = _TrustedArrayBuilder(body.input_shapes)
    hmap = list(range(n_forward)) + [0] * (len(r.shapes) - n_forward)
    for o in r.ops:
        if side[o.out] != "T":
            for w, new in zip(o.outs, hb._copy_all(o, [hmap[x] for x in o.ins], r.shapes)):
                hmap[w] = new
    outs = hb.apply(body, hb.inputs) + [hmap[w] for w in residuals]
    return _Split(r, side, residuals, simplify(hb.build(outs)))


def _split_of(b: _TrustedArrayBuilder, body: ArrayCircuit, k: int) -> _Split:
    splits = getattr(b, "splits", None)
    if splits is None:
        return _split(body, k, getattr(b, "rules", ARRAY_RULES))
    if (body, k) not in splits:
        splits[body, k] = _split(body, k, b.rules)
    return splits[body, k]


def _r_scan(b, op, xs, dys):
    body, k, n, rev = (op.attr(a) for a in ("body", "n_carries", "length", "reverse"))
    carries, stacked = list(xs[:k]), list(xs[k:])
    split = _split_of(b, body, k)
    r, side, residuals = split.r, split.side, split.residuals
    history = getattr(b, "saved", {}).get(op.out)  # stacked by the replayed forward scan
    if history is None:  # recompute them: one more forward scan (rematerialisation)
        history = b.scan(split.forward, carries, stacked, length=n,
                         reverse=rev)[len(body.outputs):] if residuals else []
    # the reverse scan: R[body]'s cotangent work, carrying the carries' cotangent
    given = [j for j, dy in enumerate(dys[k:]) if dy is not None]
    cshapes, yshapes, n_forward = body.input_shapes[:k], body.output_shapes[k:], body.n_inputs
    rb = _TrustedArrayBuilder(cshapes + tuple(r.shapes[w] for w in residuals)
                              + body.input_shapes[k:] + tuple(yshapes[j] for j in given))
    ins = iter(rb.inputs)
    rmap = [0] * len(r.shapes)
    for w in [*range(n_forward, n_forward + k), *residuals, *range(k, n_forward)]:
        rmap[w] = next(ins)  # dc' (the carry), the residuals, x
    for j, s in enumerate(yshapes):
        rmap[n_forward + k + j] = next(ins) if j in given else rb.zeros(s)
    for o in r.ops:
        if side[o.out] in ("T", "S", "C"):  # a 'C' the reverse scan does not read is dead
            for w, new in zip(o.outs, rb._copy_all(o, [rmap[x] for x in o.ins], r.shapes)):
                rmap[w] = new
    step = _live(rb.build([rmap[w] for w in r.outputs]))
    dc_final = [b.zeros(s) if w is None else w for w, s in zip(dys[:k], cshapes)]
    out = b.scan(step, dc_final, list(history) + stacked + [dys[k + j] for j in given],
                 length=n, reverse=not rev)
    return tuple(out)


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
    "scan": _r_scan,
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
    b = _RuleBuilder(d.input_shapes + d.output_shapes)
    b.rules, b.splits, b.saved = rules, {}, {}
    wire = _replay(b, d, list(range(d.n_inputs)), saving=True)
    cotangents: list[list[int]] = [[] for _ in d.shapes]
    for j, t in enumerate(d.outputs):
        given = d.n_inputs + j
        cotangents[t].append(b.add(wire[t], b.neg(given)) if against_target else given)
    for op in reversed(d.ops):
        if op.kind != "scan":  # one output: one cotangent
            dy = _total(b, cotangents[op.out])
            if dy is None:
                continue
        else:
            dy = tuple(_total(b, cotangents[w]) for w in op.outs)
            if all(t is None for t in dy):
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
        if op.kind == "scan":
            tangent.update(zip(op.outs, _d_scan(b, op, xs, ts)))
            continue
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


def _d_scan(b: _TrustedArrayBuilder, op: Op, xs: list, ts: list) -> list[int]:
    """The tangents of a scan's outputs: one scan of (body, D[body]) carrying (c, dc)."""
    body, k, n = op.attr("body"), op.attr("n_carries"), op.attr("length")
    cshapes, xshapes = body.input_shapes[:k], body.input_shapes[k:]
    moving = [j for j, t in enumerate(ts[k:]) if t is not None]
    db = _TrustedArrayBuilder(cshapes + cshapes + xshapes + tuple(xshapes[j] for j in moving))
    c, dc = db.inputs[:k], db.inputs[k:2 * k]
    x = db.inputs[2 * k:2 * k + len(xshapes)]
    dx_in = dict(zip(moving, db.inputs[2 * k + len(xshapes):]))
    dx = [dx_in[j] if j in dx_in else db.zeros(s) for j, s in enumerate(xshapes)]
    outs = db.apply(body, c + x)
    douts = db.apply(forward_derivative(body), c + x + dc + dx)
    step = _live(db.build(outs[:k] + douts))
    dc0 = [b.zeros(s) if t is None else t for t, s in zip(ts[:k], cshapes)]
    out = b.scan(step, xs[:k] + dc0, xs[k:] + [ts[k + j] for j in moving], length=n,
                 reverse=op.attr("reverse"))
    return out[k:]


def _check_rules(d: ArrayCircuit, rules: Any) -> None:
    if not isinstance(rules, Mapping):
        raise ArgumentTypeError(
            f"rules: expected a mapping from generator kinds to rules, got {type(rules).__name__}"
        )
    for kind in sorted(kinds(d)):
        if not callable(rules.get(kind)):
            raise PolycircError(f"rules: the circuit has {kind!r} generators but no rule for them")


def _replay(b: _TrustedArrayBuilder, d: ArrayCircuit, inputs: list[int], *,
            saving: bool = False) -> list[int]:
    """d's generators again on ``inputs``; with ``saving``, each scan also stacks the
    residuals its reverse rule reads (as JAX's scan does), saved in ``b.saved``, so that R[d]
    runs each scan's forward work once."""
    ids = inputs + [0] * (len(d.shapes) - d.n_inputs)
    for op in d.ops:
        ins = [ids[x] for x in op.ins]
        outs = None
        if saving and op.kind == "scan":
            k = op.attr("n_carries")
            split = _split_of(b, op.attr("body"), k)
            if split.residuals:
                outs = b.scan(split.forward, ins[:k], ins[k:], length=op.attr("length"),
                              reverse=op.attr("reverse"))
                b.saved[op.out] = outs[len(op.outs):]
        for w, new in zip(op.outs, outs or b._copy_all(op, ins, d.shapes)):
            ids[w] = new
    return ids


def _total(b: _TrustedArrayBuilder, wires: list[int]) -> int | None:
    """Σ wires as a balanced tree of adds, or ``None`` for an empty (zero) sum."""
    if len(wires) < 2:
        return wires[0] if wires else None
    while len(wires) > 1:
        paired = [b.add(x, y) for x, y in zip(wires[::2], wires[1::2])]
        wires = paired + wires[len(paired) * 2 :]
    return wires[0]
