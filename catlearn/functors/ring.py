"""``RingFunctor``: polynomial circuits as batched JAX functions over a commutative ring.

Each wire carries one ring element per example. Rather than one JAX op
per gate (10^4 gates would take XLA tens of seconds to compile, their
gradient minutes), gates are grouped by depth into equal chunks and one
``lax.scan`` step evaluates a chunk: gather both operands, apply every
gate kind present, keep each gate's own result, scatter. The program's
size does not grow with the circuit's, only the scan's length::

    >>> from catlearn.diagrams import polycirc as pc
    >>> from catlearn.semirings import GF2, Zn
    >>> f = RingFunctor(Zn(7)).compile(pc.dot(2))     # w₁x₁ + w₂x₂ mod 7
    >>> f([[3, 4, 5, 6]]).tolist()
    [[4]]
    >>> xor = RingFunctor(GF2, packed=True).compile(pc.XOR())
    >>> xor([[0, 0], [0, 1], [1, 0], [1, 1]]).ravel().tolist()
    [0, 1, 1, 0]

Any ``catlearn.semirings`` semiring with array carriers works (``neg``
gates need a ring); ``Dual(S)`` evaluates forward derivatives. Over GF2,
``packed=True`` packs 32 examples into each ``uint32`` word, so one XOR
or AND instruction evaluates a gate on 32 examples. Inputs are read as
the ring reads them: over ``Zn(n)`` an integer is its residue mod n (2 is
0 in GF2); floats are refused there. Checking that every bit is 0 or 1 would
read the data back from the device on every call; ``catlearn.learn.RDA``
checks its data once, when it is handed in.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams.arrays.circuit import ArrayCircuit
from catlearn.diagrams.polycirc import Gate, Netlist, PolycircError, R
from catlearn.errors import ArgumentTypeError, ArgumentValueError, NonCommutativeError
from catlearn.functors.boxes import ShapeError, converted
from catlearn.semirings import Dual, Semiring, Zn, require_semiring

_CODES = {"add": 0, "mul": 1, "neg": 2}


class RingFunctor:
    """The semantics of polynomial circuits in ``ring``: gates are its ⊕, ⊗, −, 0 and constants.

    ``compile(d)`` gives a jitted function from an array ``(..., n_inputs)``
    to ``(..., n_outputs)``; ``function_functor()`` gives the same
    semantics as a ``FunctionFunctor`` (one JAX op per gate), for
    composing polynomial circuits with other boxes.
    """

    def __init__(self, ring: Semiring, *, packed: bool = False) -> None:
        ring = require_semiring(ring, "ring")
        if ring.host:
            raise ArgumentTypeError(
                f"ring: {ring!r} computes on the host; RingFunctor compiles to JAX"
            )
        if not ring.commutative:
            raise NonCommutativeError(
                f"ring: polynomial circuits need a commutative ring, {ring!r} is not"
            )
        if packed and ring != Zn(2):
            raise ArgumentValueError(f"packed=True packs bits, so it needs GF2, got {ring!r}")
        self.ring = _PACKED_GF2 if packed else ring
        self.packed = packed

    def compile(self, diagram: Any) -> Any:
        """The circuit as one batched, jitted function (an ``ArrayCircuit`` compiles to a
        ``CompiledArrayCircuit``: one JAX operation per array generator)."""
        if isinstance(diagram, ArrayCircuit):
            from catlearn.functors.array_ring import CompiledArrayCircuit

            return CompiledArrayCircuit(diagram, self)
        return CompiledCircuit(Netlist(diagram), self)

    __call__ = compile

    def constant(self, value: int | Fraction) -> Any:
        """The ring element that ``constant(value)`` denotes (an int or a ``Fraction``)."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, np.integer, Fraction)
        ):
            raise ArgumentTypeError(
                f"constant: an int or a Fraction (exact in any ring), got "
                f"{type(value).__name__} {value!r:.40}"
            )
        return _constant(self.ring, value)

    def function_functor(self):
        """The same semantics as a ``FunctionFunctor`` on the wire type ``R``."""
        from catlearn.functors.function import FunctionFunctor

        S = self.ring
        if self.packed or isinstance(S, Dual):
            raise ArgumentTypeError(
                f"function_functor needs one array per wire, not {S!r}'s carrier"
            )
        ops = {"add": S.add, "mul": S.mul, "neg": S.neg}

        def image(box: Any) -> Any:
            if not isinstance(box, Gate):
                return None
            if box.kind in ops:
                return ops[box.kind]
            value = _constant(S, 0 if box.value is None else box.value)
            return lambda: value

        return FunctionFunctor({R: jax.ShapeDtypeStruct((), S.dtype)}, image)


class CompiledCircuit:
    """A polynomial circuit compiled for one ring: call it on ``(..., n_inputs)`` arrays.

    ``steps`` and ``chunk`` describe the schedule (scan length × gates per step).
    """

    def __init__(self, net: Netlist, functor: RingFunctor) -> None:
        S = functor.ring
        kinds = {g.kind for g in net.gates}
        if "neg" in kinds and not getattr(S, "ring", False):
            raise PolycircError(f"the circuit negates, but {S!r} is not a ring (no −x)")
        self.ring, self.packed = S, functor.packed
        self.n_inputs, self.n_outputs = len(net.sources), len(net.targets)
        self.n_gates = len(net)
        self.kinds = tuple(k for k in ("add", "mul", "neg") if k in kinds)
        nullary = list(_nullary(net))
        consts = [_constant(S, g.value or 0) for g, _ in nullary]
        schedule, self.steps, self.chunk = _schedule(net)
        self.n_wires = net.n_wires
        # Arrays are arguments, not constants of the program: circuits whose tables have
        # the same shapes (and ring, gate kinds, wire count) share one XLA compile.
        self._tables = {
            "sources": jnp.asarray(net.sources, dtype=jnp.int32),
            "targets": jnp.asarray(net.targets, dtype=jnp.int32),
            "const_wires": jnp.asarray([y for _, y in nullary], dtype=jnp.int32),
            "const_values": jax.tree.map(lambda *cs: jnp.stack(cs), *consts) if consts else None,
            "schedule": schedule,
        }

    def __call__(self, x: Any) -> Any:
        """The circuit on a batch ``x`` of shape ``(..., n_inputs)``: ``(..., n_outputs)``."""
        S = self.ring
        if isinstance(x, tuple):  # a carrier of several arrays (Dual)
            x = tuple(converted(f"x[{i}]", jnp.asarray, v) for i, v in enumerate(x))
        else:
            if not isinstance(x, jax.Array):  # host data: checked and reduced here, once
                x = converted("x", np.asarray, x)
                if x.dtype.kind not in "biufcO":
                    raise ArgumentTypeError(f"x: expected numbers, got an array of {x.dtype}")
                if self.packed or isinstance(S, Zn):
                    x = self._residues(x)
            if (self.packed or isinstance(S, Zn)) and jnp.issubdtype(x.dtype, jnp.inexact):
                raise ArgumentTypeError(
                    f"x: {S!r} inputs are integers (or bools), got dtype {x.dtype}"
                )
        leaves = jax.tree.leaves(x)
        shape = tuple(np.shape(leaves[0])) if leaves else ()
        if not shape or shape[-1] != self.n_inputs:
            raise ShapeError(
                f"the circuit takes {self.n_inputs} inputs on the last axis, got shape {shape}"
            )
        if not self.packed:
            x = converted("x", S.asarray, x)
        batch = shape[:-1]
        rows = int(np.prod(batch))
        flat = jax.tree.map(lambda v: v.reshape((rows, self.n_inputs)), x)
        out = _evaluate(
            self._tables, flat, S=S, packed=self.packed, kinds=self.kinds, n_wires=self.n_wires
        )
        return jax.tree.map(lambda v: v.reshape(batch + (self.n_outputs,)), out)

    def _residues(self, x: np.ndarray) -> np.ndarray:
        """Integers wider than the int32 carrier (int64, Python ints) as their residues mod
        n, on the host: cast first, 2**33 + 1 would wrap to 1, the wrong residue mod 7."""
        if x.dtype.kind == "O":  # Python ints beyond int64, or not numbers at all
            odd = [v for v in x.reshape(-1) if not isinstance(v, (int, np.integer))]
            if odd:
                what = f"{type(odd[0]).__name__} {odd[0]!r:.20}"
                raise ArgumentTypeError(f"x: {self.ring!r} inputs are integers, got {what}")
            return np.mod(x, 2 if self.packed else self.ring.n).astype(np.int32)
        if x.dtype.kind in "iu" and x.dtype.itemsize > 4:
            return np.mod(x, 2 if self.packed else self.ring.n).astype(np.int32)
        return x

    def __repr__(self) -> str:
        return (
            f"CompiledCircuit({self.n_gates} gates, {self.n_inputs} → {self.n_outputs}, "
            f"{self.ring!r}, {self.steps} steps of {self.chunk})"
        )


@partial(jax.jit, static_argnames=("S", "packed", "kinds", "n_wires"))
def _evaluate(tables: dict, x: Any, *, S: Any, packed: bool, kinds: tuple, n_wires: int) -> Any:
    """Write the inputs and constants, scan the chunks, read the outputs."""
    n = jax.tree.leaves(x)[0].shape[0]
    if packed:
        x, n_words = _pack(x), -(-n // 32)
    else:
        n_words = n
    values = S.zeros((n_wires + 1, n_words))  # the last row is the padding's scratch
    values = jax.tree.map(lambda v, s: v.at[tables["sources"]].set(s.T), values, x)
    if tables["const_values"] is not None:
        wires = tables["const_wires"]
        values = jax.tree.map(
            lambda v, c: v.at[wires].set(c[:, None]), values, tables["const_values"]
        )
    operations = {"add": S.add, "mul": S.mul, "neg": lambda a, b: S.neg(a)}

    def step(values, chunk):
        code, left, right, out = chunk
        a = jax.tree.map(lambda v: v[left], values)
        b = jax.tree.map(lambda v: v[right], values)
        result = None
        for kind in kinds:
            r = operations[kind](a, b)
            result = r if result is None else S.where(code == _CODES[kind], r, result)
        return jax.tree.map(lambda v, r: v.at[out].set(r), values, result), None

    if tables["schedule"][0].shape[0]:
        values, _ = jax.lax.scan(step, values, tables["schedule"])
    out = jax.tree.map(lambda v: v[tables["targets"]].T, values)
    return _unpack(out, n) if packed else out


def _nullary(net: Netlist):
    for g, y in zip(net.gates, net.outs):
        if g.kind in ("zero", "const"):
            yield g, y


def _schedule(net: Netlist) -> tuple[tuple, int, int]:
    """Gates by depth, cut into equal chunks; padding reads and writes the scratch row."""
    level = [0] * net.n_wires
    rows = []
    for g, xs, y in zip(net.gates, net.ins, net.outs):
        if g.kind not in _CODES:
            continue  # constants are written before the scan
        level[y] = 1 + max(level[x] for x in xs)
        rows.append((level[y], _CODES[g.kind], xs[0], xs[-1], y))
    if not rows:
        empty = np.zeros((0, 1), dtype=np.int32)
        return (empty, empty, empty, empty), 0, 1
    table = np.asarray(rows, dtype=np.int64)
    table = table[np.argsort(table[:, 0], kind="stable")]
    widths = np.bincount(table[:, 0])[1:]
    widths = widths[widths > 0]
    depth = len(widths)
    chunk = int(min(widths.max(), 1 << int(np.ceil(np.log2(max(1.0, len(rows) / depth))))))
    chunks_per_level = -(-widths // chunk)
    steps = int(chunks_per_level.sum())
    scratch = net.n_wires
    padded = np.empty((steps * chunk, 4), dtype=np.int32)
    padded[:] = (0, scratch, scratch, scratch)
    start, slot = 0, 0
    for width, n_chunks in zip(widths.tolist(), chunks_per_level.tolist()):
        padded[slot : slot + width] = table[start : start + width, 1:]
        start += width
        slot += n_chunks * chunk
    parts = padded.reshape(steps, chunk, 4)
    return tuple(jnp.asarray(parts[:, :, i]) for i in range(4)), steps, chunk


def _constant(S: Any, value: int | Fraction) -> Any:
    value = Fraction(value)
    if isinstance(S, _PackedGF2):
        if value.denominator % 2 == 0:
            raise PolycircError(f"constant {value} does not exist in GF2 (2 is not invertible)")
        return jnp.uint32(0xFFFFFFFF if value.numerator % 2 else 0)
    if isinstance(S, Zn):
        if np.gcd(value.denominator, S.n) != 1:
            raise PolycircError(f"constant {value} does not exist in {S!r}")
        return S.asarray(value.numerator * pow(value.denominator, -1, S.n))
    if isinstance(S, Dual):
        return (_constant(S.base, value), S.base.asarray(S.base.zero))
    if jnp.issubdtype(S.dtype, jnp.inexact):
        return S.asarray(value.numerator / value.denominator)
    if value.denominator != 1:
        raise PolycircError(f"{S!r} has no fractions, so no constant {value}")
    return S.asarray(value.numerator)


class _PackedGF2:
    """GF2 on bit-packed words: ⊕ is XOR and ⊗ is AND on 32 examples at once."""

    ring = True
    commutative = True
    dtype = jnp.uint32

    def zeros(self, shape: tuple[int, ...]) -> Any:
        return jnp.zeros(shape, jnp.uint32)

    def add(self, a: Any, b: Any) -> Any:
        return a ^ b

    def mul(self, a: Any, b: Any) -> Any:
        return a & b

    def neg(self, a: Any) -> Any:
        return a

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return jnp.where(cond[:, None], a, b)

    def __repr__(self) -> str:
        return "GF2 (packed)"


_PACKED_GF2 = _PackedGF2()  # one instance: it is a static argument of the compiled program


def _pack(x: Any) -> Any:
    """(n, k) bits → (⌈n/32⌉, k) uint32 words, example i in bit i % 32 of word i // 32."""
    n, k = x.shape
    bits = (x.astype(jnp.uint32) & 1).astype(jnp.uint32)
    bits = jnp.pad(bits, ((0, -n % 32), (0, 0))).reshape(-1, 32, k)
    shifts = jnp.arange(32, dtype=jnp.uint32)[None, :, None]
    return jnp.bitwise_or.reduce(bits << shifts, axis=1)


def _unpack(words: Any, n: int) -> Any:
    """Inverse of ``_pack``: (words, k) → (n, k) int32 bits."""
    shifts = jnp.arange(32, dtype=jnp.uint32)[None, :, None]
    bits = (words[:, None, :] >> shifts) & 1
    return bits.reshape(-1, words.shape[-1])[:n].astype(jnp.int32)
