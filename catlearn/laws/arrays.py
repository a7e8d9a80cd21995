"""Law suites for array circuits: their reverse derivatives (RD1–RD7) and their simplifier.

``array_reverse_derivative(ring, R)`` checks a reverse-derivative
construction for ``ArrayCircuit`` s (catlearn's by default) on random
array circuits of random shapes, ``scan`` s of random bodies among them,
over ``Real()`` or ``Zn(n)`` (GF2 included): soundness of every generator's rule, then the axioms of
reverse derivative categories as equations between evaluated circuits,
like ``catlearn.laws.reverse_derivative`` for scalar circuits, plus
``RingFunctor``'s compiled program against the reference evaluation, and
the array form of a circuit against its scalar form (``to_scalar``, R[d]
of each). ``array_simplifier(ring, simplify)`` checks a simplifier: the
function is unchanged at random points and the circuit never grows.
``array_forms(ring, lift, to_scalar)`` checks the two translations between
scalar and array circuits: ``lift`` (blocking) and ``to_scalar`` keep the
function, on random circuits and on dense layers of random sizes.

Oracle: ``evaluate`` (``catlearn.laws.random_arrays``), a NumPy evaluation (float64, or
int64 residues mod n: exact), generator by generator; J_f(a)v by the same
evaluation on dual numbers (the product rule lives in the carrier, not in
any reverse rule); a ``scan`` is a Python loop over its steps. It shares with
the code under test only the ``ArrayCircuit`` data structure and the
generators' documented meaning.

    >>> from catlearn.semirings import Zn
    >>> array_reverse_derivative(Zn(7))["soundness"].check(max_examples=5)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

from catlearn.diagrams import polycirc
from catlearn.diagrams.arrays.blocking import lift as _catlearn_lift
from catlearn.diagrams.arrays.circuit import ArrayBuilder, ArrayCircuit
from catlearn.diagrams.arrays.scalar import to_scalar
from catlearn.diagrams.arrays.simplifier import simplify as _catlearn_simplify
from catlearn.errors import ArgumentTypeError
from catlearn.functors.array_derivatives import forward_derivative
from catlearn.functors.array_derivatives import reverse_derivative as _catlearn_R
from catlearn.functors.reverse import reverse_derivative as _scalar_R
from catlearn.functors.ring import RingFunctor
from catlearn.laws import arguments
from catlearn.laws.equality import equality
from catlearn.laws.law import Law, LawSuite
from catlearn.laws.random_arrays import _dtype, array_circuits, evaluate
from catlearn.laws.reverse import STATEMENTS
from catlearn.laws.reverse import evaluate as _scalar_evaluate
from catlearn.laws.strategies import polycircs
from catlearn.semirings import Real, Semiring, Zn, require_semiring

Circuit = ArrayCircuit


# -- combinators for the axioms -----------------------------------------------------
def _plus(f: Circuit, g: Circuit) -> Circuit:
    b = ArrayBuilder(f.input_shapes)
    ys, zs = b.apply(f, b.inputs), b.apply(g, b.inputs)
    return b.build([b.add(y, z) for y, z in zip(ys, zs)])


def _pairing(f: Circuit, g: Circuit) -> Circuit:
    b = ArrayBuilder(f.input_shapes)
    return b.build(b.apply(f, b.inputs) + b.apply(g, b.inputs))


def _then(f: Circuit, g: Circuit) -> Circuit:
    b = ArrayBuilder(f.input_shapes)
    return b.build(b.apply(g, b.apply(f, b.inputs)))


def _projection(shapes: tuple, keep: Any) -> Circuit:
    b = ArrayBuilder(shapes)
    return b.build([b.inputs[i] for i in keep])


def _zero_map(f: Circuit) -> Circuit:
    b = ArrayBuilder(f.input_shapes)
    return b.build([b.zeros(s) for s in f.output_shapes])


def _square_all(shapes: tuple) -> Circuit:
    b = ArrayBuilder(shapes)
    return b.build([b.mul(x, x) for x in b.inputs])


def _derived_forward(f: Circuit, R: Callable[[Circuit], Circuit]) -> Circuit:
    """D[f] := (ι₀ × 1) ; R[R[f]] ; π₁ : A ⊗ A → B."""
    n = f.n_inputs
    b = ArrayBuilder(f.input_shapes + f.input_shapes)
    a, v = b.inputs[:n], b.inputs[n:]
    zeros = [b.zeros(s) for s in f.output_shapes]
    return b.build(b.apply(R(R(f)), a + zeros + v)[n:])


# -- the suites ---------------------------------------------------------------------
def _ring(ring: Any, where: str) -> tuple[Semiring, int | None]:
    S = require_semiring(ring, where)
    if isinstance(S, Zn):
        return S, S.n
    if isinstance(S, Real):
        return S, None
    raise ArgumentTypeError(f"{where}: array circuit laws run over Real() or Zn(n), got {S!r}")


@st.composite
def _circuit_at_a_point(draw, max_ops: int, fractions: bool, modulus: int | None) -> tuple:
    """A random array circuit and a random point of its inputs (from a drawn seed)."""
    f = draw(array_circuits(max_ops, fractions=fractions))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return f, _points(rng, f.input_shapes, modulus)


def _points(rng: np.random.Generator, shapes: Any, modulus: int | None) -> list:
    if modulus is None:  # dyadic rationals in [−2, 2]: exact in float32 and float64
        return [rng.integers(-32, 33, size=s) / 16 for s in shapes]
    return [rng.integers(0, modulus, size=s).astype(np.int64) for s in shapes]


def array_reverse_derivative(
    ring: Any, R: Callable[[Circuit], Circuit] = _catlearn_R, *, max_ops: int = 6,
    rtol: float = 1e-4, atol: float = 1e-4, scans: str = "sometimes",
) -> LawSuite:
    """Soundness, RD1–RD7 and compilation of a reverse derivative of array circuits;
    ``scans`` ("sometimes", "never", "always") as in :func:`array_circuits`."""
    S, modulus = _ring(ring, "laws.array_reverse_derivative(ring)")
    arguments.function(R, "laws.array_reverse_derivative(R)", "a function of circuits")
    max_ops = arguments.count(max_ops, "laws.array_reverse_derivative(max_ops)", low=1)
    name = f"array_reverse_derivative[{S!r}]"
    equal = equality(arguments.tolerance(rtol, "rtol"), arguments.tolerance(atol, "atol"))
    fractions = modulus is None or modulus % 2 == 1

    def run(c, *parts):
        return evaluate(c, [np.asarray(p) for p in parts], modulus)

    def mod(x):
        return x if modulus is None else np.mod(x, modulus)

    def add(xs, ys):
        return [mod(x + y) for x, y in zip(xs, ys)]

    def dot(xs, ys):
        return mod(sum(np.sum(x * y) for x, y in zip(xs, ys)))

    def zeros(shapes):
        return [np.zeros(s, _dtype(modulus)) for s in shapes]

    @st.composite
    def case(draw, extra: int = 0):
        f = draw(array_circuits(max_ops, fractions=fractions, scans=scans))
        more = []
        for _ in range(extra):  # another circuit A → B: f's outputs, remixed
            b = ArrayBuilder(f.input_shapes)
            outs = b.apply(f, b.inputs)
            more.append(b.build([b.mul(y, y) if draw(st.booleans()) else b.neg(y)
                                 for y in outs]))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        p = {k: _points(rng, f.input_shapes, modulus) for k in ("a", "v", "u")}
        p.update({k: _points(rng, f.output_shapes, modulus) for k in ("b", "c")})
        return f, more, p

    def rev(f, a, b):
        return run(R(f), *a, *b)

    def soundness(args):
        f, _, p = args
        duals = evaluate(f, list(zip(p["a"], p["v"])), modulus, dual=True)
        jv = [t for _, t in duals]
        return dot(rev(f, p["a"], p["b"]), p["v"]), dot(p["b"], jv)

    def vjp(args):
        f, _, p = args
        forward = RingFunctor(S).compile(f)
        a = [jnp.asarray(x, jnp.float32) for x in p["a"]]
        outs, pull = jax.vjp(lambda *xs: _tuple(forward(*xs)), *a)
        want = pull(tuple(jnp.asarray(b, o.dtype) for b, o in zip(p["b"], outs)))
        return rev(f, p["a"], p["b"]), [np.asarray(w, np.float64) for w in want]

    def rd1_sum(args):
        f, (g,), p = args
        return rev(_plus(f, g), p["a"], p["b"]), add(rev(f, p["a"], p["b"]),
                                                     rev(g, p["a"], p["b"]))

    def rd1_zero(args):
        f, _, p = args
        return rev(_zero_map(f), p["a"], p["b"]), zeros(f.input_shapes)

    def rd2_additive(args):
        f, _, p = args
        return rev(f, p["a"], add(p["b"], p["c"])), add(rev(f, p["a"], p["b"]),
                                                        rev(f, p["a"], p["c"]))

    def rd2_zero(args):
        f, _, p = args
        return rev(f, p["a"], zeros(f.output_shapes)), zeros(f.input_shapes)

    def rd3_projections(args):
        f, _, p = args
        shapes = f.input_shapes + f.output_shapes
        n = f.n_inputs
        first = rev(_projection(shapes, range(n)), p["a"] + p["b"], p["u"])
        second = rev(_projection(shapes, range(n, len(shapes))), p["a"] + p["b"], p["c"])
        return first + second, p["u"] + zeros(f.output_shapes) + zeros(f.input_shapes) + p["c"]

    def rd4_pairing(args):
        f, (g,), p = args
        return rev(_pairing(f, g), p["a"], p["b"] + p["c"]), add(rev(f, p["a"], p["b"]),
                                                                 rev(g, p["a"], p["c"]))

    def rd5_chain_rule(args):
        f, _, p = args
        g = _square_all(f.output_shapes)
        return rev(_then(f, g), p["a"], p["c"]), rev(f, p["a"], rev(g, run(f, *p["a"]), p["c"]))

    def rd6_linear_in_last(args):
        f, _, p = args
        za = zeros(f.input_shapes)
        out = run(R(R(R(f))), *p["a"], *p["b"], *za, *za, *p["c"])
        return out[f.n_inputs + len(f.outputs):], rev(f, p["a"], p["c"])

    def rd7_symmetry(args):
        f, _, p = args
        dd = _derived_forward(_derived_forward(f, R), R)
        a, b, c = p["a"], p["v"], p["u"]
        d = [mod(x + 1) for x in a]
        return run(dd, *a, *b, *c, *d), run(dd, *a, *c, *b, *d)

    def forward_is_derived(args):
        f, _, p = args
        return (run(forward_derivative(f), *p["a"], *p["v"]),
                run(_derived_forward(f, R), *p["a"], *p["v"]))

    def compiled_matches_reference(args):
        f, _, p = args
        r = R(f)
        got = _tuple(RingFunctor(S).compile(r)(*p["a"], *p["b"]))
        return [np.asarray(x, _dtype(modulus)) for x in got], rev(f, p["a"], p["b"])

    def scalar_form_agrees(args):
        f, _, p = args
        flat = np.concatenate([np.ravel(x) for x in p["a"] + p["b"]])[None, :]
        scalar = np.asarray(RingFunctor(S).compile(_scalar_R(to_scalar(f)))(flat))[0]
        array = np.concatenate([np.ravel(x) for x in rev(f, p["a"], p["b"])])
        return np.asarray(scalar, _dtype(modulus)), array

    statements = {**STATEMENTS, "scalar_form_agrees": "R[f] = R[to_scalar(f)], flattened"}

    def law(key, sides, extra=0):
        return Law(name, key, statements[key], (case(extra),), sides, equal)

    laws = [
        law("soundness", soundness),
        law("rd1_sum", rd1_sum, extra=1),
        law("rd1_zero", rd1_zero),
        law("rd2_additive", rd2_additive),
        law("rd2_zero", rd2_zero),
        law("rd3_projections", rd3_projections),
        law("rd4_pairing", rd4_pairing, extra=1),
        law("chain_rule", rd5_chain_rule),
        law("rd6_linear_in_last", rd6_linear_in_last),
        law("rd7_symmetry", rd7_symmetry),
        law("forward_is_derived", forward_is_derived),
        law("compiled_matches_reference", compiled_matches_reference),
        law("scalar_form_agrees", scalar_form_agrees),
    ]  # fmt: skip
    if modulus is None:
        laws.insert(1, law("agrees_with_vjp", vjp))
    return LawSuite(name, tuple(laws))


def array_simplifier(
    ring: Any, simplify: Callable[[Circuit], Circuit] = _catlearn_simplify, *,
    max_ops: int = 8, rtol: float = 1e-6, atol: float = 1e-6,
) -> LawSuite:
    """A simplifier of array circuits keeps the function and never grows the circuit."""
    S, modulus = _ring(ring, "laws.array_simplifier(ring)")
    arguments.function(simplify, "laws.array_simplifier(simplify)", "a function of circuits")
    name = f"array_simplifier[{S!r}]"
    equal = equality(rtol, atol)
    fractions = modulus is None or modulus % 2 == 1

    case = partial(_circuit_at_a_point, max_ops, fractions, modulus)

    def same_function(args):
        f, a = args
        return evaluate(simplify(f), a, modulus), evaluate(f, a, modulus)

    def same_interface(args):
        f, _ = args
        g = simplify(f)
        return (g.input_shapes, g.output_shapes), (f.input_shapes, f.output_shapes)

    def never_grows(args):
        f, _ = args
        return min(len(simplify(f)), len(f)), len(simplify(f))

    def of_derivatives(args):
        f, a = args
        r = _catlearn_R(f)
        rng = np.random.default_rng(len(r))
        b = _points(rng, f.output_shapes, modulus)
        return evaluate(simplify(r), a + b, modulus), evaluate(r, a + b, modulus)

    laws = (
        Law(name, "same_function", "simplify(f)(a) = f(a)", (case(),), same_function, equal),
        Law(name, "same_interface", "simplify(f) : A → B", (case(),), same_interface),
        Law(name, "never_grows", "|simplify(f)| ≤ |f|", (case(),), never_grows),
        Law(name, "of_derivatives", "simplify(R[f]) = R[f]", (case(),), of_derivatives, equal),
    )
    return LawSuite(name, laws)


def array_forms(
    ring: Any, lift: Callable[[Any], Circuit] = _catlearn_lift,
    scalar: Callable[[Circuit], Any] = to_scalar, *, max_ops: int = 6,
) -> LawSuite:
    """Scalar and array forms of one circuit compute the same function."""
    S, modulus = _ring(ring, "laws.array_forms(ring)")
    arguments.function(lift, "laws.array_forms(lift)", "a function of circuits")
    arguments.function(scalar, "laws.array_forms(scalar)", "a function of circuits")
    name = f"array_forms[{S!r}]"
    equal = equality(1e-6, 1e-6)
    fractions = modulus is None or modulus % 2 == 1

    def rows(rng, n):
        return _points(rng, [(4, n)], modulus)[0]

    def scalar_run(h, x):
        out = np.asarray(_scalar_evaluate(h, S, np.asarray(S.asarray(x))))
        return out.astype(_dtype(modulus))

    def lifted_run(h, x):
        return np.stack([evaluate(lift(h), [row], modulus)[0] for row in x])

    @st.composite
    def scalar_case(draw):
        h = draw(polycircs(max_gates=max_ops, ring=True))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        return h, rows(rng, len(h.dom))

    @st.composite
    def layer_case(draw, least: int = 0):
        m, n = draw(st.integers(least, 4)), draw(st.integers(least, 4))
        kind = draw(st.sampled_from(["matvec", "linear", "dot"]))
        h = {"matvec": lambda: polycirc.matvec(m, n), "linear": lambda: polycirc.linear(n, m),
             "dot": lambda: polycirc.dot(n)}[kind]()
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        return h, rows(rng, len(h.dom))

    array_case = partial(_circuit_at_a_point, max_ops, fractions, modulus)

    def lifted(args):
        h, x = args
        return lifted_run(h, x), scalar_run(h, x)

    def to_scalar_agrees(args):
        f, a = args
        flat = np.concatenate([np.ravel(x) for x in a])[None, :]
        want = np.concatenate([np.ravel(y) for y in evaluate(f, a, modulus)])
        return scalar_run(scalar(f), flat)[0], want

    def blocks_found(args):
        h, _ = args
        return lift(h).count().get("matmul", 0), 1

    return LawSuite(name, (
        Law(name, "lift_keeps_the_function", "lift(h)(x) = h(x)", (scalar_case(),), lifted,
            equal),
        Law(name, "lift_keeps_dense_layers", "lift(layer)(x) = layer(x)", (layer_case(),),
            lifted, equal),
        Law(name, "lift_finds_dense_layers", "lift(layer) has one matmul", (layer_case(1),),
            blocks_found),
        Law(name, "to_scalar_keeps_the_function", "to_scalar(f)(a) = f(a)", (array_case(),),
            to_scalar_agrees, equal),
    ))


def _tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)
