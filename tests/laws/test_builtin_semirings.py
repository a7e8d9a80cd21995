"""Every built-in semiring and homomorphism passes its suite, through the public API."""

import sympy

from catlearn import laws
from catlearn.semirings import (
    GF2,
    Boolean,
    Complex,
    Counting,
    Dual,
    Expectation,
    Fuzzy,
    Log,
    Lukasiewicz,
    MaxPlus,
    MinPlus,
    Polynomial,
    Product,
    Real,
    TopK,
    Viterbi,
    Zn,
    counting_to_boolean,
    evaluate,
    log_to_real,
    maxplus_to_viterbi,
    real_to_log,
    viterbi_to_maxplus,
)

BUILTINS = [
    Real(),
    Complex(),
    Log(),
    MaxPlus(),
    MinPlus(),
    Viterbi(),
    Boolean(),
    Counting(),
    GF2,
    Zn(7),
    Fuzzy(),
    Lukasiewicz(),
    Expectation,
    Dual(),
    Dual(GF2),
    TopK(3),
    Product(Log(), MaxPlus()),
    Product(Counting(), Boolean()),
    Polynomial(),
]

x, y, z = sympy.symbols("x y z")
HOMOMORPHISMS = [
    counting_to_boolean,
    real_to_log,
    log_to_real,
    viterbi_to_maxplus,
    maxplus_to_viterbi,
    evaluate({x: 2, y: 3, z: 0}, Counting()),
    evaluate({x: 1.5, y: -2.0, z: 0.0}, MinPlus()),
    evaluate({x: True, y: False, z: True}, Boolean()),
]

test_semiring = laws.combine("builtins", [laws.semiring(S) for S in BUILTINS]).pytest()
test_homomorphism = laws.combine("builtins", [laws.homomorphism(h) for h in HOMOMORPHISMS]).pytest()


def test_every_builtin_is_covered():
    names = {repr(S) for S in BUILTINS}
    assert {
        "Real",
        "Log",
        "MaxPlus",
        "MinPlus",
        "Viterbi",
        "Boolean",
        "Counting",
        "GF2",
        "Fuzzy",
        "Lukasiewicz",
        "Expectation",
        "Polynomial",
        "TopK(3)",
    } <= names
