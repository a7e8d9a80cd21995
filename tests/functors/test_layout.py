"""The params layout: runs of like boxes keep one stacked entry, and the params stay a
plain dict that pickle, ``np.savez``, optax and ``replicate`` take as they are."""

import functools
import io
import pickle
import re
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catlearn.diagrams import Box, Ty, nn
from catlearn.errors import MissingImageError, ParameterConflictError, ShapeError
from catlearn.functors import FunctionFunctor, Layout, Param, TensorFunctor
from catlearn.functors.layout import STACK_MIN, stack_key
from catlearn.parallel import data_mesh, replicate

x, h = Ty("x"), Ty("h")
N, DX, DH = 12, 3, 4
KEY = jax.random.key(7)
BOXES = [Box(f"w{i}", x, x) for i in range(N)]
DENSE = [nn.Dense(h, h, "tanh", name=f"d{i}") for i in range(N)]


def compose(boxes):
    diagram = boxes[0]
    for box in boxes[1:]:
        diagram = diagram >> box
    return diagram


TF = TensorFunctor({x: DX}, {b: Param() for b in BOXES})
FF = FunctionFunctor({h: DH})
CHAIN, DEEP = compose(BOXES), compose(DENSE)
V = jnp.asarray(np.random.default_rng(0).normal(size=(5, DX)), jnp.float32)
U = jnp.asarray(np.random.default_rng(1).normal(size=(5, DH)), jnp.float32)


@pytest.fixture(scope="module")
def tensor_chain():
    return TF.compile(CHAIN), TF.init(CHAIN, KEY)


@pytest.fixture(scope="module")
def dense_chain():
    return FF.compile(DEEP), FF.init(DEEP, KEY)


def pytree_equal(a, b):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


# -- Layout on its own ---------------------------------------------------------
GROUP = ("a", "b", "c")
LAYOUT = Layout({stack_key(GROUP): GROUP})


def per_box(pytree=False):
    rng = np.random.default_rng(3)
    if pytree:
        rows = {n: {"w": rng.normal(size=(2, 2)), "b": rng.normal(size=2)} for n in GROUP}
    else:
        rows = {n: rng.normal(size=(2,)) for n in GROUP}
    rows = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), rows)
    return {**rows, "other": jnp.ones(4)}


def test_stack_key_names_first_and_last():
    assert stack_key(("w0", "w1", "w9")) == "w0..w9"
    assert LAYOUT.groups == {"a..c": GROUP}
    assert LAYOUT.row("b") == ("a..c", 1) and LAYOUT.row("other") is None


@pytest.mark.parametrize("pytree", [False, True], ids=["arrays", "pytrees"])
def test_stack_and_unstack_are_inverse(pytree):
    params = per_box(pytree)
    stacked = LAYOUT.stack(params)
    assert sorted(stacked) == ["a..c", "other"]
    for leaf, row in zip(jax.tree.leaves(stacked["a..c"]), jax.tree.leaves(params["b"])):
        assert leaf.shape == (3,) + row.shape
        np.testing.assert_array_equal(leaf[1], row)
    pytree_equal(LAYOUT.unstack(stacked), params)
    pytree_equal(LAYOUT.stack(LAYOUT.unstack(stacked)), stacked)
    pytree_equal(LAYOUT.stack(stacked), stacked)  # already stacked: kept
    pytree_equal(LAYOUT.unstack(params), params)  # already per box: kept


@pytest.mark.parametrize("pytree", [False, True], ids=["arrays", "pytrees"])
def test_entry_and_replace_touch_one_row(pytree):
    params = per_box(pytree)
    stacked = LAYOUT.stack(params)
    for name in GROUP:
        pytree_equal(LAYOUT.entry(stacked, name), params[name])
        pytree_equal(LAYOUT.entry(params, name), params[name])
    new = jax.tree.map(lambda a: jnp.full_like(a, 7.0), params["b"])
    replaced = LAYOUT.replace(stacked, "b", new)
    assert sorted(replaced) == sorted(stacked)
    pytree_equal(LAYOUT.entry(replaced, "b"), new)
    pytree_equal(LAYOUT.entry(replaced, "a"), params["a"])
    pytree_equal(LAYOUT.entry(replaced, "c"), params["c"])
    pytree_equal(LAYOUT.entry(stacked, "b"), params["b"])  # the original is untouched
    pytree_equal(LAYOUT.unstack(replaced), {**params, "b": new})


def test_replace_with_another_structure_or_shape_is_refused():
    stacked = LAYOUT.stack(per_box(pytree=True))
    with pytest.raises(ShapeError, match="'b'"):
        LAYOUT.replace(stacked, "b", {"w": jnp.zeros((2, 2))})
    # A value that would broadcast into the row (``.at[k].set``) is no row.
    with pytest.raises(ShapeError, match="'b'"):
        LAYOUT.replace(stacked, "b", {"w": jnp.zeros(()), "b": jnp.zeros(2)})
    with pytest.raises(ShapeError, match="'b'"):
        LAYOUT.replace(LAYOUT.stack(per_box()), "b", jnp.zeros((1,)))


@pytest.mark.parametrize("wrong", [lambda a: a[:2], lambda a: jnp.concatenate([a, a[:1]])],
                         ids=["one_short", "one_over"])  # fmt: skip
@pytest.mark.parametrize("read", ["entry", "stacked", "unstack"])
def test_a_stack_with_rows_missing_or_extra_is_refused(wrong, read):
    """JAX clamps an index past the end: row 2 of a two-row stack would silently be
    row 1, and an extra row silently dropped."""
    stacked = LAYOUT.stack(per_box(pytree=True))
    bad = {"a..c": jax.tree.map(wrong, stacked["a..c"])}
    with pytest.raises(ShapeError, match="a..c"):
        if read == "entry":
            LAYOUT.entry(bad, "c")
        elif read == "stacked":
            LAYOUT.stacked(bad, "a..c")
        else:
            LAYOUT.unstack(bad)


def test_both_forms_of_one_group_conflict():
    params = per_box()
    both = {**LAYOUT.stack(params), "b": params["b"]}
    with pytest.raises(ParameterConflictError, match="a..c"):
        LAYOUT.unstack(both)
    with pytest.raises(ParameterConflictError, match="a..c"):
        LAYOUT.stack(both)
    with pytest.raises(ParameterConflictError, match="a..c"):
        LAYOUT.stacked(both, "a..c")
    with pytest.raises(ParameterConflictError, match="a..c"):
        LAYOUT.entry(both, "b")


def test_a_group_given_in_part_is_refused():
    params = per_box()
    del params["c"]
    with pytest.raises(MissingImageError, match="'c'"):
        LAYOUT.stack(params)


def test_entry_names_the_missing_box():
    with pytest.raises(MissingImageError, match="row 2 of 'a..c'"):
        LAYOUT.entry({"other": jnp.ones(1)}, "c")


# -- the layout init gives -----------------------------------------------------
def test_long_runs_come_stacked_and_short_ones_per_box(tensor_chain, dense_chain):
    c, params = tensor_chain
    names = tuple(b.name for b in BOXES)
    assert c.layout == Layout({"w0..w11": names})
    assert list(params) == ["w0..w11"] and params["w0..w11"].shape == (N, DX, DX)
    f, fparams = dense_chain
    assert list(fparams) == ["d0..d11"]
    assert jax.tree.map(jnp.shape, fparams["d0..d11"]) == {"w": (N, DH, DH), "b": (N, DH)}
    short = compose(BOXES[: STACK_MIN - 1])
    assert sorted(TF.init(short, KEY)) == sorted(names[: STACK_MIN - 1])
    assert len(TF.init(compose(BOXES[:STACK_MIN]), KEY)) == 1


def test_an_entry_is_what_its_box_gets_on_its_own(tensor_chain, dense_chain):
    c, params = tensor_chain
    rows = c.unstack(params)
    short = TF.init(compose(BOXES[:3]), KEY)  # per-box layout: no stack
    for box in BOXES:
        alone = TF.init(box, KEY)[box.name]
        np.testing.assert_array_equal(rows[box.name], alone)
        drawn = Param().init(jax.random.fold_in(KEY, zlib.crc32(box.name.encode())), (DX, DX),
                             jnp.float32)  # fmt: skip
        np.testing.assert_array_equal(rows[box.name], drawn)
    for name in short:
        np.testing.assert_array_equal(short[name], rows[name])
    f, fparams = dense_chain
    frows = f.unstack(fparams)
    for layer in DENSE:
        k = jax.random.fold_in(KEY, zlib.crc32(layer.name.encode()))
        pytree_equal(frows[layer.name], layer.init(k, [(DH,)], [(DH,)]))
        pytree_equal(frows[layer.name], FF.init(layer, KEY)[layer.name])
    # Distinct boxes get distinct draws.
    assert len({float(r["w"][0, 0]) for r in frows.values()}) == N


def test_apply_takes_either_layout(tensor_chain, dense_chain):
    c, params = tensor_chain
    rows = c.unstack(params)
    want = np.asarray(V) @ np.linalg.multi_dot([np.asarray(rows[b.name]) for b in BOXES])
    np.testing.assert_allclose(c.apply(params, V), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c.apply(rows, V), want, rtol=1e-4, atol=1e-5)
    pytree_equal(c.stack(rows), params)
    f, fparams = dense_chain
    frows = f.unstack(fparams)
    np.testing.assert_allclose(f.apply(frows, U), f.apply(fparams, U), rtol=1e-5, atol=1e-6)
    pytree_equal(f.stack(frows), fparams)


@functools.cache
def chains(n):
    """A chain of ``n`` Param boxes (TensorFunctor) and of ``n`` Dense layers
    (FunctionFunctor), compiled, with their params: 12 boxes are stacked and unrolled,
    20 stacked and scanned."""
    boxes = [Box(f"w{i}", x, x) for i in range(n)]
    tf = TensorFunctor({x: DX}, {b: Param() for b in boxes})
    dense = [nn.Dense(h, h, "tanh", name=f"d{i}") for i in range(n)]
    c, f = tf.compile(compose(boxes)), FF.compile(compose(dense))
    return (c, tf.init(compose(boxes), KEY), V), (f, FF.init(compose(dense), KEY), U)


@pytest.mark.parametrize("n", [12, 20], ids=["unrolled", "scanned"])
@pytest.mark.parametrize("which", [0, 1], ids=["tensor", "function"])
def test_both_forms_in_one_params_are_refused_by_apply(n, which):
    compiled, params, v = chains(n)[which]
    (key,) = params
    member = compiled.layout.groups[key][4]
    row = compiled.unstack(params)[member]
    with pytest.raises(ParameterConflictError, match=re.escape(key)):
        compiled.apply({**params, member: row}, v)


@pytest.mark.parametrize("rows", [-1, +1], ids=["one_short", "one_over"])
@pytest.mark.parametrize("n", [12, 20], ids=["unrolled", "scanned"])
@pytest.mark.parametrize("which", [0, 1], ids=["tensor", "function"])
def test_a_stack_with_the_wrong_leading_axis_is_refused(rows, n, which):
    compiled, params, v = chains(n)[which]
    (key,) = params
    if rows < 0:
        wrong = jax.tree.map(lambda a: a[:rows], params[key])
    else:
        wrong = jax.tree.map(lambda a: jnp.concatenate([a, a[:rows]]), params[key])
    with pytest.raises(ShapeError, match=re.escape(key)):
        compiled.apply({key: wrong}, v)


def test_a_per_box_entry_missing_is_named(tensor_chain):
    c, params = tensor_chain
    rows = c.unstack(params)
    del rows["w5"]
    with pytest.raises(MissingImageError, match="w5"):
        c.apply(rows, V)


# -- the params are a plain dict ---------------------------------------------------
def flatten(params):
    """The user route to ``np.savez`` for pytree entries: one array per leaf path."""
    leaves, tree = jax.tree_util.tree_flatten_with_path(params)
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in leaves}, tree


def test_params_survive_pickle_and_savez(tensor_chain, dense_chain):
    c, params = tensor_chain
    f, fparams = dense_chain
    for compiled, p, v in ((c, params, V), (f, fparams, U)):
        want = compiled.apply(p, v)
        back = pickle.loads(pickle.dumps(p))
        pytree_equal(back, p)
        np.testing.assert_array_equal(compiled.apply(back, v), want)
    # Tensor params are a dict of arrays: savez takes them as they are.
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    buffer.seek(0)
    with np.load(buffer) as z:
        loaded = {k: jnp.asarray(z[k]) for k in z.files}
    pytree_equal(loaded, params)
    np.testing.assert_array_equal(c.apply(loaded, V), c.apply(params, V))
    # Dense params hold dicts: save one array per leaf, rebuild with the tree.
    flat, tree = flatten(fparams)
    assert sorted(flat) == ["['d0..d11']['b']", "['d0..d11']['w']"]
    buffer = io.BytesIO()
    np.savez(buffer, **flat)
    buffer.seek(0)
    with np.load(buffer) as z:  # flat's keys are in the tree's leaf order
        loaded = jax.tree_util.tree_unflatten(tree, [jnp.asarray(z[k]) for k in flat])
    pytree_equal(loaded, fparams)
    np.testing.assert_array_equal(f.apply(loaded, U), f.apply(fparams, U))


@pytest.mark.parametrize("which", ["tensor", "function"])
def test_an_adam_step_keeps_the_layout_and_lowers_the_loss(which, tensor_chain, dense_chain):
    compiled, params = tensor_chain if which == "tensor" else dense_chain
    v = V if which == "tensor" else U
    target = jnp.zeros((v.shape[0], v.shape[1])) + 0.5

    def loss(p):
        return jnp.mean((compiled.apply(p, v) - target) ** 2)

    optimizer = optax.adam(1e-2)
    state = optimizer.init(params)

    @jax.jit
    def step(p, state):
        value, grads = jax.value_and_grad(loss)(p)
        updates, state = optimizer.update(grads, state, p)
        return optax.apply_updates(p, updates), state, value, grads

    p, losses = params, []
    for _ in range(5):
        p, state, value, grads = step(p, state)
        losses.append(float(value))
    assert jax.tree.structure(p) == jax.tree.structure(params)
    assert jax.tree.structure(grads) == jax.tree.structure(params)
    assert jax.tree.map(jnp.shape, p) == jax.tree.map(jnp.shape, params)
    assert losses[-1] < losses[0]
    assert float(loss(p)) < losses[0]
    # Every row moved: the stack is one parameter per box, not one shared.
    key = next(iter(params))
    moved = jax.tree.leaves(jax.tree.map(lambda a, b: jnp.abs(a - b).reshape(N, -1).max(1),
                                         p[key], params[key]))  # fmt: skip
    assert all(bool(jnp.all(m > 0)) for m in moved)


def test_replicate_on_a_one_device_mesh_keeps_the_structure(tensor_chain, dense_chain):
    mesh = data_mesh(jax.devices()[:1])
    for compiled, params, v in ((*tensor_chain, V), (*dense_chain, U)):
        put = replicate(params, mesh)
        assert jax.tree.structure(put) == jax.tree.structure(params)
        pytree_equal(put, params)
        assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(put))
        np.testing.assert_allclose(compiled.apply(put, v), compiled.apply(params, v), rtol=1e-6)
