"""Benchmarks, run on demand (`.venv/bin/python -m bench`, or `make bench`); pytest never collects them.

Each benchmark is a module here with a `main(argv) -> int` and a one-line docstring; `bench/__main__.py`
lists and runs them. Each one `bench.report.record()`s what it measured against its goal, so the whole
run ends with one table (also written to docs/performance.md).
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    "startup": "bench.startup",
    "pages": "bench.pages",
    "photos": "bench.photos",
    "gendb": "bench.gendb",
    "dashboard": "bench.dashboard",
    "gallery": "bench.gallery",
    "tally": "bench.tally",
    "brief": "bench.brief",
    "tables": "bench.tables",
    "item_tables": "bench.item_tables",
}

# What `python -m bench` (all of them) passes each one: ≥ 5 runs where a run is cheap; under 15 minutes on
# a 2-core machine. gendb only makes the large database the others use (cached in the temp folder).
FULL_ARGS: dict[str, list[str]] = {
    "startup": ["--runs", "5"],
    "pages": ["--runs", "3"],
    "dashboard": ["--runs", "9"],
    "gallery": ["--runs", "5"],
    "photos": ["--count", "60", "--add-runs", "5", "--bare-runs", "5"],
    "tally": ["--rows", "100000", "--runs", "5", "--no-install"],
    "brief": ["--runs", "5", "--demo-runs", "5"],
    "tables": ["--runs", "5"],
    "item_tables": ["--runs", "5", "--cli-runs", "3"],
}
QUICK_ARGS: dict[str, list[str]] = {
    "startup": ["--runs", "3", "--quick"],
    "pages": ["--runs", "1"],
    "dashboard": ["--runs", "5"],
    "gallery": ["--photos", "100", "--runs", "3"],
    "photos": ["--count", "20", "--add-runs", "3", "--bare-runs", "3"],
    "tally": ["--rows", "20000", "--runs", "3", "--no-install"],
    "brief": ["--quick"],
    "tables": ["--runs", "3"],
    "item_tables": ["--runs", "3", "--cli-runs", "1"],
}
