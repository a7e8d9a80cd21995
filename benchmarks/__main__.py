"""Run every benchmark, plot its size sweeps, and write the report into RESULTS.md.

    python -m benchmarks                  # every benchmark, full sizes (~25 min on 2 cores)
    python -m benchmarks --quick          # smoke sizes (~3 min)
    python -m benchmarks --only circuits differentiation

Each benchmark runs in its own process (its anchors, hand-written JAX,
run inside it, in the same process); its markdown output goes to
``benchmarks/out/NAME.md``. Every table whose first column is a size
(n, N, m, variables) becomes a log–log plot, time against size, one line
per implementation, in ``benchmarks/plots/``. The generated section of
``benchmarks/RESULTS.md`` (between the two markers) is replaced; the
commentary above it is kept. Anchors that need another venv (torch:
cirkit, KLay, polycirc, catgrad) are not run here; RESULTS.md says how
they were measured.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {  # name: (full arguments, quick arguments)
    "semiring_matmul": ([], ["--quick"]),
    "diagrams": (["--no-plot"], ["--quick", "--no-plot"]),
    "models": ([], ["--quick"]),
    "parametrised": ([], ["--quick"]),
    "corpus": ([], ["--quick"]),
    "circuits": ([], ["--quick"]),
    "differentiation": ([], ["--quick"]),
    "arrays": ([], ["--quick"]),
    "fuzz_nnf": (["100000"], ["2000"]),
    "fuzz_cli": (["100000"], ["2000"]),
    "structured": ([], ["--quick"]),
    "laws": ([], ["--quick"]),
}
BEGIN = "<!-- python -m benchmarks: generated section, begin -->"
END = "<!-- python -m benchmarks: generated section, end -->"
SIZES = {"n", "N", "m", "variables"}
IMPLEMENTATION = re.compile(r"case|method|implementation", re.I)
TIME = re.compile(r"\((ms|s)\)")


def tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every markdown table: (header cells, rows of cells)."""
    found, lines = [], markdown.splitlines()
    i = 0
    while i < len(lines) - 1:
        if lines[i].startswith("|") and re.match(r"^\|[\s:|-]+\|$", lines[i + 1].strip()):
            header = _cells(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            found.append((header, rows))
        else:
            i += 1
    return found


def _cells(line: str) -> list[str]:
    return [c.strip().strip("*") for c in line.strip().strip("|").split("|")]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("`", ""))
    except ValueError:
        return None


def series(header: list[str], rows: list[list[str]]) -> dict[str, list[tuple[float, float]]]:
    """{line name: [(size, seconds)]} from a table whose first column is a size.

    Long tables (a case/method/implementation column) give one line per
    implementation, from the first steady-state time column; wide tables
    give one line per time column.
    """
    if not header or header[0] not in SIZES:
        return {}
    timed = [j for j, h in enumerate(header) if TIME.search(h)]
    if not timed:
        return {}
    which = next((j for j, h in enumerate(header) if IMPLEMENTATION.search(h)), None)
    steady = [j for j in timed if re.search(r"median|steady", header[j], re.I)] or timed
    lines: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        size = _number(row[0]) if row else None
        if size is None or len(row) != len(header):
            continue
        columns = (
            [(row[which], steady[0])] if which is not None else [(header[j], j) for j in timed]
        )
        for name, j in columns:
            value = _number(row[j])
            if value is None or value <= 0:
                continue
            scale = 1e-3 if "(ms)" in header[j] else 1.0
            lines.setdefault(name, []).append((size, value * scale))
    return {k: sorted(v) for k, v in lines.items() if len(v) >= 2}


def plot(lines: dict[str, list[tuple[float, float]]], title: str, xlabel: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for name, points in lines.items():
        xs, ys = zip(*points)
        ax.loglog(xs, ys, marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(name: str, quick: bool, out: Path) -> tuple[str, float, int]:
    args = BENCHMARKS[name][1 if quick else 0]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / f"{name}.py"), *args],
        capture_output=True, text=True, cwd=HERE.parent,
        env=dict(os.environ, PYTHONPATH=str(HERE.parent)),
    )  # fmt: skip
    seconds = time.perf_counter() - start
    text = (
        done.stdout
        if done.returncode == 0
        else done.stdout + "\n```\n" + done.stderr[-3000:] + "\n```"
    )
    (out / f"{name}.md").write_text(text)
    return text, seconds, done.returncode


def report(results: dict[str, tuple[str, float, int]], quick: bool, plots: Path) -> str:
    """The generated section: each run's outcome, its plots, its raw output."""
    import jax

    parts = [
        BEGIN,
        "",
        f"# Last `python -m benchmarks{' --quick' if quick else ''}` run",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, jax {jax.__version__} "
        f"({jax.default_backend()}), {os.cpu_count()} CPU cores. Times are seconds.",
        "",
        "| benchmark | exit | wall (s) | plots |",
        "|---|---|---|---|",
    ]
    sections = []
    for name, (text, seconds, code) in results.items():
        pictures = []
        for k, (header, rows) in enumerate(tables(text)):
            lines = series(header, rows)
            if lines:
                path = plots / f"{name}_{k}.png"
                plot(lines, f"{name}: table {k + 1}", header[0], path)
                pictures.append(path)
        links = ", ".join(f"[{p.stem}](plots/{p.name})" for p in pictures) or "–"
        parts.append(f"| {name} | {code} | {seconds:.0f} | {links} |")
        body = "".join(f"\n![{p.stem}](plots/{p.name})\n" for p in pictures)
        sections.append(f"\n## {name}\n{body}\n<details><summary>output</summary>\n\n"
                        f"{text.strip()}\n\n</details>\n")  # fmt: skip
    return "\n".join(parts) + "\n" + "".join(sections) + "\n" + END + "\n"


def replace_section(results_md: str, section: str) -> str:
    """RESULTS.md with the generated section replaced (or appended)."""
    if BEGIN in results_md and END in results_md:
        head, rest = results_md.split(BEGIN, 1)
        return head + section + rest.split(END, 1)[1].lstrip("\n")
    return results_md.rstrip("\n") + "\n\n" + section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke sizes")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="a subset")
    args = parser.parse_args(argv)
    out, plots = HERE / "out", HERE / "plots"
    out.mkdir(exist_ok=True)
    plots.mkdir(exist_ok=True)
    results = {}
    for name in args.only or BENCHMARKS:
        print(f"running {name} …", flush=True)
        results[name] = run(name, args.quick, out)
        text, seconds, code = results[name]
        print(f"  {name}: exit {code} in {seconds:.0f} s", flush=True)
    path = HERE / "RESULTS.md"
    path.write_text(replace_section(path.read_text(), report(results, args.quick, plots)))
    print(f"wrote {path} and {len(list(plots.glob('*.png')))} plots in {plots}")
    return max((code for _, _, code in results.values()), default=0)


if __name__ == "__main__":
    sys.exit(main())
