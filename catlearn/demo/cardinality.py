"""The demo's sample circuit: "exactly 40 of 80 variables are true" as a decision-DNNF.

``catlearn.circuits.exactly_k_of_n`` builds it. Its model count is C(80, 40),
about 1.1 × 10^23, past 2^63, which makes it a good exactness check.
``catlearn/data/exactly_40_of_80.nnf`` is this circuit, written by
``write_nnf``.
"""

from __future__ import annotations

from catlearn.circuits import exactly_k_of_n

__all__ = ["circuit_section", "exactly_k_of_n"]


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
