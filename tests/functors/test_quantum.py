"""QuantumFunctor against DisCoPy's own evaluation of the same circuits."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from discopy.quantum.circuit import Id, qubit
from discopy.quantum.gates import (
    CX,
    CZ,
    Bra,
    CRx,
    CRz,
    Discard,
    Encode,
    H,
    Ket,
    Measure,
    Rx,
    Ry,
    Rz,
    S,
    T,
    X,
    Y,
    Z,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, ShapeError
from catlearn.functors.quantum import QuantumFunctor

ONE = [H, X, Y, Z, S, T]
ROTATIONS = [Rx, Ry, Rz]
TWO = [CX, CZ]
CONTROLLED = [CRz, CRx]
Q = QuantumFunctor()


@st.composite
def circuits(draw, max_qubits=3, max_gates=6):
    """A random state: kets, then one- and two-qubit gates (some rotated by drawn angles)."""
    n = draw(st.integers(1, max_qubits))
    circuit = Ket(*draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    angle = st.floats(-1, 1, allow_nan=False).map(lambda x: round(x, 3))
    for _ in range(draw(st.integers(0, max_gates))):
        two = n > 1 and draw(st.booleans())
        if two:
            k = draw(st.integers(0, n - 2))
            gate = draw(st.sampled_from(TWO + CONTROLLED))
            gate = gate(draw(angle)) if gate in CONTROLLED else gate
            circuit = circuit >> Id(qubit**k) @ gate @ Id(qubit ** (n - k - 2))
        else:
            k = draw(st.integers(0, n - 1))
            gate = draw(st.sampled_from(ONE + ROTATIONS))
            gate = gate(draw(angle)) if gate in ROTATIONS else gate
            circuit = circuit >> Id(qubit**k) @ gate @ Id(qubit ** (n - k - 1))
    return circuit, n


@settings(max_examples=15, deadline=None)
@given(circuits())
def test_amplitudes_agree_with_discopy(drawn):
    circuit, n = drawn
    want = np.asarray(circuit.eval().array).reshape((2,) * n)
    got = np.asarray(Q.amplitudes(circuit))
    np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(np.asarray(Q.probabilities(circuit)), np.abs(want) ** 2, atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(circuits(), st.data())
def test_discards_and_measurements_are_the_doubled_circuit(drawn, data):
    """Measuring some qubits and discarding others: the Born probabilities of the pure
    circuit, summed over the discarded ones (DisCoPy's amplitudes as the oracle)."""
    circuit, n = drawn
    ends = data.draw(
        st.lists(st.sampled_from(["keep", "measure", "discard"]), min_size=n, max_size=n)
    )
    tail = Id()
    for end in ends:
        tail = tail @ {"keep": Id(qubit), "measure": Measure(), "discard": Discard()}[end]
    probabilities = np.abs(np.asarray(circuit.eval().array).reshape((2,) * n)) ** 2
    discarded = tuple(k for k, end in enumerate(ends) if end == "discard")
    want = probabilities.sum(axis=discarded) if discarded else probabilities
    got = np.asarray(Q.probabilities(circuit >> tail))
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_a_mid_circuit_measurement_is_a_spider_on_the_doubled_wires():
    # Measure the control after entangling it: the target's outcomes follow the control's.
    circuit = Ket(0, 0) >> H @ Id(qubit) >> CX >> Measure() @ Id(qubit)
    np.testing.assert_allclose(Q.probabilities(circuit), [[0.5, 0.0], [0.0, 0.5]], atol=1e-6)


def test_rotation_angles_are_params_and_differentiable():
    a, b = sympy.symbols("a b")
    circuit = Ket(0, 0) >> Rx(a) @ H >> CRz(b) >> H @ Id(qubit)
    params = Q.init(circuit, jax.random.key(0))
    assert sorted(params) == ["a", "b"]
    values = {"a": 0.3, "b": -0.7}
    want = circuit.lambdify(a, b)(0.3, -0.7).eval().array
    np.testing.assert_allclose(Q.amplitudes(circuit, values), want.reshape(2, 2), atol=1e-5)
    born = Q.born(circuit >> Measure() @ Discard())

    def p0(p):
        return born.tensor(p)[0]

    grad = jax.grad(p0)({"a": jnp.float32(0.3), "b": jnp.float32(-0.7)})
    eps = 1e-3
    for name in ("a", "b"):
        up = dict(values, **{name: values[name] + eps})
        down = dict(values, **{name: values[name] - eps})
        numeric = (float(p0(up)) - float(p0(down))) / (2 * eps)
        assert abs(float(grad[name]) - numeric) < 1e-2


@pytest.mark.parametrize("gate", [Rx, Ry, Rz, CRx, CRz])
def test_symbolic_rotations_are_discopys_numeric_ones(gate):
    a = sympy.Symbol("a")
    circuit = Ket(0, 1) >> H @ H >> (gate(a) if gate in (CRx, CRz) else gate(a) @ H)
    for angle in (0.0, 0.3, -0.71):
        numeric = circuit.lambdify(a)(angle).eval().array.reshape(2, 2)
        np.testing.assert_allclose(Q.amplitudes(circuit, {"a": angle}), numeric, atol=1e-5)


def test_bad_circuits_are_refused():
    with pytest.raises(ArgumentTypeError, match="amplitudes need a pure circuit"):
        Q.amplitudes(Ket(0) >> Measure())
    with pytest.raises(ShapeError, match="prepend kets"):
        Q.probabilities(H)
    with pytest.raises(ArgumentTypeError, match="mixed box"):
        Q.probabilities(Ket(0) >> Measure() >> Encode())
    np.testing.assert_allclose(Q.amplitudes(Ket(1) >> Bra(1)), 1.0)
