"""Law suite for function-valued (cartesian) functors on string diagrams.

``function_functor(F, signature)`` checks, on random well-typed Markov
diagrams (boxes, swaps, copies, discards) and random inputs, that the
compiled function of ``f ; g`` is ``F(g) ∘ F(f)``, that of ``f ⊗ g`` runs
the two side by side, that identities, swaps, copies and discards do
what wiring must, that boxes are deterministic (copy is natural:
``f ; copy = copy ; (f ⊗ f)``), and that the compiled program agrees with
an oracle that runs DisCoPy's layers one by one.

Oracle. :func:`run_layers` calls the functions and layers the user
*declared* (``F.ar``, or ``ar=`` given here, read by
:mod:`catlearn.laws.declared`), never ``F.image`` or the compiled program,
so a functor that misreads a box (swaps its arguments, reverses its
outputs) is caught even when it is a lawful functor. What it shares with
F: the declaration, and the parameters ``F.init`` draws for the layers::

    >>> import jax.numpy as jnp
    >>> from catlearn.diagrams import Box, Ty
    >>> from catlearn.functors import FunctionFunctor
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> F = FunctionFunctor({x: 2}, {f: jnp.sin})
    >>> function_functor(F, [f]).check(max_examples=3)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import numpy as np
from discopy import braided, frobenius
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, MissingImageError
from catlearn.laws import arguments
from catlearn.laws.declared import MISSING, image
from catlearn.laws.diagrams import MARKOV
from catlearn.laws.diagrams import diagrams as diagram_strategy
from catlearn.laws.equality import ATOL, RTOL, equality
from catlearn.laws.law import Law, LawSuite


def function_functor(
    F: Any,
    signature: Sequence[frobenius.Box],
    *,
    max_boxes: int = 4,
    equal: Callable[[Any, Any], bool] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    key: jax.Array | None = None,
    ar: Any = None,
) -> LawSuite:
    """The functor laws of a ``FunctionFunctor``-like ``F`` (``compile``, ``init``, ``spec``).

    ``ar`` is the declaration the oracle runs (default ``F.ar``); for a functor that
    exposes none, ``agrees_with_layers`` is inapplicable.
    """
    F = arguments.function_functor(F, "laws.function_functor(F)")
    signature = arguments.signature(signature, "laws.function_functor(signature)")
    max_boxes = arguments.count(max_boxes, "laws.function_functor(max_boxes)")
    arguments.optional_function(equal, "laws.function_functor(equal)", "a function of (lhs, rhs)")
    rtol = arguments.tolerance(rtol, "laws.function_functor(rtol)")
    atol = arguments.tolerance(atol, "laws.function_functor(atol)")
    name = f"functor[{getattr(F, 'name', type(F).__name__)}]"
    declared = getattr(F, "ar", MISSING) if ar is None else ar
    equal = equal or equality(rtol, atol)
    key = jax.random.key(0) if key is None else key
    Ty, Id, Copy = frobenius.Ty, frobenius.Id, frobenius.Diagram.copy
    ds = diagram_strategy(signature, max_boxes=max_boxes, wiring=MARKOV)
    objects = sorted(
        {o for b in signature for o in list(b.dom.inside) + list(b.cod.inside)}, key=str
    )
    atoms = st.sampled_from(objects)
    types = st.lists(atoms, max_size=3).map(lambda os: Ty(*os))
    seeds = st.integers(0, 2**31 - 1)

    def inputs(ty, seed) -> tuple:
        rng = np.random.default_rng(seed)
        out = []
        for o in ty.inside:
            spec = F.spec(o)
            if np.issubdtype(spec.dtype, np.integer):
                out.append(rng.integers(0, 2, size=spec.shape).astype(spec.dtype))
            else:  # small dyadic values: sums and products stay exact in float32
                out.append((rng.integers(-8, 9, size=spec.shape) / 4).astype(spec.dtype))
        return tuple(out)

    def run(diagram, xs) -> tuple:
        f = F.compile(diagram)
        params = F.init(diagram, key)
        ys = f.apply(params, *xs)
        return ys if isinstance(ys, tuple) else (ys,)

    def composition(d, k, seed):
        k = k % (len(d.inside) + 1)
        f, g = d[:k], d[k:]
        xs = inputs(d.dom, seed)
        return run(f >> g, xs), run(g, run(f, xs))

    def tensor(d1, d2, seed):
        xs1, xs2 = inputs(d1.dom, seed), inputs(d2.dom, seed + 1)
        return run(d1 @ d2, xs1 + xs2), run(d1, xs1) + run(d2, xs2)

    def identity(ty, seed):
        xs = inputs(ty, seed)
        return run(Id(ty), xs), xs

    def swap(a, b, seed):
        u, v = inputs(Ty(a, b), seed)
        return run(frobenius.Swap(Ty(a), Ty(b)), (u, v)), (v, u)

    def copy_and_discard(ty, seed):
        xs = inputs(ty, seed)
        return (run(Copy(ty), xs), run(Copy(ty, 0), xs)), (xs + xs, ())

    def copy_naturality(d, seed):
        xs = inputs(d.dom, seed)
        return run(d >> Copy(d.cod), xs), run(Copy(d.dom) >> d @ d, xs)

    def oracle(d, seed):
        xs = inputs(d.dom, seed)
        return run(d, xs), run_layers(F, d, F.init(d, key), xs, ar=declared)

    laws = [
        Law(name, "composition", "F(f ; g) = F(g) ∘ F(f)", (ds, st.integers(0, 64), seeds),
            composition, equal),
        Law(name, "tensor", "F(f ⊗ g) = F(f) × F(g)", (ds, ds, seeds), tensor, equal),
        Law(name, "identity", "F(id) = id", (types, seeds), identity, equal),
        Law(name, "swap", "F(σ)(u, v) = (v, u)", (atoms, atoms, seeds), swap, equal),
        Law(name, "copy_discard", "F(copy)(u) = (u, u), F(discard)(u) = ()", (types, seeds),
            copy_and_discard, equal),
        Law(name, "copy_naturality", "f ; copy = copy ; (f ⊗ f) (boxes are deterministic)",
            (ds, seeds), copy_naturality, equal),
    ]  # fmt: skip

    def images(box, seed):
        return oracle(Id(box.dom) >> box, seed)

    declaration_laws = (
        Law(name, "images", "F(box) = the declared function of box", (st.sampled_from(signature),
            seeds), images, equal),
        Law(name, "agrees_with_layers", "F(d) = the declared boxes run layer by layer",
            (ds, seeds), oracle, equal),
    )  # fmt: skip
    if declared is MISSING:
        declaration_laws = tuple(
            law.inapplicable(
                "the functor exposes no declared ar (F.ar): pass laws.functor(F, signature, ar=...)"
            )
            for law in declaration_laws
        )
    return LawSuite(name, (*laws, *declaration_laws))


def run_layers(F: Any, diagram: Any, params: Any, xs: tuple, *, ar: Any = None) -> tuple:
    """Evaluate ``diagram`` layer by layer in Python, running the boxes as declared (``ar``,
    default ``F.ar``) without the hypergraph IR or ``F.image``: an oracle."""
    ar = getattr(F, "ar", MISSING) if ar is None else ar
    if ar is MISSING:
        raise ArgumentTypeError("run_layers: F exposes no declared ar (F.ar); pass ar=...")
    values = list(xs)
    for layer in diagram.inside:
        items, new, pos = list(layer), [], 0
        for i, item in enumerate(items):
            if i % 2 == 0:
                k = len(item.inside)
                new += values[pos : pos + k]
                pos += k
                continue
            n = len(item.dom.inside)
            args, pos = values[pos : pos + n], pos + n
            new += _generator(ar, params, item, args)
        values = new
    return tuple(values)


def _generator(ar: Any, params: Any, box: Any, args: list) -> list:
    if isinstance(box, braided.Braid):
        k = len(box.left.inside)
        return args[k:] + args[:k]
    if isinstance(box, frobenius.Spider) and len(box.dom.inside) == len(box.typ.inside):
        return args * (len(box.cod.inside) // max(1, len(args))) if args else []
    value = _declared_box(ar, box)
    if callable(getattr(value, "apply", None)):
        stateless = getattr(value, "init", None) is None or not getattr(value, "has_params", True)
        out = value.apply({} if stateless else params[str(box.name)], *args)
    elif callable(value):
        out = value(*args)
    else:
        raise ArgumentTypeError(f"the layer oracle cannot run box {box}: declared {value!r:.60}")
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _declared_box(ar: Any, box: Any) -> Any:
    """A layer box (one with its own ``apply``) means itself unless ``ar`` names that very
    box; any other box is what ``ar`` declares for it, by box or name."""
    if callable(getattr(box, "apply", None)):
        if isinstance(ar, Mapping):
            try:
                return ar[box]
            except (KeyError, TypeError):
                return box
        return box if ar is None else ar(box)
    value = image(ar, box)
    if value is MISSING:
        raise MissingImageError(f"the declared ar has nothing for box {box}")
    return value
