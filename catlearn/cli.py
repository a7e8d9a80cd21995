"""The ``catlearn`` command: ``demo``, ``laws``, ``circuit``, ``draw``, ``--version``.

Exit status: 0 when the command succeeds; 1 when it fails (a file, module or
object it names is missing, unreadable, malformed or of the wrong kind, an
output folder cannot be written, a query is refused, a law fails); 2 when the
command line itself is wrong (an unknown command or option, a missing or
out-of-range value, a target of the wrong form). An error is one line on
stderr, ``catlearn: error: …``, naming the culprit, and every check that needs
no work (options, input files, output folders) runs before any work starts.
Any other exception is a bug in catlearn: one line says so, and
``CATLEARN_DEBUG=1`` lets it (and any error) through with its traceback.
Ctrl-C exits with 130.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from catlearn.errors import ArgumentTypeError, ArgumentValueError, CatlearnError

if TYPE_CHECKING:
    from catlearn.laws import LawReport

MAX_EXAMPLES = 10**6  # per law: beyond this a run takes days, so it is a slip
EPILOG = (
    "exit status: 0 success; 1 failure (a missing, unreadable or malformed input, an "
    "unwritable output folder, a refused query, a failing law); 2 a wrong command line. "
    "Errors are one line on stderr; CATLEARN_DEBUG=1 shows the traceback of an "
    "unexpected error (a bug in catlearn)."
)


def _print_model(m: dict[str, Any]) -> None:
    print(f"Model as a diagram: {m['diagram']}, {m['boxes']} boxes, {m['parameters']} parameters")
    print(f"  trained on {m['dataset']}: {m['epochs']} epochs, {m['steps']} Adam steps")
    folds = ", ".join(f"{a:.0%}" for a in m["fold_test_accuracy"])
    print(
        f"  accuracy: train {m['train_accuracy']:.1%}, held out {m['test_accuracy']:.1%} "
        f"(folds: {folds})"
    )
    print(
        f"  compile {m['compile_seconds']:.2f} s, then {m['ms_per_epoch']:.2f} ms per epoch "
        f"({m['ms_per_step'] * 1e3:.0f} µs per step)"
    )
    for what, path in m["files"].items():
        print(f"  {what.replace('_', ' ')}: {path}")


def _print_circuit(c: dict[str, Any]) -> None:
    t = c["seconds"]
    print(f"\nCircuit from {c['file']} (x1 + … + x80 = 40, a d-DNNF): {c['circuit']}")
    print(f"  exact model count {c['model_count']} ({c['bits']} bits; C(80, 40) = {c['expected']})")
    print(f"  P(exactly 40 true) under independent priors: exp({c['log_probability']:.4f})")
    print(f"  MPE: probability {c['mpe_probability']:.3g}, {c['mpe_true_odd']} of 40 odd vars true")
    ms = {k: f"{v * 1e3:.0f} ms" for k, v in t.items()}
    print(f"  read {ms['read']}, count {ms['count']}, WMC {ms['wmc']} (first call, with compile)")


def _print_boolean(rows: list[dict[str, Any]]) -> None:
    print("\nBoolean circuit learned over GF2 by Reverse Derivative Ascent (iris, 4 bits):")
    for r in rows:
        print(
            f"  {r['classes']} classes, {r['labels']:<6} labels: test {r['test_accuracy']:.1%} "
            f"(train {r['train_accuracy']:.1%}, {r['n_train']}/{r['n_test']} flowers), "
            f"{r['epoch_ms']:.2f} ms per epoch"
        )


def _print_demo(result: dict[str, Any]) -> None:
    _print_model(result["model"])
    print()
    print(result["graph"])
    print("\nShortest travel time from Ashford (MinPlus closure):")
    for town, d in result["shortest_minutes_from_Ashford"].items():
        print(f"  {town:<8} {'unreachable' if d is None else f'{d:5.0f} min'}")
    unreachable = result["unreachable_pairs"]
    print(f"\nReachability (Boolean closure): {len(unreachable)} ordered pairs unreachable,")
    print("  e.g. " + ", ".join(f"{a}→{b}" for a, b in unreachable[:4]))
    w = result["walks"]
    print(f"\nExact walk count (Counting): {w['from']}→{w['to']} in {w['steps']} steps =")
    print(f"  {w['count']}  ({w['bits']} bits;")
    print(f"  float64 would be off by {w['float64_error']})")
    m = result["diagram"]
    print(f"\nDiagram → one contraction (TensorFunctor): {m['name']},")
    print(f"  {m['boxes']} boxes in {m['layers']} DisCoPy layers; value {m['value']:.6g}")
    print(
        f"  first call {m['first_call_ms']:.0f} ms (trace + compile), "
        f"then {m['steady_us']:.0f} µs per evaluation"
    )
    if "circuit" in result:
        _print_circuit(result["circuit"])
    if "boolean" in result:
        _print_boolean(result["boolean"])
    if "meaning" in result:
        _print_meaning(result["meaning"])


def _print_meaning(m: dict[str, Any]) -> None:
    split = m["split"]
    print(
        f"\nWord meanings from sentence diagrams (Corpus): {m['sentences']} sentences, "
        f"{m['structures']} grammatical structures, {m['words']} words; e.g. "
        f"{m['example']!r} is about {m['example_topic']}"
    )
    for name, what in (("tensor", "TensorAnsatz, n = s = R^2"), ("quantum", "IQPAnsatz, 1 qubit")):
        r = m[name]
        acc = r["accuracy"]
        print(
            f"  {name} model ({what}): compile {r['compile_s']:.1f} s, {r['step_ms']:.2f} ms "
            f"per step over {split['train']} sentences; accuracy train {acc['train']:.0%}, "
            f"dev {acc['dev']:.0%} ({split['dev']}), test {acc['test']:.0%} ({split['test']})"
        )
    if "loss_png" in m:
        print(f"  loss curves: {m['loss_png']}")


CHECKABLE = (  # what `catlearn laws` can check
    "a Semiring (or a class of one that needs no arguments), a Homomorphism, a "
    "TensorFunctor or FunctionFunctor, a Monoid, a circuit transformation (annotated "
    "Circuit -> Circuit) or a LawSuite"
)


def _suites(target: str | None) -> list[Any]:
    """The suites to run: the built-in semirings, what ``module:attr`` names, or a module's."""
    from catlearn import laws, semirings

    if target is None:
        instances = [
            semirings.Real(),
            semirings.Log(),
            semirings.MaxPlus(),
            semirings.MinPlus(),
            semirings.Viterbi(),
            semirings.Boolean(),
            semirings.Counting(),
            semirings.GF2,
            semirings.Fuzzy(),
            semirings.Lukasiewicz(),
            semirings.Expectation,
            semirings.TopK(2),
            semirings.Polynomial(),
        ]
        return [laws.semiring(S) for S in instances]
    if ":" not in target:
        return _module_suites(target)
    obj = _named(target)
    suites = _suites_for(obj, target)
    if suites is None:
        what = f"the class {obj.__name__}" if isinstance(obj, type) else f"a {type(obj).__name__}"
        raise ArgumentTypeError(f"{target} is {what}; expected {CHECKABLE}")
    return suites


def _module_suites(name: str) -> list[Any]:
    """The suites of every object that module ``name`` exports and catlearn can check.

    Its exports are its ``__all__``, else its public names (defined or imported there,
    as ``from name import *`` reads them). An object that is none of the kinds
    ``_suites_for`` knows, or one that cannot be built as it is (a class whose
    constructor needs arguments, a base class), is skipped; one of a known kind that
    cannot be checked (its constructor raised, a functor without a signature) is
    skipped with a note on stderr. A suite met twice (an alias; a class and its
    instance) runs once, and a ``LawSuite`` the module exports wins over the one
    catlearn would build under the same name (it may say how to draw elements).
    """
    module = _imported(name, name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    elif isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"{name}: __all__ is not a list of names: {names!r:.60}")
    found: list[tuple[Any, bool]] = []  # (suite, whether the module exports it as such)
    seen: set[int] = set()
    for attribute in names:
        try:
            obj = getattr(module, attribute)
        except Exception:  # AttributeError, or a lazy attribute failing to load
            raise ArgumentValueError(
                f"{name}: __all__ names {attribute}, which the module does not define"
            ) from None
        if id(obj) in seen or isinstance(obj, types.ModuleType):
            continue
        seen.add(id(obj))
        try:
            built = _suites_for(obj, f"{name}:{attribute}")
        except ArgumentTypeError:  # not checkable as it is: needs arguments, a base class
            continue
        except ArgumentValueError as error:
            print(f"catlearn: note: skipped {error}", file=sys.stderr)
            continue
        found.extend((suite, suite is obj) for suite in built or ())
    given = {suite.name for suite, exported in found if exported}
    suites: list[Any] = []
    for suite, exported in found:
        if exported or suite.name not in given | {s.name for s in suites}:
            suites.append(suite)
    if not suites:
        raise ArgumentValueError(
            f"{name}: the module exports nothing that catlearn can check; expected {CHECKABLE}"
        )
    return suites


def _suites_for(obj: Any, target: str) -> list[Any] | None:
    """The suites that check ``obj``, by what it is; None if catlearn cannot tell."""
    import typing

    import jax.numpy as jnp

    from catlearn import functors, laws, semirings
    from catlearn.circuits import Circuit

    if isinstance(obj, type) and issubclass(obj, semirings.Semiring):
        obj = _made(obj, target)
    if isinstance(obj, laws.LawSuite):
        return [obj]
    if isinstance(obj, semirings.Semiring):
        return [laws.semiring(obj)]
    if isinstance(obj, semirings.Homomorphism):
        return [laws.homomorphism(obj)]
    if isinstance(obj, (functors.TensorFunctor, functors.FunctionFunctor)):
        if not obj.signature:
            raise ArgumentValueError(
                f"{target}: the functor's ar names no boxes (it is keyed by names or is a "
                "function), so its signature is unknown; hand in laws.functor(F, [boxes])"
            )
        return [laws.functor(obj, list(obj.signature))]
    if isinstance(obj, functors.Monoid):
        # Merging wires has no order, so a merge monoid must also be commutative.
        items = laws.strategies.dyadic(-4, 4).map(jnp.float32)
        unit = lambda: obj.unit((), jnp.float32)  # noqa: E731
        return [laws.monoid("monoid", obj.combine, unit, items, laws.equality(), commutative=True)]
    if callable(obj) and not isinstance(obj, type):
        try:
            hints = typing.get_type_hints(obj)
            params = [p for p in inspect.signature(obj).parameters if p in hints]
        except Exception:  # unresolvable annotations, no signature: not one we can tell
            return None
        if hints.get("return") is Circuit and params and hints[params[0]] is Circuit:
            return [laws.transformation(obj)]
    return None


def _laws(target: str | None, max_examples: int, as_json: bool) -> int:
    """Check the suites; a line per suite as each finishes, then the slowest laws."""
    from catlearn.laws import LawReport, report

    rows = []
    for suite in _suites(target):
        part = report(suite, max_examples=max_examples)
        rows.extend(part.rows)
        if not as_json:
            _print_suite(part)
    result = LawReport(tuple(rows), max_examples)
    if as_json:
        json.dump(result.to_dict(), sys.stdout, indent=2)
        print()
        return 1 if result.failed else 0
    print("slowest laws:")
    for r in result.slowest(5):
        print(f"  {r.seconds:8.3f} s  {r.law}")
    failed = len(result.failed)
    held = len(result) - failed
    print(
        f"{_count(len(result), 'law')} in {_count(len(result.by_suite), 'suite')}: {held} "
        f"hold{'s' if held == 1 else ''}, {failed} failed, in {result.seconds:.2f} s"
    )
    return 1 if failed else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_suite(part: LawReport) -> None:
    """One suite's line (laws that hold, time), then its failures and declared exceptions."""
    (name, rows), *_ = part.by_suite.items()
    held = sum(not r.failed for r in rows)
    print(f"{name:<28} {held:>3}/{len(rows)} laws hold  ({part.seconds:.2f} s)")
    for r in rows:
        if r.failed:
            print(f"  ✗ {r.law}: {r.status} ({r.seconds:.3f} s)")
            print(f"      {' '.join(r.message.removeprefix(r.law).split())}")
        elif r.status != "ok":
            print(f"    {r.law}: {r}")
    sys.stdout.flush()  # a long run shows each suite as it finishes


def _circuit(path: str, query: str, weights_path: str | None, as_json: bool) -> int:
    import time

    import numpy as np

    from catlearn.circuits import read_nnf

    _readable(path, "FILE")  # both files before reading either: no work is wasted
    if weights_path is not None:
        _readable(weights_path, "--weights")
    start = time.perf_counter()
    c = read_nnf(path)
    read_s = time.perf_counter() - start
    weights = _weights(weights_path, c.n_vars) if weights_path is not None else None
    start = time.perf_counter()
    if query == "count":
        answer: Any = c.model_count()
        shown = str(answer)
    elif query == "sat":
        answer = bool(c.is_satisfiable())
        shown = str(answer)
    elif query == "wmc":
        answer = float(c.wmc(weights, log=True))
        shown = f"log WMC = {answer:.10g}  (WMC = {np.exp(answer):.10g})"
    elif query == "mpe":
        value, assignment = c.mpe(weights)
        answer = {"value": float(value), "assignment": {int(v): bool(s) for v, s in
                                                        assignment.items()}}  # fmt: skip
        shown = f"{value:.10g} at " + " ".join(str(v if s else -v) for v, s in assignment.items())
    else:
        m = c.marginals(weights)
        answer = {str(v): float(m[v - 1, 1]) for v in range(1, c.n_vars + 1)}
        shown = "\n".join(f"  P(x{v}) = {p:.6g}" for v, p in answer.items())
    query_s = time.perf_counter() - start
    if as_json:
        json.dump(
            {"file": _shown(path), "circuit": repr(c), "query": query,
             "answer": str(answer) if query == "count" else answer,
             "read_seconds": read_s, "query_seconds": query_s},
            sys.stdout, indent=2,
        )  # fmt: skip
        print()
    else:
        print(f"{_shown(path)}: {c!r}, read in {read_s:.3f} s")
        print(f"{query}: {shown}" if "\n" not in shown else f"{query}:\n{shown}")
        print(f"({query_s:.3f} s)")
    return 0


def _weights(path: str, n_vars: int) -> dict[int, float]:
    """The weights file's ``{literal: weight}``, checked against what the queries need.

    ``read_weights`` already refuses bytes that are not UTF-8 and weights that are
    not finite, naming the line; what it cannot know is the circuit and the query.
    """
    from catlearn.circuits import CircuitError
    from catlearn.circuits.weights import read_weights

    weights = read_weights(path)
    for literal, weight in weights.items():
        if literal == 0 or abs(literal) > n_vars:
            raise CircuitError(
                f"--weights {path!r}: literal {literal} names no variable of the circuit "
                f"(1..{n_vars}, or its negation)"
            )
        if weight < 0:  # the queries work in log space: a negative weight has no log
            raise CircuitError(
                f"--weights {path!r}: literal {literal} has weight {weight}; "
                "weights must be finite and ≥ 0"
            )
    return weights


def _draw(target: str, out: str | None, engine: str) -> int:
    """Draw an .nnf file's circuit, or the diagram or circuit that ``module:attr`` names."""
    from catlearn.draw import draw, drawable, picture_path

    nnf = target.endswith(".nnf")
    if nnf:
        _readable(target, "TARGET")
    stem = Path(target).stem if nnf else target.rpartition(":")[2].rpartition(".")[2]
    path = picture_path(out or f"{stem or 'picture'}.png", "--out")  # before any work
    if nnf:
        from catlearn.circuits import read_nnf

        obj = read_nnf(target)
    else:
        obj = _named(target)
        if inspect.isroutine(obj):  # a function that builds the picture's subject
            obj = _made(obj, target)
    drawable(obj, target)
    print(_shown(draw(obj, path, engine=engine)))
    return 0


def _named(target: str) -> Any:
    """The object that ``module:attribute`` names, or an error saying what is missing."""
    module, _, attribute = target.partition(":")
    obj = _imported(module, target)
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except Exception:
            raise ArgumentValueError(f"{target}: {module} has no attribute {attribute}") from None
    return obj


def _imported(module: str, target: str) -> types.ModuleType:
    """Module ``module``, or an error naming ``target`` and saying why it cannot be imported."""
    from importlib import import_module

    try:
        try:
            return import_module(module)
        except ModuleNotFoundError as error:
            here = os.getcwd()
            if error.name != module.partition(".")[0] or {"", here} & set(sys.path):
                raise
            # `catlearn laws mymodule` run next to mymodule.py, as `python -m` would find it
            # (after the installed packages, so that a local file shadows none of them).
            sys.path.append(here)
            return import_module(module)
    except ModuleNotFoundError as error:
        missing = f"no module named {error.name!r}" if error.name else str(error)
        parent, _, last = module.rpartition(".")
        if error.name == module and parent and ":" not in target:
            try:  # `pkg.mod.Name` for `pkg.mod:Name`: say how to name an object
                if hasattr(import_module(parent), last):
                    missing += f"; for the object {last} in {parent}, write {parent}:{last}"
            except Exception:
                pass
        raise ArgumentValueError(f"{target}: cannot import {module}: {missing}") from None
    except Exception as error:  # the module's own code failed: say how, in one line
        raise ArgumentValueError(
            f"{target}: importing {module} raised {type(error).__name__}: {error}"
        ) from None


def _made(maker: Any, target: str) -> Any:
    """``maker()``, for a class or function that ``target`` names and that needs no arguments."""
    name = getattr(maker, "__name__", type(maker).__name__)
    try:
        parameters = inspect.signature(maker).parameters.values()
    except (TypeError, ValueError):  # no signature to read: calling it will tell
        parameters = []
    needed = [p.name for p in parameters if p.default is p.empty and p.kind not in (
        p.VAR_POSITIONAL, p.VAR_KEYWORD)]  # fmt: skip
    if needed:
        raise ArgumentTypeError(
            f"{target}: {name}() needs {', '.join(needed)}; name an instance (or a function "
            "of no arguments) instead"
        )
    try:
        return maker()
    except Exception as error:
        raise ArgumentValueError(
            f"{target}: {name}() raised {type(error).__name__}: {error}"
        ) from None


def _readable(path: str, what: str) -> None:
    """Fail now, naming ``what``, unless ``path`` is a file that can be opened for reading."""
    try:
        if os.path.isdir(path):
            raise ArgumentValueError(f"{what} {path!r} is a folder, not a file")
        with open(path, "rb"):
            pass
    except OSError as error:
        raise ArgumentValueError(f"cannot read {what} {path!r}: {error.strerror}") from None


def _shown(path: Any) -> str:
    """A path as text that any terminal takes (undecodable bytes shown as �)."""
    return os.fsencode(str(path)).decode("utf-8", "replace")


# -- the command line ----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said in one line (the usage is one --help away)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.partition(" ")[2]
        _say(f"{command + ': ' if command else ''}{message} (see {self.prog} --help)")
        self.exit(2)


def _examples(text: str) -> int:
    # ASCII digits only: int() would also read "５" and "1_0", which the file readers refuse.
    n = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= n <= MAX_EXAMPLES:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_EXAMPLES}, got {text!r:.40}"
        )
    return n


def _path(text: str) -> str:
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"expected a path, got {text!r:.60}")
    return text


def _object_name(text: str) -> str:
    module, colon, attribute = text.partition(":")
    if not (colon and _dotted(module) and _dotted(attribute)):
        raise argparse.ArgumentTypeError(
            f"expected module:attribute (such as catlearn.semirings:MaxPlus), got {text!r:.60}"
        )
    return text


def _laws_target(text: str) -> str:
    if ":" in text:
        return _object_name(text)
    if not _dotted(text):
        raise argparse.ArgumentTypeError(
            "expected a module or module:attribute (such as catlearn.semirings:MaxPlus), "
            f"got {text!r:.60}"
        )
    return text


def _dotted(name: str) -> bool:
    return all(part.isidentifier() for part in name.split("."))


def _draw_target(text: str) -> str:
    if text.endswith(".nnf"):
        return _path(text)
    if ":" not in text:
        raise argparse.ArgumentTypeError(f"expected FILE.nnf or module:attribute, got {text!r:.60}")
    return _object_name(text)


def _picture_name(text: str) -> str:
    if Path(text).suffix.lower() not in (".png", ".svg") or "\0" in text:
        raise argparse.ArgumentTypeError(f"expected a .png or .svg file, got {text!r:.60}")
    return text


def _parser() -> argparse.ArgumentParser:
    from catlearn import __version__

    parser = _Parser(prog="catlearn", description=__doc__.splitlines()[0], epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"catlearn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{demo,laws,circuit,draw}")
    run = sub.add_parser(
        "demo",
        help="train a model diagram, path problems in four semirings, circuits and word "
        "meanings, on embedded data",
    )
    run.add_argument(
        "--out", type=_path, default="catlearn-demo",
        help="folder for the pictures (created; checked writable before training)",
    )  # fmt: skip
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--json", action="store_true", help="machine-readable output")
    check = sub.add_parser(
        "laws",
        help="check laws: of every built-in semiring, of module:attribute, or of every "
        "checkable object a module exports",
    )
    check.add_argument(
        "target", nargs="?", type=_laws_target, metavar="MODULE[:ATTRIBUTE]",
        help="module:attribute naming a Semiring (or a class of one that needs no "
        "arguments), Homomorphism, functor, Monoid, circuit transformation or LawSuite; "
        "or a module, to check every such object it exports (its __all__, else its "
        "public names)",
    )  # fmt: skip
    check.add_argument(
        "--max-examples", type=_examples, default=25,
        help=f"examples per law, 1 to {MAX_EXAMPLES} (default 25)",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="machine-readable output")
    circ = sub.add_parser("circuit", help="exact queries on a c2d/D4 .nnf file")
    circ.add_argument("file", type=_path, metavar="FILE", help="a .nnf file")
    circ.add_argument(
        "--query", choices=["count", "wmc", "mpe", "marginals", "sat"], default="count"
    )
    circ.add_argument(
        "--weights", type=_path,
        help="literal weights, finite and ≥ 0: JSON {lit: w} or 'lit w' lines",
    )  # fmt: skip
    circ.add_argument("--json", action="store_true", help="machine-readable output")
    pic = sub.add_parser("draw", help="draw a .nnf circuit, or a diagram named module:attr")
    pic.add_argument("target", type=_draw_target, metavar="TARGET",
                     help="FILE.nnf, or module:attr (a diagram, circuit, or a function of no "
                     "arguments returning one)")  # fmt: skip
    pic.add_argument("--out", type=_picture_name, help="a .png or .svg file (default: TARGET.png)")
    pic.add_argument("--engine", choices=["auto", "graphviz", "matplotlib"], default="auto")
    return parser


def _demo(out: str, quiet: bool, as_json: bool) -> int:
    import catlearn.demo

    catlearn.demo.output_folder(out, "--out")  # before a minute of training, not after
    result = catlearn.demo.demo(out, progress=not (quiet or as_json))
    if as_json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        _print_demo(result)
    return 0


def _say(message: str) -> None:
    line = " ".join(message.split())  # one line, whatever the message holds
    line = line if len(line) <= 1000 else line[:999] + "…"
    print(f"catlearn: error: {line}", file=sys.stderr)


def _failed(error: Exception) -> int:
    """Say in one line what went wrong: the input's fault, or a bug in catlearn."""
    if isinstance(error, CatlearnError):
        _say(str(error))
    elif isinstance(error, OSError):
        where = f"{error.filename!r}: " if error.filename is not None else ""
        _say(f"{where}{error.strerror or error}")
    elif isinstance(error, UnicodeDecodeError):
        _say(f"an input is not UTF-8 text ({error.reason} at byte {error.start})")
    else:
        _say(
            f"a bug in catlearn: {type(error).__name__}: {error} (run again with "
            "CATLEARN_DEBUG=1 to see the traceback, and please report it)"
        )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``catlearn`` on ``argv`` (default: the process's arguments); the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error already said
        return stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 2
    if args.command is None:
        _say("name a command: demo, laws, circuit or draw (see catlearn --help)")
        return 2
    try:
        if args.command == "demo":
            return _demo(args.out, args.quiet, args.json)
        if args.command == "laws":
            return _laws(args.target, args.max_examples, args.json)
        if args.command == "circuit":
            return _circuit(args.file, args.query, args.weights, args.json)
        return _draw(args.target, args.out, args.engine)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as error:
        if os.environ.get("CATLEARN_DEBUG"):
            raise
        return _failed(error)


if __name__ == "__main__":
    sys.exit(main())
