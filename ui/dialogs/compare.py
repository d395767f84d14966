"""整改前后对比: a before and an after photo side by side, or one over the other with a draggable divider."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.viewer import DisplayImage, load_display_image
from ui.ops import Ops
from ui.phases import PHASE_COLORS, taken_text
from ui.thumbnails import ThumbnailCache
from zhdesk.dto import PhotoDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


SIDE, SLIDER = "side", "slider"
COMPARE_EDGE = 2400  # enough for a full-screen comparison; originals can be far larger


def _taken_key(p: PhotoDTO) -> tuple[bool, str, int]:
    return (p.taken_at is None, p.taken_at.isoformat() if p.taken_at else "", p.id)


def default_pair(photos: Sequence[PhotoDTO]) -> tuple[PhotoDTO | None, PhotoDTO | None]:
    """The earliest 整改前 and the latest 整改后 photo (by date taken)."""
    before = sorted((p for p in photos if p.phase == "before"), key=_taken_key)
    after = sorted((p for p in photos if p.phase == "after"), key=_taken_key)
    dated_after = [p for p in after if p.taken_at is not None]
    return (before[0] if before else None, (dated_after or after)[-1] if after else None)


def _fit(size: QSize, box: QRectF) -> QRectF:
    if size.isEmpty():
        return QRectF(box)
    s = min(box.width() / size.width(), box.height() / size.height())
    r = QRectF(0, 0, size.width() * s, size.height() * s)
    r.moveCenter(box.center())
    return r


class CompareView(QWidget):
    """Paints the pair; in slider mode the before photo covers the left of the divider, the after the right."""

    divider_moved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_view")
        self.setMinimumSize(480, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.mode = SIDE
        self.divider = 0.5
        self.before: QPixmap | None = None
        self.after: QPixmap | None = None
        self.before_caption = ""
        self.after_caption = ""

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.setCursor(Qt.CursorShape.SplitHCursor if mode == SLIDER else Qt.CursorShape.ArrowCursor)
        self.update()

    def set_images(self, before: QPixmap | None, after: QPixmap | None) -> None:
        self.before, self.after = before, after
        self.update()

    def set_divider(self, fraction: float) -> None:
        self.divider = max(0.0, min(1.0, fraction))
        self.divider_moved.emit(self.divider)
        self.update()

    def slider_rect(self) -> QRectF:
        """Where both photos are drawn in slider mode (the before photo's shape decides)."""
        ref = self.before or self.after
        box = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        return _fit(ref.size(), box) if ref is not None else box

    def divider_x(self) -> float:
        r = self.slider_rect()
        return r.left() + r.width() * self.divider

    # -- mouse: drag anywhere on the photo to move the divider
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.mode == SLIDER and event.button() == Qt.MouseButton.LeftButton:
            self._drag_to(event.position())
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.mode == SLIDER and event.buttons() & Qt.MouseButton.LeftButton:
            self._drag_to(event.position())
            return
        super().mouseMoveEvent(event)

    def _drag_to(self, pos: QPointF) -> None:
        r = self.slider_rect()
        if r.width() > 0:
            self.set_divider((pos.x() - r.left()) / r.width())

    # -- painting
    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.fillRect(self.rect(), QColor("#2b2b2b"))
        if self.mode == SIDE:
            self._paint_side(p)
        else:
            self._paint_slider(p)
        p.end()

    def _caption(self, p: QPainter, anchor: QPointF, text: str, phase: str, right: bool = False) -> None:
        fm = QFontMetricsF(self.font())
        w, h = fm.horizontalAdvance(text) + 16, fm.height() + 8
        box = QRectF(anchor.x() - w if right else anchor.x(), anchor.y(), w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(PHASE_COLORS[phase]))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QColor("white"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _placeholder(self, p: QPainter, box: QRectF, text: str) -> None:
        p.setPen(QColor("#bdc1c6"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_side(self, p: QPainter) -> None:
        full = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        half = (full.width() - 8) / 2
        for i, (pm, caption, phase) in enumerate(
            ((self.before, self.before_caption, "before"), (self.after, self.after_caption, "after"))
        ):
            box = QRectF(full.left() + i * (half + 8), full.top(), half, full.height())
            if pm is None or pm.isNull():
                self._placeholder(p, box, "载入中…")
                continue
            target = _fit(pm.size(), box)
            p.drawPixmap(target.toRect(), pm)
            self._caption(p, target.topLeft() + QPointF(6, 6), caption, phase)

    def _paint_slider(self, p: QPainter) -> None:
        r = self.slider_rect()
        x = self.divider_x()
        if self.after is not None and not self.after.isNull():
            p.drawPixmap(_fit(self.after.size(), r).toRect(), self.after)
        if self.before is not None and not self.before.isNull():
            p.save()
            p.setClipRect(QRectF(r.left(), r.top(), x - r.left(), r.height()))
            p.drawPixmap(_fit(self.before.size(), r).toRect(), self.before)
            p.restore()
        if self.before is None and self.after is None:
            self._placeholder(p, r, "载入中…")
            return
        self._caption(p, r.topLeft() + QPointF(6, 6), self.before_caption, "before")
        self._caption(p, r.topRight() + QPointF(-6, 6), self.after_caption, "after", right=True)
        # The divider with a round handle.
        p.setPen(QPen(QColor("white"), 3))
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        c = QPointF(x, r.center().y())
        p.setBrush(QColor("white"))
        p.setPen(QPen(QColor("#5f6368"), 1))
        p.drawEllipse(c, 16, 16)
        p.setBrush(QColor("#3c4043"))
        p.setPen(Qt.PenStyle.NoPen)
        for sign in (-1, 1):
            tri = QPainterPath()
            tri.moveTo(c + QPointF(sign * 11, 0))
            tri.lineTo(c + QPointF(sign * 4, -6))
            tri.lineTo(c + QPointF(sign * 4, 6))
            tri.closeSubpath()
            p.drawPath(tri)


class CompareDialog(QDialog):
    """Pick a 整改前 and a 整改后 photo; see them side by side or with a slider."""

    images_loaded = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        desk: Desk,
        ops: Ops,
        photos: Sequence[PhotoDTO],
        address: str,
        thumbs: ThumbnailCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.thumbs = thumbs
        self._closed = False
        self._pixmaps: dict[int, QPixmap] = {}
        self.setObjectName("compare_dialog")
        self.setWindowTitle(f"整改前后对比 — {address}")
        self.befores = sorted((p for p in photos if p.phase == "before"), key=_taken_key)
        self.afters = sorted((p for p in photos if p.phase == "after"), key=_taken_key)
        first, last = default_pair(photos)

        self.before_combo = self._combo("compare_before", self.befores, first)
        self.after_combo = self._combo("compare_after", self.afters, last)
        self.side_radio = QRadioButton("并排对比")
        self.slider_radio = QRadioButton("滑动对比")
        self.side_radio.setToolTip("两张照片左右并排")
        self.slider_radio.setToolTip("两张照片叠放，拖动中间的分隔线查看整改前后")
        self.side_radio.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.side_radio)
        modes.addButton(self.slider_radio)
        self.view = CompareView()
        self.hint = QLabel("")
        self.hint.setObjectName("compare_hint")

        top = QHBoxLayout()
        top.addWidget(QLabel("整改前："))
        top.addWidget(self.before_combo, 1)
        top.addSpacing(16)
        top.addWidget(QLabel("整改后："))
        top.addWidget(self.after_combo, 1)
        top.addSpacing(24)
        top.addWidget(self.side_radio)
        top.addWidget(self.slider_radio)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)

        self.before_combo.currentIndexChanged.connect(self._refresh)
        self.after_combo.currentIndexChanged.connect(self._refresh)
        self.side_radio.toggled.connect(self._mode_changed)
        window = parent.window() if parent is not None else None
        if window is not None and window.width() > 400:
            self.resize(round(window.width() * 0.85), round(window.height() * 0.85))
        else:
            self.resize(1300, 800)
        self._refresh()

    def _combo(self, name: str, photos: list[PhotoDTO], current: PhotoDTO | None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setIconSize(QSize(48, 36))
        for p in photos:
            pm = self.thumbs.pixmap(p.id) if self.thumbs is not None else None
            text = f"{taken_text(p)}　{p.file_name or ''}"
            if pm is not None:
                combo.addItem(pm, text, p.id)
            else:
                combo.addItem(text, p.id)
        if current is not None:
            combo.setCurrentIndex(max(0, combo.findData(current.id)))
        return combo

    def selected(self) -> tuple[PhotoDTO | None, PhotoDTO | None]:
        def pick(combo: QComboBox, photos: list[PhotoDTO]) -> PhotoDTO | None:
            pid = combo.currentData()
            return next((p for p in photos if p.id == pid), None)

        return pick(self.before_combo, self.befores), pick(self.after_combo, self.afters)

    def set_mode(self, mode: str) -> None:
        (self.slider_radio if mode == SLIDER else self.side_radio).setChecked(True)

    def _mode_changed(self) -> None:
        self.view.set_mode(SIDE if self.side_radio.isChecked() else SLIDER)
        self.hint.setText("" if self.side_radio.isChecked() else "拖动照片上的分隔线，左侧为整改前，右侧为整改后。")

    def _refresh(self) -> None:
        before, after = self.selected()
        self.view.before_caption = f"整改前 {taken_text(before)}" if before else "整改前"
        self.view.after_caption = f"整改后 {taken_text(after)}" if after else "整改后"
        self._show()
        for p in (before, after):
            if p is not None and p.id not in self._pixmaps:
                self._load(p.id)

    def _load(self, photo_id: int) -> None:
        desk = self.desk
        self.ops.run(
            lambda: load_display_image(desk, photo_id, max_edge=COMPARE_EDGE), self._loaded, label="正在载入对比照片…"
        )

    def _show(self) -> None:
        before, after = self.selected()

        def pm(p: PhotoDTO | None) -> QPixmap | None:
            if p is None:
                return None
            got = self._pixmaps.get(p.id)
            if got is None and self.thumbs is not None:
                got = self.thumbs.pixmap(p.id)  # a thumbnail stands in while the photo loads
            return got

        self.view.set_images(pm(before), pm(after))

    def _loaded(self, shown: DisplayImage) -> None:
        if self._closed:
            return
        self._pixmaps[shown.photo_id] = QPixmap.fromImage(shown.image)
        self._show()
        before, after = self.selected()
        if all(p is None or p.id in self._pixmaps for p in (before, after)):
            self.images_loaded.emit()

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)
