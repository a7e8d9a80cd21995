"""``Circuit``: a semiring circuit as flat arrays, and a builder for hand-made ones.

A circuit is a DAG of leaves (indicators ``[X_v = s]``, of which the
DIMACS literals ``v`` and ``-v`` are the states 1 and 0 of a binary
variable), constants (true / false), ⊕ (sum) nodes with optional edge
weights and ⊗ (product) nodes. It is stored as numpy arrays, never one
Python object per node: ``kind``, CSR children (``child_offsets``,
``children``), per-edge ``weights``, per-node ``var`` / ``state``, the
roots and each variable's number of states. Children always come
before their parents (node ids are a topological order), and there may
be several roots, evaluated in the order given::

    >>> b = CircuitBuilder()
    >>> x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    >>> either = b.sum([b.product([x, y]), nx])          # (x ∧ y) ∨ ¬x
    >>> c = b.build([either])
    >>> c.n_nodes, c.n_edges, c.n_vars
    (5, 4, 2)
    >>> c.model_count()                                  # xy, ¬x y, ¬x ¬y
    3
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catlearn.errors import CircuitError

LEAF, CONST, SUM, PRODUCT = 0, 1, 2, 3
KINDS = ("leaf", "const", "sum", "product")


def _ints(x: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.int64).reshape(-1))


@dataclass(frozen=True, eq=False)
class Circuit:
    """Flat arrays; see the module docstring. Build with :class:`CircuitBuilder`,
    :func:`read_nnf`, or the region-graph constructors."""

    kind: np.ndarray
    child_offsets: np.ndarray
    children: np.ndarray
    weights: np.ndarray | None
    var: np.ndarray
    state: np.ndarray
    n_states: np.ndarray
    roots: np.ndarray
    decision: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_arrays(
        cls,
        kind: Any,
        child_offsets: Any,
        children: Any,
        var: Any,
        state: Any,
        roots: Any,
        n_states: Any,
        weights: Any = None,
        decision: Any = None,
    ) -> Circuit:
        """Validate and wrap arrays (children before parents, ids in range)."""
        kind = np.asarray(kind, dtype=np.int8).reshape(-1)
        n = kind.size
        offsets, kids = _ints(child_offsets), _ints(children)
        var, state, roots, n_states = _ints(var), _ints(state), _ints(roots), _ints(n_states)
        decision = np.zeros(n, dtype=np.int64) if decision is None else _ints(decision)
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        for name, a, size in (
            ("child_offsets", offsets, n + 1),
            ("var", var, n),
            ("state", state, n),
            ("decision", decision, n),
        ):
            if a.size != size:
                raise CircuitError(f"{name} has {a.size} entries; the circuit has {size}")
        if offsets[0] != 0 or np.any(np.diff(offsets) < 0) or offsets[-1] != kids.size:
            raise CircuitError("child_offsets must rise from 0 to the number of edges")
        if weights is not None and weights.size != kids.size:
            raise CircuitError(f"weights has {weights.size} entries for {kids.size} edges")
        if np.any((kind < LEAF) | (kind > PRODUCT)):
            raise CircuitError("node kinds are 0 leaf, 1 const, 2 sum, 3 product")
        parent = np.repeat(np.arange(n), np.diff(offsets))
        if kids.size and (kids.min() < 0 or np.any(kids >= parent)):
            bad = int(np.flatnonzero((kids < 0) | (kids >= parent))[0])
            raise CircuitError(
                f"node {parent[bad]} has child {kids[bad]}: children must come before parents"
            )
        fan = np.diff(offsets)
        if np.any(fan[(kind == LEAF) | (kind == CONST)] != 0):
            raise CircuitError("leaves and constants have no children")
        if roots.size == 0 or roots.min() < 0 or roots.max() >= n:
            raise CircuitError(f"roots must name nodes 0..{n - 1}")
        leaves = kind == LEAF
        if np.any(var[leaves] < 1) or np.any(var[leaves] >= n_states.size):
            raise CircuitError(f"leaf variables must lie in 1..{n_states.size - 1}")
        if np.any(state[leaves] < 0) or np.any(state[leaves] >= n_states[var[leaves]]):
            raise CircuitError("a leaf's state must lie below its variable's number of states")
        return cls(kind, offsets, kids, weights, var, state, n_states, roots, decision)

    # -- sizes -------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.kind.size)

    @property
    def n_edges(self) -> int:
        return int(self.children.size)

    @property
    def n_vars(self) -> int:
        return int(self.n_states.size - 1)

    def children_of(self, node: int) -> np.ndarray:
        return self.children[self.child_offsets[node] : self.child_offsets[node + 1]]

    def edge_weights(self) -> np.ndarray:
        """Per-edge weights, 1.0 where none are stored (and on product edges)."""
        if self.weights is None:
            return np.ones(self.n_edges)
        return self.weights

    def __repr__(self) -> str:
        return (
            f"Circuit({self.n_nodes} nodes, {self.n_edges} edges, {self.n_vars} variables, "
            f"{self.roots.size} root{'s' if self.roots.size != 1 else ''})"
        )

    # -- properties, transformations, compilation, queries (other modules) --
    def scopes(self) -> list[int]:
        from catlearn.circuits.properties import scopes

        return scopes(self)

    def is_smooth(self) -> bool:
        from catlearn.circuits.properties import is_smooth

        return is_smooth(self)

    def is_decomposable(self) -> bool:
        from catlearn.circuits.properties import is_decomposable

        return is_decomposable(self)

    def is_deterministic(self, max_vars: int = 16) -> bool:
        from catlearn.circuits.properties import is_deterministic

        return is_deterministic(self, max_vars)

    def smooth(self, all_variables: bool = True) -> Circuit:
        from catlearn.circuits.transform import smooth

        return smooth(self, all_variables)

    def condition(self, evidence: dict[int, int]) -> Circuit:
        from catlearn.circuits.transform import condition

        return condition(self, evidence)

    def marginalize(self, variables: Sequence[int]) -> Circuit:
        from catlearn.circuits.transform import marginalize

        return marginalize(self, variables)

    def to_dot(self) -> str:
        from catlearn.circuits.export import to_dot

        return to_dot(self)

    def to_diagram(self) -> Any:
        from catlearn.circuits.export import to_diagram

        return to_diagram(self)

    def compile(self, semiring: Any, **options: Any) -> Any:
        from catlearn.circuits.compile import compile_circuit

        return compile_circuit(self, semiring, **options)

    def marginal_map(self, variables: Any, literal_weights: Any = None) -> Any:
        from catlearn.circuits.queries import marginal_map

        return marginal_map(self, variables, literal_weights)

    def entropy(self, literal_weights: Any = None) -> float:
        from catlearn.circuits.queries import entropy

        return entropy(self, literal_weights)

    def model_count(self) -> int:
        from catlearn.circuits.queries import model_count

        return model_count(self)

    def wmc(self, literal_weights: Any, *, log: bool = False) -> Any:
        from catlearn.circuits.queries import wmc

        return wmc(self, literal_weights, log=log)

    def mpe(self, literal_weights: Any = None) -> tuple[float, dict[int, int]]:
        from catlearn.circuits.queries import mpe

        return mpe(self, literal_weights)

    def marginals(self, literal_weights: Any = None) -> np.ndarray:
        from catlearn.circuits.queries import marginals

        return marginals(self, literal_weights)

    def sample(self, n: int, literal_weights: Any = None, evidence: Any = None,
               seed: Any = 0) -> np.ndarray:  # fmt: skip
        from catlearn.circuits.sampling import sample

        return sample(self, n, literal_weights, evidence, seed)

    def is_satisfiable(self) -> bool:
        from catlearn.circuits.queries import is_satisfiable

        return is_satisfiable(self)


class CircuitBuilder:
    """Hand-made circuits, node by node; ``build(roots)`` freezes them into a ``Circuit``."""

    def __init__(self) -> None:
        self._kind: list[int] = []
        self._var: list[int] = []
        self._state: list[int] = []
        self._decision: list[int] = []
        self._offsets: list[int] = [0]
        self._children: list[int] = []
        self._weights: list[float] = []
        self._weighted = False
        self._n_states: dict[int, int] = {}

    def _node(self, kind: int, var: int = 0, state: int = 0, decision: int = 0) -> int:
        self._kind.append(kind)
        self._var.append(var)
        self._state.append(state)
        self._decision.append(decision)
        self._offsets.append(len(self._children))
        return len(self._kind) - 1

    def indicator(self, var: int, value: int, n_states: int | None = None) -> int:
        """The leaf [X_var = value] (variables are numbered from 1)."""
        if var < 1 or value < 0:
            raise CircuitError(f"indicator needs var ≥ 1 and value ≥ 0; got {var}, {value}")
        known = self._n_states.get(var, 2)
        states = max(known, value + 1, n_states or 0)
        if n_states is not None and value >= n_states:
            raise CircuitError(f"value {value} is not one of the {n_states} states of {var}")
        self._n_states[var] = states
        return self._node(LEAF, var, value)

    def literal(self, var: int, positive: bool = True) -> int:
        """The DIMACS literal ``var`` (or ``-var``): the indicator of state 1 (or 0)."""
        return self.indicator(var, 1 if positive else 0)

    def constant(self, value: bool) -> int:
        return self._node(CONST, 0, int(bool(value)))

    def _internal(self, kind: int, children: Sequence[int], weights, decision: int = 0) -> int:
        children = [int(c) for c in children]
        n = len(self._kind)
        if any(c < 0 or c >= n for c in children):
            raise CircuitError(f"children must be existing nodes 0..{n - 1}; got {children}")
        if weights is not None:
            weights = [float(w) for w in weights]
            if len(weights) != len(children):
                raise CircuitError(f"{len(weights)} weights for {len(children)} children")
            self._weighted = True
        self._children += children
        self._weights += weights if weights is not None else [1.0] * len(children)
        node = self._node(kind, 0, 0, decision)
        return node

    def sum(self, children: Sequence[int], weights: Sequence[float] | None = None,
            decision: int = 0) -> int:  # fmt: skip
        """An ⊕ node; ``weights`` multiply each child (e.g. mixture weights)."""
        return self._internal(SUM, children, weights, decision)

    def product(self, children: Sequence[int]) -> int:
        """An ⊗ node."""
        return self._internal(PRODUCT, children, None)

    def build(self, roots: Sequence[int] | int, n_vars: int | None = None) -> Circuit:
        roots = [roots] if isinstance(roots, (int, np.integer)) else list(roots)
        top = max(self._n_states, default=0)
        n_vars = top if n_vars is None else n_vars
        if n_vars < top:
            raise CircuitError(f"n_vars = {n_vars} but variable {top} is used")
        n_states = np.full(n_vars + 1, 2, dtype=np.int64)
        for v, s in self._n_states.items():
            n_states[v] = s
        n_states[0] = 0
        return Circuit.from_arrays(
            self._kind, self._offsets, self._children, self._var, self._state, roots,
            n_states, self._weights if self._weighted else None, self._decision,
        )  # fmt: skip
