"""Change notification: a write anywhere shows on every page without a refresh, each page reading once.

A write declares what it changed (zhdesk.changes.Changes) through `Ops.write`; the window broadcasts it
and each page marks itself stale, reloading at once if visible and otherwise when shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DESK_READS, DESK_WRITES, CountingDesk, wait_idle
from ui.main_window import BULLETINS, LISTINGS, OVERVIEW, MainWindow
from ui.pages.site_tabs import OVERVIEW_TAB, PHOTOS_TAB, TIMELINE_TAB
from zhdesk.changes import EVENTS_CHANGED, STATUS_CHANGED, Changes
from zhdesk.desk import Desk
from zhdesk.domain.workflow import Action

OVERDUE = "江西路153号"  # the demo's one overdue listing: first in 需要关注, counted on the 超期 card


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def batch_of(desk: Desk, sid: int) -> int:
    return next(b.id for b in desk.batches() for i in desk.batch_items(b.id) if i.site_id == sid)


@pytest.fixture
def counted(qtbot: QtBot, ui_desk: Desk) -> Iterator[tuple[MainWindow, CountingDesk]]:
    counting = CountingDesk(ui_desk)
    w = MainWindow(cast(Desk, counting))
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    yield w, counting
    w.close()
    assert w.ops.shutdown()


def visit(qtbot: QtBot, w: MainWindow, name: str) -> None:
    w.show_page(name)
    wait_idle(qtbot, w.ops)


def one_reload(qtbot: QtBot, w: MainWindow, counting: CountingDesk, refresh: object) -> dict[str, int]:
    """What one reload of a page reads (to compare with what showing it after a write read)."""
    counting.take()
    assert callable(refresh)
    refresh()
    wait_idle(qtbot, w.ops)
    return dict(counting.take())


def test_closing_a_listing_shows_everywhere_each_page_reading_once(
    qtbot: QtBot, counted: tuple[MainWindow, CountingDesk], ui_desk: Desk
) -> None:
    w, counting = counted
    sid = site_id(ui_desk, OVERDUE)
    ui_desk.change_status(sid, action=Action.SUBMIT)  # 待验收: the next step on the page closes it
    batch_id = batch_of(ui_desk, sid)

    # Every page has shown the open listing once.
    visit(qtbot, w, BULLETINS)
    assert w.bulletins.select_batch(batch_id)
    wait_idle(qtbot, w.ops)
    item = next(i for i in w.bulletins.items.rows() if i.site_id == sid)
    assert item.status == "open"
    visit(qtbot, w, OVERVIEW)
    dash = w.overview.dashboard
    assert dash.card_overdue.value.text() == "1 处"
    assert OVERDUE in [e.address for e in dash.attention_model.entries()]
    in_force = int(dash.card_in_force.value.text().split()[0])
    visit(qtbot, w, LISTINGS)
    page = w.listings
    page.refresh()  # the submit above was made outside the window
    wait_idle(qtbot, w.ops)
    assert page.select_site(sid)
    page.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, w.ops)
    events_before = len(page.site_tabs.timeline.model.events())  # all, shown or not
    page.site_tabs.setCurrentIndex(PHOTOS_TAB)
    wait_idle(qtbot, w.ops)
    page.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, w.ops)

    # Close it on 挂牌督办: the page shows the returned detail, only the visible tab reads.
    counting.take()
    page.panel.transition_requested.emit(Action.ACCEPT.value, "验收合格")
    wait_idle(qtbot, w.ops)
    # the timeline read once, not twice; the page re-reads its counts and the rows' page (the order changed)
    assert dict(counting.take()) == {"change_status": 1, "timeline": 1, "site_counts": 1, "site_page": 1}
    assert page.panel.detail is not None and page.panel.detail.row.status == "closed"
    assert next(r for r in page.model.rows() if r.id == sid).light == "grey"
    assert len(page.site_tabs.timeline.model.events()) == events_before + 1

    # The photos tab (its event choices) was marked stale: it reads once when shown; the timeline stays.
    page.site_tabs.setCurrentIndex(PHOTOS_TAB)
    wait_idle(qtbot, w.ops)
    assert dict(counting.take()) == {"photos": 1, "timeline": 1}
    assert len(page.site_tabs.photos.model.events()) == events_before + 1
    page.site_tabs.setCurrentIndex(TIMELINE_TAB)
    page.site_tabs.setCurrentIndex(OVERVIEW_TAB)
    wait_idle(qtbot, w.ops)
    assert not counting.take()

    # 督办通报: its item shows closed, without F5, after one reload.
    visit(qtbot, w, BULLETINS)
    reads = dict(counting.take())
    assert reads.get("item_page") == 1
    item = next(i for i in w.bulletins.items.rows() if i.site_id == sid)
    assert item.status == "closed"
    assert reads == one_reload(qtbot, w, counting, w.bulletins.refresh)

    # 总览: cards and 需要关注 follow, after one reload.
    visit(qtbot, w, OVERVIEW)
    reads = dict(counting.take())
    assert reads.get("dashboard") == 1
    assert dash.card_overdue.value.text() == "0 处"
    assert dash.card_in_force.value.text() == f"{in_force - 1} 处"
    assert OVERDUE not in [e.address for e in dash.attention_model.entries()]
    assert reads == one_reload(qtbot, w, counting, w.overview.refresh)

    # Back on 挂牌督办: nothing to read, it showed the result itself.
    visit(qtbot, w, LISTINGS)
    assert not counting.take()


def test_a_page_reloads_only_for_changes_it_shows(
    qtbot: QtBot, counted: tuple[MainWindow, CountingDesk], ui_desk: Desk
) -> None:
    w, counting = counted
    visit(qtbot, w, BULLETINS)  # loaded when first shown
    visit(qtbot, w, LISTINGS)
    counting.take()
    # An event on some site: 督办通报 and 总览 do not show events, so they stay fresh.
    w.ops.changed.emit(EVENTS_CHANGED.for_site(site_id(ui_desk, OVERDUE)), None)
    assert not w.bulletins.watch.stale and not w.overview.watch.stale
    w.ops.changed.emit(STATUS_CHANGED, None)
    assert w.bulletins.watch.stale
    visit(qtbot, w, BULLETINS)
    assert not w.bulletins.watch.stale
    assert counting.take()["batch_page"] == 1


def test_changes_combine() -> None:
    both = Changes(items=True, site_id=3) | Changes(events=True, site_id=3)
    assert both == Changes(items=True, events=True, site_id=3)
    assert (Changes(events=True, site_id=3) | Changes(events=True, site_id=4)).site_id is None
    assert STATUS_CHANGED.for_site(5).concerns_site(5) and not STATUS_CHANGED.for_site(5).concerns_site(6)
    assert STATUS_CHANGED.any("items") and not STATUS_CHANGED.any("photos", "figures")


def test_every_desk_method_is_a_use_case_that_says_whether_it_writes() -> None:
    """The Desk offers nothing but use cases (read or write) and its own few plumbing methods, so the
    write guard above sees every write."""
    plumbing = {"open", "uow", "run", "close", "location", "use_cases", "feed"}
    # Accounts (issue 12): who the desk is, not use cases; the window queues the writing ones with ops.write.
    plumbing |= {"auth_mode", "needs_first_admin", "create_first_admin", "sign_in", "sign_out", "me", "can",
                 "change_password", "enable_accounts", "disable_accounts"}  # fmt: skip
    public = {n for n in dir(Desk) if not n.startswith("_")}
    assert public == DESK_READS | DESK_WRITES | plumbing
    assert not DESK_READS & DESK_WRITES
    assert {"change_status", "close_item", "add_photos", "set_warning_days"} <= DESK_WRITES


def test_a_write_queued_as_a_read_is_caught(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, writes_go_through_ops_write: list[str]
) -> None:
    window.ops.run(lambda: ui_desk.set_warning_days(5))  # would leave every other page stale
    wait_idle(qtbot, window.ops)
    assert writes_go_through_ops_write == ["set_warning_days"]
    writes_go_through_ops_write.clear()  # this test only proves the catch
    window.ops.write(lambda: ui_desk.set_warning_days(4), Changes(settings=True))
    wait_idle(qtbot, window.ops)
    assert writes_go_through_ops_write == []


def test_the_progress_tab_follows_writes_reading_only_while_shown(
    qtbot: QtBot, counted: tuple[MainWindow, CountingDesk], ui_desk: Desk
) -> None:
    w, counting = counted
    sid = site_id(ui_desk, OVERDUE)
    visit(qtbot, w, OVERVIEW)
    page = w.overview
    page.tabs.setCurrentWidget(page.gantt_section)
    wait_idle(qtbot, w.ops)
    assert next(r for r in page.chart.rows if r.site_id == sid).light == "red"

    # A write elsewhere while the tab is shown: its rows are read once, at once.
    ui_desk.change_status(sid, action=Action.SUBMIT)
    ui_desk.change_status(sid, action=Action.ACCEPT)
    counting.take()
    w.ops.changed.emit(STATUS_CHANGED, None)
    wait_idle(qtbot, w.ops)
    assert counting.take()["gantt"] == 1
    assert next(r for r in page.chart.rows if r.site_id == sid).status == "closed"

    # On 数据看板 a write does not read the tab's rows; showing the tab reads them once.
    page.tabs.setCurrentWidget(page.dashboard)
    wait_idle(qtbot, w.ops)
    counting.take()
    w.ops.changed.emit(STATUS_CHANGED, None)
    wait_idle(qtbot, w.ops)
    reads = counting.take()
    assert reads["dashboard"] == 1 and reads["gantt"] == 0
    page.tabs.setCurrentWidget(page.gantt_section)
    wait_idle(qtbot, w.ops)
    assert counting.take() == {"gantt": 1}
    page.tabs.setCurrentWidget(page.dashboard)
    page.tabs.setCurrentWidget(page.gantt_section)
    wait_idle(qtbot, w.ops)
    assert not counting.take()  # nothing changed since: no read
