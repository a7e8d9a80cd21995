"""Law suites for the axioms of monoidal categories on string diagrams.

Each suite checks that an *interpretation* of diagrams, a normal form, an
IR, a rewriting system or a functor, identifies the two sides of every
axiom, on random well-typed diagrams over a signature. The default is
catlearn's own open-hypergraph IR compared by :func:`is_isomorphic`, so the
suites also test that IR. The suites nest as the structures do: monoidal ⊂
symmetric ⊂ compact closed ⊂ hypergraph (Frobenius)::

    >>> from catlearn import laws
    >>> from catlearn.diagrams import Box, Ty
    >>> x, y = Ty("x"), Ty("y")
    >>> suite = laws.hypergraph([Box("f", x, y), Box("g", y, x @ x)])
    >>> suite.names[:3]
    ['interchange', 'tensor_functoriality', 'separates']
    >>> suite.check(max_examples=10)

Oracle: none; each law is an equation, both sides built by DisCoPy and
read by the same ``interpret``, so an interpretation that identifies too
much (every box the same, every diagram one point) passes, as any
functor into a degenerate category would: these suites test that
structure is respected, not that boxes are read right (that is
:func:`catlearn.laws.functor`'s oracle). By default the comparison is
catlearn's own :func:`is_isomorphic`, which then decides every law; the
default suites therefore add ``separates``: two random diagrams it calls
isomorphic must have the same boundary types and the same multiset of
boxes, counted here on the DisCoPy diagrams (a comparison that equates
too much would let every axiom pass).

The category axioms themselves (associativity and units of ``>>``) hold by
construction in DisCoPy, where composition concatenates layers, so no
interpretation can break them and no suite tests them. A tensor functor is
checked against these axioms by passing it as ``interpret`` with a float
``equal``; :func:`catlearn.laws.functor` checks it preserves structure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from discopy import frobenius
from hypothesis import strategies as st

from catlearn.diagrams.interop import from_discopy
from catlearn.diagrams.isomorphism import is_isomorphic
from catlearn.laws import arguments
from catlearn.laws.diagrams import diagrams
from catlearn.laws.law import Law, LawSuite

Ty, Id, Swap, Cup, Cap, Spider = (
    frobenius.Ty,
    frobenius.Id,
    frobenius.Diagram.swap,
    frobenius.Cup,
    frobenius.Cap,
    frobenius.Spider,
)
LEVELS = ("monoidal", "symmetric", "compact", "hypergraph")
_WIRING = {
    "monoidal": (),
    "symmetric": ("swap",),
    "compact": ("swap", "cup", "cap"),
    "hypergraph": ("swap", "cup", "cap", "spider"),
}


Interpret = Callable[[Any], Any]
Equal = Callable[[Any, Any], bool]


def monoidal(
    signature: Sequence[Any],
    *,
    interpret: Interpret | None = None,
    equal: Equal | None = None,
    max_boxes: int = 4,
) -> LawSuite:
    """Interchange and functoriality of ⊗, on planar diagrams (no wiring).

    ``interpret`` maps a diagram to what is compared (default: catlearn's
    hypergraph IR, :func:`catlearn.diagrams.from_discopy`); ``equal`` compares two
    interpretations (default: :func:`catlearn.diagrams.is_isomorphic`, or ``==``
    when ``interpret`` is given). Random diagrams have at most ``max_boxes``
    generators and use the wiring of the suite's level.
    """
    return _suite("monoidal", signature, interpret, equal, max_boxes)


def symmetric(
    signature: Sequence[Any],
    *,
    interpret: Interpret | None = None,
    equal: Equal | None = None,
    max_boxes: int = 4,
) -> LawSuite:
    """:func:`monoidal`, plus naturality and involution of swaps and Yang–Baxter."""
    return _suite("symmetric", signature, interpret, equal, max_boxes)


def compact(
    signature: Sequence[Any],
    *,
    interpret: Interpret | None = None,
    equal: Equal | None = None,
    max_boxes: int = 4,
) -> LawSuite:
    """:func:`symmetric`, plus the snake equations and the symmetry of cups."""
    return _suite("compact", signature, interpret, equal, max_boxes)


def hypergraph(
    signature: Sequence[Any],
    *,
    interpret: Interpret | None = None,
    equal: Equal | None = None,
    max_boxes: int = 4,
) -> LawSuite:
    """:func:`compact`, plus the special commutative Frobenius laws of spiders."""
    return _suite("hypergraph", signature, interpret, equal, max_boxes)


def _suite(
    level: str,
    signature: Sequence[Any],
    interpret: Interpret | None,
    equal: Equal | None,
    max_boxes: int,
) -> LawSuite:
    signature = arguments.signature(signature, f"laws.{level}(signature)")
    arguments.optional_function(interpret, f"laws.{level}(interpret)", "a function of a diagram")
    arguments.optional_function(equal, f"laws.{level}(equal)", "a function of (lhs, rhs)")
    max_boxes = arguments.count(max_boxes, f"laws.{level}(max_boxes)")
    default = interpret is None
    if interpret is None:
        interpret, equal = from_discopy, equal or is_isomorphic
    equal = equal or (lambda a, b: a == b)
    label = getattr(interpret, "__name__", None) or type(interpret).__name__
    ds = diagrams(signature, max_boxes=max_boxes, wiring=_WIRING[level])
    # DisCoPy builds a swap of n and m wires from n·m layers, each re-typed: keep them narrow.
    narrow = diagrams(signature, max_boxes=max_boxes, max_width=2, wiring=_WIRING[level])
    objects = sorted({o for b in signature for o in b.dom.inside + b.cod.inside}, key=str)
    atoms = st.sampled_from(objects)
    types = st.lists(atoms, max_size=2).map(lambda os: Ty(*os))
    makers = {
        "monoidal": _monoidal_laws,
        "symmetric": _symmetric_laws,
        "compact": _compact_laws,
        "hypergraph": _hypergraph_laws,
    }
    suite = None
    for current in LEVELS[: LEVELS.index(level) + 1]:
        name = f"{current}[{label}]"

        def law(law_name, statement, strategies, sides, name=name):
            def interpreted(*args):
                lhs, rhs = sides(*args)
                return interpret(lhs), interpret(rhs)

            return Law(name, law_name, statement, strategies, interpreted, equal)

        own = makers[current](law, ds, narrow, atoms, types)
        if default and current == "monoidal":
            own.append(_separates(name, ds, interpret, equal))
        suite = LawSuite(name, tuple(own), (suite,) if suite is not None else ())
    return suite


def _boxes(d: Any) -> list[str]:
    return sorted(str(b) for b in d.boxes if not isinstance(b, (frobenius.Swap, frobenius.Cup,
                  frobenius.Cap, frobenius.Spider)))  # fmt: skip


def _separates(name: str, ds: Any, interpret: Interpret, equal: Equal) -> Law:
    """``equal`` identifies two diagrams only if their boxes and boundaries agree."""

    def sides(d1, d2):
        same = (d1.dom, d1.cod, _boxes(d1)) == (d2.dom, d2.cod, _boxes(d2))
        return (not equal(interpret(d1), interpret(d2))) or same, True

    return Law(name, "separates", "equal(d₁, d₂) ⇒ same boxes and boundary", (ds, ds), sides)


def _monoidal_laws(law, ds, narrow, atoms, types) -> list[Law]:
    def interchange(f, g):
        return (
            (f @ Id(g.dom)) >> (Id(f.cod) @ g),
            (Id(f.dom) @ g) >> (f @ Id(g.cod)),
        )

    def functoriality(d1, i, d2, j):
        i, j = i % (len(d1.inside) + 1), j % (len(d2.inside) + 1)
        f, g, h, k = d1[:i], d1[i:], d2[:j], d2[j:]
        return (f >> g) @ (h >> k), (f @ h) >> (g @ k)

    cut = st.integers(0, 16)
    return [
        law("interchange", "(f ⊗ 1) ; (1 ⊗ g) = (1 ⊗ g) ; (f ⊗ 1)", (ds, ds), interchange),
        law(
            "tensor_functoriality",
            "(f ; g) ⊗ (h ; k) = (f ⊗ h) ; (g ⊗ k)",
            (ds, cut, ds, cut),
            functoriality,
        ),
    ]


def _symmetric_laws(law, ds, narrow, atoms, types) -> list[Law]:
    def naturality(f, g):
        return (f @ g) >> Swap(f.cod, g.cod), Swap(f.dom, g.dom) >> (g @ f)

    def involution(x, y):
        return Swap(x, y) >> Swap(y, x), Id(x @ y)

    def yang_baxter(a, b, c):
        a, b, c = Ty(a), Ty(b), Ty(c)
        return (
            (Swap(a, b) @ c) >> (b @ Swap(a, c)) >> (Swap(b, c) @ a),
            (a @ Swap(b, c)) >> (Swap(a, c) @ b) >> (c @ Swap(a, b)),
        )

    return [
        law("swap_naturality", "(f ⊗ g) ; σ = σ ; (g ⊗ f)", (narrow, narrow), naturality),
        law("swap_involution", "σ ; σ = 1", (types, types), involution),
        law("yang_baxter", "σ₁ ; σ₂ ; σ₁ = σ₂ ; σ₁ ; σ₂", (atoms, atoms, atoms), yang_baxter),
    ]


def _beside(axiom: Callable[[Any], tuple[Any, Any]]) -> Callable[..., tuple[Any, Any]]:
    """An axiom on one wire type, with a random diagram beside it on the left or right."""

    def sides(x, d, left):
        lhs, rhs = axiom(Ty(x))
        return (d @ lhs, d @ rhs) if left else (lhs @ d, rhs @ d)

    return sides


def _compact_laws(law, ds, narrow, atoms, types) -> list[Law]:
    def snake_left(x):
        return (Cap(x, x.r) @ x) >> (x @ Cup(x.r, x)), Id(x)

    def snake_right(x):
        return (x.r @ Cap(x, x.r)) >> (Cup(x.r, x) @ x.r), Id(x.r)

    def cup_symmetry(x):
        return Swap(x, x.r) >> Cup(x.r, x), Cup(x, x.r)

    context = (atoms, ds, st.booleans())
    return [
        law("snake_left", "(η ⊗ 1) ; (1 ⊗ ε) = 1", context, _beside(snake_left)),
        law("snake_right", "(1 ⊗ η) ; (ε ⊗ 1) = 1", context, _beside(snake_right)),
        law("cup_symmetry", "σ ; ε = ε", context, _beside(cup_symmetry)),
    ]


def _hypergraph_laws(law, ds, narrow, atoms, types) -> list[Law]:
    def frobenius_law(x):
        return (Spider(1, 2, x) @ x) >> (x @ Spider(2, 1, x)), Spider(2, 1, x) >> Spider(1, 2, x)

    def special(x):
        return Spider(1, 2, x) >> Spider(2, 1, x), Id(x)

    def associativity(x):
        return (Spider(2, 1, x) @ x) >> Spider(2, 1, x), (x @ Spider(2, 1, x)) >> Spider(2, 1, x)

    def commutativity(x):
        return Swap(x, x) >> Spider(2, 1, x), Spider(2, 1, x)

    def unit(x):
        return (Spider(0, 1, x) @ x) >> Spider(2, 1, x), Id(x)

    def fusion(x, a, b, c, d, left):
        # a legs in, 1 + b out; one of them meets a spider with c more legs out
        x = Ty(x)
        fused = Spider(a, 1 + b, x) >> (Spider(1, c, x) @ Id(x**b))
        lhs, rhs = fused, Spider(a, c + b, x)
        return (d @ lhs, d @ rhs) if left else (lhs @ d, rhs @ d)

    context = (atoms, ds, st.booleans())
    legs = st.integers(0, 2)
    return [
        law("frobenius", "(δ ⊗ 1) ; (1 ⊗ μ) = μ ; δ", context, _beside(frobenius_law)),
        law("special", "δ ; μ = 1", context, _beside(special)),
        law("merge_associativity", "(μ ⊗ 1) ; μ = (1 ⊗ μ) ; μ", context, _beside(associativity)),
        law("merge_commutativity", "σ ; μ = μ", context, _beside(commutativity)),
        law("merge_unit", "(η ⊗ 1) ; μ = 1", context, _beside(unit)),
        law(
            "spider_fusion",
            "spiders sharing a leg fuse",
            (atoms, legs, legs, legs, ds, st.booleans()),
            fusion,
        ),
    ]
