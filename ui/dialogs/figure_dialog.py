"""录入数字化城管件: a figure for one period (and optionally one community) entered by hand, until a
tally import feeds it.

The dialog saves through the worker (`desk.set_figure`); a refused input (bad number, end before
start) stays on screen with the Chinese message in red, and nothing is written. On success it emits
`saved(FigureDTO)` and closes. The figure already entered for the period and community shown is read
and passed back with the save (`expected`): one entered elsewhere meanwhile asks (ui/conflict.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import conflict as conflict_ui
from ui.ops import Ops, describe
from zhdesk.changes import FIGURES_CHANGED
from zhdesk.dto import FigureDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


METRIC = "city_cases"
WHOLE_STREET = "全街道"
ERROR_STYLE = "QLabel { color: #c5221f; }"
HINT_STYLE = "QLabel { color: #5f6368; }"


def this_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)


def saved_text(fig: FigureDTO) -> str:
    """Status-bar line: 已录入 2026-11-01 至 2026-11-30 全街道 处置数字化城管件 约120件."""
    period = f"{fig.period_start.isoformat()} 至 {fig.period_end.isoformat()}"
    return f"已录入 {period} {fig.community or WHOLE_STREET} {fig.metric_name} {fig.text}{fig.unit}"


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


class FigureDialog(QDialog):
    saved = Signal(object)  # FigureDTO

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.setWindowTitle("录入数字化城管件")
        self.setMinimumWidth(460)

        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "figure_from"), (self.date_to, "figure_to")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setMaximumDate(QDate(2099, 12, 31))
            edit.setToolTip("点击右侧箭头打开日历")
        period = QHBoxLayout()
        period.addWidget(self.date_from, 1)
        period.addWidget(QLabel("至"))
        period.addWidget(self.date_to, 1)

        self.community_combo = QComboBox()
        self.community_combo.setObjectName("figure_community")
        self.community_combo.setMinimumContentsLength(10)

        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("figure_value")
        self.value_edit.setPlaceholderText("如 1758、约130、100余")
        self.value_edit.setToolTip("可写约数：约130、近130、100余；全角数字亦可")
        unit = QLabel("件")
        value_row = QHBoxLayout()
        value_row.addWidget(self.value_edit, 1)
        value_row.addWidget(unit)

        form = QFormLayout()
        form.addRow("时段：", period)
        form.addRow("社区：", self.community_combo)
        form.addRow("数量：", value_row)

        self.hint = QLabel("同一时段、同一社区再次录入，会替换原来录入的数字。社区台账导入后以台账为准。")
        self.hint.setObjectName("figure_hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.error = QLabel()
        self.error.setObjectName("figure_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button().setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        self.current = QLabel()  # the figure already entered for the period and community
        self.current.setObjectName("figure_current")
        self.current.setStyleSheet(HINT_STYLE)
        # what the user was shown for (start, end, community): None when nothing was entered
        self.seen: dict[tuple[dt.date, dt.date, str | None], FigureDTO | None] = {}
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.load_current())
        self.community_combo.currentIndexChanged.connect(lambda _i: self.load_current())

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.current)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def prepare(
        self,
        start: dt.date | None,
        end: dt.date | None,
        community: str | None,
        communities: Sequence[str],
        today: dt.date | None = None,
    ) -> None:
        """Fresh form for the dashboard's filter; an open-ended range becomes this month."""
        if start is None or end is None:
            start, end = this_month(today or dt.date.today())
        self.community_combo.blockSignals(True)
        self.community_combo.clear()
        self.community_combo.addItem(WHOLE_STREET, None)
        for name in communities:
            self.community_combo.addItem(name, name)
        self.community_combo.blockSignals(False)
        self.seen.clear()
        self.set_values(start, end, community, "")
        self.set_error("")
        self.buttons.setEnabled(True)
        self.value_edit.setFocus()
        self.load_current()

    def set_values(self, start: dt.date, end: dt.date, community: str | None, text: str) -> None:
        """Fill the form (no read per field: the caller reads the figure once, `load_current`)."""
        widgets = (self.date_from, self.date_to, self.community_combo)
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            self.date_from.setDate(_qdate(start))
            self.date_to.setDate(_qdate(end))
            index = self.community_combo.findData(community) if community else 0
            self.community_combo.setCurrentIndex(max(index, 0))
        finally:
            for w, was in zip(widgets, blocked, strict=True):
                w.blockSignals(was)
        self.value_edit.setText(text)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def key(self) -> tuple[dt.date, dt.date, str | None]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date()), self.community_combo.currentData()

    def load_current(self, then: Callable[[], object] | None = None) -> None:
        """Read the figure entered for the period and community shown; `then` runs after."""
        key = self.key()
        start, end, community = key
        if self.community_combo.count() == 0 or end < start:
            self.current.setText("")
            return
        desk = self.desk
        self.ops.run(lambda: desk.hand_figure(METRIC, start, end, community),
                     lambda fig: self._show_current(key, fig, then), label="正在读取…", show_errors=False)  # fmt: skip

    def _show_current(self, key: tuple[dt.date, dt.date, str | None], fig: FigureDTO | None,
                      then: Callable[[], object] | None) -> None:  # fmt: skip
        self.seen[key] = fig
        if key == self.key():
            self.current.setText(f"已录入：{fig.text}{fig.unit}" if fig else "尚未录入")
        if then is not None:
            then()

    def save(self) -> None:
        desk = self.desk
        key = self.key()
        start, end, community = key
        text = self.value_edit.text()
        expected: dict[str, object] | None = None
        if key in self.seen:  # not yet read: saved without the check, as the command line does
            fig = self.seen[key]
            expected = {"value": fig.value if fig else None, "qualifier": fig.qualifier if fig else None}
        self.buttons.setEnabled(False)
        self.set_error("")
        self.ops.write(
            lambda: desk.set_figure(METRIC, start, end, text, community, expected=expected), FIGURES_CHANGED,
            self._saved, self._refused, label="正在保存…", show_errors=False,
        )  # fmt: skip

    def _saved(self, fig: FigureDTO) -> None:
        self.buttons.setEnabled(True)
        self.accept()
        self.saved.emit(fig)

    def _refused(self, exc: BaseException) -> None:
        """A Conflict asks: 载入对方的修改 puts theirs in the box, 用我的修改覆盖 saves mine over it."""
        self.buttons.setEnabled(True)

        def reload() -> None:
            self.load_current(lambda: self._show_theirs(key))

        key = self.key()
        if conflict_ui.resolve(self, exc, reload, lambda: self.load_current(self.save)) is None:
            self.set_error(describe(exc))
            self.value_edit.setFocus()

    def _show_theirs(self, key: tuple[dt.date, dt.date, str | None]) -> None:
        fig = self.seen.get(key)
        self.value_edit.setText(fig.text if fig else "")
        self.value_edit.setFocus()
