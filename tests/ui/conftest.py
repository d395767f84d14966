"""UI fixtures: Qt set up as the app does, settings in a temp folder, demo data relative to the real clock
(the UI computes lights against today), dialogs captured instead of blocking."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from ui.app import setup_application
from ui.display import DisplayScale
from ui.main_window import MainWindow
from ui.ops import Ops, in_write_job
from ui.pages.listings import ListingsPage
from zhdesk.demo import load_demo
from zhdesk.desk import Desk


@pytest.fixture(scope="session", autouse=True)
def _chinese_qt(qapp: QApplication) -> QApplication:
    setup_application(qapp)
    return qapp


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path) -> Path:
    """Point QSettings at a temp folder so tests never read or write the user's settings."""
    folder = tmp_path / "qsettings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_worker_left_behind() -> Iterator[None]:
    """Torn down after qtbot has closed the test's widgets: every Ops must be shut down by then."""
    before = set(Ops.instances)
    yield
    left = [ops for ops in Ops.instances if ops not in before and not ops.closed]
    for ops in left:
        ops.shutdown()
    assert not left, "an Ops worker was not shut down (close its window or call shutdown())"
    assert all(ops.active_threads() == 0 for ops in Ops.instances)


# Qt messages the offscreen platform plugin prints on every run; none says anything about our code.
HARMLESS_QT_MESSAGES = (
    # offscreen windows have no window manager to tell about size hints
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
    # offscreen has no window stack to raise a window in (the drill-down dialog's raise_())
    re.compile(r"^This plugin does not support raise\(\)$"),
)


@pytest.fixture(autouse=True)
def qt_warnings_fail() -> Iterator[list[str]]:
    """A Qt warning or critical message fails the test (they hide real faults: bad connections, layouts)."""
    caught: list[str] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) and not any(
            p.search(text) for p in HARMLESS_QT_MESSAGES
        ):
            caught.append(f"{kind.name}: {text}")
        if previous is not None:
            previous(kind, context, text)  # pytest-qt's capture still sees everything

    previous = qInstallMessageHandler(handler)
    yield caught
    qInstallMessageHandler(previous)
    assert not caught, "Qt warned:\n" + "\n".join(caught)


@pytest.fixture(autouse=True)
def standard_display_size() -> Iterator[None]:
    """The display size is process-wide (the application font): every test starts and ends at 标准."""
    DisplayScale.instance().set_scale(1.0, remember=False)
    yield
    DisplayScale.instance().set_scale(1.0, remember=False)


# Every use case says whether it writes (zhdesk/desk.py `read(...)`/`write(...)`).
DESK_WRITES = frozenset(name for name, uc in Desk.use_cases().items() if uc.writes)
DESK_READS = frozenset(name for name, uc in Desk.use_cases().items() if not uc.writes)


@pytest.fixture(autouse=True)
def writes_go_through_ops_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A Desk write on the window's worker must have been queued by `Ops.write`, so its Changes are
    broadcast; a write queued by `Ops.run` would leave other pages stale. (Tests may write directly.)"""
    wrong: list[str] = []
    for name in DESK_WRITES:
        use_case = Desk.use_cases()[name]

        def guarded(desk: Desk, *args: Any, __name: str = name, __uc: Any = use_case, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread() and not in_write_job():
                wrong.append(__name)
            return desk.run(__uc.fn, *args, **kwargs)

        monkeypatch.setattr(Desk, name, guarded)
    yield wrong
    assert not wrong, f"Desk writes queued with ops.run instead of ops.write: {wrong}"


class CountingDesk:
    """Wraps a Desk and counts its method calls (from any thread), to prove what a page reads."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._desk, name)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls[name] += 1
            return value(*args, **kwargs)

        return counted

    def take(self) -> Counter[str]:
        """The calls since the last take."""
        with self._lock:
            calls, self.calls = self.calls, Counter()
        return calls


@dataclass
class Dialogs:
    """Captured QMessageBox calls: (kind, title, text). `answer` is what question() returns."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes

    def texts(self, kind: str | None = None) -> list[str]:
        return [t for k, _, t in self.shown if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """No test ever blocks on a modal box."""
    d = Dialogs()

    def capture(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
            d.shown.append((kind, title, text))
            return d.answer if kind == "question" else QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, capture(kind))
    return d


@pytest.fixture
def ui_desk(desk: Desk) -> Desk:
    with desk.uow() as uow:
        load_demo(uow)
    return desk


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[tuple[QWidget, Ops]]:
    """A bare parent widget and its Ops: for a dialog tested without the main window."""
    parent = QWidget()
    qtbot.addWidget(parent)
    ops = Ops(parent, parent)
    yield parent, ops
    assert ops.shutdown()


@pytest.fixture
def other_desk(ui_desk: Desk) -> Iterator[Desk]:
    """A second workstation on the same database, used by 王五 (login wangwu)."""
    d = Desk(Desk.open(ui_desk.engine.url.render_as_string(hide_password=False)).engine, user_login="wangwu")
    yield d
    d.close()


def wait_idle(qtbot: QtBot, ops: Ops, timeout: int = 10000) -> None:
    qtbot.waitUntil(ops.is_idle, timeout=timeout)


def settle(ops: Ops, timeout: float = 10) -> None:
    """wait_idle without a qtbot: a filter or sort on a paged table re-queries the core on the worker."""
    end = time.monotonic() + timeout
    while not ops.is_idle():
        assert time.monotonic() < end, "the worker did not finish"
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


@pytest.fixture
def window(qtbot: QtBot, ui_desk: Desk) -> Iterator[MainWindow]:
    w = MainWindow(ui_desk)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    yield w
    w.close()
    assert w.ops.shutdown()


@pytest.fixture
def page(window: MainWindow) -> ListingsPage:
    return window.listings
