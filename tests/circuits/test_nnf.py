"""Reading and writing c2d/D4 .nnf files: round trips, every malformation named, fuzzing."""

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catlearn.circuits import NNFError, read_nnf, write_nnf
from catlearn.laws.random_circuits import circuits

XOR = """c exclusive or of x1 and x2, with x3 free
nnf 7 6 3
L 1
L -2
A 2 0 1
L -1
L 2
A 2 3 4
O 1 2 2 5
"""


def test_read_a_d_dnnf_and_count():
    c = read_nnf(io.StringIO(XOR))
    assert (c.n_nodes, c.n_edges, c.n_vars) == (7, 6, 3)
    assert c.decision[6] == 1 and c.is_decomposable() and c.is_deterministic()
    assert c.model_count() == 4  # 2 models of the XOR, times 2 for the free x3


def test_read_from_a_path(tmp_path):
    path = tmp_path / "xor.nnf"
    path.write_text(XOR)
    assert read_nnf(path).model_count() == 4
    assert read_nnf(str(path)).model_count() == 4


def test_constants():
    c = read_nnf(io.StringIO("nnf 3 0 2\nA 0\nO 0 0\nL 1\n"))
    assert c.model_count() == 2  # the root is the last node, x1
    assert read_nnf(io.StringIO("nnf 1 0 4\nA 0\n")).model_count() == 16
    assert read_nnf(io.StringIO("nnf 1 0 4\nO 0 0\n")).model_count() == 0


@given(circuits((1, 5), smooth=False))
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_write_then_read_keeps_the_count(c):
    text = io.StringIO()
    write_nnf(c, text)
    back = read_nnf(io.StringIO(text.getvalue()))
    assert back.model_count() == c.model_count()
    assert back.n_vars == c.n_vars


BAD = [
    ("", "line 0: empty file"),
    ("c only a comment\n", "line 1: empty file"),
    ("cnf 1 1 1\n", "line 1: expected a header 'nnf v e n'"),
    ("nnf 1 0\n", "line 1: expected a header"),
    ("nnf x 0 1\n", "line 1: expected an integer, got 'x'"),
    ("nnf -1 0 1\n", "line 1: header node count -1 is out of range"),
    ("nnf 99999999999999999 0 1\n", "line 1: header node count"),
    ("nnf 0 0 1\n", "declares no nodes"),
    # found by benchmarks/fuzz_nnf.py: counts once sized the arrays (MemoryError)
    ("nnf 10000000000 6 1\nL 1\n", "the file ends after 1 of 10000000000 declared nodes"),
    ("nnf 1 0 1000000000000\nL 5\n", "declares 1000000000000 variables; at most"),
    ("nnf 2 0 1\nL 1\n", "line 2: the file ends after 1 of 2 declared nodes"),
    ("nnf 1 0 1\nL 1\nL -1\n", "line 3: more nodes than the 1"),
    ("nnf 1 0 1\nL 0\n", "line 2: literal 0 names no variable"),
    ("nnf 1 0 1\nL 2\n", "line 2: literal 2 names no variable of 1..1"),
    ("nnf 1 0 1\nL 1 2\n", "line 2: a literal line is 'L lit'"),
    ("nnf 2 1 1\nL 1\nA 2 0\n", "line 3: the line says 2 children but lists 1"),
    ("nnf 2 1 1\nL 1\nA 1 1\n", "line 3: child 1 does not refer to an earlier node"),
    ("nnf 2 1 1\nL 1\nA 1 5\n", "child 5 does not refer to an earlier node"),
    ("nnf 2 1 1\nL 1\nA 1 -1\n", "child -1 does not refer"),
    ("nnf 2 1 1\nL 1\nO 7 1 0\n", "line 3: decision variable 7 is outside 0..1"),
    ("nnf 2 1 1\nL 1\nO 1\n", "a disjunction line is 'O j c i1"),
    ("nnf 2 1 1\nL 1\nA\n", "'A' needs a child count"),
    ("nnf 2 2 1\nL 1\nA 1 0\n", "declares 2 edges but the nodes have 1"),
    ("nnf 1 0 1\nX 1\n", "line 2: unknown node type 'X'"),
    ("nnf 1 0 1\nL 1.5\n", "expected an integer, got '1.5'"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m for _, m in BAD])
def test_malformed_files_name_the_line(text, message):
    with pytest.raises(NNFError, match=message.replace("(", r"\(").replace("'", "'")):
        read_nnf(io.StringIO(text))


def test_binary_junk_is_a_documented_error(tmp_path):
    path = tmp_path / "junk.nnf"
    path.write_bytes(b"nnf 1 0 1\n\xff\xfe\x00junk\n")
    with pytest.raises(NNFError, match="not a text file"):
        read_nnf(path)


def test_errors_are_value_errors_with_the_line():
    with pytest.raises(ValueError) as caught:
        read_nnf(io.StringIO("nnf 1 0 1\n\nL 9\n"))
    assert caught.value.line == 3


def _mutations():
    lines = XOR.splitlines()
    tokens = st.sampled_from(
        [
            "L",
            "A",
            "O",
            "nnf",
            "c",
            "0",
            "1",
            "-1",
            "2",
            "7",
            "99999999999999999999",
            "-",
            "x",
            "\x00",
            "é",
        ]
    )
    line = st.lists(tokens, max_size=6).map(" ".join)
    return st.one_of(
        st.lists(st.sampled_from(lines), max_size=10).map("\n".join),
        st.lists(line, max_size=8).map("\n".join),
        st.text(max_size=60),
        st.integers(0, len(XOR)).map(lambda k: XOR[:k]),
    )


@given(_mutations())
@settings(max_examples=200, deadline=None)
def test_fuzz_no_outcome_but_a_circuit_or_the_documented_error(text):
    try:
        c = read_nnf(io.StringIO(text))
    except NNFError:
        return
    assert c.n_nodes >= 1 and np.all(
        c.children < np.repeat(np.arange(c.n_nodes), np.diff(c.child_offsets))
    )


def test_write_refuses_what_the_format_cannot_hold():
    from catlearn.circuits import CircuitBuilder, CircuitError

    b = CircuitBuilder()
    weighted = b.build([b.sum([b.literal(1), b.literal(1, False)], [0.3, 0.7])])
    with pytest.raises(CircuitError, match="no edge weights"):
        write_nnf(weighted, io.StringIO())
    b = CircuitBuilder()
    three = b.build([b.indicator(1, 2)])
    with pytest.raises(CircuitError, match="binary variables only"):
        write_nnf(three, io.StringIO())
