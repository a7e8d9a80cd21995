"""The exceptions catlearn raises, all in one place.

Every error derives from :class:`CatlearnError` *and* the builtin that a
Python user would expect, so ``except ValueError`` keeps working::

    >>> issubclass(SpecError, ValueError) and issubclass(SpecError, CatlearnError)
    True
    >>> issubclass(MissingImageError, KeyError)
    True

The modules that raise an error also re-export it (``catlearn.circuits.CircuitError``
is ``catlearn.errors.CircuitError``). What each error means, and what catlearn
checks, is in ``docs/errors.md``.
"""

from __future__ import annotations

from typing import Any


class CatlearnError(Exception):
    """Base class of every error raised by catlearn."""


# -- arguments at a public boundary -------------------------------------------


class ArgumentTypeError(CatlearnError, TypeError):
    """A public function got the wrong kind of argument (a semiring class where an
    instance is needed, a stream of bytes where text is needed, …); the message names
    the argument, what it got and what it needs."""


class ArgumentValueError(CatlearnError, ValueError):
    """An argument of the right kind holds a value outside its domain (a size that is
    not a positive integer, a NaN weight, a key of the wrong shape); the message names
    the argument and the value."""


class CarrierOverflowError(CatlearnError, OverflowError):
    """An integer does not fit the semiring's carrier and would wrap if cast."""


# -- semirings -----------------------------------------------------------------


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


# -- diagrams -----------------------------------------------------------------


class CompositionError(CatlearnError, TypeError):
    """Two diagrams whose boundary types do not match were composed."""


class UnsupportedDiagramError(CatlearnError, TypeError):
    """A diagram contains a construct that has no open-hypergraph form (sums, bubbles)."""


class PolycircError(CatlearnError, TypeError):
    """A diagram is not a polynomial circuit: an unknown box, a merge, a loop."""


class LayerShapeError(CatlearnError, ValueError):
    """A layer was given wires of sizes it cannot work with."""


# -- circuits -----------------------------------------------------------------


class CircuitError(CatlearnError, ValueError):
    """A circuit is malformed, lacks a property a query needs, or was given evidence,
    weights or a claim (a decision variable) that does not hold."""


class NNFError(CircuitError):
    """A malformed ``.nnf`` file: the message names the source and the line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source, self.line = source, line
        super().__init__(f"{source}: line {line}: {message}")


# -- functors -----------------------------------------------------------------


class ShapeError(CatlearnError, ValueError):
    """An array does not have the shape its box or wire requires."""


class MissingImageError(CatlearnError, KeyError):
    """The functor maps nothing to a box (or to an object)."""

    def __str__(self) -> str:  # KeyError would repr() the message, quotes and all
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class ParameterConflictError(CatlearnError, ValueError):
    """Two different boxes would share one parameter entry (same name, other types)."""


class NotCartesianError(CatlearnError, TypeError):
    """A diagram has no reading as a function: a merge without a monoid, a loop, a cup."""


class WiringError(CatlearnError, TypeError):
    """The hypergraph is not a dataflow graph: a wire with no writer or two, or a loop."""


class SymbolError(CatlearnError, TypeError):
    """Not a sympy ``Symbol``, a symbol missing from ``lambdify``'s list, or one whose
    name matches the data's but not its assumptions."""


class NotExactError(CatlearnError, TypeError):
    """A box's value has no exact reading (a learnable ``Param``, NaN, a string, …)."""


class SizeLimitError(CatlearnError, ValueError):
    """An exact contraction would be too large for sympy (see ``max_cost``)."""


# -- learning, parallelism, drawing -------------------------------------------


class LensError(CatlearnError, TypeError):
    """A diagram has a part with no lens (a cup, a feedback loop) or arities do not match."""


class ShardingError(CatlearnError, ValueError):
    """A batch cannot be split evenly over the mesh."""


class DrawingError(CatlearnError, ValueError):
    """The object cannot be drawn: an unknown kind, a format, or too large."""


class DataFileError(CatlearnError, ValueError):
    """A shipped data file is missing, unreadable, or not the data it should be
    (wrong shape, wrong counts, checksum mismatch); the message names the file and
    the check that failed."""


# -- laws ---------------------------------------------------------------------


class UnexpectedPass(CatlearnError, AssertionError):
    """A law declared ``expected_failure`` held: the declaration is stale (strict xfail)."""


class UnknownLawError(CatlearnError, KeyError):
    """A law suite was asked for a law it does not have (``suite["nosuch"]``)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class LawViolation(CatlearnError, AssertionError):
    """A law failed; the message names the law and its shrunk counterexample."""

    def __init__(self, law: Any, args: tuple, lhs: Any = None, rhs: Any = None, error=None):
        self.law, self.counterexample, self.error = law, args, error
        self.lhs, self.rhs = lhs, rhs
        shown = ", ".join(_show(a) for a in args)
        if error is not None:
            what = f"raises {error!r} for ({shown})"
        else:
            what = f"fails for ({shown}): lhs = {_show(lhs)}, rhs = {_show(rhs)}"
        super().__init__(f"{law.id} ({law.statement}) {what}")


def _show(x: Any) -> str:
    if isinstance(x, tuple):
        return "(" + ", ".join(_show(v) for v in x) + ")"
    if hasattr(x, "tolist"):
        return repr(x.tolist())
    return repr(x)


__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
    "CarrierOverflowError",
    "CatlearnError",
    "CircuitError",
    "CompositionError",
    "DataFileError",
    "DivergenceError",
    "DrawingError",
    "HostOnlyError",
    "LawViolation",
    "LayerShapeError",
    "LensError",
    "MissingImageError",
    "NNFError",
    "NonCommutativeError",
    "NotCartesianError",
    "NotClosedError",
    "NotExactError",
    "ParameterConflictError",
    "PolycircError",
    "ShapeError",
    "ShardingError",
    "SizeLimitError",
    "SpecError",
    "SymbolError",
    "UnexpectedPass",
    "UnknownLawError",
    "UnsupportedDiagramError",
    "WiringError",
]
