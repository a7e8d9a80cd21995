"""The lens functor is a functor into lenses whose put is jax.vjp; broken lenses are caught."""

import pytest

from catlearn import laws
from catlearn.diagrams import Box, Ty, nn
from catlearn.functors import FunctionFunctor
from catlearn.laws import LawViolation
from catlearn.learn import Lens, lens

x, y = Ty("x"), Ty("y")
SIGNATURE = [
    nn.Dense(x, x, "tanh", name="dense"),
    Box("g", x @ y, y),
    Box("h", y, x @ y),
]
F = FunctionFunctor(
    {x: 2, y: 3}, {"g": lambda a, b: b * a.sum(), "h": lambda b: (b[:2] - 1.0, b * 2.0)}
)


@pytest.mark.parametrize("name", laws.lens_functor(F, SIGNATURE).names)
def test_catlearn_lenses_satisfy(name):
    laws.lens_functor(F, SIGNATURE)[name].check(max_examples=5)


def _doubling_put(F, diagram):
    """A lens whose reverse map is twice the derivative: still a functor, wrong put."""
    good = lens(F, diagram)

    def backward(residual, dys):
        dparams, dxs = good.backward(residual, dys)
        return dparams, tuple(2 * dx for dx in dxs)

    return Lens(good.forward, backward, good.n_in, good.n_out)


def test_wrong_reverse_map_is_caught():
    suite = laws.lens_functor(F, SIGNATURE, _doubling_put)
    with pytest.raises(LawViolation, match="put_is_vjp"):
        suite["put_is_vjp"].check(max_examples=20, shrink=False)
    with pytest.raises(LawViolation, match="identity"):
        suite["identity"].check(max_examples=20, shrink=False)
