"""A read-only Qt table over rows the core fetches page by page (issue 13): the model holds only the rows
fetched so far, asks the core for the next page when the view scrolls near the end (`canFetchMore` /
`fetchMore`), and sorting or filtering re-queries the core (no sorting in Python, no proxy). Columns are
the same `Field`s as ui/dto_table.py, so shown text, colours, tooltips and Excel cells stay one definition;
the styling hooks (`foreground`, `background`, `bold`, `tooltip`, `role_data`, `header_tooltip`) are
DtoModel's.

The core side is two functions run on the worker (through `Ops.run`, never on the GUI thread):

    fetch(query, sort, offset, limit) -> zhdesk.paging.Page[T]   # rows offset.., and the total count
    locate(query, sort, row_id) -> int | None                     # the row's position under query+sort

`query` is any immutable value (usually a frozen dataclass of filters); `sort` is a `zhdesk.paging.Sort`
built from the column's key in `sort_keys` (None: the column does not sort). Ties must be broken by id in
the core so pages never overlap.

Example:

    model = PagedModel(FIELDS, ops,
                       fetch=lambda q, s, o, n: desk.site_page(q, s, o, n),
                       locate=lambda q, s, i: desk.site_position(q, s, i),
                       query=SiteQuery(listed_only=True), sort_keys=["light", "address", ...],
                       sort=Sort("light"), label="正在读取挂牌督办点位…")
    table = data_table("sites_table", model)   # header clicks call model.sort() -> re-query
    model.loaded.connect(after_reload)          # first page (and total) arrived after a (re)load
    model.set_query(SiteQuery(community="东湖社区"))  # filter: re-query from the first page
    model.reload()                               # after writes: same query, keeps as many rows as loaded
    model.ensure_row(site_id, lambda i: table.selectRow(i) if i is not None else None)
    ops.run(model.export_job(), lambda cells: export_rows(..., rows=cells))  # every row of the query

Nothing is read before the first `reload()`: `set_query`/`set_sort`/header clicks before it only record
the query (QTableView calls `sort()` when sorting is enabled), so a page not shown yet costs no query.
`fit_columns_from_sample(table, model, caps, fixed=..., pad=...)` sizes columns from the header and the
shown texts of a sample of fetched rows (no `data()` calls).
`model.total` is the count of rows the query matches (rowCount() is the rows fetched so far);
`model.max_row_read` is the highest row index `data()` was asked for (tests prove only visible rows are
read). A reload keeps the old rows on screen until the new first page arrives; answers to a superseded
query are dropped (a generation counter), and a row id already fetched is never added twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

from ui.dto_table import DtoModel, Field, Index, T
from ui.ops import Ops
from ui.tables import SIZE_SAMPLE_ROWS
from zhdesk.dto import Cell
from zhdesk.paging import PAGE_SIZE, Page, Sort

Q = TypeVar("Q")

__all__ = ["PAGE_SIZE", "Fetch", "Locate", "PagedModel", "Sort", "cells", "fit_columns_from_sample"]

Fetch = Callable[[Q, Sort, int, int], Page[T]]
Locate = Callable[[Q, Sort, int], "int | None"]

EXPORT_CHUNK = 5000  # rows per core call when exporting every row of the query


def cells(fields: Sequence[Field[T]], rows: Sequence[T]) -> list[list[Cell]]:
    """Excel cells of `rows`, in column order (pure Python: fine on the worker)."""
    return [[f.cell(row) for f in fields] for row in rows]


class PagedModel(DtoModel[T], Generic[T, Q]):
    """Rows fetched so far of `query` under `sort_state`; `total` rows match. See the module docstring."""

    loaded = Signal()  # a (re)load finished: the first page and `total` are in
    fetched = Signal(int)  # rows appended by fetchMore / ensure_row (how many)

    def __init__(
        self,
        fields: Sequence[Field[T]],
        ops: Ops,
        *,
        fetch: Callable[[Q, Sort, int, int], Page[T]],
        query: Q,
        locate: Callable[[Q, Sort, int], int | None] | None = None,
        sort_keys: Sequence[str | None] | None = None,
        sort: Sort | None = None,
        page_size: int = PAGE_SIZE,
        label: str = "正在读取…",
        parent: Any = None,
    ) -> None:
        super().__init__(fields, parent)
        self._ops = ops
        self._fetch = fetch
        self._locate = locate
        self._query = query
        self._sort = sort or Sort()
        self._sort_keys: tuple[str | None, ...] = tuple(sort_keys) if sort_keys is not None else (None,) * len(fields)
        self.page_size = page_size
        self.label = label
        self.total = 0
        self._ids: dict[int, int] = {}  # row id -> row index
        self._generation = 0
        self._loading = False  # a (re)load is on its way
        self._fetching = False  # a fetchMore is on its way
        self.has_loaded = False  # a first load has arrived

    # ------------------------------------------------------------ query
    @property
    def query(self) -> Q:
        return self._query

    @property
    def sort_state(self) -> Sort:
        return self._sort

    @property
    def loading(self) -> bool:
        return self._loading

    def sort_key(self, column: int) -> str | None:
        return self._sort_keys[column] if 0 <= column < len(self._sort_keys) else None

    def column_of(self, key: str | None) -> int | None:
        """The column sorting by `key` (for the header's sort indicator)."""
        return next((i for i, k in enumerate(self._sort_keys) if k is not None and k == key), None)

    def set_query(self, query: Q) -> None:
        """New filters: re-query from the first page (no-op when equal to the current query; before the
        first `reload()` only recorded, so a page not shown yet reads nothing)."""
        if query == self._query:
            return
        self._query = query
        if self.has_loaded or self._loading:
            self.reload(keep=False)

    def set_sort(self, sort: Sort) -> None:
        if sort == self._sort:
            return
        self._sort = sort
        if self.has_loaded or self._loading:
            self.reload(keep=False)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's header click: re-query the core ordered by the column's key (columns without one are ignored)."""
        key = self.sort_key(column)
        if key is None:
            return
        self.set_sort(Sort(key, order == Qt.SortOrder.DescendingOrder))

    def reload(self, *, keep: bool = True) -> int:
        """Fetch from the first row again; `keep`: as many rows as are loaded now (after writes the view
        stays where it was). The old rows stay until the answer arrives. Returns the worker job id."""
        self._generation += 1
        gen, query, sort = self._generation, self._query, self._sort
        limit = max(self.page_size, len(self._rows)) if keep else self.page_size
        fetch = self._fetch
        self._loading = True
        self._fetching = False
        return self._ops.run(
            lambda: fetch(query, sort, 0, limit),
            lambda page: self._reset(gen, page),
            lambda _exc: self._failed(gen),
            label=self.label,
        )

    def _failed(self, gen: int) -> None:
        if gen == self._generation:
            self._loading = False
            self._fetching = False

    def _reset(self, gen: int, page: Page[T]) -> None:
        if gen != self._generation:
            return  # a newer query is on its way
        self._loading = False
        self.beginResetModel()
        self._rows = []
        self._ids = {}
        self._take(page.rows)
        self.total = max(page.total, len(self._rows))
        self.max_row_read = -1
        self.endResetModel()
        self.has_loaded = True
        self.loaded.emit()

    def _take(self, rows: Sequence[T]) -> int:
        """Append rows not fetched yet (a row that moved between two fetches is kept once)."""
        n = 0
        for row in rows:
            if row.id not in self._ids:
                self._ids[row.id] = len(self._rows)
                self._rows.append(row)
                n += 1
        return n

    def _append(self, gen: int, page: Page[T]) -> None:
        if gen != self._generation:
            return
        self._fetching = False
        new: dict[int, T] = {}
        for r in page.rows:
            if r.id not in self._ids:
                new.setdefault(r.id, r)
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._take(list(new.values()))
            self.endInsertRows()
        self.total = max(page.total, len(self._rows))
        self.fetched.emit(len(new))

    # ------------------------------------------------------------ fetch more
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.has_loaded and not self._loading and len(self._rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching or self._loading or len(self._rows) >= self.total:
            return
        self._fetching = True
        gen, query, sort, offset, limit, fetch = (
            self._generation, self._query, self._sort, len(self._rows), self.page_size, self._fetch,
        )  # fmt: skip
        self._ops.run(
            lambda: fetch(query, sort, offset, limit),
            lambda page: self._append(gen, page),
            lambda _exc: self._failed(gen),
            label=self.label,
        )

    def ensure_row(self, row_id: int, done: Callable[[int | None], object]) -> None:
        """Call `done(row index)` once row `row_id` is fetched — fetching up to it (the core tells its
        position under the current query) — or `done(None)` when the query does not match it. Dropped if
        the query changes first. Works during a reload: it is answered after the reload's first page."""
        i = self._ids.get(row_id)
        if i is not None and not self._loading:
            done(i)
            return
        locate, fetch = self._locate, self._fetch
        if locate is None:
            done(None)
            return
        gen, query, sort, page_size = self._generation, self._query, self._sort, self.page_size
        # While a reload is on its way the loaded rows are about to be replaced: count from its first row.
        start = 0 if self._loading else len(self._rows)

        def find() -> tuple[int | None, Page[T] | None]:  # on the worker
            pos = locate(query, sort, row_id)
            if pos is None or pos < start:
                return pos, None
            end = (pos // page_size + 1) * page_size  # whole pages, so the next fetchMore continues evenly
            return pos, fetch(query, sort, start, end - start)

        def found(result: tuple[int | None, Page[T] | None]) -> None:
            if gen != self._generation:
                return
            pos, page = result
            if page is not None:
                self._append(gen, page)
            done(None if pos is None else self._ids.get(row_id))

        self._ops.run(find, found, label=self.label)

    # ------------------------------------------------------------ rows
    def set_rows(self, rows: Sequence[T]) -> None:
        """Show exactly `rows` (all of the query; for tests and small lists)."""
        self._generation += 1
        self._loading = self._fetching = False
        self.beginResetModel()
        self._rows, self._ids = [], {}
        self._take(rows)
        self.total = len(self._rows)
        self.endResetModel()
        self.has_loaded = True

    def replace_row(self, row: T) -> bool:
        i = self._ids.get(row.id)
        if i is None:
            return False
        self._rows[i] = row
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.fields) - 1))
        return True

    def row_of(self, row_id: int) -> int | None:
        return self._ids.get(row_id)

    # ------------------------------------------------------------ export
    def export_job(self) -> Callable[[], list[list[Cell]]]:
        """A worker callable returning the Excel cells of every row of the current query and sort, read
        from the core in chunks (not from the rows fetched so far)."""
        query, sort, fetch, fields = self._query, self._sort, self._fetch, self.fields

        def run() -> list[list[Cell]]:
            out: list[list[Cell]] = []
            offset = 0
            while True:
                page = fetch(query, sort, offset, EXPORT_CHUNK)
                out.extend(cells(fields, page.rows))
                offset = page.end
                if not page.rows or offset >= page.total:
                    return out

        return run


def fit_columns_from_sample(
    table: QTableView,
    model: PagedModel[Any, Any],
    caps: Mapping[Any, float] | None = None,
    *,
    fixed: Mapping[Any, float] | None = None,
    pad: float = 0,
    sample: int = SIZE_SAMPLE_ROWS,
) -> None:
    """ui/tables.fit_columns without Qt's size hints: each column as wide as its header or the widest
    `Field.shown` text of the first `sample` fetched rows, at most `caps[col]`, exactly `fixed[col]` (in
    widths of 汉), plus `pad`. Qt's `resizeColumnsToContents` asks every role of every sampled cell and
    the delegates (≈ 300 ms on the first page of 挂牌督办 under load, cProfile); this reads texts only."""
    fm = table.fontMetrics()
    em = fm.horizontalAdvance("汉")
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    header = table.horizontalHeader()
    rows = model.rows()[:sample]
    cap_of = {int(c): v for c, v in (caps or {}).items()}
    fixed_of = {int(c): v for c, v in (fixed or {}).items()}
    for col, field in enumerate(model.fields):
        if header.sectionResizeMode(col) == QHeaderView.ResizeMode.Stretch:
            continue
        if col in fixed_of:
            width = round(em * fixed_of[col])
        else:
            texts = {field.shown(r) for r in rows}
            width = max([header.sectionSizeHint(col), *(fm.horizontalAdvance(t) + margin for t in texts)])
            if col in cap_of:
                width = min(width, round(em * cap_of[col]))
        header.resizeSection(col, width + round(em * pad))
