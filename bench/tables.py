"""Big tables on the large database: open, sort, filter and search, each to the first page painted (median, ≤ 300 ms).

    .venv/bin/python -m bench.tables [--runs 5] [--only NAME ...] [--profile]

On the large cached database (bench/gendb.py: 10,000 sites, 100,000 items …) each case builds its page
offscreen at 1600×1000, puts it in its starting state (not timed), then times one action from the call to
the table repainted with the answer: every query runs on the worker (ui/ops.py), so the time is worker +
delivery + paint, as the user waits for it. The GUI thread's longest stall during the action is measured
too (a 10 ms timer, as bench/gallery.py does).

Cases are a list (`CASES`): a `Case` names its page (a key of `PAGES`, which builds it), a `prepare` and
an `act`. The 督办通报 / drill-down tables add their pages and cases here the same way.

Targets (issue 13): each action's median ≤ 300 ms; no GUI stall over 100 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings, Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from bench import report
from bench.gallery import StallMeter
from bench.gendb import big_db
from bench.pages import compile_sources
from db.engine import sqlite_url
from ui import heap
from ui.app import setup_application
from ui.ops import Ops
from zhdesk.desk import Desk

TARGET_MS = 300.0
STALL_TARGET_MS = 100.0
SIZE = (1600, 1000)


@dataclass
class Built:
    """A page built for a case: the widget, the table whose repaint ends a timing, its worker, and the
    signal the page emits when the table's (first) page of rows is in (the timing stops there; what the
    page reads next, e.g. the selected row's details, counts for the stall only)."""

    widget: QWidget
    table: QTableView
    ops: Ops
    loaded: Any  # a bound Signal
    start: Callable[[], object] | None = None  # the first load (default: the widget's refresh())


# ---------------------------------------------------------------- pages


def listings_page(desk: Desk, ops: Ops) -> Built:
    """挂牌督办 with every site shown (仅显示挂牌点位 off), loaded once."""
    from ui.pages.listings import ListingsPage

    page = ListingsPage(desk, ops)
    page.listed_only.setChecked(False)
    return Built(page, page.table, ops, page.loaded)


PAGES: dict[str, Callable[[Desk, Ops], Built]] = {
    "listings": listings_page,
}


@dataclass(frozen=True)
class Case:
    """One measured action. `prepare(widget)` runs before each timed run (its queries finish first);
    `act(widget)` is timed to the table repainted. `fresh`: a new page for every run (opening)."""

    name: str
    page: str
    act: Callable[[Any], object]
    prepare: Callable[[Any], object] = lambda _w: None
    fresh: bool = False


def _community(page: Any) -> None:
    combo = page.community_combo
    combo.setCurrentIndex(2 if combo.currentIndex() != 2 else 3)


def _search(page: Any) -> None:
    page.search.setText("路1" if page.search.text() != "路1" else "路2")


def _sort(col: int) -> Callable[[Any], object]:
    def act(page: Any) -> None:
        header = page.table.horizontalHeader()
        ascending = header.sortIndicatorSection() != col or header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        page.table.sortByColumn(col, Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder)

    return act


def _reset_filters(page: Any) -> None:
    page.community_combo.setCurrentIndex(0)
    page.search.clear()


LISTINGS_ADDRESS, LISTINGS_DAYS, LISTINGS_LEAD = 1, 6, 7  # ui/pages/sites_model.Col

CASES: list[Case] = [
    Case("挂牌督办 open, all sites (refresh → first page painted)", "listings", lambda p: p.refresh(), fresh=True),
    Case("挂牌督办 sort by 地址", "listings", _sort(LISTINGS_ADDRESS), _reset_filters),
    Case("挂牌督办 sort by 剩余/超期", "listings", _sort(LISTINGS_DAYS), _reset_filters),
    Case("挂牌督办 sort by 包案领导", "listings", _sort(LISTINGS_LEAD), _reset_filters),
    Case("挂牌督办 filter by community", "listings", _community, _reset_filters),
    Case("挂牌督办 search text", "listings", _search, _reset_filters),
]


# ---------------------------------------------------------------- measuring


def _settle(app: QApplication, ops: Ops, timeout: float = 60) -> None:
    end = time.perf_counter() + timeout
    while not ops.is_idle():
        if time.perf_counter() > end:
            raise TimeoutError("the worker did not finish")
        app.processEvents()
        time.sleep(0.0005)
    app.processEvents()


def _build(app: QApplication, desk: Desk, case: Case) -> Built:
    built = PAGES[case.page](desk, Ops())
    heap.freeze()  # as MainWindow.page does after building a page
    built.widget.resize(*SIZE)
    built.widget.show()
    app.processEvents()
    return built


def _drop(app: QApplication, built: Built) -> None:
    built.ops.shutdown()
    built.widget.close()
    built.widget.deleteLater()
    app.processEvents()
    heap.thaw()  # as the window closing does; the page's garbage goes now, not inside a timed run
    gc.collect()


def time_case(app: QApplication, desk: Desk, case: Case, runs: int) -> tuple[list[float], list[float]]:
    """(action times, longest stalls) in ms over `runs`."""
    times: list[float] = []
    stalls: list[float] = []
    built: Built | None = None
    for _ in range(runs):
        if built is None or case.fresh:
            if built is not None:
                _drop(app, built)
            built = _build(app, desk, case)
            if not case.fresh:  # sorting, filtering: from a loaded page
                (built.start or built.widget.refresh)()
                _settle(app, built.ops)
        case.prepare(built.widget)
        _settle(app, built.ops)
        clock = QElapsedTimer()
        meter = StallMeter(clock)
        arrived: list[float] = []
        built.loaded.connect(lambda got=arrived: got.append(time.perf_counter()))
        clock.start()
        meter.timer.start()
        t0 = time.perf_counter()
        case.act(built.widget)
        end = t0 + 60
        while not arrived:
            if time.perf_counter() > end:
                raise TimeoutError(f"{case.name}: the rows did not arrive")
            app.processEvents()
            time.sleep(0.0005)
        built.table.viewport().repaint()
        times.append((time.perf_counter() - t0) * 1000)
        _settle(app, built.ops)  # what the page reads next still counts for the stall
        built.loaded.disconnect()
        meter.tick()
        meter.timer.stop()
        stalls.append(meter.max_gap)
    if built is not None:
        _drop(app, built)
    return times, stalls


def run_cases(app: QApplication, db: Path, cases: Sequence[Case], runs: int, profile: bool) -> bool:
    """Time each case on the large database (settings in a throw-away folder), print its line, record its two
    goals (time and longest GUI stall); True if every goal was met. bench.item_tables uses it too."""
    compile_sources()  # the pages' modules load from bytecode, as installed (bench.pages)
    ok = True
    with tempfile.TemporaryDirectory(prefix="zhdesk-tables-") as tmp:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(tmp) / "settings"))
        desk = Desk.open(sqlite_url(db), migrate=False)
        try:
            print(f"{'case':<60} {'median':>8} {'min–max':>14} {'stall median':>12} {'max stall':>10}")
            for case in cases:
                prof = cProfile.Profile() if profile else None
                if prof is not None:
                    prof.enable()
                times, stalls = time_case(app, desk, case, runs)
                if prof is not None:
                    prof.disable()
                med, worst = statistics.median(times), max(stalls)
                print(f"{case.name:<60} {med:>6.0f} ms {min(times):>5.0f}–{max(times):<5.0f} ms "
                      f"{statistics.median(stalls):>9.0f} ms {worst:>7.0f} ms")  # fmt: skip
                met, met_stall = med <= TARGET_MS, worst <= STALL_TARGET_MS
                ok = ok and met and met_stall
                report.record("tables", case.name, times, "ms", f"≤ {TARGET_MS:.0f} ms", met)
                report.record("tables", f"{case.name}: longest GUI stall", stalls, "ms",
                              f"≤ {STALL_TARGET_MS:.0f} ms", met_stall)  # fmt: skip
                if prof is not None:
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
        finally:
            desk.close()
    return ok


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.tables", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None, help="case names containing any of these words")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary of each case")
    args = ap.parse_args(list(argv))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    setup_application(app)
    cases = [c for c in CASES if not args.only or any(w in c.name for w in args.only)]
    return 0 if run_cases(app, big_db(), cases, args.runs, args.profile) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
