"""Weighted context-free grammars over any semiring, and Chomsky normal form.

A :class:`WCFG` is an immutable set of rules ``lhs → rhs`` with weights in
one catlearn semiring. A derivation weighs the ⊗-product of its rules; the
*stringsum* of a string is the ⊕-sum over its derivations (Goodman's
semiring parsing), and the *allsum* the ⊕-sum over every derivation.
Nonterminals are the symbols on a left-hand side (and the start symbol);
every other symbol is a terminal, unless the constructor is told both.

:meth:`WCFG.to_cnf` gives a grammar in Chomsky normal form (rules
``A → B C`` and ``A → a``) with the same stringsum on every non-empty
string, ready for CKY (:mod:`catlearn.structured.cky`)::

    >>> from catlearn.semirings import Real
    >>> g = WCFG.from_text('''
    ...     S -> S S 0.25
    ...     S -> A 0.75
    ...     A -> a 1.0
    ...     A -> 0.5
    ... ''', Real())
    >>> g.is_cnf(), g.to_cnf().is_cnf()
    (False, True)
    >>> print(g.to_cnf())
    S -> S S 0.316228
    S -> a 0.948683
    >>> round(float(g.empty_weight()), 6)   # ε, which CNF cannot carry
    0.418861

ε-removal turned ``S → S S`` into a unary loop ``S → S`` (one child deriving ε),
which Real's star folded away. Counted instead, S has infinitely many
derivations of ε, and so of every string::

    >>> from catlearn.semirings import Counting
    >>> g.over(Counting()).to_cnf()
    Traceback (most recent call last):
    ...
    catlearn.errors.DivergenceError: to_cnf: ...: allsum in Counting diverges at 'S': ...
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CatlearnError,
    NonCommutativeError,
    NotClosedError,
)
from catlearn.semirings import (
    Boolean,
    Counting,
    Log,
    MaxPlus,
    Real,
    Semiring,
    TopK,
    Viterbi,
    closure,
    require_semiring,
)
from catlearn.semirings.carrier import is_traced
from catlearn.structured import carrier

Array = Any
EPSILON = "ε"  # the empty right-hand side in text


class Rule(NamedTuple):
    """One weighted rule ``lhs → rhs`` (``rhs`` a tuple of symbols, empty for ε)."""

    lhs: str
    rhs: tuple[str, ...]
    weight: Any

    def text(self) -> str:
        """``lhs -> rhs`` without the weight (the name errors use)."""
        return f"{self.lhs} -> {' '.join(self.rhs) or EPSILON}"


class CNFTensors(NamedTuple):
    """A CNF grammar as element arrays: ``binary[A, B, C]`` weighs ``A → B C``,
    ``lexical[A, a]`` weighs ``A → a`` (indices into ``nonterminals`` and
    ``terminals``), ``root`` is the index of the start symbol."""

    binary: Array
    lexical: Array
    root: int


# -- elements -----------------------------------------------------------------


def scalar(S: Semiring, value: Any, what: str) -> Array:
    """``value`` as one element of ``S`` (a number is lifted into TopK), or a typed
    error naming ``what``."""
    if is_traced(value):
        raise ArgumentTypeError(
            f"{what}: a WCFG holds concrete weights, got a traced value; for learning, "
            "use catlearn.structured.cky.CFG with log-potentials"
        )
    if isinstance(S, TopK) and np.ndim(value) == 0 and not isinstance(value, (str, bytes)):
        value = S.lift(value) if isinstance(value, (int, float, np.number, jax.Array)) else value
    try:
        x = S.asarray(value)
    except CatlearnError as error:
        kind = ArgumentTypeError if isinstance(error, TypeError) else ArgumentValueError
        raise kind(f"{what}: weight {value!r:.60} is not an element of {S!r}: {error}") from None
    if S.index_shape(x) != ():
        raise ArgumentValueError(
            f"{what}: a weight is one element of {S!r}, got an array of index shape "
            f"{S.index_shape(x)}"
        )
    for leaf in jax.tree.leaves(x):
        leaf = np.asarray(leaf)
        if leaf.dtype.kind == "f" and np.isnan(leaf).any():
            raise ArgumentValueError(f"{what}: weight {show(x)} is NaN")
    return x


def is_zero(S: Semiring, x: Array) -> bool:
    """Whether the concrete element ``x`` is the semiring's zero."""
    zero = S.zeros(())
    return all(
        np.array_equal(np.asarray(a), np.asarray(b))
        for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(zero))
    )


def same(S: Semiring, x: Array, y: Array) -> bool:
    """Whether two concrete elements are equal, leaf by leaf."""
    return all(
        np.array_equal(np.asarray(a), np.asarray(b))
        for a, b in zip(jax.tree.leaves(x), jax.tree.leaves(y))
    )


def stack(S: Semiring, xs: list[Array]) -> Array:
    """Scalar elements stacked into a vector of elements (length 0 allowed)."""
    if not xs:
        return S.zeros((0,))
    return carrier.stack(S, list(xs))


def show(x: Array) -> Any:
    """An element as plain Python values (for text and messages)."""
    leaves = [np.asarray(leaf).tolist() for leaf in jax.tree.leaves(x)]
    return leaves[0] if len(leaves) == 1 else tuple(leaves)


def _symbol(x: Any, what: str) -> str:
    if not isinstance(x, str):
        raise ArgumentTypeError(f"{what}: a symbol is a str, got {type(x).__name__} {x!r:.40}")
    if not x or any(c.isspace() for c in x):
        raise ArgumentValueError(f"{what}: a symbol is a non-empty str without spaces, got {x!r}")
    return x


class Fresh:
    """Names not yet taken: ``Fresh(taken)("X")`` is ``X``, ``X'``, ``X''``, …"""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)
        self.made: list[str] = []

    def __call__(self, base: str) -> str:
        name = base
        while name in self.taken:
            name += "'"
        self.taken.add(name)
        self.made.append(name)
        return name


# -- the grammar -------------------------------------------------------------------


class WCFG:
    """A weighted context-free grammar: rules with weights in ``semiring``.

    ``rules`` is an iterable of ``(lhs, rhs, weight)`` (``rhs`` a tuple of
    symbols, or a str of space-separated symbols; ``()`` for an ε-rule).
    Rules with the same ``lhs → rhs`` are merged by ⊕ (a grammar is a sum of
    rules), and rules of weight zero are dropped (they derive nothing).
    Nonterminals are the start symbol and every left-hand side, in order of
    appearance; other symbols are terminals. Pass ``terminals`` (and
    ``nonterminals``) to declare the alphabet: then an undeclared symbol, or a
    terminal on a left-hand side, is refused, naming the rule.

        >>> from catlearn.semirings import Counting
        >>> g = WCFG([("S", ("S", "a"), 1), ("S", "b", 1), ("S", "b", 2)], "S", Counting())
        >>> g.nonterminals, g.terminals, [r.weight.item() for r in g.rules]
        (('S',), ('a', 'b'), [1, 3])
    """

    def __init__(
        self,
        rules: Iterable[Any],
        start: str,
        semiring: Semiring,
        *,
        terminals: Iterable[str] | None = None,
        nonterminals: Iterable[str] | None = None,
    ) -> None:
        S = require_semiring(semiring, "WCFG: semiring")
        start = _symbol(start, "WCFG: start")
        if isinstance(rules, (str, bytes)):
            raise ArgumentTypeError(
                "WCFG: rules must be (lhs, rhs, weight) triples; for text use WCFG.from_text"
            )
        declared_t = None if terminals is None else self._declared(terminals, "terminals")
        declared_n = None if nonterminals is None else self._declared(nonterminals, "nonterminals")
        merged: dict[tuple[str, tuple[str, ...]], Array] = {}
        for i, item in enumerate(rules):
            lhs, rhs, weight = self._triple(item, i)
            what = f"WCFG: rule {i} ({lhs} -> {' '.join(rhs) or EPSILON})"
            w = scalar(S, weight, what)
            key = (lhs, rhs)
            merged[key] = S.add(merged[key], w) if key in merged else w
        kept = {key: w for key, w in merged.items() if not is_zero(S, w)}
        lhs_seen = list(dict.fromkeys([start] + [lhs for lhs, _ in merged]))
        if declared_n is not None:
            nts = declared_n
        else:  # a declared terminal on a left-hand side is reported with its rule below
            nts = tuple(x for x in lhs_seen if declared_t is None or x not in declared_t)
        nt_set = set(nts)
        if declared_t is not None:
            both = nt_set & set(declared_t)
            if both:
                bad = sorted(both)[0]
                raise ArgumentValueError(
                    f"WCFG: {bad!r} is declared both a terminal and a nonterminal"
                )
            ts = declared_t
        else:
            rhs_seen = [x for _, rhs in merged for x in rhs if x not in nt_set]
            ts = tuple(dict.fromkeys(rhs_seen))
        t_set = set(ts)
        if start not in nt_set:
            where = "a terminal" if start in t_set else "not a declared nonterminal"
            raise ArgumentValueError(f"WCFG: the start symbol {start!r} is {where}")
        for lhs, rhs in merged:
            text = f"{lhs} -> {' '.join(rhs) or EPSILON}"
            if lhs in t_set:
                raise ArgumentValueError(
                    f"WCFG: rule {text} has the terminal {lhs!r} on its left-hand side"
                )
            if lhs not in nt_set:
                raise ArgumentValueError(
                    f"WCFG: rule {text} has the unknown symbol {lhs!r} on its left-hand side "
                    "(not among the declared nonterminals)"
                )
            for x in rhs:
                if x not in nt_set and x not in t_set:
                    raise ArgumentValueError(
                        f"WCFG: rule {text} uses the unknown symbol {x!r} (neither a declared "
                        "terminal nor a nonterminal)"
                    )
        self._semiring = S
        self._start = start
        self._nonterminals = nts
        self._terminals = ts
        self._rules = tuple(Rule(lhs, rhs, w) for (lhs, rhs), w in kept.items())
        self._weights = {(r.lhs, r.rhs): r.weight for r in self._rules}

    @staticmethod
    def _declared(symbols: Iterable[str], what: str) -> tuple[str, ...]:
        if isinstance(symbols, (str, bytes)):
            raise ArgumentTypeError(f"WCFG: {what} must be a collection of symbols, got a str")
        out = tuple(dict.fromkeys(_symbol(x, f"WCFG: {what}") for x in symbols))
        return out

    @staticmethod
    def _triple(item: Any, i: int) -> tuple[str, tuple[str, ...], Any]:
        if isinstance(item, Rule):
            item = tuple(item)
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise ArgumentTypeError(
                f"WCFG: rule {i} must be a (lhs, rhs, weight) triple, got {item!r:.60}"
            )
        lhs, rhs, weight = item
        lhs = _symbol(lhs, f"WCFG: rule {i} left-hand side")
        if isinstance(rhs, str):
            rhs = tuple(rhs.split())
        if not isinstance(rhs, (tuple, list)):
            raise ArgumentTypeError(
                f"WCFG: rule {i} ({lhs} -> …): rhs must be a tuple of symbols, got {rhs!r:.40}"
            )
        rhs = tuple(_symbol(x, f"WCFG: rule {i} ({lhs} -> …) right-hand side") for x in rhs)
        return lhs, rhs, weight

    # -- text -------------------------------------------------------------------------
    @classmethod
    def from_text(
        cls,
        text: str,
        semiring: Semiring | None = None,
        start: str | None = None,
        *,
        terminals: Iterable[str] | None = None,
    ) -> WCFG:
        """A grammar from lines ``lhs -> rhs… weight`` (default semiring Real).

        The weight is the last field when it reads as a number (default: one);
        an empty right-hand side, or ``ε``, is an ε-rule; ``#`` starts a comment.
        The start symbol defaults to the first rule's left-hand side.

            >>> g = WCFG.from_text("S -> NP VP 0.8\\nNP -> she\\nVP -> runs 0.5")
            >>> g.start, g.terminals
            ('S', ('she', 'runs'))
        """
        S = Real() if semiring is None else require_semiring(semiring, "from_text: semiring")
        if not isinstance(text, str):
            raise ArgumentTypeError(f"from_text: text must be a str, got {type(text).__name__}")
        rules = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = re.split(r"->|→", line)
            if len(parts) != 2 or not parts[0].strip():
                raise ArgumentValueError(
                    f"from_text: line {number} ({raw.strip()!r}) is not 'lhs -> rhs weight'"
                )
            lhs = parts[0].strip()
            if len(lhs.split()) != 1:
                raise ArgumentValueError(
                    f"from_text: line {number} ({raw.strip()!r}) has more than one symbol "
                    "on its left-hand side"
                )
            fields = parts[1].split()
            weight: Any = S.one
            if fields and _number(fields[-1]) is not None:
                weight = _number(fields[-1])
                fields = fields[:-1]
            if fields == [EPSILON]:
                fields = []
            rules.append((lhs, tuple(fields), weight))
        if not rules and start is None:
            raise ArgumentValueError("from_text: no rules, and no start symbol given")
        return cls(rules, rules[0][0] if start is None else start, S, terminals=terminals)

    def __str__(self) -> str:
        return "\n".join(
            f"{r.lhs} -> {' '.join(r.rhs) or EPSILON} {_format(show(r.weight))}"
            for r in self._rules
        )

    def __repr__(self) -> str:
        return (
            f"WCFG({len(self._rules)} rules, start={self._start!r}, "
            f"{len(self._nonterminals)} nonterminals, {len(self._terminals)} terminals, "
            f"{self._semiring!r})"
        )

    # -- views ------------------------------------------------------------------------
    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, merged and without zero weights, in order of first appearance."""
        return self._rules

    @property
    def start(self) -> str:
        return self._start

    @property
    def semiring(self) -> Semiring:
        return self._semiring

    @property
    def nonterminals(self) -> tuple[str, ...]:
        """The start symbol first, then the others in order of appearance."""
        return self._nonterminals

    @property
    def terminals(self) -> tuple[str, ...]:
        return self._terminals

    def weight(self, lhs: str, rhs: Iterable[str]) -> Array:
        """The weight of ``lhs → rhs`` (zero if there is no such rule)."""
        rhs = tuple(rhs.split()) if isinstance(rhs, str) else tuple(rhs)
        w = self._weights.get((lhs, rhs))
        return self._semiring.zeros(()) if w is None else w

    def __len__(self) -> int:
        return len(self._rules)

    def _rebuilt(self, rules: Iterable[Any], *, keep: bool = True) -> WCFG:
        """A grammar over the same terminals (token ids stay put), and the same
        nonterminals if ``keep`` (else those its rules and start use)."""
        return WCFG(
            rules,
            self._start,
            self._semiring,
            terminals=self._terminals,
            nonterminals=self._nonterminals if keep else None,
        )

    # -- other semirings ----------------------------------------------------------------
    def map(self, fn: Callable[[Array], Any], semiring: Semiring) -> WCFG:
        """The grammar with each weight ``w`` replaced by ``fn(w)``, an element of ``semiring``."""
        T = require_semiring(semiring, "map: semiring")
        rules = [(r.lhs, r.rhs, fn(r.weight)) for r in self._rules]
        return WCFG(rules, self._start, T, terminals=self._terminals)

    def over(self, semiring: Semiring) -> WCFG:
        """The same grammar read in ``semiring``.

        Counting and Boolean give every rule weight one (they count, or
        recognise, the derivations of *this* grammar); Real and Viterbi share
        probabilities, Log, MaxPlus and TopK share scores, and log / exp map
        between the two (probabilities must be ≥ 0). Anything else: use :meth:`map`.
        """
        T = require_semiring(semiring, "over: semiring")
        S = self._semiring
        if T == S:
            return self
        if isinstance(T, (Counting, Boolean)):
            return self.map(lambda w: T.one, T)
        scores, probs = (Log, MaxPlus, TopK), (Real, Viterbi)
        s_scores = isinstance(S, (Log, MaxPlus))
        s_probs = isinstance(S, probs) and not isinstance(S, scores)
        if s_scores and isinstance(T, scores):
            return self.map(lambda w: w, T)
        if s_probs and isinstance(T, probs):
            if isinstance(T, Viterbi):
                self._nonnegative("over")
            return self.map(lambda w: w, T)
        if s_probs and isinstance(T, scores):
            self._nonnegative("over")
            return self.map(jnp.log, T)
        if s_scores and isinstance(T, probs):
            return self.map(jnp.exp, T)
        raise ArgumentTypeError(
            f"over: no reading of {S!r} weights in {T!r} (known: Counting/Boolean from any; "
            "Real↔Viterbi; Log↔MaxPlus→TopK; log/exp between them); use grammar.map(fn, "
            "semiring)"
        )

    def _nonnegative(self, what: str) -> None:
        for r in self._rules:
            if float(np.asarray(r.weight)) < 0:
                raise ArgumentValueError(
                    f"{what}: rule {r.text()} has the negative weight {show(r.weight)}; "
                    "a probability reading needs weights ≥ 0"
                )

    # -- analysis ------------------------------------------------------------------------
    def is_cnf(self) -> bool:
        """Whether every rule is ``A → B C`` (nonterminals) or ``A → a`` (a terminal)."""
        nts = set(self._nonterminals)
        for r in self._rules:
            binary = len(r.rhs) == 2 and all(x in nts for x in r.rhs)
            lexical = len(r.rhs) == 1 and r.rhs[0] not in nts
            if not (binary or lexical):
                return False
        return True

    def generating(self) -> set[str]:
        """The nonterminals that derive some string (ε included)."""
        nts = set(self._nonterminals)
        done: set[str] = set()
        changed = True
        while changed:
            changed = False
            for r in self._rules:
                if r.lhs not in done and all(x in done or x not in nts for x in r.rhs):
                    done.add(r.lhs)
                    changed = True
        return done

    def trim(self) -> WCFG:
        """The grammar without useless rules: those using a nonterminal that derives
        nothing, or that no derivation from the start symbol reaches."""
        alive = self.generating()
        nts = set(self._nonterminals)
        rules = [
            r
            for r in self._rules
            if r.lhs in alive and all(x in alive or x not in nts for x in r.rhs)
        ]
        by_lhs = defaultdict(list)
        for r in rules:
            by_lhs[r.lhs].append(r)
        reached, todo = {self._start}, [self._start]
        while todo:
            for r in by_lhs[todo.pop()]:
                for x in r.rhs:
                    if x in nts and x not in reached:
                        reached.add(x)
                        todo.append(x)
        return self._rebuilt([r for r in rules if r.lhs in reached], keep=False)

    def empty_weight(self) -> Array:
        """The stringsum of the empty string: the allsum of the rules without terminals.

        CNF carries no ε, so :meth:`to_cnf` drops this weight; read it here.
        """
        from catlearn.structured.allsum import allsum

        nts = set(self._nonterminals)
        rules = [r for r in self._rules if all(x in nts for x in r.rhs)]
        return allsum(self._rebuilt(rules))

    # -- Chomsky normal form -------------------------------------------------------------
    def to_cnf(self) -> WCFG:
        """An equivalent grammar in Chomsky normal form, over the same terminals.

        Every non-empty string keeps its stringsum; the empty string's weight
        is dropped (see :meth:`empty_weight`). Steps: terminals inside longer
        rules get preterminals; long rules are binarised (fresh nonterminals
        shared by common suffixes, weight one); ε-rules are removed, each
        dropped nonterminal contributing its ε-weight, computed as an allsum
        (:mod:`catlearn.structured.allsum`); unary chains are folded in with
        the closure U* of the unary matrix; useless rules are trimmed.

        Needs a commutative semiring (ε-weights move within a product). Raises
        ``NotClosedError`` when unary rules form a cycle and the semiring has
        no star, and ``DivergenceError`` when an ε- or unary weight is infinite.
        """
        S = self._semiring
        if not S.commutative:
            raise NonCommutativeError(
                f"to_cnf: moving ε-weights within a product needs a commutative semiring, not {S!r}"
            )
        g = self.trim()
        fresh = Fresh(g.nonterminals + g.terminals)
        rules = _separate_terminals(g, fresh)
        rules = _binarise(S, rules, fresh)
        # Declared throughout: a nonterminal may lose its last rule (ε) on the way.
        names = {"terminals": g.terminals, "nonterminals": g.nonterminals + tuple(fresh.made)}
        rules = _remove_epsilon(WCFG(rules, g.start, S, **names))
        rules = _remove_unary(WCFG(rules, g.start, S, **names))
        return WCFG(rules, g.start, S, **names).trim()

    def tensors(self) -> CNFTensors:
        """The CNF grammar as dense element arrays (for CKY); refuses other grammars."""
        require_cnf(self, "tensors")
        S = self._semiring
        nt = {x: i for i, x in enumerate(self._nonterminals)}
        tm = {x: i for i, x in enumerate(self._terminals)}
        n, v = len(nt), len(tm)
        binary = np.full((n, n, n), len(self._rules), dtype=np.int64)
        lexical = np.full((n, v), len(self._rules), dtype=np.int64)
        for i, r in enumerate(self._rules):
            if len(r.rhs) == 2:
                binary[nt[r.lhs], nt[r.rhs[0]], nt[r.rhs[1]]] = i
            else:
                lexical[nt[r.lhs], tm[r.rhs[0]]] = i
        # One gather from the stacked weights, a zero appended for absent rules.
        table = stack(S, [r.weight for r in self._rules] + [S.zeros(())])
        xp = np if S.host else jnp
        return CNFTensors(
            carrier.index(table, xp.asarray(binary)),
            carrier.index(table, xp.asarray(lexical)),
            nt[self._start],
        )


def require_cnf(grammar: Any, what: str) -> WCFG:
    """``grammar`` if it is a WCFG in Chomsky normal form, else a typed error."""
    if not isinstance(grammar, WCFG):
        raise ArgumentTypeError(f"{what}: expected a WCFG, got {type(grammar).__name__}")
    if not grammar.is_cnf():
        bad = next(
            r
            for r in grammar.rules
            if not (
                (len(r.rhs) == 2 and all(x in grammar.nonterminals for x in r.rhs))
                or (len(r.rhs) == 1 and r.rhs[0] in grammar.terminals)
            )
        )
        raise ArgumentValueError(
            f"{what}: the grammar is not in Chomsky normal form (rule {bad.text()}); "
            "call grammar.to_cnf() first"
        )
    return grammar


def _number(field: str) -> int | float | None:
    try:
        return int(field)
    except ValueError:
        pass
    try:
        value = float(field)
    except ValueError:
        return None
    return value


def _format(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.6g}"
    return str(value)


# -- the CNF steps ---------------------------------------------------------------------


def _separate_terminals(g: WCFG, fresh: Fresh) -> list[tuple[str, tuple[str, ...], Array]]:
    """Terminals inside rules of length ≥ 2 become preterminals ``<a> → a`` (weight one)."""
    S = g.semiring
    terminals = set(g.terminals)
    pre: dict[str, str] = {}
    out = []
    for r in g.rules:
        rhs = r.rhs
        if len(rhs) >= 2:
            rhs = tuple(pre.setdefault(x, fresh(f"<{x}>")) if x in terminals else x for x in rhs)
        out.append((r.lhs, rhs, r.weight))
    out += [(p, (a,), S.ones(())) for a, p in pre.items()]
    return out


def _binarise(S: Semiring, rules: list, fresh: Fresh) -> list:
    """``A → X1 X2 … Xn`` becomes ``A → X1 <X2|…|Xn>``, ``<X2|…|Xn> → X2 <X3|…|Xn>``, …"""
    names: dict[tuple[str, ...], str] = {}
    helpers: dict[str, tuple[str, ...]] = {}

    def suffix(xs: tuple[str, ...]) -> str:
        if xs not in names:
            names[xs] = fresh("<" + "|".join(xs) + ">")
            helpers[names[xs]] = (xs[0], suffix(xs[1:])) if len(xs) > 2 else xs
        return names[xs]

    out = []
    for lhs, rhs, w in rules:
        if len(rhs) > 2:
            rhs = (rhs[0], suffix(rhs[1:]))
        out.append((lhs, rhs, w))
    # Each helper once (merging two copies would double its weight one).
    out += [(name, rhs, S.ones(())) for name, rhs in helpers.items()]
    return out


def _remove_epsilon(g: WCFG) -> list:
    """Drop ε-rules; each nullable child may be dropped, weighing its ε-weight."""
    from catlearn.structured.allsum import allsums

    S = g.semiring
    nts = set(g.nonterminals)
    nullable = [r for r in g.rules if all(x in nts for x in r.rhs)]
    if not any(len(r.rhs) == 0 for r in nullable):
        return list(g.rules)
    try:
        empty = allsums(g._rebuilt(nullable))
    except CatlearnError as error:
        raise type(error)(
            f"to_cnf: the ε-weights (weights of deriving the empty string): {error}"
        ) from None
    e = {x: w for x, w in empty.items() if not is_zero(S, w)}
    out = []
    for r in g.rules:
        if len(r.rhs) == 0:
            continue
        out.append((r.lhs, r.rhs, r.weight))
        if len(r.rhs) == 2:
            b, c = r.rhs
            if c in e:
                out.append((r.lhs, (b,), S.mul(r.weight, e[c])))
            if b in e:
                out.append((r.lhs, (c,), S.mul(r.weight, e[b])))
    return out


def unary_cycle(edges: dict[str, set[str]]) -> str | None:
    """A node on a cycle of the graph ``edges`` (node → successors), or None."""
    state: dict[str, int] = {}
    for root in edges:
        if root in state:
            continue
        stack_ = [(root, iter(edges.get(root, ())))]
        state[root] = 1
        while stack_:
            node, it = stack_[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack_.pop()
            elif state.get(nxt) == 1:
                return nxt
            elif nxt not in state:
                state[nxt] = 1
                stack_.append((nxt, iter(edges.get(nxt, ()))))
    return None


def _remove_unary(g: WCFG) -> list:
    """Fold unary chains ``A →* B`` (weight U*[A, B]) into B's other rules."""
    S = g.semiring
    nts = g.nonterminals
    index = {x: i for i, x in enumerate(nts)}
    unary = [r for r in g.rules if len(r.rhs) == 1 and r.rhs[0] in index]
    if not unary:
        return list(g.rules)
    n = len(nts)
    edges: dict[str, set[str]] = defaultdict(set)
    for r in unary:
        edges[r.lhs].add(r.rhs[0])
    U = matrix(S, n, [(index[r.lhs], index[r.rhs[0]], r.weight) for r in unary])
    cyclic = unary_cycle(edges)
    if cyclic is not None:
        if not S.has_star:
            raise NotClosedError(
                f"to_cnf: the unary rules form a cycle through {cyclic!r} (after ε-removal), "
                f"and {S!r} has no star to sum its repetitions"
            )
        star = closure(S, U)
    else:
        star = nilpotent_star(S, U)
    out = []
    rest = [r for r in g.rules if not (len(r.rhs) == 1 and r.rhs[0] in index)]
    by_lhs = defaultdict(list)
    for r in rest:
        by_lhs[r.lhs].append(r)
    for a in nts:
        for b in nts:
            w = carrier.index(star, (index[a], index[b]))
            if is_zero(S, w):
                continue
            for r in by_lhs[b]:
                out.append((a, r.rhs, S.mul(w, r.weight)))
    return out


def matrix(S: Semiring, n: int, entries: list[tuple[int, int, Array]]) -> Array:
    """An n×n element matrix with the given entries (⊕-merged), zero elsewhere."""
    cells: dict[tuple[int, int], Array] = {}
    for i, j, w in entries:
        cells[(i, j)] = S.add(cells[(i, j)], w) if (i, j) in cells else w
    order = list(cells)
    where = np.full((n, n), len(order), dtype=np.int64)
    for k, (i, j) in enumerate(order):
        where[i, j] = k
    table = stack(S, [cells[c] for c in order] + [S.zeros(())])
    return carrier.index(table, where if S.host else jnp.asarray(where))


def nilpotent_star(S: Semiring, U: Array) -> Array:
    """I ⊕ U ⊕ U² ⊕ … for an acyclic (nilpotent) U: a finite sum in any semiring."""
    n = S.index_shape(U)[0]
    total = S.eye(n)
    power = S.eye(n)
    for _ in range(n):
        power = S.matmul(carrier.expand(S, power, 0), carrier.expand(S, U, 0))
        power = carrier.index(power, 0)
        total = S.add(total, power)
    return total
