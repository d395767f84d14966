"""Paging DTOs shared by the core's paged queries and ui/paged_table.py (Qt-free).

A paged query takes the filter (a frozen dataclass of its own), a `Sort` and `offset`/`limit`, and returns
a `Page`: the rows from `offset` on and the total number of rows the filter matches. Every paged query
breaks ties by id, so consecutive pages never overlap or skip a row while the data does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

PAGE_SIZE = 200  # rows per fetch: a few screens, cheap to read and to turn into DTOs


@dataclass(frozen=True)
class Sort:
    """Order of a paged query: a column key the query knows (None: its default order), and direction."""

    key: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows `offset` .. `offset + len(rows) - 1` of a query that matches `total` rows."""

    rows: tuple[T, ...]
    offset: int
    total: int

    @property
    def end(self) -> int:
        return self.offset + len(self.rows)
