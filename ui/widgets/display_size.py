"""显示大小 chooser: 标准 / 较大 / 特大, for large office screens."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ui.prefs import DISPLAY_SIZES


def nearest_size(scale: float) -> int:
    """Index of the listed size closest to `scale` (settings files may hold anything)."""
    return min(range(len(DISPLAY_SIZES)), key=lambda i: abs(DISPLAY_SIZES[i][1] - scale))


class DisplaySizeCombo(QComboBox):
    scale_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for label, scale in DISPLAY_SIZES:
            self.addItem(label, scale)
        self.setToolTip("调整本页文字大小（本机记住此设置）")
        self.currentIndexChanged.connect(lambda i: self.scale_changed.emit(float(self.itemData(i))))

    def scale(self) -> float:
        return float(self.currentData())

    def set_scale(self, scale: float, *, notify: bool = True) -> None:
        was = self.blockSignals(not notify)
        self.setCurrentIndex(nearest_size(scale))
        self.blockSignals(was)
