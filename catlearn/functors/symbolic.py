"""Boxes whose arrays hold sympy expressions: lambdified once into JAX.

A box's data may contain symbols (DisCoPy's parameterised diagrams). The
array is turned into one JAX function of the symbols, sorted by name; the
symbol values then live in the params pytree, so ``jax.grad`` gives the
gradient with respect to each symbol::

    >>> import sympy
    >>> theta = sympy.Symbol("theta")
    >>> fn, symbols = lambdify_array([[sympy.cos(theta), 0], [0, theta**2]])
    >>> symbols, fn(3.0).tolist()
    ((theta,), [[-0.9899924993515015, 0.0], [0.0, 9.0]])
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jax.numpy as jnp
import numpy as np
import sympy


def is_symbolic(value: Any) -> bool:
    """Whether an array-like holds sympy expressions with free symbols."""
    if isinstance(value, sympy.Basic):
        return bool(value.free_symbols)
    if isinstance(value, (list, tuple, np.ndarray, sympy.MatrixBase)):
        flat = np.asarray(value, dtype=object).reshape(-1)
        return any(isinstance(v, sympy.Basic) and v.free_symbols for v in flat)
    return False


def undefined_functions(value: Any) -> list[str]:
    """The names of the undefined functions (``sympy.Function("g")(t)``) an array holds:
    they have no JAX meaning, so ``lambdify`` would emit code that fails when called."""
    flat = np.asarray(value, dtype=object).reshape(-1)
    names = {
        str(f.func)
        for v in flat
        if isinstance(v, sympy.Basic)
        for f in v.atoms(sympy.core.function.AppliedUndef)
    }
    return sorted(names)


def lambdify_array(value: Any) -> tuple[Callable[..., Any], tuple[sympy.Symbol, ...]]:
    """(fn, symbols): ``fn(*values)`` is the array as a JAX array."""
    array = np.asarray(value, dtype=object)
    return _lambdify(tuple(array.reshape(-1).tolist()), array.shape)


def _inexact(x: Any) -> Any:
    """Floats and complex numbers as they are (``I`` makes a complex entry); integers and
    booleans as floats."""
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(jnp.result_type(float))


@lru_cache(maxsize=1024)
def _lambdify(flat: tuple, shape: tuple[int, ...]):
    exprs = [sympy.sympify(e) for e in flat]
    symbols = tuple(sorted(set().union(*(e.free_symbols for e in exprs)), key=str))
    raw = sympy.lambdify(symbols, exprs, modules=[{"ImmutableDenseMatrix": jnp.array}, jnp])

    def fn(*values: Any) -> Any:
        parts = [_inexact(jnp.asarray(v)) for v in raw(*values)]
        return jnp.stack(parts).reshape(shape) if parts else jnp.zeros(shape)

    return fn, symbols
