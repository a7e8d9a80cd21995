"""MkDocs hook: the site carries benchmarks/RESULTS.md and its plots.

docs/performance.md links them as ``../benchmarks/…`` so that the links work
where the guides are read in the repository. Here the files are added to the
site under ``benchmarks/`` and those links are pointed there, so
``mkdocs build --strict`` checks them like any other link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
SHARED = ["benchmarks/RESULTS.md", "benchmarks/plots/*.png"]


def on_files(files: Files, config: Any) -> Files:
    for pattern in SHARED:
        for path in sorted(ROOT.glob(pattern)):
            files.append(
                File(
                    path.relative_to(ROOT).as_posix(),
                    src_dir=str(ROOT),
                    dest_dir=config["site_dir"],
                    use_directory_urls=config["use_directory_urls"],
                )
            )
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if "/" in page.file.src_uri:  # only top-level guides link up out of docs/
        return markdown
    return markdown.replace("](../benchmarks/", "](benchmarks/")
