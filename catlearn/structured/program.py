"""A dynamic program over a family of structures, run in any semiring.

A structure (a tag sequence, a parse, a dependency tree, an alignment) is
a set of *parts*; it is written as a 0/1 array with the shape of the
potentials, one entry per possible part. A :class:`DynamicProgram` knows
one family: its ``sum`` ⊕-sums, over every structure, the ⊗-product of its
parts' potentials (Goodman's semiring parsing), in whatever semiring it is
given; its ``structures`` lists the family by brute force (the oracle the
laws compare against); its ``sample`` draws exact samples.

A subclass states the event shape of its potentials (after the batch axis)
and how a length masks them; ``check`` is the host-side boundary check of
both.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, ShapeError
from catlearn.semirings import Semiring
from catlearn.semirings.carrier import is_traced

Array = Any


class DynamicProgram:
    """Base class: a family of structures with its inside algorithm.

    Subclasses define ``event_ndim`` (axes of the potentials after the batch
    axis), ``check_event(shape)`` returning the largest length the shape
    allows, ``sum``, ``structures`` and ``sample``.
    """

    name: str = ""
    event_ndim: int = 0

    # -- what subclasses provide -----------------------------------------------
    def check_event(self, shape: tuple[int, ...]) -> int:
        """Validate the event shape; return the largest length it holds."""
        raise NotImplementedError

    def least_length(self) -> int:
        """The shortest length the family allows."""
        return 1

    def sum(self, potentials: Array, semiring: Semiring, lengths: Array) -> Array:
        """⊕ over structures of ⊗ over their parts: one element per batch item."""
        raise NotImplementedError

    def structures(self, shape: tuple[int, ...], length: int) -> np.ndarray:
        """Every structure of one batch item of length ``length``, as 0/1 arrays of
        the event shape ``shape``, stacked (brute force: small sizes only)."""
        raise NotImplementedError

    def sample(self, log_potentials: Array, lengths: Array, key: Array, n: int) -> Array:
        """``n`` exact samples per batch item: 0/1 arrays of shape (n, batch, *event)."""
        raise NotImplementedError

    def exactly_one(self, shape: tuple[int, ...], length: Any) -> np.ndarray:
        """0/1 masks of the event shape, stacked, each holding exactly one part of every
        structure of length ``length`` (a tag pair per edge, a head per word): their
        marginals sum to one. None declared by default."""
        return np.zeros((0, *shape))

    # -- a value ------------------------------------------------------------------
    # Programs are values: one type with equal settings (its instance attributes, all
    # hashable) is one program, and shares compiled code (``compiled`` keys on it).
    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))

    # -- the boundary ------------------------------------------------------------
    def check(self, log_potentials: Any, lengths: Any = None) -> tuple[Array, Array]:
        """Checked ``(log_potentials, lengths)``: float potentials with a batch axis,
        integer lengths in range (``None`` means every item at full length).

        Traced lengths cannot be read here; they are taken as given.
        """
        what = self.name or type(self).__name__
        if isinstance(log_potentials, (str, bytes)) or log_potentials is None:
            raise ArgumentTypeError(
                f"{what}: log_potentials must be an array of scores, got {log_potentials!r:.40}"
            )
        theta = jnp.asarray(log_potentials)
        real = jnp.issubdtype(theta.dtype, jnp.floating) or jnp.issubdtype(theta.dtype, jnp.integer)
        if not real:
            raise ArgumentTypeError(
                f"{what}: log_potentials must be real scores, got dtype {theta.dtype}"
            )
        if not jnp.issubdtype(theta.dtype, jnp.floating):
            theta = theta.astype(jnp.result_type(float))
        if theta.ndim != 1 + self.event_ndim:
            raise ShapeError(
                f"{what}: log_potentials must have shape (batch, {self.event_doc()}), "
                f"{1 + self.event_ndim} axes; got shape {tuple(theta.shape)}"
            )
        most = self.check_event(tuple(theta.shape[1:]))
        batch = theta.shape[0]
        if lengths is None:
            return theta, jnp.full((batch,), most, dtype=jnp.int32)
        if is_traced(lengths):
            lengths = jnp.asarray(lengths)
            if lengths.shape != (batch,) or not jnp.issubdtype(lengths.dtype, jnp.integer):
                raise ShapeError(
                    f"{what}: lengths must be integers of shape ({batch},), got "
                    f"{lengths.dtype}{tuple(lengths.shape)}"
                )
            return theta, lengths.astype(jnp.int32)
        values = np.asarray(jax.device_get(lengths))
        if not np.issubdtype(values.dtype, np.integer):
            raise ArgumentTypeError(
                f"{what}: lengths must be integers, got {values.dtype} {values.tolist()!r:.60}"
            )
        if values.shape != (batch,):
            raise ShapeError(
                f"{what}: lengths must have shape ({batch},), one per batch item; "
                f"got shape {values.shape}"
            )
        least = self.least_length()
        bad = np.flatnonzero((values < least) | (values > most))
        if bad.size:
            i = int(bad[0])
            raise ArgumentValueError(
                f"{what}: lengths[{i}] = {int(values[i])} is outside {least}..{most}, "
                f"the lengths potentials of shape {tuple(theta.shape)} hold"
            )
        return theta, jnp.asarray(values, dtype=jnp.int32)

    def event_doc(self) -> str:
        """The event axes, in words (for error messages)."""
        return ", ".join(["…"] * self.event_ndim)

    def __repr__(self) -> str:
        return self.name or type(self).__name__


def compiled(
    program: DynamicProgram, method: str, S: Semiring, potentials: Array, lengths: Array
) -> Any:
    """``getattr(program, method)(potentials, S, lengths)``, compiled once per program,
    method, semiring and shapes (programs and semirings that compare equal share it).

    An eager call would retrace and recompile its loops every time; under ``jit`` the
    compile is cached, and a query costs one dispatch. Host semirings, unhashable ones
    and ones whose instances never repeat (``per_call``, e.g. fresh sampling noise)
    run as they are.
    """
    run = getattr(program, method)
    if S.host or getattr(S, "per_call", False):
        return run(potentials, S, lengths)
    try:
        hash(S)
    except TypeError:
        return run(potentials, S, lengths)
    return _jitted(program, method, S, potentials, lengths)


@partial(jax.jit, static_argnums=(0, 1, 2))
def _jitted(
    program: DynamicProgram, method: str, S: Semiring, potentials: Array, lengths: Array
) -> Any:
    return getattr(program, method)(potentials, S, lengths)
