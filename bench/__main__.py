"""`python -m bench` runs every benchmark; `python -m bench NAME [ARGS...]` runs one with its own
arguments; `python -m bench --list` lists them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from bench import BENCHMARKS


def _summary(module: str) -> str:
    doc = importlib.import_module(module).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args and args[0] in ("-l", "--list", "-h", "--help"):
        print("benchmarks (python -m bench NAME [ARGS...]; NAME --help for its options):")
        for name, module in BENCHMARKS.items():
            print(f"  {name:<10} {_summary(module)}")
        return 0
    if args:
        name, rest = args[0], args[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(BENCHMARKS[name]).main(rest))
    worst = 0
    for name, module in BENCHMARKS.items():
        print(f"== {name}: {_summary(module)}", flush=True)
        worst = max(worst, int(importlib.import_module(module).main([])))
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
