"""Reverse Derivative Ascent: learn the parameters of a polynomial circuit over any ring.

Wilson and Zanasi's algorithm. The model is a circuit f : P ⊗ A → B
(parameters first); one step on an example (x, y) is

    p ← p − η · R[f]_P(p, x, f(p, x) − y),

the parameter part of the reverse derivative applied to the error. Over
GF2, − is +, η = 1, and the error is the XOR of prediction and label, so
a step flips exactly the parameter bits that the circuit's derivative
blames: a Boolean circuit is learned directly, with no relaxation to the
reals. Over Real the same step is gradient descent on ½‖f(p, x) − y‖²::

    >>> import numpy as np
    >>> from catlearn.diagrams import polycirc as pc
    >>> from catlearn.semirings import GF2
    >>> x = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    >>> y = x.sum(axis=1, keepdims=True) % 2               # 3-bit parity
    >>> learner = RDA(pc.linear(3), n_params=4, ring=GF2)  # y = w·x + b over GF2
    >>> params, history = learner.fit(learner.init(), x, y, epochs=3)
    >>> learner.accuracy(params, x, y)
    1.0

Examples are taken one at a time, in order (as in the paper), and one
epoch is one jitted ``lax.scan`` over them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import size
from catlearn.diagrams.polycirc import Netlist
from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.functors.boxes import converted
from catlearn.functors.parameters import require_key
from catlearn.functors.reverse import reverse_derivative
from catlearn.functors.ring import RingFunctor
from catlearn.semirings import GF2, Semiring, Zn, require_semiring


@dataclass
class RDAHistory:
    """What ``RDA.fit`` measured: training accuracy per epoch and the time each epoch took."""

    accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # steady-state epochs only
    compile_seconds: float = 0.0


class RDA:
    """Reverse Derivative Ascent for a polynomial circuit ``model : P ⊗ A → B``.

    ``n_params`` is |P|, the number of leading inputs that are parameters;
    ``learning_rate`` is an element of the ring (an int or ``Fraction``
    for exact rings, a float for float rings). Data handed to ``fit`` and
    ``accuracy`` are checked once, on the host: over ``Zn(n)`` every entry
    of x, y and the parameters must be an integer in 0..n-1 (bits over GF2),
    where the ring would otherwise read 2 as 0 and score it right.
    """

    def __init__(
        self,
        model: Any,
        n_params: int,
        ring: Semiring = GF2,
        learning_rate: int | float | Fraction = 1,
    ) -> None:
        ring = require_semiring(ring, "ring")
        net = Netlist(model)
        n_params = size(n_params, "n_params", minimum=0)
        if n_params > len(net.sources):
            raise ArgumentValueError(
                f"n_params={n_params}, but the model has only {len(net.sources)} inputs"
            )
        if not getattr(ring, "ring", False):
            raise ArgumentTypeError(
                f"ring: RDA subtracts errors, so it needs a ring; {ring!r} is not one"
            )
        F = RingFunctor(ring)
        self.ring, self.n_params = ring, n_params
        self.n_inputs, self.n_outputs = len(net.sources) - n_params, len(net.targets)
        self.forward = F.compile(net)
        # One circuit for the step, (p, x, y) ↦ R[f](p, x, f(p, x) − y): f runs once.
        self.update = F.compile(reverse_derivative(net, against_target=True))
        self.learning_rate = _learning_rate(F, learning_rate)
        self._epoch = jax.jit(self._scan)

    def init(self, key: jax.Array | None = None) -> jax.Array:
        """Initial parameters: zeros (the paper's choice), or uniformly random bits given a key."""
        if key is None:
            return self.ring.zeros((self.n_params,))
        key = require_key(key, "key")
        bits = jax.random.bernoulli(key, 0.5, (self.n_params,)).astype(jnp.int32)
        return self.ring.asarray(bits)

    def predict(self, params: Any, x: Any) -> jax.Array:
        """f(params, x) for a batch ``x`` of shape (n, |A|)."""
        params = self._check(params, (self.n_params,), "params", values=False)
        x = self._check(x, (None, self.n_inputs), "x", values=False)
        p = jnp.broadcast_to(params, (x.shape[0], self.n_params))
        return self.forward(jnp.concatenate([p, x], axis=1))

    def step(self, params: Any, x: Any, y: Any) -> jax.Array:
        """One update on one example: p ← p − η · R[f]_P(p, x, f(p, x) − y)."""
        S = self.ring
        for a, want, name in (
            (params, (self.n_params,), "params"),
            (x, (self.n_inputs,), "x"),
            (y, (self.n_outputs,), "y"),
        ):  # concatenated, a wrong length would shift the others silently
            if jnp.shape(a) != want:
                raise ShapeError(f"step: {name} needs shape {want}, got {jnp.shape(a)}")
        blame = self.update(jnp.concatenate([params, x, y])[None])[0, : self.n_params]
        return S.add(params, S.neg(S.mul(self.learning_rate, blame)))

    def epoch(self, params: Any, x: Any, y: Any) -> jax.Array:
        """One pass over (x, y) in order, one example at a time: one jitted ``lax.scan``."""
        if jnp.ndim(x) != 2 or jnp.ndim(y) != 2 or jnp.shape(x)[0] != jnp.shape(y)[0]:
            raise ShapeError(
                f"epoch: x (n, {self.n_inputs}) and y (n, {self.n_outputs}) need one "
                f"example axis; got shapes {jnp.shape(x)} and {jnp.shape(y)}"
            )
        return self._epoch(params, x, y)

    def _scan(self, params: Any, xs: Any, ys: Any) -> jax.Array:
        def body(p, xy):
            return self.step(p, *xy), None

        return jax.lax.scan(body, params, (xs, ys))[0]

    def fit(
        self,
        params: Any,
        x: Any,
        y: Any,
        epochs: int = 1,
        key: jax.Array | None = None,
    ) -> tuple[jax.Array, RDAHistory]:
        """``epochs`` passes over (x, y), one example at a time; shuffled each epoch given a key.

        The first epoch's time (trace + compile + run) is reported apart.
        """
        epochs = size(epochs, "epochs", minimum=0)
        params = self._check(params, (self.n_params,), "params")
        x, y = self._examples(x, y, "fit")
        key = None if key is None else require_key(key, "key")
        history = RDAHistory()
        for epoch in range(epochs):
            order = np.arange(x.shape[0])
            if key is not None:
                key, sub = jax.random.split(key)
                order = np.asarray(jax.random.permutation(sub, x.shape[0]))
            start = time.perf_counter()
            params = self.epoch(params, x[order], y[order]).block_until_ready()
            elapsed = time.perf_counter() - start
            if epoch == 0:
                history.compile_seconds = elapsed
            else:
                history.seconds.append(elapsed)
            history.accuracy.append(self._accuracy(params, x, y))
        return params, history

    def accuracy(self, params: Any, x: Any, y: Any) -> float:
        """The fraction of examples whose every output is right."""
        x, y = self._examples(x, y, "accuracy")
        return self._accuracy(params, x, y)

    def _examples(self, x: Any, y: Any, caller: str) -> tuple[jax.Array, jax.Array]:
        """x and y checked as one data set: ring values, arities, one non-empty example axis."""
        x = self._check(x, (None, self.n_inputs), "x")
        y = self._check(y, (None, self.n_outputs), "y")
        if x.shape[0] != y.shape[0]:
            raise ShapeError(f"x has {x.shape[0]} examples but y has {y.shape[0]}")
        if x.shape[0] == 0:
            raise ArgumentValueError(f"{caller}: x and y hold no examples")
        return x, y

    def _accuracy(self, params: Any, x: jax.Array, y: jax.Array) -> float:
        right = np.all(np.asarray(self.predict(params, x)) == np.asarray(y), axis=1)
        return float(np.mean(right))

    def _check(self, a: Any, shape: tuple, name: str, *, values: bool = True) -> jax.Array:
        """``a`` in the ring's carrier, of ``shape`` (None: any length); with ``values``,
        every entry read on the host and checked to be an element of the ring as given."""
        S = self.ring
        on_host = values and isinstance(S, Zn) and not isinstance(a, jax.core.Tracer)
        if not isinstance(a, jax.Array) or on_host:
            a = converted(name, np.asarray, a)  # before JAX casts int64 to int32
        got = tuple(np.shape(a))
        if len(got) != len(shape) or any(w is not None and g != w for g, w in zip(got, shape)):
            want = "(" + ", ".join("n" if w is None else str(w) for w in shape) + ")"
            raise ShapeError(f"{name} must have shape {want}, got {got}")
        if isinstance(S, Zn):
            if not jnp.issubdtype(a.dtype, jnp.integer) and a.dtype != np.bool_:
                raise ArgumentTypeError(f"{name}: {S!r} data are integers, got dtype {a.dtype}")
            if isinstance(a, np.ndarray) and a.size and (a.min() < 0 or a.max() >= S.n):
                where = tuple(int(i) for i in np.argwhere((a < 0) | (a >= S.n))[0])
                what = "bits 0 or 1" if S.n == 2 else f"integers 0..{S.n - 1}"
                raise ArgumentValueError(f"{name}{list(where)} = {a[where]}; {S!r} data are {what}")
        return converted(name, S.asarray, a)


def _learning_rate(F: RingFunctor, value: Any) -> Any:
    """η as a ring element: a float for float rings, an int or Fraction for any ring."""
    if isinstance(value, (float, np.floating)):
        if isinstance(F.ring, Zn):
            raise ArgumentTypeError(
                f"learning_rate: {F.ring!r} has no floats; use an int or a Fraction, got {value}"
            )
        if not np.isfinite(value):
            raise ArgumentValueError(f"learning_rate: {value} is not finite")
        return converted("learning_rate", F.ring.asarray, value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, Fraction)):
        raise ArgumentTypeError(
            f"learning_rate: an int, a Fraction or (float rings) a float, got "
            f"{type(value).__name__} {value!r:.40}"
        )
    return converted("learning_rate", F.constant, value)
