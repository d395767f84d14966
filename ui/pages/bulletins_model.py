"""Qt models for the 督办通报 page: batches (期) and their items (处), each with a proxy sorting by real values.

Both tables share one small generic model: a list of frozen DTOs and a tuple of `Field`s saying, per
column, the real value (for sorting), the text shown and the cell written to Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from zhdesk.export import Cell, Column
from zhdesk.services.supervision import CLOSED, BatchDTO, ItemDTO

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T", BatchDTO, ItemDTO)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the DTO itself

OVERDUE_TEXT = QColor("#c5221f")
DEFERRED_TEXT = QColor("#a15c00")
DONE_TEXT = QColor("#1e7e34")
MUTED_TEXT = QColor("#5f6368")


@dataclass(frozen=True)
class Field(Generic[T]):
    """One column: header/export kind, real value, shown text, and Excel cell (default: value or text)."""

    column: Column
    value: Callable[[T], Any]
    text: Callable[[T], str] | None = None
    center: bool = False

    def shown(self, row: T) -> str:
        if self.text is not None:
            return self.text(row)
        v = self.value(row)
        if v is None:
            return ""
        return v.isoformat() if isinstance(v, dt.date) else str(v)

    def cell(self, row: T) -> Cell:
        """What Excel gets: dates stay dates, numbers stay numbers, everything else as shown."""
        if self.column.kind in ("date", "int"):
            v = self.value(row)
            return v if isinstance(v, int | dt.date) else None
        return self.shown(row) or None


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


# ---------------------------------------------------------------- batches


def _closed_text(b: BatchDTO) -> str:
    return f"{b.closed}/{b.items}"


BATCH_FIELDS: tuple[Field[BatchDTO], ...] = (
    Field(Column("类型"), lambda b: b.kind_label),
    Field(Column("年度", "int"), lambda b: b.year, lambda b: f"{b.year}年", center=True),
    Field(Column("期号", "int"), lambda b: b.issue_no, lambda b: f"第{b.issue_no}期", center=True),
    Field(Column("下发日期", "date"), lambda b: b.issued_on, center=True),
    Field(Column("下发单位"), lambda b: b.issuer),
    Field(Column("处数", "int"), lambda b: b.items, center=True),
    Field(Column("办结"), lambda b: (b.closed / b.items if b.items else -1.0, b.closed), _closed_text, center=True),
    Field(Column("全部办结"), lambda b: b.all_closed, lambda b: "✓" if b.all_closed else "", center=True),
    Field(Column("标题"), lambda b: b.title),
)


class BatchCol:
    KIND, YEAR, ISSUE, ISSUED_ON, ISSUER, ITEMS, CLOSED, ALL_CLOSED, TITLE = range(9)


# ---------------------------------------------------------------- items

OVERDUE = "超期未办结"
DEFERRED = "缓办"
OPEN_TEXT = "未办结"
CLOSED_TEXT = "已办结"


def item_status_text(item: ItemDTO) -> str:
    if item.status == CLOSED:
        return CLOSED_TEXT
    words = [OVERDUE if item.overdue else OPEN_TEXT]
    if item.deferred:
        words.append(f"（{DEFERRED}）")
    return "".join(words)


def item_status_rank(item: ItemDTO) -> int:
    """Overdue first, then open, deferred, closed — the order that needs attention."""
    if item.status == CLOSED:
        return 3
    if item.overdue:
        return 0
    return 2 if item.deferred else 1


ITEM_FIELDS: tuple[Field[ItemDTO], ...] = (
    Field(Column("地址"), lambda i: i.address),
    Field(Column("社区"), lambda i: i.community),
    Field(Column("问题类别"), lambda i: i.category),
    Field(Column("问题"), lambda i: i.problem),
    Field(Column("整改时限", "date"), lambda i: i.deadline, center=True),
    Field(Column("责任单位"), lambda i: i.unit),
    Field(Column("状态"), item_status_rank, item_status_text, center=True),
    Field(Column("办结日期", "date"), lambda i: i.closed_on, center=True),
)


class ItemCol:
    ADDRESS, COMMUNITY, CATEGORY, PROBLEM, DEADLINE, UNIT, STATUS, CLOSED_ON = range(8)


# ---------------------------------------------------------------- generic model and proxy


class DtoModel(QAbstractTableModel, Generic[T]):
    """Read-only table over frozen DTOs (each with an `id`); `replace_row` swaps one in place after a change."""

    def __init__(self, fields: Sequence[Field[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self.fields: tuple[Field[T], ...] = tuple(fields)
        self._rows: list[T] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_row(self, row: T) -> bool:
        for i, old in enumerate(self._rows):
            if old.id == row.id:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.fields) - 1))
                return True
        return False

    def set_font(self, font: QFont) -> None:
        self._bold = QFont(font)
        self._bold.setBold(True)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.fields) - 1))

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, i: int) -> T:
        return self._rows[i]

    def columns(self) -> list[Column]:
        return [f.column for f in self.fields]

    # -- styling hooks for subclasses
    def foreground(self, row: T, col: int) -> QColor | None:
        return None

    def bold(self, row: T, col: int) -> bool:
        return False

    def tooltip(self, row: T, col: int) -> str | None:
        text = self.fields[col].shown(row)
        return text if len(text) > 12 else None

    # -- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.fields[section].column.title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        field = self.fields[col]
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return field.shown(row)
            case Qt.ItemDataRole.ToolTipRole:
                return self.tooltip(row, col)
            case Qt.ItemDataRole.ForegroundRole:
                color = self.foreground(row, col)
                return QBrush(color) if color is not None else None
            case Qt.ItemDataRole.FontRole if self.bold(row, col):
                return self._bold
            case Qt.ItemDataRole.TextAlignmentRole:
                if field.center:
                    return int(Qt.AlignmentFlag.AlignCenter)
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None


class BatchesModel(DtoModel[BatchDTO]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(BATCH_FIELDS, parent)

    def foreground(self, row: BatchDTO, col: int) -> QColor | None:
        if col in (BatchCol.CLOSED, BatchCol.ALL_CLOSED):
            return DONE_TEXT if row.all_closed else OVERDUE_TEXT if row.closed < row.items else None
        return None

    def bold(self, row: BatchDTO, col: int) -> bool:
        return col == BatchCol.ALL_CLOSED

    def tooltip(self, row: BatchDTO, col: int) -> str | None:
        return f"{row.label}：{row.title or ''}（{row.closed}/{row.items} 处办结）"


class ItemsModel(DtoModel[ItemDTO]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(ITEM_FIELDS, parent)

    def foreground(self, row: ItemDTO, col: int) -> QColor | None:
        if row.overdue and col in (ItemCol.STATUS, ItemCol.DEADLINE):
            return OVERDUE_TEXT
        if col == ItemCol.STATUS:
            if row.status == CLOSED:
                return DONE_TEXT
            if row.deferred:
                return DEFERRED_TEXT
        if col == ItemCol.CLOSED_ON:
            return MUTED_TEXT
        return None

    def bold(self, row: ItemDTO, col: int) -> bool:
        return row.overdue and col == ItemCol.STATUS

    def tooltip(self, row: ItemDTO, col: int) -> str | None:
        if col == ItemCol.ADDRESS and row.listing_id is not None:
            return f"{row.address}：挂牌督办点位（双击打开）"
        if col == ItemCol.STATUS and row.deferred:
            return "缓办：不计入超期"
        if col == ItemCol.PROBLEM:
            return row.problem
        return super().tooltip(row, col)


class DtoProxy(QSortFilterProxyModel, Generic[T]):
    """Sorts by each column's real value (empty last, Chinese collation for text); filters by `accepts`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self.setDynamicSortFilter(True)

    def dto_model(self) -> DtoModel[T]:
        model = self.sourceModel()
        assert isinstance(model, DtoModel)
        return model

    def accepts(self, row: T) -> bool:
        return True

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self.accepts(self.dto_model().row_at(source_row))

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.dto_model()
        field = model.fields[left.column()]
        x = field.value(model.row_at(left.row()))
        y = field.value(model.row_at(right.row()))
        x_empty, y_empty = x is None or x == "", y is None or y == ""
        if x_empty or y_empty:
            return y_empty and not x_empty if x_empty != y_empty else left.row() < right.row()
        if x != y:
            if isinstance(x, str) and isinstance(y, str):
                c = self._collator.compare(x, y)
                if c:
                    return c < 0
            else:
                return bool(x < y)
        return left.row() < right.row()  # ties keep the loaded order

    # -- helpers for the page and tests
    def row_at(self, proxy_row: int) -> T:
        return self.dto_model().row_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def visible_rows(self) -> list[T]:
        return [self.row_at(i) for i in range(self.rowCount())]

    def proxy_row_of(self, row_id: int) -> int | None:
        return next((i for i in range(self.rowCount()) if self.row_at(i).id == row_id), None)

    def export_rows(self) -> list[list[Cell]]:
        """The cells exactly as filtered and sorted now, in column order."""
        fields = self.dto_model().fields
        return [[f.cell(row) for f in fields] for row in self.visible_rows()]


class BatchesProxy(DtoProxy[BatchDTO]):
    """Filters by kind, status (all closed or not) and issue-date range; community is filtered by the core."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind: str | None = None
        self.status: str | None = None  # open | closed
        self.date_from: dt.date | None = None
        self.date_to: dt.date | None = None

    def set_filters(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> None:
        self.beginFilterChange()
        self.kind, self.status, self.date_from, self.date_to = kind or None, status or None, date_from, date_to
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def accepts(self, row: BatchDTO) -> bool:
        if self.kind and row.kind != self.kind:
            return False
        if self.status == CLOSED and not row.all_closed:
            return False
        if self.status == "open" and row.all_closed:
            return False
        if self.date_from and row.issued_on < self.date_from:
            return False
        return not (self.date_to and row.issued_on > self.date_to)


class ItemsProxy(DtoProxy[ItemDTO]):
    pass


def batch_summary(rows: Sequence[BatchDTO]) -> str:
    """共 89 期 190 处，办结 165 处"""
    items = sum(b.items for b in rows)
    closed = sum(b.closed for b in rows)
    return f"共 {len(rows)} 期 {items} 处，办结 {closed} 处"


def next_issue_no(batches: Sequence[BatchDTO], kind: str, year: int) -> int:
    """The next free 期号 for a kind and year: one past the highest used."""
    used = [b.issue_no for b in batches if b.kind == kind and b.year == year]
    return max(used, default=0) + 1
