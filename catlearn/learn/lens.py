"""Parametrised lenses: a model's forward map and its reverse (gradient) map, composed.

In Cruttwell et al.'s "Categorical Foundations of Gradient-Based
Learning", a parametrised lens (P, A) → B is a pair ``get : P × A → B``
and ``put : P × A × B' → P' × A'``; lenses compose sequentially and in
parallel, and a learner is a model lens followed by a loss lens. Here a
lens keeps the forward pass's residuals so that ``put`` does not
recompute it (``forward`` returns them, ``backward`` consumes them), and
``lens(F, diagram)`` is a functor: each box becomes the lens of its
function (``jax.vjp``), wiring becomes the lens of its wiring (the
reverse of copy adds cotangents), and the diagram's layers compose them::

    >>> import jax, jax.numpy as jnp
    >>> from catlearn.diagrams import Copy, Ty, nn
    >>> from catlearn.functors import ADD, FunctionFunctor
    >>> x = Ty("x")
    >>> model = nn.residual(nn.Dense(x, x, "tanh", name="d"))
    >>> F = FunctionFunctor({x: 3}, merge=ADD)
    >>> params, v = F.init(model, jax.random.key(0)), jnp.ones(3)
    >>> dparams, (dv,) = lens(F, model).put(params, (v,), (jnp.ones(3),))
    >>> _, vjp = jax.vjp(F.compile(model).apply, params, v)
    >>> bool(jnp.allclose(dv, vjp(jnp.ones(3))[1]))
    True

Lenses act on one example; ``jax.vmap`` them for a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from discopy import braided, frobenius, markov, rigid

from catlearn.arguments import size
from catlearn.diagrams import Feedback
from catlearn.errors import (
    ArgumentTypeError,
    CatlearnError,
    CompositionError,
    LensError,
    MissingImageError,
    ShapeError,
)
from catlearn.functors.parameters import claim


class Lens(NamedTuple):
    """A parametrised lens between tuples of ``n_in`` and ``n_out`` arrays.

    ``forward(params, xs) -> (ys, residual)``; ``backward(residual, dys) ->
    (dparams, dxs)``, where ``dparams`` is a dict holding cotangents for
    the parameter entries this lens uses (a tied entry's uses add up).

    ``dom`` and ``cod``, when known (``lens(F, diagram)`` knows them), are the
    wires' ``(type name, shape of one example)``: ``get`` and ``put`` check the
    inputs and cotangents against them (``ShapeError`` naming the wire) and
    ``then`` refuses to compose mismatched types (``CompositionError``).
    """

    forward: Callable[[Any, tuple], tuple[tuple, Any]]
    backward: Callable[[Any, tuple], tuple[dict, tuple]]
    n_in: int
    n_out: int
    dom: tuple[tuple[str, tuple[int, ...]], ...] | None = None
    cod: tuple[tuple[str, tuple[int, ...]], ...] | None = None

    def get(self, params: Any, xs: tuple) -> tuple:
        """The forward map."""
        return self.forward(params, _checked(xs, self.n_in, self.dom, "input"))[0]

    def put(self, params: Any, xs: tuple, dys: tuple) -> tuple[dict, tuple]:
        """The reverse map: (cotangent of params, cotangent of inputs)."""
        xs = _checked(xs, self.n_in, self.dom, "input")
        dys = _checked(dys, self.n_out, self.cod, "output cotangent")
        _, residual = self.forward(params, xs)
        return self.backward(residual, dys)

    def then(self, other: Lens) -> Lens:
        """Sequential composition: self, then other."""
        _require_lens(other)
        if self.n_out != other.n_in:
            raise LensError(
                f"cannot compose a lens with {self.n_out} outputs and one with {other.n_in} inputs"
            )
        if self.cod is not None and other.dom is not None and self.cod != other.dom:
            raise CompositionError(
                f"cannot compose a lens to {_types(self.cod)} with one from {_types(other.dom)}"
            )

        def forward(params, xs):
            ys, r1 = self.forward(params, xs)
            zs, r2 = other.forward(params, ys)
            return zs, (r1, r2)

        def backward(residual, dzs):
            r1, r2 = residual
            dp2, dys = other.backward(r2, dzs)
            dp1, dxs = self.backward(r1, dys)
            return _add(dp1, dp2), dxs

        return Lens(forward, backward, self.n_in, other.n_out, self.dom, other.cod)

    def tensor(self, other: Lens) -> Lens:
        """Parallel composition: inputs and outputs side by side."""
        _require_lens(other)
        k, m = self.n_in, self.n_out

        def forward(params, xs):
            ys1, r1 = self.forward(params, xs[:k])
            ys2, r2 = other.forward(params, xs[k:])
            return ys1 + ys2, (r1, r2)

        def backward(residual, dys):
            r1, r2 = residual
            dp1, dxs1 = self.backward(r1, dys[:m])
            dp2, dxs2 = other.backward(r2, dys[m:])
            return _add(dp1, dp2), dxs1 + dxs2

        dom = self.dom + other.dom if self.dom is not None and other.dom is not None else None
        cod = self.cod + other.cod if self.cod is not None and other.cod is not None else None
        return Lens(forward, backward, self.n_in + other.n_in, self.n_out + other.n_out, dom, cod)

    __rshift__ = then
    __matmul__ = tensor

    @staticmethod
    def identity(n: int) -> Lens:
        """n wires passed through; cotangents passed back."""
        n = size(n, "n", minimum=0)
        return Lens(lambda p, xs: (xs, None), lambda r, dys: ({}, dys), n, n)

    @staticmethod
    def from_function(
        f: Callable[..., Any], n_in: int, n_out: int, name: str | None = None
    ) -> Lens:
        """The lens of ``f(*xs)`` (or ``f(params[name], *xs)``); put is ``jax.vjp``."""
        if not callable(f):
            raise ArgumentTypeError(f"from_function: f is a {type(f).__name__}, not a function")
        n_in, n_out = size(n_in, "n_in", minimum=0), size(n_out, "n_out", minimum=0)

        def forward(params, xs):
            if name is None:
                ys, vjp = jax.vjp(lambda *a: _tuple(f(*a), n_out), *xs)
            else:
                if not isinstance(params, Mapping) or name not in params:
                    raise MissingImageError(
                        f"box {name!r} has no entry in params (make params with init)"
                    )
                ys, vjp = jax.vjp(lambda q, *a: _tuple(f(q, *a), n_out), params[name], *xs)
            return ys, vjp

        def backward(vjp, dys):
            grads = vjp(tuple(dys))
            if name is None:
                return {}, tuple(grads)
            return {name: grads[0]}, tuple(grads[1:])

        return Lens(forward, backward, n_in, n_out)


def lens(F: Any, diagram: Any) -> Lens:
    """The lens of a diagram under a ``FunctionFunctor``: boxes' lenses composed layer by layer."""
    if not callable(getattr(F, "image", None)):
        raise ArgumentTypeError(f"lens: F is a {type(F).__name__}, expected a FunctionFunctor")
    if not hasattr(getattr(diagram, "dom", None), "inside"):
        raise ArgumentTypeError(
            f"lens: expected a DisCoPy diagram (its layers are composed), got "
            f"{type(diagram).__name__}"
        )
    dom = len(diagram.dom.inside)
    if not hasattr(diagram, "inside") or (
        len(diagram.inside) == 1 and diagram.inside[0] is diagram
    ):
        layers = [[diagram.dom[:0], diagram, diagram.dom[:0]]]
    else:
        layers = [list(layer) for layer in diagram.inside]
    total = Lens.identity(dom)
    owners: dict[str, Any] = {}  # as in compile: one params entry, one box
    for layer in layers:
        parts = [
            Lens.identity(len(item.inside)) if i % 2 == 0 else _box_lens(F, item, owners)
            for i, item in enumerate(layer)
        ]
        layer_lens = parts[0]
        for part in parts[1:]:
            layer_lens = layer_lens @ part
        total = total >> layer_lens
    return total._replace(dom=_wires(F, diagram.dom), cod=_wires(F, diagram.cod))


def _wires(F: Any, typ: Any) -> tuple | None:
    """The ``(type name, shape)`` of each wire of ``typ`` under ``F``; None if unknown."""
    try:
        return tuple((str(o), tuple(F.shape(o))) for o in typ.inside)
    except (CatlearnError, AttributeError, TypeError):
        return None


def _types(wires: tuple) -> str:
    return " @ ".join(f"{name} {shape}" for name, shape in wires) or "()"


def _checked(values: Any, n: int, wires: tuple | None, what: str) -> tuple:
    """``values`` as a tuple of ``n``, each of its wire's shape (one example) when known."""
    values = _arity(values, n, what + "s")
    if wires is not None:
        for i, (value, (name, shape)) in enumerate(zip(values, wires)):
            got = getattr(value, "shape", None)
            if got is None:
                try:
                    got = jnp.shape(value)
                except TypeError:
                    continue  # not an array: the function itself will say what it needs
            if tuple(got) != shape:
                raise ShapeError(
                    f"{what} {i} (wire {name}) needs shape {shape} (one example; vmap a "
                    f"batch), got {tuple(got)}"
                )
    return values


def _box_lens(F: Any, box: Any, owners: dict[str, Any]) -> Lens:
    n_in, n_out = len(box.dom.inside), len(box.cod.inside)
    if isinstance(box, braided.Braid):
        k = len(box.left.inside)
        return Lens.from_function(lambda *xs: xs[k:] + xs[:k], n_in, n_out)
    if isinstance(box, (rigid.Cup, rigid.Cap)) or isinstance(box, Feedback):
        raise LensError(f"{box} has no lens here (cups, caps and feedback loops)")
    if isinstance(box, markov.Copy) or (
        isinstance(box, frobenius.Spider) and len(box.dom.inside) == len(box.typ.inside)
    ):
        copies = n_out // n_in if n_in else 0
        return Lens.from_function(lambda *xs: xs * copies, n_in, n_out)
    m = F.image(box)
    if m.kind == "layer":
        claim(owners, m.name, m.box)
        return Lens.from_function(m.run, n_in, n_out, name=m.name)
    return Lens.from_function(m.run, n_in, n_out)


def _tuple(y: Any, n: int) -> tuple:
    if isinstance(y, (tuple, list)):
        if len(y) != n:  # the next lens would read its inputs shifted
            raise LensError(f"a function with {n} outputs returned {len(y)} values")
        return tuple(y)
    if n == 1:
        return (y,)
    raise LensError(f"a function with {n} outputs returned one value")


def _arity(values: Any, n: int, what: str) -> tuple:
    if not isinstance(values, (tuple, list)):
        raise ArgumentTypeError(f"a lens takes a tuple of {n} {what}, got {type(values).__name__}")
    if len(values) != n:
        raise LensError(f"the lens has {n} {what}, got {len(values)}")
    return tuple(values)


def _require_lens(other: Any) -> None:
    if not isinstance(other, Lens):
        raise ArgumentTypeError(f"a lens composes with a Lens, not a {type(other).__name__}")


def _add(a: Mapping, b: Mapping) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = jax.tree.map(jnp.add, out[k], v) if k in out else v
    return out
