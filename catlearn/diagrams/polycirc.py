"""Polynomial circuits: the signature of a commutative ring, with parameters as inputs.

Wilson and Zanasi's generators, each a DisCoPy box on the wire type ``R``
(one ring element per wire): ``add`` and ``mul`` (2 → 1), ``negate``
(1 → 1, rings only), ``zero`` and ``constant(c)`` (0 → 1). Copy and
discard are wiring (``Copy(R)``, ``Discard(R)``). A model's parameters are
ordinary inputs (the Para construction), put first by the builders here.
Over GF2 the same generators are Boolean gates: AND is ``mul``, XOR is
``add``, and NOT x is x + 1::

    >>> from catlearn.diagrams import Copy, Id
    >>> square = Copy(R) >> mul            # x ↦ x·x
    >>> print(square.dom, "→", square.cod)
    R → R
    >>> g = dot(3)                          # (w₁, w₂, w₃, x₁, x₂, x₃) ↦ Σ wᵢxᵢ
    >>> g.n_boxes, len(g.dom), len(g.cod)
    (5, 6, 1)

Large circuits are built with :class:`Builder`, straight into the
hypergraph IR in time linear in their size (DisCoPy's ``>>`` loop is
quadratic): a wire used twice is a copy, a wire never used a discard.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from functools import lru_cache

import numpy as np
from discopy import frobenius

from catlearn.arguments import size
from catlearn.diagrams.hypergraph import Hypergraph
from catlearn.errors import ArgumentValueError, PolycircError

R = frobenius.Ty("R")
"""The wire type of polynomial circuits: one element of the ring."""

KINDS = ("add", "mul", "neg", "zero", "const")
ARITY = {"add": 2, "mul": 2, "neg": 1, "zero": 0, "const": 0}


class Gate(frobenius.Box):
    """A generator of polynomial circuits: ``kind`` is in ``KINDS``; constants carry ``value``."""

    def __init__(self, kind: str, value: int | Fraction | None = None) -> None:
        if kind not in ARITY:
            raise PolycircError(f"unknown gate kind {kind!r}; expected one of {KINDS}")
        if (kind == "const") != (value is not None):
            raise PolycircError("a 'const' gate needs a value, and only it takes one")
        self.kind, self.value = kind, value
        name = f"const({value})" if kind == "const" else kind
        super().__init__(name, R ** ARITY[kind], R, data=value)

    def __repr__(self) -> str:
        return f"Gate({self.kind!r})" if self.value is None else f"constant({self.value!r})"

    def __reduce__(self):
        return (Gate, (self.kind, self.value))


add = Gate("add")
mul = Gate("mul")
negate = Gate("neg")
zero = Gate("zero")
GATES = {"add": add, "mul": mul, "neg": negate, "zero": zero}


def constant(value: int | Fraction) -> Gate:
    """The constant ``value`` (0 → 1); an integer or a fraction, read in the ring."""
    if isinstance(value, (bool, np.integer)):
        value = int(value)
    if not isinstance(value, (int, Fraction)):
        raise PolycircError(f"constants are ints or Fractions (exact in any ring), got {value!r}")
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    return _constant_gate(type(value), value)


@lru_cache(maxsize=256)
def _constant_gate(kind: type, value: int | Fraction) -> Gate:
    # Keyed by type too: 0.5 == Fraction(1, 2) would otherwise hit the cache unchecked.
    return Gate("const", value)


class _Token:
    """What a builder's wires point at to say whose they are (not the builder: no cycle)."""

    __slots__ = ()


def gate_of(box: object) -> Gate:
    """``box`` as a gate, or a ``PolycircError`` naming it."""
    if isinstance(box, Gate):
        return box
    if isinstance(box, frobenius.Spider):
        raise PolycircError(f"{box} merges wires; in a polynomial circuit, sum them with add")
    raise PolycircError(f"{box} is not a polynomial-circuit gate (add, mul, neg, zero, constant)")


class Builder:
    """Builds a polynomial circuit wire by wire, in time linear in its size.

    Every method returns the new wire's id; ``build(outputs)`` gives the
    hypergraph from the ``n_inputs`` input wires to ``outputs``::

        >>> b = Builder(2)
        >>> x, y = b.inputs
        >>> c = b.build([b.add(b.mul(x, y), b.constant(1))])   # xy + 1
        >>> c.n_boxes, len(c.dom), len(c.cod)
        (3, 2, 1)

    Wire ids are ints (input i is ``i``), but the ids a builder returns
    remember their builder: handing one to another builder raises
    ``PolycircError`` rather than silently wiring whatever wire has that
    number there.
    """

    def __init__(self, n_inputs: int) -> None:
        self.n_inputs = size(n_inputs, "Builder(n_inputs)", minimum=0)
        self.n_wires = self.n_inputs
        self.gates: list[Gate] = []
        self._flat: list[int] = []  # input wires of all gates, in order (arity from the kind)
        # This builder's own int type: telling its wires apart costs a type() per wire.
        self._wire = type("Wire", (int,), {"__slots__": (), "_builder": _Token()})

    @property
    def inputs(self) -> list[int]:
        # Tagged like every other wire, so that another builder refuses them.
        own = self._wire
        return [own(i) for i in range(self.n_inputs)]

    def gate(self, gate: Gate, *wires: int) -> int:
        """Add ``gate`` reading ``wires``; its output wire."""
        if type(gate) is not Gate and not isinstance(gate, Gate):
            raise PolycircError(
                f"Builder.gate needs a Gate (add, mul, negate, zero, constant(c)), "
                f"got {type(gate).__name__} {gate!r:.40}"
            )
        if len(wires) != ARITY[gate.kind]:
            raise PolycircError(f"{gate} takes {ARITY[gate.kind]} inputs, got {len(wires)}")
        n, own = self.n_wires, self._wire
        for w in wires:
            if type(w) is not own and type(w) is not int:
                self._check_foreign(w, f"{gate}")
            if not 0 <= w < n:
                raise PolycircError(f"{gate} is given wire {w}, which does not exist yet")
        self.gates.append(gate)
        self._flat.extend(wires)
        self.n_wires = n + 1
        return own(n)

    def _check_foreign(self, w: object, where: str) -> None:
        """A wire id that is not a plain int nor this builder's: numpy integers pass."""
        if hasattr(w, "_builder"):
            raise PolycircError(f"{where} is given wire {w} of another Builder")
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)):
            raise PolycircError(
                f"{where} is given {type(w).__name__} {w!r:.20} as a wire; wire ids are ints"
            )

    def _check_wires(self, wires: Sequence[int], where: str) -> None:
        own = self._wire
        for w in wires:
            if type(w) is not own and type(w) is not int:
                self._check_foreign(w, where)
            if not 0 <= w < self.n_wires:
                raise PolycircError(f"{where} name wire {w}, outside 0..{self.n_wires - 1}")

    def add(self, x: int, y: int) -> int:
        return self.gate(add, x, y)

    def mul(self, x: int, y: int) -> int:
        return self.gate(mul, x, y)

    def neg(self, x: int) -> int:
        return self.gate(negate, x)

    def zero(self) -> int:
        return self.gate(zero)

    def constant(self, value: int | Fraction) -> int:
        return self.gate(constant(value))

    def sum(self, wires: Sequence[int]) -> int:
        """Σ wires as a balanced tree of adds (depth log n); zero when empty."""
        wires = list(wires)
        if not wires:
            return self.zero()
        if len(wires) == 1:  # returned as it is: check that it is a wire here
            self._check_wires(wires, "Builder.sum")
        while len(wires) > 1:
            paired = [self.add(a, b) for a, b in zip(wires[::2], wires[1::2])]
            wires = paired + wires[len(paired) * 2 :]
        return wires[0]

    def apply(self, diagram: object, wires: Sequence[int]) -> list[int]:
        """Use a whole circuit as a part: feed it ``wires``; its output wires."""
        net = diagram if isinstance(diagram, Netlist) else Netlist(diagram)
        wires = list(wires)
        if len(wires) != len(net.sources):
            raise PolycircError(f"the circuit takes {len(net.sources)} wires, got {len(wires)}")
        self._check_wires(wires, "Builder.apply: wires")
        ids = dict(zip(net.sources, wires))
        for gate, xs, y in zip(net.gates, net.ins, net.outs):
            ids[y] = self.gate(gate, *(ids[x] for x in xs))
        return [ids[t] for t in net.targets]

    def build(self, outputs: Sequence[int]) -> Hypergraph:
        """The circuit from the inputs to ``outputs`` (a wire may repeat: a copy)."""
        outputs = list(outputs)
        self._check_wires(outputs, "Builder.build: outputs")
        outputs = np.asarray(outputs, dtype=np.int64).reshape(-1)
        n_gates = len(self.gates)
        arity = np.fromiter((ARITY[g.kind] for g in self.gates), dtype=np.int64, count=n_gates)
        flat = np.array(self._flat, dtype=np.int64)
        return Hypergraph(
            (R.inside[0],) * self.n_wires,
            tuple(self.gates),
            flat,
            np.concatenate([[0], np.cumsum(arity)]).astype(np.int64),
            np.arange(self.n_inputs, self.n_inputs + n_gates, dtype=np.int64),
            np.arange(n_gates + 1, dtype=np.int64),
            np.arange(self.n_inputs, dtype=np.int64),
            outputs,
        )


class _TrustedBuilder(Builder):
    """The library's own builder (derivatives, ``dot``, ``matvec``…): its wires come from
    itself by construction, so they are plain ints, unchecked beyond their range. Tagged
    wires cost a tracked object each: 2.7x the time of building a 10^5-gate circuit."""

    @property
    def inputs(self) -> list[int]:
        return list(range(self.n_inputs))

    def gate(self, gate: Gate, *wires: int) -> int:
        n = self.n_wires
        for w in wires:
            if not 0 <= w < n:
                raise PolycircError(f"{gate} is given wire {w}, which does not exist yet")
        self.gates.append(gate)
        self._flat.extend(wires)
        self.n_wires = n + 1
        return n


def dot(n: int) -> Hypergraph:
    """(w₁…wₙ, x₁…xₙ) ↦ Σ wᵢ·xᵢ: n products and a balanced tree of n − 1 adds."""
    n = size(n, "dot(n)", minimum=0)
    b = _TrustedBuilder(2 * n)
    return b.build([b.sum([b.mul(i, n + i) for i in range(n)])])


def matvec(m: int, n: int) -> Hypergraph:
    """(W row-major, m·n wires; x, n wires) ↦ W·x (m wires): m·n products, m·(n − 1) adds."""
    m, n = size(m, "matvec(m, n): m", minimum=0), size(n, "matvec(m, n): n", minimum=0)
    b = _TrustedBuilder(m * n + n)
    x = m * n
    rows = [b.sum([b.mul(i * n + j, x + j) for j in range(n)]) for i in range(m)]
    return b.build(rows)


def linear(n: int, m: int = 1) -> Hypergraph:
    """(W, m·n wires; b, m wires; x, n wires) ↦ W·x + b: an affine layer, parameters first.

    Over GF2 each output is a parity of a chosen subset of the inputs, or its negation.
    """
    n, m = size(n, "linear(n, m): n", minimum=0), size(m, "linear(n, m): m", minimum=0)
    b = _TrustedBuilder(m * n + m + n)
    x, bias = m * n + m, m * n
    rows = [b.sum([b.mul(i * n + j, x + j) for j in range(n)] + [bias + i]) for i in range(m)]
    return b.build(rows)


def lookup_table(n: int, m: int = 1) -> Hypergraph:
    """(table, 2ⁿ·m wires; x, n wires) ↦ table[x]: any function of n bits, parameters first.

    Over GF2, output k is Σ_c table[c, k] · [x = c], where the indicator
    [x = c] = Πᵢ (xᵢ if cᵢ else xᵢ + 1) is a monomial of the basis; row c of
    the table (bit i of c is input i) holds the m outputs for input c.
    This is the model of Wilson and Zanasi's iris experiment.
    """
    n, m = size(n, "lookup_table(n, m): n", minimum=0), size(m, "lookup_table(n, m): m")
    if n > 16:
        raise ArgumentValueError(f"a lookup table on {n} bits has 2**{n} rows; keep n ≤ 16")
    b = _TrustedBuilder((1 << n) * m + n)
    x = [(1 << n) * m + i for i in range(n)]
    one = b.constant(1)
    negated = [b.add(xi, one) for xi in x]
    rows = []
    for c in range(1 << n):
        literals = [x[i] if c >> i & 1 else negated[i] for i in range(n)]
        monomial = literals[0] if literals else one
        for lit in literals[1:]:
            monomial = b.mul(monomial, lit)
        rows.append(monomial)
    outputs = [b.sum([b.mul(c * m + k, rows[c]) for c in range(1 << n)]) for k in range(m)]
    return b.build(outputs)


def NOT() -> frobenius.Diagram:  # noqa: N802 (a gate's name)
    """x ↦ x + 1 (negation over GF2)."""
    return (frobenius.Id(R) @ constant(1)) >> add


def AND() -> frobenius.Diagram:  # noqa: N802
    """x·y (conjunction over GF2)."""
    return frobenius.Diagram.id(R @ R) >> mul


def XOR() -> frobenius.Diagram:  # noqa: N802
    """x + y (exclusive or over GF2)."""
    return frobenius.Diagram.id(R @ R) >> add


def OR() -> Hypergraph:  # noqa: N802
    """x + y + x·y (disjunction over GF2)."""
    b = _TrustedBuilder(2)
    return b.build([b.add(b.add(0, 1), b.mul(0, 1))])


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large circuits.

    Building allocates millions of small lists and ints but no cycles; the
    collector's repeated full scans cost as much as the building (0.6 of
    1.5 s for 2.5·10^5 gates).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Netlist:
    """A polynomial circuit checked and in topological order: what functors read.

    ``gates[i]`` reads wires ``ins[i]`` and writes wire ``outs[i]``; the
    boundary is ``sources`` (distinct wires nothing writes) and ``targets``.
    """

    __slots__ = ("n_wires", "sources", "targets", "gates", "ins", "outs")

    def __init__(self, diagram: object) -> None:
        if isinstance(diagram, Netlist):  # already checked: share its (immutable) lists
            for name in self.__slots__:
                setattr(self, name, getattr(diagram, name))
            return
        with no_gc_pauses():
            self._read(diagram)

    def _read(self, diagram: object) -> None:
        from catlearn.diagrams.interop import from_discopy

        g = from_discopy(diagram, cartesian=True)
        gates = [gate_of(box) for box in g.boxes]
        flat, offsets = g.inputs.tolist(), g.in_offsets.tolist()
        ins = [tuple(flat[a:b]) for a, b in zip(offsets, offsets[1:])]
        flat, offsets = g.outputs.tolist(), g.out_offsets.tolist()
        outs_lists = [flat[a:b] for a, b in zip(offsets, offsets[1:])]
        writer = [-1] * g.n_wires
        sources = g.sources.tolist()
        for w in sources:
            if writer[w] != -1:
                raise PolycircError(f"wire {w} is two inputs of the circuit (a merge)")
            writer[w] = -2
        for i, out in enumerate(outs_lists):
            (w,) = out
            if writer[w] != -1:
                raise PolycircError(f"wire {w} is written twice (by {gates[i]} and another)")
            writer[w] = i
        if -1 in writer:
            raise PolycircError(f"wire {writer.index(-1)} is read but nothing writes it")
        self.n_wires = g.n_wires
        self.sources = sources
        self.targets = g.targets.tolist()
        order = _topological(ins, writer)
        self.gates = [gates[i] for i in order]
        self.ins = [ins[i] for i in order]
        self.outs = [outs_lists[i][0] for i in order]

    def __len__(self) -> int:
        return len(self.gates)

    def interpret(self, inputs: Sequence, add, mul, neg, constant) -> list:
        """Run the gates one by one with the given operations; the outputs' values.

        The reference semantics that symbolic and test evaluators share:
        ``constant(value)`` makes a constant (``value`` is 0 for ``zero``).
        """
        wire = dict(zip(self.sources, inputs))
        for gate, xs, y in zip(self.gates, self.ins, self.outs):
            if gate.kind == "add":
                wire[y] = add(wire[xs[0]], wire[xs[1]])
            elif gate.kind == "mul":
                wire[y] = mul(wire[xs[0]], wire[xs[1]])
            elif gate.kind == "neg":
                wire[y] = neg(wire[xs[0]])
            else:
                wire[y] = constant(gate.value or 0)
        return [wire[t] for t in self.targets]


def _topological(ins: list[tuple[int, ...]], writer: list[int]) -> list[int]:
    """Gate order with writers first (Kahn); a ``PolycircError`` on a loop."""
    n = len(ins)
    if all(writer[w] < i for i, ws in enumerate(ins) for w in ws):
        return list(range(n))  # already ordered: the usual case, from layers or a Builder
    waiting = [sum(writer[w] >= 0 for w in ws) for ws in ins]
    readers: list[list[int]] = [[] for _ in range(n)]
    for i, ws in enumerate(ins):
        for w in ws:
            if writer[w] >= 0:
                readers[writer[w]].append(i)
    ready = [i for i in range(n) if waiting[i] == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for j in readers[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    if len(order) < n:
        raise PolycircError("the circuit has a loop: it is not a function")
    return order
