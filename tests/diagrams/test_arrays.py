"""ArrayBuilder: shapes checked where a generator is added, wires refused across builders."""

from fractions import Fraction

import numpy as np
import pytest

from catlearn.diagrams.arrays import ArrayBuilder, simplify, to_scalar
from catlearn.errors import PolycircError, ShapeError


def test_shapes_follow_the_generators():
    b = ArrayBuilder([(2, 3, 4), (2, 4, 5), ()])
    a, c, s = b.inputs
    m = b.matmul(a, c)
    assert b.shape(m) == (2, 3, 5)
    assert b.shape(b.sum(m, (0, 2))) == (3,)
    assert b.shape(b.broadcast(s, (2, 2), ())) == (2, 2)
    assert b.shape(b.broadcast_to(b.sum(m, 0), (7, 3, 5))) == (7, 3, 5)
    assert b.shape(b.transpose(m, (2, 0, 1))) == (5, 2, 3)
    assert b.shape(b.reshape(m, (30,))) == (30,)
    assert b.shape(b.concatenate([m, m], -1)) == (2, 3, 10)
    assert b.shape(b.slice(m, 1, 1, 3)) == (2, 2, 5)
    assert b.shape(b.constant(Fraction(1, 2), (4,))) == (4,)


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda b, x, y: b.matmul(x, x), "do not multiply"),
        (lambda b, x, y: b.add(x, y), "broadcast one first"),
        (lambda b, x, y: b.sum(x, 2), "not an axis"),
        (lambda b, x, y: b.sum(x, (0, 0)), "repeat"),
        (lambda b, x, y: b.reshape(x, (5,)), "as many elements"),
        (lambda b, x, y: b.transpose(x, (0,)), "permutation"),
        (lambda b, x, y: b.broadcast(x, (2, 4), (0, 1)), "cannot become"),
        (lambda b, x, y: b.broadcast(x, (2, 3), (1, 0)), "increasing"),
        (lambda b, x, y: b.slice(x, 0, 1, 3), "not within"),
        (lambda b, x, y: b.concatenate([x, y], 0), "differ off axis"),
        (lambda b, x, y: b.constant(0.5, (2,)), None),
    ],
)
def test_bad_generators_are_refused_naming_themselves(build, match):
    b = ArrayBuilder([(2, 3), (3, 2)])
    x, y = b.inputs
    error = PolycircError if match is None else ShapeError
    with pytest.raises(error, match=match):
        build(b, x, y)


def test_wires_of_another_builder_are_refused():
    one, two = ArrayBuilder([(2,)]), ArrayBuilder([(2,)])
    (x,) = one.inputs
    with pytest.raises(PolycircError, match="another builder"):
        two.neg(x)
    with pytest.raises(PolycircError, match="does not exist"):
        one.neg(5)


def test_scalar_form_counts_the_gates_a_matmul_stands_for():
    b = ArrayBuilder([(3, 4), (4, 2)])
    h = to_scalar(b.build([b.matmul(*b.inputs)]))
    assert (len(h.dom), len(h.cod)) == (20, 6)
    assert h.n_boxes == 6 * 4 + 6 * 3  # products, then balanced sums of 4


def test_simplify_folds_shares_and_drops():
    b = ArrayBuilder([(2, 2)])
    (x,) = b.inputs
    three = b.sum(b.constant(1, (3, 2)), (0,))  # folds to a fill of 3
    twice = [b.mul(x, b.broadcast(three, (2, 2), (1,))) for _ in range(2)]  # shared
    b.neg(x)  # dead
    s = simplify(b.build([b.add(*twice)]))
    assert s.count() == {"constant": 1, "mul": 1, "add": 1}
    assert np.prod(s.shapes[s.ops[0].out]) == 4
