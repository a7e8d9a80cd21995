"""fit / evaluate on compiled diagrams."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from catlearn.diagrams import Ty, nn
from catlearn.functors import FunctionFunctor
from catlearn.learn import accuracy, evaluate, fit

x, h, c = Ty("x"), Ty("h"), Ty("c")


def _blobs(key, n=256):
    k1, k2 = jax.random.split(key)
    labels = jax.random.randint(k1, (n,), 0, 3)
    centres = jnp.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    return centres[labels] + 0.5 * jax.random.normal(k2, (n, 2)), labels


def test_fit_trains_a_diagram_mlp_and_reports_history():
    model = nn.Dense(x, h, "relu", name="hidden") >> nn.Linear(h, c, name="out")
    F = FunctionFunctor({x: 2, h: 16, c: 3})
    f = F.compile(model)
    inputs, labels = _blobs(jax.random.key(0))
    val = _blobs(jax.random.key(1), 128)

    def loss(logits, labels):
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    params, history = fit(
        f.apply,
        F.init(model, jax.random.key(2)),
        (inputs, labels),
        loss,
        optimizer=optax.adam(0.05),
        epochs=30,
        batch_size=32,
        key=jax.random.key(3),
        validation=val,
        metrics={"accuracy": accuracy},
        progress=False,
    )
    assert len(history.loss) == 30 and history.steps == 30 * (256 // 32)
    assert history.loss[-1] < history.loss[0] / 3
    assert history.metrics[-1]["accuracy"] > 0.95
    assert history.compile_seconds > 0 and history.train_seconds >= history.compile_seconds
    scores = evaluate(f.apply, params, val, {"accuracy": accuracy, "loss": loss})
    assert scores["accuracy"] == pytest.approx(history.metrics[-1]["accuracy"])


def test_fit_with_several_inputs_and_a_progress_bar(capsys):
    model = nn.Concat(x @ x, h) >> nn.Linear(h, c, name="lin")
    F = FunctionFunctor({x: 1, h: 2, c: 1})
    a = jnp.linspace(-1, 1, 40)[:, None]
    target = 2 * a - 3 * a
    params, history = fit(
        F.compile(model).apply,
        F.init(model, jax.random.key(0)),
        ((a, a), target),
        lambda p, t: jnp.mean((p - t) ** 2),
        optimizer=optax.adam(0.1),
        epochs=3,
        batch_size=64,  # larger than the data: one batch of all 40
        progress=True,
    )
    assert history.steps == 3


def test_fit_rejects_mismatched_data():
    with pytest.raises(ValueError, match="shared leading"):
        fit(lambda p, v: v, {}, (jnp.ones((5, 2)), jnp.ones(4)), lambda p, t: 0.0)
    with pytest.raises(ValueError, match="batch_size"):
        fit(lambda p, v: v, {}, (jnp.ones(4), jnp.ones(4)), lambda p, t: 0.0, batch_size=0)


def test_accuracy():
    logits = jnp.array([[0.0, 1.0], [2.0, 0.0], [0.0, 3.0]])
    np.testing.assert_allclose(accuracy(logits, jnp.array([1, 0, 0])), 2 / 3)
