"""Circuit benchmark: catlearn's layered, looped evaluator against hand-written JAX.

Run from the repository root::

    python benchmarks/circuits.py            # ~3-5 min on 2 cores
    python benchmarks/circuits.py --quick    # smoke: small sizes

(B) A sparse, layered circuit shaped like a knowledge compiler's output:
    500 variables (1,000 literal leaves), 120 alternating ⊗/⊕ layers of
    ~1,000 nodes with 2-4 children each (≈3×10^5 edges), batch 512 of
    per-example literal log-weights, Log semiring; forward, and forward +
    gradient of the summed root values w.r.t. the literal weights. The
    anchor is the hand-written JAX evaluator with the batch as the inner
    dimension (one gather and one reduction per layer, unrolled).
(A) A tensorised probabilistic circuit: 128 binary variables on a balanced
    binary region tree, 64 units per region, each level a Hadamard product
    then a dense 64×64 sum (≈5.5×10^5 edges), batch 512, Log semiring;
    forward, and forward + gradient of the mean log-likelihood w.r.t. all
    parameters. The anchor is a hand-written JAX dense log-matmul-exp
    evaluator (max-shift, exp, matmul, log) on the same parameters.
(D) Depth: `catlearn.circuits.parity(n)`, a d-DNNF of depth 2n, compile and run.
(R) Reading a 10^6-edge ``.nnf`` file.

Output is markdown on stdout. Times: first call (trace + compile + run)
apart from the steady state (median of repeated calls, each ended by
``block_until_ready``).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.circuits import Circuit, parity, read_nnf, write_nnf  # noqa: E402
from catlearn.semirings import Log  # noqa: E402


def layered(n_vars: int, layers: int, width: int, seed: int = 0) -> Circuit:
    """A random layered DAG: literal leaves, then alternating ⊗ and ⊕ layers."""
    rng = np.random.default_rng(seed)
    n_leaves = 2 * n_vars
    kind = [0] * n_leaves
    var = [v // 2 + 1 for v in range(n_leaves)]
    state = [v % 2 for v in range(n_leaves)]
    offsets, children = [0] * (n_leaves + 1), []
    previous = np.arange(n_leaves)
    for layer in range(layers):
        start = len(kind)
        for _ in range(width):
            k = int(rng.integers(2, 5))
            kids = rng.choice(previous, size=min(k, previous.size), replace=False)
            children += sorted(kids.tolist())
            offsets.append(len(children))
            kind.append(3 if layer % 2 == 0 else 2)
            var.append(0)
            state.append(0)
        previous = np.arange(start, len(kind))
    root = len(kind)
    children += previous.tolist()
    offsets.append(len(children))
    kind.append(2)
    var.append(0)
    state.append(0)
    n_states = np.full(n_vars + 1, 2)
    n_states[0] = 0
    return Circuit.from_arrays(kind, offsets, children, var, state, [root], n_states)


def hand_written(c: Circuit):
    """Per layer: gather children (nodes, fan, batch), logsumexp or sum; unrolled in Python.

    Results go in with a scatter-*add* into zeroed rows: with a scatter-set, the
    gradient keeps a (rows, batch) mask per layer (31 GB here, out of memory)."""
    depth = np.zeros(c.n_nodes, dtype=np.int64)
    for node in range(c.n_nodes):
        kids = c.children_of(node)
        if kids.size:
            depth[node] = depth[kids].max() + 1
    layers = []
    for d in range(1, depth.max() + 1):
        nodes = np.flatnonzero(depth == d)
        fan = max(c.children_of(n).size for n in nodes)
        is_sum = c.kind[nodes[0]] == 2
        pad = c.n_nodes if is_sum else c.n_nodes + 1  # a -inf row, a 0 row
        table = np.full((nodes.size, fan), pad)
        for i, n in enumerate(nodes):
            kids = c.children_of(n)
            table[i, : kids.size] = kids
        layers.append((jnp.asarray(nodes), jnp.asarray(table), bool(is_sum)))
    leaves = np.flatnonzero(c.kind == 0)
    leaf_var, leaf_state = jnp.asarray(c.var[leaves]), jnp.asarray(c.state[leaves])
    root = int(c.roots[0])

    def run(literals):  # (batch, vars + 1, 2) log weights
        batch = literals.shape[0]
        values = jnp.zeros((c.n_nodes + 2, batch))
        values = values.at[c.n_nodes].set(-jnp.inf)
        values = values.at[jnp.asarray(leaves)].set(literals[:, leaf_var, leaf_state].T)
        for nodes, table, is_sum in layers:
            x = values[table]
            out = jax.nn.logsumexp(x, axis=1) if is_sum else jnp.sum(x, axis=1)
            values = values.at[nodes].add(out)  # rows start at 0: add = set, cheap gradient
        return values[root]

    return run


def timed(fn, *args, repeats=5):
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs), out


def bench_sparse(n_vars, layers, width, batch, repeats):
    c = layered(n_vars, layers, width)
    rng = np.random.default_rng(1)
    literals = jnp.asarray(np.log(rng.random((batch, n_vars + 1, 2)) + 1e-3), dtype=jnp.float32)
    start = time.perf_counter()
    f = c.compile(Log())
    schedule_s = time.perf_counter() - start
    weights = f.params()["weights"]

    def ours(lit):
        return f.apply({"weights": weights, "literals": lit})[:, 0]

    anchor = hand_written(c)
    rows = {}
    for name, fn in (("catlearn", ours), ("hand-written JAX (unrolled)", anchor)):
        fwd = jax.jit(fn)
        grad = jax.jit(jax.grad(lambda lit, fn=fn: fn(lit).sum()))
        f1, fs, out = timed(fwd, literals, repeats=repeats)
        g1, gs, _ = timed(grad, literals, repeats=repeats)
        rows[name] = (f1, fs, g1, gs, np.asarray(out))
    np.testing.assert_allclose(rows["catlearn"][4], rows["hand-written JAX (unrolled)"][4],
                               rtol=2e-3, atol=2e-3)  # fmt: skip
    return c, f, schedule_s, rows


def dense_by_hand(tree, units):
    """The anchor of (A): per level, a gather, a Hadamard product and a max-shifted
    exp-matmul-log, unrolled in Python (also the anchor of tensorized_first_call.py)."""
    V = tree.n_vars
    levels = [(jnp.asarray(level), jnp.asarray(tree.left[level - V]),
               jnp.asarray(tree.right[level - V])) for level in tree.levels]  # fmt: skip

    def by_hand(params, x):
        leaf = jax.nn.log_softmax(params["leaves"], axis=-1)
        values = leaf[jnp.arange(V)[:, None], :, x.T]  # (V, B, K)
        regions = jnp.zeros((tree.n_regions, x.shape[0], units)).at[:V].set(values)
        for (level, left, right), logits in zip(levels, params["sums"]):
            p = regions[left] + regions[right]
            w = jax.nn.log_softmax(logits, axis=1)
            m = jnp.max(p, axis=-1, keepdims=True)
            wm = jnp.max(w, axis=1, keepdims=True)
            out = jnp.log(jnp.matmul(jnp.exp(p - m), jnp.exp(w - wm))) + m + wm
            regions = regions.at[level].set(out)
        root = regions[tree.root] + jax.nn.log_softmax(params["root"])[None, :]
        return jax.nn.logsumexp(root, axis=1)

    return by_hand


def bench_dense(n_vars, units, batch, repeats):
    from catlearn.circuits.region_graph import random_binary_tree
    from catlearn.circuits.tensorized import TensorizedPC

    tree = random_binary_tree(n_vars, seed=0)
    pc = TensorizedPC(tree, units)
    params = pc.init(jax.random.key(0))
    x = jnp.asarray(np.random.default_rng(0).integers(0, 2, size=(batch, n_vars)))
    by_hand = dense_by_hand(tree, units)

    rows = {}
    for name, fn in (("catlearn TensorizedPC", pc.log_likelihood), ("hand-written JAX", by_hand)):
        fwd = jax.jit(lambda p, fn=fn: fn(p, x))
        grad = jax.jit(jax.grad(lambda p, fn=fn: fn(p, x).mean()))
        f1, fs, out = timed(fwd, params, repeats=repeats)
        g1, gs, _ = timed(grad, params, repeats=repeats)
        rows[name] = (f1, fs, g1, gs, np.asarray(out))
    np.testing.assert_allclose(rows["catlearn TensorizedPC"][4], rows["hand-written JAX"][4],
                               rtol=1e-3, atol=1e-3)  # fmt: skip
    start = time.perf_counter()
    flat = pc.to_circuit(params)
    build_s = time.perf_counter() - start
    return rows, flat, build_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"jax {jax.__version__}, backend {jax.default_backend()}\n")
    units, batch_a = (16, 64) if args.quick else (64, 512)
    rows, flat, build_s = bench_dense(128, units, batch_a, 3 if args.quick else 7)
    print(f"## (A) tensorised PC: 128 variables, {units} units, batch {batch_a}, Log\n")
    print(f"as a flat Circuit: {flat!r}, built (to_circuit) in {build_s:.2f} s\n")
    print("| implementation | fwd first (s) | fwd (ms) | fwd+grad first (s) | fwd+grad (ms) |")
    print("|---|---|---|---|---|")
    for name, (f1, fs, g1, gs, _) in rows.items():
        print(f"| {name} | {f1:.2f} | {fs * 1e3:.1f} | {g1:.2f} | {gs * 1e3:.1f} |")
    ours, base = rows["catlearn TensorizedPC"], rows["hand-written JAX"]
    print(f"\nratios catlearn / hand-written: forward {ours[1] / base[1]:.2f}, "
          f"forward+grad {ours[3] / base[3]:.2f}\n")  # fmt: skip

    width, batch, repeats = (200, 64, 3) if args.quick else (1000, 512, 5)
    c, f, schedule_s, rows = bench_sparse(500, 120, width, batch, repeats)
    print(f"## (B) sparse layered circuit: {c!r}, depth {f.schedule.depth}, batch {batch}, Log\n")
    steps, chunk, fan = f.schedule.kids.shape
    print(f"catlearn schedule (host, numpy): {schedule_s:.2f} s; {steps} chunks of {chunk}×{fan}\n")
    print("| implementation | fwd first (s) | fwd (ms) | fwd+grad first (s) | fwd+grad (ms) |")
    print("|---|---|---|---|---|")
    for name, (f1, fs, g1, gs, _) in rows.items():
        print(f"| {name} | {f1:.2f} | {fs * 1e3:.1f} | {g1:.2f} | {gs * 1e3:.1f} |")
    base = rows["hand-written JAX (unrolled)"]
    ours = rows["catlearn"]
    print(f"\nratios catlearn / hand-written: forward {ours[1] / base[1]:.2f}, "
          f"forward+grad {ours[3] / base[3]:.2f}; first call {ours[0] / base[0]:.2f}, "
          f"{ours[2] / base[2]:.2f}\n")  # fmt: skip

    print("## (D) depth: parity d-DNNF, Log semiring, batch 64\n")
    print("| variables | depth | nodes | schedule (s) | first call (s) | steady (ms) |")
    print("|---|---|---|---|---|---|")
    for n in (500, 1000) if args.quick else (1000, 5000):
        p = parity(n)
        start = time.perf_counter()
        g = p.compile(Log())
        sched = time.perf_counter() - start
        ev = np.random.default_rng(0).integers(-1, 2, size=(64, n)).astype(np.int32)
        first, steady, out = timed(lambda e, g=g: g(e), ev, repeats=3)
        print(f"| {n} | {g.schedule.depth} | {p.n_nodes} | {sched:.2f} | {first:.2f} | "
              f"{steady * 1e3:.1f} |")  # fmt: skip

    print("\n## (R) reading a .nnf file\n")
    big = layered(5000, 40, 10_000 if not args.quick else 2000, seed=3)
    text = io.StringIO()
    write_nnf(big, text)
    data = text.getvalue()
    start = time.perf_counter()
    back = read_nnf(io.StringIO(data))
    read_s = time.perf_counter() - start
    print(f"{back!r}: {len(data) / 1e6:.1f} MB read in {read_s:.2f} s "
          f"({back.n_edges / read_s / 1e6:.2f} M edges/s)")  # fmt: skip


if __name__ == "__main__":
    main()
