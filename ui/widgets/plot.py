"""A light pyqtgraph plot for zhdesk's charts: a ViewBox with a left and a bottom axis in a GraphicsView.

pyqtgraph's PlotItem builds, for every plot, a control form and menu (transforms, downsampling, averaging …),
buttons, a title and four axes; zhdesk's charts use none of them, and a PlotItem took 21–39 ms to build
against about 5 ms for what is here (issue 13: 总览's first visit builds seven plots). The layout is
PlotItem's (a grid: left axis, view box; bottom axis under the view box; 1 px margins, no spacing), so the
charts look the same.

`ValueLabels` draws many short texts (the value above each bar) in one item: a `pg.TextItem` costs about
1 ms to create, and a chart refilled with 30–60 of them was the largest part of a fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsGridLayout, QGraphicsItem, QGraphicsWidget, QWidget


class Axis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """An axis whose title label stays hidden (the charts have their own titles). AxisItem rebuilds the
    label's rich text on every pen, style and range change, ~20 times while a chart is made and styled;
    here only while the label shows (showLabel rebuilds it then)."""

    def _updateLabel(self) -> None:  # pyqtgraph's hook
        if self.label.isVisible():
            super()._updateLabel()
            return
        self._adjustSize()
        self.picture = None
        self.update()


class Plot(pg.GraphicsView):  # type: ignore[misc]  # pyqtgraph is untyped
    """A view box (`vb`) with `left` and `bottom` axis items linked to it, filling the widget."""

    def __init__(self, left: Axis, bottom: Axis, view_box: pg.ViewBox | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent, background="w")
        self.vb = view_box if view_box is not None else pg.ViewBox(enableMenu=False)
        self.left_axis, self.bottom_axis = left, bottom
        self.frame = QGraphicsWidget()
        self.grid = QGraphicsGridLayout()
        self.grid.setContentsMargins(1, 1, 1, 1)
        self.grid.setHorizontalSpacing(0)
        self.grid.setVerticalSpacing(0)
        self.frame.setLayout(self.grid)
        self.grid.addItem(self.vb, 0, 1)
        for axis, (row, col) in ((left, (0, 0)), (bottom, (1, 1))):
            axis.linkToView(self.vb)
            self.grid.addItem(axis, row, col)
            axis.setZValue(0.5)  # as PlotItem: above images (z 0), under items drawn over the axes (z ≥ 1)
            axis.setFlag(QGraphicsItem.GraphicsItemFlag.ItemNegativeZStacksBehindParent)
        for i in range(2):
            self.grid.setRowSpacing(i, 0)
            self.grid.setColumnSpacing(i, 0)
        self.grid.setRowStretchFactor(0, 100)
        self.grid.setRowStretchFactor(1, 1)
        self.grid.setColumnStretchFactor(0, 1)
        self.grid.setColumnStretchFactor(1, 100)
        self.setCentralItem(self.frame)

    def addItem(self, item: Any, ignoreBounds: bool = False) -> None:  # pyqtgraph's names
        self.vb.addItem(item, ignoreBounds=ignoreBounds)

    def removeItem(self, item: Any) -> None:
        self.vb.removeItem(item)

    def show_grid(self, x: bool = False, y: bool = False, alpha: float = 0.15) -> None:
        """Grid lines across the view from the bottom (x) or left (y) axis ticks, as PlotItem.showGrid."""
        self.bottom_axis.setGrid(int(alpha * 255) if x else False)
        self.left_axis.setGrid(int(alpha * 255) if y else False)

    def set_margins(self, left: float, top: float, right: float, bottom: float) -> None:
        self.grid.setContentsMargins(left, top, right, bottom)


TEXT_MARGIN = 4.0  # a TextItem's text sits in a QTextDocument with this margin all round


class ValueLabels(pg.GraphicsObject):  # type: ignore[misc]  # pyqtgraph is untyped
    """Texts at view positions, each anchored like a TextItem's (0..1 of its box, margins included; an
    anchor y over 1 sits further above the point), drawn unscaled in one paint. Add with ignoreBounds."""

    def __init__(self, font: QFont, color: str) -> None:
        super().__init__()
        self.font = QFont(font)
        self.color = QColor(color)
        self.labels: list[tuple[float, float, str, tuple[float, float]]] = []
        self.colors: list[QColor] = []  # one per label, or none: all in `color`
        self._sizes: list[tuple[float, float]] = []

    def set_labels(self, labels: Sequence[tuple[float, float, str, tuple[float, float]]],
                   colors: Sequence[QColor | str] = ()) -> None:  # fmt: skip
        self.prepareGeometryChange()
        self.labels = list(labels)
        self.colors = [QColor(c) for c in colors] if len(colors) == len(self.labels) else []
        fm = QFontMetricsF(self.font)
        pad = 2 * TEXT_MARGIN
        self._sizes = [(fm.horizontalAdvance(text) + pad, fm.lineSpacing() + pad) for _x, _y, text, _a in self.labels]
        self.update()

    def set_font(self, font: QFont) -> None:
        self.font = QFont(font)
        self.set_labels(self.labels, self.colors)

    def texts(self) -> list[str]:
        return [text for _x, _y, text, _a in self.labels]

    def viewRangeChanged(self) -> None:  # pyqtgraph's hook: the bounding rect follows the view
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        if vb is None or not self.labels:
            return QRectF()
        rect: QRectF = vb.viewRect()
        return rect.normalized()

    def paint(self, painter: QPainter, *_args: Any) -> None:
        if not self.labels:
            return
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        painter.setPen(self.color)
        for n, ((x, y, text, (ax, ay)), (w, h)) in enumerate(zip(self.labels, self._sizes, strict=True)):
            if self.colors:
                painter.setPen(self.colors[n])
            p = to_device.map(QPointF(x, y))
            rect = QRectF(p.x() - ax * w, p.y() - ay * h, w, h)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()
