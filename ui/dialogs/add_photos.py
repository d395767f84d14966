"""Small choosers for photos: the phase and event of photos being added, the event a photo documents."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.event_glyphs import glyph_icon
from zhdesk.domain.vocab import PHASES
from zhdesk.dto import EventDTO

NO_EVENT = "不关联事件"


def event_choice_text(e: EventDTO, limit: int = 24) -> str:
    text = f"{e.date.isoformat()} {e.kind_label}"
    detail = e.text or "、".join(e.actors)
    if detail:
        detail = detail if len(detail) <= limit else detail[: limit - 1] + "…"
        text += f" — {detail}"
    return text


def fill_events(combo: QComboBox, events: Sequence[EventDTO], none_text: str, current: int | None = None) -> None:
    combo.clear()
    combo.addItem(none_text, None)
    for e in sorted(events, key=lambda e: (e.date, e.id), reverse=True):  # newest first
        combo.addItem(glyph_icon(e.kind, 16), event_choice_text(e), e.id)
    combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class AddPhotosDialog(QDialog):
    """Which phase the new photos show, and (optionally) the timeline event they document."""

    def __init__(
        self,
        parent: QWidget | None,
        address: str,
        what: str,
        events: Sequence[EventDTO],
        phase: str = "before",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"添加照片 — {address}")
        self.setMinimumWidth(440)
        intro = QLabel(f"将添加：{what}")
        intro.setWordWrap(True)
        self.phase_combo = QComboBox()
        self.phase_combo.setObjectName("add_phase")
        for code, label in PHASES.items():
            self.phase_combo.addItem(label, code)
        self.phase_combo.setCurrentIndex(max(0, self.phase_combo.findData(phase)))
        self.event_combo = QComboBox()
        self.event_combo.setObjectName("add_event")
        fill_events(self.event_combo, events, NO_EVENT)
        form = QFormLayout()
        form.addRow("照片阶段：", self.phase_combo)
        form.addRow("关联事件：", self.event_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "添加"))

    def choice(self) -> tuple[str, int | None]:
        return str(self.phase_combo.currentData()), self.event_combo.currentData()


class LinkEventDialog(QDialog):
    """关联到事件…: the event the selected photos document, or none."""

    def __init__(self, parent: QWidget | None, count: int, events: Sequence[EventDTO], current: int | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关联到事件")
        self.setMinimumWidth(440)
        self.event_combo = QComboBox()
        self.event_combo.setObjectName("link_event")
        fill_events(self.event_combo, events, "不关联任何事件", current)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"把所选的 {count} 张照片关联到时间线上的事件："))
        layout.addWidget(self.event_combo)
        layout.addWidget(_buttons(self, "确定"))

    def event_id(self) -> int | None:
        value = self.event_combo.currentData()
        return int(value) if value is not None else None
