"""Array polynomial circuits: wires carry arrays over a commutative ring.

``ArrayBuilder`` builds an ``ArrayCircuit`` generator by generator
(``matmul``, elementwise ``add``/``mul``/``neg``, ``constant``, ``sum``,
``broadcast``, ``reshape``, ``transpose``, ``concatenate``, ``slice``, and
``scan`` of a body circuit over stacked inputs, for repeated blocks);
``catlearn.functors.RingFunctor(ring).compile`` runs it one JAX operation
per generator, and ``catlearn.functors.reverse_derivative`` gives its R[d]
by one array rule per generator. ``simplify`` rewrites a circuit by rules
valid in every ring; ``lift`` turns a scalar ``polycirc`` circuit into an
array circuit, its dense linear blocks each one ``matmul``; ``to_scalar``
goes the other way.
"""

from catlearn.diagrams.arrays.blocking import lift
from catlearn.diagrams.arrays.circuit import KINDS, ArrayBuilder, ArrayCircuit, Op
from catlearn.diagrams.arrays.scalar import to_scalar
from catlearn.diagrams.arrays.simplifier import simplify

__all__ = ["KINDS", "ArrayBuilder", "ArrayCircuit", "Op", "lift", "simplify", "to_scalar"]
