"""Reverse and forward derivatives of polynomial circuits, as polynomial circuits.

For a circuit d : A → B, ``reverse_derivative(d)`` is the circuit
R[d] : A ⊗ B → A with R[d](a, b) = J_d(a)ᵀ b, built syntactically from
one rule per generator (Cockett et al.'s reverse derivative categories;
Wilson and Zanasi's polynomial circuits). It holds over every commutative
ring, GF2 included, where ``jax.grad`` has nothing to say. The rules:

=========  ==============  ====================
generator  d(x)            R[d](x, b)
=========  ==============  ====================
copy       (x, x)          b₁ + b₂
discard    ()              0
add        x₁ + x₂         (b, b)
mul        x₁ · x₂         (x₂ · b, x₁ · b)
neg        −x              −b
zero, c    0, c            ()
=========  ==============  ====================

R[d] is an ordinary circuit: it can be drawn, compiled over any ring, and
differentiated again. It is built in one pass, in time linear in d::

    >>> from catlearn.diagrams import Copy, polycirc as pc
    >>> from catlearn.functors import RingFunctor
    >>> from catlearn.semirings import GF2, Real
    >>> square = Copy(pc.R) >> pc.mul                    # x ↦ x²
    >>> r = reverse_derivative(square)                   # (x, b) ↦ 2xb
    >>> RingFunctor(Real()).compile(r)([[3.0, 1.0]]).tolist()
    [[6.0]]
    >>> RingFunctor(GF2).compile(r)([[1, 1]]).tolist()   # 2 = 0 in GF2
    [[0]]

A wire whose cotangent is structurally zero emits no gates; a domain
wire that gets no cotangent at all is a ``zero`` gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from catlearn.diagrams.arrays.circuit import ArrayCircuit
from catlearn.diagrams.hypergraph import Hypergraph
from catlearn.diagrams.polycirc import (
    Builder,
    Netlist,
    _TrustedBuilder,
    mul,
    negate,
    no_gc_pauses,
    zero,
)
from catlearn.errors import ArgumentTypeError, PolycircError

Rule = Callable[[Builder, tuple[int, ...], int], tuple[int | None, ...]]
"""A reverse rule: (builder, the gate's forward input wires, output cotangent) → one
cotangent (or ``None`` for zero) per input."""


def _reverse_add(b: Builder, xs: tuple[int, ...], dy: int) -> tuple[int | None, ...]:
    return (dy, dy)


def _reverse_mul(b: Builder, xs: tuple[int, ...], dy: int) -> tuple[int | None, ...]:
    return (b.gate(mul, xs[1], dy), b.gate(mul, xs[0], dy))


def _reverse_neg(b: Builder, xs: tuple[int, ...], dy: int) -> tuple[int | None, ...]:
    return (b.gate(negate, dy),)


def _reverse_nullary(b: Builder, xs: tuple[int, ...], dy: int) -> tuple[int | None, ...]:
    return ()


RULES: Mapping[str, Rule] = {
    "add": _reverse_add,
    "mul": _reverse_mul,
    "neg": _reverse_neg,
    "zero": _reverse_nullary,
    "const": _reverse_nullary,
}
"""The reverse rule of each gate kind. Pass another mapping to ``reverse_derivative``
to experiment (the law tests use it to build wrong rules and catch them)."""


def reverse_derivative(
    diagram: Any, rules: Mapping[str, Rule] = RULES, *, against_target: bool = False
) -> Hypergraph:
    """R[d] : A ⊗ B → A, the reverse derivative of the polynomial circuit d : A → B.

    Inputs of R[d] are d's inputs (the point) then one cotangent per output;
    its outputs are one cotangent per input of d. ``diagram`` is a DisCoPy
    diagram or a ``Hypergraph`` over the ``catlearn.diagrams.polycirc``
    signature; anything else raises ``PolycircError``.

    With ``against_target=True`` the second input is a target y, and the
    circuit is a ↦ R[d](a, d(a) − y), the error-driven step of reverse
    derivative ascent, in one circuit: its forward pass serves both the
    error and the derivative, where R[d] after d would evaluate d twice.

    An ``ArrayCircuit`` gets its array R[d] (``catlearn.functors.array_derivatives``:
    one rule per array generator; ``rules`` then maps array generator kinds).
    """
    if isinstance(diagram, ArrayCircuit):
        from catlearn.functors import array_derivatives as arrays

        chosen = arrays.ARRAY_RULES if rules is RULES else rules
        return arrays.reverse_derivative(diagram, chosen, against_target=against_target)
    net = Netlist(diagram)
    _check_rules(net, rules)
    with no_gc_pauses():
        return _reverse(net, rules, against_target)


def _check_rules(net: Netlist, rules: Any) -> None:
    if not isinstance(rules, Mapping):
        raise ArgumentTypeError(
            f"rules: expected a mapping from gate kinds to rules, got {type(rules).__name__}"
        )
    for kind in sorted({g.kind for g in net.gates}):
        if not callable(rules.get(kind)):
            raise PolycircError(
                f"rules: the circuit has {kind!r} gates but no reverse rule for them "
                f"(got {rules.get(kind)!r:.40})"
            )


def _reverse(net: Netlist, rules: Mapping[str, Rule], against_target: bool) -> Hypergraph:
    n_a, n_b = len(net.sources), len(net.targets)
    b = _TrustedBuilder(n_a + n_b)
    wire = _replay(b, net, dict(zip(net.sources, range(n_a))))
    cotangents: list[list[int]] = [[] for _ in range(net.n_wires)]
    for j, t in enumerate(net.targets):
        given = n_a + j
        cotangents[t].append(b.add(wire[t], b.neg(given)) if against_target else given)
    for gate, xs, y in zip(reversed(net.gates), reversed(net.ins), reversed(net.outs)):
        dy = _total(b, cotangents[y])
        if dy is None:
            continue
        forward_xs = tuple(wire[x] for x in xs)
        dxs = rules[gate.kind](b, forward_xs, dy)
        if len(dxs) != len(xs):  # zip would silently drop or ignore cotangents
            raise PolycircError(
                f"the reverse rule for {gate.kind!r} returned {len(dxs)} cotangents for a "
                f"gate with {len(xs)} inputs"
            )
        for x, dx in zip(xs, dxs):
            if dx is not None:
                cotangents[x].append(dx)
    outputs = [_total(b, cotangents[s]) for s in net.sources]
    return b.build([b.gate(zero) if w is None else w for w in outputs])


def forward_derivative(diagram: Any) -> Hypergraph:
    """``D[d] : A ⊗ A → B``, the forward derivative: ``D[d](a, v) = J_d(a) v``.

    Inputs are d's inputs (the point) then one tangent per input; outputs
    one tangent per output of d.
    """
    if isinstance(diagram, ArrayCircuit):
        from catlearn.functors.array_derivatives import forward_derivative as array_forward

        return array_forward(diagram)
    net = Netlist(diagram)
    with no_gc_pauses():
        return _forward(net)


def _forward(net: Netlist) -> Hypergraph:
    n_a = len(net.sources)
    b = _TrustedBuilder(2 * n_a)
    wire = _replay(b, net, dict(zip(net.sources, range(n_a))))
    tangent: dict[int, int] = dict(zip(net.sources, range(n_a, 2 * n_a)))
    for gate, xs, y in zip(net.gates, net.ins, net.outs):
        ts = [tangent.get(x) for x in xs]
        if gate.kind == "add":
            t = _total(b, [t for t in ts if t is not None])
        elif gate.kind == "mul":
            (x1, x2), (t1, t2) = xs, ts
            terms = [b.gate(mul, wire[x2], t1) if t1 is not None else None]
            terms.append(b.gate(mul, wire[x1], t2) if t2 is not None else None)
            t = _total(b, [t for t in terms if t is not None])
        elif gate.kind == "neg":
            t = b.gate(negate, ts[0]) if ts[0] is not None else None
        else:
            t = None
        if t is not None:
            tangent[y] = t
    outputs = [tangent.get(t) for t in net.targets]
    return b.build([b.gate(zero) if w is None else w for w in outputs])


def _replay(b: Builder, net: Netlist, wire: dict[int, int]) -> list[int]:
    """Copy the forward circuit into ``b``; each of its wires' new id."""
    ids = [0] * net.n_wires
    for w, new in wire.items():
        ids[w] = new
    for gate, xs, y in zip(net.gates, net.ins, net.outs):
        ids[y] = b.gate(gate, *(ids[x] for x in xs))
    return ids


def _total(b: Builder, wires: list[int]) -> int | None:
    """Σ wires (a balanced tree of adds), or ``None`` for an empty (zero) sum."""
    return b.sum(wires) if wires else None
