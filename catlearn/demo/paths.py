"""The semiring sections of ``catlearn demo``, on the embedded road network.

Path problems in four semirings on a small road network, and a string
diagram (an MPS norm) compiled into one tensor contraction.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any

import numpy as np


def _graph() -> dict[str, Any]:
    return json.loads(resources.files("catlearn").joinpath("data/graph.json").read_text())


def paths() -> dict[str, Any]:
    """Path problems on the embedded road network, one semiring each."""
    from catlearn.semirings import Boolean, Counting, MinPlus, closure, einsum

    graph = _graph()
    nodes = graph["nodes"]
    index = {name: i for i, name in enumerate(nodes)}
    n = len(nodes)
    minutes = np.full((n, n), np.inf, dtype=np.float32)
    for src, dst, w in graph["edges"]:
        minutes[index[src], index[dst]] = w
    adjacency = np.isfinite(minutes)

    distance = np.asarray(closure(MinPlus(), minutes))
    reach = np.asarray(closure(Boolean(), adjacency))
    C = Counting()
    steps = 200
    walks = C.eye(n)
    edges = C.asarray(adjacency.astype(int))
    for _ in range(steps):
        walks = einsum(C, "ij,jk->ik", walks, edges)
    src, dst = index["Ashford"], index["Frome"]
    count = int(walks[src, dst])
    return {
        "diagram": _mps_norm(),
        "graph": graph["description"],
        "shortest_minutes_from_Ashford": {
            nodes[j]: (None if np.isinf(d) else float(d)) for j, d in enumerate(distance[src])
        },
        "unreachable_pairs": [
            [nodes[i], nodes[j]] for i in range(n) for j in range(n) if not reach[i, j]
        ],
        "walks": {
            "from": "Ashford",
            "to": "Frome",
            "steps": steps,
            "count": str(count),
            "bits": count.bit_length(),
            "float64_error": str(count - int(float(count))),
        },
    }


def _mps_norm(sites: int = 40, bond: int = 8, phys: int = 2) -> dict[str, Any]:
    """⟨ψ|ψ⟩ of a random matrix product state, as a DisCoPy diagram with cups."""
    from discopy import frobenius

    from catlearn.diagrams import from_discopy
    from catlearn.functors import TensorFunctor

    b, p = frobenius.Ty("b"), frobenius.Ty("p")
    first = frobenius.Box("first", frobenius.Ty(), p @ b)
    middle = frobenius.Box("middle", b, p @ b)
    last = frobenius.Box("last", b, p)
    psi = first
    for _ in range(sites - 2):
        psi = psi >> (p ** (len(psi.cod) - 1) @ middle)
    psi = psi >> (p ** (sites - 1) @ last)
    norm = psi >> psi.dagger()
    rng = np.random.default_rng(0)
    scale = 1 / np.sqrt(bond * phys)
    arrays = {
        first: rng.normal(size=(phys, bond)) * scale,
        middle: rng.normal(size=(bond, phys, bond)) * scale,
        last: rng.normal(size=(bond, phys)) * scale,
    }
    compiled = TensorFunctor({b: bond, p: phys}, arrays).compile(norm)
    start = time.perf_counter()
    value = float(compiled.tensor())
    first_call = time.perf_counter() - start
    compiled.tensor().block_until_ready()  # the jitted path compiles on its first use
    runs = []
    for _ in range(20):
        start = time.perf_counter()
        compiled.tensor().block_until_ready()
        runs.append(time.perf_counter() - start)
    graph = from_discopy(norm)
    return {
        "name": f"MPS norm, {sites} sites, bond {bond}",
        "boxes": graph.n_boxes,
        "layers": len(norm.inside),
        "value": value,
        "first_call_ms": first_call * 1e3,
        "steady_us": float(np.median(runs)) * 1e6,
    }
