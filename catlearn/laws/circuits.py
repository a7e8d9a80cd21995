"""Law suites for circuits: compiled evaluation, queries, and transformations.

``circuit(S)``: on random circuits, random literal weights drawn from the
semiring and random (partial) evidence, the compiled, batched evaluator
equals the node-by-node reference (``reference_evaluate``).
``circuit_queries()``: the exact queries agree with brute-force
enumeration (model count, weighted count), marginals sum to one, the MPE
value bounds the weight of every model and is attained by the returned
assignment, and the Counting → Boolean homomorphism commutes with
evaluation (count > 0 ⇔ satisfiable). ``transformation(f)``: a circuit
transformation preserves the weighted count::

    >>> from catlearn.semirings import MaxPlus
    >>> circuit(MaxPlus()).check(max_examples=3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from catlearn.circuits import CircuitError, lift_weights
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


def _brute(c, table) -> tuple[float, list[tuple[np.ndarray, float]]]:
    """(Σ_x value(x) Π w, [(x, weight)]) over all assignments, in float64."""
    from catlearn.semirings import Real

    S = Real()
    ones = [[1.0, 1.0]] * (c.n_vars + 1)
    total, models = 0.0, []
    for x in assignments(c.n_vars):
        value = float(reference_evaluate(c, S, ones, x)[0])
        weight = value * float(np.prod([table[v + 1][int(s)] for v, s in enumerate(x)]))
        total += weight
        if value:
            models.append((x, weight))
    return total, models


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
        return float(f(c).wmc(np.asarray(table))), float(c.wmc(np.asarray(table)))

    law = Law(label, "preserves_wmc", "wmc(f(c)) = wmc(c)", (case(),), sides, equality(1e-4, 1e-6))
    return LawSuite(label, (law,))
