"""Circuit flows against their definition: the posterior expected use of each edge, by
enumerating every induced tree (sub-circuit) of small random circuits."""

from collections import Counter

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.circuits import Circuit, CircuitBuilder, CircuitError, Flows, flows
from catlearn.circuits.circuit import CONST, LEAF, SUM
from catlearn.errors import ArgumentTypeError
from catlearn.laws.random_circuits import circuits


def induced_trees(c: Circuit, row: np.ndarray) -> list:
    """Every induced tree T of the root: [(p(x, T), times T uses each edge, visits to each
    node)], by the definition, in Python floats (a ⊕ node picks one child, a ⊗ node all)."""
    w, offsets = c.edge_weights(), c.child_offsets
    memo: dict[int, list] = {}

    def trees(v: int) -> list:
        if v not in memo:
            kind, here = c.kind[v], Counter({v: 1})
            if kind == LEAF:
                seen = row[c.var[v] - 1]
                memo[v] = [(float(seen < 0 or seen == c.state[v]), Counter(), here)]
            elif kind == CONST:
                memo[v] = [(float(c.state[v]), Counter(), here)]
            elif kind == SUM:
                memo[v] = [
                    (w[e] * p, uses + Counter({e: 1}), visits + here)
                    for e in range(offsets[v], offsets[v + 1])
                    for p, uses, visits in trees(int(c.children[e]))
                ]
            else:
                out = [(1.0, Counter(), here)]
                for e in range(offsets[v], offsets[v + 1]):
                    out = [
                        (p * q, a + b + Counter({e: 1}), m + n)
                        for p, a, m in out
                        for q, b, n in trees(int(c.children[e]))
                    ]
                memo[v] = out
        return memo[v]

    return trees(int(c.roots[0]))


def tree_flows(c: Circuit, data: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(edge flows, node flows, examples): an edge's flow is Σ_T p(x, T) · (times T uses
    it) / Σ_T p(x, T), summed over the rows x of positive probability."""
    edges, nodes, examples = np.zeros(c.n_edges), np.zeros(c.n_nodes), 0.0
    for row in data:
        every = induced_trees(c, row)
        total = sum(p for p, _, _ in every)
        if total == 0:
            continue
        examples += 1
        for p, uses, visits in every:
            for e, k in uses.items():
                edges[e] += p * k / total
            for v, k in visits.items():
                nodes[v] += p * k / total
    return edges, nodes, examples


def agrees(c: Circuit, data: np.ndarray, compute=flows) -> bool:
    edges, nodes, examples = tree_flows(c, data)
    got = compute(c, data)
    close = dict(rtol=1e-4, atol=1e-4 * len(data))
    return (
        np.allclose(got.edges, edges, **close)
        and np.allclose(got.nodes, nodes, **close)
        and got.examples == examples
    )


@settings(max_examples=6)
@given(
    circuits((1, 4), deterministic=False, weighted=True, max_depth=3),
    st.integers(0, 2**32 - 1),
)
def test_flows_are_expected_edge_uses_by_enumeration(c, seed):
    data = np.random.default_rng(seed).integers(-1, 2, size=(6, c.n_vars))
    assert agrees(c, data)


def test_a_flow_computation_that_forgets_a_weight_is_caught(bernoulli_mixture):
    pc = bernoulli_mixture([[0.2, 0.9], [0.7, 0.4]], [0.3, 0.7])
    data = np.array([[1, 0], [0, -1], [1, 1]])

    def forgetful(c, data):  # reads the first ⊕ edge's weight (0.2) as 1
        parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
        w = c.edge_weights().copy()
        w[np.flatnonzero(c.kind[parent] == SUM)[0]] = 1.0
        arrays = (c.kind, c.child_offsets, c.children, c.var, c.state, c.roots, c.n_states)
        return flows(Circuit.from_arrays(*arrays, w), data)

    assert agrees(pc, data)
    assert not agrees(pc, data, forgetful)


def test_zero_probability_repeated_visits_weights_and_batches(bernoulli_mixture):
    b = CircuitBuilder()
    y = b.sum([b.literal(2), b.literal(2, False)], [0.25, 0.75])
    pc = b.build([b.sum([b.product([b.literal(1), y])], [1.0])])  # x₁ is always 1
    f = flows(pc, np.array([[0, 1], [1, -1], [1, 0]]))
    assert f.examples == 2.0  # the row with x₁ = 0 has probability 0: no flow
    assert np.allclose(f.edges[:2], [0.25 + 0.0, 0.75 + 1.0]) and f.nodes[-1] == 2.0
    # A node an induced tree visits twice (a constant, of empty scope) has flow 2 per row.
    b = CircuitBuilder()
    true = b.constant(True)
    twice = b.build([b.sum([b.product([b.literal(1), true, true]), b.literal(1, False)], [1, 3])])
    assert agrees(twice, np.array([[1], [-1]]))
    assert flows(twice, np.array([[1], [-1]])).nodes[true] == 2 * 1.25
    # A row of weight 2 is the row twice; many rows go through in padded batches.
    mix = bernoulli_mixture([[0.2, 0.9, 0.5], [0.7, 0.4, 0.1]], [0.3, 0.7])
    data = np.random.default_rng(0).integers(-1, 2, size=(100, 3))
    twice = flows(mix, data[:30], weights=np.full(30, 2.0))
    assert np.allclose(twice.edges, flows(mix, np.concatenate([data[:30]] * 2)).edges, rtol=1e-4)
    whole = flows(mix, jnp.asarray(data), batch_size=64)  # 64 + 36 rows
    parts = [flows(mix, data[:64]), flows(mix, data[64:])]
    assert whole.examples == 100.0 and isinstance(whole, Flows)
    assert np.allclose(whole.edges, parts[0].edges + parts[1].edges, rtol=1e-4)
    assert not whole.edges.flags.writeable


def test_bad_data_and_circuits_are_refused(bernoulli_mixture):
    pc = bernoulli_mixture([[0.2, 0.9]], [1.0])
    with pytest.raises(CircuitError, match=r"data must be \(batch, 2\)"):
        flows(pc, np.zeros((3, 3), int))
    with pytest.raises(CircuitError, match=r"data\[1, 0\] = 2: variable 1 has states 0..1"):
        flows(pc, np.array([[0, 1], [2, 0]]))
    with pytest.raises(ArgumentTypeError, match="integer states"):
        flows(pc, np.array([[0.5, 1.0]]))
    with pytest.raises(CircuitError, match=r"weights must have shape \(1,\)"):
        flows(pc, np.array([[0, 1]]), weights=[1.0, 1.0])
    with pytest.raises(CircuitError, match=r"weights\[0\] = -1.0 is not a finite number ≥ 0"):
        flows(pc, np.array([[0, 1]]), weights=[-1.0])
    with pytest.raises(ArgumentTypeError, match="batch_size"):
        flows(pc, np.array([[0, 1]]), batch_size=2.5)
    b = CircuitBuilder()
    x, y = b.literal(1), b.literal(2)
    with pytest.raises(CircuitError, match=r"flows needs a smooth circuit \(smooth\(\) makes it"):
        flows(b.build([b.sum([x, y])]), np.array([[0, 1]]))
    with pytest.raises(CircuitError, match="flows needs a decomposable circuit; node 3 is not"):
        flows(b.build([b.product([x, x])]), np.array([[0, 1]]))
    with pytest.raises(CircuitError, match="one root; this one has 2"):
        flows(b.build([x, y]), np.array([[0, 1]]))
    with pytest.raises(ArgumentTypeError, match="Circuit"):
        flows("pc", np.array([[0, 1]]))
