"""Hostile input to diagrams, functors, learning and parallelism (issue 14).

Every case ends in the exact right answer (checked with numpy) or a specific
catlearn error whose message names the culprit. Most fail before any tracing.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.arguments import size
from catlearn.diagrams import Box, Copy, Feedback, Hypergraph, Ty, nn, to_discopy
from catlearn.diagrams import polycirc as pc
from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CompositionError,
    DivergenceError,
    LensError,
    MissingImageError,
    ParameterConflictError,
    PolycircError,
    ShapeError,
    ShardingError,
    SymbolError,
    UnsupportedDiagramError,
)
from catlearn.functors import (
    FunctionFunctor,
    Param,
    RingFunctor,
    SympyFunctor,
    TensorFunctor,
    polynomials,
    reverse_derivative,
)
from catlearn.learn import RDA, Lens, accuracy, fit, lens
from catlearn.parallel import data_mesh, replicate, shard_batch
from catlearn.semirings import GF2, Boolean, MinPlus, Real, Zn

x, y, n, s = Ty("x"), Ty("y"), Ty("n"), Ty("s")
f = Box("f", x, y)
KEY = jax.random.key(0)
BAD_SIZES = [
    (2.7, ArgumentTypeError, "float 2.7"),
    ("2", ArgumentTypeError, "str '2'"),
    (True, ArgumentTypeError, "bool True"),
    (2.0, ArgumentTypeError, "float 2.0"),
    (None, ArgumentTypeError, "NoneType"),
    (0, ArgumentValueError, "got 0"),
    (-1, ArgumentValueError, "got -1"),
]


# -- a parameter belongs to a box, not to a name -------------------------------


def test_two_boxes_named_w_do_not_share_a_tensor_parameter():
    w1, w2 = Box("w", n, n), Box("w", n, s)
    F = TensorFunctor({n: 2, s: 3}, {w1: Param(), w2: Param()})
    for build in (lambda: F.init(w1 >> w2, KEY), lambda: F.compile(w1 >> w2)):
        with pytest.raises(ParameterConflictError, match="entry 'w': w : n → n and w : n → s"):
            build()


@pytest.mark.parametrize(
    "second",
    [
        lambda: nn.Linear(n, s, name="w"),  # other types
        lambda: nn.Dense(n, n, name="w"),  # another class
        lambda: nn.Linear(n, n, name="w") >> nn.Dense(n, n, "tanh", name="w"),
    ],
)
def test_two_layers_named_w_do_not_share_a_function_parameter(second):
    model = nn.Linear(n, n, name="w") >> second()
    F = FunctionFunctor({n: 2, s: 3})
    with pytest.raises(ParameterConflictError, match="entry 'w': w : n → n"):
        F.compile(model)
    with pytest.raises(ParameterConflictError, match="entry 'w'"):
        F.init(model, KEY)


def test_dense_layers_with_other_activations_are_other_boxes():
    tanh, relu = nn.Dense(x, x, "tanh", name="d"), nn.Dense(x, x, "relu", name="d")
    assert tanh != relu
    F = FunctionFunctor({x: 3})
    params = F.init(tanh, KEY)
    v = np.array([-1.0, 0.5, 2.0], np.float32)
    affine = v @ np.asarray(params["d"]["w"]) + np.asarray(params["d"]["b"])
    np.testing.assert_allclose(F.compile(tanh).apply(params, v), np.tanh(affine), rtol=1e-5)
    # The cache once handed back the tanh program for the relu box.
    np.testing.assert_allclose(F.compile(relu).apply(params, v), np.maximum(affine, 0), rtol=1e-5)
    with pytest.raises(ParameterConflictError, match="entry 'd'.*data=\\('tanh',\\)"):
        F.compile(tanh >> relu)


def test_weight_tying_still_shares_one_entry():
    a, b = nn.Dense(x, x, "tanh", name="shared"), nn.Dense(x, x, "tanh", name="shared")
    F = FunctionFunctor({x: 2})
    params = F.init(a >> b, KEY)
    assert sorted(params) == ["shared"]
    w, c = np.asarray(params["shared"]["w"]), np.asarray(params["shared"]["b"])
    v = np.array([0.3, -0.7], np.float32)
    want = np.tanh(np.tanh(v @ w + c) @ w + c)
    np.testing.assert_allclose(F.compile(a >> b).apply(params, v), want, rtol=1e-5)


def test_a_dagger_alone_gets_its_originals_entry():
    w = Box("w", x, y)
    F = TensorFunctor({x: 2, y: 3}, {w: Param()})
    params = F.init(w.dagger(), KEY)
    assert params["w"].shape == (2, 3)
    v = np.array([1.0, 2.0, 3.0], np.float32)
    got = F.compile(w.dagger()).apply(params, v)
    np.testing.assert_allclose(got, np.asarray(params["w"]) @ v, rtol=1e-5)


def test_a_param_box_and_a_symbol_of_one_name_collide():
    theta = sympy.Symbol("theta")
    learnt, rot = Box("theta", x, x), Box("rot", x, x)
    F = TensorFunctor({x: 1}, {learnt: Param(), rot: [[theta]]})
    with pytest.raises(ParameterConflictError, match="'theta': theta : x → x and the symbol"):
        F.compile(learnt >> rot)


# -- sizes are integers ----------------------------------------------------------


@pytest.mark.parametrize("value, error, shown", BAD_SIZES)
@pytest.mark.parametrize("functor", [TensorFunctor, SympyFunctor, FunctionFunctor])
def test_ob_sizes_are_positive_ints(functor, value, error, shown):
    if functor is FunctionFunctor and value is None:
        error = ArgumentTypeError  # None is no shape either
    with pytest.raises(error, match=rf"ob\[x\]: .*{shown}"):
        functor({x: value})


def test_numpy_integer_sizes_are_fine():
    F = TensorFunctor({x: np.int64(2), y: np.int32(1)}, {f: [[1.0], [2.0]]})
    np.testing.assert_array_equal(F(f), [[1.0], [2.0]])
    assert FunctionFunctor({x: np.int64(3)}).shape(x) == (3,)


def test_an_ob_function_is_checked_too():
    with pytest.raises(ArgumentTypeError, match=r"ob\(x\): a size is an int, got float 2.5"):
        TensorFunctor(lambda obj: 2.5, {f: np.ones((2, 2))})


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: nn.Embedding(x, y, vocab=2.5), "Embedding vocab: a size is an int"),
        (lambda: nn.Embedding(x, y, vocab=True), "Embedding vocab: .*bool"),
        (lambda: nn.Add(x, 0), r"Add\(ty, n\): n: a size is an int ≥ 1, got 0"),
        (lambda: nn.unroll(nn.RNNCell(x, y) >> Copy(y), 1.5), "unroll steps"),
        (lambda: Copy(x, -1), r"Copy\(ty, n\): n: .* ≥ 0, got -1"),
        (lambda: pc.Builder(2.5), r"Builder\(n_inputs\)"),
        (lambda: pc.dot(2.5), r"dot\(n\)"),
        (lambda: pc.lookup_table(17), "keep n ≤ 16"),
        (lambda: nn.Linear(3, y), "dom is int 3"),
        (lambda: nn.Dense(x, y, activation="swish"), "unknown 'swish'"),
    ],
)
def test_generator_sizes_and_arguments(build, match):
    with pytest.raises((ArgumentTypeError, ArgumentValueError), match=match):
        build()


invalid_sizes = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=3),
    st.none(),
)


@settings(max_examples=25, deadline=None)
@given(invalid_sizes)
def test_no_invalid_size_is_coerced(value):
    with pytest.raises((ArgumentTypeError, ArgumentValueError), match=r"ob\[x\]"):
        TensorFunctor({x: value})
    with pytest.raises((ArgumentTypeError, ArgumentValueError), match="the thing"):
        size(value, "the thing")


# -- semirings, keys -------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: TensorFunctor({x: 2}, {}, MinPlus),
        lambda: RingFunctor(Real),
        lambda: RDA(pc.dot(1), 1, ring=Real),
    ],
)
def test_a_semiring_class_is_not_an_instance(build):
    with pytest.raises(ArgumentTypeError, match=r"got the class \w+, not an instance; pass"):
        build()


BAD_KEYS = [
    (0, ArgumentTypeError, r"got int 0; pass jax.random.key\(0\)"),
    ("seed", ArgumentTypeError, "got str 'seed'"),
    (1.5, ArgumentTypeError, "got float 1.5"),
    (np.zeros(3, np.uint32), ArgumentValueError, r"uint32 of shape \(3,\)"),
    (np.zeros(2, np.int32), ArgumentValueError, "int32 of shape"),
    (jax.random.split(KEY, 2), ArgumentValueError, r"keys of shape \(2,\)"),
]


@pytest.mark.parametrize("key, error, match", BAD_KEYS)
def test_bad_prng_keys_are_named(key, error, match):
    T = TensorFunctor({x: 2, y: 2}, {f: Param()})
    with pytest.raises(error, match="key: .*" + match):
        T.init(f, key)
    with pytest.raises(error, match="key: .*" + match):
        FunctionFunctor({x: 2, y: 2}).init(nn.Linear(x, y), key)
    with pytest.raises(error, match="key: .*" + match):
        RDA(pc.dot(1), 1).init(key)


def test_a_missing_key_is_named():
    with pytest.raises(ArgumentTypeError, match="key: expected a PRNG key .* got NoneType"):
        TensorFunctor({x: 2, y: 2}, {f: Param()}).init(f, None)


# -- box data --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, error, match",
    [
        ([[1.0, 2.0], [3.0]], ArgumentValueError, "box f : x → y: its data is ragged"),
        ("ab", ArgumentTypeError, "ar maps box f : x → y to str 'ab'"),
        (None, ArgumentTypeError, "ar maps box f : x → y to NoneType"),
        ([["a", "b"], ["c", "d"]], ArgumentTypeError, "box f : x → y: its data holds str_"),
        (np.ones((3, 2)), ShapeError, r"box f : x → y needs an array of shape \(2, 3\), got"),
        (np.ones(6), ShapeError, r"shape \(2, 3\), got shape \(6,\)"),
        (object(), ArgumentTypeError, "box f : x → y: .*object"),
    ],
)
def test_box_data_is_checked_when_the_functor_is_built(value, error, match):
    with pytest.raises(error, match=match):
        TensorFunctor({x: 2, y: 3}, {f: value})


@pytest.mark.parametrize(
    "value, error, match",
    [
        ([[1, 2, 3], [4]], ArgumentValueError, "box f : x → y: its data is ragged"),
        ("ab", ArgumentTypeError, "ar maps box f : x → y to str"),
        ([[1, 2], [3, 4], [5, 6]], ShapeError, r"box f : x → y needs an array of shape \(2, 3\)"),
    ],
)
def test_sympy_functor_box_data(value, error, match):
    with pytest.raises(error, match=match):
        SympyFunctor({x: 2, y: 3}, {f: value})


def test_nan_in_box_data_propagates_as_nan():
    data = np.array([[np.nan, 1.0], [2.0, 3.0]], np.float32)
    out = TensorFunctor({x: 2}, {Box("g", x, x): data}).compile(Box("g", x, x))(np.eye(2))
    np.testing.assert_array_equal(np.isnan(np.asarray(out)), np.isnan(np.eye(2) @ data))


def test_param_shape_must_be_a_tuple_of_sizes():
    with pytest.raises(ArgumentTypeError, match="a shape is a tuple of ints, got list"):
        Param(shape=[2, 2])
    with pytest.raises(ArgumentValueError, match="axis 1: a size is an int ≥ 1, got 0"):
        Param(shape=(2, 0))


# -- compiled tensor diagrams: inputs and params -----------------------------------


T = TensorFunctor({x: 2, y: 3}, {f: np.arange(6, dtype=np.float32).reshape(2, 3)})
W = Box("w", x, x)
L = TensorFunctor({x: 2}, {W: Param()})


@pytest.mark.parametrize(
    "inputs, error, match",
    [
        ((), ShapeError, r"1 domain wires \[x: 2\]; got 0 inputs"),
        ((np.ones(2), np.ones(2)), ShapeError, "got 2 inputs"),
        ((np.ones(3),), ShapeError, r"input 0 \(wire x\) needs last axis 2, got shape \(3,\)"),
        ((1.0,), ShapeError, r"input 0 \(wire x\) needs last axis 2, got shape \(\)"),
        (("ab",), ArgumentTypeError, r"input 0 \(wire x\)"),
        ((None,), ArgumentTypeError, r"input 0 \(wire x\)"),
        (([[1.0, 2.0], [3.0]],), ArgumentValueError, r"input 0 \(wire x\): .*ragged"),
    ],
)
def test_tensor_inputs_are_checked_on_the_host(inputs, error, match):
    with pytest.raises(error, match=match):
        T.compile(f)(*inputs)


def test_tensor_inputs_right_answer():
    v = np.array([[1.0, -1.0]], np.float32)
    np.testing.assert_allclose(T.compile(f)(v), v @ np.arange(6).reshape(2, 3))


@pytest.mark.parametrize(
    "params, error, match",
    [
        (None, ArgumentTypeError, "params: expected a mapping .* got NoneType"),
        ([1, 2], ArgumentTypeError, "params: expected a mapping"),
        ({}, MissingImageError, "box w : x → x has no entry 'w' in params"),
        ({"w": np.ones((2, 3))}, ShapeError, r"params\['w'\] for box w : x → x has shape \(2, 3\)"),
        ({"w": np.ones(2)}, ShapeError, r"has shape \(2,\); it needs \(2, 2\)"),
        ({"w": "ab"}, ArgumentTypeError, r"params\['w'\] is a str 'ab', not an array"),
    ],
)
def test_tensor_params_must_match(params, error, match):
    with pytest.raises(error, match=match):
        L.compile(W).apply(params, np.ones(2))


def test_a_symbol_takes_a_scalar():
    theta = sympy.Symbol("theta")
    rot = Box("rot", x, x)
    F = TensorFunctor({x: 1}, {rot: [[theta]]})
    with pytest.raises(ShapeError, match=r"params\['theta'\], a symbol of box rot : x → x"):
        F.compile(rot).apply({"theta": np.ones(3)}, np.ones(1))
    with pytest.raises(MissingImageError, match="box rot : x → x has no entry 'theta'"):
        F.compile(rot).apply({}, np.ones(1))
    np.testing.assert_allclose(F.compile(rot).apply({"theta": 2.5}, np.ones(1)), [2.5])


# -- compiled functions ------------------------------------------------------------


LIN = nn.Linear(x, y, name="lin")
G = FunctionFunctor({x: 2, y: 3})
P = G.init(LIN, KEY)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({}, MissingImageError, "box lin : x → y has no entry 'lin' in params"),
        (None, ArgumentTypeError, "params: expected a mapping"),
        ({"lin": {"w": np.ones((3, 3))}}, ShapeError, r"params\['lin'\]\['w'\] .* \(3, 3\)"),
        ({"lin": {"v": np.ones((2, 3))}}, ShapeError, r"params\['lin'\] .* has the structure"),
        ({"lin": np.ones((2, 3))}, ShapeError, "has the structure"),
    ],
)
def test_function_params_must_match(params, error, match):
    with pytest.raises(error, match=match):
        G.compile(LIN).apply(params, np.ones(2))


@pytest.mark.parametrize(
    "inputs, error, match",
    [
        ((np.ones(2), np.ones(2)), ShapeError, r"1 input wires \[x: \(2,\)\]; got 2"),
        ((np.ones(3),), ShapeError, r"input 0 \(wire x\) needs shape \(batch...\) \+ \(2,\)"),
        (("ab",), ArgumentTypeError, r"input 0 \(wire x\): expected an array, got str"),
        ((np.ones(2) * 1j,), ArgumentTypeError, "has dtype complex64; the wire carries float32"),
    ],
)
def test_function_inputs_are_checked(inputs, error, match):
    with pytest.raises(error, match=match):
        G.compile(LIN).apply(P, *inputs)


def test_float_tokens_into_an_integer_wire():
    tokens = Ty("tokens")
    emb = nn.Embedding(tokens, y, vocab=5, name="emb")
    F = FunctionFunctor({tokens: jax.ShapeDtypeStruct((), jnp.int32), y: 3})
    params = F.init(emb, KEY)
    with pytest.raises(ArgumentTypeError, match=r"input 0 \(wire tokens\) has dtype float32"):
        F.compile(emb).apply(params, jnp.array([1.5, 2.0]))
    got = F.compile(emb).apply(params, jnp.array([4, 0]))
    np.testing.assert_array_equal(got, np.asarray(params["emb"]["table"])[[4, 0]])


def test_tokens_outside_the_vocabulary_read_nan_not_the_last_row():
    tokens = Ty("tokens")
    emb = nn.Embedding(tokens, y, vocab=5, name="emb")
    F = FunctionFunctor({tokens: jax.ShapeDtypeStruct((), jnp.int32), y: 3})
    params = F.init(emb, KEY)
    got = np.asarray(F.compile(emb).apply(params, jnp.array([7, -1, 2])))
    assert np.isnan(got[:2]).all()
    np.testing.assert_array_equal(got[2], np.asarray(params["emb"]["table"])[2])


def test_a_symbolic_dagger_of_another_arity_is_the_transpose():
    t = sympy.Symbol("t")
    g = Box("g", x, y @ s)
    data = np.array(
        [[[t * (1 + i + 2 * j + 4 * k) for k in range(3)] for j in range(2)] for i in range(2)]
    )
    F = TensorFunctor({x: 2, y: 2, s: 3}, {g: data})
    got = F.compile(g.dagger()).tensor({"t": 0.5})
    plain = np.array([[[0.5 * (1 + i + 2 * j + 4 * k) for k in range(3)] for j in range(2)]
                      for i in range(2)])  # fmt: skip
    np.testing.assert_allclose(got, np.transpose(plain, (1, 2, 0)))


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: FunctionFunctor([2, 3]), ArgumentTypeError, "ob: expected a mapping"),
        (lambda: FunctionFunctor({x: 2}, ar=3), ArgumentTypeError, "ar: expected a mapping"),
        (lambda: FunctionFunctor({x: 2}, merge=jnp.add), ArgumentTypeError, "merge: expected"),
        (lambda: FunctionFunctor({x: (2, 0)}), ArgumentValueError, r"ob\[x\] .* axis 1"),
        (lambda: FunctionFunctor({x: 2}).spec(y), MissingImageError, "no shape to object"),
        (lambda: TensorFunctor({x: 2}, ar=[1]), ArgumentTypeError, "ar: expected a mapping"),
    ],
)
def test_functor_arguments(build, error, match):
    with pytest.raises(error, match=match):
        build()


# -- polynomial circuits -------------------------------------------------------------


def test_a_wire_of_another_builder_is_refused():
    a, b = pc.Builder(2), pc.Builder(3)
    w = a.add(0, 1)  # wire 2 in a; wire 2 also exists in b
    for use in (lambda: b.mul(w, 0), lambda: b.build([w]), lambda: b.sum([w])):
        with pytest.raises(PolycircError, match="wire 2 of another Builder"):
            use()
    with pytest.raises(PolycircError, match="wire 2 of another Builder"):
        b.apply(pc.XOR(), [0, w])


@pytest.mark.parametrize(
    "wire, match",
    [(1.5, "float 1.5 as a wire"), (True, "bool True as a wire"), (7, "wire 7, which does not")],
)
def test_builder_wire_ids(wire, match):
    with pytest.raises(PolycircError, match=match):
        pc.Builder(2).mul(wire, 0)


def test_builder_gate_must_be_a_gate_and_numpy_ids_work():
    b = pc.Builder(2)
    with pytest.raises(PolycircError, match="needs a Gate .* got str 'add'"):
        b.gate("add", 0, 1)
    c = b.build([b.mul(np.int64(0), np.int32(1))])
    out = RingFunctor(Zn(7)).compile(c)(np.array([[3, 5]]))
    assert out.tolist() == [[15 % 7]]


XOR = RingFunctor(GF2).compile(pc.XOR())
PACKED = RingFunctor(GF2, packed=True).compile(pc.XOR())


@pytest.mark.parametrize("xor", [XOR, PACKED], ids=["GF2", "packed"])
@pytest.mark.parametrize(
    "value, error, match",
    [
        ([[0.5, 1.0]], ArgumentTypeError, "x: GF2.* integers .* got dtype float64"),
        ("ab", ArgumentTypeError, "x: expected numbers, got an array of <U2"),
        (None, ArgumentTypeError, "x: GF2.* inputs are integers, got NoneType"),
        ([[1], [0, 1]], ArgumentValueError, "x: .*ragged"),
        ([[1, 0, 1]], ShapeError, r"takes 2 inputs on the last axis, got shape \(1, 3\)"),
    ],
)
def test_circuit_inputs(xor, value, error, match):
    with pytest.raises(error, match=match):
        xor(value)


@pytest.mark.parametrize(
    "wide, big", [(np.array([[2**33 + 1, 3]]), 2**33 + 1), ([[2**70 + 1, 3]], 2**70 + 1)]
)
def test_wide_integers_are_read_as_their_residues(wide, big):
    # A cast to int32 first would wrap 2**33 + 1 to 1: right mod 2, wrong mod 7.
    z7 = RingFunctor(Zn(7)).compile(pc.dot(1))
    assert z7(wide).tolist() == [[big * 3 % 7]]
    assert XOR(wide).tolist() == PACKED(wide).tolist() == [[(big + 3) % 2]]


def test_circuit_right_answer_on_every_bit_pair():
    bits = np.array([[a, b] for a in (0, 1) for b in (0, 1)])
    assert XOR(bits).ravel().tolist() == PACKED(bits).ravel().tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: RingFunctor(Real()).constant("1/2"), ArgumentTypeError, "got str '1/2'"),
        (lambda: RingFunctor(Real()).constant(float("nan")), ArgumentTypeError, "float nan"),
        (lambda: RingFunctor(Real(), packed=True), ArgumentValueError, "needs GF2"),
        (lambda: reverse_derivative(Box("relu", pc.R, pc.R)), PolycircError, "not a polynomial"),
        (lambda: reverse_derivative(3), UnsupportedDiagramError, "got int"),
        (lambda: reverse_derivative(pc.dot(1), rules={}), PolycircError, "no reverse rule"),
        (lambda: polynomials(pc.dot(1), ["a"]), ArgumentValueError, "2 inputs, got 1 symbols"),
        (lambda: polynomials(pc.dot(1), ["a", 3]), SymbolError, "3 .int. is not a name"),
    ],
)
def test_ring_functor_and_derivative_arguments(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_a_reverse_rule_with_the_wrong_arity_is_caught():
    from catlearn.functors.reverse import RULES

    rules = {**RULES, "mul": lambda b, xs, dy: (dy,)}  # one cotangent for two inputs
    with pytest.raises(PolycircError, match="rule for 'mul' returned 1 cotangents .* 2 inputs"):
        reverse_derivative(pc.dot(1), rules)


# -- the hypergraph IR ---------------------------------------------------------------


@pytest.mark.parametrize(
    "build, error, match",
    [
        (
            lambda: Hypergraph.from_box(f) >> Hypergraph.from_box(f),
            CompositionError,
            "ends in y but diagram 1 starts with x",
        ),
        (lambda: Hypergraph.sequential([]), ArgumentValueError, "at least one"),
        (lambda: Hypergraph.from_box(f) >> 3, ArgumentTypeError, "diagram 1 is a int"),
        (lambda: Hypergraph.from_box(3), ArgumentTypeError, "from_box needs a box"),
        (
            lambda: Hypergraph.build(["x"], [f], [[0.5]], [[0]], [0], [0]),
            ArgumentTypeError,
            "box_inputs: wire ids are ints, got float64",
        ),
        (
            lambda: Hypergraph.build(["x"], [f], [[0]], [[3]], [0], [0]),
            ArgumentValueError,
            r"box_outputs name wire 3, outside 0..0",
        ),
        (
            lambda: Hypergraph.build(["x"], [f], [], [], [], []),
            ArgumentValueError,
            "differ in length: 1, 0 and 0",
        ),
        (lambda: to_discopy(f), ArgumentTypeError, "to_discopy needs a Hypergraph"),
    ],
)
def test_hypergraph_misuse(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_a_hypergraph_composes_with_a_discopy_diagram():
    g = Box("g", y, x)
    assert Hypergraph.from_box(f) >> g == Hypergraph.sequential(
        [Hypergraph.from_box(f), Hypergraph.from_box(g)]
    )


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: Feedback(Box("c", x @ y, y @ y), mem=x), "feedback needs a cell"),
        (lambda: nn.residual(nn.Linear(x, y)), "needs f : x → x"),
        (lambda: nn.unroll(Box("c", x, y), 2, state=Ty()), "a recurrent cell is"),
    ],
)
def test_cells_of_the_wrong_type(build, match):
    with pytest.raises(CompositionError, match=match):
        build()


# -- Reverse Derivative Ascent -----------------------------------------------------------

BITS = np.array([[a, b] for a in (0, 1) for b in (0, 1)])
PARITY = BITS.sum(axis=1, keepdims=True) % 2
LEARNER = RDA(pc.linear(2), n_params=3, ring=GF2)


@pytest.mark.parametrize("label", [2, -1])
def test_labels_outside_the_bits_are_refused(label):
    bad = PARITY.copy()
    bad[1, 0] = label
    params = LEARNER.init()
    with pytest.raises(ArgumentValueError, match=rf"y\[1, 0\] = {label}; GF2 data are bits"):
        LEARNER.accuracy(params, BITS, bad)
    with pytest.raises(ArgumentValueError, match=r"y\[1, 0\]"):
        LEARNER.fit(params, BITS, bad)


def test_fractional_labels_and_inputs_are_refused():
    params = LEARNER.init()
    with pytest.raises(ArgumentTypeError, match="y: GF2 data are integers, got dtype float64"):
        LEARNER.accuracy(params, BITS, PARITY + 0.5)
    bad = BITS.copy()
    bad[3, 1] = 7
    with pytest.raises(ArgumentValueError, match=r"x\[3, 1\] = 7"):
        LEARNER.fit(params, bad, PARITY)


@pytest.mark.parametrize("params", [[1, 1, 0], [0, 0, 1], [1, 0, 1]])
def test_rda_right_answer(params):
    w, b = np.array(params[:2]), params[2]
    want = np.mean((BITS @ w + b) % 2 == PARITY[:, 0])  # every output right: one output
    assert LEARNER.accuracy(np.array(params), BITS, PARITY) == want


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: LEARNER.accuracy(LEARNER.init(), BITS, PARITY[:3]),
            ShapeError,
            "4 .* but y has 3",
        ),
        (lambda: LEARNER.accuracy(LEARNER.init(), BITS, BITS), ShapeError, r"y must .* \(n, 1\)"),
        (lambda: LEARNER.fit(LEARNER.init(), BITS[:0], PARITY[:0]), ArgumentValueError, "no ex"),
        (lambda: LEARNER.fit(LEARNER.init(), BITS, PARITY, epochs=1.5), ArgumentTypeError, "epo"),
        (lambda: LEARNER.predict(np.zeros(4, int), BITS), ShapeError, r"params .* \(3\)"),
        (lambda: LEARNER.step(np.zeros(3, int), BITS[0, :1], PARITY[0]), ShapeError, "step: x"),
        (lambda: RDA(pc.dot(1), 2.5), ArgumentTypeError, "n_params"),
        (lambda: RDA(pc.dot(1), 3), ArgumentValueError, "only 2 inputs"),
        (lambda: RDA(pc.dot(1), 1, ring=Boolean()), ArgumentTypeError, "needs a ring"),
        (lambda: RDA(pc.dot(1), 1, learning_rate="1"), ArgumentTypeError, "learning_rate: an"),
        (lambda: RDA(pc.dot(1), 1, learning_rate=0.5), ArgumentTypeError, "learning_rate: GF2"),
        (lambda: RDA(pc.dot(1), 1, ring=Real(), learning_rate=np.nan), ArgumentValueError, "fin"),
    ],
)
def test_rda_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


bit_arrays = st.integers(1, 6).flatmap(
    lambda rows: st.tuples(
        st.lists(st.lists(st.integers(0, 1), min_size=2, max_size=2), min_size=rows, max_size=rows),
        st.integers(0, rows - 1),
        st.integers(0, 1),
        st.integers(-(2**31), 2**31 - 1).filter(lambda v: v not in (0, 1)),
    )
)


@settings(max_examples=25, deadline=None)
@given(bit_arrays)
def test_any_out_of_range_bit_is_named(case):
    rows, i, j, bad = case
    xs = np.array(rows, dtype=np.int64)
    xs[i, j] = bad
    ys = np.zeros((len(rows), 1), dtype=np.int64)
    with pytest.raises(ArgumentValueError, match=rf"x\[{i}, {j}\] = {bad}; GF2 data are bits"):
        LEARNER.accuracy(LEARNER.init(), xs, ys)


# -- fit -----------------------------------------------------------------------------------


def _linear(p, v):
    return v * p["a"]


def _mse(pred, t):
    return jnp.mean((pred - t) ** 2)


XS = jnp.linspace(-1, 1, 8)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(data=(XS, XS[:5])), ShapeError, "data: arrays need one shared leading"),
        (dict(data=(XS[:0], XS[:0])), ArgumentValueError, "data: no examples"),
        (dict(data=XS), ArgumentTypeError, r"data: expected a pair \(inputs, targets\)"),
        (dict(data=([1.0, 2.0], XS)), ArgumentTypeError, "input 0 is a float, not an array"),
        (dict(batch_size=2.5), ArgumentTypeError, "batch_size: a size is an int"),
        (dict(batch_size=0), ArgumentValueError, "batch_size: .* got 0"),
        (dict(epochs=-1), ArgumentValueError, "epochs: .* got -1"),
        (dict(optimizer="adam"), ArgumentTypeError, "optimizer: expected an optax"),
        (dict(key=3), ArgumentTypeError, "key: expected a PRNG key"),
        (dict(loss=None), ArgumentTypeError, "loss: expected a function"),
        (dict(metrics=[_mse], validation=(XS, XS)), ArgumentTypeError, "metrics: expected a"),
        (dict(validation=(XS, XS[:3])), ShapeError, "validation: arrays need one shared"),
        (dict(mesh="cpu"), ArgumentTypeError, "mesh: expected a jax.sharding.Mesh"),
    ],
)
def test_fit_arguments_are_checked_before_tracing(kwargs, error, match):
    call = dict(data=(XS, 2 * XS), loss=_mse, epochs=1, batch_size=4, progress=False)
    call.update(kwargs)
    with pytest.raises(error, match=match):
        fit(_linear, {"a": 0.0}, call.pop("data"), call.pop("loss"), **call)


def test_nan_in_the_data_is_a_divergence_that_names_the_data():
    targets = (2 * XS).at[3].set(jnp.nan)
    with pytest.raises(
        DivergenceError, match=r"epoch 0 is nan; the data holds NaN or inf \(target leaf 0\)"
    ):
        fit(_linear, {"a": 0.0}, (XS, targets), _mse, epochs=2, batch_size=8, progress=False)


def test_a_diverging_run_raises_with_its_history():
    with pytest.raises(DivergenceError, match="the parameters diverged") as e:
        fit(
            _linear,
            {"a": 1.0},
            (XS * 1e3, XS),
            _mse,
            optimizer=optax.sgd(1e30),
            epochs=5,
            batch_size=8,
            progress=False,
        )
    assert len(e.value.history.loss) >= 2 and not np.isfinite(e.value.history.loss[-1])


def test_a_loss_that_is_not_a_scalar():
    with pytest.raises(ShapeError, match=r"loss returned an array of shape \(4,\)"):
        fit(_linear, {"a": 0.0}, (XS, XS), lambda p, t: p - t, batch_size=4, progress=False)


def test_accuracy_labels_must_not_broadcast():
    logits = jnp.array([[0.0, 1.0], [2.0, 0.0], [0.0, 3.0]])
    with pytest.raises(ShapeError, match=r"labels of shape \(3, 1\) for logits of shape \(3, 2\)"):
        accuracy(logits, jnp.array([[1], [0], [0]]))
    assert float(accuracy(logits, jnp.array([1, 0, 0]))) == pytest.approx(2 / 3)


# -- lenses ----------------------------------------------------------------------------------


def test_lens_misuse():
    double = Lens.from_function(lambda v: (v, v), 1, 2)
    with pytest.raises(LensError, match="cannot compose a lens with 2 outputs and one with 1"):
        double >> double
    with pytest.raises(LensError, match="the lens has 1 inputs, got 2"):
        double.get({}, (1.0, 2.0))
    with pytest.raises(LensError, match="the lens has 2 output cotangents, got 1"):
        double.put({}, (1.0,), (1.0,))
    with pytest.raises(LensError, match="with 2 outputs returned 3 values"):
        Lens.from_function(lambda v: (v, v, v), 1, 2).get({}, (1.0,))
    with pytest.raises(ArgumentTypeError, match="composes with a Lens, not a int"):
        double @ 3
    with pytest.raises(ArgumentTypeError, match="lens: expected a DisCoPy diagram"):
        lens(FunctionFunctor({x: 2}), Hypergraph.from_box(f))
    clash = nn.Linear(x, x, name="w") >> nn.Linear(x, y, name="w")
    with pytest.raises(ParameterConflictError, match="entry 'w': w : x → x"):
        lens(FunctionFunctor({x: 2, y: 3}), clash)
    got = double.put({}, (jnp.float32(1.5),), (jnp.float32(2.0), jnp.float32(3.0)))
    assert got[0] == {} and float(got[1][0]) == 5.0


# -- data parallelism ------------------------------------------------------------------------


def test_parallel_misuse():
    mesh = data_mesh()
    with pytest.raises(ShardingError, match=r"\['x'\] has shape \(\): its axis 0 must split"):
        shard_batch({"x": np.float32(1.0)}, mesh)
    with pytest.raises(ArgumentTypeError, match=r"\[0\] is a int 1, not an array .*np.asarray"):
        shard_batch([1, 2], mesh)
    with pytest.raises(ArgumentTypeError, match=r"\['name'\] is a str"):
        replicate({"name": "w"}, mesh)
    with pytest.raises(ArgumentTypeError, match="mesh: expected a jax.sharding.Mesh"):
        shard_batch(np.ones(4), "mesh")
    with pytest.raises(ArgumentTypeError, match=r"devices\[0\] is a str"):
        data_mesh(["cpu"])
    batch = shard_batch(np.arange(4.0), mesh)
    np.testing.assert_array_equal(np.asarray(batch), np.arange(4.0))


# -- silent wrong answers found by an independent probe ------------------------


def test_a_foreign_wire_is_refused_by_every_gate_and_apply():
    b1, b2 = pc.Builder(1), pc.Builder(1)
    foreign, own = b1.inputs[0], b2.inputs[0]
    with pytest.raises(PolycircError, match="of another Builder"):
        b2.add(foreign, own)  # silently built x + x before
    for gate in (
        lambda: b2.mul(own, foreign),
        lambda: b2.neg(foreign),
        lambda: b2.sum([foreign]),
        lambda: b2.sum([own, foreign]),
        lambda: b2.apply(pc.NOT(), [foreign]),
        lambda: b2.build([foreign]),
    ):
        with pytest.raises(PolycircError, match="of another Builder"):
            gate()
    x = b2.inputs[0]  # the builder's own inputs still build: 2x
    assert polynomials(b2.build([b2.add(x, x)]), ["x"]) == (2 * sympy.Symbol("x"),)


def test_duplicate_symbol_names_are_refused():
    b = pc.Builder(2)
    x, y = b.inputs
    f = b.build([b.add(b.mul(x, y), x)])
    X, Y = sympy.symbols("x y")
    assert polynomials(f, ["x", "y"]) == (X * Y + X,)
    with pytest.raises(SymbolError, match="'x' names both input 0 and input 1"):
        polynomials(f, ["x", "x"])  # was (x**2 + x,)


def test_a_name_keyed_entry_does_not_replace_an_nn_layer():
    x = Ty("x")
    dense = nn.Dense(x, x, name="normalise")
    model = dense >> Box("normalise", x, x)
    F = FunctionFunctor({x: 2}, {"normalise": lambda v: 2 * v})
    params = F.init(model, jax.random.key(0))
    assert set(params) == {"normalise"}  # the Dense layer's weights (was {})
    w, b = params["normalise"]["w"], params["normalise"]["b"]
    v = jnp.array([1.0, -2.0])
    want = 2 * (np.asarray(v) @ np.asarray(w) + np.asarray(b))
    np.testing.assert_allclose(F.compile(model).apply(params, v), want, rtol=1e-6)
    ref = FunctionFunctor({x: 2}).compile(dense).apply(params, v)
    np.testing.assert_allclose(ref, want / 2, rtol=1e-6)


def test_lens_checks_shapes_and_types_at_the_boundary():
    x, y = Ty("x"), Ty("y")
    F = FunctionFunctor({x: 2, y: 4})
    lin, lin2 = nn.Linear(x, y, name="l"), nn.Linear(x, y, name="l2")
    params = F.init(lin @ lin2, jax.random.key(0))
    with pytest.raises(ShapeError, match=r"output cotangent 0 \(wire y\) needs shape \(4,\)"):
        lens(F, lin).put(params, (jnp.ones(2),), (jnp.ones(2),))
    with pytest.raises(ShapeError, match=r"input 0 \(wire x\) needs shape \(2,\)"):
        lens(F, lin).get(params, (jnp.ones(4),))
    with pytest.raises(CompositionError, match=r"to y \(4,\) with one from x \(2,\)"):
        lens(F, lin) >> lens(F, lin2)
    _, (dv,) = lens(F, lin).put(params, (jnp.ones(2),), (jnp.ones(4),))
    np.testing.assert_allclose(dv, np.asarray(params["l"]["w"]) @ np.ones(4), rtol=1e-6)


def test_an_undefined_sympy_function_is_refused_at_construction():
    x, t = Ty("x"), sympy.Symbol("t")
    f = Box("f", x, x)
    with pytest.raises(SymbolError, match=r"box f : x → x holds the undefined function\(s\) g"):
        TensorFunctor({x: 2}, {f: [[sympy.Function("g")(t), 0], [0, 1]]})


@pytest.mark.parametrize("label", [-1, 7])
def test_class_labels_out_of_range_are_named(label):
    ce = lambda logits, y: optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()  # noqa: E731
    xs, ys = jnp.ones((8, 2)), jnp.array([0, 1, 2, 0, 1, label, 2, 0])
    with pytest.raises(ArgumentValueError, match=rf"label at index 5 is {label}; .* 0\.\.2"):
        fit(lambda p, v: v @ p, jnp.zeros((2, 3)), (xs, ys), ce, epochs=1, progress=False)
    with pytest.raises(ArgumentValueError, match=rf"validation: .* index 5 is {label}"):
        good = (xs, jnp.zeros(8, jnp.int32))
        fit(
            lambda p, v: v @ p,
            jnp.zeros((2, 3)),
            good,
            ce,
            epochs=1,
            progress=False,
            validation=(xs, ys),
        )
