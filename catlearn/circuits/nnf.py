"""Read and write the c2d / D4 ``.nnf`` format (d-DNNF from knowledge compilers).

The format: a header ``nnf v e n`` (nodes, edges, variables), then one
node per line, each referring only to earlier lines (0-based)::

    L lit            a DIMACS literal: v or -v
    A c i1 … ic      a conjunction of c children (A 0 is true)
    O j c i1 … ic    a disjunction; j ≠ 0 claims the children disagree on variable j
                     (a decision node, so deterministic); O 0 0 is false

The last node is the root. ``c`` comment lines are skipped. The reader
streams the file (a path, a text stream, or a binary one read as ASCII),
growing its arrays as it reads (never trusting the header's counts with
memory). Numbers are ASCII decimal integers; the header's node, edge and
variable counts must match the file; a decision claim ``O j`` is verified
before it is believed (see ``catlearn.circuits.decisions``). Anything
malformed raises :class:`NNFError` naming the line and what was wrong::

    >>> import io
    >>> text = "nnf 5 4 2\\nL 1\\nL 2\\nA 2 0 1\\nL -1\\nO 1 2 2 3\\n"
    >>> read_nnf(io.StringIO(text)).model_count()      # x1 x2 ∨ ¬x1, over 2 variables
    3
    >>> read_nnf(io.StringIO("nnf 1 0 1\\nL 2\\n"))
    Traceback (most recent call last):
    ...
    catlearn.errors.NNFError: <stream>: line 2: literal 2 names no variable of 1..1
    >>> read_nnf(io.StringIO("nnf 3 2 2\\nL 1\\nL 2\\nO 1 2 0 1\\n"))   # x1 ∨ x2 decides nothing
    Traceback (most recent call last):
    ...
    catlearn.errors.NNFError: <stream>: line 4: 'O 1' (node 2) claims to decide ... variable 1
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from catlearn.circuits.circuit import (
    CONST,
    LEAF,
    MAX_VARS,
    PRODUCT,
    SUM,
    Circuit,
    CircuitError,
    require_circuit,
)
from catlearn.circuits.decisions import describe, false_claim
from catlearn.errors import ArgumentTypeError, NNFError

_MAX_COUNT = 1 << 40  # header counts above this are not a real file
_NOT_TEXT = re.compile(r"[^\x20-\x7e\t\r\n]")  # what a c2d/D4 file never holds
_NOT_DECIMAL = re.compile(r"[_+]")  # int() would read '1_0' as 10 and '+1' as 1
_SUSPECT = re.compile(r"[^\x20-\x2a\x2c-\x5e\x60-\x7e\t\r\n]")  # either of the above


def _open(source: Any) -> tuple[IO[Any], str, bool]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), str(source), True  # bytes: a bad byte names its line
    if hasattr(source, "read") or hasattr(source, "__next__"):
        return source, str(getattr(source, "name", "<stream>")), False
    raise ArgumentTypeError(
        f"read_nnf: source must be a path or a text or binary stream, not {type(source).__name__}"
    )


def read_nnf(source: Any) -> Circuit:
    """The circuit of a c2d/D4 ``.nnf`` file (a path, or a text or binary stream).

    The file must be ASCII text; every count (the header's, each line's child
    count) must match what the file holds, and every decision claim (``O j``)
    is verified (see ``catlearn.circuits.decisions``) before it is believed; a
    file that breaks these is an ``NNFError`` naming the line. A path that cannot
    be opened raises the builtin ``OSError`` naming it (``FileNotFoundError``,
    ``IsADirectoryError``, ``PermissionError``).
    """
    stream, name, close = _open(source)
    try:
        return _parse(_Lines(stream, name), name)
    finally:
        if close:
            stream.close()


class _Lines:
    """The non-blank, non-comment lines of a stream as token lists; ``number`` is the
    1-based number of the last line read. Text or bytes, strictly ASCII; a token with
    '_' or '+' is refused here (``int`` would read '1_0' as 10 and '+1' as 1)."""

    def __init__(self, stream: Any, name: str) -> None:
        self.name, self.number = name, 0
        self._parts = self._read(iter(stream))

    def __iter__(self) -> Iterator[list[str]]:
        return self._parts

    def __next__(self) -> list[str]:
        return next(self._parts)

    def _read(self, stream: Iterator[Any]) -> Iterator[list[str]]:
        # A generator: one Python frame for the whole file, not a call per line.
        name, number = self.name, 0
        while True:
            try:
                line = next(stream)
            except StopIteration:
                return
            except UnicodeDecodeError as error:  # the stream decodes ahead: here or later
                raise NNFError(
                    name, number + 1, f"not a text file ({error.reason}, at or after this line)"
                ) from None
            number = self.number = number + 1
            if line.__class__ is not str:
                line = self._text(line, number)
            if _SUSPECT.search(line):  # rare: find out what is wrong, if anything
                self._check(line, number)
            parts = line.split()
            if parts and parts[0] != "c":
                yield parts

    def _text(self, line: Any, number: int) -> str:
        if isinstance(line, str):
            return line
        if isinstance(line, (bytes, bytearray)):
            if not line.isascii():
                at = next(i for i, b in enumerate(line) if b > 127)
                raise NNFError(
                    self.name, number,
                    f"not a text file (byte 0x{line[at]:02x} at column {at + 1} is not ASCII)",
                )  # fmt: skip
            return line.decode("ascii")
        raise ArgumentTypeError(
            f"read_nnf: the stream yields {type(line).__name__}, not text or bytes"
        )

    def _check(self, line: str, number: int) -> None:
        bad = _NOT_TEXT.search(line)
        if bad:
            what = "non-ASCII" if bad.group() > "\x7f" else "control"
            raise NNFError(
                self.name, number,
                f"{what} character {bad.group()!r} at column {bad.start() + 1}: "
                "an .nnf file is ASCII text",
            )  # fmt: skip
        parts = line.split()
        if parts and parts[0] != "c":  # '_' and '+' are fine in a comment
            token = next(p for p in parts if _NOT_DECIMAL.search(p))
            raise NNFError(self.name, number, f"expected an integer, got {token[:20]!r}")


def _numbers(parts: list[str], name: str, number: int) -> list[int]:
    """ASCII decimal integers with an optional '-' (``_Lines`` refused '_' and '+')."""
    try:
        return [int(p) for p in parts]
    except ValueError:
        bad = next(p for p in parts if not _is_int(p))
        raise NNFError(name, number, f"expected an integer, got {bad[:20]!r}") from None


def _is_int(text: str) -> bool:
    try:
        int(text)
        return True
    except ValueError:
        return False


def _parse(lines: _Lines, name: str) -> Circuit:
    header = next(lines, None)
    if header is None:
        raise NNFError(name, lines.number, "empty file: expected a header 'nnf v e n'")
    number = lines.number
    if header[0] != "nnf" or len(header) != 4:
        raise NNFError(
            name, number, f"expected a header 'nnf v e n', got {' '.join(header)[:60]!r}"
        )
    n_nodes, n_edges, n_vars = _numbers(header[1:], name, number)
    for what, value in (("node", n_nodes), ("edge", n_edges), ("variable", n_vars)):
        if value < 0 or value > _MAX_COUNT:
            raise NNFError(name, number, f"header {what} count {value} is out of range")
    if n_nodes == 0:
        raise NNFError(name, number, "the header declares no nodes: there is no root")
    if n_vars > MAX_VARS:
        raise NNFError(name, number, f"the header declares {n_vars} variables; at most {MAX_VARS}")
    # Grown as the file is read, never preallocated from the header's claims.
    kind: list[int] = []
    var: list[int] = []
    state: list[int] = []
    decision: list[int] = []
    offsets: list[int] = [0]
    children: list[int] = []
    line_of: list[int] = []  # each node's line, to name it in errors found later
    node = 0
    for parts in lines:
        number = lines.number
        if node >= n_nodes:
            raise NNFError(name, number, f"more nodes than the {n_nodes} the header declares")
        if len(children) > n_edges:
            raise NNFError(name, number, f"more edges than the {n_edges} the header declares")
        tag = parts[0]
        if tag == "L":
            if len(parts) != 2:
                raise NNFError(name, number, "a literal line is 'L lit'")
            (lit,) = _numbers(parts[1:], name, number)
            if lit == 0 or abs(lit) > n_vars:
                raise NNFError(
                    name, number,
                    f"literal {lit} names no variable of 1..{n_vars}",
                )  # fmt: skip
            kind.append(LEAF)
            var.append(abs(lit))
            state.append(int(lit > 0))
            decision.append(0)
            offsets.append(len(children))
        elif tag in ("A", "O"):
            numbers = _numbers(parts[1:], name, number)
            if tag == "O":
                if len(numbers) < 2:
                    raise NNFError(name, number, "a disjunction line is 'O j c i1 … ic'")
                j, numbers = numbers[0], numbers[1:]
                if j < 0 or j > n_vars:
                    raise NNFError(name, number, f"decision variable {j} is outside 0..{n_vars}")
            else:
                j = 0
            if not numbers:
                raise NNFError(name, number, f"'{tag}' needs a child count")
            count, kids = numbers[0], numbers[1:]
            if count != len(kids):
                raise NNFError(
                    name, number, f"the line says {count} children but lists {len(kids)}"
                )
            for k in kids:
                if k < 0 or k >= node:
                    raise NNFError(
                        name, number,
                        f"child {k} does not refer to an earlier node (this is node {node})",
                    )  # fmt: skip
            if count == 0:  # A 0 is true, O j 0 is false (a claim about no children holds)
                kind.append(CONST)
                state.append(int(tag == "A"))
                decision.append(0)
            else:
                kind.append(PRODUCT if tag == "A" else SUM)
                state.append(0)
                decision.append(j)
            var.append(0)
            children.extend(kids)
            offsets.append(len(children))
        else:
            raise NNFError(name, number, f"unknown node type {tag[:20]!r} (expected L, A or O)")
        line_of.append(number)
        node += 1
    number = lines.number
    if node != n_nodes:
        raise NNFError(name, number, f"the file ends after {node} of {n_nodes} declared nodes")
    if len(children) != n_edges:
        raise NNFError(
            name, number, f"the header declares {n_edges} edges but the nodes have {len(children)}"
        )
    n_states = np.full(n_vars + 1, 2, dtype=np.int64)
    n_states[0] = 0
    c = Circuit._structure(
        kind, offsets, np.asarray(children, dtype=np.int64), var, state, [n_nodes - 1],
        n_states, None, decision,
    )  # fmt: skip
    claim = false_claim(c)
    if claim is not None:
        what = f"'O {claim.variable}' (node {claim.node})"
        raise NNFError(
            name, line_of[claim.node], describe(claim, what, f"line {line_of[claim.child]}")
        )
    return c


def write_nnf(c: Circuit, target: Any) -> None:
    """Write a single-root, binary, unweighted circuit as ``.nnf`` (a path or a text stream)."""
    c = require_circuit(c, "c")
    if not isinstance(target, (str, os.PathLike)) and not hasattr(target, "write"):
        raise ArgumentTypeError(
            f"write_nnf: target must be a path or a text stream, not {type(target).__name__}"
        )
    if c.roots.size != 1:
        raise CircuitError("the .nnf format has one root; this circuit has several")
    if np.any(c.n_states[1:] != 2):
        raise CircuitError("the .nnf format has binary variables only")
    if c.weights is not None and np.any(c.weights != 1.0):
        raise CircuitError("the .nnf format has no edge weights; this circuit is weighted")
    # Only nodes below the root are written, renumbered in order, root last.
    keep = np.zeros(c.n_nodes, dtype=bool)
    keep[c.roots[0]] = True
    for node in range(int(c.roots[0]), -1, -1):
        if keep[node]:
            keep[c.children_of(node)] = True
    keep[c.roots[0] + 1 :] = False
    new = np.cumsum(keep) - 1
    lines = []
    edges = 0
    for node in np.flatnonzero(keep).tolist():
        k = c.kind[node]
        if k == LEAF:
            lines.append(f"L {int(c.var[node]) if c.state[node] else -int(c.var[node])}")
        elif k == CONST:
            lines.append("A 0" if c.state[node] else "O 0 0")
        else:
            kids = new[c.children_of(node)].tolist()
            edges += len(kids)
            body = f"{len(kids)} " + " ".join(map(str, kids))
            lines.append(f"A {body}" if k == PRODUCT else f"O {int(c.decision[node])} {body}")
    text = f"nnf {len(lines)} {edges} {c.n_vars}\n" + "\n".join(lines) + "\n"
    if isinstance(target, (str, os.PathLike)):
        with open(target, "w", encoding="ascii") as f:
            f.write(text)
    else:
        target.write(text)
