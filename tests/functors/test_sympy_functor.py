"""SympyFunctor: exact tensors agree with TensorFunctor; network polynomials; errors."""

import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from discopy import tensor as dtensor

from catlearn.circuits import CircuitBuilder, lift_weights
from catlearn.diagrams import (
    Box,
    Cap,
    Copy,
    Cup,
    Hypergraph,
    Id,
    Spider,
    Swap,
    Ty,
    UnsupportedDiagramError,
    from_discopy,
)
from catlearn.errors import CatlearnError
from catlearn.functors import Param, ShapeError, TensorFunctor
from catlearn.functors.exact import (
    MissingImageError,
    NotExactError,
    SizeLimitError,
    SympyFunctor,
    exact_scalar,
)
from catlearn.functors.polynomials import indicator, network_polynomial
from catlearn.semirings import Polynomial, Real

x, y = Ty("x"), Ty("y")
f, g, h = Box("f", x, y), Box("g", y, x), Box("h", x, x)
t, s = sympy.symbols("t s")
ARRAYS = {
    f: [[1, sympy.Rational(1, 3), -2], [0.5, 4, 0]],
    g: [[2, 0], [1, -1], [sympy.Rational(3, 7), 5]],
    h: [[t, 1], [s, t * s]],
}
OB = {x: 2, y: 3}
S = SympyFunctor(OB, ARRAYS)
VALUES = {t: sympy.Rational(1, 4), s: -2}
NUMERIC = {k: np.asarray(sympy.Array(v).subs(VALUES), dtype=float) for k, v in ARRAYS.items()}
T = TensorFunctor(OB, NUMERIC, Real())

DIAGRAMS = {
    "composition": f >> g >> h,
    "tensor": f @ h,
    "swap": Swap(x, y) >> (g @ f),
    "spiders": Copy(x, 2) >> (h @ f) >> (Id(x) @ Spider(1, 0, y)),
    "snake": (Cap(x, x.r) @ x) >> (h @ Cup(x.r, x)),
    "trace": Cap(x, x.r) >> ((f >> g >> h) @ x.r) >> Cup(x, x.r),
    "dagger": f >> f.dagger(),
}


def numeric(value):
    if isinstance(value, sympy.Basic) and not isinstance(value, sympy.NDimArray):
        return float(value.subs(VALUES))
    return np.asarray(value.subs(VALUES).tolist(), dtype=float)


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_agrees_with_tensor_functor(name):
    d = DIAGRAMS[name]
    np.testing.assert_allclose(numeric(S(d)), T(d), rtol=1e-5, atol=1e-6)


def test_results_are_exact_and_axes_follow_discopy():
    got = S(f >> g)
    assert isinstance(got, sympy.ImmutableDenseNDimArray) and got.shape == (2, 2)
    half, third = sympy.Rational(1, 2), sympy.Rational(1, 3)
    A, B = sympy.Matrix([[1, third, -2], [half, 4, 0]]), sympy.Matrix(ARRAYS[g])
    assert got.tolist() == (A * B).tolist()
    assert exact_scalar(0.5) == sympy.Rational(1, 2)  # floats by their printed decimal
    assert S(f @ h).shape == (2, 2, 3, 2)  # (dom: x x, cod: y x)
    trace = S(DIAGRAMS["trace"])
    assert isinstance(trace, sympy.Expr)
    assert sympy.expand(trace - sympy.trace(A * B * sympy.Matrix(ARRAYS[h]))) == 0


def test_wiring_alone_copy_identity_and_empty_diagram():
    W = SympyFunctor({x: 2})
    copy = W(Copy(x, 2))
    assert copy[0, 0, 0] == copy[1, 1, 1] == 1 and copy[0, 0, 1] == 0
    assert W(Id(x)).tolist() == [[1, 0], [0, 1]]
    assert W(Spider(0, 0, x)) == 2  # a closed loop: the dimension
    assert W(Id(Ty())) == 1


def test_hypergraphs_and_discopy_tensor_boxes_with_their_own_data():
    assert S(from_discopy(f >> g)) == S(f >> g)
    assert S(Hypergraph.from_box(h)) == sympy.Array(ARRAYS[h])
    d2 = dtensor.Dim(2)
    box = dtensor.Box("m", d2, d2, data=[[t, 1], [0, 2]])
    d = box >> box.dagger()
    assert SympyFunctor(None)(d) == sympy.Array([[t**2 + 1, 2], [2, 4]])  # t is real


def test_flat_data_jax_arrays_and_functions_as_ar():
    flat = Box("flat", x, y, data=list(range(6)))
    assert SympyFunctor(OB)(flat).tolist() == [[0, 1, 2], [3, 4, 5]]
    J = SympyFunctor(OB, {h: jnp.array([[0.1, 0.0], [0.0, 1.0]])})
    assert J(h)[0, 0] == sympy.Rational(1, 10)  # float32 0.1 read as the decimal it prints
    assert SympyFunctor(OB, lambda box: [[box.name == "h", 0], [0, 1]])(h >> h)[0, 0] == 1


def test_errors():
    with pytest.raises(MissingImageError, match="no array for box k") as e:
        S(Box("k", x, x))
    assert isinstance(e.value, KeyError) and isinstance(e.value, CatlearnError)
    with pytest.raises(MissingImageError, match="no dimension to object"):
        S(Box("z", Ty("z"), x))
    with pytest.raises(ShapeError, match=r"box f : x → y needs an array of shape \(2, 3\)"):
        SympyFunctor(OB, {f: [[1, 2], [3, 4], [5, 6]]})
    with pytest.raises(NotExactError, match="box w"):
        SympyFunctor(OB, {"w": Param()})(Box("w", x, x))
    with pytest.raises(NotExactError, match="nan"):
        SympyFunctor(OB, {h: [[float("nan"), 0], [0, 0]]})
    with pytest.raises(UnsupportedDiagramError):
        S(f + f)
    with pytest.raises(UnsupportedDiagramError):
        S(3)
    big = Box("big", x, x)
    B = SympyFunctor({x: 30}, {big: np.ones((30, 30))}, max_cost=1000)
    assert B(big).shape == (30, 30)
    with pytest.raises(SizeLimitError, match="max_cost=1000") as e:
        B(big >> big)
    assert isinstance(e.value, ValueError)


# -- circuits ----------------------------------------------------------------


def small_circuit():
    """A smooth d-DNNF over x1, x2, x3 (a 3-state variable) with fractional weights."""
    b = CircuitBuilder()
    x1, nx1, x2, nx2 = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    z = [b.indicator(3, k, 3) for k in range(3)]
    left = b.product([x1, b.sum([x2, nx2], weights=[0.25, 0.75])])
    right = b.product([nx1, nx2])
    top = b.sum([left, right], weights=[0.4, 0.6], decision=1)
    return b.build([b.product([top, b.sum(z, weights=[0.5, 0.3, 0.2])])])


def test_network_polynomial_names_and_exact_weights():
    (p,) = network_polynomial(small_circuit())
    x1, nx1, x2, nx2 = sympy.symbols("x1 nx1 x2 nx2")
    z = [indicator(3, k, 3) for k in range(3)]
    assert [str(v) for v in z] == ["x3_0", "x3_1", "x3_2"]
    top = sympy.Rational(2, 5) * x1 * (x2 / 4 + 3 * nx2 / 4) + sympy.Rational(3, 5) * nx1 * nx2
    want = top * (z[0] / 2 + 3 * z[1] / 10 + z[2] / 5)
    assert sympy.expand(p - want) == 0
    assert SympyFunctor.circuit(small_circuit(), expand=True)[0] == sympy.expand(want)


def test_network_polynomial_equals_the_polynomial_semiring_evaluation():
    b = CircuitBuilder()
    x1, nx1, x2, nx2 = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    either = b.sum([b.product([x1, x2]), b.product([nx1, x2]), nx2], weights=[2, 3, 1])
    c = b.build([either, b.product([x1, b.constant(True)])])
    P = Polynomial()
    compiled = c.compile(P)
    table = np.array([[1, 1]] + [[indicator(v, 0), indicator(v, 1)] for v in (1, 2)], dtype=object)
    weights = lift_weights(P, np.append(c.edge_weights(), 1.0))
    got = compiled.apply({"weights": weights, "literals": P.asarray(table)})[0]
    assert [sympy.expand(p) for p in network_polynomial(c)] == list(got)


def test_substituted_indicators_give_wmc_and_the_compiled_real_value():
    c = small_circuit()
    (p,) = network_polynomial(c)
    weights = {1: 0.9, -1: 0.1, 2: 0.3, -2: 0.7}
    values = {indicator(abs(k), int(k > 0)): w for k, w in weights.items()}
    values.update({indicator(3, k, 3): 1.0 for k in range(3)})
    np.testing.assert_allclose(float(p.subs(values)), float(c.wmc(weights)), rtol=1e-6)
    compiled = c.compile(Real())
    table = np.ones((4, 3), dtype=np.float32)
    table[1:3, :2] = [[0.1, 0.9], [0.7, 0.3]]
    table[3] = [0.2, 0.5, 0.3]
    values.update({indicator(3, k, 3): w for k, w in enumerate(table[3])})
    got = compiled.apply(compiled.params(jnp.asarray(table)))[0, 0]
    np.testing.assert_allclose(float(p.subs(values)), float(got), rtol=1e-5)
