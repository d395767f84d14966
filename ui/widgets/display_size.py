"""显示大小 chooser: 标准 / 较大 / 特大, for large office screens. Every chooser drives and mirrors the one
`ui.display.DisplayScale`, so two choosers (挂牌督办 toolbar, 设置) never need wiring to each other."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QWidget

from ui.display import DisplayScale
from ui.prefs import DISPLAY_SIZES


def nearest_size(scale: float) -> int:
    """Index of the listed size closest to `scale` (settings files may hold anything)."""
    return min(range(len(DISPLAY_SIZES)), key=lambda i: abs(DISPLAY_SIZES[i][1] - scale))


class DisplaySizeCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for label, scale in DISPLAY_SIZES:
            self.addItem(label, scale)
        self.setToolTip("调整整个窗口的文字大小（本机记住此设置）")
        display = DisplayScale.instance()
        self.set_scale(display.scale())
        self.currentIndexChanged.connect(self._chosen)
        display.changed.connect(self.set_scale)

    def scale(self) -> float:
        return float(self.currentData())

    @Slot(float)
    def set_scale(self, scale: float) -> None:
        """Show `scale` without applying it again."""
        was = self.blockSignals(True)
        self.setCurrentIndex(nearest_size(scale))
        self.blockSignals(was)

    def _chosen(self, index: int) -> None:
        DisplayScale.instance().set_scale(float(self.itemData(index)))
