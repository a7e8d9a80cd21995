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

from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import arguments

WIRING = ("swap", "cup", "cap", "spider")
MARKOV = ("swap", "copy", "discard")  # the wiring of function (cartesian) semantics
MOVES = ("swap", "cup", "cap", "spider", "copy", "discard")


def _atoms(ty) -> list:
    return list(ty.inside)


def diagrams(
    signature: Sequence[frobenius.Box],
    *,
    max_boxes: int = 5,
    max_width: int = 4,
    wiring: Sequence[str] = WIRING,
) -> st.SearchStrategy[frobenius.Diagram]:
    """A random well-typed ``frobenius.Diagram`` of at most ``max_boxes`` generators.

    ``wiring`` names the generators besides boxes that may be drawn, among
    ``swap``, ``cup``, ``cap``, ``spider``, ``copy`` and ``discard``.
    """
    signature = arguments.signature(signature, "diagrams(signature)")
    max_boxes = arguments.count(max_boxes, "diagrams(max_boxes)", low=0)
    max_width = arguments.count(max_width, "diagrams(max_width)", low=0)
    if isinstance(wiring, str) or not isinstance(wiring, Sequence):
        raise ArgumentTypeError(f"diagrams(wiring): expected a tuple of names, got {wiring!r:.60}")
    unknown = [w for w in wiring if w not in MOVES]
    if unknown:
        raise ArgumentValueError(f"diagrams(wiring): unknown {unknown!r}; the names are {MOVES}")
    return _diagrams(signature, max_boxes, max_width, tuple(wiring))


@st.composite
def _diagrams(draw, signature, max_boxes, max_width, wiring) -> frobenius.Diagram:
    Ty, Id = frobenius.Ty, frobenius.Id
    objects = sorted({o for box in signature for o in _atoms(box.dom) + _atoms(box.cod)}, key=str)
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
