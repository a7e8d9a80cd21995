"""Read and write the c2d / D4 ``.nnf`` format (d-DNNF from knowledge compilers).

The format: a header ``nnf v e n`` (nodes, edges, variables), then one
node per line, each referring only to earlier lines (0-based)::

    L lit            a DIMACS literal: v or -v
    A c i1 … ic      a conjunction of c children (A 0 is true)
    O j c i1 … ic    a disjunction; j ≠ 0 means the children disagree on variable j
                     (a decision node, deterministic by construction); O 0 0 is false

The last node is the root. ``c`` comment lines are skipped. The reader
streams the file, growing its arrays as it reads (never trusting the
header's counts with memory); anything malformed raises
:class:`NNFError` naming the line and what was wrong::

    >>> import io
    >>> text = "nnf 5 4 2\\nL 1\\nL 2\\nA 2 0 1\\nL -1\\nO 1 2 2 3\\n"
    >>> read_nnf(io.StringIO(text)).model_count()      # x1 x2 ∨ ¬x1, over 2 variables
    3
    >>> read_nnf(io.StringIO("nnf 1 0 1\\nL 2\\n"))
    Traceback (most recent call last):
    ...
    catlearn.circuits.nnf.NNFError: <stream>: line 2: literal 2 names no variable of 1..1
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from catlearn.circuits.circuit import CONST, LEAF, PRODUCT, SUM, Circuit, CircuitError
from catlearn.errors import NNFError

_MAX_COUNT = 1 << 40  # header counts above this are not a real file
_MAX_VARS = 1 << 26  # a per-variable table is allocated: refuse absurd variable counts


def _open(source: Any) -> tuple[IO[str], str, bool]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, encoding="ascii", errors="strict"), str(source), True
    if isinstance(source, io.TextIOBase) or hasattr(source, "read"):
        return source, getattr(source, "name", "<stream>"), False
    raise TypeError(f"read_nnf takes a path or a text stream, not {type(source).__name__}")


def read_nnf(source: Any) -> Circuit:
    """The circuit of a c2d/D4 ``.nnf`` file (a path or a text stream)."""
    stream, name, close = _open(source)
    try:
        return _parse(stream, name)
    except UnicodeDecodeError as error:
        raise NNFError(name, 0, f"not a text file ({error.reason})") from None
    finally:
        if close:
            stream.close()


def _numbers(parts: list[str], name: str, number: int) -> list[int]:
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


def _parse(stream: Iterable[str], name: str) -> Circuit:
    header = None
    number = 0
    for line in stream:
        number += 1
        parts = line.split()
        if not parts or parts[0] == "c":
            continue
        header = parts
        break
    if header is None:
        raise NNFError(name, number, "empty file: expected a header 'nnf v e n'")
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
    if n_vars > _MAX_VARS:
        raise NNFError(name, number, f"the header declares {n_vars} variables; at most {_MAX_VARS}")
    # Grown as the file is read, never preallocated from the header's claims.
    kind: list[int] = []
    var: list[int] = []
    state: list[int] = []
    decision: list[int] = []
    offsets: list[int] = [0]
    children: list[int] = []
    node = 0
    for line in stream:
        number += 1
        parts = line.split()
        if not parts or parts[0] == "c":
            continue
        if node >= n_nodes:
            raise NNFError(name, number, f"more nodes than the {n_nodes} the header declares")
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
            if count == 0:  # A 0 is true, O 0 0 is false
                kind.append(CONST)
                state.append(int(tag == "A"))
            else:
                kind.append(PRODUCT if tag == "A" else SUM)
                state.append(0)
            var.append(0)
            decision.append(j)
            children.extend(kids)
            offsets.append(len(children))
        else:
            raise NNFError(name, number, f"unknown node type {tag[:20]!r} (expected L, A or O)")
        node += 1
    if node != n_nodes:
        raise NNFError(name, number, f"the file ends after {node} of {n_nodes} declared nodes")
    if len(children) != n_edges:
        raise NNFError(
            name, number, f"the header declares {n_edges} edges but the nodes have {len(children)}"
        )
    n_states = np.full(n_vars + 1, 2, dtype=np.int64)
    n_states[0] = 0
    return Circuit.from_arrays(
        kind, offsets, np.asarray(children, dtype=np.int64), var, state, [n_nodes - 1],
        n_states, None, decision,
    )  # fmt: skip


def write_nnf(c: Circuit, target: Any) -> None:
    """Write a single-root, binary, unweighted circuit as ``.nnf`` (a path or a text stream)."""
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
