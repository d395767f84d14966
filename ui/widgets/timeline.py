"""A site's timeline, painted: a date axis, the listing-to-deadline band, the overdue stretch in red,
today's line, and one glyph per event (glyphs that would overlap stack upwards, each with a stem to its day).

By default the drawing covers the current listing (from its listing date to the deadline, today or the
closing date); events of earlier listings are summed up at the left edge until `set_show_all(True)`.

Signals: `event_clicked(id)` when a glyph is clicked (or chosen with ←/→), `event_activated(id)` on double-click,
`earlier_clicked()` when the "更早" note is clicked.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.widgets.event_glyphs import kind_label, paint_glyph
from zhdesk.domain.dates import fmt_cn
from zhdesk.domain.vocab import EVENT_KINDS
from zhdesk.dto import EventDTO

BAND_FILL = QColor("#c6dafc")
BAND_EDGE = QColor("#8ab4f8")
UNUSED_FILL = QColor("#e8eaed")
OVERDUE_FILL = QColor("#d93025")
TODAY_COLOR = QColor("#174ea6")
AXIS_COLOR = QColor("#5f6368")
TEXT_COLOR = QColor("#202124")
MUTED_TEXT = QColor("#5f6368")
EMPTY_TEXT = "暂无事件记录"
DAY_LABEL_STEPS = (1, 2, 5, 10, 15)


def event_tooltip(e: EventDTO) -> str:
    when = fmt_cn(e.date) + (f" {e.time.strftime('%H:%M')}" if e.time else "")
    lines = [f"{when}　{e.kind_label}"]
    if e.actors:
        lines.append("参与：" + "、".join(e.actors))
    if e.text:
        lines.append(e.text)
    if e.photo_ids:
        lines.append(f"照片 {len(e.photo_ids)} 张")
    return "\n".join(lines)


def month_label(d: dt.date, with_year: bool) -> str:
    return f"{d.year}年{d.month}月" if with_year else f"{d.month}月"


@dataclass(frozen=True)
class _Glyph:
    event: EventDTO
    rect: QRectF
    lane: int


class TimelineWidget(QWidget):
    event_clicked = Signal(int)
    event_activated = Signal(int)
    earlier_clicked = Signal()
    show_all_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline_drawing")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("时间线图")
        self._events: list[EventDTO] = []
        self.listed_on: dt.date | None = None
        self.deadline: dt.date | None = None
        self.closed_on: dt.date | None = None
        self.today = dt.date.today()
        self._selected: int | None = None
        self.show_all = False
        self._earlier: list[EventDTO] = []  # events before the current listing, not drawn unless show_all
        self._earlier_rect = QRectF()
        # Layout, recomputed by _relayout().
        self._start = self.today
        self._days = 1
        self._left = 0.0
        self._ppd = 1.0
        self._glyphs: list[_Glyph] = []
        self._lanes = 1
        self._y_band = 0.0
        self._band_h = 0.0
        self._y_axis = 0.0
        self._y_legend = 0.0
        self._legend: list[tuple[str, str]] = []  # (kind or swatch key, label)
        self._height = 120
        self._relayout()

    # ------------------------------------------------------------ data
    def set_timeline(
        self,
        events: Sequence[EventDTO],
        listed_on: dt.date | None,
        deadline: dt.date | None,
        closed_on: dt.date | None,
        today: dt.date | None = None,
    ) -> None:
        self._events = sorted(events, key=lambda e: (e.date, e.time is None, e.time or dt.time(), e.id))
        self.listed_on, self.deadline, self.closed_on = listed_on, deadline, closed_on
        self.today = today or dt.date.today()
        if self._selected is not None and all(e.id != self._selected for e in self._events):
            self._selected = None
        self._relayout()
        self.update()

    def events(self) -> list[EventDTO]:
        return list(self._events)

    def earlier_events(self) -> list[EventDTO]:
        """Events left out of the drawing (they belong to earlier listings)."""
        return list(self._earlier)

    def set_show_all(self, show_all: bool) -> None:
        if show_all != self.show_all:
            self.show_all = show_all
            self._relayout()
            self.update()
            self.show_all_changed.emit(show_all)

    def selected_id(self) -> int | None:
        return self._selected

    def set_selected(self, event_id: int | None) -> None:
        """Highlight an event (no signal: this is how the list tells the drawing)."""
        if event_id is not None and all(e.id != event_id for e in self._events):
            event_id = None
        if event_id is not None and any(e.id == event_id for e in self._earlier):
            self.set_show_all(True)  # an event of an earlier listing: widen the drawing to show it
        if event_id != self._selected:
            self._selected = event_id
            self.update()

    # ------------------------------------------------------------ geometry queries
    def x_of(self, d: dt.date) -> float:
        """Centre of day `d` on the axis."""
        return self._left + ((d - self._start).days + 0.5) * self._ppd

    def glyph_rect(self, event_id: int) -> QRectF | None:
        return next((QRectF(g.rect) for g in self._glyphs if g.event.id == event_id), None)

    def event_at(self, pos: QPointF) -> int | None:
        """The event whose glyph is under `pos` (a little slack around small glyphs)."""
        for g in reversed(self._glyphs):  # upper lanes are painted last
            if g.rect.adjusted(-2, -2, 2, 2).contains(pos):
                return g.event.id
        return None

    def lanes(self) -> int:
        return self._lanes

    # ------------------------------------------------------------ layout
    def sizeHint(self) -> QSize:
        return QSize(600, self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self._height)

    def _metrics(self) -> tuple[QFontMetricsF, float, float]:
        fm = QFontMetricsF(self.font())
        lh = fm.height()
        return fm, lh, round(lh * 1.3)

    def _drawn(self) -> list[EventDTO]:
        if self.show_all or self.listed_on is None:
            return self._events
        return [e for e in self._events if e.date >= self.listed_on]

    def _range(self) -> tuple[dt.date, dt.date]:
        dates = [e.date for e in self._drawn()]
        dates += [d for d in (self.listed_on, self.deadline, self.closed_on) if d is not None]
        dates.append(self.today)
        first, last = min(dates), max(dates)
        span = max((last - first).days, 14)
        pad = max(2, math.ceil(span * 0.04))
        return first - dt.timedelta(days=pad), last + dt.timedelta(days=pad)

    def _relayout(self) -> None:
        fm, lh, g = self._metrics()
        start, end = self._range()
        self._start = start
        self._days = (end - start).days + 1
        margin = lh
        self._left = margin
        self._ppd = max(0.5, (self.width() - 2 * margin) / self._days)

        # Lanes: each glyph goes in the lowest lane where it does not touch its left neighbour.
        drawn = self._drawn()
        drawn_ids = {e.id for e in drawn}
        self._earlier = [e for e in self._events if e.id not in drawn_ids]
        lane_right: list[float] = []
        placed: list[tuple[EventDTO, float, int]] = []
        note_w = 0.0
        if self._earlier:  # the "更早 N 个事件" note takes the left end of the lowest lane
            note_w = fm.horizontalAdvance(f"◀ 更早 {len(self._earlier)} 个事件") + 10
            lane_right.append(margin + note_w)
        for e in drawn:
            cx = self.x_of(e.date)
            lane = next((i for i, right in enumerate(lane_right) if right + 3 <= cx - g / 2), None)
            if lane is None:
                lane = len(lane_right)
                lane_right.append(cx + g / 2)
            else:
                lane_right[lane] = cx + g / 2
            placed.append((e, cx, lane))
        self._lanes = max(1, len(lane_right))

        top = lh * 1.5  # room for the 今天 label
        pitch = g + 4
        lanes_bottom = top + self._lanes * pitch
        self._glyphs = [
            _Glyph(e, QRectF(cx - g / 2, lanes_bottom - (lane + 1) * pitch + 2, g, g), lane) for e, cx, lane in placed
        ]
        self._earlier_rect = QRectF(margin, lanes_bottom - pitch + 2, note_w, g) if self._earlier else QRectF()
        self._y_band = lanes_bottom + lh * 0.5
        self._band_h = round(lh * 1.1)
        self._y_axis = self._y_band + self._band_h + 4
        axis_labels = self._y_axis + 6 + 2 * lh  # day labels row + month labels row
        self._y_legend = axis_labels + lh * 0.6

        # Legend: the kinds present, in the catalogue's order, then the band swatches.
        kinds = {e.kind for e in drawn}
        self._legend = [(k, v) for k, v in EVENT_KINDS.items() if k in kinds]
        self._legend += [(k, k) for k in sorted(kinds - set(EVENT_KINDS))]  # kinds newer than this build
        if self.listed_on and self.deadline:
            self._legend.append(("#band", "整改期限"))
        if self._overdue_span() is not None:
            self._legend.append(("#overdue", "超期"))
        self._legend.append(("#today", "今天"))
        rows = len(self._legend_rows(fm, lh))
        height = math.ceil(self._y_legend + rows * (lh + 6) + lh * 0.4)
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)
            self.updateGeometry()

    def _legend_rows(self, fm: QFontMetricsF, lh: float) -> list[list[tuple[str, str, float]]]:
        """Legend items flowed into rows that fit the width: (key, label, item width)."""
        avail = max(100.0, self.width() - 2 * self._left)
        rows: list[list[tuple[str, str, float]]] = [[]]
        used = fm.horizontalAdvance("图例：")
        for key, label in self._legend:
            w = lh + 4 + fm.horizontalAdvance(label) + lh * 0.9
            if rows[-1] and used + w > avail:
                rows.append([])
                used = 0.0
            rows[-1].append((key, label, w))
            used += w
        return rows

    def _overdue_span(self) -> tuple[dt.date, dt.date] | None:
        if self.deadline is None:
            return None
        end = self.closed_on or self.today
        return (self.deadline, end) if end > self.deadline else None

    # ------------------------------------------------------------ events
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._relayout()
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            if self._earlier and self._earlier_rect.contains(event.position()):
                self.set_show_all(True)
                self.earlier_clicked.emit()
                return
            eid = self.event_at(event.position())
            if eid is not None:
                self.set_selected(eid)
                self.event_clicked.emit(eid)
                return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        eid = self.event_at(event.position())
        if eid is not None and event.button() == Qt.MouseButton.LeftButton:
            self.event_activated.emit(eid)
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        over = self.event_at(pos) is not None or (bool(self._earlier) and self._earlier_rect.contains(pos))
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if step is None or not self._events:
            super().keyPressEvent(event)
            return
        ids = [e.id for e in self._drawn()]
        if not ids:
            return
        i = ids.index(self._selected) + step if self._selected in ids else (0 if step > 0 else len(ids) - 1)
        eid = ids[max(0, min(len(ids) - 1, i))]
        self.set_selected(eid)
        self.event_clicked.emit(eid)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            text = self.tooltip_at(QPointF(e.pos()))
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def tooltip_at(self, pos: QPointF) -> str:
        eid = self.event_at(pos)
        if eid is not None:
            return event_tooltip(next(e for e in self._events if e.id == eid))
        if self._earlier and self._earlier_rect.contains(pos):
            first, last = self._earlier[0].date, self._earlier[-1].date
            return f"以往挂牌的事件 {len(self._earlier)} 个（{first.isoformat()} 至 {last.isoformat()}），单击显示全部"
        band = QRectF(self._left, self._y_band, self.width() - 2 * self._left, self._band_h)
        if band.contains(pos) and self.listed_on:
            parts = [f"挂牌：{fmt_cn(self.listed_on)}"]
            parts.append(f"整改时限：{fmt_cn(self.deadline)}" if self.deadline else "整改时限：无")
            if self.closed_on:
                parts.append(f"办结：{fmt_cn(self.closed_on)}")
            od = self._overdue_span()
            if od is not None:
                parts.append(f"超期 {(od[1] - od[0]).days} 天")
            return "\n".join(parts)
        return ""

    # ------------------------------------------------------------ painting
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), QColor("white"))
        fm, lh, _g = self._metrics()
        p.setFont(self.font())
        self._paint_band(p, fm)
        self._paint_axis(p, fm, lh)
        self._paint_stems_and_glyphs(p)
        self._paint_earlier(p, fm)
        self._paint_today(p, fm, lh)
        self._paint_legend(p, fm, lh)
        if not self._glyphs and not self._earlier:
            p.setPen(MUTED_TEXT)
            p.drawText(QRectF(0, 0, self.width(), self._y_band), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
        p.end()

    def _span_rect(self, a: dt.date, b: dt.date) -> QRectF:
        x0 = self.x_of(a)
        x1 = self.x_of(b)
        return QRectF(x0, self._y_band, max(2.0, x1 - x0), self._band_h)

    def _paint_band(self, p: QPainter, fm: QFontMetricsF) -> None:
        if self.listed_on is None:
            return
        end = self.deadline or self.closed_on or self.today
        band = self._span_rect(self.listed_on, end)
        p.setPen(QPen(BAND_EDGE, 1))
        p.setBrush(BAND_FILL)
        p.drawRoundedRect(band, 3, 3)
        if self.closed_on and self.deadline and self.closed_on < self.deadline:
            unused = self._span_rect(self.closed_on, self.deadline)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(UNUSED_FILL, Qt.BrushStyle.SolidPattern))
            p.drawRect(unused.adjusted(0, 1, -1, -1))
        if self.deadline:
            a, b = self.listed_on, self.deadline
            long_text = f"整改期限 {a.month}月{a.day}日—{b.month}月{b.day}日"
            text = long_text if band.width() > fm.horizontalAdvance(long_text) + 8 else "整改期限"
        else:
            text = "已挂牌（无整改时限）"
        if band.width() > fm.horizontalAdvance(text) + 8:
            p.setPen(QColor("#174ea6"))
            p.drawText(band, Qt.AlignmentFlag.AlignCenter, text)
        od = self._overdue_span()
        if od is not None:
            r = self._span_rect(*od)
            p.setPen(QPen(OVERDUE_FILL.darker(120), 1))
            p.setBrush(OVERDUE_FILL)
            p.drawRoundedRect(r, 3, 3)
            label = f"超期{(od[1] - od[0]).days}天"
            if r.width() > fm.horizontalAdvance(label) + 6:
                p.setPen(QColor("white"))
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, label)
            else:
                p.setPen(OVERDUE_FILL.darker(110))
                p.drawText(QRectF(r.right() + 4, r.top(), fm.horizontalAdvance(label) + 4, r.height()),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)  # fmt: skip

    def _paint_axis(self, p: QPainter, fm: QFontMetricsF, lh: float) -> None:
        y = self._y_axis
        x_left, x_right = self._left, self._left + self._days * self._ppd
        p.setPen(QPen(AXIS_COLOR, 1.2))
        p.drawLine(QPointF(x_left, y), QPointF(x_right, y))
        days = [self._start + dt.timedelta(days=i) for i in range(self._days)]
        # Day ticks and labels, thinned so labels never touch.
        if self._ppd >= 3:
            p.setPen(QPen(AXIS_COLOR, 1))
            for d in days:
                x = self.x_of(d)
                p.drawLine(QPointF(x, y), QPointF(x, y + 3))
        label_w = fm.horizontalAdvance("28日") + 6
        step = next((s for s in DAY_LABEL_STEPS if s * self._ppd >= label_w), None)
        p.setPen(MUTED_TEXT)
        if step is not None:
            for d in days:
                if d.day == 1 or (d.day % step != 0 and step > 1) or (step == 2 and d.day == 31):
                    continue
                x = self.x_of(d)
                p.drawLine(QPointF(x, y), QPointF(x, y + 5))
                p.drawText(QRectF(x - label_w / 2, y + 6, label_w, lh), Qt.AlignmentFlag.AlignCenter, f"{d.day}日")
        # Month starts: a tall tick and the month name below the day labels (the year when it changes).
        p.setPen(QPen(TEXT_COLOR, 1.2))
        month_y = y + 6 + lh
        last_right = -1e9
        shown_year: int | None = None
        for i, d in enumerate(days):
            if d.day != 1 and i != 0:
                continue
            x = self.x_of(d) - (self._ppd / 2 if d.day == 1 else 0)
            if d.day == 1:
                p.drawLine(QPointF(x, y - 4), QPointF(x, y + 6 + lh))
            text = month_label(d, shown_year != d.year)
            w = fm.horizontalAdvance(text) + 8
            if i == 0:  # the partial first month: label at the left edge if it fits before the next month
                nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
                if d.day != 1 and (self.x_of(nxt) - x_left) < w:
                    continue
            if x < last_right:
                continue
            p.drawText(QRectF(x + 2, month_y, w, lh), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            last_right = x + w
            shown_year = d.year

    def _paint_stems_and_glyphs(self, p: QPainter) -> None:
        for gl in self._glyphs:
            color = QColor(AXIS_COLOR)
            color.setAlpha(140)
            selected = gl.event.id == self._selected
            p.setPen(QPen(QColor("#202124") if selected else color, 2 if selected else 1, Qt.PenStyle.DotLine))
            x = gl.rect.center().x()
            p.drawLine(QPointF(x, gl.rect.bottom()), QPointF(x, self._y_axis))
        for gl in self._glyphs:
            paint_glyph(p, gl.event.kind, gl.rect, selected=gl.event.id == self._selected)

    def _paint_earlier(self, p: QPainter, fm: QFontMetricsF) -> None:
        if not self._earlier:
            return
        r = self._earlier_rect
        p.setPen(QPen(QColor("#dadce0"), 1))
        p.setBrush(QColor("#f1f3f4"))
        p.drawRoundedRect(r, 4, 4)
        p.setPen(QColor("#1a73e8"))
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, f"◀ 更早 {len(self._earlier)} 个事件")

    def _paint_today(self, p: QPainter, fm: QFontMetricsF, lh: float) -> None:
        x = self.x_of(self.today)
        p.setPen(QPen(TODAY_COLOR, 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, lh * 1.2), QPointF(x, self._y_axis + 4))
        text = "今天"
        w = fm.horizontalAdvance(text) + 10
        box = QRectF(x - w / 2, 1, w, lh * 1.15)
        box.moveLeft(max(0.0, min(self.width() - w, box.left())))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TODAY_COLOR)
        p.drawRoundedRect(box, 3, 3)
        p.setPen(QColor("white"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_legend(self, p: QPainter, fm: QFontMetricsF, lh: float) -> None:
        y = self._y_legend
        for n, row in enumerate(self._legend_rows(fm, lh)):
            x = self._left
            if n == 0:
                p.setPen(MUTED_TEXT)
                p.drawText(QRectF(x, y, 200, lh), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "图例：")
                x += fm.horizontalAdvance("图例：")
            for key, label, w in row:
                icon = QRectF(x, y + 1, lh - 2, lh - 2)
                if key == "#band":
                    p.setPen(QPen(BAND_EDGE, 1))
                    p.setBrush(BAND_FILL)
                    p.drawRect(icon.adjusted(0, 3, 0, -3))
                elif key == "#overdue":
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(OVERDUE_FILL)
                    p.drawRect(icon.adjusted(0, 3, 0, -3))
                elif key == "#today":
                    p.setPen(QPen(TODAY_COLOR, 1.5, Qt.PenStyle.DashLine))
                    p.drawLine(icon.center() + QPointF(0, -lh / 2 + 1), icon.center() + QPointF(0, lh / 2 - 1))
                else:
                    paint_glyph(p, key, icon)
                p.setPen(TEXT_COLOR)
                p.drawText(QRectF(x + lh + 2, y, w, lh), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           label if key.startswith("#") else kind_label(key))  # fmt: skip
                x += w
            y += lh + 6
