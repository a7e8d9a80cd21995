"""Reverse Derivative Ascent: Boolean circuits over GF2, gradient descent over Real."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.diagrams import polycirc as pc
from catlearn.functors import RingFunctor, ShapeError
from catlearn.learn import RDA
from catlearn.semirings import GF2, Boolean, Real


def test_lookup_table_reads_its_row():
    table = np.random.default_rng(0).integers(0, 2, size=(8, 2))  # 3 bits → 2 bits
    f = RingFunctor(GF2).compile(pc.lookup_table(3, 2))
    for c in range(8):
        x = [(c >> i) & 1 for i in range(3)]
        assert f([table.ravel().tolist() + x]).tolist() == [table[c].tolist()]


def test_rda_learns_xor_of_two_bits_with_a_lookup_table():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = x.sum(axis=1, keepdims=True) % 2
    learner = RDA(pc.lookup_table(2), n_params=4)
    params, history = learner.fit(learner.init(), x, y)
    assert learner.accuracy(params, x, y) == 1.0 and history.accuracy == [1.0]
    # The learned parameters are the truth table itself: row c holds XOR(c).
    assert np.asarray(params).tolist() == [0, 1, 1, 0]


def test_rda_over_real_is_gradient_descent_on_squared_error():
    model = pc.linear(3, 2)  # W (6), b (2), x (3)
    rng = np.random.default_rng(1)
    p = jnp.asarray(rng.normal(size=8), jnp.float32)
    x, y = (jnp.asarray(rng.normal(size=n), jnp.float32) for n in (3, 2))
    learner = RDA(model, n_params=8, ring=Real(), learning_rate=0.1)
    f = RingFunctor(Real()).compile(model)

    def loss(p):
        return 0.5 * jnp.sum((f(jnp.concatenate([p, x])[None])[0] - y) ** 2)

    np.testing.assert_allclose(learner.step(p, x, y), p - 0.1 * jax.grad(loss)(p), rtol=1e-5)


def test_shuffled_epochs_with_random_init():
    x = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    y = (x[:, :1] + x[:, 2:]) % 2  # x0 XOR x2: linear over GF2
    learner = RDA(pc.linear(3), n_params=4)
    params, history = learner.fit(learner.init(jax.random.key(0)), x, y, epochs=4,
                                  key=jax.random.key(1))  # fmt: skip
    assert history.accuracy[-1] == 1.0 and len(history.seconds) == 3


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="only 2 inputs"):
        RDA(pc.OR(), n_params=3)
    with pytest.raises(TypeError, match="needs a ring"):
        RDA(pc.OR(), n_params=1, ring=Boolean())
    learner = RDA(pc.linear(2), n_params=3)
    with pytest.raises(ShapeError, match=r"x must have shape \(n, 2\)"):
        learner.predict(learner.init(), np.zeros((4, 3), int))
    with pytest.raises(ShapeError, match="4 examples but y has 3"):
        learner.fit(learner.init(), np.zeros((4, 2), int), np.zeros((3, 1), int))
