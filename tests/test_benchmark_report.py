"""The report of ``python -m benchmarks``: tables parsed into size sweeps, plotted, spliced in."""

import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_main", ROOT / "benchmarks" / "__main__.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

LONG = """
| n | case | first call (s) | median (ms) | reps |
|---|---|---|---|---|
| 256 | jnp.dot (jit) | 0.03 | 0.39 | 20 |
| 256 | Log einsum | 0.66 | 1.16 | 20 |
| 1024 | jnp.dot (jit) | 0.05 | 13.13 | 20 |
| 1024 | Log einsum | 0.98 | 23.02 | 20 |
| 2048 | Log einsum | - | - | 0 |
"""
WIDE = """
| m | gates | build R[d] (s) | steady (ms) |
|---|---|---|---|
| 22 | 946 | **0.008** | 1.7 |
| 70 | 9,730 | 0.086 | 7.9 |
"""


def test_long_tables_give_one_line_per_implementation():
    ((header, rows),) = bench.tables(LONG)
    lines = bench.series(header, rows)
    assert sorted(lines) == ["Log einsum", "jnp.dot (jit)"]  # the skipped 2048 row is dropped
    assert [n for n, _ in lines["Log einsum"]] == [256.0, 1024.0]
    assert np.allclose([t for _, t in lines["jnp.dot (jit)"]], [0.39e-3, 13.13e-3])


def test_wide_tables_give_one_line_per_time_column():
    ((header, rows),) = bench.tables(WIDE)
    lines = bench.series(header, rows)
    assert lines["build R[d] (s)"] == [(22.0, 0.008), (70.0, 0.086)]
    assert np.allclose(lines["steady (ms)"], [(22.0, 0.0017), (70.0, 0.0079)])


def test_tables_without_a_size_column_are_not_plotted():
    ((header, rows),) = bench.tables("| stage | s |\n|---|---|\n| build | 1 |\n")
    assert bench.series(header, rows) == {}


def test_report_plots_and_replaces_only_its_section(tmp_path):
    section = bench.report({"matmul": (LONG, 12.0, 0)}, True, tmp_path)
    assert (tmp_path / "matmul_0.png").stat().st_size > 0
    assert "| matmul | 0 | 12 | [matmul_0](plots/matmul_0.png) |" in section
    curated = "# Results\n\nhand-written analysis\n"
    once = bench.replace_section(curated, section)
    twice = bench.replace_section(once, section.replace("12", "13"))
    assert twice.startswith(curated) and twice.count(bench.BEGIN) == 1 and "| 13 |" in twice
