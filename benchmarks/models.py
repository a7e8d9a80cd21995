"""Model benchmark: a diagram MLP under FunctionFunctor against the same MLP in plain JAX.

Run from the repository root::

    python benchmarks/models.py            # full (~2-3 min on 2 cores)
    python benchmarks/models.py --quick    # smoke: fewer repeats and boxes

(a) Train step: value_and_grad of the mean softmax cross-entropy plus one
    optax Adam update, jitted, for the MLP in@w1+b1 → relu → @w2+b2 → relu
    → @w3+b3 written three ways: a ``FunctionFunctor``-compiled diagram
    (``Dense >> Dense >> Dense``), hand-written JAX on dicts of arrays, and
    equinox (``eqx.nn.MLP``) when it is installed. Same shapes, same
    initial weights, same batch; compile time (first call) apart from the
    steady state (median over ``REPEATS`` timing loops of ``STEPS`` steps,
    each loop ended by ``block_until_ready``).
(b) Compile time of a 1,000-box model diagram (a chain of distinct 16×16
    dense layers): building the diagram (DisCoPy ``>>`` loop, and the
    hypergraph IR's linear ``sequential``), ``F.compile`` (conversion and
    scheduling), and the first call of the jitted forward and of a train
    step, against the same 1,000 layers as a Python loop in plain JAX.

Output is markdown on stdout.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from catlearn.diagrams import Hypergraph, Ty, nn
from catlearn.functors import FunctionFunctor

STEPS = 50


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    jax.block_until_ready(out)
    return time.perf_counter() - start, out


def _steady(step, state, repeats):
    def loop(state):
        for _ in range(STEPS):
            state = step(*state)
        jax.block_until_ready(state)
        return state

    state = loop(state)  # warm
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        state = loop(state)
        runs.append((time.perf_counter() - start) / STEPS)
    return statistics.median(runs)


def _train_step(apply, optimizer):
    def loss(params, x, y):
        logits = apply(params, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(params, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, x, y

    return step


def bench_train_step(widths, batch, repeats):
    x_ty, h1, h2, c = Ty("x"), Ty("h1"), Ty("h2"), Ty("c")
    diagram = (
        nn.Dense(x_ty, h1, "relu", name="l1")
        >> nn.Dense(h1, h2, "relu", name="l2")
        >> nn.Dense(h2, c, name="l3")
    )
    F = FunctionFunctor(dict(zip((x_ty, h1, h2, c), widths)))
    params = F.init(diagram, jax.random.key(0))
    key = jax.random.key(1)
    x = jax.random.normal(key, (batch, widths[0]))
    y = jax.random.randint(key, (batch,), 0, widths[-1])
    optimizer = optax.adam(1e-3)

    def by_hand(p, v):
        v = jax.nn.relu(v @ p["l1"]["w"] + p["l1"]["b"])
        v = jax.nn.relu(v @ p["l2"]["w"] + p["l2"]["b"])
        return v @ p["l3"]["w"] + p["l3"]["b"]

    rows = {}
    for name, apply in (
        ("catlearn diagram", F.compile(diagram).apply),
        ("hand-written JAX", by_hand),
    ):
        step = _train_step(apply, optimizer)
        state = (params, optimizer.init(params), x, y)
        compile_s, state = _timed(step, *state)
        rows[name] = (compile_s, _steady(step, state, repeats))
    catlearn_out = F.compile(diagram).apply(params, x)
    np.testing.assert_allclose(catlearn_out, by_hand(params, x), rtol=1e-4, atol=1e-4)
    try:
        import equinox as eqx
    except ImportError:
        return rows
    mlp = eqx.nn.MLP(widths[0], widths[-1], widths[1], depth=3 - 1, key=key)
    mlp = eqx.tree_at(
        lambda m: [layer.weight for layer in m.layers] + [layer.bias for layer in m.layers],
        mlp,
        [params[k]["w"].T for k in ("l1", "l2", "l3")]
        + [params[k]["b"] for k in ("l1", "l2", "l3")],
    )
    if widths[1] != widths[2]:
        return rows  # eqx.nn.MLP has one hidden width

    def eqx_loss(model, v, labels):
        logits = jax.vmap(model)(v)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    opt_state = optimizer.init(eqx.filter(mlp, eqx.is_array))

    @eqx.filter_jit
    def eqx_step(model, opt_state, v, labels):
        grads = eqx.filter_grad(eqx_loss)(model, v, labels)
        updates, opt_state = optimizer.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return eqx.apply_updates(model, updates), opt_state, v, labels

    np.testing.assert_allclose(jax.vmap(mlp)(x), by_hand(params, x), rtol=1e-4, atol=1e-4)
    compile_s, state = _timed(eqx_step, mlp, opt_state, x, y)
    rows["equinox"] = (compile_s, _steady(eqx_step, state, repeats))
    return rows


def bench_compile(n_boxes, width):
    h = Ty("h")
    boxes = [nn.Dense(h, h, "tanh", name=f"layer{i}") for i in range(n_boxes)]
    start = time.perf_counter()
    graph = Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])
    build_ir = time.perf_counter() - start
    start = time.perf_counter()
    diagram = boxes[0]
    for b in boxes[1:]:
        diagram = diagram >> b
    build_discopy = time.perf_counter() - start
    F = FunctionFunctor({h: width})
    start = time.perf_counter()
    compiled = F.compile(graph)
    compile_s = time.perf_counter() - start
    params = compiled.init(jax.random.key(0))
    x = jnp.ones((32, width))
    forward_s, out = _timed(compiled.apply, params, x)

    def by_hand(p, v):
        for i in range(n_boxes):
            v = jnp.tanh(v @ p[f"layer{i}"]["w"] + p[f"layer{i}"]["b"])
        return v

    per_box = compiled.unstack(params)  # the hand-written model reads one entry per layer
    hand_forward_s, ref = _timed(jax.jit(by_hand), per_box, x)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
    grad_s, _ = _timed(jax.jit(jax.grad(lambda p: compiled.apply(p, x).sum())), params)
    hand_grad_s, _ = _timed(jax.jit(jax.grad(lambda p: by_hand(p, x).sum())), per_box)
    return {
        "build (DisCoPy >> loop)": build_discopy,
        "build (Hypergraph.sequential)": build_ir,
        "F.compile (convert + schedule)": compile_s,
        "first forward (trace + XLA)": (forward_s, hand_forward_s),
        "first jit(grad) (trace + XLA)": (grad_s, hand_grad_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 5 if args.quick else 21
    print(
        f"jax {jax.__version__}, backend {jax.default_backend()}, {jax.device_count()} device(s)\n"
    )
    print("## (a) Train step (value_and_grad + Adam), steady state\n")
    print(
        "| MLP widths | batch | implementation | compile (s) | step (µs) | ratio to hand-written |"
    )
    print("|---|---|---|---|---|---|")
    for widths, batch in (((4, 32, 32, 3), 16), ((784, 256, 256, 10), 256)):
        rows = bench_train_step(widths, batch, repeats)
        base = rows["hand-written JAX"][1]
        for name, (compile_s, step_s) in rows.items():
            print(
                f"| {'-'.join(map(str, widths))} | {batch} | {name} | {compile_s:.2f} | "
                f"{step_s * 1e6:.1f} | {step_s / base:.2f} |"
            )
    n_boxes = 200 if args.quick else 1000
    print(f"\n## (b) A {n_boxes}-box model diagram (distinct 16×16 dense layers)\n")
    print("| stage | catlearn (s) | hand-written JAX (s) | ratio |")
    print("|---|---|---|---|")
    for stage, value in bench_compile(n_boxes, 16).items():
        if isinstance(value, tuple):
            print(f"| {stage} | {value[0]:.2f} | {value[1]:.2f} | {value[0] / value[1]:.2f} |")
        else:
            print(f"| {stage} | {value:.3f} | – | – |")


if __name__ == "__main__":
    main()
