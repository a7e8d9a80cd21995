"""Hostile and edge-case input to the circuits layer: the exact answer, or a typed error
that names the culprit — never a silent wrong answer, never a crash deep in numpy/JAX.

Right answers are checked independently: counts and weighted counts by enumerating every
assignment with a small evaluator written here (exact fractions), not by another query.
"""

import io
import itertools
import json
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catlearn import circuits
from catlearn.circuits import (
    Circuit,
    CircuitBuilder,
    CircuitError,
    NNFError,
    TensorizedPC,
    exactly_k_of_n,
    parity,
    product,
    random_binary_tree,
    read_nnf,
)
from catlearn.circuits.weights import read_weights
from catlearn.errors import ArgumentTypeError, ArgumentValueError
from catlearn.semirings import Log, Real

# -- an independent oracle ----------------------------------------------------------------


def evaluate(c: Circuit, x: tuple, weights: dict | None = None, node: int | None = None):
    """The value of the circuit's (first) root, or of ``node``, on assignment x (x[v - 1] is
    variable v's state), in exact fractions: leaves weigh ``weights[±v]`` (default 1)."""
    w = {} if weights is None else weights
    val: list = []
    for i in range(c.n_nodes):
        k = int(c.kind[i])
        if k == 0:
            v, s = int(c.var[i]), int(c.state[i])
            lit = v if s else -v
            val.append(Fraction(w.get(lit, 1)) if x[v - 1] == s else Fraction(0))
        elif k == 1:
            val.append(Fraction(int(c.state[i])))
        else:
            lo, hi = int(c.child_offsets[i]), int(c.child_offsets[i + 1])
            kids = [val[int(c.children[e])] for e in range(lo, hi)]
            if k == 2:
                ew = c.edge_weights()[lo:hi]
                val.append(sum((Fraction(float(a)) * b for a, b in zip(ew, kids)), Fraction(0)))
            else:
                val.append(np.prod(kids) if kids else Fraction(1))
    return val[int(c.roots[0]) if node is None else node]


def brute_count(c: Circuit) -> int:
    return sum(evaluate(c, x) != 0 for x in itertools.product((0, 1), repeat=c.n_vars))


def brute_wmc(c: Circuit, weights: dict) -> Fraction:
    return sum(
        (evaluate(c, x, weights) for x in itertools.product((0, 1), repeat=c.n_vars)),
        Fraction(0),
    )


def xor() -> Circuit:
    b = CircuitBuilder()
    x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    return b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)])


def coin() -> Circuit:
    b = CircuitBuilder()
    return b.build([b.sum([b.literal(1), b.literal(1, False)], [0.25, 0.75], decision=1)])


def heavy() -> Circuit:
    b = CircuitBuilder()
    return b.build([b.sum([b.literal(1), b.literal(1, False)], [2.0, 3.0], decision=1)])


PC = TensorizedPC(random_binary_tree(2), units=2)


# -- 1. claims are verified: decisions, header counts, declared variables -------------------

LYING_NNF = [
    # x1 ∨ x2 claiming to decide x1: 3 models, not 4
    ("nnf 3 2 2\nL 1\nL 2\nO 1 2 0 1\n", 4, "child 1 \\(line 3\\) does not fix variable 1"),
    # both children fix x1 = 1: x1 counted twice
    ("nnf 4 4 2\nL 1\nL 2\nA 2 0 1\nO 1 2 0 2\n", 5, "fix it to the same state"),
    # x1 x2 ∨ ¬x1 claimed to decide x2: ¬x1 leaves x2 open
    ("nnf 5 4 2\nL 1\nL 2\nA 2 0 1\nL -1\nO 2 2 2 3\n", 6, "2, but its child 1 \\(line 5\\)"),
    # a three-way "decision" on a binary variable
    ("nnf 5 3 1\nL 1\nL -1\nL 1\nA 0\nO 1 3 0 1 2\n", 6, "same state"),
    # the claim's child is a disjunction that leaves x1 open
    ("nnf 6 6 2\nL 1\nL -1\nO 0 2 0 1\nL 2\nA 2 2 3\nO 1 2 4 0\n", 7, "child 0 \\(line 6\\)"),
]


@pytest.mark.parametrize("text, line, message", LYING_NNF)
def test_a_lying_nnf_decision_is_refused_naming_its_line(text, line, message):
    with pytest.raises(NNFError, match=f"line {line}: 'O .*{message}") as caught:
        read_nnf(io.StringIO(text))
    assert caught.value.line == line


VALID_DECISIONS = [
    # c2d's shape: each child a conjunction holding the literal
    ("nnf 7 6 3\nL 1\nL -2\nA 2 0 1\nL -1\nL 2\nA 2 3 4\nO 1 2 2 5\n", 4),
    # the literal nested two conjunctions deep, and a false branch
    ("nnf 7 6 2\nL 1\nL 2\nA 2 0 1\nA 1 2\nO 0 0\nL -1\nO 1 3 3 4 5\n", 3),
    # a child that is a disjunction whose every branch fixes x1
    ("nnf 8 8 2\nL 1\nL 2\nA 2 0 1\nL -2\nA 2 0 3\nO 0 2 2 4\nL -1\nO 1 2 5 6\n", 4),
    # a decision claim about no children is vacuous: O 1 0 is false
    ("nnf 2 0 1\nL 1\nO 1 0\n", 0),
]


@pytest.mark.parametrize("text, count", VALID_DECISIONS)
def test_decisions_in_forms_compilers_write_are_verified_and_counted_exactly(text, count):
    c = read_nnf(io.StringIO(text))
    assert c.model_count() == brute_count(c) == count


def test_builder_and_from_arrays_verify_claims_too():
    b = CircuitBuilder()
    x1, x2 = b.literal(1), b.literal(2)
    with pytest.raises(CircuitError, match="⊕ node 2 claims to decide variable 1"):
        b.build([b.sum([x1, x2], decision=1)])
    kind, offsets, kids = [0, 0, 2], [0, 0, 0, 2], [0, 1]
    with pytest.raises(CircuitError, match="its child 1 \\(node 1\\) does not fix variable 1"):
        Circuit.from_arrays(kind, offsets, kids, [1, 2, 0], [1, 1, 0], [2], [0, 2, 2],
                            decision=[0, 0, 1])  # fmt: skip


@pytest.mark.parametrize(
    "decision, message",
    [
        ([0, 0, 3], "node 2 claims to decide variable 3; variables are 1..2"),
        ([1, 0, 0], "only ⊕ nodes decide"),
        ([0, 0, -1], "node 2 claims to decide variable -1"),
    ],  # fmt: skip
)
def test_decision_flags_out_of_place_are_refused(decision, message):
    with pytest.raises(CircuitError, match=message):
        Circuit.from_arrays([0, 0, 2], [0, 0, 0, 2], [0, 1], [1, 1, 0], [1, 0, 0], [2],
                            [0, 2, 2], decision=decision)  # fmt: skip


def test_verified_claims_cannot_be_edited_afterwards():
    c = xor()
    with pytest.raises(ValueError, match="read-only"):
        c.decision[-1] = 2


def test_marginalizing_the_decided_variable_drops_the_claim():
    b = CircuitBuilder()
    x, nx, y = b.literal(1), b.literal(1, False), b.literal(2)
    c = b.build([b.sum([b.product([x, y]), b.product([nx, y])], decision=1)])
    m = c.marginalize([1])  # y ∨ y: no longer deterministic
    assert m.decision.max() == 0 and not m.is_deterministic()
    with pytest.raises(CircuitError, match="deterministic"):
        m.model_count()


HEADERS = [
    ("nnf 2 0 1\nL 1\n", "the file ends after 1 of 2 declared nodes"),
    ("nnf 1 0 1\nL 1\nL -1\n", "more nodes than the 1"),
    ("nnf 3 1 1\nL 1\nL -1\nO 0 2 0 1\n", "declares 1 edges but the nodes have 2"),
    ("nnf 3 5 1\nL 1\nL -1\nO 0 2 0 1\n", "declares 5 edges but the nodes have 2"),
    ("nnf 1 0 1\nL 2\n", "literal 2 names no variable of 1..1"),
    ("nnf 2 1 1\nL 1\nA 3 0\n", "the line says 3 children but lists 1"),
    ("nnf 2 1 1\nL 1\nO 2 1 0\n", "decision variable 2 is outside 0..1"),
]


@pytest.mark.parametrize("text, message", HEADERS)
def test_every_count_a_file_claims_is_checked(text, message):
    with pytest.raises(NNFError, match=message):
        read_nnf(io.StringIO(text))


def test_n_vars_below_a_used_variable_is_refused():
    b = CircuitBuilder()
    root = b.product([b.literal(1), b.literal(3)])
    with pytest.raises(CircuitError, match="n_vars = 2 but variable 3 is used"):
        b.build([root], n_vars=2)


@st.composite
def claimed_circuits(draw):
    """A random small circuit with a random decision claim on one ⊕ node: true or a lie."""
    b = CircuitBuilder()
    n = draw(st.integers(1, 3))
    nodes = [b.literal(v, s) for v in range(1, n + 1) for s in (True, False)]
    for _ in range(draw(st.integers(1, 5))):
        kids = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3))
        nodes.append(b.product(kids) if draw(st.booleans()) else b.sum(kids))
    kids = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3))
    v = draw(st.integers(1, n))
    root = b.sum(kids, decision=v)
    return b, root, n, v, kids


@given(claimed_circuits())
@settings(max_examples=60, deadline=None)
def test_a_claim_is_believed_only_when_it_holds(case):
    b, root, n, v, kids = case
    try:
        c = b.build([root], n_vars=n)
    except CircuitError as error:
        assert "claims to decide variable" in str(error)
        return
    # Accepted: every child fixes x_v, each to its own state (checked on every assignment).
    fixed = []
    for k in kids:
        xs = itertools.product((0, 1), repeat=n)
        states = {x[v - 1] for x in xs if evaluate(c, x, node=k)}
        assert len(states) <= 1, f"child {k} allows x{v} = {states}"
        fixed += list(states)
    assert len(fixed) == len(set(fixed))


# -- 2. evidence out of range --------------------------------------------------------------

BAD_STATES = [5, 2, -2, -7, 2**40]


@pytest.mark.parametrize("value", BAD_STATES)
def test_compiled_circuits_refuse_states_out_of_range(value):
    f = xor().compile(Real())
    ev = np.array([[0, 1], [1, value]])
    with pytest.raises(
        CircuitError, match=f"evidence\\[1, 1\\] = {value}: variable 2 has states 0..1"
    ):
        f(ev)


@pytest.mark.parametrize("value", BAD_STATES)
def test_sampling_and_em_and_gradients_refuse_states_out_of_range(value):
    c = coin()
    with pytest.raises(CircuitError, match=f"evidence\\[0\\] = {value}"):
        c.sample(3, evidence=[value])
    with pytest.raises(CircuitError, match=f"data\\[1, 0\\] = {value}"):
        circuits.em(c, [[1], [value]], steps=1)
    f = c.compile(Log())
    with pytest.raises(CircuitError, match=f"evidence\\[0, 0\\] = {value}"):
        f.literal_gradient(f.params(), [[value]])


@pytest.mark.parametrize("value", [3, -2])
def test_tensorized_pc_refuses_states_out_of_range(value):
    pc = TensorizedPC(random_binary_tree(2), units=2, states=3)
    x = np.array([[0, value]])
    with pytest.raises(CircuitError, match=f"x\\[0, 1\\] = {value}: variable 2 has states 0..2"):
        pc.log_likelihood(pc.init(jax.random.key(0)), x)


CONDITIONS = [
    ({1: 5}, CircuitError, "variable 1 = 5 is not a state"),
    ({1: -1}, CircuitError, "variable 1 = -1 is not a state"),
    ({1: 0.5}, CircuitError, "variable 1 = 0.5 is not a state"),
    ({1: 1.0}, CircuitError, "variable 1 = 1.0 is not a state"),
    ({1: True}, CircuitError, "variable 1 = True is not a state"),
    ({0: 1}, CircuitError, "0 is not a variable of 1..2"),
    ({-1: 0}, CircuitError, "-1 is not a variable"),
    ({3: 0}, CircuitError, "3 is not a variable of 1..2"),
    ({"1": 0}, CircuitError, "'1' is not a variable"),
    ({1.0: 0}, CircuitError, "1.0 is not a variable"),
    ([1, 0], ArgumentTypeError, "must be a dict"),
]


@pytest.mark.parametrize("evidence, error, message", CONDITIONS, ids=lambda x: repr(x)[:20])
def test_condition_names_the_bad_variable_or_state(evidence, error, message):
    with pytest.raises(error, match=message):
        xor().condition(evidence)


def test_condition_with_good_evidence_counts_exactly():
    c = xor()
    for x1 in (0, 1):
        cond = c.condition({1: x1})
        assert cond.model_count() == brute_count(cond) == 1


@pytest.mark.parametrize(
    "evidence, error, message",
    [
        (np.zeros((2, 3), int), CircuitError, "must be \\(batch, 2\\)"),
        (np.zeros(2, int), CircuitError, "got shape \\(2,\\)"),
        (np.zeros((1, 2), float), ArgumentTypeError, "integer states .* float64"),
        (np.array([["a", "b"]]), ArgumentTypeError, "dtype <U1"),
        ([[0, 1], [1]], CircuitError, "must be \\(batch, 2\\) integers"),
        (jnp.zeros((1, 3), jnp.int32), CircuitError, "got shape \\(1, 3\\)"),
        (jnp.zeros((1, 2), jnp.float32), ArgumentTypeError, "float32"),
    ],
    ids=["cols", "1d", "float", "str", "ragged", "device-cols", "device-float"],
)
def test_wrongly_shaped_or_typed_evidence_is_named(evidence, error, message):
    with pytest.raises(error, match=message):
        xor().compile(Real())(evidence)


def test_device_evidence_is_passed_through_unchecked_as_documented():
    # A jax.Array's values are not read (no device sync per call): an in-range one works.
    f = xor().compile(Real())
    out = f(jnp.asarray([[1, 0], [-1, -1]], jnp.int32))
    assert np.asarray(out).ravel().tolist() == [1.0, 2.0]


@st.composite
def bad_evidence(draw):
    """(batch, 3) evidence for binary variables with at least one entry outside -1..1."""
    rows = draw(st.integers(1, 4))
    ev = np.array(draw(st.lists(st.integers(-1, 1), min_size=3 * rows, max_size=3 * rows)))
    ev = ev.reshape(rows, 3)
    i, j = draw(st.integers(0, rows - 1)), draw(st.integers(0, 2))
    ev[i, j] = draw(st.one_of(st.integers(2, 10**6), st.integers(-(10**6), -2)))
    return ev


@given(bad_evidence())
@settings(max_examples=15, deadline=None)
def test_any_out_of_range_evidence_is_refused_before_evaluation(ev):
    c = exactly_k_of_n(3, 1)
    f = c.compile(Real())
    i, j = (int(k) for k in np.argwhere((ev < -1) | (ev > 1))[0])
    with pytest.raises(
        CircuitError, match=f"evidence\\[{i}, {j}\\] = {ev[i, j]}: variable {j + 1}"
    ):
        f(ev)


@pytest.mark.parametrize(
    "variables, error, message",
    [([0], CircuitError, "variable 0 is undeclared"), ([3], CircuitError, "variable 3"),
     ([1.5], ArgumentTypeError, "1.5 is not an integer"), ("1", ArgumentTypeError, "list of"),
     ([True], ArgumentTypeError, "True is not an integer"), (1, ArgumentTypeError, "list of")],
)  # fmt: skip
def test_marginal_map_and_marginalize_name_bad_variables(variables, error, message):
    with pytest.raises(error, match=message):
        xor().marginal_map(variables, {1: 0.5})
    with pytest.raises(error, match=message):
        xor().marginalize(variables)


# -- 3. the NNF reader: ASCII decimal integers, binary streams ------------------------------

NOT_ASCII_DECIMAL = [
    ("nnf 1 0 10\nL １\n", "non-ASCII character '１' at column 3"),
    ("nnf 1 0 10\nL ١\n", "non-ASCII character"),
    ("nnf 1 0 20\nL 1_0\n", "expected an integer, got '1_0'"),
    ("nnf 1 0 2\nL +1\n", "expected an integer, got '\\+1'"),
    ("nnf 1_0 0 1\nL 1\n", "line 1: expected an integer, got '1_0'"),
    ("nnf 2 1 1\nL 1\nA 1 0_0\n", "expected an integer, got '0_0'"),
    ("nnf 1 0 2\nL\x1c1\n", "control character '\\\\x1c' at column 2"),
    ("nnf 1 0 2\nL 1\x00\n", "control character '\\\\x00'"),
    ("c é\nnnf 1 0 1\nL 1\n", "line 1: non-ASCII"),
]


@pytest.mark.parametrize("text, message", NOT_ASCII_DECIMAL)
def test_numbers_are_ascii_decimal_only(text, message):
    with pytest.raises(NNFError, match=message):
        read_nnf(io.StringIO(text))


def test_binary_streams_are_read_as_ascii():
    c = read_nnf(io.BytesIO(b"nnf 7 6 3\nL 1\nL -2\nA 2 0 1\nL -1\nL 2\nA 2 3 4\nO 1 2 2 5\n"))
    assert c.model_count() == brute_count(c) == 4
    with pytest.raises(NNFError, match="line 3: not a text file \\(byte 0xff at column 3"):
        read_nnf(io.BytesIO(b"nnf 1 0 1\nc\nL \xff1\n"))


def test_a_decoding_text_stream_names_the_line_of_the_bad_byte():
    stream = io.TextIOWrapper(io.BytesIO(b"nnf 1 0 1\n" * 1 + b"L 1\xe9\n"), encoding="ascii")
    with pytest.raises(NNFError, match="not a text file"):
        read_nnf(stream)


def test_a_path_with_a_bad_byte_names_its_line(tmp_path):
    path = tmp_path / "bad.nnf"
    path.write_bytes(b"nnf 2 0 1\nL 1\nL -1\xc3\xa9\n")
    with pytest.raises(NNFError, match="bad.nnf: line 3: not a text file"):
        read_nnf(path)


@pytest.mark.parametrize("source", [5, None, ["nnf 1 0 1", "L 1"], b"nnf 1 0 1\nL 1\n"])
def test_read_nnf_names_a_source_it_cannot_read(source):
    with pytest.raises(ArgumentTypeError, match="read_nnf: source must be a path or a"):
        read_nnf(source)


# -- 4. weights -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["wmc_log", "mpe", "marginals", "entropy", "sample", "mmap"])
def test_negative_weights_are_refused_in_log_space_queries(query):
    run = {
        "wmc_log": lambda c, w: c.wmc(w, log=True),
        "mpe": lambda c, w: c.mpe(w),
        "marginals": lambda c, w: c.marginals(w),
        "entropy": lambda c, w: c.entropy(w),
        "sample": lambda c, w: c.sample(2, w),
        "mmap": lambda c, w: c.marginal_map([1], w),
    }[query]
    with pytest.raises(CircuitError, match="literal_weights\\[1\\] = -0.5: .*no logarithm"):
        run(xor(), {1: -0.5})
    with pytest.raises(CircuitError, match="literal_weights\\[0, 1\\] = -0.5 .*no logarithm"):
        run(xor(), np.array([[1.0, -0.5], [1.0, 1.0]]))


def test_signed_weights_are_exact_in_real_wmc():
    c = xor()
    for w in ({1: -0.5}, {1: -0.5, -2: -2.0, 2: 0.25}):
        want = brute_wmc(c, w)
        assert float(c.wmc(w)) == pytest.approx(float(want), rel=1e-6)


BAD_WEIGHTS = [float("nan"), float("inf"), -float("inf")]
QUERIES = {
    "wmc": lambda c, w: c.wmc(w),
    "wmc_log": lambda c, w: c.wmc(w, log=True),
    "mpe": lambda c, w: c.mpe(w),
    "marginals": lambda c, w: c.marginals(w),
    "entropy": lambda c, w: c.entropy(w),
    "sample": lambda c, w: c.sample(2, w),
}


@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("bad", BAD_WEIGHTS, ids=repr)
def test_non_finite_weights_are_refused_by_every_query(query, bad):
    with pytest.raises(CircuitError, match=f"literal_weights\\[-2\\] = -?{bad!r}.* not a finite"):
        QUERIES[query](xor(), {1: 0.5, -2: bad})
    table = np.ones((2, 2))
    table[1, 0] = bad
    with pytest.raises(CircuitError, match="literal_weights\\[1, 0\\] = .*variable 2, state 0"):
        QUERIES[query](xor(), table)


@given(
    st.sampled_from(list(QUERIES)),
    st.sampled_from([1, -1, 2, -2]),
    st.sampled_from(BAD_WEIGHTS),
    st.dictionaries(st.sampled_from([1, -1, 2, -2]), st.floats(0.01, 10.0), max_size=4),
)
@settings(max_examples=15, deadline=None)
def test_a_non_finite_weight_in_any_position_is_refused(query, lit, bad, weights):
    weights = {**weights, lit: bad}
    with pytest.raises(CircuitError, match=f"literal_weights\\[{lit}\\] = .* not a finite"):
        QUERIES[query](xor(), weights)


@pytest.mark.parametrize(
    "weights, error, message",
    [({3: 1.0}, CircuitError, "literal 3 names no variable of 1..2"),
     ({0: 1.0}, CircuitError, "literal 0 names no variable"),
     ({1: "0.5"}, ArgumentTypeError, "literal_weights\\[1\\] = '0.5' is not a real number"),
     ({1: None}, ArgumentTypeError, "None is not a real number"),
     ({1: True}, ArgumentTypeError, "True is not a real number"),
     ({1: [0.5]}, ArgumentTypeError, "is not a real number"),
     ({1: 1j}, ArgumentTypeError, "1j is not a real number"),
     ({"1": 0.5}, ArgumentTypeError, "key '1' is not a DIMACS literal"),
     ({1.0: 0.5}, ArgumentTypeError, "key 1.0 is not a DIMACS literal"),
     (np.ones((3, 2)), CircuitError, "shape \\(2, ≤2\\); got \\(3, 2\\)"),
     (np.array([["a", "b"], ["c", "d"]]), ArgumentTypeError, "dtype <U1"),
     ("0.5", ArgumentTypeError, "dtype <U3")],
)  # fmt: skip
def test_weights_that_are_not_weights_of_this_circuit_are_named(weights, error, message):
    with pytest.raises(error, match=message):
        xor().wmc(weights)


WEIGHT_FILES = [
    (b"1 0.3\n1 0.5\n", "line 2: literal 1 was already given a weight on line 1"),
    (b'{"1": 0.3, "01": 0.5}', "literal 1 is given twice"),
    (b'{"1": 0.3, "1": 0.5}', "literal 1 is given twice"),
    (b"1 0.3\n2 0.\xff5\n", "line 2: not UTF-8 text \\(byte 0xff\\)"),
    (b"1_0 0.5\n", "line 1: literal '1_0' is not an integer"),
    ("１ 0.5\n".encode(), "line 1: literal '１' is not an integer"),
    (b"1 1_0\n", "line 1: weight '1_0' of literal 1 is not a number"),
    ("1 ０.5\n".encode(), "weight '０.5' of literal 1 is not a number"),
    (b"1 nan\n", "weight 'nan' of literal 1 is not a number"),
    (b"1 inf\n", "weight 'inf' of literal 1 is not a number"),
    (b"1 1e999\n", "weight '1e999' of literal 1 is not finite"),
    (b"0 0.5\n", "line 1: literal 0 names no variable"),
    (b"1 0.5 7\n", "line 1: expected 'lit weight'"),
    (b"1\n", "line 1: expected 'lit weight'"),
    (b'{"1": NaN}', "NaN is not a weight"),
    (b'{"1": Infinity}', "Infinity is not a weight"),
    (b'{"1": 1e999}', "weight inf of literal 1 is not finite"),
    (b'{"1": "0.5"}', "weight '0.5' of literal 1 is not a number"),
    (b'{"1": true}', "weight True of literal 1 is not a number"),
    (b'{"1": {"2": 3}}', "of literal 1 is not a number"),
    (b'{"x": 0.5}', "literal 'x' is not an integer"),
    (b'{"1": 0.5,}', "line 1: not a JSON object"),
    (b'{"1": 0.5}\n[]', "not a JSON object"),
]


@pytest.mark.parametrize("data, message", WEIGHT_FILES, ids=lambda x: repr(x)[:24])
def test_weight_files_name_the_bad_line_or_literal(tmp_path, data, message):
    path = tmp_path / "w.txt"
    path.write_bytes(data)
    with pytest.raises(CircuitError, match=message):
        read_weights(path)


def test_weight_files_in_every_accepted_form_read_exactly():
    text = "c comment é\nw 1 0.25 0\nc p weight -1 0.75 0\n2 -1.5e0\n\n"
    assert read_weights(io.StringIO(text)) == {1: 0.25, -1: 0.75, 2: -1.5}
    assert read_weights(io.BytesIO('\ufeff{"-2": 3}'.encode())) == {-2: 3.0}
    with pytest.raises(ArgumentTypeError, match="read_weights: source"):
        read_weights(42)


@given(st.dictionaries(st.integers(-50, 50).filter(bool), st.floats(-1e6, 1e6), max_size=8))
@settings(max_examples=15, deadline=None)
def test_weight_files_round_trip_exactly(weights):
    text = "".join(f"{lit} {w!r}\n" for lit, w in weights.items())
    assert read_weights(io.StringIO(text)) == weights
    assert read_weights(io.StringIO(json.dumps({str(k): v for k, v in weights.items()}))) == weights


# -- 5. products with shared and disjoint variables ----------------------------------------


def _lits(*lits, n=2):
    b = CircuitBuilder()
    nodes = [b.literal(abs(v), v > 0) for v in lits]
    return b.build([nodes[0] if len(nodes) == 1 else b.product(nodes)], n_vars=n)


PRODUCTS = {
    "x1 · x1x2": (lambda: _lits(1), lambda: _lits(1, 2)),
    "¬x1 · x1x2": (lambda: _lits(-1), lambda: _lits(1, 2)),
    "x1x2 · x1x2": (lambda: _lits(1, 2), lambda: _lits(1, 2)),
    "x1 · x2 (disjoint)": (lambda: _lits(1), lambda: _lits(2)),
    "x2 · x1¬x2": (lambda: _lits(2), lambda: _lits(1, -2)),
    "xor · x1": (xor, lambda: _lits(1)),
    "xor · xor": (xor, xor),
    "2-of-4 · parity": (lambda: exactly_k_of_n(4, 2), lambda: parity(4)),
    "1-of-3 · odd": (lambda: exactly_k_of_n(3, 1), lambda: parity(3, True)),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
def test_products_count_the_conjunction(name):
    a, b = (f() for f in PRODUCTS[name])
    both, report = product(a, b)
    want = sum(
        evaluate(a, x) * evaluate(b, x) != 0 for x in itertools.product((0, 1), repeat=a.n_vars)
    )
    assert both.model_count() == brute_count(both) == want
    assert report.decomposable


def test_products_refuse_what_they_cannot_multiply():
    with pytest.raises(ArgumentTypeError, match="c2: expected a catlearn Circuit"):
        product(xor(), "x1")
    with pytest.raises(CircuitError, match="same declared variables"):
        product(_lits(1, n=1), _lits(1, n=2))


# -- 6. confusing errors at every public entry point --------------------------------------------


@pytest.mark.parametrize(
    "call",
    [lambda: xor().compile(Log), lambda: circuits.CompiledCircuit(xor(), Log),
     lambda: circuits.lift_weights(Log, np.ones(2)),
     lambda: PC.log_likelihood(
         PC.init(jax.random.key(0)), np.zeros((1, 2), int), Log)],
    ids=["compile", "CompiledCircuit", "lift_weights", "log_likelihood"],
)  # fmt: skip
def test_a_semiring_class_is_named_with_the_fix(call):
    with pytest.raises(
        ArgumentTypeError, match="got the class Log, not an instance; pass Log\\(\\)"
    ):
        call()


@pytest.mark.parametrize(
    "seed, error, message",
    [("x", ArgumentTypeError, "seed must be an integer ≥ 0"),
     (-1, ArgumentValueError, "≥ 0, got -1"),
     (1.5, ArgumentTypeError, "float 1.5"), (None, ArgumentTypeError, "NoneType"),
     (jax.random.key(0), ArgumentTypeError, "a JAX key is not a seed")],
    ids=["str", "negative", "float", "None", "jax-key"],
)  # fmt: skip
def test_sampling_names_a_bad_seed(seed, error, message):
    with pytest.raises(error, match=message):
        coin().sample(3, seed=seed)


@pytest.mark.parametrize("n", [-1, 2.5, "3"])
def test_sampling_names_a_bad_count(n):
    with pytest.raises((ArgumentTypeError, ArgumentValueError), match="sample: n"):
        coin().sample(n)


@pytest.mark.parametrize(
    "key", [0, np.zeros(2, np.float32), jnp.zeros(3, jnp.uint32), "key"], ids=repr
)
def test_tensorized_init_names_a_bad_prng_key(key):
    pc = TensorizedPC(random_binary_tree(2), units=2)
    with pytest.raises(ArgumentTypeError, match="init: key must be a JAX PRNG key"):
        pc.init(key)


def test_tensorized_params_of_the_wrong_shape_are_named():
    pc = TensorizedPC(random_binary_tree(4), units=2)
    params = pc.init(jax.random.key(0))
    with pytest.raises(CircuitError, match="params\\['root'\\] must have shape \\(2,\\)"):
        pc.log_likelihood(dict(params, root=jnp.zeros(3)), np.zeros((1, 4), int))
    with pytest.raises(CircuitError, match="params\\['sums'\\] must be a list of 2"):
        pc.to_circuit(dict(params, sums=params["sums"][:1]))
    with pytest.raises(ArgumentTypeError, match="params must be the dict init\\(\\) makes"):
        pc.log_likelihood({"leaves": params["leaves"]}, np.zeros((1, 4), int))
    gauss = TensorizedPC(random_binary_tree(2), units=2, leaf="gaussian")
    with pytest.raises(CircuitError, match="x\\[0, 1\\] = inf: a Gaussian leaf"):
        gauss.log_likelihood(gauss.init(jax.random.key(0)), np.array([[0.0, np.inf]]))


BUILDER_MISUSE = [
    (
        lambda b, x: b.sum([x, 5]),
        CircuitError,
        "sum: child 5 is not a node yet \\(this builder has nodes 0..0\\)",
    ),
    (lambda b, x: b.product([x, -1]), CircuitError, "product: child -1 is not a node yet"),
    (lambda b, x: b.sum([1.0]), ArgumentTypeError, "child 1.0 is not a node id"),
    (lambda b, x: b.sum([True]), ArgumentTypeError, "child True is not a node id"),
    (lambda b, x: b.sum(x), ArgumentTypeError, "children must be a list of node ids"),
    (lambda b, x: b.sum([x], [0.5, 0.5]), CircuitError, "2 weights for 1 children"),
    (
        lambda b, x: b.sum([x], [-0.5]),
        ArgumentValueError,
        "sum: weight 0: expected a finite number ≥ 0, got -0.5",
    ),
    (lambda b, x: b.sum([x], [float("nan")]), ArgumentValueError, "weight 0: .* got nan"),
    (lambda b, x: b.sum([x], [float("inf")]), ArgumentValueError, "got inf"),
    (
        lambda b, x: b.sum([x], ["1"]),
        ArgumentTypeError,
        "weight 0: expected a real number, got str",
    ),
    (lambda b, x: b.sum([x], 0.5), ArgumentTypeError, "weights must be a list of numbers"),
    (
        lambda b, x: b.sum([x], decision=-1),
        ArgumentValueError,
        "sum: decision: expected an integer in 0..",
    ),
    (
        lambda b, x: b.sum([x], decision=1.0),
        ArgumentTypeError,
        "sum: decision: expected an integer",
    ),
    (
        lambda b, x: b.literal(0),
        ArgumentValueError,
        "indicator: var: expected an integer in 1..67108864, got 0",
    ),
    (
        lambda b, x: b.literal(1, -1),
        ArgumentTypeError,
        "literal: positive: expected True or False, got -1",
    ),
    (
        lambda b, x: b.literal(1.5),
        ArgumentTypeError,
        "indicator: var: expected an integer, got float",
    ),
    (
        lambda b, x: b.indicator(2, 2, n_states=2),
        CircuitError,
        "value 2 is not one of the 2 states of 2",
    ),
    (
        lambda b, x: b.indicator(1, 0, n_states=3) + b.indicator(1, 0, n_states=2),
        CircuitError,
        "variable 1 was given 3 states before, now n_states = 2",
    ),
    (
        lambda b, x: b.indicator(1, 0, n_states=0),
        ArgumentValueError,
        "n_states: expected an integer in 1..",
    ),
    (
        lambda b, x: b.indicator(2, 2) + b.declare(2, 2),
        CircuitError,
        "declare: variable 2 was given 3 states before, now n_states = 2",
    ),
    (lambda b, x: b.declare(3, 2.5), ArgumentTypeError, "declare: n_states: expected an integer"),
    (lambda b, x: b.declare(0, 2), ArgumentValueError, "declare: var: expected an integer in 1"),
    (lambda b, x: b.constant("yes"), ArgumentTypeError, "constant: value: expected True or False"),
    (lambda b, x: b.build([]), CircuitError, "name at least one root"),
    (
        lambda b, x: b.build([3]),
        ArgumentValueError,
        "build: root: expected an integer in 0..0, got 3",
    ),
    (lambda b, x: b.build("0"), ArgumentTypeError, "roots must be a node id or a list"),
    (lambda b, x: b.build([x], n_vars=1.5), ArgumentTypeError, "n_vars: expected an integer"),
]


@pytest.mark.parametrize("call, error, message", BUILDER_MISUSE, ids=range(len(BUILDER_MISUSE)))
def test_builder_misuse_is_named_where_it_happens(call, error, message):
    b = CircuitBuilder()
    x = b.literal(1)
    with pytest.raises(error, match=message):
        call(b, x)


def test_a_declared_variable_no_leaf_uses_keeps_its_states():
    b = CircuitBuilder()
    b.declare(2, 3)
    c = b.build([b.literal(1)])
    assert c.n_states.tolist() == [0, 2, 3] and c.model_count() == 3


def test_empty_sums_and_products_are_the_constants():
    b = CircuitBuilder()
    x = b.literal(1)
    c = b.build([b.sum([]), b.product([]), b.sum([x, b.sum([])])], n_vars=1)
    assert [brute_count(Circuit.from_arrays(c.kind, c.child_offsets, c.children, c.var,
            c.state, [r], c.n_states)) for r in c.roots] == [0, 2, 1]  # fmt: skip


FROM_ARRAYS = [
    (dict(kind=[0.5]), CircuitError, "kind: expected integers, got 0.5"),
    (dict(kind=["leaf"]), ArgumentTypeError, "kind: expected an array of integers"),
    (dict(kind=[7]), CircuitError, "node 0 has kind 7"),
    (dict(kind=[1], var=[0], state=[2]), CircuitError, "a constant's state is 1 \\(true\\) or 0"),
    (dict(n_states=[0, 0]), CircuitError, "n_states needs an entry ≥ 1"),
    (dict(roots=[]), CircuitError, "roots must name nodes 0..0"),
    (dict(var=[2]), CircuitError, "leaf node 0 has variable 2; variables are 1..1"),
    (dict(state=[2]), CircuitError, "leaf node 0 has state 2 of variable 1, which has states 0..1"),
]


@pytest.mark.parametrize("change, error, message", FROM_ARRAYS, ids=range(len(FROM_ARRAYS)))
def test_from_arrays_names_what_is_malformed(change, error, message):
    args = dict(kind=[0], child_offsets=[0, 0], children=[], var=[1], state=[1], roots=[0],
                n_states=[0, 2])  # fmt: skip
    with pytest.raises(error, match=message):
        Circuit.from_arrays(**(args | change))


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf")], ids=repr)
def test_edge_weights_must_be_finite_and_non_negative(bad):
    with pytest.raises(CircuitError, match=f"edge weight -?{bad!r} \\(node 2, child 1\\)"):
        Circuit.from_arrays([0, 0, 2], [0, 0, 0, 2], [0, 1], [1, 1, 0], [1, 0, 0], [2],
                            [0, 2], weights=[0.5, bad])  # fmt: skip
    with pytest.raises(CircuitError, match="lift_weights: edge weight"):
        circuits.lift_weights(Real(), np.array([1.0, bad]))


@pytest.mark.parametrize(
    "call, error, message",
    [(lambda: random_binary_tree(1), ArgumentValueError, "at least 2 variables, got 1"),
     (lambda: random_binary_tree(2.5), ArgumentTypeError, "n_vars: expected an integer, got float"),
     (lambda: random_binary_tree(True), ArgumentTypeError, "expected an integer, got bool"),
     (lambda: random_binary_tree(4, seed=-1), ArgumentValueError, "seed: .* in 0.., got -1"),
     (lambda: circuits.quad_tree(0, 3), ArgumentValueError, "quad_tree: height"),
     (lambda: circuits.quad_tree(1, 1), ArgumentValueError, "at least 2 variables, got 1"),
     (lambda: circuits.quad_tree("2", 2), ArgumentTypeError, "quad_tree: height"),
     (lambda: TensorizedPC(random_binary_tree(2), units=0), ArgumentValueError, "units"),
     (lambda: TensorizedPC(random_binary_tree(2), units=1.5), ArgumentTypeError, "units"),
     (lambda: TensorizedPC(random_binary_tree(2), 2, states=1), ArgumentValueError, "states ≥ 2"),
     (lambda: TensorizedPC(random_binary_tree(2), 2, leaf="poisson"), ArgumentValueError, "leaf"),
     (lambda: TensorizedPC("tree", 2), ArgumentTypeError, "tree must be a RegionTree"),
     (lambda: exactly_k_of_n(3, 4), ArgumentValueError, "need 0 ≤ k ≤ n, got k = 4"),
     (lambda: exactly_k_of_n(2.0, 1), ArgumentTypeError, "exactly_k_of_n: n"),
     (lambda: parity(0), ArgumentValueError, "parity needs n ≥ 1"),
     (lambda: parity(3, odd=2), ArgumentTypeError, "parity: odd"),
     (lambda: circuits.power(coin(), 0), ArgumentValueError, "finite α > 0, got 0"),
     (lambda: circuits.power(coin(), float("nan")), ArgumentValueError, "power: α"),
     (lambda: circuits.power(coin(), "2"), ArgumentTypeError, "power: α"),
     (lambda: circuits.power(heavy(), 5000), CircuitError, "overflows float64"),
     (lambda: circuits.to_dot(xor(), "a b"), ArgumentValueError, "not a DOT identifier"),
     (lambda: xor().compile(Real(), fan_in=1), ArgumentValueError, "fan_in: .* in 2..1024, got 1"),
     (lambda: xor().compile(Real(), fanin=4), ArgumentTypeError, "unknown option 'fanin'"),
     (lambda: xor().compile(Real()).apply({"weights": 1}), ArgumentTypeError, "'literals'"),
     (lambda: xor().is_deterministic(-1), ArgumentValueError, "max_vars"),
     (lambda: circuits.em(coin(), [[1]], steps=-1), ArgumentValueError, "em: steps"),
     (lambda: circuits.em(coin(), [[1]], prior=float("nan")), ArgumentValueError, "em: prior"),
     (lambda: circuits.em(coin(), np.zeros((0, 1), int)), CircuitError, "data has no rows"),
     (lambda: circuits.model_count("x1"), ArgumentTypeError, "c: expected a catlearn Circuit"),
     (lambda: circuits.write_nnf(xor(), 3), ArgumentTypeError, "write_nnf: target"),
     (lambda: xor().wmc({1: 0.5}, log="yes"), ArgumentTypeError, "log must be True or False"),
     (lambda: xor().smooth(all_variables=None), ArgumentTypeError, "all_variables")],
)  # fmt: skip
def test_public_functions_name_their_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- issue 14: probe findings -------------------------------------------------------------


def xor3() -> Circuit:
    b = CircuitBuilder()
    x, nx, y, ny = b.literal(1), b.literal(1, False), b.literal(2), b.literal(2, False)
    return b.build([b.sum([b.product([x, ny]), b.product([nx, y])], decision=1)], n_vars=3)


@pytest.mark.parametrize(
    "evidence, shown",
    [
        (np.array([[2**64 - 1, 0, 0]], dtype=np.uint64), "18446744073709551615"),
        (np.array([[2**64 - 2, 0, 0]], dtype=np.uint64), "18446744073709551614"),
        (np.array([[255, 0, 0]], dtype=np.uint8), "255"),
        ([[2**64 - 1, 0, 0]], "18446744073709551615"),
        ([[2**64, 0, 0]], "18446744073709551616"),
    ],
)
@pytest.mark.parametrize("semiring", ["Boolean", "Counting"])
def test_huge_unsigned_evidence_is_never_read_as_unobserved(evidence, shown, semiring):
    from catlearn import semirings

    f = xor3().compile(getattr(semirings, semiring)())
    with pytest.raises(CircuitError, match=rf"evidence\[0, 0\] = {shown}: variable 1"):
        f(evidence)
    with pytest.raises(CircuitError, match=rf"evidence\[0\] = {shown}"):
        xor3().sample(3, evidence=np.asarray(evidence, dtype=object)[0].tolist())


def test_a_node_of_another_builder_is_refused():
    a = CircuitBuilder()
    h = a.literal(1)
    b = CircuitBuilder()
    b.sum([])
    with pytest.raises(CircuitError, match="child 0 is a node of another CircuitBuilder"):
        b.product([h, b.literal(3)])
    with pytest.raises(CircuitError, match="root 0 is a node of another CircuitBuilder"):
        b.build(h)
    c = b.build([b.product([1, b.literal(2)])], n_vars=3)  # plain 1: this builder's x3
    assert c.model_count() == brute_count(c) == 2


def test_marginalized_variables_are_not_counted_again():
    b = CircuitBuilder()
    x, y, ny = b.literal(1), b.literal(2), b.literal(2, False)
    c = b.build([b.product([x, b.sum([y, ny], decision=2)])], n_vars=3)
    m = c.marginalize([1])
    w = {1: 0.3, -1: 0.2, 2: 0.6, -2: 0.4, 3: 2.0, -3: 1.0}
    # Σ_x c(x, y, z) over the remaining variables y, z: brute force over (y, z) only.
    rest = [(y_, z_) for y_ in (0, 1) for z_ in (0, 1)]
    truth_count = sum(any(evaluate(c, (x_, y_, z_)) for x_ in (0, 1)) for y_, z_ in rest)
    truth_w = sum(
        sum(evaluate(c, (x_, y_, z_)) for x_ in (0, 1))
        * Fraction(w[2] if y_ else w[-2])
        * Fraction(w[3] if z_ else w[-3])
        for y_, z_ in rest
    )
    assert m.model_count() == truth_count == 4
    assert float(m.wmc(None)) == pytest.approx(4.0)
    assert float(m.wmc(w)) == pytest.approx(float(truth_w))


def test_sample_refuses_an_unweighted_non_deterministic_circuit():
    b = CircuitBuilder()
    either = b.build([b.sum([b.literal(1), b.literal(2)])])
    with pytest.raises(CircuitError, match="sample needs a deterministic circuit"):
        either.sample(100, {1: 0.5, -1: 0.5, 2: 0.5, -2: 0.5})
    b = CircuitBuilder()  # explicit edge weights: a mixture, sampled as one
    mix = b.build([b.sum([b.literal(1), b.literal(2)], [0.5, 0.5])])
    assert mix.sample(10, seed=0).shape == (10, 2)


def test_free_variables_do_not_make_model_count_hang():
    c = read_nnf(io.StringIO(f"nnf 1 0 {2**18}\nL 1\n"))
    assert c.model_count() == 2 ** (2**18 - 1)
    c = read_nnf(io.StringIO("nnf 1 0 40\nL 1\n"))
    assert c.model_count() == 2**39


def test_a_json_list_of_weights_is_named():
    with pytest.raises(CircuitError, match="must be an object"):
        read_weights(io.StringIO("[1, 0.3]"))
