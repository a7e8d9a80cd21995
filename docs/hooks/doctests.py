"""Griffe extension: catlearn's reST-flavoured docstrings, rendered as Markdown.

The docstrings are plain prose with doctest examples (run by pytest's
``--doctest-modules``). Markdown would run a doctest's lines together into one
paragraph, so each run of ``>>>`` lines, with its output up to the next blank
line, becomes a fenced ``pycon`` block; a reST ``::`` introducing it becomes
``:``; and Sphinx roles such as ``:class:`Semiring``` become code spans.
Nothing in the package changes: this only rewrites the text handed to the
renderer.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


def to_markdown(text: str) -> str:
    lines = ROLE.sub(r"`\1`", text).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith(">>>"):
            line = lines[i].rstrip()
            if line.endswith("::"):  # reST literal-block marker: "text::" reads "text:"
                line = line[:-1] if line[-3:-2].strip() else line[:-2].rstrip()
            out.append(line)
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        if out and out[-1].strip():
            out.append("")
        example = textwrap.dedent("\n".join(lines[start:i]))
        out += ["```pycon", *example.splitlines(), "```"]
    return "\n".join(out)


class DoctestsAsCode(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
