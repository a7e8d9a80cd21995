"""Exact carriers stay exact: counts past 2^63, Z/n without overflow, provenance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy

from catlearn.errors import ArgumentValueError, HostOnlyError, SpecError
from catlearn.semirings import GF2, Counting, Polynomial, Zn, einsum, evaluate


def test_count_above_2_to_the_70_is_exact():
    # Walks of length 80 in the complete graph on 2 nodes with self-loops: 2^80 per pair.
    C = Counting()
    a = C.asarray([[1, 1], [1, 1]])
    walks = C.asarray([[1, 0], [0, 1]])
    for _ in range(80):
        walks = einsum(C, "ij,jk->ik", walks, a)
    assert walks[0, 1] == 2**79 and isinstance(walks[0, 1], int)
    total = einsum(C, "ij->", walks)
    assert total.item() == 2**81


def test_counting_rejects_floats_negatives_and_traces():
    C = Counting()
    with pytest.raises(SpecError, match="exact"):
        C.asarray([1.5])
    with pytest.raises(SpecError, match="natural"):
        C.asarray([-1])
    with pytest.raises(HostOnlyError):
        jax.jit(lambda x: C.asarray(x))(jnp.ones(2, dtype=jnp.int32))


def test_zn_matmul_never_overflows():
    Z = Zn(46341)  # (n−1)² is just under 2^31: products fit, sums must be reduced
    k = 64
    a = jnp.full((1, 1, k), 46340, dtype=jnp.int32)
    got = int(Z.matmul(a, a.transpose(0, 2, 1))[0, 0, 0])
    assert got == (46340 * 46340 * k) % 46341


def test_gf2_is_xor_and():
    a = GF2.asarray([[1, 1], [0, 1]])
    assert einsum(GF2, "ij,jk->ik", a, a).tolist() == [[1, 0], [0, 1]]
    assert GF2.neg(jnp.array(1)).item() == 1


def test_zn_validation():
    with pytest.raises(ArgumentValueError, match="2 ≤ n ≤ 46341, got 1"):
        Zn(1)
    with pytest.raises(SpecError, match="integers"):
        Zn(5).asarray(jnp.array([1.5]))


def test_polynomial_provenance_then_evaluate():
    x, y = sympy.symbols("x y")
    P = Polynomial()
    a = P.asarray([[x, y]])
    b = P.asarray([[y], [x]])
    prov = einsum(P, "ij,jk->ik", a, b)
    assert sympy.expand(prov[0, 0] - 2 * x * y) == 0
    assert evaluate({x: 3, y: 4}, Counting())(prov).tolist() == [[24]]


def test_evaluate_rejects_non_polynomials():
    x = sympy.Symbol("x")
    with pytest.raises(SpecError, match="natural coefficients"):
        evaluate({x: 1}, Counting())(np.asarray(x - 1, dtype=object))
    with pytest.raises(SpecError, match="no value given"):
        evaluate({}, Counting())(np.asarray(x, dtype=object))
