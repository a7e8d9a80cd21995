"""ArrayBuilder: shapes checked where a generator is added, wires refused across builders."""

from fractions import Fraction

import numpy as np
import pytest

from catlearn.diagrams.arrays import ArrayBuilder, Op, simplify, to_scalar
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


def _running_sum():
    body = ArrayBuilder([(2,), (2,)])  # c, x → c + x, c·x
    c, x = body.inputs
    return body.build([body.add(c, x), body.mul(c, x)])


def test_scan_writes_final_carries_then_stacked_ys():
    b = ArrayBuilder([(2,), (5, 2)])
    outs = b.scan(_running_sum(), [b.inputs[0]], [b.inputs[1]], reverse=True)
    assert [b.shape(w) for w in outs] == [(2,), (5, 2)]
    c = b.build(outs)
    (op,) = c.ops
    assert list(op.outs) == list(c.outputs) and c.count() == {"scan": 1}
    assert hash(op) == hash(Op(*op))  # the body is hashable: simplify's CSE keys on it


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda b, c, x, s: b.scan(_running_sum(), [s], [x]), "carry 0"),
        (lambda b, c, x, s: b.scan(_running_sum(), [c], [c]), "stacked input 0"),
        (lambda b, c, x, s: b.scan(_running_sum(), [c], [x], length=4), "length is 4"),
        (lambda b, c, x, s: b.scan(_running_sum(), [c], []), "takes 2 inputs"),
        (lambda b, c, x, s: b.repeat(_running_sum(), c, x), "returns x alone"),
    ],
)
def test_bad_scans_are_refused_naming_the_culprit(build, match):
    b = ArrayBuilder([(2,), (3, 2), ()])
    with pytest.raises((ShapeError, PolycircError), match=match):
        build(b, *b.inputs)


def test_scan_without_stacked_inputs_needs_a_length():
    body = ArrayBuilder([()])
    twice = body.build([body.add(*body.inputs * 2)])
    b = ArrayBuilder([()])
    with pytest.raises(ShapeError, match="length"):
        b.scan(twice, b.inputs, [])
    assert b.shape(b.scan(twice, b.inputs, [], length=3)[0]) == ()


def test_simplify_simplifies_bodies_and_shares_equal_scans():
    body = ArrayBuilder([(2,), (2,)])
    c, x = body.inputs
    one = body.constant(1, (2,))
    block = body.build([body.add(body.mul(c, one), x)])  # c·1 + x: one add, once simplified
    b = ArrayBuilder([(2,), (3, 2)])
    first = b.repeat(block, *b.inputs)
    again = b.repeat(block, *b.inputs)
    s = simplify(b.build([b.add(first, again)]))
    assert s.count() == {"scan": 1, "add": 1}
    (scan,) = (op for op in s.ops if op.kind == "scan")
    assert scan.attr("body").count() == {"add": 1}


def test_scalar_form_unrolls_a_scan():
    b = ArrayBuilder([(2,), (3, 2)])
    h = to_scalar(b.build(b.scan(_running_sum(), [b.inputs[0]], [b.inputs[1]])))
    assert (len(h.dom), len(h.cod)) == (8, 8)
    assert h.n_boxes == 3 * 4  # per step: 2 adds, 2 muls


def test_scalar_form_unrolls_a_scan_over_scalar_slices():
    body = ArrayBuilder([(), ()])
    s = body.add(*body.inputs)
    b = ArrayBuilder([(), (3,)])
    h = to_scalar(b.build(b.scan(body.build([s, s]), [b.inputs[0]], [b.inputs[1]])))
    assert (len(h.dom), len(h.cod), h.n_boxes) == (4, 4, 3)


def test_simplify_keeps_reshapes_and_broadcasts_of_one_wire_to_different_shapes():
    """Regression: the CSE key once left the shape out, so reshape(x, (2, 3)) stood in for
    reshape(x, (3, 2)), and a broadcast to (2, 3) for one to (4, 3)."""
    import numpy as np

    from catlearn.functors import RingFunctor
    from catlearn.semirings import Real

    b = ArrayBuilder([(6,)])
    (x,) = b.inputs
    c = simplify(b.build([b.reshape(x, (2, 3)), b.reshape(x, (3, 2))]))
    assert [c.shapes[w] for w in c.outputs] == [(2, 3), (3, 2)]
    b = ArrayBuilder([(3,)])
    (x,) = b.inputs
    b.broadcast(x, (2, 3), (1,))
    total = b.sum(b.broadcast(x, (4, 3), (1,)), (0, 1))
    assert float(RingFunctor(Real()).compile(b.build([total]))(np.ones(3))) == 12.0


def test_a_constant_the_ring_lacks_is_refused_even_where_simplify_folds_it():
    from fractions import Fraction

    from catlearn.diagrams.arrays import lift
    from catlearn.diagrams.polycirc import Builder
    from catlearn.errors import PolycircError
    from catlearn.functors import RingFunctor
    from catlearn.semirings import Zn

    b = ArrayBuilder([(2,)])
    (x,) = b.inputs
    half_twice = b.sum(b.constant(Fraction(1, 2), (2,)), (0,))  # folds to 1 over Q
    c = b.build([b.mul(x, b.broadcast(half_twice, (2,), ()))])
    with pytest.raises(PolycircError, match="1/2"):
        RingFunctor(Zn(4)).compile(c)
    assert RingFunctor(Zn(7)).compile(c)([3, 1]).tolist() == [3, 1]  # 1/2 exists mod 7
    s = Builder(1)
    half = s.constant(Fraction(1, 2))
    h = s.build([s.mul(s.inputs[0], s.add(half, half))])
    with pytest.raises(PolycircError, match="1/2"):
        RingFunctor(Zn(4)).compile(lift(h))
