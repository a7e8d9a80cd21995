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

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from catlearn.arguments import size
from catlearn.errors import ArgumentTypeError, ArgumentValueError, DivergenceError, ShapeError
from catlearn.functors.parameters import require_key


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


def _split(data: Any, argument: str) -> tuple[tuple, Any, int]:
    """``(inputs, targets)`` checked: arrays sharing one non-empty leading (example) axis."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ArgumentTypeError(
            f"{argument}: expected a pair (inputs, targets), got {type(data).__name__}"
            + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else "")
        )
    inputs, targets = _as_tuple(data[0]), data[1]
    sizes = {}
    for name, leaf in [(f"input {i}", x) for i, x in enumerate(inputs)] + [
        (f"target leaf {j}", t) for j, t in enumerate(jax.tree.leaves(targets))
    ]:
        shape = getattr(leaf, "shape", None)
        if shape is None:
            raise ArgumentTypeError(
                f"{argument}: {name} is a {type(leaf).__name__}, not an array (examples on axis 0)"
            )
        sizes[name] = shape[0] if shape else None
    counts = set(sizes.values())
    if None in counts or len(counts) != 1:
        raise ShapeError(f"{argument}: arrays need one shared leading (example) axis; got {sizes}")
    n = counts.pop()
    if n == 0:
        raise ArgumentValueError(f"{argument}: no examples (the leading axes are empty)")
    return inputs, targets, n


def _check_labels(
    apply: Callable, params: Any, inputs: tuple, targets: Any, batch: int, argument: str
) -> None:
    """Integer targets of the shape of the predictions less their last axis (of k ≥ 2) are
    class indices, as ``accuracy`` and optax's integer-label losses read them: each must be
    in 0..k-1 (optax wraps -1 to the last class silently). Read once, on the host; other
    targets, or predictions whose shape cannot be told without running, are not checked."""
    if isinstance(targets, jax.core.Tracer) or not hasattr(targets, "dtype"):
        return
    dtype = np.dtype(targets.dtype)
    if dtype.kind not in "iu":
        return
    try:
        specs = [
            jax.ShapeDtypeStruct((batch, *jnp.shape(x)[1:]), jnp.result_type(x)) for x in inputs
        ]
        out = jax.eval_shape(apply, params, *specs)
    except Exception:  # apply's own error comes, in full, when the epoch traces it
        return
    shape = getattr(out, "shape", None)
    if shape is None or len(shape) < 2 or shape[-1] < 2:
        return
    if tuple(shape) != (batch, *targets.shape[1:], shape[-1]):
        return
    k = int(shape[-1])
    labels = np.asarray(targets)
    bad = np.flatnonzero((labels < 0) | (labels >= k))
    if bad.size:
        where = np.unravel_index(int(bad[0]), labels.shape)
        index = int(where[0]) if labels.ndim == 1 else tuple(int(i) for i in where)
        raise ArgumentValueError(
            f"{argument}: the targets are class indices for {k} classes (the predictions "
            f"end in an axis of {k}), but the label at index {index} is "
            f"{labels.reshape(-1)[int(bad[0])]}; labels must be in 0..{k - 1}"
        )


def _functions(**named: Any) -> None:
    for argument, fn in named.items():
        if not callable(fn):
            raise ArgumentTypeError(
                f"{argument}: expected a function, got {type(fn).__name__} {fn!r:.40}"
            )


def _metrics(metrics: Any) -> Mapping[str, Callable[[Any, Any], jax.Array]]:
    if not isinstance(metrics, Mapping):
        raise ArgumentTypeError(
            f"metrics: expected a mapping from names to functions, got {type(metrics).__name__}"
        )
    _functions(**{f"metrics[{name!r}]": fn for name, fn in metrics.items()})
    return metrics


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

    The arguments are checked before anything is traced (data without
    examples or with unequal example counts, a batch size that is not a
    positive int). An epoch whose mean loss is NaN or infinite raises
    ``DivergenceError``, saying whether the data holds NaN/inf or the
    parameters diverged; its ``history`` attribute has the losses so far.
    """
    _functions(apply=apply, loss=loss)
    epochs, batch_size = size(epochs, "epochs", minimum=0), size(batch_size, "batch_size")
    inputs, targets, n = _split(data, "data")
    batch = min(batch_size, n)
    n_batches = n // batch
    optimizer = optax.adam(1e-3) if optimizer is None else optimizer
    if not (
        callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))
    ):
        raise ArgumentTypeError(
            f"optimizer: expected an optax GradientTransformation such as optax.adam(1e-3), "
            f"got {type(optimizer).__name__}"
        )
    key = jax.random.key(0) if key is None else require_key(key, "key")
    _check_labels(apply, params, inputs, targets, batch, "data")
    if validation is not None:
        v_inputs, v_targets, v_n = _split(validation, "validation")
        _check_labels(apply, params, v_inputs, v_targets, min(batch, v_n), "validation")
    metrics = None if metrics is None else _metrics(metrics)
    sharding = None
    if mesh is not None:
        from catlearn.parallel import ShardingError, batch_sharding, replicate

        if not isinstance(mesh, jax.sharding.Mesh):
            raise ArgumentTypeError(
                f"mesh: expected a jax.sharding.Mesh (catlearn.parallel.data_mesh()), "
                f"got {type(mesh).__name__}"
            )
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
        if not math.isfinite(mean):
            if bar is not None:
                bar.close()
            raise _diverged(e, mean, inputs, targets, history)
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


def _scalar(value: Any) -> Any:
    # At trace time: jax.grad's own message does not say that the loss is at fault.
    if jnp.shape(value) != ():
        raise ShapeError(
            f"loss returned an array of shape {jnp.shape(value)}; fit needs a scalar "
            "(e.g. the mean over the batch)"
        )
    return value


def _diverged(epoch: int, mean: float, inputs: tuple, targets: Any, history: History):
    """The DivergenceError of a non-finite epoch, naming bad data if there is some (read
    only now: the steady state never looks at values)."""
    named = [(f"input {i}", x) for i, x in enumerate(inputs)]
    named += [(f"target leaf {j}", t) for j, t in enumerate(jax.tree.leaves(targets))]
    bad = [
        name
        for name, x in named
        if jnp.issubdtype(jnp.result_type(x), jnp.inexact) and not bool(jnp.isfinite(x).all())
    ]
    cause = (
        f"the data holds NaN or inf ({', '.join(bad)})"
        if bad
        else "the parameters diverged: lower the learning rate, or check the loss (and, "
        "for class labels, that each is in 0..k-1)"
    )
    error = DivergenceError(f"fit: the mean loss of epoch {epoch} is {mean}; {cause}")
    error.history = history
    return error


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
        value, grads = jax.value_and_grad(lambda p: _scalar(loss(apply(p, *xs), ys)))(params)
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
    _functions(apply=apply)
    return _evaluator(apply, data, _metrics(metrics))(params)


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """The fraction of examples whose largest logit is the integer label.

    ``labels`` has the shape of ``logits`` without its last (class) axis: a
    (n, 1) column against (n, k) logits would broadcast to n² comparisons.
    """
    logits_shape, labels_shape = jnp.shape(logits), jnp.shape(labels)
    if not logits_shape or labels_shape != logits_shape[:-1]:
        raise ShapeError(
            f"accuracy: labels of shape {labels_shape} for logits of shape {logits_shape}; "
            f"labels need shape {logits_shape[:-1]} (one class index per example)"
        )
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def _evaluator(apply, data, metrics) -> Callable[[Any], dict[str, float]]:
    inputs, targets, _ = _split(data, "data")
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
