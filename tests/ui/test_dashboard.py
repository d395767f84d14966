"""总览 dashboard: filters, KPI cards, chart data, drill-down (export, open site), 需要关注, a 5-year weekly chart."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import settle, wait_idle
from ui.dialogs.drill import ICol
from ui.main_window import DOSSIER, OVERVIEW, MainWindow
from ui.pages.dashboard import DashboardView, city_cases_text
from ui.pages.overview import OverviewPage
from ui.widgets.charts import BarChart, RateChart
from zhdesk.desk import Desk
from zhdesk.domain.periods import GAP, period_end, period_key, period_label
from zhdesk.domain.stats import Counts, Kind
from zhdesk.dto import Dashboard, Drill, StatsFilter, SupervisionFigures

H1 = (dt.date(2021, 1, 1), dt.date(2021, 6, 30))
H1_BY_KIND = {
    Kind.PATROL: 54, Kind.FOOT_PATROL: 39, Kind.INSPECTION_BULLETIN: 12, Kind.LISTED: 10,
    Kind.SUPERVISION_CASE: 20, Kind.COMPOUND_NOTICE: 5,
}  # fmt: skip


def overview(qtbot: QtBot, window: MainWindow) -> OverviewPage:
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    return window.overview


def chart_totals(view: DashboardView) -> dict[str, float]:
    return {s.key: sum(s.values) for s in view.period_chart.series}


def test_h1_filter_shows_the_source_figures(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    view = page.dashboard
    page.apply_preset("2021年上半年")
    wait_idle(qtbot, window.ops)
    assert page.filter == StatsFilter(*H1)
    assert view.card_items.value.text() == "64期 140件"  # items in 件 (the source's report says 处)
    assert view.card_rate.value.text() == "100.0%"
    assert view.card_city.value.text() == "1758 件"
    assert view.granularity == "week"
    by_kind = view.data.figures.by_kind if view.data else {}
    assert {k: (c.issues, c.items) for k, c in by_kind.items() if c.items} == {
        "patrol": (26, 54), "foot_patrol": (21, 39), "inspection_bulletin": (8, 12), "listed": (5, 10),
        "supervision_case": (3, 20), "compound_notice": (1, 5),
    }  # fmt: skip
    assert chart_totals(view) == {k.value: n for k, n in H1_BY_KIND.items()}
    assert all(GAP not in p for p in view.periods)

    # Unfiltered: the live phase adds items, and something is overdue.
    page.apply_preset("全部")
    wait_idle(qtbot, window.ops)
    assert page.filter == StatsFilter()
    assert view.data is not None and view.data.figures.total.items > 140
    assert view.data.listings_overdue >= 1 and view.card_overdue.value.text() == f"{view.data.listings_overdue} 处"
    assert "c5221f" in view.card_overdue.value.styleSheet()
    assert sum(n for _u, n in view.data.overdue_by_unit) >= 1
    total_all = view.data.figures.total.items

    # A community filter changes the numbers (and the Gantt rows).
    name = page.community_combo.itemText(1)
    page.set_community(name)
    wait_idle(qtbot, window.ops)
    assert page.filter.community == name
    assert view.data is not None and 0 < view.data.figures.total.items < total_all
    page.tabs.setCurrentWidget(page.gantt_section)  # its rows are read when the tab is shown
    wait_idle(qtbot, window.ops)
    assert page.chart.rows and all(r.community == name for r in page.chart.rows)


def test_bar_click_drills_down_exports_and_opens_the_site(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path
) -> None:
    page = overview(qtbot, window)
    view = page.dashboard
    page.apply_preset("全部")
    wait_idle(qtbot, window.ops)

    # A period bar: exactly the items the service returns for that slice.
    chart = view.period_chart
    cat, series = int(chart.rects[0, 4]), int(chart.rects[0, 5])
    assert "单击查看明细" in chart.tooltip((cat, series))
    chart.click_bar(cat, series)
    wait_idle(qtbot, window.ops)
    drill = Drill(base=StatsFilter(), period=chart.keys[cat], kind=chart.series[series].key)
    assert view.last_drill == drill
    dialog = view.drill_dialog
    assert dialog is not None and dialog.isVisible()
    assert [i.id for i in dialog.model.rows()] == [i.id for i in ui_desk.drill_items(drill)]
    assert dialog.model.total == dialog.model.rowCount() == chart.value(cat, series)

    # The red bar of overdue-by-unit: the overdue items of that unit.
    unit = view.unit_chart.keys[0]
    view.unit_chart.click_bar(0, 0)
    wait_idle(qtbot, window.ops)
    expected = ui_desk.drill_items(Drill(base=StatsFilter(), unit=unit, overdue_only=True))
    assert [i.id for i in dialog.model.rows()] == [i.id for i in expected]
    assert len(expected) == view.unit_chart.value(0, 0)
    assert all(i.overdue for i in expected)

    # Sorted by address, exported exactly as shown.
    dialog.table.sortByColumn(ICol.ADDRESS, Qt.SortOrder.DescendingOrder)  # re-read in SQL
    wait_idle(qtbot, window.ops)
    shown = dialog.model.rows()
    assert [i.address for i in shown] == sorted((i.address for i in expected), reverse=True)
    out = tmp_path / "明细.xlsx"
    dialog.export_excel(out)
    wait_idle(qtbot, window.ops)
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "地址" and len(rows) == len(shown) + 1
    assert [r[0] for r in rows[1:]] == [i.address for i in shown]
    assert "已导出" in dialog.hint.text()

    # Open a row: the site's dossier shows it with that item selected.
    row = dialog.model.row_at(0)
    dialog.open_row(0)
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER and not dialog.isVisible()
    assert window.dossier.site_id == row.site_id
    selected = window.dossier.selected_item()
    assert selected is not None and selected.id == row.id


def test_attention_lists_the_overdue_listing_first(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    model = page.dashboard.attention_model
    entries = model.entries()
    assert entries and entries[0].address == "江西路153号" and entries[0].light == "red"
    reds = [e.light == "red" for e in entries]
    assert reds == sorted(reds, reverse=True)  # every red before every yellow
    assert any(e.light == "yellow" for e in entries)
    page.dashboard.open_attention(0)
    wait_idle(qtbot, window.ops)
    assert window.current_page_name() == DOSSIER
    assert window.dossier.dossier is not None and window.dossier.dossier.row.address == "江西路153号"


def test_cards_and_tab(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    page.dashboard.card_in_force.clicked.emit()
    assert page.tabs.currentWidget() is page.gantt_section
    page.dashboard.card_overdue.clicked.emit()
    wait_idle(qtbot, window.ops)
    dialog = page.dashboard.drill_dialog
    assert dialog is not None and dialog.model.rowCount() >= 1
    assert dialog.model.rows()[0].address == "江西路153号"
    dialog.close()


def test_helpers() -> None:
    assert city_cases_text(Decimal(130), "约") == "约130"
    assert city_cases_text(Decimal(100), "余") == "100余"
    assert city_cases_text(Decimal(1758), None) == "1758"
    assert period_label("2021-03") == "2021年3月"


def five_years_weekly() -> Dashboard:
    start = dt.date(2021, 1, 4)
    periods = sorted({period_key(start + dt.timedelta(weeks=w), "week") for w in range(260)})
    per_period = [(p, k.value, 1 + (i * 7 + j) % 9) for i, p in enumerate(periods) for j, k in enumerate(Kind)]
    closure = [(p, 20, 1, 15 + i % 5) for i, p in enumerate(periods)]
    zero = Counts(0, 0, 0)
    figures = SupervisionFigures({k.value: zero for k in Kind}, zero, 0, 0, 0, 0, 0, None, None)
    return Dashboard(figures, 0, 0, 0, Decimal(0), None, per_period, closure)


def test_five_years_of_weeks_draw_fast(qtbot: QtBot, desk: Desk) -> None:
    from ui.ops import Ops

    ops = Ops()
    view = DashboardView(desk, ops)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    data = five_years_weekly()
    settle(ops)  # the charts are built one per event-loop turn
    start = time.perf_counter()
    view.set_data(data, StatsFilter(), "week", dt.date(2026, 1, 1))
    settle(ops)  # and filled so
    view.period_chart.grab()
    view.rate_chart.grab()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed
    assert len(view.period_chart.bar_items) == 7  # one item per kind, not one per bar
    assert len(view.periods) >= 258
    assert view.period_chart.rects.shape[0] == len(data.items_per_period)
    lo, hi = view.period_chart.vb.viewRange()[0]
    ticks = view.period_chart.cat_axis.tickValues(lo, hi, view.period_chart.vb.width())[0][1]
    assert 2 <= len(ticks) <= 20  # labels never crowd
    assert ops.shutdown()


def card(view: DashboardView, title: str) -> tuple[str, str, str]:
    """(value, sub-line, tooltip) of the card with this title."""
    c = next(c for c in view.cards if c.title.text() == title)
    return c.value.text(), c.sub.text(), c.toolTip()


def test_cards_say_what_they_count_and_over_which_range_and_agree_with_the_charts(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = overview(qtbot, window)
    view = page.dashboard
    today = dt.date.today()
    month_end = period_end(period_key(today, "month"))
    page.apply_preset("本月")
    wait_idle(qtbot, window.ops)
    assert page.filter == StatsFilter(today.replace(day=1), month_end)
    span = f"{today.year}年{today.month}月1日—{today.month}月{month_end.day}日"
    assert page.range_label.text() == span and not page.custom_box.isVisible()
    assert [c.title.text() for c in view.cards] == ["挂牌督办在办", "挂牌督办超期", "本月摘牌", "督办件", "结案率",
                                                    "数字化城管件"]  # fmt: skip
    for title in ("本月摘牌", "督办件", "结案率", "数字化城管件"):
        value, sub, tip = card(view, title)
        assert sub.splitlines()[0] == span and span in tip, title
    value, sub, tip = card(view, "督办件")
    assert value.endswith("件") and "处" not in value and "件 = 督办件" in tip
    for title in ("挂牌督办在办", "挂牌督办超期"):
        value, sub, tip = card(view, title)
        assert value.endswith(" 处") and "截至今天" in sub and "处 = 点位" in tip and "不随时间范围变化" in tip
    assert "需要关注" in card(view, "挂牌督办超期")[2]  # why it differs from 需要关注
    # Under 本月 the overdue listing (listed before this month) is in the card and in the chart alike.
    assert view.data is not None and view.data.listings_overdue >= 1
    assert sum(view.lead_chart.value(i, 0) for i in range(len(view.lead_chart.keys))) == view.data.listings_overdue
    assert not view.lead_chart.empty_text.isVisible()
    assert "截至今天" in view.lead_chart.title_label.text() and "处" in view.lead_chart.title_label.text()
    for chart in (view.period_chart, view.category_chart, view.community_chart, view.unit_chart):
        assert chart.unit == "件" and "件" in chart.title_label.text()

    page.apply_preset("全部")
    wait_idle(qtbot, window.ops)
    assert page.range_label.text() == "全部时间"
    titles = [c.title.text() for c in view.cards]
    assert "累计摘牌" in titles and not any("本期" in t for t in titles)  # words follow the range
    assert card(view, "督办件")[1].splitlines()[0] == "全部时间"
    assert sum(view.lead_chart.value(i, 0) for i in range(len(view.lead_chart.keys))) == view.data.listings_overdue


def test_presets_from_today_half_year_menu_and_custom_range(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    today = dt.date.today()
    assert [b.text() for b in page.preset_buttons.values()][:5] == ["全部", "本周", "本月", "本季度", "今年"]
    assert "2021" not in "".join(b.text() for b in page.preset_buttons.values())  # nothing hard-coded
    page.apply_preset("本周")
    wait_idle(qtbot, window.ops)
    assert page.filter.date_from == today - dt.timedelta(days=today.weekday())
    # the half-year menu: this and last year's, and each half-year with figures (the demo's 2021)
    names = page.half_year_names(today)
    assert f"{today.year - 1}年上半年" in names and "2021年上半年" in names
    page._fill_half_years()
    actions = {a.text(): a for a in page.half_year_menu.actions()}
    actions["2021年上半年"].trigger()
    wait_idle(qtbot, window.ops)
    assert page.filter == StatsFilter(*H1)
    assert page.preset_buttons["半年"].isChecked() and "2021年上半年" in page.preset_buttons["半年"].text()
    # 自定义… opens the two date edits; a typed range is used as it is
    qtbot.mouseClick(page.preset_buttons["自定义…"], Qt.MouseButton.LeftButton)
    assert page.custom_box.isVisible() and page.date_from.isVisible() and page.date_to.isVisible()
    page.set_range(dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    wait_idle(qtbot, window.ops)
    assert page.filter == StatsFilter(dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    assert page.range_label.text() == "2021年3月1日—3月31日"
    assert page.dashboard.cards[2].title.text() == "所选时间摘牌"
    page.apply_preset("全部")
    assert not page.custom_box.isVisible()


def drawn_tick_texts(chart: BarChart | RateChart) -> list[str]:
    """The tick labels pyqtgraph really draws on the category axis (it drops those that do not fit)."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = chart.cat_axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [t for _rect, _flags, t in texts]


def test_time_axes_label_the_first_and_last_period_and_draw_the_break(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    view = page.dashboard
    page.apply_preset("全部")
    wait_idle(qtbot, window.ops)
    qtbot.waitUntil(lambda: view.rate_chart.cat_axis.width() > 0)
    assert view.periods[0] == "2021-01" and GAP in view.periods
    for chart in (view.period_chart, view.rate_chart):
        texts = drawn_tick_texts(chart)
        assert texts[0] == "2021年1月", chart.title_label.text()  # the first period, with its year
        assert texts[-1] == period_label(view.periods[-1]) and texts[-1].startswith("2026年")  # year again
        assert len(texts) >= 3
        # the two phases are apart: a break with both dates, hovered for the full text
        gap = view.periods.index(GAP)
        label, tip = chart.breaks[gap]
        assert label == "2021年7月—2026年9月" and "2021年7月1日" in tip and "没有督办件" in tip
    # few categories that fit: every one named
    assert drawn_tick_texts(view.community_chart) == [c[0].replace("（示例）", "") for c in view.data.communities]
    page.apply_preset("本季度")
    wait_idle(qtbot, window.ops)
    assert view.granularity == "week" and not view.period_chart.breaks
    texts = drawn_tick_texts(view.period_chart)
    assert texts[0] == period_label(view.periods[0]) and "周" in texts[0] and "年第" not in texts[0]
    assert texts[-1] == period_label(view.periods[-1])
    assert "（" in view.period_chart.describe(view.periods[0])  # both dates of the week in the tooltip


def test_the_figures_arriving_resize_no_chart_but_the_one_that_gains_a_legend(qtbot: QtBot, desk: Desk) -> None:
    """Each chart panel gets its size once: a chart's wrapped legend or the cards' second sub-line used to
    rebalance the grid while the figures arrived, resizing and repainting all six charts (issue 13)."""
    from ui.ops import Ops

    ops = Ops()
    view = DashboardView(desk, ops)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    settle(ops)  # the charts built, one a turn
    QApplication.processEvents()
    charts = [view.period_chart, view.rate_chart, view.category_chart, view.community_chart, view.unit_chart,
              view.lead_chart]  # fmt: skip
    before = [(c.size(), c.plot_widget.size()) for c in charts]
    cards = [c.height() for c in view.cards]
    view.set_data(five_years_weekly(), StatsFilter(), "week", dt.date(2026, 1, 1))
    settle(ops)
    QApplication.processEvents()
    after = [(c.size(), c.plot_widget.size()) for c in charts]
    assert [c.height() for c in view.cards] == cards
    assert [widget for widget, _plot in after] == [widget for widget, _plot in before]
    assert after[1:] == before[1:]  # only the period chart's plot makes room for its legend
    assert view.period_chart.legend.isVisible()
    assert ops.shutdown()
