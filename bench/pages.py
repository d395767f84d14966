"""Page switches on the large database: longest GUI-thread stall at start-up and on each page's first visit; RSS.

    .venv/bin/python -m bench pages [--runs 3] [--profile] [--db URL]

Each run is a fresh process (offscreen, 1600×1000) on the large database (bench.gendb: 10,000 sites,
100,000 items and events, 1,000,000 tally entries). It shows the main window, waits until its first page is
filled and at least LOOK_S (a user's first look at it, timed as start-up: the chart modules load then, on a
thread), then shows every other page once (navigation order), each time waiting until the page's loading is
done (the worker idle, then 200 ms more for what the results set off; 会议简报 last, without waiting for
its preview build). A 10 ms timer on the GUI thread notes
the gaps between its ticks, the way bench.gallery does: the largest gap is the longest stall the user
feels as a frozen window. Measured per phase: start-up (window shown → first page filled), each page
switch (the page's construction on its first visit included) and 总览's second tab, 督办进度, whose rows are
read when it is first shown. Peak RSS (VmHWM) is read after every page
was visited.

Targets (issue 13): no stall > 100 ms at start or on any page switch; ≤ 500 MB RSS after every page.
`--profile` prints a cProfile summary of the GUI thread for each phase (what docs/performance.md quotes).
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
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import report

STALL_TARGET_MS = 100.0
RSS_TARGET_MB = 500.0
TICK_MS = 10
SETTLE_MS = 200  # after the worker is idle: what the delivered results set off (charts, column sizing)
# A user looks at the first page before clicking on: the walk waits this long after start-up, still timing
# the GUI thread (what the window does meanwhile, e.g. loading the chart modules, counts in start-up).
LOOK_S = 1.5
SIZE = (1600, 1000)
START = "启动"
GANTT_TAB = "总览·督办进度"


def _status_mb(key: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child(url: str, profile: bool) -> int:
    import cProfile
    import io
    import pstats

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from ui import app as ui_app
    from ui.main_window import BRIEF, LISTINGS, NAVIGATION, OVERVIEW

    qapp = ui_app.application([])
    ui_app.setup_application(qapp)
    clock = QElapsedTimer()
    clock.start()
    gaps = {"last": 0.0, "max": 0.0}

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps["max"] = max(gaps["max"], now - gaps["last"])
        gaps["last"] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)

    desk = ui_app.open_desk(url)
    launcher = ui_app.Launcher(None)
    t = time.perf_counter()
    window = launcher.start(desk)
    built_ms = {START: (time.perf_counter() - t) * 1000}
    window.resize(*SIZE)
    stalls: dict[str, float] = {}
    profiles: dict[str, str] = {}

    def settle(phase: str, act: Callable[[], None], look_s: float = 0.0) -> None:
        """Run `act` inside the event loop's rhythm and wait until its loading is done; note the longest gap."""
        prof = cProfile.Profile() if profile else None
        tick()
        gaps["max"] = 0.0
        if prof is not None:
            prof.enable()
        started = time.perf_counter()
        act()
        deadline = started + 120
        idle_since: float | None = None
        while time.perf_counter() < deadline:
            qapp.processEvents()
            if window.ops.is_idle():
                idle_since = idle_since or time.perf_counter()
                now = time.perf_counter()
                if now - idle_since >= SETTLE_MS / 1000 and now - started >= look_s:
                    break
            else:
                idle_since = None
            time.sleep(0.001)
        else:
            raise SystemExit(f"{phase}: still loading after 120 s ({window.ops.pending()} jobs: {window.busy.text()})")
        tick()  # the gap up to the end counts too
        if prof is not None:
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(28)
            profiles[phase] = out.getvalue()
        stalls[phase] = gaps["max"]
        print(f"{phase}: longest stall {gaps['max']:.0f} ms", file=sys.stderr, flush=True)

    timer.start()
    settle(START, window.show, LOOK_S)
    # 会议简报 last: once its reads are done it builds its preview, a long job on the worker (the brief
    # benchmark's subject) that pages visited after it would wait behind; the process exits without it.
    order = [n for n in NAVIGATION if n not in (LISTINGS, BRIEF)] + [LISTINGS, BRIEF]
    for name in order:

        def switch(page: str = name) -> None:
            t = time.perf_counter()
            window.show_page(page)
            built_ms[page] = (time.perf_counter() - t) * 1000

        settle(name, switch)
        if name == OVERVIEW:  # its second tab reads its rows when first shown: a switch the user makes too
            settle(GANTT_TAB, lambda: window.overview.tabs.setCurrentWidget(window.overview.gantt_section))
    timer.stop()
    result = {
        "stalls": stalls,
        "built_ms": built_ms,
        "peak_mb": _status_mb("VmHWM"),
        "rss_mb": _status_mb("VmRSS"),
        "profiles": profiles,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    os._exit(0)  # not launcher.close(): that would wait for the brief preview's job to finish


def compile_sources() -> None:
    """Byte-compile zhdesk's own packages, as installing them does. With PYTHONDONTWRITEBYTECODE set (as in
    a test shell) each page's first visit compiled its modules on the GUI thread: 44–57 ms of 督办通报's
    and 会议简报's stall under cProfile were `builtins.compile`, which a user never pays."""
    import compileall

    root = Path(__file__).resolve().parents[1]
    for package in ("ui", "zhdesk", "db"):
        compileall.compile_dir(root / package, quiet=1)


def _spawn(env: dict[str, str], url: str, profile: bool) -> dict[str, object]:
    args = [sys.executable, "-m", "bench.pages", "--child", url] + (["--profile"] if profile else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"pages child failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench pages", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary of each phase (one run)")
    ap.add_argument("--db", help="another database URL (default: the large cached one)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(list(argv))
    if args.child:
        return child(args.child, args.profile)

    if args.db:
        url = args.db
    else:
        from bench.gendb import big_db
        from db.engine import sqlite_url

        url = sqlite_url(big_db())
    runs: list[dict[str, object]] = []
    compile_sources()
    with tempfile.TemporaryDirectory(prefix="zhdesk-pages-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp, HOME=tmp)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as bench.startup: a user's Python caches bytecode
        for _ in range(1 if args.profile else args.runs):
            runs.append(_spawn(env, url, args.profile))

    stalls = [r["stalls"] for r in runs]
    built = [r["built_ms"] for r in runs]
    assert isinstance(stalls[0], dict)
    phases = list(stalls[0])
    if args.profile:
        profiles = runs[0]["profiles"]
        assert isinstance(profiles, dict)
        for phase in phases:
            print(f"\n===== {phase}: longest stall {stalls[0][phase]:.0f} ms (cProfile of the GUI thread)")
            print(profiles[phase])
    print(f"\npages: longest GUI-thread stall per phase, {len(runs)} run(s), timer {TICK_MS} ms, settle {SETTLE_MS} ms")
    print(f"{'phase':<10} {'stall median':>12} {'worst':>8} {'built in':>9}")
    for phase in phases:
        values = [float(s[phase]) for s in stalls if isinstance(s, dict)]
        made = [float(b[phase]) for b in built if isinstance(b, dict) and phase in b]
        flag = "" if max(values) <= STALL_TARGET_MS else "  > target"
        made_text = f"{statistics.median(made):>6.0f} ms" if made else ""
        print(f"{phase:<10} {statistics.median(values):>9.0f} ms {max(values):>5.0f} ms {made_text:>9}{flag}")
    start_stalls = [float(s[START]) for s in stalls if isinstance(s, dict)]
    page_stalls = [max(float(v) for k, v in s.items() if k != START) for s in stalls if isinstance(s, dict)]
    peaks = [float(str(r["peak_mb"])) for r in runs]
    ok_start = max(start_stalls) <= STALL_TARGET_MS
    ok_pages = max(page_stalls) <= STALL_TARGET_MS
    ok_rss = max(peaks) <= RSS_TARGET_MB
    print(f"peak RSS after visiting every page: median {statistics.median(peaks):.0f} MB, worst {max(peaks):.0f} MB "
          f"(target ≤ {RSS_TARGET_MB:.0f})")  # fmt: skip
    goal = f"≤ {STALL_TARGET_MS:.0f} ms"
    report.record("pages", "longest GUI stall at start-up, large database", start_stalls, "ms", goal, ok_start)
    report.record("pages", "longest GUI stall on a page's first visit (worst page)", page_stalls, "ms", goal, ok_pages)
    report.record("pages", "peak RSS after visiting every page", peaks, "MB", f"≤ {RSS_TARGET_MB:.0f} MB", ok_rss)
    return 0 if ok_start and ok_pages and ok_rss else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
