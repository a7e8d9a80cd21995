"""FunctionFunctor satisfies the cartesian functor laws; broken functors are caught."""

import itertools

import jax.numpy as jnp
import pytest

from catlearn import laws
from catlearn.diagrams import Box, Ty, nn
from catlearn.functors import FunctionFunctor
from catlearn.laws import LawViolation

x, y = Ty("x"), Ty("y")
SIGNATURE = [
    nn.Dense(x, x, "tanh", name="dense"),
    nn.Linear(y, x, name="lin"),
    Box("g", x @ y, y),
    Box("h", y, x @ y),
]
SHAPES = {x: 2, y: 3}
FUNCTIONS = {
    "g": lambda a, b: b * a.sum(),
    "h": lambda b: (b[:2] - 1.0, b * 2.0),
}

# Every random diagram is a new program and so a new XLA compile: that,
# not the law, bounds the example count.
LAWS = list(laws.functor(FunctionFunctor(SHAPES, FUNCTIONS), SIGNATURE))


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.id)
def test_function_functor_laws(law):
    law.check(max_examples=6)


class OutputsReversed(FunctionFunctor):
    """Returns a program's outputs in reverse order: a functor that breaks tensor."""

    name = "OutputsReversed"

    def compile(self, diagram):
        inner = super().compile(diagram)

        class Reversed:
            def apply(self, params, *xs):
                ys = inner.apply(params, *xs)
                return ys[::-1] if isinstance(ys, tuple) else ys

        return Reversed()


@pytest.mark.parametrize("law", ["tensor", "swap", "copy_discard"])
def test_functor_that_reverses_outputs_is_caught(law):
    F = OutputsReversed(SHAPES, FUNCTIONS)
    with pytest.raises(LawViolation, match=f"functor\\[OutputsReversed\\]::{law}"):
        laws.functor(F, SIGNATURE, max_boxes=2)[law].check(max_examples=30, shrink=False)


def test_impure_box_breaks_copy_naturality():
    counter = itertools.count()
    # The box ignores its input: a large input would hide a small impurity within tolerance.
    F = FunctionFunctor({x: 2}, {"f": lambda a: jnp.zeros_like(a) + next(counter)})
    with pytest.raises(LawViolation, match="copy_naturality"):
        law = laws.functor(F, [Box("f", x, x)], max_boxes=1)["copy_naturality"]
        law.check(max_examples=30, shrink=False)


def test_function_functor_suite_is_reached_through_laws_functor():
    suite = laws.functor(FunctionFunctor({x: 1}, {"f": jnp.sin}), [Box("f", x, x)])
    assert suite.names == [
        "composition",
        "tensor",
        "identity",
        "swap",
        "copy_discard",
        "copy_naturality",
        "images",
        "agrees_with_layers",
    ]


# Lawful functors that run something other than what was declared: only the laws that
# run the declaration (images, agrees_with_layers) can tell.
p_box, q_box = Box("p", x @ x, x), Box("q", x, x @ x)
DECLARED = {**FUNCTIONS, "p": lambda a, b: a - 2.0 * b, "q": lambda a: (a, -a)}


class _Misread(FunctionFunctor):
    def image(self, box):
        m = super().image(box)
        return m if m.kind != "function" else m._replace(run=self.misread(box, m.run))


class SwappedArguments(_Misread):
    name = "SwappedArguments"

    def misread(self, box, run):
        return (lambda a, b: run(b, a)) if box.name == "p" else run


class ReversedOutputs(_Misread):
    name = "ReversedOutputs"

    def misread(self, box, run):
        return (lambda a: run(a)[::-1]) if box.name == "q" else run


class Scaled(_Misread):
    name = "Scaled"

    def misread(self, box, run):
        return (lambda a, b: run(a, b) * 2.0) if box.name == "g" else run


@pytest.mark.parametrize("mutant", [SwappedArguments, ReversedOutputs, Scaled])
def test_function_functor_other_than_declared_is_caught(mutant):
    F = mutant(SHAPES, DECLARED)
    suite = laws.functor(F, [*SIGNATURE, p_box, q_box])
    with pytest.raises(LawViolation, match=f"functor\\[{mutant.name}\\]::images"):
        suite["images"].check(max_examples=30, shrink=False)


def test_swapped_arguments_satisfy_every_equation():
    F = SwappedArguments(SHAPES, DECLARED)
    for law in laws.functor(F, [p_box, q_box], max_boxes=2):
        if law.name not in ("images", "agrees_with_layers"):
            law.check(max_examples=3)
