"""A block of layers repeated n times, as one box: a scanned stack the user asks for.

``Repeat(block, n)`` is the box ``x → x`` that runs the endomorphism
``block`` n times, each copy with parameters of its own. Unlike n copies
composed by hand, it says in the syntax that the copies are alike, so a
functor runs it as one ``lax.scan`` over the copies' stacked parameters,
whatever the block's wiring (residual connections, several boxes), and
its params entry is the block's params with a leading axis of length n::

    >>> from catlearn.diagrams import Ty
    >>> from catlearn.diagrams.nn import Dense, residual
    >>> h = Ty("h")
    >>> deep = Repeat(residual(Dense(h, h, "tanh", name="f")), 50, name="trunk")
    >>> deep.dom, deep.cod, deep.n
    (frobenius.Ty(frobenius.Ob('h')), frobenius.Ty(frobenius.Ob('h')), 50)

``nn.stack(block, n)`` builds one.
"""

from __future__ import annotations

from discopy import frobenius

from catlearn.arguments import size
from catlearn.errors import ArgumentTypeError, CompositionError


class Repeat(frobenius.Box):
    """The box ``block ; block ; … ; block`` (``n`` copies, each with its own parameters)."""

    def __init__(self, block: frobenius.Diagram, n: int, name: str | None = None) -> None:
        if not hasattr(block, "dom") or not hasattr(block, "cod"):
            raise ArgumentTypeError(
                f"Repeat: the block is a diagram x → x, got {type(block).__name__} {block!r:.40}"
            )
        if block.dom != block.cod:
            raise CompositionError(
                f"Repeat: a block composed with itself needs dom = cod; got "
                f"{block.dom} → {block.cod}"
            )
        if name is not None and not isinstance(name, str):
            raise ArgumentTypeError(f"Repeat: a name is a str, got {type(name).__name__}")
        n = size(n, "Repeat: n")
        self.block, self.n = block, n
        first = block.boxes[0].name if block.boxes else "id"
        # The block is in the data, so that DisCoPy's equality (and so params entries)
        # tells two repeats of different blocks apart.
        super().__init__(name or f"repeat({first})×{n}", block.dom, block.cod, data=(n, block))
