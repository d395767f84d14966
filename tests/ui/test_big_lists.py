"""督办通报 and the drill-down list on a database with thousands of batches' items (the benchmark generator,
small): rows are read a page at a time, data() only for the rows on screen (plus the first page, which
sizes the columns), sort and select-by-id go through the core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from bench.gendb import _generate
from db.engine import sqlite_url
from tests.ui.conftest import wait_idle
from ui.dialogs.drill import DrillDialog, ICol
from ui.ops import Ops
from ui.pages.bulletins import BulletinsPage
from ui.pages.bulletins_model import BatchCol
from zhdesk.desk import Desk
from zhdesk.dto import BatchFilter, Drill
from zhdesk.paging import PAGE_SIZE, Sort

ITEMS = 4000  # about 500 batches of 8


@pytest.fixture(scope="module")
def big_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("big") / "big.db"
    _generate(path, 400, ITEMS, 10, 10)
    return sqlite_url(path)


@pytest.fixture
def big(qtbot: QtBot, big_url: str) -> Iterator[tuple[Desk, Ops, QWidget]]:
    desk = Desk.open(big_url)
    host = QWidget()
    qtbot.addWidget(host)
    ops = Ops(host, host)
    yield desk, ops, host
    assert ops.shutdown()
    desk.close()


def visible_rows(table: object) -> int:
    from PySide6.QtWidgets import QTableView

    assert isinstance(table, QTableView)
    table.viewport().repaint()
    last = table.rowAt(table.viewport().height() - 1)
    return (last if last >= 0 else table.model().rowCount() - 1) + 1


def test_drill_down_reads_a_page_and_only_visible_rows(qtbot: QtBot, big: tuple[Desk, Ops, QWidget]) -> None:
    desk, ops, host = big
    dialog = DrillDialog(desk, ops, host)
    dialog.resize(1100, 500)
    dialog.show_drill("全部督办件", Drill())
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, ops)
    model = dialog.model
    assert model.total == ITEMS and model.rowCount() == PAGE_SIZE
    assert dialog.heading.text() == f"全部督办件：共 {ITEMS} 件"
    visible = visible_rows(dialog.table)
    assert 0 < visible < 40
    assert model.max_row_read < max(visible, PAGE_SIZE) + 1  # the first page sized the columns, no more
    assert [i.id for i in model.rows()] == [i.id for i in desk.drill_items(Drill())[:PAGE_SIZE]]

    # A header click re-sorts in SQL: the first page is the core's, nothing else read.
    dialog.table.sortByColumn(ICol.ADDRESS, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ops)
    want = desk.drill_page(Drill(), Sort("address", True), 0, PAGE_SIZE).rows
    assert tuple(model.rows()) == want and model.total == ITEMS
    assert model.max_row_read < visible + 1

    # Select by id far down: the core tells its row, the model fetches up to it.
    far = desk.drill_page(Drill(), Sort("address", True), 3000, 1).rows[0]
    found: list[int | None] = []
    model.ensure_row(far.id, found.append)
    wait_idle(qtbot, ops)
    assert found and found[0] == 3000 and model.row_at(3000) == far
    assert model.rowCount() == 3000 + PAGE_SIZE - 3000 % PAGE_SIZE
    dialog.close()


def test_bulletins_page_pages_batches_and_filters_in_sql(qtbot: QtBot, big: tuple[Desk, Ops, QWidget]) -> None:
    desk, ops, host = big
    page = BulletinsPage(desk, ops, host)
    host.resize(1400, 900)
    page.resize(1400, 900)
    host.show()
    qtbot.waitExposed(host)
    page.refresh()  # what the stale watch does when the window shows the page
    wait_idle(qtbot, ops)
    n = len(desk.batches())
    assert n > PAGE_SIZE
    assert page.batches.total == n and page.batches.rowCount() == PAGE_SIZE
    assert page.shown.text() == f"显示 {n} 期，共 {n} 期"
    assert page.batches.row_at(0) == desk.batches()[0]  # newest first
    visible = visible_rows(page.batch_table)
    assert page.batches.max_row_read < max(visible, PAGE_SIZE) + 1
    assert page.current_batch_id == page.batches.row_at(0).id and page.items.total > 0

    # Sort by 办结 (ratio) descending: the core's order, as the page shows it.
    page.batch_table.sortByColumn(BatchCol.CLOSED, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ops)
    assert tuple(page.batches.rows()) == desk.batch_page(BatchFilter(), Sort("closed", True), 0, PAGE_SIZE).rows

    # A batch beyond the first page is selected through its position.
    far = desk.batch_page(BatchFilter(), Sort("closed", True), n - 1, 1).rows[0]
    assert not page.select_batch(far.id)  # not fetched yet: fetched, then selected
    wait_idle(qtbot, ops)
    assert page.current_batch_id == far.id and page.batches.rowCount() == n
    assert all(i.batch_id == far.id for i in page.items.rows())

    # The open-only filter is a query too; the counts line follows it.
    page.status_combo.setCurrentIndex(page.status_combo.findText("未办结"))
    wait_idle(qtbot, ops)
    open_ = desk.batches(BatchFilter(status="open"))
    assert page.batches.total == len(open_)
    items, closed = sum(b.items for b in open_), sum(b.closed for b in open_)
    assert page.summary.text() == f"共 {len(open_)} 期 {items} 处，办结 {closed} 处"
    page.close()
