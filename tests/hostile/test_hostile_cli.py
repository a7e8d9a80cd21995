"""Hostile input to the ``catlearn`` command, ``catlearn.draw`` and the demo: each bad
command line ends in exit 2 (the command line is wrong) or 1 (what it names is bad) with
one line on stderr naming the culprit, never a traceback, and before any work."""

import contextlib
import io
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import catlearn.cli
import catlearn.demo.model
import catlearn.laws
from catlearn.cli import main
from catlearn.demo import demo
from catlearn.demo.boolean import binarised_iris
from catlearn.diagrams import Box, Ty
from catlearn.draw import draw
from catlearn.errors import ArgumentTypeError, ArgumentValueError, DrawingError

ONE_VAR = "nnf 1 0 1\nL 1\n"


@pytest.fixture
def files(tmp_path, monkeypatch, no_long_jobs):
    """A scratch folder of good and bad inputs, also the working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.nnf").write_text(ONE_VAR)
    (tmp_path / "bad.nnf").write_text("nnf 1 0 1\nL 3\n")
    (tmp_path / "bytes.nnf").write_bytes(b"\xff\xfe\x00nnf")
    (tmp_path / "folder.nnf").mkdir()
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "w.bin").write_bytes(b"\xff\xfe1 0.5\n")
    (tmp_path / "negative.txt").write_text("1 -2\n")
    (tmp_path / "far.txt").write_text("5 0.5\n")
    (tmp_path / "nan.txt").write_text("1 nan\n")
    return tmp_path


def run(argv: list[str]) -> tuple[int, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue().splitlines()


def one_error_line(err: list[str]) -> str:
    assert len(err) == 1, err
    assert err[0].startswith("catlearn: error: ") and "bug in catlearn" not in err[0]
    return err[0]


@pytest.fixture
def no_long_jobs(monkeypatch):
    """A hostile command must fail before training or checking any law."""

    def refuse(*args, **kwargs):
        raise AssertionError("reached a long job")

    monkeypatch.setattr(catlearn.demo.model, "train", refuse)
    monkeypatch.setattr(catlearn.laws.LawSuite, "report", refuse)


USAGE = [
    ([], "name a command: demo, laws, circuit or draw"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["nosuch"], "invalid choice: 'nosuch'"),
    (["laws", "--max-examples", "0"], "--max-examples: expected a whole number from 1 to"),
    (["laws", "--max-examples", "-1"], "got '-1'"),
    (["laws", "--max-examples", "9" * 30], "expected a whole number from 1 to 1000000"),
    (["laws", "--max-examples", "1.5"], "got '1.5'"),
    (["laws", "--max-examples", "ten"], "got 'ten'"),
    (["laws", "--max-examples", "５"], "got '５'"),  # int() reads a full-width digit
    (["laws", "--max-examples", "1_0"], "got '1_0'"),
    (["laws", "--max-examples"], "--max-examples: expected one argument"),
    (["laws", "a.b c"], "expected a module or module:attribute .* got 'a.b c'"),
    (["laws", "a b:c"], "expected module:attribute .* got 'a b:c'"),
    (["laws", ":Real"], "expected module:attribute"),
    (["circuit"], "the following arguments are required: FILE"),
    (["circuit", "ok.nnf", "--query", "WMC"], "--query: invalid choice: 'WMC'"),
    (["circuit", ""], "argument FILE: expected a path, got ''"),
    (["circuit", "a\0b.nnf"], "argument FILE: expected a path"),
    (["circuit", "ok.nnf", "--weights"], "--weights: expected one argument"),
    (["draw", "plain-name"], "expected FILE.nnf or module:attribute, got 'plain-name'"),
    (["draw", "ok.nnf", "--out", "ok.jpg"], "--out: expected a .png or .svg file"),
    (["draw", "ok.nnf", "--engine", "dot"], "--engine: invalid choice: 'dot'"),
    (["demo", "--out"], "--out: expected one argument"),
    (["demo", "--out", ""], "--out: expected a path, got ''"),
]


@pytest.mark.parametrize("argv, message", USAGE, ids=[" ".join(a) or "-" for a, _ in USAGE])
def test_a_wrong_command_line_is_a_usage_error(files, argv, message):
    code, out, err = run(argv)
    assert code == 2 and out == ""
    assert re.search(message, one_error_line(err))


FAILURES = [
    (["laws", "nosuchmod:X"], "nosuchmod:X: cannot import nosuchmod: no module named"),
    (["laws", "catlearn:nosuch"], "catlearn:nosuch: catlearn has no attribute nosuch"),
    (["laws", "catlearn.errors"], "catlearn.errors: the module exports nothing that catlearn"),
    (["laws", "catlearn.semirings:Zn"], r"catlearn.semirings:Zn: Zn\(\) needs n"),
    (["laws", "catlearn.semirings:einsum"], "is a function; expected a Semiring"),
    (["laws", "catlearn.circuits:Circuit"], "is the class Circuit; expected a Semiring"),
    (["circuit", "missing.nnf"], "cannot read FILE 'missing.nnf': No such file"),
    (["circuit", "folder.nnf"], "FILE 'folder.nnf' is a folder, not a file"),
    (["circuit", "plain/x.nnf"], "cannot read FILE 'plain/x.nnf': Not a directory"),
    (["circuit", "bad.nnf"], "bad.nnf: line 2: literal 3 names no variable"),
    (["circuit", "bytes.nnf"], "bytes.nnf: line"),
    (["circuit", "bad.nnf", "--weights", "missing.txt"], "cannot read --weights 'missing.txt'"),
    (["circuit", "ok.nnf", "--weights", "w.bin"], "w.bin.*UTF-8"),
    (["circuit", "ok.nnf", "--query", "mpe", "--weights", "negative.txt"], "weight -2"),
    (["circuit", "ok.nnf", "--query", "wmc", "--weights", "far.txt"], "literal 5 names no var"),
    (["circuit", "ok.nnf", "--query", "wmc", "--weights", "nan.txt"], "nan.txt.*nan"),
    (["draw", "missing.nnf"], "cannot read TARGET 'missing.nnf'"),
    (["draw", "ok.nnf", "--out", "plain/x.png"], "--out: 'plain/x.png' lies inside 'plain'"),
    (["draw", "ok.nnf", "--out", "nowhere/x.png"], "--out: the folder 'nowhere' does not exist"),
    (["draw", "ok.nnf", "--out", "folder.png"], "--out: 'folder.png' is a folder, not a file"),
    (["draw", "catlearn.semirings:Zn"], "catlearn.semirings:Zn: got the class Zn"),
    (["draw", "catlearn.semirings:einsum"], r"einsum\(\) needs semiring, spec"),
    (["draw", "catlearn:__version__"], "catlearn:__version__: cannot draw a str"),
    (["demo", "--out", "plain"], "--out: 'plain' is a file, not a folder"),
    (["demo", "--out", "plain/sub", "--quiet"], "cannot make the folder 'plain/sub'"),
]


@pytest.mark.parametrize("argv, message", FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_a_bad_input_fails_in_one_line_before_any_work(files, argv, message):
    code, out, err = run(argv)
    assert code == 1 and out == ""
    assert re.search(message, one_error_line(err))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
def test_an_unwritable_demo_folder_fails_before_training(files):
    code, _, err = run(["demo", "--out", "/proc/catlearn-demo"])
    assert code == 1 and "--out: cannot write to the folder '/proc/catlearn-demo'" in err[0]


def test_a_bug_is_one_line_unless_debugging(files, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(catlearn.cli, "_circuit", broken)
    code, _, err = run(["circuit", "ok.nnf"])
    assert code == 1 and len(err) == 1
    assert "a bug in catlearn: RuntimeError: boom" in err[0] and "CATLEARN_DEBUG=1" in err[0]
    monkeypatch.setenv("CATLEARN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["circuit", "ok.nnf"])


def test_help_and_version_return_zero(files):
    for argv in (["--help"], ["laws", "--help"], ["--version"]):
        code, out, err = run(argv)
        assert code == 0 and out and err == []


@given(
    st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=10**6 + 1),
        st.floats(allow_nan=True),
        st.text(max_size=8).filter(lambda s: not s.strip().lstrip("+").isdigit()),
    )
)
def test_any_bad_max_examples_is_a_usage_error(value):
    code, _, err = run(["laws", "nosuchmod:X", "--max-examples", str(value)])
    assert code == 2 and "--max-examples" in one_error_line(err)


@given(
    st.text(min_size=1, max_size=12).filter(
        lambda s: ":" not in s and not s.startswith("-") and not s.endswith(".nnf")
    )
)
def test_any_draw_target_not_a_file_or_object_name_is_a_usage_error(target):
    code, _, err = run(["draw", target])
    assert code == 2 and "TARGET" in one_error_line(err)


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    """End to end: an undecodable file name in argv, and the exit status of the process."""
    name = os.fsencode(tmp_path) + b"/\xff-missing.nnf"
    run_ = subprocess.run(
        [sys.executable, "-m", "catlearn.cli", "circuit", name],
        capture_output=True,
        timeout=60,
    )
    err = run_.stderr.decode("utf-8", "replace").splitlines()
    assert run_.returncode == 1 and len(err) == 1, err
    assert "cannot read FILE" in err[0] and "Traceback" not in err[0]


# -- the library boundaries behind the command -----------------------------------------------

X = Ty("x")
F = Box("f", X, X)


@pytest.mark.parametrize(
    "obj, path, options, error, message",
    [
        (3, "d.png", {}, DrawingError, r"draw\(obj\): cannot draw a int"),
        (Box, "d.png", {}, DrawingError, r"draw\(obj\): got the class Box"),
        (F, 42, {}, ArgumentTypeError, r"draw\(path\): expected a file name, got 42"),
        (F, "d.gif", {}, DrawingError, r"draw\(path\): draw writes .png or .svg files"),
        (F, "plain/d.png", {}, DrawingError, "lies inside 'plain'"),
        (F, "folder.png", {}, DrawingError, "'folder.png' is a folder, not a file"),
        (F, "nowhere/d.png", {}, DrawingError, "the folder 'nowhere' does not exist"),
        (F, "d.png", {"engine": 3}, ArgumentTypeError, r"draw\(engine\): expected one of"),
        (F, "d.png", {"engine": "dot"}, DrawingError, r"draw\(engine\): expected one of"),
        (F, "d.png", {"figsize": (0, 1)}, ArgumentTypeError, r"draw\(figsize\)"),
        (F, "d.png", {"figsize": "big"}, ArgumentTypeError, r"draw\(figsize\)"),
    ],
)
def test_draw_names_the_argument(files, obj, path, options, error, message):
    with pytest.raises(error, match=message):
        draw(obj, path, **options)
    assert not (files / "d.png").exists()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"out": "plain"}, ArgumentValueError, r"demo\(out\): 'plain' is a file, not a folder"),
        ({"out": 3}, ArgumentTypeError, r"demo\(out\): expected a folder name"),
        ({"progress": "yes"}, ArgumentTypeError, r"demo\(progress\): expected True or False"),
    ],
)
def test_demo_checks_before_training(files, kwargs, error, message):
    with pytest.raises(error, match=message):
        demo(**kwargs)


@pytest.mark.parametrize("kwargs", [{"classes": 4}, {"labels": "gray"}])
def test_the_boolean_section_names_a_bad_option(kwargs):
    with pytest.raises(ArgumentValueError, match=rf"binarised_iris\({next(iter(kwargs))}\)"):
        binarised_iris(**kwargs)
