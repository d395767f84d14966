"""Start-up: from process start to the main window painted with its first page filled, against the floor.

    .venv/bin/python -m bench startup [--runs 5] [--quick]

Each run is a fresh Python process (offscreen, 1600×1000), timed from spawn to its exit, which it does as
soon as the window is grabbed with its first page (挂牌督办) holding rows. The floor, measured in the same
run and interleaved with ours: a bare PySide6 + pyqtgraph window with one empty plot, shown and grabbed.
Measured on the demo database and on the large database (bench.gendb: 10,000 sites, 100,000 items and
events, 1,000,000 tally entries). Targets (issue 13): ≤ 2× the floor and ≤ 1.2 s median on the large
database. Peak RSS (VmHWM) of the app process at that moment is reported alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import report

RATIO_TARGET = 2.0
SECONDS_TARGET = 1.2
SIZE = (1600, 1000)


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_floor() -> int:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setCentralWidget(pg.PlotWidget())
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    window.grab()
    print(json.dumps({"peak_mb": _peak_mb()}))
    return 0


def child_app(url: str | None) -> int:
    """What ui.app.main does up to the first painted page, then exit (no event loop left running)."""
    from ui import app as ui_app  # first, as main.py does: ui.app imports the core before Qt

    # isort: split
    from PySide6.QtCore import QTimer

    argv = ["--db", url] if url else ["--demo"]
    args, qt_args = ui_app.parse_args(argv)
    qapp = ui_app.application(qt_args)
    ui_app.setup_application(qapp)
    desk = ui_app.open_demo_desk() if args.demo else ui_app.open_desk(args.db)
    launcher = ui_app.Launcher(None)
    window = launcher.start(desk)
    window.resize(*SIZE)
    window.show()
    result: dict[str, float] = {}

    def check() -> None:
        if window.listings.model.rowCount() > 0:
            window.grab()
            result["peak_mb"] = _peak_mb()
            result["rows"] = window.listings.model.rowCount()
            qapp.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(2)
    QTimer.singleShot(60_000, qapp.quit)  # never hang the benchmark
    qapp.exec()
    launcher.close()
    if "rows" not in result:
        print(json.dumps({"error": "the first page never filled in 60 s"}))
        return 1
    print(json.dumps(result))
    return 0


def _spawn(env: dict[str, str], *args: str) -> tuple[float, dict[str, float]]:
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.startup", "--child", *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"start-up child {args} failed ({out.returncode}):\n{out.stdout}\n{out.stderr[-2000:]}")
    return seconds, json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench startup", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="the demo database only")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(list(argv))
    if args.child:
        if args.child[0] == "floor":
            return child_floor()
        return child_app(args.child[1] if len(args.child) > 1 else None)

    with tempfile.TemporaryDirectory(prefix="zhdesk-startup-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp, HOME=tmp)
        # A user's Python caches bytecode (the warm-up spawns below write it); with this set, every start
        # recompiled zhdesk's ~100 modules (0.46 s of 3.95 s under cProfile) while the floor's came from pip.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        databases: dict[str, tuple[str, ...]] = {"demo database": ("app",)}
        if not args.quick:
            from bench.gendb import big_db
            from db.engine import sqlite_url

            databases["large database"] = ("app", sqlite_url(big_db()))
        _spawn(env, "floor")  # first runs fill the page cache and make the demo file
        for what in databases.values():
            _spawn(env, *what)
        floors: list[float] = []
        ours: dict[str, list[float]] = {k: [] for k in databases}
        peaks: dict[str, float] = {}
        for _ in range(args.runs):
            floors.append(_spawn(env, "floor")[0])
            for name, what in databases.items():
                seconds, out = _spawn(env, *what)
                ours[name].append(seconds)
                peaks[name] = max(peaks.get(name, 0.0), out["peak_mb"])

    floor = statistics.median(floors)
    print(f"floor (bare PySide6 + pyqtgraph window): median {floor:.2f} s of {len(floors)}")
    worst = 0
    for name, samples in ours.items():
        med = statistics.median(samples)
        ratio = med / floor
        ok = ratio <= RATIO_TARGET and med <= SECONDS_TARGET
        worst = max(worst, 0 if ok else 1)
        print(f"{name}: median {med:.2f} s ({ratio:.2f}× the floor), peak RSS {peaks[name]:.0f} MB — "
              f"{'ok' if ok else 'MISSED'}")  # fmt: skip
        report.record(
            "startup",
            f"to first page painted, {name}",
            samples,
            "s",
            f"≤ {RATIO_TARGET:.0f}× floor and ≤ {SECONDS_TARGET} s",
            ok,
            peer=f"bare Qt+pyqtgraph window {floor:.2f} s",
            ratio=ratio,
        )
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
