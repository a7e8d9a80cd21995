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
``exactly_k_of_n`` build standard constraints as d-DNNF.

Input is checked where it enters, on the host and never in a jitted
path: what a file or caller claims (a decision variable, a header count)
is verified before it is believed, and evidence, literal weights and
arguments out of range raise a typed ``catlearn.errors`` error naming the
culprit (``evidence``, ``literals``, ``decisions``, ``arguments``).
"""

from catlearn.circuits.atlas import Report, power, product
from catlearn.circuits.builder import CircuitBuilder
from catlearn.circuits.circuit import Circuit, CircuitError
from catlearn.circuits.compile import CompiledCircuit, lift_weights
from catlearn.circuits.constraints import exactly_k_of_n, parity
from catlearn.circuits.export import to_diagram, to_dot
from catlearn.circuits.learning import EMResult, em, normalized_log_weights
from catlearn.circuits.nnf import NNFError, read_nnf, write_nnf
from catlearn.circuits.properties import (
    is_decomposable,
    is_deterministic,
    is_marginal_deterministic,
    is_smooth,
    scopes,
)
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
from catlearn.circuits.region_graph import RegionTree, quad_tree, random_binary_tree
from catlearn.circuits.sampling import sample
from catlearn.circuits.tensorized import TensorizedPC
from catlearn.circuits.transform import condition, marginalize, smooth

__all__ = [
    "Circuit",
    "CircuitBuilder",
    "CircuitError",
    "CompiledCircuit",
    "NNFError",
    "Report",
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
