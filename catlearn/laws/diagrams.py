"""Hypothesis strategies for random well-typed string diagrams over a signature.

A diagram grows one generator at a time on a random starting type: a box
of the signature whose domain matches some run of the current wires, and,
when allowed, a swap, a cup or a cap on a pair of like wires, a spider
merging or splitting like wires, or (``wiring=MARKOV``, for function
semantics) a copy or a discard. Every draw is well-typed by
construction (``discopy.frobenius``), so a failing law is the functor's
fault, never the generator's::

    >>> from hypothesis import given, settings
    >>> from catlearn.diagrams import Box, Ty
    >>> x, y = Ty("x"), Ty("y")
    >>> @settings(max_examples=5)
    ... @given(diagrams([Box("f", x, y), Box("g", y, x @ x)], max_boxes=4))
    ... def test_well_typed(d):
    ...     assert len(d.inside) <= 4
    >>> test_well_typed()
"""

from __future__ import annotations

from collections.abc import Sequence

from discopy import frobenius
from hypothesis import strategies as st

WIRING = ("swap", "cup", "cap", "spider")
MARKOV = ("swap", "copy", "discard")  # the wiring of function (cartesian) semantics


def _atoms(ty) -> list:
    return list(ty.inside)


@st.composite
def diagrams(
    draw,
    signature: Sequence[frobenius.Box],
    *,
    max_boxes: int = 5,
    max_width: int = 4,
    wiring: Sequence[str] = WIRING,
) -> frobenius.Diagram:
    """A random well-typed ``frobenius.Diagram`` of at most ``max_boxes`` generators."""
    Ty, Id = frobenius.Ty, frobenius.Id
    objects = sorted({o for box in signature for o in _atoms(box.dom) + _atoms(box.cod)}, key=str)
    if not objects:
        raise ValueError("the signature needs at least one box with a non-empty type")
    width = draw(st.integers(0, max_width))
    current = [draw(st.sampled_from(objects)) for _ in range(width)]
    diagram = Id(Ty(*current))
    for _ in range(draw(st.integers(0, max_boxes))):
        moves = _moves(signature, current, wiring, objects, max_width)
        if not moves:
            break
        kind, at, gen = draw(st.sampled_from(moves))
        left, right = Ty(*current[:at]), Ty(*current[at + len(_atoms(gen.dom)) :])
        diagram = diagram >> (Id(left) @ gen @ Id(right))
        current = _atoms(diagram.cod)
    return diagram


def _moves(signature, current, wiring, objects, max_width) -> list:
    n = len(current)
    moves = []
    for box in signature:
        dom = _atoms(box.dom)
        k = len(dom)
        grows = len(_atoms(box.cod)) - k
        if n + grows > max_width + 2:
            continue
        moves += [("box", i, box) for i in range(n - k + 1) if current[i : i + k] == dom]
    pairs = [i for i in range(n - 1)]
    like = [i for i in pairs if current[i] == current[i + 1]]
    ty = frobenius.Ty
    if "swap" in wiring:
        moves += [("swap", i, frobenius.Swap(ty(current[i]), ty(current[i + 1]))) for i in pairs]
    if "cup" in wiring:
        moves += [("cup", i, frobenius.Cup(ty(current[i]), ty(current[i]).r)) for i in like]
    if "cap" in wiring and n + 2 <= max_width + 2:
        moves += [("cap", i, frobenius.Cap(ty(o), ty(o).r)) for i in range(n + 1) for o in objects]
    if "copy" in wiring and n + 1 <= max_width + 2:
        moves += [("copy", i, frobenius.Spider(1, 2, ty(current[i]))) for i in range(n)]
    if "discard" in wiring:
        moves += [("discard", i, frobenius.Spider(1, 0, ty(current[i]))) for i in range(n)]
    if "spider" in wiring:
        moves += [("spider", i, frobenius.Spider(2, 1, ty(current[i]))) for i in like]
        moves += [
            ("spider", i, frobenius.Spider(1, 2, ty(current[i])))
            for i in range(n)
            if n + 1 <= max_width + 2
        ]
    return moves
