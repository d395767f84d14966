"""The processes `bench startup` times: the app up to its first page painted, and the floor. Kept apart
from bench/startup.py so a child imports nothing the parent needs (argparse, statistics, subprocess,
bench.report: ≈ 60 ms of importtime on the loaded machine, which neither `python main.py` nor a bare Qt
window pays).

    python -m bench.startup_child floor | app [URL]   (no URL: the demo database)

Each prints one JSON line; "painted" is the wall clock once the window is grabbed (the parent compares it
with its own reading at spawn: a per-process clock would not do).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

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
    print(json.dumps({"painted": time.time(), "peak_mb": _peak_mb()}))
    return 0


def child_app(url: str | None) -> int:
    """What ui.app.main does up to the first painted page, then exit (no event loop left running)."""
    marks = [time.time()]
    from ui import app as ui_app  # first, as main.py does: ui.app imports the core before Qt

    # isort: split
    from PySide6.QtCore import QTimer

    marks.append(time.time())
    argv = ["--db", url] if url else ["--demo"]
    args, qt_args = ui_app.parse_args(argv)
    qapp = ui_app.application(qt_args)
    ui_app.setup_application(qapp)
    marks.append(time.time())
    desk = ui_app.open_demo_desk() if args.demo else ui_app.open_desk(args.db)
    marks.append(time.time())
    launcher = ui_app.Launcher(None)
    window = launcher.start(desk)
    window.resize(*SIZE)
    window.show()
    marks.append(time.time())
    result: dict[str, object] = {}

    def check() -> None:
        if window.listings.model.rowCount() > 0:
            marks.append(time.time())
            window.grab()
            marks.append(time.time())
            result["painted"] = marks[-1]
            result["marks"] = marks
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


def main(argv: list[str]) -> int:
    if argv[:1] == ["floor"]:
        return child_floor()
    if argv[:1] == ["app"]:
        return child_app(argv[1] if len(argv) > 1 else None)
    print("usage: python -m bench.startup_child floor | app [URL]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
