"""``TensorFunctor``: a whole string diagram as one semiring tensor network.

Objects go to dimensions, boxes to arrays. The diagram's open hypergraph
*is* the network: every box is an operand whose indices are its wires,
and identities, swaps, cups, caps and spiders only decide which indices
coincide. ``compile`` contracts it along one optimised path, traced once
and cached by structure::

    >>> import jax.numpy as jnp
    >>> from catlearn.diagrams import Box, Cap, Cup, Ty
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> F = TensorFunctor({x: 2}, {f: jnp.array([[0.0, 1.0], [2.0, 3.0]])})
    >>> F(f >> f).tolist()                     # the matrix product, axes (dom, cod)
    [[2.0, 3.0], [6.0, 11.0]]
    >>> trace = Cap(x, x.r) >> (f @ x) >> Cup(x, x.r)
    >>> F(trace).item()                        # cups and caps are only wiring
    3.0
    >>> F.compile(f >> f)(jnp.array([[1.0, 0.0], [0.0, 1.0]])).tolist()  # batch of 2
    [[2.0, 3.0], [6.0, 11.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import jax
import numpy as np

from catlearn.diagrams import Repeat, from_discopy
from catlearn.errors import ArgumentTypeError, NonCommutativeError, SymbolError
from catlearn.functors.boxes import (
    MISSING,
    Dagger,
    Dimensions,
    MissingImageError,
    Param,
    ShapeError,
    array_like,
    boxes_of,
    converted,
    flip,
    look_up,
    name_of,
    signature_of,
)
from catlearn.functors.cache import StructureCache
from catlearn.functors.compiled import CompiledDiagram
from catlearn.functors.layout import Layout
from catlearn.functors.parameters import claim, draw, entry_key, owner_of, require_key
from catlearn.functors.symbolic import is_symbolic, lambdify_array, undefined_functions
from catlearn.semirings import Real, Semiring, require_semiring


class TensorFunctor(Dimensions):
    """Objects ↦ dimensions, boxes ↦ arrays (or ``Param``), in a commutative semiring.

    ``ob`` maps types (``Ty("x")``, an ``Ob`` or its name) to ints ≥ 1; ``ar``
    maps boxes (or box names) to arrays, ``Param`` or sympy arrays. With
    ``ar=None``, a box's own ``.array`` is used (``discopy.tensor``). Arrays
    ``ar`` gives for boxes are checked here, at construction: a wrong shape,
    ragged lists or a string raise an error naming the box.
    """

    def __init__(
        self,
        ob: Mapping[Any, int] | Callable[[Any], int] | None,
        ar: Mapping[Any, Any] | Callable[[Any], Any] | None = None,
        semiring: Semiring | None = None,
    ) -> None:
        semiring = Real() if semiring is None else require_semiring(semiring, "semiring")
        if not semiring.commutative:
            raise NonCommutativeError(
                f"a tensor network needs a commutative semiring; {semiring!r} is not"
            )
        if ar is not None and not (isinstance(ar, Mapping) or callable(ar)):
            raise ArgumentTypeError(
                f"ar: expected a mapping from boxes (or names) to arrays, or a function of "
                f"the box, got {type(ar).__name__}"
            )
        self.semiring = semiring
        self._given = (ob, ar)
        self._ob = self._dimensions(ob)
        self._ar = ar
        self._cache: StructureCache[CompiledDiagram] = StructureCache()
        if isinstance(ar, Mapping):
            for box, value in ar.items():
                if hasattr(box, "dom") and not isinstance(value, Param):
                    self.constant(box, value)

    # -- objects and arrows ------------------------------------------------

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

    def image(self, box: Any) -> Any:
        """What ``ar`` gives for ``box`` (array, ``Param`` or sympy array).

        A dagger box without an entry of its own is the conjugate transpose
        of its original's image.
        """
        ar = self._ar
        value = look_up(ar, box)
        if value is not MISSING:
            return value
        if getattr(box, "is_dagger", False):
            return Dagger(self.image(box.dagger()), len(getattr(box.dom, "inside", ())))
        if ar is None and hasattr(box, "array"):
            return box.array
        raise MissingImageError(f"the functor has no array for box {signature_of(box)}")

    def constant(self, box: Any, value: Any) -> Any:
        """``value`` as the array of ``box``: in the semiring's carrier and of the box's
        shape, or an error naming the box. Sympy arrays are checked for shape only."""
        if isinstance(value, Dagger):
            return flip(self.constant(box.dagger(), value.value), value.n_front)
        if isinstance(value, Param):
            return value
        if is_symbolic(value):
            array = np.asarray(array_like(box, value, numbers=False), dtype=object)
            got = np.shape(array)
            undefined = undefined_functions(array)
            if undefined:
                raise SymbolError(
                    f"box {signature_of(box)} holds the undefined function(s) "
                    f"{', '.join(undefined)}: no JAX meaning; write them with sympy's own "
                    "functions (sin, exp, …) or replace them before building the functor"
                )
        else:
            where = f"box {signature_of(box)}"
            array = converted(where, self.semiring.asarray, array_like(box, value))
            got = tuple(self.semiring.index_shape(array))
        want = self.shape(box)
        if want != got:
            raise ShapeError(
                f"box {signature_of(box)} needs an array of shape {want}, got shape {got}"
            )
        return array

    _array = constant  # the name CompiledDiagram and older callers use

    # -- evaluation --------------------------------------------------------
    def compile(self, diagram: Any) -> CompiledDiagram:
        """The diagram as one traced, cached contraction (see :class:`CompiledDiagram`).

        Two different boxes that would share one params entry (the same name, other
        types) raise ``ParameterConflictError`` here.
        """
        return self._cache.get(diagram, from_discopy, lambda graph: CompiledDiagram(self, graph))

    def __call__(self, diagram: Any) -> Any:
        """The diagram's whole tensor, axes in DisCoPy's order (domain wires, then codomain)."""
        return self.compile(diagram).tensor()

    def init(self, diagram: Any = None, key: jax.Array | None = None) -> dict[str, Any]:
        """Initial parameters: one entry per ``Param`` box and per sympy symbol.

        ``init(diagram, key)``, as for ``FunctionFunctor``; without a diagram,
        every box of ``ar``. (``init(key, diagram)``, the older order, still works.)
        A box used twice, or with its dagger, has one entry; two different boxes
        with one name raise ``ParameterConflictError``. With a diagram, the entries
        of a run of like boxes come stacked, as ``compile(diagram).layout`` says
        (``compile(diagram).unstack(params)`` gives one entry per box).
        """
        if _is_key(diagram):
            diagram, key = key, diagram
        if key is None and diagram is not None and not hasattr(diagram, "dom"):
            diagram, key = None, diagram  # init(0): a seed where a key belongs
        key = require_key(key, "key")
        if diagram is not None:  # the diagram's layout: runs of like boxes stacked
            compiled = self.compile(diagram)
            return self._init(compiled.graph.boxes, key, compiled.layout)
        return self._init(list(self._ar) if isinstance(self._ar, Mapping) else [], key, Layout())

    def _init(self, boxes: Any, key: jax.Array, layout: Layout) -> dict[str, Any]:
        """Entries in ``layout``; each name's key is folded from ``key`` and the name, so
        an entry's initial value does not depend on the other boxes, nor on the layout."""
        makers: dict[str, Any] = {}  # entry ↦ (Param, shape), or None for a symbol
        owners: dict[str, Any] = {}
        for box in boxes:
            if not hasattr(box, "dom"):
                continue
            if isinstance(box, Repeat):  # its entry: the block's params, one row per copy
                claim(owners, name_of(box), box)
                makers.setdefault(name_of(box), ("repeat", box))
                continue
            value = self.image(box)
            while isinstance(value, Dagger):  # a dagger shares its original's entry
                value = value.value
            if isinstance(value, Param):
                name = name_of(box)
                claim(owners, name, box)
                makers.setdefault(name, (value, value.shape or self.shape(owner_of(box))))
            elif is_symbolic(value):
                for symbol in sorted(lambdify_array(value)[1], key=str):
                    claim(owners, str(symbol), symbol)
                    makers.setdefault(str(symbol), None)
        dtype = self.semiring.dtype

        def make(maker: Any, k: jax.Array) -> Any:
            if maker is None:
                return jax.random.normal(k, ())
            if maker[0] == "repeat":
                block, n = maker[1].block, maker[1].n
                return draw(lambda c: self.init(block, c), k, [str(j) for j in range(n)])
            param, shape = maker
            return param.init(k, shape, dtype)

        params: dict[str, Any] = {}
        for group, names in layout.groups.items():
            if all(makers.get(n) == makers[names[0]] for n in names):  # one draw for all
                params[group] = draw(partial(make, makers[names[0]]), key, names)
        for name, maker in makers.items():
            if (layout.row(name) or (None,))[0] not in params:
                params[name] = make(maker, entry_key(key, name))
        return layout.stack(params)


def _is_key(x: Any) -> bool:
    if not isinstance(x, jax.Array):
        return False
    return jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key) or (
        x.dtype == np.uint32 and x.shape == (2,)
    )
