"""Vtrees: how a structured-decomposable circuit splits its variables, and compatibility.

A *vtree* is a full binary tree whose leaves are distinct variables. A
decomposable circuit is *structured-decomposable* with respect to a vtree
when every ⊗ node splits its scope as some vtree node does: its children's
scopes fall on the left and right subtrees of the vtree node that is the
lowest common ancestor of the ⊗ node's scope (Pipatsrisawat and Darwiche).
An n-ary ⊗ node respects the vtree when its children can be bracketed into
binary products that each do: at that lowest common ancestor every child
lies entirely in one subtree, and the children on each side respect it in
turn. Children with an empty scope (constants) are ignored. So a ⊗ node
whose children are all single variables respects every vtree.

Two circuits are *compatible* (Vergari et al., "A Compositional Atlas of
Tractable Circuit Operations") when both are smooth and decomposable and
their ⊗ nodes split the variables they share the same way; here that is
decided as: one vtree over the shared variables is respected by both
circuits' ⊗ nodes, restricted to those variables. That is the atlas's
sufficient condition (structured decomposability w.r.t. a common vtree),
and what the atlas ``product`` needs::

    >>> from catlearn.circuits import parity, exactly_k_of_n
    >>> v = vtree_of(parity(4))             # a chain deciding x1, then x2, …
    >>> v
    Vtree((1, (2, (3, 4))))
    >>> structured_decomposability(parity(4), Vtree.balanced([1, 2, 3, 4]))
    False
    >>> compatible(parity(4), exactly_k_of_n(4, 2))
    True

Cost: ``structured_decomposability`` walks the vtree from its root once per
⊗ child, O(|c| · depth) bitset operations; ``vtree_of`` and ``compatible``
build a vtree from the ⊗ nodes' splits (Aho et al.'s BUILD on the triplets
the splits impose), O(|c| · n) bitset operations for n shared variables,
each distinct split counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from catlearn.arguments import is_whole, whole
from catlearn.circuits.circuit import PRODUCT, Circuit, CircuitError, require_circuit
from catlearn.circuits.properties import scopes, undecomposable_nodes, unsmooth_nodes
from catlearn.circuits.variables import bit_positions
from catlearn.errors import ArgumentTypeError


class Vtree:
    """A full binary tree over distinct variables (numbered from 1), immutable.

    Built from nested pairs, a bare variable being a one-leaf vtree, or with
    :meth:`balanced`, :meth:`right_linear` and :meth:`random`. Nodes are
    numbered children first; the root is the last.

    >>> v = Vtree(((1, 2), (3, 4)))
    >>> v.variables, v.n_nodes, v == Vtree.balanced([1, 2, 3, 4])
    ((1, 2, 3, 4), 7, True)
    >>> Vtree((1, (2, 1)))
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: Vtree: variable 1 appears twice
    """

    __slots__ = ("_left", "_right", "_var", "_bits")

    def __init__(self, nested: Any) -> None:
        left: list[int] = []
        right: list[int] = []
        var: list[int] = []
        bits: list[int] = []
        seen: set[int] = set()
        # Post-order without recursion: deep (right-linear) vtrees have thousands of levels.
        stack: list[tuple[Any, bool]] = [(nested, False)]
        done: list[int] = []
        while stack:
            item, expanded = stack.pop()
            if expanded:
                r, le = done.pop(), done.pop()
                left.append(le), right.append(r), var.append(0)
                bits.append(bits[le] | bits[r])
                done.append(len(var) - 1)
            elif is_whole(item) and not isinstance(item, bool):
                v = whole(item, "Vtree: variable", least=1)
                if v in seen:
                    raise CircuitError(f"Vtree: variable {v} appears twice")
                seen.add(v)
                left.append(-1), right.append(-1), var.append(v), bits.append(1 << v)
                done.append(len(var) - 1)
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                stack += [(item, True), (item[1], False), (item[0], False)]
            else:
                raise ArgumentTypeError(
                    f"Vtree: expected a variable (an integer ≥ 1) or a pair of vtrees, got "
                    f"{item!r:.60}"
                )
        self._left, self._right = tuple(left), tuple(right)
        self._var, self._bits = tuple(var), tuple(bits)

    # -- constructors -------------------------------------------------------
    @classmethod
    def balanced(cls, variables: Iterable[int]) -> Vtree:
        """Halves, recursively: depth ⌈log2 n⌉."""
        vs = _variables(variables, "Vtree.balanced")
        return cls(_halves(vs))

    @classmethod
    def right_linear(cls, variables: Iterable[int]) -> Vtree:
        """(v1, (v2, (…, vn))): the vtree of a chain deciding v1 first (an OBDD order)."""
        vs = _variables(variables, "Vtree.right_linear")
        nested: Any = vs[-1]
        for v in reversed(vs[:-1]):
            nested = (v, nested)
        return cls(nested)

    @classmethod
    def random(cls, variables: Iterable[int], seed: Any = 0) -> Vtree:
        """A random vtree: the variables shuffled, then cut at random points, recursively."""
        vs = _variables(variables, "Vtree.random")
        rng = np.random.default_rng(seed)
        order = [vs[i] for i in rng.permutation(len(vs))]

        def cut(part: list[int]) -> Any:
            if len(part) == 1:
                return part[0]
            k = int(rng.integers(1, len(part)))
            return (cut(part[:k]), cut(part[k:]))

        return cls(cut(order))

    # -- reading ------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self._var)

    @property
    def root(self) -> int:
        return len(self._var) - 1

    @property
    def variables(self) -> tuple[int, ...]:
        """The variables at the leaves, in increasing order."""
        return tuple(sorted(v for v in self._var if v))

    @property
    def bits(self) -> int:
        """The variables as an int bitset (bit v for variable v), as ``scopes`` gives them."""
        return self._bits[-1]

    def children(self, node: int) -> tuple[int, int] | None:
        """(left, right) of an internal node, None for a leaf."""
        return None if self._left[node] < 0 else (self._left[node], self._right[node])

    def scope(self, node: int) -> int:
        """The variables below ``node``, as an int bitset."""
        return self._bits[node]

    def lca(self, bits: int) -> int:
        """The lowest node whose variables include ``bits`` (a non-empty subset of them)."""
        if not bits or bits & ~self._bits[-1]:
            raise CircuitError("Vtree.lca: the variables must be a non-empty subset of the vtree's")
        node = self.root
        while self._left[node] >= 0:
            le, r = self._left[node], self._right[node]
            if not bits & ~self._bits[le]:
                node = le
            elif not bits & ~self._bits[r]:
                node = r
            else:
                break
        return node

    def nested(self) -> Any:
        """The vtree as nested pairs (what the constructor takes)."""
        built: list[Any] = []
        for node in range(self.n_nodes):
            le = self._left[node]
            built.append(self._var[node] if le < 0 else (built[le], built[self._right[node]]))
        return built[-1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vtree):
            return NotImplemented
        return (self._left, self._right, self._var) == (other._left, other._right, other._var)

    def __hash__(self) -> int:
        return hash((self._left, self._var))

    def __repr__(self) -> str:
        if self.n_nodes > 255:  # nested pairs that deep would exhaust repr's recursion
            return f"Vtree(<{len(self.variables)} variables>)"
        return f"Vtree({self.nested()!r})"


def require_vtree(value: Any, argument: str = "vtree") -> Vtree:
    """``value`` if it is a :class:`Vtree`, else an ``ArgumentTypeError`` naming ``argument``."""
    if isinstance(value, Vtree):
        return value
    raise ArgumentTypeError(
        f"{argument}: expected a catlearn Vtree (Vtree(((1, 2), 3)), Vtree.balanced(…)), "
        f"got {type(value).__name__} {value!r:.60}"
    )


def _variables(variables: Iterable[int], what: str) -> list[int]:
    if isinstance(variables, (str, bytes)) or not isinstance(variables, (Iterable, np.ndarray)):
        raise ArgumentTypeError(f"{what}: expected a list of variables, got {variables!r:.60}")
    vs = [whole(v, f"{what}: variable", least=1) for v in variables]
    if not vs:
        raise CircuitError(f"{what}: a vtree needs at least one variable")
    if len(set(vs)) != len(vs):
        raise CircuitError(f"{what}: a variable appears twice in {vs[:16]}")
    return vs


def _halves(vs: Sequence[int]) -> Any:
    if len(vs) == 1:
        return vs[0]
    k = (len(vs) + 1) // 2
    return (_halves(vs[:k]), _halves(vs[k:]))


# -- splits of ⊗ nodes ------------------------------------------------------------
def splits(c: Circuit, within: int | None = None) -> dict[tuple[int, ...], int]:
    """Each distinct split of a ⊗ node: its children's scopes restricted to ``within``
    (default: every variable), the non-empty ones, sorted; mapped to one ⊗ node making it.
    Splits into fewer than two parts constrain nothing and are left out."""
    s = scopes(c)
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    out: dict[tuple[int, ...], int] = {}
    for node in np.flatnonzero(c.kind == PRODUCT).tolist():
        kids = children[offsets[node] : offsets[node + 1]]
        parts = [s[k] if within is None else s[k] & within for k in kids]
        key = tuple(sorted(p for p in parts if p))
        if len(key) >= 2:
            out.setdefault(key, node)
    return out


def respects(vtree: Vtree, parts: Sequence[int]) -> bool:
    """Whether disjoint variable sets ``parts`` (bitsets) can be bracketed along ``vtree``:
    at the lowest common ancestor of their union each lies in one subtree, recursively."""
    groups = [list(parts)]
    while groups:
        group = groups.pop()
        if len(group) < 2:
            continue
        union = 0
        for p in group:
            union |= p
        node = vtree.lca(union)
        sides = vtree.children(node)
        if sides is None:  # two parts on one variable: they overlap
            return False
        left, right = vtree.scope(sides[0]), vtree.scope(sides[1])
        on_left, on_right = [], []
        for p in group:
            if not p & ~left:
                on_left.append(p)
            elif not p & ~right:
                on_right.append(p)
            else:
                return False
        groups += [on_left, on_right]
    return True


def unstructured_nodes(c: Circuit, vtree: Vtree, within: int | None = None) -> list[int]:
    """⊗ nodes (one per distinct split) whose split, restricted to ``within`` (default:
    the vtree's variables), does not respect ``vtree``."""
    within = vtree.bits if within is None else within
    return [node for key, node in splits(c, within).items() if not respects(vtree, key)]


def structured_decomposability(c: Circuit, vtree: Vtree) -> bool:
    """Whether ``c`` is decomposable and every ⊗ node splits its scope as ``vtree`` does
    (n-ary ⊗ nodes: as some bracketing into binary ones does; see the module docstring).

    The vtree must hold every variable of the circuit's scope; a missing one raises
    (a vtree over other variables says nothing about this circuit).

    >>> from catlearn.circuits import parity
    >>> structured_decomposability(parity(3), Vtree((1, (2, 3)))), \\
    ...     structured_decomposability(parity(3), Vtree(((1, 2), 3)))
    (True, False)
    """
    c, vtree = require_circuit(c, "c"), require_vtree(vtree)
    everything = 0
    s = scopes(c)
    for r in c.roots.tolist():
        everything |= s[r]
    missing = everything & ~vtree.bits
    if missing:
        raise CircuitError(
            f"structured_decomposability: the vtree lacks variable {bit_positions(missing)[0]} "
            f"of the circuit (it has {list(vtree.variables)[:16]})"
        )
    if undecomposable_nodes(c):
        return False
    return not unstructured_nodes(c, vtree)


# -- finding a vtree ---------------------------------------------------------------
def vtree_of(c: Circuit) -> Vtree:
    """A vtree over the circuit's scope that every ⊗ node respects; raises ``CircuitError``
    naming a ⊗ node when none exists (the circuit is not structured-decomposable).

    Where the splits leave a choice (a ⊗ node of three single variables), the vtree
    groups variables by the order of their numbers; any circuit ``c`` structured w.r.t.
    some vtree is structured w.r.t. the one returned.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x = [b.literal(v) for v in (1, 2, 3)]
    >>> c = b.build([b.sum([b.product([x[0], b.product([x[1], x[2]])]),
    ...                     b.product([b.product([x[0], x[1]]), x[2]])])])
    >>> vtree_of(c)
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: no vtree respects the circuit's product nodes: ...
    """
    c = require_circuit(c, "c")
    if undecomposable_nodes(c):
        raise CircuitError(
            f"vtree_of: product node {undecomposable_nodes(c)[0]} shares variables between its "
            "children: the circuit is not decomposable, so no vtree describes it"
        )
    s = scopes(c)
    everything = 0
    for r in c.roots.tolist():
        everything |= s[r]
    if not everything:
        raise CircuitError("vtree_of: the circuit mentions no variable")
    return _build(everything, [(splits(c), "the circuit's")], "the circuit's")


def common_vtree(c1: Circuit, c2: Circuit) -> Vtree | None:
    """A vtree over the variables that ``c1`` and ``c2`` share, respected by both circuits'
    ⊗ nodes restricted to those variables; None when they share no variable. Raises
    ``CircuitError`` ("not compatible", naming ⊗ nodes) when no such vtree exists."""
    c1, c2 = require_circuit(c1, "c1"), require_circuit(c2, "c2")
    shared = _root_scope(c1) & _root_scope(c2)
    if not shared:
        return None
    constraints = [(splits(c1, shared), "the first circuit's"),
                   (splits(c2, shared), "the second circuit's")]  # fmt: skip
    return _build(shared, constraints, "the circuits' (they are not compatible)")


def compatible(c1: Circuit, c2: Circuit) -> bool:
    """Whether ``c1`` and ``c2`` are compatible: both smooth and decomposable, and one vtree
    over their shared variables is respected by both (their ⊗ nodes split those variables
    the same way). Then their atlas ``product`` is tractable (and smooth, decomposable).

    >>> from catlearn.circuits import parity
    >>> compatible(parity(3), parity(3, odd=False))
    True
    """
    c1, c2 = require_circuit(c1, "c1"), require_circuit(c2, "c2")
    for c in (c1, c2):
        if undecomposable_nodes(c) or unsmooth_nodes(c):
            return False
    try:
        common_vtree(c1, c2)
    except CircuitError:
        return False
    return True


def _root_scope(c: Circuit) -> int:
    s, out = scopes(c), 0
    for r in c.roots.tolist():
        out |= s[r]
    return out


def _build(everything: int, constraints: list[tuple[dict, str]], whose: str) -> Vtree:
    """Aho et al.'s BUILD: on a set of variables, join the variables that some split keeps
    together (two of its parts meet the set, and they lie in one part); the groups become
    the subtrees, recursively. One group on two or more variables means no vtree exists."""
    nested: dict[int, Any] = {}
    order: list[tuple[int, int | None]] = []  # (set, parent set) in the order discovered
    todo = [everything]
    built_children: dict[int, list[int]] = {}
    while todo:
        here = todo.pop()
        if not here & (here - 1):  # one variable: a leaf
            nested[here] = bit_positions(here)[0]
            continue
        groups: list[int] = []
        for table, _ in constraints:
            for parts in table:
                inside = [p & here for p in parts if p & here]
                if len(inside) < 2:
                    continue
                for part in inside:
                    if not part & (part - 1):
                        continue
                    merged, keep = part, []
                    for g in groups:
                        if g & merged:
                            merged |= g
                        else:
                            keep.append(g)
                    groups = keep + [merged]
        rest = here
        for g in groups:
            rest &= ~g
        groups += [1 << v for v in bit_positions(rest)]
        if len(groups) == 1:
            raise CircuitError(_conflict(here, constraints, whose))
        groups.sort(key=lambda g: (g & -g).bit_length())  # by lowest variable: deterministic
        built_children[here] = groups
        order.append((here, None))
        todo += groups
    for here, _ in reversed(order):  # children are finished before their parents
        nested[here] = _halves([nested[g] for g in built_children[here]])
    return Vtree(nested[everything])


def _conflict(here: int, constraints: list[tuple[dict, str]], whose: str) -> str:
    examples = []
    for table, name in constraints:
        for parts, node in table.items():
            inside = [p & here for p in parts if p & here]
            if len(inside) >= 2 and any(p & (p - 1) for p in inside):
                shown = " | ".join(str(bit_positions(p)) for p in inside)
                examples.append(f"{name} product node {node} splits them as {shown}")
                break
    return (
        f"no vtree respects {whose} product nodes: their splits of the variables "
        f"{bit_positions(here)[:16]} keep them all together (e.g. " + "; ".join(examples) + ")"
    )


__all__ = [
    "Vtree",
    "common_vtree",
    "compatible",
    "require_vtree",
    "structured_decomposability",
    "vtree_of",
]
