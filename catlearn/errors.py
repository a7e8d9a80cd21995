"""The exceptions catlearn raises.

Every error derives from :class:`CatlearnError` *and* the builtin that a
Python user would expect, so ``except ValueError`` keeps working::

    >>> issubclass(SpecError, ValueError) and issubclass(SpecError, CatlearnError)
    True
"""

from __future__ import annotations


class CatlearnError(Exception):
    """Base class of every error raised by catlearn."""


class SpecError(CatlearnError, ValueError):
    """A contraction spec, an operand's shape or a carrier value is malformed."""


class NotClosedError(CatlearnError, TypeError):
    """``star`` or ``closure`` was asked of a semiring without a star."""


class NonCommutativeError(CatlearnError, TypeError):
    """An operation that reorders products was given a non-commutative semiring."""


class HostOnlyError(CatlearnError, TypeError):
    """A host semiring (exact Python numbers, sympy) was used under a JAX trace."""


class DivergenceError(CatlearnError, ValueError):
    """A star or closure does not converge for the given input."""


__all__ = [
    "CatlearnError",
    "DivergenceError",
    "HostOnlyError",
    "NonCommutativeError",
    "NotClosedError",
    "SpecError",
]
