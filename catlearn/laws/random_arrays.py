"""Random array circuits and their reference evaluation, for the array law suites.

:func:`evaluate` is the oracle of ``catlearn.laws.arrays``: a NumPy evaluation
(float64, or int64 residues mod n: exact), generator by generator, and on dual
numbers (value, tangent) where the product rule lives in the carrier; a ``scan``
is a Python loop over its steps. It shares with the code under test only the
``ArrayCircuit`` data structure and the generators' documented meaning.
:func:`array_circuits` draws circuits of random shapes, every generator kind,
``scan`` s of random bodies among them.

    >>> from catlearn.diagrams.arrays import ArrayBuilder
    >>> import numpy as np
    >>> b = ArrayBuilder([(2, 2)])
    >>> (x,) = b.inputs
    >>> evaluate(b.build([b.matmul(x, x)]), [np.array([[1, 2], [3, 4]])], modulus=5)[0].tolist()
    [[2, 0], [0, 2]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

from catlearn.diagrams.arrays.circuit import ArrayBuilder, ArrayCircuit
from catlearn.errors import ArgumentTypeError

Circuit = ArrayCircuit


# -- the reference evaluation -------------------------------------------------------
def _fill(value: Any, shape: tuple, modulus: int | None) -> np.ndarray:
    value = Fraction(value)
    if modulus is None:
        return np.full(shape, value.numerator / value.denominator, dtype=np.float64)
    if math.gcd(value.denominator, modulus) != 1:
        raise ArgumentTypeError(f"constant {value} does not exist mod {modulus}")
    return np.full(shape, value.numerator * pow(value.denominator, -1, modulus) % modulus,
                   dtype=np.int64)


def _broadcast_in_dim(x: np.ndarray, shape: tuple, dims: tuple) -> np.ndarray:
    expanded = [1] * len(shape)
    for i, d in enumerate(dims):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), shape)


def evaluate(c: Circuit, inputs: list, modulus: int | None, dual: bool = False) -> list:
    """c's outputs at ``inputs`` (NumPy arrays of the input shapes), in float64 or mod
    ``modulus``; with ``dual``, each input is a pair (value, tangent) and so is each output."""
    def mod(x):
        return x if modulus is None else np.mod(x, modulus)

    values: list[Any] = list(inputs) + [None] * (len(c.shapes) - c.n_inputs)
    for op in c.ops:
        xs, shape, a = [values[w] for w in op.ins], c.shapes[op.out], dict(op.attrs)
        k = op.kind
        if k == "scan":
            values[op.out : op.out + len(op.outs)] = _scan(a, xs, modulus, dual)
            continue
        if dual:
            if k == "constant":
                out = (_fill(a["value"], shape, modulus), np.zeros(shape, _dtype(modulus)))
            elif k == "mul":
                (p, dp), (q, dq) = xs
                out = (mod(p * q), mod(dp * q + p * dq))
            elif k == "matmul":
                (p, dp), (q, dq) = xs
                out = (mod(p @ q), mod(dp @ q + p @ dq))
            else:  # linear: the same operation on values and on tangents
                out = tuple(_linear(k, [x[i] for x in xs], shape, a, mod) for i in (0, 1))
        elif k == "constant":
            out = _fill(a["value"], shape, modulus)
        elif k == "mul":
            out = mod(xs[0] * xs[1])
        elif k == "matmul":
            out = mod(xs[0] @ xs[1])
        else:
            out = _linear(k, xs, shape, a, mod)
        values[op.out] = out
    return [values[w] for w in c.outputs]


def _scan(a: dict, xs: list, modulus: int | None, dual: bool) -> list:
    """lax.scan's meaning, by a Python loop over the steps."""
    body, k, n = a["body"], a["n_carries"], a["length"]
    carry, ys = list(xs[:k]), [None] * n
    for i in reversed(range(n)) if a["reverse"] else range(n):
        step = [(x[0][i], x[1][i]) if dual else x[i] for x in xs[k:]]
        out = evaluate(body, carry + step, modulus, dual)
        carry, ys[i] = out[:k], out[k:]
    stacked = []
    for j, shape in enumerate(body.output_shapes[k:]):
        parts = [np.stack([np.asarray(ys[i][j][p]) for i in range(n)]) if n else
                 np.zeros((0,) + shape, _dtype(modulus)) for p in ((0, 1) if dual else (...,))]
        stacked.append(tuple(parts) if dual else parts[0])
    return carry + stacked


def _linear(k: str, xs: list, shape: tuple, a: dict, mod: Callable) -> np.ndarray:
    if k == "add":
        return mod(xs[0] + xs[1])
    if k == "neg":
        return mod(-xs[0])
    if k == "sum":
        return mod(np.sum(xs[0], axis=a["axes"]))
    if k == "broadcast":
        return _broadcast_in_dim(xs[0], shape, a["dims"])
    if k == "reshape":
        return np.reshape(xs[0], shape)
    if k == "transpose":
        return np.transpose(xs[0], a["perm"])
    if k == "concatenate":
        return np.concatenate(xs, axis=a["axis"])
    if k == "slice":
        index = [slice(None)] * len(shape)
        index[a["axis"]] = slice(a["start"], a["stop"])
        return xs[0][tuple(index)]
    raise ArgumentTypeError(f"unknown array generator {k!r}")


def _dtype(modulus: int | None) -> Any:
    return np.float64 if modulus is None else np.int64


# -- random circuits ----------------------------------------------------------------
_SIZES = st.integers(1, 3)


@st.composite
def array_circuits(draw, max_ops: int = 6, *, fractions: bool = True,
                   scans: str = "sometimes") -> Circuit:
    """Random array circuits: 1–3 inputs of rank 0–3 with axes of size 1–3, then up to
    ``max_ops`` generators of every kind, each on wires whose shapes allow it. A ``scan``
    has a body of up to 3 generators (no scans) over 1–3 steps; ``scans`` is
    ``"sometimes"`` (a kind like the others), ``"never"`` or ``"always"`` (the first
    generator is a scan)."""
    n_inputs = draw(st.integers(1, 3))
    shapes = [tuple(draw(st.lists(_SIZES, max_size=3))) for _ in range(n_inputs)]
    b = ArrayBuilder(shapes)
    wires = list(b.inputs)
    if scans not in ("sometimes", "never", "always"):
        raise ArgumentTypeError(f"scans: 'sometimes', 'never' or 'always', got {scans!r:.40}")
    kinds = _KINDS if scans == "never" else _KINDS + ("scan",)
    if scans == "always":
        wires.extend(_draw_scan(draw, b, draw(st.sampled_from(wires)), wires, fractions))
    _draw_ops(draw, b, wires, draw(st.integers(1, max_ops)), kinds, fractions)
    last = wires[n_inputs:] or wires
    outs = draw(st.lists(st.sampled_from(last), min_size=1, max_size=2))
    return b.build(outs)


_KINDS = ("add", "mul", "neg", "constant", "matmul", "sum", "broadcast", "reshape",
          "transpose", "concatenate", "slice")


def _draw_ops(draw, b, wires, n, kinds, fractions) -> None:
    for _ in range(n):
        kind = draw(st.sampled_from(kinds))
        x = draw(st.sampled_from(wires))
        if kind == "scan":
            wires.extend(_draw_scan(draw, b, x, wires, fractions))
            continue
        w = _draw_op(draw, b, kind, x, b.shape(x), wires, fractions)
        if w is not None:
            wires.append(w)


def _draw_scan(draw, b, x, wires, fractions) -> list:
    """A scan carrying x (and perhaps another wire) over a stacked wire's slices, or over
    1–3 steps with no stacked input; its body a small random circuit that returns
    arrays of the carries' shapes."""
    stackable = [w for w in wires if b.shape(w)]
    xs = [draw(st.sampled_from(stackable))] if stackable and draw(st.booleans()) else []
    carries = [x] + ([draw(st.sampled_from(wires))] if draw(st.booleans()) else [])
    if xs and draw(st.integers(0, 3)) == 0:
        carries = []  # a map
    length = None if xs else draw(st.integers(1, 3))
    cs = [b.shape(w) for w in carries]
    body = ArrayBuilder(cs + [b.shape(w)[1:] for w in xs])
    inner = list(body.inputs)
    _draw_ops(draw, body, inner, draw(st.integers(1, 3)), _KINDS, fractions)
    new = inner[len(body.inputs):]
    outs = [draw(st.sampled_from([w for w in new if body.shape(w) == s] or [inner[i]]))
            for i, s in enumerate(cs)]
    outs += draw(st.lists(st.sampled_from(new or inner), min_size=0 if cs else 1, max_size=1))
    return b.scan(body.build(outs), carries, xs, length=length, reverse=draw(st.booleans()))


def _draw_op(draw, b, kind, x, s, wires, fractions):
    same = [w for w in wires if b.shape(w) == s]
    if kind in ("add", "mul"):
        y = draw(st.sampled_from(same))
        return b.add(x, y) if kind == "add" else b.mul(x, y)
    if kind == "neg":
        return b.neg(x)
    if kind == "constant":
        values = [0, 1, 2, 3, -1] + ([Fraction(1, 2)] if fractions else [])
        return b.constant(draw(st.sampled_from(values)), s)
    if kind == "matmul":
        if len(s) < 2:
            x = b.reshape(x, (1, math.prod(s)) if draw(st.booleans()) else (math.prod(s), 1))
            s = b.shape(x)
        partners = [w for w in wires if len(b.shape(w)) == len(s)
                    and b.shape(w)[:-2] == s[:-2] and b.shape(w)[-2] == s[-1]]
        if partners and draw(st.booleans()):
            y = draw(st.sampled_from(partners))
        else:  # x xᵀ: nonlinear, and always fits
            y = b.transpose(x, tuple(range(len(s) - 2)) + (len(s) - 1, len(s) - 2))
        return b.matmul(x, y)
    if kind == "sum":
        if not s:
            return None
        axes = draw(st.lists(st.integers(0, len(s) - 1), min_size=1, unique=True))
        return b.sum(x, tuple(axes))
    if kind == "broadcast":
        if len(s) >= 3:
            return None
        new = draw(_SIZES)
        stretched = tuple(draw(_SIZES) if n == 1 else n for n in s)
        return b.broadcast(x, (new,) + stretched, tuple(range(1, len(s) + 1)))
    if kind == "reshape":
        n = math.prod(s)
        return b.reshape(x, draw(st.sampled_from([(n,), (1, n), (n, 1)])))
    if kind == "transpose":
        return b.transpose(x, tuple(draw(st.permutations(range(len(s))))))
    if kind == "concatenate":
        if not s:
            return None
        axis = draw(st.integers(0, len(s) - 1))
        fits = [w for w in wires if len(b.shape(w)) == len(s)
                and all(m == n for i, (m, n) in enumerate(zip(b.shape(w), s)) if i != axis)]
        return b.concatenate([x, draw(st.sampled_from(fits))], axis)
    if kind == "slice":
        if not s or not max(s):
            return None
        axis = draw(st.sampled_from([i for i, n in enumerate(s) if n]))
        start = draw(st.integers(0, s[axis] - 1))
        return b.slice(x, axis, start, draw(st.integers(start, s[axis])))
    raise AssertionError(kind)
