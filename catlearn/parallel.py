"""Data parallelism through JAX's own sharding: the batch split over a device mesh.

catlearn's compiled functions are jitted pure functions, so they run
SPMD on whatever sharding their inputs carry: shard the batch axis over a
``jax.sharding.Mesh``, replicate the parameters, call as usual. XLA
partitions the program, and the result comes back sharded the same way::

    >>> import jax, jax.numpy as jnp
    >>> from catlearn.diagrams import Ty, nn
    >>> from catlearn.functors import FunctionFunctor
    >>> x, y = Ty("x"), Ty("y")
    >>> model = nn.Dense(x, y, "tanh", name="layer")
    >>> F = FunctionFunctor({x: 3, y: 2})
    >>> mesh = data_mesh()                       # every device, one axis "batch"
    >>> params = replicate(F.init(model, jax.random.key(0)), mesh)
    >>> batch = shard_batch(jnp.ones((8, 3)), mesh)
    >>> batch.sharding.spec
    P('batch',)
    >>> F.compile(model).apply(params, batch).shape
    (8, 2)

``catlearn.learn.fit(..., mesh=mesh)`` trains with every mini-batch
split the same way. Across hosts the recipe is JAX's: call
``jax.distributed.initialize()`` on every host first; ``data_mesh()``
then spans all hosts' devices, and each host passes its own rows to
``shard_batch(local_rows, mesh, local=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from catlearn.errors import ArgumentTypeError, ShardingError

AXIS = "batch"
"""The name of the mesh axis that ``data_mesh`` builds and batches are sharded along."""


def data_mesh(devices: Sequence[jax.Device] | None = None, axis: str = AXIS) -> Mesh:
    """A one-axis mesh over ``devices`` (default: every device of every process)."""
    devices = jax.devices() if devices is None else list(devices)
    if not devices:
        raise ShardingError("data_mesh needs at least one device")
    for i, d in enumerate(devices):
        if not isinstance(d, jax.Device):
            raise ArgumentTypeError(
                f"devices[{i}] is a {type(d).__name__}, not a jax.Device (see jax.devices())"
            )
    if not isinstance(axis, str):
        raise ArgumentTypeError(f"axis: a mesh axis is named by a str, got {type(axis).__name__}")
    return Mesh(np.asarray(devices), (axis,))


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """Axis 0 split over the mesh's (first) axis, the other axes whole."""
    _require_mesh(mesh)
    return NamedSharding(mesh, PartitionSpec(mesh.axis_names[0]))


def replicated(mesh: Mesh) -> NamedSharding:
    """A full copy on every device of the mesh."""
    _require_mesh(mesh)
    return NamedSharding(mesh, PartitionSpec())


def shard_batch(tree: Any, mesh: Mesh, *, local: bool = False) -> Any:
    """Every array leaf of ``tree`` with its axis 0 split over ``mesh``.

    With ``local=True`` (multi-host) each process passes only its own rows,
    and the global batch is their concatenation in process order.
    """
    sharding = batch_sharding(mesh)
    n = mesh.devices.size
    per_process = n // jax.process_count() if local else n

    def put(path: Any, leaf: Any) -> Any:
        where = jax.tree_util.keystr(path) or "the batch"
        if not hasattr(leaf, "shape"):
            hint = " (a list is a pytree of its items: pass np.asarray(...))" if path else ""
            raise ArgumentTypeError(
                f"{where} is a {type(leaf).__name__} {leaf!r:.30}, not an array{hint}"
            )
        shape = np.shape(leaf)
        if not shape or shape[0] % per_process:
            raise ShardingError(
                f"{where} has shape {shape}: its axis 0 must split evenly over "
                f"{per_process} devices"
            )
        if local:
            return jax.make_array_from_process_local_data(sharding, np.asarray(leaf))
        return jax.device_put(leaf, sharding)

    return jax.tree_util.tree_map_with_path(put, tree)


def replicate(tree: Any, mesh: Mesh) -> Any:
    """Every leaf of ``tree`` (parameters) copied to every device of ``mesh``."""
    sharding = replicated(mesh)

    def put(path: Any, leaf: Any) -> Any:
        try:
            return jax.device_put(leaf, sharding)
        except (TypeError, ValueError) as e:
            where = jax.tree_util.keystr(path) or "the tree"
            raise ArgumentTypeError(
                f"{where} is a {type(leaf).__name__} {leaf!r:.30}, not an array ({e})"
            ) from e

    return jax.tree_util.tree_map_with_path(put, tree)


def _require_mesh(mesh: Any) -> None:
    if not isinstance(mesh, Mesh):
        raise ArgumentTypeError(
            f"mesh: expected a jax.sharding.Mesh (see data_mesh()), got {type(mesh).__name__}"
        )


__all__ = [
    "AXIS",
    "ShardingError",
    "batch_sharding",
    "data_mesh",
    "replicate",
    "replicated",
    "shard_batch",
]
