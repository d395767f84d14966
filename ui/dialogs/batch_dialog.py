"""新建一期 / 添加督办件: a batch header and an items editor (typed one by one, or pasted).

Submitting runs `create_batch` (or `add_items`) on the worker. A refusal is shown in one line of
Chinese and the dialog stays open with everything typed, so the user can fix it and try again.
Also here: 办结 (the closing date of one item).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.paste_dialog import PasteDialog
from ui.ops import Ops, describe
from zhdesk.changes import ITEMS_ADDED
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.dto import BatchDTO, ItemInput

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


Index = QModelIndex | QPersistentModelIndex

AUTO_COMMUNITY = "（按地址）"
NO_CATEGORY = "（不分类）"
DRAFT_HEADERS = ("地址", "社区", "问题类别", "问题", "整改时限", "责任单位")


def to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def date_edit(name: str, value: dt.date) -> QDateEdit:
    """A date field with a calendar popup (Chinese through the app's default locale)."""
    w = QDateEdit(to_qdate(value))
    w.setObjectName(name)
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    return w


def next_issue_no(batches: Sequence[BatchDTO], kind: str, year: int) -> int:
    """The next free 期号 for a kind and year: one past the highest used."""
    used = [b.issue_no for b in batches if b.kind == kind and b.year == year]
    return max(used, default=0) + 1


def last_numbers_of(batches: Sequence[BatchDTO]) -> dict[tuple[str, int], int]:
    """The highest 期号 per (kind, year) of `batches`: what Desk.last_issue_numbers reads in SQL."""
    out: dict[tuple[str, int], int] = {}
    for b in batches:
        out[b.kind, b.year] = max(out.get((b.kind, b.year), 0), b.issue_no)
    return out


class DraftItemsModel(QAbstractTableModel):
    """The items about to be submitted, in order (read-only; rows are added and removed whole)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[ItemInput] = []

    def items(self) -> list[ItemInput]:
        return list(self._items)

    def append(self, items: Sequence[ItemInput]) -> None:
        if not items:
            return
        n = len(self._items)
        self.beginInsertRows(QModelIndex(), n, n + len(items) - 1)
        self._items.extend(items)
        self.endInsertRows()

    def remove(self, rows: Sequence[int]) -> None:
        for r in sorted(set(rows), reverse=True):
            if 0 <= r < len(self._items):
                self.beginRemoveRows(QModelIndex(), r, r)
                del self._items[r]
                self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DRAFT_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return DRAFT_HEADERS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        i = self._items[index.row()]
        values = (i.address, i.community or AUTO_COMMUNITY, i.category, i.problem,
                  i.deadline.isoformat() if i.deadline else "", i.unit)  # fmt: skip
        return values[index.column()] or ""


class BatchDialog(QDialog):
    """New batch (`batch=None`) or more items for an existing one. `result_batch_id` is set once saved."""

    def __init__(
        self,
        desk: Desk,
        ops: Ops,
        *,
        last_numbers: Mapping[tuple[str, int], int],
        communities: Sequence[str],
        addresses: Sequence[str],
        categories: Sequence[str],
        batch: BatchDTO | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.batch = batch
        self.last_numbers = dict(last_numbers)  # (kind, year) -> highest 期号 used
        self.communities = list(communities)
        self.result_batch_id: int | None = None
        self.paste_dialog: PasteDialog | None = None
        self._busy = False
        today = today or dt.date.today()
        self.setWindowTitle(f"添加督办件 — {batch.label}" if batch else "新建一期督办通报")
        self.resize(1000, 700)

        # Header: kind, date (year follows), 期号 (next free suggested), issuer, title.
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("batch_kind")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        self.issued_on = date_edit("batch_issued_on", batch.issued_on if batch else today)
        self.year_label = QLabel()
        self.year_label.setObjectName("batch_year")
        self.issue_no = QSpinBox()
        self.issue_no.setObjectName("batch_issue_no")
        self.issue_no.setRange(1, 999)
        self.issue_no.setPrefix("第 ")
        self.issue_no.setSuffix(" 期")
        self.issue_hint = QLabel()
        self.issue_hint.setObjectName("batch_issue_hint")
        self.issuer = QLineEdit()
        self.issuer.setObjectName("batch_issuer")
        self.issuer.setPlaceholderText("如：街道城市管理办公室")
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("batch_title")
        self.title_edit.setPlaceholderText("可不填，默认为“2021年巡查第3期”的形式")
        when = QHBoxLayout()
        when.addWidget(self.issued_on)
        when.addWidget(self.year_label)
        when.addStretch(1)
        issue = QHBoxLayout()
        issue.addWidget(self.issue_no)
        issue.addWidget(self.issue_hint)
        issue.addStretch(1)
        head = QFormLayout()
        head.addRow("类型：", self.kind_combo)
        head.addRow("下发日期：", when)
        head.addRow("期号：", issue)
        head.addRow("下发单位：", self.issuer)
        head.addRow("标题：", self.title_edit)
        head_box = QGroupBox("本期信息")
        head_box.setLayout(head)
        if batch is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(batch.kind))
            self.issue_no.setValue(batch.issue_no)
            self.issuer.setText(batch.issuer or "")
            self.title_edit.setText(batch.title or "")
            for w in (self.kind_combo, self.issued_on, self.issue_no, self.issuer, self.title_edit):
                w.setEnabled(False)
            self.issue_hint.setText("（已下发，本期信息不可在此修改）")

        # One item at a time.
        self.address = QLineEdit()
        self.address.setObjectName("item_address")
        self.address.setPlaceholderText("地址（必填）")
        self.address_list = QStringListModel(sorted(set(addresses)), self)
        completer = QCompleter(self.address_list, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.address.setCompleter(completer)
        self.community = QComboBox()
        self.community.setObjectName("item_community")
        self.community.addItem(AUTO_COMMUNITY, None)
        self.community.setToolTip("已有点位可按地址自动确定社区；新地址必须选择社区")
        for name in communities:
            self.community.addItem(name, name)
        self.category = QComboBox()
        self.category.setObjectName("item_category")
        self.category.addItem(NO_CATEGORY, None)
        for name in categories:
            self.category.addItem(name, name)
        self.problem = QLineEdit()
        self.problem.setObjectName("item_problem")
        self.problem.setPlaceholderText("问题描述")
        self.has_deadline = QCheckBox("整改时限")
        self.has_deadline.setObjectName("item_has_deadline")
        self.has_deadline.setChecked(True)
        self.deadline = date_edit("item_deadline", today + dt.timedelta(days=7))
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.unit = QLineEdit()
        self.unit.setObjectName("item_unit")
        self.unit.setPlaceholderText("责任单位")
        self.add_button = QPushButton("添加此处")
        self.add_button.setObjectName("item_add")
        self.add_button.setToolTip("把上面填写的一处加入下表")
        self.paste_button = QPushButton("粘贴…")
        self.paste_button.setObjectName("item_paste")
        self.paste_button.setToolTip("从 Excel/WPS 表格复制多行后粘贴")
        self.remove_button = QPushButton("删除所选")
        self.remove_button.setObjectName("item_remove")
        grid = QGridLayout()
        grid.addWidget(QLabel("地址："), 0, 0)
        grid.addWidget(self.address, 0, 1)
        grid.addWidget(QLabel("社区："), 0, 2)
        grid.addWidget(self.community, 0, 3)
        grid.addWidget(QLabel("问题类别："), 0, 4)
        grid.addWidget(self.category, 0, 5)
        grid.addWidget(QLabel("问题："), 1, 0)
        grid.addWidget(self.problem, 1, 1, 1, 3)
        grid.addWidget(self.has_deadline, 1, 4)
        grid.addWidget(self.deadline, 1, 5)
        grid.addWidget(QLabel("责任单位："), 2, 0)
        grid.addWidget(self.unit, 2, 1, 1, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addWidget(self.paste_button)
        actions.addStretch(1)
        actions.addWidget(self.remove_button)

        self.drafts = DraftItemsModel(self)
        self.table = QTableView()
        self.table.setObjectName("draft_items")
        self.table.setModel(self.drafts)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, chars in enumerate((9, 8, 6, 14, 6)):
            header.resizeSection(col, self.fontMetrics().horizontalAdvance("汉") * chars)
        items_box = QGroupBox("督办件（处）")
        items_layout = QVBoxLayout(items_box)
        items_layout.addLayout(grid)
        items_layout.addLayout(actions)
        items_layout.addWidget(self.table, 1)

        self.error = QLabel()
        self.error.setObjectName("batch_dialog_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c5221f;")
        self.count = QLabel()
        self.count.setObjectName("batch_dialog_count")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("batch_save")
        self.save_button.setText("添加督办件" if batch else "保存本期")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(head_box)
        layout.addWidget(items_box, 1)
        layout.addLayout(bottom)

        # Wiring.
        self.kind_combo.currentIndexChanged.connect(self._suggest_issue_no)
        self.issued_on.dateChanged.connect(self._suggest_issue_no)
        self.add_button.clicked.connect(self.add_typed_item)
        self.address.returnPressed.connect(self.add_typed_item)
        self.paste_button.clicked.connect(self.open_paste)
        self.remove_button.clicked.connect(self._remove_selected)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.drafts.rowsInserted.connect(self._update_count)
        self.drafts.rowsRemoved.connect(self._update_count)
        if batch is None:
            self._suggest_issue_no()
        self._update_count()

    # ------------------------------------------------------------ header
    def kind(self) -> Kind:
        return Kind(self.kind_combo.currentData())

    def issue_date(self) -> dt.date:
        return from_qdate(self.issued_on.date())

    def _suggest_issue_no(self) -> None:
        day = self.issue_date()
        self.year_label.setText(f"（{day.year}年度）")
        if self.batch is not None:
            return
        n = self.last_numbers.get((self.kind().value, day.year), 0) + 1
        was = self.issue_no.blockSignals(True)
        self.issue_no.setValue(n)
        self.issue_no.blockSignals(was)
        self.issue_hint.setText(f"（{day.year}年{self.kind().label}下一期为第{n}期）")

    def set_addresses(self, addresses: Sequence[str]) -> None:
        """The address field's completions, read after the dialog opened (10,000 sites are not read with
        the page)."""
        self.address_list.setStringList(list(addresses))

    # ------------------------------------------------------------ items
    def typed_item(self) -> ItemInput | None:
        address = self.address.text().strip()
        if not address:
            return None
        return ItemInput(
            address=address,
            community=self.community.currentData(),
            problem=self.problem.text().strip() or None,
            category=self.category.currentData(),
            deadline=from_qdate(self.deadline.date()) if self.has_deadline.isChecked() else None,
            unit=self.unit.text().strip() or None,
        )

    def add_typed_item(self) -> bool:
        item = self.typed_item()
        if item is None:
            self.error.setText("请填写地址。")
            self.address.setFocus()
            return False
        self.drafts.append([item])
        self.error.clear()
        for w in (self.address, self.problem):
            w.clear()
        self.address.setFocus()
        return True

    def open_paste(self) -> PasteDialog:
        """Open the paste dialog (non-blocking); its rows are appended when it is accepted."""
        dialog = PasteDialog(self.communities, self)
        dialog.set_default_community(self.community.currentData())
        dialog.accepted.connect(lambda: self._pasted(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.paste_dialog = dialog
        dialog.open()
        return dialog

    def _pasted(self, dialog: PasteDialog) -> None:
        items = dialog.items()
        self.drafts.append(items)
        self.error.clear()

    def _remove_selected(self) -> None:
        self.drafts.remove([i.row() for i in self.table.selectionModel().selectedRows()])

    def _update_count(self) -> None:
        self.count.setText(f"共 {self.drafts.rowCount()} 处")

    def items(self) -> list[ItemInput]:
        return self.drafts.items()

    # ------------------------------------------------------------ submit
    def submit(self) -> None:
        """Save on the worker; on refusal keep everything as typed and say why."""
        if self._busy:
            return
        items = self.items()
        if not items:
            self.error.setText("还没有添加督办件：请填写后点“添加此处”，或用“粘贴…”。")
            return
        desk = self.desk
        self._set_busy(True)
        if self.batch is None:
            kind, no, day = self.kind(), self.issue_no.value(), self.issue_date()
            issuer = self.issuer.text().strip() or None
            title = self.title_edit.text().strip() or f"{day.year}年{kind.label}第{no}期"
            self.ops.write(
                lambda: desk.create_batch(kind, no, day, items, issuer=issuer, title=title).id,
                ITEMS_ADDED,
                self._saved,
                self._refused,
                label="正在保存督办通报…",
            )
        else:
            batch_id = self.batch.id
            self.ops.write(
                lambda: (desk.add_items(batch_id, items), batch_id)[1],
                ITEMS_ADDED,
                self._saved,
                self._refused,
                label="正在添加督办件…",
            )

    def _saved(self, batch_id: int) -> None:
        self._set_busy(False)
        self.result_batch_id = batch_id
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.setText(describe(exc))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)


class CloseItemDialog(QDialog):
    """办结: the closing date, today by default."""

    def __init__(self, label: str, today: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("办结")
        self.date = date_edit("close_date", today or dt.date.today())
        text = QLabel(f"确认“{label}”已整改完毕并办结。")
        text.setWordWrap(True)
        form = QFormLayout()
        form.addRow(text)
        form.addRow("办结日期：", self.date)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("办结")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)

    def closing_date(self) -> dt.date:
        return from_qdate(self.date.date())
