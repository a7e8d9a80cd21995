"""The demo's sample circuit: "exactly k of n variables are true" as a decision-DNNF.

The dynamic programme over (variable, how many are still to be chosen) is
a d-DNNF: node (i, r) decides variable i (an ``O i`` node: x_i and pick
r − 1 more, or ¬x_i and pick r among the rest), so it is deterministic,
and each branch conjoins a literal with a circuit over later variables,
so it is decomposable. Its model count is C(n, k) — for n = 80, k = 40
about 1.1 × 10^23, past 2^63 — which makes it a good exactness check.
``catlearn/data/exactly_40_of_80.nnf`` is this circuit, written by
``write_nnf``.
"""

from __future__ import annotations

from catlearn.circuits import Circuit, CircuitBuilder


def exactly_k_of_n(n: int, k: int) -> Circuit:
    """The d-DNNF of Σ x_i = k over variables 1..n."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 ≤ k ≤ n, got k = {k}, n = {n}")
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


def circuit_section() -> dict:
    """Read the embedded .nnf, count its models exactly, weigh them, find an MPE."""
    import time
    from importlib import resources
    from math import comb

    from catlearn.circuits import read_nnf

    path = resources.files("catlearn").joinpath("data/exactly_40_of_80.nnf")
    start = time.perf_counter()
    with path.open() as f:
        c = read_nnf(f)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    count = c.model_count()
    count_s = time.perf_counter() - start
    p = {v: 0.5 + 0.4 * (v % 2) - 0.2 for v in range(1, 81)}  # odd vars likely true
    weights = {**{v: q for v, q in p.items()}, **{-v: 1 - q for v, q in p.items()}}
    start = time.perf_counter()
    log_wmc = float(c.wmc(weights, log=True))
    wmc_s = time.perf_counter() - start
    value, assignment = c.mpe(weights)
    return {
        "file": "exactly_40_of_80.nnf",
        "circuit": repr(c),
        "model_count": str(count),
        "expected": str(comb(80, 40)),
        "bits": count.bit_length(),
        "log_probability": log_wmc,
        "mpe_probability": value,
        "mpe_true_odd": sum(assignment[v] for v in range(1, 81, 2)),
        "seconds": {"read": read_s, "count": count_s, "wmc": wmc_s},
    }
