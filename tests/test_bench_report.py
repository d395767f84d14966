"""The benchmark table (bench/report.py): what `make bench` prints and writes to docs/performance.md.
Nothing is timed here; these check the bookkeeping only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import BENCHMARKS, FULL_ARGS, QUICK_ARGS, report


def test_rows_give_median_spread_and_verdict() -> None:
    report.take()
    report.record("dashboard", "refresh", [120.0, 90.0, 95.0], "ms", "≤ 100 ms", True, "hand SQL 80 ms", 1.19)
    report.record("startup", "first page", [2.0], "s", "≤ 1.2 s", False)
    rows = report.take()
    assert report.take() == []
    text = report.table(rows)
    assert "| dashboard | refresh | 95.0 ms | 90.0–120 (3) | hand SQL 80 ms | 1.19× | ≤ 100 ms | yes |" in text
    assert "| startup | first page | 2.00 s | — (1) | — | — | ≤ 1.2 s | **NO** |" in text
    with pytest.raises(ValueError):
        report.record("x", "nothing", [], "s", "-", True)


def test_write_replaces_only_the_table(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nprofile notes above\n", encoding="utf-8")
    row = report.Row("tally", "import", (1.0, 2.0), "s", "< 3 s", True)
    report.write(doc, [row], quick=False, seconds=90)
    report.write(doc, [report.Row("tally", "import again", (1.0,), "s", "< 3 s", True)], quick=True, seconds=60)
    doc.write_text(doc.read_text(encoding="utf-8") + "profile notes below\n", encoding="utf-8")
    report.write(doc, [report.Row("brief", "first build", (5.0,), "s", "≤ 10 s", True)], quick=False, seconds=30)
    text = doc.read_text(encoding="utf-8")
    assert text.count(report.START) == 1 and text.count(report.END) == 1
    assert "profile notes above" in text and "profile notes below" in text
    assert "first build" in text and "import again" not in text
    assert "Machine:" in text and "Python" in text


def test_every_benchmark_is_in_both_plans() -> None:
    measured = set(BENCHMARKS) - {"gendb"}  # gendb makes the large database; it measures nothing
    assert set(FULL_ARGS) == measured == set(QUICK_ARGS)
