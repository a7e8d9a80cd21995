"""grad: Leibniz-rule derivatives of diagrams, checked against sympy.diff and jax.grad."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from discopy import tensor as dtensor

from catlearn.diagrams import Box, Cap, CompositionError, Copy, Cup, Id, Spider, Ty, from_discopy
from catlearn.errors import CatlearnError
from catlearn.functors import TensorFunctor
from catlearn.functors.differentiate import DerivedBox, FormalSum, SymbolError, grad, lambdify
from catlearn.functors.exact import ExactArray, MissingImageError, SympyFunctor

x = Ty("x")
t, s = sympy.symbols("t s")
h, k = Box("h", x, x), Box("k", x, x)  # h depends on t and s, k on nothing
AR = {h: [[sympy.cos(t), t * s], [1, t**2 + s]], k: [[1, 2], [0.25, -1]]}
OB = {x: 2}
EXACT = SympyFunctor(OB, AR)
POINT = {"t": 0.7, "s": -1.5}

DIAGRAMS = {
    "chain": h >> k >> h,
    "spiders": Copy(x, 2) >> (h @ k) >> Spider(2, 1, x),
    "snake": (Cap(x, x.r) @ x) >> (h @ Cup(x.r, x)) >> h,
    "trace": Cap(x, x.r) >> ((h >> h.dagger()) @ x.r) >> Cup(x, x.r),
}


def assert_equal(a, b):
    """Equal as sympy expressions, entry by entry (arrays) or as scalars."""
    diff = sympy.Array(a) - sympy.Array(b) if getattr(b, "shape", ()) else a - b
    entries = diff.tolist() if getattr(diff, "shape", ()) else [diff]
    assert all(sympy.simplify(e) == 0 for e in np.ravel(np.asarray(entries, dtype=object))), diff


def to_float(value):
    return np.asarray(value.tolist() if hasattr(value, "tolist") else value, dtype=float)


@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_exact_derivative_is_sympy_diff_of_the_exact_tensor(name):
    d = DIAGRAMS[name]
    dd = grad(d, t, AR)
    assert len(dd) == sum(isinstance(b, Box) and b.name == "h" for b in from_discopy(d).boxes)
    want = sympy.diff(EXACT(d), t)
    assert_equal(dd.evaluate(SympyFunctor(OB, dd.ar)), want)


@pytest.mark.parametrize("name", ["chain", "trace"])
def test_numeric_derivative_is_jax_grad_of_the_compiled_diagram(name):
    d = DIAGRAMS[name]
    F = TensorFunctor(OB, AR)
    jac = jax.jacfwd(lambda v: F.compile(d).tensor({"t": v, "s": POINT["s"]}))(POINT["t"])
    dd = grad(d, t, AR)
    got = dd.evaluate(TensorFunctor(OB, dd.ar), POINT)
    np.testing.assert_allclose(got, jac, rtol=1e-5, atol=1e-6)
    exact = dd.evaluate(SympyFunctor(OB, dd.ar), POINT)  # substituted exact result
    np.testing.assert_allclose(to_float(exact), jac, rtol=1e-5)


def test_independent_boxes_give_no_terms_and_the_empty_sum_is_zero():
    u = sympy.Symbol("u")
    dd = grad(k >> h >> k, u, AR)
    assert len(dd) == 0 and list(dd) == [] and repr(dd) == "FormalSum(0 terms: 0)"
    assert dd.evaluate(EXACT) == sympy.ImmutableDenseNDimArray.zeros(2, 2)
    assert dd.evaluate(TensorFunctor(OB, dd.ar)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    scalar = grad(Cap(x, x.r) >> Cup(x, x.r), t, AR)
    assert scalar.evaluate(EXACT) == 0


def test_second_derivative_and_sums():
    d = h >> h
    dd = grad(d, t, AR)
    d2 = dd.grad(t)
    assert len(d2) == 4  # ∂∂h·h, ∂h·∂h twice, h·∂∂h
    assert any(
        isinstance(b.original, DerivedBox) for g in d2 for b in g.boxes if isinstance(b, DerivedBox)
    )
    want = sympy.diff(EXACT(d), t, 2)
    assert_equal(d2.evaluate(SympyFunctor(OB, d2.ar)), want)
    both = dd + grad(d, s, AR)
    assert isinstance(both, FormalSum) and len(both) == 4
    assert "∂h/∂s" in repr(both)
    with pytest.raises(CompositionError):
        dd + grad(h @ h, t, AR)
    from_graph = grad(from_discopy(d), t, AR)  # the IR itself is accepted
    assert_equal(from_graph.evaluate(SympyFunctor(OB, from_graph.ar)), sympy.diff(EXACT(d), t))


def test_boxes_carrying_their_own_data_discopy_tensor_and_frobenius():
    d2, r = dtensor.Dim(2), sympy.Symbol("r", real=True)  # DisCoPy conjugates complex ones
    m = dtensor.Box("m", d2, d2, data=[[r, 1], [0, r**3]])
    d = m >> m.dagger() >> m
    dd = grad(d, r)
    assert len(dd) == 3
    want = sympy.diff(SympyFunctor(None)(d), r)
    assert_equal(dd.evaluate(SympyFunctor(None)), want)
    discopy_says = d.grad(r).eval(dtype=sympy.Expr).array  # DisCoPy's own Leibniz rule
    assert_equal(sympy.Array(discopy_says.tolist()), want)
    frob = Box("p", x, x, data=[[t, 2 * t], [0, 1]])
    dp = grad(frob >> frob, t)
    np.testing.assert_allclose(
        dp.evaluate(TensorFunctor(OB, dp.ar), {"t": 2.0}),
        np.asarray(sympy.diff(SympyFunctor(OB)(frob >> frob), t).subs(t, 2).tolist(), float),
    )


def test_constant_derivatives_are_exact_and_readable_by_tensor_functor():
    lin = Box("lin", x, x)
    ar = {lin: [[t, t / 3], [0, 1]], k: AR[k]}
    dd = grad(lin >> k >> lin, t, ar)
    exact = dd.evaluate(SympyFunctor(OB, dd.ar))
    assert_equal(exact, sympy.diff(SympyFunctor(OB, ar)(lin >> k >> lin), t))
    assert isinstance(dd.ar[dd.terms[0].boxes[0]], ExactArray)  # d/dt is constant: 1/3 stays 1/3
    F = TensorFunctor(OB, ar)
    jac = jax.jacfwd(lambda v: F.compile(lin >> k >> lin).tensor({"t": v}))(2.0)
    np.testing.assert_allclose(dd.evaluate(TensorFunctor(OB, dd.ar), {"t": 2.0}), jac, rtol=1e-6)


def test_lambdify_is_jit_and_grad_able():
    fn = lambdify(sympy.sin(t) * s)
    assert fn.symbols == (s, t)
    assert float(jax.jit(fn)(2.0, 0.5)) == pytest.approx(2 * np.sin(0.5), rel=1e-6)
    dfn = lambdify(sympy.diff(sympy.sin(t) * s, t), [t, s])  # symbolic derivative ...
    np.testing.assert_allclose(jax.grad(fn, argnums=1)(2.0, 0.5), dfn(0.5, 2.0), rtol=1e-6)
    arr = lambdify(EXACT(h >> h), [t, s])
    assert arr(0.7, -1.5).shape == (2, 2)
    np.testing.assert_allclose(
        arr(0.7, -1.5), TensorFunctor(OB, AR).compile(h >> h).tensor(POINT), rtol=1e-5
    )
    assert float(lambdify(sympy.Integer(3))()) == 3.0
    with pytest.raises(SymbolError, match=r"\[s\] are not among"):
        lambdify(t * s, [t])


def test_errors():
    with pytest.raises(SymbolError, match="sympy.Symbol") as e:
        grad(h, "t", AR)
    assert isinstance(e.value, TypeError) and isinstance(e.value, CatlearnError)
    with pytest.raises(SymbolError):
        grad(h, 3, AR)
    real_t = sympy.Symbol("t", real=True)
    with pytest.raises(SymbolError, match="other assumptions"):
        grad(h, real_t, AR)
    with pytest.raises(MissingImageError, match="box g"):
        grad(h >> Box("g", x, x), t, AR)
    with pytest.raises(MissingImageError, match="box h"):
        grad(h, t)  # a frobenius box with no data and no ar
    dd = grad(h, t, AR)
    with pytest.raises(MissingImageError, match="ar=sum.ar"):
        dd.evaluate(EXACT)
    with pytest.raises(MissingImageError, match="ar=sum.ar"):
        dd.evaluate(TensorFunctor(OB, AR), POINT)
    assert jnp.shape(dd.evaluate(TensorFunctor(OB, dd.ar), POINT)) == (2, 2)
    assert grad(Id(x), t, AR).terms == ()
