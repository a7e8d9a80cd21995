"""The ``catlearn`` command: ``catlearn demo``, ``catlearn laws``, ``catlearn --version``."""

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
    if isinstance(obj, type) and issubclass(obj, semirings.Semiring):
        obj = obj()
    if isinstance(obj, laws.LawSuite):
        return [obj]
    if isinstance(obj, semirings.Semiring):
        return [laws.semiring(obj)]
    if isinstance(obj, semirings.Homomorphism):
        return [laws.homomorphism(obj)]
    raise SystemExit(
        f"catlearn laws: {target} is a {type(obj).__name__}; expected a Semiring, "
        "a Homomorphism or a LawSuite"
    )


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
    args = parser.parse_args(argv)
    if args.command == "demo":
        from catlearn.demo import demo

        result = demo(args.out, progress=not (args.quiet or args.json))
        if args.json:
            json.dump(result, sys.stdout, indent=2)
            print()
        else:
            _print_demo(result)
        return 0
    if args.command == "laws":
        return _laws(args.target, args.max_examples, args.json)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
