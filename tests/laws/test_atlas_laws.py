"""The atlas and divergence law suites hold for the library and catch wrong operators."""

import numpy as np
import pytest

from catlearn import laws
from catlearn.circuits import Circuit, cross_entropy, elementwise_map, product
from catlearn.circuits.circuit import SUM
from catlearn.laws import LawViolation


@pytest.mark.parametrize("suite", [laws.atlas(), laws.divergences()], ids=lambda s: s.name)
def test_the_library_satisfies_its_laws(suite):
    suite.check(max_examples=5)


def _reweighted(c, node, weights):
    """``c`` with the edges of ⊕ node ``node`` weighted ``weights``."""
    w = c.edge_weights().copy()
    w[c.child_offsets[node] : c.child_offsets[node + 1]] = weights
    return Circuit.from_arrays(c.kind, c.child_offsets, c.children, c.var, c.state, c.roots,
                               c.n_states, w, c.decision)  # fmt: skip


def _last_sum(c):
    sums = np.flatnonzero(c.kind == SUM)
    return int(sums[-1]) if sums.size else None


def _product_ignoring_a_weight(c1, c2, vtree=None):
    """The product with the last ⊕ node's first weight read as 1."""
    out, report = product(c1, c2, vtree)
    node = _last_sum(out)
    if node is None:
        return out, report
    w = out.edge_weights()[out.child_offsets[node] : out.child_offsets[node + 1]].copy()
    w[0] = 1.0
    return _reweighted(out, node, w), report


def _power_skipping_a_node(c, tau, alpha=None):
    """A map that forgets to raise the last ⊕ node's weights."""
    out, report = elementwise_map(c, tau, alpha) if alpha is not None else elementwise_map(c, tau)
    node = _last_sum(c)
    if tau != "power" or node is None:
        return out, report
    original = c.edge_weights()[c.child_offsets[node] : c.child_offsets[node + 1]]
    return _reweighted(out, node, original), report


def test_a_product_that_ignores_a_weight_is_caught():
    with pytest.raises(LawViolation, match="atlas::product"):
        laws.atlas(product=_product_ignoring_a_weight)["product"].check(15, shrink=False)


def test_a_map_that_skips_a_node_is_caught():
    suite = laws.atlas(elementwise_map=_power_skipping_a_node)
    with pytest.raises(LawViolation, match="elementwise_map"):
        suite["elementwise_map"].check(25, shrink=False)


def test_a_compatibility_check_that_believes_everything_is_caught():
    with pytest.raises(LawViolation, match="atlas::compatible"):
        laws.atlas(compatible=lambda p, q: True)["compatible"].check(15, shrink=False)


def test_a_kl_that_forgets_the_entropy_term_is_caught():
    suite = laws.divergences(kl_divergence=cross_entropy)
    with pytest.raises(LawViolation, match="kl_divergence"):
        suite["kl_divergence"].check(15, shrink=False)
    with pytest.raises(LawViolation, match="kl_is_a_divergence"):
        suite["kl_is_a_divergence"].check(15, shrink=False)
