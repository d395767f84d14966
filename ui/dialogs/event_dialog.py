"""记录事件 / 编辑事件: kind, date (calendar popup), optional time, actors, text.

The dialog does not close on 保存: it emits `submitted`, the owner saves through the worker and calls
`accept()` when the save succeeded, so a refused input stays on screen to be corrected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.event_glyphs import glyph_icon
from zhdesk.domain.vocab import EVENT_KINDS, MANUAL_EVENT_KINDS
from zhdesk.dto import EventDTO

_ACTOR_SEPARATORS = re.compile(r"[、，,；;]+")


def split_actors(text: str) -> tuple[str, ...]:
    """'李明远、郑红梅, 刘海峰' -> ('李明远', '郑红梅', '刘海峰'); blanks and repeats dropped."""
    seen: list[str] = []
    for part in _ACTOR_SEPARATORS.split(text):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return tuple(seen)


@dataclass(frozen=True)
class EventInput:
    kind: str
    on: dt.date
    at: dt.time | None
    actors: tuple[str, ...]
    text: str


class EventDialog(QDialog):
    submitted = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        address: str,
        event: EventDTO | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.editing = event  # None when recording a new event
        self.setWindowTitle(("编辑事件" if event else "记录事件") + f" — {address}")
        self.setMinimumWidth(460)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("event_kind")
        # Workflow kinds (挂牌, 验收通过 …) come only from the workflow: a workflow event keeps its kind.
        workflow_event = event is not None and event.kind not in MANUAL_EVENT_KINDS
        kinds = MANUAL_EVENT_KINDS
        if workflow_event and event is not None:
            kinds = {event.kind: EVENT_KINDS.get(event.kind, event.kind)}
        for code, label in kinds.items():
            self.kind_combo.addItem(glyph_icon(code, 18), label, code)
        self.kind_combo.setEnabled(not workflow_event)
        if workflow_event:
            self.kind_combo.setToolTip("流程事件的类型由挂牌流程决定，不能修改")

        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("event_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setToolTip("点击右侧箭头打开日历")
        self.time_check = QCheckBox("时间")
        self.time_check.setObjectName("event_has_time")
        self.time_edit = QTimeEdit()
        self.time_edit.setObjectName("event_time")
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setEnabled(False)
        self.time_check.toggled.connect(self.time_edit.setEnabled)
        when = QHBoxLayout()
        when.addWidget(self.date_edit, 1)
        when.addSpacing(12)
        when.addWidget(self.time_check)
        when.addWidget(self.time_edit)

        self.actors_edit = QLineEdit()
        self.actors_edit.setObjectName("event_actors")
        self.actors_edit.setPlaceholderText("参与人或单位，多个用“、”或“，”分隔（可不填）")
        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("event_text")
        self.text_edit.setPlaceholderText("检查发现、约谈内容、采取的措施……")
        self.text_edit.setTabChangesFocus(True)

        form = QFormLayout()
        form.addRow("类型：", self.kind_combo)
        form.addRow("日期：", when)
        form.addRow("参与人：", self.actors_edit)
        form.addRow("内容：", self.text_edit)

        self.status = QLabel()
        self.status.setObjectName("event_dialog_status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        today = today or dt.date.today()
        if event is None:
            self.date_edit.setDate(QDate(today.year, today.month, today.day))
            self.kind_combo.setCurrentIndex(self.kind_combo.findData("inspection"))
        else:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(event.kind)))
            self.date_edit.setDate(QDate(event.date.year, event.date.month, event.date.day))
            if event.time is not None:
                self.time_check.setChecked(True)
                self.time_edit.setTime(QTime(event.time.hour, event.time.minute))
            self.actors_edit.setText("、".join(event.actors))
            self.text_edit.setPlainText(event.text or "")

    def save_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def only_kind(self, kind: str) -> None:
        """Offer this one kind (a role that may only comment records 备注)."""
        label = EVENT_KINDS.get(kind, kind)
        self.kind_combo.clear()
        self.kind_combo.addItem(glyph_icon(kind, 18), label, kind)
        self.kind_combo.setEnabled(False)
        self.kind_combo.setToolTip(f"当前账户的角色只能添加{label}")

    def set_values(self, kind: str, on: dt.date, text: str = "", actors: str = "", at: dt.time | None = None) -> None:
        """Fill the form (tests, and re-use of a previous entry)."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.date_edit.setDate(QDate(on.year, on.month, on.day))
        self.time_check.setChecked(at is not None)
        if at is not None:
            self.time_edit.setTime(QTime(at.hour, at.minute))
        self.actors_edit.setText(actors)
        self.text_edit.setPlainText(text)

    def values(self) -> EventInput:
        d = self.date_edit.date()
        t = self.time_edit.time()
        return EventInput(
            kind=str(self.kind_combo.currentData()),
            on=dt.date(d.year(), d.month(), d.day()),
            at=dt.time(t.hour(), t.minute()) if self.time_check.isChecked() else None,
            actors=split_actors(self.actors_edit.text()),
            text=self.text_edit.toPlainText().strip(),
        )

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.buttons.setEnabled(not busy)
        self.status.setText(text)

    def _submit(self) -> None:
        self.set_busy(True, "正在保存…")
        self.submitted.emit()
