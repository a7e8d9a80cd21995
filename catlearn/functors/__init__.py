"""Semantics: functors from diagrams to semiring tensors and to JAX functions.

``TensorFunctor(ob, ar, semiring)`` interprets a diagram as one tensor
network; ``FunctionFunctor(ob, ar, merge)`` as a program of JAX
functions with parameters. Either ``F.compile(diagram)`` gives a pure
function of ``(params, *inputs)``, traced once and cached by structure.
"""

from catlearn.functors.boxes import Param, ShapeError
from catlearn.functors.compiled import CompiledDiagram
from catlearn.functors.function import ADD, FunctionFunctor, Monoid, NotCartesianError
from catlearn.functors.program import CompiledFunction, WiringError
from catlearn.functors.reverse import forward_derivative, reverse_derivative
from catlearn.functors.ring import CompiledCircuit, RingFunctor
from catlearn.functors.tensor import TensorFunctor

__all__ = [
    "ADD",
    "CompiledCircuit",
    "CompiledDiagram",
    "CompiledFunction",
    "FunctionFunctor",
    "Monoid",
    "NotCartesianError",
    "Param",
    "RingFunctor",
    "ShapeError",
    "TensorFunctor",
    "WiringError",
    "forward_derivative",
    "reverse_derivative",
]
