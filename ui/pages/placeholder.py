"""An honest page for features not built yet: says so, and what the page will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.display import relative_font

NOT_YET = "该功能正在建设中，将在后续版本提供"
COLUMN_WIDTH = 560


class PlaceholderPage(QWidget):
    def __init__(self, title: str, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        heading = QLabel(title)
        relative_font(heading, 1.6, bold=True)
        notice = QLabel(NOT_YET)
        notice.setObjectName("placeholder_notice")
        what = QLabel(purpose)
        what.setObjectName("placeholder_purpose")
        what.setWordWrap(True)
        what.setStyleSheet("QLabel { color: #5f6368; }")

        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        col = QVBoxLayout(column)
        col.setSpacing(10)
        for w in (heading, notice, what):
            w.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            col.addWidget(w)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
