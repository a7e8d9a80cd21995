"""TensorFunctor satisfies the functor laws in several semirings and matches DisCoPy."""

import jax.numpy as jnp
import numpy as np
import pytest

from catlearn import laws
from catlearn.diagrams import Box, Ty
from catlearn.functors import TensorFunctor
from catlearn.laws import LawViolation
from catlearn.semirings import Boolean, Log, MaxPlus, Real

x, y = Ty("x"), Ty("y")
SIGNATURE = [
    Box("f", x, y),
    Box("g", y @ x, x),
    Box("h", Ty(), x @ y),
    Box("k", x, Ty()),
    Box("m", y, y @ y),
]
DIMS = {x: 2, y: 3}


def arrays(semiring, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for box in SIGNATURE:
        shape = tuple(DIMS[Ty(o)] for o in list(box.dom.inside) + list(box.cod.inside))
        if isinstance(semiring, Boolean):
            out[box] = rng.random(shape) < 0.5
        elif isinstance(semiring, Log):
            out[box] = rng.normal(size=shape).astype(np.float32)
        else:
            out[box] = rng.integers(-3, 4, size=shape).astype(np.float32)
    return out


# Real and Boolean carry the DisCoPy oracle; every random diagram is a new
# structure and so a new XLA compile, which is what bounds the example count.
ORACLE_SEMIRINGS = [
    law
    for S in (Real(), Boolean())
    for law in laws.functor(TensorFunctor(DIMS, arrays(S), S), SIGNATURE)
]


@pytest.mark.parametrize("law", ORACLE_SEMIRINGS, ids=lambda law: law.id)
def test_functor_laws(law):
    law.check(max_examples=8)


OTHER_SEMIRINGS = [
    law
    for S in (Log(), MaxPlus())
    for law in laws.functor(TensorFunctor(DIMS, arrays(S), S), SIGNATURE, rtol=1e-4, atol=1e-4)
]


@pytest.mark.parametrize("law", OTHER_SEMIRINGS, ids=lambda law: law.id)
def test_functor_laws_in_other_semirings(law):
    law.check(max_examples=3)  # each random diagram compiles anew: cost is XLA compiles


class SwapBlindFunctor(TensorFunctor):
    """Treats every diagram as if its codomain wires were reversed: a wrong wiring."""

    name = "SwapBlind"

    def __call__(self, diagram):
        t = super().__call__(diagram)
        n_cod = len(diagram.cod.inside)
        if n_cod < 2:
            return t
        axes = list(range(t.ndim))
        return jnp.transpose(t, axes[:-n_cod] + axes[-n_cod:][::-1])


@pytest.mark.parametrize("law", ["swap", "identity"])
def test_broken_functor_is_caught(law):
    F = SwapBlindFunctor(DIMS, arrays(Real()))
    with pytest.raises(LawViolation, match=f"functor\\[SwapBlind, Real\\]::{law}"):
        laws.functor(F, SIGNATURE)[law].check(shrink=False)


def test_broken_functor_fails_the_discopy_oracle():
    F = SwapBlindFunctor(DIMS, arrays(Real()))
    with pytest.raises(LawViolation, match="agrees_with_discopy"):
        law = laws.functor(F, SIGNATURE, max_boxes=6)["agrees_with_discopy"]
        law.check(max_examples=60, shrink=False)
