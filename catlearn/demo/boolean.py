"""The Boolean-circuit section of ``catlearn demo``: iris learned over GF2 by RDA.

A port of Wilson and Zanasi's iris experiment (their code:
statusfailed/act-2020-experiments, ``src/Iris.hs``):

* each feature is min–max normalised over the data set, then thresholded
  at 0.5: 4 bits per flower;
* labels are the class number in binary (``binary``) or one-hot
  (``onehot``); two classes means setosa and versicolor only;
* the first 25 flowers of each class, in file order, are the training
  set and the rest the test set; training sees them class by class;
* the model is a lookup table from 4 bits to the label bits
  (``polycirc.lookup_table``), parameters start at zero, and RDA takes
  one pass, one example at a time;
* a prediction is right when every label bit is.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from catlearn.demo.model import iris
from catlearn.errors import ArgumentValueError


def binarised_iris(classes: int = 2, labels: str = "binary") -> dict[str, np.ndarray]:
    """Train and test bits as in the paper: ``x_train, y_train, x_test, y_test``."""
    if classes not in (2, 3):
        raise ArgumentValueError(
            f"binarised_iris(classes): 2 (setosa, versicolor) or 3, got {classes!r}"
        )
    if labels not in ("binary", "onehot"):
        raise ArgumentValueError(f"binarised_iris(labels): 'binary' or 'onehot', got {labels!r}")
    features, species = iris()
    keep = species < classes
    features, species = features[keep], species[keep]
    low, high = features.min(axis=0), features.max(axis=0)
    bits = ((features - low) / (high - low) > 0.5).astype(np.int32)
    if labels == "onehot":
        y = np.eye(classes, dtype=np.int32)[species]
    else:
        width = max(1, int(np.ceil(np.log2(classes))))
        y = (species[:, None] >> np.arange(width)) & 1
    order = np.argsort(species, kind="stable")  # the paper's split groups by class
    train = np.concatenate([order[species[order] == c][:25] for c in range(classes)])
    test = np.setdiff1d(np.arange(len(species)), train)
    return {"x_train": bits[train], "y_train": y[train], "x_test": bits[test], "y_test": y[test]}


def rda_iris(classes: int = 2, labels: str = "binary", epochs: int = 1) -> dict[str, Any]:
    """Train the paper's lookup-table model by RDA; accuracies and time per epoch."""
    from catlearn.diagrams import polycirc
    from catlearn.learn.rda import RDA

    data = binarised_iris(classes, labels)
    n_out = data["y_train"].shape[1]
    learner = RDA(polycirc.lookup_table(4, n_out), n_params=16 * n_out)
    params, history = learner.fit(learner.init(), data["x_train"], data["y_train"], epochs=epochs)
    # Steady-state time of one epoch: rerun it (compiled) a few times.
    repeats = []
    for _ in range(3):
        start = time.perf_counter()
        learner.epoch(learner.init(), data["x_train"], data["y_train"]).block_until_ready()
        repeats.append(time.perf_counter() - start)
    return {
        "classes": classes,
        "labels": labels,
        "train_accuracy": learner.accuracy(params, data["x_train"], data["y_train"]),
        "test_accuracy": learner.accuracy(params, data["x_test"], data["y_test"]),
        "epoch_ms": 1e3 * float(np.median(repeats)),
        "compile_s": history.compile_seconds,
        "n_train": len(data["x_train"]),
        "n_test": len(data["x_test"]),
    }


def boolean_section() -> list[dict[str, Any]]:
    """Two of the paper's four iris variants (the binary and one-hot encodings give the same
    accuracies; ``rda_iris`` runs any of them)."""
    return [rda_iris(2, "binary"), rda_iris(3, "onehot")]
