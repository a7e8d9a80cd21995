"""Lenses of diagrams equal jax.vjp of the compiled function; lens composition."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.diagrams import Box, Cap, Copy, Discard, Feedback, Id, Merge, Swap, Ty, nn
from catlearn.functors import ADD, FunctionFunctor
from catlearn.learn import Lens, lens
from catlearn.learn.lens import LensError

x, y = Ty("x"), Ty("y")
KEY = jax.random.key(1)


def _close(a, b):
    for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_lens_of_a_wired_model_is_the_vjp_of_its_compiled_function():
    shared = nn.Dense(x, x, "tanh", name="shared")
    model = (
        Copy(x)
        >> shared @ nn.Linear(x, x, name="side")
        >> Swap(x, x)
        >> shared @ Id(x)
        >> Merge(x)
        >> Copy(x)
        >> nn.Linear(x, y, name="head") @ Discard(x)
    )
    F = FunctionFunctor({x: 3, y: 2}, merge=ADD)
    params = F.init(model, KEY)
    v, dy = jax.random.normal(KEY, (3,)), jnp.array([1.0, -2.0])
    dparams, (dv,) = lens(F, model).put(params, (v,), (dy,))
    out, vjp = jax.vjp(F.compile(model).apply, params, v)
    ref_params, ref_v = vjp(dy)
    _close(lens(F, model).get(params, (v,)), (out,))
    _close(dv, ref_v)
    assert set(dparams) == set(ref_params)
    _close(dparams, ref_params)  # "shared" is used twice: its cotangents add


def test_lens_composes_like_functions():
    double = Lens.from_function(lambda a: 2 * a, 1, 1)
    square = Lens.from_function(lambda a: a * a, 1, 1)
    both = (double >> square) @ Lens.identity(1)
    ys = both.get({}, (jnp.array(3.0), jnp.array(5.0)))
    assert [float(v) for v in ys] == [36.0, 5.0]
    _, (da, db) = both.put({}, (jnp.array(3.0), jnp.array(5.0)), (jnp.array(1.0), jnp.array(1.0)))
    assert float(da) == 24.0 and float(db) == 1.0  # d(4a²)/da at 3


def test_gradient_descent_through_the_learner_lens():
    # Model lens ; loss lens, put with cotangent 1: one SGD step.
    model = nn.Linear(x, y, name="w")
    F = FunctionFunctor({x: 2, y: 1})
    params = F.init(model, KEY)
    target = jnp.array([1.0])
    learner = lens(F, model) >> Lens.from_function(lambda p: jnp.sum((p - target) ** 2), 1, 1)
    v = jnp.array([1.0, 2.0])
    for _ in range(200):
        grads, _ = learner.put(params, (v,), (jnp.array(1.0),))
        params = jax.tree.map(lambda p, g: p - 0.05 * g, params, grads)
    np.testing.assert_allclose(F.compile(model).apply(params, v), target, atol=1e-4)


def test_lens_arity_and_unsupported_parts():
    with pytest.raises(LensError, match="cannot compose"):
        Lens.identity(2) >> Lens.identity(1)
    F = FunctionFunctor({x: 2}, {"f": jnp.sin})
    with pytest.raises(LensError, match="no lens"):
        lens(F, Cap(x, x.r))
    with pytest.raises(LensError, match="no lens"):
        lens(F, Feedback(Box("f", x @ x, x @ x)))
