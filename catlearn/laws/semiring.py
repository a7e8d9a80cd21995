"""Law suites for semirings, closed semirings and homomorphisms.

``semiring(S)`` is the suite a user runs on their own instance: the two
monoids (⊕ commutative), distributivity on both sides, annihilation by
zero, each declared flag (commutative ⊗, idempotent ⊕, ring), the star
laws when ``has_star`` (unfolding K1/K2 and the Conway sum-star and
product-star identities, on ``star_domain``), and that the vectorised
``sum`` and ``matmul`` kernels agree with their definition by ⊕ and ⊗::

    >>> from catlearn import laws
    >>> from catlearn.semirings import Boolean
    >>> suite = laws.semiring(Boolean())
    >>> suite.check(max_examples=10)
    >>> suite.names[:3]
    ['additive_associativity', 'additive_commutativity', 'additive_identity']
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import jax
import numpy as np
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError
from catlearn.laws import arguments
from catlearn.laws.equality import ATOL, RTOL, equality
from catlearn.laws.law import Law, LawSuite
from catlearn.laws.strategies import arrays, matrix_pairs, raw_elements, stack, stack_raw
from catlearn.laws.strategies import elements as default_elements
from catlearn.semirings import Homomorphism, Semiring, require_semiring

Equal = Callable[[Any, Any], bool]


def monoid(
    name: str,
    op: Callable[[Any, Any], Any],
    unit: Any,
    items: st.SearchStrategy,
    equal: Equal,
    *,
    commutative: bool = False,
    prefix: str = "",
    stack: Callable[[list[Any]], Any] | None = None,
    batch: int = 16,
) -> LawSuite:
    """Associativity and two-sided unit of ``op`` (and commutativity if declared).

    With ``stack``, ``items`` draws values that ``stack`` turns into batches of
    ``batch`` rows, checked at once (see :class:`Law`).

    ``unit`` is a function of no arguments returning the unit (a JAX array is made
    afresh each time), not the unit itself::

        >>> monoid("max", max, 0.0, st.just(1.0), equality())
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentTypeError: monoid(unit): expected a function of no arguments ...
    """
    arguments.text(name, "monoid(name)")
    arguments.function(op, "monoid(op)", "a function of two elements")
    arguments.function(
        unit, "monoid(unit)", "a function of no arguments returning the unit (such as lambda: 0.0)"
    )
    arguments.strategy(items, "monoid(items)")
    arguments.function(equal, "monoid(equal)", "a function of (lhs, rhs) returning a bool")
    arguments.flag(commutative, "monoid(commutative)")
    arguments.text(prefix, "monoid(prefix)")
    arguments.optional_function(stack, "monoid(stack)", "a function of a list of values")
    batch = arguments.count(batch, "monoid(batch)")
    law = _maker(name, equal, None if stack is None else (items, stack, batch))
    own = [
        law(
            f"{prefix}associativity",
            "(a·b)·c = a·(b·c)",
            3,
            lambda a, b, c: (op(op(a, b), c), op(a, op(b, c))),
            items,
        ),
        law(f"{prefix}commutativity", "a·b = b·a", 2, lambda a, b: (op(a, b), op(b, a)), items)
        if commutative
        else None,
        law(
            f"{prefix}identity",
            "a·1 = a = 1·a",
            1,
            lambda a: ((op(a, unit()), op(unit(), a)), (a, a)),
            items,
        ),
    ]
    return LawSuite(name, tuple(x for x in own if x is not None))


def semiring(
    S: Semiring,
    *,
    elements: st.SearchStrategy | None = None,
    equal: Equal | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    batch: int | None = None,
) -> LawSuite:
    """Every law ``S`` claims, as a suite named ``semiring[S]``.

    ``elements`` draws carrier values (default: :func:`catlearn.laws.strategies.elements`);
    ``equal`` compares them (default: exact for exact carriers, else
    within ``rtol``/``atol``). ``batch`` rows per example are checked at once
    (see :class:`Law`): the default is 16 where ``S.batched_laws`` (the built-ins)
    and 0, one element tuple per example, otherwise. A class is not an instance::

        >>> from catlearn.semirings import Real
        >>> semiring(Real)
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentTypeError: laws.semiring(S): got the class Real, ...; pass Real()
    """
    S = _declared(require_semiring(S, "laws.semiring(S)"), "laws.semiring(S)")
    elements, equal = _comparison("laws.semiring", elements, equal, rtol, atol)
    name = f"semiring[{S!r}]"
    items = elements if elements is not None else default_elements(S)
    stacker = _stacker(S, batch, elements, "laws.semiring(batch)")
    law = _maker(name, equal, stacker)
    zero, one = (lambda: S.asarray(S.zero)), (lambda: S.asarray(S.one))
    add, mul = S.add, S.mul
    batched = {} if stacker is None else {"stack": stacker[1], "batch": stacker[2]}
    values = items if stacker is None else stacker[0]
    parents = (
        monoid(name, add, zero, values, equal, commutative=True, prefix="additive_", **batched),
        monoid(name, mul, one, values, equal, prefix="multiplicative_", **batched),
    )
    own = [
        law(
            "left_distributivity",
            "a⊗(b⊕c) = a⊗b ⊕ a⊗c",
            3,
            lambda a, b, c: (mul(a, add(b, c)), add(mul(a, b), mul(a, c))),
            items,
        ),
        law(
            "right_distributivity",
            "(a⊕b)⊗c = a⊗c ⊕ b⊗c",
            3,
            lambda a, b, c: (mul(add(a, b), c), add(mul(a, c), mul(b, c))),
            items,
        ),
        law(
            "annihilation",
            "a⊗0 = 0 = 0⊗a",
            1,
            lambda a: ((mul(a, zero()), mul(zero(), a)), (zero(), zero())),  # zero() broadcasts
            items,
        ),
    ]
    if S.commutative:
        own.append(
            law(
                "multiplicative_commutativity",
                "a⊗b = b⊗a",
                2,
                lambda a, b: (mul(a, b), mul(b, a)),
                items,
            )
        )
    if S.idempotent:
        own.append(law("idempotence", "a⊕a = a", 1, lambda a: (add(a, a), a), items))
    if S.ring:
        own.append(
            law("additive_inverse", "a ⊕ (−a) = 0", 1, lambda a: (add(a, S.neg(a)), zero()), items)
        )
    own += _kernel_laws(S, law, items, stacker is not None and elements is None)
    suite = LawSuite(name, tuple(own), parents)
    if S.has_star:
        suite = LawSuite(name, _star_laws(S, law, items), (suite,))
    return suite


# The kernel laws' shapes: degenerate and general, none square (a transposed operand
# cannot hide), few enough that each compiles once: a vector of one and one of five (an
# odd length, so the fold carries), a product over k = 1 and one with m, k, n distinct;
# each example holds _KERNEL_BATCH of them (the batch axis of matmul, a column of sum).
_VECTOR_SIZES = (1, 5)
_MATMUL_SHAPES = ((1, 1, 2), (2, 3, 4))
_KERNEL_BATCH = 8


def _kernel_laws(S: Semiring, law, items, batched: bool) -> list[Law]:
    """sum and matmul against their definition by ⊕ and ⊗. ``batched`` (an elementwise
    semiring, default elements): the definition is vectorised and, off the host, both
    sides run as one jitted program per shape."""

    def at(x, *ix):
        return jax.tree.map(lambda leaf: leaf[ix], x)

    def fold_sum(x):
        n = S.index_shape(x)[0]
        return S.sum(x, axis=0), reduce(S.add, [at(x, i) for i in range(n)])

    def naive_matmul(pair):
        a, b = pair
        _, m, k = S.index_shape(a)
        n = S.index_shape(b)[2]
        if batched:  # ⊗ broadcasts: one term per k, not one per entry
            terms = [S.mul(at(a, slice(None), slice(None), slice(t, t + 1)),
                           at(b, slice(None), slice(t, t + 1))) for t in range(k)]  # fmt: skip
            return S.matmul(a, b), reduce(S.add, terms)
        naive = [
            [reduce(S.add, [S.mul(at(a, 0, i, t), at(b, 0, t, j)) for t in range(k)])
             for j in range(n)]
            for i in range(m)
        ]  # fmt: skip
        return S.matmul(a, b), stack(S, [x for row in naive for x in row], (1, m, n))

    batch = 1
    if batched:
        B = batch = _KERNEL_BATCH
        vectors = st.sampled_from(_VECTOR_SIZES).flatmap(lambda n: _raw_arrays(S, (n, B)))
        pairs = st.sampled_from(_MATMUL_SHAPES).flatmap(
            lambda s: st.tuples(_raw_arrays(S, (B, s[0], s[1])), _raw_arrays(S, (B, s[1], s[2])))
        )
        if not S.host:
            fold_sum, naive_matmul = jax.jit(fold_sum), jax.jit(naive_matmul)
    else:
        vectors = st.integers(1, 6).flatmap(lambda n: arrays(S, (n,), items))
        pairs = matrix_pairs(S, items)
    return [
        Law(law.suite, "sum_matches_fold", "sum(x) = x₀ ⊕ x₁ ⊕ …", (vectors,), fold_sum,
            law.equal, batch=batch),
        Law(law.suite, "matmul_matches_definition", "(A⊗B)ᵢⱼ = ⊕ₖ Aᵢₖ⊗Bₖⱼ", (pairs,),
            naive_matmul, law.equal, batch=batch),
    ]  # fmt: skip


def _raw_arrays(S: Semiring, shape: tuple[int, ...]) -> st.SearchStrategy:
    """Arrays of index shape ``shape`` from Python values, converted once."""
    size = int(np.prod(shape))

    def build(values: list) -> Any:
        flat = stack_raw(S, values)
        return jax.tree.map(lambda leaf: leaf.reshape(shape + leaf.shape[1:]), flat)

    return st.lists(raw_elements(S), min_size=size, max_size=size).map(build)


def _star_laws(S: Semiring, law, items) -> tuple[Law, ...]:
    one = lambda: S.asarray(S.one)  # noqa: E731
    add, mul, star, domain = S.add, S.mul, S.star, S.star_domain

    def both(*conditions):  # elementwise: a batch keeps the rows inside every domain
        return np.logical_and.reduce([np.asarray(c, bool) for c in conditions])

    return (
        law(
            "star_left_unfold",
            "a* = 1 ⊕ a⊗a*",
            1,
            lambda a: (star(a), add(one(), mul(a, star(a)))),
            items,
            domain,
        ),
        law(
            "star_right_unfold",
            "a* = 1 ⊕ a*⊗a",
            1,
            lambda a: (star(a), add(one(), mul(star(a), a))),
            items,
            domain,
        ),
        law(
            "star_sum",
            "(a⊕b)* = (a*⊗b)*⊗a*",
            2,
            lambda a, b: (star(add(a, b)), mul(star(mul(star(a), b)), star(a))),
            items,
            lambda a, b: both(domain(a), domain(add(a, b)), domain(mul(star(a), b))),
        ),
        law(
            "star_product",
            "(a⊗b)* = 1 ⊕ a⊗(b⊗a)*⊗b",
            2,
            lambda a, b: (star(mul(a, b)), add(one(), mul(mul(a, star(mul(b, a))), b))),
            items,
            lambda a, b: both(domain(mul(a, b)), domain(mul(b, a))),
        ),
    )


def homomorphism(
    h: Homomorphism,
    *,
    elements: st.SearchStrategy | None = None,
    equal: Equal | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> LawSuite:
    """h preserves ⊕, ⊗, 0 and 1, and so commutes with contraction.

    The source elements are restricted to ``h.domain`` when it is given.
    """
    if isinstance(h, type):
        raise ArgumentTypeError(
            f"laws.homomorphism(h): got the class {h.__name__}, not an instance"
        )
    if not isinstance(h, Homomorphism):
        raise ArgumentTypeError(
            "laws.homomorphism(h): expected a Homomorphism(source, target, fn), such as "
            f"catlearn.semirings.real_to_log, got {type(h).__name__} {h!r:.60}"
        )
    S = _declared(require_semiring(h.source, "laws.homomorphism(h.source)"), "h.source")
    T = _declared(require_semiring(h.target, "laws.homomorphism(h.target)"), "h.target")
    arguments.function(h.fn, "laws.homomorphism(h.fn)", "a function from source to target")
    arguments.optional_function(h.domain, "laws.homomorphism(h.domain)")
    elements, equal = _comparison("laws.homomorphism", elements, equal, rtol, atol)
    name = f"homomorphism[{h!r}]"
    items = elements if elements is not None else default_elements(S)
    law = _maker(name, equal)
    domain = h.domain

    def inside(*xs):
        return domain is None or all(bool(np.all(np.asarray(domain(x)))) for x in xs)

    def matmul_sides(pair):
        a, b = pair
        return h.fn(S.matmul(a, b)), T.matmul(h.fn(a), h.fn(b))

    def pair_inside(pair):
        return inside(*pair)

    return LawSuite(
        name,
        (
            law(
                "preserves_add",
                "h(a⊕b) = h(a)⊕h(b)",
                2,
                lambda a, b: (h.fn(S.add(a, b)), T.add(h.fn(a), h.fn(b))),
                items,
                inside,
            ),
            law(
                "preserves_mul",
                "h(a⊗b) = h(a)⊗h(b)",
                2,
                lambda a, b: (h.fn(S.mul(a, b)), T.mul(h.fn(a), h.fn(b))),
                items,
                inside,
            ),
            law(
                "preserves_zero",
                "h(0) = 0",
                0,
                lambda: (h.fn(S.asarray(S.zero)), T.asarray(T.zero)),
                items,
            ),
            law(
                "preserves_one",
                "h(1) = 1",
                0,
                lambda: (h.fn(S.asarray(S.one)), T.asarray(T.one)),
                items,
            ),
            Law(
                name,
                "commutes_with_matmul",
                "h(A⊗B) = h(A)⊗h(B)",
                (matrix_pairs(S, items),),
                matmul_sides,
                law.equal,
                pair_inside,
            ),
        ),
    )


def _declared(S: Semiring, argument: str) -> Semiring:
    """``S``, if it sets the zero and one every law speaks of."""
    missing = [a for a in ("zero", "one") if not hasattr(S, a)]
    if missing:
        raise ArgumentTypeError(
            f"{argument}: {type(S).__name__} sets no {' or '.join(missing)}; a Semiring "
            "subclass sets zero and one and defines add and mul"
        )
    return S


def _comparison(
    function: str, elements: Any, equal: Any, rtol: Any, atol: Any
) -> tuple[st.SearchStrategy | None, Equal]:
    """The checked ``elements`` and the comparison: ``equal``, or ``rtol``/``atol``'s."""
    elements = arguments.optional_strategy(elements, f"{function}(elements)")
    arguments.optional_function(equal, f"{function}(equal)", "a function of (lhs, rhs)")
    rtol = arguments.tolerance(rtol, f"{function}(rtol)")
    atol = arguments.tolerance(atol, f"{function}(atol)")
    return elements, equal or equality(rtol, atol)


def _stacker(S: Semiring, batch: Any, elements: Any, argument: str) -> Any:
    """How a batch of drawn values becomes one array (with the values' strategy), or None
    for one tuple per example."""
    if batch is None:
        batch = 16 if getattr(S, "batched_laws", False) else 0
    batch = arguments.count(batch, argument, low=0)
    if batch == 0:
        return None
    if elements is None:  # Python values, converted once per batch
        return raw_elements(S), lambda values: stack_raw(S, values), batch
    return elements, lambda values: stack(S, values, (len(values),)), batch


def _maker(suite: str, equal: Equal, stacker: Any = None):
    def law(name, statement, arity, sides, items, assume=None):
        if stacker is None or arity == 0:
            return Law(suite, name, statement, (items,) * arity, sides, equal, assume)
        values, stack_values, batch = stacker
        return Law(suite, name, statement, (values,) * arity, sides, equal, assume,
                   stack=stack_values, batch=batch)  # fmt: skip

    law.suite, law.equal = suite, equal
    return law
