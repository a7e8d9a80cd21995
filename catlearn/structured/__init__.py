"""Distributions over structures and weighted grammars, in any semiring.

Each family is a :class:`DynamicProgram` (its inside algorithm, written once
in semiring operations) and a :class:`StructuredDistribution` whose queries
are that program in different semirings: Log for log Z and marginals,
MaxPlus for the best structure, TopK for the k best, Counting for exact
counts, Expectation for expected scores.
"""

from catlearn.structured.chain import LinearChain, LinearChainCRF
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.potentials import FirstMaxPlus, lift
from catlearn.structured.program import DynamicProgram

__all__ = [
    "DynamicProgram",
    "FirstMaxPlus",
    "LinearChain",
    "LinearChainCRF",
    "StructuredDistribution",
    "lift",
]
