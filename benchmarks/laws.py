"""Law-suite timing: every built-in semiring's full suite, batched draws against one
element tuple per example, each in a fresh process (first run, compiles included).

Run from the repository root::

    python benchmarks/laws.py            # 19 semirings × 2 modes × 3 runs (~8 min, 2 cores)
    python benchmarks/laws.py --quick    # Real and TopK(3), one run each (~1 min)

A run is one new Python process that imports catlearn and JAX (not timed),
builds ``laws.semiring(S, batch=...)`` and checks every law at
``max_examples=100`` with hypothesis's default settings otherwise; the
time from building the suite to the last law is reported, so every XLA
compile the suite causes is in it. ``batch=16`` is the default for the
built-ins (each example checks 16 rows; ``max_examples`` counts rows);
``batch=0`` is the previous behaviour, one tuple per example, run in the
same session as the anchor. Also reported: the functor suite of a
TensorFunctor over five boxes (Real, 25 examples per law), whose cost is
one XLA compile per random diagram. Output is markdown on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

SEMIRINGS = [
    "Real()", "Complex()", "Log()", "MaxPlus()", "MinPlus()", "Viterbi()", "Boolean()",
    "Counting()", "GF2", "Zn(7)", "Fuzzy()", "Lukasiewicz()", "Expectation", "Dual()",
    "Dual(GF2)", "TopK(3)", "Product(Log(), MaxPlus())", "Product(Counting(), Boolean())",
    "Polynomial()",
]  # fmt: skip
QUICK = ["Real()", "TopK(3)"]

CHILD = """
import json, sys, time
from catlearn import laws
from catlearn.semirings import *
from catlearn.semirings import Polynomial
S = eval(sys.argv[1])
batch = int(sys.argv[2])
start = time.perf_counter()
suite = laws.semiring(S, batch=batch)
per = {}
for law in suite:
    t = time.perf_counter()
    law.check(100)
    per[law.name] = time.perf_counter() - t
print(json.dumps({"total": time.perf_counter() - start, "laws": per, "n": len(suite)}))
"""

FUNCTOR_CHILD = """
import json, time
import numpy as np
from catlearn import laws
from catlearn.diagrams import Box, Ty
from catlearn.functors import TensorFunctor
x, y = Ty("x"), Ty("y")
boxes = [Box("f", x, y), Box("g", y @ x, x), Box("h", Ty(), x @ y), Box("k", x, Ty()),
         Box("m", y, y @ y)]
dims = {x: 2, y: 3}
rng = np.random.default_rng(0)
ar = {b: rng.integers(-3, 4, [dims[Ty(o)] for o in [*b.dom.inside, *b.cod.inside]])
      .astype(np.float32) for b in boxes}
start = time.perf_counter()
suite = laws.functor(TensorFunctor(dims, ar), boxes)
per = {}
for law in suite:
    t = time.perf_counter()
    law.check(25)
    per[law.name] = time.perf_counter() - t
print(json.dumps({"total": time.perf_counter() - start, "laws": per, "n": len(suite)}))
"""


def run(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"a run failed: {args}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    names = QUICK if args.quick else SEMIRINGS
    runs = args.runs or (1 if args.quick else 3)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print("## Law suites: full built-in semiring suites at 100 examples per law\n")
    print(
        f"Run {started}, {runs} fresh process(es) per cell, median shown; time from "
        "building the suite to its last law, compiles included (imports not). "
        "batch=16 is the default for built-ins (100 rows = 7 examples of 16); batch=0 is "
        "one element tuple per example, the behaviour before.\n"
    )
    print("| semiring | laws | batch=16 (s) | batch=0 (s) | ratio | slowest law (batch=16) |")
    print("|---|---:|---:|---:|---:|---|")
    over = []
    for name in names:
        cells = {}
        for batch in (16, 0):
            results = [run(CHILD, name, str(batch)) for _ in range(runs)]
            totals = [r["total"] for r in results]
            cells[batch] = (statistics.median(totals), results[0])
        fast, slow = cells[16][0], cells[0][0]
        per = cells[16][1]["laws"]
        worst = max(per, key=per.get)
        if fast >= 5:
            over.append(name)
        print(
            f"| {name} | {cells[16][1]['n']} | {fast:.2f} | {slow:.2f} | "
            f"{slow / fast:.1f}× | {worst} {per[worst]:.2f} s |",
            flush=True,
        )
    print()
    print(
        "Every built-in suite under 5 s." if not over else f"Over 5 s: {', '.join(over)}.",
        "\n",
    )
    results = [run(FUNCTOR_CHILD) for _ in range(runs)]
    total = statistics.median(r["total"] for r in results)
    per = results[0]["laws"]
    slowest = sorted(per, key=per.get, reverse=True)[:3]
    print("## Law suites: TensorFunctor (Real, five boxes, 25 examples per law)\n")
    print(
        f"{results[0]['n']} laws in {total:.1f} s (median of {runs}); slowest: "
        + ", ".join(f"{n} {per[n]:.1f} s" for n in slowest)
        + ". Each random diagram is a new structure and so one XLA compile.\n"
    )


if __name__ == "__main__":
    main()
