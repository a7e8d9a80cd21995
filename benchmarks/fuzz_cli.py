"""A long fuzz run of the ``catlearn`` command line: every outcome must be exit 0, or
exit 1 or 2 with one line on stderr (``catlearn: error: …``); anything else is a crash.

Run from the repository root::

    python benchmarks/fuzz_cli.py 100000     # a few minutes on one core

Argument lists are built from the real subcommands and options plus hostile
values: missing values, options of other commands, bad and huge numbers,
unicode, empty strings, NUL characters, nonexistent paths, folders, paths
inside a file, files of random bytes, small NNF files (valid or not) with
broken weights files. Each list is handed to ``catlearn.cli.main`` in-process,
stdout and stderr captured, from a scratch folder (so that default outputs
land there), with every Python warning shown (a real run would show it once).

Long jobs are left out, so each call stays cheap: ``demo`` is given folders
that cannot be made and ``laws`` targets that are no law suite, and should a
command line still be a valid demo or law run (noise can make one), the
demo's training and the law checks are replaced by a stub that stops it as
soon as every check before the work has passed; such lines are counted as
"valid long job, not run". Circuit queries on the small files and small
drawings do run.

A crash is an exception escaping ``main``, an exit status other than 0, 1, 2,
stderr that is not one line (or is on exit 0), or the one-line report of a
bug in catlearn. Prints the counts, the wall time and each crash's argv;
exits 1 if there was any.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import catlearn.demo.model  # noqa: E402
from catlearn.circuits import CircuitBuilder, write_nnf  # noqa: E402
from catlearn.cli import main  # noqa: E402
from catlearn.laws import LawSuite  # noqa: E402


class LongJob(BaseException):
    """A valid long job reached its work (a demo's training, a law check): stop it there.

    Not an ``Exception``, so that ``main``'s error handling lets it through."""


def _refuse(*args, **kwargs):
    raise LongJob


def scratch(rng: random.Random, root: Path) -> dict[str, list[str]]:
    """The files and paths the argument lists draw on, made under ``root``."""
    nnf, weights = [], []
    for i in range(8):
        b = CircuitBuilder()
        n = rng.randint(1, 4)
        nodes = [b.literal(v, rng.random() < 0.5) for v in range(1, n + 1)]
        for _ in range(rng.randint(0, 6)):
            kids = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
            nodes.append(b.product(kids) if rng.random() < 0.5 else b.sum(kids))
        path = root / f"c{i}.nnf"
        write_nnf(b.build([nodes[-1]], n_vars=n), str(path))
        nnf.append(str(path))
    bad_nnf = {
        "random.nnf": bytes(rng.randrange(256) for _ in range(64)),
        "empty.nnf": b"",
        "latin1.nnf": "nnf 1 0 1\nL 1 é\n".encode("latin-1"),
        "forward.nnf": b"nnf 2 1 1\nA 1 1\nL 1\n",
        "huge.nnf": b"nnf 99999999999999999999 0 1\nL 1\n",
    }
    texts = {
        "ok.txt": "1 0.5\n-1 0.5\n",
        "ok.json": '{"1": 0.25, "-1": 0.75}',
        "nan.txt": "1 nan\n",
        "negative.txt": "1 -2\n",
        "inf.txt": "w 1 inf 0\n",
        "overflow.txt": "1 1e400\n",
        "literal0.txt": "0 0.5\n",
        "far.txt": "99999999999999999999 0.5\n",
        "three.txt": "1 0.5 7 8\n",
        "null.json": '{"1": null}',
        "list.json": "[1, 2]",
        "nested.json": '{"1": [0.5]}',
        "key.json": '{"x": 0.5}',
        "bad.json": "{1: 0.5",
        "bool.json": '{"1": true}',
        "empty.txt": "",
        "unicode.txt": "١ ٠٫٥\n",
    }
    for name, data in bad_nnf.items():
        (root / name).write_bytes(data)
        nnf.append(str(root / name))
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
        weights.append(str(root / name))
    (root / "random.bin").write_bytes(bytes(rng.randrange(256) for _ in range(40)))
    (root / "latin1.txt").write_bytes("1 0,5 é\n".encode("latin-1"))
    weights += [str(root / "random.bin"), str(root / "latin1.txt")]
    (root / "folder.nnf").mkdir()
    (root / "folder.png").mkdir()
    (root / "plain").write_text("a file, not a folder")
    missing = [str(root / "missing.nnf"), str(root / "nowhere" / "x.nnf"), "", "\x00.nnf",
               str(root / "plain" / "x.nnf"), "x" * 5000 + ".nnf", "ü/ñ/☃.nnf",
               str(root / "folder.nnf")]  # fmt: skip
    pictures = [str(root / "p.png"), str(root / "p.svg"), "p.PNG", str(root / "folder.png"),
                str(root / "plain" / "p.png"), str(root / "nowhere" / "p.png"), "p.jpg", "",
                "\x00.png", "x" * 5000 + ".png", "/sys/p.png", "☃.svg", ".png"]  # fmt: skip
    folders = [str(root / "plain"), str(root / "plain" / "sub"), "/sys/x", "/proc/x", "",
               "\x00", "x" * 5000]  # fmt: skip
    return {"nnf": nnf + missing, "weights": weights + missing, "pictures": pictures,
            "folders": folders}  # fmt: skip


OBJECTS = ["nosuchmod:X", "catlearn.nosuch:X", "catlearn:nosuch", "catlearn.semirings:Zn",
           "catlearn.semirings:einsum", "catlearn.semirings:Semiring", "catlearn:__version__",
           "catlearn.semirings:Real.nosuch", "catlearn.circuits:Circuit",
           "catlearn.diagrams.polycirc:OR", "catlearn.diagrams.polycirc:lookup_table",
           "catlearn.errors:CatlearnError", "catlearn.semirings:", ":Real", "a b:c",
           "catlearn..semirings:Real", "catlearn.semirings:Real:x", "𝔠𝔞𝔱:x"]  # fmt: skip
HOSTILE = ["", " ", "-", "--", "-1", "0", "1e3", "nan", "inf", "٣", "9" * 30, "9" * 5000,
           "--max-examples", "--query", "--weights", "--out", "--engine", "--json", "--quiet",
           "--help", "-h", "--version", "--bogus", "laws", "demo", "circuit", "draw",
           "ü", "☃", "\u2028", "\x85", "a\nb", "\udcff", "\x00", "=", "--out=", "--query=wmc",
           "--max-examples=3", "--max-ex", "--weights="]  # fmt: skip
QUERIES = ["count", "sat", "wmc", "mpe", "marginals", "WMC", "", "nope"]
ENGINES = ["auto", "graphviz", "matplotlib", "dot", ""]


def argv(rng: random.Random, files: dict[str, list[str]]) -> list[str]:
    """One command line: a subcommand, its options with good and bad values, then noise."""
    command = rng.choice(["circuit", "circuit", "circuit", "draw", "draw", "laws", "demo", None])
    args: list[str] = []
    if command == "circuit":
        args = ["circuit", rng.choice(files["nnf"])]
        if rng.random() < 0.7:
            args += ["--query", rng.choice(QUERIES)]
        if rng.random() < 0.7:
            args += ["--weights", rng.choice(files["weights"])]
        if rng.random() < 0.3:
            args.append("--json")
    elif command == "draw":
        target = rng.choice(files["nnf"] + OBJECTS)
        args = ["draw", target, "--out", rng.choice(files["pictures"])]
        if rng.random() < 0.3:
            args += ["--engine", rng.choice(ENGINES)]
    elif command == "laws":
        args = ["laws", rng.choice(OBJECTS)]  # none is a law suite
        if rng.random() < 0.5:
            args += ["--max-examples", rng.choice(["0", "-1", "abc", "1", "٣", "9" * 30, ""])]
        if rng.random() < 0.3:
            args.append("--json")
    elif command == "demo":
        args = ["demo", "--out", rng.choice(files["folders"])]  # none can be made
        args += rng.sample(["--quiet", "--json"], rng.randint(0, 2))
    for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2, 3])):
        move = rng.randrange(4)
        if move == 0 and args:
            del args[rng.randrange(len(args))]  # a missing value, or a missing subcommand
        elif move == 1:
            args.insert(rng.randrange(len(args) + 1), rng.choice(HOSTILE))
        elif move == 2 and args:
            args = args[: rng.randrange(len(args))]
        else:
            args.append(rng.choice(HOSTILE + files["nnf"] + OBJECTS))
    return args


def run(args: list[str]) -> tuple[str, str]:
    """(outcome, detail) of one command line."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    except LongJob:
        return "valid long job, not run", ""
    except BaseException as error:  # noqa: BLE001 - anything escaping main is the crash we seek
        return "crash", f"{type(error).__name__}: {error!r:.300}"
    lines = err.getvalue().splitlines()
    if code == 0:
        return ("exit 0", "") if not lines else ("crash", f"exit 0 with stderr {lines!r:.300}")
    if code not in (1, 2):
        return "crash", f"exit {code!r}, stderr {lines!r:.300}"
    if len(lines) != 1 or not lines[0].startswith("catlearn: error: "):
        return "crash", f"exit {code}, stderr not one error line: {lines!r:.300}"
    if "a bug in catlearn" in lines[0]:
        return "crash", lines[0][:300]
    return f"exit {code}, one line", ""


def fuzz(count: int) -> int:
    rng = random.Random(0)
    catlearn.demo.model.train = _refuse
    LawSuite.report = _refuse
    LawSuite.check = _refuse
    warnings.simplefilter("always")
    outcomes: collections.Counter = collections.Counter()
    crashes = []
    with tempfile.TemporaryDirectory() as folder:
        files = scratch(rng, Path(folder))
        os.chdir(folder)
        start = time.perf_counter()
        for _ in range(count):
            args = argv(rng, files)
            outcome, detail = run(args)
            outcomes[outcome] += 1
            if outcome == "crash":
                crashes.append((args, detail))
        elapsed = time.perf_counter() - start
    print(f"{count} command lines in {elapsed:.1f} s: {dict(outcomes)}")
    for args, detail in crashes[:20]:
        print(f"  CRASH {detail}\n    argv = {[a[:80] for a in args]!r}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(fuzz(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
