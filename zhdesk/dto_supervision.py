"""督办通报's records: batches, items, their inputs and filters, a page of batches with its totals.

Loaded on first use: `from zhdesk.dto import ItemDTO` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhdesk.domain.lights import Light
from zhdesk.domain.stats import Kind
from zhdesk.paging import Page

__all__ = ["BatchDTO", "BatchFilter", "BatchPage", "BatchTotals", "ItemDTO", "ItemInput", "PastedRow"]


@dataclass(frozen=True)
class ItemInput:
    address: str
    community: str | None = None
    problem: str | None = None
    category: str | None = None
    deadline: dt.date | None = None
    unit: str | None = None
    deferred: bool = False


@dataclass(frozen=True)
class BatchDTO:
    id: int
    kind: str
    kind_label: str
    year: int
    issue_no: int
    issued_on: dt.date
    issuer: str | None
    title: str | None
    items: int
    closed: int

    @property
    def all_closed(self) -> bool:
        return self.items > 0 and self.items == self.closed

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.issue_no}期{self.kind_label}"


@dataclass(frozen=True)
class ItemDTO:
    id: int
    batch_id: int
    kind: str
    issue_no: int
    site_id: int
    address: str
    community: str
    category: str | None
    problem: str | None
    deadline: dt.date | None
    unit: str | None
    status: str  # open | closed
    closed_on: dt.date | None
    deferred: bool
    listing_id: int | None
    light: str  # red | yellow | green | grey (domain/lights.item_light): views never recompute it
    days_left: int | None
    days_text: str  # 剩5天 / 今天到期 / 超期3天 / 缓办 / 已办结

    @property
    def overdue(self) -> bool:
        return self.light == Light.RED.value


@dataclass(frozen=True)
class BatchFilter:
    kind: Kind | None = None
    community: str | None = None
    status: str | None = None  # open | closed (batch: all items closed or not)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class PastedRow:
    line: int
    text: str
    item: ItemInput | None
    error: str | None


@dataclass(frozen=True)
class BatchTotals:
    """督办通报's counts line under a filter: 共 N 期 M 处，办结 K 处."""

    batches: int
    items: int
    closed: int


@dataclass(frozen=True)
class BatchPage(Page[BatchDTO]):
    """A page of 督办通报's batches with the counts line of the whole filter (read in the same pass)."""

    totals: BatchTotals = BatchTotals(0, 0, 0)
