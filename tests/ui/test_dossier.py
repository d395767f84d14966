"""点位档案 in the window: reached from 需要关注 (on the item), the drill-down, the 挂牌督办 table and its detail
panel, and by typing an address; it shows the whole site and follows writes; the 挂牌督办 filters stay as
the user set them."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import CountingDesk, wait_idle
from ui.main_window import DOSSIER, LISTINGS, OVERVIEW, MainWindow
from ui.pages.dossier import ITEMS_TAB, LISTINGS_TAB, TALLY_TAB, DossierPage
from zhdesk.changes import ITEMS_CHANGED
from zhdesk.desk import Desk
from zhdesk.dto import Drill, SiteFilter, StatsFilter


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites(SiteFilter(text=address)) if r.address == address)


def opened(qtbot: QtBot, window: MainWindow) -> DossierPage:
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER
    return window.dossier


def test_attention_item_lands_on_that_item(qtbot: QtBot, window: MainWindow) -> None:
    """The issue's dead end: 江西路47号 超期37天 (an overdue 通报部分楼院 item) in 需要关注."""
    listings = window.listings
    shown_before = listings.proxy.rowCount()
    assert listings.listed_only.isChecked()
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    entries = window.overview.dashboard.attention_model.entries()
    row, entry = next(
        (n, e) for n, e in enumerate(entries) if e.address == "江西路47号" and "通报部分楼院" in e.what
    )
    assert entry.item_id is not None and entry.light == "red" and entry.days_text.startswith("超期")

    window.overview.dashboard.open_attention(row)
    page = opened(qtbot, window)
    assert page.dossier is not None and page.dossier.row.address == "江西路47号"
    assert page.tabs.currentIndex() == ITEMS_TAB
    selected = page.selected_item()
    assert selected is not None and selected.id == entry.item_id
    assert selected.kind_label == "通报部分楼院" and selected.item.days_text == entry.days_text
    assert "未挂牌督办" in page.status.text() and "超期 2 件" in page.status.text()
    assert not page.listing_button.isVisibleTo(page)
    # The 挂牌督办 page was left alone.
    assert listings.listed_only.isChecked() and listings.proxy.rowCount() == shown_before


def test_drill_down_row_opens_the_item(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    dashboard = window.overview.dashboard
    dashboard.drill(Drill(base=StatsFilter(), overdue_only=True), "超期未办结的督办件")
    wait_idle(qtbot, window.ops)
    dialog = dashboard.drill_dialog
    assert dialog is not None
    n = next(i for i in range(dialog.model.rowCount()) if dialog.model.row_at(i).listing_id is None)
    item = dialog.model.row_at(n)
    dialog.table.doubleClicked.emit(dialog.model.index(n, 0))
    page = opened(qtbot, window)
    assert not dialog.isVisible()
    assert page.site_id == item.site_id
    selected = page.selected_item()
    assert selected is not None and selected.id == item.id


def test_listings_table_and_panel_open_the_dossier(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    listings = window.listings
    listings.search.setText("江西路153")
    wait_idle(qtbot, window.ops)  # the table re-queries the core
    assert listings.proxy.rowCount() == 1
    listings.table.selectRow(0)
    wait_idle(qtbot, window.ops)
    sid = site_id(ui_desk, "江西路153号")

    listings.table.doubleClicked.emit(listings.proxy.index(0, 1))
    page = opened(qtbot, window)
    assert page.site_id == sid

    window.show_page(LISTINGS)
    page.show_site(site_id(ui_desk, "江西路47号"))
    wait_idle(qtbot, window.ops)
    listings.table.setFocus()
    qtbot.keyClick(listings.table, Qt.Key.Key_Return)
    assert opened(qtbot, window).site_id == sid

    window.show_page(LISTINGS)
    page.show_site(site_id(ui_desk, "江西路47号"))
    wait_idle(qtbot, window.ops)
    assert listings.panel.dossier_button.isVisible()
    listings.panel.dossier_button.click()
    assert opened(qtbot, window).site_id == sid
    assert listings.search.text() == "江西路153" and listings.listed_only.isChecked()

    # And back: the listing's workflow is on 挂牌督办, the site selected there.
    page.listing_button.click()
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == LISTINGS and listings.current_id == sid


def test_the_whole_site(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    sid = site_id(ui_desk, "江西路153号")
    window.open_site(sid)
    page = opened(qtbot, window)
    d = page.dossier
    assert d is not None
    assert page.address.text() == "江西路153号" and "楼院" in page.where.text()
    assert "挂牌督办：整改中" in page.status.text() and "超期" in page.status.text()
    assert "包案领导：李明远" in page.people.text() and "138 0000 0102" in page.people.text()
    assert page.listing_button.isVisibleTo(page)
    assert page.tabs.tabText(LISTINGS_TAB) == "挂牌记录（3）"
    listed_on = [li.listed_on for li in page.listings_proxy.visible_rows()]
    assert listed_on == sorted(listed_on, reverse=True)
    assert page.tabs.tabText(ITEMS_TAB) == f"督办件（{len(d.items)}）"
    assert page.tabs.tabText(TALLY_TAB) == f"台账（{len(d.tally)}）" and d.tally
    assert page.tally_proxy.index(0, 3).data() == d.tally[0].source
    # 时间线 and 照片 are the 挂牌督办 page's tabs, on this site.
    page.tabs.setCurrentWidget(page.timeline)
    wait_idle(qtbot, window.ops)
    assert page.timeline.site is not None and page.timeline.site.id == sid
    assert page.timeline.model.rowCount() > 0
    assert page.photos.site is not None and page.photos.site.id == sid


def test_search_box_opens_a_site(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(DOSSIER)
    page = opened(qtbot, window)
    assert page.stack.currentWidget() is page.empty
    completions = page.completer.model()
    assert "江西路47号" in [completions.index(i, 0).data() for i in range(completions.rowCount())]

    page.search.setText("江西路47号")
    page.search.returnPressed.emit()
    wait_idle(qtbot, window.ops)
    assert page.site_id == site_id(ui_desk, "江西路47号") and page.stack.currentIndex() == 1

    messages: list[str] = []
    page.message.connect(messages.append)
    page.open_text("江西路")  # many sites: nothing opened, one line saying so
    assert page.site_id == site_id(ui_desk, "江西路47号")
    assert len(messages) == 1 and "江西路" in messages[0] and "个" in messages[0]


def test_search_box_tells_one_address_in_two_communities_apart(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    """The search box reads addresses only (not every site's row); an address found in two communities
    opens neither until the community is named, as “地址（社区）”."""
    first = next(r for r in ui_desk.list_sites() if r.address == "江西路47号")
    other = next(c.name for c in ui_desk.communities() if c.name != first.community)
    twin = ui_desk.add_site("江西路47号", other)
    window.show_page(DOSSIER)
    page = opened(qtbot, window)
    completions = page.completer.model()
    shown = [completions.index(i, 0).data() for i in range(completions.rowCount())]
    assert shown.count("江西路47号") == 1

    messages: list[str] = []
    page.message.connect(messages.append)
    page.open_text("江西路47号")
    wait_idle(qtbot, window.ops)
    assert page.site_id is None and page.stack.currentWidget() is page.empty
    assert len(messages) == 1 and first.community in messages[0] and other in messages[0]

    page.search.setText(f"江西路47号（{other}）")
    page.search.returnPressed.emit()
    wait_idle(qtbot, window.ops)
    assert page.site_id == twin.row.id and page.address.text() == "江西路47号"


def test_follows_a_write_to_its_item(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    sid = site_id(ui_desk, "江西路47号")
    window.open_site(sid)
    page = opened(qtbot, window)
    assert page.dossier is not None
    item = next(i for i in page.dossier.items if i.item.overdue)
    page.show_site(sid, item.id)
    wait_idle(qtbot, window.ops)
    window.ops.write(lambda: ui_desk.close_item(item.id), ITEMS_CHANGED)
    wait_idle(qtbot, window.ops)
    assert page.dossier is not None
    now = page.dossier.item(item.id)
    assert now is not None and now.item.status == "closed"
    selected = page.selected_item()
    assert selected is not None and selected.id == item.id  # the reload kept the selection


def test_opening_reads_once_and_hidden_writes_wait(qtbot: QtBot, ui_desk: Desk) -> None:
    counting = CountingDesk(ui_desk)
    w = MainWindow(cast(Desk, counting))
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    try:
        counting.take()
        sid = site_id(ui_desk, "江西路47号")
        w.open_site(sid)
        wait_idle(qtbot, w.ops)
        assert counting.take()["dossier"] == 1  # not once more when the page is first shown
        w.show_page(LISTINGS)
        w.ops.write(lambda: None, ITEMS_CHANGED)  # a write elsewhere while the dossier is hidden
        wait_idle(qtbot, w.ops)
        assert counting.take()["dossier"] == 0
        w.show_page(DOSSIER)
        wait_idle(qtbot, w.ops)
        assert counting.take()["dossier"] == 1
    finally:
        w.close()
        assert w.ops.shutdown()
