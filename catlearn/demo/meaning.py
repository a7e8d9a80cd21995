"""Demo section: learning word meanings from a corpus of sentence diagrams (DisCoCat).

A thousand generated sentences about food or IT (``catlearn.demo.sentences``),
each a pregroup diagram, split train / dev / test. Every word (a name at a
type) gets a tensor, nouns in ``n = ℝ²``, sentences in ``s = ℝ²``, and a
sentence's meaning is the contraction its grammar wires. The whole corpus
is one ``Corpus``: one compiled program per grammatical structure, so a
training step over 600 sentences is one jitted call.
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
from catlearn.learn import Corpus, TensorAnsatz

SENTENCES, TRAIN, DEV = 1000, 600, 200
STEPS = 120


def meaning_section(folder: Path | None = None, steps: int = STEPS) -> dict[str, Any]:
    """Train the tensor model; accuracies, compile and step times, an example, the loss
    curve (``meaning_loss.png`` in ``folder``)."""
    sentences, labels = corpus(SENTENCES, seed=1)
    ansatz = TensorAnsatz({n: 2, s: 2})
    start = time.perf_counter()
    train = Corpus(sentences[:TRAIN], ansatz)
    held_out = {
        "dev": slice(TRAIN, TRAIN + DEV),
        "test": slice(TRAIN + DEV, SENTENCES),
    }
    known = {  # held-out sentences whose every word was seen in training
        part: [i for i in range(*where.indices(SENTENCES)) if _known(train, sentences[i])]
        for part, where in held_out.items()
    }
    parts = {
        part: Corpus([sentences[i] for i in idx], ansatz, vocabulary=train.vocabulary)
        for part, idx in known.items()
    }
    build_s = time.perf_counter() - start
    y = jnp.asarray(labels[:TRAIN])
    optimizer = optax.adam(0.05)

    def loss(params: Any) -> jax.Array:
        return optax.softmax_cross_entropy_with_integer_labels(train.apply(params), y).mean()

    @jax.jit
    def step(params: Any, state: Any) -> tuple:
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    params = train.init(jax.random.key(0))
    state = optimizer.init(params)
    start = time.perf_counter()
    params, state, value = step(params, state)
    losses = [float(value)]
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps - 1):
        params, state, value = step(params, state)
        losses.append(value)
    losses = [float(v) for v in jax.block_until_ready(losses)]
    step_ms = (time.perf_counter() - start) / max(steps - 1, 1) * 1e3
    accuracy = {"train": _accuracy(train, params, labels[:TRAIN])}
    for part, c in parts.items():
        accuracy[part] = _accuracy(c, params, [labels[i] for i in known[part]])
    example = sentences[TRAIN + DEV]
    result = {
        "sentences": SENTENCES,
        "split": {"train": TRAIN, **{p: len(idx) for p, idx in known.items()}},
        "structures": train.structures,
        "words": len(train.vocabulary),
        "build_s": build_s,
        "compile_s": compile_s,
        "step_ms": step_ms,
        "loss": losses,
        "accuracy": accuracy,
        "example": text(example),
        "example_topic": ("food", "IT")[labels[TRAIN + DEV]],
    }
    if folder is not None:
        result["loss_png"] = str(_plot(losses, Path(folder) / "meaning_loss.png"))
    return result


def _known(train: Corpus, sentence: Any) -> bool:
    return all(train.ansatz.key(box) in train.vocabulary for box in sentence.boxes if not box.dom)


def _accuracy(c: Corpus, params: Any, labels: list[int]) -> float:
    if not labels:
        return float("nan")
    return float(np.mean(np.argmax(np.asarray(c.apply(params)), -1) == np.asarray(labels)))


def _plot(losses: list[float], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(losses)
    ax.set_xlabel("training step (all 600 sentences)")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.set_title("Word tensors learnt from sentence diagrams")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
