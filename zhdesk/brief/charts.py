"""The brief's charts as reportlab.graphics vector drawings, legible on a black-and-white printer: lines differ
by dash and marker shape, bars carry their value as a label, shades are greys; every label is Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
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


def _monthly(key: str, fine: bool, start: dt.date | None = None) -> str:
    """Weeks fold into months when there are too many to read on paper; a week begun before the range
    counts in the range's first month (the week of 2021-01-01 starts on 2020-12-28)."""
    if not fine:
        return key
    day = periods.period_start(key)
    return periods.period_key(max(day, start) if start else day, "month")


def _too_fine(keys: Sequence[str]) -> bool:
    return len(set(keys)) > 12 and any(periods.granularity_of(k) != "month" for k in keys)


def _period_keys(keys: Sequence[str], start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
    """periods.fill_periods (a long empty run between two phases becomes one GAP); months also span the
    whole range asked for (a month without items shows as zero, not as a shorter axis)."""
    ks = sorted(set(keys))
    if not ks:
        return []
    head: list[str] = []
    tail: list[str] = []
    if periods.granularity_of(ks[0]) == "month":
        if start is not None:
            head = periods.all_periods(periods.period_key(start, "month"), ks[0])[:-1]
        if end is not None:
            tail = periods.all_periods(ks[-1], periods.period_key(end, "month"))[1:]
    return head + periods.fill_periods(ks) + tail


def _split_at_gaps(keys: list[str], row: list[int | None]) -> list[list[int | None]]:
    """One series per campaign phase: reportlab joins a line across a None, so a line over a GAP is cut
    into several of the same style, each None outside its phase."""
    gaps = [i for i, k in enumerate(keys) if k == periods.GAP]
    bounds = zip([0, *(g + 1 for g in gaps)], [*gaps, len(keys)], strict=True)
    return [[v if lo <= j < hi else None for j, v in enumerate(row)] for lo, hi in bounds]


def _shade_gaps(d: Drawing, ch: HorizontalLineChart, keys: list[str]) -> None:
    """The break between two phases, shaded across the plot (added before the chart, so under it)."""
    step = ch.width / max(len(keys), 1)
    for g, k in enumerate(keys):
        if k == periods.GAP:
            d.add(Rect(ch.x + g * step + 2, ch.y, step - 4, ch.height, fillColor=colors.Color(0.9, 0.9, 0.9),
                       strokeColor=None))  # fmt: skip


def _names_with_gaps(keys: list[str], width: float) -> list[str]:
    """Axis names; both sides of a break carry their dates (2021年7月 …… 2026年9月)."""
    names = _axis_names(keys, width)
    for g, k in enumerate(keys):
        if k == periods.GAP:
            names[g] = periods.period_label(k)
            for j in (g - 1, g + 1):
                if 0 <= j < len(keys) and keys[j] != periods.GAP:
                    names[j] = periods.period_label(keys[j], with_year=True)
    return names


def items_per_period(dash: Dashboard, font: str, width: float, height: float = 170,
                     start: dt.date | None = None, end: dt.date | None = None) -> Drawing | None:  # fmt: skip
    """督办件 per period, one line per kind (dash + marker shape tell them apart without colour)."""
    if not dash.items_per_period:
        return None
    fine = _too_fine([p for p, _k, _n in dash.items_per_period])
    per = [(_monthly(p, fine, start), k, n) for p, k, n in dash.items_per_period]
    keys = _period_keys([p for p, _k, _n in per], start, end)
    kinds = list(dict.fromkeys(k for _p, k, _n in dash.items_per_period))
    index = {k: i for i, k in enumerate(keys)}
    # One series per kind and campaign phase: reportlab joins a line across a None, so a gap between two
    # phases is drawn as two lines of the same style, not one line over the years between.
    data: list[list[int | None]] = []
    styles: list[int] = []
    for i, kind in enumerate(kinds):
        row: list[int | None] = [None if k == periods.GAP else 0 for k in keys]
        for p, k, n in per:
            if k == kind:
                row[index[p]] = (row[index[p]] or 0) + n
        parts = _split_at_gaps(keys, row)
        data.extend(parts)
        styles.extend([i] * len(parts))
    d = _drawing(width, height, font)
    _title(d, "各类督办件数量（按时段，处）", font)
    ch = HorizontalLineChart()
    ch.x, ch.y, ch.width, ch.height = 30, 30, width - 130, height - 55
    ch.data = data
    ch.categoryAxis.categoryNames = _names_with_gaps(keys, ch.width)
    for ax in (ch.categoryAxis.labels, ch.valueAxis.labels):
        ax.fontName, ax.fontSize = font, LABEL_SIZE
    ch.valueAxis.valueMin = 0
    for n, i in enumerate(styles):
        line = ch.lines[n]
        line.strokeColor = GREYS[i % len(GREYS)]
        line.strokeWidth = 1.2
        line.strokeDashArray = DASHES[i % len(DASHES)]
        line.symbol = makeMarker(MARKERS[i % len(MARKERS)], size=4)
    legend = [(GREYS[i % len(GREYS)], kind_label(kind)) for i, kind in enumerate(kinds)]
    _shade_gaps(d, ch, keys)
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


def closure_trend(dash: Dashboard, font: str, width: float, height: float = 150,
                  start: dt.date | None = None) -> Drawing | None:  # fmt: skip
    """结案率 per period (closed ÷ (due − deferred)), each point labelled with its percentage."""
    fine = _too_fine([p for p, *_ in dash.closure_per_period])
    acc: dict[str, list[int]] = {}
    for p, due, dfr, closed in dash.closure_per_period:
        a = acc.setdefault(_monthly(p, fine, start), [0, 0, 0])
        a[0], a[1], a[2] = a[0] + due, a[1] + dfr, a[2] + closed
    rows = [(p, due, dfr, closed) for p, (due, dfr, closed) in sorted(acc.items()) if due - dfr > 0]
    if not rows:
        return None
    rate = {p: round(100 * closed / (due - dfr)) for p, due, dfr, closed in rows}
    keys = periods.fill_periods(sorted(rate))
    series = _split_at_gaps(keys, [rate.get(k) for k in keys])
    d = _drawing(width, height, font)
    _title(d, "结案率走势（%，按时段）", font)
    ch = HorizontalLineChart()
    ch.x, ch.y, ch.width, ch.height = 30, 30, width - 50, height - 55
    _shade_gaps(d, ch, keys)
    ch.data = series
    ch.categoryAxis.categoryNames = _names_with_gaps(keys, ch.width)
    for ax in (ch.categoryAxis.labels, ch.valueAxis.labels):
        ax.fontName, ax.fontSize = font, LABEL_SIZE
    ch.valueAxis.valueMin, ch.valueAxis.valueMax, ch.valueAxis.valueStep = 0, 110, 20
    for n in range(len(series)):
        ch.lines[n].strokeColor = colors.black
        ch.lines[n].strokeWidth = 1.2
        ch.lines[n].symbol = makeMarker("FilledCircle", size=4)
    d.add(ch)
    if len(rate) <= 16:
        # drawn here, not by lineLabelFormat: reportlab pairs a label with the wrong value once a series
        # holds None (it counts only the points drawn)
        step = ch.width / len(keys)
        for j, k in enumerate(keys):
            if k in rate:
                y = ch.y + ch.height * rate[k] / ch.valueAxis.valueMax + 5
                d.add(String(ch.x + (j + 0.5) * step, y, f"{rate[k]}%", fontName=font, fontSize=LABEL_SIZE,
                             textAnchor="middle"))  # fmt: skip
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


def drawings(dash: Dashboard, font: str, width: float, start: dt.date | None = None,
             end: dt.date | None = None) -> list[Drawing]:  # fmt: skip
    """The brief's charts in their order, those with nothing to show left out (the PDF draws them, the Word
    copy rasterises them); time axes start at `start` and span to `end` when given."""
    shown = [items_per_period(dash, font, width, start=start, end=end), closure_trend(dash, font, width, start=start),
             categories(dash, font, width), communities(dash, font, width)]  # fmt: skip
    return [d for d in shown if d is not None]
