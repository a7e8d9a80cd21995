"""The generalised left-corner transform: left recursion out, weighted language kept.

A derivation's *left spine* runs from a node down through the first child
of each rule. The left-corner transform (Rosenkrantz and Lewis; weighted
and generalised by Opedal, Tsipidi, Pimentel, Cotterell and Vieira, 2023)
rebuilds each spine bottom-up: ``Y → ~X Y/X`` first derives a left corner
``X`` of ``Y``, then the slashed nonterminal ``Y/X`` ("a Y missing its left
corner X") climbs the spine, each rule ``P → X β`` becoming
``Y/X → β Y/P``, until ``Y/Y → ε``. Left recursion turns into right
recursion. The transform is *selective*: only the spine rules in ``rules``
are moved, and a spine is cut at its lowest symbol in ``symbols`` (the
frozen ``~X`` derives X's part below that cut unchanged). Derivations map
one to one onto the new grammar's with the same rules, so every string keeps
its weight in a commutative semiring (the rule weights are multiplied in
another order). Useless rules are trimmed.

    >>> from catlearn.semirings import Real
    >>> from catlearn.structured.grammar import WCFG
    >>> g = WCFG.from_text('''
    ...     E -> E + a 0.25
    ...     E -> a 0.75
    ... ''', Real())
    >>> is_left_recursive(g), is_left_recursive(left_corner(g))
    (True, False)
    >>> print(left_corner(g))
    E -> a E/a 1
    E/E -> ε 1
    E/E -> + a E/E 0.25
    E/a -> E/E 0.75
    >>> same_stringsums(g, left_corner(g), max_length=5)   # None: they agree
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from catlearn.arguments import whole
from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    LawViolation,
    NonCommutativeError,
)
from catlearn.semirings import Semiring, require_semiring
from catlearn.structured import carrier
from catlearn.structured.grammar import WCFG, Fresh, Rule, unary_cycle

Array = Any


def _rule_keys(g: WCFG, rules: Iterable[Any] | None) -> set[tuple[str, tuple[str, ...]]]:
    known = {(r.lhs, r.rhs) for r in g.rules}
    if rules is None:
        return {key for key in known if key[1]}
    if isinstance(rules, (str, bytes)):
        raise ArgumentTypeError("rules: expected a collection of (lhs, rhs) pairs, got a str")
    out = set()
    for item in rules:
        if isinstance(item, Rule):
            item = (item.lhs, item.rhs)
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise ArgumentTypeError(f"rules: expected (lhs, rhs) pairs, got {item!r:.60}")
        lhs, rhs = item[0], item[1]
        rhs = tuple(rhs.split()) if isinstance(rhs, str) else tuple(rhs)
        text = f"{lhs} -> {' '.join(rhs) or 'ε'}"
        if (lhs, rhs) not in known:
            raise ArgumentValueError(f"rules: {text} is not a rule of the grammar")
        if not rhs:
            raise ArgumentValueError(f"rules: {text} is an ε-rule, which has no left corner")
        out.add((lhs, rhs))
    return out


def left_corner(
    grammar: WCFG, rules: Iterable[Any] | None = None, symbols: Iterable[str] | None = None
) -> WCFG:
    """The generalised left-corner transform of ``grammar`` (same weighted language).

    ``rules``: the spine rules to move, as ``(lhs, rhs)`` pairs (default: every
    rule with a non-empty right-hand side; :func:`left_recursive_rules` gives
    the selective choice). ``symbols``: where spines may be cut (default: every
    symbol if ``rules`` is None, else the left corners of moved rules that are
    terminals or heads of unmoved rules, Opedal et al.'s sufficient choice).
    Any choice keeps the weighted language. Removes left recursion from a
    grammar without ε-rules and unary cycles when every left-recursive rule is
    moved (ε-rules can hide a left corner behind a nullable one). Needs a
    commutative semiring.
    """
    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(f"left_corner: expected a WCFG, got {type(grammar).__name__}")
    g = grammar
    S = g.semiring
    if not S.commutative:
        raise NonCommutativeError(
            f"left_corner: the transform reorders each derivation's product; {S!r} is not "
            "commutative"
        )
    moved = _rule_keys(g, rules)
    nts = set(g.nonterminals)
    everything = set(g.nonterminals) | set(g.terminals)
    if symbols is None and rules is None:
        cut = everything
    elif symbols is None:  # cut only where a moved spine meets what is not moved
        kept_heads = {r.lhs for r in g.rules if (r.lhs, r.rhs) not in moved}
        cut = {rhs[0] for _, rhs in moved} & (set(g.terminals) | kept_heads)
    else:
        if isinstance(symbols, (str, bytes)):
            raise ArgumentTypeError("symbols: expected a collection of symbols, got a str")
        cut = set(symbols)
        unknown = sorted(cut - everything)
        if unknown:
            raise ArgumentValueError(f"symbols: {unknown[0]!r} is not a symbol of the grammar")
    # below[Y]: the symbols reachable from Y down left spines of moved rules (Y included).
    down: dict[str, set[str]] = defaultdict(set)
    for lhs, rhs in moved:
        down[lhs].add(rhs[0])
    below: dict[str, set[str]] = {}
    for y in g.nonterminals:
        seen, todo = {y}, [y]
        while todo:
            for x in down.get(todo.pop(), ()):
                if x not in seen:
                    seen.add(x)
                    todo.append(x)
        below[y] = seen
    fresh = Fresh(everything)
    names: dict[tuple[str, ...], str] = {}

    def slash(y: str, x: str) -> str:
        if ("/", y, x) not in names:
            names[("/", y, x)] = fresh(f"{y}/{x}")
        return names[("/", y, x)]

    def frozen(x: str) -> str:
        if x not in nts:
            return x  # a terminal is its own frozen self
        if ("~", x) not in names:
            names[("~", x)] = fresh(f"~{x}")
        return names[("~", x)]

    one = S.ones(())
    out: list[tuple[str, tuple[str, ...], Array]] = []
    for y in g.nonterminals:
        if y not in cut:
            out.append((y, (frozen(y),), one))  # no cut on Y's spine: Y is its frozen self
        for x in sorted(below[y] & cut):
            out.append((y, (frozen(x), slash(y, x)), one))  # cut at x, then climb to Y
        out.append((slash(y, y), (), one))  # the climb is done
    for r in g.rules:
        if (r.lhs, r.rhs) not in moved:
            out.append((frozen(r.lhs), r.rhs, r.weight))
            continue
        head, first, rest = r.lhs, r.rhs[0], r.rhs[1:]
        for y in g.nonterminals:
            if head in below[y]:
                out.append((slash(y, first), rest + (slash(y, head),), r.weight))
        if first not in cut:
            out.append((frozen(head), (frozen(first),) + rest, r.weight))
    new_nts = list(g.nonterminals) + [v for v in names.values()]
    return WCFG(out, g.start, S, terminals=g.terminals, nonterminals=new_nts).trim()


def _nullable(g: WCFG) -> set[str]:
    nts = set(g.nonterminals)
    done: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in g.rules:
            if r.lhs not in done and all(x in done for x in r.rhs) and all(x in nts for x in r.rhs):
                done.add(r.lhs)
                changed = True
    return done


def is_left_recursive(grammar: WCFG) -> bool:
    """Whether some nonterminal derives a string that starts with itself (A ⇒⁺ A γ),
    looking through nullable prefixes."""
    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(f"is_left_recursive: expected a WCFG, got {type(grammar).__name__}")
    nts = set(grammar.nonterminals)
    nullable = _nullable(grammar)
    edges: dict[str, set[str]] = defaultdict(set)
    for r in grammar.rules:
        for x in r.rhs:
            if x in nts:
                edges[r.lhs].add(x)
            if x not in nullable:
                break
    return unary_cycle(edges) is not None


def left_recursive_rules(grammar: WCFG) -> list[tuple[str, tuple[str, ...]]]:
    """The rules ``A → X …`` whose first symbol X derives a string starting with A:
    the spine rules :func:`left_corner` must move to remove left recursion. (First
    symbols only: recursion behind a nullable prefix, which :func:`is_left_recursive`
    sees, is out of a left-corner transform's reach.)"""
    import networkx as nx

    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(
            f"left_recursive_rules: expected a WCFG, got {type(grammar).__name__}"
        )
    graph = nx.DiGraph()
    graph.add_edges_from((r.lhs, r.rhs[0]) for r in grammar.rules if r.rhs)
    component = {x: i for i, c in enumerate(nx.strongly_connected_components(graph)) for x in c}
    return [
        (r.lhs, r.rhs)
        for r in grammar.rules
        if r.rhs and (r.rhs[0] == r.lhs or component[r.lhs] == component[r.rhs[0]])
    ]


# -- checking that two grammars agree ------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    """What :class:`LawViolation` reports: an id and a statement."""

    id: str
    statement: str


SAME_STRINGSUMS = _Claim(
    "grammar::same_stringsums",
    "stringsum(g1, w) = stringsum(g2, w) for every string w up to max_length",
)


def _close(a: Array, b: Array, rtol: float, atol: float) -> bool:
    import jax

    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind in "fc" or y.dtype.kind in "fc":
            x, y = x.astype(np.float64), y.astype(np.float64)
            if not np.all(np.isclose(x, y, rtol=rtol, atol=atol)):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def same_stringsums(
    g1: WCFG,
    g2: WCFG,
    max_length: int,
    semiring: Semiring | None = None,
    *,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> None:
    """Check that two grammars give every string of at most ``max_length`` terminals
    (over both alphabets, the empty string included) the same stringsum.

    Returns None, or raises :class:`~catlearn.errors.LawViolation` naming the
    first string that differs and both values. Exact for exact carriers
    (Counting, Boolean); floats within ``rtol`` and ``atol``. ``semiring``
    reads both grammars in it (:meth:`WCFG.over`).
    """
    from catlearn.structured.cky import stringsum

    for name, g in (("g1", g1), ("g2", g2)):
        if not isinstance(g, WCFG):
            raise ArgumentTypeError(f"same_stringsums: {name} must be a WCFG, got {g!r:.40}")
    max_length = whole(max_length, "same_stringsums: max_length", least=0)
    if semiring is None:
        if g1.semiring != g2.semiring:
            raise ArgumentTypeError(
                f"same_stringsums: g1 is over {g1.semiring!r} and g2 over {g2.semiring!r}; "
                "pass semiring= to read both in one"
            )
    else:
        S = require_semiring(semiring, "same_stringsums: semiring")
        g1, g2 = g1.over(S), g2.over(S)

    def fail(string: tuple[str, ...], a: Array, b: Array) -> LawViolation:
        return LawViolation(SAME_STRINGSUMS, (" ".join(string) or "ε",), a, b)

    a, b = g1.empty_weight(), g2.empty_weight()
    if not _close(a, b, rtol, atol):
        raise fail((), a, b)
    if max_length == 0:
        return None
    alphabet = tuple(sorted(set(g1.terminals) | set(g2.terminals)))
    if not alphabet:
        return None
    c1, c2 = (
        WCFG(c.rules, c.start, c.semiring, terminals=alphabet) for c in (g1.to_cnf(), g2.to_cnf())
    )
    index = {t: i for i, t in enumerate(alphabet)}
    # Every string of 1 … max_length terminals in one padded batch: one CKY per grammar.
    strings = [s for n in range(1, max_length + 1) for s in itertools.product(alphabet, repeat=n)]
    ids = np.zeros((len(strings), max_length), dtype=np.int64)
    for i, s in enumerate(strings):
        ids[i, : len(s)] = [index[t] for t in s]
    lengths = np.array([len(s) for s in strings], dtype=np.int64)
    v1, v2 = stringsum(c1, ids, lengths=lengths), stringsum(c2, ids, lengths=lengths)
    for i, s in enumerate(strings):
        a, b = carrier.index(v1, i), carrier.index(v2, i)
        if not _close(a, b, rtol, atol):
            raise fail(s, a, b)
    return None
