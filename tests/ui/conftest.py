"""UI fixtures: Qt set up as the app does, settings in a temp folder, demo data relative to the real clock
(the UI computes lights against today), dialogs captured instead of blocking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ui.app import setup_application
from ui.main_window import MainWindow
from ui.ops import Ops
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


def wait_idle(qtbot: QtBot, ops: Ops, timeout: int = 10000) -> None:
    qtbot.waitUntil(ops.is_idle, timeout=timeout)


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
