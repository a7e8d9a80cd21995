"""``CompiledDiagram``: one diagram as one traced semiring contraction.

Every box is an operand indexed by its wires; inputs are vectors on the
domain wires (leading axes a batch); a wire shown twice on the boundary
is a diagonal; a wire touching nothing is the all-ones spider. Runs of like
boxes, anywhere in the diagram, are contracted by one ``lax.scan`` each (see
``runs`` and ``scan``), their ``Param`` entries stored stacked (``layout``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph, Repeat
from catlearn.errors import SymbolError
from catlearn.functors.boxes import (
    Dagger,
    Param,
    ShapeError,
    converted,
    flip,
    name_of,
    signature_of,
)
from catlearn.functors.layout import plan
from catlearn.functors.parameters import claim, explain_leaves, owner_of, require_params
from catlearn.functors.parameters import entry as param_entry
from catlearn.functors.runs import Run
from catlearn.functors.scan import as_matrix, product, rows_of, scan_run, should_scan
from catlearn.functors.symbolic import is_symbolic, lambdify_array
from catlearn.semirings import contract

# Constant box arrays up to this many elements are baked into the program
# (fast dispatch); larger ones are passed as arguments (fast compiles).
_LITERAL_SIZE = 1024


class CompiledDiagram:
    """A diagram contracted as one network: ``apply(params, *inputs)`` is pure.

    ``inputs`` holds one array per domain wire, shape ``batch + (dim,)``;
    the result has shape ``batch + codomain dims``. Calling the object
    directly uses the functor's own arrays (no learnable boxes).
    ``layout`` says where each ``Param`` box's entry lives: runs of eight or
    more like boxes keep theirs stacked (see ``catlearn.functors.Layout``).
    """

    def __init__(self, functor: Any, graph: Hypergraph) -> None:
        self.functor, self.graph = functor, graph
        S = functor.semiring
        self.wire_dims = [functor.dim(t) for t in graph.wire_types]
        # Per box: ("literal", array) | ("array", index into constants) |
        # ("param", name, shape, box) | ("symbolic", fn, symbol names, shape, box).
        self._operands: list[tuple] = []
        self._dagger: list[int] = []  # per box: axes to move to the front (0: none)
        self._consts: list[Any] = []
        owners: dict[str, Any] = {}  # params entry ↦ the box (or symbol) it belongs to
        kinds: list[Any] = []  # what makes two boxes alike, for runs (None: never in one)
        names: list[str | None] = []
        for i, box in enumerate(graph.boxes):
            ins, outs = graph.box_wires(i)
            want = tuple(self.wire_dims[w] for w in np.concatenate([ins, outs]))
            if isinstance(box, Repeat):  # n copies of a block: its params stacked, scanned
                claim(owners, name_of(box), box)
                block = functor.compile(box.block)
                self._operands.append(("repeat", name_of(box), block, box.n, want, box))
                self._dagger.append(0)
                kinds.append(None)
                names.append(name_of(box))
                continue
            value = functor.image(box)
            n_front = value.n_front if isinstance(value, Dagger) else 0
            self._dagger.append(n_front)
            kinds.append(None)
            names.append(None)
            if n_front:  # learnable or symbolic daggers share their original's entry
                value = value.value  # of the original's shape: the dagger's dom goes last
                want = want[n_front:] + want[:n_front]
            if isinstance(value, Param):
                claim(owners, name_of(box), box)
                self._operands.append(("param", name_of(box), want, owner_of(box)))
                names[-1] = name_of(box)
                kinds[-1] = None if n_front else ("param", want)
            elif is_symbolic(value):
                fn, symbols = lambdify_array(value)
                for symbol in symbols:
                    claim(owners, str(symbol), symbol)
                self._operands.append(("symbolic", fn, [str(s) for s in symbols], want, box))
            else:
                self._dagger[-1] = 0  # a constant's dagger is taken once, here
                array = functor.constant(box, Dagger(value, n_front) if n_front else value)
                kinds[-1] = ("constant", want)
                if sum(np.size(x) for x in jax.tree.leaves(array)) <= _LITERAL_SIZE:
                    self._operands.append(("literal", array))
                else:
                    self._operands.append(("array", len(self._consts)))
                    self._consts.append(array)
        if S.host:  # exact carriers run on the host: no loops to compile
            kinds = [None] * len(kinds)
        symbols = [n for n in owners if not hasattr(owners[n], "dom")]
        planned, self.layout = plan(graph, kinds, self.wire_dims, names, others=symbols)
        # Runs long enough to loop over: per block position, what the scan reads.
        self._runs: list[tuple[Run, tuple]] = []
        for run, slots in planned:
            if not should_scan(run.repeats, run.period):
                continue
            reads = []
            for slot in slots:
                if self._operands[slot.boxes[0]][0] in ("literal", "array"):
                    arrays = [
                        self._operand(self._operands[i], self._consts, {}) for i in slot.boxes
                    ]
                    stack = jax.tree.map(lambda *ms: np.stack([np.asarray(m) for m in ms]), *arrays)
                    reads.append(("constant", len(self._consts)))
                    self._consts.append(jax.tree.map(jnp.asarray, stack))
                    for i in slot.boxes:  # the stack replaces them
                        if self._operands[i][0] == "array":
                            self._consts[self._operands[i][1]] = None
                else:
                    reads.append((slot.kind, slot.key))
            self._runs.append((run, tuple(reads)))
        self._consts_tuple = tuple(self._consts)
        self._jitted = self._contract if S.host else jax.jit(self._contract)
        self._dom_dims = tuple(self.wire_dims[w] for w in graph.sources)
        # Inputs already in the carrier (a plain JAX array of its dtype) skip the
        # conversion: a few microseconds of a call that costs tens in all.
        self._plain = None if S.host else getattr(S, "dtype", None)

    @property
    def dom_dims(self) -> tuple[int, ...]:
        return self._dom_dims

    @property
    def cod_dims(self) -> tuple[int, ...]:
        return tuple(self.wire_dims[w] for w in self.graph.targets)

    def __call__(self, *inputs: Any) -> Any:
        return self.apply({}, *inputs)

    def apply(self, params: Mapping[str, Any], *inputs: Any) -> Any:
        """Contract with the inputs; ``params`` overrides or supplies box arrays.

        The inputs are checked here, on the host, and ``params`` when the
        contraction is traced (once per new shape): a wrong count, shape or
        entry raises an error naming the wire or the box, before any kernel runs.
        """
        S = self.functor.semiring
        params = require_params(params)
        if len(inputs) != len(self.graph.sources):
            raise ShapeError(
                f"the diagram has {len(self.graph.sources)} domain wires "
                f"{self._describe()}; got {len(inputs)} inputs"
            )
        inputs = [
            x
            if isinstance(x, jax.Array) and x.dtype == self._plain and not x.weak_type
            else self._input(i, x)
            for i, x in enumerate(inputs)
        ]
        batch = None
        for i, (x, d) in enumerate(zip(inputs, self._dom_dims)):
            shape = tuple(S.index_shape(x))
            if not shape or shape[-1] != d:
                raise ShapeError(
                    f"input {i} (wire {self.graph.dom[i]}) needs last axis {d}, got shape {shape}"
                )
            if batch is not None and shape[:-1] != batch:
                raise ShapeError(
                    f"inputs have different batch shapes: {batch} and {shape[:-1]} (input {i})"
                )
            batch = shape[:-1]
        try:
            return self._call(dict(params), inputs)
        except TypeError:  # JAX refused a params leaf at the jit boundary: say which
            explain_leaves(params)
            raise

    def _input(self, i: int, x: Any) -> Any:
        return converted(partial(self._input_name, i), self.functor.semiring.asarray, x)

    def _input_name(self, i: int) -> str:  # written only for an error
        return f"input {i} (wire {self.graph.dom[i]})"

    def _describe(self) -> str:
        return "[" + ", ".join(f"{t}: {d}" for t, d in zip(self.graph.dom, self.dom_dims)) + "]"

    def tensor(self, params: Mapping[str, Any] | None = None) -> Any:
        """The whole tensor, axes (domain wires, codomain wires).

        One jitted computation: for an 80-box MPS, tracing it whole and
        compiling once took 0.23 s where dispatching step by step took 1.5 s
        (each new shape compiles its own small kernel).
        """
        return self._call(dict(require_params({} if params is None else params)), None)

    def _call(self, params: dict, inputs: list | None) -> Any:
        # Under the caller's own jit, grad or vmap the contraction is traced inline:
        # differentiating through a nested jit linearises it equation by equation.
        if any(isinstance(v, jax.core.Tracer) for v in jax.tree.leaves((params, inputs))):
            return self._contract(self._consts_tuple, params, inputs)
        return self._jitted(self._consts_tuple, params, inputs)

    # -- the params layout -------------------------------------------------
    def stack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One entry per box → this diagram's layout (runs' entries stacked)."""
        return self.layout.stack(params)

    def unstack(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """This diagram's layout → one entry per box name."""
        return self.layout.unstack(params)

    def _operand(self, entry: tuple, consts: tuple, params: Mapping[str, Any]) -> Any:
        # Runs when the contraction is traced: the checks cost nothing per call.
        kind = entry[0]
        if kind == "array":
            return consts[entry[1]]
        if kind == "literal":
            return entry[1]
        S = self.functor.semiring
        if kind == "repeat":
            return self._repeat(entry, params)
        if kind == "param":
            _, name, want, box = entry
            array = converted(
                f"params[{name!r}] for box {signature_of(box)}",
                S.asarray,
                self.layout.entry(params, name, box),
            )
            if tuple(S.index_shape(array)) != want:
                raise ShapeError(
                    f"params[{name!r}] for box {signature_of(box)} has shape "
                    f"{tuple(S.index_shape(array))}; it needs {want}"
                )
            return array
        _, fn, names, want, box = entry
        values = [param_entry(params, n, box) for n in names]
        for n, v in zip(names, values):
            if np.shape(v) != ():
                raise ShapeError(
                    f"params[{n!r}], a symbol of box {signature_of(box)}, has shape "
                    f"{np.shape(v)}; a symbol's value is a scalar"
                )
        value = fn(*values)
        if jnp.iscomplexobj(value) and not jnp.issubdtype(S.dtype, jnp.complexfloating):
            raise SymbolError(
                f"box {signature_of(box)} has complex entries; {S!r} would drop their "
                "imaginary parts: use the Complex semiring"
            )
        return jnp.asarray(value, dtype=S.dtype).reshape(want)

    def _repeat(self, entry: tuple, params: Mapping[str, Any]) -> Any:
        """A ``Repeat`` box's array: the product of its copies' tensors, by one scan."""
        S = self.functor.semiring
        _, name, block, n, want, box = entry
        k = len(block.dom_dims)
        d = int(np.prod(want[:k], dtype=np.int64))

        def step(acc: Any, p: Any) -> tuple:
            tensor = block._contract(block._consts_tuple, p, None)
            return product(S, acc, as_matrix(S, tensor, 0, d, d)), None

        stacked = self.layout.entry(params, name, box)
        out, _ = jax.lax.scan(step, S.eye(d), stacked, length=n)
        return jax.tree.map(lambda leaf: leaf.reshape(want + leaf.shape[2:]), out)

    def _box_array(self, i: int, consts: tuple, params: Mapping[str, Any]) -> Any:
        operand = self._operand(self._operands[i], consts, params)
        return flip(operand, self._dagger[i]) if self._dagger[i] else operand

    def _contract(self, consts: tuple, params: Mapping[str, Any], inputs: list | None) -> Any:
        S, g = self.functor.semiring, self.graph
        operands, labels = [], []
        in_run = {box for run, _ in self._runs for box in run.boxes}
        for i in range(g.n_boxes):
            if i in in_run:
                continue
            ins, outs = g.box_wires(i)
            operands.append(self._box_array(i, consts, params))
            labels.append(list(np.concatenate([ins, outs]).tolist()))
        if inputs is None:
            boundary = g.sources.tolist() + g.targets.tolist()
            batch: list = []
        else:
            nb = len(S.index_shape(inputs[0])) - 1 if inputs else 0
            batch = [("batch", j) for j in range(nb)]
            for x, w in zip(inputs, g.sources.tolist()):
                operands.append(x)
                labels.append(batch + [w])
            boundary = g.targets.tolist()
        for run, reads in self._runs:  # repeated structure: one scan per run
            self._scan(run, reads, consts, params, operands, labels, set(boundary))
        output: list = list(batch)
        for w in boundary:  # a wire shown twice is a diagonal: fresh label + identity
            if w in output:
                fresh = ("copy", len(operands))
                operands.append(S.eye(self.wire_dims[w]))
                labels.append([w, fresh])
                w = fresh
            output.append(w)
        used = {lab for ix in labels for lab in ix}
        for run, _ in self._runs:  # wires inside a run were consumed by its scan
            for i in run.boxes:
                used.update(g.box_wires(i)[0].tolist())
        for w in range(g.n_wires):  # wires touching no operand: the all-ones spider
            if w not in used:
                operands.append(S.ones((self.wire_dims[w],)))
                labels.append([w])
        if not operands:
            return S.asarray(S.one)
        return contract(S, operands, labels, output)

    def _scan(self, run, reads, consts, params, operands, labels, boundary) -> None:
        """Contract ``run`` into the network: pushed through the operand that feeds it
        when that is cheaper than the run's own product, else as that product."""
        S, g = self.functor.semiring, self.graph
        first, last = run.boxes[0], run.boxes[-1]
        ins = g.box_wires(first)[0].tolist()
        outs = g.box_wires(last)[1].tolist()
        d_in = int(np.prod([self.wire_dims[w] for w in ins], dtype=np.int64))
        dims = []
        for j in range(run.period):
            a, b = g.box_wires(run.boxes[j])
            dims.append(
                (
                    int(np.prod([self.wire_dims[w] for w in a.tolist()], dtype=np.int64)),
                    int(np.prod([self.wire_dims[w] for w in b.tolist()], dtype=np.int64)),
                )
            )
        slots = []
        for j, (kind, where) in enumerate(reads):
            if kind == "constant":
                slots.append(("stacked", consts[where]))
            elif kind == "stacked":
                slots.append(("stacked", self._stack(run, j, where, params)))
            else:  # tied: every block reads the same box
                slots.append(("tied", self._box_array(run.boxes[j], consts, params)))
        feeder = self._feeder(ins, labels, boundary)
        if feeder is not None and rows_of(S.index_shape(operands[feeder]), d_in) <= d_in:
            x, ix = operands.pop(feeder), labels.pop(feeder)
            rest = [lab for lab in ix if lab not in ins]
            order = [ix.index(lab) for lab in rest] + [ix.index(w) for w in ins]
            shape = S.index_shape(x)
            k = len(shape)
            rest_shape = tuple(shape[i] for i in order[: len(rest)])
            carry = jax.tree.map(
                lambda leaf: leaf.transpose(order + list(range(k, leaf.ndim))).reshape(
                    (-1, d_in) + leaf.shape[k:]
                ),
                x,
            )
        else:
            rest = list(ins)
            rest_shape = tuple(self.wire_dims[w] for w in ins)
            carry = S.eye(d_in)
        out = scan_run(S, carry, slots, dims, run.repeats)
        out_shape = tuple(self.wire_dims[w] for w in outs)
        operands.append(
            jax.tree.map(lambda leaf: leaf.reshape(rest_shape + out_shape + leaf.shape[2:]), out)
        )
        labels.append(rest + outs)

    @staticmethod
    def _feeder(ins: list, labels: list, boundary: set) -> int | None:
        """The one operand holding every input wire of a run, each once, or None."""
        if any(w in boundary for w in ins):
            return None
        holders = [k for k, ix in enumerate(labels) if any(w in ix for w in ins)]
        if len(holders) != 1:
            return None
        ix = labels[holders[0]]
        return holders[0] if all(ix.count(w) == 1 for w in ins) else None

    def _stack(self, run, j: int, key: str, params: Mapping[str, Any]) -> Any:
        """The stacked params of a run's position ``j``, checked (when traced)."""
        S = self.functor.semiring
        box = self.graph.boxes[run.boxes[j]]
        want = (run.repeats,) + self._operands[run.boxes[j]][2]
        array = converted(
            f"params[{key!r}] (the stacked entries of {key.replace('..', ' to ')})",
            S.asarray,
            self.layout.stacked(params, key, box),
        )
        if tuple(S.index_shape(array)) != want:
            raise ShapeError(
                f"params[{key!r}] stacks {run.repeats} boxes like {signature_of(box)}: "
                f"it needs shape {want}, got {tuple(S.index_shape(array))}"
            )
        return array
