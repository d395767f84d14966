"""The generic fetch-more table (ui/paged_table.py) over a core-like paged query: a plain Python query over
a list of rows, ordered with ties broken by id exactly as the core's paged SQL queries are."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from ui.dto_table import Field
from ui.ops import Ops
from ui.paged_table import PagedModel, fit_columns_from_sample
from ui.tables import data_table
from zhdesk.dto import Column
from zhdesk.paging import Page, Sort

N = 1000


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    size: int


@dataclass(frozen=True)
class Query:
    even_only: bool = False


ROWS = [Row(i, f"点位{i:04d}", (i * 37) % 50) for i in range(1, N + 1)]
FIELDS = (Field(Column("名称"), lambda r: r.name), Field(Column("大小", "int"), lambda r: r.size))


class Core:
    """What a paged core query does; counts calls and checks it runs off the GUI thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[Query, Sort, int, int]] = []
        self.gui = threading.get_ident()

    def _all(self, q: Query, s: Sort) -> list[Row]:
        rows = [r for r in ROWS if not q.even_only or r.id % 2 == 0]
        if s.key == "size":
            rows.sort(key=lambda r: (-r.size if s.descending else r.size, r.id))
        elif s.key == "name":
            rows.sort(key=lambda r: r.name, reverse=s.descending)
        return rows

    def fetch(self, q: Query, s: Sort, offset: int, limit: int) -> Page[Row]:
        assert threading.get_ident() != self.gui
        self.calls.append((q, s, offset, limit))
        rows = self._all(q, s)
        return Page(tuple(rows[offset : offset + limit]), offset, len(rows))

    def locate(self, q: Query, s: Sort, row_id: int) -> int | None:
        ids = [r.id for r in self._all(q, s)]
        return ids.index(row_id) if row_id in ids else None


def make(qtbot: QtBot, host: tuple[QWidget, Ops], core: Core) -> PagedModel[Row, Query]:
    parent, ops = host
    model: PagedModel[Row, Query] = PagedModel(
        FIELDS, ops, fetch=core.fetch, locate=core.locate, query=Query(), sort_keys=["name", "size"],
        page_size=100, parent=parent,
    )  # fmt: skip
    return model


def test_pages_are_fetched_as_the_view_scrolls_and_only_visible_rows_are_read(
    qtbot: QtBot, host: tuple[QWidget, Ops]
) -> None:
    core = Core()
    model = make(qtbot, host, core)
    table = data_table("t", model)
    qtbot.addWidget(table)
    table.resize(600, 400)
    table.show()
    qtbot.waitExposed(table)
    assert core.calls == []  # nothing read before the first reload, though the view sorted already
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    wait_idle(qtbot, host[1])
    assert len(core.calls) == 1
    assert model.total == N
    assert model.rowCount() == 100  # one page, not every row
    table.viewport().repaint()  # paint now: data() for what is on screen
    visible = table.rowAt(table.viewport().height() - 1) + 1
    assert 0 <= model.max_row_read <= visible + 1, (model.max_row_read, visible)
    table.scrollToBottom()  # the view asks for the next page
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    wait_idle(qtbot, host[1])
    assert [r.id for r in model.rows()] == list(range(1, 201))
    assert model.max_row_read < 200 + 1


def test_sort_and_filter_requery_the_core(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    model.reload()
    wait_idle(qtbot, host[1])
    with qtbot.waitSignal(model.loaded):
        model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.sort_state == Sort("size", True)
    assert core.calls[-1] == (Query(), Sort("size", True), 0, 100)
    assert [r.id for r in model.rows()] == [r.id for r in core._all(Query(), Sort("size", True))[:100]]
    assert model.data(model.index(0, 1)) == "49"
    with qtbot.waitSignal(model.loaded):
        model.set_query(Query(even_only=True))
    assert model.total == N // 2
    assert all(r.id % 2 == 0 for r in model.rows())
    calls = len(core.calls)
    model.set_query(Query(even_only=True))  # unchanged: no query
    model.sort(5, Qt.SortOrder.AscendingOrder)  # no such column key: ignored
    wait_idle(qtbot, host[1])
    assert len(core.calls) == calls


def test_a_superseded_answer_is_dropped(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    model.reload()
    model.set_query(Query(even_only=True))
    model.set_sort(Sort("size"))
    wait_idle(qtbot, host[1])
    assert [r.id for r in model.rows()] == [r.id for r in core._all(Query(True), Sort("size"))[:100]]
    assert not model.loading
    assert len(core.calls) == 3  # each asked, only the last shown


def test_ensure_row_fetches_up_to_a_row_not_fetched_yet(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    model.reload()
    got: list[int | None] = []
    model.ensure_row(751, got.append)  # asked before the first page arrived
    wait_idle(qtbot, host[1])
    assert got == [750]
    assert model.rowCount() == 800  # whole pages
    assert [r.id for r in model.rows()] == list(range(1, 801))
    assert model.row_at(750).id == 751
    model.ensure_row(3, got.append)  # fetched already: answered at once
    assert got[-1] == 2
    with qtbot.waitSignal(model.loaded):
        model.set_query(Query(even_only=True))
    model.ensure_row(751, got.append)  # odd: the query does not match it
    wait_idle(qtbot, host[1])
    assert got[-1] is None
    assert model.rowCount() == 100
    # a reload after writes keeps as many rows as were loaded
    model.ensure_row(1000, got.append)
    wait_idle(qtbot, host[1])
    assert got[-1] == 499 and model.rowCount() == 500
    model.reload()
    wait_idle(qtbot, host[1])
    assert model.rowCount() == 500 and model.row_of(1000) == 499


def test_export_reads_every_row_of_the_query_from_the_core(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    model.set_sort(Sort("size"))  # recorded: read on the first reload
    with qtbot.waitSignal(model.loaded):
        model.reload()
    out: list[list[list[object]]] = []
    host[1].run(model.export_job(), out.append)
    wait_idle(qtbot, host[1])
    assert model.rowCount() == 100
    assert len(out[0]) == N
    assert out[0] == [[r.name, r.size] for r in core._all(Query(), Sort("size"))]


def test_replace_row_and_row_of(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    model.reload()
    wait_idle(qtbot, host[1])
    assert model.replace_row(Row(5, "改名", 1))
    assert model.data(model.index(4, 0)) == "改名"
    assert not model.replace_row(Row(999, "未取", 1))  # not fetched
    assert model.row_of(999) is None


def test_columns_fit_the_sample_texts_without_reading_data(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    core = Core()
    model = make(qtbot, host, core)
    long = Row(10**6, "江西路153号院内东侧楼道北侧", 1)
    model.set_rows([long, *ROWS[:99]])
    table = data_table("t", model)
    qtbot.addWidget(table)
    model.max_row_read = -1
    fit_columns_from_sample(table, model)
    assert model.max_row_read == -1  # texts from the Fields, no data() call
    fm = table.fontMetrics()
    assert table.horizontalHeader().sectionSize(0) >= fm.horizontalAdvance(long.name)
    em = fm.horizontalAdvance("汉")
    fit_columns_from_sample(table, model, {0: 5}, fixed={1: 3})
    assert table.horizontalHeader().sectionSize(0) == round(em * 5)
    assert table.horizontalHeader().sectionSize(1) == round(em * 3)


class StyledModel(PagedModel[Row, Query]):
    """Counts the styling hook's calls: a paint must not run them again for rows already shown."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.styled: list[int] = []

    def foreground(self, row: Row, col: int) -> QColor | None:
        self.styled.append(row.id)
        return QColor("#c5221f") if row.size == 0 else None


def test_each_row_is_styled_once_until_it_changes(qtbot: QtBot, host: tuple[QWidget, Ops]) -> None:
    parent, ops = host
    core = Core()
    model = StyledModel(FIELDS, ops, fetch=core.fetch, query=Query(), sort_keys=["name", "size"], page_size=100,
                        parent=parent)  # fmt: skip
    table = data_table("t", model)
    qtbot.addWidget(table)
    table.resize(600, 400)
    table.show()
    qtbot.waitExposed(table)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    wait_idle(qtbot, ops)
    table.viewport().repaint()
    shown = sorted(set(model.styled))
    assert shown and len(model.styled) == len(shown) * len(FIELDS)  # once per cell, not per role or paint
    assert set(shown) == {r.id for r in model.rows()[: len(shown)]}  # visible rows only
    model.styled.clear()
    table.viewport().repaint()
    assert model.styled == []  # the second paint reads what the first one worked out

    zero = next(r for r in model.rows()[: len(shown)] if r.size == 0)
    assert model.data(model.index(model.row_of(zero.id) or 0, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.replace_row(Row(zero.id, "改名", 3))  # the changed row is styled again, with its new values
    i = model.index(model.row_of(zero.id) or 0, 0)
    assert model.data(i) == "改名" and model.data(i, Qt.ItemDataRole.ForegroundRole) is None
    assert model.styled == [zero.id, zero.id]

    model.styled.clear()
    with qtbot.waitSignal(model.loaded):
        model.set_sort(Sort("size", descending=True))  # a new answer: every row is styled afresh
    wait_idle(qtbot, ops)
    table.viewport().repaint()
    first = model.rows()[0]
    assert first.id in model.styled and model.data(model.index(0, 0)) == first.name
