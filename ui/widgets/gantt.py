"""督办进度总览 chart: one row per listed site (most urgent first), a bar from listing to deadline, the overdue
stretch in red, closed listings in grey with a tick, rebounds as triangles, today's line.

Built for 5 sites and for 500: bars are a handful of BarGraphItems (one per colour, not one per site), the
rows show a fixed pixel pitch so about 25 fit a screen, the mouse wheel and a scroll bar move through the
rows, dragging pans the dates and Ctrl+wheel zooms them. Hover shows the site; a click emits
`site_activated(site_id)`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetricsF, QPainterPath
from PySide6.QtWidgets import QHBoxLayout, QScrollBar, QToolTip, QWidget

from ui.widgets.light import LIGHT_COLORS
from ui.widgets.plot import Axis, Plot, ValueLabels
from zhdesk.domain.vocab import EVENT_KINDS
from zhdesk.dto import GanttRow

ROW_PX = 30  # pixels per site row
EDGE_LABEL_PX = 40  # how far a date label may reach past either end of the date axis
HEADROOM = 1.0  # rows of space above the first row, for the 今天 label
BAR_HEIGHT = 0.56  # of a row
WHEEL_ROWS = 3

ELAPSED = "#3b78e7"  # listed -> today, within the deadline
REMAINING = "#b5cdf5"  # today -> deadline
DUE_SOON = "#f6bf26"  # remaining time of a site close to its deadline
OVERDUE = "#d93025"  # deadline -> today (or -> closed, if closed late)
CLOSED = "#9aa0a6"  # listed -> closed
CLOSED_MARK = "#137333"
REBOUND = "#e8710a"
EVENT_MARK = "#37474f"  # dark slate: reads on blue, grey and red bars alike
TODAY = "#174ea6"
AXIS_TEXT = "#3c4043"
HOVER = (26, 115, 232, 28)

LEGEND: tuple[tuple[str, str, str], ...] = (
    ("■", ELAPSED, "已用整改时间"),
    ("■", REMAINING, "剩余时间"),
    ("■", DUE_SOON, "临近时限"),
    ("■", OVERDUE, "超期"),
    ("■", CLOSED, "已办结"),
    ("✓", CLOSED_MARK, "办结日"),
    ("●", EVENT_MARK, "检查、约谈等事件"),
    ("▼", REBOUND, "反弹"),
    ("┆", TODAY, "今天"),
)


def day(d: dt.date) -> float:
    """x coordinate of a date (its proleptic ordinal)."""
    return float(d.toordinal())


def from_day(x: float) -> dt.date:
    return dt.date.fromordinal(max(1, math.floor(x)))


def elide(text: str, fm: QFontMetricsF, width: float) -> str:
    return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)


def row_tooltip(r: GanttRow) -> str:
    lines = [
        f"地址：{r.address}（{r.community}）",
        f"包案领导：{r.lead or '未登记'}",
        f"挂牌日期：{r.listed_on.isoformat()}",
        f"整改时限：{r.deadline.isoformat() if r.deadline else '无'}",
        f"状态：{r.status_label}（{r.days_text}）",
    ]
    if r.closed_on:
        lines.append(f"办结日期：{r.closed_on.isoformat()}")
    if r.rebounds:
        lines.append("反弹：" + "、".join(d.isoformat() for d in r.rebounds))
    if r.events:
        on, kind = r.events[-1]
        lines.append(f"事件 {len(r.events)} 条，最近：{on.isoformat()} {EVENT_KINDS.get(kind, kind)}")
    lines.append("单击打开该点位")
    return "\n".join(lines)


@dataclass
class Bars:
    """x0/x1/y of the bars of one colour."""

    x0: list[float]
    x1: list[float]
    y: list[float]

    @classmethod
    def empty(cls) -> Bars:
        return cls([], [], [])

    def add(self, a: float, b: float, row: int) -> None:
        if b > a:
            self.x0.append(a)
            self.x1.append(b)
            self.y.append(float(row))


def bars_for(rows: Sequence[GanttRow], today: dt.date) -> dict[str, Bars]:
    """Split every row into its coloured stretches (pure: tested without widgets)."""
    out = {k: Bars.empty() for k in ("elapsed", "remaining", "due_soon", "overdue", "closed")}
    t = day(today)
    for i, r in enumerate(rows):
        start = day(r.listed_on)
        deadline = day(r.deadline) if r.deadline else None
        if r.closed_on is not None:
            end = day(r.closed_on)
            if deadline is not None and end > deadline:
                out["closed"].add(start, deadline, i)
                out["overdue"].add(deadline, end, i)
            else:
                out["closed"].add(start, max(end, start + 0.5), i)
            continue
        if deadline is None:
            out["elapsed"].add(start, max(t, start + 0.5), i)
        elif t > deadline:
            out["elapsed"].add(start, deadline, i)
            out["overdue"].add(deadline, t, i)
        else:
            out["elapsed"].add(start, max(t, start + 0.5), i)
            out["due_soon" if r.light == "yellow" else "remaining"].add(max(t, start), deadline, i)
    return out


def bar_end(r: GanttRow, today: dt.date) -> float:
    if r.closed_on is not None:
        return day(r.closed_on)
    return max(day(today), day(r.deadline) if r.deadline else day(today))


class DateAxis(Axis):
    """Dates (ordinal days) as Chinese labels: months as major ticks (year on January and the first label),
    days of the month as minor ticks when there is room; the first day label of a month whose 1st is out
    of view names its month (10月8日), so the first month on screen is never unlabelled."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.view_min = 0.0

    def boundingRect(self) -> QRectF:
        # A month label near either end may reach past the axis: draw it rather than drop it (pyqtgraph
        # drops labels outside this rectangle, and with the date grid on it ignores hideOverlappingLabels).
        rect: QRectF = super().boundingRect()
        return rect.adjusted(-EDGE_LABEL_PX, 0, EDGE_LABEL_PX, 0)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        self.view_min = minVal
        if maxVal <= minVal or size <= 0:
            return []
        ppd = size / (maxVal - minVal)
        first, last = from_day(minVal), from_day(maxVal) + dt.timedelta(days=1)
        step = next((m for m in (1, 2, 3, 6, 12) if ppd * 30 * m >= 90), 24)
        months: list[float] = []
        y, m = first.year, first.month
        while dt.date(y, m, 1) <= last:
            if (m - 1) % step == 0:
                d = dt.date(y, m, 1)
                if minVal <= day(d) <= maxVal:
                    months.append(day(d))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        ticks: list[tuple[float, list[float]]] = [(30.0 * step, months)]
        day_step = next((s for s in (1, 2, 7) if ppd * s >= 34), None)
        if step == 1 and day_step is not None:
            days_of_month = range(1, 32) if day_step == 1 else (range(1, 32, 2) if day_step == 2 else (8, 15, 22))
            minor = []
            d = first
            while d <= last:
                if d.day != 1 and d.day in days_of_month and minVal <= day(d) <= maxVal:
                    minor.append(day(d))
                d += dt.timedelta(days=1)
            ticks.append((float(day_step), minor))
        return ticks

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for i, v in enumerate(values):
            d = from_day(v)
            if spacing >= 28:
                out.append(f"{d.year}年{d.month}月" if (i == 0 or d.month == 1) else f"{d.month}月")
            elif i == 0 and day(d.replace(day=1)) < self.view_min:
                out.append(f"{d.month}月{d.day}日")  # its month's tick is out of view
            else:
                out.append(f"{d.day}日")
        return out


class SiteAxis(Axis):
    """Left axis: the site address of every row in view (rows are integers, 0 at the top). Addresses are
    elided when first drawn, not all at once: thousands of listed sites on a large database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.addresses: list[str] = []
        self._elide: Callable[[str], str] = lambda text: text
        self._shown: dict[int, str] = {}
        self.first_row = 0  # rows above the first shown (half visible in the headroom) get no label

    def set_addresses(self, addresses: Sequence[str], elide: Callable[[str], str]) -> None:
        self.addresses, self._elide, self._shown = list(addresses), elide, {}
        self.picture = None
        self.update()

    def row_label(self, row: int) -> str:
        text = self._shown.get(row)
        if text is None:
            text = self._shown[row] = self._elide(self.addresses[row])
        return text

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        a, b = sorted((minVal, maxVal))  # the view is inverted (row 0 at the top)
        lo = max(self.first_row, math.ceil(a))
        hi = min(len(self.addresses) - 1, math.floor(b))
        return [(1.0, [float(i) for i in range(lo, hi + 1)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self.row_label(int(v)) if 0 <= int(v) < len(self.addresses) else "" for v in values]


class RowsViewBox(pg.ViewBox):  # type: ignore[misc]  # pyqtgraph is untyped
    """The wheel moves through rows (Ctrl+wheel, or the wheel over the date axis, zooms the dates)."""

    def __init__(self, chart: GanttChart) -> None:
        super().__init__(enableMenu=False)
        self._chart = chart
        self.setMouseEnabled(x=True, y=False)

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:
        if axis == 0 or ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis=0)
            return
        self._chart.scroll_rows(-WHEEL_ROWS * ev.delta() / 120)
        ev.accept()


def _check_symbol() -> QPainterPath:
    path = QPainterPath()
    path.moveTo(-0.4, 0.0)
    path.lineTo(-0.1, 0.3)
    path.lineTo(0.45, -0.35)
    path.lineTo(0.3, -0.45)
    path.lineTo(-0.1, 0.05)
    path.lineTo(-0.28, -0.12)
    path.closeSubpath()
    return path


class GanttChart(QWidget):
    site_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gantt")
        self.rows: list[GanttRow] = []
        self.today = dt.date.today()
        self.top = 0.0  # first row shown (fractional while scrolling)
        self.hover_row: int | None = None
        self.hover_text = ""
        self._updating_scrollbar = False

        self.date_axis = DateAxis("bottom")
        self.site_axis = SiteAxis("left")
        self.vb = RowsViewBox(self)
        # A light plot (ui.widgets.plot), not pyqtgraph's PlotItem and its control form.
        self.plot = Plot(self.site_axis, self.date_axis, self.vb)
        self.plot_widget = self.plot  # the widget tests map mouse positions through
        self.plot_widget.setObjectName("gantt_plot")
        self.plot.show_grid(x=True, alpha=0.15)
        self.vb.invertY(True)
        self.vb.disableAutoRange()
        for axis in (self.date_axis, self.site_axis):
            axis.setPen(pg.mkPen(AXIS_TEXT))
            axis.setTextPen(pg.mkPen(AXIS_TEXT))
        self.site_axis.setStyle(tickLength=0)

        pen = pg.mkPen(None)
        self.bar_items: dict[str, pg.BarGraphItem] = {}
        for key, color in (
            ("elapsed", ELAPSED), ("remaining", REMAINING), ("due_soon", DUE_SOON),
            ("overdue", OVERDUE), ("closed", CLOSED),
        ):  # fmt: skip
            item = pg.BarGraphItem(x0=[], x1=[], y=[], height=BAR_HEIGHT, brush=pg.mkBrush(color), pen=pen)
            self.bar_items[key] = item
            self.plot.addItem(item)
        self.closed_marks = pg.ScatterPlotItem(symbol=_check_symbol(), size=16, brush=pg.mkBrush(CLOSED_MARK),
                                               pen=pg.mkPen(None))  # fmt: skip
        self.rebound_marks = pg.ScatterPlotItem(symbol="t", size=13, brush=pg.mkBrush(REBOUND),
                                                pen=pg.mkPen("white", width=1))  # fmt: skip
        # Timeline events (inspections, talks, actions …) as small dots along each bar.
        self.event_marks = pg.ScatterPlotItem(symbol="o", size=6, brush=pg.mkBrush(EVENT_MARK),
                                              pen=pg.mkPen("white", width=1))  # fmt: skip
        self.plot.addItem(self.event_marks)
        self.plot.addItem(self.closed_marks)
        self.plot.addItem(self.rebound_marks)
        self.hover_band = pg.LinearRegionItem(
            values=(-10, -9), orientation="horizontal", movable=False, brush=pg.mkBrush(*HOVER), pen=pg.mkPen(None)
        )
        self.hover_band.setZValue(-10)
        self.hover_band.hide()
        self.plot.addItem(self.hover_band)
        label_opts = {"position": 0.01, "color": "w", "fill": pg.mkBrush(TODAY), "anchors": [(0.5, 0), (0.5, 0)]}
        self.today_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(TODAY, width=1.5, style=Qt.PenStyle.DashLine),
            label="今天", labelOpts=label_opts,
        )  # fmt: skip
        self.today_line.setZValue(20)
        self.plot.addItem(self.today_line)
        # Keeps the headroom above the first shown row blank (rows scrolled past would peek in, unlabelled).
        self.headroom_mask = pg.LinearRegionItem(
            values=(-2, -0.5), orientation="horizontal", movable=False, brush=pg.mkBrush("w"), pen=pg.mkPen(None)
        )
        self.headroom_mask.setZValue(10)
        self.plot.addItem(self.headroom_mask)
        # The days text after each visible bar, all in one item (a TextItem each cost ~1 ms to make).
        self.day_labels = ValueLabels(self.font(), AXIS_TEXT)
        self.plot.addItem(self.day_labels, ignoreBounds=True)

        self.scrollbar = QScrollBar(Qt.Orientation.Vertical)
        self.scrollbar.setObjectName("gantt_scroll")
        self.scrollbar.valueChanged.connect(self._scrollbar_moved)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.scrollbar)

        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._hover)
        scene.sigMouseClicked.connect(self._clicked)
        self.vb.sigResized.connect(lambda _vb: self._apply_rows())
        self._apply_fonts()

    # ------------------------------------------------------------ data
    def set_rows(self, rows: Sequence[GanttRow], today: dt.date | None = None) -> None:
        self.rows = list(rows)
        self.today = today or dt.date.today()
        self.site_axis.set_addresses([r.address for r in self.rows], self._elider())
        bars = bars_for(self.rows, self.today)
        for key, item in self.bar_items.items():
            b = bars[key]
            item.setOpts(x0=np.array(b.x0), x1=np.array(b.x1), y=np.array(b.y), height=BAR_HEIGHT)
        closed = [(day(r.closed_on), float(i)) for i, r in enumerate(self.rows) if r.closed_on is not None]
        self.closed_marks.setData(pos=np.array(closed).reshape(-1, 2) + np.array([0.9, 0.0]) if closed else [])
        events = [(day(d) + 0.5, float(i)) for i, r in enumerate(self.rows) for d, _k in r.events]
        self.event_marks.setData(pos=np.array(events).reshape(-1, 2) if events else [])
        rebounds = [(day(d), i - BAR_HEIGHT / 2 - 0.08) for i, r in enumerate(self.rows) for d in r.rebounds]
        self.rebound_marks.setData(pos=np.array(rebounds).reshape(-1, 2) if rebounds else [])
        self.today_line.setValue(day(self.today))
        self.top = 0.0
        self.reset_dates()
        self._apply_rows()
        self.updateGeometry()

    def content_height(self) -> int:
        """Height that shows every row (the page caps the chart at this, so 5 sites are not spread thin)."""
        axis = self.date_axis.height() if self.date_axis.isVisible() else 0
        return round((len(self.rows) + HEADROOM + 0.4) * ROW_PX + axis + 12)

    def sizeHint(self) -> QSize:
        return QSize(900, min(self.content_height(), 26 * ROW_PX))

    def _elider(self) -> Callable[[str], str]:
        fm = QFontMetricsF(self.site_axis.style.get("tickFont") or self.font())
        width = fm.horizontalAdvance("汉") * 11
        return lambda address: elide(address, fm, width)

    def reset_dates(self) -> None:
        """Show every bar: from the earliest listing to the last deadline (or today), with a margin."""
        if not self.rows:
            t = day(self.today)
            self.vb.setLimits(xMin=t - 400, xMax=t + 400)
            self.vb.setXRange(t - 30, t + 30, padding=0)
            return
        lo = min(day(r.listed_on) for r in self.rows)
        hi = max(max(bar_end(r, self.today) for r in self.rows), day(self.today))
        span = max(hi - lo, 14.0)
        margin = max(3.0, span * 0.06)
        self.vb.setLimits(xMin=lo - span, xMax=hi + span, minXRange=7, maxXRange=span * 3 + 60)
        self.vb.setXRange(lo - margin / 2, hi + margin * 1.6, padding=0)  # room right for the days text

    # ------------------------------------------------------------ rows and scrolling
    def rows_fit(self) -> float:
        """Rows that fit the plot (the headroom above the first row included)."""
        return max(1.0 + HEADROOM, float(self.vb.height()) / ROW_PX)

    def max_top(self) -> float:
        return max(0.0, len(self.rows) - math.floor(self.rows_fit() - HEADROOM))

    def scroll_rows(self, delta: float) -> None:
        self.set_top(self.top + delta)

    def set_top(self, top: float) -> None:
        self.top = max(0.0, min(self.max_top(), round(top)))
        self._apply_rows()

    def scroll_to_row(self, row: int) -> None:
        shown = math.floor(self.rows_fit() - HEADROOM)
        if row < self.top or row >= self.top + shown:
            self.set_top(row - shown / 2)

    def visible_rows(self) -> range:
        first = int(self.top)
        return range(first, min(len(self.rows), first + math.ceil(self.rows_fit() - HEADROOM)))

    def _apply_rows(self) -> None:
        self.top = max(0.0, min(self.max_top(), self.top))
        self.site_axis.first_row = int(self.top)
        self.headroom_mask.setRegion((self.top - 0.5 - HEADROOM - 2, self.top - 0.5))
        self.vb.setYRange(self.top - 0.5 - HEADROOM, self.top - 0.5 - HEADROOM + self.rows_fit(), padding=0)
        self._updating_scrollbar = True
        self.scrollbar.setRange(0, int(self.max_top()))
        self.scrollbar.setPageStep(max(1, math.floor(self.rows_fit() - HEADROOM)))
        self.scrollbar.setValue(int(self.top))
        self.scrollbar.setVisible(self.max_top() > 0)
        self._updating_scrollbar = False
        self._place_day_labels()

    def _scrollbar_moved(self, value: int) -> None:
        if not self._updating_scrollbar:
            self.set_top(value)

    def _place_day_labels(self) -> None:
        """The days text (超期5天, 剩25天, 已办结) after each visible bar."""
        labels: list[tuple[float, float, str, tuple[float, float]]] = []
        colors: list[QColor | str] = []
        for row in self.visible_rows():
            r = self.rows[row]
            x = bar_end(r, self.today) + (1.6 if r.closed_on else 0.4)
            color = LIGHT_COLORS.get(r.light, AXIS_TEXT) if r.light in ("red", "yellow") else "#5f6368"
            labels.append((x, float(row), r.days_text, (0.0, 0.5)))
            colors.append(QColor(color).darker(115) if r.light == "yellow" else color)
        self.day_labels.set_labels(labels, colors)

    # ------------------------------------------------------------ hover and click
    def row_at_scene(self, pos: QPointF) -> int | None:
        """The row under a scene position over the plot or the site names (None elsewhere)."""
        inside = self.vb.sceneBoundingRect().contains(pos) or self.site_axis.sceneBoundingRect().contains(pos)
        if not inside or not self.rows:
            return None
        y = self.vb.mapSceneToView(pos).y()
        row = math.floor(y + 0.5)
        return row if 0 <= row < len(self.rows) else None

    def scene_pos_of_row(self, row: int, at: dt.date | None = None) -> QPointF:
        """Where a row's bar is on the scene (for tests and keyboard use)."""
        r = self.rows[row]
        x = day(at) if at else (day(r.listed_on) + bar_end(r, self.today)) / 2
        return QPointF(self.vb.mapViewToScene(QPointF(x, row)))

    def tooltip_for_row(self, row: int) -> str:
        return row_tooltip(self.rows[row])

    def _hover(self, pos: QPointF) -> None:
        row = self.row_at_scene(pos)
        if row == self.hover_row:
            return
        self.hover_row = row
        if row is None:
            self.hover_text = ""
            self.hover_band.hide()
            QToolTip.hideText()
            self.plot_widget.setCursor(Qt.CursorShape.ArrowCursor)
            return
        self.hover_text = self.tooltip_for_row(row)
        self.hover_band.setRegion((row - 0.5, row + 0.5))
        self.hover_band.show()
        self.plot_widget.setCursor(Qt.CursorShape.PointingHandCursor)
        QToolTip.showText(QCursor.pos(), self.hover_text, self.plot_widget)

    def _clicked(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        row = self.row_at_scene(ev.scenePos())
        if row is not None:
            ev.accept()
            self.site_activated.emit(self.rows[row].site_id)

    # ------------------------------------------------------------ fonts
    def _apply_fonts(self) -> None:
        font = QFont(self.font())
        self.date_axis.setStyle(tickFont=font)
        self.site_axis.setStyle(tickFont=font)
        fm = QFontMetricsF(font)
        self.site_axis.setWidth(round(fm.horizontalAdvance("汉") * 11 + 16))
        self.date_axis.setHeight(round(fm.height() * 2))
        self.day_labels.set_font(font)
        if self.rows:
            self.site_axis.set_addresses([r.address for r in self.rows], self._elider())
