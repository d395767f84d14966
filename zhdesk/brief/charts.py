"""The brief's charts as reportlab.graphics vector drawings, legible on a black-and-white printer: lines differ
by dash and marker shape, bars carry their value as a label, shades are greys; every label is Chinese."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from zhdesk.domain import periods
from zhdesk.domain.stats import kind_label
from zhdesk.dto import Dashboard

GREYS = [colors.black, colors.Color(0.35, 0.35, 0.35), colors.Color(0.55, 0.55, 0.55), colors.Color(0.2, 0.2, 0.2)]
DASHES: list[list[float] | None] = [None, [4, 2], [1, 2], [6, 2, 1, 2], [3, 3], [8, 3]]
MARKERS = ["FilledCircle", "FilledSquare", "FilledTriangle", "Circle", "Square", "Cross"]
TITLE_SIZE = 10
LABEL_SIZE = 7


def _drawing(width: float, height: float, font: str) -> Drawing:
    d = Drawing(width, height)
    d.initialFontName = font  # else the drawing's default state names an unembedded Helvetica
    return d


def _title(d: Drawing, text: str, font: str) -> None:
    d.add(String(0, d.height - TITLE_SIZE - 2, text, fontName=font, fontSize=TITLE_SIZE))


def _axis_names(keys: Sequence[str], width: float) -> list[str]:
    shown = periods.tick_indices(len(keys), int(width // 48))
    labels = periods.tick_labels(keys, shown)
    names = [""] * len(keys)
    for i, text in zip(shown, labels, strict=True):
        names[i] = text
    return names


def _monthly(key: str, fine: bool) -> str:
    """Weeks fold into months when there are too many to read on paper."""
    return periods.period_key(periods.period_start(key), "month") if fine else key


def _too_fine(keys: Sequence[str]) -> bool:
    return len(set(keys)) > 12 and any(periods.granularity_of(k) != "month" for k in keys)


def _period_keys(keys: Sequence[str]) -> list[str]:
    ks = sorted(set(keys))
    return periods.all_periods(ks[0], ks[-1]) if ks else []


def items_per_period(dash: Dashboard, font: str, width: float, height: float = 170) -> Drawing | None:
    """督办件 per period, one line per kind (dash + marker shape tell them apart without colour)."""
    if not dash.items_per_period:
        return None
    fine = _too_fine([p for p, _k, _n in dash.items_per_period])
    per = [(_monthly(p, fine), k, n) for p, k, n in dash.items_per_period]
    keys = _period_keys([p for p, _k, _n in per])
    kinds = list(dict.fromkeys(k for _p, k, _n in dash.items_per_period))
    index = {k: i for i, k in enumerate(keys)}
    data = []
    for kind in kinds:
        row = [0] * len(keys)
        for p, k, n in per:
            if k == kind:
                row[index[p]] += n
        data.append(row)
    d = _drawing(width, height, font)
    _title(d, "各类督办件数量（按时段，处）", font)
    ch = HorizontalLineChart()
    ch.x, ch.y, ch.width, ch.height = 30, 30, width - 130, height - 55
    ch.data = data
    ch.categoryAxis.categoryNames = _axis_names(keys, ch.width)
    for ax in (ch.categoryAxis.labels, ch.valueAxis.labels):
        ax.fontName, ax.fontSize = font, LABEL_SIZE
    ch.valueAxis.valueMin = 0
    legend = []
    for i, kind in enumerate(kinds):
        line = ch.lines[i]
        line.strokeColor = GREYS[i % len(GREYS)]
        line.strokeWidth = 1.2
        line.strokeDashArray = DASHES[i % len(DASHES)]
        line.symbol = makeMarker(MARKERS[i % len(MARKERS)], size=4)
        legend.append((GREYS[i % len(GREYS)], kind_label(kind)))
    d.add(ch)
    d.add(_legend(legend, font, width - 92, height - 25, lines=True))
    return d


def _legend(pairs: list[tuple[colors.Color, str]], font: str, x: float, y: float, lines: bool = False) -> Legend:
    lg = Legend()
    lg.x, lg.y = x, y
    lg.fontName, lg.fontSize = font, LABEL_SIZE
    lg.alignment = "right"
    lg.columnMaximum = 8
    lg.dxTextSpace = 4
    lg.colorNamePairs = pairs
    if lines:
        from reportlab.graphics.charts.legends import LineSwatch

        swatches = []
        for i, (c, name) in enumerate(pairs):
            sw = LineSwatch()
            sw.strokeColor = c
            sw.strokeDashArray = DASHES[i % len(DASHES)]
            sw.strokeWidth = 1.2
            swatches.append((sw, name))
        lg.colorNamePairs = swatches
        lg.dx = 16
    return lg


def closure_trend(dash: Dashboard, font: str, width: float, height: float = 150) -> Drawing | None:
    """结案率 per period (closed ÷ (due − deferred)), each point labelled with its percentage."""
    fine = _too_fine([p for p, *_ in dash.closure_per_period])
    acc: dict[str, list[int]] = {}
    for p, due, dfr, closed in dash.closure_per_period:
        a = acc.setdefault(_monthly(p, fine), [0, 0, 0])
        a[0], a[1], a[2] = a[0] + due, a[1] + dfr, a[2] + closed
    rows = [(p, due, dfr, closed) for p, (due, dfr, closed) in sorted(acc.items()) if due - dfr > 0]
    if not rows:
        return None
    keys = [p for p, *_ in rows]
    values = [round(100 * closed / (due - dfr)) for _p, due, dfr, closed in rows]
    d = _drawing(width, height, font)
    _title(d, "结案率走势（%，按时段）", font)
    ch = HorizontalLineChart()
    ch.x, ch.y, ch.width, ch.height = 30, 30, width - 50, height - 55
    ch.data = [values]
    ch.categoryAxis.categoryNames = _axis_names(keys, ch.width)
    for ax in (ch.categoryAxis.labels, ch.valueAxis.labels):
        ax.fontName, ax.fontSize = font, LABEL_SIZE
    ch.valueAxis.valueMin, ch.valueAxis.valueMax, ch.valueAxis.valueStep = 0, 110, 20
    ch.lines[0].strokeColor = colors.black
    ch.lines[0].strokeWidth = 1.2
    ch.lines[0].symbol = makeMarker("FilledCircle", size=4)
    if len(values) <= 16:
        ch.lineLabelFormat = "%d%%"
        ch.lineLabels.fontName, ch.lineLabels.fontSize = font, LABEL_SIZE
        ch.lineLabels.dy = 6
    d.add(ch)
    return d


def _bars(title: str, names: list[str], series: list[list[int]], legend: list[str], font: str, width: float
          ) -> Drawing:  # fmt: skip
    rows = max(len(names), 1)
    height = 45 + rows * (10 + 8 * len(series))
    d = _drawing(width, height, font)
    _title(d, title, font)
    ch = HorizontalBarChart()
    ch.x, ch.y, ch.width, ch.height = 110, 20, width - 170, height - 45
    ch.data = series
    ch.categoryAxis.categoryNames = [n[:12] for n in names]
    ch.categoryAxis.reverseDirection = True  # largest (first) on top
    for ax in (ch.categoryAxis.labels, ch.valueAxis.labels):
        ax.fontName, ax.fontSize = font, LABEL_SIZE
    ch.valueAxis.valueMin = 0
    ch.barLabelFormat = "%d"
    ch.barLabels.fontName, ch.barLabels.fontSize = font, LABEL_SIZE
    ch.barLabels.boxAnchor = "w"
    ch.barLabels.dx = 3
    for i in range(len(series)):
        ch.bars[i].fillColor = [colors.Color(0.3, 0.3, 0.3), colors.Color(0.75, 0.75, 0.75)][i % 2]
        ch.bars[i].strokeColor = colors.black
        ch.bars[i].strokeWidth = 0.4
    d.add(ch)
    if len(series) > 1:
        pairs = [(ch.bars[i].fillColor, legend[i]) for i in range(len(series))]
        d.add(_legend(pairs, font, width - 10, height - 25))
    return d


def categories(dash: Dashboard, font: str, width: float, top: int = 10) -> Drawing | None:
    if not dash.categories:
        return None
    rows = dash.categories[:top]
    return _bars("问题类别（处）", [n for n, _ in rows], [[v for _, v in rows]], ["处"], font, width)


def communities(dash: Dashboard, font: str, width: float) -> Drawing | None:
    rows = [r for r in dash.communities if r[1]]
    if not rows:
        return None
    return _bars("各社区督办件（处）", [r[0] for r in rows], [[r[1] for r in rows], [r[2] for r in rows]],
                 ["督办件", "已办结"], font, width)  # fmt: skip


def drawings(dash: Dashboard, font: str, width: float) -> list[Drawing]:
    """The brief's charts in their order, those with nothing to show left out (the Word copy rasterises these)."""
    shown = [items_per_period(dash, font, width), closure_trend(dash, font, width), categories(dash, font, width),
             communities(dash, font, width)]  # fmt: skip
    return [d for d in shown if d is not None]
