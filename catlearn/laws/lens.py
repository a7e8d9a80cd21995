"""Law suite for the lens functor: diagrams to parametrised lenses (forward, reverse).

``lens_functor(F, signature)`` checks, on random Markov diagrams over
``signature`` and random points and cotangents, that ``L = lens(F, ·)``
is a functor into lenses and that its lenses are the derivatives of the
compiled diagram (reference/laws.md §5, "Lens / optic functor laws"):

* ``L(f ; g) = L(f) ; L(g)`` in ``get`` and in ``put`` (this is RD5);
* ``L(f ⊗ g) = L(f) ⊗ L(g)``, and ``L(id) = (id, π₂)``;
* ``get`` is the compiled forward map and ``put`` is its ``jax.vjp``.

Oracle: ``put_is_vjp`` compares with ``jax.vjp`` of ``F.compile(d)``, the
function functor's compiled map, which the lens does not go through
(``lens`` builds one lens per box from ``F``'s declared box functions and
composes them itself). What the two share is ``F``'s box functions and
``F.init``'s parameters: the user's declarations, so sharing them hides
nothing about the lens. The parameter cotangents are compared on every
entry of ``F.init(d)``, not on the entries the lens's ``put`` chooses to
return (a lens that drops one would otherwise pass); ``F`` itself is
checked by :func:`catlearn.laws.function_functor`. The other laws are
equations between lenses::

    >>> import jax.numpy as jnp
    >>> from catlearn.diagrams import Box, Ty
    >>> from catlearn.functors import FunctionFunctor
    >>> x = Ty("x")
    >>> f = Box("f", x, x)
    >>> lens_functor(FunctionFunctor({x: 2}, {f: jnp.sin}), [f]).check(max_examples=3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from discopy import frobenius
from hypothesis import strategies as st

from catlearn.laws import arguments
from catlearn.laws.diagrams import MARKOV
from catlearn.laws.diagrams import diagrams as diagram_strategy
from catlearn.laws.equality import ATOL, RTOL, equality
from catlearn.laws.law import Law, LawSuite


def lens_functor(
    F: Any,
    signature: Sequence[frobenius.Box],
    lens_of: Callable[[Any, Any], Any] | None = None,
    *,
    max_boxes: int = 3,
    rtol: float = RTOL,
    atol: float = ATOL,
    key: jax.Array | None = None,
) -> LawSuite:
    """The laws of ``lens_of(F, diagram)`` (default ``catlearn.learn.lens``) for a function
    functor ``F``."""
    F = arguments.function_functor(F, "laws.lens_functor(F)")
    signature = arguments.signature(signature, "laws.lens_functor(signature)")
    arguments.optional_function(lens_of, "laws.lens_functor(lens_of)", "a function (F, diagram)")
    max_boxes = arguments.count(max_boxes, "laws.lens_functor(max_boxes)")
    rtol = arguments.tolerance(rtol, "laws.lens_functor(rtol)")
    atol = arguments.tolerance(atol, "laws.lens_functor(atol)")
    if lens_of is None:
        from catlearn.learn.lens import lens as lens_of
    name = f"lens[{getattr(F, 'name', type(F).__name__)}]"
    equal = equality(rtol, atol)
    key = jax.random.key(0) if key is None else key
    ds = diagram_strategy(signature, max_boxes=max_boxes, wiring=MARKOV)
    objects = sorted({o for b in signature for o in b.dom.inside + b.cod.inside}, key=str)
    types = st.lists(st.sampled_from(objects), max_size=3).map(lambda os: frobenius.Ty(*os))
    seeds = st.integers(0, 2**31 - 1)

    def points(ty, seed) -> tuple:
        rng = np.random.default_rng(seed)
        return tuple(  # dyadic values: sums and products stay exact in float32
            jnp.asarray(rng.integers(-8, 9, size=F.spec(o).shape) / 4, F.spec(o).dtype)
            for o in ty.inside
        )

    def both(lens, params, xs, dys):
        return lens.get(params, xs), lens.put(params, xs, dys)

    def composition(d, k, seed):
        k = k % (len(d.inside) + 1)
        f, g = d[:k], d[k:]
        params = F.init(d, key)
        xs, dzs = points(d.dom, seed), points(d.cod, seed + 1)
        return both(lens_of(F, d), params, xs, dzs), both(
            lens_of(F, f).then(lens_of(F, g)), params, xs, dzs
        )

    def tensor(d1, d2, seed):
        d = d1 @ d2
        params = F.init(d, key)
        xs, dys = points(d.dom, seed), points(d.cod, seed + 1)
        return both(lens_of(F, d), params, xs, dys), both(
            lens_of(F, d1).tensor(lens_of(F, d2)), params, xs, dys
        )

    def identity(ty, seed):
        xs, dys = points(ty, seed), points(ty, seed + 1)
        get, (dparams, dxs) = both(lens_of(F, frobenius.Id(ty)), {}, xs, dys)
        return (get, dparams, dxs), (xs, {}, dys)

    def derivative(d, seed):
        params = F.init(d, key)
        xs, dys = points(d.dom, seed), points(d.cod, seed + 1)
        apply = F.compile(d).apply

        def forward(p, *xs):
            ys = apply(p, *xs)
            return ys if isinstance(ys, tuple) else (ys,)

        ys, pull = jax.vjp(forward, params, *xs)
        cotangents = pull(tuple(dys))
        dparams, dxs = lens_of(F, d).put(params, xs, dys)
        # Every entry of F.init(d), whether or not the lens claims to use it: a lens
        # that drops (or invents) a parameter's cotangent must not choose what is compared.
        claimed = {
            k: dparams[k] if k in dparams else jax.tree.map(jnp.zeros_like, params[k])
            for k in params
        }
        extra = sorted(str(k) for k in dparams if k not in params)
        return (lens_of(F, d).get(params, xs), claimed, dxs, extra), (
            ys, cotangents[0], cotangents[1:], [],
        )  # fmt: skip

    laws = [
        Law(name, "composition", "L(f ; g) = L(f) ; L(g) (get and put)",
            (ds, st.integers(0, 64), seeds), composition, equal),
        Law(name, "tensor", "L(f ⊗ g) = L(f) ⊗ L(g)", (ds, ds, seeds), tensor, equal),
        Law(name, "identity", "L(id) = (id, π₂)", (types, seeds), identity, equal),
        Law(name, "put_is_vjp", "get = F(d), put = jax.vjp(F(d))", (ds, seeds), derivative,
            equal),
    ]  # fmt: skip
    return LawSuite(name, tuple(laws))
