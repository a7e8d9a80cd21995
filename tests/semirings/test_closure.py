"""closure(S, A) = I ⊕ A ⊕ A² ⊕ …: shortest paths, reachability, path sums."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import DivergenceError, NotClosedError, SpecError
from catlearn.semirings import (
    Boolean,
    Counting,
    Dual,
    MaxPlus,
    MinPlus,
    Real,
    closure,
    einsum,
)

INF = np.inf


def floyd_warshall(w):
    d = np.array(w, dtype=np.float64)
    n = len(d)
    np.fill_diagonal(d, np.minimum(np.diag(d), 0.0))
    for k in range(n):
        d = np.minimum(d, d[:, k : k + 1] + d[k : k + 1, :])
    return d


def random_graph(rng, n, p=0.4):
    w = rng.integers(1, 9, size=(n, n)).astype(np.float32)
    return np.where(rng.random((n, n)) < p, w, INF)


def test_minplus_closure_is_all_pairs_shortest_paths():
    rng = np.random.default_rng(0)
    for n in (1, 5, 12):
        w = random_graph(rng, n)
        np.testing.assert_array_equal(closure(MinPlus(), w), floyd_warshall(w))


def test_minplus_negative_cycle_diverges():
    # Concrete input: the series has no value, so closure refuses; under jit the
    # check cannot run and −∞ marks the pairs through the cycle.
    w = np.array([[INF, 1.0, INF], [-3.0, INF, INF], [INF, INF, INF]], dtype=np.float32)
    with pytest.raises(DivergenceError, match="MinPlus diverges: the cycles through node 1"):
        closure(MinPlus(), w)
    got = np.asarray(jax.jit(lambda w: closure(MinPlus(), w))(w))
    assert got[0, 0] == -INF and got[1, 0] == -INF and got[2, 2] == 0.0 and got[0, 2] == INF


def test_boolean_closure_is_reachability():
    adj = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]], dtype=bool)
    reach = np.asarray(closure(Boolean(), adj))
    want = np.eye(4, dtype=bool)
    for _ in range(4):
        want = want | (want.astype(int) @ adj.astype(int) > 0)
    np.testing.assert_array_equal(reach, want)


def test_closure_satisfies_the_matrix_star_equation():
    rng = np.random.default_rng(2)
    w = random_graph(rng, 7)
    for S in (MinPlus(), Boolean()):
        a = S.asarray(w < 5) if S == Boolean() else S.asarray(w)
        star = closure(S, a)
        rhs = S.add(S.eye(7), einsum(S, "ij,jk->ik", a, star))
        np.testing.assert_array_equal(star, rhs)


def test_real_closure_is_the_inverse_and_jits():
    a = jnp.array([[0.1, 0.2], [0.3, 0.1]])
    want = np.linalg.inv(np.eye(2) - np.asarray(a))
    np.testing.assert_allclose(closure(Real(), a), want, rtol=1e-5)
    np.testing.assert_allclose(jax.jit(lambda a: closure(Real(), a))(a), want, rtol=1e-5)


def test_real_closure_diverges_clearly():
    with pytest.raises(DivergenceError, match="spectral radius 1.5") as caught:
        closure(Real(), jnp.array([[1.5]]))
    assert isinstance(caught.value, ValueError)


def test_maxplus_positive_cycle_diverges():
    w = np.array([[-INF, 1.0], [1.0, -INF]], dtype=np.float32)
    with pytest.raises(DivergenceError, match="MaxPlus diverges"):
        closure(MaxPlus(), w)
    assert np.all(np.asarray(jax.jit(lambda w: closure(MaxPlus(), w))(w)) == INF)


def test_dual_closure_differentiates_the_inverse():
    a = jnp.array([[0.2, 0.1], [0.0, 0.3]])
    da = jnp.array([[1.0, 0.0], [0.0, 0.0]])
    value, tangent = closure(Dual(), (a, da))
    f = lambda a: jnp.linalg.inv(jnp.eye(2) - a)  # noqa: E731
    want_value, want_tangent = jax.jvp(f, (a,), (da,))
    np.testing.assert_allclose(value, want_value, rtol=1e-5)
    np.testing.assert_allclose(tangent, want_tangent, rtol=1e-5)


def test_closure_errors():
    with pytest.raises(NotClosedError, match="Counting") as caught:
        closure(Counting(), [[1]])
    assert isinstance(caught.value, TypeError)
    with pytest.raises(SpecError, match="square"):
        closure(MinPlus(), jnp.ones((2, 3)))
    with pytest.raises(NotClosedError, match="no star"):
        Counting().star(Counting().asarray(1))
