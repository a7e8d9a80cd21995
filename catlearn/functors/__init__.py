"""Semantics: functors from diagrams to semiring tensors and to JAX functions.

``TensorFunctor(ob, ar, semiring)`` interprets a diagram as one tensor
network; ``FunctionFunctor(ob, ar, merge)`` as a program of JAX
functions with parameters. Either ``F.compile(diagram)`` gives a pure
function of ``(params, *inputs)``, traced once and cached by structure.
``SympyFunctor`` is the exact, symbolic semantics, and ``grad`` the
derivative of a diagram as a formal sum of diagrams. ``RingFunctor``
evaluates polynomial circuits over any commutative ring, and
``reverse_derivative`` / ``forward_derivative`` differentiate them into
polynomial circuits. Runs of like boxes keep their parameters stacked
(``Layout``) and run as one ``lax.scan``. ``QuantumFunctor`` reads DisCoPy
quantum circuits as complex tensor networks, with the Born rule.
"""

from catlearn.functors.boxes import Param, ShapeError
from catlearn.functors.compiled import CompiledDiagram
from catlearn.functors.differentiate import DerivedBox, FormalSum, SymbolError, grad, lambdify
from catlearn.functors.exact import (
    ExactArray,
    MissingImageError,
    NotExactError,
    SizeLimitError,
    SympyFunctor,
)
from catlearn.functors.function import ADD, FunctionFunctor, Monoid, NotCartesianError
from catlearn.functors.layout import Layout
from catlearn.functors.polynomials import network_polynomial, polynomials
from catlearn.functors.program import CompiledFunction, WiringError
from catlearn.functors.quantum import QuantumFunctor
from catlearn.functors.reverse import forward_derivative, reverse_derivative
from catlearn.functors.ring import CompiledCircuit, RingFunctor
from catlearn.functors.tensor import TensorFunctor

__all__ = [
    "ADD",
    "CompiledCircuit",
    "CompiledDiagram",
    "CompiledFunction",
    "DerivedBox",
    "ExactArray",
    "FormalSum",
    "FunctionFunctor",
    "Layout",
    "MissingImageError",
    "Monoid",
    "NotCartesianError",
    "NotExactError",
    "Param",
    "QuantumFunctor",
    "RingFunctor",
    "ShapeError",
    "SizeLimitError",
    "SymbolError",
    "SympyFunctor",
    "TensorFunctor",
    "WiringError",
    "forward_derivative",
    "grad",
    "lambdify",
    "network_polynomial",
    "polynomials",
    "reverse_derivative",
]
