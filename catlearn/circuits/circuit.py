"""``Circuit``: a semiring circuit as flat arrays (hand-made ones come from ``CircuitBuilder``).

A circuit is a DAG of leaves (indicators ``[X_v = s]``, of which the
DIMACS literals ``v`` and ``-v`` are the states 1 and 0 of a binary
variable), constants (true / false), ⊕ (sum) nodes with optional edge
weights and ⊗ (product) nodes. It is stored as numpy arrays, never one
Python object per node: ``kind``, CSR children (``child_offsets``,
``children``), per-edge ``weights``, per-node ``var`` / ``state``, the
roots and each variable's number of states. Children always come
before their parents (node ids are a topological order), and there may
be several roots, evaluated in the order given. A ⊕ node may claim to
*decide* a variable (its children fix it to distinct states, so it is
deterministic); every circuit is checked when it is built — ids, states
and weights in range, and each such claim verified (``decisions``) — and
its arrays are read-only from then on::

    >>> from catlearn.circuits import CircuitBuilder
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

from catlearn.errors import ArgumentTypeError, CircuitError

LEAF, CONST, SUM, PRODUCT = 0, 1, 2, 3
KINDS = ("leaf", "const", "sum", "product")
MAX_VARS = 1 << 26  # per-variable tables are allocated: refuse absurd variable counts


def _ints(x: Any, name: str) -> np.ndarray:
    """A fresh int64 vector of ``x``'s entries; floats only if whole (never truncated)."""
    try:
        a = np.array(x).reshape(-1)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"{name}: expected an array of integers ({error})") from None
    if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.round(a))):
        bad = a[~(np.isfinite(a) & (a == np.round(a)))][0].item()
        raise CircuitError(f"{name}: expected integers, got {bad!r}")
    if a.dtype.kind not in "iuf" and a.size:
        raise ArgumentTypeError(f"{name}: expected an array of integers, got dtype {a.dtype}")
    if a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max:
        raise CircuitError(f"{name}: entry {a.max()} does not fit int64")
    if a.dtype.kind == "f" and a.size and np.abs(a).max() >= 2.0**63:
        raise CircuitError(f"{name}: entry {np.abs(a).max().item()!r} does not fit int64")
    return np.ascontiguousarray(a.astype(np.int64))


def _frozen(*arrays: np.ndarray) -> None:
    # A circuit is checked once, when built: its arrays must not change afterwards.
    for a in arrays:
        a.flags.writeable = False


def require_circuit(value: Any, argument: str = "circuit") -> Circuit:
    """``value`` if it is a :class:`Circuit`, else an ``ArgumentTypeError`` naming ``argument``."""
    if isinstance(value, Circuit):
        return value
    from catlearn.circuits.generating import GeneratingCircuit, SignedWeightsError

    if isinstance(value, GeneratingCircuit):  # its weights may be < 0: no query here holds
        raise SignedWeightsError(
            f"{argument}: a generating circuit has signed weights, and this operation takes "
            "circuits with non-negative weights only; use the generating circuit's own "
            "queries (marginal, probability, normalizes)"
        )
    raise ArgumentTypeError(
        f"{argument}: expected a catlearn Circuit (from CircuitBuilder.build, read_nnf, …), "
        f"got {type(value).__name__} {value!r:.60}"
    )


@dataclass(frozen=True, eq=False)
class Circuit:
    """Flat arrays; see the module docstring. Build with :class:`CircuitBuilder`,
    :func:`read_nnf`, the region-graph constructors or :meth:`from_arrays` (which
    check everything, decision claims included, and freeze the arrays)."""

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
        """Validate and wrap arrays: children before parents, ids and states in range,
        edge weights finite and non-negative, and every decision claim verified (see
        ``catlearn.circuits.decisions``). The arrays are copied and made read-only."""
        from catlearn.circuits.decisions import describe, false_claim

        c = cls._structure(kind, child_offsets, children, var, state, roots, n_states,
                           weights, decision)  # fmt: skip
        claim = false_claim(c)
        if claim is not None:
            raise CircuitError(describe(claim, f"⊕ node {claim.node}", f"node {claim.child}"))
        return c

    @classmethod
    def _structure(cls, kind, child_offsets, children, var, state, roots, n_states,
                   weights, decision) -> Circuit:  # fmt: skip
        """Everything :meth:`from_arrays` checks but the decision claims (``read_nnf``
        checks those itself, to name the lines)."""
        kind = _ints(kind, "kind")
        n = kind.size
        offsets, kids = _ints(child_offsets, "child_offsets"), _ints(children, "children")
        var, state, roots = _ints(var, "var"), _ints(state, "state"), _ints(roots, "roots")
        n_states = _ints(n_states, "n_states")
        decision = np.zeros(n, dtype=np.int64) if decision is None else _ints(decision, "decision")
        if weights is not None:
            try:
                weights = np.array(weights, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError) as error:
                raise ArgumentTypeError(f"weights: expected real numbers ({error})") from None
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
        if weights is not None and not np.all(np.isfinite(weights) & (weights >= 0)):
            edge = int(np.flatnonzero(~(np.isfinite(weights) & (weights >= 0)))[0])
            node = int(np.searchsorted(offsets, edge, side="right") - 1)
            raise CircuitError(
                f"edge weight {weights[edge].item()!r} (node {node}, child {edge - offsets[node]}) "
                "is not a finite number ≥ 0"
            )
        if np.any((kind < LEAF) | (kind > PRODUCT)):
            bad = int(np.flatnonzero((kind < LEAF) | (kind > PRODUCT))[0])
            raise CircuitError(
                f"node {bad} has kind {kind[bad]}: node kinds are 0 leaf, 1 const, 2 sum, 3 product"
            )
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
            raise CircuitError(f"roots must name nodes 0..{n - 1}; got {roots.tolist()[:8]}")
        if n_states.size == 0 or np.any(n_states[1:] < 1):
            raise CircuitError("n_states needs an entry ≥ 1 for each variable 1..n_vars")
        leaves = kind == LEAF
        top = n_states.size - 1
        bad = np.flatnonzero(leaves & ((var < 1) | (var > top)))
        if bad.size:
            node = int(bad[0])
            raise CircuitError(f"leaf node {node} has variable {var[node]}; variables are 1..{top}")
        in_range = np.where(leaves, var, 0)  # only leaves index n_states
        bad = np.flatnonzero(leaves & ((state < 0) | (state >= n_states[in_range])))
        if bad.size:
            node = int(bad[0])
            raise CircuitError(
                f"leaf node {node} has state {state[node]} of variable {var[node]}, "
                f"which has states 0..{n_states[var[node]] - 1}"
            )
        consts = kind == CONST
        if np.any((state[consts] != 0) & (state[consts] != 1)):
            raise CircuitError("a constant's state is 1 (true) or 0 (false)")
        claims = decision != 0
        bad = np.flatnonzero((decision < 0) | (decision > top))
        if bad.size:
            node = int(bad[0])
            raise CircuitError(
                f"node {node} claims to decide variable {decision[node]}; variables are 1..{top}"
            )
        if np.any(claims & (kind != SUM)):
            bad = int(np.flatnonzero(claims & (kind != SUM))[0])
            raise CircuitError(f"node {bad} is a {KINDS[kind[bad]]}: only ⊕ nodes decide")
        kind = kind.astype(np.int8)
        _frozen(kind, offsets, kids, var, state, roots, n_states, decision)
        if weights is not None:
            _frozen(weights)
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
        """Verified determinism (``properties.is_deterministic``; ``determinism`` reports
        per node); raises ``UnverifiedDeterminism`` where it cannot decide."""
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
