"""``fit`` and ``evaluate``: training a compiled diagram (or any pure function) with optax.

``apply(params, *inputs) -> predictions`` is trained on ``data =
(inputs, targets)`` to minimise ``loss(predictions, targets)``. Each
epoch is one jitted ``lax.scan`` over shuffled mini-batches (the
remainder that does not fill a batch is left for later epochs, which
reshuffle), so Python runs once per epoch, not once per step::

    >>> import jax, jax.numpy as jnp, optax
    >>> def apply(p, x):
    ...     return x * p["a"] + p["b"]
    >>> xs = jnp.linspace(-1, 1, 64)
    >>> data = (xs, 3 * xs + 1)
    >>> mse = lambda pred, y: jnp.mean((pred - y) ** 2)
    >>> params, history = fit(apply, {"a": 0.0, "b": 0.0}, data, mse,
    ...                       optimizer=optax.adam(0.1), epochs=100, batch_size=16,
    ...                       key=jax.random.key(0), progress=False)
    >>> round(float(params["a"]), 2), round(float(params["b"]), 2)
    (3.0, 1.0)
    >>> history.loss[-1] < 1e-4
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import optax


@dataclass
class History:
    """What training did: the mean loss of each epoch, metrics, and where time went."""

    loss: list[float] = field(default_factory=list)
    metrics: list[dict[str, float]] = field(default_factory=list)
    compile_seconds: float = 0.0
    train_seconds: float = 0.0
    steps: int = 0


def _as_tuple(inputs: Any) -> tuple:
    return tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)


def _n_examples(inputs: tuple, targets: Any) -> int:
    sizes = {f"input {i}": jnp.shape(x)[0] if jnp.ndim(x) else None for i, x in enumerate(inputs)}
    for j, leaf in enumerate(jax.tree.leaves(targets)):
        sizes[f"target leaf {j}"] = jnp.shape(leaf)[0] if jnp.ndim(leaf) else None
    counts = set(sizes.values())
    if None in counts or len(counts) != 1:
        raise ValueError(f"data arrays need one shared leading (example) axis; got {sizes}")
    return counts.pop()


def fit(
    apply: Callable[..., Any],
    params: Any,
    data: tuple[Any, Any],
    loss: Callable[[Any, Any], jax.Array],
    *,
    optimizer: optax.GradientTransformation | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    key: jax.Array | None = None,
    validation: tuple[Any, Any] | None = None,
    metrics: Mapping[str, Callable[[Any, Any], jax.Array]] | None = None,
    progress: bool = True,
    mesh: jax.sharding.Mesh | None = None,
) -> tuple[Any, History]:
    """Train ``params``; returns ``(params, history)``.

    ``data`` is ``(inputs, targets)``, inputs an array or a tuple of arrays
    (one per domain wire), all with the examples on axis 0. With
    ``validation`` data, ``metrics`` (default: the loss) are computed
    after every epoch. ``optimizer`` defaults to ``optax.adam(1e-3)``.
    With a ``mesh`` (``catlearn.parallel.data_mesh()``), every mini-batch is
    split over its devices and the parameters are replicated: data
    parallelism, with the gradient's sum over devices left to XLA.
    """
    if epochs < 0 or batch_size < 1:
        raise ValueError(f"need epochs ≥ 0 and batch_size ≥ 1; got {epochs}, {batch_size}")
    inputs, targets = _as_tuple(data[0]), data[1]
    n = _n_examples(inputs, targets)
    batch = min(batch_size, n)
    n_batches = n // batch
    optimizer = optax.adam(1e-3) if optimizer is None else optimizer
    key = jax.random.key(0) if key is None else key
    sharding = None
    if mesh is not None:
        from catlearn.parallel import ShardingError, batch_sharding, replicate

        if batch % mesh.devices.size:
            raise ShardingError(
                f"batch_size {batch} does not split evenly over the mesh's "
                f"{mesh.devices.size} devices"
            )
        params, sharding = replicate(params, mesh), batch_sharding(mesh)
    opt_state = optimizer.init(params)

    history = History()
    judge = _evaluator(apply, validation, metrics or {"loss": loss}) if validation else None
    bar = _progress(epochs, progress)
    start = time.perf_counter()
    for e in range(epochs):
        key, sub = jax.random.split(key)
        t0 = time.perf_counter()
        params, opt_state, mean = _epoch(
            params, opt_state, sub, inputs, targets, apply, loss, optimizer, n, batch, sharding
        )
        mean = float(mean)  # waits for the epoch: honest timings
        if e == 0:
            history.compile_seconds = time.perf_counter() - t0
        history.loss.append(mean)
        history.steps += n_batches
        if judge is not None:
            history.metrics.append(judge(params))
        if bar is not None:
            bar.set_postfix(loss=f"{mean:.4g}", **_short(history.metrics[-1:]))
            bar.update()
    if bar is not None:
        bar.close()
    history.train_seconds = time.perf_counter() - start
    return params, history


@partial(jax.jit, static_argnames=("apply", "loss", "optimizer", "n", "batch", "sharding"))
def _epoch(params, opt_state, key, inputs, targets, apply, loss, optimizer, n, batch, sharding):
    """One pass over shuffled mini-batches, as one scan. Module-level and jitted with the
    functions static, so that fitting the same model again (another fold, another
    run) reuses the compiled epoch instead of compiling it anew."""

    def step(carry, idx):
        params, opt_state = carry
        xs = tuple(x[idx] for x in inputs)
        ys = jax.tree.map(lambda t: t[idx], targets)
        if sharding is not None:  # the mini-batch, split over the devices
            xs, ys = jax.lax.with_sharding_constraint((xs, ys), sharding)
        value, grads = jax.value_and_grad(lambda p: loss(apply(p, *xs), ys))(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), value

    order = jax.random.permutation(key, n)[: (n // batch) * batch].reshape(n // batch, batch)
    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), order)
    return params, opt_state, jnp.mean(losses)


def evaluate(
    apply: Callable[..., Any],
    params: Any,
    data: tuple[Any, Any],
    metrics: Mapping[str, Callable[[Any, Any], jax.Array]],
) -> dict[str, float]:
    """Each metric of ``apply(params, *inputs)`` against the targets, as floats."""
    return _evaluator(apply, data, metrics)(params)


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """The fraction of examples whose largest logit is the integer label."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def _evaluator(apply, data, metrics) -> Callable[[Any], dict[str, float]]:
    inputs, targets = _as_tuple(data[0]), data[1]
    _n_examples(inputs, targets)
    names = tuple(metrics)
    fns = tuple(metrics[name] for name in names)
    return lambda params: {
        name: float(v) for name, v in zip(names, _scores(params, inputs, targets, apply, fns))
    }


@partial(jax.jit, static_argnames=("apply", "metrics"))
def _scores(params, inputs, targets, apply, metrics):
    predictions = apply(params, *inputs)
    return [metric(predictions, targets) for metric in metrics]


def _progress(epochs: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="fit", unit="epoch", leave=False)


def _short(metrics: list[dict[str, float]]) -> dict[str, str]:
    return {k: f"{v:.4g}" for k, v in metrics[0].items()} if metrics else {}
