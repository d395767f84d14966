"""The background op helper: work off the GUI thread, one at a time, results and errors back on the GUI thread."""

from __future__ import annotations

import threading
import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, QThread
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.ops import Ops
from zhdesk.errors import Conflict


def test_result_comes_back_on_gui_thread(qtbot: QtBot) -> None:
    ops = Ops()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is ops.thread()

    with qtbot.waitSignal(ops.idle, timeout=5000):
        ops.run(work, done)
    assert seen == {"worker": seen["worker"], "value": 42, "gui": True}
    assert seen["worker"] != threading.get_ident()
    assert ops.shutdown()


def test_operations_are_serialized_in_order(qtbot: QtBot) -> None:
    ops = Ops()
    running = 0
    overlap = False
    order: list[int] = []
    lock = threading.Lock()

    def job(i: int) -> int:
        nonlocal running, overlap
        with lock:
            running += 1
            overlap = overlap or running > 1
        time.sleep(0.005)
        with lock:
            running -= 1
        return i

    for i in range(20):
        ops.run(lambda i=i: job(i), order.append)
    assert not ops.is_idle()
    wait_idle(qtbot, ops)
    assert order == list(range(20))
    assert not overlap
    assert ops.shutdown()


def test_zhdesk_error_is_shown_in_chinese_and_reported(qtbot: QtBot, dialogs: Dialogs) -> None:
    ops = Ops()
    failures: list[BaseException] = []

    def boom() -> None:
        raise Conflict("点位“江西路153号”已被其他人修改，请刷新后再操作")

    ops.run(boom, lambda _r: None, failures.append)
    wait_idle(qtbot, ops)
    assert dialogs.texts("warning") == ["点位“江西路153号”已被其他人修改，请刷新后再操作"]
    assert len(failures) == 1 and isinstance(failures[0], Conflict)
    assert ops.shutdown()


def test_unexpected_error_is_reported_as_internal(qtbot: QtBot, dialogs: Dialogs) -> None:
    ops = Ops()
    ops.run(lambda: 1 / 0)
    wait_idle(qtbot, ops)
    [text] = dialogs.texts("warning")
    assert text.startswith("程序内部错误：ZeroDivisionError")
    assert ops.shutdown()


def test_busy_signal_brackets_the_work(qtbot: QtBot) -> None:
    ops = Ops()
    states: list[tuple[bool, str]] = []
    ops.busy_changed.connect(lambda busy, label: states.append((busy, label)))
    ops.run(lambda: None, label="正在读取…")
    wait_idle(qtbot, ops)
    assert states == [(True, "正在读取…"), (False, "")]
    assert ops.shutdown()


def test_shutdown_finishes_queued_work_and_drops_callbacks(qtbot: QtBot) -> None:
    ops = Ops()
    ran: list[int] = []
    delivered: list[int] = []
    for i in range(3):
        ops.run(lambda i=i: (time.sleep(0.01), ran.append(i)), lambda _r, i=i: delivered.append(i))
    assert ops.shutdown()
    assert ran == [0, 1, 2]  # writes already queued are not lost
    qtbot.wait(50)
    assert delivered == []
    assert ops.is_idle()
    assert ops.run(lambda: None) == 0  # refused after shutdown


def test_later_steps_run_in_order_one_per_event_loop_turn(qtbot: QtBot) -> None:
    """GUI-thread work split with `later`: the events posted by a step (a paint, a click) are handled
    before the next step runs, steps keep their order behind worker results queued before them, and the
    ops are busy until the last step ran."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    ops = Ops()
    order: list[str] = []
    handled: list[int] = []

    class Probe(QObject):
        def event(self, e: QEvent) -> bool:
            if e.type() == QEvent.Type.User:
                handled.append(len(order))  # how many steps had run when the posted event was handled
                return True
            return super().event(e)

    probe = Probe()

    def step(name: str) -> None:
        order.append(name)
        QCoreApplication.postEvent(probe, QEvent(QEvent.Type.User))

    ops.run(lambda: 1, lambda _v: ops.later(lambda: step("after result")))
    for name in ("a", "b", "c"):
        ops.later(lambda n=name: step(n))
    assert not ops.is_idle()
    with qtbot.waitSignal(ops.idle, timeout=5000):
        pass
    assert ops.is_idle()
    qtbot.waitUntil(lambda: len(handled) == 4, timeout=5000)
    assert order == ["a", "b", "c", "after result"]
    assert handled == [1, 2, 3, 4]  # each step's event came before the next step
    assert ops.shutdown()


def test_a_failing_step_does_not_stop_the_rest_and_shutdown_drops_them(qtbot: QtBot) -> None:
    ops = Ops()
    ran: list[int] = []

    def boom() -> None:
        raise RuntimeError("step failed")

    ops.later(lambda: ran.append(1))
    ops.later(boom)
    ops.later(lambda: ran.append(3))
    with qtbot.capture_exceptions() as raised:
        wait_idle(qtbot, ops)
    assert ran == [1, 3] and [str(e[1]) for e in raised] == ["step failed"]
    ops.later(lambda: ran.append(4))
    assert ops.shutdown()
    assert ops.later(lambda: ran.append(5)) == 0
    qtbot.wait(50)
    assert ran == [1, 3] and ops.is_idle()


def test_throttle_runs_at_once_then_once_more_at_the_window_end(qtbot: QtBot) -> None:
    ops = Ops()
    ran: list[str] = []
    key = object()
    ops.throttle(key, 150, lambda: ran.append("江"))
    assert ran == ["江"] and ops.is_idle()  # the first call runs at once
    for text in ("江西", "江西路", "江西路1"):
        ops.throttle(key, 150, lambda t=text: ran.append(t))
    assert ran == ["江"] and not ops.is_idle()  # the trailing run is pending work
    wait_idle(qtbot, ops)
    assert ran == ["江", "江西路1"]  # one more, with the last call
    qtbot.wait(200)  # the window the trailing run opened ends with nothing to do
    ops.throttle(key, 150, lambda: ran.append("澄海"))
    assert ran == ["江", "江西路1", "澄海"]
    ops.throttle(key, 150, lambda: ran.append("dropped"))
    assert ops.shutdown()
    qtbot.wait(200)
    assert ran == ["江", "江西路1", "澄海"] and ops.is_idle()


class _PaintLog(QWidget):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log
        self.resize(200, 100)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.log.append("paint")


def test_after_paint_runs_the_step_after_the_widgets_paint(qtbot: QtBot) -> None:
    ops = Ops()
    log: list[str] = []
    widget = _PaintLog(log)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    wait_idle(qtbot, ops)
    log.clear()
    widget.update()  # a paint posted in this turn
    ops.after_paint(widget, lambda: log.append("step"))
    assert log == []  # never in the caller's turn
    wait_idle(qtbot, ops)
    assert log[-1] == "step" and "paint" in log, log
    assert ops.shutdown()


def test_after_paint_does_not_wait_for_a_hidden_or_unpainted_widget(qtbot: QtBot) -> None:
    ops = Ops()
    log: list[str] = []
    hidden = _PaintLog(log)
    qtbot.addWidget(hidden)
    ops.after_paint(hidden, lambda: log.append("hidden"))
    wait_idle(qtbot, ops)
    assert log == ["hidden"]

    frozen = _PaintLog(log)  # shown, but its painting held: the step runs after PAINT_TURNS turns anyway
    qtbot.addWidget(frozen)
    frozen.show()
    qtbot.waitExposed(frozen)
    wait_idle(qtbot, ops)
    frozen.setUpdatesEnabled(False)
    log.clear()
    ops.after_paint(frozen, lambda: log.append("frozen"))
    wait_idle(qtbot, ops)
    assert log == ["frozen"]
    assert len(frozen.findChildren(QObject)) == 0  # the paint gate went with the step
    assert ops.shutdown()


def test_after_paint_drops_the_step_of_a_deleted_widget(qtbot: QtBot) -> None:
    ops = Ops()
    log: list[str] = []
    widget = _PaintLog(log)
    widget.show()
    ops.after_paint(widget, lambda: log.append("step"))
    shiboken6.delete(widget)
    with qtbot.capture_exceptions() as raised:
        wait_idle(qtbot, ops)
    assert raised == [] and "step" not in log
    assert ops.shutdown()


class _ShowHook(QObject):
    """Calls `after_paint` from inside the widget's own Show filter, as a StaleWatch's reload does."""

    def __init__(self, widget: QWidget, ops: Ops, log: list[str]) -> None:
        super().__init__(widget)
        self.calls = 0
        self.ops, self.log, self.widget = ops, log, widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.calls += 1
            if self.calls == 1:  # (a second call means Qt re-ran this filter: the gate went in mid-dispatch)
                self.ops.after_paint(self.widget, lambda: self.log.append("step"))
        return False


def test_after_paint_from_the_widgets_own_event_filter(qtbot: QtBot) -> None:
    ops = Ops()
    log: list[str] = []
    widget = _PaintLog(log)
    qtbot.addWidget(widget)
    hook = _ShowHook(widget, ops, log)
    widget.show()
    wait_idle(qtbot, ops)
    assert hook.calls == 1
    assert log.count("step") == 1 and log.index("paint") < log.index("step"), log
    assert ops.shutdown()
