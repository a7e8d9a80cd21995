"""TruncatedPolynomial: the semiring laws, and truncation checked against sympy."""

import jax.numpy as jnp
import numpy as np
import pytest
import sympy
from hypothesis import strategies as st

from catlearn import laws
from catlearn.errors import ArgumentTypeError, ArgumentValueError, LawViolation
from catlearn.laws.strategies import dyadic
from catlearn.semirings.truncated import TruncatedPolynomial


def coefficients(S):
    """Elements of S with dyadic coefficients: ⊕ and ⊗ stay exact in float32."""
    return st.tuples(*[dyadic(-2, 2, 4)] * (S.degree + 1)).map(S.asarray)


def test_the_semiring_laws_hold():
    # Degree 2 has a carry into every coefficient but the first; a few batches suffice.
    S = TruncatedPolynomial(2)
    laws.semiring(S, elements=coefficients(S)).check(max_examples=2)


class KeepsTooMuch(TruncatedPolynomial):
    """A mutant whose ⊗ leaves out the cross terms of the top coefficient."""

    def mul(self, a, b):
        right = super().mul(a, b)
        return right[:-1] + (a[0] * b[-1],)


def test_the_law_suite_catches_a_wrong_product():
    S = KeepsTooMuch(2)
    with pytest.raises(LawViolation, match="commutativity"):
        suite = laws.semiring(S, elements=coefficients(S))
        suite["multiplicative_commutativity"].check(max_examples=10, shrink=False)


def test_products_are_the_low_coefficients_of_sympy_products():
    t = sympy.Symbol("t")
    rng = np.random.default_rng(0)
    S = TruncatedPolynomial(3)
    polys = [rng.integers(-3, 4, size=5) for _ in range(3)]  # degree 4: above the cut
    exact = sympy.expand(sympy.prod(sum(int(c) * t**k for k, c in enumerate(p)) for p in polys))
    # Inputs of degree > 3 are truncated first: the homomorphism commutes with ⊗.
    out = S.one
    out = S.asarray(out)
    for p in polys:
        out = S.mul(out, S.asarray(tuple(float(c) for c in p[:4])))
    want = [float(exact.coeff(t, k)) for k in range(4)]
    assert [c.item() for c in out] == want


def test_constants_variables_and_coefficients():
    S = TruncatedPolynomial(2)
    x = S.add(S.constant(jnp.array([2.0, 3.0])), S.variable((2,)))
    square = S.mul(x, x)
    assert S.index_shape(square) == (2,)
    assert [S.coefficient(square, k).tolist() for k in range(3)] == [
        [4.0, 9.0],
        [4.0, 6.0],
        [1.0, 1.0],
    ]
    assert S.neg(x)[1].tolist() == [-1.0, -1.0]
    assert S.sum(square, axis=0)[0].item() == 13.0
    assert TruncatedPolynomial(0).variable()[0].item() == 0.0  # t vanishes at degree 0


def test_bad_elements_and_degrees_are_refused():
    S = TruncatedPolynomial(2)
    with pytest.raises(ArgumentTypeError, match="tuples of 3 coefficient arrays"):
        S.asarray((1.0, 2.0))
    with pytest.raises(ArgumentTypeError, match="coefficient 1"):
        S.asarray((1.0, "x", 0.0))
    with pytest.raises(ArgumentValueError, match="k"):
        S.coefficient(S.asarray(S.one), 3)
    with pytest.raises(ArgumentValueError, match="degree"):
        TruncatedPolynomial(-1)
    with pytest.raises(ArgumentTypeError, match="degree"):
        TruncatedPolynomial(1.5)
