"""The ``catlearn`` command: ``catlearn demo``, ``catlearn laws``, ``catlearn --version``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any


def _print_demo(result: dict[str, Any]) -> None:
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


def _laws(max_examples: int) -> int:
    from catlearn import laws, semirings

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
    failed = 0
    for S in instances:
        rows = laws.semiring(S).report(max_examples)
        bad = [(law, status) for law, status in rows if status != "ok"]
        failed += len(bad)
        print(f"{repr(S):<12} {len(rows) - len(bad):>3}/{len(rows)} laws hold")
        for _, status in bad:
            print(f"    {status}")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    from catlearn import __version__

    parser = argparse.ArgumentParser(prog="catlearn", description=__doc__)
    parser.add_argument("--version", action="version", version=f"catlearn {__version__}")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("demo", help="path problems in four semirings on embedded data")
    run.add_argument("--json", action="store_true", help="machine-readable output")
    check = sub.add_parser("laws", help="check the semiring laws of every built-in")
    check.add_argument("--examples", type=int, default=25, help="hypothesis examples per law")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from catlearn.demo import demo

        result = demo()
        if args.json:
            json.dump(result, sys.stdout, indent=2)
            print()
        else:
            _print_demo(result)
        return 0
    if args.command == "laws":
        return _laws(args.examples)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
