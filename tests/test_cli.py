"""The `catlearn` command: demo (text and JSON), laws, version."""

import contextlib
import io
import json
import math
from pathlib import Path

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
    assert any("idempotence" in r["law"] and "fails for" in r["result"] for r in report["results"])


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
    assert main(["laws", "catlearn.semirings"]) == 2
    assert "expected module:attribute" in capsys.readouterr().err


def _boolean_section(demo_run):
    # Wilson & Zanasi's iris experiment: the paper's accuracies, reproduced.
    rows = {(r["classes"], r["labels"]): r for r in demo_run[0]["boolean"]}
    # Wilson & Zanasi report 98% on two classes and 73.3% on three.
    assert rows[2, "binary"]["test_accuracy"] == 0.98
    assert round(rows[3, "onehot"]["test_accuracy"], 3) == 0.733
    assert all(r["n_train"] == 25 * r["classes"] for r in rows.values())
