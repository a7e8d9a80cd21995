"""Weighted grammars: the WCFG type, CNF conversion, CKY stringsums, parses and the
SentCFG tensor form, each against brute-force sums over derivations or trees."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from catlearn.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    DivergenceError,
    NonCommutativeError,
    NotClosedError,
    ShapeError,
)
from catlearn.semirings import Boolean, Counting, Expectation, Log, Real, TopK
from catlearn.structured.cky import (
    CFG,
    cfg_partition,
    kbest_parses,
    parse,
    stringsum,
    tree_weight,
)
from catlearn.structured.grammar import WCFG
from catlearn.structured.potentials import FirstMaxPlus

# Left recursion, a terminal inside a long rule, a rule of length 3, ε, and unary rules
# that become a unary cycle A → B → A once ε is removed (Real's star sums it).
MIXED = """
S -> A B 0.5
S -> S A 0.2
S -> a S b 0.1
S -> A 0.1
A -> a 0.6
A -> B B B 0.2
A -> 0.2
B -> b 0.9
B -> A 0.05
"""

# Finitely many derivations per string (Counting is exact), with ε and unary rules.
FINITE = """
S -> A S b 1
S -> A b 2
S -> C 1
C -> a a 1
C -> A A b 1
A -> a 1
A -> 1
"""


def oracle(g, max_len, height, plus=lambda a, b: a + b, times=lambda a, b: a * b):
    """{string: ⊕ over derivations of height ≤ ``height``} from the start, strings up to
    ``max_len``: the grammar's own equations iterated on truncated languages (no CNF)."""
    nts = set(g.nonterminals)
    lang = {x: {} for x in nts}
    for _ in range(height):
        new = {x: {} for x in nts}
        for r in g.rules:
            acc = {(): _number(r.weight)}
            for sym in r.rhs:
                part = lang[sym] if sym in nts else {(sym,): None}
                nxt = {}
                for s1, w1 in acc.items():
                    for s2, w2 in part.items():
                        s = s1 + s2
                        if len(s) <= max_len:
                            w = w1 if w2 is None else times(w1, w2)
                            nxt[s] = plus(nxt[s], w) if s in nxt else w
                acc = nxt
            for s, w in acc.items():
                new[r.lhs][s] = plus(new[r.lhs][s], w) if s in new[r.lhs] else w
        lang = new
    return lang[g.start]


def _number(w):
    x = np.asarray(w)
    return x.item() if x.dtype == object else float(x)


def strings(alphabet, lengths):
    return [s for n in lengths for s in itertools.product(alphabet, repeat=n)]


def values(v):
    return [_number(x) for x in np.asarray(v).ravel()]


# -- the WCFG type -----------------------------------------------------------------------


def test_from_text_merges_duplicates_drops_zeros_and_infers_symbols():
    g = WCFG.from_text(
        """
        # a comment
        S -> NP VP 0.5
        S -> NP VP 0.25   # merged by ⊕
        NP -> she
        VP -> runs 0.0
        VP -> ε 0.5
        """
    )
    assert g.start == "S" and g.nonterminals == ("S", "NP", "VP")
    assert g.terminals == ("she", "runs")
    assert [(r.lhs, r.rhs, float(r.weight)) for r in g.rules] == [
        ("S", ("NP", "VP"), 0.75),
        ("NP", ("she",), 1.0),
        ("VP", (), 0.5),
    ]
    assert float(g.weight("S", "NP VP")) == 0.75 and float(g.weight("VP", ["runs"])) == 0.0
    assert str(g).splitlines()[0] == "S -> NP VP 0.75" and "VP -> ε 0.5" in str(g)
    assert len(g) == 3 and "3 rules" in repr(g)


@pytest.mark.parametrize(
    "build, error, words",
    [
        (lambda: WCFG([("S", "a", 0.5)], "S", Counting()), ArgumentValueError, "rule 0"),
        (lambda: WCFG([("S", "a", "x")], "S", Real()), ArgumentTypeError, "rule 0"),
        (lambda: WCFG([("S", "a", float("nan"))], "S", Real()), ArgumentValueError, "NaN"),
        (lambda: WCFG([("S", "a", [1.0, 2.0])], "S", Real()), ArgumentValueError, "one element"),
        (
            lambda: WCFG([("S", "a b", 1.0)], "S", Real(), terminals=["a"]),
            ArgumentValueError,
            "unknown symbol 'b'",
        ),
        (
            lambda: WCFG([("a", "S", 1.0), ("S", "a", 1.0)], "S", Real(), terminals=["a"]),
            ArgumentValueError,
            "terminal 'a' on its left-hand side",
        ),
        (
            lambda: WCFG([("S", "a", 1.0)], "a", Real(), terminals=["a"]),
            ArgumentValueError,
            "start symbol 'a' is a terminal",
        ),
        (lambda: WCFG([("S", ("a", 3), 1.0)], "S", Real()), ArgumentTypeError, "a symbol is a str"),
        (lambda: WCFG([("S", ("a b",), 1.0)], "S", Real()), ArgumentValueError, "without spaces"),
        (lambda: WCFG([("S", "a")], "S", Real()), ArgumentTypeError, "triple"),
        (lambda: WCFG("S -> a", "S", Real()), ArgumentTypeError, "from_text"),
        (lambda: WCFG([("S", "a", 1.0)], "S", Real), ArgumentTypeError, "Real()"),
        (lambda: WCFG.from_text("S a 0.5"), ArgumentValueError, "line 1"),
        (lambda: WCFG.from_text("S T -> a"), ArgumentValueError, "more than one symbol"),
        (lambda: WCFG.from_text(""), ArgumentValueError, "no rules"),
    ],
)
def test_bad_grammars_are_refused_naming_the_rule(build, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        build()


def test_over_reads_weights_in_another_semiring():
    g = WCFG.from_text("S -> S S 0.5\nS -> a 0.5")
    assert float(g.over(Log()).weight("S", "a")) == pytest.approx(np.log(0.5))
    assert g.over(Counting()).weight("S", "a").item() == 1
    assert g.over(TopK(2)).weight("S", "a").tolist() == pytest.approx([np.log(0.5), -np.inf])
    with pytest.raises(ArgumentTypeError, match="use grammar.map"):
        g.over(Expectation)
    with pytest.raises(ArgumentValueError, match="negative weight"):
        WCFG.from_text("S -> a -0.5").over(Log())
    e = g.map(lambda w: (w, w), Expectation)
    assert [float(x) for x in e.weight("S", "a")] == [0.5, 0.5]


# -- Chomsky normal form ------------------------------------------------------------------


def test_to_cnf_keeps_every_stringsum_in_real():
    g = WCFG.from_text(MIXED)
    cnf = g.to_cnf()
    assert cnf.is_cnf() and not g.is_cnf() and cnf.terminals == g.terminals
    words = strings("ab", range(1, 5))
    truth = oracle(g, 4, 60)
    got = values(stringsum(cnf, [list(s) for s in words]))
    assert got == pytest.approx([truth.get(s, 0.0) for s in words], rel=1e-4, abs=1e-7)
    assert float(g.empty_weight()) == pytest.approx(truth[()], rel=1e-5)
    assert float(stringsum(cnf, [])) == 0.0  # CNF carries no ε


def test_to_cnf_counts_derivations_exactly():
    g = WCFG.from_text(FINITE, Counting())
    cnf = g.to_cnf()
    words = strings("ab", range(1, 6))
    truth = oracle(g, 5, 20)
    assert oracle(g, 5, 21) == truth  # the oracle has converged
    got = stringsum(cnf, [list(s) for s in words])
    assert [x for x in got.tolist()] == [truth.get(s, 0) for s in words]
    assert max(got.tolist()) > 1  # some string has several derivations
    assert g.empty_weight().item() == 0
    # Boolean: recognition.
    rec = stringsum(g.over(Boolean()).to_cnf(), [list(s) for s in words])
    assert np.asarray(rec).tolist() == [s in truth for s in words]


def test_to_cnf_refusals():
    cyclic = WCFG.from_text("S -> S 1\nS -> a 1", Counting())
    with pytest.raises(NotClosedError, match="unary rules form a cycle through 'S'"):
        cyclic.to_cnf()
    with pytest.raises(DivergenceError, match="diverges"):
        WCFG.from_text("S -> S 1.5\nS -> a 1").to_cnf()  # Σ 1.5ⁿ

    class Ordered(Real):
        commutative = False

    with pytest.raises(NonCommutativeError, match="commutative"):
        WCFG([("S", "a", 1.0)], "S", Ordered()).to_cnf()


# -- CKY -----------------------------------------------------------------------------------


def test_stringsum_batches_ids_and_semirings_agree():
    g = WCFG.from_text(MIXED).to_cnf()
    ids = np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]])
    lengths = np.array([3, 2, 0])
    real = values(stringsum(g, ids, lengths=lengths))
    truth = oracle(WCFG.from_text(MIXED), 3, 60)
    assert real[:2] == pytest.approx([truth[tuple("abb")], truth[tuple("aa")]], rel=1e-4)
    assert real[2] == 0.0
    log = np.asarray(stringsum(g, ids, Log(), lengths=lengths))
    assert np.exp(log) == pytest.approx(real, rel=1e-5)
    best = np.asarray(stringsum(g, ids, TopK(2), lengths=lengths))
    assert best.shape == (3, 2) and np.all(best[:2, 0] >= best[:2, 1])
    assert best[2].tolist() == [-np.inf, -np.inf]
    # One sentence, a list of them and ids agree (Counting: on the host, no compiling).
    c = g.over(Counting())
    one, batch = stringsum(c, ["a", "b", "b"]), stringsum(c, [["a", "b", "b"], ["a", "a"]])
    assert one.shape == () and [one.item()] + batch.tolist()[1:] == batch.tolist()
    assert batch.tolist() == stringsum(c, ids[:2], lengths=lengths[:2]).tolist()


def test_stringsum_refusals():
    g = WCFG.from_text(MIXED)
    with pytest.raises(ArgumentValueError, match=r"call grammar.to_cnf\(\)"):
        stringsum(g, ["a"])
    cnf = g.to_cnf()
    with pytest.raises(ArgumentValueError, match="'c' is not a terminal"):
        stringsum(cnf, ["a", "c"])
    with pytest.raises(ArgumentTypeError, match="got a str"):
        stringsum(cnf, "a b")
    with pytest.raises(ArgumentValueError, match=r"lengths\[0\] = 4"):
        stringsum(cnf, np.zeros((1, 3), int), lengths=np.array([4]))
    with pytest.raises(ArgumentValueError, match="not a terminal id"):
        stringsum(cnf, np.array([[0, 7]]))
    with pytest.raises(ShapeError, match="lengths"):
        stringsum(cnf, np.zeros((2, 3), int), lengths=np.array([1]))
    with pytest.raises(ArgumentTypeError, match="expected a WCFG"):
        stringsum("S -> a", ["a"])


def test_parse_and_kbest_match_enumerated_derivations():
    g = WCFG.from_text(
        """
        S -> S S 0.3
        S -> A B 0.4
        S -> a 0.3
        A -> a 0.7
        A -> S A 0.3
        B -> a 1.0
        """
    )
    words = ["a"] * 4
    weights = sorted(_derivation_weights(g, tuple(words)), reverse=True)
    (weight, tree), (one, leaf), (none, empty) = parse(g, [words, ["a"], []])
    assert float(weight) == pytest.approx(weights[0]) == pytest.approx(float(tree_weight(g, tree)))
    assert _leaves(tree) == words and leaf == ("S", "a") and float(one) == pytest.approx(0.3)
    assert empty is None and float(none) == 0.0  # the empty sentence has no parse
    best, few = kbest_parses(g, [words, ["a"]], 4)
    assert [float(w) for w, _ in best] == pytest.approx(weights[:4])
    assert len({repr(t) for _, t in best}) == 4  # four different trees
    assert all(float(w) == pytest.approx(float(tree_weight(g, t))) for w, t in best)
    assert [float(w) for w, _ in few] == pytest.approx([0.3])  # fewer derivations than asked
    with pytest.raises(ArgumentTypeError, match="ordered weights"):
        parse(g.map(lambda w: (w, w), Expectation), words)
    with pytest.raises(ArgumentTypeError, match="k: expected an integer"):
        kbest_parses(g, words, 1.5)


def _derivation_weights(g, words):
    """The weight of every derivation of ``words`` (CNF grammar), by enumeration."""
    nts = set(g.nonterminals)

    def derive(x, i, j):
        if x not in nts:
            return [1.0] if j - i == 1 and words[i] == x else []
        out = []
        for r in g.rules:
            if r.lhs != x:
                continue
            if len(r.rhs) == 1:
                out += [float(r.weight) * w for w in derive(r.rhs[0], i, j)]
            else:
                for k in range(i + 1, j):
                    for a in derive(r.rhs[0], i, k):
                        for b in derive(r.rhs[1], k, j):
                            out.append(float(r.weight) * a * b)
        return out

    return derive(g.start, 0, len(words))


def _leaves(tree):
    if isinstance(tree, str):
        return [tree]
    return [w for kid in tree[1:] for w in _leaves(kid)]


# -- the SentCFG tensor form ----------------------------------------------------------------


def _potentials(seed, B=2, N=4, NT=2, T=2, batched=True):
    rng = np.random.default_rng(seed)
    terms = rng.standard_normal((B, N, T))
    rules = rng.standard_normal(((B,) if batched else ()) + (NT, NT + T, NT + T))
    roots = rng.standard_normal(((B,) if batched else ()) + (NT,))
    return terms, rules, roots


def _score(p, y, b):
    t, r, o = p
    r = r[b] if r.ndim == 4 else r
    o = o[b] if o.ndim == 2 else o
    return (
        np.einsum("mnt,nt->m", y[0], t[b])
        + np.einsum("mabc,abc->m", y[1], r)
        + np.einsum("ma,a->m", y[2], o)
    )


@pytest.mark.parametrize("batched", [True, False])
def test_cfg_partition_and_marginals_match_enumerated_trees(batched):
    with jax.enable_x64(True):
        p = tuple(np.asarray(x, np.float64) for x in _potentials(0, batched=batched))
        lengths = np.array([4, 3])
        p = tuple(jnp.asarray(x) for x in p)

        def log_z(p):
            z = cfg_partition(*p, lengths=lengths)
            return jnp.sum(z), z

        grads, z = jax.grad(log_z, has_aux=True)(p)
        z, p = np.asarray(z), tuple(np.asarray(x) for x in p)
        for b, L in enumerate(lengths):
            y = CFG().structures((4, 2, 2), int(L))
            s = _score(p, y, b)
            assert z[b] == pytest.approx(np.logaddexp.reduce(s), rel=1e-10)
            w = np.exp(s - np.logaddexp.reduce(s))
            assert np.asarray(grads[0][b]) == pytest.approx(np.einsum("m,mnt->nt", w, y[0]))
            if batched:
                assert np.asarray(grads[1][b]) == pytest.approx(np.einsum("m,mabc->abc", w, y[1]))
        counts = cfg_partition(*p, lengths=lengths, semiring=Counting())
        assert counts.tolist() == [5 * 2**3 * 2**4, 2 * 2**2 * 2**3]  # brackets·NT^(L−1)·T^L
        if not batched:
            best = np.asarray(cfg_partition(*p, lengths=lengths, semiring=FirstMaxPlus()))
            assert best[1] == pytest.approx(_score(p, CFG().structures((4, 2, 2), 3), 1).max())


def test_cfg_jit_gradient_and_underflow_fallback():
    # Preterminal 1 is e^-120 times less likely than 0, below float32's range once
    # shifted, and every rule uses it: the fast path loses the whole sum.
    terms = jnp.array([[[0.0, -120.0], [0.0, -120.0], [0.0, -120.0]]])
    rules = jnp.full((1, 3, 3), -jnp.inf).at[0, 2, 2].set(0.0).at[0, 0, 2].set(-1.0)
    roots = jnp.zeros(1)
    lengths = jnp.array([3])
    expected = -1.0 - 3 * 120.0  # one tree: A → A t1 over A → t1 t1
    f = jax.jit(jax.value_and_grad(lambda t: CFG().sum((t, rules, roots), Log(), lengths)[0]))
    z, g = f(terms)
    assert float(z) == pytest.approx(expected, rel=1e-6)
    assert np.asarray(g)[0, :, 1] == pytest.approx([1.0, 1.0, 1.0])  # each word is t1
    assert np.all(np.isfinite(np.asarray(g)))


def test_cfg_refusals():
    t, r, o = _potentials(1)
    with pytest.raises(ArgumentTypeError, match="triple"):
        CFG().check(t)
    with pytest.raises(ShapeError, match="S = NT"):
        CFG().check((t, r[:, :, :3, :3], o))
    with pytest.raises(ShapeError, match="roots"):
        CFG().check((t, r, o[:, :1]))
    with pytest.raises(ShapeError, match="terms"):
        CFG().check((t[0], r, o))
    with pytest.raises(ArgumentValueError, match="outside 2..4"):
        CFG().check((t, r, o), np.array([1, 4]))
    with pytest.raises(ArgumentTypeError, match="real scores"):
        CFG().check((t, r.astype(bool), o))
