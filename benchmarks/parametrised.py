"""Parametrised-diagram benchmark: chains of ``Param`` boxes against hand-written scans.

Run from the repository root::

    python benchmarks/parametrised.py               # full (~3 min on 2 cores)
    python benchmarks/parametrised.py --quick       # smoke: small sizes, fewer repeats (~40 s)
    python benchmarks/parametrised.py --only A D    # some sections only

Issue 15 asks that a parametrised diagram run at the speed of the best
hand-written JAX. Every catlearn row sits beside its anchors, measured in
the same process on the same arrays, with ratios catlearn / anchor (lower
is better): "÷ scan" against a hand-written ``lax.scan`` over the stacked
weights, "÷ best" against the faster of that scan and a hand-written
unrolled ``functools.reduce(lambda v, W: v @ W, Ws, v)`` taking the
weights as a list of arguments (both under ``jax.jit``).

(A) ``TensorFunctor`` chain of N 64×64 ``Param`` boxes (a
    ``Hypergraph.sequential`` of ``Box("w{i}", x, x)``) applied to a
    batch-1 vector of shape (1, 64): ``c.apply(params, v)``,
    ``jit(c.apply)`` and ``jit(grad)`` of the output's sum with respect to
    the parameters. N = 10, 100, 1000.
(B) The same chain with constant boxes (numpy arrays in ``ar``):
    ``c(v)``. N = 10, 100.
(C) ``FunctionFunctor`` with N = 1000 distinct ``nn.Dense(h, h, "tanh")``
    layers (width 16, batch 32): ``f.apply(params, x)`` and ``jit(grad)``
    of ``(f.apply(p, x) ** 2).sum()``, against a hand-written scan of
    ``tanh(x @ w + b)`` over the stacked weights.
(D) For the cost model, hand-written only: a chain of N d×d matrices
    applied to a batch-B vector, unrolled (``reduce``) and as
    ``lax.scan`` with ``unroll`` 1, 4 and 8; and per (d, B) the smallest
    N where the scan is faster than the unrolled chain.

Times: "first" is one call made from scratch (a fresh functor, a fresh
``F.compile`` and a fresh ``jax.jit`` around a freshly defined function,
so that no cache answers: trace + compile + run, and for catlearn the
functor's construction and ``F.compile`` too; a second such call costs
the same as one after ``jax.clear_caches()``); "steady" is the median
over 7 repeats (5 with ``--quick``) of the mean time of one call, each
call ended by ``jax.block_until_ready``. The implementations compared in
one table row group are timed round-robin, repeat by repeat, so that a
busy neighbour on a shared machine slows them alike. The weights are
generated once per size and handed to catlearn through the compiled
diagram's public layout (``c.stack(per_box)`` where it has one, else
the per-box dict ``{"w0": W0, ...}``); every catlearn output and
gradient is compared with the scan anchor's (max relative error, below
1e-4 in float32, else the row shows the failure). An error (an API in
flux) is shown in its row too, and either makes the script exit 1.
Output is markdown on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Box, Hypergraph, Ty, nn
from catlearn.functors import FunctionFunctor, Param, TensorFunctor

TOLERANCE = 1e-4  # float32 max relative error, catlearn against the anchor
SETTINGS = {"budget_s": 0.5, "reps": 7}  # steady state: seconds per implementation, repeats
FAILURES: list[str] = []
WHERE = {"now": ""}  # the section and size being measured, for the failure list
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- timing and checking -------------------------------------------------------


@dataclass
class Entry:
    """One implementation at one size: its first call, then its steady state."""

    name: str
    fn: Callable | None = None
    args: tuple = ()
    first_s: float | None = None
    steady_s: float | None = None
    err: str = ""
    note: str = ""
    out: Any = field(default=None, repr=False)


def first_call(name: str, make: Callable, *args, ref=None, want=None) -> Entry:
    """``make()(*args)`` timed from scratch (``make`` builds a fresh callable each time).

    The result is compared with ``ref`` (or with ``want(out)``). An error is recorded
    in the entry, which then has no steady state; a failed check is recorded too, and
    the entry is still timed."""
    try:
        start = time.perf_counter()
        fn = make()
        out = fn(*args)
        jax.block_until_ready(out)
        entry = Entry(name, fn, args, time.perf_counter() - start, out=out)
    except Exception as e:  # noqa: BLE001 - shown in the table, counted for the exit status
        return failed(name, e)
    try:
        if want is not None:
            ref = want(out)
        if ref is not None:
            entry.err = check(name, out, ref)
    except Exception as e:  # noqa: BLE001 - a wrong answer: shown, and the exit status is 1
        entry.note = failed(name, e).note
    return entry


def failed(name: str, e: Exception) -> Entry:
    FAILURES.append(f"{WHERE['now']} {name}: {type(e).__name__}: {str(e)[:500]}")
    traceback.print_exc(file=sys.stderr)
    first_line = str(e).splitlines()[0] if str(e) else ""
    text = f"{type(e).__name__}: {first_line}"[:160].replace("|", "/")
    return Entry(name, note=f"**{text}**")


def measure(entries: list[Entry], budget_s: float | None = None) -> None:
    """Steady state of every entry with a callable, timed round-robin.

    Each repeat runs ``k`` calls of one entry, each blocked, and keeps their mean
    (``k`` sized so that the repeats take about ``budget_s``); the median over
    ``SETTINGS["reps"]`` repeats is kept."""
    budget_s = SETTINGS["budget_s"] if budget_s is None else budget_s
    reps = SETTINGS["reps"]
    live = [e for e in entries if e.fn is not None]
    calls = {}
    for e in live:
        jax.block_until_ready(e.fn(*e.args))  # warm
        start = time.perf_counter()
        jax.block_until_ready(e.fn(*e.args))
        one = time.perf_counter() - start
        calls[e.name] = max(1, min(1000, int(budget_s / reps / max(one, 1e-6))))
    runs: dict[str, list[float]] = {e.name: [] for e in live}
    for _ in range(reps):
        for e in live:
            k = calls[e.name]
            start = time.perf_counter()
            for _ in range(k):
                jax.block_until_ready(e.fn(*e.args))
            runs[e.name].append((time.perf_counter() - start) / k)
    for e in live:
        e.steady_s = statistics.median(runs[e.name])


def rel_err(x, ref) -> float:
    """Max relative error over the leaves of two pytrees of one structure."""
    if jax.tree.structure(x) != jax.tree.structure(ref):
        raise AssertionError(
            f"layouts differ: {jax.tree.structure(x)} vs {jax.tree.structure(ref)}"
        )
    worst = 0.0
    for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(ref)):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            raise AssertionError(f"shapes differ: {a.shape} vs {b.shape}")
        worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)))
    return worst


def check(label: str, x, ref) -> str:
    err = rel_err(x, ref)
    assert err < TOLERANCE, f"{label}: relative error {err:.1e} ≥ {TOLERANCE:.0e}"
    return f"{err:.1e}"


def us(s) -> str:
    return "–" if s is None else f"{s * 1e6:,.1f}"


def sec(s) -> str:
    return "–" if s is None else f"{s:.3f}"


def ratio(x, y) -> str:
    return "–" if x is None or y is None else f"{x / y:.2f}"


class Table:
    """Per size, one row per implementation, with ratios to the scan and the best anchor."""

    def __init__(self, scan: str, anchors: tuple[str, ...]):
        self.scan, self.anchors = scan, anchors
        self.groups: list[tuple[int, list[Entry]]] = []

    def add(self, size: int, entries: list[Entry]) -> None:
        self.groups.append((size, entries))

    def show(self, title: str) -> None:
        print(f"\n### {title}\n")
        print(
            "| N | implementation | steady (µs) | ÷ scan | ÷ best | "
            "first (s) | ÷ scan | ÷ best | rel err vs scan | note |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for size, entries in self.groups:
            by = {e.name: e for e in entries}
            scan = by.get(self.scan, Entry(self.scan))
            anchors = [by[a] for a in self.anchors if a in by]
            best_st = min((a.steady_s for a in anchors if a.steady_s is not None), default=None)
            best_fi = min((a.first_s for a in anchors if a.first_s is not None), default=None)
            for e in entries:
                print(
                    f"| {size} | {e.name} | {us(e.steady_s)} | {ratio(e.steady_s, scan.steady_s)}"
                    f" | {ratio(e.steady_s, best_st)} | {sec(e.first_s)} | "
                    f"{ratio(e.first_s, scan.first_s)} | {ratio(e.first_s, best_fi)} | "
                    f"{e.err} | {e.note} |"
                )
        sys.stdout.flush()


def describe(tree) -> str:
    """A params layout in one line: its top-level keys and its leaves' shapes."""
    leaves = jax.tree.leaves(tree)
    shapes: dict[tuple, int] = {}
    for leaf in leaves:
        shapes[np.shape(leaf)] = shapes.get(np.shape(leaf), 0) + 1
    if isinstance(tree, dict):
        keys = ", ".join(map(repr, list(tree)[:3])) + (", …" if len(tree) > 3 else "")
        top = f"dict of {len(tree)} entries ({keys})"
    else:
        top = type(tree).__name__
    shown = ", ".join(f"{n}× {s}" for s, n in shapes.items())
    return f"{top}; {len(leaves)} leaves: {shown}"


def to_layout(compiled, per_box: dict):
    """``per_box`` ({box name: array or pytree}) in the compiled diagram's params layout."""
    if hasattr(compiled, "stack"):
        return compiled.stack(per_box)
    return per_box


def from_layout(compiled, params) -> dict:
    """The compiled diagram's params as one entry per box name."""
    if hasattr(compiled, "unstack"):
        return compiled.unstack(params)
    return params


def api_of(compiled) -> str:
    return f"`stack`: {hasattr(compiled, 'stack')}, `unstack`: {hasattr(compiled, 'unstack')}"


# -- hand-written anchors: each call makes a fresh function ---------------------


def make_scan(unroll: int = 1):
    """v ↦ v @ W₀ @ W₁ … over stacked (N, d, d) weights, as one ``lax.scan``."""

    def chain(Ws, v):
        def step(carry, W):
            return carry @ W, None

        return jax.lax.scan(step, v, Ws, unroll=unroll)[0]

    return chain


def make_reduce():
    """v ↦ v @ W₀ @ W₁ … over a list of weights, unrolled."""

    def chain(Ws, v):
        return functools.reduce(lambda carry, W: carry @ W, Ws, v)

    return chain


def make_dense_scan():
    """x ↦ tanh(… tanh(x @ w₀ + b₀) …) over stacked {"w": (N, h, h), "b": (N, h)}."""

    def chain(p, x):
        def step(carry, layer):
            return jnp.tanh(carry @ layer["w"] + layer["b"]), None

        return jax.lax.scan(step, x, p)[0]

    return chain


def total(y):
    return y.sum()


def square(y):
    return (y**2).sum()


def jitted(make):
    return lambda: jax.jit(make())


def jitted_grad(make, loss=total):
    def build():
        fn = make()
        return jax.jit(jax.grad(lambda p, v: loss(fn(p, v))))

    return build


# -- (A) and (B): TensorFunctor chains ------------------------------------------

X = Ty("x")
DIM = 64
SCAN, REDUCE = "hand lax.scan (jit)", "hand unrolled reduce (jit)"
GSCAN, GREDUCE = "hand lax.scan jit(grad)", "hand unrolled reduce jit(grad)"


def chain_setup(n: int):
    boxes = [Box(f"w{i}", X, X) for i in range(n)]
    graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    Ws, Wlist, v = weights(n, DIM, 1, scale=1 / 8)
    return boxes, graph, Ws, Wlist, v


def weights(n: int, d: int, batch: int, scale: float):
    """N (d, d) weights, stacked and as a list of arrays, and a (batch, d) vector.

    Made with numpy and put on the device array by array: iterating a stacked jax array
    (``list(Ws)``) took about 11 ms per element here (2 s for 200), and ``jax.random``
    compiles once per shape (0.5 s each), which would swamp section (D)."""
    rng = np.random.default_rng(1000 * d + n)
    stacked = (rng.standard_normal((n, d, d)) * scale).astype(np.float32)
    v = rng.standard_normal((batch, d)).astype(np.float32)
    return jnp.asarray(stacked), [jnp.asarray(a) for a in stacked], jnp.asarray(v)


def param_chain(n: int, fwd: Table, grad: Table, notes: list[str]) -> None:
    WHERE["now"] = f"(A) N={n}"
    boxes, graph, Ws, Wlist, v = chain_setup(n)
    per_box = {f"w{i}": Wlist[i] for i in range(n)}

    def functor():
        return TensorFunctor({X: DIM}, {b: Param() for b in boxes})

    scan = first_call(SCAN, jitted(make_scan), Ws, v)
    ref = scan.out
    forward = [scan, first_call(REDUCE, jitted(make_reduce), Wlist, v, ref=ref)]
    gscan = first_call(GSCAN, jitted_grad(make_scan), Ws, v)
    gref = np.asarray(gscan.out)  # sliced on the host: 1,000 device slices add up
    backward = [
        gscan,
        first_call(GREDUCE, jitted_grad(make_reduce), Wlist, v, want=lambda _: list(gref)),
    ]
    try:  # catlearn's params layout, from init and from the public stacking route
        F = functor()
        c = F.compile(graph)
        params = to_layout(c, per_box)
        init = F.init(graph, jax.random.key(0))
        same = jax.tree.structure(init) == jax.tree.structure(params)
        notes.append(
            f"- N={n}: `F.init` gives a {describe(init)}; the compiled diagram has "
            f"{api_of(c)}; the weights handed over have "
            f"{'the same' if same else 'ANOTHER'} structure."
        )
    except Exception as e:  # noqa: BLE001 - the API may be in flux: say what failed
        forward.append(failed("catlearn F.compile + params", e))
        fwd.add(n, forward)
        grad.add(n, backward)
        measure(forward)
        measure(backward)
        return

    def fresh():
        return functor().compile(graph)

    def make_apply():
        return fresh().apply

    def make_jit():
        cc = fresh()
        return jax.jit(lambda p, v: cc.apply(p, v))

    def make_grad():
        cc = fresh()
        return jax.jit(jax.grad(lambda p, v: cc.apply(p, v).sum()))

    forward.append(first_call("catlearn c.apply(params, v)", make_apply, params, v, ref=ref))
    forward.append(first_call("catlearn jit(c.apply)", make_jit, params, v, ref=ref))
    backward.append(
        first_call(
            "catlearn jit(grad)",
            make_grad,
            params,
            v,
            want=lambda _: to_layout(c, {f"w{i}": gref[i] for i in range(n)}),
        )
    )
    measure(forward)
    measure(backward)
    fwd.add(n, forward)
    grad.add(n, backward)


def const_chain(n: int, table: Table) -> None:
    WHERE["now"] = f"(B) N={n}"
    boxes, graph, Ws, Wlist, v = chain_setup(n)
    arrays = list(np.asarray(Ws))

    def fresh():
        return TensorFunctor({X: DIM}, dict(zip(boxes, arrays))).compile(graph)

    scan = first_call(SCAN, jitted(make_scan), Ws, v)
    entries = [
        scan,
        first_call(REDUCE, jitted(make_reduce), Wlist, v, ref=scan.out),
        first_call("catlearn const c(v)", fresh, v, ref=scan.out),
    ]
    measure(entries)
    table.add(n, entries)


# -- (C): FunctionFunctor, distinct dense layers --------------------------------

H = Ty("h")
WIDTH, BATCH = 16, 32


def dense_chain(n: int, fwd: Table, grad: Table, notes: list[str]) -> None:
    WHERE["now"] = f"(C) N={n}"
    boxes = [nn.Dense(H, H, "tanh", name=f"d{i}") for i in range(n)]
    graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    x = jax.random.normal(jax.random.key(1), (BATCH, WIDTH))
    try:  # catlearn's own initial weights, stacked by hand for the anchor
        F = FunctionFunctor({H: WIDTH})
        params = F.init(graph, jax.random.key(0))
        f = F.compile(graph)
        per_box = from_layout(f, params)
        stacked = {
            "w": jnp.stack([per_box[f"d{i}"]["w"] for i in range(n)]),
            "b": jnp.stack([per_box[f"d{i}"]["b"] for i in range(n)]),
        }
        notes.append(
            f"- N={n}: `F.init` gives a {describe(params)}; the compiled function has {api_of(f)}."
        )
    except Exception as e:  # noqa: BLE001 - the API may be in flux: say what failed
        fwd.add(n, [failed("catlearn F.init / F.compile", e)])
        return

    def fresh():
        return FunctionFunctor({H: WIDTH}).compile(graph)

    def make_apply():
        return fresh().apply

    def make_grad():
        ff = fresh()
        return jax.jit(jax.grad(lambda p, x: square(ff.apply(p, x))))

    scan = first_call(SCAN, jitted(make_dense_scan), stacked, x)
    gscan = first_call(GSCAN, jitted_grad(make_dense_scan, square), stacked, x)
    gref = jax.tree.map(np.asarray, gscan.out)  # sliced on the host, as in (A)

    def per_box_grads(_):
        return to_layout(f, {f"d{i}": {"w": gref["w"][i], "b": gref["b"][i]} for i in range(n)})

    forward = [scan, first_call("catlearn f.apply(params, x)", make_apply, params, x, ref=scan.out)]
    backward = [gscan, first_call("catlearn jit(grad)", make_grad, params, x, want=per_box_grads)]
    measure(forward)
    measure(backward)
    fwd.add(n, forward)
    grad.add(n, backward)


# -- (D): scan against unrolled, hand-written ------------------------------------

VARIANTS = (("unrolled", None), ("scan", 1), ("scan u4", 4), ("scan u8", 8))


def crossover(dims, batches, sizes, budget_s):
    names = [v for v, _ in VARIANTS]
    print(
        "\n| d | B | N | "
        + " | ".join(f"{v} (µs)" for v in names)
        + " | "
        + " | ".join(f"{v} first (s)" for v in names)
        + " |"
    )
    print("|---:|---:|---:|" + "---:|" * (2 * len(VARIANTS)))
    found = {}
    for d in dims:
        for b in batches:
            med = {}
            for n in sizes:
                WHERE["now"] = f"(D) d={d} B={b} N={n}"
                Ws, Wlist, v = weights(n, d, b, scale=1 / np.sqrt(d))
                entries: list[Entry] = []
                for name, unroll in VARIANTS:
                    if unroll is None:
                        entries.append(first_call(name, jitted(make_reduce), Wlist, v))
                    else:
                        make = functools.partial(make_scan, unroll)
                        entries.append(first_call(name, jitted(make), Ws, v, ref=entries[0].out))
                measure(entries, budget_s)
                for e in entries:
                    med[(n, e.name)] = e.steady_s
                print(
                    f"| {d} | {b} | {n} | "
                    + " | ".join(us(e.steady_s) for e in entries)
                    + " | "
                    + " | ".join(sec(e.first_s) for e in entries)
                    + " |"
                )
                sys.stdout.flush()
            for name in names[1:]:
                faster = [
                    n
                    for n in sizes
                    if None not in (med[(n, name)], med[(n, "unrolled")])
                    and med[(n, name)] < med[(n, "unrolled")]
                ]
                stays = None  # the smallest N from which every larger N is faster too
                for n in reversed(sizes):
                    if n not in faster:
                        break
                    stays = n
                found[(d, b, name)] = (faster[0] if faster else None, stays)
    return found


# -- main --------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "--no-optional-locks", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def header() -> None:
    try:
        commit = git("rev-parse", "--short", "HEAD")
        if git("status", "--porcelain", "--", "catlearn"):
            commit += " (catlearn/ has uncommitted changes)"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    print("# Parametrised diagrams against hand-written JAX\n")
    print(f"- devices: {jax.devices()} ({os.cpu_count()} CPU cores seen)")
    print(f"- jax {jax.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    print(f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"- git commit: {commit}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"- load average at the start: {load} (a busy machine inflates µs-scale steady times)")
    print(
        f"- steady: median over {SETTINGS['reps']} round-robin repeats of µs per blocked call; "
        "first: one call from scratch, s; ÷ scan and ÷ best: this row ÷ the hand-written scan "
        "and ÷ the faster anchor (lower is better)"
    )
    sys.stdout.flush()


def warm_up() -> None:
    """JAX's one-off costs (backend start, primitives' own caches), paid on other shapes."""
    y = Ty("y")
    boxes = [Box(f"warm{i}", y, y) for i in range(10)]
    graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    F = TensorFunctor({y: 8}, {b: Param() for b in boxes})
    params = F.init(graph, jax.random.key(0))
    c = F.compile(graph)
    v = jnp.ones((1, 8))
    jax.block_until_ready(c.apply(params, v))
    jax.block_until_ready(jax.jit(jax.grad(lambda p: c.apply(p, v).sum()))(params))
    Ws, Wlist, v = weights(10, 8, 1, scale=1.0)
    jax.block_until_ready(jitted_grad(make_scan)()(Ws, v))
    jax.block_until_ready(jitted_grad(make_reduce)()(Wlist, v))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer repeats")
    parser.add_argument(
        "--only", nargs="+", choices=list("ABCD"), default=list("ABCD"), metavar="{A,B,C,D}"
    )
    args = parser.parse_args()
    quick = args.quick
    SETTINGS.update({"budget_s": 0.1, "reps": 5} if quick else {"budget_s": 0.5, "reps": 7})
    header()
    start = time.perf_counter()
    warm_up()

    def took(since: float) -> None:
        print(f"\n_section: {time.perf_counter() - since:.0f} s_")

    if "A" in args.only:
        since = time.perf_counter()
        fwd, grad, notes = Table(SCAN, (SCAN, REDUCE)), Table(GSCAN, (GSCAN, GREDUCE)), []
        for n in (10, 100) if quick else (10, 100, 1000):
            param_chain(n, fwd, grad, notes)
        print(f"\n## (A) TensorFunctor chain of N {DIM}×{DIM} Param boxes on a (1, {DIM}) vector\n")
        print("\n".join(notes))
        fwd.show("(A) forward")
        grad.show("(A) jit(grad) of the output's sum w.r.t. the weights")
        took(since)
    if "B" in args.only:
        since = time.perf_counter()
        table = Table(SCAN, (SCAN, REDUCE))
        for n in (10,) if quick else (10, 100):
            const_chain(n, table)
        print(
            f"\n## (B) TensorFunctor chain of N constant {DIM}×{DIM} boxes on a (1, {DIM}) vector"
        )
        table.show("(B) forward c(v), the weights fixed in the functor")
        took(since)
    if "C" in args.only:
        since = time.perf_counter()
        fwd, grad, notes = Table(SCAN, (SCAN,)), Table(GSCAN, (GSCAN,)), []
        dense_chain(100 if quick else 1000, fwd, grad, notes)
        print(
            f"\n## (C) FunctionFunctor, N distinct nn.Dense({WIDTH}→{WIDTH}, tanh) layers, "
            f"batch {BATCH}\n"
        )
        print("\n".join(notes))
        print("\nThe one anchor is the hand-written scan (÷ best = ÷ scan).")
        fwd.show("(C) forward")
        grad.show("(C) jit(grad) of (f.apply(p, x) ** 2).sum()")
        took(since)
    if "D" in args.only:
        since = time.perf_counter()
        dims, batches = (16, 64, 256), (1, 32)
        sizes = (2, 8, 32) if quick else (2, 4, 8, 16, 32, 64, 128)
        print("\n## (D) Hand-written chain of N d×d matrices on a (B, d) vector: scan vs unrolled")
        print(
            "\nsteady: µs per call under jit (round-robin over the four variants); "
            "first: a fresh jit, trace + compile + run, s"
        )
        found = crossover(dims, batches, sizes, 0.02 if quick else 0.05)
        print("\n### (D) crossover: the smallest N where the scan beats the unrolled chain\n")
        print(
            "First N: the smallest measured N where it is faster; from N on: the smallest N "
            f"from which it is faster at every larger measured N (up to {sizes[-1]}).\n"
        )
        print(
            "| d | B | " + " | ".join(f"{v}: first N / from N on" for v, _ in VARIANTS[1:]) + " |"
        )
        print("|---:|---:|" + "---|" * (len(VARIANTS) - 1))
        for d in dims:
            for b in batches:
                cells = []
                for name, _ in VARIANTS[1:]:
                    first_n, stays = found[(d, b, name)]
                    cells.append(f"{first_n or f'> {sizes[-1]}'} / {stays or '–'}")
                print(f"| {d} | {b} | " + " | ".join(cells) + " |")
        took(since)
    print(f"\n_total: {time.perf_counter() - start:.0f} s_")
    if FAILURES:
        print("\n**Failures:**\n")
        for line in FAILURES:
            print(f"- {line}")
        sys.exit(1)


if __name__ == "__main__":
    main()
