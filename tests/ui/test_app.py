"""Start-up: arguments, Chinese Qt, the bundled font, an empty database left empty, a clear failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support import dump
from tests.ui.conftest import Dialogs, wait_idle
from ui import app as app_module
from ui.app import EXIT_START_FAILED, main, open_desk, parse_args
from ui.fonts import BUNDLED_FONT, register_bundled_font
from ui.main_window import WINDOW_TITLE, MainWindow


def test_parse_args_keeps_qt_options() -> None:
    args, rest = parse_args(["--db", "sqlite:///x.db", "-style", "fusion"])
    assert args.db == "sqlite:///x.db"
    assert rest == ["-style", "fusion"]
    args, rest = parse_args([])
    assert args.db is None and rest == []


def test_qt_speaks_chinese(qapp: QApplication) -> None:
    assert QLocale().name() == "zh_CN"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QFileDialog", "Save As") == "另存为"


def test_bundled_font_is_the_application_font(qapp: QApplication) -> None:
    assert BUNDLED_FONT.is_file()
    families = register_bundled_font()
    assert families
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(families[0])
    assert families[0] in qapp.font().families()
    assert qapp.font().pointSizeF() >= 10


def test_first_run_writes_no_demo_into_the_real_database(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'first.db').as_posix()}"
    desk = open_desk(url)
    assert desk.list_sites() == [] and not desk.is_demo()
    desk.close()
    schema_only = dump(url)
    again = open_desk(url)
    assert again.list_sites() == []
    again.close()
    assert dump(url) == schema_only


def test_bad_database_is_one_chinese_dialog_and_exit_2(tmp_path: Path, dialogs: Dialogs) -> None:
    missing = tmp_path / "no-such-folder" / "z.db"
    assert main(["--db", f"sqlite:///{missing.as_posix()}"]) == EXIT_START_FAILED
    [(kind, title, text)] = dialogs.shown
    assert kind == "critical" and title == "zhdesk 无法启动"
    assert "数据库所在文件夹不存在" in text


def test_unwritable_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.delenv("ZHDESK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))  # below a file: cannot be created
    assert main([]) == EXIT_START_FAILED
    [text] = dialogs.texts("critical")
    assert "数据文件夹无法写入" in text


def test_main_runs_the_window_and_stops_cleanly(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_exec(*_args: Any) -> int:
        [w] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        wait_idle(qtbot, w.ops)
        seen["title"] = w.windowTitle()
        seen["rows"] = w.listings.proxy.rowCount()
        seen["window"] = w
        return 0

    monkeypatch.setattr(app_module.QApplication, "exec", fake_exec)
    assert main(["--db", f"sqlite:///{(tmp_path / 'm.db').as_posix()}"]) == 0
    assert seen["title"] == WINDOW_TITLE  # the real database: no 演示数据 mark
    assert seen["rows"] == 0 and seen["window"].showing_welcome()
    window: MainWindow = seen["window"]
    assert not window.isVisible()
    assert window.ops.is_idle() and window.ops.run(lambda: None) == 0
    window.deleteLater()
