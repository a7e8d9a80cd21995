"""The `catlearn` command: demo (text and JSON), laws, version."""

import contextlib
import io
import json
import math
import os
import re
import sys
from pathlib import Path

import pytest

import catlearn
import catlearn.circuits
import catlearn.diagrams
import catlearn.functors
from catlearn import __version__
from catlearn.cli import _print_demo, main
from catlearn.demo import _graph
from catlearn.semirings import Real


def walk_count(steps: int, src: str, dst: str) -> int:
    """Independent oracle: Python-int matrix powers of the adjacency matrix."""
    g = _graph()
    idx = {name: i for i, name in enumerate(g["nodes"])}
    n = len(idx)
    adj = [[0] * n for _ in range(n)]
    for a, b, _ in g["edges"]:
        adj[idx[a]][idx[b]] = 1
    row = [int(i == idx[src]) for i in range(n)]
    for _ in range(steps):
        row = [sum(row[k] * adj[k][j] for k in range(n)) for j in range(n)]
    return row[idx[dst]]


def test_demo_reports_every_section(tmp_path, capsys):
    """One `catlearn demo --json` run (it trains five folds), each section checked below.

    One test, not one per section: pytest-xdist would give each worker its own run of a
    shared fixture (~12 s each)."""
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["demo", "--json", "--out", str(tmp_path)]) == 0
    demo_run = json.loads(text.getvalue()), tmp_path
    checks = (_model_and_pictures, _graph_queries, _circuit_section, _boolean_section, _meaning)
    for check in checks:
        check(demo_run)
    _printed_text(demo_run, capsys)


def _model_and_pictures(demo_run):
    result, out = demo_run
    model = result["model"]
    assert model["boxes"] == 6 and model["parameters"] == 368
    assert model["epochs"] == 100 and len(model["fold_test_accuracy"]) == 5
    # Iris is easy but not trivial: a working model is far above chance (1/3).
    assert model["test_accuracy"] > 0.85 and model["train_accuracy"] > 0.95
    assert model["final_loss"] < 0.2
    for path in model["files"].values():
        data = (out / path.split("/")[-1]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def _graph_queries(demo_run):
    result, _ = demo_run
    dist = result["shortest_minutes_from_Ashford"]
    assert dist["Frome"] == 53.0 and dist["Hythe"] is None  # 12 + 9 + 14 + 18
    walks = result["walks"]
    assert int(walks["count"]) == walk_count(walks["steps"], "Ashford", "Frome")
    assert walks["bits"] > 63
    assert ["Ashford", "Hythe"] in result["unreachable_pairs"]
    mps = result["diagram"]
    assert mps["boxes"] == 80 and mps["layers"] == 80 and mps["value"] > 0


def _meaning(demo_run):
    result, out = demo_run
    m = result["meaning"]
    assert m["structures"] == 12 and m["split"]["train"] == 400
    # The topics are in the verbs and objects: a working model separates them.
    tensor, quantum = m["tensor"], m["quantum"]
    assert tensor["accuracy"]["test"] > 0.9 and tensor["loss"][-1] < 0.1 * tensor["loss"][0]
    assert quantum["accuracy"]["test"] > 0.8 and quantum["loss"][-1] < 0.5 * quantum["loss"][0]
    data = (out / "meaning_loss.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def _circuit_section(demo_run):
    circuit = demo_run[0]["circuit"]
    assert circuit["model_count"] == circuit["expected"] == str(math.comb(80, 40))
    assert circuit["bits"] > 63 and circuit["mpe_true_odd"] == 40


def test_circuit_command(capsys, tmp_path):
    nnf = str(Path(catlearn.__file__).parent / "data" / "exactly_40_of_80.nnf")
    assert main(["circuit", nnf, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] == str(math.comb(80, 40))
    weights = tmp_path / "w.txt"
    weights.write_text("c p = 0.9 for x1\nw 1 0.9 0\n-1 0.1\n")
    assert main(["circuit", nnf, "--query", "marginals", "--weights", str(weights), "--json"]) == 0
    marginals = json.loads(capsys.readouterr().out)["answer"]
    assert 0.5 < marginals["1"] < 1 and abs(marginals["2"] - 0.5) < 0.05
    (tmp_path / "w.json").write_text('{"1": 0.9, "-1": 0.1}')
    for query in ("wmc", "mpe", "sat"):
        assert main(["circuit", nnf, "--query", query, "--weights", str(tmp_path / "w.json")]) == 0
    assert "x1 + … + x80" not in capsys.readouterr().out
    bad = tmp_path / "bad.nnf"
    bad.write_text("nnf 1 0 1\nL 3\n")
    assert main(["circuit", str(bad)]) == 1
    assert "line 2: literal 3 names no variable" in capsys.readouterr().err


def _printed_text(demo_run, capsys):
    _print_demo(demo_run[0])
    out = capsys.readouterr().out
    assert "Model as a diagram: sepal @ petal → logits" in out and "held out" in out
    assert "Shortest travel time from Ashford" in out and "Exact walk count" in out
    assert "exact model count 107507208733336176461620" in out
    assert "Word meanings from sentence diagrams" in out and "12 grammatical structures" in out


def test_demo_options_parse(tmp_path, monkeypatch):
    import catlearn.demo

    seen = {}
    monkeypatch.setattr(
        catlearn.demo, "demo", lambda out, progress: seen.update(o=out, p=progress) or {}
    )
    monkeypatch.setattr("catlearn.cli._print_demo", lambda result: None)
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    assert seen == {"o": str(tmp_path), "p": False}


def test_version(capsys):
    assert main(["--version"]) == 0 and __version__ in capsys.readouterr().out


def test_laws_command_reports_every_builtin(capsys):
    assert main(["laws", "--max-examples", "1"]) == 0  # the suites run in tests/laws
    out = capsys.readouterr().out
    assert "Log" in out and "laws hold" in out and "Polynomial" in out


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "name a command: demo, laws, circuit or draw" in capsys.readouterr().err
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "demo" in out and "exit status" in out and "CATLEARN_DEBUG" in out


class FalselyIdempotent(Real):
    """Found by the CLI as test_cli:FalselyIdempotent (pytest puts tests/ on sys.path)."""

    name = "FalselyIdempotent"
    idempotent = True


def test_laws_command_on_a_named_object(capsys):
    assert main(["laws", "catlearn.semirings:MaxPlus", "--max-examples", "3"]) == 0
    assert "semiring[MaxPlus]" in capsys.readouterr().out
    assert (
        main(
            [
                "laws",
                "tests.laws.test_broken_instances:FalselyIdempotentReal",
                "--max-examples",
                "5",
                "--json",
            ]
        )
        == 1
    )
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == 1
    assert any(
        "idempotence" in r["law"] and r["status"] == "violated" and "fails for" in r["message"]
        for r in report["results"]
    )


x_ = catlearn.diagrams.Ty("x")
f_ = catlearn.diagrams.Box("f", x_, x_ @ x_)
TENSOR_FUNCTOR = catlearn.functors.TensorFunctor({x_: 2}, {f_: [[[1.0, 0.0], [0.0, 2.0]]] * 2})
NAMED_FUNCTOR = catlearn.functors.TensorFunctor({x_: 2}, {"f": [[[1.0, 0.0], [0.0, 2.0]]] * 2})
SUBTRACT = catlearn.functors.Monoid(lambda a, b: a - b, lambda shape, dtype: 0.0)


def flip_first_variable(c: catlearn.circuits.Circuit) -> catlearn.circuits.Circuit:
    """A circuit transformation that changes the weighted model count."""
    return c.condition({1: 1})


def test_laws_command_detects_functors_monoids_and_transformations(capsys):
    def run(target):
        code = main(["laws", target, "--max-examples", "3", "--json"])
        return code, json.loads(capsys.readouterr().out)

    code, report = run("tests.test_cli:TENSOR_FUNCTOR")
    assert code == 0 and {"composition", "tensor", "snake"} <= {
        r["law"].split("::")[1] for r in report["results"]
    }
    assert run("catlearn.functors:ADD")[0] == 0  # the residual merge: commutative monoid
    code, report = run("tests.test_cli:SUBTRACT")
    assert code == 1 and any("associativity" in r["law"] for r in report["results"])
    code, report = run("catlearn.circuits:smooth")
    assert code == 0 and report["results"][0]["law"].endswith("preserves_wmc")
    assert run("tests.test_cli:flip_first_variable")[0] == 1
    assert main(["laws", "tests.test_cli:NAMED_FUNCTOR"]) == 1
    assert "signature is unknown" in capsys.readouterr().err


def test_laws_command_refuses_other_objects(capsys):
    assert main(["laws", "catlearn.semirings:einsum"]) == 1
    assert "is a function; expected a Semiring" in capsys.readouterr().err
    assert main(["laws", "catlearn semirings"]) == 2
    assert "expected a module or module:attribute" in capsys.readouterr().err
    assert main(["laws", "catlearn.semirings:"]) == 2
    assert "expected module:attribute" in capsys.readouterr().err


LAWFUL_MODULE = """
import catlearn.semirings as semirings  # a module: skipped
from catlearn import laws
from catlearn.semirings import Boolean, Semiring, TopK, einsum  # Semiring, TopK, einsum: skipped


class FalselyIdempotentReal(semirings.Real):
    name = "FalselyIdempotentReal"
    idempotent = True  # a ⊕ a = 2a ≠ a


boolean = Boolean()  # the same suite as the class Boolean: checked once
same_boolean = boolean  # an alias: checked once
commutes = laws.semiring(Boolean())["additive_commutativity"]  # a Law, not a suite: skipped
SMALL = laws.LawSuite("small", (commutes,))
answer = 42
"""


def test_laws_command_checks_every_object_a_module_exports(tmp_path, monkeypatch, capsys):
    (tmp_path / "lawful_module.py").write_text(LAWFUL_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    code = main(["laws", "lawful_module", "--max-examples", "2", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["max_examples"] == 2
    suites = {s["suite"]: s for s in report["suites"]}
    assert list(suites) == ["semiring[Boolean]", "semiring[FalselyIdempotentReal]", "small"]
    assert suites["small"] == {"suite": "small", "laws": 1, "passed": 1,
                               "seconds": suites["small"]["seconds"]}  # fmt: skip
    assert suites["semiring[Boolean]"]["passed"] == suites["semiring[Boolean]"]["laws"]
    (failed,) = [r for r in report["results"] if r["status"] != "ok"]
    assert report["failed"] == 1 and failed["status"] == "violated"
    assert failed["law"] == "semiring[FalselyIdempotentReal]::idempotence"
    assert "fails for (0.0625): lhs = 0.125, rhs = 0.0625" in failed["message"]
    assert all(r["seconds"] >= 0 for r in report["results"])
    assert sum(r["seconds"] for r in report["results"]) == pytest.approx(report["seconds"])

    # __all__, when there is one, says what the module exports; a suite it exports wins
    # over the one catlearn would build for an object under the same name.
    exports = """
idempotent_laws = laws.LawSuite("semiring[FalselyIdempotentReal]", (commutes,))
__all__ = ["FalselyIdempotentReal", "idempotent_laws", "commutes"]
"""
    (tmp_path / "lawful_all.py").write_text(LAWFUL_MODULE + exports)
    assert main(["laws", "lawful_all", "--max-examples", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"semiring\[FalselyIdempotentReal\] +1/1 laws hold +\(.* s\)", out[0])
    assert out[1:3] == ["slowest laws:", out[2]] and out[2].endswith("::additive_commutativity")
    assert re.fullmatch(r"1 law in 1 suite: 1 holds, 0 failed, in \d+\.\d\d s", out[3])


def test_laws_command_prints_failures_with_their_times(tmp_path, monkeypatch, capsys):
    broken = """
WRONG = laws.LawSuite("wrong", tuple(laws.semiring(FalselyIdempotentReal())[name]
                                     for name in ("additive_commutativity", "idempotence")))
__all__ = ["SMALL", "WRONG"]
"""
    (tmp_path / "lawful_broken.py").write_text(LAWFUL_MODULE + broken)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["laws", "lawful_broken", "--max-examples", "2"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"small +1/1 laws hold +\(\d+\.\d\d s\)", out[0])
    assert re.fullmatch(r"wrong +1/2 laws hold +\(\d+\.\d\d s\)", out[1])
    assert re.fullmatch(
        r" +✗ semiring\[FalselyIdempotentReal\]::idempotence: violated \(\d+\.\d{3} s\)",
        out[2],
    )
    assert out[3] == "      (a⊕a = a) fails for (0.0625): lhs = 0.125, rhs = 0.0625"
    assert out[4] == "slowest laws:" and len(out) == 5 + 3 + 1
    assert re.fullmatch(r" +\d+\.\d{3} s  semiring\[\w+\]::\w+", out[5])
    assert re.fullmatch(r"3 laws in 2 suites: 2 hold, 1 failed, in \d+\.\d\d s", out[-1])


def test_laws_command_refuses_a_module_without_laws(tmp_path, monkeypatch, capsys):
    (tmp_path / "lawless.py").write_text("from catlearn.semirings import TopK\nanswer = 42\n")
    (tmp_path / "lawless_all.py").write_text("answer = 42\n__all__ = ['answer', 'question']\n")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", os.getcwd())])
    monkeypatch.chdir(tmp_path)  # found there, as `python -m` would: after site-packages
    assert main(["laws", "lawless"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("catlearn: error: lawless: the module exports nothing that catlearn")
    assert main(["laws", "lawless_all"]) == 1
    assert "__all__ names question, which the module does not define" in capsys.readouterr().err
    assert main(["laws", "no_such_module_here"]) == 1
    assert "cannot import no_such_module_here: no module named" in capsys.readouterr().err
    assert main(["laws", "catlearn.semirings.MaxPlus"]) == 1
    assert "write catlearn.semirings:MaxPlus" in capsys.readouterr().err


def _boolean_section(demo_run):
    # Wilson & Zanasi's iris experiment: the paper's accuracies, reproduced.
    rows = {(r["classes"], r["labels"]): r for r in demo_run[0]["boolean"]}
    # Wilson & Zanasi report 98% on two classes and 73.3% on three.
    assert rows[2, "binary"]["test_accuracy"] == 0.98
    assert round(rows[3, "onehot"]["test_accuracy"], 3) == 0.733
    assert all(r["n_train"] == 25 * r["classes"] for r in rows.values())
