"""The array-circuit law suites pass on catlearn's own constructions and catch mutants."""

from functools import partial

import pytest

from catlearn import laws
from catlearn.diagrams.arrays import simplify
from catlearn.functors import array_derivatives as ad
from catlearn.laws import LawViolation
from catlearn.semirings import GF2, Real, Zn

FAST = ("compiled_matches_reference", "scalar_form_agrees", "agrees_with_vjp")


@pytest.mark.parametrize("ring", [Real(), Zn(7), GF2], ids=repr)
def test_reverse_derivative_laws_hold(ring):
    suite = laws.array_reverse_derivative(ring)
    for law in suite.laws:  # the laws that compile a program per circuit draw fewer
        law.check(max_examples=3 if law.name in FAST else 12)


@pytest.mark.parametrize("ring", [Real(), Zn(7)], ids=repr)
def test_simplifier_laws_hold(ring):
    laws.array_simplifier(ring).check(max_examples=40)


def _bad_matmul(b, op, xs, dy):  # the second cotangent negated: wrong, shapes right
    da, dc = ad.ARRAY_RULES["matmul"](b, op, xs, dy)
    return da, b.neg(dc)


def _bad_broadcast(b, op, xs, dy):  # reads one copy instead of summing the copies
    sx, shape, dims = b.shapes[xs[0]], b.shapes[dy], op.attr("dims")
    out = dy
    for axis in reversed(range(len(shape))):
        if axis not in dims or sx[dims.index(axis)] != shape[axis]:
            out = b.sum(b.slice(out, axis, 0, 1), (axis,))
    return (b.reshape(out, sx),)


def _scan_forgets_ys(b, op, xs, dys):  # only the final carries' cotangents flow back
    k = op.attr("n_carries")
    return ad.ARRAY_RULES["scan"](b, op, xs, dys[:k] + (None,) * (len(dys) - k))


def _scan_wrong_way(b, op, xs, dys):  # the steps taken in the forward scan's order
    flipped = dict(op.attrs)
    flipped["reverse"] = not flipped["reverse"]
    return ad.ARRAY_RULES["scan"](b, op._replace(attrs=tuple(sorted(flipped.items()))), xs,
                                  dys)


@pytest.mark.parametrize("rule,bad", [("matmul", _bad_matmul), ("broadcast", _bad_broadcast),
                                      ("scan", _scan_forgets_ys), ("scan", _scan_wrong_way)])
def test_soundness_catches_a_wrong_rule(rule, bad):
    wrong = partial(ad.reverse_derivative, rules={**ad.ARRAY_RULES, rule: bad})
    scans = "always" if rule == "scan" else "never"  # draws what the wrong rule touches
    suite = laws.array_reverse_derivative(Zn(7), wrong, scans=scans)
    with pytest.raises(LawViolation, match="soundness"):
        suite["soundness"].check(max_examples=200, shrink=False)


def test_the_axioms_alone_miss_a_wrong_rule():
    """RD1–RD7 hold for any R built from per-generator rules (reference/laws.md §6):
    only soundness catches the wrong one."""
    wrong = partial(ad.reverse_derivative, rules={**ad.ARRAY_RULES, "matmul": _bad_matmul})
    laws.array_reverse_derivative(Zn(7), wrong)["rd2_additive"].check(max_examples=30)


def _merges_sums(c):
    """A simplifier that rewrites x + x as x: wrong in every ring but GF2's 2 = 0 … and
    wrong there too."""
    from catlearn.diagrams.arrays import ArrayBuilder

    b = ArrayBuilder(c.input_shapes)
    ids = list(b.inputs) + [None] * (len(c.shapes) - c.n_inputs)
    for op in c.ops:
        xs = [ids[w] for w in op.ins]
        if op.kind == "add" and xs[0] == xs[1]:
            ids[op.out] = xs[0]
        else:
            for w, new in zip(op.outs, b._copy_all(op, xs, c.shapes)):
                ids[w] = new
    return simplify(b.build([ids[w] for w in c.outputs]))


def test_simplifier_suite_catches_a_wrong_rewrite():
    with pytest.raises(LawViolation, match="same_function"):
        laws.array_simplifier(Zn(7), _merges_sums)["same_function"].check(max_examples=300)


def test_simplifier_suite_catches_growth():
    def grows(c):
        from catlearn.diagrams.arrays import ArrayBuilder

        b = ArrayBuilder(c.input_shapes)
        outs = b.apply(c, b.inputs)
        return b.build([b.neg(b.neg(w)) for w in outs])

    with pytest.raises(LawViolation, match="never_grows"):
        laws.array_simplifier(Real(), grows)["never_grows"].check(max_examples=20)


@pytest.mark.parametrize("ring", [Real(), Zn(7), GF2], ids=repr)
def test_forms_laws_hold(ring):
    laws.array_forms(ring).check(max_examples=25)


def test_forms_suite_catches_a_lift_that_reads_weights_transposed():
    from catlearn.diagrams.arrays import blocking as arraylift

    def transposed(h):
        real = arraylift._blocks

        def swapped(net, terms):
            return [(t, x0, k, w0, "columns" if lay == "rows" else "rows", b0)
                    for t, x0, k, w0, lay, b0 in real(net, terms)]

        arraylift._blocks = swapped
        try:
            return arraylift.lift(h)
        finally:
            arraylift._blocks = real

    with pytest.raises(LawViolation, match="lift_keeps_dense_layers"):
        laws.array_forms(Zn(7), transposed)["lift_keeps_dense_layers"].check(max_examples=200)
