"""Syntax: DisCoPy's string diagrams, and the open-hypergraph IR every functor compiles.

The constructors are DisCoPy's own (``discopy.frobenius`` and
``discopy.markov``), re-exported so that one import gives a user what
they need; diagrams from any other DisCoPy module (and lambeq) are
accepted wherever a diagram is expected.
"""

from discopy.frobenius import Box, Cap, Cup, Diagram, Id, Spider, Swap, Ty
from discopy.markov import Copy, Discard, Merge

from catlearn.diagrams.hypergraph import CompositionError, Hypergraph
from catlearn.diagrams.interop import UnsupportedDiagramError, from_discopy, to_discopy

__all__ = [
    "Box",
    "Cap",
    "CompositionError",
    "Copy",
    "Cup",
    "Diagram",
    "Discard",
    "Hypergraph",
    "Id",
    "Merge",
    "Spider",
    "Swap",
    "Ty",
    "UnsupportedDiagramError",
    "from_discopy",
    "to_discopy",
]
