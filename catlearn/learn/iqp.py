"""The IQP sentence ansatz: each word a parametrised quantum state, sentences read by Born.

Each atomic type gets a number of qubits (``n ↦ 1``, ``s ↦ 1``). A word of
type ``t`` is a state on the qubits of ``t``, prepared by an IQP-style
circuit: Hadamards on every qubit, then a ladder of controlled-Rz
rotations between neighbours, repeated ``layers`` times; a one-qubit word
is an Euler rotation ``Rx Rz Rx`` of ``|0⟩``. Every angle is a learnable
parameter of that word (in DisCoPy's half-turns). Cups are Bell effects,
post-selected; the sentence's output qubits are measured, and the Born
rule gives a probability per outcome::

    >>> import jax
    >>> from catlearn.demo.sentences import corpus, n, s
    >>> from catlearn.learn import Corpus
    >>> sentences, labels = corpus(20, seed=0)
    >>> ansatz = IQPAnsatz({n: 1, s: 1})
    >>> c = Corpus(sentences, ansatz)
    >>> params = c.init(jax.random.key(0))
    >>> params["n.r @ s @ n.l"].shape    # 6 verbs of 3 qubits: 2 CRz angles each
    (6, 2)
    >>> p = c.apply(params)                    # Born probabilities of the s qubit
    >>> p.shape, bool((p >= 0).all())
    ((20, 2), True)

``word_circuit(box, angles)`` is the DisCoPy circuit of one word, whose
evaluation by DisCoPy the word's state equals (the tests check it). The
probabilities are those of the post-selected circuit without its
normalising factors (½ per Bell effect): divide by their sum over the
outcomes for the conditional distribution, as a classifier does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.arguments import size
from catlearn.errors import ArgumentTypeError
from catlearn.functors.boxes import name_of
from catlearn.learn.ansatz import TensorAnsatz
from catlearn.semirings import Complex

_H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


class IQPAnsatz(TensorAnsatz):
    """``ob`` maps atomic types to numbers of qubits; words are IQP states (see module)."""

    def __init__(self, ob: Mapping[Any, int], layers: int = 1) -> None:
        if not isinstance(ob, Mapping):
            raise ArgumentTypeError(
                f"ob: expected a mapping from atomic types to qubit counts, got {type(ob).__name__}"
            )
        self.qubits = {
            name_of(getattr(k, "inside", [k])[0]): size(v, f"ob[{k}]") for k, v in ob.items()
        }
        super().__init__({k: 2**q for k, q in self.qubits.items()}, semiring=Complex())
        self.layers = size(layers, "layers")

    def __repr__(self) -> str:
        return f"IQPAnsatz({self.qubits!r}, layers={self.layers})"

    # -- a word's parameters and state ----------------------------------------------
    @staticmethod
    def _n(type_shape: tuple[int, ...]) -> int:
        return int(sum(int(np.log2(d)) for d in type_shape))

    def parameters_shape(self, type_shape: tuple[int, ...]) -> tuple[int, ...]:
        n = self._n(type_shape)
        return (3,) if n == 1 else (self.layers * max(n - 1, 0),)

    def draw(self, key: jax.Array, type_shape: tuple[int, ...], count: int) -> jax.Array:
        """Angles drawn uniformly in [0, 2) half-turns (a full turn)."""
        return jax.random.uniform(key, (count, *self.parameters_shape(type_shape)), maxval=2.0)

    def tensors(self, table: Any, type_shape: tuple[int, ...]) -> Any:
        n = self._n(type_shape)
        states = jax.vmap(lambda angles: _state(angles, n, self.layers))(table)
        return states.reshape((table.shape[0], *type_shape))

    def readout(self, sentences: Any) -> Any:
        """Born's rule: the probability of each outcome of the sentence's qubits."""
        return jnp.real(sentences * jnp.conj(sentences))

    def word_circuit(self, box: Any, angles: Any) -> Any:
        """The DisCoPy circuit preparing the word ``box`` with these angles (numbers)."""
        from discopy.quantum.circuit import Id, qubit
        from discopy.quantum.gates import CRz, H, Ket, Rx, Rz

        n = self._n(self.shape(box))
        angles = [float(a) for a in np.ravel(angles)]
        if n == 1:
            return Ket(0) >> Rx(angles[0]) >> Rz(angles[1]) >> Rx(angles[2])
        circuit = Ket(*[0] * n)
        k = 0
        for _ in range(self.layers):
            circuit = circuit >> Id().tensor(*[H] * n)
            for j in range(n - 1):
                circuit = circuit >> Id(qubit**j) @ CRz(angles[k]) @ Id(qubit ** (n - j - 2))
                k += 1
        return circuit


def _state(angles: jax.Array, n: int, layers: int) -> jax.Array:
    """The word's state vector (2ⁿ amplitudes), axes one per qubit, in DisCoPy's order."""
    c64 = jnp.complex64
    if n == 0:
        return jnp.ones((1,), c64)
    if n == 1:
        v = jnp.array([1.0, 0.0], c64)
        for gate, angle in zip(("x", "z", "x"), angles):
            v = v @ _rotation(gate, angle)
        return v
    psi = jnp.zeros((2,) * n, c64).at[(0,) * n].set(1.0)
    h = jnp.asarray(_H, c64)
    k = 0
    for _ in range(layers):
        for q in range(n):
            psi = jnp.moveaxis(jnp.tensordot(psi, h, axes=([q], [0])), -1, q)
        for j in range(n - 1):
            half = jnp.pi * angles[k]
            phase = (
                jnp.array([[1.0, 1.0], [0.0, 0.0]], c64)
                + jnp.array([[0.0, 0.0], [1.0, 0.0]], c64) * jnp.exp(-1j * half)
                + jnp.array([[0.0, 0.0], [0.0, 1.0]], c64) * jnp.exp(1j * half)
            )
            shape = [1] * n
            shape[j], shape[j + 1] = 2, 2
            psi = psi * phase.reshape(shape)
            k += 1
    return psi.reshape(-1)


def _rotation(gate: str, angle: jax.Array) -> jax.Array:
    """DisCoPy's Rx or Rz at ``angle`` half-turns (rows: input, columns: output)."""
    half = jnp.pi * angle
    c, s = jnp.cos(half), jnp.sin(half)
    if gate == "x":
        return jnp.array([[c, -1j * s], [-1j * s, c]], jnp.complex64)
    return jnp.array([[jnp.exp(-1j * half), 0.0], [0.0, jnp.exp(1j * half)]], jnp.complex64)
