"""Two workstations on one SQLite file: the 通讯录, 社区, 督办件 and 设置 saves pass what they loaded, and a
change made elsewhere since is a Conflict whose choice (ui/conflict.py) is carried out: 载入对方的修改 shows
theirs and writes nothing, 用我的修改覆盖 saves mine over theirs, 取消 keeps mine on screen unsaved."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.support import table_dump
from tests.ui.conftest import Dialogs, wait_idle
from ui import conflict as conflict_ui
from ui import site_actions
from ui.conflict import Choice
from ui.main_window import BULLETINS, SETTINGS, MainWindow
from ui.ops import Ops
from zhdesk.desk import Desk
from zhdesk.errors import Conflict


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[tuple[QWidget, Ops]]:
    parent = QWidget()
    qtbot.addWidget(parent)
    ops = Ops(parent, parent)
    yield parent, ops
    assert ops.shutdown()


@pytest.fixture
def other(ui_desk: Desk) -> Iterator[Desk]:
    """王五's workstation on the same file."""
    d = Desk(Desk.open(ui_desk.engine.url.render_as_string(hide_password=False)).engine, user_login="wangwu")
    yield d
    d.close()


@pytest.fixture
def quiet_window(window: MainWindow) -> MainWindow:
    """The window without its change feed: the test decides when the page reloads."""
    assert window.feed_watch.stop()
    return window


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> list[Conflict]:
    """conflict_ui.choose answers the test's `choice` parameter and records what it was shown."""
    seen: list[Conflict] = []
    choice: Choice = request.getfixturevalue("choice")

    def answer(_parent: QWidget | None, c: Conflict) -> Choice:
        seen.append(c)
        return choice

    monkeypatch.setattr(conflict_ui, "choose", answer)
    return seen


@pytest.mark.parametrize("choice", list(Choice))
def test_directory_person(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk, other: Desk, asked: list[Conflict], choice: Choice
) -> None:
    parent, ops = host
    dlg = site_actions.open_directory(parent, ui_desk, ops)
    wait_idle(qtbot, ops)
    p = dlg.people[0]
    dlg.people_tab.select_id(p.id)
    assert dlg.people_tab.edits["name"].text() == p.name
    other.save_person(p.id, p.name, p.title, p.unit, "13900000009")
    dlg.people_tab.edits["phone"].setText("13800000001")
    before = table_dump(ui_desk.engine)
    dlg.save("person")
    wait_idle(qtbot, ops)
    (c,) = asked
    assert c.by == "wangwu" and "13900000009" in c.message
    now = next(x for x in ui_desk.people() if x.id == p.id)
    shown = dlg.people_tab.edits["phone"].text()
    if choice is Choice.OVERWRITE:
        assert now.phone == "13800000001" and dlg.last_error is None
    elif choice is Choice.RELOAD:
        assert now.phone == "13900000009" == shown and table_dump(ui_desk.engine) == before
    else:
        assert now.phone == "13900000009" and shown == "13800000001" and table_dump(ui_desk.engine) == before
        assert dlg.last_error == c.message


@pytest.mark.parametrize("choice", [Choice.RELOAD, Choice.OVERWRITE])
def test_directory_unit(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk, other: Desk, asked: list[Conflict], choice: Choice
) -> None:
    parent, ops = host
    dlg = site_actions.open_directory(parent, ui_desk, ops)
    wait_idle(qtbot, ops)
    u = dlg.units[0]
    dlg.units_tab.select_id(u.id)
    other.save_unit(u.id, u.name, "0791-1111111")
    dlg.units_tab.edits["phone"].setText("0791-2222222")
    dlg.save("unit")
    wait_idle(qtbot, ops)
    assert len(asked) == 1
    now = next(x for x in ui_desk.units() if x.id == u.id)
    assert now.phone == ("0791-2222222" if choice is Choice.OVERWRITE else "0791-1111111")
    assert dlg.units_tab.edits["phone"].text() == now.phone


@pytest.mark.parametrize("choice", list(Choice))
def test_community_rename(
    qtbot: QtBot, quiet_window: MainWindow, ui_desk: Desk, other: Desk, asked: list[Conflict], choice: Choice
) -> None:
    w = quiet_window
    w.show_page(SETTINGS)
    wait_idle(qtbot, w.ops)
    page = w.settings_page
    page.community_list.setCurrentRow(0)
    c = page.chosen_community()
    assert c is not None
    other.rename_community(c.id, "王五社区")
    page.community_name.setText("我的社区")
    before = table_dump(ui_desk.engine)
    page.community_action("rename")
    wait_idle(qtbot, w.ops)
    (conflict,) = asked
    assert conflict.by == "wangwu" and "王五社区" in conflict.message
    name = next(u.name for u in ui_desk.community_uses() if u.id == c.id)
    if choice is Choice.OVERWRITE:
        assert name == "我的社区" and page.community_status.text() == "已将社区“王五社区”改名为“我的社区”"
    else:
        assert name == "王五社区" and table_dump(ui_desk.engine) == before
        assert page.community_name.text() == ("王五社区" if choice is Choice.RELOAD else "我的社区")


@pytest.mark.parametrize("choice", list(Choice))
def test_warning_days(
    qtbot: QtBot, quiet_window: MainWindow, ui_desk: Desk, other: Desk, asked: list[Conflict], choice: Choice
) -> None:
    w = quiet_window
    w.show_page(SETTINGS)
    wait_idle(qtbot, w.ops)
    page = w.settings_page
    seen = page.warning_days.value()
    other.set_warning_days(seen + 4)
    page.warning_days.setValue(seen + 1)
    page.save_button.click()
    wait_idle(qtbot, w.ops)
    (c,) = asked
    assert "临期提醒天数" in c.message and c.by == "wangwu"
    mine, theirs = seen + 1, seen + 4
    assert ui_desk.warning_days() == (mine if choice is Choice.OVERWRITE else theirs)
    assert page.warning_days.value() == (theirs if choice is Choice.RELOAD else mine)
    assert page.save_button.isEnabled() == (choice is Choice.CANCEL)


@pytest.mark.parametrize("choice", [Choice.RELOAD, Choice.OVERWRITE])
def test_documents(
    qtbot: QtBot, quiet_window: MainWindow, ui_desk: Desk, other: Desk, asked: list[Conflict], choice: Choice
) -> None:
    w = quiet_window
    w.show_page(SETTINGS)
    wait_idle(qtbot, w.ops)
    page = w.settings_page
    seen = ui_desk.documents()
    other.set_documents(seen.issuer, "王五的简报", seen.notice_title)
    page.doc_fields["issuer"].setText("我的单位")
    page.save_documents()
    wait_idle(qtbot, w.ops)
    (c,) = asked
    assert "简报标题" in c.message
    if choice is Choice.OVERWRITE:  # mine in every field, as typed over what was loaded
        assert ui_desk.documents() == dataclasses.replace(seen, issuer="我的单位")
    else:
        assert ui_desk.documents() == dataclasses.replace(seen, brief_title="王五的简报")
        assert page.doc_fields["brief_title"].text() == "王五的简报"


@pytest.mark.parametrize("choice", list(Choice))
def test_item_deferral_and_close(
    qtbot: QtBot,
    quiet_window: MainWindow,
    ui_desk: Desk,
    other: Desk,
    asked: list[Conflict],
    dialogs: Dialogs,
    choice: Choice,
) -> None:
    w = quiet_window
    w.show_page(BULLETINS)
    page = w.bulletins
    item = next(
        i for b in ui_desk.batches() for i in ui_desk.batch_items(b.id) if i.status == "open" and i.listing_id is None
    )
    assert page.select_batch(item.batch_id)
    wait_idle(qtbot, w.ops)
    assert page.select_item(item.id)
    other.set_deferred(item.id, not item.deferred)
    before = table_dump(ui_desk.engine)
    page.toggle_deferred()
    wait_idle(qtbot, w.ops)
    (c,) = asked
    assert c.by == "wangwu" and "缓办" in c.message and not dialogs.texts("warning")
    now = next(i for i in ui_desk.batch_items(item.batch_id) if i.id == item.id)
    if choice is Choice.OVERWRITE:  # mine: the opposite of what I saw, written over theirs
        assert now.deferred is (not item.deferred) and table_dump(ui_desk.engine) != before
    else:
        assert now.deferred is (not item.deferred) and table_dump(ui_desk.engine) == before
    # a close from the stale view asks too; 用我的修改覆盖 closes it
    asked.clear()
    day = max(dt.date.today(), next(b.issued_on for b in ui_desk.batches() if b.id == item.batch_id))
    page.close_item(item.id, day, item)
    wait_idle(qtbot, w.ops)
    assert len(asked) == 1
    closed = next(i for i in ui_desk.batch_items(item.batch_id) if i.id == item.id).status == "closed"
    assert closed is (choice is Choice.OVERWRITE)
