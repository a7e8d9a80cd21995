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


def Copy(ty: frobenius.Ty, n: int = 2) -> frobenius.Diagram:  # noqa: N802 (a constructor)
    """ty → ty ⊗ … ⊗ ty (n copies)."""
    return frobenius.Diagram.copy(ty, n)


def Discard(ty: frobenius.Ty) -> frobenius.Diagram:  # noqa: N802
    """ty → Ty(): forget the value."""
    return frobenius.Diagram.copy(ty, 0)


def Merge(ty: frobenius.Ty, n: int = 2) -> frobenius.Diagram:  # noqa: N802
    """ty ⊗ … ⊗ ty → ty (n inputs), interpreted by a monoid."""
    return frobenius.Diagram.merge(ty, n)
