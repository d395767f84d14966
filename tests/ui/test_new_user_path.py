"""Issue 9's "done when", as one user on an empty real database, without the command line: 新增点位 on the
welcome page, 挂牌督办 with four responsible people and phones, 延期, red on 总览, 需要关注 → its 点位档案."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.dialogs.extend_dialog import ExtendDialog
from ui.dialogs.listing_dialog import ListingDialog
from ui.dialogs.site_dialog import SiteDialog
from ui.main_window import DOSSIER, OVERVIEW, MainWindow
from zhdesk.desk import Desk


@pytest.fixture
def empty_window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    yield w
    w.close()
    assert w.ops.shutdown()


def test_a_new_user_adds_lists_extends_and_follows_a_site(
    qtbot: QtBot, empty_window: MainWindow, desk: Desk, dialogs: Dialogs
) -> None:
    w = empty_window
    today = dt.date.today()
    assert w.showing_welcome()

    # 新增点位… on the welcome page: a new community, asked for first.
    qtbot.mouseClick(w.welcome.new_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, w.ops)
    (site_dlg,) = w.findChildren(SiteDialog)
    site_dlg.set_values("东海路８号院", "东海路社区", "compound", "")
    site_dlg.save()
    wait_idle(qtbot, w.ops)
    assert any("东海路社区" in t for t in dialogs.texts("question"))
    (row,) = desk.list_sites()
    assert row.address == "东海路８号院" and not w.showing_welcome()
    assert w.current_page_name() == DOSSIER and w.dossier.site_id == row.id

    # 挂牌督办… from the dossier: listed 40 days ago, due 10 days ago, four people with phones.
    buttons = w.dossier.registry_buttons
    assert buttons["list"].isVisibleTo(w.dossier) and not buttons["extend"].isVisibleTo(w.dossier)
    buttons["list"].click()
    wait_idle(qtbot, w.ops)
    (listing_dlg,) = w.findChildren(ListingDialog)
    listing_dlg.listed_on.setDate(today - dt.timedelta(days=40))
    listing_dlg.deadline.setDate(today - dt.timedelta(days=10))
    listing_dlg.problem.setPlainText("楼道堆物、私搭乱建")
    listing_dlg.rows["lead"].set_values("王主任", "13800000001", "街道副主任")
    listing_dlg.rows["unit"].set_values("街道城管科", "0532-1")
    listing_dlg.rows["person"].set_values("赵科长", "13800000002", "科长", "街道城管科")
    listing_dlg.rows["contact"].set_values("钱干事", "13800000003")
    listing_dlg.save()
    wait_idle(qtbot, w.ops)
    assert listing_dlg.last_error is None
    current = desk.get_site(row.id).current
    assert current is not None and len(current.contacts) == 4 and current.light == "red"
    assert all(c.phone for c in current.contacts)

    # 延期… to a date still behind today: the listing stays overdue, the extension is counted.
    assert buttons["extend"].isVisibleTo(w.dossier) and not buttons["list"].isVisibleTo(w.dossier)
    buttons["extend"].click()
    wait_idle(qtbot, w.ops)
    (extend_dlg,) = w.findChildren(ExtendDialog)
    extend_dlg.new.setDate(today - dt.timedelta(days=3))
    extend_dlg.reason.setPlainText("等待产权单位确认")
    extend_dlg.save()
    wait_idle(qtbot, w.ops)
    assert extend_dlg.last_error is None
    current = desk.get_site(row.id).current
    assert current is not None and current.extension_count == 1
    assert current.deadline == today - dt.timedelta(days=3) and current.light == "red"
    assert "超期3天" in w.dossier.status.text()

    # 总览: the card counts it, 需要关注 lists it red; a click lands on its dossier.
    w.show_page(OVERVIEW)
    wait_idle(qtbot, w.ops)
    dashboard = w.overview.dashboard
    assert dashboard.data is not None and dashboard.data.listings_overdue == 1
    assert dashboard.card_overdue.value.text() == "1 处"
    entries = dashboard.attention_model.entries()
    n, entry = next((n, e) for n, e in enumerate(entries) if e.site_id == row.id)
    assert entry.light == "red" and entry.days_text == "超期3天"
    dashboard.open_attention(n)
    wait_idle(qtbot, w.ops)
    assert w.current_page_name() == DOSSIER and w.dossier.site_id == row.id
    assert "王主任" in w.dossier.people.text() and "13800000001" in w.dossier.people.text()
