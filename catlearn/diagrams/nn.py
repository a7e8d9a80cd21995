"""Neural generators: boxes that carry their own parametrised semantics (Para).

Each generator is an ordinary DisCoPy box, so models are composed with
``>>``, ``@``, copies, swaps and discards, and drawn like any diagram.
A box also knows how to ``init(key, input_shapes, output_shapes)`` its
parameters and ``apply(params, *inputs)`` itself to *one example*
(``catlearn.functors.FunctionFunctor`` batches with ``vmap``). Wire
sizes come from the functor's ``ob``, not from the box::

    >>> from catlearn.diagrams import Ty
    >>> x, h, y = Ty("x"), Ty("h"), Ty("y")
    >>> mlp = Dense(x, h, "relu", name="hidden") >> Linear(h, y, name="out")
    >>> [box.name for box in mlp.boxes]
    ['hidden', 'out']

A box is its parameters' identity: every new generator gets a fresh name
(``linear3``, ``dense4``, …) and so its own weights; using the *same* box
twice, or two boxes with the same name, types, class and configuration
(a ``Dense`` layer's activation, an ``Embedding``'s vocabulary), ties their
weights. Two boxes with one name that differ otherwise are different boxes:
a functor refuses to give them one params entry (``ParameterConflictError``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
from discopy import frobenius

from catlearn.arguments import size
from catlearn.diagrams.repeat import Repeat
from catlearn.errors import ArgumentTypeError, ArgumentValueError, CompositionError, LayerShapeError

Ty, Id = frobenius.Ty, frobenius.Id
_counter = itertools.count(1)


def _fresh(prefix: str, name: str | None) -> str:
    return name if name is not None else f"{prefix}{next(_counter)}"


def _lecun(key: jax.Array, fan_in: int, fan_out: int) -> jax.Array:
    return jax.random.normal(key, (fan_in, fan_out)) / jnp.sqrt(max(1, fan_in))


class Layer(frobenius.Box):
    """A box with parameters and a function of one example.

    Subclasses override ``init`` and ``apply``; those without parameters
    set ``has_params = False`` and take ``{}``. What configures a layer
    beyond its name and types goes in the box's ``data``, so that DisCoPy's
    equality (and catlearn's caches and params entries) tell the layers apart.
    """

    has_params = True

    def __init__(self, name: str, dom: Ty, cod: Ty, data: Any = None) -> None:
        if not isinstance(name, str):
            raise ArgumentTypeError(
                f"{type(self).__name__}: a name is a str, got {type(name).__name__} {name!r:.40}"
            )
        for role, ty in (("dom", dom), ("cod", cod)):
            if not hasattr(ty, "inside") or hasattr(ty, "dom"):  # a DisCoPy type
                raise ArgumentTypeError(
                    f"{type(self).__name__} {name}: {role} is {type(ty).__name__} {ty!r:.40}; "
                    "expected a type such as Ty('x')"
                )
        super().__init__(name, dom, cod, data=data)

    def init(
        self, key: jax.Array, input_shapes: Sequence[tuple], output_shapes: Sequence[tuple]
    ) -> Any:
        return {}

    def apply(self, params: Any, *inputs: jax.Array) -> Any:
        raise NotImplementedError

    def _vector(self, shape: tuple, role: str) -> int:
        if len(shape) != 1:
            raise LayerShapeError(f"{self.name} needs vector wires; its {role} has shape {shape}")
        return shape[0]


class Linear(Layer):
    """x ↦ x W, with W of shape (in, out) drawn with variance 1/in."""

    def __init__(self, dom: Ty, cod: Ty, name: str | None = None) -> None:
        super().__init__(_fresh("linear", name), dom, cod)

    def init(self, key, input_shapes, output_shapes):
        n, m = self._vector(input_shapes[0], "input"), self._vector(output_shapes[0], "output")
        return {"w": _lecun(key, n, m)}

    def apply(self, params, x):
        return x @ params["w"]


class Bias(Layer):
    """x ↦ x + b, with b starting at zero."""

    def __init__(self, ty: Ty, name: str | None = None) -> None:
        super().__init__(_fresh("bias", name), ty, ty)

    def init(self, key, input_shapes, output_shapes):
        return {"b": jnp.zeros(input_shapes[0])}

    def apply(self, params, x):
        return x + params["b"]


ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "softmax": jax.nn.softmax,
    "gelu": jax.nn.gelu,
}


def _activation_fn(activation: str | Callable | None) -> Callable:
    if activation is None:
        return _identity
    if callable(activation):
        return activation
    if not isinstance(activation, str):
        raise ArgumentTypeError(
            f"activation: expected a name, a function or None, got {type(activation).__name__}"
        )
    if activation not in ACTIVATIONS:
        raise ArgumentValueError(
            f"activation: unknown {activation!r}; known: {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[activation]


def _identity(x: jax.Array) -> jax.Array:
    return x


class Dense(Layer):
    """x ↦ σ(x W + b): ``Linear`` then ``Bias`` then an activation, as one box."""

    def __init__(
        self, dom: Ty, cod: Ty, activation: str | Callable | None = None, name: str | None = None
    ) -> None:
        self.activation = activation
        self._fn = _activation_fn(activation)
        super().__init__(_fresh("dense", name), dom, cod, data=(activation,))

    def init(self, key, input_shapes, output_shapes):
        n, m = self._vector(input_shapes[0], "input"), self._vector(output_shapes[0], "output")
        return {"w": _lecun(key, n, m), "b": jnp.zeros(m)}

    def apply(self, params, x):
        return self._fn(x @ params["w"] + params["b"])


class Activation(Layer):
    """An elementwise (or, for softmax, last-axis) nonlinearity; no parameters."""

    has_params = False

    def __init__(self, name: str, ty: Ty, fn: Callable | None = None) -> None:
        if fn is not None and not callable(fn):
            raise ArgumentTypeError(f"Activation {name!r}: fn is a {type(fn).__name__}")
        self._fn = fn if fn is not None else _activation_fn(name)
        super().__init__(name, ty, ty, data=None if fn is None else (fn,))

    def apply(self, params, x):
        return self._fn(x)


def relu(ty: Ty) -> Activation:
    """max(x, 0) on every wire of ``ty``."""
    return Activation("relu", ty)


def tanh(ty: Ty) -> Activation:
    return Activation("tanh", ty)


def sigmoid(ty: Ty) -> Activation:
    return Activation("sigmoid", ty)


def softmax(ty: Ty) -> Activation:
    """exp(x) / Σ exp(x) over the wire's last axis."""
    return Activation("softmax", ty)


class Add(Layer):
    """n wires of one type summed into one (the merge of the additive monoid)."""

    has_params = False

    def __init__(self, ty: Ty, n: int = 2) -> None:
        n = size(n, "Add(ty, n): n")
        if len(ty.inside) != 1:
            raise ArgumentValueError(f"Add sums copies of one wire; got type {ty}")
        super().__init__("add" if n == 2 else f"add{n}", ty**n, ty)

    def apply(self, params, *xs):
        return sum(xs[1:], xs[0]) if xs else 0.0


class Concat(Layer):
    """Several vector wires joined into one, along the last axis."""

    has_params = False

    def __init__(self, dom: Ty, cod: Ty) -> None:
        super().__init__("concat", dom, cod)

    def apply(self, params, *xs):
        return jnp.concatenate(xs, axis=-1)


class Embedding(Layer):
    """An integer token (a wire of shape ()) ↦ a row of a learnable (vocab, size) table;
    a token outside 0..vocab-1 (a negative one included) gives a row of NaN."""

    def __init__(self, dom: Ty, cod: Ty, vocab: int, name: str | None = None) -> None:
        self.vocab = size(vocab, "Embedding vocab")
        super().__init__(_fresh("embedding", name), dom, cod, data=(self.vocab,))

    def init(self, key, input_shapes, output_shapes):
        if input_shapes[0] != ():
            raise LayerShapeError(
                f"{self.name} reads integer tokens (wire shape ()), got shape {input_shapes[0]}"
            )
        size = self._vector(output_shapes[0], "output")
        return {"table": jax.random.normal(key, (self.vocab, size))}

    def apply(self, params, token):
        # A token outside 0..vocab-1 reads NaN, not the clamped last row (JAX's default):
        # on the device, bad ids cannot raise, but they need not pass for good ones.
        return (
            params["table"]
            .at[token]
            .get(mode="fill", fill_value=jnp.nan, wrap_negative_indices=False)
        )


class RNNCell(Layer):
    """Elman's cell x ⊗ h → h: h' = tanh(x Wₓ + h Wₕ + b)."""

    def __init__(self, x: Ty, h: Ty, name: str | None = None) -> None:
        super().__init__(_fresh("rnn", name), x @ h, h)

    def init(self, key, input_shapes, output_shapes):
        n = self._vector(input_shapes[0], "input")
        m = self._vector(input_shapes[1], "state")
        kx, kh = jax.random.split(key)
        return {"wx": _lecun(kx, n, m), "wh": _lecun(kh, m, m), "b": jnp.zeros(m)}

    def apply(self, params, x, h):
        return jnp.tanh(x @ params["wx"] + h @ params["wh"] + params["b"])


def residual(f: frobenius.Diagram) -> frobenius.Diagram:
    """x ↦ x + f(x): copy, run f on one copy, add (f must be an endomorphism)."""
    if f.dom != f.cod or len(f.dom.inside) != 1:
        raise CompositionError(
            f"a residual block needs f : x → x on one wire; got {f.dom} → {f.cod}"
        )
    return frobenius.Diagram.copy(f.dom) >> (f @ f.dom) >> Add(f.dom)


def stack(block: frobenius.Diagram, n: int, name: str | None = None) -> Repeat:
    """``block`` (an endomorphism, e.g. a layer or a ``residual`` block) run ``n`` times,
    each copy with its own parameters, as one box that functors scan (see ``Repeat``)."""
    return Repeat(block, n, name=name)


def unroll(cell: frobenius.Diagram, steps: int, state: Ty | None = None) -> frobenius.Diagram:
    """The recurrent cell ``x ⊗ s → y ⊗ s`` run ``steps`` times: xᵀ ⊗ s → yᵀ ⊗ s.

    ``state`` is the type ``s`` threaded through (default: the last wire).
    """
    steps = size(steps, "unroll steps")
    state = cell.cod[-1:] if state is None else state
    k = len(state.inside)
    x, y = cell.dom[: len(cell.dom.inside) - k], cell.cod[: len(cell.cod.inside) - k]
    if k == 0 or cell.dom[len(x.inside) :] != state or cell.cod[len(y.inside) :] != state:
        raise CompositionError(
            f"a recurrent cell is x ⊗ {state} → y ⊗ {state}; got {cell.dom} → {cell.cod}"
        )
    swap = frobenius.Diagram.swap
    diagram = Id(x**steps @ state)
    for t in range(steps):
        rest = x ** (steps - t - 1)
        diagram = (
            diagram
            >> y**t @ x @ swap(rest, state)
            >> y**t @ cell @ rest
            >> y ** (t + 1) @ swap(state, rest)
        )
    return diagram
