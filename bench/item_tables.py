"""督办通报 and 总览 drill-down tables on the large database, to the first page painted (≤ 300 ms); CLI export.

    .venv/bin/python -m bench.item_tables [--runs 5] [--only WORD ...] [--profile] [--no-cli]

On the large cached database (bench/gendb.py: 12,500 batches, 100,000 items …) each case builds its widget
offscreen at 1600×1000, puts it in its starting state (not timed), then times one action from the call to
the table repainted with the answer (worker query + delivery + paint), and the GUI thread's longest stall
meanwhile (a 10 ms timer, as bench/gallery.py does). The cases are a list (`ITEM_CASES`) in the shape of
bench/tables.py's, so they can join its list.

The CLI case runs `zhdesk bulletins --items --json` in a subprocess (output to a file) and reads its peak
RSS; before issue 13 it took 14 s and held the whole list (46 MB of JSON) in memory.

Targets (issue 13): each table action's median ≤ 300 ms, no GUI stall over 100 ms; the export's peak RSS
≤ 150 MB whatever the number of items (it streams).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bench import report
from bench.gendb import big_db
from bench.tables import PAGES, Built, Case, run_cases
from db.engine import sqlite_url
from ui.app import setup_application
from ui.ops import Ops
from zhdesk.desk import Desk

RSS_TARGET_MB = 150.0


def bulletins_page(desk: Desk, ops: Ops) -> Built:
    from ui.pages.bulletins import BulletinsPage

    page = BulletinsPage(desk, ops)
    return Built(page, page.batch_table, ops, page.batches.loaded, page.refresh)


ALL_ITEMS = "所选范围的全部督办件"


def drill_dialog(desk: Desk, ops: Ops) -> Built:
    from ui.dialogs.drill import DrillDialog
    from zhdesk.dto import Drill

    dialog = DrillDialog(desk, ops)
    return Built(dialog, dialog.table, ops, dialog.model.loaded, lambda: dialog.show_drill(ALL_ITEMS, Drill()))


PAGES.update({"bulletins": bulletins_page, "drill": drill_dialog})  # bench.tables builds its cases' pages from there


def _sort(col: int) -> Callable[[Any], object]:
    def act(widget: Any) -> None:
        table = widget.batch_table if hasattr(widget, "batch_table") else widget.table
        header = table.horizontalHeader()
        ascending = header.sortIndicatorSection() != col or header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        table.sortByColumn(col, Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder)

    return act


def _kind(page: Any) -> None:
    combo = page.kind_combo
    combo.setCurrentIndex(1 if combo.currentIndex() != 1 else 2)


def _dates(page: Any) -> None:
    import datetime as dt

    year = 2023 if page.all_dates.isChecked() or page.date_from.date().year() != 2023 else 2024
    page.set_date_range(dt.date(year, 1, 1), dt.date(year, 6, 30))


def _reset(page: Any) -> None:
    page.kind_combo.setCurrentIndex(0)
    page.set_date_range(None, None)


def _open_drill(dialog: Any) -> None:
    from zhdesk.dto import Drill

    dialog.show_drill(ALL_ITEMS, Drill())


BATCH_CLOSED, BATCH_TITLE = 6, 8  # ui/pages/bulletins_model.BatchCol
DRILL_ADDRESS, DRILL_STATUS = 0, 6  # ui/dialogs/drill.ICol

ITEM_CASES: list[Case] = [
    Case("督办通报 open (refresh → first batches painted)", "bulletins", lambda p: p.refresh(), fresh=True),
    Case("督办通报 sort by 办结 (ratio)", "bulletins", _sort(BATCH_CLOSED), _reset),
    Case("督办通报 sort by 标题", "bulletins", _sort(BATCH_TITLE), _reset),
    Case("督办通报 filter by kind", "bulletins", _kind, _reset),
    Case("督办通报 filter by issue date", "bulletins", _dates, _reset),
    Case("总览 drill-down open, all 100,000 items", "drill", _open_drill, fresh=True),
    Case("总览 drill-down sort by 地址", "drill", _sort(DRILL_ADDRESS)),
    Case("总览 drill-down sort by 状态", "drill", _sort(DRILL_STATUS)),
]


_MEASURE = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as f:
    subprocess.run(sys.argv[2:], stdout=f, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cli_export(db: Path, runs: int) -> tuple[list[float], float, int]:
    """`zhdesk bulletins --items --json` on the large database: (seconds per run, peak RSS MB, bytes). A
    small Python process starts it and reads its peak RSS (started from here, the fork would count this
    process's own memory as the child's)."""
    times: list[float] = []
    peaks: list[float] = []
    size = 0
    with tempfile.TemporaryDirectory(prefix="zhdesk-cli-") as tmp:
        out = Path(tmp) / "bulletins.json"
        command = [sys.executable, "-m", "zhdesk", "--db", sqlite_url(db), "bulletins", "--items", "--json"]
        for _ in range(runs):
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _MEASURE, str(out), *command], capture_output=True,
                                  text=True, check=True, env={**os.environ, "XDG_DATA_HOME": tmp})  # fmt: skip
            times.append(time.perf_counter() - t0)
            peaks.append(int(done.stdout.split()[-1]) / 1024)  # Linux reports KB
            size = out.stat().st_size
    return times, max(peaks), size


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.item_tables", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cli-runs", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None, help="case names containing any of these words")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary of each case")
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI export case")
    args = ap.parse_args(list(argv))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    setup_application(app)
    cases = [c for c in ITEM_CASES if not args.only or any(w in c.name for w in args.only)]
    db = big_db()
    ok = run_cases(app, db, cases, args.runs, args.profile)
    if not args.no_cli and (not args.only or any("CLI" in w or "cli" in w for w in args.only)):
        secs, peak, size = cli_export(db, args.cli_runs)
        print(f"bulletins --items --json: median {statistics.median(secs):.1f} s, peak RSS {peak:.0f} MB, "
              f"{size / 2**20:.0f} MB written")  # fmt: skip
        met = peak <= RSS_TARGET_MB
        ok = ok and met
        report.record("tables", "CLI bulletins --items --json (100,000 items): time", secs, "s",
                      "streams (was 14 s)", True, peer="before issue 13: 14 s, 46 MB held")  # fmt: skip
        report.record("tables", "CLI bulletins --items --json: peak RSS", [peak], "MB", f"≤ {RSS_TARGET_MB:.0f} MB",
                      met)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
