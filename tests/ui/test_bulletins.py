"""The 督办通报 page against a real SQLite file with the demo data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.dialogs.batch_dialog import BatchDialog, next_issue_no, to_qdate
from ui.main_window import BULLETINS, DOSSIER, MainWindow
from ui.pages.bulletins import BulletinsPage
from ui.pages.bulletins_model import BatchCol, ItemCol
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind
from zhdesk.dto import BatchFilter, ItemDTO

PASTE = (
    "江西路153号\t楼道堆放杂物\t2099-05-10\t江西路社区居委会\n"
    "某某路1号\t占道经营\t2099-13-45\t执法中队\n"  # bad date
    "澄海路22号\t暴露垃圾\t\t珠海路环卫站\n"
)


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> BulletinsPage:
    window.show_page(BULLETINS)  # the page loads when first shown
    wait_idle(qtbot, window.ops)
    return window.bulletins


def choose(combo_owner: BulletinsPage, name: str, text: str) -> None:
    combo = getattr(combo_owner, name)
    i = combo.findText(text)
    assert i >= 0, text
    combo.setCurrentIndex(i)


def select_batch(qtbot: QtBot, page: BulletinsPage, batch_id: int) -> None:
    assert page.select_batch(batch_id)
    wait_idle(qtbot, page.ops)
    assert page.current_batch_id == batch_id
    assert all(i.batch_id == batch_id for i in page.items.rows())


def first_open_item(desk: Desk) -> ItemDTO:
    for b in desk.batches():
        for i in desk.batch_items(b.id):
            if i.status == "open" and i.listing_id is None:
                return i
    raise AssertionError("demo has no open item")


def test_lists_demo_batches_and_counts(page: BulletinsPage, ui_desk: Desk) -> None:
    batches = ui_desk.batches()
    assert page.batches.total == page.batches.rowCount() == len(batches) == 89
    items = sum(b.items for b in batches)
    closed = sum(b.closed for b in batches)
    assert page.summary.text() == f"共 89 期 {items} 处，办结 {closed} 处"
    assert page.current_batch_id is not None  # newest batch opened at start
    assert page.items.rowCount() > 0


def test_kind_and_date_filter(qtbot: QtBot, page: BulletinsPage) -> None:
    choose(page, "kind_combo", "巡查")
    page.set_date_range(dt.date(2021, 1, 1), dt.date(2021, 6, 30))
    wait_idle(qtbot, page.ops)  # every filter is a query of the core
    rows = page.batches.rows()
    assert len(rows) == 26
    assert sum(b.items for b in rows) == 54
    assert all(b.all_closed and b.kind_label == "巡查" for b in rows)
    assert page.summary.text() == "共 26 期 54 处，办结 54 处"
    assert all(page.batches.index(r, BatchCol.ALL_CLOSED).data() == "✓" for r in range(26))

    # The same through the widgets: untick 全部日期 and set the dates.
    page.set_date_range(None, None)
    wait_idle(qtbot, page.ops)
    assert page.batches.total > 26
    page.date_from.setDate(to_qdate(dt.date(2021, 1, 1)))
    page.date_to.setDate(to_qdate(dt.date(2021, 6, 30)))
    page.all_dates.setChecked(False)
    wait_idle(qtbot, page.ops)
    assert page.batches.total == page.batches.rowCount() == 26

    choose(page, "status_combo", "未办结")
    wait_idle(qtbot, page.ops)
    assert page.batches.total == page.batches.rowCount() == 0
    assert page.summary.text() == "共 0 期 0 处，办结 0 处"


def test_community_filter_goes_through_the_core(qtbot: QtBot, page: BulletinsPage, ui_desk: Desk) -> None:
    choose(page, "community_combo", "江西路社区（示例）")
    wait_idle(qtbot, page.ops)
    rows = page.batches.rows()
    assert rows and len(rows) < 89
    assert {b.id for b in rows} == {b.id for b in ui_desk.batches(BatchFilter(community="江西路社区（示例）"))}
    for b in rows[:5]:
        here = [i for i in ui_desk.batch_items(b.id) if i.community == "江西路社区（示例）"]
        assert len(here) == b.items  # counts are the community's


def test_selecting_a_batch_shows_its_items(qtbot: QtBot, page: BulletinsPage, ui_desk: Desk) -> None:
    batch = next(b for b in ui_desk.batches() if b.kind == "patrol" and b.items >= 2)
    select_batch(qtbot, page, batch.id)
    expected = {i.address for i in ui_desk.batch_items(batch.id)}
    assert {i.address for i in page.items.rows()} == expected
    assert page.items.rowCount() == batch.items
    assert batch.label in page.items_title.text()


def test_new_batch_with_typed_and_pasted_items(
    qtbot: QtBot, page: BulletinsPage, ui_desk: Desk, dialogs: Dialogs
) -> None:
    dialog = page.new_batch()
    assert isinstance(dialog, BatchDialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(Kind.PATROL.value))
    dialog.issued_on.setDate(to_qdate(dt.date(2099, 3, 1)))
    assert dialog.issue_no.value() == next_issue_no(ui_desk.batches(), "patrol", 2099) == 1
    dialog.issuer.setText("街道城市管理办公室")

    # Two typed items: one existing address, one new with its community.
    dialog.address.setText("汕头路7号")
    dialog.problem.setText("楼道堆物")
    dialog.category.setCurrentIndex(dialog.category.findText("乱堆杂物"))
    dialog.deadline.setDate(to_qdate(dt.date(2099, 3, 15)))
    assert dialog.add_typed_item()
    dialog.address.setText("新建路8号")
    dialog.community.setCurrentIndex(dialog.community.findText("澄海路社区（示例）"))
    dialog.problem.setText("暴露垃圾")
    dialog.has_deadline.setChecked(False)
    assert dialog.add_typed_item()
    assert dialog.drafts.rowCount() == 2

    # Three pasted rows, one bad: without consent nothing is added.
    paste = dialog.open_paste()
    paste.text.setPlainText(PASTE)
    assert len(paste.good_rows()) == 2 and len(paste.bad_rows()) == 1
    assert paste.skip_bad.isVisibleTo(paste)
    assert paste.skip_bad.text().startswith("跳过 1 行有误的数据")
    bad_row = paste.model.index(1, 6)
    assert bad_row.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c5221f"
    assert "第2行" in bad_row.data()
    paste.accept()
    assert paste.isVisible()  # refused: stays open
    assert "未添加任何数据" in dialogs.texts("warning")[-1]
    assert dialog.drafts.rowCount() == 2

    paste.skip_bad.setChecked(True)
    paste.accept()
    assert not paste.isVisible()
    assert dialog.drafts.rowCount() == 4

    before = len(ui_desk.batches())
    dialog.save_button.click()
    wait_idle(qtbot, page.ops)
    assert dialog.result_batch_id is not None
    wait_idle(qtbot, page.ops)
    assert len(ui_desk.batches()) == before + 1
    new = next(b for b in ui_desk.batches() if b.id == dialog.result_batch_id)
    assert (new.kind, new.year, new.issue_no, new.items) == ("patrol", 2099, 1, 4)
    assert new.title == "2099年巡查第1期"
    assert page.current_batch_id == new.id
    assert page.items.rowCount() == 4
    assert {i.address for i in page.items.rows()} == {"汕头路7号", "新建路8号", "江西路153号", "澄海路22号"}


def test_reused_issue_number_is_refused(qtbot: QtBot, page: BulletinsPage, ui_desk: Desk, dialogs: Dialogs) -> None:
    existing = next(b for b in ui_desk.batches() if b.kind == "patrol" and b.year == 2021 and b.issue_no == 3)
    before = ui_desk.batches()
    dialog = page.new_batch()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("patrol"))
    dialog.issued_on.setDate(to_qdate(existing.issued_on))
    assert dialog.issue_no.value() == next_issue_no(before, "patrol", 2021) > 3
    dialog.issue_no.setValue(3)
    dialog.address.setText("汕头路7号")
    assert dialog.add_typed_item()
    dialog.save_button.click()
    wait_idle(qtbot, page.ops)
    message = "2021年巡查第3期已存在，期号不能重复"
    assert dialogs.texts("warning") == [message]
    assert dialog.error.text() == message
    assert dialog.isVisible() and dialog.drafts.rowCount() == 1  # kept for fixing
    assert ui_desk.batches() == before


def test_close_item_updates_counts_and_refuses_twice(
    qtbot: QtBot, page: BulletinsPage, ui_desk: Desk, dialogs: Dialogs
) -> None:
    item = first_open_item(ui_desk)
    batch = next(b for b in ui_desk.batches() if b.id == item.batch_id)
    select_batch(qtbot, page, batch.id)
    assert page.select_item(item.id)
    assert page.close_button.isVisible() and page.close_button.isEnabled()
    assert not page.open_site_button.isVisibleTo(page)

    closing = page.close_selected()
    assert closing is not None
    day = max(batch.issued_on, dt.date.today())
    closing.date.setDate(to_qdate(day))
    closing.accept()
    wait_idle(qtbot, page.ops)
    row = next(b for b in page.batches.rows() if b.id == batch.id)
    assert row.closed == batch.closed + 1
    shown = next(i for i in page.items.rows() if i.id == item.id)
    assert shown.status == "closed" and shown.closed_on == day
    assert f"办结 {row.closed} 处" in page.items_title.text()
    assert not page.close_button.isEnabled()  # the selected item is closed now

    page.close_item(item.id, day)  # a second time, e.g. from a stale view
    wait_idle(qtbot, page.ops)
    assert dialogs.texts("warning") == [f"该督办件已于 {day.isoformat()} 办结，不能重复办结"]


def test_deferred_toggle(qtbot: QtBot, page: BulletinsPage, ui_desk: Desk) -> None:
    item = first_open_item(ui_desk)
    select_batch(qtbot, page, item.batch_id)
    page.select_item(item.id)
    page.defer_button.click()
    wait_idle(qtbot, page.ops)
    assert ui_desk.batch_items(item.batch_id)[0].batch_id == item.batch_id
    assert next(i for i in ui_desk.batch_items(item.batch_id) if i.id == item.id).deferred
    shown = next(i for i in page.items.rows() if i.id == item.id)
    r = page.items.row_of(item.id)
    assert r is not None and "缓办" in page.items.index(r, ItemCol.STATUS).data()
    assert shown.deferred and page.defer_button.isChecked()


def test_listed_item_opens_its_site(qtbot: QtBot, window: MainWindow, page: BulletinsPage, ui_desk: Desk) -> None:
    batch = next(b for b in ui_desk.batches() if b.kind == "listed" and not b.all_closed)
    select_batch(qtbot, page, batch.id)
    item = page.items.rows()[0]
    assert item.listing_id is not None
    page.select_item(item.id)
    assert page.open_site_button.isVisibleTo(page)
    assert not page.close_button.isVisibleTo(page)
    page.open_site_button.click()
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER
    assert window.dossier.site_id == item.site_id
    selected = window.dossier.selected_item()
    assert selected is not None and selected.id == item.id

    # Double-clicking any item does the same.
    window.show_page(BULLETINS)
    other = first_open_item(ui_desk)
    select_batch(qtbot, page, other.batch_id)
    r = page.items.row_of(other.id)
    assert r is not None
    page.item_table.doubleClicked.emit(page.items.index(r, 0))
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER
    assert window.dossier.site_id == other.site_id
    selected = window.dossier.selected_item()
    assert selected is not None and selected.id == other.id


def test_export_batches_in_proxy_order(
    qtbot: QtBot, page: BulletinsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "通报"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Excel 工作簿 (*.xlsx)"))
    choose(page, "kind_combo", "中层步巡")
    page.batch_table.sortByColumn(BatchCol.ITEMS, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, page.ops)
    expected = [(b.issued_on, b.issue_no, b.items) for b in page.batches.rows()]
    assert expected and [e[2] for e in expected] == sorted((e[2] for e in expected), reverse=True)

    assert page.export_batches()
    wait_idle(qtbot, page.ops)
    ws = load_workbook(out.with_name("通报.xlsx")).active
    assert ws is not None
    assert [c.value for c in ws[1]] == [
        "类型", "年度", "期号", "下发日期", "下发单位", "处数", "办结", "全部办结", "标题",
    ]  # fmt: skip
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[BatchCol.ISSUED_ON].date(), r[BatchCol.ISSUE], r[BatchCol.ITEMS]) for r in rows] == expected
    assert ws.cell(row=2, column=BatchCol.ISSUED_ON + 1).is_date
    assert all(r[BatchCol.KIND] == "中层步巡" for r in rows)
    main = page.window()
    assert isinstance(main, MainWindow) and "已导出" in main.statusBar().currentMessage()


def test_export_items_in_proxy_order(
    qtbot: QtBot, page: BulletinsPage, ui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "件.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    batch = max(ui_desk.batches(), key=lambda b: b.items)
    select_batch(qtbot, page, batch.id)
    page.item_table.sortByColumn(ItemCol.DEADLINE, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, page.ops)
    expected = [i.address for i in page.items.rows()]
    assert page.export_items()
    wait_idle(qtbot, page.ops)
    ws = load_workbook(out).active
    assert ws is not None
    assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[ItemCol.ADDRESS] for r in rows] == expected
    deadlines = [r[ItemCol.DEADLINE] for r in rows if r[ItemCol.DEADLINE] is not None]
    assert deadlines and all(isinstance(d, dt.datetime) for d in deadlines)
    assert deadlines == sorted(deadlines, reverse=True)
