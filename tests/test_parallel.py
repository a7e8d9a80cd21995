"""A batch sharded over 4 (virtual CPU) devices gives what one device gives.

JAX fixes its device count when it starts, so the checks run in a fresh
interpreter with ``--xla_force_host_platform_device_count=4``.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np, optax
    assert jax.device_count() == 4, jax.devices()
    from catlearn.diagrams import Ty, nn, polycirc
    from catlearn.functors import FunctionFunctor, RingFunctor
    from catlearn.circuits import CircuitBuilder
    from catlearn.learn import fit
    from catlearn.parallel import ShardingError, data_mesh, replicate, shard_batch
    from catlearn.semirings import GF2, Log

    mesh = data_mesh()

    def quarters(a):
        shards = a.addressable_shards
        assert len(shards) == 4, len(shards)
        assert all(s.data.shape[0] == a.shape[0] // 4 for s in shards)

    # A model diagram: sharded batch, replicated parameters.
    x, h, y = Ty("x"), Ty("h"), Ty("y")
    model = nn.Dense(x, h, "tanh", name="enc") >> nn.Linear(h, y, name="head")
    F = FunctionFunctor({x: 3, h: 8, y: 2})
    f = F.compile(model)
    params = F.init(model, jax.random.key(0))
    batch = jax.random.normal(jax.random.key(1), (16, 3))
    sharded = shard_batch(batch, mesh)
    quarters(sharded)
    out = f.apply(replicate(params, mesh), sharded)
    quarters(out)
    np.testing.assert_allclose(out, f.apply(params, batch), rtol=1e-6, atol=1e-6)

    # A circuit: evidence sharded over the batch.
    b = CircuitBuilder()
    xs = [b.literal(v, s) for v in (1, 2) for s in (True, False)]
    c = b.build([b.sum([b.product([xs[0], xs[3]]), b.product([xs[1], xs[2]])])])
    g = c.compile(Log())
    ev = np.random.default_rng(0).integers(-1, 2, size=(8, 2)).astype(np.int32)
    got = g(shard_batch(jnp.asarray(ev), mesh))
    np.testing.assert_allclose(got, g(ev), rtol=1e-6)

    # A polynomial circuit over GF2.
    p = RingFunctor(GF2).compile(polycirc.matvec(2, 3))
    bits = np.random.default_rng(1).integers(0, 2, size=(8, 9))
    np.testing.assert_array_equal(p(shard_batch(jnp.asarray(bits), mesh)), p(bits))

    # Training: each mini-batch split over the mesh; same result as one device.
    data = (batch, jnp.tanh(batch[:, :2]))
    mse = lambda pred, t: jnp.mean((pred - t) ** 2)
    kw = dict(optimizer=optax.adam(0.05), epochs=3, batch_size=8, key=jax.random.key(2),
              progress=False)
    p1, h1 = fit(f.apply, params, data, mse, mesh=mesh, **kw)
    p0, h0 = fit(f.apply, params, data, mse, **kw)
    np.testing.assert_allclose(h1.loss, h0.loss, rtol=1e-5)
    assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(p1))

    # Errors name the culprit.
    try:
        shard_batch({"x": jnp.ones((6, 3))}, mesh)
    except ShardingError as e:
        assert "['x']" in str(e) and "4 devices" in str(e), e
    else:
        raise AssertionError("6 rows over 4 devices should be refused")
    try:
        fit(f.apply, params, data, mse, mesh=mesh, batch_size=6, progress=False)
    except ShardingError as e:
        assert "batch_size 6" in str(e), e
    else:
        raise AssertionError("a batch of 6 over 4 devices should be refused")
    print("sharded ok")
    """
)


@pytest.mark.slow
def test_sharded_batch_equals_one_device():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT))  # fmt: skip
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "sharded ok" in run.stdout
