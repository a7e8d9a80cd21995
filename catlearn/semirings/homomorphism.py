"""Semiring homomorphisms h: S → T, and evaluation of provenance polynomials.

h preserves the structure — h(a ⊕ b) = h(a) ⊕ h(b), h(a ⊗ b) = h(a) ⊗ h(b),
h(0) = 0, h(1) = 1 — so computing in S and mapping the result equals
mapping the inputs and computing in T (``catlearn.laws.homomorphism``
checks it). That is how a count becomes a satisfiability bit, a
probability a log-probability, and a provenance polynomial any semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, SpecError
from catlearn.semirings.boolean import Boolean
from catlearn.semirings.carrier import checked
from catlearn.semirings.counting import Counting
from catlearn.semirings.log import Log
from catlearn.semirings.real import Real
from catlearn.semirings.semiring import Array, Semiring, require_semiring
from catlearn.semirings.tropical import MaxPlus, Viterbi


@dataclass(frozen=True)
class Homomorphism:
    """A structure-preserving map ``fn`` from ``source`` to ``target``.

    ``domain`` (optional) says where in the source it applies, e.g. the
    non-negative reals for log.

    >>> import jax.numpy as jnp
    >>> h = real_to_log
    >>> float(h(jnp.array(2.0) * 3.0)), float(h(jnp.array(2.0)) + h(jnp.array(3.0)))
    (1.791759..., 1.791759...)
    """

    source: Semiring
    target: Semiring
    fn: Callable[[Array], Array]
    name: str = ""
    domain: Callable[[Array], Array] | None = None

    def __post_init__(self) -> None:
        require_semiring(self.source, "Homomorphism: source")
        require_semiring(self.target, "Homomorphism: target")
        for field in ("fn", "domain"):
            value = getattr(self, field)
            if not callable(value) and (field == "fn" or value is not None):
                raise ArgumentTypeError(
                    f"Homomorphism: {field} must be a function, got {type(value).__name__} "
                    f"{value!r:.60}"
                )
        if not isinstance(self.name, str):
            raise ArgumentTypeError(f"Homomorphism: name must be a str, got {self.name!r}")

    def __call__(self, x: Any) -> Array:
        return self.fn(checked(self.source.asarray, x, f"{self!r}: argument x"))

    def __repr__(self) -> str:
        return self.name or f"Homomorphism({self.source!r} → {self.target!r})"


def _positive(x: Array) -> Array:
    return jnp.asarray(np.asarray(x, dtype=object) > 0, dtype=bool)


counting_to_boolean = Homomorphism(Counting(), Boolean(), _positive, "Counting→Boolean")
"""n ↦ n > 0: a model count becomes satisfiability."""

real_to_log = Homomorphism(Real(), Log(), jnp.log, "Real→Log", domain=lambda x: x >= 0)
"""p ↦ log p on [0, ∞): probabilities to log-probabilities."""

log_to_real = Homomorphism(Log(), Real(), jnp.exp, "Log→Real")
"""a ↦ exp a: log-probabilities back to probabilities."""

viterbi_to_maxplus = Homomorphism(Viterbi(), MaxPlus(), jnp.log, "Viterbi→MaxPlus")
"""p ↦ log p: the most probable derivation as the best score."""

maxplus_to_viterbi = Homomorphism(
    MaxPlus(), Viterbi(), jnp.exp, "MaxPlus→Viterbi", domain=lambda x: x <= 0
)
"""s ↦ exp s on (−∞, 0]: scores back to probabilities."""


def evaluate(values: Mapping[Any, Any], target: Semiring) -> Homomorphism:
    """The homomorphism ℕ[X] → ``target`` sending each variable to ``values[x]``.

    Every commutative semiring receives exactly one such map, so a
    provenance polynomial computed once answers every semantics::

        >>> import sympy
        >>> from catlearn.semirings import MinPlus
        >>> x, y = sympy.symbols("x y")
        >>> h = evaluate({x: 1.0, y: 5.0}, MinPlus())
        >>> h(x * y + x**3).item()     # min(1 + 5, 3·1)
        3.0
    """
    import sympy  # lazily: sympy is a heavy import that most users never need

    from catlearn.semirings.polynomial import Polynomial

    target = require_semiring(target, "evaluate: target")
    if not isinstance(values, Mapping):
        raise ArgumentTypeError(
            f"evaluate: values must be a mapping from variables to {target!r} elements, "
            f"got {type(values).__name__}"
        )
    if not target.commutative:
        raise SpecError(f"ℕ[X] evaluates only into commutative semirings, not {target!r}")
    lookup = {}
    for k, v in values.items():
        symbol = sympy.sympify(k) if isinstance(k, (str, sympy.Basic)) else k
        if not isinstance(symbol, sympy.Symbol):
            raise ArgumentValueError(
                f"evaluate: values has the key {k!r}, which is not a variable (a sympy Symbol)"
            )
        lookup[symbol] = checked(target.asarray, v, f"evaluate: values[{k!r}]")

    def one(expr: Any) -> Array:
        if expr.is_Symbol:
            if expr not in lookup:
                raise SpecError(f"no value given for variable {expr}")
            return lookup[expr]
        if expr.is_Integer and expr >= 0:
            return _natural(target, int(expr))
        if expr.is_Add:
            return reduce(target.add, map(one, expr.args))
        if expr.is_Mul:
            return reduce(target.mul, map(one, expr.args))
        if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
            return _power(target, one(expr.base), int(expr.exp))
        raise SpecError(f"{expr} is not a polynomial with natural coefficients")

    def fn(x: Array) -> Array:
        x = np.asarray(x, dtype=object)
        results = [one(e) for e in x.reshape(-1)]
        if x.ndim == 0:
            return results[0]
        xp = np if target.host else jnp
        return jax.tree.map(
            lambda *leaves: xp.stack(leaves).reshape(x.shape + np.shape(leaves[0])), *results
        )

    return Homomorphism(Polynomial(), target, fn, f"Polynomial→{target!r}")


def _natural(semiring: Semiring, n: int) -> Array:
    """1 ⊕ 1 ⊕ … ⊕ 1 (n times), by doubling."""
    total, unit = semiring.asarray(semiring.zero), semiring.asarray(semiring.one)
    while n:
        if n & 1:
            total = semiring.add(total, unit)
        unit, n = semiring.add(unit, unit), n >> 1
    return total


def _power(semiring: Semiring, x: Array, n: int) -> Array:
    total = semiring.asarray(semiring.one)
    while n:
        if n & 1:
            total = semiring.mul(total, x)
        x, n = semiring.mul(x, x), n >> 1
    return total
