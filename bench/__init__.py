"""Benchmarks, run on demand (`.venv/bin/python -m bench`, or `make bench`); pytest never collects them.

Each benchmark is a module here with a `main(argv) -> int` and a one-line docstring; `bench/__main__.py`
lists and runs them.
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    "photos": "bench.photos",
    "gendb": "bench.gendb",
    "dashboard": "bench.dashboard",
    "gallery": "bench.gallery",
    "tally": "bench.tally",
    "brief": "bench.brief",
}
