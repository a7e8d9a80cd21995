"""Syntax: DisCoPy's string diagrams, and the open-hypergraph IR every functor compiles.

The constructors are DisCoPy's own (``discopy.frobenius``), re-exported
so that one import gives a user what they need, with ``Copy``,
``Discard`` and ``Merge`` built as frobenius spiders so that they compose
with frobenius boxes; diagrams from any other DisCoPy module (and
lambeq) are accepted wherever a diagram is expected. ``nn`` holds neural
generators and ``Feedback`` the delayed loop of recurrent models;
``Repeat`` (``nn.stack``) a block run n times with parameters stacked;
``arrays`` holds polynomial circuits whose wires carry arrays.
``is_isomorphic`` is equality up to the symmetric monoidal, compact and
Frobenius axioms.
"""

from discopy.frobenius import Box, Cap, Cup, Diagram, Id, Spider, Swap, Ty

from catlearn.diagrams import arrays, nn, polycirc
from catlearn.diagrams.feedback import Feedback
from catlearn.diagrams.hypergraph import CompositionError, Hypergraph
from catlearn.diagrams.interop import UnsupportedDiagramError, from_discopy, to_discopy
from catlearn.diagrams.isomorphism import is_isomorphic
from catlearn.diagrams.markov import Copy, Discard, Merge
from catlearn.diagrams.repeat import Repeat

__all__ = [
    "arrays",
    "Box",
    "Cap",
    "CompositionError",
    "Copy",
    "Cup",
    "Diagram",
    "Discard",
    "Feedback",
    "Repeat",
    "Hypergraph",
    "Id",
    "Merge",
    "Spider",
    "Swap",
    "Ty",
    "UnsupportedDiagramError",
    "from_discopy",
    "is_isomorphic",
    "nn",
    "polycirc",
    "to_discopy",
]
