"""``CompiledDiagram``: one diagram as one traced semiring contraction.

Every box is an operand indexed by its wires; inputs are vectors on the
domain wires (leading axes a batch); a wire shown twice on the boundary
is a diagonal; a wire touching nothing is the all-ones spider. Chains of
like boxes fed by a domain wire run as one ``lax.scan`` (see ``chains``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.diagrams import Hypergraph
from catlearn.functors.boxes import (
    Dagger,
    Param,
    ShapeError,
    converted,
    flip,
    name_of,
    signature_of,
)
from catlearn.functors.chains import input_chains, push_through
from catlearn.functors.parameters import claim, explain_leaves, owner_of, require_params
from catlearn.functors.parameters import entry as param_entry
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
    """

    def __init__(self, functor: Any, graph: Hypergraph) -> None:
        self.functor, self.graph = functor, graph
        self.wire_dims = [functor.dim(t) for t in graph.wire_types]
        # Per box: ("literal", array) | ("array", index into constants) |
        # ("param", name, shape) | ("symbolic", fn, symbol names, shape, box).
        self._operands: list[tuple] = []
        self._dagger: list[int] = []  # per box: axes to move to the front (0: none)
        self._consts: list[Any] = []
        self._chain_consts: dict[int, Any] = {}
        owners: dict[str, Any] = {}  # params entry ↦ the box (or symbol) it belongs to
        for i, box in enumerate(graph.boxes):
            value = functor.image(box)
            ins, outs = graph.box_wires(i)
            want = tuple(self.wire_dims[w] for w in np.concatenate([ins, outs]))
            n_front = value.n_front if isinstance(value, Dagger) else 0
            self._dagger.append(n_front)
            if n_front:  # learnable or symbolic daggers share their original's entry
                value = value.value  # of the original's shape: the dagger's dom goes last
                want = want[n_front:] + want[:n_front]
            if isinstance(value, Param):
                claim(owners, name_of(box), box)
                self._operands.append(("param", name_of(box), want, owner_of(box)))
            elif is_symbolic(value):
                fn, symbols = lambdify_array(value)
                for symbol in symbols:
                    claim(owners, str(symbol), symbol)
                self._operands.append(("symbolic", fn, [str(s) for s in symbols], want, box))
            else:
                self._dagger[-1] = 0  # a constant's dagger is taken once, here
                array = functor.constant(box, Dagger(value, n_front) if n_front else value)
                if sum(np.size(x) for x in jax.tree.leaves(array)) <= _LITERAL_SIZE:
                    self._operands.append(("literal", array))
                else:
                    self._operands.append(("array", len(self._consts)))
                    self._consts.append(array)
        self._chains = input_chains(graph, self.wire_dims)
        whole = tuple(self._consts)  # the tensor (no inputs) contracts every box
        for position, run, _ in self._chains:
            if all(self._operands[i][0] in ("array", "literal") for i in run):  # stack once
                arrays = [self._operand(self._operands[i], self._consts, {}) for i in run]
                self._chain_consts[position] = jax.tree.map(
                    lambda *ms: jnp.asarray(np.stack([np.asarray(m) for m in ms])), *arrays
                )
                for i in run:  # with inputs, the stack replaces them
                    if self._operands[i][0] == "array":
                        self._consts[self._operands[i][1]] = None
        contract_fn = self._contract if functor.semiring.host else jax.jit(self._contract)
        self._apply = partial(contract_fn, (tuple(self._consts), self._chain_consts))
        self._apply_whole = partial(contract_fn, (whole, {}))

    @property
    def dom_dims(self) -> tuple[int, ...]:
        return tuple(self.wire_dims[w] for w in self.graph.sources)

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
        inputs = [self._input(i, x) for i, x in enumerate(inputs)]
        batch = None
        for i, (x, d) in enumerate(zip(inputs, self.dom_dims)):
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
            return self._apply(dict(params), inputs)
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
        return self._apply_whole(dict(require_params({} if params is None else params)), None)

    def _operand(self, entry: tuple, consts: tuple, params: Mapping[str, Any]) -> Any:
        # Runs when the contraction is traced: the checks cost nothing per call.
        kind = entry[0]
        if kind == "array":
            return consts[entry[1]]
        if kind == "literal":
            return entry[1]
        S = self.functor.semiring
        if kind == "param":
            _, name, want, box = entry
            array = converted(
                f"params[{name!r}] for box {signature_of(box)}",
                S.asarray,
                param_entry(params, name, box),
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
        array = jnp.asarray(fn(*values), dtype=S.dtype)
        return array.reshape(want)

    def _box_array(self, i: int, consts: tuple, params: Mapping[str, Any]) -> Any:
        operand = self._operand(self._operands[i], consts, params)
        return flip(operand, self._dagger[i]) if self._dagger[i] else operand

    def _contract(self, constants: tuple, params: Mapping[str, Any], inputs: list | None) -> Any:
        S, g = self.functor.semiring, self.graph
        consts, chain_consts = constants
        operands, labels = [], []
        chains = self._chains if inputs is not None else []
        in_chain = {box for _, run, _ in chains for box in run}
        for i in range(g.n_boxes):
            if i in in_chain:
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
            heads = {position: (run, end) for position, run, end in chains}
            for position, (x, w) in enumerate(zip(inputs, g.sources.tolist())):
                if position in heads:  # a chain of like boxes: one scan, not n ops
                    run, w = heads[position]
                    stacked = chain_consts.get(position)
                    if stacked is None:
                        stacked = jax.tree.map(
                            lambda *ms: jnp.stack(ms),
                            *[self._box_array(i, consts, params) for i in run],
                        )
                    x = push_through(S, x, stacked)
                operands.append(x)
                labels.append(batch + [w])
            boundary = g.targets.tolist()
        output: list = list(batch)
        for w in boundary:  # a wire shown twice is a diagonal: fresh label + identity
            if w in output:
                fresh = ("copy", len(operands))
                operands.append(S.eye(self.wire_dims[w]))
                labels.append([w, fresh])
                w = fresh
            output.append(w)
        used = {lab for ix in labels for lab in ix}
        for _, run, _ in chains:  # wires inside a chain were consumed by its scan
            used.update(g.inputs[g.in_offsets[i]] for i in run)
        for w in range(g.n_wires):  # wires touching no operand: the all-ones spider
            if w not in used:
                operands.append(S.ones((self.wire_dims[w],)))
                labels.append([w])
        if not operands:
            return S.asarray(S.one)
        return contract(S, operands, labels, output)
