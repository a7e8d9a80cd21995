"""FunctionFunctor: Para semantics, wiring, weight tying, feedback, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from discopy import markov

from catlearn.diagrams import (
    Box,
    Cap,
    Copy,
    Discard,
    Feedback,
    Hypergraph,
    Id,
    Merge,
    Swap,
    Ty,
    UnsupportedDiagramError,
    nn,
)
from catlearn.errors import ArgumentTypeError, CompositionError, ParameterConflictError
from catlearn.functors import (
    ADD,
    FunctionFunctor,
    Monoid,
    NotCartesianError,
    ShapeError,
    WiringError,
)

x, y, h = Ty("x"), Ty("y"), Ty("h")
KEY = jax.random.key(0)


def test_plain_functions_compose_and_batch():
    f, g = Box("f", x, y), Box("g", y, y)
    F = FunctionFunctor({x: 3, y: 2}, {f: lambda v: v[:2] * 2.0, "g": jnp.sin})
    compiled = F.compile(f >> g)
    v = jnp.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(compiled(v), jnp.sin(v[:, :2] * 2.0), rtol=1e-6)
    np.testing.assert_allclose(compiled(v[0]), jnp.sin(v[0, :2] * 2.0), rtol=1e-6)
    batch = jnp.ones((2, 5, 3))  # any leading batch shape
    assert compiled(batch).shape == (2, 5, 2)


def test_wiring_is_free_copy_discard_swap():
    F = FunctionFunctor({x: 2, y: 3})
    a, b = jnp.ones(2), jnp.arange(3.0)
    left, right = F.compile(Swap(x, y))(a, b)
    np.testing.assert_array_equal(left, b)
    np.testing.assert_array_equal(right, a)
    c1, c2, c3 = F.compile(Copy(x, 3))(a)
    assert all(np.array_equal(c, a) for c in (c1, c2, c3))
    assert F.compile(Discard(x) @ Id(y))(a, b).tolist() == b.tolist()
    assert F.compile(Id(x))(a).tolist() == a.tolist()


def test_markov_diagrams_from_discopy_are_accepted():
    mx = markov.Ty("x")
    f = markov.Box("f", mx, mx)
    d = markov.Copy(mx) >> f @ mx >> markov.Merge(mx)
    F = FunctionFunctor({"x": 2}, {"f": lambda v: 3 * v}, merge=ADD)
    assert F.compile(d)(jnp.ones(2)).tolist() == [4.0, 4.0]


def test_weight_tying_by_box_and_fresh_names_otherwise():
    shared = nn.Linear(x, x)
    model = shared >> nn.relu(x) >> shared >> nn.Linear(x, y)
    F = FunctionFunctor({x: 4, y: 2})
    params = F.init(model, KEY)
    assert len(params) == 2 and shared.name in params
    # Tied weights: the gradient w.r.t. the shared matrix sums both uses.
    grads = jax.grad(lambda p: F.compile(model).apply(p, jnp.ones(4)).sum())(params)
    assert grads[shared.name]["w"].shape == (4, 4)
    assert nn.Linear(x, x).name != nn.Linear(x, x).name


def test_init_is_deterministic_per_name():
    a, b = nn.Dense(x, x, name="a"), nn.Dense(x, x, name="b")
    F = FunctionFunctor({x: 3})
    p1 = F.init(a >> b, KEY)
    p2 = F.init(b, KEY)
    np.testing.assert_array_equal(p1["b"]["w"], p2["b"]["w"])  # unchanged by adding a


def test_two_boxes_with_one_name_are_refused():
    model = nn.Linear(x, x, name="w") >> nn.Linear(x, y, name="w")
    with pytest.raises(ParameterConflictError, match="entry 'w': w : x → x .* and w : x → y"):
        FunctionFunctor({x: 2, y: 3}).init(model, KEY)


def test_layer_objects_in_ar_with_two_argument_init():
    class Scale:
        def init(self, key, input_shapes):
            return jnp.full(input_shapes[0], 2.0)

        def apply(self, params, v):
            return params * v

    s = Box("s", x, x)
    F = FunctionFunctor({x: 3}, {s: Scale()})
    params = F.init(s, KEY)
    assert F.compile(s).bind(params)(jnp.ones(3)).tolist() == [2.0, 2.0, 2.0]


def test_jit_vmap_grad_compose():
    model = nn.Dense(x, h, "tanh", name="d") >> nn.Linear(h, y, name="o")
    F = FunctionFunctor({x: 3, h: 5, y: 2})
    f, params = F.compile(model), F.init(model, KEY)
    v = jax.random.normal(KEY, (8, 3))
    ref = jnp.tanh(v @ params["d"]["w"] + params["d"]["b"]) @ params["o"]["w"]
    np.testing.assert_allclose(jax.jit(f.apply)(params, v), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jax.vmap(f.apply, (None, 0))(params, v), ref, rtol=1e-5, atol=1e-6)
    g = jax.grad(lambda p: (f.apply(p, v) ** 2).sum())(params)
    g_ref = jax.grad(
        lambda p: ((jnp.tanh(v @ p["d"]["w"] + p["d"]["b"]) @ p["o"]["w"]) ** 2).sum()
    )(params)
    for a, b in zip(jax.tree.leaves(g), jax.tree.leaves(g_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_residual_and_multi_input_multi_output():
    block = nn.residual(nn.Dense(x, x, "relu", name="r"))
    model = (block @ nn.Embedding(Ty("tok"), x, vocab=10, name="emb")) >> Copy(x) @ Id(x)
    model = model >> Id(x) @ nn.Concat(x @ x, y)
    F = FunctionFunctor({x: 4, y: 8, "tok": ()}, merge=ADD)
    params = F.init(model, KEY)
    a, b = F.compile(model).apply(params, jnp.ones((3, 4)), jnp.array([1, 2, 3]))
    assert a.shape == (3, 4) and b.shape == (3, 8)
    r = jax.nn.relu(jnp.ones(4) @ params["r"]["w"] + params["r"]["b"]) + 1
    np.testing.assert_allclose(a[0], r, rtol=1e-6)
    np.testing.assert_allclose(b[1], jnp.concatenate([r, params["emb"]["table"][2]]), rtol=1e-6)


def test_merge_needs_a_monoid_and_uses_it():
    d = Copy(x) >> Merge(x)
    with pytest.raises(NotCartesianError, match="merges wires"):
        FunctionFunctor({x: 2}).compile(d)
    times = Monoid(jnp.multiply, lambda shape, dtype: jnp.ones(shape, dtype))
    out = FunctionFunctor({x: 2}, merge=times).compile(d)(jnp.array([2.0, 3.0]))
    assert out.tolist() == [4.0, 9.0]
    unit = FunctionFunctor({x: 2}, merge=times).compile(Merge(x, 0))()
    assert unit.tolist() == [1.0, 1.0]


def test_merge_fed_by_its_own_copy_is_not_a_cycle():
    # In tensor semantics copy ; (id ⊗ f) ; merge fuses to one spider; as
    # functions it is x + f(x), and must not become a loop.
    f = Box("f", x, x)
    d = Copy(x) >> Id(x) @ f >> Merge(x)
    F = FunctionFunctor({x: 2}, {f: lambda v: 10 * v}, merge=ADD)
    assert F.compile(d)(jnp.ones(2)).tolist() == [11.0, 11.0]


def test_feedback_equals_unrolled_diagram_in_value_and_gradient():
    cell = nn.RNNCell(x, h, name="cell") >> Copy(h)
    readout = nn.Linear(h, y, name="readout")
    rnn = Feedback(cell) >> readout
    F = FunctionFunctor({x: 3, h: 4, y: 2})
    params = F.init(rnn, KEY)
    steps = 6
    xs = jax.random.normal(KEY, (steps, 5, 3))
    heads = Id(Ty())
    for _ in range(steps):
        heads = heads @ readout
    unrolled = nn.unroll(cell, steps) >> heads @ Discard(h)

    def scanned(p):
        return F.compile(rnn).apply(p, xs)

    def spelt_out(p):
        return jnp.stack(F.compile(unrolled).apply(p, *xs, jnp.zeros((5, 4))))

    np.testing.assert_allclose(scanned(params), spelt_out(params), rtol=1e-5, atol=1e-6)
    g1 = jax.grad(lambda p: (scanned(p) ** 2).sum())(params)
    g2 = jax.grad(lambda p: (spelt_out(p) ** 2).sum())(params)
    for a, b in zip(jax.tree.leaves(g1), jax.tree.leaves(g2)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # The scan is one loop, not `steps` copies of the cell.
    jaxpr = str(jax.make_jaxpr(scanned)(params))
    assert "scan" in jaxpr and jaxpr.count("tanh") == 1


def test_feedback_rejects_a_cell_without_the_state_wire():
    with pytest.raises(CompositionError, match="feedback needs a cell"):
        Feedback(Box("f", x @ h, y @ y), mem=h)


def test_wrong_input_shape_names_the_wire():
    f = FunctionFunctor({x: 3, y: 2}, {"f": lambda v: v[:2]}).compile(Box("f", x, y))
    with pytest.raises(ShapeError, match=r"input 0 \(wire x\) needs shape \(batch...\) \+ \(3,\)"):
        f(jnp.ones((4, 5)))
    with pytest.raises(ShapeError, match="1 input wires"):
        f(jnp.ones(3), jnp.ones(3))
    g = FunctionFunctor({x: 3, y: 2}).compile(Id(x) @ Id(y))
    with pytest.raises(ShapeError, match="different leading"):
        g(jnp.ones((4, 3)), jnp.ones((5, 2)))


def test_box_returning_the_wrong_shape_is_named():
    F = FunctionFunctor({x: 3, y: 2}, {"f": lambda v: v})
    with pytest.raises(ShapeError, match=r"box f output 0 \(wire y\) has shape \(3,\)"):
        F.compile(Box("f", x, y))(jnp.ones(3))


def test_missing_box_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="no function for box mystery"):
        FunctionFunctor({x: 3}).compile(Box("mystery", x, x))
    with pytest.raises(KeyError, match="no shape to object"):
        FunctionFunctor({x: 3}, {"f": jnp.sin}).compile(Box("f", y, y))


def test_parameters_are_required_when_the_model_has_layers():
    model = nn.Linear(x, x, name="lin")
    f = FunctionFunctor({x: 2}).compile(model)
    with pytest.raises(TypeError, match="has parameters"):
        f(jnp.ones(2))
    with pytest.raises(KeyError, match="box lin : x → x has no entry 'lin' in params"):
        f.apply({}, jnp.ones(2))


def test_cups_and_loops_are_refused():
    with pytest.raises(UnsupportedDiagramError, match="no reading as a function"):
        FunctionFunctor({x: 2}).compile(Cap(x, x.r))
    f = Box("f", x, x)
    loop = Hypergraph.build([x.inside[0]] * 2, [f, f], [[0], [1]], [[1], [0]], [], [])
    with pytest.raises(WiringError, match="loop through f, f"):
        FunctionFunctor({x: 2}, {f: jnp.sin}).compile(loop)
    two_writers = Hypergraph.build([x.inside[0]] * 2, [f, f], [[0], [0]], [[1], [1]], [0], [1])
    with pytest.raises(WiringError, match="written by box f and by another writer"):
        FunctionFunctor({x: 2}, {f: jnp.sin}).compile(two_writers)
    unread = Hypergraph.build([x.inside[0], x.inside[0]], [f], [[0]], [[1]], [], [1])
    with pytest.raises(WiringError, match="nothing writes it"):
        FunctionFunctor({x: 2}, {f: jnp.sin}).compile(unread)


def test_bad_ob_values_are_refused():
    with pytest.raises(ArgumentTypeError, match=r"ob\[x\]: expected an int"):
        FunctionFunctor({x: "three"})
