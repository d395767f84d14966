"""The photo gallery's model/view: a list model over `PhotoDTO`s, a phase filter, a tile delegate
(thumbnail or placeholder, phase badge, date taken) and the icon-mode view that accepts dropped files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.phases import PHASE_COLORS, taken_text
from ui.thumbnails import ThumbnailCache
from ui.widgets.event_glyphs import paint_glyph
from zhdesk.domain.vocab import PHASES
from zhdesk.dto import EventDTO, PhotoDTO

Index = QModelIndex | QPersistentModelIndex

PHOTO_ROLE = Qt.ItemDataRole.UserRole + 1
PLACEHOLDER_FILL = QColor("#eceff1")
EMPTY_HINT = "还没有照片。\n点击上方“添加照片…”“添加文件夹…”，或把照片、文件夹直接拖到这里。"
NO_MATCH_HINT = "没有该阶段的照片。"


def photo_tooltip(p: PhotoDTO, event: EventDTO | None = None) -> str:
    lines = [p.file_name or f"照片 {p.id}", f"{p.phase_label}　拍摄于 {taken_text(p)}"]
    if p.width and p.height:
        lines.append(f"{p.width}×{p.height} 像素，{p.size / 1024 / 1024:.1f} MB")
    if event is not None:
        lines.append(f"关联事件：{event.date.isoformat()} {event.kind_label}")
    lines.append("双击查看大图，右键更多操作")
    return "\n".join(lines)


class PhotosModel(QAbstractListModel):
    def __init__(self, cache: ThumbnailCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self._photos: list[PhotoDTO] = []
        self._rows: dict[int, int] = {}
        self._events: dict[int, EventDTO] = {}
        cache.loaded.connect(self.thumbnails_loaded)

    # -- data in
    def set_photos(self, photos: Sequence[PhotoDTO], events: Iterable[EventDTO] = ()) -> None:
        self.beginResetModel()
        self._photos = list(photos)
        self._rows = {p.id: i for i, p in enumerate(self._photos)}
        self._events = {e.id: e for e in events}
        self.endResetModel()

    def replace(self, photos: Iterable[PhotoDTO]) -> None:
        for p in photos:
            i = self._rows.get(p.id)
            if i is not None:
                self._photos[i] = p
                ix = self.index(i)
                self.dataChanged.emit(ix, ix)

    def remove(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        for i in sorted((self._rows[pid] for pid in gone if pid in self._rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), i, i)
            del self._photos[i]
            self.endRemoveRows()
        self._rows = {p.id: i for i, p in enumerate(self._photos)}

    def thumbnails_loaded(self, ids: list[int]) -> None:
        rows = sorted(self._rows[i] for i in ids if i in self._rows)
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]), [Qt.ItemDataRole.DecorationRole])

    # -- data out
    def photos(self) -> list[PhotoDTO]:
        return list(self._photos)

    def events(self) -> list[EventDTO]:
        return list(self._events.values())

    def event_by_id(self, event_id: int | None) -> EventDTO | None:
        return self._events.get(event_id) if event_id is not None else None

    def photo_at(self, row: int) -> PhotoDTO:
        return self._photos[row]

    def row_of(self, photo_id: int) -> int | None:
        return self._rows.get(photo_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._photos)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._photos):
            return None
        p = self._photos[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole | Qt.ItemDataRole.AccessibleTextRole:
                return f"{p.phase_label} {taken_text(p)}"
            case Qt.ItemDataRole.DecorationRole:
                return self.cache.pixmap(p.id)
            case Qt.ItemDataRole.ToolTipRole:
                return photo_tooltip(p, self.event_by_id(p.event_id))
        if role == PHOTO_ROLE:
            return p
        return None


class PhaseProxy(QSortFilterProxyModel):
    """Shows one phase, or all (phase None)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.phase: str | None = None
        self.setDynamicSortFilter(True)

    def set_phase(self, phase: str | None) -> None:
        self.beginFilterChange()
        self.phase = phase
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.phase is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, PhotosModel)
        return model.photo_at(source_row).phase == self.phase

    def photo_at(self, proxy_row: int) -> PhotoDTO:
        p = self.index(proxy_row, 0).data(PHOTO_ROLE)
        assert isinstance(p, PhotoDTO)
        return p

    def visible_photos(self) -> list[PhotoDTO]:
        return [self.photo_at(i) for i in range(self.rowCount())]

    def proxy_row_of(self, photo_id: int) -> int | None:
        model = self.sourceModel()
        assert isinstance(model, PhotosModel)
        r = model.row_of(photo_id)
        if r is None:
            return None
        ix = self.mapFromSource(model.index(r))
        return ix.row() if ix.isValid() else None


def tile_size(fm: QFontMetrics) -> QSize:
    w = round(fm.height() * 9.5)
    return QSize(w + 12, round(w * 0.75) + fm.height() + 18)


class PhotoTileDelegate(QStyledItemDelegate):
    """Thumbnail (or a grey placeholder while it loads), phase badge, linked-event glyph, date taken."""

    def __init__(self, model: PhotosModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return tile_size(option.fontMetrics)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        p = index.data(PHOTO_ROLE)
        if not isinstance(p, PhotoDTO):
            return
        fm = option.fontMetrics
        lh = fm.height()
        r = QRectF(option.rect).adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if selected or hover:
            painter.setPen(QPen(QColor("#1a73e8"), 2) if selected else Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d2e3fc") if selected else QColor("#f1f3f4"))
            painter.drawRoundedRect(r, 6, 6)
        img = QRectF(r.left() + 3, r.top() + 3, r.width() - 6, r.height() - lh - 12)
        pm = index.data(Qt.ItemDataRole.DecorationRole)
        if pm is not None and not pm.isNull():
            size = pm.deviceIndependentSize().toSize().scaled(img.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(0, 0, size.width(), size.height())
            target.moveCenter(img.center())
            painter.drawPixmap(target.toRect(), pm)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(PLACEHOLDER_FILL)
            painter.drawRoundedRect(img, 4, 4)
            painter.setPen(QColor("#80868b"))
            failed = self.model.cache.missing(p.id)
            painter.drawText(img, Qt.AlignmentFlag.AlignCenter, "无法显示缩略图" if failed else "载入中…")
        # Phase badge, top left.
        label = PHASES.get(p.phase, p.phase)
        bw = fm.horizontalAdvance(label) + 12
        badge = QRectF(img.left() + 4, img.top() + 4, bw, lh + 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(PHASE_COLORS.get(p.phase, "#5f6368")))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        # The event it documents, top right.
        ev = self.model.event_by_id(p.event_id)
        if ev is not None:
            g = lh + 2
            disc = QRectF(img.right() - g - 6, img.top() + 4, g + 2, g + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 220))
            painter.drawEllipse(disc)
            paint_glyph(painter, ev.kind, disc.adjusted(2, 2, -2, -2))
        # Date taken.
        painter.setPen(option.palette.color(option.palette.ColorRole.Text))
        text_rect = QRectF(r.left(), img.bottom() + 4, r.width(), lh + 4)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, fm.elidedText(taken_text(p),
                         Qt.TextElideMode.ElideRight, int(text_rect.width())))  # fmt: skip
        painter.restore()


class GalleryView(QListView):
    """Icon-mode list of tiles; accepts files and folders dropped from the file manager.

    `files_dropped(paths)` carries the local paths; `viewport_changed()` fires when other tiles came into view.
    """

    files_dropped = Signal(list)
    viewport_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setDragEnabled(False)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(False)
        self.empty_text = EMPTY_HINT
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.viewport_changed.emit())

    def update_grid(self) -> None:
        self.setGridSize(tile_size(self.fontMetrics()) + QSize(6, 6))

    def visible_rows(self) -> list[int]:
        """Rows of the model whose tiles intersect the viewport, in order."""
        model = self.model()
        if model is None:
            return []
        area = self.viewport().rect()
        out: list[int] = []
        for r in range(model.rowCount()):
            rect: QRect = self.visualRect(model.index(r, 0))
            if rect.top() > area.bottom():
                break
            if rect.intersects(area):
                out.append(r)
        return out

    def resizeEvent(self, e: Any) -> None:
        super().resizeEvent(e)
        self.viewport_changed.emit()

    # -- drops
    @staticmethod
    def _paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)

    def paintEvent(self, e: QPaintEvent) -> None:
        super().paintEvent(e)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.empty_text:
            p = QPainter(self.viewport())
            p.setPen(QColor("#5f6368"))
            p.drawText(self.viewport().rect().adjusted(20, 20, -20, -20),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)  # fmt: skip
            p.end()
