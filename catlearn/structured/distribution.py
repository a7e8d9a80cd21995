"""A distribution over structures: one dynamic program, every query a semiring.

``StructuredDistribution(log_potentials, lengths)`` is the Gibbs
distribution p(y) ∝ exp Σ_{part ∈ y} θ_part over the structures of its
program. Each query is the program's ``sum`` in another semiring:

- ``partition(S)``: ⊕ over structures in ``S`` (``log_partition`` in Log);
- ``marginals``: ∂ log Z / ∂θ, the probability of each part (Log's gradient,
  exactly zero where θ = −∞);
- ``argmax`` and ``max``: the best structure (the gradient of the best score,
  one maximiser even under ties) and its score;
- ``kbest(k)``: the k best scores (TopK) and their structures (their gradients);
- ``entropy``, ``cross_entropy``, ``kl``: from log Z and the marginals;
- ``count``: the number of structures θ allows, exact (Counting, on the host);
- ``sample(key, n)``: exact samples; ``log_prob(y)``: log p(y).

    >>> import jax.numpy as jnp
    >>> from catlearn.structured import LinearChainCRF
    >>> crf = LinearChainCRF(jnp.zeros((1, 3, 2, 2)))   # 4 positions, 2 tags, flat scores
    >>> int(crf.count()[0]), round(float(crf.log_partition[0]), 4)   # 2⁴ sequences
    (16, 2.7726)
    >>> crf.marginals.sum(axis=(2, 3)).tolist()   # one tag pair per edge
    [[1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import whole
from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Counting, Log, Semiring, TopK, require_semiring
from catlearn.semirings.carrier import is_traced
from catlearn.structured.potentials import FirstMaxPlus, lift
from catlearn.structured.program import DynamicProgram

Array = Any


class StructuredDistribution:
    """Base class: subclasses set ``program`` (a :class:`DynamicProgram`)."""

    program: DynamicProgram

    def __init__(self, log_potentials: Array, lengths: Array | None = None) -> None:
        self.log_potentials, self.lengths = self.program.check(log_potentials, lengths)

    # -- sums ------------------------------------------------------------------
    def partition(self, semiring: Semiring | None = None) -> Array:
        """⊕ over every structure of ⊗ over its parts, in ``semiring`` (default Log)."""
        S = Log() if semiring is None else require_semiring(semiring)
        return self.program.sum(lift(S, self.log_potentials), S, self.lengths)

    @property
    def log_partition(self) -> Array:
        """log Z, shape (batch,)."""
        return self.partition(Log())

    @property
    def marginals(self) -> Array:
        """p(part ∈ y) for every part: the gradient of log Z, shape of the potentials."""
        return jax.grad(lambda t: jnp.sum(self.program.sum(t, Log(), self.lengths)))(
            self.log_potentials
        )

    @property
    def max(self) -> Array:
        """The best structure's score, shape (batch,)."""
        return self.program.sum(self.log_potentials, FirstMaxPlus(), self.lengths)

    @property
    def argmax(self) -> Array:
        """The best structure, a 0/1 array of the potentials' shape (first among ties)."""
        return jax.grad(lambda t: jnp.sum(self.program.sum(t, FirstMaxPlus(), self.lengths)))(
            self.log_potentials
        )

    def kbest(self, k: int) -> tuple[Array, Array]:
        """The k best scores, shape (k, batch), and their structures, (k, batch, *event).

        Where fewer than k structures exist the missing scores are −∞ and their
        structures all zero. Structures with equal scores come in either order.
        """
        k = whole(k, "k", least=1)
        S = TopK(k)

        def scores(t: Array) -> Array:
            return jnp.moveaxis(self.program.sum(S.lift(t), S, self.lengths), -1, 0)

        best = scores(self.log_potentials)
        structures = jax.jacrev(lambda t: jnp.sum(scores(t), axis=1))(self.log_potentials)
        present = (best > -jnp.inf).reshape(best.shape + (1,) * self.program.event_ndim)
        return best, jnp.where(present, structures, 0.0)

    # -- information -------------------------------------------------------------
    def _expected_score(self, log_potentials: Array) -> Array:
        mu = self.marginals
        terms = jnp.where(mu > 0, mu * log_potentials, 0.0)
        return jnp.sum(terms.reshape(terms.shape[0], -1), axis=1)

    @property
    def entropy(self) -> Array:
        """H(p) = log Z − E_p[score], in nats, shape (batch,)."""
        return self.log_partition - self._expected_score(self.log_potentials)

    def cross_entropy(self, other: StructuredDistribution) -> Array:
        """H(p, q) = −E_p[log q(y)], ``other`` being q (+∞ where q forbids what p allows)."""
        self._same_family(other)
        return other.log_partition - self._expected_score(other.log_potentials)

    def kl(self, other: StructuredDistribution) -> Array:
        """KL(p ‖ q) = H(p, q) − H(p), ``other`` being q."""
        return self.cross_entropy(other) - self.entropy

    def _same_family(self, other: Any) -> None:
        if type(other) is not type(self) or other.program != self.program:
            raise ArgumentTypeError(
                f"other: expected a {type(self).__name__}, got {type(other).__name__}"
            )
        if other.log_potentials.shape != self.log_potentials.shape:
            raise ShapeError(
                f"other: potentials of shape {tuple(other.log_potentials.shape)} differ "
                f"from {tuple(self.log_potentials.shape)}"
            )
        if not (is_traced(self.lengths) or is_traced(other.lengths)):
            mine, theirs = np.asarray(self.lengths), np.asarray(other.lengths)
            if not np.array_equal(mine, theirs):
                raise ArgumentValueError(
                    f"other: lengths {theirs.tolist()} differ from {mine.tolist()}: the two "
                    "distributions range over different structures"
                )

    # -- counting and sampling ----------------------------------------------------
    def count(self) -> Array:
        """How many structures θ allows (parts with θ > −∞), exact: Python ints."""
        return self.partition(Counting())

    def sample(self, key: Array, n: int = 1) -> Array:
        """``n`` exact samples, shape (n, batch, *event), 0/1."""
        n = whole(n, "n", least=1)
        return self.program.sample(self.log_potentials, self.lengths, key, n)

    def log_prob(self, structure: Array) -> Array:
        """log p(y) for structures of shape (..., batch, *event); −∞ where y is forbidden."""
        y = jnp.asarray(structure)
        event = self.log_potentials.shape
        if y.shape[y.ndim - len(event) :] != event:
            raise ShapeError(
                f"structure: trailing shape must be {tuple(event)}, got {tuple(y.shape)}"
            )
        terms = jnp.where(y > 0, y * self.log_potentials, 0.0)
        axes = tuple(range(y.ndim - self.program.event_ndim, y.ndim))
        return jnp.sum(terms, axis=axes) - self.log_partition

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={tuple(self.log_potentials.shape)})"
