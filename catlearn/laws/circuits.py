"""Law suites for circuits: compiled evaluation, queries, and transformations.

``circuit(S)``: on random circuits, random literal weights drawn from the
semiring and random (partial) evidence, the compiled, batched evaluator
equals the node-by-node reference (``reference_evaluate``).
``circuit_queries()``: the exact queries agree with brute-force
enumeration (model count, weighted count), marginals sum to one, the MPE
value bounds the weight of every model and is attained by the returned
assignment, and the Counting → Boolean homomorphism commutes with
evaluation (count > 0 ⇔ satisfiable); on circuits that are neither
deterministic nor decomposable, ``model_count`` and ``mpe`` refuse (only
where the circuit really is not a d-DNNF) or answer what enumeration
gives, so a query trusting a wrong structural check is caught.
``transformation(f)``: a circuit transformation preserves the weighted
count, by enumeration of ``f(c)`` and of ``c`` and by ``wmc(f(c))``.

Oracle: ``circuit`` compares with ``reference_evaluate`` (node by node,
the semiring's scalar ⊕ and ⊗, edge weights lifted by its own ``lift``);
``circuit_queries`` and ``transformation`` with brute-force enumeration
of every assignment, each node's value computed here from the circuit's
arrays (kind, children, variable, state, ``c.weights``) in float64, and
d-DNNF decided here by enumeration. They share with the implementation
only the circuit's node arrays, the user's declared data; no compiled
evaluator, query, structural check (``is_deterministic``, scopes) or
``lift_weights`` is called on the oracle side::

    >>> from catlearn.semirings import MaxPlus
    >>> circuit(MaxPlus()).check(max_examples=3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from catlearn.circuits import CircuitError, lift_weights
from catlearn.circuits.circuit import CONST, LEAF, PRODUCT, SUM
from catlearn.laws import arguments
from catlearn.laws.equality import equality
from catlearn.laws.law import Law, LawSuite
from catlearn.laws.random_circuits import assignments, circuits, reference_evaluate
from catlearn.laws.strategies import elements
from catlearn.semirings import Semiring, require_semiring

MAX_ENUMERATED = 16  # brute force visits 2^n assignments per example


def circuit(
    S: Semiring, *, n_vars: tuple[int, int] = (1, 4), rtol: float = 1e-4, atol: float = 1e-5
) -> LawSuite:
    """The compiled evaluator of ``S`` equals the reference evaluator on random circuits."""
    S = require_semiring(S, "laws.circuit(S)")
    n_vars = arguments.bounds(n_vars, "laws.circuit(n_vars)", low=1)
    name = f"circuit[{S!r}]"
    equal = equality(
        arguments.tolerance(rtol, "laws.circuit(rtol)"),
        arguments.tolerance(atol, "laws.circuit(atol)"),
    )

    try:  # edge weights only where the carrier holds them (Counting needs whole numbers)
        lift_weights(S, np.array([0.25]))
        weighted = True
    except (CircuitError, TypeError, ValueError):
        weighted = False

    # Host carriers take Python values: a 0-d object array inside a table is not one.
    items = elements(S).map(lambda x: x.item() if S.host and np.ndim(x) == 0 else x)

    @st.composite
    def case(draw):
        c = draw(circuits(n_vars, deterministic=False, smooth=False, weighted=weighted))
        table = [[S.one, S.one]] + [[draw(items), draw(items)] for _ in range(c.n_vars)]
        rows = 2  # a fixed batch: every new shape is a new XLA compile
        evidence = np.array(
            [[draw(st.integers(-1, 1)) for _ in range(c.n_vars)] for _ in range(rows)],
            dtype=np.int32,
        ).reshape(rows, c.n_vars)
        return c, table, evidence

    def sides(args):
        c, table, evidence = args
        compiled = c.compile(S)
        literals = S.asarray(np.asarray(table, dtype=object) if S.host else _stack(S, table))
        got = compiled.apply(compiled.params(literals), evidence)
        want = [reference_evaluate(c, S, table, row) for row in evidence]
        return np.asarray(got, dtype=object if S.host else None), np.asarray(
            want, dtype=object if S.host else None
        )

    laws = [
        Law(name, "compile_matches_reference", "compiled(c)(e) = reference(c)(e)", (case(),),
            sides, equal),
    ]  # fmt: skip
    return LawSuite(name, tuple(laws))


def _stack(S: Semiring, table: list[list[Any]]) -> Any:
    return np.asarray([[np.asarray(v) for v in row] for row in table])


def _node_values(c: Any, x: Any) -> list[float]:
    """Every node's float64 value at the full assignment ``x`` (``x[v - 1]`` the state of
    X_v; literal weights 1), read straight from the circuit's arrays: a leaf is 1 where it
    agrees with ``x``, a constant its state, a ⊕ node Σ weight·child, a ⊗ node Π child.
    The enumeration oracle: it shares no code with ``compile``, the queries or
    ``lift_weights``, and reads edge weights from ``c.weights`` itself."""
    kind, var, state = c.kind.tolist(), c.var.tolist(), c.state.tolist()
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    weights = [1.0] * len(children) if c.weights is None else np.asarray(c.weights).tolist()
    values = [0.0] * len(kind)
    for node, k in enumerate(kind):  # children come before their parents
        edges = range(offsets[node], offsets[node + 1])
        if k == LEAF:
            values[node] = float(int(x[var[node] - 1]) == state[node])
        elif k == CONST:
            values[node] = float(state[node] != 0)
        elif k == SUM:
            values[node] = sum(weights[e] * values[children[e]] for e in edges)
        else:
            values[node] = float(np.prod([values[children[e]] for e in edges]))
    return values


def _brute(c, table) -> tuple[float, list[tuple[np.ndarray, float]]]:
    """(Σ_x value(x) Π w, [(x, weight)]) over all assignments, in float64."""
    total, models = 0.0, []
    root = int(c.roots[0])
    for x in assignments(c.n_vars):
        value = _node_values(c, x)[root]
        weight = value * float(np.prod([table[v + 1][int(s)] for v, s in enumerate(x)]))
        total += weight
        if value:
            models.append((x, weight))
    return total, models


def _is_ddnnf(c: Any) -> bool:
    """Decomposable (⊗ children's scopes disjoint) and deterministic (at most one ⊕ child
    non-zero on every assignment), decided here from the node arrays by enumeration."""
    kind, var = c.kind.tolist(), c.var.tolist()
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    scope: list[frozenset] = []
    for node, k in enumerate(kind):
        kids = children[offsets[node] : offsets[node + 1]]
        if k == PRODUCT:
            seen: set = set()
            for child in kids:
                if seen & scope[child]:
                    return False
                seen |= scope[child]
        scope.append(frozenset([var[node]]) if k == LEAF else
                     frozenset().union(*(scope[child] for child in kids)))  # fmt: skip
    sums = [n for n, k in enumerate(kind) if k == SUM]
    for x in assignments(c.n_vars):
        values = _node_values(c, x)
        for node in sums:
            live = [values[children[e]] != 0 for e in range(offsets[node], offsets[node + 1])]
            if sum(live) > 1:
                return False
    return True


def _same_answers(got: list, want: list) -> bool:
    """Query by query: both refused, or both answered and equal within tolerance."""
    close = equality(1e-4, 1e-6)
    return len(got) == len(want) and all(
        q == r and (a == b if isinstance(a, str) or isinstance(b, str) else close(a, b))
        for (q, a), (r, b) in zip(got, want)
    )


def circuit_queries(*, n_vars: tuple[int, int] = (1, 5)) -> LawSuite:
    """Exact queries against brute-force enumeration on random d-DNNF circuits."""
    n_vars = arguments.bounds(n_vars, "laws.circuit_queries(n_vars)", low=1, high=MAX_ENUMERATED)
    name = "circuit_queries"
    dnnf = circuits(n_vars, smooth=False)
    weights = st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0])

    @st.composite
    def weighted(draw):
        c = draw(dnnf)
        table = [[1.0, 1.0]] + [[draw(weights), draw(weights)] for _ in range(c.n_vars)]
        return c, table

    def model_count(c):
        return c.model_count(), len(_brute(c, [[1.0, 1.0]] * (c.n_vars + 1))[1])

    def wmc(args):
        c, table = args
        return float(c.wmc(np.asarray(table[1:]))), _brute(c, table)[0]

    def marginals_sum_to_one(args):
        c, table = args
        if _brute(c, table)[0] == 0:
            return 1.0, 1.0  # no model of positive weight: marginals are undefined
        return np.asarray(c.marginals(np.asarray(table[1:]))).sum(axis=1), np.ones(c.n_vars)

    def mpe_bounds_every_model(args):
        c, table = args
        total, models = _brute(c, table)
        if not models or total == 0:
            return 0.0, 0.0
        value, assignment = c.mpe(np.asarray(table[1:]))
        x = np.array([assignment[v] for v in range(1, c.n_vars + 1)])
        attained = dict((tuple(m), w) for m, w in models).get(tuple(x), -1.0)
        best = max(w for _, w in models)
        return (value, attained), (best, best)

    def entropy_by_enumeration(args):
        c, table = args
        total, models = _brute(c, table)
        if total == 0:
            return 0.0, 0.0  # no model of positive weight: no distribution
        p = np.array([w for _, w in models if w > 0]) / total
        return c.entropy(np.asarray(table[1:])), float(-(p * np.log(p)).sum())

    @st.composite
    def weighted_and_subset(draw):
        c, table = draw(weighted())
        subset = [v for v in range(1, c.n_vars + 1) if draw(st.booleans())]
        return c, table, subset

    def marginal_map_by_enumeration(args):
        from catlearn.circuits import CircuitError, is_marginal_deterministic

        c, table, subset = args
        total, models = _brute(c, table)
        if total == 0 or not is_marginal_deterministic(c, subset):
            try:
                c.marginal_map(subset, np.asarray(table[1:]))
            except CircuitError:
                return 0.0, 0.0  # refused, as it must be
            return "answered", "refused"
        mass: dict[tuple, float] = {}
        for x, w in models:
            key = tuple(int(x[v - 1]) for v in subset)
            mass[key] = mass.get(key, 0.0) + w
        value, q = c.marginal_map(subset, np.asarray(table[1:]))
        return (value, mass.get(tuple(q[v] for v in subset), -1.0)), (max(mass.values()),) * 2

    def counting_then_boolean(c):
        return c.model_count() > 0, c.is_satisfiable()

    @st.composite
    def any_structure(draw):
        # Neither deterministic nor decomposable by construction: a query must refuse
        # what it cannot answer, whatever the circuit's own checks claim.
        c = draw(circuits(n_vars, deterministic=False, decomposable=False, smooth=False,
                          weighted=True))  # fmt: skip
        table = [[1.0, 1.0]] + [[draw(weights), draw(weights)] for _ in range(c.n_vars)]
        return c, table

    def refuses_or_answers(args):
        c, table = args
        total, models = _brute(c, table)
        queries = {
            "model_count": (lambda: c.model_count(), len(models)),
            "mpe": (lambda: c.mpe(np.asarray(table[1:]))[0],
                    max((w for _, w in models), default=0.0)),
        }  # fmt: skip
        ddnnf = _is_ddnnf(c)
        got, want = [], []
        for query, (answer, enumerated) in queries.items():
            if query == "mpe" and not any(w > 0 for _, w in models):
                enumerated = "refused"  # no model of non-zero weight: nothing to explain
            try:
                got.append((query, float(answer())))
            except CircuitError:  # refused: right only on a circuit that is not a d-DNNF
                got.append((query, "refused"))
                if not ddnnf:
                    enumerated = "refused"
            want.append((query, enumerated))
        return got, want

    close = equality(1e-4, 1e-6)
    laws = [
        Law(name, "model_count", "model_count = #models by enumeration", (dnnf,), model_count),
        Law(name, "wmc", "wmc = Σ_models Π w by enumeration", (weighted(),), wmc, close),
        Law(name, "marginals_sum_to_one", "Σ_s P(X_v = s) = 1", (weighted(),),
            marginals_sum_to_one, close),
        Law(name, "mpe_bounds_every_model", "mpe = max_models Π w, attained by its assignment",
            (weighted(),), mpe_bounds_every_model, close),
        Law(name, "entropy", "H = −Σ p log p by enumeration", (weighted(),),
            entropy_by_enumeration, close),
        Law(name, "marginal_map", "max_q Σ_rest w by enumeration, attained by q; else refused",
            (weighted_and_subset(),), marginal_map_by_enumeration, close),
        Law(name, "counting_then_boolean", "(count > 0) = satisfiable", (dnnf,),
            counting_then_boolean),
        Law(name, "refuses_or_answers", "on any circuit, model_count and mpe refuse "
            "(only if it is not a d-DNNF) or answer what enumeration gives",
            (any_structure(),), refuses_or_answers, _same_answers),
    ]  # fmt: skip
    return LawSuite(name, tuple(laws))


def transformation(
    f: Callable[[Any], Any], name: str | None = None, *, n_vars: tuple[int, int] = (1, 5)
) -> LawSuite:
    """``f`` (circuit → circuit) preserves the weighted model count on random d-DNNF circuits."""
    arguments.function(f, "laws.transformation(f)", "a function from Circuit to Circuit")
    if name is not None:
        arguments.text(name, "laws.transformation(name)")
    n_vars = arguments.bounds(n_vars, "laws.transformation(n_vars)", low=1)
    label = f"transformation[{name or getattr(f, '__name__', 'f')}]"
    weights = st.sampled_from([0.25, 0.5, 1.0, 2.0])

    @st.composite
    def case(draw):
        c = draw(circuits(n_vars, smooth=False))
        return c, [[draw(weights), draw(weights)] for _ in range(c.n_vars)]

    def sides(args):
        c, table = args
        g = f(c)
        ones = [[1.0, 1.0]]  # the row _brute reads for the constant slot
        want = _brute(c, ones + table)[0]  # enumeration of c: never through wmc
        got = _brute(g, ones + table)[0] if g.n_vars == c.n_vars else float("nan")
        return (got, float(g.wmc(np.asarray(table)))), (want, want)

    law = Law(label, "preserves_wmc", "wmc(f(c)) = Σ_x c(x) Π w = enumerated wmc(f(c))",
              (case(),), sides, equality(1e-4, 1e-6))  # fmt: skip
    return LawSuite(label, (law,))
