"""TensorFunctor: evaluation, compiled functions, parameters, symbols, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from discopy import rigid
from discopy import tensor as dtensor

from catlearn.diagrams import (
    Box,
    Cap,
    CompositionError,
    Copy,
    Cup,
    Hypergraph,
    Id,
    Spider,
    Swap,
    Ty,
)
from catlearn.errors import CatlearnError, NonCommutativeError
from catlearn.functors import Param, ShapeError, TensorFunctor
from catlearn.semirings import Boolean, MinPlus, Real

x, y = Ty("x"), Ty("y")
f = Box("f", x, y)
g = Box("g", y, x)
A = jnp.arange(6.0).reshape(2, 3)
B = jnp.arange(6.0).reshape(3, 2) - 2.0
F = TensorFunctor({x: 2, y: 3}, {f: A, g: B})


def test_composition_and_tensor_axes_follow_discopy():
    np.testing.assert_allclose(F(f >> g), A @ B)
    np.testing.assert_allclose(F(f @ g), np.einsum("ab,cd->acbd", A, B))
    np.testing.assert_allclose(F(Swap(x, y)), np.einsum("ad,bc->abcd", np.eye(2), np.eye(3)))
    np.testing.assert_allclose(F(Id(x)), np.eye(2))


def test_matches_discopy_tensor_eval_on_a_rigid_sentence():
    # lambeq-style: "Alice loves Bob" with cups, as a rigid diagram.
    n, s = rigid.Ty("n"), rigid.Ty("s")
    alice, bob = rigid.Box("Alice", rigid.Ty(), n), rigid.Box("Bob", rigid.Ty(), n)
    loves = rigid.Box("loves", rigid.Ty(), n.r @ s @ n.l)
    sentence = (alice @ loves @ bob) >> (rigid.Cup(n, n.r) @ s @ rigid.Cup(n.l, n))
    rng = np.random.default_rng(0)
    arrays = {alice: rng.normal(size=2), bob: rng.normal(size=2), loves: rng.normal(size=(2, 3, 2))}
    G = TensorFunctor({n: 2, s: 3}, arrays)
    want = np.einsum("a,asb,b->s", arrays[alice], arrays[loves], arrays[bob])
    np.testing.assert_allclose(G(sentence), want, rtol=1e-5)


def test_discopy_tensor_diagrams_use_their_own_arrays():
    d2, d3 = dtensor.Dim(2), dtensor.Dim(3)
    box = dtensor.Box("m", d2, d3, data=np.arange(6.0).reshape(2, 3))
    diagram = box >> box.dagger()
    got = TensorFunctor(None, None)(diagram)
    np.testing.assert_allclose(got, diagram.eval().array, rtol=1e-6)


def test_compiled_function_batches_and_composes_with_jit_vmap_grad():
    c = F.compile(f >> g)
    v = jnp.array([1.0, 2.0])
    np.testing.assert_allclose(c(v), v @ A @ B, rtol=1e-6)
    batch = jnp.stack([v, 2 * v, -v])
    np.testing.assert_allclose(c(batch), batch @ A @ B, rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(c)(batch), batch @ A @ B, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(c)(v), v @ A @ B, rtol=1e-6)
    grad = jax.grad(lambda v: c(v).sum())(v)
    np.testing.assert_allclose(grad, (A @ B).sum(axis=1), rtol=1e-6)
    assert F.compile(f >> g) is c  # cached by structure


def test_cups_and_copies_are_wiring():
    h = Hypergraph  # noqa: F841 - the IR is what compile sees
    trace = Cap(x, x.r) >> (Box("t", x, x) @ x) >> Cup(x, x.r)
    T = TensorFunctor({x: 3}, {"t": jnp.arange(9.0).reshape(3, 3)})
    assert float(T(trace)) == 0.0 + 4.0 + 8.0
    copy = TensorFunctor({x: 2}, {})(Copy(x, 2))
    want = np.zeros((2, 2, 2))
    want[0, 0, 0] = want[1, 1, 1] = 1.0
    np.testing.assert_array_equal(copy, want)
    np.testing.assert_array_equal(TensorFunctor({x: 2}, {})(Spider(0, 1, x)), np.ones(2))


def test_other_semirings_shortest_path_through_a_diagram():
    inf = jnp.inf
    road = jnp.array([[0.0, 5.0], [inf, 0.0]])
    step = Box("step", x, x)
    P = TensorFunctor({x: 2}, {step: road}, MinPlus())
    assert P(step >> step).tolist() == [[0.0, 5.0], [inf, 0.0]]
    R = TensorFunctor({x: 2}, {step: road < inf}, Boolean())
    assert R(step >> step).tolist() == [[True, True], [False, True]]


def test_params_and_init_for_learnable_boxes():
    w = Box("w", x, y)
    L = TensorFunctor({x: 2, y: 3}, {w: Param()})
    params = L.init(w, jax.random.PRNGKey(0))
    assert params["w"].shape == (2, 3)
    c = L.compile(w >> w.dagger())
    v = jnp.array([1.0, -1.0])
    out = c.apply(params, v)
    np.testing.assert_allclose(out, v @ params["w"] @ params["w"].T, rtol=1e-5)
    g = jax.grad(lambda p: c.apply(p, v).sum())(params)
    assert g["w"].shape == (2, 3)
    with pytest.raises(KeyError, match="box w : x → y has no entry 'w' in params"):
        c(v)


def test_symbolic_boxes_are_lambdified_and_differentiable():
    theta = sympy.Symbol("theta")
    rot = Box("rot", x, x)
    matrix = [[sympy.cos(theta), -sympy.sin(theta)], [sympy.sin(theta), sympy.cos(theta)]]
    S = TensorFunctor({x: 2}, {rot: matrix})
    c = S.compile(rot >> rot)
    v = jnp.array([1.0, 0.0])
    out = c.apply({"theta": 0.25}, v)
    np.testing.assert_allclose(out, [np.cos(0.5), -np.sin(0.5)], rtol=1e-5)
    dtheta = jax.grad(lambda t: c.apply({"theta": t}, v)[0])(0.25)
    np.testing.assert_allclose(dtheta, -2 * np.sin(0.5), rtol=1e-5)
    assert set(S.init(rot, jax.random.PRNGKey(1))) == {"theta"}


def test_float_dtypes_are_kept():
    half = TensorFunctor({x: 2}, {"h": jnp.eye(2, dtype=jnp.float16)})
    assert half(Box("h", x, x)).dtype == jnp.float16
    ints = TensorFunctor({x: 2}, {"i": np.eye(2, dtype=int)})
    assert jnp.issubdtype(ints(Box("i", x, x)).dtype, jnp.floating)  # promoted, not truncated


def test_missing_box_names_the_box():
    with pytest.raises(KeyError, match="no array for box h"):
        F(Box("h", x, x))


def test_wrong_shape_is_refused_when_the_functor_is_built():
    with pytest.raises(
        ShapeError, match=r"box f : x → y needs an array of shape \(2, 3\), got shape \(3, 2\)"
    ) as e:
        TensorFunctor({x: 2, y: 3}, {f: jnp.ones((3, 2))})
    assert isinstance(e.value, ValueError) and isinstance(e.value, CatlearnError)


def test_wrong_input_shape_names_the_wire():
    c = F.compile(f >> g)
    with pytest.raises(ShapeError, match="input 0 .* needs last axis 2"):
        c(jnp.ones(5))
    with pytest.raises(ShapeError, match="1 domain wires"):
        c(jnp.ones(2), jnp.ones(2))


def test_non_commutative_semiring_is_refused():
    class Ordered(Real):
        commutative = False

    with pytest.raises(NonCommutativeError):
        TensorFunctor({x: 2}, {}, Ordered())


def test_ill_typed_composition_keeps_discopys_message():
    with pytest.raises(Exception, match="does not compose"):
        f >> f
    with pytest.raises(CompositionError, match="ends in y but diagram 1 starts with x"):
        Hypergraph.from_box(f) >> Hypergraph.from_box(f)


def test_long_chains_scan_and_agree_with_the_tensor():
    rng = np.random.default_rng(4)
    boxes = [Box(f"c{i}", x, x) for i in range(12)]
    mats = [rng.normal(size=(2, 2)).astype(np.float32) / 2 for _ in boxes]
    C = TensorFunctor({x: 2}, dict(zip(boxes, mats)))
    chain = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    product = np.linalg.multi_dot(mats)
    compiled = C.compile(chain)
    np.testing.assert_allclose(compiled.tensor(), product, rtol=1e-4, atol=1e-6)
    v = jnp.array([[1.0, 2.0], [0.5, -1.0]])
    np.testing.assert_allclose(compiled(v), np.asarray(v) @ product, rtol=1e-4, atol=1e-6)
    g = jax.grad(lambda v: compiled(v).sum())(v)
    np.testing.assert_allclose(g, np.tile(product.sum(axis=1), (2, 1)), rtol=1e-4, atol=1e-6)
    L = TensorFunctor({x: 2}, {b: Param() for b in boxes})
    params = L.init(jax.random.PRNGKey(0), chain)  # the older (key, diagram) order still works
    tied = L.compile(chain).apply(params, v)
    per_box = L.compile(chain).unstack(params)
    want = np.asarray(v) @ np.linalg.multi_dot([per_box[b.name] for b in boxes])
    np.testing.assert_allclose(tied, want, rtol=1e-4, atol=1e-5)


def test_a_dagger_of_a_box_found_by_name_is_transposed():
    # Regression: look-up by name found the original's array for its dagger.
    import numpy as np

    from catlearn.diagrams import Box, Ty
    from catlearn.functors import TensorFunctor

    x = Ty("x")
    f = Box("f", x, x)
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = TensorFunctor({x: 2}, {"f": a}).compile(f.dagger()).tensor({})
    np.testing.assert_array_equal(got, a.T)
