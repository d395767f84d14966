"""`python -m bench [--quick] [--no-write]` runs every benchmark and prints one table (written to
docs/performance.md unless --no-write); `python -m bench NAME [ARGS...]` runs one with its own arguments;
`python -m bench --list` lists them."""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bench import BENCHMARKS, FULL_ARGS, QUICK_ARGS, report

PERFORMANCE_MD = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def _summary(module: str) -> str:
    doc = importlib.import_module(module).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def run_all(quick: bool, write: bool) -> int:
    started = time.perf_counter()
    plan = QUICK_ARGS if quick else FULL_ARGS
    worst = 0
    failed: list[str] = []
    for name, args in plan.items():
        module = BENCHMARKS[name]
        print(f"\n== {name}: {_summary(module)}\n   python -m bench {name} {' '.join(args)}", flush=True)
        t = time.perf_counter()
        try:
            worst = max(worst, int(importlib.import_module(module).main(args)))
        except (Exception, SystemExit) as exc:  # one broken benchmark must not hide the others' table
            traceback.print_exception(exc)
            failed.append(name)
            worst = 2
        print(f"   ({time.perf_counter() - t:.0f} s)", flush=True)
    rows = report.take()
    seconds = time.perf_counter() - started
    print(f"\n{report.table(rows)}\n")
    if failed:
        print(f"benchmarks that did not finish: {', '.join(failed)}")
    print(f"all benchmarks: {seconds / 60:.1f} min; machine: {report.machine()}")
    if write and not failed:
        report.write(PERFORMANCE_MD, rows, quick, seconds)
        print(f"table written to {PERFORMANCE_MD}")
    return worst


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args and args[0] in ("-l", "--list", "-h", "--help"):
        print(__doc__)
        print("benchmarks (python -m bench NAME [ARGS...]; NAME --help for its options):")
        for name, module in BENCHMARKS.items():
            print(f"  {name:<10} {_summary(module)}")
        return 0
    if args and not args[0].startswith("-"):
        name, rest = args[0], args[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(BENCHMARKS[name]).main(rest))
    unknown = [a for a in args if a not in ("--quick", "--no-write")]
    if unknown:
        print(f"unknown option {' '.join(unknown)}; use --quick, --no-write or a benchmark name", file=sys.stderr)
        return 2
    return run_all("--quick" in args, "--no-write" not in args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
