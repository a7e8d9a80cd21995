"""Diagram benchmark: catlearn's TensorFunctor against DisCoPy and hand-written JAX.

Run from the repository root::

    python benchmarks/diagrams.py            # full (~10-15 min on 2 cores)
    python benchmarks/diagrams.py --quick    # smoke: small sizes only (< 30 s)
    python benchmarks/diagrams.py --profile  # cProfile top-15 of the 1000-box chain's first call

Three families of diagrams, each evaluated side by side:

(a) a chain f0 >> f1 >> ... of N distinct 64x64 boxes applied to a vector;
    also the time to *build* the chain (DisCoPy ``>>`` loop and
    ``Diagram.then``, ``Hypergraph.sequential``) and the first call of
    ``jit(grad)``.
(b) an MPS inner product <psi|psi> (ket >> ket.dagger(), a closed diagram),
    length L, physical dim 2, bond D.
(c) a closed brickwork of 2-qubit gates (dim-2 wires, 4x4 gates), 4 layers
    deep, K gates per even layer and K-1 per odd layer (offset by one wire),
    with a random state on every input wire and a random effect on every
    output wire.

catlearn rows: "const" uses ``F.compile(d)`` with the boxes' arrays fixed in
the functor (XLA sees them as constants and may fold them); "param" uses
``Param`` boxes and ``compiled.apply(params, ...)`` so the arrays are
arguments, exactly like the hand-written anchors; "eager" is ``F(d)``
(first call op by op, later calls of the same structure jitted, each call
re-reading the diagram). Times: the first call (trace + compile + run,
including ``F.compile``) apart from the steady state, the median of
repeated calls, each ended by ``block_until_ready``. Every catlearn result
is compared with an anchor (max relative error printed). DisCoPy cases are
capped at ``CAP_S`` seconds (alarm) or skipped when an extrapolation says
they would exceed it. Output is markdown on stdout; the plot goes to
``benchmarks/diagrams.png``.
"""

# Closures in loops are called before the loop moves on (B023 is a false positive here);
# the ratio lines quote long row names (E501).
# ruff: noqa: B023, E501

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import signal
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import opt_einsum
from discopy import matrix as dmatrix
from discopy import tensor as dt

from catlearn.diagrams import Box, Diagram, Hypergraph, Ty
from catlearn.functors import Param, TensorFunctor

CAP_S = 20.0  # seconds a DisCoPy measurement may take
BUDGET = {"s": 1.0}  # seconds of repeats per steady-state measurement
HERE = os.path.dirname(os.path.abspath(__file__))


# -- timing helpers (as in semiring_matmul.py) ------------------------------


def block(out):
    if hasattr(out, "block_until_ready"):
        return out.block_until_ready()
    if hasattr(out, "array"):  # a discopy Tensor
        return block(out.array)
    return out


def timed(fn, *args, budget_s: float | None = None, max_reps: int = 20, min_reps: int = 3):
    """(first-call seconds, steady-state median seconds, reps, result)."""
    budget_s = BUDGET["s"] if budget_s is None else budget_s
    t0 = time.perf_counter()
    out = block(fn(*args))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    block(fn(*args))
    one = time.perf_counter() - t0
    reps = max(min_reps, min(max_reps, int(budget_s / max(one, 1e-6))))
    times = [one]
    for _ in range(reps - 1):
        t0 = time.perf_counter()
        block(fn(*args))
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), reps, out


class Capped(Exception):
    pass


def capped(fn, *args, cap_s: float = CAP_S, **kw):
    """``timed`` under an alarm: raises Capped past cap_s seconds."""

    def handler(signum, frame):
        raise Capped

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, cap_s)
    try:
        return timed(fn, *args, **kw)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def once(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def rel_err(x, ref) -> float:
    x = np.asarray(getattr(x, "array", x), dtype=np.float64).reshape(-1)
    ref = np.asarray(getattr(ref, "array", ref), dtype=np.float64).reshape(-1)
    return float(np.max(np.abs(x - ref)) / max(np.max(np.abs(ref)), 1e-300))


def ms(s) -> str:
    return "-" if s is None else f"{s * 1e3:.3f}" if s < 0.01 else f"{s * 1e3:.1f}"


def sec(s) -> str:
    return "-" if s is None else f"{s:.3f}"


def ratio(x, y) -> str:
    return "-" if x is None or y is None else f"{x / y:.2f}×"


class Table:
    def __init__(self, size_name: str):
        self.size_name, self.rows, self.med = size_name, [], {}

    def add(self, size, name, first, med, reps, note=""):
        self.med[(size, name)] = med
        self.rows.append([size, name, sec(first), ms(med), reps, note])

    def skip(self, size, name, note):
        self.med[(size, name)] = None
        self.rows.append([size, name, "-", "-", 0, note])

    def show(self, title):
        print(f"\n### {title}\n")
        print(f"| {self.size_name} | method | first call (s) | steady median (ms) | reps | note |")
        print("|---:|---|---:|---:|---:|---|")
        for r in self.rows:
            print("| " + " | ".join(str(c) for c in r) + " |")
        sys.stdout.flush()


def run_row(table, size, name, fn, *args, ref=None, pre_s=0.0, note="", **kw):
    first, med, reps, out = timed(fn, *args, **kw)
    if ref is not None:
        note = (note + "; " if note else "") + f"rel err {rel_err(out, ref):.1e}"
    table.add(size, name, pre_s + first, med, reps, note)
    return out


def discopy_row(table, size, name, fn, *args, ref=None, est_s=None, **kw):
    if est_s is not None and est_s > CAP_S:
        table.skip(size, name, f"skipped (extrapolated {est_s:.0f} s > {CAP_S:.0f} s cap)")
        return None
    try:
        first, med, reps, out = capped(fn, *args, **kw)
    except Capped:
        table.skip(size, name, f"skipped (over the {CAP_S:.0f} s cap)")
        return None
    note = f"rel err vs anchor {rel_err(out, ref):.1e}" if ref is not None else ""
    table.add(size, name, first, med, reps, note)
    return first + med


# -- (a) chain ------------------------------------------------------------

X = Ty("x")


def chain_data(n: int, dim: int = 64):
    rng = np.random.default_rng(n)
    arrays = [(rng.standard_normal((dim, dim)) / np.sqrt(dim)).astype(np.float32) for _ in range(n)]
    vec = rng.standard_normal(dim).astype(np.float32)
    boxes = [Box(f"f{i}", X, X) for i in range(n)]
    return boxes, arrays, vec


def dot_chain(v, *arrays):
    return functools.reduce(jnp.dot, arrays, v)


def discopy_chain(v, arrays):
    """The chain as discopy.tensor boxes, with a state box for the vector."""
    d = dt.Dim(v.shape[-1])
    boxes = [dt.Box("v", dt.Dim(1), d, v)]
    boxes += [dt.Box(f"f{i}", d, d, a) for i, a in enumerate(arrays)]
    return dt.Diagram.then(*boxes)


def bench_chain(sizes, build_sizes, grad_sizes):
    t = Table("N")
    build = Table("N")
    per_box = {}
    for n in sizes:
        boxes, arrays, vec = chain_data(n)
        jarrays = [jnp.asarray(a) for a in arrays]
        jvec = jnp.asarray(vec)
        # anchors
        ref = run_row(
            t, n, "hand jit reduce(dot), arrays as args", jax.jit(dot_chain), jvec, *jarrays
        )
        const_chain = jax.jit(lambda v, arrays=tuple(jarrays): dot_chain(v, *arrays))
        run_row(t, n, "hand jit reduce(dot), arrays closed over", const_chain, jvec, ref=ref)
        # catlearn, constant arrays
        graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
        F = TensorFunctor({X: 64}, dict(zip(boxes, jarrays)))
        pre, c = once(F.compile, graph)
        run_row(t, n, "catlearn const c(v)", c, jvec, ref=ref, pre_s=pre)
        # catlearn, Param boxes: arrays are arguments
        P = TensorFunctor({X: 64}, {b: Param() for b in boxes})
        params = {f"f{i}": a for i, a in enumerate(jarrays)}
        pre, cp = once(P.compile, graph)
        run_row(
            t, n, "catlearn param c.apply(params, v)", cp.apply, params, jvec, ref=ref, pre_s=pre
        )
        # catlearn eager on the DisCoPy diagram (whole tensor) and on the hypergraph
        diagram = Diagram.then(*boxes)
        whole = functools.reduce(np.dot, [a.astype(np.float64) for a in arrays])
        F2 = TensorFunctor({X: 64}, dict(zip(boxes, jarrays)))
        run_row(t, n, "catlearn eager F(diagram), whole tensor", F2, diagram, ref=whole)
        per_box[("diagram", n)] = t.med[(n, "catlearn eager F(diagram), whole tensor")] / n
        F3 = TensorFunctor({X: 64}, dict(zip(boxes, jarrays)))
        run_row(t, n, "catlearn eager F(hypergraph), whole tensor", F3, graph, ref=whole)
        per_box[("hypergraph", n)] = t.med[(n, "catlearn eager F(hypergraph), whole tensor")] / n
        # DisCoPy
        dd = discopy_chain(vec, arrays)
        discopy_row(t, n, "DisCoPy eval (numpy)", dd.eval, ref=ref)

        def jax_eager(dd=dd):
            with dmatrix.backend("jax"):
                return dd.eval().array

        discopy_row(t, n, "DisCoPy eval (jax, eager)", jax_eager, ref=ref)

        @jax.jit
        def jax_jit(v, *arrays):
            with dmatrix.backend("jax"):
                return discopy_chain(v, arrays).eval().array

        discopy_row(t, n, "DisCoPy eval (jax, inside jit)", jax_jit, jvec, *jarrays, ref=ref)
        if n in grad_sizes:
            g_hand = jax.jit(jax.grad(lambda arrays, v: dot_chain(v, *arrays).sum()))
            gref = run_row(t, n, "hand jit(grad) w.r.t. arrays", g_hand, jarrays, jvec)
            g_cat = jax.jit(jax.grad(lambda p, v: cp.apply(p, v).sum()))
            out = run_row(t, n, "catlearn jit(grad) w.r.t. params", g_cat, params, jvec)
            err = max(rel_err(out[f"f{i}"], gref[i]) for i in range(n))
            t.rows[-1][-1] = f"rel err vs hand grad {err:.1e}"
            g_cv = jax.jit(jax.grad(lambda v: c(v).sum()))
            run_row(t, n, "catlearn jit(grad) of const c(v) w.r.t. v", g_cv, jvec)
    # building
    for n in build_sizes:
        boxes = [Box(f"f{i}", X, X) for i in range(n)]
        units = [Hypergraph.from_box(b) for b in boxes]
        first, med, reps, _ = timed(Hypergraph.sequential, units, budget_s=2)
        build.add(n, "Hypergraph.sequential", first, med, reps, "from_box done beforehand")
        first, med, reps, _ = timed(
            lambda: Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes]), budget_s=2
        )
        build.add(n, "Hypergraph.sequential incl. from_box", first, med, reps)

        def loop(boxes=boxes):
            d = boxes[0]
            for b in boxes[1:]:
                d = d >> b
            return d

        prev = build.med.get((n // 10, "DisCoPy `d = d >> box` loop"))
        est = None if prev is None else prev * 100  # quadratic
        discopy_row(
            build, n, "DisCoPy `d = d >> box` loop", loop, est_s=est, max_reps=3, min_reps=1
        )
        discopy_row(
            build, n, "DisCoPy Diagram.then(*boxes)", lambda b=boxes: Diagram.then(*b), budget_s=2
        )
        d = Diagram.then(*boxes)
        from catlearn.diagrams import from_discopy

        first, med, reps, _ = timed(from_discopy, d, budget_s=2)
        build.add(n, "catlearn from_discopy(diagram)", first, med, reps, "DisCoPy → Hypergraph")
    return t, build, per_box


# -- (b) MPS inner product ----------------------------------------------------

PH, BD = Ty("p"), Ty("b")


def mps_data(length: int, bond: int):
    rng = np.random.default_rng(1000 * length + bond)
    shapes = [(2, bond)] + [(bond, 2, bond)] * (length - 2) + [(bond, 2)]
    arrays = [(rng.standard_normal(s) / np.sqrt(2 * bond)).astype(np.float32) for s in shapes]
    return arrays


def mps_diagram(length):
    """ket >> ket.dagger() as a catlearn (DisCoPy frobenius) diagram, and its ket boxes."""
    p, b = PH, BD
    boxes = [Box("A0", Ty(), p @ b)]
    boxes += [Box(f"A{i}", b, p @ b) for i in range(1, length - 1)]
    boxes += [Box(f"A{length - 1}", b, p)]
    layers = [boxes[0]] + [p ** (i + 1) @ bx for i, bx in enumerate(boxes[1:])]
    ket = Diagram.then(*layers)
    return ket >> ket.dagger(), boxes


def mps_discopy(arrays, bond):
    p, b = dt.Dim(2), dt.Dim(bond)
    n = len(arrays)
    boxes = [dt.Box("A0", dt.Dim(1), p @ b, arrays[0])]
    boxes += [dt.Box(f"A{i}", b, p @ b, arrays[i]) for i in range(1, n - 1)]
    boxes += [dt.Box(f"A{n - 1}", b, p, arrays[-1])]
    ket = boxes[0]
    for i, bx in enumerate(boxes[1:]):
        ket = ket >> (p ** (i + 1) @ bx)
    return ket >> ket.dagger()


def mps_subscripts(length):
    def sub(i, bra):
        k = 2000 if bra else 1000
        if i == 0:
            return [i, k]
        if i == length - 1:
            return [k + i - 1, i]
        return [k + i - 1, i, k + i]

    return [sub(i, False) for i in range(length)] + [sub(i, True) for i in range(length)]


def interleave(arrays, subs, out):
    args = []
    for a, s in zip(arrays, subs):
        args += [a, s]
    return args + [out]


def bench_mps(lengths, bonds):
    t = Table("L, D")
    for bond in bonds:
        prev_dc = None
        for length in lengths:
            size = f"{length}, {bond}"
            arrays = mps_data(length, bond)
            ops = arrays + arrays  # real arrays: the bra is the same tensors
            subs = mps_subscripts(length)
            args = interleave(ops, subs, [])
            first, med, reps, ref = timed(lambda: opt_einsum.contract(*args, optimize="auto"))
            t.add(size, "opt_einsum.contract (numpy, auto)", first, med, reps)
            jops = [jnp.asarray(a) for a in arrays]
            hand = jax.jit(lambda *a: jnp.einsum(*interleave(a + a, subs, []), optimize="auto"))
            run_row(t, size, "hand jit jnp.einsum (auto), arrays as args", hand, *jops, ref=ref)
            diagram, boxes = mps_diagram(length)
            ob = {PH: 2, BD: bond}
            F = TensorFunctor(ob, dict(zip(boxes, jops)))
            run_row(
                t,
                size,
                "catlearn eager F(d)",
                F,
                diagram,
                ref=ref,
                note="first = op by op; steady = cached+jitted",
            )
            F2 = TensorFunctor(ob, dict(zip(boxes, jops)))
            pre, c = once(F2.compile, diagram)
            run_row(
                t,
                size,
                "catlearn const c.tensor()",
                c.tensor,
                ref=ref,
                pre_s=pre,
                note="first = op by op",
            )
            P = TensorFunctor(ob, {b: Param() for b in boxes})
            params = {f"A{i}": a for i, a in enumerate(jops)}
            pre, cp = once(P.compile, diagram)
            run_row(t, size, "catlearn param c.apply(params)", cp.apply, params, ref=ref, pre_s=pre)
            # DisCoPy: the ket is a 2^L state, so time grows ~2^L.
            est = None if prev_dc is None else prev_dc[1] * 2.0 ** (length - prev_dc[0])
            dd = mps_discopy(arrays, bond)
            r = discopy_row(
                t, size, "DisCoPy eval (numpy)", dd.eval, ref=ref, est_s=est, max_reps=5, min_reps=1
            )
            if r is not None:
                prev_dc = (length, t.med[(size, "DisCoPy eval (numpy)")])
    return t


# -- (c) width: brickwork ------------------------------------------------------

Q = Ty("q")


def brick_layout(k: int, depth: int = 4):
    """(boxes as (name, positions)), in order: states, gate layers, effects."""
    wires = 2 * k
    gates = []
    for j in range(depth):
        start = 0 if j % 2 == 0 else 1
        count = k if j % 2 == 0 else k - 1
        gates.append([(f"g{j}_{i}", (start + 2 * i, start + 2 * i + 1)) for i in range(count)])
    return wires, gates


def brick_data(k: int, depth: int = 4):
    rng = np.random.default_rng(k)
    wires, gates = brick_layout(k, depth)
    arrays = {f"s{w}": rng.standard_normal(2).astype(np.float32) / np.sqrt(2) for w in range(wires)}
    for layer in gates:
        for name, _ in layer:
            arrays[name] = (rng.standard_normal((2, 2, 2, 2)) / 2).astype(np.float32)
    for w in range(wires):
        arrays[f"e{w}"] = rng.standard_normal(2).astype(np.float32) / np.sqrt(2)
    return wires, gates, arrays


def brick_diagram(wires, gates, ty, box, unit, then, tensor):
    states = [box(f"s{w}", unit, ty) for w in range(wires)]
    effects = [box(f"e{w}", ty, unit) for w in range(wires)]
    layers = [tensor(states)]
    for layer in gates:
        gs = [box(name, ty @ ty, ty @ ty) for name, _ in layer]
        row = tensor(gs)
        if len(gs) * 2 < wires:
            row = ty @ row @ ty
        layers.append(row)
    layers.append(tensor(effects))
    return then(*layers), states + effects


def brick_subscripts(wires, gates):
    names, subs = [], []
    cur = list(range(wires))
    fresh = wires
    for w in range(wires):
        names.append(f"s{w}")
        subs.append([cur[w]])
    for layer in gates:
        for name, (a, b) in layer:
            names.append(name)
            subs.append([cur[a], cur[b], fresh, fresh + 1])
            cur[a], cur[b] = fresh, fresh + 1
            fresh += 2
    for w in range(wires):
        names.append(f"e{w}")
        subs.append([cur[w]])
    return names, subs


def bench_width(ks):
    t = Table("K")
    for k in ks:
        wires, gates, arrays = brick_data(k)
        jarr = {n: jnp.asarray(a) for n, a in arrays.items()}
        names, subs = brick_subscripts(wires, gates)
        hand = jax.jit(lambda *a: jnp.einsum(*interleave(a, subs, []), optimize="auto"))
        ops = [jarr[n] for n in names]
        ref = run_row(t, k, "hand jit jnp.einsum (auto), arrays as args", hand, *ops)
        first, med, reps, _ = timed(
            lambda: opt_einsum.contract(*interleave([arrays[n] for n in names], subs, []))
        )
        t.add(k, "opt_einsum.contract (numpy, auto)", first, med, reps)

        def cat_box(name, dom, cod):
            return Box(name, dom, cod)

        diagram, _ = brick_diagram(
            wires,
            gates,
            Q,
            cat_box,
            Ty(),
            Diagram.then,
            lambda bs: functools.reduce(lambda a, b: a @ b, bs),
        )
        all_boxes = _boxes_of(diagram)
        F = TensorFunctor({Q: 2}, {b: jarr[b.name] for b in all_boxes})
        run_row(
            t,
            k,
            "catlearn eager F(d)",
            F,
            diagram,
            ref=ref,
            note="first = op by op; steady = cached+jitted",
        )
        F2 = TensorFunctor({Q: 2}, {b: jarr[b.name] for b in all_boxes})
        pre, c = once(F2.compile, diagram)
        run_row(
            t, k, "catlearn const c.tensor()", c.tensor, ref=ref, pre_s=pre, note="first = op by op"
        )
        P = TensorFunctor({Q: 2}, {b: Param() for b in all_boxes})
        pre, cp = once(P.compile, diagram)
        run_row(t, k, "catlearn param c.apply(params)", cp.apply, jarr, ref=ref, pre_s=pre)
        if k <= 8:
            dd, _ = brick_diagram(
                wires,
                gates,
                dt.Dim(2),
                lambda name, dom, cod: dt.Box(name, dom, cod, arrays[name]),
                dt.Dim(1),
                dt.Diagram.then,
                lambda bs: functools.reduce(lambda a, b: a @ b, bs),
            )
            discopy_row(t, k, "DisCoPy eval (numpy)", dd.eval, ref=ref, max_reps=5, min_reps=1)
        else:
            t.skip(
                k,
                "DisCoPy eval (numpy)",
                f"skipped (layer scan holds a 2^{2 * k} state; K=8 already slow)",
            )
    return t


def _boxes_of(diagram):
    from catlearn.diagrams import from_discopy

    return list(from_discopy(diagram).boxes)


# -- import time ---------------------------------------------------------------


def import_time(module: str, reps: int = 5) -> float:
    code = (
        "import time, jax, jax.numpy, discopy;"
        f"t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    )
    code_nodiscopy = (
        "import time, jax, jax.numpy;"
        f"t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    )
    out = {}
    for label, c in (("jax first", code_nodiscopy), ("jax+discopy first", code)):
        times = []
        for _ in range(reps):
            done = subprocess.run(
                [sys.executable, "-c", c], capture_output=True, text=True, check=True
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
        out[label] = statistics.median(times)
    return out


# -- plot --------------------------------------------------------------------


def plot(chain, width, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), dpi=90)
    for ax, table, title, xlabel in (
        (axes[0], chain, "(a) chain of N 64×64 boxes on a vector", "N boxes"),
        (axes[1], width, "(c) closed brickwork, 4 layers", "K gates per layer"),
    ):
        names = []
        for _, name in table.med:
            if name not in names and "grad" not in name:
                names.append(name)
        for name in names:
            pts = [(s, m) for (s, n), m in table.med.items() if n == name and m is not None]
            if not pts:
                continue
            xs, ys = zip(*pts)
            style = "-o" if name.startswith("catlearn") else "--s" if "hand" in name else ":^"
            ax.loglog(xs, [y * 1e3 for y in ys], style, label=name, ms=4, lw=1.2)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("steady-state median (ms)")
        ax.grid(True, which="both", lw=0.3)
        ax.legend(fontsize=5.5)
    fig.tight_layout()
    fig.savefig(path)


# -- main ---------------------------------------------------------------------


def profile_chain(n: int = 1000) -> None:
    boxes, arrays, vec = chain_data(n)
    graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    P = TensorFunctor({X: 64}, {b: Param() for b in boxes})
    params = {f"f{i}": jnp.asarray(a) for i, a in enumerate(arrays)}
    jvec = jnp.asarray(vec)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    P.compile(graph).apply(params, jvec).block_until_ready()
    prof.disable()
    print(f"first call of the {n}-box chain (Param, apply): {time.perf_counter() - t0:.2f} s")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(15)
    pstats.Stats(prof).sort_stats("tottime").print_stats(10)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (< 30 s)")
    parser.add_argument("--profile", action="store_true", help="cProfile the 1000-box chain")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    if args.profile:
        profile_chain()
        return
    if args.quick:
        chain_sizes, build_sizes, grad_sizes = (10, 30), (100, 300), (10,)
        lengths, bonds, ks = (6, 10), (8,), (4, 8)
        BUDGET["s"] = 0.1
    else:
        chain_sizes, build_sizes, grad_sizes = (10, 100, 1000), (100, 1000, 10000), (100, 1000)
        lengths, bonds, ks = (10, 20, 40), (8, 16), (8, 16, 32, 64)
    t_start = time.perf_counter()
    print(
        f"jax {jax.__version__} ({jax.default_backend()}), numpy {np.__version__}, "
        f"opt_einsum {opt_einsum.__version__}, {os.cpu_count()} CPUs"
    )
    reps = 1 if args.quick else 5
    imp = import_time("catlearn", reps)
    imp_f = import_time("catlearn.functors", reps)
    print(f"\n### import time (fresh subprocess, median of {reps})\n")
    print("| module | after `import jax` | after `import jax, discopy` |")
    print("|---|---:|---:|")
    for mod, r in (("catlearn", imp), ("catlearn.functors", imp_f)):
        print(f"| `{mod}` | {r['jax first']:.3f} s | {r['jax+discopy first']:.3f} s |")

    chain, build, per_box = bench_chain(chain_sizes, build_sizes, grad_sizes)
    chain.show("(a) chain of N 64×64 boxes applied to a vector")
    build.show("(a) building the chain")
    print(
        "\neager overhead per box (steady F(x) / N):",
        ", ".join(f"{k[0]} N={k[1]}: {v * 1e6:.1f} µs" for k, v in per_box.items()),
    )
    mps = bench_mps(lengths, bonds)
    mps.show("(b) MPS inner product <psi|psi>, physical dim 2")
    width = bench_width(ks)
    width.show("(c) closed brickwork, K 4×4 gates per layer, 4 layers")

    print("\n### ratios (steady state)\n")
    for n in chain_sizes:
        m = chain.med
        print(
            f"- chain N={n}: param/hand(args) "
            f"{ratio(m[(n, 'catlearn param c.apply(params, v)')], m[(n, 'hand jit reduce(dot), arrays as args')])}, "
            f"const/hand(closed over) "
            f"{ratio(m[(n, 'catlearn const c(v)')], m[(n, 'hand jit reduce(dot), arrays closed over')])}"
        )
    for bond in bonds:
        for length in lengths:
            s, m = f"{length}, {bond}", mps.med
            print(
                f"- MPS L={length} D={bond}: eager F(d)/opt_einsum "
                f"{ratio(m[(s, 'catlearn eager F(d)')], m[(s, 'opt_einsum.contract (numpy, auto)')])}, "
                f"param/hand jit "
                f"{ratio(m[(s, 'catlearn param c.apply(params)')], m[(s, 'hand jit jnp.einsum (auto), arrays as args')])}"
            )
    for k in ks:
        m = width.med
        print(
            f"- width K={k}: param/hand jit "
            f"{ratio(m[(k, 'catlearn param c.apply(params)')], m[(k, 'hand jit jnp.einsum (auto), arrays as args')])}, "
            f"const/hand jit "
            f"{ratio(m[(k, 'catlearn const c.tensor()')], m[(k, 'hand jit jnp.einsum (auto), arrays as args')])}"
        )
    if not args.no_plot:
        path = os.path.join(HERE, "diagrams.png")
        plot(chain, width, path)
        print(f"\nplot: {path} ({os.path.getsize(path) / 1024:.0f} KiB)")
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
