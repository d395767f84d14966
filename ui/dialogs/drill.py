"""Drill-down list: the supervision items behind one bar, point or card of the 总览 dashboard.

A non-modal dialog with a sortable table (model/view over ItemDTOs), export to .xlsx exactly as shown
(on the worker) and 打开点位 (double-click a row) to show the site on the 挂牌督办 page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import prefs
from ui.ops import Ops
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.export import Cell, Column, export_table
from zhdesk.services.supervision import ItemDTO

Index = QModelIndex | QPersistentModelIndex
OVERDUE_COLOR = QColor("#c5221f")
CLOSED_COLOR = QColor("#5f6368")


class ICol(IntEnum):
    ADDRESS = 0
    COMMUNITY = 1
    KIND = 2
    PROBLEM = 3
    DEADLINE = 4
    UNIT = 5
    STATUS = 6
    CLOSED_ON = 7


COLUMNS: dict[ICol, Column] = {
    ICol.ADDRESS: Column("地址"),
    ICol.COMMUNITY: Column("社区"),
    ICol.KIND: Column("督办件"),
    ICol.PROBLEM: Column("问题"),
    ICol.DEADLINE: Column("整改时限", "date"),
    ICol.UNIT: Column("责任单位"),
    ICol.STATUS: Column("状态"),
    ICol.CLOSED_ON: Column("办结日期", "date"),
}


def kind_label(code: str) -> str:
    try:
        return KIND_LABELS[Kind(code)]
    except ValueError:
        return code


def kind_text(item: ItemDTO) -> str:
    return f"{kind_label(item.kind)} 第{item.issue_no}期"


def problem_text(item: ItemDTO) -> str:
    if item.category and item.problem:
        return f"{item.category}：{item.problem}"
    return item.category or item.problem or ""


def status_text(item: ItemDTO, today: dt.date) -> str:
    if item.status == "closed":
        return "已办结"
    if item.overdue and item.deadline is not None:
        return f"超期{(today - item.deadline).days}天"
    if item.deferred:
        return "缓办"
    if item.deadline is not None:
        left = (item.deadline - today).days
        return "今天到期" if left == 0 else f"整改中（剩{left}天）" if left > 0 else "整改中"
    return "整改中"


def cell(item: ItemDTO, col: ICol, today: dt.date) -> Cell:
    """The value shown (and exported) for one column: dates stay dates."""
    match col:
        case ICol.ADDRESS:
            return item.address
        case ICol.COMMUNITY:
            return item.community
        case ICol.KIND:
            return kind_text(item)
        case ICol.PROBLEM:
            return problem_text(item)
        case ICol.DEADLINE:
            return item.deadline
        case ICol.UNIT:
            return item.unit or ""
        case ICol.STATUS:
            return status_text(item, today)
        case ICol.CLOSED_ON:
            return item.closed_on


def sort_key(item: ItemDTO, col: ICol, today: dt.date) -> Any:
    if col == ICol.STATUS:  # most urgent first: overdue (longest first), open, closed
        days = (today - item.deadline).days if item.overdue and item.deadline else 0
        return (0 if item.overdue else 2 if item.status == "closed" else 1, -days)
    if col == ICol.KIND:
        return (kind_label(item.kind), item.issue_no)
    value = cell(item, col, today)
    if isinstance(value, dt.date):
        return value.toordinal()
    return "" if value is None else value


class ItemsModel(QAbstractTableModel):
    def __init__(self, today: dt.date | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = today or dt.date.today()
        self._items: list[ItemDTO] = []

    def set_items(self, items: Sequence[ItemDTO], today: dt.date | None = None) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.today = today or dt.date.today()
        self.endResetModel()

    def items(self) -> list[ItemDTO]:
        return list(self._items)

    def item_at(self, row: int) -> ItemDTO:
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ICol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[ICol(section)].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        col = ICol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            value = cell(item, col, self.today)
            return value.isoformat() if isinstance(value, dt.date) else value
        if role == Qt.ItemDataRole.UserRole:
            return sort_key(item, col, self.today)
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.overdue:
                return OVERDUE_COLOR
            if item.status == "closed":
                return CLOSED_COLOR
        if role == Qt.ItemDataRole.ToolTipRole and col in (ICol.PROBLEM, ICol.ADDRESS, ICol.UNIT):
            return str(cell(item, col, self.today))
        return None


class ItemsProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def lessThan(self, left: Index, right: Index) -> bool:
        a = left.data(Qt.ItemDataRole.UserRole)
        b = right.data(Qt.ItemDataRole.UserRole)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)

    def item_at(self, proxy_row: int) -> ItemDTO:
        source = self.sourceModel()
        assert isinstance(source, ItemsModel)
        return source.item_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def shown_items(self) -> list[ItemDTO]:
        return [self.item_at(r) for r in range(self.rowCount())]

    def export_rows(self) -> list[list[Cell]]:
        source = self.sourceModel()
        assert isinstance(source, ItemsModel)
        return [[cell(i, c, source.today) for c in ICol] for i in self.shown_items()]


class DrillDialog(QDialog):
    """One reusable window; `show_items` replaces its contents."""

    site_requested = Signal(int)
    message = Signal(str)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drill_dialog")
        self.setWindowTitle("明细")
        self.setModal(False)
        self.ops = ops
        self.title = ""
        self.heading = QLabel()
        self.heading.setObjectName("drill_heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.model = ItemsModel(parent=self)
        self.proxy = ItemsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("drill_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ICol.PROBLEM, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.hint = QLabel("双击某一行（或选中后点“打开点位”）在“挂牌督办”页查看该点位及其照片。")
        self.hint.setStyleSheet("QLabel { color: #5f6368; }")
        self.open_button = QPushButton("打开点位")
        self.open_button.setObjectName("drill_open")
        self.open_button.clicked.connect(self._open_selected)
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("drill_export")
        self.export_button.clicked.connect(self.export_excel)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(1150, 560)
        self._update_buttons()

    def _exported(self, text: str) -> None:
        self.hint.setText(text)
        self.message.emit(text)

    def show_items(self, title: str, items: Sequence[ItemDTO], today: dt.date | None = None) -> None:
        self.title = title
        self.setWindowTitle(f"明细 — {title}")
        self.heading.setText(f"{title}：共 {len(items)} 处")
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order: most urgent first
        self.proxy.sort(-1)
        self.model.set_items(items, today)
        self._fit_columns()
        if items:
            self.table.selectRow(0)
        self._update_buttons()
        self.show()
        self.raise_()
        self.activateWindow()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for col in (ICol.ADDRESS, ICol.UNIT):
            header.resizeSection(col, min(header.sectionSize(col), 260))
        header.setSectionResizeMode(ICol.PROBLEM, QHeaderView.ResizeMode.Stretch)

    def _update_buttons(self) -> None:
        has_rows = self.proxy.rowCount() > 0
        self.export_button.setEnabled(has_rows)
        self.open_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_row(rows[0].row())

    def open_row(self, proxy_row: int) -> None:
        """Show the row's site on the 挂牌督办 page; this window steps aside so the site is in view."""
        item = self.proxy.item_at(proxy_row)
        self.hide()
        self.site_requested.emit(item.site_id)

    def export_excel(self, path: Path | None = None) -> None:
        rows = self.proxy.export_rows()
        if not rows:
            QMessageBox.information(self, "导出Excel", "没有可导出的明细。")
            return
        if path is None:
            folder = prefs.EXPORT_DIR.get() or str(Path.home())
            name = "".join(ch for ch in self.title if ch not in '\\/:*?"<>|') or "明细"
            suggested = Path(folder) / f"{name}_{dt.date.today().isoformat()}.xlsx"
            path_text, _ = QFileDialog.getSaveFileName(self, "导出Excel", str(suggested), "Excel 工作簿 (*.xlsx)")
            if not path_text:
                return
            path = Path(path_text)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
            prefs.EXPORT_DIR.set(str(path.parent))
        columns = [COLUMNS[c] for c in ICol]
        target = path
        sheet = self.title or "明细"
        self.ops.run(
            lambda: export_table(target, sheet, columns, rows),
            lambda p: self._exported(f"已导出 {len(rows)} 行到 {p}"),
            label="正在导出Excel…",
        )
