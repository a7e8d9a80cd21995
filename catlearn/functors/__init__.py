"""Semantics: functors from diagrams to semiring tensors (and, later, functions).

``TensorFunctor(ob, ar, semiring)`` interprets a diagram as one tensor
network; ``F.compile(diagram)`` gives a pure JAX function of
``(params, *inputs)``, traced once and cached by structure.
"""

from catlearn.functors.boxes import Param, ShapeError
from catlearn.functors.compiled import CompiledDiagram
from catlearn.functors.tensor import TensorFunctor

__all__ = ["CompiledDiagram", "Param", "ShapeError", "TensorFunctor"]
