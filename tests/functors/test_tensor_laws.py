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


# Lawful functors that are not the one declared: every equation holds, so only the
# laws that read the declaration (F.ob, F.ar) can catch them.
s_box = Box("s", x, x)
MUTANT_SIGNATURE = [*SIGNATURE, s_box, s_box.dagger()]
MUTANT_ARRAYS = {**arrays(Real()), s_box: np.array([[1.0, 2.0], [3.0, 5.0]], np.float32)}


class TransposedSquares(TensorFunctor):
    """Reads every square box transposed (the dagger lookup's old bug, in another guise)."""

    name = "TransposedSquares"

    def image(self, box):
        value = super().image(box)
        shape = getattr(value, "shape", ())  # a dagger box's image is a Dagger wrapper
        square = len(shape) == 2 and shape[0] == shape[1]
        return jnp.swapaxes(value, 0, 1) if square else value


class DaggerUntransposed(TensorFunctor):
    """Gives a dagger box its original's array as it is (a lookup by name would)."""

    name = "DaggerUntransposed"

    def image(self, box):
        return super().image(box.dagger() if box.is_dagger else box)


class Doubled(TensorFunctor):
    """Scales one box by 2: every equation still holds."""

    name = "Doubled"

    def image(self, box):
        value = super().image(box)
        return value * 2 if box.name == "f" else value


class ReversedDomain(TensorFunctor):
    """Reads g : y ⊗ x → x with its two domain wires in the other order (dims 3·2 → 2·3)."""

    name = "ReversedDomain"

    def image(self, box):
        value = super().image(box)
        if box.name != "g":
            return value
        return jnp.reshape(jnp.transpose(value, (1, 0, 2)), (3, 2, 2))


MUTANTS = {TransposedSquares: s_box, DaggerUntransposed: s_box.dagger(), Doubled: SIGNATURE[0],
           ReversedDomain: SIGNATURE[1]}  # fmt: skip


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_functor_other_than_declared_is_caught(mutant):
    F = mutant(DIMS, MUTANT_ARRAYS)
    suite = laws.functor(F, MUTANT_SIGNATURE)
    with pytest.raises(LawViolation, match="::images"):  # hypothesis tries all 7 boxes
        suite["images"].check(max_examples=20, shrink=False)
    # The oracle on a diagram that holds the misread box (random ones may not draw it):
    oracle = suite["agrees_with_discopy"]
    assert not oracle.equal(*oracle.sides(MUTANTS[mutant] @ SIGNATURE[2]))


def test_transposed_squares_satisfy_every_equation():
    """Why the declaration-reading laws are needed: the equations alone pass the mutant."""
    F = TransposedSquares(DIMS, MUTANT_ARRAYS)
    for law in laws.functor(F, MUTANT_SIGNATURE):
        if law.name not in ("images", "agrees_with_discopy"):
            law.check(max_examples=3)


def test_images_law_in_a_semiring_without_discopy_oracle():
    F = TransposedSquares(DIMS, {**arrays(MaxPlus()), s_box: MUTANT_ARRAYS[s_box]}, MaxPlus())
    suite = laws.functor(F, MUTANT_SIGNATURE)
    assert "agrees_with_discopy" not in suite.names
    with pytest.raises(LawViolation, match="::images"):
        suite["images"].check(max_examples=20, shrink=False)
    laws.functor(TensorFunctor(DIMS, F.ar, MaxPlus()), MUTANT_SIGNATURE)["images"].check(20)


def test_oracle_laws_need_a_declaration():
    class Opaque:  # a tensor functor that does not say what it was given
        semiring = Real()

        def __init__(self):
            self._inner = TensorFunctor(DIMS, MUTANT_ARRAYS)

        def dim(self, o):
            return self._inner.dim(o)

        def image(self, box):
            return self._inner.image(box)

        def __call__(self, d):
            return self._inner(d)

    suite = laws.functor(Opaque(), SIGNATURE)
    assert suite["images"].skip_reason and "ob=..., ar=..." in suite["images"].skip_reason
    given = laws.functor(Opaque(), SIGNATURE, ob=DIMS, ar=MUTANT_ARRAYS)
    given["agrees_with_discopy"].check(max_examples=5)
