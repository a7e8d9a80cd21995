"""Semirings: the algebra every catlearn computation runs in.

A :class:`Semiring` is an immutable object computing on arrays of its
carrier; :func:`einsum` / :func:`contract` contract tensor networks in
it, :func:`closure` solves path problems, and :class:`Homomorphism` maps
results between semirings.
"""

from catlearn.semirings.boolean import Boolean
from catlearn.semirings.closure import closure
from catlearn.semirings.complex import Complex
from catlearn.semirings.contraction import contract, einsum
from catlearn.semirings.counting import Counting
from catlearn.semirings.dual import Dual, Expectation
from catlearn.semirings.fuzzy import Fuzzy, Lukasiewicz
from catlearn.semirings.homomorphism import (
    Homomorphism,
    counting_to_boolean,
    evaluate,
    log_to_real,
    maxplus_to_viterbi,
    real_to_log,
    viterbi_to_maxplus,
)
from catlearn.semirings.log import Log
from catlearn.semirings.modular import GF2, Zn
from catlearn.semirings.product import Product
from catlearn.semirings.real import Real
from catlearn.semirings.semiring import Semiring, require_semiring
from catlearn.semirings.topk import TopK
from catlearn.semirings.tropical import MaxPlus, MinPlus, Selective, Viterbi
from catlearn.semirings.truncated import TruncatedPolynomial

__all__ = [
    "Complex",
    "GF2",
    "Boolean",
    "Counting",
    "Dual",
    "Expectation",
    "Fuzzy",
    "Homomorphism",
    "Log",
    "Lukasiewicz",
    "MaxPlus",
    "MinPlus",
    "Polynomial",
    "Product",
    "Real",
    "Selective",
    "Semiring",
    "TopK",
    "TruncatedPolynomial",
    "Viterbi",
    "Zn",
    "closure",
    "contract",
    "counting_to_boolean",
    "einsum",
    "evaluate",
    "log_to_real",
    "maxplus_to_viterbi",
    "real_to_log",
    "require_semiring",
    "viterbi_to_maxplus",
]


def __getattr__(name: str):
    # Polynomial pulls in sympy (~0.3 s): load it on first use only.
    if name == "Polynomial":
        from catlearn.semirings.polynomial import Polynomial

        return Polynomial
    raise AttributeError(f"module 'catlearn.semirings' has no attribute {name!r}")
