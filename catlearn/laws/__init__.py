"""Property-based law checking, for catlearn's structures and the user's.

A :class:`Law` is a named equation checked by hypothesis; a
:class:`LawSuite` groups laws and inherits its parents'. Hand in an
instance, get named, shrinking checks::

    >>> from catlearn import laws
    >>> from catlearn.semirings import MaxPlus
    >>> laws.semiring(MaxPlus())["left_distributivity"].id
    'semiring[MaxPlus]::left_distributivity'

``suite.check()`` raises :class:`LawViolation` (an ``AssertionError``)
naming the law and the shrunk counterexample; ``suite.pytest()`` gives a
pytest test with one id per law; ``laws.report(*suites)`` a table, with timings.
"""

from catlearn.laws import strategies
from catlearn.laws.ansatz import ansatz
from catlearn.laws.arrays import array_forms, array_reverse_derivative, array_simplifier
from catlearn.laws.atlas import atlas, divergences
from catlearn.laws.cartesian import function_functor, run_layers
from catlearn.laws.categories import compact, hypergraph, monoidal, symmetric
from catlearn.laws.circuits import circuit, circuit_queries, transformation
from catlearn.laws.diagrams import diagrams
from catlearn.laws.equality import close, equality
from catlearn.laws.functor import discopy_eval, functor
from catlearn.laws.law import Law, LawSuite, LawViolation, combine
from catlearn.laws.lens import lens_functor
from catlearn.laws.report import LawReport, LawResult, report
from catlearn.laws.reverse import reverse_derivative
from catlearn.laws.semiring import homomorphism, monoid, semiring
from catlearn.laws.structured import grammars, structured

__all__ = [
    "ansatz",
    "array_forms",
    "array_reverse_derivative",
    "array_simplifier",
    "atlas",
    "divergences",
    "circuit",
    "circuit_queries",
    "transformation",
    "Law",
    "LawReport",
    "LawResult",
    "LawSuite",
    "LawViolation",
    "close",
    "combine",
    "compact",
    "diagrams",
    "discopy_eval",
    "equality",
    "functor",
    "function_functor",
    "grammars",
    "homomorphism",
    "hypergraph",
    "lens_functor",
    "monoid",
    "monoidal",
    "report",
    "reverse_derivative",
    "run_layers",
    "semiring",
    "strategies",
    "structured",
    "symmetric",
]
