"""Where a compiled diagram keeps each box's parameters: its own entry, or a stacked one.

The boxes at one position of a run of like boxes (every ``Dense`` layer of
a deep stack, say) keep their parameters **stacked**: one params entry
whose leaves have a leading axis, one row per box, named after the first
and last box (``"d0..d999"``). A scan reads the stack as it is, so no call
stacks or unstacks anything. Every other box keeps its own entry, keyed by
its name. The params are still a plain ``dict`` of arrays (or of pytrees of
arrays): optax, ``jax.tree`` utilities, pickle, ``np.savez(**params)`` and
``catlearn.parallel.replicate`` take them as they are::

    >>> import jax.numpy as jnp
    >>> layout = Layout({"w0..w2": ("w0", "w1", "w2")})
    >>> params = layout.stack({"w0": jnp.zeros(2), "w1": jnp.ones(2), "w2": jnp.zeros(2),
    ...                        "head": jnp.ones(3)})
    >>> sorted(params), params["w0..w2"].shape
    (['head', 'w0..w2'], (3, 2))
    >>> layout.entry(params, "w1").tolist()       # one box's weights, wherever they live
    [1.0, 1.0]
    >>> sorted(layout.unstack(params))
    ['head', 'w0', 'w1', 'w2']
    >>> layout.replace(params, "w1", jnp.full(2, 7.0))["w0..w2"].tolist()
    [[0.0, 0.0], [7.0, 7.0], [0.0, 0.0]]

A compiled diagram accepts either form of each group (per-box entries are
stacked inside the program, which is slower); both in one params is an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph
from catlearn.errors import MissingImageError, ParameterConflictError, ShapeError
from catlearn.functors.boxes import signature_of
from catlearn.functors.parameters import require_params
from catlearn.functors.runs import Run, find_runs


def stack_key(names: tuple[str, ...]) -> str:
    """The params key of a stack of boxes' entries: ``"first..last"``."""
    return f"{names[0]}..{names[-1]}"


class Layout:
    """``groups``: stacked key ↦ the names of its rows, in order. Immutable."""

    def __init__(self, groups: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.groups = dict(groups or {})
        self._row = {
            name: (key, k) for key, names in self.groups.items() for k, name in enumerate(names)
        }

    def __repr__(self) -> str:
        return f"Layout({self.groups!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layout) and other.groups == self.groups

    def __hash__(self) -> int:
        return hash(tuple(self.groups.items()))

    def row(self, name: str) -> tuple[str, int] | None:
        """``(stacked key, row)`` holding ``name``'s parameters, or None (its own entry)."""
        return self._row.get(name)

    # -- conversions ---------------------------------------------------------
    def stack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Per-box entries → this layout (groups already stacked are kept)."""
        params = require_params(params)
        out = {name: value for name, value in params.items() if name not in self._row}
        for key, names in self.groups.items():
            present = [n for n in names if n in params]
            if key in params:
                _refuse_both(key, present)
                continue
            if not present:
                continue
            missing = [n for n in names if n not in params]
            if missing:
                raise MissingImageError(
                    f"params has {present[0]!r} but not {missing[0]!r}: the entries "
                    f"{key!r} stacks come all together ({len(names)} of them)"
                )
            out[key] = _stack([params[n] for n in names])
        return out

    def unstack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """This layout → one entry per box name."""
        params = require_params(params)
        out = {name: value for name, value in params.items() if name not in self.groups}
        for key, names in self.groups.items():
            if key not in params:
                continue
            _refuse_both(key, [n for n in names if n in params])
            value = self._rows(params, key)
            for k, name in enumerate(names):
                out[name] = jax.tree.map(lambda leaf, k=k: leaf[k], value)
        return out

    def entry(self, params: Mapping[str, Any], name: str, box: Any = None) -> Any:
        """The parameters of the box named ``name``: its entry, or its row of a stack."""
        found = self._row.get(name)
        if found is not None and found[0] in params:
            key, k = found
            _refuse_both(key, [name] if name in params else [])
            return jax.tree.map(lambda leaf: leaf[k], self._rows(params, key))
        if name in params:
            return params[name]
        where = f"box {signature_of(box)}" if box is not None else f"the box {name!r}"
        inside = f" (or row {found[1]} of {found[0]!r})" if found else ""
        raise MissingImageError(
            f"{where} has no entry {name!r}{inside} in params "
            f"(entries: {sorted(map(str, params))}); make params with init"
        )

    def _rows(self, params: Mapping[str, Any], key: str) -> Any:
        """``params[key]``, checked to hold one row per box of its group (JAX would clamp
        an index past the end: a silent wrong answer)."""
        n = len(self.groups[key])
        value = params[key]
        for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
            if np.ndim(leaf) == 0 or np.shape(leaf)[0] != n:
                raise ShapeError(
                    f"params[{key!r}]{jax.tree_util.keystr(path)} has shape "
                    f"{np.shape(leaf)}; it stacks {n} boxes' entries on its first axis"
                )
        return value

    def replace(self, params: Mapping[str, Any], name: str, value: Any) -> dict[str, Any]:
        """A copy of ``params`` with the box ``name``'s parameters set to ``value``."""
        params = dict(require_params(params))
        found = self._row.get(name)
        if name in params or found is None or found[0] not in params:
            params[name] = value
            return params
        key, k = found
        old = self._rows(params, key)
        if jax.tree.structure(old) != jax.tree.structure(value):
            raise ShapeError(
                f"replace {name!r}: the value's structure {jax.tree.structure(value)} differs "
                f"from the rows of {key!r}, {jax.tree.structure(old)}"
            )
        for leaf, v in zip(jax.tree.leaves(old), jax.tree.leaves(value)):
            if np.shape(v) != np.shape(leaf)[1:]:  # .at[k].set would broadcast it silently
                raise ShapeError(
                    f"replace {name!r}: a value of shape {np.shape(v)} for a row of shape "
                    f"{np.shape(leaf)[1:]} in {key!r}"
                )
        params[key] = jax.tree.map(lambda leaf, v: leaf.at[k].set(v), old, value)
        return params

    def stacked(self, params: Mapping[str, Any], key: str, box: Any = None) -> Any:
        """The stack ``key`` as stored (one row per box of its group, checked), or built
        from per-box entries."""
        names = self.groups[key]
        present = [name for name in names if name in params]
        if key in params:
            _refuse_both(key, present)
            return self._rows(params, key)
        return _stack([self.entry(params, name, box) for name in names])


def _stack(entries: list) -> Any:
    """Entries stacked on a new first axis; concrete ones on the host, since XLA takes
    a second to compile a concatenation of a thousand operands."""
    if any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(entries)):
        return jax.tree.map(lambda *xs: jnp.stack(xs), *entries)
    return jax.tree.map(lambda *xs: jnp.asarray(np.stack([np.asarray(x) for x in xs])), *entries)


def _refuse_both(key: str, present: list[str]) -> None:
    if present:
        raise ParameterConflictError(
            f"params holds both the stack {key!r} and its row {present[0]!r}: "
            "keep one form (see Layout.stack / Layout.unstack)"
        )


# Runs shorter than this many boxes keep one entry per box (a small model keeps
# the names its user gave); longer ones are stacked.
STACK_MIN = 8


class Slot(NamedTuple):
    """One position of a run's block: ``kind`` is "stacked" (``key`` is the stack's
    params key), "tied" (one box every time, ``key`` its entry), or "fixed" (no params)."""

    kind: str
    key: str | None
    boxes: tuple[int, ...]


def plan(
    graph: Hypergraph,
    kinds: Sequence[Hashable | None],
    wire_kinds: Sequence[Hashable],
    names: Sequence[str | None],
    others: Collection[str] = (),
    min_boxes: int = STACK_MIN,
) -> tuple[list[tuple[Run, tuple[Slot, ...]]], Layout]:
    """The runs worth a loop, what each block position reads, and the params layout.

    ``names[i]`` is box ``i``'s params entry (None: it has none); ``others`` are the
    entries read by something else than the graph's boxes (symbols, inner cells). A
    position whose boxes share one entry is tied; one whose
    boxes own distinct entries, used nowhere else, is stacked; a run with any other
    position (some entries shared, some not) stays unrolled.
    """
    uses = Counter(n for n in names if n is not None)
    others = set(others)
    taken = others | set(uses)
    planned, groups = [], {}
    for run in find_runs(graph, kinds, wire_kinds):
        if len(run.boxes) < min_boxes:
            continue
        slots = []
        for j in range(run.period):
            boxes = run.slot(j)
            entries = [names[i] for i in boxes]
            if all(e is None for e in entries):
                slots.append(Slot("fixed", None, boxes))
            elif None in entries:
                break
            elif len(set(entries)) == 1:
                slots.append(Slot("tied", entries[0], boxes))
            elif len(set(entries)) == len(entries) and all(
                uses[e] == 1 and e not in others for e in entries
            ):
                key = stack_key(tuple(entries))
                if key in taken or key in groups:
                    break
                slots.append(Slot("stacked", key, boxes))
            else:
                break
        if len(slots) != run.period:
            continue
        for slot in slots:
            if slot.kind == "stacked":
                groups[slot.key] = tuple(names[i] for i in slot.boxes)
        planned.append((run, tuple(slots)))
    return planned, Layout(groups)
