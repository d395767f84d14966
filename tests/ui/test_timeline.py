"""时间线 tab: the painted timeline, the event list kept in step with it, recording / editing / deleting events."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.dialogs.event_dialog import EventDialog, split_actors
from ui.main_window import MainWindow
from ui.pages.site_tabs import PHOTOS_TAB, TIMELINE_TAB
from ui.pages.timeline_tab import DATE_CONFIRM_TITLE, TimelineTab
from ui.widgets.timeline import TimelineWidget
from zhdesk.desk import Desk
from zhdesk.dto import EventDTO

SITE = "善化路18号院"


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def open_timeline(qtbot: QtBot, window: MainWindow, address: str = SITE) -> TimelineTab:
    page = window.listings
    assert page.select_site(site_id(window.desk, address))
    page.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, window.ops)
    tab = page.site_tabs.timeline
    assert tab.site is not None and tab.site.address == address
    return tab


def save(qtbot: QtBot, window: MainWindow, dlg: EventDialog) -> None:
    qtbot.mouseClick(dlg.save_button(), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.ops)


def test_split_actors() -> None:
    names = ("李明远", "郑红梅", "刘海峰", "珠海路环卫站")
    assert split_actors("李明远、郑红梅，刘海峰, 珠海路环卫站；李明远") == names
    assert split_actors(" 、 ") == ()


def test_drawing_paints_and_clicks_select_in_the_list(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    tab = open_timeline(qtbot, window)
    events = ui_desk.timeline(site_id(ui_desk, SITE))
    assert len(tab.model.events()) == len(events) >= 9
    listed_on = tab.site.listed_on if tab.site else None
    assert listed_on is not None  # the list shows this listing's events, as the drawing does
    assert tab.model.rowCount() == sum(e.date >= listed_on for e in events) >= 8
    assert window.listings.site_tabs.tabText(TIMELINE_TAB) == f"时间线（{len(events)}）"

    drawing = tab.drawing
    image = drawing.grab().toImage()  # runs paintEvent
    assert not image.isNull() and image.width() == drawing.width()
    coloured = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y) != QColor("white")
    )
    assert coloured > 200  # band, axis, glyphs and legend are there

    drawn = [e for e in events if drawing.glyph_rect(e.id) is not None]
    assert len(drawn) >= 8
    target = drawn[len(drawn) // 2]
    rect = drawing.glyph_rect(target.id)
    assert rect is not None
    qtbot.mouseClick(drawing, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert tab.selected_id() == target.id
    assert drawing.selected_id() == target.id
    assert tab.edit_button.isEnabled() and tab.delete_button.isEnabled()
    assert target.kind_label in drawing.tooltip_at(rect.center())

    # And the other way: a row chosen in the list is highlighted in the drawing.
    other = drawn[0]
    row = tab.model.row_of(other.id)
    assert row is not None
    tab.table.selectRow(row)
    assert drawing.selected_id() == other.id

    # A click on empty space selects nothing new.
    qtbot.mouseClick(drawing, Qt.MouseButton.LeftButton, pos=rect.center().toPoint() + QPointF(0, -300).toPoint())
    assert tab.selected_id() == other.id


def test_events_on_the_same_day_stack(qtbot: QtBot) -> None:
    w = TimelineWidget()
    qtbot.addWidget(w)
    w.resize(600, 200)
    day = dt.date(2026, 3, 5)

    def ev(i: int, kind: str) -> EventDTO:
        return EventDTO(i, 1, 1, kind, kind, day, None, None, (), (), None, 1)

    w.set_timeline([ev(1, "inspection"), ev(2, "interview"), ev(3, "note")], day - dt.timedelta(days=10),
                   day + dt.timedelta(days=20), None, day)  # fmt: skip
    rects = [w.glyph_rect(i) for i in (1, 2, 3)]
    assert all(r is not None for r in rects)
    assert len({round(r.center().x()) for r in rects if r}) == 1  # same day: same x
    assert len({round(r.center().y()) for r in rects if r}) == 3  # stacked, not overlapping
    assert w.lanes() == 3
    w.grab()


def test_earlier_listing_events_are_summed_up_until_asked(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    sid = site_id(ui_desk, SITE)
    listed_on = next(r for r in ui_desk.list_sites() if r.id == sid).listed_on
    assert listed_on is not None
    old = ui_desk.add_event(sid, "note", listed_on - dt.timedelta(days=400), text="上一轮", confirmed=True)
    tab = open_timeline(qtbot, window)
    drawing = tab.drawing
    assert old.id in [e.id for e in drawing.earlier_events()]
    assert drawing.glyph_rect(old.id) is None
    assert tab.show_all.isVisibleTo(tab) and not tab.show_all.isChecked()

    tab.select_event(old.id)  # chosen in the list: the drawing widens to show it
    assert drawing.show_all and tab.show_all.isChecked()
    assert drawing.glyph_rect(old.id) is not None
    tab.show_all.setChecked(False)
    assert not drawing.show_all


def test_record_event_through_the_dialog(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    tab = open_timeline(qtbot, window)
    sid = site_id(ui_desk, SITE)
    before = len(ui_desk.timeline(sid))
    rows_before = tab.model.rowCount()
    today = dt.date.today()

    dlg = tab.record_event()
    assert dlg is not None and dlg.isVisible()
    assert dlg.date_edit.calendarPopup()
    text = "复查：积存垃圾已清理一半"
    dlg.set_values("inspection", today, text=text, actors="李明远、郑红梅，刘海峰", at=dt.time(9, 30))
    save(qtbot, window, dlg)

    events = ui_desk.timeline(sid)
    assert len(events) == before + 1
    new = next(e for e in events if e.text == text)
    assert (new.kind, new.date, new.time) == ("inspection", today, dt.time(9, 30))
    assert new.actors == ("李明远", "郑红梅", "刘海峰")
    assert tab.dialog is None  # closed after the save
    # It is in the list (selected, at the top: the newest) and drawn.
    assert tab.model.rowCount() == rows_before + 1 and tab.model.row_of(new.id) == 0
    assert tab.selected_id() == new.id
    assert tab.drawing.glyph_rect(new.id) is not None
    assert "已记录事件" in window.statusBar().currentMessage()


def test_future_event_is_stored_only_when_confirmed(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs
) -> None:
    tab = open_timeline(qtbot, window)
    sid = site_id(ui_desk, SITE)
    before = len(ui_desk.timeline(sid))
    future = dt.date.today() + dt.timedelta(days=10)

    dialogs.answer = dialogs.answer.No
    dlg = tab.record_event()
    assert dlg is not None
    dlg.set_values("follow_up", future, text="预约回头看")
    save(qtbot, window, dlg)
    [(kind, title, text)] = dialogs.shown
    assert kind == "question" and title == DATE_CONFIRM_TITLE
    assert "在将来" in text and future.isoformat() in text
    assert len(ui_desk.timeline(sid)) == before
    assert dlg.isVisible() and "未保存" in dlg.status.text()  # still open, to correct the date
    assert dlg.save_button().isEnabled()

    dialogs.answer = dialogs.answer.Yes
    save(qtbot, window, dlg)
    assert len(dialogs.texts("question")) == 2
    events = ui_desk.timeline(sid)
    assert len(events) == before + 1
    assert any(e.date == future and e.kind == "follow_up" for e in events)
    assert tab.dialog is None
    assert not dialogs.texts("warning")


def test_edit_and_delete(qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs) -> None:
    tab = open_timeline(qtbot, window)
    sid = site_id(ui_desk, SITE)
    mine = ui_desk.add_event(sid, "note", dt.date.today(), text="待修改")
    tab.reload()
    wait_idle(qtbot, window.ops)

    tab.select_event(mine.id)
    dlg = tab.edit_selected()
    assert dlg is not None and dlg.text_edit.toPlainText() == "待修改"
    assert dlg.kind_combo.currentData() == "note"
    dlg.text_edit.setPlainText("已修改")
    dlg.actors_edit.setText("马德胜")
    save(qtbot, window, dlg)
    edited = next(e for e in ui_desk.timeline(sid) if e.id == mine.id)
    assert (edited.text, edited.actors, edited.version) == ("已修改", ("马德胜",), mine.version + 1)

    dialogs.answer = dialogs.answer.No
    tab.select_event(mine.id)
    tab.delete_button.click()
    wait_idle(qtbot, window.ops)
    assert any(e.id == mine.id for e in ui_desk.timeline(sid))
    assert "审计" in dialogs.texts("question")[-1]

    dialogs.answer = dialogs.answer.Yes
    tab.delete_button.click()
    wait_idle(qtbot, window.ops)
    assert all(e.id != mine.id for e in ui_desk.timeline(sid))
    assert tab.model.row_of(mine.id) is None
    assert "审计记录中保留" in window.statusBar().currentMessage()


def test_workflow_step_shows_up_in_the_timeline(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    tab = open_timeline(qtbot, window, "江西路153号")
    n = tab.model.rowCount()
    window.listings.site_tabs.setCurrentIndex(0)
    window.listings.panel.transition_buttons()["submit"].click()
    wait_idle(qtbot, window.ops)
    window.listings.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, window.ops)
    assert tab.model.rowCount() == n + 1
    assert tab.model.events()[-1].kind == "acceptance_request"


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_drawing_grows_with_the_font(qtbot: QtBot, scale: float) -> None:
    w = TimelineWidget()
    qtbot.addWidget(w)
    font = w.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    w.setFont(font)
    w.resize(500, 100)
    d = dt.date(2026, 3, 5)
    w.set_timeline([], d, d + dt.timedelta(days=30), None, d + dt.timedelta(days=40))
    assert w.height() >= w.fontMetrics().height() * 6
    assert "超期" in w.tooltip_at(QPointF(w.x_of(d + dt.timedelta(days=35)), w._y_band + 2))


def test_site_without_listing_shows_empty_tabs(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    page = window.listings
    page.listed_only.setChecked(False)
    wait_idle(qtbot, window.ops)  # the table re-queries the core
    row = next(r for r in page.model.rows() if not r.listed)
    assert page.select_site(row.id)
    page.site_tabs.setCurrentIndex(TIMELINE_TAB)
    wait_idle(qtbot, window.ops)
    tab = page.site_tabs.timeline
    assert tab.site is not None and tab.site.id == row.id
    assert tab.model.rowCount() == len(ui_desk.timeline(row.id))
    tab.drawing.grab()
    assert tab.record_button.isEnabled()
    page.site_tabs.setCurrentIndex(PHOTOS_TAB)
    wait_idle(qtbot, window.ops)
    photos = page.site_tabs.photos
    assert photos.model.rowCount() == 0 and "还没有照片" in photos.view.empty_text
    assert not photos.compare_button.isEnabled()
    photos.view.grab()


def test_the_event_list_is_newest_first_and_follows_the_earlier_listings_box(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk
) -> None:
    sid = site_id(ui_desk, SITE)
    listed_on = next(r for r in ui_desk.list_sites() if r.id == sid).listed_on
    assert listed_on is not None
    old = ui_desk.add_event(sid, "note", listed_on - dt.timedelta(days=400), text="上一轮", confirmed=True)
    tab = open_timeline(qtbot, window)
    shown = [tab.model.event_at(r) for r in range(tab.model.rowCount())]
    dates = [e.date for e in shown]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 9  # newest first
    # unticked: only this listing's events, in the list as in the drawing
    assert not tab.show_all.isChecked() and old.id not in [e.id for e in shown]
    assert all(e.date >= listed_on for e in shown)
    assert old.id in [e.id for e in tab.model.events()]  # still loaded (the photos tab reads them all)
    tab.show_all.setChecked(True)
    assert tab.model.rowCount() == len(tab.model.events()) and tab.model.row_of(old.id) is not None
    dates = [tab.model.event_at(r).date for r in range(tab.model.rowCount())]
    assert dates == sorted(dates, reverse=True) and dates[-1] < listed_on
    tab.show_all.setChecked(False)
    assert tab.model.row_of(old.id) is None
