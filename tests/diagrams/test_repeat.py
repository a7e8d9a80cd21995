"""Repeat / nn.stack: a block run n times as one box, each copy with its own params.

It must mean the unrolled composition of n copies whose weights are the rows of the
stacked entry, in order: values and gradients (float32, ``rtol=1e-4, atol=1e-5``).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.diagrams import Box, Copy, Feedback, Hypergraph, Repeat, Ty, nn
from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CompositionError,
    NotCartesianError,
    ParameterConflictError,
)
from catlearn.functors import FunctionFunctor, Param, TensorFunctor

RTOL, ATOL = 1e-4, 1e-5
h, x, y, z = Ty("h"), Ty("x"), Ty("y"), Ty("z")
N, W = 6, 3
KEY = jax.random.key(11)


def close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def compose(diagrams):
    out = diagrams[0]
    for d in diagrams[1:]:
        out = out >> d
    return out


def row(tree, k):
    return jax.tree.map(lambda a: a[k], tree)


# -- FunctionFunctor -----------------------------------------------------------------
def test_a_stack_of_residual_blocks_is_their_unrolled_composition():
    F = FunctionFunctor({h: W, z: 2, y: 1})
    trunk = nn.stack(nn.residual(nn.Dense(h, h, "tanh", name="f")), N, name="trunk")
    model = nn.Linear(z, h, name="embed") >> trunk >> nn.Linear(h, y, name="out")
    params = F.init(model, KEY)
    assert sorted(params) == ["embed", "out", "trunk"]
    assert jax.tree.map(jnp.shape, params["trunk"]) == {"f": {"w": (N, W, W), "b": (N, W)}}
    stacked = params["trunk"]["f"]
    assert len({float(stacked["w"][k, 0, 0]) for k in range(N)}) == N  # its own per copy

    blocks = [nn.residual(nn.Dense(h, h, "tanh", name=f"f{k}")) for k in range(N)]
    unrolled = compose([nn.Linear(z, h, name="embed")] + blocks + [nn.Linear(h, y, name="out")])
    flat = {"embed": params["embed"], "out": params["out"]}
    flat.update({f"f{k}": row(stacked, k) for k in range(N)})

    v = jnp.asarray(np.random.default_rng(0).normal(size=(4, 2)), jnp.float32)
    f, g = F.compile(model), F.compile(unrolled)
    # A plain loop: u ↦ u + tanh(u W_k + b_k), copy after copy.
    u = np.asarray(v, np.float64) @ np.asarray(params["embed"]["w"], np.float64)
    for k in range(N):
        w, b = (np.asarray(a, np.float64) for a in (stacked["w"][k], stacked["b"][k]))
        u = u + np.tanh(u @ w + b)
    want = u @ np.asarray(params["out"]["w"], np.float64)
    close(f.apply(params, v), want)
    close(g.apply(flat, v), want)

    def loss(apply, p):
        return jnp.sum(jnp.sin(apply(p, v)))

    grads = jax.jit(jax.grad(lambda p: loss(f.apply, p)))(params)
    want_grads = jax.jit(jax.grad(lambda p: loss(g.apply, p)))(flat)
    assert all(bool(jnp.all(jnp.isfinite(a))) for a in jax.tree.leaves(grads))
    assert jax.tree.structure(grads) == jax.tree.structure(params)
    for k in range(N):  # copy k's gradient is row k of the stack's
        for leaf in ("w", "b"):
            close(grads["trunk"]["f"][leaf][k], want_grads[f"f{k}"][leaf])
    close(grads["embed"]["w"], want_grads["embed"]["w"])
    close(grads["out"]["w"], want_grads["out"]["w"])
    assert float(jnp.abs(grads["trunk"]["f"]["w"]).min(axis=(1, 2)).max()) > 0


def test_a_block_of_several_layers_keeps_each_layers_rows():
    F = FunctionFunctor({h: W})
    block = nn.Dense(h, h, "tanh", name="a") >> nn.Linear(h, h, name="b")
    stack = Repeat(block, 4, name="R")
    params = F.init(stack, KEY)
    assert jax.tree.map(jnp.shape, params) == {
        "R": {"a": {"w": (4, W, W), "b": (4, W)}, "b": {"w": (4, W, W)}}
    }
    v = jnp.asarray([[0.5, -1.0, 2.0]])
    u = np.asarray(v, np.float64)
    for k in range(4):
        a, b = row(params["R"]["a"], k), row(params["R"]["b"], k)
        u = np.tanh(u @ np.asarray(a["w"], np.float64) + np.asarray(a["b"], np.float64))
        u = u @ np.asarray(b["w"], np.float64)
    close(F.compile(stack).apply(params, v), u)
    # Copies in reverse order give something else: the order of the rows is read.
    backwards = jax.tree.map(lambda a: a[::-1], params)
    assert not np.allclose(F.compile(stack).apply(backwards, v), u, atol=1e-3)


def test_the_same_repeat_twice_is_tied_and_two_repeats_with_one_name_conflict():
    F = FunctionFunctor({h: W})
    stack = Repeat(nn.Dense(h, h, "tanh", name="f"), 3)
    assert stack.name == "repeat(f)×3" and stack.n == 3
    assert sorted(F.init(stack >> stack, KEY)) == [stack.name]
    other = Repeat(nn.Dense(h, h, "relu", name="f"), 3)  # same name, another block
    assert other != stack
    with pytest.raises(ParameterConflictError, match="repeat"):
        F.compile(stack >> other)


def test_a_block_with_feedback_is_refused_by_the_function_functor():
    cell = nn.RNNCell(h, h, name="cell") >> Copy(h)
    with pytest.raises(NotCartesianError, match="Feedback"):
        FunctionFunctor({h: W}).compile(Repeat(Feedback(cell), 3))


# -- TensorFunctor -------------------------------------------------------------------
def test_a_repeat_of_param_boxes_is_their_product():
    a, b = Box("a", x, x), Box("b", x, x)
    d = 2
    F = TensorFunctor({x: d, y: 3}, {a: Param(), b: Param(), "head": Param()})
    stack = Repeat(a >> b, N, name="R")
    model = stack >> Box("head", x, y)
    params = F.init(model, KEY)
    assert sorted(params) == ["R", "head"]
    assert jax.tree.map(jnp.shape, params["R"]) == {"a": (N, d, d), "b": (N, d, d)}
    mats = []
    for k in range(N):
        mats += [np.asarray(params["R"]["a"][k], np.float64)]
        mats += [np.asarray(params["R"]["b"][k], np.float64)]
    product = np.linalg.multi_dot(mats)
    c = F.compile(stack)
    close(c.tensor(params), product)
    v = jnp.asarray([[1.0, -0.5], [0.25, 2.0]])
    close(c.apply(params, v), np.asarray(v) @ product)
    m = F.compile(model)
    close(m.apply(params, v), np.asarray(v) @ product @ np.asarray(params["head"]))

    # The unrolled composition: boxes a0, b0, a1, b1, … with the stack's rows.
    boxes = [Box(f"{n}{k}", x, x) for k in range(N) for n in "ab"]
    U = TensorFunctor({x: d}, {box: Param() for box in boxes})
    u = U.compile(Hypergraph.sequential([Hypergraph.from_box(box) for box in boxes]))
    rows = {f"{n}{k}": params["R"][n][k] for k in range(N) for n in "ab"}
    close(u.apply(u.stack(rows), v), np.asarray(v) @ product)

    def loss(apply, p):
        return jnp.sum(apply(p, v) ** 2)

    grads = jax.jit(jax.grad(lambda p: loss(c.apply, p)))(params)
    want = u.unstack(jax.jit(jax.grad(lambda p: loss(u.apply, p)))(u.stack(rows)))
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree.leaves(grads))
    for k in range(N):
        for n in "ab":
            close(grads["R"][n][k], want[f"{n}{k}"])


# -- construction errors ----------------------------------------------------------
def test_a_block_that_is_no_endomorphism_is_refused():
    with pytest.raises(CompositionError, match="dom = cod"):
        Repeat(Box("f", x, y), 3)
    with pytest.raises(CompositionError):
        nn.stack(nn.Linear(h, z, name="l"), 2)


@pytest.mark.parametrize("n", [2.5, "3", True, None])
def test_a_count_that_is_no_int_is_refused(n):
    with pytest.raises(ArgumentTypeError, match="Repeat: n"):
        Repeat(Box("f", x, x), n)


def test_other_bad_arguments_are_refused():
    with pytest.raises(ArgumentValueError, match="Repeat: n"):
        Repeat(Box("f", x, x), 0)
    with pytest.raises(ArgumentTypeError, match="name"):
        Repeat(Box("f", x, x), 2, name=7)
    with pytest.raises(ArgumentTypeError, match="diagram"):
        Repeat("f", 2)
    assert Repeat(Box("f", x, x), np.int64(2)).n == 2
