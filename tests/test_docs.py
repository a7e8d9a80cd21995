"""Docs are code: every fenced block in README.md and docs/*.md runs here.

Python blocks of one file run in order in one namespace (so a page reads
as a session). Shell blocks run their ``catlearn …`` lines through the
CLI; their ``pip``/``pytest`` lines are what CI itself runs.
"""

import re
import shlex
from pathlib import Path

import pytest

from catlearn.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text()) if lang == language]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pages may write files (drawings)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for i, code in enumerate(blocks(page, "python")):
        exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_shell_blocks_catlearn_lines_run(page, capsys, tmp_path, monkeypatch):
    # `catlearn demo` writes its pictures under the working folder: run in a fresh one
    # that still shows the repository's files under their documented paths.
    (tmp_path / "catlearn").symlink_to(ROOT / "catlearn")
    monkeypatch.chdir(tmp_path)
    for code in blocks(page, "bash"):
        for command in re.split(r"&&|\n", code):
            words = shlex.split(command.strip())
            if words == ["catlearn", "demo"]:
                # Run once, not twice: test_cli.py::test_demo_reports_every_section runs the
                # same demo() and prints it as this command does, checking every section;
                # test_demo_options_parse checks this command line's options.
                continue
            if words[:1] == ["catlearn"]:
                assert main(words[1:]) == 0, command


def test_every_page_has_code():
    for page in PAGES:
        assert blocks(page, "python") or blocks(page, "bash"), page
