"""Law suites for the atlas: products, elementwise maps, vtrees and divergences.

Random *compatible* circuits come from :func:`structured_circuits`: a random
vtree, then circuits grown along it (every ⊗ node splits a vtree node's
variables into its left and right subtrees), as decision nodes
(deterministic), mixtures (not) or products, with random weights, 0
included (so supports differ). Two circuits grown on one vtree are
compatible.

``atlas()``: on such circuits, ``product`` is the pointwise product,
``elementwise_map`` the pointwise support, power and log, and ``compatible``
agrees with an exhaustive search over every vtree. ``divergences()``:
cross-entropy, KL and Rényi divergences equal their enumerated sums, KL is
≥ 0 and 0 exactly when p = q, and Rényi of order 1 ± 10⁻⁴ is within
10⁻²·(1 + KL) of KL.

Oracle: every assignment enumerated, each node's value computed here from
the circuit's arrays in float64 (no compiled evaluator, query or
structural check of the library); compatibility decided here from the ⊗
nodes' splits by the triplet rule (a, a' in one part and b in another
⇒ lca(a, a') lies strictly below lca(a, b)) on every vtree of ≤ 5
variables. The implementations under test are arguments, so a wrong one
can be handed in and must be caught::

    >>> atlas().check(max_examples=3)
    >>> divergences()["kl_divergence"].check(max_examples=3)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from catlearn.circuits import CircuitBuilder, CircuitError
from catlearn.circuits.circuit import LEAF, PRODUCT, SUM, Circuit
from catlearn.laws import arguments
from catlearn.laws.circuits import _node_values
from catlearn.laws.equality import equality
from catlearn.laws.law import Law, LawSuite
from catlearn.laws.random_circuits import assignments

MAX_VTREE_SEARCH = 5  # (2n − 3)!! vtrees: 105 on five variables


# -- strategies --------------------------------------------------------------------
@st.composite
def vtrees(draw, n_vars: int | tuple[int, int] = (1, 4)) -> Any:
    """A random vtree (as nested pairs) over variables 1..n."""
    n = draw(st.integers(*n_vars)) if isinstance(n_vars, tuple) else n_vars
    order = draw(st.permutations(range(1, n + 1)))

    def cut(part: list[int]) -> Any:
        if len(part) == 1:
            return part[0]
        k = draw(st.integers(1, len(part) - 1))
        return (cut(part[:k]), cut(part[k:]))

    return cut(list(order))


def _variables_of(nested: Any) -> list[int]:
    return (
        [nested] if isinstance(nested, int) else _variables_of(nested[0]) + _variables_of(nested[1])
    )


@st.composite
def structured_circuits(
    draw, nested: Any, n_vars: int, *, deterministic: bool = True, zeros: bool = True
) -> Circuit:
    """A smooth circuit over the vtree ``nested`` (nested pairs) whose ⊗ nodes split as the
    vtree does; deterministic (decision nodes only) unless told otherwise."""
    b = CircuitBuilder()
    weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0] if zeros else [0.5, 1.0, 2.0, 3.0])
    shared: dict[tuple, int] = {}

    def grow(v: Any, fixed: tuple[tuple[int, int], ...]) -> int:
        key = (v, fixed)
        if key in shared and draw(st.booleans()):
            return shared[key]  # reuse: a DAG
        given = dict(fixed)
        if isinstance(v, int):
            if v in given:
                node = b.literal(v, bool(given[v]))
            elif draw(st.integers(0, 3)) == 0:
                node = b.literal(v, draw(st.booleans()))
            else:
                node = b.sum([b.literal(v), b.literal(v, False)], [draw(weights), draw(weights)],
                             decision=v)  # fmt: skip
        else:
            free = [u for u in _variables_of(v) if u not in given]
            moves = ["product"] + (["decision"] if free else [])
            moves += [] if deterministic else ["mixture"]
            move = draw(st.sampled_from(moves))
            if move == "product":
                node = b.product([grow(v[0], fixed), grow(v[1], fixed)])
            elif move == "decision":
                u = draw(st.sampled_from(free))
                kids = [b.product([grow(v[0], fixed + ((u, s),)), grow(v[1], fixed + ((u, s),))])
                        for s in (1, 0)]  # fmt: skip
                node = b.sum(kids, [draw(weights), draw(weights)], decision=u)
            else:
                kids = [b.product([grow(v[0], fixed), grow(v[1], fixed)]) for _ in range(2)]
                node = b.sum(kids, [draw(weights), draw(weights)])
        shared[key] = node
        return node

    return b.build([grow(nested, ())], n_vars=n_vars)


@st.composite
def _pairs(draw, n_vars, *, p_deterministic=True, q_deterministic=True, zeros=True,
           same_vtree=True):  # fmt: skip
    nested = draw(vtrees(n_vars))
    n = len(_variables_of(nested))
    other = nested if same_vtree else draw(vtrees(n))
    p = draw(structured_circuits(nested, n, deterministic=p_deterministic, zeros=zeros))
    q = draw(structured_circuits(other, n, deterministic=q_deterministic, zeros=zeros))
    return nested, p, q


# -- the oracle --------------------------------------------------------------------
def _values(c: Circuit, x: np.ndarray) -> list[float]:
    """Every node's float64 value at the assignment x, read from the arrays: the
    circuit suites' own enumeration oracle (``catlearn.laws.circuits``)."""
    return _node_values(c, x)


def _table(c: Circuit, root: int | None = None) -> np.ndarray:
    """c(x) for every assignment x, in the order of ``assignments``."""
    r = int(c.roots[0]) if root is None else root
    return np.array([_values(c, x)[r] for x in assignments(c.n_vars)])


def _distribution(c: Circuit) -> np.ndarray:
    t = _table(c)
    return t / t.sum()


def _triplets_hold(nested: Any, parts_list: list[list[frozenset]]) -> bool:
    """Whether every split respects the vtree ``nested`` by the triplet rule."""
    depth: dict[int, list[Any]] = {}

    def paths(v: Any, path: list[Any]) -> None:
        if isinstance(v, int):
            depth[v] = path + [v]
        else:
            paths(v[0], path + [v]), paths(v[1], path + [v])

    paths(nested, [])

    def lca_depth(a: int, b: int) -> int:
        n = 0
        for u, v in zip(depth[a], depth[b]):
            if u is not v and u != v:
                break
            n += 1
        return n

    for parts in parts_list:
        for i, part in enumerate(parts):
            for a, a2 in itertools.combinations(sorted(part), 2):
                for j, other in enumerate(parts):
                    if i != j and any(lca_depth(a, a2) <= lca_depth(a, b) for b in other):
                        return False
    return True


def _splits(c: Circuit, within: frozenset) -> list[list[frozenset]]:
    """Each ⊗ node's children's variables (restricted to ``within``), from the arrays."""
    kind, var = c.kind.tolist(), c.var.tolist()
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    scope: list[frozenset] = []
    out = []
    for node, k in enumerate(kind):
        kids = children[offsets[node] : offsets[node + 1]]
        scope.append(frozenset([var[node]]) if k == LEAF else
                     frozenset().union(*(scope[x] for x in kids)))  # fmt: skip
        if k == PRODUCT:
            parts = [scope[x] & within for x in kids if scope[x] & within]
            if len(parts) >= 2:
                out.append(parts)
    return out


def _all_vtrees(variables: list[int]) -> list[Any]:
    if len(variables) == 1:
        return [variables[0]]
    first, rest = variables[0], variables[1:]
    out = []
    for mask in range(1 << len(rest)):  # the side holding `first`
        left = [first] + [v for i, v in enumerate(rest) if mask >> i & 1]
        right = [v for i, v in enumerate(rest) if not mask >> i & 1]
        if right:
            out += [(a, b) for a in _all_vtrees(left) for b in _all_vtrees(right)]
    return out


def _compatible_by_search(p: Circuit, q: Circuit) -> bool:
    scope = [frozenset(_splits_scope(c)) for c in (p, q)]
    shared = scope[0] & scope[1]
    if len(shared) < 2:
        return True
    constraints = _splits(p, shared) + _splits(q, shared)
    return any(_triplets_hold(t, constraints) for t in _all_vtrees(sorted(shared)))


def _splits_scope(c: Circuit) -> set[int]:
    """The variables below the root, from the arrays."""
    kind, var = c.kind.tolist(), c.var.tolist()
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    seen, todo = set(), [int(c.roots[0])]
    out: set[int] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if kind[node] == LEAF:
            out.add(var[node])
        todo += children[offsets[node] : offsets[node + 1]]
    return out


# -- suites ------------------------------------------------------------------------
def atlas(
    *,
    n_vars: tuple[int, int] = (1, 4),
    product: Callable[..., Any] | None = None,
    elementwise_map: Callable[..., Any] | None = None,
    compatible: Callable[..., bool] | None = None,
) -> LawSuite:
    """``product``, ``elementwise_map`` and ``compatible`` (the library's by default)
    against enumeration on random compatible circuits (see the module docstring)."""
    from catlearn import circuits

    n_vars = arguments.bounds(n_vars, "laws.atlas(n_vars)", low=1, high=MAX_VTREE_SEARCH)
    product = circuits.product if product is None else product
    elementwise_map = circuits.elementwise_map if elementwise_map is None else elementwise_map
    compatible = circuits.compatible if compatible is None else compatible
    for f, name in ((product, "product"), (elementwise_map, "elementwise_map"),
                    (compatible, "compatible")):  # fmt: skip
        arguments.function(f, f"laws.atlas({name})", "the operator under test")
    name = "atlas"
    close = equality(1e-9, 1e-12)
    mixtures = _pairs(n_vars, p_deterministic=False, q_deterministic=False)

    def product_is_pointwise(args):
        nested, p, q = args
        both, report = product(p, q)
        structured = _triplets_hold(nested, _splits(both, frozenset(range(1, p.n_vars + 1))))
        got = (_table(both), report.smooth, report.decomposable, structured)
        return got, (_table(p) * _table(q), True, True, True)

    @st.composite
    def with_map(draw):
        _, p, _ = draw(_pairs(n_vars))
        tau = draw(st.sampled_from(["support", "log", -1.0, 0.5, 2.0, 3.0]))
        return p, tau

    def map_is_pointwise(args):
        c, tau = args
        t = _table(c)
        live = t != 0
        if tau == "support":
            return _table(elementwise_map(c, "support")[0]), live.astype(float)
        if tau == "log":
            out = elementwise_map(c, "log")[0]
            difference = _table(out.positive) - _table(out.negative)
            got = np.where(_table(out.support) == 1, difference, -np.inf)
            return (got, _table(out.support)), (_logs(t), live.astype(float))
        want = np.where(live, np.where(live, t, 1.0) ** tau, 0.0)
        return _table(elementwise_map(c, "power", alpha=tau)[0]), want

    def map_refuses_without_determinism(args):
        _, p, _ = args
        deterministic, right = _deterministic_by_enumeration(p), []
        for tau, alpha in (("support", None), ("log", None), ("power", 2.0)):
            try:
                elementwise_map(p, tau, alpha) if alpha else elementwise_map(p, tau)
            except CircuitError as error:  # right if p is not, or could not be shown, one
                right.append(not deterministic or "cannot verify" in str(error))
            else:
                right.append(deterministic)
        return right, [True] * 3

    def compatible_by_search(args):
        _, p, q = args
        return bool(compatible(p, q)), _compatible_by_search(p, q)

    def refuses_or_multiplies(args):
        _, p, q = args
        try:
            both, _ = product(p, q)
        except CircuitError:
            return "refused", "refused" if not _compatible_by_search(p, q) else "multiplied"
        return _table(both).tolist(), (_table(p) * _table(q)).tolist()

    laws = [
        Law(name, "product", "product(p, q)(x) = p(x)·q(x), smooth, decomposable, and "
            "structured by the vtree p and q share",
            (mixtures,), product_is_pointwise, close),
        Law(name, "elementwise_map", "map(c, τ)(x) = τ(c(x)) for the support, log and powers "
            "(on the support)", (with_map(),), map_is_pointwise, close),
        Law(name, "map_needs_determinism", "support, log and powers answer only on a "
            "deterministic circuit (by enumeration), and refuse others", (mixtures,),
            map_refuses_without_determinism),
        Law(name, "compatible", "compatible(p, q) = some vtree respects both (exhaustive "
            "search, triplet rule)", (_pairs(n_vars, same_vtree=False),), compatible_by_search),
        Law(name, "refuses_or_multiplies", "on circuits over two vtrees, product refuses "
            "(only if no common vtree exists) or multiplies pointwise",
            (_pairs(n_vars, same_vtree=False),), refuses_or_multiplies, close),
    ]  # fmt: skip
    return LawSuite(name, tuple(laws))


def _logs(t: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(t)


def _deterministic_by_enumeration(c: Circuit) -> bool:
    """No assignment makes two children of a ⊕ node that the root reaches non-zero (a
    child behind an edge of weight 0 neither counts nor is reached: it adds nothing)."""
    offsets, children = c.child_offsets.tolist(), c.children.tolist()
    w = [1.0] * len(children) if c.weights is None else np.asarray(c.weights).tolist()
    kind, reached, todo = c.kind.tolist(), set(), [int(r) for r in c.roots]
    while todo:  # what an edge of weight 0 leads to adds nothing either
        node = todo.pop()
        if node not in reached:
            reached.add(node)
            todo += [children[e] for e in range(offsets[node], offsets[node + 1])
                     if w[e] != 0 or kind[node] != SUM]  # fmt: skip
    sums = [n for n in sorted(reached) if kind[n] == SUM]
    for x in assignments(c.n_vars):
        values = _values(c, x)
        for node in sums:
            edges = range(offsets[node], offsets[node + 1])
            if sum(w[e] != 0 and values[children[e]] != 0 for e in edges) > 1:
                return False
    return True


def divergences(
    *,
    n_vars: tuple[int, int] = (1, 4),
    cross_entropy: Callable[..., float] | None = None,
    kl_divergence: Callable[..., float] | None = None,
    renyi_divergence: Callable[..., float] | None = None,
) -> LawSuite:
    """Cross-entropy, KL and Rényi divergences (the library's by default) against their
    enumerated sums on random compatible circuits (see the module docstring)."""
    from catlearn.circuits import divergences as library

    n_vars = arguments.bounds(n_vars, "laws.divergences(n_vars)", low=1, high=MAX_VTREE_SEARCH)
    ce = library.cross_entropy if cross_entropy is None else cross_entropy
    kl = library.kl_divergence if kl_divergence is None else kl_divergence
    renyi = library.renyi_divergence if renyi_divergence is None else renyi_divergence
    for f, what in ((ce, "cross_entropy"), (kl, "kl_divergence"), (renyi, "renyi_divergence")):
        arguments.function(f, f"laws.divergences({what})", "the divergence under test")
    name = "divergences"
    close = equality(1e-7, 1e-9)

    def enumerated_ce(p, q):
        a, b = _distribution(p), _distribution(q)
        if np.any((a > 0) & (b == 0)):
            return math.inf
        live = a > 0
        return float(-(a[live] * np.log(b[live])).sum())

    def enumerated_kl(p, q):
        a = _distribution(p)
        live = a > 0
        return enumerated_ce(p, q) + float((a[live] * np.log(a[live])).sum())

    def enumerated_renyi(p, q, alpha):
        a, b = _distribution(p), _distribution(q)
        if alpha > 1 and np.any((a > 0) & (b == 0)):
            return math.inf
        both = (a > 0) & (b > 0)
        s = float((a[both] ** alpha * b[both] ** (1 - alpha)).sum())
        return math.inf if s == 0 else math.log(s) / (alpha - 1)

    # Distributions only: a circuit of total mass 0 is refused (tested elsewhere).
    mixed = _pairs(n_vars, p_deterministic=False).filter(_positive_masses)
    deterministic = _pairs(n_vars).filter(_positive_masses)

    @st.composite
    def with_order(draw):
        if draw(st.booleans()):
            return *draw(deterministic), draw(st.sampled_from([0.5, 2.0, 3.0]))
        return *draw(mixed), draw(st.sampled_from([2.0, 3.0]))  # whole α: self-products

    laws = [
        Law(name, "cross_entropy", "cross_entropy(p, q) = −Σ p log q by enumeration "
            "(p any, q deterministic)", (mixed,),
            lambda a: (ce(a[1], a[2]), enumerated_ce(a[1], a[2])), close),
        Law(name, "kl_divergence", "kl_divergence(p, q) = Σ p log(p/q) by enumeration",
            (deterministic,), lambda a: (kl(a[1], a[2]), enumerated_kl(a[1], a[2])), close),
        Law(name, "kl_is_a_divergence", "KL(p, p) = 0, KL(p, q) ≥ 0, and KL(p, q) = 0 only "
            "if p = q", (deterministic,), lambda a: _divergence_sides(kl, *a[1:])),
        Law(name, "renyi_divergence", "renyi(p, q, α) = log Σ p^α q^(1−α) / (α − 1) by "
            "enumeration", (with_order(),),
            lambda a: (renyi(a[1], a[2], a[3]), enumerated_renyi(a[1], a[2], a[3])), close),
        Law(name, "renyi_tends_to_kl", "|renyi(p, q, 1 ± 1e-4) − KL(p, q)| ≤ 1e-2·(1 + KL)",
            (deterministic,), lambda a: _limit_sides(renyi, kl, *a[1:])),
    ]  # fmt: skip
    return LawSuite(name, tuple(laws))


def _positive_masses(args: tuple) -> bool:
    return all(_table(c).sum() > 0 for c in args[1:3])


def _divergence_sides(kl: Callable, p: Circuit, q: Circuit) -> tuple:
    same = abs(kl(p, p)) <= 1e-9
    d = kl(p, q)
    equal = bool(np.allclose(_distribution(p), _distribution(q), rtol=1e-9, atol=1e-12))
    return (same, d >= -1e-9, d > 1e-9 or equal), (True, True, True)


def _limit_sides(renyi: Callable, kl: Callable, p: Circuit, q: Circuit) -> tuple:
    d = kl(p, q)
    if math.isinf(d):
        return renyi(p, q, 1 + 1e-4), math.inf
    near = [renyi(p, q, 1 + s) for s in (1e-4, -1e-4)]
    return [abs(r - d) <= 1e-2 * (1 + d) for r in near], [True, True]


__all__ = ["atlas", "divergences", "structured_circuits", "vtrees"]
