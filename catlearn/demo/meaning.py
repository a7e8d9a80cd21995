"""Demo section: learning word meanings from a corpus of sentence diagrams (DisCoCat).

Six hundred generated sentences about food or IT (``catlearn.demo.sentences``),
each a pregroup diagram, split train / dev / test. Two models: every word
(a name at a type) a tensor, nouns in ``n = ℝ²`` and sentences in ``s = ℝ²``
(``TensorAnsatz``); or a quantum state, one qubit per atomic type, prepared
by an IQP circuit with learnt angles and read by the Born rule
(``IQPAnsatz``). A sentence's meaning is the contraction its grammar wires. The whole corpus
is one ``Corpus``: one compiled program per grammatical structure, so a
training step over 400 sentences is one jitted call.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from catlearn.demo.sentences import corpus, n, s, text
from catlearn.learn import Corpus, IQPAnsatz, TensorAnsatz

SENTENCES, TRAIN, DEV = 600, 400, 100
STEPS = {"tensor": 150, "quantum": 300}  # the quantum model learns slower


def meaning_section(
    folder: Path | None = None, steps: dict[str, int] | None = None
) -> dict[str, Any]:
    """Train the tensor model and the quantum (IQP) model; accuracies, compile and step
    times, an example, the loss curves (``meaning_loss.png`` in ``folder``)."""
    sentences, labels = corpus(SENTENCES, seed=1)
    models = {
        "tensor": TensorAnsatz({n: 2, s: 2}),
        "quantum": IQPAnsatz({n: 1, s: 1}, layers=2),
    }
    steps = STEPS if steps is None else steps
    result: dict[str, Any] = {"sentences": SENTENCES}
    for name, ansatz in models.items():
        result[name] = _train(ansatz, sentences, labels, steps[name])
    tensor = result["tensor"]
    result.update(
        split=tensor.pop("split"),
        structures=tensor.pop("structures"),
        words=tensor.pop("words"),
        example=text(sentences[TRAIN + DEV]),
        example_topic=("food", "IT")[labels[TRAIN + DEV]],
    )
    for name in models:
        for same in ("split", "structures", "words"):  # the same for both models
            result[name].pop(same, None)
    if folder is not None:
        curves = {name: result[name]["loss"] for name in models}
        result["loss_png"] = str(_plot(curves, Path(folder) / "meaning_loss.png"))
    return result


def _train(ansatz: TensorAnsatz, sentences: list, labels: list, steps: int) -> dict[str, Any]:
    start = time.perf_counter()
    train = Corpus(sentences[:TRAIN], ansatz)
    held_out = {"dev": range(TRAIN, TRAIN + DEV), "test": range(TRAIN + DEV, SENTENCES)}
    known = {  # held-out sentences whose every word was seen in training
        part: [i for i in where if _known(train, sentences[i])] for part, where in held_out.items()
    }
    # Dev and test in one corpus: one more compile, not two.
    held = Corpus(
        [sentences[i] for idx in known.values() for i in idx], ansatz, vocabulary=train.vocabulary
    )
    build_s = time.perf_counter() - start
    y = jnp.asarray(labels[:TRAIN])
    optimizer = optax.adam(0.05)

    def loss(params: Any) -> jax.Array:
        log_p = _log_probabilities(ansatz, train.apply(params))
        return -jnp.take_along_axis(log_p, y[:, None], axis=1).mean()

    @jax.jit
    def step(params: Any, state: Any) -> tuple:
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    params = train.init(jax.random.key(0))
    state = optimizer.init(params)
    start = time.perf_counter()
    params, state, value = step(params, state)
    losses = [value]
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps - 1):
        params, state, value = step(params, state)
        losses.append(value)
    losses = [float(v) for v in jax.block_until_ready(losses)]
    step_ms = (time.perf_counter() - start) / max(steps - 1, 1) * 1e3
    accuracy = {"train": _accuracy(train.apply(params), labels[:TRAIN])}
    outputs, start = np.asarray(held.apply(params)), 0
    for part, idx in known.items():
        accuracy[part] = _accuracy(outputs[start : start + len(idx)], [labels[i] for i in idx])
        start += len(idx)
    return {
        "split": {"train": TRAIN, **{p: len(idx) for p, idx in known.items()}},
        "structures": train.structures,
        "words": len(train.vocabulary),
        "build_s": build_s,
        "compile_s": compile_s,
        "step_ms": step_ms,
        "loss": losses,
        "accuracy": accuracy,
    }


def _log_probabilities(ansatz: TensorAnsatz, outputs: jax.Array) -> jax.Array:
    """Sentence outputs as log-probabilities of the two topics: the tensor model's are
    logits; the quantum model's are Born probabilities, normalised over the outcomes."""
    if isinstance(ansatz, IQPAnsatz):
        p = outputs + 1e-9
        return jnp.log(p / p.sum(-1, keepdims=True))
    return jax.nn.log_softmax(outputs, axis=-1)


def _known(train: Corpus, sentence: Any) -> bool:
    return all(train.ansatz.key(box) in train.vocabulary for box in sentence.boxes if not box.dom)


def _accuracy(outputs: Any, labels: list[int]) -> float:
    if not labels:
        return float("nan")
    return float(np.mean(np.argmax(np.asarray(outputs), -1) == np.asarray(labels)))


def _plot(curves: dict[str, list[float]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    for name, losses in curves.items():
        ax.plot(losses, label=f"{name} model")
    ax.set_xlabel(f"training step (all {TRAIN} sentences)")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("Word meanings learnt from sentence diagrams")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
