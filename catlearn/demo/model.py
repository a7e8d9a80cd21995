"""The model section of ``catlearn demo``: an iris classifier built, drawn and trained as a diagram.

Sepal and petal measurements enter on two wires; each gets its own dense
layer, the two are concatenated, pass a residual block and a linear
head. The diagram is drawn with DisCoPy, compiled by ``FunctionFunctor``
and trained with ``catlearn.learn.fit`` (optax Adam) on the embedded
iris data (UCI, Fisher 1936). Accuracy is 5-fold cross-validated: one
30-example test split is too small to say much (its accuracy moves by
10 points from one split to the next).
"""

from __future__ import annotations

import csv
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

SPECIES = ("setosa", "versicolor", "virginica")


def iris() -> tuple[np.ndarray, np.ndarray]:
    """The 150 embedded iris examples: features (150, 4) float32, labels (150,) int32."""
    text = resources.files("catlearn").joinpath("data/iris.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    features = np.array(
        [[float(r[k]) for k in ("sepal_length", "sepal_width", "petal_length", "petal_width")]
         for r in rows],
        dtype=np.float32,
    )  # fmt: skip
    labels = np.array([SPECIES.index(r["species"]) for r in rows], dtype=np.int32)
    return features, labels


def folds(labels: np.ndarray, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k-fold cross-validation: k pairs of (train, test) indices."""
    rng = np.random.default_rng(seed)
    parts: list[list[int]] = [[] for _ in range(k)]
    for c in np.unique(labels):
        for j, chunk in enumerate(np.array_split(rng.permutation(np.flatnonzero(labels == c)), k)):
            parts[j] += chunk.tolist()
    every = np.arange(len(labels))
    return [(np.setdiff1d(every, part), np.array(sorted(part))) for part in parts]


def model_diagram():
    """sepal ⊗ petal → logits: two dense encoders, concat, a residual block, a linear head."""
    from catlearn.diagrams import Ty, nn

    sepal, petal, h, z, logits = Ty("sepal"), Ty("petal"), Ty("h"), Ty("z"), Ty("logits")
    encoders = nn.Dense(sepal, h, "tanh", name="sepal_enc") @ nn.Dense(
        petal, h, "tanh", name="petal_enc"
    )
    block = nn.residual(nn.Dense(z, z, "relu", name="block"))
    diagram = encoders >> nn.Concat(h @ h, z) >> block >> nn.Linear(z, logits, name="head")
    shapes = {sepal: 2, petal: 2, h: 8, z: 16, logits: len(SPECIES)}
    return diagram, shapes


def train(out: Path | None, *, epochs: int = 100, progress: bool = True) -> dict[str, Any]:
    """Build, draw, compile and train the model (5-fold cross-validated); pictures to ``out``."""
    import jax
    import optax

    from catlearn.diagrams import from_discopy
    from catlearn.functors import ADD, FunctionFunctor

    features, labels = iris()
    diagram, shapes = model_diagram()
    F = FunctionFunctor(shapes, merge=ADD)
    start = time.perf_counter()
    model = F.compile(diagram)
    build_seconds = time.perf_counter() - start
    optimizer = optax.adam(1e-2)  # one object: every fold reuses the compiled epoch
    runs = [
        _fold(model, F.init(diagram, jax.random.key(0)), optimizer, features, labels,
              train_idx, test_idx, epochs, progress and i == 0)
        for i, (train_idx, test_idx) in enumerate(folds(labels))
    ]  # fmt: skip
    first = runs[0]
    files = _pictures(diagram, first["history"], out) if out is not None else {}
    history = first["history"]
    steady = (history.train_seconds - history.compile_seconds) / max(1, epochs - 1)
    graph = from_discopy(diagram, cartesian=True)
    tested = sum(r["tested"] for r in runs)
    return {
        "dataset": f"iris, 150 examples, 3 species, 5-fold cross-validation ({len(runs)} folds)",
        "diagram": f"{diagram.dom} → {diagram.cod}",
        "boxes": graph.n_boxes,
        "parameters": sum(int(np.size(p)) for p in jax.tree.leaves(first["params"])),
        "epochs": epochs,
        "steps": history.steps,
        "final_loss": history.loss[-1],
        "train_accuracy": float(np.mean([r["train"] for r in runs])),
        "test_accuracy": sum(r["correct"] for r in runs) / tested,
        "fold_test_accuracy": [r["test"] for r in runs],
        "compile_seconds": build_seconds + history.compile_seconds,
        "ms_per_epoch": steady * 1e3,
        "ms_per_step": steady * 1e3 * epochs / max(1, history.steps),
        "files": files,
    }


def cross_entropy(logits, labels):
    """Mean softmax cross-entropy against integer labels."""
    import optax

    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def _fold(model, params, optimizer, features, labels, train_idx, test_idx, epochs, progress):
    """Train on one fold (standardised with its training statistics only) and score it."""
    import jax
    import jax.numpy as jnp

    from catlearn.learn import accuracy, evaluate, fit

    mean, std = features[train_idx].mean(0), features[train_idx].std(0)
    x = (features - mean) / std

    def data(idx):
        return (jnp.asarray(x[idx, :2]), jnp.asarray(x[idx, 2:])), jnp.asarray(labels[idx])

    params, history = fit(
        model.apply,
        params,
        data(train_idx),
        cross_entropy,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=16,
        key=jax.random.key(1),
        validation=data(test_idx),
        metrics={"accuracy": accuracy},
        progress=progress,
    )
    train = evaluate(model.apply, params, data(train_idx), {"accuracy": accuracy})["accuracy"]
    test = evaluate(model.apply, params, data(test_idx), {"accuracy": accuracy})["accuracy"]
    return {
        "params": params,
        "history": history,
        "train": train,
        "test": test,
        "tested": len(test_idx),
        "correct": round(test * len(test_idx)),
    }


def _pictures(diagram, history, out: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    drawing, curve = out / "model.png", out / "loss.png"
    diagram.draw(path=str(drawing), figsize=(7, 6), fontsize=9)
    plt.close("all")
    fig, left = plt.subplots(figsize=(6, 3.5))
    left.plot(history.loss, color="tab:blue")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss (cross-entropy)", color="tab:blue")
    left.set_yscale("log")
    right = left.twinx()
    right.plot([m["accuracy"] for m in history.metrics], color="tab:orange")
    right.set_ylabel("held-out accuracy (fold 1)", color="tab:orange")
    right.set_ylim(0, 1.02)
    fig.tight_layout()
    fig.savefig(curve, dpi=120)
    plt.close(fig)
    return {"drawing": str(drawing), "loss_curve": str(curve)}
