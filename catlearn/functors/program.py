"""``CompiledFunction``: a diagram under function semantics, as one traced program.

The open hypergraph is read as a dataflow graph: every wire has exactly
one writer (a domain position or a box output) and any number of
readers (copy and discard are free), and boxes run in topological
order. The program is written for one example and vectorised with
``vmap`` over the leading axes of the inputs; a diagram with
``Feedback`` boxes runs as one ``lax.scan`` over the leading (time) axis,
carrying every loop's state.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph
from catlearn.errors import ArgumentTypeError, WiringError
from catlearn.functors.boxes import ShapeError, converted
from catlearn.functors.layout import plan
from catlearn.functors.parameters import (
    check_shapes,
    claim,
    draw,
    entry_key,
    explain_leaves,
    require_key,
    require_params,
)
from catlearn.functors.scan import should_scan


class Morphism(NamedTuple):
    """What one box means: ``kind`` is "function", "layer" or "feedback"."""

    kind: str
    box: Any
    name: str
    init: Callable[[jax.Array], Any] | None
    run: Any  # the function, the layer's apply, or the feedback cell's CompiledFunction
    like: Any = None  # boxes with one (hashable) ``like`` differ at most in their params


class CompiledFunction:
    """``apply(params, *inputs)``: the diagram as a pure JAX function.

    Each input has shape ``batch + shape(wire)`` (one shared batch shape,
    possibly empty); with feedback loops, ``(time,) + batch + shape``. One
    output gives an array, several a tuple. ``bind(params)`` gives a
    callable with the parameters stored.
    """

    def __init__(self, functor: Any, graph: Hypergraph, params: Mapping | None = None) -> None:
        self.functor, self.graph = functor, graph
        self.specs = [functor.spec(t) for t in graph.wire_types]
        self.order = _schedule(graph)
        self.morphisms = [functor.image(box) for box in graph.boxes]
        self.loops = [i for i, m in enumerate(self.morphisms) if m.kind == "feedback"]
        self.stateful = bool(self.loops)
        self.params = params
        owners: dict[str, Any] = {}
        for m in self._all_morphisms():
            if m.kind == "layer":
                claim(owners, m.name, m.box)
        names = [m.name if m.kind == "layer" else None for m in self.morphisms]
        inner = [m.name for m in self._all_morphisms()[len(self.morphisms) :] if m.kind == "layer"]
        wire_kinds = [(tuple(s.shape), str(s.dtype)) for s in self.specs]
        kinds = [m.like for m in self.morphisms]
        self._planned, self.layout = plan(graph, kinds, wire_kinds, names, others=inner)
        # Runs worth a loop: first box ↦ (run, slots); their other boxes are skipped.
        self._runs = {
            run.boxes[0]: (run, slots)
            for run, slots in self._planned
            if should_scan(run.repeats, run.period)
        }
        self._in_run = {i for run, _ in self._runs.values() for i in run.boxes[1:]}
        self._jitted = jax.jit(self._run)

    # -- the public calling convention -------------------------------------
    @property
    def dom(self) -> list[tuple[int, ...]]:
        """The shape of one example on each domain wire."""
        return [tuple(self.specs[w].shape) for w in self.graph.sources]

    @property
    def cod(self) -> list[tuple[int, ...]]:
        return [tuple(self.specs[w].shape) for w in self.graph.targets]

    def apply(self, params: Mapping[str, Any], *inputs: Any) -> Any:
        """Run the diagram on ``inputs`` with ``params`` (from ``init``)."""
        params = require_params(params)
        inputs = self._check_inputs(inputs)
        # Under an outer transformation (jit, grad, vmap) the program is traced
        # inline: differentiating through a nested jit linearises it eqn by eqn,
        # which traced a 1,000-box model 2.3x slower than inlining.
        traced = any(isinstance(v, jax.core.Tracer) for v in jax.tree.leaves((params, inputs)))
        try:
            outputs = self._run(params, inputs) if traced else self._jitted(params, inputs)
        except TypeError:  # JAX refused a params leaf at the jit boundary: say which
            explain_leaves(params)
            raise
        return outputs[0] if len(outputs) == 1 else outputs

    def __call__(self, *inputs: Any) -> Any:
        if self.params is None:
            if any(m.kind == "layer" for m in self._all_morphisms()):
                raise ArgumentTypeError(
                    "this diagram has parameters: call .apply(params, *inputs) "
                    "or .bind(params)(*inputs)"
                )
            return self.apply({}, *inputs)
        return self.apply(self.params, *inputs)

    def bind(self, params: Mapping[str, Any]) -> CompiledFunction:
        """The same program with ``params`` stored, so that ``f(*inputs)`` runs it."""
        bound = object.__new__(CompiledFunction)
        bound.__dict__.update(self.__dict__)
        bound.params = require_params(params)
        return bound

    def init(self, key: jax.Array) -> dict[str, Any]:
        """One entry per layer box, keyed by its name; a box used twice is one entry."""
        key = require_key(key, "key")
        params: dict[str, Any] = {}
        for _, slots in self._planned:
            for slot in slots:
                if slot.kind == "stacked":  # like boxes: the first one's init draws every row
                    m = self.morphisms[slot.boxes[0]]
                    params[slot.key] = draw(m.init, key, self.layout.groups[slot.key])
                    rows = jax.tree.map(lambda a: a[0], params[slot.key])
                    for i in slot.boxes:
                        self._remember_shapes(self.morphisms[i].box, rows)
        for m in self._all_morphisms():
            if m.kind != "layer" or m.name in params or self.layout.row(m.name):
                continue  # compiling checked that one name is one box
            params[m.name] = m.init(entry_key(key, m.name))
            self._remember_shapes(m.box, params[m.name])
        return params

    # -- the params layout -------------------------------------------------
    def stack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One entry per box → this diagram's layout (runs' entries stacked)."""
        return self.layout.stack(params)

    def unstack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """This diagram's layout → one entry per box name."""
        return self.layout.unstack(params)

    def _remember_shapes(self, box: Any, value: Any) -> None:
        try:
            self.functor._param_shapes[box] = jax.tree.map(
                lambda a: jax.ShapeDtypeStruct(np.shape(a), jnp.result_type(a)), value
            )
        except TypeError:  # an unhashable box: its params are checked when they fail
            pass

    def _all_morphisms(self) -> list[Morphism]:
        """This program's morphisms, then those of its feedback cells."""
        found = list(self.morphisms)
        for m in self.morphisms:
            if m.kind == "feedback":
                found += m.run._all_morphisms()
        return found

    # -- checks before tracing ---------------------------------------------
    def _check_inputs(self, inputs: tuple) -> tuple:
        g = self.graph
        if len(inputs) != len(g.sources):
            raise ShapeError(
                f"the diagram has {len(g.sources)} input wires {self._describe(g.sources)}; "
                f"got {len(inputs)} inputs"
            )
        checked, batch = [], None
        for pos, (x, w) in enumerate(zip(inputs, g.sources.tolist())):
            if not isinstance(x, jax.Array):
                x = converted(f"input {pos} (wire {g.wire_types[w]})", jnp.asarray, x)
            spec = self.specs[w]
            if x.dtype != spec.dtype and not _fits(x.dtype, spec.dtype):
                raise ArgumentTypeError(
                    f"input {pos} (wire {g.wire_types[w]}) has dtype {x.dtype}; the wire "
                    f"carries {spec.dtype}"
                )
            want = tuple(spec.shape)
            shape = tuple(x.shape)
            if shape[len(shape) - len(want) :] != want or len(shape) < len(want):
                raise ShapeError(
                    f"input {pos} (wire {self.graph.wire_types[w]}) needs shape "
                    f"(batch...) + {want}, got {shape}"
                )
            lead = shape[: len(shape) - len(want)]
            if self.stateful and not lead:
                raise ShapeError(
                    f"input {pos}: a diagram with feedback reads sequences, "
                    f"shape (time, batch...) + {want}; got {shape}"
                )
            if batch is not None and lead != batch:
                raise ShapeError(
                    f"inputs have different leading (batch) shapes: {batch} and {lead} "
                    f"(input {pos}, wire {self.graph.wire_types[w]})"
                )
            batch = lead
            checked.append(x)
        if self.stateful and not checked:
            raise ShapeError("a diagram with feedback needs at least one input sequence")
        return tuple(checked)

    def _describe(self, wires: np.ndarray) -> str:
        return (
            "["
            + ", ".join(
                f"{self.graph.wire_types[w]}: {tuple(self.specs[w].shape)}" for w in wires.tolist()
            )
            + "]"
        )

    # -- the traced program ------------------------------------------------
    def _run(self, params: Mapping[str, Any], inputs: tuple) -> tuple:
        g = self.graph
        feature = [len(self.specs[w].shape) for w in g.sources.tolist()]
        if not inputs:
            outputs, _ = self.step(params, (), ())
            return outputs
        x0 = inputs[0]
        lead = x0.shape[: x0.ndim - feature[0]]
        if self.stateful:
            time, batch = lead[:1], lead[1:]
        else:
            time, batch = (), lead
        size = math.prod(batch)
        flat = tuple(
            x.reshape(time + (size,) + x.shape[x.ndim - k :]) for x, k in zip(inputs, feature)
        )
        step = jax.vmap(self.step, in_axes=(None, 0, 0))
        if self.stateful:
            state0 = jax.tree.map(
                lambda z: jnp.broadcast_to(z, (size,) + z.shape), self.initial_state()
            )
            _, outputs = jax.lax.scan(lambda s, xs: step(params, s, xs)[::-1], state0, flat)
        else:
            outputs, _ = step(params, (), flat)
        return tuple(y.reshape(time + batch + y.shape[len(time) + 1 :]) for y in outputs)

    def initial_state(self) -> tuple:
        """Every feedback loop's state before the first step: zeros."""
        return tuple(
            (
                tuple(
                    jnp.zeros(tuple(s.shape), s.dtype)
                    for s in (self.functor.spec(o) for o in self.morphisms[i].box.mem.inside)
                ),
                self.morphisms[i].run.initial_state(),
            )
            for i in self.loops
        )

    def step(self, params: Mapping[str, Any], state: tuple, inputs: tuple) -> tuple:
        """One example (one time step): (outputs, new state)."""
        g = self.graph
        values: list[Any] = [None] * g.n_wires
        for x, w in zip(inputs, g.sources.tolist()):
            values[w] = x
        new_state = list(state)
        for i in self.order:
            if i in self._in_run:
                continue
            ins, outs = g.box_wires(i)
            args = [values[w] for w in ins.tolist()]
            m = self.morphisms[i]
            if i in self._runs:
                run, slots = self._runs[i]
                outs = g.box_wires(run.boxes[-1])[1]
                result = self._scan(params, run, slots, args)
            elif m.kind == "feedback":
                k = self.loops.index(i)
                memory, inner = state[k]
                result, inner = m.run.step(params, inner, tuple(args) + memory)
                n = len(outs)
                new_state[k] = (tuple(result[n:]), inner)
                result = result[:n]
            elif m.kind == "layer":
                result = self._run_layer(m, self.layout.entry(params, m.name, m.box), args)
            else:
                result = m.run(*args)
            for w, y in zip(outs.tolist(), self._outputs(i, result, len(outs))):
                values[w] = y
        return tuple(values[w] for w in g.targets.tolist()), tuple(new_state)

    def _scan(self, params: Mapping[str, Any], run: Any, slots: tuple, args: list) -> tuple:
        """A run of like boxes as one ``lax.scan`` over its blocks (one example)."""
        xs = tuple(
            self.layout.stacked(params, slot.key, self.graph.boxes[slot.boxes[0]])
            if slot.kind == "stacked"
            else None
            for slot in slots
        )

        def block(carry: tuple, rows: tuple) -> tuple:
            for j, slot in enumerate(slots):
                i = run.boxes[j]
                m = self.morphisms[i]
                if slot.kind == "fixed":
                    result = m.run(*carry)
                else:
                    value = (
                        rows[j]
                        if slot.kind == "stacked"
                        else self.layout.entry(params, m.name, m.box)
                    )
                    result = self._run_layer(m, value, list(carry))
                carry = tuple(self._outputs(i, result, len(self.graph.box_wires(i)[1])))
            return carry, None

        carry, _ = jax.lax.scan(block, tuple(args), xs, length=run.repeats)
        return carry

    def _run_layer(self, m: Morphism, value: Any, args: list) -> Any:
        """A layer on its params entry, checked against the shapes ``init`` made (at trace
        time: no cost per call). Without them, a failure is explained after the fact."""
        try:
            known = self.functor._param_shapes.get(m.box)
        except TypeError:  # an unhashable box
            known = None
        if known is not None:
            check_shapes(m.box, m.name, value, known)
            return m.run(value, *args)
        try:
            return m.run(value, *args)
        except (TypeError, ValueError, KeyError, IndexError) as error:
            try:
                made = jax.eval_shape(m.init, jax.random.key(0))
            except Exception:  # init fails too: the layer's own error says more
                raise error from None
            check_shapes(m.box, m.name, value, made)
            raise

    def _outputs(self, i: int, result: Any, n: int) -> list:
        """Check a box's result against its codomain (at trace time, naming the box)."""
        box = self.graph.boxes[i]
        if n == 1 and not isinstance(result, (tuple, list)):
            result = [result]
        if result is None:
            result = []
        if not isinstance(result, (tuple, list)) or len(result) != n:
            got = len(result) if isinstance(result, (tuple, list)) else 1
            raise ShapeError(f"box {box} returned {got} outputs; its codomain has {n} wires")
        _, outs = self.graph.box_wires(i)
        checked = []
        for j, (y, w) in enumerate(zip(result, outs.tolist())):
            y = jnp.asarray(y)
            want = tuple(self.specs[w].shape)
            if y.shape != want:
                raise ShapeError(
                    f"box {box} output {j} (wire {self.graph.wire_types[w]}) has shape "
                    f"{y.shape}; the functor says {want}"
                )
            checked.append(y)
        return checked


def _fits(got: Any, wire: Any) -> bool:
    """Whether an input of dtype ``got`` may ride a wire of dtype ``wire``: not floats
    into integer wires (token ids), not complex into real ones (the imaginary part)."""
    if jnp.issubdtype(got, jnp.complexfloating):
        return jnp.issubdtype(wire, jnp.complexfloating)
    if jnp.issubdtype(got, jnp.floating):
        return jnp.issubdtype(wire, jnp.inexact)
    return True


def _schedule(graph: Hypergraph) -> list[int]:
    """Boxes in an order where every wire is written before it is read (Kahn)."""
    n, m = graph.n_wires, graph.n_boxes
    writer = np.full(n, -2, dtype=np.int64)  # -2: none, -1: a domain position, i: box i
    for w in graph.sources.tolist():
        if writer[w] != -2:
            raise WiringError(
                f"wire {w} ({graph.wire_types[w]}) is fed by two domain positions; "
                "as a function a wire has one writer: merge them with a monoid box"
            )
        writer[w] = -1
    for i in range(m):
        for w in graph.box_wires(i)[1].tolist():
            if writer[w] != -2:
                raise WiringError(
                    f"wire {w} ({graph.wire_types[w]}) is written by box {graph.boxes[i]} "
                    "and by another writer; merge values with a monoid box instead"
                )
            writer[w] = i
    unwritten = [w for w in range(n) if writer[w] == -2]
    if unwritten:
        w = unwritten[0]
        raise WiringError(f"wire {w} ({graph.wire_types[w]}) is read but nothing writes it")
    waiting = np.zeros(m, dtype=np.int64)
    readers: list[list[int]] = [[] for _ in range(n)]
    for i in range(m):
        for w in graph.box_wires(i)[0].tolist():
            if writer[w] >= 0:
                waiting[i] += 1
                readers[w].append(i)
    # A heap keeps DisCoPy's layer order when it is valid (it always is for
    # converted diagrams), so traces and errors follow the drawing.
    ready = [i for i in range(m) if waiting[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for w in graph.box_wires(i)[1].tolist():
            for j in readers[w]:
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, j)
    if len(order) != m:
        stuck = ", ".join(str(graph.boxes[i]) for i in range(m) if waiting[i] > 0)
        raise WiringError(f"the diagram has a loop through {stuck}; use Feedback for recurrence")
    return order
