"""Two workstations on one SQLite file: a save that meets the other's change asks (ui/conflict.py) and
carries out the choice. 「载入对方的修改」 shows theirs and writes nothing, 「用我的修改覆盖」 saves mine over
the current version, 取消 keeps mine on screen unsaved: in an edit dialog (延期), the 通讯录, 社区 rename,
督办件 办结/缓办, 临期提醒天数, 简报和通知单, a photo's 阶段 and a hand-entered figure."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.support import table_dump
from tests.ui.conftest import Dialogs, wait_idle
from ui import conflict as conflict_ui
from ui import site_actions
from ui.conflict import Choice, describe_theirs
from ui.dialogs.catalogue_dialog import CatalogueDialog
from ui.dialogs.extend_dialog import ExtendDialog
from ui.dialogs.figure_dialog import FigureDialog
from ui.main_window import BULLETINS, SETTINGS, MainWindow
from ui.ops import Ops
from ui.pages.settings import SettingsPage
from ui.pages.site_tabs import PHOTOS_TAB
from zhdesk.desk import Desk
from zhdesk.dto import SiteFilter
from zhdesk.errors import Conflict


@pytest.fixture
def quiet_window(window: MainWindow) -> MainWindow:
    """The window without its change feed: the test decides when the page reloads."""
    assert window.feed_watch.stop()
    return window


@pytest.fixture
def settings(qtbot: QtBot, quiet_window: MainWindow) -> SettingsPage:
    quiet_window.show_page(SETTINGS)
    wait_idle(qtbot, quiet_window.ops)
    return quiet_window.settings_page


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


def _stale_dialog(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk, other_desk: Desk
) -> tuple[ExtendDialog, int, dt.date]:
    parent, ops = host
    row = next(r for r in ui_desk.list_sites(SiteFilter(listed_only=True)) if r.status != "closed" and r.deadline)
    site = ui_desk.get_site(row.id)
    dlg = ExtendDialog(parent, ui_desk, ops, site)
    assert row.deadline is not None
    theirs = row.deadline + dt.timedelta(days=20)
    cur = site.current
    assert cur is not None
    other_desk.extend_deadline(row.id, theirs, "王五延期", cur.version)
    dlg.new.setDate(theirs + dt.timedelta(days=5))
    dlg.reason.setPlainText("我的延期")
    return dlg, row.id, theirs


@pytest.mark.parametrize("choice", list(Choice))
def test_conflict_choices(
    qtbot: QtBot,
    host: tuple[QWidget, Ops],
    ui_desk: Desk,
    other_desk: Desk,
    asked: list[Conflict],
    choice: Choice,
) -> None:
    dlg, sid, theirs = _stale_dialog(qtbot, host, ui_desk, other_desk)
    before = table_dump(ui_desk.engine)
    dlg.show()
    dlg.save()
    wait_idle(qtbot, host[1])
    (c,) = asked
    assert c.by == "wangwu" and "整改时限" in c.message and theirs.isoformat() in describe_theirs(c)
    cur = ui_desk.get_site(sid).current
    assert cur is not None
    if choice is Choice.OVERWRITE:
        assert cur.deadline == theirs + dt.timedelta(days=5)
        assert not dlg.isVisible()
    else:
        assert cur.deadline == theirs and table_dump(ui_desk.engine) == before
        assert dlg.isVisible() == (choice is Choice.CANCEL)
        if choice is Choice.CANCEL:
            assert dlg.last_error == c.message


@pytest.mark.parametrize("kind", ["person", "unit"])
@pytest.mark.parametrize("choice", list(Choice))
def test_directory(
    qtbot: QtBot,
    host: tuple[QWidget, Ops],
    ui_desk: Desk,
    other_desk: Desk,
    asked: list[Conflict],
    choice: Choice,
    kind: str,
) -> None:
    parent, ops = host
    dlg = site_actions.open_directory(parent, ui_desk, ops)
    wait_idle(qtbot, ops)
    tab = dlg.people_tab if kind == "person" else dlg.units_tab

    def phone_now(ident: int) -> str | None:
        rows = ui_desk.people() if kind == "person" else ui_desk.units()
        return next(x.phone for x in rows if x.id == ident)

    if kind == "person":
        p = dlg.people[0]
        ident = p.id
        other_desk.save_person(p.id, p.name, p.title, p.unit, "13900000009")
    else:
        u = dlg.units[0]
        ident = u.id
        other_desk.save_unit(u.id, u.name, "13900000009")
    tab.select_id(ident)  # the window read the record before 王五 saved
    tab.edits["phone"].setText("13800000001")
    before = table_dump(ui_desk.engine)
    dlg.save(kind)
    wait_idle(qtbot, ops)
    (c,) = asked
    assert c.by == "wangwu" and "13900000009" in c.message
    shown = tab.edits["phone"].text()
    if choice is Choice.OVERWRITE:
        assert phone_now(ident) == "13800000001" == shown and dlg.last_error is None
    else:
        assert phone_now(ident) == "13900000009" and table_dump(ui_desk.engine) == before
        assert shown == ("13900000009" if choice is Choice.RELOAD else "13800000001")
        assert (dlg.last_error == c.message) is (choice is Choice.CANCEL)


@pytest.mark.parametrize("choice", list(Choice))
def test_community_rename(
    qtbot: QtBot, settings: SettingsPage, ui_desk: Desk, other_desk: Desk, asked: list[Conflict], choice: Choice
) -> None:
    page = settings
    page.community_list.setCurrentRow(0)
    c = page.chosen_community()
    assert c is not None
    other_desk.rename_community(c.id, "王五社区")
    page.community_name.setText("我的社区")
    before = table_dump(ui_desk.engine)
    page.community_action("rename")
    wait_idle(qtbot, page.ops)
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
    qtbot: QtBot, settings: SettingsPage, ui_desk: Desk, other_desk: Desk, asked: list[Conflict], choice: Choice
) -> None:
    page = settings
    seen = page.warning_days.value()
    other_desk.set_warning_days(seen + 4)
    page.warning_days.setValue(seen + 1)
    page.save_button.click()
    wait_idle(qtbot, page.ops)
    (c,) = asked
    assert "临期提醒天数" in c.message and c.by == "wangwu"
    mine, theirs = seen + 1, seen + 4
    assert ui_desk.warning_days() == (mine if choice is Choice.OVERWRITE else theirs)
    assert page.warning_days.value() == (theirs if choice is Choice.RELOAD else mine)
    assert page.save_button.isEnabled() == (choice is Choice.CANCEL)


@pytest.mark.parametrize("choice", [Choice.RELOAD, Choice.OVERWRITE])
def test_documents(
    qtbot: QtBot, settings: SettingsPage, ui_desk: Desk, other_desk: Desk, asked: list[Conflict], choice: Choice
) -> None:
    page = settings
    seen = ui_desk.documents()
    other_desk.set_documents(seen.issuer, "王五的简报", seen.notice_title)
    page.doc_fields["issuer"].setText("我的单位")
    page.save_documents()
    wait_idle(qtbot, page.ops)
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
    other_desk: Desk,
    asked: list[Conflict],
    dialogs: Dialogs,
    choice: Choice,
) -> None:
    w = quiet_window
    w.show_page(BULLETINS)  # the page loads when first shown
    wait_idle(qtbot, w.ops)
    page = w.bulletins
    item = next(
        i for b in ui_desk.batches() for i in ui_desk.batch_items(b.id) if i.status == "open" and i.listing_id is None
    )
    assert page.select_batch(item.batch_id)
    wait_idle(qtbot, w.ops)
    assert page.select_item(item.id)
    other_desk.set_deferred(item.id, not item.deferred)
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


@pytest.mark.parametrize("choice", list(Choice))
def test_metric_rename(
    qtbot: QtBot,
    host: tuple[QWidget, Ops],
    ui_desk: Desk,
    other_desk: Desk,
    asked: list[Conflict],
    dialogs: Dialogs,
    choice: Choice,
) -> None:
    parent, ops = host
    metrics = ui_desk.metrics()
    dlg = CatalogueDialog(ui_desk, ops, metrics, parent)
    dlg.show()
    m = metrics[0]
    other_desk.save_metric(m.code, "王五的指标", m.unit)
    before = table_dump(ui_desk.engine)
    dlg.save_name(m, "我的指标")
    wait_idle(qtbot, ops)
    (c,) = asked
    assert c.by == "wangwu" and "王五的指标" in c.message and not dialogs.texts("warning")
    name = next(x.name for x in ui_desk.metrics() if x.code == m.code)
    if choice is Choice.OVERWRITE:
        assert name == "我的指标" and not dlg.isVisible()
    else:
        assert name == "王五的指标" and table_dump(ui_desk.engine) == before
        assert dlg.isVisible() is (choice is Choice.CANCEL)


@pytest.mark.parametrize("choice", list(Choice))
def test_photo_retag(
    qtbot: QtBot,
    quiet_window: MainWindow,
    ui_desk: Desk,
    other_desk: Desk,
    asked: list[Conflict],
    dialogs: Dialogs,
    choice: Choice,
) -> None:
    w = quiet_window
    sid = next(r.id for r in ui_desk.list_sites() if r.address == "江西路153号")
    assert w.listings.select_site(sid)
    w.listings.site_tabs.setCurrentIndex(PHOTOS_TAB)
    wait_idle(qtbot, w.ops)
    tab = w.listings.site_tabs.photos
    seen = next(p for p in tab.model.photos() if p.phase != "after")
    other_desk.update_photo(seen.id, phase="after")
    before = table_dump(ui_desk.engine)
    tab.set_phase([seen.id], "during" if seen.phase == "before" else "before")
    wait_idle(qtbot, w.ops)
    (c,) = asked
    assert c.by == "wangwu" and "阶段" in c.message and "整改后" in c.message and not dialogs.texts("warning")
    stored = next(p for p in ui_desk.photos(sid) if p.id == seen.id)
    shown = tab.model.photo_at(tab.model.row_of(seen.id) or 0)
    if choice is Choice.OVERWRITE:  # mine, written over theirs
        assert stored.phase not in (seen.phase, "after") and shown.phase == stored.phase
    else:
        assert stored.phase == "after" and table_dump(ui_desk.engine) == before
        if choice is Choice.RELOAD:
            assert shown.phase == "after"


@pytest.mark.parametrize("choice", list(Choice))
def test_figure_entry(
    qtbot: QtBot,
    host: tuple[QWidget, Ops],
    ui_desk: Desk,
    other_desk: Desk,
    asked: list[Conflict],
    dialogs: Dialogs,
    choice: Choice,
) -> None:
    parent, ops = host
    period = (dt.date(2030, 11, 1), dt.date(2030, 11, 30))
    dlg = FigureDialog(ui_desk, ops, parent)
    dlg.prepare(*period, None, [c.name for c in ui_desk.communities()])
    dlg.show()
    wait_idle(qtbot, ops)  # the figure already entered for the period (none) is read
    assert dlg.current.text() == "尚未录入"
    other_desk.set_figure("city_cases", *period, "约130")
    before = table_dump(ui_desk.engine)
    dlg.value_edit.setText("128")
    dlg.save()
    wait_idle(qtbot, ops)
    (c,) = asked
    assert c.by == "wangwu" and "130" in c.message and not dialogs.texts("warning")
    stored = ui_desk.hand_figure("city_cases", *period)
    assert stored is not None
    if choice is Choice.OVERWRITE:
        assert stored.text == "128" and not dlg.isVisible()
    else:
        assert stored.text == "约130" and table_dump(ui_desk.engine) == before and dlg.isVisible()
        assert dlg.value_edit.text() == ("约130" if choice is Choice.RELOAD else "128")
        assert dlg.current.text() == ("已录入：约130件" if choice is Choice.RELOAD else "尚未录入")
