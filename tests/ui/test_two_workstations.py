"""Issue 12, "Done when", in the window: two workstations on one PostgreSQL database, one signed in as a
leader and one as community staff. Staff adds an event; the leader's open timeline shows it without a
refresh (the change feed). Staff cannot touch another community's events nor open 账户管理 — the window
does not offer it and the core refuses it when called anyway. A stale edit is caught and shown with the
other person's change, never a silent overwrite."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from tests.pg import Server
from tests.support import ADMIN_PASSWORD, signed_in
from tests.ui.conftest import wait_idle
from ui import conflict as conflict_ui
from ui.conflict import Choice
from ui.feed_watch import LOADED
from ui.main_window import LISTINGS, MainWindow
from ui.pages.site_tabs import TIMELINE_TAB
from zhdesk.desk import Desk
from zhdesk.dto import SiteRow
from zhdesk.errors import Conflict, Forbidden, InputRefused


@dataclass
class Office:
    admin: Desk
    leader: Desk
    staff: Desk
    home: str  # the staff account's community


@pytest.fixture
def office(pg_server: Server, _pg_demo_template: str) -> Iterator[Office]:
    url = pg_server.create(template=_pg_demo_template)
    admin = signed_in(Desk.open(url))
    # The staff account's community: one with a site under supervision (events need a listing).
    home = next(r.community for r in admin.list_sites() if r.status not in (None, "closed"))
    admin.add_user("lingdao", "王领导", "leader", ADMIN_PASSWORD)
    admin.add_user("gongzuo", "赵工作", "staff", ADMIN_PASSWORD, home)
    leader, staff = Desk.open(url), Desk.open(url)
    leader.sign_in("lingdao", ADMIN_PASSWORD)
    staff.sign_in("gongzuo", ADMIN_PASSWORD)
    yield Office(admin, leader, staff, home)
    for d in (staff, leader, admin):
        d.close()
    pg_server.drop(url)


def _window(qtbot: QtBot, desk: Desk) -> MainWindow:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    return w


def _show_timeline(qtbot: QtBot, w: MainWindow, row: SiteRow) -> None:
    w.show_page(LISTINGS)
    w.listings.listed_only.setChecked(False)
    wait_idle(qtbot, w.ops)
    assert w.listings.select_site(row.id)
    w.listings.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, w.ops)


def test_leader_and_staff_on_one_server(qtbot: QtBot, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    rows = office.admin.list_sites()
    mine = next(r for r in rows if r.community == office.home and r.status not in ("closed", None))
    theirs = next(r for r in rows if r.community != office.home)
    lw, sw = _window(qtbot, office.leader), _window(qtbot, office.staff)
    try:
        assert lw.user_label.text() == "王领导 · 领导" and sw.user_label.text() == "赵工作 · 工作人员"

        # Staff records an event; the leader's open timeline shows it, nobody refreshing.
        _show_timeline(qtbot, lw, mine)
        timeline = lw.listings.site_tabs.timeline
        text = "工作人员现场检查：占道经营已清理"
        event = office.staff.add_event(mine.id, "inspection", dt.date.today(), text=text)
        qtbot.waitUntil(lambda: any(e.text == text for e in timeline.model.events()), timeout=8000)
        assert lw.statusBar().currentMessage() == LOADED

        # Another community's site: the staff window offers no event or photo action …
        _show_timeline(qtbot, sw, theirs)
        tabs = sw.listings.site_tabs
        assert not tabs.timeline.record_button.isEnabled()
        assert office.home in tabs.timeline.record_button.toolTip()
        assert not tabs.photos.add_files_button.isEnabled()
        # … and the core refuses when called anyway.
        with pytest.raises(InputRefused):
            office.staff.add_event(theirs.id, "inspection", dt.date.today(), text="越权")
        other_event = office.admin.add_event(theirs.id, "note", dt.date.today(), text="管理员备注")
        with pytest.raises(InputRefused):
            office.staff.edit_event(other_event.id, text="改掉", expected_version=other_event.version)

        # 账户管理: not offered to staff, refused by the core.
        assert sw.settings_page.account_buttons["manage"].isHidden()
        with pytest.raises(Forbidden):
            office.staff.list_users()
        with pytest.raises(Forbidden):
            office.staff.add_user("houmen", "后门", "admin", ADMIN_PASSWORD)
        assert "houmen" not in {u.login for u in office.admin.list_users()}

        # A stale edit: staff edits its event in the window while an administrator changed it meanwhile.
        shown: list[Conflict] = []

        def choose(_parent: object, conflict: Conflict) -> Choice:
            shown.append(conflict)
            return Choice.CANCEL

        monkeypatch.setattr(conflict_ui, "choose", choose)
        _show_timeline(qtbot, sw, mine)
        staff_tl = sw.listings.site_tabs.timeline
        qtbot.waitUntil(lambda: staff_tl.model.row_of(event.id) is not None, timeout=5000)
        dlg = staff_tl.edit_event(event.id)
        assert dlg is not None
        office.admin.edit_event(event.id, text="管理员更正：已清理并处罚", expected_version=event.version)
        dlg.text_edit.setPlainText("我的修改")
        dlg.buttons.accepted.emit()
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        assert shown[0].by and "管理员更正" in " ".join(str(v) for v in shown[0].theirs.values())
        assert "未保存" in dlg.status.text()
        assert office.admin.timeline(mine.id)  # theirs kept: nothing overwritten
        assert any(e.text == "管理员更正：已清理并处罚" for e in office.admin.timeline(mine.id))
        dlg.reject()
    finally:
        lw.close()
        sw.close()
    assert lw.ops.shutdown() and sw.ops.shutdown()
    assert time.monotonic() - started < 30
