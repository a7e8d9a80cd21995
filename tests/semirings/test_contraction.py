"""einsum/contract agree with a brute-force oracle in every semiring.

The oracle broadcasts every operand to the full index space, ⊗-multiplies
them elementwise and ⊕-sums the non-output axes one at a time: no
contraction path, no matmul kernel, only the semiring's own add and mul.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, CatlearnError, NonCommutativeError, SpecError
from catlearn.laws import close
from catlearn.laws.strategies import arrays
from catlearn.semirings import (
    GF2,
    Boolean,
    Counting,
    Dual,
    Fuzzy,
    Log,
    Lukasiewicz,
    MaxPlus,
    MinPlus,
    Product,
    Real,
    Semiring,
    TopK,
    Viterbi,
    Zn,
    contract,
    einsum,
)
from catlearn.semirings.contraction import _parse

SIZES = {"i": 2, "j": 3, "k": 2, "l": 3, "b": 2, "a": 2, "c": 3, "d": 2, "e": 2}


def brute_force(S: Semiring, labels, out, *operands):
    every = sorted({lab for ix in labels for lab in ix}, key=str)
    full = None
    for x, ix in zip(operands, labels):
        nidx = len(ix)
        perm = [ix.index(lab) for lab in every if lab in ix]

        def expand(leaf, perm=perm, ix=ix, nidx=nidx):
            leaf = leaf.transpose(tuple(perm) + tuple(range(nidx, np.ndim(leaf))))
            shape = [SIZES_OF[lab] if lab in ix else 1 for lab in every]
            return leaf.reshape(tuple(shape) + leaf.shape[nidx:])

        x = jax.tree.map(expand, x)
        full = x if full is None else S.mul(full, x)
    current = list(every)
    for lab in [lab for lab in every if lab not in out]:
        full = S.sum(full, current.index(lab))
        current.remove(lab)
    perm = [current.index(lab) for lab in out]
    nidx = len(current)
    return jax.tree.map(
        lambda leaf: leaf.transpose(tuple(perm) + tuple(range(nidx, np.ndim(leaf)))), full
    )


SIZES_OF = {}

SPECS = [
    "ij,jk->ik",
    "ij,jk,kl->il",
    "bij,bjk->bik",
    "i,i->",
    "ij->ji",
    "ij,kl->ijkl",
    "abc,cd,db,ae->e",
]
JITTABLE = [
    Real(),
    Log(),
    MaxPlus(),
    MinPlus(),
    Viterbi(),
    Boolean(),
    GF2,
    Zn(5),
    Fuzzy(),
    Lukasiewicz(),
    Dual(),
    TopK(2),
    Product(Log(), MinPlus()),
]


def _check(S, spec, data):
    labels, out = _parse(spec, [len(t) for t in spec.split("->")[0].split(",")])
    SIZES_OF.clear()
    SIZES_OF.update(SIZES)
    ops = [data.draw(arrays(S, tuple(SIZES[lab] for lab in ix))) for ix in labels]
    got = einsum(S, spec, *ops)
    want = brute_force(S, labels, out, *ops)
    assert close(got, want), (spec, got, want)


@pytest.mark.parametrize("S", JITTABLE + [Counting()], ids=repr)
@pytest.mark.parametrize("spec", SPECS[:4])
@settings(max_examples=3)
@given(data=st.data())
def test_einsum_matches_brute_force(S, spec, data):
    _check(S, spec, data)


@pytest.mark.parametrize("S", [Real(), Log(), MaxPlus(), TopK(2)], ids=repr)
@pytest.mark.parametrize("spec", SPECS[4:])
@settings(max_examples=3)
@given(data=st.data())
def test_einsum_more_shapes(S, spec, data):
    _check(S, spec, data)


def test_real_matches_numpy_einsum():
    rng = np.random.default_rng(0)
    for spec, shapes in [
        ("ij,jk->ik", [(5, 4), (4, 3)]),
        ("abc,cd,db,ae->e", [(2, 3, 4), (4, 5), (5, 3), (2, 6)]),
        ("ii->i", [(4, 4)]),
        ("iij,jk->ik", [(3, 3, 2), (2, 5)]),
        ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 2)]),
        ("ij,jk", [(3, 4), (4, 2)]),
        ("i,j->", [(3,), (4,)]),
    ]:
        ops = [rng.normal(size=s).astype(np.float32) for s in shapes]
        got = einsum(Real(), spec, *ops)
        np.testing.assert_allclose(got, np.einsum(spec, *ops), rtol=1e-5, atol=1e-5)


def test_structured_carrier_diagonal():
    x = jnp.arange(9.0).reshape(3, 3)
    got = einsum(Dual(), "ii->i", (x, x + 1))
    np.testing.assert_array_equal(got[0], jnp.diag(x))
    np.testing.assert_array_equal(got[1], jnp.diag(x) + 1)


def test_contract_takes_any_hashable_labels():
    a, b = jnp.ones((2, 3)), jnp.ones((3, 4))
    got = contract(Real(), [a, b], [[("wire", 0), 7], [7, None]], [None, ("wire", 0)])
    np.testing.assert_array_equal(got, 3 * jnp.ones((4, 2)))


def test_zero_size_contraction_gives_zero():
    got = einsum(MaxPlus(), "ij,jk->ik", jnp.ones((2, 0)), jnp.ones((0, 3)))
    assert got.shape == (2, 3) and bool(jnp.all(got == -jnp.inf))


def test_einsum_composes_with_jit_vmap_grad():
    a, b = jnp.ones((4, 3)), jnp.ones((3, 2))
    f = jax.jit(lambda a, b: einsum(Log(), "ij,jk->ik", a, b))
    np.testing.assert_allclose(f(a, b), np.log(3.0) + 2.0, rtol=1e-6)
    batched = jax.vmap(lambda a: einsum(Log(), "ij,jk->ik", a, b))(jnp.stack([a, a]))
    assert batched.shape == (2, 4, 2)
    g = jax.grad(lambda a: einsum(Log(), "ij,jk->ik", a, b).sum())(a)
    np.testing.assert_allclose(g, 2 * jnp.ones((4, 3)) / 3, rtol=1e-6)


@pytest.mark.parametrize(
    "spec, shapes, match",
    [
        ("ij,jk->ik", [(2, 3), (4, 5)], "index 'j' has size 3 in operand 0 but 4 in operand 1"),
        ("ij,jk->ik", [(2, 3)], "names 2 operands, got 1"),
        ("ijk,jk->ik", [(2, 3), (3, 4)], "operand 0 has 2 index axes"),
        ("ij,jk->iz", [(2, 3), (3, 4)], "output index 'z' appears in no operand"),
        ("ij,jk->ii", [(2, 3), (3, 4)], "repeat an index"),
        ("i1,1k->ik", [(2, 3), (3, 4)], "invalid index character"),
    ],
)
def test_bad_specs_are_spec_errors(spec, shapes, match):
    ops = [jnp.ones(s) for s in shapes]
    with pytest.raises(SpecError, match=match) as caught:
        einsum(Real(), spec, *ops)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, CatlearnError)


def test_non_commutative_semiring_is_refused():
    class LeftTimes(Real):
        name = "LeftTimes"
        commutative = False

    with pytest.raises(NonCommutativeError, match="LeftTimes") as caught:
        einsum(LeftTimes(), "ij,jk->ik", jnp.ones((2, 2)), jnp.ones((2, 2)))
    assert isinstance(caught.value, TypeError)


def test_spec_must_be_a_string():
    with pytest.raises(ArgumentTypeError, match="must be a string"):
        einsum(Real(), ["ij"], jnp.ones((2, 2)))
