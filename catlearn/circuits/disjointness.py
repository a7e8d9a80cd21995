"""Determinism, verified: a linear certificate first, an exact search where it fails.

A ⊕ node is *deterministic* when no assignment makes two of its children
non-zero (a child behind an edge of weight 0 never counts); *marginally*
deterministic in variables Q when no assignment of Q lets two children be
non-zero, the other variables left free in each. :func:`determinism`
settles every ⊕ node in stages, each sound, and says which one did:

1. **claims**: a decision node (``decision=v``: its children fix v to
   distinct states, verified when the circuit was built, see
   ``catlearn.circuits.decisions``), or a node with one live child (edges
   of weight 0 and children found unsatisfiable by stage 2 do not count).
2. **entailed literals**: one pass in topological order gives every node
   up to ``K`` = 8 literals it entails: a leaf its own, a ⊗ node its
   children's (leaves first), a ⊕ node those all its live children share;
   a node found unsatisfiable (false, a ⊗ node with a false child or two
   states of one variable) entails every literal. A ⊕ node whose live
   children pairwise entail two states of one variable is deterministic:
   the shape knowledge compilers (c2d, D4) write, flagged or not. Time
   O(K · (nodes + edges)), memory O(K · nodes).
3. **search**: each pair of children the rule leaves open gets a DPLL
   search for a common model. It conditions both children on the literals
   either entails, then branches on a variable both still mention (the one
   nearest their roots first); once they share none, decomposability makes
   them independent, so a common model exists iff each is satisfiable. A
   common model refutes the node (it is the counterexample, checked by
   evaluating both children on it); closing every branch certifies it.
   Below a non-decomposable node it branches on every variable, still
   exact. Each step is one pass over the two children's subcircuits; all
   steps share ``budget`` node visits, and a pair it cannot settle within
   them is **unknown**, never guessed.
4. **enumeration**: marginal determinism below a non-decomposable node
   (where the search cannot keep the free variables of the two children
   apart) enumerates their joint scope, if it has at most ``max_vars``
   variables; else unknown.

A circuit is deterministic when every ⊕ node it holds is certified (a node
no root reaches included, as before): one refuted node makes the answer
False, an unknown one (and none refuted) None::

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    >>> xor = b.build([b.sum([b.product([x, ny]), b.product([nx, y])])])  # no decision flag
    >>> report = determinism(xor)
    >>> report.deterministic, report.verdict(6).method
    (True, 'entailed literals')
    >>> either = b.build([b.sum([x, y])])                                  # x ∨ y
    >>> determinism(either).verdict(7).counterexample                      # both children hold
    {1: 1, 2: 1}
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from catlearn.arguments import flag, whole
from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    PRODUCT,
    SUM,
    Circuit,
    CircuitError,
    require_circuit,
)
from catlearn.circuits.properties import scopes
from catlearn.circuits.variables import variable_set

K = 8  # literals kept per node by the linear rule
WIDE = 16  # wider ⊕ nodes get only the one-variable test, their pairs left to the budget
DEFAULT_BUDGET = 1 << 21  # node visits the searches of one check may spend (~0.2 s measured)

STATUSES = ("not a ⊕ node", "exempt", "certified", "refuted", "unknown", "unchecked")
METHODS = ("", "decision claim", "one live child", "entailed literals", "search", "enumeration")
_NA, _EXEMPT, _CERTIFIED, _REFUTED, _UNKNOWN, _UNCHECKED = range(6)
_CLAIM, _ONE, _LITERALS, _SEARCH, _ENUMERATION = range(1, 6)


class Verdict(NamedTuple):
    """How one node was settled: its ``status`` (one of :data:`STATUSES`), the ``method``
    (one of :data:`METHODS`) and, for a refuted or unknown ⊕ node, the ``pair`` of child
    positions at fault, a ``counterexample`` (refuted: an assignment on which both are
    non-zero; marginally, an assignment of the variables asked about) and the ``reason``."""

    node: int
    status: str
    method: str
    pair: tuple[int, int] | None = None
    counterexample: dict[int, int] | None = None
    reason: str = ""


@dataclass(frozen=True, eq=False)
class DeterminismReport:
    """Per-node verdicts of :func:`determinism` (status and method codes per node, details
    of the refuted and unknown ones) and the search work spent.

    >>> from catlearn.circuits import parity
    >>> r = determinism(parity(4))
    >>> r.deterministic, r.summary()
    (True, {'decision claim': 8})
    """

    variables: tuple[int, ...] | None  # None: determinism; else marginal, in these
    status: np.ndarray  # int8 per node, an index into STATUSES
    method: np.ndarray  # int8 per node, an index into METHODS
    details: Mapping[int, Verdict]
    work: int
    budget: int

    @property
    def deterministic(self) -> bool | None:
        """True if every ⊕ node is certified, False if one is refuted, else None."""
        if np.any(self.status == _REFUTED):
            return False
        if np.any((self.status == _UNKNOWN) | (self.status == _UNCHECKED)):
            return None
        return True

    @property
    def refuted(self) -> tuple[int, ...]:
        """The refuted ⊕ nodes, in order."""
        return tuple(np.flatnonzero(self.status == _REFUTED).tolist())

    @property
    def unknown(self) -> tuple[int, ...]:
        """The ⊕ nodes neither certified nor refuted within the budget, in order."""
        return tuple(np.flatnonzero(self.status == _UNKNOWN).tolist())

    def verdict(self, node: int) -> Verdict:
        """The verdict on ``node`` (any node; non-⊕ nodes are "not a ⊕ node")."""
        node = whole(node, "verdict: node", least=0, most=self.status.size - 1)
        if node in self.details:
            return self.details[node]
        return Verdict(node, STATUSES[self.status[node]], METHODS[self.method[node]])

    def summary(self) -> dict[str, int]:
        """How many ⊕ nodes each method certified, and how many are refuted or unknown."""
        out: dict[str, int] = {}
        certified = self.method[self.status == _CERTIFIED]
        for code, count in zip(*np.unique(certified, return_counts=True)):
            out[METHODS[code]] = int(count)
        for code in (_REFUTED, _UNKNOWN, _UNCHECKED):
            count = int(np.sum(self.status == code))
            if count:
                out[STATUSES[code]] = count
        return out

    def explain(self) -> str:
        """One sentence on the first refuted node, else the first unknown one, else ''."""
        what = (
            "deterministic"
            if self.variables is None
            else f"marginally deterministic in variables {list(self.variables)}"
        )
        for code in (_REFUTED, _UNKNOWN):
            nodes = np.flatnonzero(self.status == code)
            if nodes.size:
                v = self.details[int(nodes[0])]
                i, j = v.pair if v.pair is not None else (None, None)
                if code == _REFUTED:
                    on = "assignment" if self.variables is None else "assignment of them"
                    return (
                        f"⊕ node {v.node} is not {what}: its children {i} and {j} are both "
                        f"non-zero on the {on} {v.counterexample} (found by {v.method})"
                    )
                return f"⊕ node {v.node} could not be verified {what}: {v.reason}"
        return ""


class UnverifiedDeterminism(CircuitError):
    """Determinism (or marginal determinism) could be neither certified nor refuted within
    the work allowed; ``report`` holds the verdicts and ``node`` the first unknown node."""

    def __init__(self, message: str, report: DeterminismReport | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.node = report.unknown[0] if report is not None and report.unknown else -1


def determinism(
    c: Circuit,
    variables: Sequence[int] | None = None,
    *,
    max_vars: int = 16,
    budget: int | None = None,
    exhaustive: bool = True,
) -> DeterminismReport:
    """Every ⊕ node's determinism, certified, refuted or unknown (see the module docstring).

    ``variables``: check marginal determinism in them instead (nodes with none of
    them in scope are exempt: they are summed out). ``max_vars`` bounds the
    enumeration of stage 4, ``budget`` the node visits of the searches (default
    ``DEFAULT_BUDGET``); ``exhaustive=False`` stops at the first refuted node,
    leaving the remaining open ones "unchecked". Reports are cached on the circuit.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    >>> c = b.build([b.sum([b.product([x, y]), b.product([nx, y])])])
    >>> determinism(c).deterministic
    True
    >>> marginal = determinism(c, [2])                # both children allow y = 1
    >>> marginal.deterministic, marginal.refuted, marginal.verdict(5).counterexample
    (False, (5,), {2: 1})
    """
    c = require_circuit(c, "c")
    max_vars = whole(max_vars, "max_vars", least=0)
    budget = DEFAULT_BUDGET if budget is None else whole(budget, "budget", least=0)
    exhaustive = flag(exhaustive, "exhaustive")
    wanted = (
        None
        if variables is None
        else tuple(sorted(variable_set(variables, c.n_vars, "determinism: variables")))
    )
    full = ("determinism", wanted, max_vars, budget, True)
    if full in c._cache:
        return c._cache[full]
    key = ("determinism", wanted, max_vars, budget, exhaustive)
    if key not in c._cache:
        c._cache[key] = _Check(c, wanted, max_vars, budget).run(exhaustive)
    return c._cache[key]


def entailed_literals(c: Circuit) -> list[dict[int, int] | None]:
    """Per node, up to ``K`` literals ``{variable: state}`` it entails (None: it is
    unsatisfiable, so it entails all); one pass, cached on the circuit.

    >>> from catlearn.circuits import CircuitBuilder
    >>> b = CircuitBuilder()
    >>> x, y, ny = b.literal(1), b.literal(2), b.literal(2, False)
    >>> c = b.build([b.sum([b.product([x, y]), b.product([x, ny])])])
    >>> entailed_literals(c)[-1], entailed_literals(c)[3]
    ({1: 1}, {1: 1, 2: 1})
    """
    c = require_circuit(c, "c")
    if "entailed literals" in c._cache:
        return c._cache["entailed literals"]
    kind, var, state = c.kind.tolist(), c.var.tolist(), c.state.tolist()
    offsets, children, _ = _live_edges(c)
    empty: dict[int, int] = {}
    out: list[dict[int, int] | None] = [empty] * c.n_nodes
    for node in range(c.n_nodes):
        k = kind[node]
        if k == LEAF:
            out[node] = {var[node]: state[node]}
        elif k == CONST:
            out[node] = empty if state[node] else None
        elif k == PRODUCT:
            out[node] = _conjoin(out, children[offsets[node] : offsets[node + 1]], kind, var, state)
        else:
            kids = children[offsets[node] : offsets[node + 1]]
            out[node] = _meet([out[ch] for ch in kids if out[ch] is not None])
    c._cache["entailed literals"] = out
    return out


def _live_edges(c: Circuit) -> tuple[list[int], list[int], list[int]]:
    """The live edges (all but ⊕ edges of weight 0) as CSR offsets and children, with each
    edge's position among its parent's children; cached on the circuit."""
    if "live edges" not in c._cache:
        parent = np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
        keep = np.ones(c.n_edges, dtype=bool)
        if c.weights is not None:
            keep = (c.weights != 0) | (c.kind[parent] != SUM)
        counts = np.bincount(parent[keep], minlength=c.n_nodes)
        c._cache["live edges"] = (
            np.concatenate([[0], np.cumsum(counts)]).tolist(),
            c.children[keep].tolist(),
            (np.arange(c.n_edges) - c.child_offsets[parent])[keep].tolist(),
        )
    return c._cache["live edges"]


def _conjoin(out: list, kids: list[int], kind: list, var: list, state: list) -> dict | None:
    """A ⊗ node's literals: its leaf children's (all checked for a clash, K kept), then
    its other children's, while there is room; None where a clash makes it false."""
    seen: dict[int, int] = {}
    rest = []
    for ch in kids:
        if kind[ch] == LEAF:
            v, s = var[ch], state[ch]
            if seen.setdefault(v, s) != s:
                return None
        else:
            rest.append(ch)
    merged = seen if len(seen) <= K else dict(itertools.islice(seen.items(), K))
    for ch in rest:
        lits = out[ch]
        if lits is None:
            return None
        for v, s in lits.items():
            old = seen.get(v)
            if old is None and merged is not seen:
                old = merged.get(v)
            if old is None:
                if len(merged) < K:
                    merged[v] = s
            elif old != s:
                return None
    return merged


def _meet(live: list[dict[int, int]]) -> dict[int, int] | None:
    """A ⊕ node's literals: those every live, satisfiable child entails."""
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    acc = min(live, key=len)
    for lits in live:
        if not acc:
            break
        if lits is not acc:
            acc = {v: s for v, s in acc.items() if lits.get(v) == s}
    return acc


class _Check:
    """One determinism check of one circuit: the linear stages over every ⊕ node, then
    searches for the pairs of children they leave open, sharing one budget."""

    def __init__(self, c: Circuit, wanted: tuple[int, ...] | None, max_vars: int, budget: int):
        self.c, self.max_vars, self.budget, self.work = c, max_vars, budget, 0
        self.wanted = None if wanted is None else frozenset(wanted)
        self.kind, self.var = c.kind.tolist(), c.var.tolist()
        self.state, self.n_states = c.state.tolist(), c.n_states.tolist()
        self.live_offsets, self.live_children, self.live_position = _live_edges(c)
        self._lits: list | None = None

    @property
    def lits(self) -> list[dict[int, int] | None]:
        if self._lits is None:  # not needed where every ⊕ node is a decision
            self._lits = entailed_literals(self.c)
        return self._lits

    # -- the linear stages ------------------------------------------------
    def kids(self, node: int) -> list[int]:
        """A node's children through live edges."""
        return self.live_children[self.live_offsets[node] : self.live_offsets[node + 1]]

    def live(self, node: int) -> list[tuple[int, int]]:
        """(position, child) of a node's children through live edges."""
        lo, hi = self.live_offsets[node], self.live_offsets[node + 1]
        return list(zip(self.live_position[lo:hi], self.live_children[lo:hi]))

    def clash(self, a: dict[int, int], b: dict[int, int]) -> bool:
        """Whether two literal sets give one variable (one asked about) two states."""
        if len(b) < len(a):
            a, b = b, a
        q = self.wanted
        return any(b.get(v, s) != s and (q is None or v in q) for v, s in a.items())

    def split(self, kids: list[tuple[int, int]]) -> bool:
        """Whether one variable takes a distinct entailed state in every child."""
        q, lits = self.wanted, self.lits
        for v, s in lits[kids[0][1]].items():
            if q is not None and v not in q:
                continue
            states = {s}
            for _, ch in kids[1:]:
                t = lits[ch].get(v)
                if t is None or t in states:
                    break
                states.add(t)
            else:
                return True
        return False

    def open_pairs(self, kids: list[tuple[int, int]]):
        """The pairs of children whose entailed literals do not clash, lazily."""
        for (i, a), (j, b) in itertools.combinations(kids, 2):
            if not self.clash(self.lits[a], self.lits[b]):
                yield (i, a), (j, b)

    def run(self, exhaustive: bool) -> DeterminismReport:
        c, q = self.c, self.wanted
        status = np.zeros(c.n_nodes, dtype=np.int8)
        method = np.zeros(c.n_nodes, dtype=np.int8)
        details: dict[int, Verdict] = {}
        mask = 0 if q is None else sum(1 << v for v in q)
        s = scopes(c) if q is not None else None
        pending = []
        for node in np.flatnonzero(c.kind == SUM).tolist():
            status[node] = _CERTIFIED
            decided = int(c.decision[node])
            if q is not None and not s[node] & mask:
                status[node] = _EXEMPT
                continue
            if decided and (q is None or decided in q):
                method[node] = _CLAIM
                continue
            kids = [(i, ch) for i, ch in self.live(node) if self.lits[ch] is not None]
            if len(kids) <= 1:
                method[node] = _ONE
            elif self.split(kids) or (
                len(kids) <= WIDE and next(self.open_pairs(kids), None) is None
            ):
                method[node] = _LITERALS
            else:
                pending.append((node, kids))
        refuted = False
        for node, kids in pending:
            if refuted and not exhaustive:
                status[node] = _UNCHECKED
                details[node] = Verdict(node, "unchecked", "", reason="not checked: the "
                                        "check stopped at the first refuted node")  # fmt: skip
                continue
            verdict = self.settle(node, kids)
            status[node] = STATUSES.index(verdict.status)
            method[node] = METHODS.index(verdict.method)
            if verdict.status != "certified":
                details[node] = verdict
            refuted |= verdict.status == "refuted"
        status[c.kind != SUM] = _NA
        for a in (status, method):
            a.flags.writeable = False
        return DeterminismReport(q if q is None else tuple(sorted(q)), status, method,
                                 MappingProxyType(details), self.work, self.budget)  # fmt: skip

    def settle(self, node: int, kids: list[tuple[int, int]]) -> Verdict:
        """Search (or enumerate) every open pair: the first refuted pair refutes the node.
        Each pair looked at costs one unit of the budget, so wide nodes stay bounded."""
        unknown = None
        how = _LITERALS
        for (i, a), (j, b) in itertools.combinations(kids, 2):
            self.work += 1
            if self.work > self.budget:  # this pair and the rest stay open
                code, how_pair, found, reason = _UNKNOWN, _SEARCH, None, self.spent()
            elif self.clash(self.lits[a], self.lits[b]):
                continue
            else:
                code, how_pair, found, reason = self.disjoint(a, b)
            how = max(how, how_pair)
            if code == _REFUTED:
                return Verdict(node, "refuted", METHODS[how_pair], (i, j), found)
            if code == _UNKNOWN and unknown is None:
                unknown = Verdict(node, "unknown", METHODS[how_pair], (i, j), None,
                                  f"children {i} and {j}: {reason}")  # fmt: skip
            if self.work > self.budget:  # every later pair would be unknown too
                if unknown is None:
                    unknown = Verdict(node, "unknown", METHODS[_SEARCH], (i, j), None,
                                      f"children {i} and {j}: {self.spent()}")  # fmt: skip
                break
        return unknown if unknown is not None else Verdict(node, "certified", METHODS[how])

    # -- the search ----------------------------------------------------------
    def disjoint(self, a: int, b: int) -> tuple[int, int, dict | None, str]:
        """(status code, method code, counterexample, reason) for children ``a`` and ``b``."""
        left = self.budget - self.work
        if left <= 0:
            return _UNKNOWN, _SEARCH, None, self.spent()
        sub = _Sub(self, a, b, left)
        self.work += sub.cost
        if sub.cost > left:
            return _UNKNOWN, _SEARCH, None, self.spent()
        marginal = self.wanted is not None
        if marginal and not sub.decomposable:
            return self.enumerate(sub)
        start = {}
        for x in (a, b):  # literals a child entails hold in any common model: set them
            for v, s in sub.entailed(x).items():
                if marginal and v not in self.wanted:
                    continue
                if start.setdefault(v, s) != s:
                    return _CERTIFIED, _LITERALS, None, ""
        stack = [start]
        while stack:
            if self.budget - self.work < sub.cost:
                return _UNKNOWN, _SEARCH, None, self.spent()
            self.work += sub.cost
            rho = stack.pop()
            alive, scope = sub.evaluate(rho)
            if not (alive[sub.a] and alive[sub.b]):
                continue
            both = scope[sub.a] & scope[sub.b]
            if marginal:
                both &= sub.qmask
            branch = both if sub.decomposable else both or scope[sub.a] | scope[sub.b]
            if not branch:
                found = sub.witness(rho, alive)
                if found is None:  # cannot happen; never guess if it does
                    return _UNKNOWN, _SEARCH, None, "a common model failed to check"
                return _REFUTED, _SEARCH, found, ""
            v = sub.vars[(branch & -branch).bit_length() - 1]
            stack.extend({**rho, v: s} for s in reversed(range(self.n_states[v])))
        return _CERTIFIED, _SEARCH, None, ""

    def enumerate(self, sub: _Sub) -> tuple[int, int, dict | None, str]:
        """Marginal disjointness below a non-decomposable node, by enumeration."""
        if len(sub.vars) > self.max_vars:
            why = (
                f"below a non-decomposable node, their {len(sub.vars)} variables exceed "
                f"max_vars = {self.max_vars} for enumeration"
            )
            return _UNKNOWN, _ENUMERATION, None, why
        seen: tuple[dict, dict] = ({}, {})
        q = self.wanted
        for values in itertools.product(*(range(self.n_states[v]) for v in sub.vars)):
            if self.budget - self.work < sub.cost:
                return _UNKNOWN, _ENUMERATION, None, self.spent()
            self.work += sub.cost
            rho = dict(zip(sub.vars, values))
            alive, _ = sub.evaluate(rho)
            key = tuple((v, s) for v, s in rho.items() if v in q)
            for side, x in enumerate((sub.a, sub.b)):
                if alive[x]:
                    seen[side][key] = True
                    if key in seen[1 - side]:
                        return _REFUTED, _ENUMERATION, dict(sorted(key)), ""
        return _CERTIFIED, _ENUMERATION, None, ""

    def spent(self) -> str:
        return (
            f"the search for a common model ran out of its budget of {self.budget} node "
            "visits (pass a larger budget to search longer)"
        )


class _Sub:
    """The subcircuit below two children, renumbered 0..m-1 in topological order, with
    its variables numbered by distance from the two roots (bit i of a scope mask is
    ``vars[i]``), so the lowest shared bit is the variable nearest the roots."""

    def __init__(self, check: _Check, a: int, b: int, allowed: int) -> None:
        self.check = check
        found, stack = {a, b}, [a, b]
        while stack and len(found) <= allowed:
            node = stack.pop()
            for ch in check.kids(node):
                if ch not in found:
                    found.add(ch)
                    stack.append(ch)
        nodes = sorted(found)
        self.nodes = nodes
        self.cost = len(nodes) + 1
        if len(found) > allowed:
            return
        index = {n: i for i, n in enumerate(nodes)}
        self.a, self.b = index[a], index[b]
        kind, var, state = check.kind, check.var, check.state
        self.kind = [kind[n] for n in nodes]
        self.kids = [[index[ch] for ch in check.kids(n)] for n in nodes]
        self.cost += sum(len(k) for k in self.kids)
        self.state = [state[n] for n in nodes]
        depth = [len(nodes)] * len(nodes)
        depth[self.a] = depth[self.b] = 0
        for i in range(len(nodes) - 1, -1, -1):
            for ch in self.kids[i]:
                depth[ch] = min(depth[ch], depth[i] + 1)
        near: dict[int, int] = {}
        for i, n in enumerate(nodes):
            if kind[n] == LEAF:
                near[var[n]] = min(near.get(var[n], depth[i]), depth[i])
        self.vars = sorted(near, key=lambda v: (near[v], v))
        bit = {v: 1 << i for i, v in enumerate(self.vars)}
        self.var = [var[n] if kind[n] == LEAF else 0 for n in nodes]
        self.bit = [bit.get(v, 0) for v in self.var]
        q = check.wanted
        self.qmask = 0 if q is None else sum(bit[v] for v in self.vars if v in q)
        self.decomposable = self._decomposable()

    def _decomposable(self) -> bool:
        """Whether no ⊗ node of the subcircuit has children sharing a variable (scopes
        local to the subcircuit, so checking costs no more than one evaluation)."""
        scope = [0] * len(self.nodes)
        for i, k in enumerate(self.kind):
            if k == LEAF:
                scope[i] = self.bit[i]
            elif k != CONST:
                acc = 0
                for ch in self.kids[i]:
                    if k == PRODUCT and acc & scope[ch]:
                        return False
                    acc |= scope[ch]
                scope[i] = acc
        return True

    def entailed(self, node: int) -> dict[int, int]:
        """The literals ``node`` entails: the linear rule's, and every leaf child of a ⊗
        node (beyond the rule's K)."""
        check = self.check
        lits = dict(check.lits[node] or {})
        if check.kind[node] == PRODUCT:
            for ch in check.kids(node):
                if check.kind[ch] == LEAF:
                    lits.setdefault(check.var[ch], check.state[ch])
        return lits

    def evaluate(self, rho: dict[int, int]) -> tuple[list[bool], list[int]]:
        """Each node's satisfiability under ``rho`` (unassigned leaves true: exact where
        decomposable, an over-approximation elsewhere) and its live unassigned scope."""
        m = len(self.nodes)
        alive, scope = [False] * m, [0] * m
        kind, kids, var, state, bit = self.kind, self.kids, self.var, self.state, self.bit
        for i in range(m):
            k = kind[i]
            if k == LEAF:
                s = rho.get(var[i])
                if s is None:
                    alive[i], scope[i] = True, bit[i]
                else:
                    alive[i] = s == state[i]
            elif k == CONST:
                alive[i] = state[i] == 1
            elif k == SUM:
                sc, al = 0, False
                for ch in kids[i]:
                    if alive[ch]:
                        al = True
                        sc |= scope[ch]
                alive[i], scope[i] = al, sc
            else:
                sc, al = 0, True
                for ch in kids[i]:
                    if not alive[ch]:
                        al = False
                        break
                    sc |= scope[ch]
                if al:
                    alive[i], scope[i] = True, sc
        return alive, scope

    def model(self, root: int, alive: list[bool], into: dict[int, int]) -> None:
        """Extends ``into`` with the unassigned leaves of one satisfied derivation."""
        stack, seen = [root], set()
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            k = self.kind[i]
            if k == LEAF:
                into.setdefault(self.var[i], self.state[i])
            elif k == PRODUCT:
                stack.extend(self.kids[i])
            elif k == SUM:
                stack.append(next(ch for ch in self.kids[i] if alive[ch]))

    def witness(self, rho: dict[int, int], alive: list[bool]) -> dict[int, int] | None:
        """A common model (marginally: the assignment of the asked variables), checked by
        evaluating both children on complete assignments; None if the check fails."""
        ours, theirs = dict(rho), dict(rho)
        self.model(self.a, alive, ours)
        self.model(self.b, alive, theirs)
        q = self.check.wanted
        # Marginally the two children share only the asked variables' states; else all.
        shared = {v: s for v, s in ours.items() if q is None or v in q}
        for v, s in theirs.items():
            if (q is None or v in q) and shared.setdefault(v, s) != s:
                return None
        for side, x in ((ours, self.a), (theirs, self.b)):
            full = {v: shared.get(v, side.get(v, 0)) for v in self.vars}
            if not self.evaluate(full)[0][x]:
                return None
        if q is None:
            return {v: shared.get(v, 0) for v in sorted(self.vars)}
        return dict(sorted(shared.items()))


__all__ = [
    "DEFAULT_BUDGET",
    "DeterminismReport",
    "METHODS",
    "STATUSES",
    "UnverifiedDeterminism",
    "Verdict",
    "determinism",
    "entailed_literals",
]
