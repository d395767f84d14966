"""One glyph per timeline event kind: a distinct shape and colour, painted the same in the timeline
drawing, the event list, the kind combo and the legend."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

from zhdesk.domain.vocab import EVENT_KINDS

# Colour of each kind; shapes are chosen in `glyph_path`. Readable on white, distinct for common colour blindness
# by shape even where hues are close.
KIND_COLORS: dict[str, str] = {
    "listed": "#c5221f",  # flag
    "inspection": "#1a73e8",  # circle with a centre dot
    "interview": "#8e24aa",  # speech bubble
    "action": "#e8710a",  # square
    "acceptance_request": "#00897b",  # diamond
    "accepted": "#1e8e3e",  # circle with a tick
    "rejected": "#a50e0e",  # circle with a cross
    "delisted": "#137333",  # star
    "follow_up": "#3949ab",  # ring (eye)
    "rebound": "#d84315",  # triangle with an exclamation mark
    "note": "#5f6368",  # note card
    "extended": "#b06000",  # arrow pointing later (延期)
    "urge": "#ad1457",  # envelope (催办: a 督办通知单 sent)
}
FALLBACK_COLOR = "#5f6368"


def kind_color(kind: str) -> QColor:
    return QColor(KIND_COLORS.get(kind, FALLBACK_COLOR))


def kind_label(kind: str) -> str:
    return EVENT_KINDS.get(kind, kind)


def _star(c: QPointF, r: float) -> QPolygonF:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.45
        a = -math.pi / 2 + i * math.pi / 5
        pts.append(QPointF(c.x() + rr * math.cos(a), c.y() + rr * math.sin(a)))
    return QPolygonF(pts)


def glyph_path(kind: str, rect: QRectF) -> QPainterPath:
    """The filled outline of a kind's glyph inside `rect`."""
    path = QPainterPath()
    r = min(rect.width(), rect.height()) / 2
    c = rect.center()
    box = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
    match kind:
        case "listed":  # flag on a pole
            pole = QRectF(box.left() + r * 0.25, box.top() + r * 0.1, r * 0.22, 1.8 * r)
            path.addRect(pole)
            path.addPolygon(
                QPolygonF(
                    [
                        QPointF(pole.right(), box.top() + r * 0.1),
                        QPointF(box.right() - r * 0.05, box.top() + r * 0.5),
                        QPointF(pole.right(), box.top() + r * 0.95),
                    ]
                )
            )
        case "interview":  # speech bubble
            body = QRectF(box.left(), box.top() + r * 0.1, 2 * r, r * 1.45)
            path.addRoundedRect(body, r * 0.35, r * 0.35)
            path.addPolygon(
                QPolygonF(
                    [
                        QPointF(c.x() - r * 0.45, body.bottom() - 1),
                        QPointF(c.x() - r * 0.7, box.bottom()),
                        QPointF(c.x() + r * 0.05, body.bottom() - 1),
                    ]
                )
            )
        case "action":
            path.addRoundedRect(box.adjusted(r * 0.12, r * 0.12, -r * 0.12, -r * 0.12), r * 0.18, r * 0.18)
        case "acceptance_request":
            path.addPolygon(
                QPolygonF([QPointF(c.x(), box.top()), QPointF(box.right(), c.y()),
                           QPointF(c.x(), box.bottom()), QPointF(box.left(), c.y())])
            )  # fmt: skip
        case "delisted":
            path.addPolygon(_star(c, r * 1.05))
        case "rebound":
            path.addPolygon(
                QPolygonF([QPointF(c.x(), box.top()), QPointF(box.right(), box.bottom() - r * 0.15),
                           QPointF(box.left(), box.bottom() - r * 0.15)])
            )  # fmt: skip
        case "note":
            path.addRoundedRect(box.adjusted(r * 0.2, 0, -r * 0.2, 0), r * 0.15, r * 0.15)
        case "extended":  # a fat arrow to the right: the deadline moved later
            t = r * 0.42
            path.addPolygon(
                QPolygonF([QPointF(box.left(), c.y() - t), QPointF(c.x(), c.y() - t), QPointF(c.x(), box.top()),
                           QPointF(box.right(), c.y()), QPointF(c.x(), box.bottom()), QPointF(c.x(), c.y() + t),
                           QPointF(box.left(), c.y() + t)])
            )  # fmt: skip
        case "urge":  # an envelope: a notice was sent
            path.addRect(box.adjusted(0, r * 0.3, 0, -r * 0.3))
        case _:  # inspection, accepted, rejected, follow_up and unknown kinds: a disc
            path.addEllipse(box.adjusted(r * 0.05, r * 0.05, -r * 0.05, -r * 0.05))
    path.closeSubpath()
    return path


def paint_glyph(painter: QPainter, kind: str, rect: QRectF, *, selected: bool = False) -> None:
    """Paint a kind's glyph in `rect`, with its inner mark; `selected` adds a dark outer ring."""
    color = kind_color(kind)
    r = min(rect.width(), rect.height()) / 2
    c = rect.center()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if selected:
        painter.setPen(QPen(QColor("#202124"), max(1.5, r * 0.18)))
        painter.setBrush(QColor(255, 235, 59, 170))
        painter.drawEllipse(c, r * 1.45, r * 1.45)
    painter.setPen(QPen(color.darker(135), max(1.0, r * 0.1)))
    painter.setBrush(color)
    painter.drawPath(glyph_path(kind, rect))
    mark = QPen(QColor("white"), max(1.2, r * 0.22), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin)  # fmt: skip
    painter.setPen(mark)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    match kind:
        case "inspection":
            painter.setBrush(QColor("white"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(c, r * 0.32, r * 0.32)
        case "accepted":
            painter.drawPolyline(
                QPolygonF([QPointF(c.x() - r * 0.45, c.y()), QPointF(c.x() - r * 0.1, c.y() + r * 0.38),
                           QPointF(c.x() + r * 0.5, c.y() - r * 0.38)])
            )  # fmt: skip
        case "rejected":
            d = r * 0.38
            painter.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
            painter.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))
        case "follow_up":
            painter.setBrush(QColor("white"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(c, r * 0.55, r * 0.55)
            painter.setBrush(color)
            painter.drawEllipse(c, r * 0.25, r * 0.25)
        case "rebound":
            painter.drawLine(QPointF(c.x(), c.y() - r * 0.3), QPointF(c.x(), c.y() + r * 0.2))
            painter.drawPoint(QPointF(c.x(), c.y() + r * 0.55))
        case "note":
            thin = QPen(mark)
            thin.setWidthF(max(1.0, r * 0.14))
            painter.setPen(thin)
            for dy in (-0.4, 0.0, 0.4):
                painter.drawLine(QPointF(c.x() - r * 0.4, c.y() + r * dy), QPointF(c.x() + r * 0.4, c.y() + r * dy))
        case "urge":  # the envelope's flap
            painter.drawPolyline(
                QPolygonF([QPointF(c.x() - r * 0.75, c.y() - r * 0.5), QPointF(c.x(), c.y() + r * 0.1),
                           QPointF(c.x() + r * 0.75, c.y() - r * 0.5)])
            )  # fmt: skip
    painter.restore()


_icons: dict[tuple[str, int, float], QIcon] = {}


def glyph_pixmap(kind: str, size: int = 16) -> QPixmap:
    app = QApplication.instance()
    ratio = float(app.devicePixelRatio()) if isinstance(app, QApplication) else 1.0
    pm = QPixmap(round(size * ratio), round(size * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    paint_glyph(p, kind, QRectF(1, 1, size - 2, size - 2))
    p.end()
    return pm


def glyph_icon(kind: str, size: int = 16) -> QIcon:
    app = QApplication.instance()
    ratio = float(app.devicePixelRatio()) if isinstance(app, QApplication) else 1.0
    key = (kind, size, ratio)
    icon = _icons.get(key)
    if icon is None:
        icon = _icons[key] = QIcon(glyph_pixmap(kind, size))
    return icon
