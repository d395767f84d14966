"""The chart modules (numpy, pyqtgraph and zhdesk's chart widgets) imported on a background thread once
start-up is over (issue 13).

Start-up does not import them: the first page has no chart, and `import pyqtgraph` costs about as much as
the rest of start-up (its Qt shim touches every Qt class, creating each enum). Imported on the GUI thread
when 总览 is first shown, that was a 0.7–1.1 s frozen window. A daemon thread imports them while the user
reads the first page; Python's per-module import locks make a page that needs them meanwhile wait for the
import in progress rather than start a second one. Measured (bench pages): the GUI thread's longest gap
while the thread imports stays under the 10 ms timer's usual jitter plus ~30 ms.

Nothing here creates a widget or a QObject: module bodies only.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading

from ui import heap

log = logging.getLogger(__name__)

# In dependency order; each is skipped if some page imported it already.
CHART_MODULES = ("numpy", "pyqtgraph", "ui.widgets.plot", "ui.widgets.charts", "ui.widgets.gantt")

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _import_all() -> None:
    for name in CHART_MODULES:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:  # the page that needs it imports it again and reports what failed
            log.warning("preloading %s failed", name, exc_info=True)
            return
    heap.freeze()  # modules live as long as the process: out of later full collections (ui/heap.py)


def start() -> threading.Thread | None:
    """Import the chart modules on a background thread, once per process. Returns the thread (None when
    everything was imported already)."""
    global _thread
    with _lock:
        if _thread is not None:
            return _thread
        if all(name in sys.modules for name in CHART_MODULES):
            return None
        _thread = threading.Thread(target=_import_all, name="zhdesk-preload-charts", daemon=True)
        _thread.start()
        return _thread


def wait(timeout: float | None = None) -> bool:
    """Block until a started preload is done (tests, benchmarks). True if nothing is left running."""
    thread = _thread
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()
