"""The registry dialogs' shared frame: 保存 writes through `ops.write`; a refusal stays on screen in one
line (the dialog does not close), success closes it and reports through `on_saved`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from ui import conflict as conflict_ui
from ui.conflict import Choice
from ui.ops import Ops, describe
from zhdesk.changes import Changes
from zhdesk.errors import Conflict


def date_edit(name: str, value: dt.date | None = None) -> QDateEdit:
    """A date field with the calendar popup and the office's display (yyyy-MM-dd)."""
    e = QDateEdit()
    e.setObjectName(name)
    e.setCalendarPopup(True)
    e.setDisplayFormat("yyyy-MM-dd")
    e.setToolTip("点击右侧箭头打开日历")
    if value is not None:
        set_date(e, value)
    return e


def set_date(e: QDateEdit, value: dt.date) -> None:
    e.setDate(QDate(value.year, value.month, value.day))


def get_date(e: QDateEdit) -> dt.date:
    d = e.date()
    return dt.date(d.year(), d.month(), d.day())


class WriteDialog(QDialog):
    """Subclasses build their form into `self.form_layout` and implement `work()`."""

    saved = Signal(object)  # the write's result

    def __init__(self, parent: QWidget | None, ops: Ops, title: str, changes: Changes) -> None:
        super().__init__(parent)
        self.ops = ops
        self.changes = changes
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.form_layout = QVBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("dialog_status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form_layout)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.last_error: str | None = None

    def save_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def work(self) -> Callable[[], Any] | None:
        """The write to run on the worker, or None when the dialog refused before writing."""
        raise NotImplementedError

    def save(self) -> None:
        fn = self.work()
        if fn is None:
            return
        self.buttons.setEnabled(False)
        self.status.setText("正在保存…")
        self.ops.write(fn, self.changes, self._saved, self._failed, show_errors=False, initiator=self)

    def refuse(self, message: str) -> None:
        """Show why nothing was saved, in one line; the dialog stays open to be corrected."""
        self.last_error = message
        self.status.setText("未保存：" + message)
        self.status.setStyleSheet("QLabel { color: #b00020; }")

    def _saved(self, result: object) -> None:
        if not isValid(self):
            return
        self.last_error = None
        self.saved.emit(result)
        self.accept()

    def current(self) -> Callable[[], Any] | None:
        """A read of the record as it is now (for a save refused as a Conflict), or None when the dialog
        edits nothing that has a version (a new record)."""
        return None

    def adopt(self, record: Any) -> None:
        """Take `record` (what `current()` read) as the one being edited: the next save uses its version."""

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.refuse(describe(exc))
        read = self.current()
        if isinstance(exc, Conflict) and read is not None:
            choice = conflict_ui.choose(self, exc)
            if choice is Choice.RELOAD:  # discard mine: the pages show theirs
                self.ops.changed.emit(self.changes, None)
                self.reject()
            elif choice is Choice.OVERWRITE:
                self.status.setText("正在读取最新版本…")
                self.ops.run(read, self._overwrite, self._failed, show_errors=False)

    def _overwrite(self, record: Any) -> None:
        if isValid(self):
            self.adopt(record)
            self.save()
