"""Structured-prediction benchmark: ``catlearn.structured`` against torch-struct.

Run from the repository root::

    python benchmarks/structured.py            # full (~3 min on 2 cores)
    python benchmarks/structured.py --quick    # smoke: fewer sizes and repeats (~1 min)

Issue 17 asks for structured prediction like torch-struct (harvardnlp's
pytorch-struct), agreeing with it and faster than it on CPU.

(a) Agreement. ``reference.npz`` of the torch-struct anchor (float64
    inputs and torch-struct outputs, each checked there against brute-force
    enumeration) is read and every model both libraries have is recomputed
    here in float64 (``jax.enable_x64`` inside this process only): linear
    chain, semi-Markov, TreeCRF, SentCFG (``cfg_partition``), projective
    dependency (multiroot and single root) and non-projective dependency.
    Conventions follow the anchor's README: torch-struct's chain and
    semi-Markov potentials are [..., next, prev], catlearn's [..., prev,
    next] (the last two axes swapped); SentCFG span marginals [w, i, A]
    are catlearn's span weights at [width − 1 = w + 1, i, A]; the
    non-projective references are the exact (ε = 0) ones, since
    torch-struct adds ε = 1e-5 to every arc weight. Reported: the max
    absolute difference of partitions, marginals, max scores and k-best
    scores (target ≤ 1e-5), and whether argmax / k-best structures are
    identical.
(b) Speed, float32, against torch-struct on the same 2 CPU cores:
    forward (log Z) and forward + backward (the marginals, ∂ log Z/∂θ) at
    the sizes of the anchor's ``bench.py`` (linear chain B 32, T 128,
    C 32; TreeCRF B 8, N 40, NT 20; SentCFG B 8, N 40, NT 20, T 20;
    projective multiroot dependency B 16, N 40). The anchor runs in its own
    venv, as a subprocess (``bench.py``, torch with 2 threads, median of 7
    after 2 warm-ups), before catlearn is timed; the sizes it prints are
    checked against these. Without the anchor (its path absent) its column
    reads "not run". catlearn: ``jax.jit`` of the public API
    (``TreeCRF(θ).log_partition``, ``jax.grad`` of its sum, …); "first
    call" is trace + compile + one run after ``jax.clear_caches()``,
    "steady" the median of repeated calls, each ended by
    ``block_until_ready``. The ratio is torch-struct ÷ catlearn (higher is
    better for catlearn; the issue's target is ≥ 2 on chain, CKY and
    Eisner). bench.py times no semi-Markov CRF, so neither does this.
(c) Parallel in time: ``LinearChainCRF(θ, method=…)`` "sequential" (a scan
    of vector–matrix products) against "parallel" (a balanced tree of
    matrix–matrix products), ``jit(grad(sum ∘ log_partition))``, for C in
    {2, 4, 16}, B in {1, 8}, T in {64, 256, 1024, 4096}; their values and
    gradients are compared, and the crossover (the smallest T from which
    parallel is faster at every larger T measured) is reported.

``--quick``: (a) whole; (b) TreeCRF and Eisner only, 5 repeats; (c) C in
{2, 4}, B 8, T in {64, 1024}. ``TORCH_STRUCT_ANCHOR`` names another anchor
folder (default ``/work/anchors/torch_struct``); the load average is printed
because the machine these numbers come from is shared, and torch's 2
threads suffer from a busy neighbour far more than XLA's code does.

Output is markdown on stdout; the exit status is 1 if any agreement check
fails, the two chain methods disagree, or a measurement raises.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.semirings import Log  # noqa: E402
from catlearn.structured import (  # noqa: E402
    DependencyCRF,
    FirstMaxPlus,
    LinearChainCRF,
    NonProjectiveDependencyCRF,
    SemiMarkovCRF,
    TreeCRF,
    cfg_partition,
)
from catlearn.structured.cky import inside  # noqa: E402

ANCHOR = Path(os.environ.get("TORCH_STRUCT_ANCHOR", "/work/anchors/torch_struct"))
ANCHOR_PYTHON = ANCHOR / "venv" / "bin" / "python"
TOLERANCE = 1e-5  # float64 max abs difference, catlearn against torch-struct
FAILURES: list[str] = []


def fail(what: str) -> None:
    FAILURES.append(what)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


# -- (a) agreement ----------------------------------------------------------------------


def swap(x: Any) -> np.ndarray:
    """torch-struct's [..., next, prev] ↔ catlearn's [..., prev, next]."""
    return np.swapaxes(np.asarray(x), -1, -2)


def diff(ours: Any, theirs: Any) -> float:
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} against {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


class Agreement:
    """Rows of the agreement table, each checked as it is added."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def close(
        self, model: str, query: str, ours: Any, theirs: Any, tol: float = TOLERANCE, note: str = ""
    ) -> None:
        try:
            d = diff(ours, theirs)
        except Exception as e:  # noqa: BLE001 - shown in the table, counted as a failure
            self.error(model, query, e)
            return
        ok = d <= tol
        if not ok and tol == TOLERANCE:
            fail(f"agreement {model} {query}: max |diff| {d:.2e} > {tol:.0e}")
        verdict = ("yes" if ok else "**NO**") if tol == TOLERANCE else "–"
        self.rows.append((model, query, f"{d:.1e}", verdict + (f" ({note})" if note else "")))

    def same(self, model: str, query: str, ours: Any, theirs: Any) -> None:
        try:
            a, b = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
            ok = a.shape == b.shape and bool(np.array_equal(a, b))
            d = diff(a, b) if a.shape == b.shape else float("nan")
        except Exception as e:  # noqa: BLE001
            self.error(model, query, e)
            return
        if not ok:
            fail(f"agreement {model} {query}: structures differ (max |diff| {d})")
        self.rows.append((model, query, f"{d:.1e}", "identical" if ok else "**DIFFERENT**"))

    def error(self, model: str, query: str, e: Exception) -> None:
        traceback.print_exc(file=sys.stderr)
        fail(f"agreement {model} {query}: {type(e).__name__}: {e}")
        text = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:120]
        self.rows.append((model, query, "–", f"**{text.replace('|', '/')}**"))


def agreement(path: Path) -> None:
    print("## (a) Agreement with torch-struct (float64)\n")
    if not path.exists():
        print(f"`{path}` not found: the anchor is absent here, agreement **not run**.\n")
        return
    z = np.load(path)
    t = Agreement()
    with jax.enable_x64(True):
        _chain(z, t)
        _semimarkov(z, t)
        _tree(z, t)
        _cfg(z, t)
        _dependency(z, t)
    print(
        f"`{path}` ({len(z.files)} arrays: torch-struct master 7146de5's outputs). Target: "
        f"max |catlearn − torch-struct| ≤ {TOLERANCE:.0e}; argmax and k-best structures "
        "identical. Rows marked – are informational.\n"
    )
    print("| model | query | max abs diff | agrees |")
    print("|---|---|---:|---|")
    for row in t.rows:
        print("| " + " | ".join(row) + " |")
    bad = sum(1 for r in t.rows if "**" in r[3])
    checked = sum(1 for r in t.rows if r[3] != "–" and not r[3].startswith("– "))
    print(f"\n{checked - bad} of {checked} checks agree.\n")


def _guard(t: Agreement, model: str, body: Callable[[], None]) -> None:
    try:
        body()
    except Exception as e:  # noqa: BLE001 - one model's failure does not hide the others
        t.error(model, "(all)", e)


def _chain(z: Any, t: Agreement) -> None:
    def body() -> None:
        theta = jnp.asarray(swap(z["chain_potentials_next_prev"]))
        lengths = z["chain_lengths"]
        for method in ("sequential", "parallel"):
            model = f"LinearChainCRF ({method})"
            crf = LinearChainCRF(theta, lengths=lengths, method=method)
            t.close(model, "log partition", crf.log_partition, z["chain_partition"])
            t.close(model, "marginals", swap(crf.marginals), z["chain_marginals"])
            t.close(model, "max", crf.max, z["chain_max"])
            t.same(model, "argmax", swap(crf.argmax), z["chain_argmax"])
            scores, best = crf.kbest(3)
            t.close(model, "kbest(3) scores", scores, z["chain_kmax3_scores"])
            t.same(model, "kbest(3) structures", swap(best), z["chain_topk3_onehot"])

    _guard(t, "LinearChainCRF", body)


def _semimarkov(z: Any, t: Agreement) -> None:
    def body() -> None:
        model = "SemiMarkovCRF"
        theta = jnp.asarray(swap(z["semimarkov_potentials_n_k_next_prev"]))
        crf = SemiMarkovCRF(theta, lengths=z["semimarkov_lengths"])
        t.close(model, "log partition", crf.log_partition, z["semimarkov_partition"])
        t.close(model, "marginals", swap(crf.marginals), z["semimarkov_marginals"])
        t.close(model, "max", crf.max, z["semimarkov_max"])
        t.same(model, "argmax", swap(crf.argmax), z["semimarkov_argmax"])

    _guard(t, "SemiMarkovCRF", body)


def _tree(z: Any, t: Agreement) -> None:
    def body() -> None:
        model = "TreeCRF"
        crf = TreeCRF(jnp.asarray(z["tree_potentials_i_j_nt"]), lengths=z["tree_lengths"])
        t.close(model, "log partition", crf.log_partition, z["tree_partition"])
        t.close(model, "marginals", crf.marginals, z["tree_marginals"])
        t.close(model, "max", crf.max, z["tree_max"])
        t.same(model, "argmax", crf.argmax, z["tree_argmax"])

    _guard(t, "TreeCRF", body)


def _cfg(z: Any, t: Agreement) -> None:
    def body() -> None:
        model = "SentCFG (cfg_partition)"
        terms, rules, roots = (
            jnp.asarray(z[k]) for k in ("cfg_terms_n_t", "cfg_rules_A_B_C", "cfg_roots_A")
        )
        lengths = z["cfg_lengths"]
        B, N, T = terms.shape
        NT = rules.shape[1]

        def total(S: Any) -> Callable:
            return lambda *x: cfg_partition(*x, lengths, semiring=S).sum()

        t.close(
            model, "log partition", cfg_partition(terms, rules, roots, lengths), z["cfg_partition"]
        )
        parts = ("term", "rule", "root")
        marg = jax.grad(total(Log()), argnums=(0, 1, 2))(terms, rules, roots)
        for name, ours in zip(parts, marg):
            t.close(model, f"{name} marginals", ours, z[f"cfg_{name}_marginals"])
        best = cfg_partition(terms, rules, roots, lengths, semiring=FirstMaxPlus())
        t.close(model, "max", best, z["cfg_max"])
        arg = jax.grad(total(FirstMaxPlus()), argnums=(0, 1, 2))(terms, rules, roots)
        for name, ours in zip(parts, arg):
            t.same(model, f"argmax {name}s", ours, z[f"cfg_argmax_{name}s"])

        # Span marginals: the gradient of a span weight ⊗-ed into every chart entry
        # [width − 1, start, label]; torch-struct's [w, i, A] is width w + 2.
        leaves = jnp.concatenate([jnp.full((B, N, NT), -jnp.inf), terms], axis=2)

        def spans(S: Any) -> np.ndarray:
            grad = jax.grad(
                lambda s: inside(S, leaves, rules, roots, jnp.asarray(lengths), s).sum()
            )(jnp.zeros((B, N, N, NT + T)))
            out = np.zeros((B, N, N, NT))
            out[:, : N - 1] = np.asarray(grad[:, 1:, :, :NT])
            return out

        t.close(model, "span marginals", spans(Log()), z["cfg_span_marginals_w_i_A"])
        t.same(model, "argmax spans", spans(FirstMaxPlus()), z["cfg_argmax_spans_w_i_A"])

    _guard(t, "SentCFG", body)


def _dependency(z: Any, t: Agreement) -> None:
    theta = jnp.asarray(z["dep_potentials_head_mod_rootdiag"])
    lengths = z["dep_lengths"]
    for multiroot in (True, False):
        tag = "multiroot" if multiroot else "singleroot"

        def projective(tag: str = tag, multiroot: bool = multiroot) -> None:
            model = f"DependencyCRF ({tag})"
            crf = DependencyCRF(theta, lengths=lengths, multiroot=multiroot)
            p = f"dep_proj_{tag}_"
            t.close(model, "log partition", crf.log_partition, z[p + "partition"])
            t.close(model, "marginals", crf.marginals, z[p + "marginals"])
            t.close(model, "max", crf.max, z[p + "max"])
            t.same(model, "argmax", crf.argmax, z[p + "argmax"])

        def nonprojective(tag: str = tag, multiroot: bool = multiroot) -> None:
            model = f"NonProjectiveDependencyCRF ({tag})"
            crf = NonProjectiveDependencyCRF(theta, lengths=lengths, multiroot=multiroot)
            p = f"dep_nonproj_{tag}_"
            t.close(
                model, "log partition (exact, ε = 0)", crf.log_partition, z[p + "partition_eps0"]
            )
            t.close(model, "marginals (exact, ε = 0)", crf.marginals, z[p + "marginals_eps0"])
            t.close(
                model,
                "log partition vs torch-struct's ε = 1e-5",
                crf.log_partition,
                z[p + "partition"],
                tol=float("inf"),
                note="ε effect",
            )
            t.close(model, "max (vs brute force)", crf.max, z[p + "max_bruteforce"])
            t.same(model, "argmax (vs brute force)", crf.argmax, z[p + "argmax_bruteforce"])

        _guard(t, f"DependencyCRF ({tag})", projective)
        _guard(t, f"NonProjectiveDependencyCRF ({tag})", nonprojective)


# -- timing -------------------------------------------------------------------------------


def timed(fn: Callable, *args: Any, reps: int) -> tuple[float, float, Any]:
    """(first call after clearing JAX's caches, median of ``reps`` calls, output)."""
    jax.clear_caches()
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    first = time.perf_counter() - start
    runs = []
    for _ in range(reps):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs), out


# -- (b) speed against torch-struct --------------------------------------------------------


def workloads(quick: bool) -> list[dict]:
    """The anchor's bench.py workloads (its names, sizes and shapes); --quick keeps the
    two that compile and run fastest, TreeCRF and Eisner."""
    rng = np.random.default_rng(0)

    def randn(*shape: int) -> jax.Array:
        return jnp.asarray(rng.standard_normal(shape), dtype=jnp.float32)

    B, N, NT, T = 8, 40, 20, 20
    cases = [
        {
            "anchor": "linear_chain_b32_n128_c32",
            "key": "chain",
            "model": "linear chain",
            "size": "B 32, T 128, C 32",
            "shape": [32, 128, 32, 32],
            "fn": lambda th: LinearChainCRF(th).log_partition,
            "args": (randn(32, 128, 32, 32),),
        },
        {
            "anchor": "tree_crf_cky_b8_n40_nt20",
            "key": "tree",
            "model": "TreeCRF (CKY)",
            "size": "B 8, N 40, NT 20",
            "shape": [8, 40, 40, 20],
            "fn": lambda th: TreeCRF(th).log_partition,
            "args": (randn(8, 40, 40, 20),),
        },
        {
            "anchor": "sent_cfg_b8_n40_nt20_t20",
            "key": "cfg",
            "model": "SentCFG (CKY)",
            "size": f"B {B}, N {N}, NT {NT}, T {T}",
            "shape": {"terms": [B, N, T], "rules": [B, NT, NT + T, NT + T], "roots": [B, NT]},
            "fn": lambda *x: cfg_partition(*x),
            "args": (randn(B, N, T), randn(B, NT, NT + T, NT + T), randn(B, NT)),
        },
        {
            "anchor": "dependency_projective_multiroot_b16_n40",
            "key": "dep",
            "model": "projective dependency (Eisner, multiroot)",
            "size": "B 16, N 40",
            "shape": [16, 40, 40],
            "fn": lambda th: DependencyCRF(th).log_partition,
            "args": (randn(16, 40, 40),),
        },
    ]
    return [c for c in cases if c["key"] in ("tree", "dep")] if quick else cases


def run_anchor(keys: list[str]) -> tuple[dict[str, dict], str]:
    """torch-struct's bench.py for ``keys``, in its venv: ({workload: record}, note)."""
    bench = ANCHOR / "bench.py"
    if not (ANCHOR_PYTHON.exists() and bench.exists()):
        return {}, f"not run: {ANCHOR_PYTHON} or {bench} absent"
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [str(ANCHOR_PYTHON), str(bench), *keys],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=str(ANCHOR),
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
    except (OSError, subprocess.SubprocessError) as e:
        return {}, f"not run: {type(e).__name__}: {e}"
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return {}, f"not run: bench.py exited {done.returncode}"
    records = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            records[rec["workload"]] = rec
    torch = next(iter(records.values()), {}).get("torch", "?")
    return records, f"ran `bench.py {' '.join(keys)}` in {seconds:.0f} s (torch {torch})"


def speed(quick: bool, reps: int) -> None:
    print("## (b) Speed against torch-struct (float32, CPU)\n")
    cases = workloads(quick)
    before = load()
    records, note = run_anchor([c["key"] for c in cases])
    print(
        f"torch-struct: {note}" + (f"; {before} before it, {load()} after.\n" if records else ".\n")
    )
    rows = []
    for c in cases:
        fn, args = c["fn"], c["args"]
        rec = records.get(c["anchor"])
        anchor_note = "not in bench.py's output" if records else "not run"
        if rec is not None and rec.get("shape") != c["shape"]:
            fail(f"speed {c['model']}: bench.py timed shape {rec.get('shape')}, not {c['shape']}")
            anchor_note = f"size differs: {rec.get('shape')}"
            rec = None
        grad = jax.grad(lambda *x, fn=fn: fn(*x).sum(), argnums=tuple(range(len(args))))
        for label, f, key in (
            ("forward", fn, "forward_s"),
            ("forward+backward", grad, "forward_backward_s"),
        ):
            try:
                first, steady, _ = timed(jax.jit(f), *args, reps=reps)
            except Exception as e:  # noqa: BLE001 - shown in its row, counted for the exit status
                traceback.print_exc(file=sys.stderr)
                fail(f"speed {c['model']} {label}: {type(e).__name__}: {e}")
                rows.append(
                    (c["model"], c["size"], label, f"**{type(e).__name__}**", "–", "–", "–", "–")
                )
                continue
            if rec is not None:
                theirs = rec[key]
                ratio = theirs / steady
                cells = (
                    f"{theirs * 1e3:.2f}",
                    f"**{ratio:.1f}×**" if ratio >= 2 else f"{ratio:.2f}×",
                    "met" if ratio >= 2 else "**missed**",
                )
            else:
                cells = (anchor_note, "–", "–")
            rows.append(
                (c["model"], c["size"], label, f"{first:.2f}", f"{steady * 1e3:.2f}", *cells)
            )
    print(
        f"catlearn: `jax.jit` of the public API, first call after `jax.clear_caches()`, "
        f"steady = median of {reps} calls; torch-struct: median of its repeats (7 after 2 "
        "warm-ups). Ratio = torch-struct ÷ catlearn, steady state; target ≥ 2×. "
        f"{load()} at the end.\n"
    )
    print(
        "| model | size | pass | catlearn first call (s) | catlearn steady (ms) | "
        "torch-struct steady (ms) | torch ÷ catlearn | ≥ 2× |"
    )
    print("|---|---|---|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


# -- (c) parallel in time -------------------------------------------------------------------


def parallel(quick: bool, reps: int) -> None:
    print("## (c) Parallel in time: LinearChainCRF sequential against parallel\n")
    Cs, Bs, Ts = (
        ((2, 4), (8,), (64, 1024)) if quick else ((2, 4, 16), (1, 8), (64, 256, 1024, 4096))
    )
    rng = np.random.default_rng(1)
    rows, wins = [], {}

    def loss(theta: jax.Array, method: str) -> tuple[jax.Array, jax.Array]:
        values = LinearChainCRF(theta, method=method).log_partition
        return values.sum(), values

    for C in Cs:
        for B in Bs:
            for T in Ts:
                theta = jnp.asarray(rng.standard_normal((B, T, C, C)), dtype=jnp.float32)
                got = {}
                try:
                    for method in ("sequential", "parallel"):
                        f = jax.jit(jax.grad(lambda th, m=method: loss(th, m), has_aux=True))
                        got[method] = timed(f, theta, reps=reps)
                except Exception as e:  # noqa: BLE001 - shown in its row
                    traceback.print_exc(file=sys.stderr)
                    fail(f"parallel C={C} B={B} T={T}: {type(e).__name__}: {e}")
                    rows.append((C, B, T, f"**{type(e).__name__}**") + ("–",) * 9)
                    continue
                (f_s, s_s, (g_s, v_s)), (f_p, s_p, (g_p, v_p)) = got["sequential"], got["parallel"]
                with jax.enable_x64(True):  # the reference: sequential, in float64
                    f = jax.jit(jax.grad(lambda th: loss(th, "sequential"), has_aux=True))
                    g64, v64 = (np.asarray(x) for x in f(theta.astype(jnp.float64)))
                # float32 rounds a log-space sum of size |log Z| to ~eps·|log Z| per step,
                # and T steps' roundings add up like a random walk (√T); the marginals
                # exp(α + θ + β − log Z) inherit one step's error. Tolerances: 8× those.
                eps, size = float(np.finfo(np.float32).eps), max(1.0, float(np.max(np.abs(v64))))
                tol_v, tol_g = 8 * eps * size * np.sqrt(T), 8 * eps * size
                v_s, v_p, g_s, g_p = (np.asarray(x) for x in (v_s, v_p, g_s, g_p))
                dv, dg = (float(np.max(np.abs(a - b))) for a, b in ((v_s, v_p), (g_s, g_p)))
                ev = [float(np.max(np.abs(v - v64))) for v in (v_s, v_p)]
                eg = [float(np.max(np.abs(g - g64))) for g in (g_s, g_p)]
                same = max(dv, *ev) <= tol_v and max(dg, *eg) <= tol_g
                if not same:
                    fail(
                        f"parallel C={C} B={B} T={T}: seq − par {dv:.1e} (values), {dg:.1e} "
                        f"(grads); − float64 {ev[0]:.1e} / {ev[1]:.1e} (values), {eg[0]:.1e} / "
                        f"{eg[1]:.1e} (grads); tolerances {tol_v:.1e}, {tol_g:.1e}"
                    )
                wins.setdefault((C, B), []).append((T, s_p < s_s, s_s / s_p))
                rows.append(
                    (
                        C,
                        B,
                        T,
                        f"{f_s:.2f}",
                        f"{s_s * 1e3:.2f}",
                        f"{f_p:.2f}",
                        f"{s_p * 1e3:.2f}",
                        f"{s_s / s_p:.2f}",
                        f"{dv:.0e} / {dg:.0e}",
                        f"{ev[0]:.0e} / {ev[1]:.0e}",
                        f"{eg[0]:.0e} / {eg[1]:.0e}",
                        f"{tol_v:.0e} / {tol_g:.0e}",
                        "yes" if same else "**NO**",
                    )
                )
    print(
        f"`jax.jit(jax.grad(sum ∘ log_partition))`, float32, N(0, 1) potentials, steady = "
        f"median of {reps} calls. seq ÷ par > 1 means parallel is faster. Checks (max "
        "absolute differences): the values (log Z) and gradients (the marginals) of the two "
        "methods against each other and against a float64 reference (sequential, "
        "`jax.enable_x64`). Tolerances: values 8·eps₃₂·√T·max|log Z| (T roundings of a "
        "log-space sum of that size), gradients 8·eps₃₂·max|log Z|.\n"
    )
    print(
        "| C | B | T | sequential first (s) | sequential steady (ms) | parallel first (s) | "
        "parallel steady (ms) | seq ÷ par | seq − par: values / grads | values − float64: "
        "seq / par | grads − float64: seq / par | tolerance: values / grads | same |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print("\nCrossover: the smallest T from which parallel is faster at every larger T measured.\n")
    print("| C | B | parallel faster at T | crossover |")
    print("|---:|---:|---|---|")
    for (C, B), points in wins.items():
        faster = [T for T, won, _ in points if won]
        cross = "none measured"
        for i, (T, _, _) in enumerate(points):
            if all(won for _, won, _ in points[i:]):
                cross = f"T = {T}"
                break
        print(f"| {C} | {B} | {', '.join(map(str, faster)) or 'none'} | {cross} |")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke sizes, fewer repeats")
    parser.add_argument("--only", nargs="+", choices=["a", "b", "c"], help="some sections only")
    args = parser.parse_args()
    only = set(args.only or "abc")
    reps = 5 if args.quick else 7
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Structured prediction against torch-struct{' (--quick)' if args.quick else ''}.\n")
    print(
        f"{now}; jax {jax.__version__} ({jax.default_backend()}), {os.cpu_count()} CPU "
        f"cores, {load()}; anchor: `{ANCHOR}`"
        f"{'' if ANCHOR.exists() else ' (absent)'}.\n"
    )
    start = time.perf_counter()
    sections = {
        "a": lambda: agreement(ANCHOR / "reference.npz"),
        "b": lambda: speed(args.quick, reps),
        "c": lambda: parallel(args.quick, 5),
    }
    for name, section in sections.items():
        if name in only:
            began = time.perf_counter()
            section()
            print(f"Section ({name}): {time.perf_counter() - began:.0f} s.\n")
    print(f"Total {time.perf_counter() - start:.0f} s.\n")
    if FAILURES:
        print("## Failures\n")
        for f in FAILURES:
            print(f"- {f}")
        print()
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
