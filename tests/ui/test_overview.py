"""总览 page: the 督办进度总览 Gantt chart with the demo (5 sites) and with 500 synthetic rows."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from ui.main_window import DOSSIER, OVERVIEW, MainWindow
from ui.pages.overview import PAGE_TITLE, OverviewPage
from ui.widgets.gantt import ROW_PX, GanttChart, bars_for, day
from zhdesk.desk import Desk
from zhdesk.dto import GanttRow

TODAY = dt.date(2026, 6, 15)


def synthetic(n: int, today: dt.date = TODAY) -> list[GanttRow]:
    """n rows like gantt() returns: overdue first, then due soon, on time, closed; some rebounds."""
    rows = []
    for i in range(n):
        listed = today - dt.timedelta(days=20 + (i * 7) % 200)
        deadline = listed + dt.timedelta(days=30 + i % 60)
        closed = listed + dt.timedelta(days=10 + i % 50) if i % 5 == 4 else None
        if closed is not None:
            light, status, label, days = "grey", "closed", "已办结(摘牌)", "已办结"
        elif deadline < today:
            light, status, label, days = "red", "rectifying", "整改中", f"超期{(today - deadline).days}天"
        elif (deadline - today).days <= 3:
            light, status, label, days = "yellow", "rectifying", "整改中", f"剩{(deadline - today).days}天"
        else:
            light, status, label, days = "green", "rectifying", "整改中", f"剩{(deadline - today).days}天"
        rebounds = (listed + dt.timedelta(days=5),) if i % 17 == 0 else ()
        address = f"测试路{i}号院第{i % 9}栋"
        lead = f"领导{i % 7}"
        rows.append(
            GanttRow(1000 + i, address, f"社区{i % 4}", lead, "执法中队", status, label, light, listed, deadline,
                     closed, days, rebounds)
        )  # fmt: skip
    rank = {"red": 0, "yellow": 1, "green": 2, "grey": 3}
    return sorted(rows, key=lambda r: (rank[r.light], r.deadline or today))


def view_point(chart: GanttChart, row: int, at: dt.date | None = None) -> QPoint:
    """Widget coordinates (of the plot's viewport) of a row's bar."""
    scene = chart.scene_pos_of_row(row, at)
    return chart.plot_widget.mapFromScene(scene)


def wheel(viewport: QWidget, dy: int, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        centre, viewport.mapToGlobal(centre), QPoint(0, 0), QPoint(0, dy), Qt.MouseButton.NoButton, modifiers,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(viewport, event)


def test_bars_split_by_colour() -> None:
    today = dt.date(2026, 3, 10)
    d = dt.date
    rows = [
        GanttRow(1, "超期", "c", None, None, "rectifying", "整改中", "red", d(2026, 2, 1), d(2026, 3, 1), None,
                 "超期9天", ()),
        GanttRow(2, "临期", "c", None, None, "rectifying", "整改中", "yellow", d(2026, 2, 1), d(2026, 3, 12), None,
                 "剩2天", ()),
        GanttRow(3, "按期办结", "c", None, None, "closed", "已办结", "grey", d(2026, 1, 1), d(2026, 2, 1),
                 d(2026, 1, 20), "已办结", ()),
        GanttRow(4, "逾期办结", "c", None, None, "closed", "已办结", "grey", d(2026, 1, 1), d(2026, 2, 1),
                 d(2026, 2, 5), "已办结", ()),
    ]  # fmt: skip
    b = bars_for(rows, today)
    assert list(zip(b["overdue"].x0, b["overdue"].x1, b["overdue"].y, strict=True)) == [
        (day(d(2026, 3, 1)), day(today), 0.0),
        (day(d(2026, 2, 1)), day(d(2026, 2, 5)), 3.0),
    ]
    assert b["due_soon"].y == [1.0] and b["due_soon"].x1 == [day(d(2026, 3, 12))]
    assert b["closed"].y == [2.0, 3.0] and b["closed"].x1 == [day(d(2026, 1, 20)), day(d(2026, 2, 1))]
    assert b["elapsed"].y == [0.0, 1.0] and b["remaining"].y == []


def test_demo_gantt_hover_and_click_open_the_site(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    page = window.overview
    assert isinstance(page, OverviewPage) and page.title.text() == PAGE_TITLE == "总览"
    # 数据看板 is shown first: the Gantt's rows are read only when its tab (督办进度) is shown.
    assert page.chart.rows == [] and page.counts.text() == ""
    page.tabs.setCurrentWidget(page.gantt_section)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "督办进度"
    wait_idle(qtbot, window.ops)
    chart = page.chart
    expected = ui_desk.gantt()
    assert [r.site_id for r in chart.rows] == [r.site_id for r in expected]
    assert len(chart.rows) == 5 and chart.rows[0].address == "江西路153号"
    assert page.counts.text().startswith("挂牌督办 5 处：超期 1 处")
    assert not chart.scrollbar.isVisible()  # 5 rows fit
    assert chart.site_axis.tickStrings([0.0, 4.0], 1, 1) == [expected[0].address, expected[4].address]
    assert len(chart.bar_items["overdue"].opts["x0"]) == 1

    text = chart.tooltip_for_row(0)
    for part in ("地址：江西路153号", "包案领导：李明远", "整改时限：", "状态：整改中（超期5天）"):
        assert part in text

    # Hover with the mouse over the second row.
    viewport = chart.plot_widget.viewport()
    qtbot.mouseMove(viewport, view_point(chart, 1))
    QApplication.processEvents()
    assert chart.hover_row == 1
    assert chart.hover_text.startswith(f"地址：{expected[1].address}")

    # Click on the first row: the site's dossier opens; the 挂牌督办 filters stay as the user set them.
    window.listings.search.setText("澄海")
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(chart, 0))
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER
    assert window.dossier.dossier is not None and window.dossier.dossier.row.id == expected[0].site_id
    assert window.dossier.address.text() == "江西路153号"
    assert window.listings.search.text() == "澄海"


def test_500_rows_build_fast_and_scroll(qtbot: QtBot) -> None:
    rows = synthetic(500)
    chart = GanttChart()
    qtbot.addWidget(chart)
    chart.resize(1300, 26 * ROW_PX + 60)
    chart.show()
    start = time.perf_counter()
    chart.set_rows(rows, TODAY)
    chart.grab()  # one full paint
    x_range = chart.vb.viewRange()[0]
    assert time.perf_counter() - start < 3.0

    assert sum(len(item.opts["x0"]) for item in chart.bar_items.values()) >= 500
    assert len(chart.bar_items) == 5  # one item per colour, not one per site
    shown = list(chart.visible_rows())
    assert 15 <= len(shown) <= 30 and shown[0] == 0
    assert chart.scrollbar.isVisible()
    assert chart.scrollbar.maximum() == int(chart.max_top()) >= 470
    lo, hi = sorted(chart.vb.viewRange()[1])
    ticks = chart.site_axis.tickValues(lo, hi, chart.vb.height())[0][1]
    assert len(ticks) <= 30  # labels never crowd
    assert chart.day_labels.texts() == [rows[i].days_text for i in shown]  # the days text of the rows in view

    # Mouse wheel over the plot moves through the rows; the scroll bar follows.
    viewport = chart.plot_widget.viewport()
    wheel(viewport, -120)
    assert chart.top == 3 and chart.scrollbar.value() == 3
    assert chart.vb.viewRange()[0] == pytest.approx(x_range)  # scrolling rows leaves the dates alone

    chart.scrollbar.setValue(250)
    assert chart.top == 250 and 250 in chart.visible_rows()
    assert chart.day_labels.texts()[0] == rows[250].days_text  # the days text follows the rows
    assert chart.tooltip_for_row(260).startswith(f"地址：{rows[260].address}")
    chart.set_top(10_000)
    assert chart.visible_rows()[-1] == 499

    with qtbot.waitSignal(chart.site_activated, timeout=2000) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(chart, 495))
    assert blocker.args == [rows[495].site_id]


def test_ctrl_wheel_zooms_dates_only(qtbot: QtBot) -> None:
    chart = GanttChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 500)
    chart.show()
    chart.set_rows(synthetic(40), TODAY)
    x0 = chart.vb.viewRange()[0]
    y0 = chart.vb.viewRange()[1]
    wheel(chart.plot_widget.viewport(), 120, Qt.KeyboardModifier.ControlModifier)
    x1 = chart.vb.viewRange()[0]
    assert (x1[1] - x1[0]) < (x0[1] - x0[0])  # zoomed in on the dates
    assert chart.vb.viewRange()[1] == pytest.approx(y0)
    assert chart.top == 0


def test_empty_overview(qtbot: QtBot, desk: Desk) -> None:
    from ui.ops import Ops

    ops = Ops()
    page = OverviewPage(desk, ops)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, ops)
    assert page.dashboard.card_items.value.text() == "0期 0件"
    assert page.dashboard.card_rate.value.text() == "—"
    page.dashboard.grab()
    page.tabs.setCurrentWidget(page.gantt_section)
    wait_idle(qtbot, ops)
    assert page.chart.rows == [] and page.counts.text().startswith("挂牌督办 0 处")
    page.chart.grab()
    assert ops.shutdown()


def drawn_dates(chart: GanttChart) -> list[str]:
    """The date labels pyqtgraph really draws (it drops those it finds out of bounds), left to right."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = chart.date_axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [t for rect, _flags, t in sorted(texts, key=lambda spec: spec[0].left())]


@pytest.mark.parametrize("start", [dt.date(2026, 5, 1), dt.date(2026, 5, 3), dt.date(2026, 5, 20)])
def test_the_first_month_in_view_is_labelled(qtbot: QtBot, start: dt.date) -> None:
    chart = GanttChart()
    qtbot.addWidget(chart)
    chart.resize(1300, 400)
    chart.show()
    chart.set_rows(synthetic(20), TODAY)
    chart.vb.setXRange(day(start), day(start) + 75, padding=0)  # days as minor ticks
    chart.grab()
    texts = drawn_dates(chart)
    assert "5月" in texts[0], texts  # the first label on screen says its month
    assert any(t.startswith("2026年") for t in texts), texts  # and the year is there
