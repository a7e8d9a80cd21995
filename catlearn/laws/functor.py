"""Law suite for tensor-valued functors on string diagrams.

``functor(F, signature)`` checks, on random well-typed diagrams, that F
preserves composition (F(f ; g) is F(f) contracted with F(g) on the middle
wires) and tensor (F(f ⊗ g) is the outer product, axes in DisCoPy's
order), sends identities, swaps, snakes and fused spiders to the tensors
they must be, sends each box to the array the user declared for it, and,
for Real and Boolean, agrees with DisCoPy's own tensor evaluation.

Oracle. A functor can satisfy every equation and still not be the functor
the user declared (one that reads square boxes transposed is a lawful
functor). So two laws compare with the *declaration* — ``F.ob`` and
``F.ar`` as the user handed them in, or ``ob=``/``ar=`` given here — read
by :mod:`catlearn.laws.declared`, never through ``F.image`` or ``F.dim``:
``images`` (F(box) is the declared array, in the semiring's carrier) and
``agrees_with_discopy`` (DisCoPy's own layer-by-layer contraction of the
declared arrays, daggers by DisCoPy's ``.dagger()``). What they share with
F is the declaration itself and ``S.asarray``.

    >>> import jax.numpy as jnp
    >>> from catlearn.diagrams import Box, Ty
    >>> from catlearn.functors import TensorFunctor
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> F = TensorFunctor({x: 2}, {f: jnp.array([[1.0, 2.0], [3.0, 4.0]])})
    >>> functor(F, [f]).check(max_examples=5)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from discopy import frobenius
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, MissingImageError
from catlearn.laws import arguments
from catlearn.laws.cartesian import function_functor
from catlearn.laws.declared import MISSING, declaration, dimension, image
from catlearn.laws.diagrams import diagrams as diagram_strategy
from catlearn.laws.equality import ATOL, RTOL, equality
from catlearn.laws.law import Law, LawSuite
from catlearn.semirings import Boolean, Real, contract, require_semiring


def _labels(tag: str, n: int) -> list:
    return [(tag, i) for i in range(n)]


def functor(
    F: Any,
    signature: Sequence[frobenius.Box],
    *,
    max_boxes: int = 4,
    equal: Callable[[Any, Any], bool] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    oracle: bool | None = None,
    ob: Any = None,
    ar: Any = None,
) -> LawSuite:
    """The functor laws of ``F``: tensor laws for a ``TensorFunctor`` (``F(diagram)`` → tensor,
    ``F.semiring``, ``F.dim``), else the function laws of :func:`function_functor`.

    ``ob`` and ``ar`` are the declaration the oracle laws read (default ``F.ob`` and
    ``F.ar``); for a functor that exposes neither, those laws are inapplicable.
    """
    if not hasattr(F, "semiring"):
        if not all(callable(getattr(F, m, None)) for m in ("compile", "init", "spec")):
            arguments.tensor_functor(F, "laws.functor(F)")  # neither kind: says what is needed
        return function_functor(
            F, signature, max_boxes=max_boxes, equal=equal, rtol=rtol, atol=atol, ar=ar
        )
    F = arguments.tensor_functor(F, "laws.functor(F)")
    S = require_semiring(F.semiring, "laws.functor(F.semiring)")
    signature = arguments.signature(signature, "laws.functor(signature)")
    max_boxes = arguments.count(max_boxes, "laws.functor(max_boxes)")
    arguments.optional_function(equal, "laws.functor(equal)", "a function of (lhs, rhs)")
    rtol = arguments.tolerance(rtol, "laws.functor(rtol)")
    atol = arguments.tolerance(atol, "laws.functor(atol)")
    if oracle is not None:
        arguments.flag(oracle, "laws.functor(oracle)")
    name = f"functor[{getattr(F, 'name', type(F).__name__)}, {S!r}]"
    declared = declaration(F, ob, ar, "laws.functor")
    equal = equal or equality(rtol, atol)
    Ty, Id = frobenius.Ty, frobenius.Id
    ds = diagram_strategy(signature, max_boxes=max_boxes)
    objects = sorted(
        {o for b in signature for o in list(b.dom.inside) + list(b.cod.inside)}, key=str
    )
    atoms = st.sampled_from(objects)
    types = st.lists(atoms, max_size=3).map(lambda os: Ty(*os))

    def dims(ty) -> list[int]:
        return [F.dim(o) for o in ty.inside]

    def deltas(pairs: list[tuple[Any, Any]], ty_dims: list[int], out: list) -> Any:
        eyes = [S.eye(d) for d in ty_dims]
        if not eyes:
            return S.asarray(S.one)
        return contract(S, eyes, [list(p) for p in pairs], out)

    def composition(d, k):
        k = k % (len(d.inside) + 1)
        f, g = d[:k], d[k:]
        a, m, b = (
            _labels(t, len(ty.inside)) for t, ty in (("a", d.dom), ("m", f.cod), ("b", d.cod))
        )
        return F(f >> g), contract(S, [F(f), F(g)], [a + m, m + b], a + b)

    def tensor(d1, d2):
        a1, b1 = _labels("a1", len(d1.dom.inside)), _labels("b1", len(d1.cod.inside))
        a2, b2 = _labels("a2", len(d2.dom.inside)), _labels("b2", len(d2.cod.inside))
        return F(d1 @ d2), contract(S, [F(d1), F(d2)], [a1 + b1, a2 + b2], a1 + a2 + b1 + b2)

    def identity(ty):
        n = len(ty.inside)
        a, b = _labels("a", n), _labels("b", n)
        return F(Id(ty)), deltas(list(zip(a, b)), dims(ty), a + b)

    def swap(x, y):
        sw = frobenius.Swap(Ty(x), Ty(y))
        a, b = _labels("a", 2), _labels("b", 2)
        return F(sw), deltas([(a[0], b[1]), (a[1], b[0])], dims(Ty(x, y)), a + b)

    def snake(x):
        x = Ty(x)
        zigzag = (frobenius.Cap(x, x.r) @ x) >> (x @ frobenius.Cup(x.r, x))
        return F(zigzag), F(Id(x))

    def spider_fusion(x):
        x = Ty(x)
        fused = frobenius.Spider(2, 1, x) >> frobenius.Spider(1, 2, x)
        split = frobenius.Spider(1, 2, x) >> frobenius.Spider(2, 1, x)
        return (F(fused), F(split)), (F(frobenius.Spider(2, 2, x)), F(Id(x)))

    laws = [
        Law(
            name,
            "composition",
            "F(f ; g) = F(f) ; F(g)",
            (ds, st.integers(0, 64)),
            composition,
            equal,
        ),
        Law(name, "tensor", "F(f ⊗ g) = F(f) ⊗ F(g)", (ds, ds), tensor, equal),
        Law(name, "identity", "F(id) = id", (types,), identity, equal),
        Law(name, "swap", "F(σ) = σ", (atoms, atoms), swap, equal),
        Law(name, "snake", "F((cap ⊗ x) ; (x ⊗ cup)) = F(id)", (atoms,), snake, equal),
        Law(name, "spider_fusion", "spiders fuse", (atoms,), spider_fusion, equal),
    ]
    laws.append(_images(name, F, S, signature, declared, equal))
    agrees = Law(
        name,
        "agrees_with_discopy",
        "F(d) = DisCoPy's contraction of the declared arrays",
        (ds,),
        lambda d: (F(d), discopy_eval(F, d, ob=declared[0], ar=declared[1])),
        equal,
    )
    if oracle if oracle is not None else isinstance(S, (Real, Boolean)):
        if declared is None:
            agrees = agrees.inapplicable(_UNDECLARED)
        laws.append(agrees)
    return LawSuite(name, tuple(laws))


_UNDECLARED = (
    "the functor exposes no declared ob and ar (F.ob, F.ar): pass them, "
    "laws.functor(F, signature, ob=..., ar=...)"
)


def _images(name: str, F: Any, S: Any, signature: Sequence, declared: Any, equal: Any) -> Law:
    """F(box) = the declared array of box, for each box of the signature with a numeric one."""
    statement = "F(box) = the array ar declares for box"
    if declared is None:
        law = Law(name, "images", statement, (), lambda: (0, 0))
        return law.inapplicable(_UNDECLARED)
    ob, ar = declared
    boxes, expected = [], {}
    for box in signature:
        value = _declared_array(ob, ar, box)
        if value is not None:
            boxes.append(box)
            expected[box] = value
    if not boxes:
        law = Law(name, "images", statement, (), lambda: (0, 0))
        return law.inapplicable("no box of the signature has a numeric declared array")

    def sides(box):
        want = expected[box]
        return F(box), want if isinstance(S, Boolean) else S.asarray(want)

    return Law(name, "images", statement, (st.sampled_from(boxes),), sides, equal)


def _declared_array(ob: Any, ar: Any, box: Any) -> np.ndarray | None:
    """The declared array of ``box`` (a dagger without an entry of its own: its original's,
    conjugate-transposed), shaped (dom dims + cod dims); None when it is not numbers."""
    value = image(ar, box)
    if value is MISSING and getattr(box, "is_dagger", False):
        original = _declared_array(ob, ar, box.dagger())
        if original is None:
            return None
        k = len(box.dagger().cod.inside)
        axes = list(range(original.ndim))
        return np.conj(np.transpose(original, axes[len(axes) - k :] + axes[: len(axes) - k]))
    try:
        array = np.asarray(value)
    except Exception:  # a Param, a sympy array: not a number the law can compare
        return None
    if array.dtype.kind not in "biufc":
        return None
    atoms = list(box.dom.inside) + list(box.cod.inside)
    return array.reshape(tuple(dimension(ob, o) for o in atoms))


def discopy_eval(F: Any, diagram: Any, *, ob: Any = None, ar: Any = None) -> np.ndarray:
    """DisCoPy's own layer-by-layer tensor evaluation of ``diagram``, from the declared
    ``ob`` and ``ar`` (default ``F.ob`` and ``F.ar``), never through ``F.image``."""
    from discopy import tensor as dtensor

    declared = declaration(F, ob, ar, "discopy_eval")
    if declared is None:
        raise ArgumentTypeError(f"discopy_eval: {_UNDECLARED}")
    ob, ar = declared
    dtype = bool if isinstance(F.semiring, Boolean) else np.float64

    class Declared(dtensor.Functor):
        def __call__(self, other: Any) -> Any:
            if isinstance(other, frobenius.Box) and getattr(other, "is_dagger", False):
                value = image(ar, other)
                if value is not MISSING:  # a dagger with an entry of its own: that entry
                    return dtensor.Tensor[dtype](
                        np.asarray(value, dtype), self(other.dom), self(other.cod)
                    )
            return super().__call__(other)

    def arrow(box: Any) -> np.ndarray:
        value = image(ar, box)
        if value is MISSING:
            raise MissingImageError(f"the declared ar has no array for box {box}")
        return np.asarray(value, dtype=dtype)

    def obj(x: Any) -> Any:
        return dtensor.Dim(dimension(ob, x.inside[0] if hasattr(x, "inside") else x))

    G = Declared(ob=obj, ar=arrow, dom=frobenius.Category(), dtype=dtype)
    return np.asarray(G(diagram).array)
