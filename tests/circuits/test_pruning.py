"""Pruning by flows and growing by duplication, on random normalised PCs: each result is
compared with an enumeration of every assignment, evaluated node by node in numpy."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn.circuits import (
    Circuit,
    CircuitBuilder,
    CircuitError,
    TensorizedPC,
    em,
    flows,
    grow,
    normalized_log_weights,
    prune,
    random_binary_tree,
)
from catlearn.circuits.circuit import CONST, LEAF, SUM
from catlearn.circuits.pruning import smallest_flows
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws.random_circuits import assignments, circuits
from catlearn.semirings import Log


def probabilities(c: Circuit, rows: np.ndarray) -> np.ndarray:
    """The root's value on each row (-1: summed out), node by node in float64 (the oracle)."""
    w, offsets = c.edge_weights(), c.child_offsets
    values = np.zeros((c.n_nodes, len(rows)))
    for v in range(c.n_nodes):
        kids = c.children[offsets[v] : offsets[v + 1]]
        if c.kind[v] == LEAF:
            seen = rows[:, c.var[v] - 1]
            values[v] = (seen < 0) | (seen == c.state[v])
        elif c.kind[v] == CONST:
            values[v] = c.state[v]
        elif c.kind[v] == SUM:
            values[v] = w[offsets[v] : offsets[v + 1]] @ values[kids]
        else:
            values[v] = values[kids].prod(axis=0)
    return values[c.roots[0]]


def sum_parents(c: Circuit) -> np.ndarray:
    """Each edge's parent, where the parent is a ⊕ node; -1 elsewhere."""
    parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
    return np.where(c.kind[parent] == SUM, parent, -1)


def reweighted(c: Circuit, weights: np.ndarray) -> Circuit:
    """``c`` with these edge weights, each ⊕ node's renormalised to sum to one."""
    parent = sum_parents(c)
    total = np.bincount(parent + 1, weights, minlength=c.n_nodes + 1)[parent + 1]
    weights = np.where((parent >= 0) & (total > 0), weights / np.where(total > 0, total, 1), 1.0)
    return Circuit.from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots,
                               c.n_states, weights, c.decision)  # fmt: skip


def every_row(n_vars: int) -> np.ndarray:
    """Every assignment, and every one with its first variable summed out."""
    full = assignments(n_vars)
    return np.concatenate([full, np.where(np.arange(n_vars) == 0, -1, full)])


def greedy_removed(c: Circuit, edge_flows: np.ndarray, fraction: float, inputs: bool) -> list:
    """The flows of the edges a one-at-a-time prune removes: smallest flow first, skipping
    an edge that is its ⊕ node's last (and, unless ``inputs``, edges into leaves)."""
    parent = sum_parents(c)
    left = np.bincount(parent[parent >= 0], minlength=c.n_nodes)
    into_leaf = np.isin(c.kind[c.children], [LEAF, CONST])
    prunable = np.flatnonzero((parent >= 0) & (inputs | ~into_leaf))
    quota = int(fraction * prunable.size)
    removed = []
    for e in sorted(prunable, key=lambda e: edge_flows[e]):
        if len(removed) < quota and left[parent[e]] > 1:
            left[parent[e]] -= 1
            removed.append(edge_flows[e])
    return sorted(removed)


def prunes_the_smallest(c, data, fraction, inputs, select=smallest_flows) -> bool:
    f = flows(c, data)
    removed = select(c, f.edges, fraction, inputs)
    return np.allclose(sorted(f.edges[removed]), greedy_removed(c, f.edges, fraction, inputs))


random_pcs = circuits((1, 4), deterministic=False, weighted=True, max_depth=3)


@settings(max_examples=5)
@given(random_pcs, st.sampled_from([0.0, 0.3, 0.5, 1.0]), st.booleans(), st.integers(0, 2**32 - 1))
def test_prune_removes_the_smallest_flows_and_keeps_the_structure(c, fraction, inputs, seed):
    c = reweighted(c, np.random.default_rng(seed).uniform(0.1, 1.0, c.n_edges))
    data = np.random.default_rng(seed).integers(-1, 2, size=(8, c.n_vars))
    f = flows(c, data)
    removed = smallest_flows(c, f.edges, fraction, inputs)
    assert np.allclose(sorted(f.edges[removed]), greedy_removed(c, f.edges, fraction, inputs))
    pruned = prune(c, f, fraction, inputs=inputs)
    assert pruned.is_smooth() and pruned.is_decomposable()
    # The same distribution as zeroing the removed weights and renormalising each node.
    expected = reweighted(c, np.where(removed, 0.0, c.edge_weights()))
    rows = every_row(c.n_vars)
    assert np.allclose(probabilities(pruned, rows), probabilities(expected, rows))
    # Unreachable nodes are gone; no ⊕ node lost its last edge.
    below = np.zeros(pruned.n_nodes, bool)
    below[pruned.children] = below[pruned.roots] = True
    assert below.all()
    assert pruned.n_edges <= c.n_edges - removed.sum()
    if fraction == 1.0 and inputs:
        assert all(len(pruned.children_of(v)) == 1 for v in np.flatnonzero(pruned.kind == SUM))
    if not inputs and np.all(probabilities(c, rows) > 0):  # full support stays full
        assert np.all(probabilities(pruned, rows) > 0)


def test_a_prune_of_the_largest_flows_is_caught(bernoulli_mixture):
    pc = bernoulli_mixture([[0.1, 0.9, 0.8], [0.8, 0.3, 0.4], [0.5, 0.5, 0.6]], [0.5, 0.3, 0.2])
    data = np.array([[0, 1, 1], [0, 1, -1], [1, 0, 0], [0, 1, 1], [1, 1, 0]])
    assert prunes_the_smallest(pc, data, 0.5, inputs=True)

    def largest(c, edge_flows, fraction, inputs):
        return smallest_flows(c, -edge_flows, fraction, inputs)

    assert not prunes_the_smallest(pc, data, 0.5, True, largest)


@settings(max_examples=5)
@given(random_pcs, st.integers(0, 2**32 - 1))
def test_grow_keeps_the_distribution_without_noise_and_the_structure(c, seed):
    c = reweighted(c, np.random.default_rng(seed).uniform(0.1, 1.0, c.n_edges))
    key = jax.random.key(seed)
    rows = every_row(c.n_vars)
    same = grow(c, key, noise=0.0)
    assert np.allclose(probabilities(same, rows), probabilities(c, rows))
    shaken = grow(c, key, noise=0.5)
    for g in (same, shaken):
        assert g.is_smooth() and g.is_decomposable() and g.n_edges >= c.n_edges
    assert np.isclose(probabilities(shaken, -np.ones((1, c.n_vars), int))[0], 1.0)  # normalised


def test_grow_with_noise_changes_the_distribution_and_doubles_the_units(bernoulli_mixture):
    # The oracle comparison above can fail: a perturbed copy is another distribution.
    pc = bernoulli_mixture([[0.2, 0.9], [0.7, 0.4]], [0.3, 0.7])
    big = grow(pc, jax.random.key(0), noise=0.5)
    rows = every_row(2)
    assert not np.allclose(probabilities(big, rows), probabilities(pc, rows), atol=1e-3)
    assert (big.kind == SUM).sum() == 2 * (pc.kind == SUM).sum() - 1  # the root has no copy
    assert big.n_edges == 2 * 2 + 8 * 2 + 4 * 2  # root, leaf units, products


def test_em_and_gradient_training_run_on_a_pruned_grown_pc():
    tpc = TensorizedPC(random_binary_tree(4), units=2)
    pc = tpc.to_circuit(tpc.init(jax.random.key(0)))
    rng = np.random.default_rng(0)
    data = (rng.random((64, 4)) < [0.9, 0.8, 0.2, 0.5]).astype(np.int64)  # flows' batch
    data[rng.random(data.shape) < 0.1] = -1
    pruned = prune(pc, data, 0.5)
    grown = grow(pruned, jax.random.key(1), noise=0.2)
    assert pruned.n_edges < pc.n_edges and grown.n_edges > pruned.n_edges
    assert np.all(probabilities(pruned, every_row(4)) > 0)  # the input units kept their states
    # An EM step sets each ⊕ node's weights to its edges' share of the flows.
    fit = em(grown, data, steps=1)
    assert np.isfinite(fit.log_likelihood[0]) and fit.log_likelihood[1] >= fit.log_likelihood[0]
    f, parent = flows(grown, data), sum_parents(grown)
    total = np.bincount(parent + 1, f.edges, minlength=grown.n_nodes + 1)[parent + 1]
    on = (parent >= 0) & (total > 0)
    assert np.allclose(fit.circuit.weights[on], f.edges[on] / total[on], atol=1e-4)
    # Adam on free logits through the Log-semiring evaluator (the chain rule by jax.vjp:
    # the evaluator's backward pass is the one flows compiled, the softmax a small jit).
    compiled = grown.compile(Log())
    literals = compiled.params()["literals"]
    normalise = jax.jit(partial(normalized_log_weights, grown))

    def mean_ll(log_weights):
        return compiled.apply({"weights": log_weights, "literals": literals}, data).mean()

    logits = jnp.log(jnp.asarray(grown.edge_weights(), jnp.float32))
    opt = optax.adam(0.05)
    update = jax.jit(opt.update)
    state, losses = opt.init(logits), []
    for _ in range(5):
        log_weights, pull = jax.vjp(normalise, logits)
        ll, grad = jax.value_and_grad(mean_ll)(log_weights)
        updates, state = update(pull(-grad)[0], state)
        logits, losses = optax.apply_updates(logits, updates), losses + [-float(ll)]
    assert losses[-1] < losses[0]


def test_bad_arguments_are_refused(bernoulli_mixture):
    pc = bernoulli_mixture([[0.2, 0.9]], [1.0])
    data = np.array([[0, 1]])
    for fraction in (1.5, -0.1, float("nan")):
        with pytest.raises(ArgumentValueError, match="fraction"):
            prune(pc, data, fraction)
    with pytest.raises(ArgumentTypeError, match="fraction"):
        prune(pc, data, "half")
    other = bernoulli_mixture([[0.2, 0.9], [0.5, 0.5]], [0.5, 0.5])
    with pytest.raises(CircuitError, match="flows given are of a circuit with 14 edges"):
        prune(pc, flows(other, data), 0.5)
    with pytest.raises(CircuitError, match=r"data\[0, 1\] = 3"):
        prune(pc, np.array([[0, 3]]), 0.5)
    b = CircuitBuilder()
    unsmooth = b.build([b.sum([b.literal(1), b.literal(2)])])
    with pytest.raises(CircuitError, match="prune needs a smooth circuit"):
        prune(unsmooth, data, 0.5)
    with pytest.raises(ArgumentTypeError, match="PRNG key"):
        grow(pc, 0)
    with pytest.raises(ArgumentValueError, match="noise"):
        grow(pc, jax.random.key(0), noise=-1.0)


def test_a_node_held_only_by_a_zero_weight_leaf_edge_keeps_its_largest_flow():
    """Regression (found in review): the leaf edge of weight 0 counted as holding the node
    up, so its one positive edge could go and the circuit became identically zero."""
    from catlearn.circuits import CircuitBuilder

    b = CircuitBuilder()
    x1, nx1 = b.literal(1), b.literal(1, False)
    inner = b.sum([x1, nx1], [0.5, 0.5])
    pc = b.build([b.sum([x1, inner], [0.0, 1.0])])
    small = prune(pc, np.array([[1], [0]]), 1.0)
    assert small.wmc({}) == pytest.approx(1.0)
