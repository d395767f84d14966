"""Tables size their columns from a sample of rows, never from every row (issue 13)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from ui.tables import SIZE_SAMPLE_ROWS, data_table, fit_columns

ROWS, COLS = 10_000, 8


class CountingModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows_read: set[int] = set()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else ROWS

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.rows_read.add(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            # the longest text sits in the first rows, so a sample still finds it
            return "江西路153号院内东侧楼道" if index.row() == 0 else f"第{index.row()}行"
        return None


def test_fit_columns_reads_a_sample_of_rows(qtbot: QtBot) -> None:
    model = CountingModel()
    table = data_table("t", model)
    qtbot.addWidget(table)
    table.resize(1200, 600)
    table.show()
    qtbot.waitExposed(table)
    model.rows_read.clear()
    fit_columns(table)
    visible = table.rowAt(table.viewport().height() - 1) + 1 or 40
    assert 0 < len(model.rows_read) <= visible + SIZE_SAMPLE_ROWS + 2, len(model.rows_read)
    em = table.fontMetrics().horizontalAdvance("汉")
    assert table.horizontalHeader().sectionSize(0) >= em * 10  # sized by the long text in row 0
