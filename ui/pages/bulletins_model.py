"""Qt models for the 督办通报 page: batches (期) and their items (处), read page by page from the core
(ui/paged_table.py): filters and header sorts re-query in SQL (zhdesk/services/item_pages.py), so thousands
of batches and their 100,000 items never load whole. Columns are `Field`s (ui/dto_table.py); each has the
core's sort key of the same meaning (BATCH_SORT_KEYS, ITEM_SORT_KEYS).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor

from ui.dto_table import Field
from ui.ops import Ops
from ui.paged_table import PagedModel, Sort
from zhdesk.domain.vocab import CLOSED
from zhdesk.dto import BatchDTO, BatchFilter, BatchTotals, Column, ItemDTO
from zhdesk.paging import Page

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk

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


BATCH_SORT_KEYS = ("kind", "year", "issue_no", "issued_on", "issuer", "items", "closed", "all_closed", "title")
NEWEST_FIRST = Sort("issued_on", descending=True)


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


ITEM_SORT_KEYS = ("address", "community", "category", "problem", "deadline", "unit", "status", "closed_on")


class ItemCol:
    ADDRESS, COMMUNITY, CATEGORY, PROBLEM, DEADLINE, UNIT, STATUS, CLOSED_ON = range(8)


# ---------------------------------------------------------------- the paged models


class BatchesModel(PagedModel[BatchDTO, BatchFilter]):
    """Batches under a BatchFilter (kind, status, dates and community all in the core's query);
    `totals()` is the counts line of the whole filter, read with the first page."""

    def __init__(self, desk: Desk, ops: Ops, parent: Any = None) -> None:
        def fetch(q: BatchFilter, sort: Sort, offset: int, limit: int) -> Page[BatchDTO]:  # on the worker
            page = desk.batch_page(q, sort, offset, limit)
            self._totals[q] = page.totals  # one dict store: read on the GUI thread after `loaded`
            return page

        super().__init__(
            BATCH_FIELDS, ops, fetch=fetch, locate=lambda q, s, i: desk.batch_position(q, s, i), query=BatchFilter(),
            sort_keys=BATCH_SORT_KEYS, sort=NEWEST_FIRST, label="正在读取督办通报…", parent=parent,
        )  # fmt: skip
        self._totals: dict[BatchFilter, BatchTotals] = {}

    def totals(self) -> BatchTotals:
        return self._totals.get(self.query, BatchTotals(self.total, 0, 0))

    def foreground(self, row: BatchDTO, col: int) -> QColor | None:
        if col in (BatchCol.CLOSED, BatchCol.ALL_CLOSED):
            return DONE_TEXT if row.all_closed else OVERDUE_TEXT if row.closed < row.items else None
        return None

    def bold(self, row: BatchDTO, col: int) -> bool:
        return col == BatchCol.ALL_CLOSED

    def tooltip(self, row: BatchDTO, col: int) -> str | None:
        return f"{row.label}：{row.title or ''}（{row.closed}/{row.items} 处办结）"


NO_BATCH = 0  # the items model's query before a batch is chosen: no batch has id 0


class ItemsModel(PagedModel[ItemDTO, int]):
    """One batch's items (the query is the batch id)."""

    def __init__(self, desk: Desk, ops: Ops, parent: Any = None) -> None:
        super().__init__(
            ITEM_FIELDS, ops, fetch=lambda q, s, o, n: desk.item_page(q, s, o, n),
            locate=lambda q, s, i: desk.item_position(q, s, i), query=NO_BATCH, sort_keys=ITEM_SORT_KEYS,
            label="正在读取督办件…", parent=parent,
        )  # fmt: skip

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


def batch_summary(t: BatchTotals) -> str:
    """共 89 期 190 处，办结 165 处"""
    return f"共 {t.batches} 期 {t.items} 处，办结 {t.closed} 处"
