"""Tensorised PCs: dense evaluation = the flat circuit's, normalised, trainable."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catlearn.circuits.region_graph import quad_tree, random_binary_tree
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
