"""A long fuzz run of the circuit readers, ``read_nnf`` and ``read_weights``.

Run from the repository root::

    python benchmarks/fuzz_nnf.py 100000     # inputs per reader; minutes on one core

Every outcome must be a typed error (``NNFError`` / ``CircuitError``) or a
*correct* parse. Inputs are mutations of valid files: truncations, header
counts changed, references pointed forward or out of range, literals out of
range, decision variables changed (a lie, which the reader must refuse),
numbers written with '_', '+' or non-ASCII digits, tokens swapped, lines
duplicated or dropped, random bytes (including invalid UTF-8). A parsed
``.nnf`` file is checked against an independent reading of its text: its
formula is evaluated on every assignment (bitsets, for ≤ 12 variables), each
decision claim must hold on every assignment, and the model count and
``is_deterministic`` must match. A parsed weights file must equal an
independent parse of the documented grammar.

Prints, per reader, the inputs that parsed and were correct, the typed
errors, the crashes (any other exception) and the wrong answers, with the
first few offending inputs; exits 1 on any crash or wrong answer.
"""

from __future__ import annotations

import collections
import io
import json
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catlearn.circuits import (  # noqa: E402
    CircuitBuilder,
    CircuitError,
    NNFError,
    exactly_k_of_n,
    parity,
    read_nnf,
    write_nnf,
)
from catlearn.circuits.weights import read_weights  # noqa: E402

ENUMERABLE = 12  # variables up to which a parsed file's formula is enumerated

# -- .nnf inputs ----------------------------------------------------------------------------


def nnf_seeds(rng: random.Random, count: int = 30) -> list[str]:
    """Random DAGs without claims, and decision-DNNFs (cardinality, parity, decision trees)."""
    circuits = []
    for _ in range(count):
        b = CircuitBuilder()
        n = rng.randint(1, 6)
        nodes = [b.literal(v, rng.random() < 0.5) for v in range(1, n + 1)]
        for _ in range(rng.randint(0, 12)):
            kids = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
            nodes.append(b.product(kids) if rng.random() < 0.5 else b.sum(kids))
        circuits.append(b.build([nodes[-1]], n_vars=n))
    for n in range(1, 6):
        circuits += [parity(n, bool(n % 2)), exactly_k_of_n(n, rng.randint(0, n))]
        circuits.append(decision_tree(rng, n))
    files = []
    for c in circuits:
        text = io.StringIO()
        write_nnf(c, text)
        files.append(text.getvalue())
    return files


def decision_tree(rng: random.Random, n: int):
    """A random decision tree over x1..xn with true/false leaves: a d-DNNF full of claims."""
    b = CircuitBuilder()

    def grow(v: int) -> int:
        if v > n or rng.random() < 0.2:
            return b.constant(rng.random() < 0.7)
        x, nx = b.literal(v), b.literal(v, False)
        return b.sum([b.product([x, grow(v + 1)]), b.product([nx, grow(v + 1)])], decision=v)

    return b.build([grow(1)], n_vars=n)


TOKENS = ["L", "A", "O", "nnf", "c", "0", "1", "-1", "2", "-7", "999999999999999999999999",
          "1e3", "0x10", "", "\t", "nan", "1_0", "+1", "１", "٣", "-0", "\x1c", "\x00"]  # fmt: skip


def mutate_nnf(text: str, rng: random.Random) -> str | bytes:
    lines = text.splitlines()
    move = rng.randrange(11)
    if move == 0:
        return text[: rng.randrange(len(text) + 1)]
    if move == 1:  # header counts
        parts = lines[0].split()
        parts[rng.randrange(1, 4)] = str(rng.choice([-1, 0, 1, 2, 7, 10 ** rng.randint(1, 30)]))
        return "\n".join([" ".join(parts), *lines[1:]])
    if move == 2 and len(lines) > 1:  # a reference forward, backward or out of range
        i = rng.randrange(1, len(lines))
        parts = lines[i].split()
        j = rng.randrange(1, len(parts)) if len(parts) > 1 else 0
        parts[j] = str(rng.choice([i - 2, i, i + 5, -3, 10**25, len(lines) * 2]))
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
    if move in (8, 9):  # a decision claim changed: mostly a lie the reader must refuse
        claims = [i for i, line in enumerate(lines) if line.startswith("O ")]
        n_vars = int(lines[0].split()[3])
        if claims:
            i = rng.choice(claims)
            parts = lines[i].split()
            parts[1] = str(rng.randint(0, n_vars))
            if move == 9 and len(parts) > 3:  # and a child pointed elsewhere
                parts[rng.randrange(3, len(parts))] = str(rng.randrange(max(1, i - 1)))
            lines[i] = " ".join(parts)
            return "\n".join(lines)
    return "\n".join(lines + [" ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 5)))])


def reference_nnf(data: str | bytes):
    """An independent reading of a file the reader accepted: (n_vars, per-node (tag, j,
    kids, literal)), or a string saying why the strict grammar rejects the text."""
    text = data.decode("ascii") if isinstance(data, bytes) else data
    rows = [line.split() for line in text.split("\n")]
    rows = [r for r in rows if r and r[0] != "c"]

    def integer(token: str) -> int:
        body = token[1:] if token.startswith("-") else token
        if not body or any(ch not in "0123456789" for ch in body):
            raise ValueError(token)
        return int(token)

    try:
        _, n, e, v = rows[0][0], *map(integer, rows[0][1:])
        nodes = []
        for r in rows[1:]:
            if r[0] == "L":
                nodes.append(("L", 0, [], integer(r[1])))
            else:
                numbers = [integer(t) for t in r[1:]]
                j = numbers.pop(0) if r[0] == "O" else 0
                nodes.append((r[0], j, numbers[1:], 0))
    except (ValueError, IndexError) as error:
        return f"the strict grammar rejects it ({error!r})"
    if len(nodes) != n or sum(len(k) for _, _, k, _ in nodes) != e:
        return "the counts differ"
    return v, nodes


def check_nnf(data: str | bytes, c) -> str | None:
    """None if the parsed circuit ``c`` is right about the file, else what is wrong."""
    ref = reference_nnf(data)
    if isinstance(ref, str):
        return ref
    n_vars, nodes = ref
    if c.n_vars != n_vars or c.n_nodes != len(nodes):
        return f"sizes: {c.n_vars} variables, {c.n_nodes} nodes"
    used = sorted({abs(lit) for tag, _, _, lit in nodes if tag == "L"})
    if len(used) > ENUMERABLE:
        return "skip"
    bit = {v: i for i, v in enumerate(used)}
    every = (1 << (1 << len(used))) - 1
    var_mask = {}  # the assignments (of the used variables) where x_v = 1
    for v, i in bit.items():
        var_mask[v] = sum(1 << a for a in range(1 << len(used)) if a >> i & 1)
    masks = []
    for tag, j, kids, lit in nodes:
        if tag == "L":
            masks.append(var_mask[abs(lit)] if lit > 0 else every & ~var_mask[abs(lit)])
        elif tag == "A":
            m = every
            for k in kids:
                m &= masks[k]
            masks.append(m)
        else:
            m = 0
            for k in kids:
                m |= masks[k]
            masks.append(m)
            if j and kids:  # an accepted claim must hold on every assignment
                on = var_mask.get(j, 0)  # a variable the formula never mentions: both states
                states = []
                for k in kids:
                    if masks[k] == 0:
                        continue
                    if masks[k] & ~on == 0 and j in bit:
                        states.append(1)
                    elif masks[k] & on == 0:
                        states.append(0)
                    else:
                        return f"accepted a false claim: node {len(masks) - 1} decides {j}"
                if len(set(states)) != len(states):
                    return f"accepted a false claim: node {len(masks) - 1} (same state twice)"
    if n_vars > 64:  # the claims were checked; a count over so many variables is not run
        return "skip"
    disjoint = all(
        not any(masks[a] & masks[b] for a, b in _pairs(kids))
        for tag, _, kids, _ in nodes
        if tag == "O"
    )
    if c.is_deterministic() != disjoint:
        return f"is_deterministic() says {not disjoint}"
    try:
        got = c.model_count()
    except CircuitError:  # not decomposable, or not deterministic: refused, typed
        return "refused"
    want = bin(masks[-1]).count("1") << (n_vars - len(used))
    if not disjoint or got != want:
        return f"model_count() = {got}, the formula has {want} models"
    return None


def _pairs(items: list) -> list:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1 :]]


# -- weights inputs -------------------------------------------------------------------------


def weight_seeds(rng: random.Random, count: int = 30) -> list[str]:
    files = []
    for _ in range(count):
        lits = rng.sample([v * s for v in range(1, 9) for s in (1, -1)], rng.randint(0, 8))
        weights = {lit: round(rng.uniform(-2, 3), rng.randint(0, 6)) for lit in lits}
        style = rng.randrange(4)
        if style == 0:
            files.append(json.dumps({str(k): v for k, v in weights.items()}))
        else:
            prefix = ["", "w ", "c p weight "][style - 1]
            end = " 0" if style == 3 or (style == 2 and rng.random() < 0.5) else ""
            lines = [f"{prefix}{lit} {w}{end}" for lit, w in weights.items()]
            files.append("c weights\n" + "\n".join(lines) + "\n")
    return files


WEIGHT_TOKENS = ["1", "-1", "0", "0.5", "-0.25", "1e3", "1e999", "nan", "NaN", "inf",
                 "Infinity", "1_0", "+1", "１", "٣", "0x1", "", "w", "c", '"1"', "{", "}",
                 ",", ":", "true", "null", "-", ".", "1.", ".5", "1e", "\x00", "é"]  # fmt: skip


def mutate_weights(text: str, rng: random.Random) -> str | bytes:
    move = rng.randrange(7)
    if move == 0:
        return text[: rng.randrange(len(text) + 1)]
    if move == 1:  # a token swapped
        tokens = text.replace("\n", " \n ").split(" ")
        if tokens:
            tokens[rng.randrange(len(tokens))] = rng.choice(WEIGHT_TOKENS)
        return " ".join(tokens).replace(" \n ", "\n")
    if move == 2:  # a line duplicated (a literal given twice) or dropped
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i]) if rng.random() < 0.7 else lines.pop(i)
        return "\n".join(lines)
    if move == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
    if move == 4:
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 3)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if move == 5:  # a JSON key repeated, or a value replaced
        if text.startswith("{") and len(text) > 2:
            return text[:-1] + rng.choice([', "1": 2}', ', "01": 1}', ', "1": NaN}',
                                           ', "2": "3"}', ', "3": [1]}', ', "0": 1}'])  # fmt: skip
    return text + rng.choice(WEIGHT_TOKENS) + rng.choice(["", "\n", " 0.5\n"])


def _no_constant(token: str) -> None:
    raise ValueError(token)  # NaN, Infinity: not weights


def reference_weights(data: str | bytes) -> dict | None:
    """The documented grammar, read independently; None where it refuses the input."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")

    def literal(token: str) -> int | None:
        body = token.removeprefix("-")
        if not body or any(ch not in "0123456789" for ch in body) or int(token) == 0:
            return None
        return int(token)

    def number(token: str) -> float | None:
        if not token or any(ch not in "0123456789.-+eE" for ch in token):
            return None
        try:
            x = float(token)
        except ValueError:
            return None
        return x if math.isfinite(x) else None

    out: dict = {}
    if text.lstrip().startswith("{"):
        try:
            pairs = json.loads(text, object_pairs_hook=list, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return None
        for key, value in pairs:
            lit = literal(key)
            if lit is None or lit in out or isinstance(value, bool):
                return None
            try:
                x = float(value) if isinstance(value, (int, float)) else math.nan
            except OverflowError:  # an integer past float's range
                x = math.inf
            if not math.isfinite(x):
                return None
            out[lit] = x
        return out
    for line in text.split("\n"):
        parts = line.split()
        if parts[:3] == ["c", "p", "weight"]:
            parts = parts[3:]
        elif not parts or parts[0] == "c":
            continue
        elif parts[0] == "w":
            parts = parts[1:]
        if len(parts) == 3 and parts[2] == "0":
            parts = parts[:2]
        if len(parts) != 2:
            return None
        lit, w = literal(parts[0]), number(parts[1])
        if lit is None or w is None or lit in out:
            return None
        out[lit] = w
    return out


# -- the run --------------------------------------------------------------------------------


def _stream(data: str | bytes):
    if isinstance(data, bytes):
        return io.BytesIO(data)
    return io.StringIO(data)


def run_reader(name, count, seeds, mutate, read, check, typed, rng, accepts=None) -> list:
    """Fuzz one reader; ``accepts(data)``, if given, says whether a refusal was wrong."""
    outcomes: collections.Counter = collections.Counter()
    bugs = []
    start = time.perf_counter()
    for _ in range(count):
        data = mutate(rng.choice(seeds), rng)
        try:
            parsed = read(_stream(data))
        except typed:
            if accepts is not None and accepts(data):
                outcomes["wrong answer"] += 1
                bugs.append(("wrong", data, "a valid input was refused"))
            else:
                outcomes["typed error"] += 1
            continue
        except Exception as error:  # noqa: BLE001 - anything else is the bug we look for
            outcomes["crash"] += 1
            bugs.append(("crash", data, repr(error)))
            continue
        try:
            wrong = check(data, parsed)
        except Exception as error:  # noqa: BLE001 - a query on a parsed circuit crashed
            outcomes["crash"] += 1
            bugs.append(("crash in a query", data, repr(error)))
            continue
        if wrong == "skip":
            outcomes["parsed and correct (claims checked, > 64 variables: not counted)"] += 1
        elif wrong == "refused":
            outcomes["parsed and correct (claims checked, count refused: typed)"] += 1
        elif wrong:
            outcomes["wrong answer"] += 1
            bugs.append(("wrong", data, wrong))
        else:
            outcomes["parsed and correct"] += 1
    elapsed = time.perf_counter() - start
    order = ["parsed and correct", "typed error", "crash", "wrong answer"]
    shown = ", ".join(f"{k}: {outcomes[k]}" for k in order + sorted(set(outcomes) - set(order)))
    print(f"{name}: {count} inputs in {elapsed:.1f} s: {shown}")
    for what, data, error in bugs[:10]:
        print(f"  BUG ({what}) {error} on {data!r:.200}")
    return bugs


def check_weights(data: str | bytes, parsed: dict) -> str | None:
    want = reference_weights(data)
    if want is None:
        return f"accepted what the grammar refuses: {parsed!r:.80}"
    if parsed != want or any(not isinstance(k, int) or k == 0 for k in parsed):
        return f"read {parsed!r:.80}, the grammar says {want!r:.80}"
    return None


def main(count: int) -> int:
    rng = random.Random(0)
    bugs = run_reader("read_nnf", count, nnf_seeds(rng), mutate_nnf, read_nnf, check_nnf,
                      NNFError, rng)  # fmt: skip
    # Every refusal must be a CircuitError, and only of what the grammar refuses.
    bugs += run_reader("read_weights", count, weight_seeds(rng), mutate_weights, read_weights,
                       check_weights, CircuitError, rng,
                       accepts=lambda data: reference_weights(data) is not None)  # fmt: skip
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
