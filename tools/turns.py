"""Per event-loop turn: what the GUI thread did in each gap between 10 ms timer ticks (issue 13 diagnostics).

    .venv/bin/python tools/turns.py listings [--runs 3] [--profile]   # 挂牌督办 opened fresh (bench tables' case)
    .venv/bin/python tools/turns.py window [--profile] [--pages 总览,督办进度]   # start, then pages (or a tab)

A 10 ms PreciseTimer notes wall time and `time.thread_time()` (CPU of the GUI thread) at each tick; the
named steps below are wrapped to note their own wall/CPU; every gap ≥ 25 ms is printed with the steps that
ran inside it and the CPU left to Qt (layout, paint outside the table's viewport, event dispatch).
`--profile` prints cProfile (tottime and cumulative) of the worst turn of the last run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.environ.get("TREE") or str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication, QTableView

SHOW_GAP_MS = 25.0


class Turns:
    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last_wall = 0.0
        self.last_cpu = time.thread_time()
        self.spans: list[tuple[str, float, float]] = []  # name, wall ms, cpu ms (in this turn)
        self.depth = 0
        self.turns: list[tuple[float, float, list[tuple[str, float, float]]]] = []
        self.prof: cProfile.Profile | None = None
        self.profiles: list[tuple[float, cProfile.Profile]] = []
        self.profiling = False
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.turns.clear()
        self.last_wall = self.clock.nsecsElapsed() / 1e6
        self.last_cpu = time.thread_time()
        self.spans = []
        self._new_prof()
        self.timer.start()

    def _new_prof(self) -> None:
        if self.profiling:
            if self.prof is not None:
                self.prof.disable()
            self.prof = cProfile.Profile()
            self.prof.enable()

    def tick(self) -> None:
        wall = self.clock.nsecsElapsed() / 1e6
        cpu = time.thread_time()
        gap, gap_cpu = wall - self.last_wall, (cpu - self.last_cpu) * 1000
        self.turns.append((gap, gap_cpu, self.spans))
        if self.prof is not None:
            self.prof.disable()
            self.profiles.append((gap, self.prof))
            self.prof = None
        self.spans = []
        self.last_wall, self.last_cpu = wall, cpu
        self._new_prof()

    def stop(self) -> None:
        self.tick()
        self.timer.stop()
        if self.prof is not None:
            self.prof.disable()
            self.prof = None

    def wrap(self, owner: Any, name: str, label: str | None = None) -> None:
        fn = getattr(owner, name)
        label = label or f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"
        turns = self

        def wrapped(*a: Any, **k: Any) -> Any:
            w0, c0 = time.perf_counter(), time.thread_time()
            turns.depth += 1
            try:
                return fn(*a, **k)
            finally:
                turns.depth -= 1
                turns.spans.append(
                    ("  " * turns.depth + label, (time.perf_counter() - w0) * 1000, (time.thread_time() - c0) * 1000)
                )

        setattr(owner, name, wrapped)

    def report(self, title: str) -> float:
        worst = max((t[0] for t in self.turns), default=0.0)
        print(f"--- {title}: {len(self.turns)} turns, longest gap {worst:.0f} ms")
        for gap, cpu, spans in self.turns:
            if gap < SHOW_GAP_MS:
                continue
            top = sum(c for n, _w, c in spans if not n.startswith(" "))
            print(f"  gap {gap:6.1f} ms wall, {cpu:6.1f} ms CPU; named top-level {top:5.1f} ms CPU, "
                  f"rest {cpu - top:5.1f}")  # fmt: skip
            for n, w, c in spans:
                print(f"      {n:<48} {w:6.1f} ms wall {c:6.1f} ms CPU")
        return worst

    def print_worst_profile(self) -> None:
        if not self.profiles:
            return
        gap, prof = max(self.profiles, key=lambda p: p[0])
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(30)
            print(f"===== worst turn {gap:.0f} ms, by {key}\n{out.getvalue()}")


class TimedTable(QTableView):
    turns: Turns | None = None

    def paintEvent(self, event: Any) -> None:  # the viewport's paint
        t = TimedTable.turns
        if t is None:
            super().paintEvent(event)
            return
        w0, c0 = time.perf_counter(), time.thread_time()
        super().paintEvent(event)
        r = event.rect()
        t.spans.append((f"table paint {r.width()}x{r.height()}", (time.perf_counter() - w0) * 1000,
                        (time.thread_time() - c0) * 1000))  # fmt: skip


def instrument(turns: Turns) -> None:
    import ui.tables
    from ui.ops import Ops
    from ui.paged_table import PagedModel
    from ui.pages import listings, site_detail, site_tabs

    TimedTable.turns = turns
    ui.tables.QTableView = TimedTable  # type: ignore[misc]
    turns.wrap(Ops, "_deliver", "ops delivery")
    turns.wrap(Ops, "_run_step", "ops.later step")
    turns.wrap(PagedModel, "_reset", "model reset")
    turns.wrap(listings.ListingsPage, "_rows_loaded")
    turns.wrap(listings.ListingsPage, "_counts_loaded")
    turns.wrap(listings.ListingsPage, "_detail_loaded")
    turns.wrap(listings.ListingsPage, "fit_columns")
    turns.wrap(listings.ListingsPage, "_selection_changed")
    turns.wrap(site_detail.SiteDetailPanel, "show_row")
    turns.wrap(site_detail.SiteDetailPanel, "show_detail")
    turns.wrap(site_tabs.SiteTabs, "set_site")


def pump(app: QApplication, done: Callable[[], bool], timeout: float = 60) -> None:
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.0005)


def run_listings(runs: int, profile: bool) -> None:
    from bench.gendb import big_db
    from bench.pages import compile_sources
    from db.engine import sqlite_url
    from ui import heap
    from ui.app import setup_application
    from ui.ops import Ops
    from zhdesk.desk import Desk

    compile_sources()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    setup_application(app)
    turns = Turns()
    instrument(turns)
    from ui.pages.listings import ListingsPage

    desk = Desk.open(sqlite_url(big_db()), migrate=False)
    worst: list[float] = []
    for i in range(runs):
        ops = Ops()
        page = ListingsPage(desk, ops)
        page.listed_only.setChecked(False)
        heap.freeze()
        page.resize(1600, 1000)
        page.show()
        app.processEvents()
        turns.profiling = profile and i == runs - 1
        turns.start()
        page.refresh()
        pump(app, ops.is_idle)
        t_end = time.perf_counter() + 0.2
        while time.perf_counter() < t_end:
            app.processEvents()
            time.sleep(0.001)
        turns.stop()
        worst.append(turns.report(f"挂牌督办 open, run {i + 1}"))
        ops.shutdown()
        page.close()
        page.deleteLater()
        app.processEvents()
        heap.thaw()
    print("longest gaps:", " ".join(f"{w:.0f}" for w in worst))
    if profile:
        turns.print_worst_profile()
    desk.close()


def run_window(profile: bool, pages: list[str]) -> None:
    from bench.gendb import big_db
    from db.engine import sqlite_url
    from ui import app as ui_app

    qapp = ui_app.application([])
    ui_app.setup_application(qapp)
    turns = Turns()
    instrument(turns)
    turns.profiling = profile
    desk = ui_app.open_desk(sqlite_url(big_db()))
    window = ui_app.Launcher(None).start(desk)
    window.resize(1600, 1000)
    turns.start()
    window.show()
    t0 = time.perf_counter()
    idle_since: float | None = None
    while time.perf_counter() - t0 < 30:
        qapp.processEvents()
        if window.ops.is_idle():
            idle_since = idle_since or time.perf_counter()
            if time.perf_counter() - idle_since > 0.2 and time.perf_counter() - t0 > 1.5:
                break
        else:
            idle_since = None
        time.sleep(0.001)
    turns.stop()
    turns.report("window start")
    for name in pages:
        turns.start()
        if name == "督办进度":  # 总览's second tab (its rows are read when it is first shown)
            window.overview.tabs.setCurrentWidget(window.overview.gantt_section)
        else:
            window.show_page(name)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 0.5 or not window.ops.is_idle():
            qapp.processEvents()
            time.sleep(0.001)
        turns.stop()
        turns.report(f"switch to {name}")
    if profile:
        turns.print_worst_profile()
    os._exit(0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("listings", "window"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--switch", type=float, help="sys.setswitchinterval (s)")
    ap.add_argument("--pages", default="设置,挂牌督办", help="window: the pages to visit after the start, in order")
    args = ap.parse_args()
    if args.switch:
        sys.setswitchinterval(args.switch)
    if args.what == "listings":
        run_listings(args.runs, args.profile)
    else:
        run_window(args.profile, args.pages.split(","))


if __name__ == "__main__":
    main()
