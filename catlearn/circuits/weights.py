"""Literal-weight files for the ``catlearn circuit`` command.

Two formats: a JSON object ``{"1": 0.3, "-1": 0.7, …}`` (DIMACS literal →
weight), or text lines ``lit weight`` (also ``w lit weight [0]`` and ``c p
weight lit weight 0``, as in model-counting competition files; other ``c``
lines are comments). Literals not listed weigh 1.

Literals are ASCII decimal integers other than 0; weights are finite
decimal numbers (``0.25``, ``-1``, ``3e-2``: negative ones are signed
weights, which only real-valued WMC accepts). Anything else — a literal
given twice, ``1_0`` or non-ASCII digits (which Python's ``int`` would
read), ``NaN``, ``Infinity``, an overflow to ∞, bytes that are not UTF-8 —
is a :class:`CircuitError` naming the file and the line::

    >>> import io
    >>> read_weights(io.StringIO("c weights\\n1 0.3\\n-1 0.7\\n"))
    {1: 0.3, -1: 0.7}
    >>> read_weights(io.StringIO("1 0.3\\n1 0.5\\n"))
    Traceback (most recent call last):
    ...
    catlearn.errors.CircuitError: <stream>: line 2: literal 1 was already given a weight on line 1
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from catlearn.circuits.circuit import CircuitError
from catlearn.errors import ArgumentTypeError

_LITERAL = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def read_weights(source: str | Path | Any) -> dict[int, float]:
    """The ``{literal: weight}`` of a weights file (a path, or a text or binary stream).

    A path that cannot be read raises the builtin ``OSError`` naming it
    (``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError``); what is read is
    checked as the module docstring says. A JSON file must hold an object, not a list.
    """
    name, data = _read(source)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise CircuitError(
                f"{name}: line {line}: not UTF-8 text (byte 0x{data[error.start]:02x})"
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):  # a byte-order mark some editors write
        text = text[1:]
    if text.lstrip().startswith("{"):
        return _json(text, name)
    if text.lstrip().startswith("["):
        raise CircuitError(
            f'{name}: a JSON weights file must be an object {{"literal": weight, …}}, not a list'
        )
    return _lines(text, name)


def _read(source: Any) -> tuple[str, str | bytes]:
    if isinstance(source, (str, os.PathLike)):
        return str(source), Path(source).read_bytes()
    if hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, (str, bytes)):
            raise ArgumentTypeError(
                f"read_weights: the stream gave {type(data).__name__}, not text or bytes"
            )
        return str(getattr(source, "name", "<stream>")), data
    raise ArgumentTypeError(
        f"read_weights: source must be a path or a stream, not {type(source).__name__}"
    )


def _literal(token: str, where: str) -> int:
    if not _LITERAL.fullmatch(token):
        raise CircuitError(f"{where}: literal {token[:20]!r} is not an integer")
    lit = int(token)
    if lit == 0:
        raise CircuitError(f"{where}: literal 0 names no variable")
    return lit


def _weight(value: Any, lit: int, where: str, text: bool = False) -> float:
    """A finite float from a text token (``text``) or a parsed JSON value."""
    shown = repr(value[:20] if text else value)[:24]
    if text and not _NUMBER.fullmatch(value):
        raise CircuitError(f"{where}: weight {shown} of literal {lit} is not a number")
    if not text and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise CircuitError(f"{where}: weight {shown} of literal {lit} is not a number")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer past float's range
        number = math.inf
    if not math.isfinite(number):
        raise CircuitError(f"{where}: weight {shown} of literal {lit} is not finite")
    return number


def _lines(text: str, name: str) -> dict[int, float]:
    weights: dict[int, float] = {}
    first: dict[int, int] = {}
    for number, line in enumerate(text.split("\n"), 1):  # the lines an editor shows
        parts = line.split()
        if parts[:3] == ["c", "p", "weight"]:  # model-counting competitions since 2021
            parts = parts[3:]
        elif not parts or parts[0] == "c":
            continue
        elif parts[0] == "w":
            parts = parts[1:]
        if len(parts) == 3 and parts[2] == "0":  # "lit weight 0", DIMACS-terminated
            parts = parts[:2]
        where = f"{name}: line {number}"
        if len(parts) != 2:
            raise CircuitError(f"{where}: expected 'lit weight', got {line.strip()[:40]!r}")
        lit = _literal(parts[0], where)
        if lit in first:
            raise CircuitError(
                f"{where}: literal {lit} was already given a weight on line {first[lit]}"
            )
        weights[lit], first[lit] = _weight(parts[1], lit, where, text=True), number
    return weights


def _json(text: str, name: str) -> dict[int, float]:
    def pairs(items: list) -> list:
        return items  # keep duplicates and order: checked below

    def constant(token: str) -> None:
        raise CircuitError(f"{name}: {token} is not a weight (weights are finite numbers)")

    try:
        raw = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise CircuitError(
            f"{name}: line {error.lineno}: not a JSON object of literal → weight ({error.msg})"
        ) from None
    except RecursionError:
        raise CircuitError(f"{name}: JSON nested too deeply to be literal → weight") from None
    if not isinstance(raw, list) or text.lstrip()[0] != "{":
        raise CircuitError(f"{name}: expected a JSON object of literal → weight")
    weights: dict[int, float] = {}
    for key, value in raw:
        where = f"{name}: key {key[:20]!r}"
        lit = _literal(key, where)
        if lit in weights:
            raise CircuitError(f"{where}: literal {lit} is given twice")
        weights[lit] = _weight(value, lit, where)
    return weights


__all__ = ["read_weights"]
