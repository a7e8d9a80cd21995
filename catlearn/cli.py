"""The ``catlearn`` command: ``demo``, ``laws``, ``circuit``, ``draw``, ``--version``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any


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


def _suites(target: str | None) -> list[Any]:
    """The suites to run: the built-in semirings, or what ``module:attr`` names."""
    from importlib import import_module

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
    module, _, attr = target.partition(":")
    if not attr:
        raise SystemExit(f"catlearn laws: name an object as module:attribute, got {target!r}")
    obj = getattr(import_module(module), attr)
    suites = _suites_for(obj)
    if suites is None:
        raise SystemExit(
            f"catlearn laws: {target} is a {type(obj).__name__}; expected a Semiring, "
            "a Homomorphism, a TensorFunctor or FunctionFunctor, a Monoid, a circuit "
            "transformation (annotated Circuit -> Circuit) or a LawSuite"
        )
    return suites


def _suites_for(obj: Any) -> list[Any] | None:
    """The suites that check ``obj``, by what it is; None if catlearn cannot tell."""
    import inspect
    import typing

    import jax.numpy as jnp

    from catlearn import functors, laws, semirings
    from catlearn.circuits import Circuit

    if isinstance(obj, type) and issubclass(obj, semirings.Semiring):
        obj = obj()
    if isinstance(obj, laws.LawSuite):
        return [obj]
    if isinstance(obj, semirings.Semiring):
        return [laws.semiring(obj)]
    if isinstance(obj, semirings.Homomorphism):
        return [laws.homomorphism(obj)]
    if isinstance(obj, (functors.TensorFunctor, functors.FunctionFunctor)):
        if not obj.signature:
            raise SystemExit(
                "catlearn laws: the functor's ar names no boxes (it is keyed by names or is "
                "a function), so its signature is unknown; hand in laws.functor(F, [boxes])"
            )
        return [laws.functor(obj, list(obj.signature))]
    if isinstance(obj, functors.Monoid):
        # Merging wires has no order, so a merge monoid must also be commutative.
        items = laws.strategies.dyadic(-4, 4).map(jnp.float32)
        unit = lambda: obj.unit((), jnp.float32)  # noqa: E731
        return [laws.monoid("monoid", obj.combine, unit, items, laws.equality(), commutative=True)]
    if callable(obj):
        try:
            hints = typing.get_type_hints(obj)
        except Exception:  # unresolvable annotations: not a transformation we can tell
            hints = {}
        params = [p for p in inspect.signature(obj).parameters if p in hints]
        if hints.get("return") is Circuit and params and hints[params[0]] is Circuit:
            return [laws.transformation(obj)]
    return None


def _laws(target: str | None, max_examples: int, as_json: bool) -> int:
    results = []
    for suite in _suites(target):
        for law_id, result in suite.report(max_examples):
            results.append({"suite": suite.name, "law": law_id, "result": result})
    failed = [r for r in results if not r["result"].startswith(("ok", "inapplicable", "expected"))]
    if as_json:
        json.dump({"results": results, "failed": len(failed)}, sys.stdout, indent=2)
        print()
        return 1 if failed else 0
    for suite in dict.fromkeys(r["suite"] for r in results):
        rows = [r for r in results if r["suite"] == suite]
        bad = [r for r in rows if r in failed]
        print(f"{suite:<28} {len(rows) - len(bad):>3}/{len(rows)} laws hold")
        for r in rows:
            if r in failed or not r["result"].startswith("ok"):
                print(f"    {r['result'] if r in failed else r['law'] + ': ' + r['result']}")
    return 1 if failed else 0


def _circuit(path: str, query: str, weights_path: str | None, as_json: bool) -> int:
    import time

    import numpy as np

    from catlearn.circuits import CircuitError, read_nnf
    from catlearn.circuits.weights import read_weights

    try:
        start = time.perf_counter()
        c = read_nnf(path)
        read_s = time.perf_counter() - start
        weights = read_weights(weights_path) if weights_path else None
        start = time.perf_counter()
        if query == "count":
            answer: Any = c.model_count()
            shown = str(answer)
        elif query == "sat":
            answer = c.is_satisfiable()
            shown = str(answer)
        elif query == "wmc":
            answer = float(c.wmc(weights, log=True))
            shown = f"log WMC = {answer:.10g}  (WMC = {np.exp(answer):.10g})"
        elif query == "mpe":
            value, assignment = c.mpe(weights)
            answer = {"value": value, "assignment": assignment}
            shown = f"{value:.10g} at " + " ".join(
                str(v if s else -v) for v, s in assignment.items()
            )
        else:
            m = c.marginals(weights)
            answer = {str(v): float(m[v - 1, 1]) for v in range(1, c.n_vars + 1)}
            shown = "\n".join(f"  P(x{v}) = {p:.6g}" for v, p in answer.items())
        query_s = time.perf_counter() - start
    except (CircuitError, OSError) as error:
        print(f"catlearn circuit: {error}", file=sys.stderr)
        return 1
    if as_json:
        json.dump(
            {"file": path, "circuit": repr(c), "query": query,
             "answer": str(answer) if query == "count" else answer,
             "read_seconds": read_s, "query_seconds": query_s},
            sys.stdout, indent=2,
        )  # fmt: skip
        print()
    else:
        print(f"{path}: {c!r}, read in {read_s:.3f} s")
        print(f"{query}: {shown}" if "\n" not in shown else f"{query}:\n{shown}")
        print(f"({query_s:.3f} s)")
    return 0


def _draw(target: str, out: str | None, engine: str) -> int:
    """Draw an .nnf file's circuit, or the diagram or circuit that ``module:attr`` names."""
    from importlib import import_module
    from pathlib import Path

    from catlearn.draw import DrawingError, draw
    from catlearn.errors import CatlearnError

    try:
        if target.endswith(".nnf"):
            from catlearn.circuits import read_nnf

            obj, stem = read_nnf(target), Path(target).stem
        elif ":" in target:
            module, _, attr = target.partition(":")
            obj, stem = getattr(import_module(module), attr), attr
            obj = obj() if callable(obj) and not hasattr(obj, "dom") else obj
        else:
            raise DrawingError(f"{target!r}: expected a .nnf file or module:attribute")
        path = draw(obj, out or f"{stem}.png", engine=engine)
    except (OSError, ImportError, AttributeError, CatlearnError) as error:
        print(f"catlearn draw: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from catlearn import __version__

    parser = argparse.ArgumentParser(prog="catlearn", description=__doc__)
    parser.add_argument("--version", action="version", version=f"catlearn {__version__}")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "demo", help="train a model diagram, and path problems in four semirings, on embedded data"
    )
    run.add_argument("--out", default="catlearn-demo", help="folder for the pictures")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--json", action="store_true", help="machine-readable output")
    check = sub.add_parser(
        "laws", help="check laws: of every built-in semiring, or of module:attribute"
    )
    check.add_argument("target", nargs="?", help="a Semiring, Homomorphism or LawSuite")
    check.add_argument("--max-examples", type=int, default=25, help="examples per law")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    circ = sub.add_parser("circuit", help="exact queries on a c2d/D4 .nnf file")
    circ.add_argument("file", help="a .nnf file")
    circ.add_argument(
        "--query", choices=["count", "wmc", "mpe", "marginals", "sat"], default="count"
    )
    circ.add_argument("--weights", help="literal weights: JSON {lit: w} or 'lit w' lines")
    circ.add_argument("--json", action="store_true", help="machine-readable output")
    pic = sub.add_parser("draw", help="draw a .nnf circuit, or a diagram named module:attr")
    pic.add_argument("target", help="FILE.nnf, or module:attr (a diagram, circuit, or a "
                     "function of no arguments returning one)")  # fmt: skip
    pic.add_argument("--out", help="a .png or .svg file (default: TARGET.png)")
    pic.add_argument("--engine", choices=["auto", "graphviz", "matplotlib"], default="auto")
    args = parser.parse_args(argv)
    if args.command == "draw":
        return _draw(args.target, args.out, args.engine)
    if args.command == "demo":
        from catlearn.demo import demo

        result = demo(args.out, progress=not (args.quiet or args.json))
        if args.json:
            json.dump(result, sys.stdout, indent=2)
            print()
        else:
            _print_demo(result)
        return 0
    if args.command == "circuit":
        return _circuit(args.file, args.query, args.weights, args.json)
    if args.command == "laws":
        return _laws(args.target, args.max_examples, args.json)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
