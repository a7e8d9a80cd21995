"""Each suite with an oracle catches a deliberately wrong implementation, through
``catlearn.laws``: the oracle shares nothing with it that could be wrong."""

import jax.numpy as jnp
import pytest

from catlearn import laws
from catlearn.circuits import queries
from catlearn.demo.sentences import corpus, n, s
from catlearn.diagrams import Box, Ty, nn
from catlearn.diagrams.polycirc import Builder
from catlearn.functors import FunctionFunctor, reverse_derivative
from catlearn.laws import LawViolation
from catlearn.learn import Lens, TensorAnsatz, lens
from catlearn.semirings import Real, Zn


# -- lens_functor -------------------------------------------------------------------------
def _forgets_parameters(F, diagram):
    """put returns no parameter cotangent at all: the lens of a frozen model."""
    good = lens(F, diagram)

    def backward(residual, dys):
        return {}, good.backward(residual, dys)[1]

    return Lens(good.forward, backward, good.n_in, good.n_out)


def test_lens_that_drops_parameter_cotangents_is_caught():
    x = Ty("x")
    F = FunctionFunctor({x: 2})
    suite = laws.lens_functor(F, [nn.Dense(x, x, "tanh", name="d")], _forgets_parameters)
    with pytest.raises(LawViolation, match="put_is_vjp"):
        suite["put_is_vjp"].check(max_examples=5, shrink=False)


# -- reverse_derivative -------------------------------------------------------------------
def _reversed_cotangents(f):
    """R[f] with its output wires (the cotangents of f's inputs) in reverse order."""
    r = reverse_derivative(f)
    b = Builder(len(r.dom))
    return b.build(b.apply(r, b.inputs)[::-1])


def _doubled(f):
    """2 · R[f]: a constant factor."""
    r = reverse_derivative(f)
    b = Builder(len(r.dom))
    two = b.constant(2)
    return b.build([b.mul(two, y) for y in b.apply(r, b.inputs)])


@pytest.mark.parametrize("R, ring", [(_reversed_cotangents, Real()), (_doubled, Zn(5))],
                         ids=["reversed-cotangents", "doubled"])  # fmt: skip
def test_reverse_derivative_with_wrong_plumbing_is_caught(R, ring):
    with pytest.raises(LawViolation, match="soundness"):
        laws.reverse_derivative(ring, R)["soundness"].check(max_examples=15, shrink=False)


# -- circuit_queries, transformation ------------------------------------------------------
def test_queries_trusting_a_lying_structure_check_are_caught(monkeypatch):
    # The circuit claims to be a d-DNNF: counting and MPE answer on circuits that are not,
    # silently wrong.
    monkeypatch.setattr(queries, "is_deterministic", lambda c, *args: True)
    monkeypatch.setattr(queries, "undecomposable_nodes", lambda c: [])
    with pytest.raises(LawViolation, match="refuses_or_answers"):
        laws.circuit_queries()["refuses_or_answers"].check(max_examples=15, shrink=False)


def _flip_first_variable(c):
    """Reads every literal of X_1 the other way round: a wrong interpretation of a leaf."""
    from catlearn.circuits import Circuit
    from catlearn.circuits.circuit import LEAF

    state = c.state.copy()
    first = (c.kind == LEAF) & (c.var == 1)
    state[first] = 1 - state[first]
    return Circuit.from_arrays(
        c.kind, c.child_offsets, c.children, c.var, state, c.roots, c.n_states, c.weights
    )


def test_transformation_misreading_a_literal_is_caught():
    with pytest.raises(LawViolation, match="preserves_wmc"):
        laws.transformation(_flip_first_variable).check(max_examples=15, shrink=False)


# -- structured: its mutants (transposed edges, a dropped edge, a lying exactly_one mask,
# a second-best argmax) are in test_structured_laws.py.


# -- ansatz -------------------------------------------------------------------------------
class TransposedWords(TensorAnsatz):
    """Its functor reads every two-wire word's tensor transposed: wrong axis order."""

    def functor(self, params, vocabulary):
        from catlearn.functors import TensorFunctor

        base = super().functor(params, vocabulary)
        return TensorFunctor(base.ob, lambda box: jnp.transpose(base.ar(box)), base.semiring)


def test_ansatz_whose_functor_misreads_words_is_caught():
    suite = laws.ansatz(TransposedWords({n: 2, s: 3}), corpus(6, seed=4)[0])
    with pytest.raises(LawViolation, match="matches_discopy"):
        suite["matches_discopy"].check(max_examples=5, shrink=False)


# -- monoidal / symmetric / compact / hypergraph ------------------------------------------
def test_a_comparison_that_equates_too_much_is_caught():
    # Counting boxes: every axiom holds, but a diagram "equals" any other of its size.
    x, y = Ty("x"), Ty("y")
    signature = [Box("f", x, y), Box("g", y, x @ x), Box("h", x, y)]
    suite = laws.symmetric(signature, equal=lambda a, b: a.n_boxes == b.n_boxes)
    with pytest.raises(LawViolation, match="separates"):
        suite["separates"].check(max_examples=15, shrink=False)
