"""One table for every benchmark: each one `record()`s its measured rows; `python -m bench` prints them and
writes the table, with the machine it ran on, into docs/performance.md (between two marker lines, so the
profiles and explanations written by hand around it stay).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

START = "<!-- bench:table:start -->"
END = "<!-- bench:table:end -->"


@dataclass(frozen=True)
class Row:
    """One measured goal: our runs, what they are compared with, the goal and whether it is met."""

    benchmark: str
    what: str
    samples: tuple[float, ...]
    unit: str
    goal: str
    met: bool
    peer: str = ""  # the floor or peer measured in the same run, e.g. "hand-written SQL 180 ms"
    ratio: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def spread(self) -> str:
        lo, hi = min(self.samples), max(self.samples)
        return f"{_num(lo)}–{_num(hi)}" if len(self.samples) > 1 else "—"


_rows: list[Row] = []


def record(
    benchmark: str,
    what: str,
    samples: Sequence[float],
    unit: str,
    goal: str,
    met: bool,
    peer: str = "",
    ratio: float | None = None,
) -> None:
    if not samples:
        raise ValueError(f"{benchmark}: {what} has no samples")
    _rows.append(Row(benchmark, what, tuple(samples), unit, goal, met, peer, ratio))


def take() -> list[Row]:
    """The rows recorded so far, and forget them."""
    rows = list(_rows)
    _rows.clear()
    return rows


def _num(x: float) -> str:
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def table(rows: Sequence[Row]) -> str:
    """A Markdown table (readable as plain text in the terminal too)."""
    head = "| benchmark | measured | median | min–max (runs) | compared with | ratio | goal | met |"
    lines = [head, "|---|---|---:|---|---|---:|---|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        lines.append(
            f"| {r.benchmark} | {r.what} | {_num(r.median)} {r.unit} | {r.spread()} ({len(r.samples)}) | "
            f"{r.peer or '—'} | {ratio} | {r.goal} | {'yes' if r.met else '**NO**'} |"
        )
    return "\n".join(lines)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return "?"


def machine() -> str:
    try:
        from PySide6 import __version__ as pyside
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()} (PySide6 {pyside})"
    except ImportError:
        qt = "Qt not installed"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{_cpu()}, {cores} cores usable, {_ram_gib()} RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {qt}"
    )


def section(rows: Sequence[Row], quick: bool, seconds: float) -> str:
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    mode = "`make bench` (`python -m bench --quick`)" if quick else "`make bench` (`python -m bench`)"
    missed = sum(not r.met for r in rows)
    verdict = "every goal met" if not missed else f"{missed} of {len(rows)} goals missed (see below)"
    return (
        f"{START}\nLatest run: {when}, {mode}, {seconds / 60:.1f} min; {verdict}.\n\n"
        f"Machine: {machine()}\n\n{table(rows)}\n{END}"
    )


def write(path: Path, rows: Sequence[Row], quick: bool, seconds: float) -> None:
    """Replace the table between the markers (or append it) — the text around it is kept."""
    new = section(rows, quick, seconds)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + new + tail
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")
