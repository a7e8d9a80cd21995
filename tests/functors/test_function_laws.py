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
        "agrees_with_layers",
    ]
