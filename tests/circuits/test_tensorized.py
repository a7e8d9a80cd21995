"""Tensorised PCs: dense evaluation = the flat circuit's, normalised, trainable."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catlearn.circuits.region_graph import poon_domingos, quad_tree, random_binary_tree, rat_spn
from catlearn.circuits.tensorized import TensorizedPC
from catlearn.laws.random_circuits import assignments
from catlearn.semirings import Log, MaxPlus


@pytest.mark.parametrize(
    "tree", [random_binary_tree(5, seed=2), quad_tree(2, 3)], ids=["random", "quad"]
)
def test_dense_evaluation_equals_the_flat_circuit(tree):
    pc = TensorizedPC(tree, units=3, states=3)
    params = pc.init(jax.random.key(0))
    c = pc.to_circuit(params)
    assert c.is_smooth() and c.is_decomposable()
    x = np.random.default_rng(0).integers(-1, 3, size=(6, tree.n_vars))
    for S in (Log(), MaxPlus()) if tree.n_vars == 6 else (Log(),):  # each S is a compile
        dense = np.asarray(pc.log_likelihood(params, x, S))
        flat = np.asarray(c.compile(S)(x))[:, 0]
        np.testing.assert_allclose(dense, flat, rtol=1e-5, atol=1e-5)


def test_likelihood_is_normalised_and_marginalises_exactly():
    tree = random_binary_tree(5, seed=1)
    pc = TensorizedPC(tree, units=4)
    params = pc.init(jax.random.key(3))
    every = assignments(5)
    partial = -np.ones((1, 5), int)
    partial[0, 0] = 1
    # One call (one compile): the joint of every assignment, and p(x1 = 1) marginalised.
    logp = np.asarray(pc.log_likelihood(params, np.concatenate([every, partial])))
    joint, marginal = np.exp(logp[:-1]), float(np.exp(logp[-1]))
    assert joint.sum() == pytest.approx(1.0, abs=1e-5)
    assert marginal == pytest.approx(joint[every[:, 0] == 1].sum(), rel=1e-5)


def test_training_raises_the_likelihood_and_gradients_are_finite():
    tree = quad_tree(2, 2)
    pc = TensorizedPC(tree, units=4)
    params = pc.init(jax.random.key(0))
    rng = np.random.default_rng(0)
    data = jnp.asarray((rng.random((256, 4)) < [0.9, 0.9, 0.1, 0.5]).astype(np.int32))
    opt = optax.adam(0.05)

    @jax.jit
    def step(params, state):
        loss, grads = jax.value_and_grad(lambda p: -pc.log_likelihood(p, data).mean())(params)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(params, updates), state, loss, grads

    state = opt.init(params)
    params, state, first, grads = step(params, state)
    assert all(np.isfinite(np.asarray(g)).all() for g in jax.tree.leaves(grads))
    for _ in range(60):
        params, state, loss, _ = step(params, state)
    assert float(loss) < float(first) - 0.3
    entropy = -sum(p * np.log(p) + (1 - p) * np.log(1 - p) for p in (0.9, 0.9, 0.1, 0.5))
    assert float(loss) < entropy + 0.1


def test_region_trees_partition_the_variables():
    for tree in (random_binary_tree(9, seed=4), quad_tree(3, 5)):
        assert tree.scope(tree.root) == set(range(1, tree.n_vars + 1))
        for i in range(tree.left.size):
            assert not tree.scope(int(tree.left[i])) & tree.scope(int(tree.right[i]))
    with pytest.raises(ValueError, match="at least 2 variables"):
        random_binary_tree(1)


def test_bad_inputs():
    pc = TensorizedPC(random_binary_tree(4), units=2)
    with pytest.raises(ValueError, match=r"x must be \(batch, 4\)"):
        pc.log_likelihood(pc.init(jax.random.key(0)), np.zeros((3, 5), int))
    with pytest.raises(ValueError, match="units"):
        TensorizedPC(random_binary_tree(4), units=0)


def test_gaussian_leaves_are_normalised_marginalise_and_learn():
    from catlearn.circuits import CircuitError
    from catlearn.semirings import Real

    pc = TensorizedPC(random_binary_tree(2, seed=0), units=3, leaf="gaussian")
    params = pc.init(jax.random.key(1))
    grid = np.linspace(-10, 10, 201)
    step = grid[1] - grid[0]
    xs = np.stack(np.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
    rows = np.stack([grid[::25], np.full(9, np.nan)], 1)  # NaN marginalises x₂
    p = np.exp(np.asarray(pc.log_likelihood(params, np.concatenate([xs, rows]))))  # one batch
    joint, marginal = p[: len(xs)].reshape(201, 201), p[len(xs) :]
    assert joint.sum() * step**2 == pytest.approx(1.0, abs=1e-3)
    # p(x₁) equals the joint integrated over x₂.
    np.testing.assert_allclose(marginal, joint[::25].sum(axis=1) * step, rtol=1e-3)
    # Max-product runs on the same leaves (the mode's density where marginalised).
    assert np.isfinite(np.asarray(pc.log_likelihood(params, rows, MaxPlus()))).all()
    # Two clusters: Adam on the mean negative log-likelihood improves it, finite gradients.
    rng = np.random.default_rng(0)
    data = np.concatenate([rng.normal(-3, 0.5, (64, 2)), rng.normal(3, 0.5, (64, 2))])
    data[::7, 1] = np.nan
    data = jnp.asarray(data, jnp.float32)

    def loss(p):
        return -pc.log_likelihood(p, data).mean()

    opt = optax.adam(0.1)
    state, before = opt.init(params), float(loss(params))
    grad_fn = jax.jit(jax.value_and_grad(loss))
    for _ in range(25):
        value, grad = grad_fn(params)
        assert all(np.isfinite(np.asarray(g)).all() for g in jax.tree.leaves(grad))
        updates, state = opt.update(grad, state)
        params = optax.apply_updates(params, updates)
    assert float(loss(params)) < before - 1.0
    with pytest.raises(TypeError, match="real-valued"):  # the wrong kind of x: a TypeError
        pc.log_likelihood(params, np.zeros((1, 2), int))
    with pytest.raises(ValueError, match="Log or MaxPlus"):
        pc.log_likelihood(params, data, Real())
    with pytest.raises(CircuitError, match="categorical leaves"):
        pc.to_circuit(params)
    with pytest.raises(ValueError, match="leaf must be"):
        TensorizedPC(random_binary_tree(2), units=2, leaf="poisson")


# -- region graphs with several partitions per region, EM, the exact fallback ------------


def flat_log_likelihood(c, x, weights=None):
    """The oracle: the flat circuit evaluated node by node on the host, in float64."""
    from catlearn.circuits.circuit import LEAF, SUM

    w = np.asarray(c.weights if weights is None else weights, np.float64)
    val = np.zeros((c.kind.size, len(x)))
    with np.errstate(divide="ignore"):
        for i in range(c.kind.size):
            lo, hi = c.child_offsets[i], c.child_offsets[i + 1]
            kids = c.children[lo:hi]
            if c.kind[i] == LEAF:
                seen = x[:, c.var[i] - 1]
                val[i] = np.where((seen == c.state[i]) | (seen < 0), 0.0, -np.inf)
            elif c.kind[i] == SUM:
                val[i] = np.logaddexp.reduce(np.log(w[lo:hi])[:, None] + val[kids], axis=0)
            else:
                val[i] = val[kids].sum(axis=0)
    return val[c.roots[0]]


@pytest.mark.parametrize(
    "graph, states",
    [(rat_spn(4, repetitions=3, seed=2), 2), (poon_domingos(2, 2), 3)],
    ids=["rat_spn", "poon_domingos"],
)
def test_region_graphs_normalise_and_equal_their_flat_circuit(graph, states):
    pc = TensorizedPC(graph, units=2, states=states)
    params = pc.init(jax.random.key(1))
    every = np.array(np.meshgrid(*[range(states)] * 4)).reshape(4, -1).T
    some = np.random.default_rng(0).integers(-1, states, size=(5, 4))
    x = np.concatenate([every, some])
    logp = np.asarray(pc.log_likelihood(params, x))
    assert np.exp(logp[: len(every)]).sum() == pytest.approx(1.0, abs=1e-5)
    c = pc.to_circuit(params)
    assert c.is_smooth() and c.is_decomposable()
    np.testing.assert_allclose(logp, flat_log_likelihood(c, x), atol=1e-5)
    mutant = np.where(np.arange(c.n_edges) == c.n_edges - 1, 2.0, 1.0) * c.weights
    assert not np.allclose(logp, flat_log_likelihood(c, x, mutant), atol=1e-3)  # caught


def expected_counts_step(c, x, prior):
    """The oracle EM step on the flat circuit: an edge's expected count is
    w · ∂p/∂w / p, and p is linear in each weight (smooth, decomposable), so
    ∂p/∂w = p(w = 1) − p(w = 0); then counts + prior, normalised per ⊕ node."""
    from catlearn.circuits.circuit import SUM

    w = np.asarray(c.weights, np.float64)
    p = np.exp(flat_log_likelihood(c, x))
    parent = np.repeat(np.arange(c.kind.size), np.diff(c.child_offsets))
    counts = np.zeros_like(w)
    for e in np.flatnonzero(c.kind[parent] == SUM):
        one, zero = w.copy(), w.copy()
        one[e], zero[e] = 1.0, 0.0
        slope = np.exp(flat_log_likelihood(c, x, one)) - np.exp(flat_log_likelihood(c, x, zero))
        counts[e] = (w[e] * slope / p).sum()
    new = w.copy()
    for node in np.unique(parent[c.kind[parent] == SUM]):
        edges = parent == node
        new[edges] = (counts[edges] + prior) / (counts[edges] + prior).sum()
    return new


def test_em_step_is_the_expected_count_update_and_never_lowers_the_likelihood():
    pc = TensorizedPC(rat_spn(3, repetitions=2, seed=0), units=2)
    params = pc.init(jax.random.key(0))
    rng = np.random.default_rng(1)
    x = (rng.random((40, 3)) < [0.9, 0.2, 0.6]).astype(np.int64)
    x[rng.random(x.shape) < 0.15] = -1  # missing values: their expected counts too
    c = pc.to_circuit(params)
    for prior in (0.0, 0.5):
        ours = pc.to_circuit(pc.em_step(params, x, prior=prior)).weights
        np.testing.assert_allclose(ours, expected_counts_step(c, x, prior), atol=2e-5)
    assert not np.allclose(ours, expected_counts_step(c, x, 0.0), atol=1e-3)  # prior matters
    trace = []  # EM's guarantee: the likelihood never decreases
    for _ in range(6):
        trace.append(float(pc.log_likelihood(params, x).mean()))
        params = pc.em_step(params, x)
    assert all(b >= a - 1e-5 for a, b in zip(trace, trace[1:]))
    assert trace[-1] > trace[0] + 0.1
    with pytest.raises(ValueError, match="step_size"):
        pc.em_step(params, x, step_size=2.0)


def test_sums_that_underflow_the_fast_kernel_are_exact():
    """Product units (0, -100) against weights (e^-100, 1): the shifted sum is 2e-44,
    below float32's normal range, so the result comes from the exact path."""
    pc = TensorizedPC(random_binary_tree(2), units=2)
    params = {
        "leaves": jnp.array([[[0.0, -200.0], [-100.0, 0.0]], [[0.0, -200.0], [0.0, -200.0]]]),
        "sums": [jnp.array([[[-100.0, -100.0], [0.0, 0.0]]])],
        "root": jnp.zeros(2),
    }
    x = np.array([[0, 0]])
    want = flat_log_likelihood(pc.to_circuit(params), x)
    assert want[0] == pytest.approx(-100 + np.log(2), abs=1e-3)
    np.testing.assert_allclose(pc.log_likelihood(params, x), want, rtol=1e-5)
    value, grads = jax.value_and_grad(lambda p: pc.log_likelihood(p, jnp.asarray(x)).sum())(params)
    assert float(value) == pytest.approx(want[0], rel=1e-5)
    assert all(np.isfinite(np.asarray(g)).all() for g in jax.tree.leaves(grads))
    # Half of the mass goes through each product unit: d/d(sums logits) sums to 0 per unit.
    assert np.asarray(grads["sums"][0])[0, :, 0] == pytest.approx([0.25, -0.25], abs=1e-4)
