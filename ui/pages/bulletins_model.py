"""Qt models for the 督办通报 page: batches (期) and their items (处), each with a proxy sorting by real values.

Both tables use the generic DTO table of `ui/dto_table.py`, described by a tuple of `Field`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtGui import QColor

from ui.dto_table import DtoModel, DtoProxy, Field
from zhdesk.domain.vocab import CLOSED
from zhdesk.dto import BatchDTO, Column, ItemDTO

OVERDUE_TEXT = QColor("#c5221f")
DEFERRED_TEXT = QColor("#a15c00")
DONE_TEXT = QColor("#1e7e34")
MUTED_TEXT = QColor("#5f6368")


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
