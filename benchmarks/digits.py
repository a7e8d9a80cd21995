"""Digits benchmark: a TensorizedPC learned from the shipped binarised 8×8 digits.

Run from the repository root::

    python benchmarks/digits.py --seeds 0,1,2   # Adam and EM, K = 32, 60 epochs (~1 min)
    python benchmarks/digits.py --quick         # smoke: 2 epochs, 8 units
    python benchmarks/digits.py --tree-json rg.json   # the region tree, in cirkit's JSON

Data: ``catlearn.learn.digits.binary_digits`` (1,257 train / 180 valid / 360
test images of 64 binary pixels, the split fixed in the file). Model:
``TensorizedPC(quad_tree(8, 8), units=K)``: categorical leaves, every internal
region a Hadamard product of its two children then a K×K sum (cirkit's
"cp-t" layer), the root a K→1 sum. Initial logits are N(0, 1), as cirkit draws
them (``--sum-std``). Mini-batches of ``--batch`` come from one seeded
permutation per epoch (``numpy.random.default_rng(seed)``; the last partial
batch is dropped), so an anchor that draws the same permutations sees the same
batches. Two learners on the same batches:

- Adam (optax, ``--lr``) on the mean negative log-likelihood;
- stochastic EM, ``pc.em_step(params, batch, prior=--em-prior,
  step_size=--em-step)`` (skipped where TensorizedPC has no ``em_step``).

Reported: log-likelihood per example (nats) on each split, test bits per
dimension (−LL / (64 ln 2)), the first epoch's time (trace + compile + run)
apart from the median of the others, each epoch ended by ``block_until_ready``.
``--samples PNG`` draws 64 samples from the first seed's Adam PC
(``catlearn.circuits.sample`` on ``pc.to_circuit(params)``) as an 8×8 grid of
images; it needs matplotlib.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.circuits import RegionTree, TensorizedPC, quad_tree, random_binary_tree  # noqa: E402
from catlearn.circuits import sample as draw  # noqa: E402
from catlearn.learn.digits import SIDE, binary_digits  # noqa: E402


def region_tree(name: str) -> RegionTree:
    if name == "quad":
        return quad_tree(SIDE, SIDE)
    return random_binary_tree(SIDE * SIDE, seed=0)


def cirkit_json(tree: RegionTree) -> dict:
    """The tree in cirkit's RegionGraph JSON (regions by id, one partition per inner region).

    Region r < n_vars is variable r + 1, i.e. column r of the data: cirkit's scope [r]."""
    scopes = {r: sorted(v - 1 for v in tree.scope(r)) for r in range(tree.n_regions)}
    graph = [
        {"output": tree.n_vars + i, "inputs": [int(tree.left[i]), int(tree.right[i])]}
        for i in range(tree.left.size)
    ]
    regions = {str(r): {"scope": s} for r, s in scopes.items()}
    return {"regions": regions, "roots": [str(tree.root)], "graph": graph}


def batches(n: int, batch: int, epochs: int, seed: int) -> list[np.ndarray]:
    """Per epoch, (n // batch, batch) example indices from one seeded permutation."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        order = rng.permutation(n)
        out.append(order[: n // batch * batch].reshape(-1, batch))
    return out


def mean_ll(pc: TensorizedPC, params, x: np.ndarray) -> float:
    return float(np.mean(np.asarray(pc.log_likelihood(params, x))))


def bits_per_dim(ll: float) -> float:
    return -ll / (SIDE * SIDE * math.log(2))


def init(pc: TensorizedPC, seed: int, sum_std: float):
    """``pc.init``, with the sum and root logits rescaled to standard deviation ``sum_std``
    (cirkit's default initialisation draws every logit from N(0, 1))."""
    params = pc.init(jax.random.key(seed))
    scale = sum_std / 0.5
    return {
        "leaves": params["leaves"],
        "sums": [w * scale for w in params["sums"]],
        "root": params["root"] * scale,
    }


def adam(pc: TensorizedPC, data: jax.Array, lr: float):
    """One jitted Adam step on the batch ``data[idx]``, and the optimiser's init."""
    opt = optax.adam(lr)

    @jax.jit
    def step(carry, idx):
        params, state = carry

        def loss(p):
            return -jnp.mean(pc.log_likelihood(p, data[idx]))

        grad = jax.grad(loss)(params)
        updates, state = opt.update(grad, state)
        return optax.apply_updates(params, updates), state

    return step, lambda params: (params, opt.init(params))


def em(pc: TensorizedPC, data: jax.Array, prior: float, step_size: float):
    """One jitted stochastic EM step on the batch ``data[idx]``: ``pc.em_step`` with a
    pseudo-count ``prior`` per edge and leaf state (without one, a pixel never lit in
    training gets probability 0 and a test image that lights it −∞) and step ``step_size``."""
    step = jax.jit(
        lambda carry, idx: (pc.em_step(carry[0], data[idx], prior=prior, step_size=step_size),)
    )
    return step, lambda params: (params,)


def run(step, carry, order: list[np.ndarray]):
    """Every epoch's batches through ``step``; each epoch's wall time, ended by a block."""
    times = []
    for epoch in order:
        start = time.perf_counter()
        for idx in epoch:
            carry = step(carry, idx)
        jax.block_until_ready(carry)
        times.append(time.perf_counter() - start)
    return carry[0], times


def samples_png(pc: TensorizedPC, params, path: Path, n: int = 64, seed: int = 0) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = draw(pc.to_circuit(params), n, seed=seed).reshape(n, SIDE, SIDE)
    side = int(math.ceil(math.sqrt(n)))
    fig, axes = plt.subplots(side, side, figsize=(side * 0.8, side * 0.8), facecolor="0.75")
    for ax, image in zip(axes.ravel(), images):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    for ax in axes.ravel():
        ax.set_axis_off()
    fig.subplots_adjust(wspace=0.1, hspace=0.1, left=0.01, right=0.99, top=0.99, bottom=0.01)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tree", choices=("quad", "random"), default="quad")
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--em-prior", type=float, default=1e-4, help="EM pseudo-count")
    parser.add_argument("--em-step", type=float, default=0.5, help="EM step size (0, 1]")
    parser.add_argument("--seeds", default="0", help="comma-separated: init and batch order")
    parser.add_argument(
        "--sum-std", type=float, default=1.0,
        help="std of the initial sum and root logits (TensorizedPC.init: 0.5; cirkit: 1)",
    )  # fmt: skip
    parser.add_argument("--methods", default="adam,em")
    parser.add_argument("--samples", type=Path, help="write a sample grid (PNG) of the Adam PC")
    parser.add_argument("--tree-json", type=Path, help="write the region tree for cirkit; exit")
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    if args.quick:
        args.units, args.epochs, args.seeds = 8, 2, "0"
    tree = region_tree(args.tree)
    if args.tree_json:
        args.tree_json.write_text(json.dumps(cirkit_json(tree)))
        return
    splits = {s: binary_digits(s)[0] for s in ("train", "valid", "test")}
    pc = TensorizedPC(tree, units=args.units)
    data = jnp.asarray(splits["train"])
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"jax {jax.__version__}, backend {jax.default_backend()}; tree {args.tree}, "
          f"K = {args.units}, {args.epochs} epochs, batch {args.batch}, lr {args.lr}, "
          f"logit std {args.sum_std}, EM prior {args.em_prior} step {args.em_step}, "
          f"seeds {seeds}\n")  # fmt: skip
    results: dict = {}
    for method in args.methods.split(","):
        if method == "adam":
            step, start = adam(pc, data, args.lr)
        elif method == "em" and hasattr(TensorizedPC, "em_step"):
            step, start = em(pc, data, args.em_prior, args.em_step)
        else:
            print(f"{method}: not available (TensorizedPC has no em_step), skipped\n")
            continue
        for seed in seeds:
            order = batches(len(data), args.batch, args.epochs, seed)
            params, times = run(step, start(init(pc, seed, args.sum_std)), order)
            ll = {s: mean_ll(pc, params, x) for s, x in splits.items()}
            results.setdefault(method, []).append({
                "seed": seed, "ll": ll, "bpd": bits_per_dim(ll["test"]),
                "first_epoch_s": times[0], "epoch_s": statistics.median(times[1:]),
                "times": times,
            })  # fmt: skip
            if method == "adam" and seed == seeds[0] and args.samples:
                samples_png(pc, params, args.samples)
    print("| method | seed | train LL | valid LL | test LL | test bits/dim | first epoch (s) | "
          "epoch (ms, median) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for method, runs in results.items():
        for r in runs:
            ll = r["ll"]
            print(
                f"| catlearn {method} | {r['seed']} | {ll['train']:.3f} | {ll['valid']:.3f} | "
                f"{ll['test']:.3f} | {r['bpd']:.4f} | {r['first_epoch_s']:.2f} | "
                f"{r['epoch_s'] * 1e3:.1f} |"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
