"""Background operations: every Desk call runs on one private worker thread, one at a time.

Reads: `ops.run(lambda: desk.get_site(7), on_success=self.show_site)`. Writes: `ops.write(fn, changes,
on_success, ..., initiator=self)` — `changes` (zhdesk.changes.Changes) says what the write touched; after
`on_success` ran, `changed(changes, initiator)` is emitted so every page can mark itself stale (see
ui/stale.py). The callable runs on the worker and must not touch widgets; `on_success(result)` /
`on_failure(error)` run on the GUI thread. A `ZhdeskError` is shown to the user in a Chinese dialog;
anything else is reported as an internal error.

Long GUI-thread work (building six charts, filling them) is split with `ops.later(step)`: each step runs
on its own event-loop turn, after the steps queued before it, so the window paints and answers between
them (issue 13: no stall over 100 ms). Steps count as pending work: `is_idle()` waits for them too.
`ops.after_paint(widget, step)` waits, a few turns at most, for the widget's paint first: a page's first
reads then start after its first paint instead of sharing the GIL with it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from zhdesk.changes import Changes
from zhdesk.errors import ZhdeskError

log = logging.getLogger(__name__)

R = TypeVar("R")

ERROR_TITLE = "操作未完成"
PAINT_TURNS = 3  # after_paint: how many turns a step waits for the paint at most


def show_error(parent: QWidget | None, message: str, title: str = ERROR_TITLE) -> None:
    """The one place an operation's failure becomes a dialog (tests patch QMessageBox.warning)."""
    QMessageBox.warning(parent, title, message)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question, 否 by default (tests patch QMessageBox.question)."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, yes | no, no) == yes


def describe(exc: BaseException) -> str:
    """One line of Chinese for the user."""
    if isinstance(exc, ZhdeskError):
        return exc.message
    return f"程序内部错误：{type(exc).__name__}: {exc}。请将此信息告知维护人员。"


@dataclass
class _Job:
    label: str
    on_success: Callable[[Any], object] | None
    on_failure: Callable[[BaseException], object] | None
    show_errors: bool
    changes: Changes | None = None  # a write: broadcast after success
    initiator: object | None = None


@dataclass
class _Window:
    """An open throttle window: its timer, and the call (and pending job) to make when it ends."""

    timer: QTimer
    fn: Callable[[], object] | None = None
    job_id: int = 0


_worker = threading.local()


def in_write_job() -> bool:
    """True on the worker while it runs a job queued by `Ops.write` (tests check every write goes so)."""
    return bool(getattr(_worker, "write", False))


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits through it, so slots run on the GUI thread."""

    finished = Signal(int, bool, object)  # job id, ok, result or exception


class _Task(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], relay: _Relay, write: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job_id = job_id
        self._fn = fn
        self._relay = relay
        self._write = write

    def run(self) -> None:  # worker thread: no widgets here
        _worker.write = self._write
        try:
            result = self._fn()
        except Exception as exc:
            if not isinstance(exc, ZhdeskError):
                log.error("background operation failed\n%s", traceback.format_exc())
            self._relay.finished.emit(self._job_id, False, exc)
        else:
            self._relay.finished.emit(self._job_id, True, result)
        finally:
            _worker.write = False


class _PaintGate(QObject):
    """Notes a widget's next paint (it dies with the widget)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


class Ops(QObject):
    """Owner of the database worker. Call `shutdown()` before the window goes away."""

    busy_changed = Signal(bool, str)  # busy, label of the oldest pending operation
    idle = Signal()  # every submitted operation has run and its callback has been delivered
    changed = Signal(object, object)  # Changes, initiator (the object that asked for the write, or None)

    # Every instance, so tests can prove no worker outlives its window.
    instances: weakref.WeakSet[Ops] = weakref.WeakSet()

    def __init__(self, parent: QObject | None = None, dialog_parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # serializes all database work
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self.dialog_parent = dialog_parent
        self._steps: deque[tuple[int, Callable[[], object]]] = deque()
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)  # fires once the events queued meanwhile (paint, input) are handled
        self._step_timer.timeout.connect(self._run_step)
        self._windows: dict[object, _Window] = {}  # throttle key → its open window
        Ops.instances.add(self)

    def run(
        self,
        fn: Callable[[], R],
        on_success: Callable[[R], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        *,
        label: str = "正在处理…",
        show_errors: bool = True,
    ) -> int:
        """Queue a read `fn` on the worker; returns a job id. Ignored (returns 0) after shutdown."""
        return self._submit(fn, _Job(label, on_success, on_failure, show_errors))

    def write(
        self,
        fn: Callable[[], R],
        changes: Changes,
        on_success: Callable[[R], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        *,
        label: str = "正在保存…",
        show_errors: bool = True,
        initiator: object | None = None,
    ) -> int:
        """Queue a write; after it succeeded and `on_success` ran, broadcast `changed(changes, initiator)`."""
        return self._submit(fn, _Job(label, on_success, on_failure, show_errors, changes, initiator))

    def later(self, step: Callable[[], object], label: str = "正在显示…") -> int:
        """Run `step` on the GUI thread on a later event-loop turn, after every step queued before it.
        Returns a job id (0 after shutdown, when the step is dropped)."""
        job_id = self._add(_Job(label, None, None, False))
        if job_id:
            self._steps.append((job_id, step))
            if not self._step_timer.isActive():
                self._step_timer.start()
        return job_id

    def after_paint(
        self, widget: QWidget, step: Callable[[], object], label: str = "正在显示…", turns: int = PAINT_TURNS
    ) -> int:
        """Like `later`, but once `widget` has painted: Qt may run a turn's timers before the paint a turn
        posted, so the step waits up to `turns` more turns for it (none if the widget is hidden). For a scroll
        area pass its viewport, which is what paints."""
        gate: _PaintGate | None = None

        def attempt(left: int) -> None:
            nonlocal gate
            try:
                waiting = left > 0 and widget.isVisible() and (gate is None or not gate.painted)
                if waiting and gate is None:
                    # Installed here, not in the caller's turn: the caller may be inside one of the widget's
                    # event filters (a StaleWatch's Show), and Qt would call that filter again, forever.
                    gate = _PaintGate(widget)
            except RuntimeError:  # the widget is gone, and the step with it
                return
            if waiting:
                self.later(lambda: attempt(left - 1), label)
                return
            if gate is not None:
                widget.removeEventFilter(gate)
                gate.deleteLater()
            step()

        return self.later(lambda: attempt(turns), label)

    def throttle(self, key: object, window_ms: int, fn: Callable[[], object], label: str = "正在查询…") -> None:
        """Run `fn` at once unless a call for `key` ran within the last `window_ms`; calls inside that window
        make one more run at its end, with the latest `fn` (typing in a search box: the first keystroke, or an
        input method's committed word, queries at once; a burst of keystrokes makes one more query, with the
        last text). A trailing run is pending work, like a job."""
        state = self._windows.get(key)
        if state is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._window_end(key, window_ms))
            self._windows[key] = _Window(timer)
            timer.start(window_ms)
            fn()
            return
        if state.job_id == 0:
            state.job_id = self._add(_Job(label, None, None, False))
        state.fn = fn

    def _window_end(self, key: object, window_ms: int) -> None:
        state = self._windows.pop(key, None)
        if state is None:
            return
        state.timer.deleteLater()
        if state.fn is None or self._closed:
            return
        try:
            self.throttle(key, window_ms, state.fn)  # runs now, and opens the next window
        finally:
            self._done(state.job_id)

    def _run_step(self) -> None:
        if self._closed or not self._steps:
            return
        job_id, step = self._steps.popleft()
        try:
            step()
        finally:  # a failing step is reported like any slot's error; the ones after it still run
            if self._steps:
                self._step_timer.start()
            self._done(job_id)

    def _add(self, job: _Job) -> int:
        if self._closed:
            return 0
        job_id = next(self._ids)
        self._jobs[job_id] = job
        if len(self._jobs) == 1:
            self.busy_changed.emit(True, job.label)
        return job_id

    def _done(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)
        if self._jobs:
            self.busy_changed.emit(True, next(iter(self._jobs.values())).label)
        else:
            self.busy_changed.emit(False, "")
            self.idle.emit()

    def _submit(self, fn: Callable[[], Any], job: _Job) -> int:
        job_id = self._add(job)
        if job_id:
            self._pool.start(_Task(job_id, fn, self._relay, job.changes is not None))
        return job_id

    @property
    def closed(self) -> bool:
        return self._closed

    def active_threads(self) -> int:
        try:
            return self._pool.activeThreadCount()
        except RuntimeError:  # pool already destroyed with its parent; its destructor joined the threads
            return 0

    def is_idle(self) -> bool:
        return not self._jobs

    def pending(self) -> int:
        return len(self._jobs)

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, payload: object) -> None:
        job = self._jobs.get(job_id)
        if job is None or self._closed:
            return
        try:
            if ok:
                try:
                    if job.on_success is not None:
                        job.on_success(payload)
                finally:  # the write happened even if the caller's callback failed
                    if job.changes is not None:
                        self.changed.emit(job.changes, job.initiator)
            else:
                assert isinstance(payload, BaseException)
                if job.show_errors:
                    show_error(self.dialog_parent, describe(payload))
                if job.on_failure is not None:
                    job.on_failure(payload)
        finally:
            self._done(job_id)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Finish queued work (writes must not be lost), drop pending callbacks; True if the worker stopped."""
        if self._closed:
            return True
        self._closed = True
        self._step_timer.stop()
        self._steps.clear()
        for window in self._windows.values():
            window.timer.stop()
        self._windows.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._jobs.clear()  # results still queued for the GUI thread are dropped by _deliver
        return done
