"""Semiring circuits: build, read/write NNF, check structure, compile, query.

A ``Circuit`` is flat arrays (kinds, CSR children, edge weights, leaf
variables and states, roots). Build one with ``CircuitBuilder`` or read a
knowledge compiler's d-DNNF with ``read_nnf``; check ``is_smooth``,
``is_decomposable``, ``is_deterministic``; ``smooth``, ``condition``,
``marginalize``; ``compile(semiring)`` for a batched, jitted evaluator in
any catlearn semiring; and ask exact queries: ``model_count``, ``wmc``,
``mpe``, ``marginals``, ``entropy``, ``is_satisfiable``, and ``sample``. ``TensorizedPC`` builds
probabilistic circuits over region trees (``random_binary_tree``,
``quad_tree``) evaluated one dense layer per level; ``to_dot`` and
``to_diagram`` draw circuits. ``product`` and ``power`` are the
compositional atlas's circuit product and elementwise power; with
``marginalize`` (aggregation by sum) and ``marginal_map`` (by max) they
check and report their tractability conditions. ``parity`` and
``exactly_k_of_n`` build standard constraints as d-DNNF. Region graphs with several
partitions per region (``RegionGraph``: ``rat_spn``, ``poon_domingos``) are
tensorised the same way, and ``TensorizedPC.em_step`` fits them by EM. Vtrees (``Vtree``,
``structured_decomposability``, ``compatible``) decide when two circuits multiply, and
``elementwise_map``, ``cross_entropy``, ``kl_divergence`` and ``renyi_divergence`` build on that.
``GeneratingCircuit`` allows signed weights: a probabilistic generating circuit, its
marginals read off by coefficient extraction (the ``generating`` module: ``dpp``,
``marginal``, ``probability``, ``from_circuit``, ``normalizes``, ``is_valid``).
``determinism`` verifies every ⊕ node (certified, refuted with a counterexample, or
unknown past a work budget) without enumerating, and the queries that need it refuse what
it cannot certify. ``flows`` (expected edge uses by data, EM's counts), ``prune`` (the
edges of smallest flow) and ``grow`` (duplicate and perturb units) learn sparse PCs.

Input is checked where it enters, on the host and never in a jitted
path: what a file or caller claims (a decision variable, a header count)
is verified before it is believed, and evidence, literal weights and
arguments out of range raise a typed ``catlearn.errors`` error naming the
culprit (``evidence``, ``literals``, ``decisions``, ``arguments``).
"""

from catlearn.circuits import generating
from catlearn.circuits.atlas import (
    LogCircuit,
    Report,
    SemiringImage,
    elementwise_map,
    power,
    product,
)
from catlearn.circuits.builder import CircuitBuilder
from catlearn.circuits.circuit import Circuit, CircuitError
from catlearn.circuits.compile import CompiledCircuit, lift_weights
from catlearn.circuits.constraints import exactly_k_of_n, parity
from catlearn.circuits.disjointness import (
    DeterminismReport,
    UnverifiedDeterminism,
    Verdict,
    determinism,
)
from catlearn.circuits.divergences import cross_entropy, kl_divergence, renyi_divergence
from catlearn.circuits.export import to_diagram, to_dot
from catlearn.circuits.flows import Flows, flows
from catlearn.circuits.generating import GeneratingBuilder, GeneratingCircuit, SignedWeightsError
from catlearn.circuits.growing import grow
from catlearn.circuits.learning import EMResult, em, normalized_log_weights
from catlearn.circuits.nnf import NNFError, read_nnf, write_nnf
from catlearn.circuits.properties import (
    is_decomposable,
    is_deterministic,
    is_marginal_deterministic,
    is_smooth,
    scopes,
)
from catlearn.circuits.pruning import prune
from catlearn.circuits.queries import (
    entropy,
    is_satisfiable,
    literal_table,
    marginal_map,
    marginals,
    model_count,
    mpe,
    wmc,
)
from catlearn.circuits.region_graph import (
    RegionGraph,
    RegionTree,
    poon_domingos,
    quad_tree,
    random_binary_tree,
    rat_spn,
)
from catlearn.circuits.sampling import sample
from catlearn.circuits.tensorized import TensorizedPC
from catlearn.circuits.transform import condition, marginalize, smooth
from catlearn.circuits.vtree import (
    Vtree,
    common_vtree,
    compatible,
    structured_decomposability,
    vtree_of,
)

__all__ = [
    "generating",
    "DeterminismReport",
    "UnverifiedDeterminism",
    "Verdict",
    "determinism",
    "LogCircuit",
    "cross_entropy",
    "kl_divergence",
    "renyi_divergence",
    "SemiringImage",
    "Vtree",
    "common_vtree",
    "compatible",
    "elementwise_map",
    "structured_decomposability",
    "vtree_of",
    "Circuit",
    "CircuitBuilder",
    "CircuitError",
    "CompiledCircuit",
    "NNFError",
    "Report",
    "RegionGraph",
    "RegionTree",
    "TensorizedPC",
    "condition",
    "is_decomposable",
    "is_deterministic",
    "is_marginal_deterministic",
    "is_satisfiable",
    "is_smooth",
    "lift_weights",
    "literal_table",
    "marginalize",
    "EMResult",
    "Flows",
    "flows",
    "GeneratingBuilder",
    "GeneratingCircuit",
    "SignedWeightsError",
    "grow",
    "prune",
    "em",
    "entropy",
    "exactly_k_of_n",
    "marginal_map",
    "marginals",
    "parity",
    "power",
    "model_count",
    "quad_tree",
    "random_binary_tree",
    "rat_spn",
    "poon_domingos",
    "mpe",
    "product",
    "normalized_log_weights",
    "read_nnf",
    "sample",
    "scopes",
    "smooth",
    "to_diagram",
    "to_dot",
    "wmc",
    "write_nnf",
]
