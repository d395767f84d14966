"""The 挂牌督办 page against a real SQLite file with the demo data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from db.models import Community, Listing, Site
from tests.ui.conftest import Dialogs, settle, wait_idle
from ui import prefs
from ui.main_window import MainWindow
from ui.ops import Ops
from ui.paged_table import PAGE_SIZE
from ui.pages.listings import ListingsPage
from ui.pages.sites_model import Col
from zhdesk.desk import Desk
from zhdesk.domain.workflow import Action

LISTED = {"江西路153号", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院"}


def addresses(page: ListingsPage) -> list[str]:
    settle(page.ops)  # filters and sorting re-query the core
    return [r.address for r in page.proxy.visible_rows()]


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def select(qtbot: QtBot, page: ListingsPage, address: str) -> None:
    sid = next(r.id for r in page.model.rows() if r.address == address)
    assert page.select_site(sid)
    wait_idle(qtbot, page.ops)
    assert page.panel.detail is not None and page.panel.detail.row.address == address


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_shows_listed_sites_overdue_first(page: ListingsPage) -> None:
    rows = page.proxy.visible_rows()
    assert {r.address for r in rows} == LISTED
    assert rows[0].address == "江西路153号" and rows[0].light == "red"
    assert rows[-1].address == "汕头路7号" and rows[-1].light == "grey"
    assert page.shown.text() == "显示 5 处"
    assert page.chips["red"].text() == "超期 1 处"


def test_filters_reduce_rows(page: ListingsPage) -> None:
    combo = page.community_combo
    combo.setCurrentIndex(combo.findText("善化路社区（示例）"))
    assert sorted(addresses(page)) == ["善化路18号院", "善化路19号院"]
    combo.setCurrentIndex(0)

    status = page.status_combo
    status.setCurrentIndex(status.findText("待验收"))
    assert addresses(page) == ["澄海路22号"]
    status.setCurrentIndex(0)

    page.search.setText("赵国强")  # lead
    assert sorted(addresses(page)) == ["善化路18号院", "善化路19号院"]
    page.search.setText("环卫站")  # unit
    assert addresses(page) == ["澄海路22号"]
    page.search.setText("153")  # address
    assert addresses(page) == ["江西路153号"]
    page.search.clear()

    page.light_combo.setCurrentIndex(page.light_combo.findData("grey"))
    assert addresses(page) == ["汕头路7号"]
    assert page.chips["grey"].isChecked()
    page.chips["grey"].click()  # second click on the chip clears the light filter
    assert page.light_combo.currentIndex() == 0
    assert len(addresses(page)) == 5

    page.listed_only.setChecked(False)
    assert len(addresses(page)) == len(page.model.rows()) > 5
    assert page.shown.text() == f"显示 {len(page.model.rows())} 处"


def test_typing_a_search_queries_at_once_then_once_for_a_burst(page: ListingsPage) -> None:
    """Each search reads the sites in SQL (every site on a large database): the first change asks at once,
    keystrokes in a row make one more query, with the last text."""
    settle(page.ops)
    loads: list[str] = []  # the search text of every read sent to the worker
    run = page.ops.run
    page.ops.run = lambda *a, **k: (loads.append(page.search.text()), run(*a, **k))[1]  # type: ignore[method-assign]
    for text in ("江", "江西", "江西路", "江西路1"):
        page.search.setText(text)
    assert set(loads) == {"江"}  # at once, for the first
    assert addresses(page) == ["江西路153号"]
    assert set(loads) == {"江", "江西路1"}


def test_selecting_a_site_shows_details_and_phones(qtbot: QtBot, page: ListingsPage) -> None:
    select(qtbot, page, "江西路153号")
    panel = page.panel
    assert panel.address.text() == "江西路153号"
    assert "江西路社区" in panel.where.text()
    assert "超期5天" in panel.light_text.text()
    assert panel.problem.text().startswith("楼院内乱堆杂物")
    assert "06036" in panel.category.text()
    assert panel.issue.text() == "第1期"
    phones = {w.property("phone") for w in panel.people_box.findChildren(QLabel) if w.property("phone")}
    assert {"138 0000 0102", "0532-8000 1101", "139 0000 0201", "137 0000 0301"} <= phones
    texts = " ".join(w.text() for w in panel.people_box.findChildren(QLabel))
    assert "包案领导" in texts and "李明远" in texts
    assert list(panel.transition_buttons()) == ["submit"]
    assert panel.transition_buttons()["submit"].text() == "申请验收"
    assert not panel.badge.isVisibleTo(panel)

    select(qtbot, page, "善化路18号院")
    assert panel.badge.isVisibleTo(panel)  # military compound
    assert panel.rework.text() == "1 次"


def test_transition_moves_status_and_keeps_selection(qtbot: QtBot, page: ListingsPage, ui_desk: Desk) -> None:
    select(qtbot, page, "江西路153号")
    page.panel.note.setText("已清理完毕")
    click(qtbot, page.panel.transition_buttons()["submit"])
    wait_idle(qtbot, page.ops)

    sid = site_id(ui_desk, "江西路153号")
    assert ui_desk.get_site(sid).row.status == "awaiting_acceptance"
    row = next(r for r in page.model.rows() if r.id == sid)
    assert row.status_label == "待验收"
    selected = page.table.selectionModel().selectedRows()
    assert [page.proxy.row_at(i.row()).id for i in selected] == [sid]
    assert page.panel.detail is not None and page.panel.detail.row.status == "awaiting_acceptance"
    assert set(page.panel.transition_buttons()) == {"accept", "reject"}
    assert page.panel.note.text() == ""
    assert "申请验收" in page.window().statusBar().currentMessage()


def test_accept_asks_first(qtbot: QtBot, page: ListingsPage, ui_desk: Desk, dialogs: Dialogs) -> None:
    select(qtbot, page, "澄海路22号")
    sid = site_id(ui_desk, "澄海路22号")

    dialogs.answer = dialogs.answer.No
    click(qtbot, page.panel.transition_buttons()["accept"])
    wait_idle(qtbot, page.ops)
    assert [k for k, _, _ in dialogs.shown] == ["question"]
    assert ui_desk.get_site(sid).row.status == "awaiting_acceptance"

    dialogs.answer = dialogs.answer.Yes
    click(qtbot, page.panel.transition_buttons()["accept"])
    wait_idle(qtbot, page.ops)
    detail = ui_desk.get_site(sid)
    assert detail.row.status == "closed" and detail.row.light == "grey"
    assert page.panel.closed_on.text() == f"{dt.date.today().year}年{dt.date.today().month}月{dt.date.today().day}日"
    assert page.chips["grey"].text() == "已办结 2 处"
    assert addresses(page)[-1] in {"澄海路22号", "汕头路7号"}  # closed sites sink to the bottom


def test_conflicting_change_shows_error_and_reloads(
    qtbot: QtBot, page: ListingsPage, ui_desk: Desk, dialogs: Dialogs
) -> None:
    select(qtbot, page, "江西路153号")
    sid = site_id(ui_desk, "江西路153号")
    ui_desk.change_status(sid, action=Action.SUBMIT)  # another workstation, behind the page's back

    click(qtbot, page.panel.transition_buttons()["submit"])
    wait_idle(qtbot, page.ops)
    [text] = dialogs.texts("warning")
    assert "已被其他人修改" in text
    assert ui_desk.get_site(sid).row.status == "awaiting_acceptance"
    # The page reloaded what the database holds now.
    assert set(page.panel.transition_buttons()) == {"accept", "reject"}
    assert all(b.isEnabled() for b in page.panel.transition_buttons().values())


def test_export_writes_rows_in_proxy_order(
    qtbot: QtBot, page: ListingsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "导出"  # no suffix: the page adds .xlsx
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Excel 工作簿 (*.xlsx)"))
    page.table.sortByColumn(Col.DEADLINE, Qt.SortOrder.DescendingOrder)
    page.status_combo.setCurrentIndex(page.status_combo.findText("整改中"))
    expected = addresses(page)
    assert len(expected) == 3

    page.export_button.click()
    wait_idle(qtbot, page.ops)

    path = out.with_name("导出.xlsx")
    ws = load_workbook(path).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header == [
        "灯", "地址", "社区", "状态", "挂牌日期", "整改时限", "剩余/超期", "包案领导", "责任单位", "问题类别", "期",
    ]  # fmt: skip
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[Col.ADDRESS] for r in rows] == expected
    deadlines = [r[Col.DEADLINE] for r in rows]
    assert all(isinstance(d, dt.datetime) for d in deadlines)
    assert deadlines == sorted(deadlines, reverse=True)
    assert ws.cell(row=2, column=Col.DEADLINE + 1).is_date
    assert all(isinstance(r[Col.ISSUE], int) for r in rows)
    assert prefs.EXPORT_DIR.get() == str(tmp_path)
    assert "已导出 3 行" in page.window().statusBar().currentMessage()


def test_display_size_scales_font_and_is_remembered(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    page = window.listings
    base = page.font().pointSizeF()
    page.size_combo.setCurrentIndex(page.size_combo.findText("特大"))
    assert page.font().pointSizeF() == pytest.approx(base * 1.5)
    assert page.table.font().pointSizeF() == pytest.approx(base * 1.5)
    assert prefs.DISPLAY_SCALE.get() == 1.5
    assert window.settings_page.size_combo.currentText() == "特大"  # mirrored, not echoed back

    again = MainWindow(ui_desk)
    qtbot.addWidget(again)
    wait_idle(qtbot, again.ops)
    assert again.listings.size_combo.currentText() == "特大"
    assert again.listings.font().pointSizeF() == pytest.approx(base * 1.5)
    again.close()

    window.settings_page.size_combo.setCurrentIndex(0)  # 标准, from the settings page
    assert page.font().pointSizeF() == pytest.approx(base)
    assert prefs.DISPLAY_SCALE.get() == 1.0


def test_refresh_picks_up_changes_from_elsewhere(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    page = window.listings
    sid = site_id(ui_desk, "善化路19号院")
    ui_desk.change_status(sid, action=Action.SUBMIT)
    window.refresh_action.trigger()  # F5
    wait_idle(qtbot, window.ops)
    assert next(r for r in page.model.rows() if r.id == sid).status_label == "待验收"


def test_most_urgent_site_is_open_at_start(page: ListingsPage) -> None:
    assert page.panel.detail is not None
    assert page.panel.detail.row.address == "江西路153号"


def test_export_over_the_open_database_is_refused_and_writes_nothing(
    qtbot: QtBot, page: ListingsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    """issue 7 item 1 in the window: the save dialog's "replace?" is no licence to replace the database."""
    db = tmp_path / "t.db"
    inode, head = db.stat().st_ino, db.read_bytes()[:16]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(db), ""))
    page.export_button.click()  # the name gets .xlsx added: t.db.xlsx, a new file
    wait_idle(qtbot, page.ops)
    assert (tmp_path / "t.db.xlsx").exists()
    link = tmp_path / "表.xlsx"
    link.symlink_to(db)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(link), ""))
    page.export_button.click()
    wait_idle(qtbot, page.ops)
    assert any("数据库" in t for t in dialogs.texts())
    assert db.stat().st_ino == inode and db.read_bytes()[:16] == head and link.is_symlink()


def test_export_replaces_a_file_the_dialog_asked_about_but_not_one_it_did_not(
    qtbot: QtBot, page: ListingsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    asked = tmp_path / "旧.xlsx"
    asked.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(asked), ""))
    page.export_button.click()
    wait_idle(qtbot, page.ops)
    assert load_workbook(asked).active is not None
    not_asked = tmp_path / "旧2.xlsx"  # the dialog returned "旧2"; the page adds .xlsx, which exists
    not_asked.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "旧2"), ""))
    page.export_button.click()
    wait_idle(qtbot, page.ops)
    assert not_asked.read_bytes() == b"old"
    assert any("已存在" in t for t in dialogs.texts())


def many_sites(desk: Desk, n: int) -> list[int]:
    """`n` sites in two communities, every third one listed (a third of those overdue); their ids."""
    today = dt.date.today()
    with desk.uow() as uow:
        s = uow.session
        a, b = Community(name="甲社区", sort_order=90), Community(name="乙社区", sort_order=91)
        sites = [Site(address=f"测试大街{i}号", community=a if i % 2 else b) for i in range(n)]
        s.add_all([a, b, *sites])
        s.flush()
        s.add_all(
            Listing(site_id=site.id, listed_on=today - dt.timedelta(days=30),
                    deadline=today + dt.timedelta(days=(i % 9) - 3), status="rectifying")
            for i, site in enumerate(sites) if i % 3 == 0
        )  # fmt: skip
        uow.commit()
        return [x.id for x in sites]


def test_thousands_of_sites_read_only_the_visible_rows(qtbot: QtBot, desk: Desk, host: tuple[QWidget, Ops]) -> None:
    many_sites(desk, 3000)
    parent, ops = host
    page = ListingsPage(desk, ops, parent)
    page.listed_only.setChecked(False)  # all sites shown
    parent.resize(1600, 1000)
    page.resize(1600, 1000)
    parent.show()
    page.refresh()
    wait_idle(qtbot, ops)
    page.table.viewport().repaint()
    model = page.model
    assert model.total >= 3000 and page.shown.text() == f"显示 {model.total} 处"
    assert model.rowCount() == PAGE_SIZE  # one page fetched, not every row
    visible = page.table.rowAt(page.table.viewport().height() - 1) + 1
    assert 0 < visible < PAGE_SIZE
    # column widths come from a sample: never past the rows on screen plus one page
    assert model.max_row_read < visible + PAGE_SIZE, model.max_row_read
    assert page.chips["red"].text() == "超期 334 处"  # counted by the core, not from fetched rows

    # sorting by a header and filtering re-query the core and read again only what is shown
    page.table.sortByColumn(Col.ADDRESS, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ops)
    page.table.viewport().repaint()
    assert model.rowCount() == PAGE_SIZE and model.max_row_read < visible + PAGE_SIZE
    assert [r.address for r in model.rows()[:3]] == sorted((f"测试大街{i}号" for i in range(3000)), reverse=True)[:3]
    page.community_combo.setCurrentIndex(page.community_combo.findText("甲社区"))
    wait_idle(qtbot, ops)
    assert model.total == 1500 and all(r.community == "甲社区" for r in model.rows())

    # a site far down the list is fetched up to and selected
    page.community_combo.setCurrentIndex(0)
    wait_idle(qtbot, ops)
    far = next(r.id for r in desk.site_page(page.query(), model.sort_state, 2500, 1).rows)
    assert page.select_site(far)
    wait_idle(qtbot, ops)
    assert page.selected() is not None and page.selected().id == far  # type: ignore[union-attr]
    assert 2500 < model.rowCount() <= 2500 + 2 * PAGE_SIZE  # up to it (and the view may ask for one more)
    assert page.panel.detail is not None and page.panel.detail.row.id == far


def test_the_first_page_reads_its_rows_while_its_widgets_are_built(
    qtbot: QtBot, ui_desk: Desk, host: tuple[QWidget, Ops], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`load=True` (the window's first page, issue 13): the counts and the first rows are on the worker
    before the detail panel and the site's tabs are built, and are read once — the filters set after them
    ask for the same query — showing what `refresh()` after construction showed."""
    from ui.pages import listings

    desk, (parent, ops) = ui_desk, host
    reads: list[str] = []
    site_page, site_counts = desk.site_page, desk.site_counts
    monkeypatch.setattr(desk, "site_page", lambda *a: (reads.append("rows"), site_page(*a))[1])
    monkeypatch.setattr(desk, "site_counts", lambda: (reads.append("counts"), site_counts())[1])
    queued_before_panel: list[bool] = []

    class Panel(listings.SiteDetailPanel):
        def __init__(self) -> None:
            model = parent.findChild(listings.SitesPagedModel)
            queued_before_panel.append(model is not None and model.loading and not ops.is_idle())
            super().__init__()

    monkeypatch.setattr(listings, "SiteDetailPanel", Panel)
    page = ListingsPage(desk, ops, parent, load=True)
    assert queued_before_panel == [True]
    wait_idle(qtbot, ops)
    assert reads == ["counts", "rows"]
    assert {r.address for r in page.model.rows()} == LISTED and page.chips["red"].text() == "超期 1 处"
    assert page.panel.detail is not None and page.panel.detail.row.address == "江西路153号"  # the most urgent
