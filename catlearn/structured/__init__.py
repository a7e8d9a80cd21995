"""Distributions over structures and weighted grammars, in any semiring.

Each family is a :class:`DynamicProgram` (its inside algorithm, written once
in semiring operations) and a :class:`StructuredDistribution` whose queries
are that program in different semirings: Log for log Z and marginals,
MaxPlus for the best structure, TopK for the k best, Counting for exact
counts, Expectation for expected scores.

Families: :class:`LinearChainCRF` (sequential or tree-product sums),
:class:`SemiMarkovCRF`, :class:`TreeCRF` (CKY over labelled spans),
:class:`DependencyCRF` (Eisner), :class:`NonProjectiveDependencyCRF`
(matrix-tree theorem) and :class:`AlignmentCRF` (monotone alignment).

Weighted grammars are values: a :class:`WCFG` over any semiring, converted
to Chomsky normal form with its weighted language kept (:meth:`WCFG.to_cnf`),
parsed by :func:`stringsum`, :func:`parse` and :func:`kbest_parses`, summed
over the whole language by :func:`allsum`, and rewritten by the generalised
:func:`left_corner` transform.
"""

from catlearn.structured.alignment import Alignment, AlignmentCRF
from catlearn.structured.allsum import allsum, allsums
from catlearn.structured.chain import LinearChain, LinearChainCRF
from catlearn.structured.cky import CFG, cfg_partition, kbest_parses, parse, stringsum, tree_weight
from catlearn.structured.dependency import DependencyCRF, Projective
from catlearn.structured.distribution import StructuredDistribution
from catlearn.structured.grammar import WCFG, CNFTensors, Rule
from catlearn.structured.left_corner import (
    is_left_recursive,
    left_corner,
    left_recursive_rules,
    same_stringsums,
)
from catlearn.structured.nonprojective import NonProjective, NonProjectiveDependencyCRF
from catlearn.structured.potentials import FirstMaxPlus, lift
from catlearn.structured.program import DynamicProgram
from catlearn.structured.semimarkov import SemiMarkov, SemiMarkovCRF
from catlearn.structured.tree import SpanTree, TreeCRF, spans, tree

__all__ = [
    "CFG",
    "WCFG",
    "Alignment",
    "AlignmentCRF",
    "CNFTensors",
    "DependencyCRF",
    "DynamicProgram",
    "FirstMaxPlus",
    "LinearChain",
    "LinearChainCRF",
    "NonProjective",
    "NonProjectiveDependencyCRF",
    "Projective",
    "Rule",
    "SemiMarkov",
    "SemiMarkovCRF",
    "SpanTree",
    "StructuredDistribution",
    "TreeCRF",
    "allsum",
    "allsums",
    "cfg_partition",
    "is_left_recursive",
    "kbest_parses",
    "left_corner",
    "left_recursive_rules",
    "lift",
    "parse",
    "same_stringsums",
    "spans",
    "stringsum",
    "tree",
    "tree_weight",
]
