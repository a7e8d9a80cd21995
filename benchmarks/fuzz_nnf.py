"""A long fuzz run of ``read_nnf``: every outcome must be a circuit or an ``NNFError``.

Run from the repository root::

    python benchmarks/fuzz_nnf.py 100000     # about a minute on one core

Inputs are mutations of valid files (written by ``write_nnf`` from random
circuits): truncations, header counts changed, references pointed forward
or out of range, literals out of range, huge numbers, tokens swapped,
lines duplicated or dropped, and random bytes (including invalid UTF-8).
Prints how many inputs parsed, how many raised ``NNFError``, and any other
exception (which would be a bug) with the input that caused it.
"""

from __future__ import annotations

import collections
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.circuits import CircuitBuilder, NNFError, read_nnf, write_nnf  # noqa: E402


def seed_files(rng: random.Random, count: int = 30) -> list[str]:
    files = []
    for _ in range(count):
        b = CircuitBuilder()
        n = rng.randint(1, 6)
        nodes = [b.literal(v, rng.random() < 0.5) for v in range(1, n + 1)]
        for _ in range(rng.randint(0, 12)):
            kids = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
            nodes.append(b.product(kids) if rng.random() < 0.5 else b.sum(kids))
        text = io.StringIO()
        write_nnf(b.build([nodes[-1]], n_vars=n), text)
        files.append(text.getvalue())
    return files


TOKENS = ["L", "A", "O", "nnf", "c", "0", "1", "-1", "2", "-7", "999999999999999999999999",
          "1e3", "0x10", "", "\t", "nan"]  # fmt: skip


def mutate(text: str, rng: random.Random) -> str | bytes:
    lines = text.splitlines()
    move = rng.randrange(9)
    if move == 0:
        return text[: rng.randrange(len(text) + 1)]
    if move == 1:  # header counts
        parts = lines[0].split()
        parts[rng.randrange(1, 4)] = str(rng.choice([-1, 0, 1, 2, 10 ** rng.randint(1, 30)]))
        return "\n".join([" ".join(parts), *lines[1:]])
    if move == 2 and len(lines) > 1:  # a reference forward, backward or out of range
        i = rng.randrange(1, len(lines))
        parts = lines[i].split()
        j = rng.randrange(1, len(parts)) if len(parts) > 1 else 0
        parts[j] = str(rng.choice([i, i + 5, -3, 10**25, len(lines) * 2]))
        lines[i] = " ".join(parts)
        return "\n".join(lines)
    if move == 3 and len(lines) > 1:  # swap tokens
        i = rng.randrange(1, len(lines))
        parts = lines[i].split()
        parts[rng.randrange(len(parts))] = rng.choice(TOKENS)
        lines[i] = " ".join(parts)
        return "\n".join(lines)
    if move == 4:  # duplicate or drop a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i]) if rng.random() < 0.5 else lines.pop(i)
        return "\n".join(lines)
    if move == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
    if move == 6:  # junk bytes in a valid file
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if move == 7:
        return " ".join(rng.choice(TOKENS) for _ in range(rng.randrange(20)))
    return "\n".join(lines + [" ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 5)))])


def main(count: int) -> int:
    rng = random.Random(0)
    seeds = seed_files(rng)
    outcomes: collections.Counter = collections.Counter()
    bugs = []
    start = time.perf_counter()
    for _ in range(count):
        data = mutate(rng.choice(seeds), rng)
        stream = (
            io.TextIOWrapper(io.BytesIO(data), encoding="ascii", errors="strict")
            if isinstance(data, bytes)
            else io.StringIO(data)
        )
        try:
            read_nnf(stream)
            outcomes["parsed"] += 1
        except NNFError:
            outcomes["NNFError"] += 1
        except Exception as error:  # noqa: BLE001 - anything else is the bug we look for
            outcomes[type(error).__name__] += 1
            bugs.append((data, repr(error)))
    elapsed = time.perf_counter() - start
    print(f"{count} inputs in {elapsed:.1f} s: {dict(outcomes)}")
    for data, error in bugs[:10]:
        print(f"  BUG {error} on {data!r:.200}")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
