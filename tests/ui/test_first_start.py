"""First start, honestly: an empty real database opens on the welcome page with nothing written; the demo
lives in a database of its own (`--demo`, 打开演示数据), marked 演示数据; 导入点位清单 from the welcome page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from tests.support import copy_database, dump
from tests.ui.conftest import Dialogs, wait_idle
from tests.zhdesk.tally import tally_files as tf
from ui import app as app_module
from ui.app import EXIT_START_FAILED, Launcher, main, open_desk
from ui.dialogs import site_import_dialog
from ui.dialogs.site_import_dialog import SiteImportPreview
from ui.main_window import DEMO_TITLE_SUFFIX, WINDOW_TITLE, MainWindow
from ui.pages.welcome import WelcomePage
from zhdesk.database import DEMO_FILE, data_dir
from zhdesk.desk import Desk
from zhdesk.site_import_dto import SiteImportReport, SiteImportRow, SkippedSite


def _url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def _capture_exec(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_exec(*_args: Any) -> int:
        [w] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        wait_idle(qtbot, w.ops)
        seen["window"] = w
        seen["title"] = w.windowTitle()
        seen["welcome"] = w.showing_welcome()
        seen["mark"] = w.findChild(QLabel, "status_demo")
        seen["mark_tip"] = seen["mark"].toolTip() if seen["mark"] is not None else None
        seen["location"] = w.location.text()
        return 0

    monkeypatch.setattr(app_module.QApplication, "exec", fake_exec)
    return seen


def test_empty_real_database_opens_on_the_welcome_page_and_writes_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(tmp_path / "real.db")
    open_desk(url).close()  # the schema and reference lists, as any first open creates them
    before = dump(url)
    seen = _capture_exec(monkeypatch, qtbot)
    assert main(["--db", url]) == 0
    assert seen["welcome"] and seen["title"] == WINDOW_TITLE and seen["mark"] is None
    assert dump(url) == before  # no demo, nothing else either
    seen["window"].deleteLater()


def test_demo_flag_opens_a_demo_database_of_its_own(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZHDESK_DB")  # the real database is the default file in the data folder
    real = data_dir() / "zhdesk.sqlite3"
    seen = _capture_exec(monkeypatch, qtbot)
    assert main(["--demo"]) == 0
    demo = data_dir() / DEMO_FILE
    assert demo.is_file() and not real.exists()  # created beside the real file, which is untouched
    assert seen["title"] == WINDOW_TITLE + DEMO_TITLE_SUFFIX and not seen["welcome"]
    assert seen["mark"].text() == "演示数据"
    assert str(real) in seen["mark_tip"] and str(demo) in seen["mark_tip"]
    assert str(demo) in seen["location"]
    filled = dump(_url(demo))
    seen["window"].deleteLater()

    assert main(["--demo"]) == 0  # reused, not filled again
    assert dump(_url(demo))["site"] == filled["site"]
    assert not real.exists()
    seen["window"].deleteLater()


def test_demo_and_db_together_is_one_chinese_dialog(tmp_path: Path, dialogs: Dialogs) -> None:
    assert main(["--demo", "--db", _url(tmp_path / "x.db")]) == EXIT_START_FAILED
    [text] = dialogs.texts("critical")
    assert "--demo" in text and "--db" in text
    assert not (tmp_path / "x.db").exists()


@pytest.fixture
def empty_window(qtbot: QtBot, desk: Desk) -> Any:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    yield w
    w.close()
    assert w.ops.shutdown()


def test_welcome_page_buttons(qtbot: QtBot, empty_window: MainWindow) -> None:
    w = empty_window
    assert w.showing_welcome() and w.welcome.isVisible()
    assert w.pages.built() == []  # the welcome page only: 挂牌督办 is built once a site exists (issue 13)
    texts = [b.text() for b in (w.welcome.new_button, w.welcome.import_button, w.welcome.demo_button)]
    assert texts == ["新增点位…", "导入点位清单…", "打开演示数据"]
    with qtbot.waitSignal(w.welcome.new_site_requested, timeout=1000):
        qtbot.mouseClick(w.welcome.new_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(w.demo_requested, timeout=1000):
        qtbot.mouseClick(w.welcome.demo_button, Qt.MouseButton.LeftButton)


def test_new_site_callback_is_called(qtbot: QtBot, desk: Desk) -> None:
    from ui.ops import Ops

    calls: list[int] = []
    ops = Ops()
    page = WelcomePage(desk, ops, new_site=lambda: calls.append(1))
    qtbot.addWidget(page)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert calls == [1]
    ops.shutdown()


def test_import_from_the_welcome_page_swaps_in_the_pages(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    f = tf.xlsx(tmp_path / "清单.xlsx", [["地址", "社区", "类型"], ["江西路1号", "江西路社区", "楼院"],
                                         ["澄海路2号", "澄海路社区", "军产"]])  # fmt: skip
    previews: list[SiteImportReport] = []
    monkeypatch.setattr(site_import_dialog, "choose_file", lambda _parent: f)
    monkeypatch.setattr(site_import_dialog, "confirm_import", lambda _p, report: previews.append(report) or True)
    qtbot.mouseClick(empty_window.welcome.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not empty_window.showing_welcome(), timeout=10000)
    wait_idle(qtbot, empty_window.ops)
    [preview] = previews
    assert not preview.imported and preview.new_communities == ("江西路社区", "澄海路社区")
    assert empty_window.listings.proxy.rowCount() == 2
    assert dialogs.shown == []


def test_a_bad_file_from_the_welcome_page_is_one_line_and_writes_nothing(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    bad = tf.xlsx(tmp_path / "坏.xlsx", [["地址", "社区", "类型"], ["江西路1号", "江西路社区", "飞船"]], title="表1")
    url = str(empty_window.desk.engine.url)
    before = dump(url)
    for path, says in ((bad, "坏.xlsx 工作表“表1”第 2 行 C 列（类型）"), (tmp_path, "这是文件夹")):
        monkeypatch.setattr(site_import_dialog, "choose_file", lambda _parent, p=path: p)
        qtbot.mouseClick(empty_window.welcome.import_button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, empty_window.ops)
        [text] = dialogs.texts("warning")
        assert says in text and "\n" not in text
        dialogs.shown.clear()
    assert dump(url) == before
    assert empty_window.showing_welcome()


def test_preview_dialog_lists_sites_communities_and_skips(qtbot: QtBot) -> None:
    report = SiteImportReport(
        "清单.xlsx", "表1",
        (SiteImportRow("表1", 2, "江西路1号", "江西路社区", "compound", "楼院"),),
        ("江西路社区",),
        (SkippedSite(3, "江西路1号院", "江西路社区", "本文件第 2 行"),),
        imported=False,
    )  # fmt: skip
    dlg = SiteImportPreview(report)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 1).text() == "江西路1号"
    assert dlg.ok.text() == "导入 1 处点位"
    texts = [lab.text() for lab in dlg.findChildren(QLabel)]
    assert any("将新建社区：江西路社区" in t for t in texts)
    assert any("第 3 行 江西路1号院：已存在于本文件第 2 行" in t for t in texts)


def test_open_demo_from_the_welcome_page_switches_database(
    qtbot: QtBot, tmp_path: Path, _demo_template: Path
) -> None:
    data_dir().mkdir(parents=True, exist_ok=True)
    copy_database(_demo_template, data_dir() / DEMO_FILE)  # an earlier demo: reused, not loaded again
    url = _url(tmp_path / "real.db")
    launcher = Launcher(str(tmp_path / "real.db"))
    old = launcher.start(open_desk(url))
    old_desk, old_ops = launcher.desk, old.ops
    launcher.show()
    wait_idle(qtbot, old.ops)
    before = dump(url)
    assert old.showing_welcome()
    qtbot.mouseClick(old.welcome.demo_button, Qt.MouseButton.LeftButton)
    new = launcher.window
    assert new is not None and new is not old and launcher.desk is not old_desk
    wait_idle(qtbot, new.ops)
    assert new.windowTitle().endswith(DEMO_TITLE_SUFFIX) and not new.showing_welcome()
    mark = new.findChild(QLabel, "status_demo")
    assert mark is not None and str(tmp_path / "real.db") in mark.toolTip()
    assert old_ops.closed and old_ops.active_threads() == 0
    assert not shiboken6.isValid(old)  # the old window is gone, not hidden
    assert new.listings.proxy.rowCount() > 0
    launcher.close()
    assert dump(url) == before


def test_open_demo_failing_keeps_the_window_and_says_why(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    launcher = Launcher(None)
    old = launcher.start(open_desk(_url(tmp_path / "real.db")))
    launcher.show()
    wait_idle(qtbot, old.ops)
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))  # the demo file cannot be created
    qtbot.mouseClick(old.welcome.demo_button, Qt.MouseButton.LeftButton)
    [text] = dialogs.texts("warning")
    assert "数据文件夹无法写入" in text and "\n" not in text
    assert launcher.window is old and old.isVisible() and not old.ops.closed
    launcher.close()


def test_any_write_adding_a_site_swaps_in_the_pages(qtbot: QtBot, empty_window: MainWindow) -> None:
    from zhdesk.changes import SITE_CHANGED

    desk = empty_window.desk

    def add_community(uow: Any) -> None:
        from db.models import Community

        uow.session.add(Community(name="江西路社区"))
        uow.commit()

    desk.run(add_community)
    assert empty_window.showing_welcome()
    empty_window.ops.write(lambda: desk.add_site("江西路1号", "江西路社区"), SITE_CHANGED)  # e.g. 新增点位…
    qtbot.waitUntil(lambda: not empty_window.showing_welcome(), timeout=10000)
    wait_idle(qtbot, empty_window.ops)
    assert empty_window.listings.proxy.rowCount() == 1
