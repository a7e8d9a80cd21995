"""Pruning benchmark: a PC learned from the binarised 8×8 digits, pruned by circuit flows.

Run from the repository root::

    python benchmarks/pruning.py                  # K = 16 units, 65 % of the inner ⊕ edges
    python benchmarks/pruning.py --quick          # smoke: K = 4, few epochs
    python benchmarks/pruning.py --json out.json  # the numbers, for RESULTS.md

Data: ``catlearn.learn.digits.binary_digits`` (1,257 train / 180 valid / 360
test images of 64 binary pixels, the split fixed in the file). Model:
``TensorizedPC(quad_tree(8, 8), units=K)`` trained by Adam on the training
split, written as a flat ``Circuit`` (``to_circuit``). Then, as in Dang, Liu
and Van den Broeck's prune–grow cycle (NeurIPS 2022):

1. ``flows(circuit, train)``; ``prune`` removes ``--fraction`` of the inner ⊕
   edges (those into other units, not an input's states) of smallest flow, and
   the nodes no root reaches any more;
2. ``em`` fine-tunes the pruned circuit for ``--em-steps`` full-batch steps.

The dense circuit gets the same EM steps, so the two are also compared at
equal training. Two controls prune the same number of edges by other orders:
random edges, and the edges of *largest* flow. Reported: mean test
log-likelihood (nats per image) of each, its relative loss against the
trained dense circuit and against the dense circuit after the same EM steps,
the edge counts, and ``grow`` (noise 0.1) of the pruned circuit fine-tuned
the same way, back to about the dense size. The default ``--fraction 0.65``
of the inner ⊕ edges removes about half of all edges.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.circuits import Circuit, TensorizedPC, em, flows, grow, prune, quad_tree  # noqa: E402
from catlearn.circuits.circuit import SUM  # noqa: E402
from catlearn.circuits.pruning import smallest_flows, without_edges  # noqa: E402
from catlearn.learn.digits import SIDE, binary_digits  # noqa: E402
from catlearn.semirings import Log  # noqa: E402


def train_adam(pc: TensorizedPC, x: np.ndarray, epochs: int, lr: float, seed: int) -> dict:
    """Adam on the mean NLL, mini-batches of 100 from one seeded permutation per epoch."""
    params = pc.init(jax.random.key(seed))
    opt = optax.adam(lr)
    state = opt.init(params)
    data = jnp.asarray(x)

    @jax.jit
    def step(params, state, idx):
        loss, grad = jax.value_and_grad(lambda p: -jnp.mean(pc.log_likelihood(p, data[idx])))(
            params
        )
        updates, state = opt.update(grad, state)
        return optax.apply_updates(params, updates), state, loss

    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x) - 99, 100):
            params, state, _ = step(params, state, jnp.asarray(order[start : start + 100]))
    return params


def mean_ll(c: Circuit, x: np.ndarray) -> float:
    """Mean log-likelihood per image through the compiled Log-semiring evaluator."""
    return float(np.mean(np.asarray(c.compile(Log())(x))[:, 0]))


def inner_sum_edges(c: Circuit) -> int:
    """⊕ edges into ⊕ or ⊗ nodes (what ``prune`` prunes by default)."""
    parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
    return int(((c.kind[parent] == SUM) & (c.kind[c.children] >= SUM)).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--fraction", type=float, default=0.65)
    parser.add_argument("--em-steps", type=int, default=10)
    parser.add_argument("--prior", type=float, default=0.1, help="EM's pseudo-count")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.units, args.epochs, args.em_steps = 4, 3, 2
    train, _ = binary_digits("train")
    test, _ = binary_digits("test")
    tpc = TensorizedPC(quad_tree(SIDE, SIDE), units=args.units)
    t0 = time.perf_counter()
    params = train_adam(tpc, train, args.epochs, args.lr, args.seed)
    dense = tpc.to_circuit(params)
    adam_s = time.perf_counter() - t0
    adam_ll = float(np.mean(np.asarray(tpc.log_likelihood(params, test))))

    def fine_tune(c: Circuit) -> Circuit:
        return em(c, train, steps=args.em_steps, prior=args.prior).circuit

    t0 = time.perf_counter()
    f = flows(dense, train)
    flows_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pruned = prune(dense, f, args.fraction)
    prune_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    controls = {
        "random": without_edges(dense, smallest_flows(dense, rng.random(dense.n_edges),
                                                      args.fraction)),
        "largest flows": without_edges(dense, smallest_flows(dense, -f.edges, args.fraction)),
    }  # fmt: skip
    t0 = time.perf_counter()
    dense_em = fine_tune(dense)
    pruned_em = fine_tune(pruned)
    em_s = time.perf_counter() - t0
    grown_em = fine_tune(grow(pruned_em, jax.random.key(args.seed), noise=0.1))
    rows = {
        "dense (Adam)": dense,
        "dense + EM": dense_em,
        "pruned by flows": pruned,
        "pruned by flows + EM": pruned_em,
        "pruned randomly + EM": fine_tune(controls["random"]),
        "pruned, largest flows + EM": fine_tune(controls["largest flows"]),
        "pruned + EM, grown + EM": grown_em,
    }
    trained, reference = mean_ll(dense, test), mean_ll(dense_em, test)
    result = {
        "units": args.units,
        "fraction": args.fraction,
        "em_steps": args.em_steps,
        "adam_epochs": args.epochs,
        "adam_test_ll_tensorized": adam_ll,
        "seconds": {"adam": adam_s, "flows": flows_s, "prune": prune_s, "em (2 runs)": em_s},
        "rows": {},
    }
    print(f"K = {args.units}, prune {args.fraction:.0%} of the inner ⊕ edges by flows; "
          f"EM {args.em_steps} steps (prior {args.prior}); test LL in nats per image")  # fmt: skip
    print(f"{'':28} {'edges':>7} {'inner ⊕':>8} {'test LL':>9} {'loss vs dense':>13} "
          f"{'vs dense+EM':>11}")  # fmt: skip
    for name, c in rows.items():
        ll = mean_ll(c, test)
        loss, loss_em = (trained - ll) / abs(trained), (reference - ll) / abs(reference)
        result["rows"][name] = {"edges": c.n_edges, "inner_sum_edges": inner_sum_edges(c),
                                "test_ll": ll, "loss_vs_dense": loss,
                                "loss_vs_dense_em": loss_em}  # fmt: skip
        print(f"{name:28} {c.n_edges:7d} {inner_sum_edges(c):8d} {ll:9.3f} {loss:+13.2%} "
              f"{loss_em:+11.2%}")  # fmt: skip
    share = 1 - pruned.n_edges / dense.n_edges
    result["share_of_all_edges_removed"] = share
    print(f"pruning by flows removed {share:.1%} of all edges (units no root reaches went too)")
    print(f"Adam {adam_s:.1f} s, flows {flows_s:.2f} s, prune {prune_s:.2f} s, "
          f"EM (dense and pruned) {em_s:.1f} s")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
