"""Stacked parameters change nothing but where the entries live.

Random chains of runs (stacked ``Param`` runs, constant runs, tied runs, ``Dense``
runs, parameterless activations, ``Linear``/``relu`` blocks; 1 to 40 boxes each, so
both unrolled and scanned runs, maybe between head boxes) give, in the stacked layout,
what the per-box layout gives and what a float64 numpy reference gives (a product of
matrices, a loop of layers, each with its hand-written backward pass): values and
gradients, to float32 tolerance ``rtol=1e-4, atol=1e-5`` (``atol=1e-4`` in the Log
semiring, whose values grow to tens).
"""

import zlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jax.extend.core import jaxprs_in_params

from catlearn.diagrams import Box, Hypergraph, Ty, nn
from catlearn.functors import FunctionFunctor, Param, TensorFunctor
from catlearn.functors.layout import STACK_MIN, stack_key
from catlearn.functors.scan import SCAN_MIN
from catlearn.semirings import Log

RTOL, ATOL = 1e-4, 1e-5
x, y, h, z = Ty("x"), Ty("y"), Ty("h"), Ty("z")


def close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def trees_close(a, b, rtol=RTOL, atol=ATOL):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        close(u, v, rtol, atol)


def sequential(boxes):
    return Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])


def outputs_and_grads(compiled, v, weights):
    """One jitted program: the outputs and the gradient of ``Σ weights ⊙ outputs``."""

    @jax.jit
    def run(p):
        def loss(p):
            out = compiled.apply(p, v)
            return jnp.sum(out * weights), out

        (_, out), grads = jax.value_and_grad(loss, has_aux=True)(p)
        return out, grads

    return run


def orthogonal(key, shape, dtype):
    """Orthogonal squares (products of 120 of them stay O(1)); other shapes normal."""
    if len(shape) == 2 and shape[0] == shape[1]:
        return jax.random.orthogonal(key, shape[0], dtype=dtype)
    return jax.random.normal(key, shape, dtype) / np.sqrt(shape[0])


ORTHOGONAL = Param(init=orthogonal)
lengths = st.one_of(st.integers(1, STACK_MIN - 1), st.integers(STACK_MIN, 40))
segments = st.lists(st.tuples(st.sampled_from(["param", "constant", "tied"]), lengths),
                    min_size=1, max_size=3)  # fmt: skip


def expected_groups(names, classes):
    """The layout the plan should give: maximal stretches of one class (params and tied
    boxes are alike), of at least STACK_MIN boxes, whose entries are all distinct."""
    groups, i = {}, 0
    while i < len(names):
        j = i
        while j + 1 < len(names) and classes[j + 1] == classes[i]:
            j += 1
        block = names[i : j + 1]
        if classes[i] == "param" and len(block) >= STACK_MIN and len(set(block)) == len(block):
            groups[stack_key(tuple(block))] = tuple(block)
        i = j + 1
    return groups


def tensor_chain(segs, d, head, seed, semiring=None):
    """A chain of ``segs`` on a wire of dimension ``d``, maybe ending in a Param head
    x → y (``head`` its dimension, 0 for none). Returns the functor, the graph, each
    box's entry name (or constant array) and each box's class for the layout. A head
    of the chain's shape (d × d) is like the Param boxes before it."""
    rng = np.random.default_rng(seed)
    boxes, ar, items, classes = [], {}, [], []
    for s, (kind, n) in enumerate(segs):
        if kind == "tied":
            box = Box(f"t{s}", x, x)
            ar[box] = ORTHOGONAL
            boxes += [box] * n
            items += [box.name] * n
            classes += ["param"] * n
        elif kind == "param":
            for i in range(n):
                box = Box(f"p{s}_{i}", x, x)
                ar[box] = ORTHOGONAL
                boxes.append(box)
                items.append(box.name)
                classes.append("param")
        else:
            for i in range(n):
                box = Box(f"c{s}_{i}", x, x)
                m = rng.normal(size=(d, d))
                ar[box] = (np.linalg.qr(m)[0] if semiring is None else m).astype(np.float32)
                boxes.append(box)
                items.append(ar[box])
                classes.append("constant")
    if head:
        box = Box("head", x, y)
        ar[box] = ORTHOGONAL
        boxes.append(box)
        items.append(box.name)
        classes.append("param" if head == d else "head")
    F = TensorFunctor({x: d, y: head or 1}, ar, semiring)
    return F, sequential(boxes), items, classes


def matrices(items, rows):
    return [np.asarray(rows[i] if isinstance(i, str) else i, np.float64) for i in items]


def product_and_grads(items, rows, v, weights):
    """``v M₁ … Mₙ`` and the gradient of ``Σ weights ⊙ (v M₁ … Mₙ)`` for each entry,
    ``(v M₁…Mₖ₋₁)ᵀ (weights (Mₖ₊₁…Mₙ)ᵀ)`` summed over the entry's boxes."""
    mats = matrices(items, rows)
    u = np.asarray(v, np.float64).reshape(-1, np.shape(v)[-1])
    prefix = [u]
    for m in mats:
        prefix.append(prefix[-1] @ m)
    g = np.asarray(weights, np.float64).reshape(u.shape[0], -1)
    grads = {}
    for k in reversed(range(len(items))):  # g = ∂loss/∂(output of box k)
        if isinstance(items[k], str):
            grads[items[k]] = grads.get(items[k], 0) + prefix[k].T @ g
        g = g @ mats[k].T
    return prefix[-1].reshape(np.shape(weights)), grads


@settings(max_examples=1)
@given(
    segs=segments,
    d=st.integers(1, 4),
    head=st.integers(0, 3),
    batch=st.sampled_from([(), (1,), (3,)]),
    seed=st.integers(0, 2**16),
)
@example(segs=[("param", 20), ("constant", 17), ("tied", 16)], d=3, head=2, batch=(2,), seed=0)
@example(segs=[("param", 9), ("constant", 1), ("tied", 3)], d=2, head=2, batch=(), seed=1)
@example(segs=[("tied", 5), ("param", 30)], d=2, head=0, batch=(2,), seed=2)
def test_tensor_chain_in_either_layout_is_the_product(segs, d, head, batch, seed):
    F, graph, items, classes = tensor_chain(segs, d, head, seed)
    c = F.compile(graph)
    params = F.init(graph, jax.random.key(seed))
    names = [item if isinstance(item, str) else None for item in items]
    assert c.layout.groups == expected_groups(names, classes)
    rows = c.unstack(params)
    assert sorted(rows) == sorted({n for n in names if n})
    assert c.stack(rows).keys() == params.keys()
    rng = np.random.default_rng(seed + 1)
    v = jnp.asarray(rng.normal(size=batch + (d,)), jnp.float32)
    weights = jnp.asarray(rng.normal(size=batch + ((head or d),)), jnp.float32)
    want, want_grads = product_and_grads(items, rows, v, weights)
    agree_in_both_layouts(c, params, rows, v, weights, want, want_grads)


def agree_in_both_layouts(compiled, params, rows, v, weights, want, want_grads):
    """Stacked and per-box params give the reference's values and gradients."""
    run = outputs_and_grads(compiled, v, weights)
    out_stacked, g_stacked = run(params)
    out_rows, g_rows = run(rows)
    close(out_stacked, want)
    close(out_rows, want)
    assert jax.tree.structure(g_stacked) == jax.tree.structure(params)
    trees_close(compiled.unstack(g_stacked), g_rows)
    # float32 against a float64 loop: an entry that cancels (0.17 from terms of ~27,
    # through 34 layers) keeps an absolute error of its leaf's scale times float32's ε
    assert jax.tree.structure(g_rows) == jax.tree.structure(want_grads)
    for got, exact in zip(jax.tree.leaves(g_rows), jax.tree.leaves(want_grads)):
        close(got, exact, atol=ATOL * max(1.0, float(np.max(np.abs(exact), initial=0.0))))


def test_the_whole_tensor_and_a_direct_call_of_a_chain_with_scanned_runs():
    """``tensor``: a run not fed by a vector contracts as its own product; ``apply``
    called directly (its own jit) agrees, in either layout."""
    segs = [("param", 20), ("constant", 17), ("tied", 16), ("param", 9)]
    F, graph, items, _ = tensor_chain(segs, 3, 2, seed=3)
    c = F.compile(graph)
    params = F.init(graph, jax.random.key(3))
    rows = c.unstack(params)
    want = np.linalg.multi_dot(matrices(items, rows))
    close(c.tensor(params), want)
    close(c.tensor(rows), want)
    v = jnp.asarray([[1.0, -2.0, 0.5]])
    close(c.apply(params, v), np.asarray(v) @ want)
    close(c.apply(rows, v), np.asarray(v) @ want)


def square_orthogonal(key, shape, dtype):
    """An orthogonal (d², d²) matrix as a box x ⊗ x → x ⊗ x: axes (d, d, d, d)."""
    n = int(np.prod(shape[: len(shape) // 2]))
    return jax.random.orthogonal(key, n, dtype=dtype).reshape(shape)


@pytest.mark.parametrize("n", [10, 20], ids=["unrolled", "scanned"])
def test_period_two_and_multi_wire_runs_are_products(n):
    """Blocks ``x → y → x`` of two Param boxes of other shapes (period 2: two stacks)
    and boxes ``x ⊗ x → x ⊗ x`` chained: each wire pair read as one d²-dimensional wire."""
    boxes = [b for i in range(n) for b in (Box(f"a{i}", x, y), Box(f"b{i}", y, x))]
    F = TensorFunctor({x: 2, y: 3}, {b: Param() for b in boxes})
    graph = sequential(boxes)
    c = F.compile(graph)
    params = F.init(graph, jax.random.key(n))
    assert c.layout.groups == {
        f"a0..a{n - 1}": tuple(f"a{i}" for i in range(n)),
        f"b0..b{n - 1}": tuple(f"b{i}" for i in range(n)),
    }
    rows = c.unstack(params)
    v = jnp.asarray([[1.0, -0.5], [0.3, 2.0]])
    weights = jnp.asarray([[0.5, -1.0], [2.0, 0.1]])
    items = [b.name for b in boxes]
    want, want_grads = product_and_grads(items, rows, v, weights)
    scale = np.abs(want).max()
    run = outputs_and_grads(c, v, weights)
    out, grads = run(params)
    close(out, want, atol=ATOL * scale)
    close(run(rows)[0], want, atol=ATOL * scale)
    trees_close(c.unstack(grads), want_grads, atol=ATOL * scale * 10)

    d = 2
    boxes = [Box(f"m{i}", x @ x, x @ x) for i in range(n)]
    F = TensorFunctor({x: d}, {b: Param(init=square_orthogonal) for b in boxes})
    graph = sequential(boxes)
    c = F.compile(graph)
    params = F.init(graph, jax.random.key(n))
    assert c.layout.groups == {f"m0..m{n - 1}": tuple(b.name for b in boxes)}
    rows = c.unstack(params)
    mats = {k: np.asarray(a).reshape(d * d, d * d) for k, a in rows.items()}
    u1 = jnp.asarray([[1.0, -0.5], [0.3, 2.0], [0.0, 1.0]])
    u2 = jnp.asarray([[0.2, 0.7], [-1.0, 0.4], [1.0, 1.0]])
    joint = np.einsum("bi,bj->bij", u1, u2).reshape(3, d * d)
    want = (joint @ np.linalg.multi_dot([mats[b.name] for b in boxes])).reshape(3, d, d)
    close(c.apply(params, u1, u2), want)
    close(c.apply(rows, u1, u2), want)
    close(c.tensor(params).reshape(d * d, d * d),
          np.linalg.multi_dot([mats[b.name] for b in boxes]))  # fmt: skip


def test_the_comparison_is_not_vacuous():
    """Rows permuted within a stack (scanned and unrolled) change the result, and the
    right rows put back by ``replace`` restore it: the checks above see the order."""
    for n in (12, 20):
        F, graph, items, _ = tensor_chain([("param", n)], 3, 0, seed=n)
        c = F.compile(graph)
        params = F.init(graph, jax.random.key(0))
        (key,) = params
        v = jnp.asarray([[1.0, 0.5, -1.0]])
        good = c.apply(params, v)
        mutant = {key: params[key][::-1]}
        assert not np.allclose(c.apply(mutant, v), good, rtol=RTOL, atol=1e-3)
        swapped = {key: params[key].at[jnp.array([3, 4])].set(params[key][jnp.array([4, 3])])}
        assert not np.allclose(c.apply(swapped, v), good, rtol=RTOL, atol=1e-3)
        fixed = c.layout.replace(swapped, items[3], params[key][3])
        fixed = c.layout.replace(fixed, items[4], params[key][4])
        close(c.apply(fixed, v), good)


# -- Log semiring ---------------------------------------------------------------------
def log_product_and_grads(items, rows, v, weights):
    """``u ↦ logsumexp_i(u_i + M[i, j])`` box after box, and its backward pass: the
    gradient flows back through each box's softmax over i."""
    mats = matrices(items, rows)
    us = [np.asarray(v, np.float64)]
    for m in mats:
        t = us[-1][:, :, None] + m[None]
        top = t.max(axis=1, keepdims=True)
        us.append((top + np.log(np.exp(t - top).sum(axis=1, keepdims=True)))[:, 0])
    g, grads = np.asarray(weights, np.float64), {}
    for k in reversed(range(len(mats))):
        p = np.exp(us[k][:, :, None] + mats[k][None] - us[k + 1][:, None, :])
        if isinstance(items[k], str):
            grads[items[k]] = grads.get(items[k], 0) + np.einsum("bj,bij->ij", g, p)
        g = np.einsum("bj,bij->bi", g, p)
    return us[-1], grads


def test_log_semiring_chain_is_a_logsumexp_product():
    """Stacked Param rows and constants, scanned, then an unrolled stack: values and
    gradients against the hand-written logsumexp product (Log compiles slowly: the
    gradient is checked on the first)."""
    for segs, d in ([("param", 17), ("constant", 16)], 2), ([("param", 9)], 3):
        F, graph, items, classes = tensor_chain(segs, d, 0, 0, semiring=Log())
        c = F.compile(graph)
        params = F.init(graph, jax.random.key(0))
        names = [item if isinstance(item, str) else None for item in items]
        assert c.layout.groups == expected_groups(names, classes) != {}
        rows = c.unstack(params)
        rng = np.random.default_rng(d)
        v = jnp.asarray(rng.normal(size=(2, d)), jnp.float32)
        weights = jnp.asarray(rng.normal(size=(2, d)), jnp.float32)
        want, want_grads = log_product_and_grads(items, rows, v, weights)
        close(c.apply(params, v), want, atol=1e-4)
        close(c.apply(rows, v), want, atol=1e-4)
        if len(items) > SCAN_MIN:
            out, grads = outputs_and_grads(c, v, weights)(params)
            close(out, want, atol=1e-4)
            trees_close(c.unstack(grads), want_grads, atol=1e-4)


# -- FunctionFunctor ---------------------------------------------------------------
ACT = {
    "tanh": (np.tanh, lambda a: 1 - np.tanh(a) ** 2),
    "relu": (lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(a.dtype)),
    None: (lambda a: a, np.ones_like),
}
KINDS = ["dense", "dense_relu", "tied", "tanh", "relu", "block"]
# Segments whose layers are alike (one run when adjacent): Dense layers by activation,
# parameterless activations, and Linear >> relu blocks.
CLASS = {"dense": "dense tanh", "tied": "dense tanh", "dense_relu": "dense relu",
         "tanh": "act", "relu": "act", "block": "block"}  # fmt: skip
function_segments = st.lists(st.tuples(st.sampled_from(KINDS), lengths), min_size=1, max_size=3)


def function_chain(segs):
    """Layers on a wire h; "block" is ``Linear >> relu`` repeated (period 2)."""
    boxes = []
    for s, (kind, n) in enumerate(segs):
        if kind == "dense":
            boxes += [nn.Dense(h, h, "tanh", name=f"d{s}_{i}") for i in range(n)]
        elif kind == "dense_relu":
            boxes += [nn.Dense(h, h, "relu", name=f"r{s}_{i}") for i in range(n)]
        elif kind == "tied":
            boxes += [nn.Dense(h, h, "tanh", name=f"t{s}")] * n
        elif kind in ("tanh", "relu"):
            boxes += [nn.Activation(kind, h)] * n
        else:
            for i in range(n):
                boxes += [nn.Linear(h, h, name=f"l{s}_{i}"), nn.relu(h)]
    return boxes


def expected_function_groups(segs, boxes):
    """Adjacent segments of one class are one run; its layers' entries are stacked when
    they are distinct and the run has at least STACK_MIN boxes."""
    groups, start, i = {}, 0, 0
    sizes = [n * (2 if kind == "block" else 1) for kind, n in segs]
    while i < len(segs):
        j = i
        while j + 1 < len(segs) and CLASS[segs[j + 1][0]] == CLASS[segs[i][0]]:
            j += 1
        stop = start + sum(sizes[i : j + 1])
        names = [b.name for b in boxes[start:stop] if not isinstance(b, nn.Activation)]
        if names and stop - start >= STACK_MIN and len(set(names)) == len(names):
            groups[stack_key(tuple(names))] = tuple(names)
        start, i = stop, j + 1
    return groups


def layers_and_grads(boxes, rows, v, weights):
    """σ(u W + b), u W or σ(u), box after box, and the backward pass of
    ``Σ weights ⊙ output`` by hand, in float64."""
    rows = jax.tree.map(lambda a: np.asarray(a, np.float64), rows)
    u, tape = np.asarray(v, np.float64), []
    for box in boxes:
        if isinstance(box, nn.Dense):
            a = u @ rows[box.name]["w"] + rows[box.name]["b"]
            tape.append((u, a))
            u = ACT[box.activation][0](a)
        elif isinstance(box, nn.Linear):
            tape.append((u, None))
            u = u @ rows[box.name]["w"]
        else:
            tape.append((u, None))
            u = ACT[box.name][0](u)
    g = np.asarray(weights, np.float64)
    grads = jax.tree.map(np.zeros_like, rows)
    for box, (before, a) in zip(boxes[::-1], tape[::-1]):
        if isinstance(box, nn.Dense):
            g = g * ACT[box.activation][1](a)
            grads[box.name]["w"] += before.T @ g
            grads[box.name]["b"] += g.sum(axis=0)
            g = g @ rows[box.name]["w"].T
        elif isinstance(box, nn.Linear):
            grads[box.name]["w"] += before.T @ g
            g = g @ rows[box.name]["w"].T
        else:
            g = g * ACT[box.name][1](before)
    return u, grads


@settings(max_examples=1)
@given(
    segs=function_segments,
    width=st.integers(1, 5),
    head=st.booleans(),
    seed=st.integers(0, 2**16),
)
@example(segs=[("dense", 16), ("relu", 2), ("tied", 16)], width=3, head=True, seed=0)
@example(segs=[("block", 8), ("dense_relu", 9)], width=2, head=False, seed=2)
@example(segs=[("tanh", 8), ("relu", 8)], width=2, head=False, seed=3)
def test_dense_chain_in_either_layout_is_the_loop_of_layers(segs, width, head, seed):
    boxes = function_chain(segs)
    if head:  # an embedding before and a readout after, not like the layers between
        boxes = [nn.Linear(z, h, name="embed")] + boxes + [nn.Dense(h, y, None, name="out")]
    F = FunctionFunctor({h: width, z: width + 1, y: 3})
    graph = sequential(boxes)
    f = F.compile(graph)
    params = F.init(graph, jax.random.key(seed))
    assert f.layout.groups == expected_function_groups(segs, function_chain(segs))
    rows = f.unstack(params)
    assert f.stack(rows).keys() == params.keys()
    rng = np.random.default_rng(seed)
    v = jnp.asarray(rng.normal(size=(3, width + 1 if head else width)), jnp.float32)
    weights = jnp.asarray(rng.normal(size=(3, 3 if head else width)), jnp.float32)
    want, want_grads = layers_and_grads(boxes, rows, v, weights)
    agree_in_both_layouts(f, params, rows, v, weights, want, want_grads)


def test_a_run_of_different_activations_runs_each_one():
    """Sixteen parameterless activations, tanh then relu (one scan's worth): each box
    runs its own function, not the first box's."""
    boxes = [nn.tanh(h)] * 8 + [nn.relu(h)] * 8
    f = FunctionFunctor({h: 2}).compile(sequential(boxes))
    v = jnp.array([[-1.0, 2.0]])
    close(f(v), layers_and_grads(boxes, {}, v, v)[0])


def test_dense_rows_permuted_change_the_output():
    boxes = [nn.Dense(h, h, "tanh", name=f"m{i}") for i in range(SCAN_MIN + 4)]
    F = FunctionFunctor({h: 3})
    graph = sequential(boxes)
    f = F.compile(graph)
    params = F.init(graph, jax.random.key(0))
    (key,) = params
    v = jnp.ones((2, 3))
    mutant = {key: jax.tree.map(lambda a: a[::-1], params[key])}
    assert not np.allclose(f.apply(mutant, v), f.apply(params, v), rtol=RTOL, atol=1e-3)


# -- a compiled diagram inside the user's transformations --------------------------
def nested_jits(jaxpr, inside=()):
    """``(names of the enclosing jits, name)`` for every jit equation, recursively."""
    found = []
    for eqn in jaxpr.eqns:
        here = inside
        if eqn.primitive.name in ("pjit", "jit"):
            found.append((inside, eqn.params.get("name")))
            here = inside + (eqn.params.get("name"),)
        for sub in jaxprs_in_params(eqn.params):
            found += nested_jits(sub, here)
    return found


def program_jits(jaxpr, name):
    """Every jit named ``name``: ``CompiledDiagram``'s program is jitted as ``_contract``,
    and so is ``semirings.contract`` outside any trace; inside one, both inline."""
    return [outer for outer, inner in nested_jits(jaxpr) if inner == name]


def test_a_compiled_diagram_traces_inline_under_jit_grad_and_vmap():
    n, d = SCAN_MIN + 2, 3
    F, graph, items, _ = tensor_chain([("param", n), ("constant", 3)], d, 2, seed=5)
    c = F.compile(graph)
    params = F.init(graph, jax.random.key(0))
    rows = c.unstack(params)
    v = jnp.asarray(np.random.default_rng(0).normal(size=(4, d)), jnp.float32)
    inline = jax.make_jaxpr(lambda p, v: c.apply(p, v))(params, v).jaxpr
    assert program_jits(inline, "_contract") == []
    # The scan of the run is in the user's trace, not inside any jit.
    assert "scan" in [eqn.primitive.name for eqn in inline.eqns]
    # The detector is not blind: the program's own jit, called as such, shows up.
    nested = jax.make_jaxpr(lambda p, v: c._jitted(c._consts_tuple, p, [v]))(params, v).jaxpr
    assert program_jits(nested, "_contract") != []
    assert "scan" not in [eqn.primitive.name for eqn in nested.eqns]
    grad = jax.make_jaxpr(jax.grad(lambda p: c.apply(p, v).sum()))(params).jaxpr
    assert program_jits(grad, "_contract") == []

    want = np.asarray(v, np.float64) @ np.linalg.multi_dot(matrices(items, rows))
    # vmap over the inputs, and over several parameter sets at once.
    close(jax.vmap(lambda u: c.apply(params, u))(v), want)
    many = jax.tree.map(lambda a: jnp.stack([a, -a]), params)
    got = jax.vmap(lambda p: c.apply(p, v))(many)
    close(got[0], want)
    close(got[1], -want if n % 2 == 0 else want)  # n + 1 Param boxes negated
    # grad under jit, against the hand-written one.
    g = jax.jit(jax.grad(lambda p: c.apply(p, v).sum()))(params)
    trees_close(c.unstack(g), product_and_grads(items, rows, v, jnp.ones((4, 2)))[1])

    # FunctionFunctor: the same for its program (jitted as ``_run``).
    boxes = [nn.Dense(h, h, "tanh", name=f"e{i}") for i in range(10)]
    FF = FunctionFunctor({h: 3})
    f = FF.compile(sequential(boxes))
    fp = FF.init(sequential(boxes), jax.random.key(1))
    inline = jax.make_jaxpr(f.apply)(fp, v).jaxpr
    assert "_run" not in [name for _, name in nested_jits(inline)]
    nested = jax.make_jaxpr(lambda p, v: f._jitted(p, (v,)))(fp, v).jaxpr
    assert "_run" in [name for _, name in nested_jits(nested)]
    want, grads = layers_and_grads(boxes, f.unstack(fp), v, np.ones((4, 3)))
    close(jax.vmap(lambda u: f.apply(fp, u))(v), want)
    g = jax.jit(jax.grad(lambda p: f.apply(p, v).sum()))(fp)
    trees_close(f.unstack(g), grads)


@pytest.mark.parametrize("n", [STACK_MIN, SCAN_MIN - 1, SCAN_MIN])
def test_init_values_do_not_depend_on_the_layout(n):
    """A stacked row is what the box gets on its own, at the thresholds of both rules."""
    F, graph, items, _ = tensor_chain([("param", n)], 2, 0, seed=0)
    rows = F.compile(graph).unstack(F.init(graph, jax.random.key(3)))
    for name in items:
        k = jax.random.fold_in(jax.random.key(3), zlib.crc32(name.encode()))
        np.testing.assert_array_equal(rows[name], orthogonal(k, (2, 2), jnp.float32))
