"""Quantum circuits (``discopy.quantum``) as complex tensor networks, and the Born rule.

A pure circuit (kets, gates, bras, scalars) is a tensor network over the
``Complex`` semiring: each gate's array, each qubit a wire of dimension 2.
Its **amplitudes** are the network's tensor; the probability of measuring
its outputs is ``|amplitude|²``. A circuit that discards or measures
qubits is evaluated in the doubled (CPM) form: every pure box next to its
complex conjugate, a discard a trace joining a wire to its twin, a
measurement a spider joining the wire, its twin and the classical bit.
All of that is wiring, so it costs nothing at run time::

    >>> from discopy.quantum.circuit import Id, qubit
    >>> from discopy.quantum.gates import CX, H, Ket, Measure, Discard
    >>> bell = Ket(0, 0) >> H @ Id(qubit) >> CX
    >>> Q = QuantumFunctor()
    >>> Q.probabilities(bell).round(3).tolist()            # |00> and |11>, half each
    [[0.5, 0.0], [0.0, 0.5]]
    >>> Q.probabilities(bell >> Measure() @ Discard()).round(3).tolist()
    [0.5, 0.5]

Rotation angles that are sympy symbols (``Rz(sympy.Symbol("a"))``, in
DisCoPy's half-turns) become params entries, and amplitudes and
probabilities are differentiable in them: ``Q.init(circuit, key)`` draws
them, and ``compile(circuit).apply(params)`` is a pure JAX function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph, from_discopy
from catlearn.errors import ArgumentTypeError, ShapeError
from catlearn.functors.boxes import signature_of
from catlearn.functors.compiled import CompiledDiagram
from catlearn.functors.symbolic import is_symbolic
from catlearn.functors.tensor import TensorFunctor
from catlearn.semirings import Complex


@dataclass(frozen=True)
class Conjugate:
    """The complex conjugate of a pure box: its twin in the doubled circuit."""

    box: Any

    @property
    def name(self) -> str:
        return f"conj({self.box.name})"

    @property
    def dom(self) -> Any:
        return self.box.dom

    @property
    def cod(self) -> Any:
        return self.box.cod


def _dim(obj: Any) -> int:
    return int(getattr(obj, "dim", 2))


def _array(box: Any) -> Any:
    """A gate's array, axes (inputs…, outputs…), each of dimension 2."""
    if isinstance(box, Conjugate):
        value = _array(box.box)
        if is_symbolic(value):
            import sympy

            return np.vectorize(sympy.conjugate, otypes=[object])(value)
        return np.conj(value)
    if _kind(box) != "pure":
        raise ArgumentTypeError(
            f"box {signature_of(box)} is not a pure gate; only the doubled circuit "
            "(probabilities) interprets discards and measurements"
        )
    shape = tuple(_dim(o) for o in tuple(box.dom.inside) + tuple(box.cod.inside))
    try:
        value = np.array(box.array, dtype=object).reshape(shape)
    except (TypeError, AttributeError):  # DisCoPy 1.2.2: no Rx, Ry array for a symbol
        if not _has_symbols(box):
            raise
        value = _symbolic_rotation(box).reshape(shape)
    return value if is_symbolic(value) else value.astype(complex)


def _has_symbols(box: Any) -> bool:
    phase = getattr(getattr(box, "controlled", box), "phase", None)
    return bool(getattr(phase, "free_symbols", None))


def _symbolic_rotation(box: Any) -> np.ndarray:
    """A rotation (or a rotation controlled by its left neighbour) with a symbolic angle,
    as DisCoPy's numeric formulas (half-turns), written in sympy."""
    import sympy
    from discopy.quantum import gates

    if isinstance(box, gates.Controlled):
        if getattr(box, "distance", None) != 1:
            raise ArgumentTypeError(
                f"box {signature_of(box)}: a symbolic controlled gate needs its control "
                "next to its target, on the left"
            )
        inner = _symbolic_rotation(box.controlled)
        value = np.zeros((2, 2, 2, 2), dtype=object)
        value[0, 0, 0, 0] = value[0, 1, 0, 1] = sympy.Integer(1)
        value[1, :, 1, :] = inner
        return value
    half = sympy.pi * box.phase
    c, s = sympy.cos(half), sympy.sin(half)
    if isinstance(box, gates.Rx):
        return np.array([[c, -sympy.I * s], [-sympy.I * s, c]], dtype=object)
    if isinstance(box, gates.Ry):
        return np.array([[c, s], [-s, c]], dtype=object)
    raise ArgumentTypeError(f"box {signature_of(box)}: no array for its symbolic angle")


def _kind(box: Any) -> str:
    """ "discard", "measure", "pure", or another mixed box (refused)."""
    from discopy.quantum import gates

    if isinstance(box, gates.Discard):
        return "discard"
    if isinstance(box, gates.Measure):
        return "measure"
    if getattr(box, "is_mixed", False) or any(
        _dim(o) != 2 or type(o).__name__ != "Qudit"
        for o in tuple(box.dom.inside) + tuple(box.cod.inside)
    ):
        return "mixed"
    return "pure"


class QuantumFunctor:
    """Pure circuits ↦ amplitudes (complex tensors); any circuit ↦ Born probabilities."""

    def __init__(self) -> None:
        self.tensor = TensorFunctor(_dim, _array, Complex())

    def compile(self, circuit: Any) -> CompiledDiagram:
        """A pure circuit as one compiled contraction: ``.tensor(params)`` its amplitudes."""
        graph = from_discopy(circuit)
        for box in graph.boxes:
            if _kind(box) != "pure":
                raise ArgumentTypeError(
                    f"box {signature_of(box)} discards or measures: amplitudes need a pure "
                    "circuit; use probabilities(circuit)"
                )
        return self.tensor.compile(graph)

    def amplitudes(self, circuit: Any, params: Mapping[str, Any] | None = None) -> jax.Array:
        """The circuit's tensor, axes (domain qubits, codomain qubits)."""
        return self.compile(circuit).tensor(params)

    def probabilities(self, circuit: Any, params: Mapping[str, Any] | None = None) -> jax.Array:
        """The probability of each outcome of measuring every output wire (a state's
        qubits, measured bits), one axis per output; discarded qubits summed out."""
        return self.born(circuit).tensor(params)

    def born(self, circuit: Any) -> Any:
        """The Born rule as a compiled function: ``.tensor(params)`` the probabilities."""
        graph = from_discopy(circuit)
        if len(graph.sources):
            raise ShapeError(
                f"probabilities need a state (a circuit from no wires); this one reads "
                f"{len(graph.sources)} input wire(s): prepend kets"
            )
        kinds = [_kind(box) for box in graph.boxes]
        for box, kind in zip(graph.boxes, kinds):
            if kind == "mixed":
                raise ArgumentTypeError(
                    f"box {signature_of(box)}: probabilities interpret pure gates, discards "
                    "and measurements; not this mixed box"
                )
        if "discard" not in kinds and "measure" not in kinds:
            return _Squared(self.tensor.compile(graph))
        return _Real(self.tensor.compile(_doubled(graph, kinds)))

    def init(self, circuit: Any, key: jax.Array) -> dict[str, Any]:
        """A value for every symbol of the circuit's rotation angles."""
        return self.tensor.init(from_discopy(circuit), key)


@dataclass(frozen=True)
class _Squared:
    compiled: CompiledDiagram

    def tensor(self, params: Mapping[str, Any] | None = None) -> jax.Array:
        amplitude = self.compiled.tensor(params)
        return jnp.real(amplitude * jnp.conj(amplitude))


@dataclass(frozen=True)
class _Real:
    compiled: CompiledDiagram

    def tensor(self, params: Mapping[str, Any] | None = None) -> jax.Array:
        return jnp.real(self.compiled.tensor(params))


def _doubled(graph: Hypergraph, kinds: list[str]) -> Hypergraph:
    """The CPM doubling of a circuit whose outputs are all measured: each qubit wire ``w``
    gets a twin ``w + n``; discards and measurements (and the final measurement of every
    output qubit) identify wires."""
    n = graph.n_wires
    parent = list(range(2 * n))

    def find(w: int) -> int:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    qubit = [type(t).__name__ == "Qudit" for t in graph.wire_types]
    boxes, ins, outs = [], [], []
    for i, (box, kind) in enumerate(zip(graph.boxes, kinds)):
        a, b = (x.tolist() for x in graph.box_wires(i))
        if kind == "discard":
            join(a[0], a[0] + n)
        elif kind == "measure":
            join(a[0], a[0] + n)
            join(a[0], b[0])
        else:
            boxes += [box, Conjugate(box)]
            ins += [a, [w + n for w in a]]
            outs += [b, [w + n for w in b]]
    for w in graph.targets.tolist():
        if qubit[w]:
            join(w, w + n)
    roots = sorted({find(w) for w in range(n)} | {find(w + n) for w in range(n) if qubit[w]})
    index = {r: k for k, r in enumerate(roots)}
    types = [graph.wire_types[r % n] for r in roots]

    def wire(w: int) -> int:
        return index[find(w)]

    return Hypergraph.build(
        types,
        boxes,
        [[wire(w) for w in ws] for ws in ins],
        [[wire(w) for w in ws] for ws in outs],
        [],
        [wire(w) for w in graph.targets.tolist()],
    )
