"""``FunctionFunctor``: diagrams as JAX functions with parameters (the Para construction).

Objects go to feature shapes, boxes to functions of *one example*, or to
layers that own parameters (``init(key, input_shapes[, output_shapes])``
and ``apply(params, *inputs)``). Copy, discard and swap are wiring; a
merge needs an explicit monoid. ``compile`` traces the whole diagram once
into a pure ``apply(params, *inputs)``; leading axes of the inputs are a
batch, vectorised with ``vmap``::

    >>> import jax, jax.numpy as jnp
    >>> from catlearn.diagrams import Copy, Ty, nn
    >>> x, y = Ty("x"), Ty("y")
    >>> enc = nn.Dense(x, x, "tanh", name="enc")
    >>> model = enc >> Copy(x) >> (enc @ nn.Linear(x, y, name="head"))
    >>> F = FunctionFunctor({x: 3, y: 2})
    >>> params = F.init(model, jax.random.key(0))
    >>> sorted(params)                       # enc is used twice: one set of weights
    ['enc', 'head']
    >>> f = F.compile(model)
    >>> a, b = f.apply(params, jnp.ones((5, 3)))   # a batch of 5
    >>> a.shape, b.shape
    ((5, 3), (5, 2))
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from discopy import frobenius, markov

from catlearn.arguments import size
from catlearn.diagrams import Feedback, Repeat, from_discopy
from catlearn.errors import ArgumentTypeError, MissingImageError, NotCartesianError
from catlearn.functors.boxes import (
    MISSING,
    atom_name,
    boxes_of,
    look_up,
    name_of,
    signature_of,
)
from catlearn.functors.cache import StructureCache
from catlearn.functors.parameters import draw, require_key
from catlearn.functors.program import CompiledFunction, Morphism
from catlearn.semirings.floats import float_dtype


class Monoid(NamedTuple):
    """How wires merge: ``combine(a, b)`` and the ``unit(shape, dtype)`` of no inputs."""

    combine: Callable[[Any, Any], Any]
    unit: Callable[[tuple, Any], Any]


ADD = Monoid(jnp.add, lambda shape, dtype: jnp.zeros(shape, dtype))
"""The additive monoid: merging wires sums them (a residual connection)."""


class FunctionFunctor:
    """Objects ↦ feature shapes, boxes ↦ JAX functions or parametrised layers.

    ``ob`` maps types (or their names) to an int ≥ 1 (a vector size), a shape
    tuple of them, or a ``jax.ShapeDtypeStruct``; ``ar`` maps boxes (or names) to
    a function ``f(*inputs) -> output(s)`` or a layer with ``apply`` (and
    optionally ``init``). A box that has its own ``apply`` (the generators
    of ``catlearn.diagrams.nn``) is its own layer unless ``ar`` is keyed by
    that very box: an entry keyed by its name means plain boxes of that name.
    ``merge`` is the monoid for ``Merge`` and many-input spiders.
    A layer's params entry is keyed by its name and belongs to its box:
    ``compile`` refuses two different boxes with one name
    (``ParameterConflictError``), and ``apply`` checks each entry against the
    shapes ``init`` made, when it traces, naming the box.
    """

    def __init__(
        self,
        ob: Mapping[Any, Any] | Callable[[Any], Any],
        ar: Mapping[Any, Any] | Callable[[Any], Any] | None = None,
        merge: Monoid | None = None,
    ) -> None:
        self._given = (ob, ar)
        if isinstance(ob, Mapping):
            ob = {atom_name(k): _spec(k, v) for k, v in ob.items()}
        elif not callable(ob):
            raise ArgumentTypeError(
                f"ob: expected a mapping from types to shapes or a function, "
                f"got {type(ob).__name__}"
            )
        if ar is not None and not (isinstance(ar, Mapping) or callable(ar)):
            raise ArgumentTypeError(
                f"ar: expected a mapping from boxes (or names) to functions or layers, or a "
                f"function of the box, got {type(ar).__name__}"
            )
        if merge is not None and not isinstance(merge, Monoid):
            raise ArgumentTypeError(
                f"merge: expected a Monoid(combine, unit) such as ADD, got {type(merge).__name__}"
            )
        self._ob = ob
        self._ar = ar
        self.merge = merge
        self._cache: StructureCache[CompiledFunction] = StructureCache()
        # The shapes of each layer box's params, learnt from init: what apply checks against.
        self._param_shapes: dict[Any, Any] = {}

    # -- objects and arrows ------------------------------------------------
    def spec(self, obj: Any) -> jax.ShapeDtypeStruct:
        """The shape and dtype of one example on a wire of atomic type ``obj``."""
        if callable(self._ob):
            return _spec(obj, self._ob(obj))
        key = name_of(obj)
        if key not in self._ob:
            raise MissingImageError(f"the functor maps no shape to object {obj!r}")
        return self._ob[key]

    def shape(self, obj: Any) -> tuple[int, ...]:
        return tuple(self.spec(obj).shape)

    @property
    def ob(self) -> Any:
        """``ob`` as the user gave it: what ``catlearn.laws.functor``'s oracle reads."""
        return self._given[0]

    @property
    def ar(self) -> Any:
        """``ar`` as the user gave it: what ``catlearn.laws.functor``'s oracle reads."""
        return self._given[1]

    @property
    def signature(self) -> tuple:
        """The boxes ``ar`` names as boxes (not by name), e.g. for ``catlearn.laws.functor``."""
        return boxes_of(self._ar)

    def image(self, box: Any) -> Morphism:
        """What ``box`` means: a function, a layer with parameters, a merge or a feedback loop."""
        ins = [self.spec(o) for o in box.dom.inside]
        outs = [self.spec(o) for o in box.cod.inside]
        if isinstance(box, Feedback):
            return Morphism("feedback", box, name_of(box), None, self.compile(box.cell))
        if _is_merge(box):
            return self._merge_morphism(box, outs)
        if isinstance(box, Repeat):
            return self._repeat_morphism(box)
        value = self._lookup(box)
        wires = (_wire_kinds(ins), _wire_kinds(outs))
        if callable(getattr(value, "apply", None)):
            init = getattr(value, "init", None)
            like = ("layer", _identity(value), wires)
            if init is None or not getattr(value, "has_params", True):
                # Without params, a layer's name may be all that says what it computes
                # (nn.Activation("tanh") against "relu"): alike only under one name.
                like = like + (getattr(value, "name", None),)
                return Morphism("function", box, name_of(box), None, _bind_layer(value), like)
            init = _initialiser(init, ins, outs)
            return Morphism("layer", box, name_of(box), init, value.apply, like)
        if callable(value):
            like = ("function", value, wires) if _hashable(value) else None
            return Morphism("function", box, name_of(box), None, value, like)
        raise ArgumentTypeError(
            f"the functor maps box {signature_of(box)} to a {type(value).__name__}; expected "
            "a function or a layer with apply(params, *inputs)"
        )

    def _lookup(self, box: Any) -> Any:
        if callable(getattr(box, "apply", None)):
            # A layer (catlearn.diagrams.nn) means itself: only an entry keyed by the box
            # replaces it, never one keyed by its name, which means the plain boxes of
            # that name (two different boxes with one name are not one box).
            value = look_up(self._ar, box, by_name=False)
            return box if value is MISSING else value
        value = look_up(self._ar, box)
        if value is not MISSING:
            return value
        raise MissingImageError(f"the functor has no function for box {signature_of(box)}")

    def _repeat_morphism(self, box: Repeat) -> Morphism:
        """``box.n`` copies of the block: one scan over the copies' stacked params."""
        block = self.compile(box.block)
        if block.stateful:
            raise NotCartesianError(
                f"{box}: a repeated block cannot hold Feedback; repeat inside the cell instead"
            )
        copies = [str(k) for k in range(box.n)]

        def init(key: jax.Array) -> Any:
            return draw(block.init, key, copies)

        def run(params: Any, *xs: Any) -> tuple:
            def body(carry: tuple, p: Any) -> tuple:
                return block.step(p, (), carry)[0], None

            return jax.lax.scan(body, tuple(xs), params, length=box.n)[0]

        return Morphism("layer", box, name_of(box), init, run)

    def _merge_morphism(self, box: Any, outs: list) -> Morphism:
        if self.merge is None:
            raise NotCartesianError(
                f"{box} merges wires: give FunctionFunctor(..., merge=Monoid(...)), e.g. ADD"
            )
        width = len(box.typ.inside) if isinstance(box, frobenius.Spider) else 1
        n_out = len(outs) // width if width else 0
        monoid, specs = self.merge, outs[:width]

        def merge(*xs):
            merged = []
            for j, spec in enumerate(specs):
                legs = xs[j::width]
                if not legs:
                    merged.append(monoid.unit(tuple(spec.shape), spec.dtype))
                    continue
                value = legs[0]
                for leg in legs[1:]:
                    value = monoid.combine(value, leg)
                merged.append(value)
            return tuple(merged * n_out)

        return Morphism("function", box, name_of(box), None, merge)

    # -- compile and parameters --------------------------------------------
    def compile(self, diagram: Any) -> CompiledFunction:
        """The diagram as one pure function, traced once and cached by structure."""
        return self._cache.get(
            diagram,
            lambda d: from_discopy(d, cartesian=True),
            lambda graph: CompiledFunction(self, graph),
        )

    def __call__(self, diagram: Any) -> CompiledFunction:
        return self.compile(diagram)

    def init(self, diagram: Any, key: jax.Array) -> dict[str, Any]:
        """Initial parameters, one entry per layer box, keyed by box name.

        A box used several times gets one entry (its weights are tied); two
        different boxes with one name (other types, another activation) raise
        ``ParameterConflictError``. Each name's key is folded from ``key`` and
        the name, so adding a box does not change the others' initial values.
        """
        key = require_key(key, "key")
        return self.compile(diagram).init(key)


def _initialiser(init: Callable, ins: list, outs: list) -> Callable[[jax.Array], Any]:
    in_shapes = [tuple(s.shape) for s in ins]
    out_shapes = [tuple(s.shape) for s in outs]
    function = getattr(init, "__func__", None)  # a bound method: ask its function, once
    try:
        takes_outputs = (_arity(init) if function is None else _arity(function) - 1) >= 3
    except TypeError:  # an unhashable callable object
        takes_outputs = _arity.__wrapped__(init) >= 3

    def run(key: jax.Array) -> Any:
        if takes_outputs:
            return init(key, in_shapes, out_shapes)
        return init(key, in_shapes)

    return run


@functools.lru_cache(maxsize=256)
def _arity(init: Callable) -> int:
    """How many parameters ``init`` takes (inspect.signature costs 0.1 ms: 1,000 layers of
    one class ask once)."""
    try:
        return len(inspect.signature(init).parameters)
    except (TypeError, ValueError):
        return 3


def _wire_kinds(specs: list) -> tuple:
    return tuple((tuple(s.shape), s.dtype) for s in specs)


def _identity(layer: Any) -> Any:
    """What makes two layers compute the same function of their params: a generator of
    ``catlearn.diagrams.nn`` is its class and configuration (not its name); any other
    layer object is itself."""
    if hasattr(layer, "dom") and hasattr(layer, "cod"):
        return (type(layer), repr(getattr(layer, "data", None)))
    return ("object", id(layer))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _bind_layer(layer: Any) -> Callable:
    return lambda *xs: layer.apply({}, *xs)


def _is_merge(box: Any) -> bool:
    if isinstance(box, markov.Merge):
        return True
    if isinstance(box, frobenius.Spider):
        width = len(box.typ.inside)
        return width > 0 and len(box.dom.inside) != width
    return False


def _spec(key: Any, value: Any) -> jax.ShapeDtypeStruct:
    """What ``ob`` gives an object: a size, a shape tuple of sizes, or a ShapeDtypeStruct."""
    if isinstance(value, jax.ShapeDtypeStruct):
        return value
    where = f"ob[{name_of(key)}]"
    if isinstance(value, tuple):
        shape = tuple(size(d, f"{where} = {value!r:.40}, axis {i},") for i, d in enumerate(value))
    elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        shape = (size(value, where),)
    else:
        raise ArgumentTypeError(
            f"{where}: expected an int, a shape tuple or a jax.ShapeDtypeStruct, "
            f"got {type(value).__name__} {value!r:.40}"
        )
    return jax.ShapeDtypeStruct(shape, float_dtype())
