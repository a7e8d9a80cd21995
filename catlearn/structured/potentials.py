"""Log-potentials into a semiring: what each query reads off the same scores.

A distribution over structures is given by real *log-potentials* θ (scores;
−∞ forbids a part). Each query runs the one dynamic program in a different
semiring, after lifting θ into its carrier:

======================  ==============================  =======================
semiring                element of a part with score θ  the program computes
======================  ==============================  =======================
``Log``                 θ                               log Z
``Real``, ``Viterbi``   exp θ                           Z, best probability
``MaxPlus``             θ                               best score
``TopK(k)``             [θ, −∞, …]                      k best scores
``Boolean``             θ > −∞                          is any structure allowed
``Counting``            1 if θ > −∞ else 0 (exact)      number of structures
``Expectation``         (exp θ, θ·exp θ)                (Z, Σ p̃(y)·score(y))
======================  ==============================  =======================

``FirstMaxPlus`` is MaxPlus whose gradient picks exactly one maximiser (the
first), so the gradient of the best score *is* the best structure, a 0/1
array, even where scores tie (all-zero potentials, −∞ padding).

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import Counting
    >>> lift(Counting(), jnp.array([0.5, -jnp.inf])).tolist()
    [1, 0]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError
from catlearn.semirings import (
    Boolean,
    Counting,
    Expectation,
    Log,
    MaxPlus,
    Real,
    Semiring,
    TopK,
    Viterbi,
    require_semiring,
)

Array = Any


class FirstMaxPlus(MaxPlus):
    """(max, +) whose gradient flows to one maximiser only: the first along the axis.

    ``jnp.max`` splits its gradient among tied maxima, which would turn the
    gradient of a best score into a fractional mix of structures. Here the
    ⊕-reduction is ``take_along_axis`` at ``argmax``, so the gradient is one-hot.
    """

    name = "MaxPlus"

    def add(self, a: Array, b: Array) -> Array:
        return jnp.where(a >= b, a, b)

    def sum(self, x: Array, axis: int) -> Array:
        axis = self._axis(x, axis)
        if x.shape[axis] == 0:
            return super().sum(x, axis)
        best = jnp.argmax(x, axis=axis, keepdims=True)
        return jnp.squeeze(jnp.take_along_axis(x, best, axis=axis), axis)

    def matmul(self, a: Array, b: Array) -> Array:
        if a.shape[2] == 0:
            return self._empty_matmul(a, b)
        return self.sum(self.mul(a[:, :, :, None], b[:, None, :, :]), axis=2)


def lift(semiring: Semiring, log_potentials: Array) -> Array:
    """θ as elements of ``semiring``, as the table of this module's docstring says
    (``catlearn.structured.potentials``); others are refused.

    Raises ``ArgumentTypeError`` for a semiring with no canonical image of a
    score: run the program's ``sum`` with potentials already in its carrier.
    """
    S = require_semiring(semiring)
    theta = log_potentials
    if isinstance(S, (Log, MaxPlus)):
        return theta
    if isinstance(S, TopK):
        return S.lift(theta)
    if isinstance(S, (Real, Viterbi)):
        return jnp.exp(theta)
    if isinstance(S, Boolean):
        return theta > -jnp.inf
    if isinstance(S, Counting):
        allowed = np.asarray(jax.device_get(theta)) > -np.inf
        return S.asarray(allowed.astype(np.int64))
    if S == Expectation:
        p = jnp.exp(theta)
        return (p, p * jnp.where(theta > -jnp.inf, theta, 0.0))
    raise ArgumentTypeError(
        f"semiring: no lift of log-potentials into {S!r} (known: Log, Real, Viterbi, "
        "MaxPlus, TopK, Boolean, Counting, Expectation); call the program's "
        "sum(potentials, semiring) with potentials already in its carrier"
    )
