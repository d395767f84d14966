"""Full-size photo viewer: zoom (wheel, +/−, 适合窗口, 100%), previous/next (←/→), date taken, phase, file name.

Originals are decoded on the worker with QImageReader (EXIF orientation applied). Formats Qt cannot
read (HEIC/HEIF) fall back to the stored thumbnail, and the status line says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.ops import Ops
from ui.phases import PHASE_COLORS, taken_text
from ui.thumbnails import ThumbnailCache
from zhdesk.dto import PhotoDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


MAX_DISPLAY_PIXELS = 50_000_000  # decode larger originals scaled down (a 200 MP photo would take 800 MB)
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 16.0

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


def container_name(data: bytes) -> str:
    """A short name for formats we expect Qt not to read (for the status line)."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "AVIF" if data[8:12] == b"avif" else "HEIC/HEIF"
    return "该"


@dataclass(frozen=True)
class DisplayImage:
    photo_id: int
    image: QImage
    note: str = ""  # why what is shown is not the full original
    fallback: bool = False


def read_image(data: bytes, max_pixels: int = MAX_DISPLAY_PIXELS, max_edge: int | None = None) -> tuple[QImage, float]:
    """Decode with EXIF orientation applied; returns (image, scale) — a null image if Qt cannot read it."""
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf)
    reader.setAutoTransform(True)
    scale = 1.0
    size = reader.size()
    if size.isValid() and size.width() > 0 and size.height() > 0:
        pixels = size.width() * size.height()
        if pixels > max_pixels:
            scale = (max_pixels / pixels) ** 0.5
        if max_edge is not None and max(size.width(), size.height()) * scale > max_edge:
            scale = max_edge / max(size.width(), size.height())
        if scale < 1.0:
            reader.setScaledSize(QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale))))
    image = reader.read()
    buf.close()
    return image, scale


def load_display_image(desk: Desk, photo_id: int, max_edge: int | None = None) -> DisplayImage:
    """Runs on the worker: the original as a QImage, or the thumbnail when Qt cannot decode the format."""
    data = desk.original(photo_id)
    image, scale = read_image(data, max_edge=max_edge)
    if not image.isNull():
        note = "" if scale >= 1.0 or max_edge is not None else f"原图很大，按 {scale:.0%} 显示"
        return DisplayImage(photo_id, image, note)
    thumb = QImage.fromData(desk.thumbnail(photo_id))
    fmt = container_name(data)
    note = f"{fmt}格式的原图无法在本程序中直接显示，当前显示的是缩略图；可右键“导出原图…”后用其他软件查看。"
    return DisplayImage(photo_id, thumb, note, fallback=True)


class ImageView(QGraphicsView):
    """A pixmap with wheel zoom around the cursor and drag to pan; keeps fitting on resize while in fit mode."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("image_view")
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#2b2b2b"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self._fit_mode = True
        self._upscale = False

    def set_pixmap(self, pm: QPixmap, *, upscale: bool = False) -> None:
        self._item.setPixmap(pm)
        self._scene.setSceneRect(QRectF(pm.rect()))
        self._upscale = upscale
        self.fit()

    def pixmap(self) -> QPixmap:
        return self._item.pixmap()

    def zoom(self) -> float:
        return float(self.transform().m11())

    def fit_mode(self) -> bool:
        return self._fit_mode

    def fit(self) -> None:
        """适合窗口: the whole photo visible; small photos are not blown up (unless a thumbnail stands in)."""
        self._fit_mode = True
        pm = self._item.pixmap()
        if pm.isNull():
            return
        view = self.viewport().rect()
        z = min(view.width() / max(1, pm.width()), view.height() / max(1, pm.height()))
        self._set_zoom(z if self._upscale else min(1.0, z))

    def actual_size(self) -> None:
        self._fit_mode = False
        self._set_zoom(1.0)

    def zoom_by(self, factor: float) -> None:
        self._fit_mode = False
        self._set_zoom(self.zoom() * factor)

    def _set_zoom(self, z: float) -> None:
        z = max(MIN_ZOOM, min(MAX_ZOOM, z))
        self.resetTransform()
        self.scale(z, z)
        if self._fit_mode:
            self.centerOn(self._item)
        self.zoom_changed.emit(z)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()


class PhotoViewer(QDialog):
    """Shows `photos[index]`; ←/→ move through the list as the gallery shows it (filter and order)."""

    photo_changed = Signal(int)  # photo id now shown (after its image arrived)

    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        ops: Ops,
        photos: Sequence[PhotoDTO],
        index: int,
        address: str,
        thumbs: ThumbnailCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.photos = list(photos)
        self.index = max(0, min(index, len(self.photos) - 1))
        self.thumbs = thumbs
        self.address = address
        self.loading: int | None = None
        self._closed = False
        self.setWindowTitle(f"照片 — {address}")
        self.setObjectName("photo_viewer")

        self.view = ImageView()
        self.info = QLabel()
        self.info.setObjectName("viewer_info")
        self.phase_badge = QLabel()
        self.phase_badge.setObjectName("viewer_phase")
        self.status = QLabel()
        self.status.setObjectName("viewer_status")
        self.status.setWordWrap(True)
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("viewer_zoom")
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("1600%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.prev_button = QPushButton("◀ 上一张")
        self.next_button = QPushButton("下一张 ▶")
        self.fit_button = QPushButton("适合窗口")
        self.actual_button = QPushButton("100%")
        self.zoom_in_button = QPushButton("＋")
        self.zoom_out_button = QPushButton("－")
        for b, tip in (
            (self.prev_button, "上一张（←）"),
            (self.next_button, "下一张（→）"),
            (self.fit_button, "整张照片适合窗口（F）"),
            (self.actual_button, "按原始尺寸显示（1）"),
            (self.zoom_in_button, "放大（+ 或滚轮）"),
            (self.zoom_out_button, "缩小（− 或滚轮）"),
        ):
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.prev_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.fit_button.clicked.connect(self.view.fit)
        self.actual_button.clicked.connect(self.view.actual_size)
        self.zoom_in_button.clicked.connect(lambda: self.view.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.view.zoom_by(1 / ZOOM_STEP))
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))

        top = QHBoxLayout()
        top.addWidget(self.phase_badge)
        top.addWidget(self.info, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.prev_button)
        bottom.addWidget(self.next_button)
        bottom.addSpacing(16)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.zoom_out_button)
        bottom.addWidget(self.zoom_label)
        bottom.addWidget(self.zoom_in_button)
        bottom.addWidget(self.fit_button)
        bottom.addWidget(self.actual_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._shortcut("Left", self.previous)
        self._shortcut("Right", self.next)
        self._shortcut("PgUp", self.previous)
        self._shortcut("PgDown", self.next)
        for key in ("+", "=", QKeySequence.StandardKey.ZoomIn):
            self._shortcut(key, lambda: self.view.zoom_by(ZOOM_STEP))
        for key in ("-", QKeySequence.StandardKey.ZoomOut):
            self._shortcut(key, lambda: self.view.zoom_by(1 / ZOOM_STEP))
        self._shortcut("F", self.view.fit)
        self._shortcut("1", self.view.actual_size)

        self.resize(self._initial_size(parent))
        self.show_index(self.index)

    def _shortcut(self, key: str | QKeySequence.StandardKey, slot: object) -> None:
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)

    @staticmethod
    def _initial_size(parent: QWidget | None) -> QSize:
        window = parent.window() if parent is not None else None
        if window is not None and window.width() > 400:
            return QSize(round(window.width() * 0.8), round(window.height() * 0.85))
        return QSize(1200, 850)

    # -- navigation
    def current(self) -> PhotoDTO:
        return self.photos[self.index]

    def next(self) -> None:
        if self.index + 1 < len(self.photos):
            self.show_index(self.index + 1)

    def previous(self) -> None:
        if self.index > 0:
            self.show_index(self.index - 1)

    def show_index(self, index: int) -> None:
        if not self.photos:
            return
        self.index = index
        p = self.current()
        color = PHASE_COLORS.get(p.phase, "#5f6368")
        self.phase_badge.setText(p.phase_label)
        self.phase_badge.setStyleSheet(
            f"QLabel {{ background: {color}; color: white; border-radius: 4px; padding: 2px 10px; font-weight: bold; }}"
        )
        self.info.setText(
            f"<b>{self.address}</b>　拍摄于 {taken_text(p)}　{p.file_name or ''}"
            f"　<span style='color:#5f6368'>第 {index + 1}/{len(self.photos)} 张</span>"
        )
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index + 1 < len(self.photos))
        thumb = self.thumbs.pixmap(p.id) if self.thumbs is not None else None
        if thumb is not None:
            self.view.set_pixmap(thumb, upscale=True)
        else:
            self.view.set_pixmap(QPixmap())
        self.status.setText("正在载入原图…")
        self.loading = p.id
        desk, pid = self.desk, p.id
        self.ops.run(
            lambda: load_display_image(desk, pid),
            self._loaded,
            self._failed,
            label="正在载入原图…",
        )

    def done(self, result: int) -> None:
        self._closed = True  # results still on their way are dropped
        super().done(result)

    def _failed(self, _exc: BaseException) -> None:
        if not self._closed:
            self.status.setText("无法读取原图")

    def _loaded(self, shown: DisplayImage) -> None:
        if self._closed or shown.photo_id != self.loading or shown.photo_id != self.current().id:
            return
        self.loading = None
        self.view.set_pixmap(QPixmap.fromImage(shown.image), upscale=shown.fallback)
        self.status.setText(shown.note)
        self.photo_changed.emit(shown.photo_id)
