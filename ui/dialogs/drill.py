"""Drill-down list: the supervision items behind one bar, point or card of the 总览 dashboard.

A non-modal dialog over a paged model (ui/paged_table.py): the core reads the slice page by page, sorted in
SQL (a card may hold tens of thousands of items); export to .xlsx of every row in the shown order (read by
the core on the worker) and 打开点位 (double-click a row) to open the site's 点位档案 on that item.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.export_dialog import export_query
from ui.display import relative_font
from ui.dto_table import Field
from ui.ops import Ops
from ui.paged_table import PagedModel, Sort, fit_columns_from_sample
from zhdesk.domain.stats import kind_label
from zhdesk.dto import Column, Drill, ItemDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk

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


def kind_text(item: ItemDTO) -> str:
    return f"{kind_label(item.kind)} 第{item.issue_no}期"


def problem_text(item: ItemDTO) -> str:
    if item.category and item.problem:
        return f"{item.category}：{item.problem}"
    return item.category or item.problem or ""


def status_text(item: ItemDTO) -> str:
    """The state as the office says it; the days come with the item (zhdesk/domain/lights.py)."""
    if item.status == "closed" or item.overdue or item.deferred:
        return item.days_text
    return f"整改中（{item.days_text}）" if item.deadline is not None else "整改中"


def status_rank(item: ItemDTO) -> tuple[int, int]:
    """Most urgent first: overdue (longest first), open, closed."""
    return (0 if item.overdue else 2 if item.status == "closed" else 1, item.days_left or 0)


FIELDS: tuple[Field[ItemDTO], ...] = (
    Field(Column("地址"), lambda i: i.address),
    Field(Column("社区"), lambda i: i.community),
    Field(Column("督办件"), lambda i: (kind_label(i.kind), i.issue_no), kind_text),
    Field(Column("问题"), problem_text),
    Field(Column("整改时限", "date"), lambda i: i.deadline),
    Field(Column("责任单位"), lambda i: i.unit),
    Field(Column("状态"), status_rank, status_text),
    Field(Column("办结日期", "date"), lambda i: i.closed_on),
)
# the core's sort key of each column (zhdesk/services/item_pages.py), in the order of FIELDS
SORT_KEYS = ("address", "community", "kind", "problem_text", "deadline", "unit", "urgency", "closed_on")


class DrillModel(PagedModel[ItemDTO, Drill]):
    """The drill-down columns over ItemDTOs (their light and days are computed by the core), read page by
    page: the query is the Drill, Sort() is the core's order (most urgent first)."""

    def __init__(self, desk: Desk, ops: Ops, parent: Any = None) -> None:
        super().__init__(
            FIELDS, ops, fetch=lambda q, s, o, n: desk.drill_page(q, s, o, n),
            locate=lambda q, s, i: desk.drill_position(q, s, i), query=Drill(), sort_keys=SORT_KEYS,
            label="正在读取明细…", parent=parent,
        )  # fmt: skip

    def foreground(self, row: ItemDTO, col: int) -> QColor | None:
        if row.overdue:
            return OVERDUE_COLOR
        return CLOSED_COLOR if row.status == "closed" else None

    def tooltip(self, row: ItemDTO, col: int) -> str | None:
        if col in (ICol.PROBLEM, ICol.ADDRESS, ICol.UNIT):
            return self.fields[col].shown(row) or None
        return None


class DrillDialog(QDialog):
    """One reusable window; `show_items` replaces its contents."""

    item_requested = Signal(int, int)  # (site id, item id)
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("drill_dialog")
        self.setWindowTitle("明细")
        self.setModal(False)
        self.ops = ops
        self.title = ""
        self._fitted = False  # columns sized once, from the first page (never from every row)
        self.heading = QLabel()
        self.heading.setObjectName("drill_heading")
        self.heading.setWordWrap(True)
        relative_font(self.heading, 1.15, bold=True)
        self.model = DrillModel(desk, ops, parent=self)
        self.model.loaded.connect(self._loaded)
        self.table = QTableView()
        self.table.setObjectName("drill_table")
        self.table.setModel(self.model)
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

        self.hint = QLabel("双击某一行（或选中后点“打开点位”）打开该点位的档案，并选中这一件督办件。")
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

    def show_drill(self, title: str, drill: Drill) -> None:
        """Show the items of `drill` in the core's order (most urgent first); pages are read as the list
        scrolls, a header click re-sorts in SQL."""
        self.title = title
        self.setWindowTitle(f"明细 — {title}")
        self.heading.setText(f"{title}：正在读取…")
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_sort(Sort())
        self.model.set_query(drill)
        if not self.model.loading:  # the same slice again (or the first): read it afresh
            self.model.reload(keep=False)
        self._update_buttons()
        self.show()
        self.raise_()
        self.activateWindow()

    def _loaded(self) -> None:
        self.heading.setText(f"{self.title}：共 {self.model.total} 件")  # items are counted in 件, places in 处
        if not self._fitted:
            self._fit_columns()
            self._fitted = True
        if self.model.rowCount() and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self._update_buttons()

    def _fit_columns(self) -> None:
        # from the header and a sample's texts (Qt's resizeColumnsToContents read every fetched row × role)
        fit_columns_from_sample(self.table, self.model, {ICol.ADDRESS: 16, ICol.UNIT: 16})  # 问题 stretches

    def _update_buttons(self) -> None:
        has_rows = self.model.total > 0
        self.export_button.setEnabled(has_rows)
        self.open_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_row(rows[0].row())

    def open_row(self, proxy_row: int) -> None:  # the row of the paged model (there is no proxy)
        """Open the row's site in 点位档案 on this item; this window steps aside so the site is in view."""
        item = self.model.row_at(proxy_row)
        self.hide()
        self.item_requested.emit(item.site_id, item.id)

    def export_excel(self, path: Path | None = None) -> int:
        """Every row of the slice in the shown order, read by the core on the worker."""
        return export_query(self, self.ops, self.desk, name=self.title or "明细", columns=self.model.columns(),
                            count=self.model.total, read=self.model.export_job(), done=self._exported, path=path,
                            empty_text="没有可导出的明细。")  # fmt: skip
