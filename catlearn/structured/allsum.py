"""The allsum of a weighted grammar: the total weight of every derivation.

For each nonterminal A, X_A = ⊕_{A → α} w ⊗ ⊗_{B ∈ α} X_B (terminals weigh
one) is a polynomial system; the allsum is its *least* solution at the
start symbol, the ⊕ over all derivations. It is solved one strongly
connected component of the "uses" graph at a time, lower components first:

- a component without recursion is evaluated exactly, in any semiring;
- Real and Log: Newton's method in float64 (Esparza, Kiefer, Luttenberger),
  quadratic for subcritical systems, linear (still convergent) at criticality;
  weights must be ≥ 0; no finite solution (e.g. X = 0.6 X² + 0.5) raises
  ``DivergenceError``, detected as a Jacobian of spectral radius ≥ 1 before
  convergence; the result satisfies every equation to |f(X) − X| ≤ 1e-9 (1 + |X|);
- idempotent semirings (Boolean, MaxPlus, Viterbi, MinPlus, Fuzzy, …) and
  TopK: Kleene iteration X ← f(X) from zero until it stops changing exactly;
  still changing after the bound that a finite optimum needs (a derivation
  context that improves the score when pumped) raises ``DivergenceError``;
- Dual numbers (Expectation): the value in the base semiring, the tangent
  from the linear system T = J T ⊕ c, by the closure J* of the Jacobian;
- Counting: exact when the relevant grammar is not recursive; a recursive
  nonterminal has infinitely many derivations: ``DivergenceError`` naming it.

Other semirings raise ``NotClosedError`` for a recursive grammar.

    >>> from catlearn.semirings import Real
    >>> from catlearn.structured.grammar import WCFG
    >>> round(float(allsum(WCFG.from_text("S -> S S 0.6\\nS -> a 0.4"))), 6)  # not 1
    0.666667
    >>> allsum(WCFG.from_text("S -> S S 0.6\\nS -> a 0.5"))
    Traceback (most recent call last):
    ...
    catlearn.errors.DivergenceError: allsum in Real diverges at 'S': ...
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import jax.numpy as jnp
import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, DivergenceError, NotClosedError
from catlearn.semirings import (
    Boolean,
    Counting,
    Dual,
    Log,
    Real,
    Semiring,
    TopK,
    closure,
    require_semiring,
)
from catlearn.structured import carrier
from catlearn.structured.grammar import WCFG, matrix, same, show, stack

Array = Any
TOLERANCE = 1e-9  # |f(X) − X| ≤ TOLERANCE · (1 + |X|) for the float solutions
NEWTON_STEPS = 200  # a critical system gains about one bit per step


def allsum(grammar: WCFG, semiring: Semiring | None = None) -> Array:
    """The ⊕ over every derivation from the start symbol (one element).

    ``semiring`` reads the grammar in another semiring (:meth:`WCFG.over`).
    """
    g = _grammar(grammar, semiring)
    return _solve(g, [g.start])[g.start]


def allsums(grammar: WCFG, semiring: Semiring | None = None) -> dict[str, Array]:
    """The allsum from every nonterminal: ``{nonterminal: element}``."""
    g = _grammar(grammar, semiring)
    return _solve(g, list(g.nonterminals))


def _grammar(grammar: Any, semiring: Semiring | None) -> WCFG:
    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(f"allsum: expected a WCFG, got {type(grammar).__name__}")
    if semiring is None:
        return grammar
    return grammar.over(require_semiring(semiring, "allsum: semiring"))


class _Rule:
    """A rule seen by the system: its nonterminal children only (terminals weigh one)."""

    __slots__ = ("lhs", "body", "weight")

    def __init__(self, lhs: str, body: tuple[str, ...], weight: Array) -> None:
        self.lhs, self.body, self.weight = lhs, body, weight


def _solve(g: WCFG, targets: list[str]) -> dict[str, Array]:
    import networkx as nx  # a dependency; imported here to keep module import light

    S = g.semiring
    nts = set(g.nonterminals)
    alive = g.generating()
    rules = [
        _Rule(r.lhs, tuple(x for x in r.rhs if x in nts), r.weight)
        for r in g.rules
        if r.lhs in alive and all(x in alive for x in r.rhs if x in nts)
    ]
    graph = nx.DiGraph()
    graph.add_nodes_from(x for x in targets if x in alive)
    for r in rules:
        graph.add_node(r.lhs)
        graph.add_edges_from((r.lhs, b) for b in r.body)
    needed = set(graph.nbunch_iter([x for x in targets if x in alive]))
    for x in list(needed):
        needed |= nx.descendants(graph, x)
    dag = nx.condensation(graph.subgraph(needed))
    values: dict[str, Array] = {}
    by_lhs = defaultdict(list)
    for r in rules:
        by_lhs[r.lhs].append(r)
    for component in reversed(list(nx.topological_sort(dag))):
        members = sorted(dag.nodes[component]["members"], key=g.nonterminals.index)
        own = [r for x in members for r in by_lhs[x]]
        inside = set(members)
        if len(members) == 1 and not any(b in inside for r in own for b in r.body):
            values[members[0]] = _evaluate(S, own, values)
        else:
            values.update(_recursive(S, members, own, values))
    zero = S.zeros(())
    return {x: values.get(x, zero) for x in targets}


def _evaluate(S: Semiring, rules: list[_Rule], values: dict[str, Array]) -> Array:
    """⊕ over ``rules`` of w ⊗ Π values (one nonterminal, known children)."""
    total = S.zeros(())
    for r in rules:
        term = r.weight
        for b in r.body:
            term = S.mul(term, values[b])
        total = S.add(total, term)
    return total


def _recursive(
    S: Semiring, members: list[str], rules: list[_Rule], values: dict[str, Array]
) -> dict[str, Array]:
    if isinstance(S, (Real, Log)):
        return _newton(S, members, rules, values)
    if isinstance(S, Dual):
        return _dual(S, members, rules, values)
    if S.idempotent or isinstance(S, TopK):
        return _kleene(S, members, rules, values)
    if isinstance(S, Counting):
        raise DivergenceError(
            f"allsum in Counting diverges at {members[0]!r}: it derives itself "
            f"({' ⇒ '.join(members[:3])}{' …' if len(members) > 3 else ''} ⇒ …), so it has "
            "infinitely many derivations"
        )
    raise NotClosedError(
        f"allsum: {members[0]!r} is recursive, and {S!r} has no method for a least fixpoint "
        "(supported: Real, Log, Dual, idempotent semirings, TopK, Counting when finite)"
    )


# -- Newton (Real, Log) -------------------------------------------------------------


def _floats(S: Semiring, x: Array, what: str) -> float:
    value = float(np.asarray(x, dtype=np.float64))
    if isinstance(S, Log):
        prob = float(np.exp(value))
        if (prob == 0.0 and value > -np.inf) or prob == np.inf:
            raise ArgumentValueError(
                f"allsum in Log: {what} = {value} is beyond float64 as a probability "
                "(the recursive part is solved in probability space)"
            )
        return prob
    return value


def _newton(
    S: Semiring, members: list[str], rules: list[_Rule], values: dict[str, Array]
) -> dict[str, Array]:
    at = {x: i for i, x in enumerate(members)}
    m = len(members)
    consts: dict[str, float] = {}
    terms = []  # (lhs index, weight, [member indices], constant factor)
    for r in rules:
        w = _floats(S, r.weight, f"the weight of a rule of {r.lhs!r}")
        if w < 0:
            raise ArgumentValueError(
                f"allsum in {S!r}: {r.lhs!r} is recursive and has a rule of negative weight "
                f"{w}; a least solution needs weights ≥ 0"
            )
        factor = w
        kids = []
        for b in r.body:
            if b in at:
                kids.append(at[b])
            else:
                if b not in consts:
                    consts[b] = _floats(S, values[b], f"the allsum of {b!r}")
                    if consts[b] < 0:
                        raise ArgumentValueError(
                            f"allsum in {S!r}: {r.lhs!r} is recursive and uses {b!r} of "
                            f"negative allsum {consts[b]}; a least solution needs values ≥ 0"
                        )
                factor *= consts[b]
        terms.append((at[r.lhs], factor, kids))

    def f(x: np.ndarray) -> np.ndarray:
        out = np.zeros(m)
        for a, c, kids in terms:
            out[a] += c * np.prod(x[kids]) if kids else c
        return out

    def jacobian(x: np.ndarray) -> np.ndarray:
        out = np.zeros((m, m))
        for a, c, kids in terms:
            for i, b in enumerate(kids):
                out[a, b] += c * np.prod(np.delete(x[kids], i))
        return out

    def residual(x: np.ndarray) -> float:
        return float(np.max(np.abs(f(x) - x) / (1.0 + np.abs(x))))

    x = np.zeros(m)
    for _ in range(NEWTON_STEPS):
        fx = f(x)
        J = jacobian(x)
        if not (np.all(np.isfinite(fx)) and np.all(np.isfinite(J))):
            break
        if float(np.max(np.abs(np.linalg.eigvals(J)))) >= 1.0:
            break  # below a finite least solution the radius is < 1: diverged, or converged
        step = np.linalg.solve(np.eye(m) - J, fx - x)
        # Newton's iterates increase (for weights ≥ 0); rounding must not undo that.
        new = np.maximum(x + step, x)
        done = np.all(np.abs(new - x) <= 1e-15 * (1.0 + np.abs(x)))
        x = new
        if done or not np.all(np.isfinite(x)):
            break
    if not np.all(np.isfinite(x)) or residual(x) > TOLERANCE:
        worst = members[int(np.argmax(np.abs(f(x) - x)))] if np.all(np.isfinite(x)) else members[0]
        raise DivergenceError(
            f"allsum in {S!r} diverges at {worst!r}: the system X = f(X) of its recursive "
            f"part ({', '.join(map(repr, members[:4]))}{', …' if m > 4 else ''}) has no "
            "finite least solution (the total weight of its derivations is infinite)"
        )
    out = np.log(x) if isinstance(S, Log) else x
    return {name: S.asarray(out[i]) for i, name in enumerate(members)}


# -- Kleene iteration (idempotent, TopK) -------------------------------------------


class _System:
    """f restricted to one component, vectorised: X ↦ ⊕_rules w ⊗ Π X[children]."""

    def __init__(
        self, S: Semiring, members: list[str], rules: list[_Rule], values: dict[str, Array]
    ) -> None:
        at = {x: i for i, x in enumerate(members)}
        outside = sorted({b for r in rules for b in r.body if b not in at})
        slot = {**at, **{b: len(members) + i for i, b in enumerate(outside)}}
        one = len(members) + len(outside)
        width = max(len(r.body) for r in rules)
        kids = np.full((len(rules), width), one, dtype=np.int64)
        for i, r in enumerate(rules):
            kids[i, : len(r.body)] = [slot[b] for b in r.body]
        self.S, self.m = S, len(members)
        self.kids = kids
        self.weights = stack(S, [r.weight for r in rules])
        self.outside = stack(S, [values[b] for b in outside] + [S.ones(())])
        lhs = np.array([at[r.lhs] for r in rules])
        rows = [(int(a), i, S.ones(())) for i, a in enumerate(lhs)]
        self.select = _rect(S, self.m, len(rules), rows)

    def __call__(self, x: Array) -> Array:
        S = self.S
        ext = carrier.concatenate(S, [x, self.outside], axis=0)
        idx = self.kids if S.host else jnp.asarray(self.kids)
        terms = S.mul(self.weights, S.prod(carrier.index(ext, idx), axis=1))
        col = carrier.expand(S, carrier.expand(S, terms, 1), 0)  # (1, R, 1)
        out = S.matmul(carrier.expand(S, self.select, 0), col)
        return carrier.reshape(S, out, (self.m,))


def _rect(S: Semiring, rows: int, cols: int, entries: list[tuple[int, int, Array]]) -> Array:
    where = np.full((rows, cols), len(entries), dtype=np.int64)
    for k, (i, j, _) in enumerate(entries):
        where[i, j] = k
    table = stack(S, [w for _, _, w in entries] + [S.zeros(())])
    return carrier.index(table, where if S.host else jnp.asarray(where))


def _kleene(
    S: Semiring, members: list[str], rules: list[_Rule], values: dict[str, Array]
) -> dict[str, Array]:
    f = _System(S, members, rules, values)
    m = len(members)
    # A finite optimum is reached by derivations in which no nonterminal repeats on a
    # path (pumping a context never helps), so height ≤ m in a selective semiring; the
    # k best need at most k pumps each.
    selective = getattr(S, "select", None) is not None or isinstance(S, Boolean)
    bound = m + 2 if selective else (m * (S.k + 1) + 2 if isinstance(S, TopK) else 1000)
    x = S.zeros((m,))
    for _ in range(bound):
        new = f(x)
        if same(S, new, x):
            return {name: carrier.index(x, i) for i, name in enumerate(members)}
        x = new
    changed = [
        name
        for i, name in enumerate(members)
        if not same(S, carrier.index(f(x), i), carrier.index(x, i))
    ]
    where = changed[0] if changed else members[0]
    raise DivergenceError(
        f"allsum in {S!r} diverges at {where!r}: Kleene iteration still changes after "
        f"{bound} rounds (a derivation context of {where!r} improves the weight each time "
        f"it is repeated, e.g. a positive cycle in MaxPlus); its value reached "
        f"{show(carrier.index(x, members.index(where)))}"
    )


# -- Dual numbers ------------------------------------------------------------------


def _dual(
    S: Dual, members: list[str], rules: list[_Rule], values: dict[str, Array]
) -> dict[str, Array]:
    B = S.base
    base_rules = [_Rule(r.lhs, r.body, r.weight[0]) for r in rules]
    base_values = {x: v[0] for x, v in values.items()}
    x = _recursive(B, members, base_rules, base_values)
    at = {name: i for i, name in enumerate(members)}
    point = {**values, **{name: (x[name], B.zeros(())) for name in members}}
    # c: the tangent of f at (x, 0); J: its Jacobian in the base semiring.
    c = {name: B.zeros(()) for name in members}
    jac: list[tuple[int, int, Array]] = []
    for r in rules:
        term = r.weight
        for b in r.body:
            term = S.mul(term, point[b])
        c[r.lhs] = B.add(c[r.lhs], term[1])
        for i, b in enumerate(r.body):
            if b not in at:
                continue
            partial = r.weight[0]
            for j, d in enumerate(r.body):
                if j != i:
                    partial = B.mul(partial, point[d][0])
            jac.append((at[r.lhs], at[b], partial))
    J = matrix(B, len(members), jac)
    star = closure(B, J)
    cvec = carrier.reshape(B, stack(B, [c[name] for name in members]), (1, len(members), 1))
    tangent = carrier.reshape(B, B.matmul(carrier.expand(B, star, 0), cvec), (len(members),))
    return {name: (x[name], carrier.index(tangent, i)) for i, name in enumerate(members)}
