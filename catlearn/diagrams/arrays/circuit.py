"""Array polynomial circuits: wires carry arrays over a commutative ring.

The scalar circuits of ``catlearn.diagrams.polycirc`` have one ring
element per wire, so a 224×224 matrix–vector product is 50,176 ``mul``
gates. Here a wire carries an array of a fixed shape and a generator is an
array operation, so that product is one ``matmul``, which compiles to one
BLAS call. The generators, all exact in any commutative ring:

==============  ===========================================================
``matmul``      ``(…, m, k) @ (…, k, n) → (…, m, n)`` (equal batch axes)
``add, mul``    elementwise, equal shapes (``broadcast`` first)
``neg``         elementwise −x (rings only)
``constant``    an array of one shape filled with an int or ``Fraction``
``sum``         over some axes, which disappear
``broadcast``   ``lax.broadcast_in_dim``: axis i of x becomes axis ``dims[i]``
``reshape``     same number of elements
``transpose``   a permutation of the axes
``concatenate`` along one axis
``slice``       ``start:stop`` along one axis
``scan``        ``lax.scan`` of a body circuit over stacked inputs (below)
==============  ===========================================================

Copy and discard are wiring: a wire read twice is copied, one never read
is discarded. Scalar gates are the shape-``()`` case. Build wire by wire,
in time linear in the circuit's size; every shape is checked when the
generator is added, naming it::

    >>> b = ArrayBuilder([(3, 2), (2,)])           # W, x
    >>> W, x = b.inputs
    >>> y = b.sum(b.mul(W, b.broadcast(x, (3, 2), (1,))), (1,))   # W x, by hand
    >>> c = b.build([b.mul(y, y)])                 # (W x)², elementwise
    >>> c.input_shapes, c.output_shapes, len(c)
    (((3, 2), (2,)), ((3,),), 4)
    >>> b.add(W, x)
    Traceback (most recent call last):
    ...
    catlearn.errors.ShapeError: add: shapes (3, 2) and (2,) differ; broadcast one first

**Repeated blocks.** ``scan(body, carries, xs)`` runs a body circuit
(carry…, x…) → (carry…, y…) once per slice of the stacked inputs ``xs``
(leading axis n), as ``jax.lax.scan``; ``repeat(block, x, params)`` is the
common case of a block applied n times with stacked parameters. A model of
100 blocks is then one generator, and compiles to one ``lax.scan``::

    >>> blk = ArrayBuilder([(2,), (2, 2)])           # h, W → h + (W h)²
    >>> h, Wi = blk.inputs
    >>> Wh = blk.reshape(blk.matmul(Wi, blk.reshape(h, (2, 1))), (2,))
    >>> block = blk.build([blk.add(h, blk.mul(Wh, Wh))])
    >>> b = ArrayBuilder([(2,), (100, 2, 2)])      # h, 100 stacked W
    >>> net = b.build([b.repeat(block, *b.inputs)])
    >>> net.count(), net.output_shapes
    ({'scan': 1}, ((2,),))

**Generators with several outputs.** Every wire carries one array, and a
generator writes consecutive wires: ``Op.out`` is the first and
``Op.outs`` all of them (``scan`` records their number as its ``n_outs``
attribute; every other generator has one). So shapes stay per wire, and
each consumer (derivatives, ``simplify``, ``to_scalar``, compilation)
reads ``op.outs`` where it used to read ``op.out``. A ``scan`` keeps its
body, an ``ArrayCircuit``, in its attributes: circuits are frozen and
hashable, so ``simplify`` shares equal scans like any generator.

Compile with ``catlearn.functors.RingFunctor(ring).compile(c)``;
``catlearn.functors.reverse_derivative(c)`` is again an array circuit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from catlearn.errors import ArgumentValueError, PolycircError, ShapeError

Shape = tuple[int, ...]

KINDS = (
    "matmul",
    "add",
    "mul",
    "neg",
    "constant",
    "sum",
    "broadcast",
    "reshape",
    "transpose",
    "concatenate",
    "slice",
    "scan",
)


class Op(NamedTuple):
    """One generator in a circuit: its ``kind``, input wires, first output wire and
    static attributes, sorted (``axes``, ``dims``, ``perm``, ``axis``, ``start``/``stop``,
    ``value``; for ``scan``: ``body``, ``length``, ``n_carries``, ``n_outs``,
    ``reverse``: whichever the kind has)."""

    kind: str
    ins: tuple[int, ...]
    out: int
    attrs: tuple[tuple[str, Any], ...] = ()

    def attr(self, name: str) -> Any:
        return dict(self.attrs)[name]

    @property
    def outs(self) -> range:
        """The wires it writes: ``out`` and the ``n_outs − 1`` after it (one for all
        generators but ``scan``)."""
        if self.kind != "scan":  # the common case, on every hot loop: no attribute scan
            return range(self.out, self.out + 1)
        for name, value in self.attrs:
            if name == "n_outs":
                return range(self.out, self.out + value)
        return range(self.out, self.out + 1)


@dataclass(frozen=True)
class ArrayCircuit:
    """An array polynomial circuit: inputs are wires ``0..n_inputs-1``; ``ops`` are in
    topological order, each writing its wires ``op.outs``; ``shapes[w]`` is wire w's shape
    (a wire no generator writes, left by ``simplify``, is unused); ``outputs`` may repeat a
    wire."""

    shapes: tuple[Shape, ...]
    n_inputs: int
    ops: tuple[Op, ...]
    outputs: tuple[int, ...]

    @property
    def input_shapes(self) -> tuple[Shape, ...]:
        return self.shapes[: self.n_inputs]

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        return tuple(self.shapes[w] for w in self.outputs)

    def __len__(self) -> int:
        return len(self.ops)

    def count(self) -> dict[str, int]:
        """How many generators of each kind (a ``scan`` counts once, its body apart)."""
        out: dict[str, int] = {}
        for op in self.ops:
            out[op.kind] = out.get(op.kind, 0) + 1
        return out

    def __repr__(self) -> str:
        return (
            f"ArrayCircuit({len(self.ops)} generators, inputs {list(self.input_shapes)}, "
            f"outputs {list(self.output_shapes)})"
        )


def _shape(shape: Any, where: str) -> Shape:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        out = tuple(int(n) for n in shape)
    except TypeError:
        raise ShapeError(f"{where}: a shape is a tuple of ints, got {shape!r:.40}") from None
    if any(n < 0 for n in out) or any(
        isinstance(n, bool) or not isinstance(n, (int, np.integer)) for n in shape
    ):
        raise ShapeError(f"{where}: a shape is a tuple of non-negative ints, got {shape!r:.40}")
    return out


def _axes(axes: Any, rank: int, where: str) -> tuple[int, ...]:
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not -rank <= a < rank:
            raise ShapeError(f"{where}: axis {a!r} is not an axis of a rank-{rank} array")
        out.append(int(a) % rank)
    if len(set(out)) != len(out):
        raise ShapeError(f"{where}: axes {tuple(axes)} repeat an axis")
    return tuple(out)


class ArrayBuilder:
    """Builds an array circuit wire by wire; every method returns the new wire's id.

    ``ArrayBuilder(input_shapes)``; ``inputs`` are the input wires; ``build(outputs)``
    gives the :class:`ArrayCircuit`. Ids from another builder are refused.
    """

    def __init__(self, input_shapes: Sequence[Any]) -> None:
        if isinstance(input_shapes, (str, bytes)) or not isinstance(input_shapes, Sequence):
            raise ArgumentValueError(
                f"ArrayBuilder(input_shapes): a sequence of shapes, got {input_shapes!r:.40}"
            )
        self.shapes: list[Shape] = [
            _shape(s, f"ArrayBuilder: input {i}") for i, s in enumerate(input_shapes)
        ]
        self.n_inputs = len(self.shapes)
        self.ops: list[Op] = []
        self._wire = type("ArrayWire", (int,), {"__slots__": (), "_builder": object()})

    @property
    def inputs(self) -> list[int]:
        return [self._wire(i) for i in range(self.n_inputs)]

    def shape(self, w: int) -> Shape:
        """The shape of wire ``w``."""
        self._check(w, "shape")
        return self.shapes[w]

    def _check(self, w: Any, where: str) -> None:
        if type(w) is not self._wire:
            if hasattr(w, "_builder"):
                raise PolycircError(f"{where} is given wire {w} of another builder")
            if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)):
                raise PolycircError(f"{where}: wire ids are ints, got {type(w).__name__}")
        if not 0 <= w < len(self.shapes):
            raise PolycircError(f"{where} is given wire {w}, which does not exist yet")

    def _op(self, kind: str, ins: Sequence[int], shape: Shape, **attrs: Any) -> int:
        out = len(self.shapes)
        self.shapes.append(shape)
        self.ops.append(Op(kind, tuple(int(w) for w in ins), out, tuple(sorted(attrs.items()))))
        return self._wire(out)

    def _ops(self, kind: str, ins: Sequence[int], shapes: Sequence[Shape],
             **attrs: Any) -> list[int]:
        """A generator writing one consecutive wire per shape (``n_outs`` of them)."""
        first = len(self.shapes)
        self.shapes.extend(shapes)
        attrs["n_outs"] = len(shapes)
        self.ops.append(Op(kind, tuple(int(w) for w in ins), first,
                           tuple(sorted(attrs.items()))))
        return [self._wire(first + j) for j in range(len(shapes))]

    def _same(self, kind: str, x: int, y: int) -> Shape:
        self._check(x, kind)
        self._check(y, kind)
        if self.shapes[x] != self.shapes[y]:
            raise ShapeError(
                f"{kind}: shapes {self.shapes[x]} and {self.shapes[y]} differ; "
                "broadcast one first"
            )
        return self.shapes[x]

    def add(self, x: int, y: int) -> int:
        """x + y, elementwise."""
        return self._op("add", (x, y), self._same("add", x, y))

    def mul(self, x: int, y: int) -> int:
        """x · y, elementwise."""
        return self._op("mul", (x, y), self._same("mul", x, y))

    def neg(self, x: int) -> int:
        """−x, elementwise."""
        self._check(x, "neg")
        return self._op("neg", (x,), self.shapes[x])

    def constant(self, value: int | Fraction, shape: Any = ()) -> int:
        """An array of ``shape`` filled with ``value`` (an int or ``Fraction``: exact in any
        ring)."""
        if isinstance(value, (np.integer,)):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            raise PolycircError(
                f"constant: an int or a Fraction (exact in any ring), got {value!r:.40}"
            )
        if isinstance(value, Fraction) and value.denominator == 1:
            value = int(value)
        return self._op("constant", (), _shape(shape, "constant"), value=value)

    def zeros(self, shape: Any) -> int:
        return self.constant(0, shape)

    def matmul(self, a: int, b: int) -> int:
        """``a @ b`` for ``(…, m, k)`` and ``(…, k, n)`` with equal batch axes."""
        self._check(a, "matmul")
        self._check(b, "matmul")
        sa, sb = self.shapes[a], self.shapes[b]
        if len(sa) < 2 or len(sb) < 2 or sa[:-2] != sb[:-2] or sa[-1] != sb[-2]:
            raise ShapeError(
                f"matmul: shapes {sa} and {sb} do not multiply; expected (…, m, k) and "
                "(…, k, n) with equal batch axes"
            )
        return self._op("matmul", (a, b), sa[:-1] + sb[-1:])

    def sum(self, x: int, axes: Any) -> int:
        """Σ over ``axes``, which disappear."""
        self._check(x, "sum")
        shape = self.shapes[x]
        axes = tuple(sorted(_axes(axes, len(shape), "sum")))
        kept = tuple(n for i, n in enumerate(shape) if i not in axes)
        return self._op("sum", (x,), kept, axes=axes)

    def broadcast(self, x: int, shape: Any, dims: Sequence[int]) -> int:
        """``lax.broadcast_in_dim``: axis i of x becomes axis ``dims[i]`` of ``shape``
        (sizes equal, or 1 in x); the other axes are new."""
        self._check(x, "broadcast")
        shape, sx = _shape(shape, "broadcast"), self.shapes[x]
        dims = _axes(dims, len(shape), "broadcast") if sx else ()
        if len(dims) != len(sx) or list(dims) != sorted(dims):
            raise ShapeError(
                f"broadcast: dims {tuple(dims)} must name one increasing output axis per axis "
                f"of {sx}"
            )
        for i, d in enumerate(dims):
            if sx[i] not in (1, shape[d]):
                raise ShapeError(f"broadcast: axis {i} of {sx} cannot become {shape[d]}")
        return self._op("broadcast", (x,), shape, dims=tuple(dims))

    def broadcast_to(self, x: int, shape: Any) -> int:
        """NumPy's broadcasting: x's axes aligned to the right of ``shape``."""
        self._check(x, "broadcast_to")
        shape, rank = _shape(shape, "broadcast_to"), len(self.shapes[x])
        if rank > len(shape):
            raise ShapeError(f"broadcast_to: {self.shapes[x]} has more axes than {shape}")
        return self.broadcast(x, shape, tuple(range(len(shape) - rank, len(shape))))

    def reshape(self, x: int, shape: Any) -> int:
        self._check(x, "reshape")
        shape = _shape(shape, "reshape")
        if math.prod(shape) != math.prod(self.shapes[x]):
            raise ShapeError(f"reshape: {self.shapes[x]} has not as many elements as {shape}")
        return self._op("reshape", (x,), shape)

    def transpose(self, x: int, perm: Sequence[int]) -> int:
        self._check(x, "transpose")
        sx = self.shapes[x]
        perm = _axes(perm, len(sx), "transpose") if sx else ()
        if len(perm) != len(sx):
            raise ShapeError(f"transpose: {tuple(perm)} is not a permutation of {len(sx)} axes")
        return self._op("transpose", (x,), tuple(sx[p] for p in perm), perm=tuple(perm))

    def concatenate(self, xs: Sequence[int], axis: int) -> int:
        xs = list(xs)
        if not xs:
            raise ShapeError("concatenate: needs at least one array")
        for w in xs:
            self._check(w, "concatenate")
        first = self.shapes[xs[0]]
        (axis,) = _axes(axis, len(first), "concatenate") if first else (None,)
        if axis is None:
            raise ShapeError("concatenate: scalars have no axis to join along")
        for w in xs:
            s = self.shapes[w]
            if len(s) != len(first) or s[:axis] + s[axis + 1 :] != first[:axis] + first[axis + 1 :]:
                raise ShapeError(f"concatenate: {s} and {first} differ off axis {axis}")
        total = sum(self.shapes[w][axis] for w in xs)
        return self._op("concatenate", xs, first[:axis] + (total,) + first[axis + 1 :], axis=axis)

    def slice(self, x: int, axis: int, start: int, stop: int) -> int:
        """``x[…, start:stop, …]`` along ``axis`` (step 1)."""
        self._check(x, "slice")
        sx = self.shapes[x]
        (axis,) = _axes(axis, len(sx), "slice")
        ints = all(isinstance(i, (int, np.integer)) for i in (start, stop))
        if not ints or not 0 <= start <= stop <= sx[axis]:
            raise ShapeError(f"slice: {start}:{stop} is not within 0..{sx[axis]} of axis {axis}")
        shape = sx[:axis] + (int(stop) - int(start),) + sx[axis + 1 :]
        return self._op("slice", (x,), shape, axis=axis, start=int(start), stop=int(stop))

    def scan(self, body: ArrayCircuit, carries: Sequence[int], xs: Sequence[int] = (), *,
             length: int | None = None, reverse: bool = False) -> list[int]:
        """``jax.lax.scan``: ``body`` : (carry…, x…) → (carry…, y…) runs once per slice
        ``x[i]`` of the stacked ``xs`` (one leading axis n, the same for all; with no
        ``xs``, give ``length``), from the last slice down with ``reverse``. Its wires: the
        final carries, then each y stacked, ``(n,) + shape``.

            >>> body = ArrayBuilder([(), ()])            # running sum: c, x → c + x, c + x
            >>> s = body.add(*body.inputs)
            >>> b = ArrayBuilder([(), (4,)])
            >>> total, partial = b.scan(body.build([s, s]), [b.inputs[0]], [b.inputs[1]])
            >>> b.shape(total), b.shape(partial)
            ((), (4,))
        """
        if not isinstance(body, ArrayCircuit):
            raise PolycircError(f"scan: the body is an ArrayCircuit, got {type(body).__name__}")
        carries, xs = list(carries), list(xs)
        for w in carries + xs:
            self._check(w, "scan")
        k = len(carries)
        if k + len(xs) != body.n_inputs:
            raise PolycircError(f"scan: the body takes {body.n_inputs} inputs, got {k} "
                                f"carries and {len(xs)} stacked inputs")
        if len(body.outputs) < k:
            raise PolycircError(f"scan: the body returns {len(body.outputs)} arrays, fewer "
                                f"than its {k} carries")
        for i, (w, s, t) in enumerate(zip(carries, body.input_shapes, body.output_shapes)):
            if self.shapes[w] != s or t != s:
                raise ShapeError(f"scan: carry {i} has shape {self.shapes[w]}; the body takes "
                                 f"{s} and returns {t} for it: all three must be equal")
        n = length
        if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer))
                              or n < 0):
            raise ShapeError(f"scan: length is a non-negative int, got {n!r:.40}")
        for j, (w, s) in enumerate(zip(xs, body.input_shapes[k:])):
            sx = self.shapes[w]
            if not sx or sx[1:] != s:
                raise ShapeError(f"scan: stacked input {j} has shape {sx}; the body takes "
                                 f"slices of shape {s}, so expected (n,) + {s}")
            if n is not None and sx[0] != n:
                raise ShapeError(f"scan: stacked input {j} has {sx[0]} slices, but "
                                 f"{'an earlier input has' if j else 'length is'} {n}")
            n = sx[0]
        if n is None:
            raise ShapeError("scan: with no stacked inputs, give the number of steps, length")
        shapes = list(body.output_shapes[:k]) + [(int(n),) + s for s in body.output_shapes[k:]]
        return self._ops("scan", carries + xs, shapes, body=body, length=int(n),
                         n_carries=k, reverse=bool(reverse))

    def repeat(self, block: ArrayCircuit, x: int, params: Sequence[int] | int, *,
               reverse: bool = False) -> int:
        """``block`` : (x, p…) → x applied n times, step i reading slice i of each stacked
        parameter in ``params`` (leading axis n): one ``scan``; the final x.

            >>> blk = ArrayBuilder([(3,), (3,)])
            >>> block = blk.build([blk.mul(*blk.inputs)])   # x ↦ x · p
            >>> b = ArrayBuilder([(3,), (5, 3)])
            >>> b.shape(b.repeat(block, *b.inputs))
            (3,)
        """
        params = [params] if isinstance(params, (int, np.integer)) else list(params)
        if isinstance(block, ArrayCircuit) and len(block.outputs) != 1:
            raise PolycircError(f"repeat: the block returns x alone, got {len(block.outputs)} "
                                "outputs (use scan for more)")
        return self.scan(block, [x], params, reverse=reverse)[0]

    def apply(self, circuit: ArrayCircuit, wires: Sequence[int]) -> list[int]:
        """Use a whole circuit as a part: feed it ``wires``; its output wires."""
        if not isinstance(circuit, ArrayCircuit):
            raise PolycircError(f"apply: expected an ArrayCircuit, got {type(circuit).__name__}")
        wires = list(wires)
        if len(wires) != circuit.n_inputs:
            raise PolycircError(
                f"apply: the circuit takes {circuit.n_inputs} wires, got {len(wires)}"
            )
        for w, s in zip(wires, circuit.input_shapes):
            if self.shape(w) != s:
                raise ShapeError(f"apply: wire {w} has shape {self.shapes[w]}, expected {s}")
        ids = list(wires) + [0] * (len(circuit.shapes) - circuit.n_inputs)
        for op in circuit.ops:
            outs = self._copy_all(op, [ids[w] for w in op.ins], circuit.shapes)
            for w, new in zip(op.outs, outs):
                ids[w] = new
        return [ids[w] for w in circuit.outputs]

    def _copy(self, op: Op, ins: Sequence[int], shape: Shape) -> int:
        """``op`` (one output) again, on the wires ``ins`` here (its shape already
        checked)."""
        out = len(self.shapes)
        self.shapes.append(shape)
        self.ops.append(Op(op.kind, tuple(int(w) for w in ins), out, op.attrs))
        return self._wire(out)

    def _copy_all(self, op: Op, ins: Sequence[int], shapes: Sequence[Shape]) -> list[int]:
        """``op`` again on ``ins``, any number of outputs; ``shapes`` is its circuit's."""
        first = len(self.shapes)
        self.shapes.extend(shapes[w] for w in op.outs)
        self.ops.append(Op(op.kind, tuple(int(w) for w in ins), first, op.attrs))
        return [self._wire(first + j) for j in range(len(op.outs))]

    def build(self, outputs: Sequence[int]) -> ArrayCircuit:
        """The circuit from the inputs to ``outputs``."""
        outputs = list(outputs)
        for w in outputs:
            self._check(w, "build: outputs")
        return ArrayCircuit(tuple(self.shapes), self.n_inputs, tuple(self.ops),
                            tuple(int(w) for w in outputs))


class _TrustedArrayBuilder(ArrayBuilder):
    """The library's own builder (derivatives): its wires are plain ints from itself."""

    @property
    def inputs(self) -> list[int]:
        return list(range(self.n_inputs))

    def _check(self, w: Any, where: str) -> None:
        pass

    def _op(self, kind: str, ins: Sequence[int], shape: Shape, **attrs: Any) -> int:
        out = len(self.shapes)
        self.shapes.append(shape)
        self.ops.append(Op(kind, tuple(ins), out, tuple(sorted(attrs.items())) if attrs else ()))
        return out

    def _copy(self, op: Op, ins: Sequence[int], shape: Shape) -> int:
        out = len(self.shapes)
        self.shapes.append(shape)
        self.ops.append(Op(op.kind, tuple(ins), out, op.attrs))
        return out

    def _copy_all(self, op: Op, ins: Sequence[int], shapes: Sequence[Shape]) -> list[int]:
        if op.kind != "scan":  # one output: no range to build
            return [self._copy(op, ins, shapes[op.out])]
        first = len(self.shapes)
        self.shapes.extend(shapes[w] for w in op.outs)
        self.ops.append(Op(op.kind, tuple(ins), first, op.attrs))
        return list(range(first, first + len(op.outs)))


def kinds(c: ArrayCircuit) -> set[str]:
    """The generator kinds ``c`` uses, inside ``scan`` bodies too."""
    out = set()
    for op in c.ops:
        out.add(op.kind)
        if op.kind == "scan":
            out |= kinds(op.attr("body"))
    return out


def require_array_circuit(c: Any, what: str = "circuit") -> ArrayCircuit:
    if not isinstance(c, ArrayCircuit):
        raise PolycircError(f"{what}: expected an ArrayCircuit, got {type(c).__name__}")
    return c
