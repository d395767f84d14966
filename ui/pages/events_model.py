"""Qt model over a site's `EventDTO`s, and the delegate that paints an event's photo thumbnails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.thumbnails import ThumbnailCache
from ui.widgets.event_glyphs import glyph_icon
from ui.widgets.timeline import event_tooltip
from zhdesk.dto import EventDTO

Index = QModelIndex | QPersistentModelIndex

EVENT_ROLE = Qt.ItemDataRole.UserRole + 1  # the EventDTO
PHOTOS_ROLE = Qt.ItemDataRole.UserRole + 2  # tuple of photo ids
MAX_THUMBS = 2


class ECol(IntEnum):
    DATE = 0
    KIND = 1
    ACTORS = 2
    TEXT = 3
    PHOTOS = 4


HEADERS = {ECol.DATE: "日期", ECol.KIND: "类型", ECol.ACTORS: "参与人", ECol.TEXT: "内容", ECol.PHOTOS: "照片"}


def date_text(e: EventDTO) -> str:
    return e.date.isoformat() + (f" {e.time.strftime('%H:%M')}" if e.time else "")


def newest_first(events: Sequence[EventDTO]) -> list[EventDTO]:
    """The drawing's order (ui/widgets/timeline.py) reversed: the latest date first."""
    return sorted(events, key=lambda e: (e.date, e.time is None, e.time or dt.time(), e.id), reverse=True)


class EventsModel(QAbstractTableModel):
    """A site's events as rows, newest first; `since` leaves out the events before a date (those of
    earlier listings, unless 显示以往挂牌的事件 is ticked)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[EventDTO] = []
        self._events: list[EventDTO] = []  # the rows shown
        self.since: dt.date | None = None

    def set_events(self, events: Sequence[EventDTO], since: dt.date | None = None) -> None:
        self.beginResetModel()
        self._all = list(events)
        self.since = since
        self._events = newest_first([e for e in self._all if since is None or e.date >= since])
        self.endResetModel()

    def set_since(self, since: dt.date | None) -> None:
        if since != self.since:
            self.set_events(self._all, since)

    def events(self) -> list[EventDTO]:
        """Every event of the site as loaded (oldest first), shown or not."""
        return list(self._all)

    def shown_events(self) -> list[EventDTO]:
        return list(self._events)

    def event_at(self, row: int) -> EventDTO:
        return self._events[row]

    def row_of(self, event_id: int) -> int | None:
        return next((i for i, e in enumerate(self._events) if e.id == event_id), None)

    def photos_changed(self, photo_ids: Sequence[int]) -> None:
        """Thumbnails arrived: repaint the rows that show any of them."""
        wanted = set(photo_ids)
        for i, e in enumerate(self._events):
            if wanted.intersection(e.photo_ids):
                ix = self.index(i, ECol.PHOTOS)
                self.dataChanged.emit(ix, ix)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ECol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[ECol(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        e = self._events[index.row()]
        col = ECol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            match col:
                case ECol.DATE:
                    return date_text(e)
                case ECol.KIND:
                    return e.kind_label
                case ECol.ACTORS:
                    return "、".join(e.actors)
                case ECol.TEXT:
                    return e.text or ""
                case ECol.PHOTOS:
                    return ""
        if role == Qt.ItemDataRole.DecorationRole and col == ECol.KIND:
            return glyph_icon(e.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return event_tooltip(e)
        if role == EVENT_ROLE:
            return e
        if role == PHOTOS_ROLE:
            return e.photo_ids
        return None


class EventPhotosDelegate(QStyledItemDelegate):
    """Up to two small thumbnails side by side, then "+N"; grey placeholders until loaded."""

    def __init__(self, cache: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget if isinstance(opt.widget, QWidget) else None
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        ids: tuple[int, ...] = index.data(PHOTOS_ROLE) or ()
        if not ids:
            return
        r = QRectF(opt.rect).adjusted(3, 3, -3, -3)
        h = min(r.height(), opt.fontMetrics.height() * 2.2)
        r = QRectF(r.left(), r.center().y() - h / 2, r.width(), h)
        w = h * 4 / 3
        x = r.left()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for pid in ids[:MAX_THUMBS]:
            cell = QRectF(x, r.top(), w, h)
            pm = self.cache.pixmap(pid)
            if pm is None:
                painter.fillRect(cell, QColor("#e8eaed"))
            else:
                scaled = pm.size().scaled(cell.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
                target = QRectF(0, 0, scaled.width(), scaled.height())
                target.moveCenter(cell.center())
                painter.drawPixmap(target.toRect(), pm)
            painter.setPen(QPen(QColor("#dadce0"), 1))
            painter.drawRect(cell)
            x += w + 3
        if len(ids) > MAX_THUMBS:
            painter.setPen(opt.palette.color(opt.palette.ColorRole.Text))
            painter.drawText(QRectF(x, r.top(), w, h), Qt.AlignmentFlag.AlignVCenter, f"+{len(ids) - MAX_THUMBS}")
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        h = round(option.fontMetrics.height() * 2.4)
        n = min(len(index.data(PHOTOS_ROLE) or ()), MAX_THUMBS)
        more = option.fontMetrics.horizontalAdvance("+99") if len(index.data(PHOTOS_ROLE) or ()) > MAX_THUMBS else 0
        return QSize(max(40, round(n * (h * 4 / 3 + 3) + 8 + more)), h)
