"""The deadline light as a coloured round mark: pixmaps, icons and a table delegate."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from zhdesk.domain.lights import LIGHT_LABELS, Light

LIGHT_COLORS: dict[str, str] = {
    Light.RED.value: "#d93025",
    Light.YELLOW.value: "#f0a300",
    Light.GREEN.value: "#1e8e3e",
    Light.GREY.value: "#9aa0a6",
}

# Custom item data role carrying the light code ('red', ...) for the delegate.
LIGHT_ROLE = Qt.ItemDataRole.UserRole + 10


def light_label(light: str | None) -> str:
    return LIGHT_LABELS[Light(light)] if light else "未挂牌"


def light_color(light: str | None) -> QColor:
    return QColor(LIGHT_COLORS.get(light or "", "#dadce0"))


def paint_light(painter: QPainter, rect: QRectF, light: str | None) -> None:
    """A filled circle with a slightly darker rim, centred in `rect`."""
    d = min(rect.width(), rect.height())
    circle = QRectF(rect.center().x() - d / 2, rect.center().y() - d / 2, d, d).adjusted(1, 1, -1, -1)
    color = light_color(light)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(color.darker(125), max(1.0, d / 14)))
    painter.setBrush(color)
    painter.drawEllipse(circle)
    painter.restore()


_cache: dict[tuple[str | None, int, float], QPixmap] = {}


def light_pixmap(light: str | None, size: int = 16) -> QPixmap:
    app = QApplication.instance()
    ratio = float(app.devicePixelRatio()) if isinstance(app, QApplication) else 1.0
    key = (light, size, ratio)
    pm = _cache.get(key)
    if pm is None:
        pm = QPixmap(round(size * ratio), round(size * ratio))
        pm.setDevicePixelRatio(ratio)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        paint_light(p, QRectF(0, 0, size, size), light)
        p.end()
        _cache[key] = pm
    return pm


def light_icon(light: str | None, size: int = 16) -> QIcon:
    return QIcon(light_pixmap(light, size))


class LightDelegate(QStyledItemDelegate):
    """Paints the light centred in its cell, sized to the view's font (so display size scales it)."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.icon = QIcon()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = opt.widget if isinstance(opt.widget, QWidget) else None
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        light = index.data(LIGHT_ROLE)
        if light is None:
            return
        d = opt.fontMetrics.height() * 0.85
        r = QRectF(opt.rect)
        paint_light(painter, QRectF(r.center().x() - d / 2, r.center().y() - d / 2, d, d), light)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        h = option.fontMetrics.height()
        return QSize(int(h * 2.2), int(h * 1.6))
