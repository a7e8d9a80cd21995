"""First-call time of a tensorised PC: catlearn's ``TensorizedPC`` against hand-written JAX.

The (A) model of ``benchmarks/circuits.py``: 128 binary variables on a
balanced random binary region tree, 64 units per region, batch 512, Log
semiring. *First call* is everything a fresh process pays before the first
log-likelihood comes back: building the model, drawing its parameters, and
tracing, compiling and running the jitted log-likelihood; the first jitted
gradient of the mean log-likelihood (its own trace and compile) is timed
after it. Each measurement runs in a fresh Python process (imports not
counted); the table gives the median of ``--runs`` processes and, after it,
each process's steady-state forward and forward+gradient times (median of 5).

Run from the repository root::

    python benchmarks/tensorized_first_call.py            # 5 processes each
    python benchmarks/tensorized_first_call.py --runs 3 --units 16
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(impl: str, n_vars: int, units: int, batch: int) -> dict[str, float]:
    """One fresh-process measurement (called in the child)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from circuits import dense_by_hand  # benchmarks/circuits.py: the (A) anchor itself

    from catlearn.circuits.region_graph import random_binary_tree
    from catlearn.circuits.tensorized import TensorizedPC

    x = np.random.default_rng(0).integers(0, 2, size=(batch, n_vars)).astype(np.int32)
    jax.block_until_ready(jnp.zeros(1) + 1)  # the backend is up before the clock starts
    start = time.perf_counter()
    if impl == "catlearn":
        pc = TensorizedPC(random_binary_tree(n_vars, seed=0), units)
        params = pc.init(jax.random.key(0))
        out = pc.log_likelihood(params, x)
        forward = jax.jit(pc.log_likelihood)
    else:
        tree = random_binary_tree(n_vars, seed=0)
        rng = np.random.default_rng(0)
        params = {
            "leaves": jnp.asarray(rng.normal(size=(n_vars, units, 2)), jnp.float32),
            "sums": [jnp.asarray(rng.normal(size=(level.size, units, units)) * 0.5, jnp.float32)
                     for level in tree.levels],  # fmt: skip
            "root": jnp.asarray(rng.normal(size=units) * 0.5, jnp.float32),
        }
        forward = jax.jit(dense_by_hand(tree, units))
        out = forward(params, jnp.asarray(x))
    jax.block_until_ready(out)
    first = time.perf_counter() - start
    xj = jnp.asarray(x)
    grad = jax.jit(jax.grad(lambda p: forward(p, xj).mean()))
    start = time.perf_counter()
    jax.block_until_ready(grad(params))
    first_grad = time.perf_counter() - start

    def steady(fn, *args):
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            jax.block_until_ready(fn(*args))
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    jax.block_until_ready(forward(params, xj))
    return {
        "first": first, "first_grad": first_grad,
        "forward": steady(forward, params, xj), "forward_grad": steady(grad, params),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vars", type=int, default=128)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--child", choices=["catlearn", "hand-written"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.vars, args.units, args.batch)))
        return
    import jax

    print(f"jax {jax.__version__}, backend {jax.default_backend()}; {args.vars} variables, "
          f"{args.units} units, batch {args.batch}, Log; median of {args.runs} fresh processes, "
          "taken in turn\n")  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {"catlearn": [], "hand-written": []}
    for _ in range(args.runs):
        for impl in results:  # alternate, so that a busy spell hits both
            out = subprocess.run(
                [sys.executable, __file__, "--child", impl, "--vars", str(args.vars),
                 "--units", str(args.units), "--batch", str(args.batch)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            results[impl].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| implementation | first call (s) | first gradient (s) | forward (ms) | fwd+grad (ms) |")
    print("|---|---|---|---|---|")
    for impl, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"| {impl} | {med['first']:.2f} | {med['first_grad']:.2f} | "
              f"{med['forward'] * 1e3:.1f} | {med['forward_grad'] * 1e3:.1f} |")  # fmt: skip
    print("\nfirst calls, each process:", {k: [round(r["first"], 2) for r in v]
                                         for k, v in results.items()})  # fmt: skip


if __name__ == "__main__":
    main()
