"""Changes made on other workstations reach the open pages without the user refreshing.

A thread of its own (not the ops worker: a long import must not delay it, and it must not wait behind
one) runs the Desk's change feed (zhdesk/feed.py): PostgreSQL wakes it through LISTEN/NOTIFY at once,
SQLite is polled every 2 s. What another workstation changed is broadcast on the GUI thread as
`Ops.changed(changes, None)`, so every page's StaleWatch (ui/stale.py) reloads what it shows. A database
that cannot be reached is retried quietly with back-off: the page reads say so, not this thread.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from ui.ops import Ops
from zhdesk.changes import Changes
from zhdesk.errors import ZhdeskError

if TYPE_CHECKING:  # importing them would load SQLAlchemy into the window's module graph
    from zhdesk.desk import Desk
    from zhdesk.feed import ChangeFeed

log = logging.getLogger(__name__)

LOADED = "已载入其他工作站的修改"
PG_WAIT_S = 1.0  # PostgreSQL: NOTIFY wakes at once; the timeout only bounds how long stop() takes
MAX_BACKOFF_S = 30.0


class FeedWatch(QObject):
    arrived = Signal(object)  # Changes, emitted on the feed's thread, delivered on the GUI thread
    loaded = Signal(str)  # a status bar line

    def __init__(self, desk: Desk, ops: Ops, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._feed: ChangeFeed = desk.feed()
        self._wait_s = PG_WAIT_S if self._feed.postgres else self._feed.poll_s
        self.arrived.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="zhdesk-change-feed", daemon=True)
        self._thread.start()

    def _loop(self) -> None:  # the feed's thread: no widgets here
        feed = self._feed
        last: int | None = None
        backoff = 0.0
        try:
            while not feed.closed and not self._ops.closed:
                try:
                    if last is None:
                        last = feed.latest_change()
                    else:
                        feed.wait(self._wait_s)
                        if feed.closed:
                            break
                        last, changes = feed.changes_since(last)
                        if changes is not None:
                            self.arrived.emit(changes)
                    backoff = 0.0
                except ZhdeskError as exc:  # the server is away or the file unreadable: try again later
                    log.info("change feed paused: %s", exc.message)
                    backoff = min(MAX_BACKOFF_S, max(self._feed.poll_s, backoff * 2))
                    feed.sleep(backoff)
                except Exception:  # never let the thread die with a traceback the user might see
                    log.exception("change feed failed")
                    feed.sleep(MAX_BACKOFF_S)
        finally:
            feed.close()

    @Slot(object)
    def _deliver(self, changes: Changes) -> None:
        if self._ops.closed:
            return
        self._ops.changed.emit(changes, None)
        self.loaded.emit(LOADED)

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Stop the thread (the window closes); True if it ended in time."""
        self._feed.stop()
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def running(self) -> bool:
        return self._thread.is_alive()
