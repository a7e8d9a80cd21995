"""Corpus benchmark: one training epoch over a sentence corpus, three ways.

Run from the repository root::

    python benchmarks/corpus.py              # full: 2,000 sentences (~2.5 min on 2 cores)
    python benchmarks/corpus.py --quick      # smoke: 300 sentences (~1 min)
    python benchmarks/corpus.py --whole i    # (i) on all 2,000 sentences too (~3 min more)

Issue 16 asks that a corpus of sentences train as one program per
grammatical structure, not one per sentence. The corpus is
``catlearn.demo.sentences.corpus(2000, seed=0)`` (``--quick``: 300), food
against IT, twelve grammatical structures, under
``TensorAnsatz({n: 2, s: 2})``. One *epoch* is one training step over
every sentence: ``value_and_grad`` of the mean softmax cross-entropy of
the sentence outputs (the ``s`` vector, as two logits) against the
labels, then one ``optax.adam(0.05)`` update. Every implementation starts
from the same word tensors (``Corpus.init(jax.random.key(0))``), held in
its own layout, and is measured in the same process:

(shared) catlearn ``Corpus``: the jitted step calls ``corpus.apply(params)``,
    one batched contraction per structure (params: one table per type).
    ``Corpus(...)`` construction (grouping, vocabulary, row indices) is
    timed on its own.
(i) catlearn compiling per sentence: one ``TensorFunctor({n: 2, s: 2},
    lambda box: Param())`` and one ``F.compile(diagram)`` per *distinct*
    sentence diagram; the jitted step contracts every distinct diagram
    (``c.apply(per_sentence_params)`` traced inline: one contraction per
    sentence in the XLA program) and gathers the outputs back to the
    sentences (duplicates share their diagram's output). Params are one
    entry per *word*, keyed ``"name:type"``. A ``TensorFunctor`` reads a
    ``Param`` box's entry by the box's *name*, so one functor-wide dict
    keyed by name could not hold "cooks" the intransitive verb
    (``n.r @ s``) and "cooks" the transitive one (``n.r @ s @ n.l``) at
    once (``ParameterConflictError``, or a shape error). Instead each
    compiled sentence gets its own dict, ``{box name: P["name:type"]}``,
    built inside the step from the shared word dict ``P`` (so gradients of
    a word used in many sentences add up). This is correct as long as no
    one sentence holds one name at two types, which ``F.compile`` would
    refuse (``ParameterConflictError``); no sentence of this grammar does
    (one verb per sentence, nouns and adjectives have one type each).
(ii) DisCoPy's tensor evaluation, one ``jax.jit`` per diagram, as lambeq's
    ``NumpyModel(use_jit=True)`` does (it keeps, per diagram, a ``jit`` of
    ``diagram.lambdify(*symbols)(*x).eval().array`` under
    ``Tensor.backend('jax')``, and evaluates a batch diagram by diagram):
    a ``discopy.grammar.pregroup.Functor`` sends the sentence to a
    ``discopy.tensor.Diagram`` whose word boxes hold the (traced) word
    tensors, then ``.eval()`` under ``discopy.tensor.backend("jax")``. For
    training, each distinct diagram's jit is of ``value_and_grad`` of that
    sentence's share of the loss, and it also adds the gradient into a
    running sum (``acc + g`` inside the same jit, so that the host makes
    one dispatch per sentence). The epoch loops over the sentences in
    corpus order, calling each one's jitted function, then applies one
    jitted Adam update. This, rather than one ``jax.jit`` around DisCoPy's
    evaluation of the whole corpus, is the per-diagram evaluation that
    lambeq does, and it shows what compiling once per sentence costs at run
    time: one dispatch per sentence, every epoch.

Compile time is "from scratch": (shared) ``Corpus(...)`` then the first
step (trace + XLA + one run) of a freshly jitted function; (i) building
the functor and ``F.compile`` of every distinct diagram, then the first
step; (ii) the first epoch, in which every distinct diagram's function is
traced and compiled on first use. The steady epoch time is the median over
7 repeats (5 with ``--quick``), each the mean of a few consecutive epochs
ended by ``jax.block_until_ready``. The first step's sentence outputs,
and on the whole corpus its loss and per-word gradients, all at the
initial word tensors, are compared with the shared ``Corpus``'s (max
relative error, below 1e-4 in float32, else the script exits 1).

(i) and (ii) compile once per distinct sentence, and at 2,000 sentences
(1,498 distinct diagrams) both take well over 120 s: ``--whole i`` here
(2 shared cores, commit f0bb243) compiled (i) in 168 s (205 s while a test
run shared the cores), its epoch 5.9 ms; (ii) costs 0.5–0.8 s per
distinct diagram (tracing through DisCoPy, then XLA), 13–15 minutes in
all. So the full run measures (i) on the corpus's first 200 and 400
sentences and (ii) on its first 50 and 100 (each subset with its own
distinct diagrams; outputs checked against the shared ``Corpus``'s for
the same sentences) and gives the 2,000-sentence figures as a **linear
extrapolation**, labelled as such (in italics in the summary): compile on
the line through the two measured points, by number of distinct diagrams;
the epoch proportional to the larger subset's, by distinct diagrams for
(i) (one contraction each in its program) and by sentences for (ii) (one
dispatch each). For (i) these are lower bounds: XLA's compile time grows
faster than linearly with the program (168 s measured against about 100 s
extrapolated), so the row also shows a power law through the same two
points. ``--whole i`` (about 3 min more) or ``--whole ii`` (about 15 min
more) measures on the whole corpus instead. ``--quick`` measures (i) on
all 300 sentences and (ii) on 20 and 40. Output is markdown on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

TOLERANCE = 1e-4  # float32 max relative error against the shared Corpus
SETTINGS = {"reps": 7, "budget_s": 1.0}  # steady state: repeats, seconds per implementation
SUBSETS = {  # (i) and (ii): subsets (the corpus's first sentences) measured first
    "full": {"(i)": (200, 400), "(ii)": (50, 100)},
    "quick": {"(i)": (), "(ii)": (20, 40)},
}
LEARNING_RATE = 0.05
TARGETS = {"compile_s": 5.0, "epoch_s": 0.050, "vs_ii": 10.0, "vs_i": 10.0}
FAILURES: list[str] = []
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- timing and checking -------------------------------------------------------


def timed(fn: Callable, *args) -> tuple[float, Any]:
    """Seconds for ``fn(*args)``, its result blocked on."""
    start = time.perf_counter()
    out = fn(*args)
    jax.block_until_ready(out)
    return time.perf_counter() - start, out


def steady(step: Callable, params: Any, opt_state: Any, labels: Any) -> float:
    """Median over ``SETTINGS["reps"]`` repeats of the mean time of one epoch.

    Each repeat runs ``k`` consecutive epochs (``k`` sized so that the repeats take
    about ``SETTINGS["budget_s"]``) and ends with ``jax.block_until_ready``."""
    state = step(params, opt_state, labels)[:2]  # warm
    jax.block_until_ready(state)
    one, out = timed(step, *state, labels)
    state = out[:2]
    reps = SETTINGS["reps"]
    k = max(1, min(100, int(SETTINGS["budget_s"] / reps / max(one, 1e-6))))
    runs = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(k):
            state = step(*state, labels)[:2]
        jax.block_until_ready(state)
        runs.append((time.perf_counter() - start) / k)
    return statistics.median(runs)


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
    """The relative error, shown; a mismatch (or an error) is recorded for the exit status."""
    try:
        err = rel_err(x, ref)
    except Exception as e:  # noqa: BLE001 - a layout mismatch: shown, exit status 1
        FAILURES.append(f"{label}: {type(e).__name__}: {e}")
        return f"**{type(e).__name__}**"
    if not err < TOLERANCE:
        FAILURES.append(f"{label}: relative error {err:.1e} ≥ {TOLERANCE:.0e}")
        return f"**{err:.1e}**"
    return f"{err:.1e}"


def sec(s) -> str:
    return "–" if s is None else f"{s:.2f}"


def ms(s) -> str:
    return "–" if s is None else f"{s * 1e3:,.2f}"


def times(x, y) -> str:
    return "–" if x is None or y is None else f"{x / y:,.1f}×"


# -- the data --------------------------------------------------------------------


def distinct(diagrams: list) -> tuple[list, np.ndarray]:
    """The distinct diagrams, in order of first use, and each sentence's index among them."""
    seen: dict[Any, int] = {}
    index = [seen.setdefault(d, len(seen)) for d in diagrams]
    return list(seen), np.asarray(index, dtype=np.int32)


def word_key(box: Any) -> str:
    return f"{box.name}:{box.cod}"


def per_word(corpus: Any, tables: dict) -> dict[str, Any]:
    """A ``Corpus`` params layout (type ↦ table) as one array per word, ``"name:type"``."""
    return {
        f"{name}:{type_}": corpus.vocabulary.entry(tables, name, type_)
        for type_, names in corpus.vocabulary.words.items()
        for name in names
    }


def loss_of(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def jitted_step(outputs: Callable, optimizer) -> Callable:
    """A fresh jitted epoch: ``(params, opt_state, labels) ↦ (params', opt_state', loss,
    grads, outputs)``, the last three at the given params (for the checks)."""

    def loss(params, labels):
        logits = outputs(params)
        return loss_of(logits, labels), logits

    @jax.jit
    def step(params, opt_state, labels):
        (value, logits), grads = jax.value_and_grad(loss, has_aux=True)(params, labels)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value, grads, logits

    return step


# -- the three implementations -----------------------------------------------------


class Result:
    """One implementation on one set of sentences."""

    def __init__(self, name: str, sentences: int, diagrams: int) -> None:
        self.name, self.sentences, self.diagrams = name, sentences, diagrams
        self.setup_s: float | None = None  # Corpus(...) or F.compile of every diagram
        self.first_s: float | None = None  # the first step: trace + XLA + one run
        self.epoch_s: float | None = None
        self.errs: dict[str, str] = {}
        self.note = ""
        self.extrapolated = False

    @property
    def compile_s(self) -> float | None:
        if self.first_s is None:
            return None
        return (self.setup_s or 0.0) + self.first_s


def shared(ansatz, diagrams, labels, optimizer):
    """(shared) catlearn ``Corpus``: one batched contraction per structure."""
    from catlearn.learn import Corpus

    result = Result("(shared) catlearn `Corpus`", len(diagrams), len(distinct(diagrams)[0]))
    result.setup_s, corpus = timed(lambda: Corpus(diagrams, ansatz))
    params = corpus.init(jax.random.key(0))
    step = jitted_step(corpus.apply, optimizer)
    state = (params, optimizer.init(params), labels)
    result.first_s, out = timed(step, *state)
    reference = {"outputs": out[4], "loss": out[2], "grads": per_word(corpus, out[3])}
    result.epoch_s = steady(step, *state)
    result.note = f"{corpus.structures} structures, {len(corpus.vocabulary)} words"
    return result, corpus, params, reference


def per_sentence(ob, words, diagrams, labels, optimizer, reference):
    """(i) catlearn: one ``F.compile`` per distinct diagram, one contraction each."""
    from catlearn.functors import Param, TensorFunctor
    from catlearn.learn.ansatz import TensorAnsatz

    unique, index = distinct(diagrams)
    result = Result("(i) catlearn, `F.compile` per sentence", len(diagrams), len(unique))
    key = TensorAnsatz(ob).key

    def setup():
        F = TensorFunctor(ob, lambda box: Param())
        compiled = []
        for diagram in unique:
            c = F.compile(diagram)
            names = {}
            for box in c.graph.boxes:
                name, type_ = key(box)
                names[name] = f"{name}:{type_}"
            compiled.append((c, names))
        return compiled

    result.setup_s, compiled = timed(setup)
    gather = jnp.asarray(index)

    def outputs(P):
        outs = jnp.stack(
            [c.apply(c.stack({name: P[k] for name, k in names.items()})) for c, names in compiled]
        )
        return outs[gather]

    params = dict(words)
    step = jitted_step(outputs, optimizer)
    state = (params, optimizer.init(params), labels)
    result.first_s, out = timed(step, *state)
    compare(result, out[4], out[2], out[3], reference, len(diagrams))
    result.epoch_s = steady(step, *state)
    return result


def discopy_eval(ob, words, diagrams, labels, optimizer, reference):
    """(ii) DisCoPy ``tensor`` evaluation under ``backend("jax")``, one jit per diagram."""
    from discopy import tensor
    from discopy.frobenius import Dim
    from discopy.grammar import pregroup

    unique, index = distinct(diagrams)
    result = Result("(ii) DisCoPy `tensor` eval, jit per diagram", len(diagrams), len(unique))
    dims = {str(k): v for k, v in ob.items()}
    count = len(diagrams)

    def evaluate(diagram, P):
        def ar(box):
            shape = tuple(dims[atom.name] for atom in box.cod.inside)
            return tensor.Box(box.name, Dim(1), Dim(*shape), P[word_key(box)])

        F = pregroup.Functor(
            ob={pregroup.Ty(t): Dim(d) for t, d in dims.items()},
            ar=ar,
            cod=tensor.Category(Dim, tensor.Diagram),
        )
        with tensor.backend("jax"):
            return F(diagram).eval().array

    def make(diagram):
        def loss(P, label):
            logits = evaluate(diagram, P)
            return optax.softmax_cross_entropy_with_integer_labels(logits, label) / count, logits

        @jax.jit
        def accumulate(P, total, acc, label):
            (value, logits), g = jax.value_and_grad(loss, has_aux=True)(P, label)
            return total + value, jax.tree.map(jnp.add, acc, g), logits

        return accumulate

    @jax.jit
    def update(P, opt_state, grads):
        updates, opt_state = optimizer.update(grads, opt_state, P)
        return optax.apply_updates(P, updates), opt_state

    fns: dict[int, Callable] = {}
    label_arrays = [jnp.asarray(y) for y in np.asarray(labels)]
    zeros = jax.tree.map(jnp.zeros_like, dict(words))
    zero = jnp.zeros(())

    def step(P, opt_state, _labels=None):
        total, acc, outs = zero, zeros, []
        for j, y in zip(index, label_arrays):
            fn = fns.get(j)
            if fn is None:
                fn = fns[j] = make(unique[j])
            total, acc, logits = fn(P, total, acc, y)
            outs.append(logits)
        P, opt_state = update(P, opt_state, acc)
        return P, opt_state, total, acc, outs

    params = dict(words)
    state = (params, optimizer.init(params), labels)
    result.first_s, out = timed(step, *state)
    compare(result, jnp.stack(out[4]), out[2], out[3], reference, len(diagrams))
    result.epoch_s = steady(step, *state)
    return result


def compare(result: Result, outputs, loss, grads, reference: dict, count: int) -> None:
    """This implementation's first-step outputs (and, on the whole corpus, loss and
    gradients) against the shared ``Corpus``'s."""
    where = f"{result.name} on {count} sentences"
    result.errs["outputs"] = check(f"{where}: outputs", outputs, reference["outputs"][:count])
    if count == len(reference["outputs"]):
        result.errs["loss"] = check(f"{where}: loss", loss, reference["loss"])
        result.errs["grads"] = check(f"{where}: gradients", grads, reference["grads"])


def guarded(fn: Callable, name: str, *args) -> Any:
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - shown, counted for the exit status
        traceback.print_exc(file=sys.stderr)
        FAILURES.append(f"{name}: {type(e).__name__}: {str(e)[:300]}")
        return None


def extrapolate(runs: list[Result], sentences: int, diagrams: int, epoch_by: str) -> Result:
    """The whole corpus from two subsets: compile on the line through the two points, by
    distinct diagrams; the epoch proportional to ``epoch_by`` ("diagrams" or "sentences"),
    from the larger subset (a line through two epochs of a few ms amplifies their noise)."""
    a, b = runs[0], runs[-1]

    def line(xa, ya, xb, yb, x):
        return yb + (yb - ya) / (xb - xa) * (x - xb)

    out = Result(a.name, sentences, diagrams)
    out.extrapolated = True
    if a.setup_s is not None and b.setup_s is not None:
        out.setup_s = line(a.diagrams, a.setup_s, b.diagrams, b.setup_s, diagrams)
    out.first_s = line(a.diagrams, a.first_s, b.diagrams, b.first_s, diagrams)
    if epoch_by == "diagrams":
        out.epoch_s = b.epoch_s * diagrams / b.diagrams
    else:
        out.epoch_s = b.epoch_s * sentences / b.sentences
    power = np.log(b.compile_s / a.compile_s) / np.log(b.diagrams / a.diagrams)
    guess = b.compile_s * (diagrams / b.diagrams) ** power
    out.note = (
        f"**linear extrapolation**, not measured: from {a.sentences} and {b.sentences} "
        f"sentences ({a.diagrams} and {b.diagrams} distinct diagrams): compile on the line "
        f"through both, by distinct diagrams (a power law through the same two points, "
        f"compile ∝ diagrams^{power:.2f}, gives {guess:.0f} s); epoch ∝ {epoch_by}, from "
        f"{b.sentences} sentences"
    )
    return out


def scaled(
    name: str,
    run: Callable,
    sentences: int,
    diagrams: int,
    subsets: tuple,
    epoch_by: str,
    whole: bool,
) -> list[Result]:
    """``run(count)`` on the subsets; then on the whole corpus when there are no two
    subsets or ``whole`` asks for it, else a labelled linear extrapolation."""
    results = []
    for count in subsets:
        r = guarded(run, f"{name} on {count} sentences", count)
        if r is None:
            return results
        results.append(r)
    if len(results) == 2 and not whole:
        return [*results, extrapolate(results, sentences, diagrams, epoch_by)]
    r = guarded(run, f"{name} on {sentences} sentences", sentences)
    return [*results, r] if r is not None else results


# -- main --------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "--no-optional-locks", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def header(count: int) -> None:
    import discopy

    try:
        commit = git("rev-parse", "--short", "HEAD")
        if git("status", "--porcelain", "--", "catlearn"):
            commit += " (catlearn/ has uncommitted changes)"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    print(f"# A {count:,}-sentence corpus: one training epoch, three ways\n")
    print(f"- devices: {jax.devices()} ({os.cpu_count()} CPU cores seen)")
    print(
        f"- jax {jax.__version__}, optax {optax.__version__}, DisCoPy {discopy.__version__}, "
        f"numpy {np.__version__}, Python {sys.version.split()[0]}"
    )
    print(f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"- git commit: {commit}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"- load average at the start: {load}")
    print(
        f"- epoch: value_and_grad of the mean softmax cross-entropy + optax.adam"
        f"({LEARNING_RATE}); steady: median over {SETTINGS['reps']} repeats of the mean "
        "time of consecutive epochs, each repeat blocked; compile: from scratch (see the "
        "module docstring)"
    )
    sys.stdout.flush()


def warm_up(ob, diagrams) -> None:
    """JAX's and DisCoPy's one-off costs (backend start, imports), paid on other shapes."""
    from discopy import tensor

    from catlearn.functors import Param, TensorFunctor
    from catlearn.learn import Corpus, TensorAnsatz

    small = diagrams[:3]
    corpus = Corpus(small, TensorAnsatz(ob))
    params = corpus.init(jax.random.key(1))
    jax.block_until_ready(jax.jit(jax.grad(lambda p: corpus.apply(p).sum()))(params))
    F = TensorFunctor(ob, lambda box: Param())
    c = F.compile(small[0])
    jax.block_until_ready(c.apply(F.init(small[0], jax.random.key(1))))
    with tensor.backend("jax"):
        jax.block_until_ready(jax.jit(lambda x: jnp.tensordot(x, x, 1))(jnp.ones(2)))
    jax.block_until_ready(optax.adam(LEARNING_RATE).init(params))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 sentences, fewer repeats")
    parser.add_argument("--sentences", type=int, help="another corpus size (for trials)")
    parser.add_argument(
        "--whole",
        nargs="+",
        choices=("i", "ii"),
        default=(),
        help="also measure (i) / (ii) on the whole corpus, no extrapolation "
        "(2,000 sentences: (i) ~4 min more, (ii) ~20 min more)",
    )
    args = parser.parse_args()
    count = args.sentences or (300 if args.quick else 2000)
    SETTINGS.update({"reps": 5, "budget_s": 0.5} if args.quick else {"reps": 7, "budget_s": 1.0})
    subsets = SUBSETS["quick" if args.quick else "full"]
    subsets = {k: tuple(c for c in v if c < count) for k, v in subsets.items()}
    header(count)
    start = time.perf_counter()

    from catlearn.demo.sentences import corpus, n, s
    from catlearn.learn import TensorAnsatz

    since = time.perf_counter()
    diagrams, labels = corpus(count, seed=0)
    unique, _ = distinct(diagrams)
    made_s = time.perf_counter() - since
    ob = {n: 2, s: 2}
    ansatz = TensorAnsatz(ob)
    labels = jnp.asarray(labels, dtype=jnp.int32)
    optimizer = optax.adam(LEARNING_RATE)
    print(
        f"- corpus: `catlearn.demo.sentences.corpus({count}, seed=0)`: {count:,} sentences, "
        f"{len(unique):,} distinct diagrams (generating them with DisCoPy took {made_s:.1f} s, "
        "not counted anywhere below)"
    )
    warm_up(ob, diagrams)

    out = guarded(shared, "(shared) Corpus", ansatz, diagrams, labels, optimizer)
    if out is None:
        print("\n**the shared Corpus failed; nothing to compare with**")
        sys.exit(1)
    base, corpus_, params, reference = out
    words = per_word(corpus_, params)

    def run_i(k: int) -> Result:
        return per_sentence(ob, words, diagrams[:k], labels[:k], optimizer, reference)

    def run_ii(k: int) -> Result:
        return discopy_eval(ob, words, diagrams[:k], labels[:k], optimizer, reference)

    rows_i = scaled("(i)", run_i, count, len(unique), subsets["(i)"], "diagrams", "i" in args.whole)
    rows_ii = scaled(
        "(ii)", run_ii, count, len(unique), subsets["(ii)"], "sentences", "ii" in args.whole
    )

    print("\n## Every measurement\n")
    print(
        "setup: `Corpus(...)` (shared) or building the functor and `F.compile` of every "
        "distinct diagram (i); first step: trace + XLA + one run of a fresh jit ((ii): the "
        "first epoch, each diagram's jit compiled on first use); compile = setup + first "
        "step. Relative errors: the first step's sentence outputs, loss and gradients "
        "(per word) against the shared `Corpus`'s, at the same initial word tensors "
        "(loss and gradients on the whole corpus only).\n"
    )
    print(
        "| implementation | sentences | distinct diagrams | setup (s) | first step (s) | "
        "compile (s) | epoch (ms) | rel err outputs | loss | grads | note |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in [base, *rows_i, *rows_ii]:
        print(
            f"| {r.name} | {r.sentences:,} | {r.diagrams:,} | {sec(r.setup_s)} | "
            f"{sec(r.first_s)} | {sec(r.compile_s)} | {ms(r.epoch_s)} | "
            f"{r.errs.get('outputs', '–')} | {r.errs.get('loss', '–')} | "
            f"{r.errs.get('grads', '–')} | {r.note} |"
        )

    full_i = next((r for r in rows_i if r.sentences == count), None)
    full_ii = next((r for r in rows_ii if r.sentences == count), None)
    print(f"\n## Issue 16's targets, {count:,} sentences\n")
    print(
        "Ratios: (i) ÷ shared for compile, (ii) ÷ shared for the epoch (higher is better "
        "for the shared Corpus). A figure in *italics* is a linear extrapolation.\n"
    )

    def fig(r: Result | None, value: str) -> str:
        if r is None:
            return "–"
        return f"*{value}*" if r.extrapolated else value

    print("| | (shared) `Corpus` | (i) per sentence | (ii) DisCoPy eval |")
    print("|---|---:|---:|---:|")
    print(
        f"| setup (s) | {sec(base.setup_s)} | {fig(full_i, sec(full_i and full_i.setup_s))} | – |"
    )
    print(
        f"| total compile (s) | {sec(base.compile_s)} | "
        f"{fig(full_i, sec(full_i and full_i.compile_s))} | "
        f"{fig(full_ii, sec(full_ii and full_ii.compile_s))} |"
    )
    print(
        f"| epoch, steady (ms) | {ms(base.epoch_s)} | {fig(full_i, ms(full_i and full_i.epoch_s))}"
        f" | {fig(full_ii, ms(full_ii and full_ii.epoch_s))} |"
    )
    vs_i = full_i and full_i.compile_s / base.compile_s
    vs_ii = full_ii and full_ii.epoch_s / base.epoch_s
    rows = (
        ("total compile ≤ 5 s", sec(base.compile_s) + " s", base.compile_s <= TARGETS["compile_s"]),
        ("epoch ≤ 50 ms steady", ms(base.epoch_s) + " ms", base.epoch_s <= TARGETS["epoch_s"]),
        (
            "epoch ≥ 10× faster than (ii)",
            fig(full_ii, times(full_ii and full_ii.epoch_s, base.epoch_s)),
            vs_ii is not None and vs_ii >= TARGETS["vs_ii"],
        ),
        (
            "compile ≥ 10× faster than (i)",
            fig(full_i, times(full_i and full_i.compile_s, base.compile_s)),
            vs_i is not None and vs_i >= TARGETS["vs_i"],
        ),
    )
    print("\n| target | shared `Corpus` | met |")
    print("|---|---:|---|")
    for target, value, met in rows:
        print(f"| {target} | {value} | {'**met**' if met else '**missed**'} |")
    print(f"\n_total: {time.perf_counter() - start:.0f} s_")
    if FAILURES:
        print("\n**Failures:**\n")
        for line in FAILURES:
            print(f"- {line}")
        sys.exit(1)


if __name__ == "__main__":
    main()
