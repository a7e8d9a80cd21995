"""Array circuits: R[d] at BLAS speed, against JAX's own autodiff in the same run.

Run from the repository root::

    python benchmarks/arrays.py            # ~2 min on 2 cores
    python benchmarks/arrays.py --quick    # smoke: fewer repeats, no 10^5 build, no 16-bit table

(a) R[d] of a 224×224 matrix–vector product, batch 64, Real: the array
    circuit (one ``matmul``; the batch as the matrix's columns, and the
    per-example form vmapped, which gives per-example dW) against
    ``jax.vjp`` of ``W @ x`` in the same two forms; the scalar polynomial
    circuit (``polycirc.matvec``, 10^5 gates) lifted by ``lift`` (its
    dense block found: one matmul), and as it is, for reference.
(b) A 784-256-256-10 MLP with x² activations, batch 64: R[d] against
    ``jax.grad`` of the same squared error (largest relative difference),
    and one SGD step built on R[d] against the hand-written ``jax.grad``
    step. Sizes of R[d] before and after ``simplify``.
(c) RDA over GF2 on a 1024×1024 binary linear layer, batch 64: one step
    (forward, error, R[d], update), bit-packed matmuls, against
    hand-written JAX with int32 and with float32 (BLAS, exact here) matmuls.
(d) Building: a chain of n array generators; d, R[d] and simplify(R[d]).
(e) RDA learns a 16-bit Boolean function as a lookup table (the RDA
    paper's model, its 2^16 one-hot features built by 16 array products).
(f) A residual block h ← h + (h W_i)², W_i 64×64, batch 64, repeated 100
    times as one ``scan`` over stacked W (100, 64, 64): compile and steady
    time of the forward and of an SGD step on R[d], against hand-written
    JAX with ``lax.scan`` over the stacked weights and ``jax.grad``; the
    same model unrolled (100 copies of the block) for its compile time.

Times are medians of repeated calls each ended by ``block_until_ready``;
first calls (trace + compile) apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.diagrams import polycirc  # noqa: E402
from catlearn.diagrams.arrays import ArrayBuilder, lift, simplify  # noqa: E402
from catlearn.functors import RingFunctor, reverse_derivative  # noqa: E402
from catlearn.semirings import GF2, Real  # noqa: E402

REPEATS = 30


def clock(fn, *args, repeats: int | None = None) -> tuple[float, float]:
    """(first call, median of the next calls) in milliseconds."""
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats or REPEATS):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
    return first * 1e3, statistics.median(times) * 1e3


def matvec(quick: bool) -> None:
    rng = np.random.default_rng(0)
    W = jnp.asarray(rng.normal(size=(224, 224)), jnp.float32)
    X = jnp.asarray(rng.normal(size=(224, 64)), jnp.float32)
    DY = jnp.asarray(rng.normal(size=(224, 64)), jnp.float32)
    b = ArrayBuilder([(224, 224), (224, 64)])
    batched = RingFunctor(Real()).compile(reverse_derivative(b.build([b.matmul(*b.inputs)])))
    b = ArrayBuilder([(224, 224), (224, 1)])
    each = RingFunctor(Real()).compile(reverse_derivative(b.build([b.matmul(*b.inputs)])))
    vjp = jax.jit(lambda W, X, DY: jax.vjp(lambda W, X: W @ X, W, X)[1](DY))
    vjp_each = jax.jit(jax.vmap(lambda W, x, dy: jax.vjp(lambda W, x: W @ x, W, x)[1](dy),
                                in_axes=(None, 0, 0)))
    xs, dys = X.T[:, :, None], DY.T[:, :, None]
    for got, want in ((batched(W, X, DY), vjp(W, X, DY)), (each(W, xs, dys), vjp_each(W, xs, dys))):
        for g, w in zip(got, want):
            assert np.allclose(g, w, rtol=1e-4, atol=1e-3), "R[d] differs from jax.vjp"
    rows = [
        ("array R[d], batch as columns", clock(batched, W, X, DY)),
        ("jax.vjp(W @ X)", clock(vjp, W, X, DY)),
        ("array R[d], per example (vmapped)", clock(each, W, xs, dys)),
        ("vmap(jax.vjp(W @ x))", clock(vjp_each, W, xs, dys)),
    ]
    flat = jnp.concatenate([jnp.broadcast_to(W.reshape(-1), (64, 224 * 224)), X.T], 1)
    start = time.perf_counter()
    lifted = RingFunctor(Real()).compile(reverse_derivative(lift(polycirc.matvec(224, 224))))
    build = time.perf_counter() - start
    first, steady = clock(lifted, flat, DY.T)
    rows.append(("R[lift(polycirc.matvec)], per example", (build * 1e3 + first, steady)))
    if not quick:
        start = time.perf_counter()
        scalar = RingFunctor(Real()).compile(reverse_derivative(polycirc.matvec(224, 224)))
        build = time.perf_counter() - start
        both = jnp.concatenate([flat, DY.T], 1)
        first, steady = clock(scalar, both, repeats=5)
        rows.append(("scalar R[d] (polycirc.matvec, 10^5 gates)", (build * 1e3 + first, steady)))
    print("## (a) R[d] of a 224×224 matrix–vector product, batch 64, Real\n")
    print("| implementation | first call (ms) | steady (ms) | ratio to its jax.vjp |")
    print("|---|---:|---:|---:|")
    anchors = {0: rows[1][1][1], 1: rows[1][1][1], 2: rows[3][1][1], 3: rows[3][1][1]}
    for i, (name, (first, steady)) in enumerate(rows):
        ratio = steady / anchors.get(i, rows[1][1][1])
        print(f"| {name} | {first:.1f} | {steady:.3f} | {ratio:.2f} |")
    print()


def mlp_circuit(batch: int, sizes=(784, 256, 256, 10)):
    """Params W1, b1, W2, b2, W3, b3 then X (batch, 784): x² activations."""
    shapes = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        shapes += [(n_in, n_out), (n_out,)]
    b = ArrayBuilder(shapes + [(batch, sizes[0])])
    *params, h = b.inputs
    for layer in range(len(sizes) - 1):
        W, bias = params[2 * layer], params[2 * layer + 1]
        z = b.add(b.matmul(h, W), b.broadcast(bias, (batch, sizes[layer + 1]), (1,)))
        h = b.mul(z, z) if layer < len(sizes) - 2 else z
    return b.build([h])


def mlp_reference(params, X):
    h = X
    for layer in range(3):
        z = h @ params[2 * layer] + params[2 * layer + 1]
        h = z * z if layer < 2 else z
    return h


def mlp(quick: bool) -> None:
    rng = np.random.default_rng(0)
    sizes = (784, 256, 256, 10)
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        params += [jnp.asarray(rng.normal(size=(n_in, n_out)) / n_in, jnp.float32),
                   jnp.zeros((n_out,), jnp.float32)]
    X = jnp.asarray(rng.uniform(size=(64, 784)), jnp.float32)
    T = jnp.asarray(rng.normal(size=(64, 10)), jnp.float32)
    d = mlp_circuit(64)
    start = time.perf_counter()
    raw = reverse_derivative(d, against_target=True)  # ∇ of ½‖d(p, X) − T‖²
    build = time.perf_counter() - start
    small = simplify(raw)
    grad_R = RingFunctor(Real()).compile(raw)

    def loss(params, X, T):
        return 0.5 * jnp.sum((mlp_reference(params, X) - T) ** 2)

    grad_jax = jax.jit(jax.grad(loss))
    got, want = grad_R(*params, X, T)[:6], grad_jax(params, X, T)
    worst = max(float(jnp.max(jnp.abs(g - w)) / (jnp.max(jnp.abs(w)) + 1e-30))
                for g, w in zip(got, want))
    lr = 1e-3

    @jax.jit
    def step_R(params, X, T):
        grads = grad_R(*params, X, T)[:6]
        return [p - lr * g for p, g in zip(params, grads)]

    @jax.jit
    def step_jax(params, X, T):
        return [p - lr * g for p, g in zip(params, jax.grad(loss)(params, X, T))]

    print("## (b) 784-256-256-10 MLP, x² activations, batch 64, Real\n")
    print(f"R[d] built in {build * 1e3:.1f} ms: {len(raw)} generators, {len(small)} after "
          f"simplify ({raw.count()} → {small.count()}); largest relative difference from "
          f"jax.grad over the six parameter arrays: {worst:.1e}\n")
    print("| SGD step | first call (ms) | steady (ms) | ratio |")
    print("|---|---:|---:|---:|")
    a = clock(step_jax, params, X, T)
    r = clock(step_R, params, X, T)
    print(f"| hand-written jax.grad | {a[0]:.1f} | {a[1]:.3f} | 1.00 |")
    print(f"| array R[d] | {r[0]:.1f} | {r[1]:.3f} | {r[1] / a[1]:.2f} |\n")


def gf2_layer(quick: bool) -> None:
    rng = np.random.default_rng(0)
    n, batch = 1024, 64
    b = ArrayBuilder([(n, n), (n, batch)])
    layer = b.build([b.matmul(*b.inputs)])
    update = RingFunctor(GF2).compile(reverse_derivative(layer, against_target=True))

    @jax.jit
    def step(W, X, Y):  # RDA: W ← W − R[d](W, X, d(W, X) − Y); − is + in GF2
        return (W + update(W, X, Y)[0]) % 2

    @jax.jit
    def step_int32(W, X, Y):
        E = (jnp.matmul(W, X, preferred_element_type=jnp.int32) - Y) % 2
        return (W + jnp.matmul(E, X.T, preferred_element_type=jnp.int32)) % 2

    @jax.jit
    def step_float(W, X, Y):  # exact: sums of at most 1024 ones
        f = jnp.float32
        E = jnp.mod(W.astype(f) @ X.astype(f) - Y.astype(f), 2)
        return jnp.mod(W.astype(f) + E @ X.T.astype(f), 2).astype(jnp.int32)

    W = jnp.asarray(rng.integers(0, 2, (n, n)), jnp.int32)
    X = jnp.asarray(rng.integers(0, 2, (n, batch)), jnp.int32)
    Y = jnp.asarray(rng.integers(0, 2, (n, batch)), jnp.int32)
    assert np.array_equal(step(W, X, Y), step_int32(W, X, Y))
    assert np.array_equal(step(W, X, Y), step_float(W, X, Y))
    print("## (c) RDA over GF2: one step of a 1024×1024 binary linear layer, batch 64\n")
    print("| implementation | first call (ms) | steady (ms) |")
    print("|---|---:|---:|")
    for name, fn in (("array R[d], bit-packed matmuls", step),
                     ("hand-written JAX, int32 matmuls", step_int32),
                     ("hand-written JAX, float32 matmuls (BLAS)", step_float)):
        first, steady = clock(fn, W, X, Y)
        print(f"| {name} | {first:.1f} | {steady:.3f} |")
    print()


def chain(n: int):
    b = ArrayBuilder([(4,), (4,)])
    x, w = b.inputs
    for i in range(n // 2):
        x = b.mul(x, w) if i % 2 else b.add(x, w)
        x = b.neg(x)
    return b.build([x])


def building(quick: bool) -> None:
    print("## (d) Building R[d] of a chain of n array generators\n")
    print("Wall time; R[d]'s CPU time of this process in brackets (the machine is shared).\n")
    print("| n | d (ms) | R[d] (ms) | simplify(R[d]) (ms) | size of R[d] → simplified |")
    print("|---:|---:|---:|---:|---|")
    for n in (10**3, 10**4) if quick else (10**3, 10**4, 10**5):
        t0 = time.perf_counter()
        d = chain(n)
        t1, c1 = time.perf_counter(), time.process_time()
        r = reverse_derivative(d)
        t2, cpu = time.perf_counter(), time.process_time() - c1
        s = simplify(r)
        t3 = time.perf_counter()
        print(f"| {len(d)} | {(t1 - t0) * 1e3:.0f} | {(t2 - t1) * 1e3:.0f} ({cpu * 1e3:.0f}) | "
              f"{(t3 - t2) * 1e3:.0f} | {len(r)} → {len(s)} |")
    print()


def one_hot(b: ArrayBuilder, x: int, bits: int, batch: int) -> int:
    """The (2^bits, batch) indicator of each column's bit pattern in x (bits, batch):
    ``bits`` array products."""
    one = b.constant(1, (1, batch))
    features = None
    for i in range(bits):
        xi = b.slice(x, 0, i, i + 1)
        pair = b.concatenate([b.add(one, b.neg(xi)), xi], 0)  # (2, batch): [1 − x_i, x_i]
        if features is None:
            features = pair
        else:
            rows = b.shape(features)[0]
            grown = (rows, 2, batch)
            left = b.broadcast(features, grown, (0, 2))
            right = b.broadcast(pair, grown, (1, 2))
            features = b.reshape(b.mul(left, right), (2 * rows, batch))
    return features


def lookup_table(quick: bool, bits: int = 16, batch: int = 256) -> None:
    rng = np.random.default_rng(0)
    b = ArrayBuilder([(1, 2**bits), (bits, batch)])
    table, x = b.inputs
    c = b.build([b.matmul(table, one_hot(b, x, bits, batch))])
    update = RingFunctor(GF2).compile(reverse_derivative(c, against_target=True))
    forward = RingFunctor(GF2).compile(c)
    truth = rng.integers(0, 2, 2**bits)  # a random Boolean function of 16 bits
    inputs = (np.arange(2**bits)[:, None] >> np.arange(bits)) & 1  # row i: the bits of i

    @jax.jit
    def epoch(table, order):
        def step(table, idx):
            x = inputs_d[idx].T
            y = truth_d[idx][None, :]
            return (table + update(table, x, y)[0]) % 2, None

        return jax.lax.scan(step, table, order.reshape(-1, batch))[0]

    inputs_d, truth_d = jnp.asarray(inputs, jnp.int32), jnp.asarray(truth, jnp.int32)
    table = jnp.zeros((1, 2**bits), jnp.int32)
    start = time.perf_counter()
    table = jax.block_until_ready(epoch(table, jnp.asarray(rng.permutation(2**bits))))
    seconds = time.perf_counter() - start
    predicted = np.concatenate([np.asarray(forward(table, inputs[i:i + batch].T))[0]
                                for i in range(0, 2**bits, batch)])
    accuracy = float(np.mean(predicted == truth))
    print(f"## (e) RDA learns a random Boolean function of {bits} bits (lookup table)\n")
    print(f"One epoch over all 2^{bits} inputs, batch {batch}: {seconds:.2f} s (compile "
          f"included); accuracy afterwards {accuracy:.4f} (R[d]: {len(c)} generators).\n")


def residual_block(width: int, batch: int):
    """(h, W) ↦ h + (h W)²."""
    b = ArrayBuilder([(batch, width), (width, width)])
    h, W = b.inputs
    hW = b.matmul(h, W)
    return b.build([b.add(h, b.mul(hW, hW))])


def repeated(quick: bool, depth: int = 100, width: int = 64, batch: int = 64) -> None:
    rng = np.random.default_rng(0)
    block = residual_block(width, batch)
    b = ArrayBuilder([(batch, width), (depth, width, width)])
    scanned = b.build([b.repeat(block, *b.inputs)])
    b = ArrayBuilder([(batch, width), (depth, width, width)])
    h, Ws = b.inputs
    for i in range(depth):  # the same model, one block per layer
        h = b.apply(block, [h, b.reshape(b.slice(Ws, 0, i, i + 1), (width, width))])[0]
    unrolled = b.build([h])
    H = jnp.asarray(rng.normal(size=(batch, width)) * 0.5, jnp.float32)
    # small weights: 100 squarings stay finite (h grows by about 0.3% a block)
    W = jnp.asarray(rng.normal(size=(depth, width, width)) * 0.01, jnp.float32)
    T = jnp.asarray(rng.normal(size=(batch, width)), jnp.float32)
    lr = 1e-3

    def forward_jax(H, W):
        def step(h, w):
            hw = h @ w
            return h + hw * hw, None

        return jax.lax.scan(step, H, W)[0]

    def loss(W, H, T):
        return 0.5 * jnp.sum((forward_jax(H, W) - T) ** 2)

    def programs(c):
        """(forward, SGD step) of an array circuit, and the seconds to build R[d]."""
        start = time.perf_counter()
        grad = RingFunctor(Real()).compile(reverse_derivative(c, against_target=True))
        built = time.perf_counter() - start
        forward = jax.jit(RingFunctor(Real()).compile(c))
        return forward, jax.jit(lambda H, W, T: W - lr * grad(H, W, T)[1]), built

    rows = []
    fwd_jax = jax.jit(forward_jax)
    step_jax = jax.jit(lambda H, W, T: W - lr * jax.grad(loss)(W, H, T))
    rows.append(("hand-written JAX, lax.scan + jax.grad", fwd_jax, step_jax, 0.0))
    rows.append(("array circuit, one scan", *programs(scanned)))
    rows.append(("array circuit, unrolled (100 blocks)", *programs(unrolled)))
    times = []
    for name, f, step, built in rows:  # first calls first: fresh programs, compile timed
        # 20 repeats at least, even --quick: these calls take 1–20 ms, and 5 are noisy
        reps = max(REPEATS, 20)
        (ff, fs), (sf, ss) = clock(f, H, W, repeats=reps), clock(step, H, W, T, repeats=reps)
        times.append((name, ff, fs, sf + built * 1e3, ss))
    want_f, want_s = fwd_jax(H, W), step_jax(H, W, T)
    for name, f, step, _ in rows[1:]:
        assert np.allclose(f(H, W), want_f, rtol=1e-4, atol=1e-4), name
        assert np.allclose(step(H, W, T), want_s, rtol=1e-3, atol=1e-5), name
    print(f"## (f) A residual block h ← h + (h W_i)², {width}×{width}, batch {batch}, "
          f"repeated {depth} times, Real\n")
    print(f"Generators: scan form {len(scanned)} (its body {len(block)}); unrolled "
          f"{len(unrolled)}. First call = trace + compile (SGD step: + building R[d]); "
          "steady = median. Both array forms agree with the hand-written one.\n")
    print("| implementation | forward: first (ms) | forward: steady (ms) | SGD step: first "
          "(ms) | SGD step: steady (ms) | step ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ff, fs, sf, ss in times:
        print(f"| {name} | {ff:.0f} | {fs:.3f} | {sf:.0f} | {ss:.3f} | {ss / times[0][4]:.2f} |")
    print()


def main() -> None:
    global REPEATS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        REPEATS = 5
    print(f"# arrays (jax {jax.__version__}, {jax.devices()[0].platform})\n")
    matvec(args.quick)
    mlp(args.quick)
    gf2_layer(args.quick)
    building(args.quick)
    lookup_table(args.quick, bits=10 if args.quick else 16)
    repeated(args.quick)


if __name__ == "__main__":
    main()
