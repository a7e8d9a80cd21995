"""``CircuitBuilder``: hand-made circuits, node by node, frozen into a ``Circuit``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from catlearn.arguments import flag, is_whole, real, whole
from catlearn.circuits.circuit import CONST, LEAF, MAX_VARS, PRODUCT, SUM, Circuit
from catlearn.errors import ArgumentTypeError, CircuitError


class Node(int):
    """A node id handed out by a :class:`CircuitBuilder`: an ``int`` that remembers which
    builder made it, so that a node of one builder is never read as another's node of
    the same number. Each builder has its own subclass (no per-node storage)."""

    __slots__ = ()


class CircuitBuilder:
    """Hand-made circuits, node by node; ``build(roots)`` freezes them into a ``Circuit``.

    Every argument is checked where it is given (node ids are integers naming
    existing nodes, weights finite and ≥ 0, states below the variable's count);
    decision claims are verified by ``build``, which sees the finished circuit::

        >>> b = CircuitBuilder()
        >>> b.sum([b.literal(1), 7])
        Traceback (most recent call last):
        ...
        catlearn.errors.CircuitError: sum: child 7 is not a node yet (this builder has nodes 0..0)

    The ids returned are :class:`Node` s (``int`` s) tied to their builder; plain integers
    are read as this builder's ids, and a node of another builder is refused::

        >>> a = CircuitBuilder()
        >>> b.product([a.literal(2)])
        Traceback (most recent call last):
        ...
        catlearn.errors.CircuitError: product: child 0 is a node of another CircuitBuilder
    """

    def __init__(self) -> None:
        self._Node = type("Node", (Node,), {"__slots__": ()})
        self._kind: list[int] = []
        self._var: list[int] = []
        self._state: list[int] = []
        self._decision: list[int] = []
        self._offsets: list[int] = [0]
        self._children: list[int] = []
        self._weights: list[float] = []
        self._weighted = False
        self._n_states: dict[int, int] = {}  # the states each variable needs so far
        self._declared: dict[int, int] = {}  # n_states given explicitly to indicator()

    def _node(self, kind: int, var: int = 0, state: int = 0, decision: int = 0) -> int:
        self._kind.append(kind)
        self._var.append(var)
        self._state.append(state)
        self._decision.append(decision)
        self._offsets.append(len(self._children))
        return self._Node(len(self._kind) - 1)

    def _own(self, what: str, node: Any) -> None:
        if isinstance(node, Node) and type(node) is not self._Node:
            raise CircuitError(f"{what} {int(node)} is a node of another CircuitBuilder")

    def indicator(self, var: int, value: int, n_states: int | None = None) -> int:
        """The leaf [X_var = value] (variables are numbered from 1; ``n_states``, once
        given for a variable, bounds every value of it)."""
        var = whole(var, "indicator: var", least=1, most=MAX_VARS)
        value = whole(value, "indicator: value", least=0)
        if n_states is not None:
            self.declare(var, n_states, "indicator")
        limit = self._declared.get(var)
        if limit is not None and value >= limit:
            raise CircuitError(f"value {value} is not one of the {limit} states of {var}")
        self._n_states[var] = max(self._n_states.get(var, 2), value + 1, n_states or 0)
        return self._node(LEAF, var, value)

    def declare(self, var: int, n_states: int, where: str = "declare") -> None:
        """Variable ``var`` has ``n_states`` states, whether or not a leaf mentions it
        (an undeclared variable no leaf uses gets 2); refused if it was given another
        number before, or a leaf already uses a state beyond it."""
        var = whole(var, f"{where}: var", least=1, most=MAX_VARS)
        n_states = whole(n_states, f"{where}: n_states", least=1)
        used = self._n_states.get(var, 0)
        if self._declared.get(var, n_states) != n_states or used > n_states:
            raise CircuitError(
                f"{where}: variable {var} was given "
                f"{self._declared.get(var, used)} states before, now n_states = {n_states}"
            )
        self._declared[var] = n_states
        self._n_states[var] = max(self._n_states.get(var, 2), n_states)

    def literal(self, var: int, positive: bool = True) -> int:
        """The DIMACS literal ``var`` (or ``-var``): the indicator of state 1 (or 0)."""
        return self.indicator(var, 1 if flag(positive, "literal: positive") else 0)

    def constant(self, value: bool) -> int:
        return self._node(CONST, 0, int(flag(value, "constant: value")))

    def _internal(self, what: str, kind: int, children: Sequence[int], weights: Any,
                  decision: int = 0) -> int:  # fmt: skip
        if isinstance(children, (str, bytes)) or not isinstance(children, (Sequence, np.ndarray)):
            raise ArgumentTypeError(
                f"{what}: children must be a list of node ids, got {type(children).__name__}"
            )
        n = len(self._kind)
        kids = []
        mine = self._Node
        for c in list(children):
            if type(c) is not mine and isinstance(c, Node):
                self._own(f"{what}: child", c)
            if not is_whole(c):
                raise ArgumentTypeError(
                    f"{what}: child {c!r:.40} is not a node id (an integer from this builder)"
                )
            if not 0 <= c < n:
                raise CircuitError(
                    f"{what}: child {c} is not a node yet (this builder has nodes 0..{n - 1})"
                )
            kids.append(int(c))
        if weights is not None:
            if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
                raise ArgumentTypeError(f"{what}: weights must be a list of numbers")
            weights = [real(w, f"{what}: weight {i}", non_negative=True)
                       for i, w in enumerate(list(weights))]  # fmt: skip
            if len(weights) != len(kids):
                raise CircuitError(f"{what}: {len(weights)} weights for {len(kids)} children")
            self._weighted = True
        self._children += kids
        self._weights += weights if weights is not None else [1.0] * len(kids)
        return self._node(kind, 0, 0, decision)

    def sum(self, children: Sequence[int], weights: Sequence[float] | None = None,
            decision: int = 0) -> int:  # fmt: skip
        """An ⊕ node; ``weights`` (finite, ≥ 0) multiply each child (e.g. mixture weights).
        ``decision=v`` claims that the children fix variable v to distinct states (checked
        by ``build``). No children: the constant false."""
        decision = whole(decision, "sum: decision", least=0)
        return self._internal("sum", SUM, children, weights, decision)

    def product(self, children: Sequence[int]) -> int:
        """An ⊗ node (no children: the constant true)."""
        return self._internal("product", PRODUCT, children, None)

    def build(self, roots: Sequence[int] | int, n_vars: int | None = None) -> Circuit:
        """The circuit with these roots, over variables 1..``n_vars`` (default: the
        largest used); every decision claim is verified here."""
        roots = [roots] if is_whole(roots) else roots
        if isinstance(roots, (str, bytes)) or not isinstance(roots, (Sequence, np.ndarray)):
            raise ArgumentTypeError(
                f"build: roots must be a node id or a list of them, got {roots!r:.40}"
            )
        n = len(self._kind)
        for r in list(roots):
            self._own("build: root", r)
        roots = [whole(r, "build: root", least=0, most=n - 1) for r in list(roots)]
        if not roots:
            raise CircuitError("build: name at least one root")
        top = max(self._n_states, default=0)
        n_vars = top if n_vars is None else whole(n_vars, "build: n_vars", least=0, most=MAX_VARS)
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
