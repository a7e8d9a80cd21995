"""Semiring matrix-product benchmark: catlearn einsum against plain-JAX anchors.

Run from the repository root::

    python benchmarks/semiring_matmul.py          # full: n = 256, 1024, 2048 (~3-4 min, 2 cores)
    python benchmarks/semiring_matmul.py --quick  # smoke: n = 64, 128 (~20 s)

For each size it times ``einsum(S, "ij,jk->ik", a, b)`` for S = Real, Log and
MaxPlus next to ``jax.jit(jnp.dot)`` and the naive jitted broadcast
log-sum-exp / max (an (n, n, n) intermediate), plus ``jax.grad`` of
``einsum(...).sum()`` w.r.t. the first operand. The first call (trace +
compile + run) is reported apart from the steady state, the median of
repeated calls, each ended by ``.block_until_ready()``. Naive anchors whose
compiled temporary buffers would exceed ``NAIVE_LIMIT`` are skipped. Peak
resident memory (ru_maxrss) of one product is measured in fresh
subprocesses (``--peak KIND N [--grad]``) so that the JAX runtime baseline is
visible. Output is markdown on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp

from catlearn.semirings import Log, MaxPlus, Real, einsum

NAIVE_LIMIT = 5 * 2**30  # bytes of XLA temporaries a naive anchor may use
SPEC = "ij,jk->ik"
SEMIRINGS = {"real": Real(), "log": Log(), "maxplus": MaxPlus()}


def timed(fn, *args, budget_s: float, max_reps: int = 20, min_reps: int = 3):
    """(first-call seconds, steady-state median seconds, reps, result)."""
    t0 = time.perf_counter()
    out = fn(*args)
    out.block_until_ready()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn(*args).block_until_ready()
    one = time.perf_counter() - t0
    reps = max(min_reps, min(max_reps, int(budget_s / max(one, 1e-6))))
    times = [one]
    for _ in range(reps - 1):
        t0 = time.perf_counter()
        fn(*args).block_until_ready()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), reps, out


def temp_bytes(jitted, *args) -> int:
    """XLA's temporary-buffer size for a jitted function (compiles it once)."""
    stats = jitted.lower(*args).compile().memory_analysis()
    return int(stats.temp_size_in_bytes) if stats is not None else 0


def catlearn_fn(semiring):
    return lambda a, b: einsum(semiring, SPEC, a, b)


def grad_fn(semiring):
    return jax.jit(jax.grad(lambda a, b: einsum(semiring, SPEC, a, b).sum()))


naive_dot = jax.jit(jnp.dot)
naive_lse = jax.jit(lambda a, b: jax.nn.logsumexp(a[:, :, None] + b[None, :, :], axis=1))
naive_max = jax.jit(lambda a, b: jnp.max(a[:, :, None] + b[None, :, :], axis=1))


def operands(n: int):
    ka, kb = jax.random.split(jax.random.key(0))
    a = jax.random.normal(ka, (n, n), jnp.float32)
    b = jax.random.normal(kb, (n, n), jnp.float32)
    return a.block_until_ready(), b.block_until_ready()


def max_err(x, y) -> float:
    return float(jnp.max(jnp.abs(x - y)))


def bench_size(n: int, budget_s: float, with_grad: bool):
    """Rows (n, name, first, median, reps, note) for one size; and the medians."""
    a, b = operands(n)
    rows, med, outs = [], {}, {}

    def run(name, fn, note="", compile_s=0.0):
        first, m, reps, out = timed(fn, a, b, budget_s=budget_s)
        med[name], outs[name] = m, out
        rows.append([n, name, f"{compile_s + first:.2f}", f"{m * 1e3:.2f}", reps, note])

    def skip(name, nbytes):
        med[name] = None
        gib = n**3 * 4 / 2**30
        note = f"skipped (n³ = {gib:.1f} GiB; XLA temp {nbytes / 2**30:.1f} GiB)"
        rows.append([n, name, "-", "-", 0, note])

    run("jnp.dot (jit)", naive_dot)
    run("Real einsum", catlearn_fn(Real()))
    rows[-1][-1] = f"max abs diff vs dot {max_err(outs['Real einsum'], outs['jnp.dot (jit)']):.1e}"
    for name, naive, sr in (("log", naive_lse, Log()), ("max", naive_max, MaxPlus())):
        anchor = f"naive {name} (jit)"
        t0 = time.perf_counter()
        nbytes = temp_bytes(naive, a, b)  # compiles: counted into the first call
        if nbytes > NAIVE_LIMIT:
            skip(anchor, nbytes)
        else:
            run(anchor, naive, f"XLA temp {nbytes / 2**20:.0f} MiB", time.perf_counter() - t0)
        label = f"{sr.name} einsum"
        run(label, catlearn_fn(sr))
        if anchor in outs:
            rows[-1][-1] = f"max abs diff vs naive {max_err(outs[label], outs[anchor]):.1e}"
    if with_grad:
        for sr in (Real(), Log(), MaxPlus()):
            g = grad_fn(sr)
            run(f"{sr.name} grad", g)
            rows[-1][-1] = f"XLA temp {temp_bytes(g, a, b) / 2**20:.0f} MiB"
    return rows, med


def ratio(x, y) -> str:
    return "-" if x is None or y is None else f"{x / y:.2f}×"


def peak(kind: str, n: int, grad: bool) -> None:
    """Subprocess mode: one (jitted) product or gradient, then print ru_maxrss."""
    a, b = operands(n)
    fn = grad_fn(SEMIRINGS[kind]) if grad else catlearn_fn(SEMIRINGS[kind])
    fn(a, b).block_until_ready()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with open("/proc/self/status") as f:  # VmHWM: this process image's own peak
        hwm_kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"maxrss_mib": rss_kib / 1024, "hwm_mib": hwm_kib / 1024}))


def measure_peak(kind: str, n: int, grad: bool = False) -> float:
    """ru_maxrss (MiB) of a fresh subprocess. Linux carries the parent's RSS
    high-water mark over fork + exec into ru_maxrss, so main() measures these
    first, while its own RSS is still below a bare JAX process's; VmHWM, reset
    at exec, is checked against it."""
    cmd = [sys.executable, __file__, "--peak", kind, str(n)] + (["--grad"] if grad else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if abs(result["maxrss_mib"] - result["hwm_mib"]) > 64:
        print(f"<!-- {kind} {n}: ru_maxrss {result} disagrees with VmHWM -->", file=sys.stderr)
    return result["maxrss_mib"]


def peak_rows(quick: bool):
    """Peak-memory table rows: each product next to a Real baseline of its size."""
    n_peak, n_grad = (128, 128) if quick else (2048, 1024)
    cases = [(n_peak, False)] + ([] if quick else [(n_grad, True)])
    rows = []
    for n, grad in cases:
        what = "grad" if grad else "einsum"
        base = measure_peak("real", n, grad)
        rows.append([f"Real {what} (baseline), n={n}", f"{base:.0f}", "0"])
        for kind in ("maxplus", "log"):
            rss = measure_peak(kind, n, grad)
            name = SEMIRINGS[kind].name
            rows.append([f"{name} {what}, n={n}", f"{rss:.0f}", f"{rss - base:.0f}"])
    return rows


def table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode: n = 64, 128")
    parser.add_argument("--peak", nargs=2, metavar=("KIND", "N"), help="subprocess mode")
    parser.add_argument("--grad", action="store_true", help="with --peak: time the gradient")
    parser.add_argument(
        "--no-peak", action="store_true",
        help="skip host peak-memory subprocesses (on a GPU they measure host RSS, not the device)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.peak:
        return peak(args.peak[0], int(args.peak[1]), args.grad)

    sizes = (64, 128) if args.quick else (256, 1024, 2048)
    grad_sizes = sizes if args.quick else (256, 1024)
    budget = 0.2 if args.quick else 3.0
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"jax {jax.__version__}, devices {jax.devices()}, {stamp}\n")

    peaks = [] if args.no_peak else peak_rows(args.quick)  # first: see measure_peak
    all_rows, summary, grads = [], [], []
    for n in sizes:
        t0 = time.perf_counter()
        rows, m = bench_size(n, budget, with_grad=n in grad_sizes)
        all_rows += rows
        print(f"<!-- n={n} done in {time.perf_counter() - t0:.0f} s -->", file=sys.stderr)
        summary.append(
            [
                n,
                ratio(m["Real einsum"], m["jnp.dot (jit)"]),
                ratio(m["Log einsum"], m["Real einsum"]),
                ratio(m["Log einsum"], m["naive log (jit)"]),
                ratio(m["MaxPlus einsum"], m["naive max (jit)"]),
                ratio(m["MaxPlus einsum"], m["Real einsum"]),
            ]
        )
        if n in grad_sizes:
            grads.append(
                [
                    n,
                    f"{m['Real grad'] * 1e3:.2f}",
                    f"{m['Log grad'] * 1e3:.2f}",
                    ratio(m["Log grad"], m["Real grad"]),
                    f"{m['MaxPlus grad'] * 1e3:.2f}",
                    ratio(m["MaxPlus grad"], m["Real grad"]),
                ]
            )

    print("### Timings (first call = trace + compile + run; median = steady state)\n")
    print(table(["n", "case", "first call (s)", "median (ms)", "reps", "note"], all_rows))
    print("\n### Ratios of steady-state medians (lower is better for catlearn)\n")
    header = [
        "n",
        "Real / jnp.dot",
        "Log / Real",
        "Log / naive lse",
        "MaxPlus / naive max",
        "MaxPlus / Real",
    ]
    print(table(header, summary))
    print("\n### Gradients (jit(grad(sum ∘ einsum)) w.r.t. the first operand, median ms)\n")
    print(table(["n", "Real", "Log", "Log / Real", "MaxPlus", "MaxPlus / Real"], grads))

    if peaks:
        print("\n### Peak resident memory (ru_maxrss of a fresh subprocess, MiB)\n")
        print(table(["process", "peak RSS (MiB)", "over baseline (MiB)"], peaks))


if __name__ == "__main__":
    main()
