"""Small pyqtgraph charts for the 总览 dashboard: bars (stacked, grouped or horizontal) and a rate line.

One BarGraphItem per series (not one per bar), so years of weekly periods draw at once. Every bar
can be hovered (tooltip with the exact value) and clicked (`bar_clicked(category_key, series_key)`).
Colours come with value labels and a legend, and the palettes differ in brightness, so the charts
still read when printed in grayscale. Text uses the widget's font (the app's CJK font).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QFont, QFontMetricsF
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from ui.display import relative_font, standard_font
from ui.widgets.plot import Axis, Plot, ValueLabels
from zhdesk.domain.periods import is_period_key, tick_indices, tick_labels

AXIS_TEXT = "#3c4043"
VALUE_TEXT = "#202124"
BAR_WIDTH = 0.72
MAX_VALUE_LABELS = 40  # more bars than this: values on hover only (labels would crowd)
BREAK_COLOR = "#9aa0a6"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str
    values: Sequence[float]


def elide_middle(text: str, font: QFont, width: float) -> str:
    from PySide6.QtGui import QFontMetrics

    return QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideMiddle, int(width))


class LabelAxis(Axis):
    """An axis of named positions 0..n-1: the ones periods.tick_indices picks for the room there is
    (every one up to 12, else a regular stride), the first and the last always labelled."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.labels: list[str] = []
        self.periods: list[str] = []  # period keys: their ticks read 2021年1月, 3月 … (periods.tick_labels)
        self.label_px = 60.0  # room one label needs along the axis

    def set_labels(self, labels: Sequence[str], label_px: float, periods: Sequence[str] = ()) -> None:
        self.labels = list(labels)
        self.periods = list(periods) if len(periods) == len(self.labels) else []
        self.label_px = max(label_px, 1.0)
        if self.orientation == "bottom":
            # The first and last labels are centred on the outer bars and may be wider than a bar:
            # let them reach past the axis ends instead of being dropped (pyqtgraph hides them).
            self.setStyle(hideOverlappingLabels=int(self.label_px / 2) + 4)
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        n = len(self.labels)
        if n == 0 or size <= 0:
            return []
        minVal, maxVal = min(minVal, maxVal), max(minVal, maxVal)  # an inverted axis gives them reversed
        lo = max(0, math.ceil(minVal))
        hi = min(n - 1, math.floor(maxVal))
        if hi < lo:
            return []
        if self.orientation in ("left", "right"):  # category names (horizontal bars): every one that fits
            step = max(1, math.ceil(self.label_px * (maxVal - minVal) / size))
            return [(float(step), [float(i) for i in range(lo, hi + 1) if i % step == 0])]
        # label_px counts one character of room beyond a label; a quarter of it is enough between two
        em = QFontMetricsF(standard_font()).horizontalAdvance("汉")
        fit = int(size / (self.label_px - 0.75 * em))
        picked = [lo + i for i in tick_indices(hi - lo + 1, fit)]
        return [(1.0, [float(i) for i in picked])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        shown = [round(v) for v in values]
        if self.periods and all(0 <= i < len(self.periods) for i in shown):
            return tick_labels(self.periods, shown)
        return [self.labels[i] if 0 <= i < len(self.labels) else "" for i in shown]


class CountAxis(Axis):
    """A value axis for counts: whole numbers only."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        levels = super().tickValues(minVal, maxVal, size)
        out = []
        for spacing, values in levels[:1]:
            step = max(1.0, math.ceil(spacing))
            out.append((step, [v for v in values if abs(v - round(v)) < 1e-9 and round(v) % step == 0]))
        return out


class _Chart(QWidget):
    """A plot with fixed (non-draggable) axes, a legend line above it and hover/click plumbing. A light
    plot (ui.widgets.plot), not pyqtgraph's PlotItem: 总览 builds seven of them on its first visit."""

    def __init__(self, title: str, cat_axis: LabelAxis, value_axis: Axis, *, horizontal: bool = False,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.hover_text = ""
        self.title_label = QLabel(title)
        self.title_label.setObjectName("chart_title")
        relative_font(self.title_label, 1.1, bold=True)
        self.legend = QLabel()
        self.legend.setObjectName("chart_legend")
        self.legend.setWordWrap(True)
        self.legend.hide()
        self.cat_axis, self.value_axis = cat_axis, value_axis
        left, bottom = (cat_axis, value_axis) if horizontal else (value_axis, cat_axis)
        # No view-box context menu, no mouse pan or zoom: the ranges are set with the data.
        self.plot = Plot(left, bottom)
        self.plot_widget = self.plot  # the widget tests map mouse positions through
        self.vb = self.plot.vb
        self.vb.setMouseEnabled(x=False, y=False)
        self.vb.disableAutoRange()
        if horizontal:
            self.vb.invertY(True)  # the largest bar on top
        else:
            self.plot.show_grid(y=True, alpha=0.15)
        self.cat_axis.setStyle(tickLength=0)
        self.empty_text = pg.TextItem("所选范围内没有数据", color="#80868b", anchor=(0.5, 0.5))
        self.empty_text.hide()
        self.plot.addItem(self.empty_text, ignoreBounds=True)
        self.value_labels = ValueLabels(standard_font(), VALUE_TEXT)  # the numbers over the bars or points
        self.plot.addItem(self.value_labels, ignoreBounds=True)
        self._style_axes([self.cat_axis, self.value_axis])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot_widget, 1)
        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._hover)
        scene.sigMouseClicked.connect(self._clicked)
        self.setMinimumSize(200, 60)
        self.breaks: dict[int, tuple[str, str]] = {}  # category index → (label, tooltip) of a break
        self._break_items: list[Any] = []

    def set_breaks(self, breaks: dict[int, tuple[str, str]]) -> None:
        """Draw each break between two campaign phases (category index → label, tooltip; see
        periods.gaps) as a hatched band over the plot's height with both dates written in it. Call
        after set_data."""
        for item in self._break_items:
            self.plot.removeItem(item)
        self._break_items = []
        self.breaks = {} if self.empty_text.isVisible() else dict(breaks)
        top = float(self.vb.viewRange()[1][1])
        for i, (label, _tip) in self.breaks.items():
            brush = pg.mkBrush(BREAK_COLOR)
            brush.setStyle(Qt.BrushStyle.BDiagPattern)
            band = pg.BarGraphItem(x=[i], height=[top], y0=[0], width=0.8, brush=brush,
                                   pen=pg.mkPen(BREAK_COLOR, style=Qt.PenStyle.DashLine))  # fmt: skip
            band.setZValue(-10)
            self.plot.addItem(band)
            text = pg.TextItem(f"{label} 无督办件", color=AXIS_TEXT, anchor=(0.5, 0.5), angle=90,
                               fill=pg.mkBrush(255, 255, 255, 220))  # fmt: skip
            text.setFont(standard_font())
            text.setPos(i, top / 2)
            self.plot.addItem(text, ignoreBounds=True)
            self._break_items += [band, text]

    def _room_for_last_label(self, labels: Sequence[str]) -> None:
        """The last tick label is centred on the last bar: leave room right of the plot so it shows whole."""
        last = QFontMetricsF(standard_font()).horizontalAdvance(labels[-1]) if labels else 0.0
        self.plot.set_margins(1, 1, max(4, int(last / 2)), 1)

    def break_at(self, view_pos: QPointF) -> int | None:
        i = round(view_pos.x())
        return i if i in self.breaks and abs(view_pos.x() - i) <= 0.4 else None

    def sizeHint(self) -> QSize:
        return QSize(420, 300)

    def hasHeightForWidth(self) -> bool:
        """No: the word-wrapped legend's height-for-width would reach the dashboard's grid, whose rows then
        share the height unevenly until every chart has its legend, resizing and repainting every chart
        when one gets it. The legend still wraps inside the chart."""
        return False

    def set_legend(self, entries: Sequence[tuple[str, str]]) -> None:
        """Swatches and names; the swatch is a filled square so its brightness shows in grayscale too."""
        if not entries:
            self.legend.hide()
            return
        parts = [f"<span style='color:{c}; font-size:large'>■</span>&nbsp;{t}" for t, c in entries]
        self.legend.setText("&nbsp;&nbsp; ".join(parts))
        self.legend.show()

    def _style_axes(self, axes: Sequence[Axis]) -> None:
        font = standard_font()
        for axis in axes:
            axis.setPen(pg.mkPen(AXIS_TEXT))
            axis.setTextPen(pg.mkPen(AXIS_TEXT))
            axis.setStyle(tickFont=font)
        self.empty_text.setFont(font)

    def _view_pos(self, scene_pos: QPointF) -> QPointF | None:
        if not self.vb.sceneBoundingRect().contains(scene_pos):
            return None
        pos: QPointF = self.vb.mapSceneToView(scene_pos)
        return pos

    def _show_empty(self, empty: bool) -> None:
        self.empty_text.setVisible(empty)
        if empty:
            self.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.empty_text.setPos(0.5, 0.5)

    # hover and click, implemented by subclasses through hit()/tooltip()/activate()
    def hit(self, view_pos: QPointF) -> Any:
        raise NotImplementedError

    def tooltip(self, target: Any) -> str:
        raise NotImplementedError

    def activate(self, target: Any) -> None:
        raise NotImplementedError

    def _hover(self, scene_pos: QPointF) -> None:
        pos = self._view_pos(scene_pos)
        target = None if pos is None else self.hit(pos)
        gap = None if pos is None or target is not None else self.break_at(pos)
        if gap is not None:  # a break between two phases: its dates, nothing to click
            text = self.breaks[gap][1]
            if text != self.hover_text:
                self.hover_text = text
                QToolTip.showText(QCursor.pos(), text, self.plot_widget)
            self.plot_widget.unsetCursor()
            return
        if target is None:
            if self.hover_text:
                self.hover_text = ""
                QToolTip.hideText()
                self.plot_widget.unsetCursor()
            return
        text = self.tooltip(target)
        if text != self.hover_text:
            self.hover_text = text
            QToolTip.showText(QCursor.pos(), text, self.plot_widget)
        self.plot_widget.setCursor(Qt.CursorShape.PointingHandCursor)

    def _clicked(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        pos = self._view_pos(ev.scenePos())
        target = None if pos is None else self.hit(pos)
        if target is not None:
            ev.accept()
            self.activate(target)


class BarChart(_Chart):
    """Bars per category: vertical stacked or grouped series, or horizontal single-series bars (top first)."""

    bar_clicked = Signal(object, object)  # category key, series key

    def __init__(
        self,
        title: str,
        *,
        horizontal: bool = False,
        grouped: bool = False,
        unit: str = "处",
        describe: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        if horizontal:
            super().__init__(title, LabelAxis("left"), CountAxis("bottom"), horizontal=True, parent=parent)
        else:
            super().__init__(title, LabelAxis("bottom"), CountAxis("left"), parent=parent)
        self.horizontal = horizontal
        self.grouped = grouped
        self.unit = unit
        self.describe = describe or (lambda key: key)  # category key -> text for tooltips
        self.keys: list[str] = []
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.bar_items: dict[str, pg.BarGraphItem] = {}  # series key → its bars (shown)
        self._bar_pool: list[pg.BarGraphItem] = []  # one per series index, reused by each set_data
        # Rectangles of every bar: x0, x1, y0, y1, category index, series index (numpy, for hit tests).
        self.rects = np.zeros((0, 6))

    def set_data(self, keys: Sequence[str], labels: Sequence[str], series: Sequence[Series]) -> None:
        self.keys, self.labels, self.series = list(keys), list(labels), list(series)
        for item in self._bar_pool:
            item.hide()
        self.bar_items.clear()
        self.value_labels.set_labels([])
        n = len(self.keys)
        values = np.array([list(s.values) for s in self.series], dtype=float).reshape(len(self.series), n)
        empty = n == 0 or not values.any()
        self._show_empty(empty)
        label_px = self._label_px()
        periods = self.keys if not self.horizontal and all(is_period_key(k) for k in self.keys) else []
        self.cat_axis.set_labels(self.labels if not empty else [], label_px, periods)
        if not self.horizontal:
            self._room_for_last_label(self.labels if not empty else [])
        if empty:
            self.rects = np.zeros((0, 6))
            return
        idx = np.arange(n, dtype=float)
        rects = []
        base = np.zeros(n)
        k = len(self.series)
        width = BAR_WIDTH / k if self.grouped else BAR_WIDTH
        pen = pg.mkPen("w", width=1) if k > 1 and not self.grouped else pg.mkPen(None)
        for si, s in enumerate(self.series):
            v = values[si]
            centre = idx - BAR_WIDTH / 2 + width * (si + 0.5) if self.grouped else idx
            low = np.zeros(n) if self.grouped else base.copy()
            brush = pg.mkBrush(s.color)
            if self.horizontal:
                opts = {"x0": low, "width": v, "y": centre, "height": width, "brush": brush, "pen": pen}
            else:
                opts = {"x": centre, "height": v, "y0": low, "width": width, "brush": brush, "pen": pen}
            if si < len(self._bar_pool):
                item = self._bar_pool[si]
                item.setOpts(**opts)
                item.show()
            else:
                item = pg.BarGraphItem(**opts)
                self.plot.addItem(item)
                self._bar_pool.append(item)
            self.bar_items[s.key] = item
            mask = v > 0
            cat = idx[mask]
            c0 = centre[mask] - width / 2
            rects.append(np.column_stack([c0, c0 + width, low[mask], low[mask] + v[mask], cat, np.full(cat.size, si)]))
            if not self.grouped:
                base = base + v
        self.rects = np.vstack(rects) if rects else np.zeros((0, 6))
        top = float((values.max(axis=0) if self.grouped else values.sum(axis=0)).max())
        self._place_value_labels(values)
        span = (-0.5, n - 0.5)
        room = top * (1.18 if self.horizontal else 1.12) or 1.0
        if self.horizontal:
            self.vb.setRange(xRange=(0, room), yRange=span, padding=0)
        else:
            self.vb.setRange(xRange=span, yRange=(0, room), padding=0)

    def _label_px(self) -> float:
        fm = QFontMetricsF(standard_font())
        if self.horizontal:
            width = max((fm.horizontalAdvance(t) for t in self.labels), default=40.0)
            self.cat_axis.setWidth(int(min(width, fm.horizontalAdvance("汉") * 10) + 12))
            self.labels = [elide_middle(t, standard_font(), fm.horizontalAdvance("汉") * 10) for t in self.labels]
            return fm.height() * 1.1
        return max((fm.horizontalAdvance(t) for t in self.labels), default=40.0) + fm.horizontalAdvance("汉")

    def _place_value_labels(self, values: np.ndarray) -> None:
        n = values.shape[1]
        if n > MAX_VALUE_LABELS:
            return
        labels: list[tuple[float, float, str, tuple[float, float]]] = []
        if self.grouped:
            k = values.shape[0]
            width = BAR_WIDTH / k
            for si in range(k):
                for i in range(n):
                    v = float(values[si, i])
                    labels.append((i - BAR_WIDTH / 2 + width * (si + 0.5), v, f"{v:g}", (0.5, 1.0)))
        else:
            for i, total in enumerate(values.sum(axis=0).tolist()):
                if total <= 0:
                    continue
                if self.horizontal:
                    labels.append((total, float(i), f"{total:g}", (0.0, 0.5)))
                else:
                    labels.append((float(i), total, f"{total:g}", (0.5, 1.0)))
        self.value_labels.set_labels(labels)

    def value(self, cat: int, series: int) -> float:
        return float(self.series[series].values[cat])

    def hit(self, view_pos: QPointF) -> tuple[int, int] | None:
        if self.rects.size == 0:
            return None
        along, height = (view_pos.y(), view_pos.x()) if self.horizontal else (view_pos.x(), view_pos.y())
        r = self.rects
        inside = (r[:, 0] <= along) & (along <= r[:, 1]) & (r[:, 2] <= height) & (height <= r[:, 3])
        found = np.nonzero(inside)[0]
        if found.size == 0:
            return None
        cat, series = r[found[0], 4], r[found[0], 5]
        return int(cat), int(series)

    def tooltip(self, target: tuple[int, int]) -> str:
        cat, si = target
        s = self.series[si]
        head = self.describe(self.keys[cat])
        if len(self.series) == 1:
            return f"{head}：{self.value(cat, si):g} {self.unit}\n单击查看明细"
        text = f"{head}\n{s.label}：{self.value(cat, si):g} {self.unit}"
        if not self.grouped:
            total = sum(float(x.values[cat]) for x in self.series)
            text += f"\n合计：{total:g} {self.unit}"
        return text + "\n单击查看明细"

    def activate(self, target: tuple[int, int]) -> None:
        cat, si = target
        self.click_bar(cat, si)

    def click_bar(self, cat: int, series: int) -> None:
        """What a click on a bar does (tests call this with a bar's identity)."""
        self.bar_clicked.emit(self.keys[cat], self.series[series].key)

    def bar_center(self, cat: int, series: int) -> QPointF:
        """View coordinates of the middle of a bar (for tests that hover or click with the mouse)."""
        for x0, x1, y0, y1, c, s in self.rects:
            if int(c) == cat and int(s) == series:
                a, b = (x0 + x1) / 2, (y0 + y1) / 2
                return QPointF(b, a) if self.horizontal else QPointF(a, b)
        raise KeyError((cat, series))


class RateChart(_Chart):
    """A rate (0..1) per category as a line with points; None values leave a gap."""

    point_clicked = Signal(object)  # category key

    def __init__(self, title: str, *, describe: Callable[[str], str] | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(title, LabelAxis("bottom"), Axis("left"), parent=parent)
        self.describe = describe or (lambda key: key)
        self.keys: list[str] = []
        self.rates: list[float | None] = []
        self.notes: list[str] = []
        self.value_axis.setTicks([[(v / 100, f"{v}%") for v in range(0, 101, 25)]])
        self.line = pg.PlotDataItem(pen=pg.mkPen("#1a5fb4", width=2), connect="finite")
        self.points = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#1a5fb4"), pen=pg.mkPen("w", width=1.5))
        self.plot.addItem(self.line)
        self.plot.addItem(self.points)

    def set_data(self, keys: Sequence[str], labels: Sequence[str], rates: Sequence[float | None],
                 notes: Sequence[str] = ()) -> None:  # fmt: skip
        self.keys, self.rates = list(keys), list(rates)
        self.notes = list(notes) or [""] * len(self.keys)
        self.value_labels.set_labels([])
        n = len(self.keys)
        ys = np.array([np.nan if r is None else r for r in self.rates], dtype=float)
        xs = np.arange(n, dtype=float)
        ok = ~np.isnan(ys)
        empty = not ok.any()
        self._show_empty(empty)
        fm = QFontMetricsF(standard_font())
        width = max((fm.horizontalAdvance(t) for t in labels), default=40.0) + fm.horizontalAdvance("汉")
        periods = self.keys if all(is_period_key(k) for k in self.keys) else []
        self.cat_axis.set_labels(list(labels) if not empty else [], width, periods)
        self._room_for_last_label(list(labels) if not empty else [])
        if empty:
            self.line.setData([], [])
            self.points.setData([], [])
            return
        self.line.setData(xs, ys)
        self.points.setData(xs[ok], ys[ok])
        # Label where the rate changes (and the last point): a flat run of 100% is labelled once.
        shown: list[tuple[float, float]] = []
        previous: float | None = None
        for i, r in enumerate(self.rates):
            if r is not None and (previous is None or abs(r - previous) > 1e-9 or i == n - 1):
                shown.append((float(i), r))
            previous = r
        if len(shown) <= 16:
            self.value_labels.set_labels([(x, y, f"{y * 100:.0f}%", (0.5, 1.2)) for x, y in shown])
        self.vb.setRange(xRange=(-0.5, n - 0.5), yRange=(0, 1.12), padding=0)

    def hit(self, view_pos: QPointF) -> int | None:
        i = round(view_pos.x())
        if not 0 <= i < len(self.rates) or self.rates[i] is None:
            return None
        # Within about ten pixels of the point.
        px = self.vb.viewPixelSize()
        r = self.rates[i]
        assert r is not None
        if abs(view_pos.x() - i) > 10 * px[0] + 0.25 or abs(view_pos.y() - r) > 12 * px[1]:
            return None
        return i

    def tooltip(self, target: int) -> str:
        r = self.rates[target]
        rate = "—" if r is None else f"{r * 100:.1f}%"
        note = self.notes[target]
        return f"{self.describe(self.keys[target])}\n结案率：{rate}" + (f"\n{note}" if note else "") + "\n单击查看明细"

    def activate(self, target: int) -> None:
        self.click_point(target)

    def click_point(self, i: int) -> None:
        self.point_clicked.emit(self.keys[i])
