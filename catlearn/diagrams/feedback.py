"""Delayed feedback: a stateful box from a cell whose state wire is fed back.

``Feedback(cell)`` turns a cell ``x ⊗ s → y ⊗ s`` into a box ``x → y`` on
*streams*: at step t the cell reads the state it wrote at step t − 1 (the
delay; zeros at t = 0). This is the feedback operator of Di Lavore et
al.'s feedback categories ("Differentiable causal computations via
delayed trace"; ``discopy.feedback``), kept as a box so that it composes
with ordinary diagrams, which then act on each step::

    >>> from catlearn.diagrams import Copy, Ty
    >>> from catlearn.diagrams.nn import RNNCell, Linear
    >>> x, h, y = Ty("x"), Ty("h"), Ty("y")
    >>> cell = RNNCell(x, h, name="cell") >> Copy(h)
    >>> rnn = Feedback(cell) >> Linear(h, y, name="readout")
    >>> rnn.dom, rnn.cod
    (frobenius.Ty(frobenius.Ob('x')), frobenius.Ty(frobenius.Ob('y')))

``catlearn.functors.FunctionFunctor`` compiles a diagram with feedback
boxes into one ``lax.scan`` over the leading (time) axis of its inputs;
``nn.unroll(cell, T)`` is the same computation spelt out step by step.
"""

from __future__ import annotations

from discopy import frobenius

from catlearn.errors import ArgumentTypeError, CompositionError


class Feedback(frobenius.Box):
    """The box ``dom → cod`` made from ``cell : dom ⊗ mem → cod ⊗ mem`` by a delayed loop."""

    def __init__(
        self, cell: frobenius.Diagram, mem: frobenius.Ty | None = None, name: str | None = None
    ) -> None:
        if not hasattr(cell, "dom") or not hasattr(cell, "cod"):
            raise ArgumentTypeError(
                f"Feedback: the cell is a diagram dom ⊗ mem → cod ⊗ mem, got "
                f"{type(cell).__name__} {cell!r:.40}"
            )
        mem = cell.cod[-1:] if mem is None else mem
        if not hasattr(mem, "inside") or hasattr(mem, "dom"):
            raise ArgumentTypeError(f"Feedback: mem is a type, got {type(mem).__name__}")
        k = len(mem.inside)
        n_dom, n_cod = len(cell.dom.inside) - k, len(cell.cod.inside) - k
        if k == 0 or n_dom < 0 or n_cod < 0:
            raise CompositionError(
                f"feedback over {mem} needs a cell ending in {mem} on both sides; "
                f"got {cell.dom} → {cell.cod}"
            )
        dom, cod = cell.dom[:n_dom], cell.cod[:n_cod]
        if cell.dom[n_dom:] != mem or cell.cod[n_cod:] != mem:
            raise CompositionError(
                f"feedback needs a cell dom ⊗ {mem} → cod ⊗ {mem}; got {cell.dom} → {cell.cod}"
            )
        self.cell, self.mem = cell, mem
        super().__init__(name or f"feedback({_short(cell)})", dom, cod)


def _short(cell: frobenius.Diagram) -> str:
    names = [box.name for box in cell.boxes]
    return " ; ".join(names) if len(names) <= 3 else f"{names[0]} ; … ; {names[-1]}"
