"""Array circuits compiled over a commutative ring: one JAX operation per generator.

``RingFunctor(ring).compile(c)`` for an ``ArrayCircuit`` ``c`` gives a
jitted function of one array per input. A ``matmul`` is the ring's
batched matrix product (BLAS for ``Real``; an int32 product reduced mod n,
in blocks that cannot overflow, for ``Zn``; bit-packed for GF2: AND and an
XOR-fold on 32 bits per word, then a popcount's parity), the other generators are the
ring's ``add``, ``mul``, ``neg``, ``sum`` and JAX's shape operations, and a
``scan`` is one ``jax.lax.scan`` whose step is its body compiled the same
way, so the program is the size of the circuit (a block repeated 100 times
is traced once), like a hand-written model::

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> from catlearn.functors import RingFunctor
    >>> from catlearn.semirings import Real, Zn
    >>> b = ArrayBuilder([(2, 2), (2, 1)])
    >>> W, x = b.inputs
    >>> c = b.build([b.matmul(W, x)])
    >>> RingFunctor(Zn(7)).compile(c)([[1, 2], [3, 4]], [[5], [6]]).ravel().tolist()
    [3, 4]

Each input is either its declared shape (shared by every example) or a
batch of it, ``batch + shape``; batched inputs share one batch shape, and
the outputs carry it. One output is returned as an array, several as a tuple.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams.arrays.circuit import ArrayCircuit, kinds
from catlearn.diagrams.arrays.simplifier import simplify
from catlearn.errors import ArgumentTypeError, PolycircError
from catlearn.functors.boxes import ShapeError, converted
from catlearn.semirings import Dual, Zn


class CompiledArrayCircuit:
    """An array circuit compiled for one ring; call it with one array per input.

    The circuit is simplified first (``catlearn.diagrams.arrays.simplifier.simplify``;
    ``simplified=False`` compiles it as it is); ``source`` is the circuit as given.
    """

    def __init__(self, circuit: ArrayCircuit, functor: Any, *, simplified: bool = True) -> None:
        S = functor.ring
        if functor.packed or isinstance(S, Dual) or isinstance(S.zero, tuple):
            raise ArgumentTypeError(
                f"array circuits are compiled over rings with one array per element; "
                f"{S!r} is not one (for GF2 use RingFunctor(GF2): array circuits carry "
                "one bit per element, and their matmuls are bit-packed inside)"
            )
        if "neg" in kinds(circuit) and not getattr(S, "ring", False):
            raise PolycircError(f"the circuit negates, but {S!r} is not a ring (no −x)")
        self.source = circuit
        # Every constant as given must exist in the ring (1/2 does not in Z4): checked on the
        # circuit before simplify, whose folding over the rationals could hide one.
        _constants(S, circuit)
        if simplified:  # linear in the circuit, and never grows it
            circuit = simplify(circuit)
        self.circuit, self.ring = circuit, S
        self._constants = _constants(S, circuit)
        self._programs: dict[tuple, Any] = {}

    @property
    def n_inputs(self) -> int:
        return self.circuit.n_inputs

    def __call__(self, *inputs: Any) -> Any:
        c = self.circuit
        if len(inputs) != c.n_inputs:
            raise ShapeError(f"the circuit takes {c.n_inputs} inputs, got {len(inputs)}")
        arrays, batch, axes = [], None, []
        for i, (x, shape) in enumerate(zip(inputs, c.input_shapes)):
            x = self._convert(x, i)
            extra = x.shape[: x.ndim - len(shape)]
            if x.ndim < len(shape) or x.shape[x.ndim - len(shape) :] != shape:
                raise ShapeError(f"input {i}: expected shape {shape} or batch + {shape}, "
                                 f"got {x.shape}")
            if extra:
                if batch is not None and extra != batch:
                    raise ShapeError(f"input {i}: batch shape {extra}, but an earlier input's "
                                     f"is {batch}")
                batch = extra
                x = x.reshape((math.prod(extra),) + shape)
            axes.append(0 if extra else None)
            arrays.append(x)
        key = tuple(axes)
        if key not in self._programs:
            run = self._run if batch is None else jax.vmap(self._run, in_axes=key)
            self._programs[key] = jax.jit(run)
        out = self._programs[key](*arrays)
        if batch is not None:
            out = [o.reshape(batch + o.shape[1:]) for o in out]
        return out[0] if len(out) == 1 else tuple(out)

    def _convert(self, x: Any, i: int) -> Any:
        S = self.ring
        if not isinstance(x, jax.Array):
            x = converted(f"input {i}", np.asarray, x)
            if x.dtype.kind not in "biufc":
                raise ArgumentTypeError(f"input {i}: expected numbers, got an array of {x.dtype}")
            if isinstance(S, Zn) and x.dtype.kind in "iu" and x.dtype.itemsize > 4:
                x = np.mod(x, S.n).astype(np.int32)  # reduce before int32 could wrap
        if isinstance(S, Zn) and jnp.issubdtype(x.dtype, jnp.inexact):
            raise ArgumentTypeError(f"input {i}: {S!r} inputs are integers, got {x.dtype}")
        return converted(f"input {i}", S.asarray, x)

    def _run(self, *inputs: Any) -> list:
        return _evaluate(self.ring, self.circuit, list(inputs), self._constants)

    def __repr__(self) -> str:
        return f"CompiledArrayCircuit({len(self.circuit)} generators, {self.ring!r})"


_GF2 = Zn(2)


def _constants(S: Any, c: ArrayCircuit) -> dict:
    """Each constant's value in the ring, keyed by its wire (an int), and each scan body's
    own such dict, keyed by the body (an ArrayCircuit)."""
    from catlearn.functors.ring import _constant

    out: dict = {}
    for op in c.ops:
        if op.kind == "constant":
            out[op.out] = _constant(S, op.attr("value"))
        elif op.kind == "scan":
            out[op.attr("body")] = _constants(S, op.attr("body"))
    return out


def _evaluate(S: Any, c: ArrayCircuit, inputs: list, constants: dict) -> list:
    values: list[Any] = inputs + [None] * (len(c.shapes) - c.n_inputs)
    for op in c.ops:
        out = _apply(S, op, [values[w] for w in op.ins], c.shapes[op.out], constants)
        if op.kind == "scan":  # a list: one array per output wire
            values[op.out : op.out + len(op.outs)] = out
        else:
            values[op.out] = out
    return [values[w] for w in c.outputs]


def _scan(S: Any, op: Any, xs: list, constants: dict) -> list:
    """One ``lax.scan``; its step is the body, evaluated by the same ``_apply``."""
    body, k = op.attr("body"), op.attr("n_carries")
    inner = constants[body]

    def step(carry: tuple, x: tuple) -> tuple:
        out = _evaluate(S, body, list(carry) + list(x), inner)
        return tuple(out[:k]), tuple(out[k:])

    carry, ys = jax.lax.scan(step, tuple(xs[:k]), tuple(xs[k:]), length=op.attr("length"),
                             reverse=op.attr("reverse"))
    return list(carry) + list(ys)


def _gf2_matmul(a: Any, b: Any) -> Any:
    """(B, m, k) @ (B, k, n) over GF2, bit-packed: both operands packed 32 to a uint32 word
    along k, then AND, an XOR-fold over the words and the popcount's parity give each
    entry, 32 multiply-adds per instruction (packing costs O(mk + kn), the product
    O(mnk/32))."""
    words = -(-a.shape[-1] // 32)
    pa = _pack_last(a, words)  # (B, m, w)
    pb = _pack_last(jnp.swapaxes(b, -1, -2), words)  # (B, n, w)
    both = pa[:, :, None, :] & pb[:, None, :, :]
    folded = jax.lax.reduce(both, np.uint32(0), jax.lax.bitwise_xor, (3,))
    return (jax.lax.population_count(folded) & 1).astype(a.dtype)


def _pack_last(x: Any, words: int) -> Any:
    bits = (x & 1).astype(jnp.uint32)
    bits = jnp.pad(bits, [(0, 0)] * (x.ndim - 1) + [(0, 32 * words - x.shape[-1])])
    bits = bits.reshape(x.shape[:-1] + (words, 32))
    return jnp.sum(bits << jnp.arange(32, dtype=jnp.uint32), axis=-1, dtype=jnp.uint32)


def _apply(S: Any, op: Any, xs: list, shape: tuple, constants: dict) -> Any:
    kind = op.kind
    if kind == "add":
        return S.add(*xs)
    if kind == "mul":
        return S.mul(*xs)
    if kind == "neg":
        return S.neg(xs[0])
    if kind == "constant":
        return jnp.full(shape, constants[op.out], dtype=S.dtype)
    if kind == "matmul":
        a, b = xs
        flat = math.prod(a.shape[:-2])
        a, b = a.reshape((flat,) + a.shape[-2:]), b.reshape((flat,) + b.shape[-2:])
        if a.shape[-1] == 1:  # an outer product (as in R of a matvec): no sum to take
            return S.mul(a, b).reshape(shape)
        out = _gf2_matmul(a, b) if S == _GF2 else S.matmul(a, b)
        return out.reshape(shape)
    if kind == "sum":
        x = xs[0]
        for axis in sorted(op.attr("axes"), reverse=True):
            x = S.sum(x, axis)
        return x
    if kind == "broadcast":
        return jax.lax.broadcast_in_dim(xs[0], shape, op.attr("dims"))
    if kind == "reshape":
        return xs[0].reshape(shape)
    if kind == "transpose":
        return jnp.transpose(xs[0], op.attr("perm"))
    if kind == "concatenate":
        return jnp.concatenate(xs, axis=op.attr("axis"))
    if kind == "slice":
        return jax.lax.slice_in_dim(xs[0], op.attr("start"), op.attr("stop"), axis=op.attr("axis"))
    if kind == "scan":
        return _scan(S, op, xs, constants)
    raise PolycircError(f"unknown array generator {kind!r}")
