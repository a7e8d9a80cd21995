"""Copy, discard and merge for ``catlearn.diagrams`` (frobenius) types.

DisCoPy's ``markov.Copy`` lives in another category and does not compose
with ``frobenius`` boxes; these build the same generators as frobenius
spiders, on types of any width, so they compose with everything here::

    >>> from catlearn.diagrams import Ty
    >>> x, y = Ty("x"), Ty("y")
    >>> print(Copy(x @ y).cod, "|", Discard(x).cod, "|", Merge(x, 3).dom)
    x @ y @ x @ y | Ty() | x @ x @ x

In tensor semantics all three are spiders (wiring); in function
semantics copy and discard are wiring and a merge needs a monoid.
"""

from __future__ import annotations

from discopy import frobenius

from catlearn.arguments import size
from catlearn.errors import ArgumentTypeError


def Copy(ty: frobenius.Ty, n: int = 2) -> frobenius.Diagram:  # noqa: N802 (a constructor)
    """ty → ty ⊗ … ⊗ ty (n copies)."""
    return frobenius.Diagram.copy(_type(ty, "Copy"), size(n, "Copy(ty, n): n", minimum=0))


def Discard(ty: frobenius.Ty) -> frobenius.Diagram:  # noqa: N802
    """ty → Ty(): forget the value."""
    return frobenius.Diagram.copy(_type(ty, "Discard"), 0)


def Merge(ty: frobenius.Ty, n: int = 2) -> frobenius.Diagram:  # noqa: N802
    """ty ⊗ … ⊗ ty → ty (n inputs), interpreted by a monoid."""
    return frobenius.Diagram.merge(_type(ty, "Merge"), size(n, "Merge(ty, n): n", minimum=0))


def _type(ty: object, what: str) -> frobenius.Ty:
    if not hasattr(ty, "inside") or hasattr(ty, "dom"):  # a DisCoPy type, not a diagram
        raise ArgumentTypeError(
            f"{what}: expected a type such as Ty('x'), got {type(ty).__name__} {ty!r:.40}"
        )
    return ty
