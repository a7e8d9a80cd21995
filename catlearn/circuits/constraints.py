"""Standard constraints as decision-DNNF circuits: cardinality and parity.

Both are dynamic programmes over the variables x1..xn, deciding x1 first
(``O i`` decision nodes, so deterministic by construction), each branch
conjoining a literal with a circuit over later variables (decomposable).
They split variables the same way, so they are *compatible*: the atlas
``product`` of the two is again a d-DNNF::

    >>> from math import comb
    >>> from catlearn.circuits import product
    >>> exactly_k_of_n(80, 40).model_count() == comb(80, 40)   # past 2^63, exact
    True
    >>> both, report = product(exactly_k_of_n(10, 3), parity(10))
    >>> both.model_count() == comb(10, 3), report.deterministic
    (True, True)
"""

from __future__ import annotations

from catlearn.arguments import flag, whole
from catlearn.circuits.builder import CircuitBuilder
from catlearn.circuits.circuit import Circuit
from catlearn.errors import ArgumentValueError


def exactly_k_of_n(n: int, k: int) -> Circuit:
    """The d-DNNF of x1 + … + xn = k: node (i, r) decides x_i (take it and r − 1 more,
    or skip it and take r among the rest). Its model count is C(n, k)."""
    n, k = whole(n, "exactly_k_of_n: n", least=0), whole(k, "exactly_k_of_n: k")
    if not 0 <= k <= n:
        raise ArgumentValueError(f"need 0 ≤ k ≤ n, got k = {k}, n = {n}")
    b = CircuitBuilder()
    true, false = b.constant(True), b.constant(False)
    # below[r]: the circuit for "exactly r of variables i+1..n", built from i = n down.
    below = [true] + [false] * k
    for i in range(n, 0, -1):
        x, nx = b.literal(i), b.literal(i, False)
        here = []
        for r in range(k + 1):
            take = b.product([x, below[r - 1]]) if r >= 1 else None
            skip = b.product([nx, below[r]])
            here.append(b.sum([take, skip], decision=i) if take is not None else skip)
        below = here
    return b.build([below[k]], n_vars=n)


def parity(n: int, odd: bool = True) -> Circuit:
    """The d-DNNF of x1 ⊕ … ⊕ xn = ``odd``: 2n nodes deep, a chain of decisions
    (2^(n−1) models), the deep-circuit case of d-DNNF compilers' output."""
    n, odd = whole(n, "parity: n"), flag(odd, "parity: odd")
    if n < 1:
        raise ArgumentValueError(f"parity needs n ≥ 1 variables, got {n}")
    b = CircuitBuilder()
    # below[p]: "the variables after x_i have parity p", built from i = n down.
    below = {0: b.constant(True), 1: b.constant(False)}
    for v in range(n, 0, -1):
        x, nx = b.literal(v), b.literal(v, False)
        below = {
            p: b.sum([b.product([x, below[1 - p]]), b.product([nx, below[p]])], decision=v)
            for p in (0, 1)
        }
    return b.build([below[int(odd)]], n_vars=n)
