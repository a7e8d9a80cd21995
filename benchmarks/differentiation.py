"""Differentiation benchmark: building and compiling R[d] for polynomial circuits, and RDA.

Run from the repository root::

    python benchmarks/differentiation.py           # ~4 min on 2 cores (the scalar anchor's vjp)
    python benchmarks/differentiation.py --quick   # smoke: the two small sizes, no 10^4 vjp

(a) The circuit is a matrix–vector product W·x (m = n), parameters first:
    m·n products and m·(n − 1) adds, i.e. ≈ 10^3, 10^4, 10^5 generators.
    For each size: building d with ``polycirc.Builder``; building R[d]
    (``reverse_derivative``); ``RingFunctor(Real())`` compile + first call
    of d and of R[d] together, then the steady state of R[d] on a batch
    of 64; the same over bit-packed GF2. Anchors in the same run:
    *scalar JAX*, the circuit traced as one JAX op per generator (what a
    direct translation of a polynomial circuit gives), forward and
    ``jax.vjp``; and *array JAX*, ``W @ x`` and its vjp, the hand-written
    program a user would write for this particular circuit.
(b) RDA: one epoch of the iris experiment (lookup table, 75 examples, GF2)
    and one RDA step of a 224×224 GF2 linear layer (≈ 10^5 generators).

Output is markdown on stdout; times are medians of repeated calls each
ended by ``block_until_ready``, with first calls (trace + compile) apart.
"""

from __future__ import annotations

import argparse
import operator
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.diagrams import polycirc  # noqa: E402
from catlearn.diagrams.polycirc import Netlist  # noqa: E402
from catlearn.functors import RingFunctor, reverse_derivative  # noqa: E402
from catlearn.semirings import GF2, Real  # noqa: E402

BATCH = 64


def clock(fn, repeats: int = 5) -> tuple[float, float]:
    """(first call, median of the next ``repeats``) in seconds."""
    start = time.perf_counter()
    jax.block_until_ready(fn())
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs)


def median_of(fn, repeats: int = 3) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def scalar_program(d):
    """The circuit as a Python function of scalars: one JAX op per generator."""
    net = Netlist(d)

    def f(x):
        inputs = [x[i] for i in range(len(net.sources))]
        const = lambda c: jnp.float32(c)  # noqa: E731
        return jnp.stack(net.interpret(inputs, operator.add, operator.mul, operator.neg, const))

    return f


def bench_size(m: int, scalar_fwd: bool, scalar_vjp: bool) -> dict:
    n = m
    row: dict = {"m": m}
    row["build d"] = median_of(lambda: polycirc.matvec(m, n))
    d = polycirc.matvec(m, n)
    row["gates"] = d.n_boxes
    row["build R"] = median_of(lambda: reverse_derivative(d))
    r = reverse_derivative(d)
    row["R gates"] = r.n_boxes
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, m * n + n)).astype(np.float32)
    xb = np.concatenate([x, rng.normal(size=(BATCH, m)).astype(np.float32)], axis=1)

    def compile_both(ring, packed=False, xs=x, xbs=xb):
        F = RingFunctor(ring, packed=packed)
        start = time.perf_counter()
        f, g = F.compile(d), F.compile(r)
        jax.block_until_ready((f(xs), g(xbs)))
        return time.perf_counter() - start, g

    row["compile d+R (Real)"], g = compile_both(Real())
    row["R steady (Real)"] = clock(lambda: g(xb))[1]
    bits = rng.integers(0, 2, size=xb.shape).astype(np.int32)
    row["compile d+R (GF2 packed)"], gb = compile_both(GF2, True, bits[:, : x.shape[1]], bits)
    row["R steady (GF2 packed)"] = clock(lambda: gb(bits))[1]

    # Anchor: hand-written array JAX for this circuit.
    W = jnp.asarray(rng.normal(size=(m, n)), jnp.float32)
    v = jnp.asarray(rng.normal(size=(BATCH, n)), jnp.float32)
    cot = jnp.asarray(rng.normal(size=(BATCH, m)), jnp.float32)

    @jax.jit
    def array_vjp(W, v, cot):
        _, pull = jax.vjp(lambda W, v: v @ W.T, W, v)
        return pull(cot)

    row["array JAX vjp first"], row["array JAX vjp steady"] = clock(lambda: array_vjp(W, v, cot))

    # Anchor: one JAX op per generator (vmapped over the batch).
    if not scalar_fwd:
        return row
    f = scalar_program(d)
    fwd = jax.jit(jax.vmap(f))
    start = time.perf_counter()
    jax.block_until_ready(fwd(jnp.asarray(x)))
    row["scalar JAX fwd compile"] = time.perf_counter() - start
    if scalar_vjp:
        vjp = jax.jit(jax.vmap(lambda a, b: jax.vjp(f, a)[1](b)[0]))
        start = time.perf_counter()
        jax.block_until_ready(vjp(jnp.asarray(x), cot))
        row["scalar JAX vjp compile"] = time.perf_counter() - start
    return row


def bench_rda() -> dict:
    from catlearn.demo.boolean import rda_iris
    from catlearn.learn import RDA

    iris = rda_iris(3, "onehot")
    m = 224
    learner = RDA(polycirc.linear(m, m), n_params=m * m + m)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 2, size=m), rng.integers(0, 2, size=m)
    step = jax.jit(learner.step)
    first, steady = clock(lambda: step(learner.init(), x, y))
    return {"iris": iris, "linear_first": first, "linear_step": steady,
            "linear_gates": polycirc.linear(m, m).n_boxes}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", help="m values (default 22 70 224)")
    parser.add_argument(
        "--scalar-max", type=int, default=None,
        help="trace the scalar-JAX anchor only for m up to this (its compile grows fast)",
    )  # fmt: skip
    args = parser.parse_args()
    print(f"jax {jax.__version__}, backend {jax.default_backend()}\n")
    sizes = args.sizes or ((22, 70) if args.quick else (22, 70, 224))
    scalar_max = args.scalar_max if args.scalar_max is not None else max(sizes)
    vjp_max = min(scalar_max, 22 if args.quick else 70)
    rows = [bench_size(m, m <= scalar_max, m <= vjp_max) for m in sizes]
    print("## (a) R[d] for an m×m matrix–vector product\n")
    print("| m | gates of d | gates of R[d] | build d (s) | build R[d] (s) | compile d + R[d], "
          "Real (s) | R[d] steady, Real (ms) | compile, GF2 packed (s) | R[d] steady, GF2 packed "
          "(ms) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['m']} | {r['gates']} | {r['R gates']} | {r['build d']:.3f} | "
              f"{r['build R']:.3f} | {r['compile d+R (Real)']:.2f} | "
              f"{r['R steady (Real)'] * 1e3:.2f} | {r['compile d+R (GF2 packed)']:.2f} | "
              f"{r['R steady (GF2 packed)'] * 1e3:.2f} |")  # fmt: skip
    print("\nAnchors in the same run (batch 64):\n")
    print("| m | scalar JAX: fwd compile (s) | scalar JAX: vjp compile (s) | array JAX "
          "`W @ x` vjp: first (s) | array JAX vjp steady (ms) |")  # fmt: skip
    print("|---|---|---|---|---|")
    for r in rows:
        vjp = r.get("scalar JAX vjp compile")
        fwd = r.get("scalar JAX fwd compile")
        print(f"| {r['m']} | {'–' if fwd is None else f'{fwd:.2f}'} | "
              f"{'–' if vjp is None else f'{vjp:.2f}'} | {r['array JAX vjp first']:.2f} | "
              f"{r['array JAX vjp steady'] * 1e3:.3f} |")  # fmt: skip
    rda = bench_rda()
    i = rda["iris"]
    print("\n## (b) Reverse Derivative Ascent over GF2\n")
    print(f"- iris, 3 classes one-hot (75 examples, lookup table): test accuracy "
          f"{i['test_accuracy']:.1%}, {i['epoch_ms']:.2f} ms per epoch, first epoch "
          f"{i['compile_s']:.2f} s")  # fmt: skip
    print(
        f"- one RDA step of a 224×224 GF2 linear layer ({rda['linear_gates']} gates): "
        f"first {rda['linear_first']:.2f} s, then {rda['linear_step'] * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
