"""The layered evaluator's hand-written backward pass equals autodiff of its forward scan."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catlearn.circuits.compile as compile_module
from catlearn.semirings import Expectation, Log, Real


@pytest.fixture
def mixture(bernoulli_mixture):
    # Three components over 3 variables, a zero mixing weight.
    return bernoulli_mixture([[0.2] * 3, [0.5] * 3, [0.8] * 3], [0.5, 0.0, 0.5])


def test_custom_backward_pass_equals_autodiff_of_the_scan(monkeypatch, mixture):
    c = mixture
    f = c.compile(Log())
    params = f.params()
    # A literal of weight 0 (log −inf) and an edge of weight 0: gradients stay finite.
    params["literals"] = params["literals"].at[2, 1].set(-jnp.inf)
    data = np.array([[1, 0, -1], [0, 1, 1], [-1, -1, -1]], dtype=np.int32)

    def loss(p):
        return f.apply(p, data).sum()

    ours = jax.grad(loss)(params)
    # The same evaluation, unjitted, with the undecorated sweep: JAX differentiates the
    # scan itself (and no compiled program of the custom path is reused).
    monkeypatch.setattr(compile_module, "_sweep", compile_module._sweep.fun)
    # A function of its own: jit(_evaluate) would reuse the trace cached for _evaluate.
    plain = jax.jit(lambda *args: compile_module._evaluate(*args), static_argnums=(0, 1))
    reference = jax.grad(lambda p: f._call(plain, p, data).sum())(params)
    for key in ("weights", "literals"):
        a, b = np.asarray(ours[key]), np.asarray(reference[key])
        assert np.isfinite(a).all(), key
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_pair_carriers_forward_and_reverse_derivatives_agree(mixture):
    # Expectation = Dual(Real): values are (p, p′) pairs, a pytree of two arrays. The
    # tangent of a one-hot edge weight is ∂Z/∂w_i (forward mode); reverse mode through
    # the pair evaluator (the custom backward pass on a pytree) must agree with both.
    c = mixture
    real, dual = c.compile(Real()), c.compile(Expectation)
    base = real.params()
    evidence = np.array([[1, -1, 0]], dtype=np.int32)

    def z(w):
        return real.apply(dict(base, weights=w), evidence)[0, 0]

    want = np.asarray(jax.grad(z)(base["weights"]))
    literals = Expectation.asarray((np.ones((4, 2)), np.zeros((4, 2))))
    w = base["weights"]

    def dual_z(w, tangent):
        out = dual.apply({"weights": (w, tangent), "literals": literals}, evidence)
        return out[0][0, 0], out[1][0, 0]

    for i in range(c.n_edges):
        _, dz = dual_z(w, jnp.zeros_like(w).at[i].set(1.0))
        assert float(dz) == pytest.approx(float(want[i]), abs=1e-6)
    reverse = jax.grad(lambda w: dual_z(w, jnp.zeros_like(w))[0])(w)
    np.testing.assert_allclose(np.asarray(reverse), want, rtol=1e-5, atol=1e-6)
