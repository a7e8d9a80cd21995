"""find_runs: paths of like boxes in an open hypergraph, cut wherever the wiring leaks."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.diagrams import Box, Hypergraph, Ty
from catlearn.functors.runs import Run, find_runs

x, y = Ty("x"), Ty("y")


def chain(boxes):
    return Hypergraph.sequential([Hypergraph.from_box(b) for b in boxes])


def line(n, targets=None, extra_reads=(), wire_types=None):
    """Boxes 0..n-1, box i reads wire i and writes wire i + 1; each wire in ``extra_reads``
    is also read by a tap box (ids n, n + 1, …) writing a fresh wire."""
    wires = list(wire_types or [x] * (n + 1))
    boxes = [Box(f"b{i}", x, x) for i in range(n)]
    ins, outs = [[i] for i in range(n)], [[i + 1] for i in range(n)]
    for w in extra_reads:
        boxes.append(Box("tap", x, x))
        ins.append([w])
        outs.append([len(wires)])
        wires.append(x)
    return Hypergraph.build(wires, boxes, ins, outs, [0], [n] if targets is None else targets)


def test_a_uniform_chain_is_one_run():
    graph = chain([Box(f"f{i}", x, x) for i in range(6)])
    (run,) = find_runs(graph, ["A"] * 6)
    assert run == Run((0, 1, 2, 3, 4, 5), 1)
    assert run.repeats == 6
    assert run.slot(0) == (0, 1, 2, 3, 4, 5)


def test_the_run_follows_data_flow_not_box_ids():
    # Box ids 2, 0, 1 in data-flow order: wire 0 → box 2 → wire 1 → box 0 → … → box 1.
    graph = Hypergraph.build(
        [x] * 4, [Box("a", x, x)] * 3, [[1], [2], [0]], [[2], [3], [1]], [0], [3]
    )
    assert find_runs(graph, ["A"] * 3) == [Run((2, 0, 1), 1)]


def test_a_period_two_chain():
    f, g = Box("f", x, y), Box("g", y, x)
    graph = chain([f, g] * 4)
    (run,) = find_runs(graph, ["F", "G"] * 4)
    assert run == Run(tuple(range(8)), 2)
    assert run.repeats == 4
    assert run.slot(0) == (0, 2, 4, 6) and run.slot(1) == (1, 3, 5, 7)


def test_a_head_box_of_another_kind_is_left_out():
    graph = chain([Box("head", x, x)] + [Box(f"f{i}", x, x) for i in range(5)])
    assert find_runs(graph, ["H"] + ["A"] * 5) == [Run((1, 2, 3, 4, 5), 1)]


def test_a_copied_wire_ends_the_run():
    # Wire 3 (box 2's output) is read by box 3 and by a tap: box 2 → box 3 is no link.
    graph = line(6, extra_reads=[3])
    kinds = ["A"] * 6 + [None]
    assert find_runs(graph, kinds) == [Run((0, 1, 2), 1), Run((3, 4, 5), 1)]
    # Without the tap it is one run.
    assert find_runs(line(6), ["A"] * 6) == [Run(tuple(range(6)), 1)]


def test_a_wire_read_twice_by_one_box_ends_the_run():
    # Box 2 reads wire 2 on both of its inputs: a copy inside the box.
    wires = [x] * 7
    boxes = [Box("a", x, x)] * 2 + [Box("m", x @ x, x)] + [Box("a", x, x)] * 3
    ins = [[0], [1], [2, 2], [3], [4], [5]]
    outs = [[1], [2], [3], [4], [5], [6]]
    graph = Hypergraph.build(wires, boxes, ins, outs, [0], [6])
    kinds = ["A", "A", "M", "A", "A", "A"]
    assert find_runs(graph, kinds) == [Run((0, 1), 1), Run((3, 4, 5), 1)]


def test_a_boundary_wire_inside_a_chain_ends_the_run():
    # Wire 3 is also shown on the codomain: what box 2 writes leaves the diagram.
    graph = line(6, targets=[3, 6])
    assert find_runs(graph, ["A"] * 6) == [Run((0, 1, 2), 1), Run((3, 4, 5), 1)]
    # A domain wire shown twice (a diagonal) at the start also stops the first link.
    graph = Hypergraph.build([x] * 4, [Box("a", x, x)] * 3, [[0], [1], [2]], [[1], [2], [3]],
                             [0, 1], [3])  # fmt: skip
    assert find_runs(graph, ["A"] * 3) == [Run((1, 2), 1)]


def test_a_box_without_a_kind_breaks_the_run():
    graph = chain([Box(f"f{i}", x, x) for i in range(7)])
    kinds = ["A", "A", "A", None, "A", "A", "A"]
    assert find_runs(graph, kinds) == [Run((0, 1, 2), 1), Run((4, 5, 6), 1)]


def test_two_parallel_chains_give_two_runs():
    left = chain([Box(f"f{i}", x, x) for i in range(4)])
    right = chain([Box(f"g{i}", y, y) for i in range(3)])
    runs = find_runs(left @ right, ["F"] * 4 + ["G"] * 3)
    assert sorted(runs) == [Run((0, 1, 2, 3), 1), Run((4, 5, 6), 1)]


def test_multi_wire_boxes_chain_in_order():
    f = Box("f", x @ y, x @ y)
    assert find_runs(chain([f] * 5), ["F"] * 5) == [Run(tuple(range(5)), 1)]
    # Outputs crossed before the next box (x ⊗ x, swapped): inputs ≠ outputs in order.
    g = Box("g", x @ x, x @ x)
    crossed = Hypergraph.build(
        [x] * 8, [g] * 3, [[0, 1], [3, 2], [4, 5]], [[2, 3], [4, 5], [6, 7]], [0, 1], [6, 7]
    )
    assert find_runs(crossed, ["G"] * 3) == [Run((1, 2), 1)]


def test_a_box_reading_more_than_its_predecessor_writes_is_no_link():
    # Box 2 reads box 1's output and the domain wire 5: x ⊗ x → x. Called alike, it
    # still does not follow box 1, nor start a block (two wires in, one out).
    boxes = [Box("a", x, x)] * 2 + [Box("m", x @ x, x)] + [Box("a", x, x)] * 2
    ins, outs = [[0], [1], [2, 5], [3], [4]], [[1], [2], [3], [4], [6]]
    graph = Hypergraph.build([x] * 7, boxes, ins, outs, [0, 5], [6])
    kinds = ["A"] * 5
    assert find_runs(graph, kinds) == [Run((0, 1), 1), Run((3, 4), 1)]


def test_wire_kinds_must_close_the_block():
    # Six like boxes on wires of kinds s, t, s, t, …: a one-box block maps s to t (no
    # scan carry); a two-box block maps s to s.
    graph = line(6)
    kinds = ["A"] * 6
    alternating = ["s", "t"] * 3 + ["s"]
    assert find_runs(graph, kinds, wire_kinds=alternating) == [Run(tuple(range(6)), 2)]
    assert find_runs(graph, kinds, wire_kinds=["s"] * 7) == [Run(tuple(range(6)), 1)]
    # Every wire its own kind: no block closes.
    assert find_runs(graph, kinds, wire_kinds=list(range(7))) == []


def test_wire_kinds_mismatch_refuses_a_period_two_block():
    # Kinds F G F G F G on wires of kinds s t u s t u s: the block F G maps s to u.
    graph = line(6)
    kinds = ["F", "G"] * 3
    assert find_runs(graph, kinds, wire_kinds=list("stustus")) == []
    assert find_runs(graph, kinds, wire_kinds=list("stststs")) == [Run(tuple(range(6)), 2)]
    assert find_runs(graph, kinds) == [Run(tuple(range(6)), 2)]  # kinds alone would take it


def test_min_repeats_is_respected():
    graph = chain([Box(f"f{i}", x, x) for i in range(3)])
    assert find_runs(graph, ["A"] * 3, min_repeats=3) == [Run((0, 1, 2), 1)]
    assert find_runs(graph, ["A"] * 3, min_repeats=4) == []
    periodic = chain([Box("f", x, y), Box("g", y, x)] * 3)
    assert find_runs(periodic, ["F", "G"] * 3, min_repeats=3) == [Run(tuple(range(6)), 2)]
    assert find_runs(periodic, ["F", "G"] * 3, min_repeats=4) == []


def test_max_period_is_respected():
    boxes = [Box("f", x, y), Box("g", y, y), Box("h", y, x)] * 3
    graph = chain(boxes)
    kinds = ["F", "G", "H"] * 3
    assert find_runs(graph, kinds) == [Run(tuple(range(9)), 3)]
    assert find_runs(graph, kinds, max_period=2) == []


def test_a_cycle_of_boxes_is_not_followed_forever():
    # Box 0 writes what box 1 reads and back: no boundary, a loop of two boxes.
    graph = Hypergraph.build([x] * 2, [Box("a", x, x)] * 2, [[0], [1]], [[1], [0]], [], [])
    runs = find_runs(graph, ["A"] * 2)
    assert all(len(set(r.boxes)) == len(r.boxes) for r in runs)


@settings(max_examples=40)
@given(
    st.lists(st.sampled_from(["A", "B", "C", None]), min_size=1, max_size=30),
    st.sets(st.integers(1, 29)),
    st.integers(1, 4),
)
def test_runs_are_valid_disjoint_and_leave_no_like_neighbours_out(kinds, taps, period):
    """Random kinds along a line, some wires tapped: every run is a linked path whose kinds
    repeat its first block, runs are disjoint, and no two linked like boxes are both left out."""
    n = len(kinds)
    taps = sorted(w for w in taps if w < n)
    graph = line(n, extra_reads=taps)
    all_kinds = list(kinds) + [None] * len(taps)
    runs = find_runs(graph, all_kinds, max_period=period)
    covered = [i for run in runs for i in run.boxes]
    assert len(covered) == len(set(covered))
    linked = {i: i + 1 for i in range(n - 1) if i + 1 not in taps}
    for run in runs:
        assert 1 <= run.period <= period and run.repeats >= 2
        assert len(run.boxes) == run.period * run.repeats
        for a, b in zip(run.boxes, run.boxes[1:]):
            assert linked.get(a) == b
        block = [kinds[i] for i in run.boxes[: run.period]]
        assert None not in block
        assert [kinds[i] for i in run.boxes] == block * run.repeats
    for a, b in linked.items():
        if kinds[a] is not None and kinds[a] == kinds[b]:
            assert a in covered or b in covered, (kinds, taps, runs)
    # A wire that is tapped is never inside a run.
    for run in runs:
        inner = {i + 1 for i in run.boxes[:-1]}
        assert not inner & set(taps)
    assert np.all(np.diff([r.boxes[0] for r in runs]) > 0)
