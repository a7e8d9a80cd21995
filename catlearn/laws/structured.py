"""Law suite for a distribution over structures (``catlearn.structured``).

``structured(family, shape)`` draws small random log-potentials of ``shape``
(some entries −∞ when ``forbid`` > 0) and lengths, builds
``family(theta, lengths)`` and checks every query against brute force:

* **partition**: log Z is the log-sum-exp of the enumerated scores;
* **marginals**: ∂ log Z/∂θ is Σ_y p(y)·y over the enumeration;
* **exactly_one**: the program's ``exactly_one`` masks (parts of which every
  structure has exactly one: a tag pair per edge, a head per word) hold on
  the enumeration, and **marginals_sum_to_one** over each of them;
* **argmax**: ``max`` is the best enumerated score and ``argmax`` a structure
  that has it;
* **kbest**: TopK's first score is MaxPlus's, and its k scores are the k best
  enumerated ones;
* **count**: Counting gives the number of allowed structures, exactly;
* **entropy**: −Σ p log p over the enumeration;
* **boolean_of_count** and **viterbi_of_max**: partition commutes with the
  homomorphisms Counting → Boolean and MaxPlus → Viterbi (exp);
* **twin** (with ``twin=``): another way of computing the same family (the
  chain's tree product) gives the same log Z and marginals.

Oracle: the program's ``structures`` enumeration, written from the
family's definition and sharing no code with its inside algorithm; the
scores, log Z, marginals, entropy and counts are computed here from it, in
float64. What it shares with the implementation is the program object
itself (``structures`` and the ``exactly_one`` masks): the family's
declaration of what a structure is, so a program whose enumeration and
inside algorithm are wrong *in the same way* defines another family and
passes. ``exactly_one`` masks are checked against the enumeration, never
trusted. Laws for a semiring the family refuses
(MaxPlus, TopK over non-projective trees: no determinant) are declared
inapplicable with its reason::

    >>> from catlearn.structured import LinearChainCRF
    >>> structured(LinearChainCRF, (2, 4, 3, 3)).check(max_examples=2)

``grammars(g1, g2, max_length)`` is the law of grammar transforms (CNF, the
left-corner transform): both grammars give every string the same stringsum,
on strings drawn from their terminals (shrunk to the shortest that differs;
``catlearn.structured.same_stringsums`` checks every string exhaustively).
It is an equation, not an oracle: both sides go through ``to_cnf`` and
CKY (``stringsum``), so a CNF conversion that erased exactly the
difference between the grammars would hide it (``to_cnf`` and
``stringsum`` have tests of their own)::

    >>> from catlearn.structured import WCFG, left_corner
    >>> g = WCFG.from_text("S -> S a 0.3\\nS -> b 0.5")
    >>> grammars(g, left_corner(g), max_length=4).check(max_examples=5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.laws import arguments
from catlearn.laws.equality import equality
from catlearn.laws.law import Law, LawSuite

ENUMERATION_MAX = 4096  # structures per item the oracle lists


def structured(
    family: Callable[..., Any],
    shape: tuple[int, ...],
    *,
    lengths: st.SearchStrategy | None = None,
    forbid: float = 0.2,
    k: int = 3,
    twin: Callable[..., Any] | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-4,
) -> LawSuite:
    """The laws of the structured distributions ``family(theta, lengths)`` on potentials
    of ``shape`` (batch first). ``lengths`` draws lengths (default: each item's in the
    program's range); ``forbid`` is the share of parts drawn −∞."""
    from catlearn.semirings import Boolean, Counting, MaxPlus, Viterbi
    from catlearn.structured import StructuredDistribution

    arguments.function(family, "laws.structured(family)", "(theta, lengths) → distribution")
    if twin is not None:
        arguments.function(twin, "laws.structured(twin)", "(theta, lengths) → distribution")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 1 for n in shape):
        raise ArgumentTypeError(
            f"laws.structured(shape): expected a tuple of sizes ≥ 1, got {shape!r}"
        )
    if not (isinstance(forbid, (int, float)) and 0 <= forbid < 1):
        raise ArgumentValueError(
            f"laws.structured(forbid): expected a share in [0, 1), got {forbid!r}"
        )
    rtol = arguments.tolerance(rtol, "laws.structured(rtol)")
    atol = arguments.tolerance(atol, "laws.structured(atol)")
    probe = family(jnp.zeros(shape), None)
    if not isinstance(probe, StructuredDistribution):
        raise ArgumentTypeError(
            f"laws.structured(family): expected a StructuredDistribution, got "
            f"{type(probe).__name__}"
        )
    program, event = probe.program, shape[1:]
    full = np.asarray(probe.lengths)
    most = int(np.max(full))
    size = max(int(c) for c in probe.count())  # exact, on the host: cheap at any size
    if size > ENUMERATION_MAX:
        raise ArgumentValueError(
            f"laws.structured(shape): {size} structures per item at full length; the "
            f"oracle enumerates them: choose a shape with at most {ENUMERATION_MAX}"
        )
    if lengths is None:
        lengths = st.lists(
            st.integers(program.least_length(), most), min_size=shape[0], max_size=shape[0]
        )
    arguments.strategy(lengths, "laws.structured(lengths)")
    name = f"structured[{type(probe).__name__}]"
    equal = equality(rtol, atol)
    draws = (st.integers(0, 2**32 - 1), lengths)

    def instance(seed: int, L: Any) -> tuple[Any, np.ndarray, list[dict]]:
        rng = np.random.default_rng(seed)
        theta = rng.standard_normal(shape).astype(np.float32)
        theta[rng.random(shape) < forbid] = -np.inf
        return family(jnp.asarray(theta), jnp.asarray(L)), theta, _enumerate(program, theta, L)

    def partition(seed: int, L: Any) -> tuple:
        d, _, items = instance(seed, L)
        return np.asarray(d.log_partition), np.array([i["logz"] for i in items])

    def marginals(seed: int, L: Any) -> tuple:
        d, _, items = instance(seed, L)
        return np.asarray(d.marginals), np.stack([i["mu"] for i in items])

    def exactly_one(seed: int, L: Any) -> tuple:
        _, _, items = instance(seed, L)
        counts = [np.einsum("sp,mp->sm", i["flat"], i["masks"]) for i in items]
        return [np.all(c == 1) for c in counts], [True] * len(items)

    def sum_to_one(seed: int, L: Any) -> tuple:
        d, _, items = instance(seed, L)
        mu = np.asarray(d.marginals, dtype=np.float64).reshape(len(items), -1)
        sums = [i["masks"] @ m if np.isfinite(i["logz"]) else np.ones(len(i["masks"]))
                for i, m in zip(items, mu)]  # fmt: skip
        return np.concatenate(sums), np.ones(sum(len(s) for s in sums))

    def argmax(seed: int, L: Any) -> tuple:
        d, theta, items = instance(seed, L)
        y = np.asarray(d.argmax, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            scored = np.where(y > 0, theta, 0.0).reshape(len(items), -1).sum(1)
        # the argmax must be a structure of the family, scoring the best score
        member = [bool((i["flat"] == yi.reshape(-1)).all(1).any()) or not np.isfinite(i["best"])
                  for i, yi in zip(items, y)]  # fmt: skip
        best = np.array([i["best"] for i in items])
        live = np.isfinite(best)
        return (np.asarray(d.max), scored[live], member), (best, best[live], [True] * len(items))

    def kbest(seed: int, L: Any) -> tuple:
        d, theta, items = instance(seed, L)
        scores, ys = (np.asarray(x, dtype=np.float64) for x in d.kbest(k))
        top = np.stack([i["top"][:k] for i in items], axis=1)
        best = np.asarray(d.partition(MaxPlus()))
        # each of the k structures scores its score (the missing ones are all zero)
        with np.errstate(invalid="ignore"):
            scored = np.where(ys > 0, theta, 0.0).reshape(k, len(items), -1).sum(-1)
        present = np.isfinite(scores)
        return (scores, scores[0], scored[present]), (top, best, scores[present])

    def count(seed: int, L: Any) -> tuple:
        d, _, items = instance(seed, L)
        return [int(c) for c in d.count()], [i["count"] for i in items]

    def entropy(seed: int, L: Any) -> tuple:
        d, _, items = instance(seed, L)
        live = np.array([np.isfinite(i["logz"]) for i in items])
        return np.asarray(d.entropy)[live], np.array([i["entropy"] for i in items])[live]

    def boolean_of_count(seed: int, L: Any) -> tuple:
        d, _, _ = instance(seed, L)
        some = np.array([c > 0 for c in d.partition(Counting())])
        return np.asarray(d.partition(Boolean())), some

    def viterbi_of_max(seed: int, L: Any) -> tuple:
        d, _, _ = instance(seed, L)
        return np.asarray(d.partition(Viterbi())), np.exp(np.asarray(d.partition(MaxPlus())))

    def same_as_twin(seed: int, L: Any) -> tuple:
        d, theta, _ = instance(seed, L)
        e = twin(jnp.asarray(theta), jnp.asarray(L))
        return (np.asarray(e.log_partition), np.asarray(e.marginals)), (
            np.asarray(d.log_partition), np.asarray(d.marginals))  # fmt: skip

    laws = [
        Law(name, "partition", "log Z = log Σ_y exp score(y)", draws, partition, equal),
        Law(name, "marginals", "∂ log Z/∂θ = Σ_y p(y)·y", draws, marginals, equal),
        Law(name, "exactly_one", "every structure has one part in each exactly_one mask",
            draws, exactly_one),
        Law(name, "marginals_sum_to_one", "Σ_{part ∈ mask} p(part) = 1", draws, sum_to_one,
            equal),
        Law(name, "argmax", "max = max_y score(y), argmax ∈ structures scoring it", draws,
            argmax, equal),
        Law(name, "kbest", f"TopK({k}) = the {k} best scores, its first = MaxPlus, each "
            "structure scoring its score", draws,
            kbest, equal),
        Law(name, "count", "Counting = #{y allowed}, exact", draws, count),
        Law(name, "entropy", "H = −Σ_y p(y) log p(y)", draws, entropy, equal),
        Law(name, "boolean_of_count", "Boolean sum = (Counting sum > 0)", draws, boolean_of_count),
        Law(name, "viterbi_of_max", "Viterbi sum = exp(MaxPlus sum)", draws, viterbi_of_max,
            equal),
    ]  # fmt: skip
    if twin is not None:
        laws.append(Law(name, "twin", "twin's log Z and marginals = family's", draws,
                        same_as_twin, equal))  # fmt: skip
    suite = LawSuite(name, tuple(laws))
    if not len(program.exactly_one(event, full[0].tolist())):
        reason = f"{type(program).__name__} declares no exactly_one masks"
        suite = suite.inapplicable("exactly_one", reason)
        suite = suite.inapplicable("marginals_sum_to_one", reason)
    for law, query in (("kbest", lambda: probe.kbest(k)),
                       ("viterbi_of_max", lambda: probe.partition(MaxPlus())),
                       ("boolean_of_count", lambda: probe.partition(Boolean()))):  # fmt: skip
        try:
            query()
        except ArgumentTypeError as refusal:  # a semiring the family refuses, and says why
            suite = suite.inapplicable(law, str(refusal))
    return suite


def _enumerate(program: Any, theta: np.ndarray, lengths: Any) -> list[dict]:
    """Per item, from the brute-force list of structures: float64 log Z, marginals,
    entropy, best and sorted scores, count, and the exactly_one masks."""
    out = []
    for t, L in zip(theta.astype(np.float64), np.asarray(lengths).tolist()):
        ys = program.structures(t.shape, L)
        flat = ys.reshape(len(ys), -1)
        with np.errstate(invalid="ignore"):
            scores = np.where(flat > 0, t.reshape(-1), 0.0).sum(1)
        allowed = np.isfinite(scores)
        best = scores[allowed].max(initial=-np.inf)
        logz, p = -np.inf, np.zeros_like(scores)
        if allowed.any():
            logz = best + np.log(np.exp(scores[allowed] - best).sum())
            p = np.where(allowed, np.exp(scores - logz), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.sum(np.where(p > 0, p * np.log(p), 0.0))
        masks = np.asarray(program.exactly_one(t.shape, L), dtype=np.float64)
        out.append(dict(
            flat=flat, logz=logz, best=best, count=int(allowed.sum()), entropy=entropy,
            mu=(p @ flat).reshape(t.shape), top=np.sort(scores)[::-1].copy(),
            masks=masks.reshape(len(masks), -1) if len(masks) else np.zeros((0, flat.shape[1])),
        ))  # fmt: skip
    for item in out:  # fewer than k structures: TopK pads with −∞
        item["top"] = np.concatenate([item["top"], np.full(64, -np.inf)])
    return out


def grammars(
    g1: Any,
    g2: Any,
    max_length: int,
    semiring: Any = None,
    *,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> LawSuite:
    """The law that grammars ``g1`` and ``g2`` have the same weighted language: equal
    stringsums (read in ``semiring``, default each grammar's own) on strings of at most
    ``max_length`` terminals of either."""
    from catlearn.structured import WCFG, stringsum

    for what, g in (("g1", g1), ("g2", g2)):
        if not isinstance(g, WCFG):
            raise ArgumentTypeError(f"laws.grammars({what}): expected a WCFG, got {g!r:.40}")
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0:
        raise ArgumentValueError(
            f"laws.grammars(max_length): expected an integer ≥ 0, got {max_length!r}"
        )
    if semiring is not None:
        g1, g2 = g1.over(semiring), g2.over(semiring)
    elif g1.semiring != g2.semiring:
        raise ArgumentTypeError(
            f"laws.grammars: g1 is over {g1.semiring!r} and g2 over {g2.semiring!r}; "
            "pass semiring= to read both in one"
        )
    alphabet = sorted(set(g1.terminals) | set(g2.terminals))
    cnf = [WCFG(g.to_cnf().rules, g.start, g.semiring, terminals=alphabet) for g in (g1, g2)]
    words = st.lists(st.sampled_from(alphabet or [""]), max_size=max_length if alphabet else 0)

    def sides(string: list[str]) -> tuple:
        if not string:
            return g1.empty_weight(), g2.empty_weight()
        return stringsum(cnf[0], string), stringsum(cnf[1], string)

    name = f"grammars[{g1.start}]"
    law = Law(name, "same_stringsums", "stringsum(g1, w) = stringsum(g2, w)", (words,), sides,
              equality(rtol, atol))  # fmt: skip
    return LawSuite(name, (law,))
