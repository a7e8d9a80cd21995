"""Law suite for reverse derivatives of polynomial circuits: soundness, then RD1–RD7.

``reverse_derivative(ring, R)`` checks a reverse-derivative construction
``R`` (a function from circuits to circuits; catlearn's own by default)
on random polynomial circuits over ``ring``:

* **soundness** ⟨R[f](a, w), v⟩ = ⟨w, J_f(a) v⟩, with J_f(a) v computed
  independently by evaluating f on dual numbers; over float rings also
  R[f](a, w) = ``jax.vjp`` of f. The axioms below hold for any R built
  functorially from per-generator rules, right or wrong; only soundness
  catches a wrong rule on one generator (reference/laws.md §6).
  Each generator's rule is also checked alone (``generators_sound``).
* the axioms of reverse derivative categories (Cockett et al. 2020), as
  equations between evaluated circuits: RD1 additivity in f, RD2
  linearity in the cotangent, RD3 identity and projections, RD4 pairing
  and discard, RD5 the chain rule, RD6 the linearity of R in its last
  argument (through R³), RD7 symmetry of mixed partials;
* the forward derivative ``catlearn.functors.forward_derivative`` equals
  the one derived from R, D[f](a, v) = π_B R[R[f]]((a, 0), v);
* ``RingFunctor``'s compiled evaluation of R[f] equals this module's
  gate-by-gate reference evaluation.

Oracle: J_f(a) v by evaluating f on dual numbers (``Dual(S)``: the
product rule lives in the carrier, not in any reverse rule), gate by gate
in :func:`evaluate`, which reads the circuit's hypergraph arrays itself
(not through ``Netlist``, the reading ``R``, ``forward_derivative`` and
``RingFunctor`` share) and reads constants with its own
:func:`constant_value`; over float rings also ``jax.vjp`` of that
evaluation. It shares with ``R`` only the ring's ⊕, ⊗ and − and the
``Gate`` kinds, the user's declarations; it never calls ``R`` or its
rules. The RD axioms are equations between evaluations of ``R``.

Float rings compare with a stated tolerance, Z/n exactly::

    >>> from catlearn.semirings import GF2
    >>> reverse_derivative(GF2)["chain_rule"].check(max_examples=5)
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

from catlearn.diagrams.hypergraph import Hypergraph
from catlearn.diagrams.polycirc import Builder, Netlist, add, constant, mul, negate, zero
from catlearn.errors import ArgumentTypeError
from catlearn.functors.reverse import forward_derivative
from catlearn.functors.reverse import reverse_derivative as _catlearn_R
from catlearn.functors.ring import RingFunctor
from catlearn.laws import arguments
from catlearn.laws.equality import equality
from catlearn.laws.law import Law, LawSuite
from catlearn.laws.strategies import polycircs
from catlearn.semirings import Dual, Semiring, Zn, require_semiring

Circuit = Any
ROWS = 3  # points per example: each law checks three (a, b) at once


def evaluate(diagram: Any, S: Semiring, x: Any) -> Any:
    """Reference semantics: run the gates one by one on ``x`` of shape (rows, n_inputs).

    The gates and wires are read from the hypergraph's own arrays (box
    inputs, outputs, sources, targets), not through ``Netlist`` (which
    ``reverse_derivative``, ``forward_derivative`` and ``RingFunctor`` read
    circuits with), and constants are read into ``S`` by this module's own
    :func:`constant_value`. NumPy inputs stay NumPy where ``S``'s operations
    allow (Real, Z/n, dual numbers over them), so that laws run thousands of
    small circuits without dispatching JAX ops; JAX inputs give a
    differentiable result.
    """
    sources, targets, gates = _read(diagram)
    leaves = jax.tree.leaves(x)
    xp = np if all(isinstance(v, np.ndarray) for v in leaves) else jnp
    rows = np.shape(leaves[0])[0]
    wire = {w: jax.tree.map(lambda v, i=i: v[:, i], x) for i, w in enumerate(sources)}

    def const(value: Any) -> Any:
        c = constant_value(S, value)
        return jax.tree.map(lambda v: xp.broadcast_to(xp.asarray(v), (rows,)), c)

    pending = gates
    while pending:  # gates in any order: each runs once its inputs are known
        waiting = []
        for kind, value, xs, y in pending:
            if not all(w in wire for w in xs):
                waiting.append((kind, value, xs, y))
            elif y in wire:
                raise ArgumentTypeError(f"evaluate: wire {y} is written twice")
            elif kind == "add":
                wire[y] = S.add(wire[xs[0]], wire[xs[1]])
            elif kind == "mul":
                wire[y] = S.mul(wire[xs[0]], wire[xs[1]])
            elif kind == "neg":
                wire[y] = S.neg(wire[xs[0]])
            elif kind in ("zero", "const"):
                wire[y] = const(0 if kind == "zero" else value)
            else:
                raise ArgumentTypeError(f"evaluate: {kind!r} is not a polynomial-circuit gate")
        if len(waiting) == len(pending):
            raise ArgumentTypeError("evaluate: the circuit has a loop or an unwritten wire")
        pending = waiting
    columns = [wire[t] for t in targets]
    if not columns:
        return jax.tree.map(lambda v: xp.zeros((rows, 0), v.dtype), leaves[0])
    return jax.tree.map(lambda *cs: xp.stack(cs, axis=1), *columns)


def _read(diagram: Any) -> tuple[list[int], list[int], list[tuple]]:
    """(sources, targets, [(kind, value, input wires, output wire)]) of a circuit."""
    if isinstance(diagram, Netlist):  # already read: its gates, in its order
        gates = [(g.kind, g.value, tuple(xs), y)
                 for g, xs, y in zip(diagram.gates, diagram.ins, diagram.outs)]  # fmt: skip
        return list(diagram.sources), list(diagram.targets), gates
    if not isinstance(diagram, Hypergraph):
        from catlearn.diagrams.interop import from_discopy

        diagram = from_discopy(diagram, cartesian=True)
    ins, outs = diagram.inputs.tolist(), diagram.outputs.tolist()
    io, oo = diagram.in_offsets.tolist(), diagram.out_offsets.tolist()
    gates = []
    for i, box in enumerate(diagram.boxes):
        kind = getattr(box, "kind", None)
        (y,) = outs[oo[i] : oo[i + 1]]  # one output per gate
        gates.append((kind, getattr(box, "value", None), tuple(ins[io[i] : io[i + 1]]), y))
    return diagram.sources.tolist(), diagram.targets.tolist(), gates


def constant_value(S: Semiring, value: Any) -> Any:
    """The constant ``value`` (an int or a fraction) in ``S``: a/b is a·b⁻¹ mod n in Z/n,
    a float in a float ring, (c, 0) in dual numbers, a whole number elsewhere."""
    value = Fraction(value)
    if isinstance(S, Dual):
        return (constant_value(S.base, value), S.base.asarray(S.base.zero))
    if isinstance(S, Zn):
        if np.gcd(value.denominator, S.n) != 1:
            raise ArgumentTypeError(f"constant {value} does not exist in {S!r}")
        return S.asarray(value.numerator * pow(value.denominator, -1, S.n) % S.n)
    if jnp.issubdtype(S.dtype, jnp.inexact):
        return S.asarray(value.numerator / value.denominator)
    if value.denominator != 1:
        raise ArgumentTypeError(f"{S!r} has no fractions, so no constant {value}")
    return S.asarray(value.numerator)


STATEMENTS = {
    "soundness": "⟨R[f](a, w), v⟩ = ⟨w, J_f(a)v⟩ (J by dual numbers)",
    "agrees_with_vjp": "R[f](a, b) = jax.vjp(f, a)(b)",
    "rd1_sum": "R[f + g] = R[f] + R[g]",
    "rd1_zero": "R[0] = 0",
    "rd2_additive": "R[f](a, b + c) = R[f](a, b) + R[f](a, c)",
    "rd2_zero": "R[f](a, 0) = 0",
    "rd3_identity": "R[id](a, b) = b",
    "rd3_projections": "R[π₀]((a, b), a′) = (a′, 0), R[π₁]((a, b), b′) = (0, b′)",
    "rd4_pairing": "R[⟨f, g⟩](a, (b, c)) = R[f](a, b) + R[g](a, c)",
    "rd4_discard": "R[!](a, ()) = 0",
    "chain_rule": "RD5: R[f ; g](a, c) = R[f](a, R[g](f(a), c))",
    "rd6_linear_in_last": "π_A R³[f](((a, b), 0), (0, c)) = R[f](a, c)",
    "rd7_symmetry": "D²[f]((a, b), (c, d)) = D²[f]((a, c), (b, d))",
    "forward_is_derived": "forward_derivative(f) = π_B R[R[f]]((a, 0), v)",
    "compiled_matches_reference": "RingFunctor(S)(R[f]) = reference(R[f])",
}
"""The equation each reverse-derivative law checks (this suite and the array circuits')."""


def reverse_derivative(
    ring: Semiring,
    R: Callable[[Circuit], Circuit] = _catlearn_R,
    *,
    max_gates: int = 6,
    rtol: float = 1e-4,
    atol: float = 1e-4,
) -> LawSuite:
    """The laws a reverse derivative ``R`` of polynomial circuits over ``ring`` must satisfy."""
    S = require_semiring(ring, "laws.reverse_derivative(ring)")
    if not S.ring:
        raise ArgumentTypeError(
            f"laws.reverse_derivative(ring): reverse derivatives need a ring (with −x), "
            f"and {S!r} is not one; try Real() or GF2"
        )
    arguments.function(R, "laws.reverse_derivative(R)", "a function from circuits to circuits")
    max_gates = arguments.count(max_gates, "laws.reverse_derivative(max_gates)", low=0)
    rtol = arguments.tolerance(rtol, "laws.reverse_derivative(rtol)")
    atol = arguments.tolerance(atol, "laws.reverse_derivative(atol)")
    name = f"reverse_derivative[{S!r}]"
    equal = equality(rtol, atol)
    floating = jnp.issubdtype(S.dtype, jnp.inexact)

    def points(rng: np.random.Generator, n: int) -> Any:
        """ROWS points of n coordinates: dyadic rationals in [−2, 2] (exact in float32), or
        residues mod n, or small integers."""
        if floating:
            raw = rng.integers(-32, 33, size=(ROWS, n)) / 16
        elif isinstance(S, Zn):
            raw = rng.integers(0, S.n, size=(ROWS, n))
        else:
            raw = rng.integers(-2, 3, size=(ROWS, n))
        return np.asarray(S.asarray(raw))

    @st.composite
    def case(draw, extra: int = 0):
        """f : A → B, a point a, cotangents b, c and tangents; ``extra`` more circuits."""
        f = draw(polycircs(max_gates=max_gates, ring=True))
        n_a, n_b = len(f.dom), len(f.cod)
        more = [
            draw(polycircs(n_inputs=(n_a, n_a), n_outputs=(n_b, n_b), max_gates=max_gates))
            for _ in range(extra)
        ]
        # Points come from a drawn seed: drawing each coordinate through hypothesis
        # made the suite ten times slower; circuits still shrink, seeds reproduce.
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        sizes = (("a", n_a), ("v", n_a), ("u", n_a), ("b", n_b), ("c", n_b), ("d", n_b))
        arrays = {k: points(rng, n) for k, n in sizes}
        return f, more, arrays

    def run(d: Circuit, *parts: Any) -> Any:
        return evaluate(d, S, np.concatenate(parts, axis=1))

    def rev(f: Circuit, a: Any, b: Any) -> Any:
        return run(R(f), a, b)

    def dot(x: Any, y: Any) -> Any:
        """Σᵢ xᵢyᵢ per row, in the ring."""
        products = S.mul(x, y)
        total = products[:, 0] if products.shape[1] else zero_rows
        for i in range(1, products.shape[1]):
            total = S.add(total, products[:, i])
        return total

    zero_value = np.asarray(S.asarray(S.zero))
    zero_rows = np.broadcast_to(zero_value, (ROWS,))

    def zeros(shape: tuple[int, ...]) -> Any:
        return np.broadcast_to(zero_value, shape)

    # -- soundness ----------------------------------------------------------
    def soundness(args):
        f, _, p = args
        jv = evaluate(f, Dual(S), (p["a"], p["v"]))[1]  # J_f(a) v by dual numbers: independent of R
        return dot(rev(f, p["a"], p["b"]), p["v"]), dot(p["b"], jv)

    def generators_sound(seed):
        rng = np.random.default_rng(seed)
        p = {k: points(rng, n) for k, n in (("a3", 2), ("v3", 2), ("b", 1))}
        lhs, rhs = [], []
        for gate in (add, mul, negate, zero, constant(3)):  # each rule on its own
            f = Hypergraph.from_box(gate)
            n = len(f.dom)
            a, v, w = p["a3"][:, :n], p["v3"][:, :n], p["b"][:, :1]
            jv = evaluate(f, Dual(S), (a, v))[1]
            lhs.append(dot(rev(f, a, w), v))
            rhs.append(dot(w, jv))
        return np.stack(lhs), np.stack(rhs)

    def vjp(args):
        f, _, p = args
        _, pull = jax.vjp(lambda a: evaluate(f, S, a), jnp.asarray(p["a"]))
        return rev(f, p["a"], p["b"]), pull(jnp.asarray(p["b"]))[0]

    # -- RD1–RD7 ------------------------------------------------------------
    def rd1_sum(args):
        (f, (g,), p) = args
        fg = _plus(f, g)
        return rev(fg, p["a"], p["b"]), S.add(rev(f, p["a"], p["b"]), rev(g, p["a"], p["b"]))

    def rd1_zero(args):
        f, _, p = args
        n_a, n_b = p["a"].shape[1], p["b"].shape[1]
        return rev(_zero_map(n_a, n_b), p["a"], p["b"]), zeros((ROWS, n_a))

    def rd2_additive(args):
        f, _, p = args
        a, b, c = p["a"], p["b"], p["c"]
        return rev(f, a, S.add(b, c)), S.add(rev(f, a, b), rev(f, a, c))

    def rd2_zero(args):
        f, _, p = args
        return rev(f, p["a"], zeros(p["b"].shape)), zeros(p["a"].shape)

    def rd3_identity(args):
        _, _, p = args
        n = p["a"].shape[1]
        return rev(_projection(n, range(n)), p["a"], p["u"]), p["u"]

    def rd3_projections(args):
        _, _, p = args
        a, b, u, c = p["a"], p["b"], p["u"], p["c"]
        n_a, n_b = a.shape[1], b.shape[1]
        pair = np.concatenate([a, b], axis=1)  # a point of A ⊗ B
        first = rev(_projection(n_a + n_b, range(n_a)), pair, u)
        second = rev(_projection(n_a + n_b, range(n_a, n_a + n_b)), pair, c)
        got = np.concatenate([first, second], axis=1)
        want = np.concatenate([u, zeros(b.shape), zeros(a.shape), c], axis=1)
        return got, want

    def rd4_pairing(args):
        f, (g,), p = args
        a, b, c = p["a"], p["b"], p["c"]
        return rev(_pairing(f, g), a, np.concatenate([b, c], axis=1)), S.add(
            rev(f, a, b), rev(g, a, c)
        )

    def rd4_discard(args):
        _, _, p = args
        n = p["a"].shape[1]
        return rev(_projection(n, ()), p["a"], p["a"][:, :0]), zeros((ROWS, n))

    def rd5_chain_rule(args):
        f, _, p = args
        g = _square_all(len(f.cod))  # B → B, nonlinear, so f(a) matters
        a, c = p["a"], p["c"]
        return rev(_then(f, g), a, c), rev(f, a, rev(g, run(f, a), c))

    def rd6_linear_in_last(args):
        f, _, p = args
        a, b, c = p["a"], p["b"], p["c"]
        r3 = R(R(R(f)))  # ((A ⊗ B) ⊗ A) ⊗ (A ⊗ B) → (A ⊗ B) ⊗ A
        n_a, n_b = a.shape[1], b.shape[1]
        za = zeros(a.shape)
        out = run(r3, a, b, za, za, c)
        return out[:, n_a + n_b :], rev(f, a, c)

    def rd7_symmetry(args):
        f, _, p = args
        dd = _derived_forward(_derived_forward(f, R), R)  # (A ⊗ A) ⊗ (A ⊗ A) → B
        a, b, c, d = p["a"], p["v"], p["u"], _shift(S, p["a"])
        return run(dd, a, b, c, d), run(dd, a, c, b, d)

    def forward_is_derived(args):
        f, _, p = args
        return run(forward_derivative(f), p["a"], p["v"]), run(
            _derived_forward(f, R), p["a"], p["v"]
        )

    def compiled_matches_reference(args):
        f, _, p = args
        r = R(f)
        x = np.concatenate([p["a"], p["b"]], axis=1)
        return np.asarray(RingFunctor(S).compile(r)(x)), evaluate(r, S, x)

    def law(key, sides, extra=0):
        return Law(name, key, STATEMENTS[key], (case(extra),), sides, equal)

    laws = [
        Law(name, "generators_sound", "soundness (below) of each generator alone",
            (st.integers(0, 2**32 - 1),), generators_sound, equal),
        law("soundness", soundness),
        law("rd1_sum", rd1_sum, extra=1),
        law("rd1_zero", rd1_zero),
        law("rd2_additive", rd2_additive),
        law("rd2_zero", rd2_zero),
        law("rd3_identity", rd3_identity),
        law("rd3_projections", rd3_projections),
        law("rd4_pairing", rd4_pairing, extra=1),
        law("rd4_discard", rd4_discard),
        law("chain_rule", rd5_chain_rule),
        law("rd6_linear_in_last", rd6_linear_in_last),
        law("rd7_symmetry", rd7_symmetry),
        law("forward_is_derived", forward_is_derived),
        law("compiled_matches_reference", compiled_matches_reference),
    ]  # fmt: skip
    if floating:
        laws.insert(1, law("agrees_with_vjp", vjp))
    return LawSuite(name, tuple(laws))


def _shift(S: Semiring, x: Any) -> Any:
    """x + 1, a fourth point different from the others."""
    return S.add(x, np.ones_like(x))


# -- circuit constructions the axioms speak of ------------------------------
def _plus(f: Circuit, g: Circuit) -> Circuit:
    """f + g := Δ ; (f ⊗ g) ; +."""
    n = len(f.dom)
    b = Builder(n)
    ys, zs = b.apply(f, b.inputs), b.apply(g, b.inputs)
    return b.build([b.add(y, z) for y, z in zip(ys, zs)])


def _pairing(f: Circuit, g: Circuit) -> Circuit:
    """⟨f, g⟩ := Δ ; (f ⊗ g)."""
    b = Builder(len(f.dom))
    return b.build(b.apply(f, b.inputs) + b.apply(g, b.inputs))


def _then(f: Circuit, g: Circuit) -> Circuit:
    b = Builder(len(f.dom))
    return b.build(b.apply(g, b.apply(f, b.inputs)))


def _zero_map(n_a: int, n_b: int) -> Circuit:
    """0_{A,B} := ! ; 0."""
    b = Builder(n_a)
    return b.build([b.zero() for _ in range(n_b)])


def _projection(n: int, keep: Any) -> Circuit:
    b = Builder(n)
    return b.build(list(keep))


def _square_all(n: int) -> Circuit:
    b = Builder(n)
    return b.build([b.mul(x, x) for x in b.inputs])


def _derived_forward(f: Circuit, R: Callable[[Circuit], Circuit]) -> Circuit:
    """D[f] := (ι₀ × 1) ; R[R[f]] ; π₁ : A ⊗ A → B."""
    n_a, n_b = len(f.dom), len(f.cod)
    b = Builder(2 * n_a)
    a, v = b.inputs[:n_a], b.inputs[n_a:]
    zeros = [b.zero() for _ in range(n_b)]
    out = b.apply(R(R(f)), a + zeros + v)  # R[R[f]] : (A ⊗ B) ⊗ A → A ⊗ B
    return b.build(out[n_a:])
