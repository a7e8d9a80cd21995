"""The ``catlearn`` command: ``catlearn demo``, ``catlearn laws``, ``catlearn --version``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np


def _graph() -> dict[str, Any]:
    return json.loads(resources.files("catlearn").joinpath("data/graph.json").read_text())


def demo() -> dict[str, Any]:
    """Path problems on the embedded road network, one semiring each."""
    from catlearn.semirings import Boolean, Counting, MinPlus, closure, einsum

    graph = _graph()
    nodes = graph["nodes"]
    index = {name: i for i, name in enumerate(nodes)}
    n = len(nodes)
    minutes = np.full((n, n), np.inf, dtype=np.float32)
    for src, dst, w in graph["edges"]:
        minutes[index[src], index[dst]] = w
    adjacency = np.isfinite(minutes)

    distance = np.asarray(closure(MinPlus(), minutes))
    reach = np.asarray(closure(Boolean(), adjacency))
    C = Counting()
    steps = 200
    walks = C.eye(n)
    edges = C.asarray(adjacency.astype(int))
    for _ in range(steps):
        walks = einsum(C, "ij,jk->ik", walks, edges)
    src, dst = index["Ashford"], index["Frome"]
    count = int(walks[src, dst])
    return {
        "graph": graph["description"],
        "shortest_minutes_from_Ashford": {
            nodes[j]: (None if np.isinf(d) else float(d)) for j, d in enumerate(distance[src])
        },
        "unreachable_pairs": [
            [nodes[i], nodes[j]] for i in range(n) for j in range(n) if not reach[i, j]
        ],
        "walks": {
            "from": "Ashford",
            "to": "Frome",
            "steps": steps,
            "count": str(count),
            "bits": count.bit_length(),
            "float64_error": str(count - int(float(count))),
        },
    }


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
