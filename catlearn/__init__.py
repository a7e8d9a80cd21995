"""catlearn: categorical and algebraic modelling with differentiable semantics.

Build syntax symbolically, interpret it in a semiring, get a pure JAX
function; check the algebra with property-based laws::

    >>> import jax.numpy as jnp
    >>> import catlearn
    >>> a = jnp.array([[jnp.inf, 1.0], [2.0, jnp.inf]])
    >>> catlearn.closure(catlearn.MinPlus(), a).tolist()
    [[0.0, 1.0], [2.0, 0.0]]
"""

from catlearn.errors import (
    CatlearnError,
    DivergenceError,
    HostOnlyError,
    NonCommutativeError,
    NotClosedError,
    SpecError,
)
from catlearn.semirings import (
    GF2,
    Boolean,
    Counting,
    Dual,
    Expectation,
    Fuzzy,
    Homomorphism,
    Log,
    Lukasiewicz,
    MaxPlus,
    MinPlus,
    Product,
    Real,
    Semiring,
    TopK,
    Viterbi,
    Zn,
    closure,
    contract,
    einsum,
)

__version__ = "0.1.0"

__all__ = [
    "GF2",
    "Boolean",
    "CatlearnError",
    "Counting",
    "DivergenceError",
    "Dual",
    "Expectation",
    "Fuzzy",
    "HostOnlyError",
    "Homomorphism",
    "Log",
    "Lukasiewicz",
    "MaxPlus",
    "MinPlus",
    "NonCommutativeError",
    "NotClosedError",
    "Polynomial",
    "Product",
    "Real",
    "Semiring",
    "SpecError",
    "SympyFunctor",
    "TopK",
    "Viterbi",
    "Zn",
    "__version__",
    "closure",
    "contract",
    "einsum",
    "grad",
    "lambdify",
    "reverse_derivative",
]


_LAZY = {  # these load DisCoPy and sympy: imported on first use
    "Polynomial": "catlearn.semirings",
    "grad": "catlearn.functors",
    "lambdify": "catlearn.functors",
    "reverse_derivative": "catlearn.functors",
    "SympyFunctor": "catlearn.functors",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'catlearn' has no attribute {name!r}")
