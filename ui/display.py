"""显示大小: one scale for the whole window — every page, menus and dialogs — applied through the
application font. A widget that wants a font relative to it (page titles, the navigation list) asks
`relative_font`, which follows later changes; nothing else sets a font size by hand."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from ui import prefs


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "QApplication must exist before the display size is used"
    return app


class DisplayScale(QObject):
    """The one display-size setting of this process; `DisplayScale.instance()`."""

    changed = Signal(float)

    _instance: DisplayScale | None = None

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._base = QFont(app.font())  # the font ui.fonts installed, at 标准
        self._scale = 1.0

    @classmethod
    def instance(cls) -> DisplayScale:
        if cls._instance is None:
            cls._instance = DisplayScale(_app())
        return cls._instance

    def scale(self) -> float:
        return self._scale

    def base_point_size(self) -> float:
        return self._base.pointSizeF()

    def set_scale(self, scale: float, *, remember: bool = True) -> None:
        """Apply `scale` to every widget (existing and future); `remember` stores it for this workstation."""
        if remember:
            prefs.DISPLAY_SCALE.set(scale)
        if scale == self._scale and _app().font().pointSizeF() == self._base.pointSizeF() * scale:
            return
        self._scale = scale
        font = QFont(self._base)
        font.setPointSizeF(self._base.pointSizeF() * scale)
        _app().setFont(font)
        # Qt posts the change to every widget; deliver it now so the window is consistent on return.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
        # A widget with a style sheet had its font fixed when the sheet was applied: apply it again.
        for widget in QApplication.allWidgets():
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet(sheet)
        self.changed.emit(scale)


class _Relative(QObject):
    def __init__(self, widget: QWidget, factor: float, bold: bool) -> None:
        super().__init__(widget)
        self._widget = widget
        self._factor = factor
        self._bold = bold
        DisplayScale.instance().changed.connect(self.apply)
        self.apply()

    @Slot()
    def apply(self) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * self._factor)
        if self._bold:
            font.setBold(True)
        self._widget.setFont(font)


def standard_font() -> QFont:
    """The window's font at 标准 size: for chart axes and value labels, which have no room to grow (a larger
    font makes the chart drop every other axis label)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(DisplayScale.instance().base_point_size())
    return font


def relative_font(widget: QWidget, factor: float, *, bold: bool = False) -> None:
    """Give `widget` a font `factor` times the window's text size, kept so when 显示大小 changes."""
    _Relative(widget, factor, bold)
