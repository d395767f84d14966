"""The registry in the window (issue 9 item 2): each dialog driven as a user would, refusals included."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from tests.support import table_dump
from tests.ui.conftest import Dialogs, wait_idle
from ui import site_actions
from ui.dialogs.directory_dialog import DirectoryDialog
from ui.dialogs.extend_dialog import ExtendDialog
from ui.dialogs.listing_dialog import ListingDialog
from ui.dialogs.site_dialog import SiteDialog
from ui.main_window import LISTINGS, SETTINGS, MainWindow
from ui.ops import Ops
from zhdesk.desk import Desk
from zhdesk.dto import ContactInput, ListingInput


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def closed(dlg: QWidget) -> bool:
    """Saved: the dialog closed (and, opened through ui/site_actions, is deleted)."""
    return not isValid(dlg) or not dlg.isVisible()


def save_and_wait(qtbot: QtBot, ops: Ops, dlg: QWidget) -> None:
    dlg.save()  # type: ignore[attr-defined]
    wait_idle(qtbot, ops)


# ---------------------------------------------------------------- 新增点位 / 编辑点位


def test_a_duplicate_address_is_offered_and_refused(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    existing = site_id(ui_desk, "江西路153号")
    opened: list[int] = []
    dlg = site_actions.new_site(parent, ui_desk, ops, on_open=opened.append)
    wait_idle(qtbot, ops)
    dlg.set_values("江西路１５３号院", "江西路社区（示例）")
    dlg.look_up_now()
    wait_idle(qtbot, ops)
    assert not dlg.similar_label.isHidden() and "江西路153号" in dlg.similar_label.text()
    assert f"编号 {existing}" in dlg.similar_label.text()

    before = table_dump(ui_desk.engine)
    save_and_wait(qtbot, ops, dlg)
    assert dlg.isVisible()  # the refusal stays on screen, one line
    assert dlg.last_error is not None and "已存在" in dlg.last_error and "江西路153号" in dlg.last_error
    assert "\n" not in dlg.status.text()
    assert table_dump(ui_desk.engine) == before

    dlg.open_button.click()
    assert opened == [existing]
    assert closed(dlg)


def test_new_site_with_a_new_community_in_an_empty_database(
    qtbot: QtBot, host: tuple[QWidget, Ops], desk: Desk, dialogs: Dialogs
) -> None:
    parent, ops = host
    saved: list[int] = []
    dlg = site_actions.new_site(parent, desk, ops, on_saved=saved.append)
    wait_idle(qtbot, ops)
    assert dlg.community.count() == 0  # an empty real database has no communities
    dlg.set_values("东路1号", "东路社区", "street", "新登记")
    save_and_wait(qtbot, ops, dlg)
    assert any("东路社区" in t for t in dialogs.texts("question"))
    assert closed(dlg)
    (row,) = desk.list_sites()
    assert (row.address, row.community, row.kind) == ("东路1号", "东路社区", "street")
    assert saved == [row.id]


def test_new_community_declined_writes_nothing(
    qtbot: QtBot, host: tuple[QWidget, Ops], desk: Desk, dialogs: Dialogs
) -> None:
    parent, ops = host
    dialogs.answer = dialogs.answer.No
    dlg = site_actions.new_site(parent, desk, ops)
    wait_idle(qtbot, ops)
    dlg.set_values("东路1号", "东路社区")
    before = table_dump(desk.engine)
    save_and_wait(qtbot, ops, dlg)
    assert dlg.isVisible() and "未新建" in dlg.status.text()
    assert table_dump(desk.engine) == before


def test_edit_site(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    sid = site_id(ui_desk, "江西路121号")
    site_actions.edit_site(parent, ui_desk, ops, sid)
    wait_idle(qtbot, ops)
    (dlg,) = parent.findChildren(SiteDialog)
    assert dlg.address.text() == "江西路121号" and dlg.community.currentText() == "江西路社区（示例）"
    dlg.note.setPlainText("后门进出")
    save_and_wait(qtbot, ops, dlg)
    assert ui_desk.get_site(sid).note == "后门进出"


# ---------------------------------------------------------------- 挂牌督办…


def fill_four(dlg: ListingDialog, lead: str = "王主任") -> None:
    dlg.problem.setPlainText("楼道堆物")
    dlg.rows["lead"].set_values(lead, "13800000001", "街道副主任")
    dlg.rows["unit"].set_values("街道城管科", "0532-1")
    dlg.rows["person"].set_values("赵科长", "13800000002", "科长", "街道城管科")
    dlg.rows["contact"].set_values("钱干事", "13800000003")


def test_list_a_site_with_four_responsible_people(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    sid = site_id(ui_desk, "江西路121号")
    site_actions.list_site(parent, ui_desk, ops, sid)
    wait_idle(qtbot, ops)
    (dlg,) = parent.findChildren(ListingDialog)
    today = dt.date.today()
    assert dlg.deadline.date().toPython() == today + dt.timedelta(days=30)  # default: listed date + 30 days
    assert dlg.listed_on.displayFormat() == "yyyy-MM-dd"
    assert dlg.category.count() > 1
    fill_four(dlg)
    dlg.category.setCurrentIndex(1)
    save_and_wait(qtbot, ops, dlg)
    assert closed(dlg)
    cur = ui_desk.get_site(sid).current
    assert cur is not None and cur.deadline == today + dt.timedelta(days=30)
    got = {c.role: (c.person or c.unit, c.phone) for c in cur.contacts}
    assert got == {
        "lead": ("王主任", "13800000001"),
        "unit": ("街道城管科", "0532-1"),
        "person": ("赵科长", "13800000002"),
        "contact": ("钱干事", "13800000003"),
    }


def test_empty_lead_and_deadline_before_listing_are_refused(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk
) -> None:
    parent, ops = host
    sid = site_id(ui_desk, "江西路121号")
    dlg = ListingDialog(parent, ui_desk, ops, sid, "江西路121号")
    dlg.open()
    wait_idle(qtbot, ops)
    before = table_dump(ui_desk.engine)
    fill_four(dlg, lead="")
    dlg.rows["lead"].phone.clear()
    dlg.rows["lead"].title.clear()
    save_and_wait(qtbot, ops, dlg)
    assert dlg.isVisible() and dlg.last_error == "挂牌督办需要填写包案领导"
    fill_four(dlg)
    today = dt.date.today()
    dlg.set_dates(today, today - dt.timedelta(days=1))
    save_and_wait(qtbot, ops, dlg)
    assert dlg.isVisible() and dlg.last_error is not None and "早于挂牌日期" in dlg.last_error
    assert table_dump(ui_desk.engine) == before


def test_picking_a_person_fills_post_unit_and_phone(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    dlg = ListingDialog(parent, ui_desk, ops, site_id(ui_desk, "江西路121号"), "江西路121号")
    wait_idle(qtbot, ops)
    row = dlg.rows["lead"]
    person = next(p for p in ui_desk.people() if p.unit and p.phone and p.title)
    index = next(i for i in range(row.name.count()) if row.name.itemData(i) == person.id)
    row.name.setCurrentIndex(index)
    row.name.activated.emit(index)
    assert (row.name.currentText(), row.title.text(), row.unit.text(), row.phone.text()) == (
        person.name, person.title, person.unit, person.phone,
    )  # fmt: skip


# ---------------------------------------------------------------- 延期…


def test_extend_needs_a_reason_then_moves_the_deadline(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    sid = site_id(ui_desk, "江西路121号")
    today = dt.date.today()
    lead = (ContactInput("lead", person="王主任"),)
    ui_desk.list_site(sid, ListingInput(today, today + dt.timedelta(days=3), contacts=lead))
    site_actions.extend(parent, ui_desk, ops, sid)
    wait_idle(qtbot, ops)
    (dlg,) = parent.findChildren(ExtendDialog)
    assert dlg.new.date().toPython() == today + dt.timedelta(days=33)
    before = table_dump(ui_desk.engine)
    save_and_wait(qtbot, ops, dlg)
    assert dlg.isVisible() and dlg.last_error == "延期理由不能为空"
    assert table_dump(ui_desk.engine) == before
    dlg.reason.setPlainText("雨季施工")
    save_and_wait(qtbot, ops, dlg)
    assert closed(dlg)
    cur = ui_desk.get_site(sid).current
    assert cur is not None and cur.deadline == today + dt.timedelta(days=33) and cur.extension_count == 1


# ---------------------------------------------------------------- the window: buttons, 通讯录, 社区


def test_detail_panel_offers_list_or_extend(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    page = window.listings
    page.listed_only.setChecked(False)
    panel = page.panel
    assert page.select_site(site_id(ui_desk, "江西路121号"))
    wait_idle(qtbot, window.ops)
    assert not panel.registry_buttons["list"].isHidden() and panel.registry_buttons["extend"].isHidden()
    panel.registry_buttons["list"].click()
    wait_idle(qtbot, window.ops)
    assert len(page.findChildren(ListingDialog)) == 1
    assert page.select_site(site_id(ui_desk, "江西路153号"))
    wait_idle(qtbot, window.ops)
    assert panel.registry_buttons["list"].isHidden() and not panel.registry_buttons["extend"].isHidden()
    panel.registry_buttons["extend"].click()
    panel.registry_buttons["edit"].click()
    wait_idle(qtbot, window.ops)
    assert len(page.findChildren(ExtendDialog)) == 1 and len(page.findChildren(SiteDialog)) == 1
    assert page.new_site_button.text() == "新增点位…"


def test_a_phone_changed_in_the_directory_shows_on_two_listings(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk
) -> None:
    a, b = site_id(ui_desk, "江西路121号"), site_id(ui_desk, "江西路与福州南路交汇处")
    today = dt.date.today()
    for sid in (a, b):
        ui_desk.list_site(sid, ListingInput(today, None, contacts=(ContactInput("lead", person="孙书记", phone="1"),)))
    window.show_page(SETTINGS)
    window.settings_page.directory_button.click()
    wait_idle(qtbot, window.ops)
    (dlg,) = window.settings_page.findChildren(DirectoryDialog)
    sun = next(p for p in dlg.people if p.name == "孙书记")
    assert sun.listings == 2
    dlg.people_tab.select_id(sun.id)
    assert dlg.people_tab.edits["name"].text() == "孙书记"
    dlg.people_tab.edits["phone"].setText("13912345678")
    dlg.save("person")
    wait_idle(qtbot, window.ops)
    assert dlg.last_error is None
    window.show_page(LISTINGS)
    page = window.listings
    page.listed_only.setChecked(False)
    for sid in (a, b):
        page.select_site(sid)
        wait_idle(qtbot, window.ops)
        assert page.panel.detail is not None and page.panel.detail.row.id == sid
        phone = page.panel.findChild(QWidget, "phone_lead_0")
        assert phone is not None and phone.property("phone") == "13912345678"


def test_directory_refusals_stay_in_the_dialog(qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk) -> None:
    parent, ops = host
    dlg = site_actions.open_directory(parent, ui_desk, ops)
    wait_idle(qtbot, ops)
    before = table_dump(ui_desk.engine)
    dlg.people_tab.clear_form()
    dlg.people_tab.edits["name"].setText("   ")
    dlg.save("person")
    wait_idle(qtbot, ops)
    assert dlg.last_error == "姓名不能为空" and dlg.isVisible()
    used = next(u for u in dlg.units if u.listings)
    dlg.units_tab.select_id(used.id)
    dlg.delete("unit")
    wait_idle(qtbot, ops)
    assert dlg.last_error is not None and "不能删除" in dlg.last_error
    assert table_dump(ui_desk.engine) == before


def test_communities_in_settings(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(SETTINGS)
    wait_idle(qtbot, window.ops)
    page = window.settings_page
    assert page.community_list.count() == 4
    page.community_list.setCurrentRow(0)
    used = page.chosen_community()
    assert used is not None and used.sites
    before = table_dump(ui_desk.engine)
    page.community_action("delete")
    wait_idle(qtbot, window.ops)
    assert "不能删除" in page.community_status.text() and "个点位" in page.community_status.text()
    assert table_dump(ui_desk.engine) == before
    page.community_name.setText("青岛路社区")
    page.community_action("add")
    wait_idle(qtbot, window.ops)
    assert page.community_list.count() == 5
    page.community_list.setCurrentRow(4)
    assert page.community_name.text() == "青岛路社区"
    page.community_action("delete")
    wait_idle(qtbot, window.ops)
    assert page.community_list.count() == 4
    assert "青岛路社区" not in {c.name for c in ui_desk.communities()}
