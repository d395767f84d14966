"""The 总览 charts on the light plot (ui.widgets.plot): the mouse finds bars and points through the view box
and axes as laid out, values are written over the bars, an empty chart says so."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.widgets.charts import BarChart, RateChart, Series, _Chart


def widget_point(chart: _Chart, view_pos: QPointF) -> QPoint:
    """Where a view position is in the plot's viewport (for mouse events)."""
    scene = chart.vb.mapViewToScene(view_pos)
    point: QPoint = chart.plot_widget.mapFromScene(scene)
    return point


def hover(qtbot: QtBot, chart: _Chart, view_pos: QPointF) -> None:
    """Move the mouse there and let the chart see it. pyqtgraph's scene drops a move that comes within
    1000 / mouseRateLimit ms of the one before (a warm process moved twice in under 10 ms: the second was lost)."""
    qtbot.wait(int(1000 / pg.getConfigOption("mouseRateLimit")) + 5)
    qtbot.mouseMove(chart.plot_widget.viewport(), widget_point(chart, view_pos))
    QApplication.processEvents()


def shown(qtbot: QtBot, chart: _Chart) -> None:
    qtbot.addWidget(chart)
    chart.resize(520, 320)
    chart.show()
    qtbot.waitExposed(chart)
    chart.grab()  # laid out and painted once, as on screen


def test_hover_and_click_a_stacked_bar(qtbot: QtBot) -> None:
    chart = BarChart("各类督办件数量", unit="件")
    shown(qtbot, chart)
    chart.set_data(["2026-01", "2026-02", "2026-03"], ["1月", "2月", "3月"], [
        Series("patrol", "巡查", "#440154", [3, 0, 5]),
        Series("listed", "挂牌督办", "#21918c", [2, 4, 1]),
    ])  # fmt: skip
    chart.grab()
    assert chart.value_labels.texts() == ["5", "4", "6"]  # the total over each stack
    viewport = chart.plot_widget.viewport()
    hover(qtbot, chart, chart.bar_center(2, 1))
    assert chart.hover_text.startswith("2026-03\n挂牌督办：1 件") and "合计：6 件" in chart.hover_text
    with qtbot.waitSignal(chart.bar_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=widget_point(chart, chart.bar_center(0, 0)))
    assert blocker.args == ["2026-01", "patrol"]
    # Beside the bars: no tooltip, and a click there opens nothing.
    hover(qtbot, chart, QPointF(1.0, 4.6))
    assert chart.hover_text == ""


def test_horizontal_bars_top_first_and_refilled_in_place(qtbot: QtBot) -> None:
    chart = BarChart("问题类别（件）", horizontal=True, unit="件")
    shown(qtbot, chart)
    chart.set_data(["垃圾", "杂物"], ["垃圾", "杂物"], [Series("n", "", "#3b78c3", [7, 2])])
    chart.grab()
    first = chart.bar_items["n"]
    top, bottom = (widget_point(chart, chart.bar_center(i, 0)) for i in (0, 1))
    assert top.y() < bottom.y()  # the first category on top
    with qtbot.waitSignal(chart.bar_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(chart.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=bottom)
    assert blocker.args == ["杂物", "n"]
    chart.set_data(["占道"], ["占道"], [Series("n", "", "#3b78c3", [3])])
    assert chart.bar_items["n"] is first  # the bars' item is reused, not made again
    assert chart.value_labels.texts() == ["3"] and chart.cat_axis.labels == ["占道"]


def test_rate_point_click_and_empty_state(qtbot: QtBot) -> None:
    chart = RateChart("结案率走势")
    shown(qtbot, chart)
    chart.set_data(["2026-01", "2026-02", "2026-03"], ["1月", "2月", "3月"], [1.0, None, 0.5])
    chart.grab()
    assert chart.value_labels.texts() == ["100%", "50%"]
    viewport = chart.plot_widget.viewport()
    hover(qtbot, chart, QPointF(2, 0.5))
    assert "结案率：50.0%" in chart.hover_text
    with qtbot.waitSignal(chart.point_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=widget_point(chart, QPointF(0, 1.0)))
    assert blocker.args == ["2026-01"]

    chart.set_data([], [], [])
    chart.grab()
    assert chart.empty_text.isVisible() and chart.value_labels.texts() == []
