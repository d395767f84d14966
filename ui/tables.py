"""How the window's tables look and size themselves, written once: a read-only row-selecting table,
columns fitted to their contents in character widths (so they follow 显示大小), rows as tall as the font,
and the page frame (toolbar, filters, body) every table page shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.display import relative_font
from ui.dto_table import DtoProxy

Col = TypeVar("Col", bound=int)  # a table's column enum (IntEnum)

# Rows Qt reads to size a column to its contents (beyond the visible ones): a sample, never every row —
# over 10,000 sites the default (1000) cost 86,000 data() calls and 1.9 s on the GUI thread (issue 13).
SIZE_SAMPLE_ROWS = 50


def data_table(name: str, model: QAbstractItemModel | None = None) -> QTableView:
    """A sortable, read-only table selecting one whole row; columns sized by hand, the last one stretches."""
    t = QTableView()
    t.setObjectName(name)
    if model is not None:
        t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSortingEnabled(True)
    t.setWordWrap(False)
    t.setTextElideMode(Qt.TextElideMode.ElideRight)
    t.verticalHeader().setVisible(False)
    # Every row is as tall as fit_rows says: Qt never measures a row's contents for its height.
    t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    # Every column keeps its fitted width (a Stretch column shrinks to nothing when the table is
    # narrower than its contents); the last one takes any spare width.
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    header.setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
    return t


def fit_columns(
    table: QTableView,
    caps: Mapping[Col, float] | None = None,
    *,
    fixed: Mapping[Col, float] | None = None,
    min_chars: float = 0,
    pad: float = 0,
) -> None:
    """Columns to their contents at the table's font: at least `min_chars`, at most `caps[col]`, exactly
    `fixed[col]` (all in widths of 汉), plus `pad`; Stretch columns are left to the header."""
    table.resizeColumnsToContents()
    em = table.fontMetrics().horizontalAdvance("汉")
    header = table.horizontalHeader()
    cap_of: dict[int, float] = {int(c): v for c, v in (caps or {}).items()}
    fixed_of: dict[int, float] = {int(c): v for c, v in (fixed or {}).items()}
    for col in range(header.count()):
        if header.sectionResizeMode(col) == QHeaderView.ResizeMode.Stretch:
            continue
        if col in fixed_of:
            width = round(em * fixed_of[col])
        else:
            width = max(header.sectionSize(col), round(em * min_chars))
            if col in cap_of:
                width = min(width, round(em * cap_of[col]))
        header.resizeSection(col, width + round(em * pad))


def fit_rows(table: QTableView, factor: float) -> None:
    """Rows `factor` times the font's line height (follows 显示大小)."""
    table.verticalHeader().setDefaultSectionSize(round(table.fontMetrics().height() * factor))


def split(name: str, orientation: Qt.Orientation, first: QWidget, second: QWidget, sizes: tuple[int, int]) -> QSplitter:
    """Two panes, 3:2, neither collapsible."""
    s = QSplitter(orientation)
    s.setObjectName(name)
    s.addWidget(first)
    s.addWidget(second)
    s.setStretchFactor(0, 3)
    s.setStretchFactor(1, 2)
    s.setChildrenCollapsible(False)
    s.setSizes(list(sizes))
    return s


def page_title(text: str) -> QLabel:
    """A page's heading: half as large again as the text, bold, following 显示大小."""
    title = QLabel(text)
    title.setObjectName("page_title")
    relative_font(title, 1.5, bold=True)
    return title


def refresh_button(refresh: Callable[[], None]) -> QPushButton:
    """刷新 (F5 does the same through the window)."""
    button = QPushButton("刷新")
    button.setToolTip("重新读取数据库 (F5)")
    button.clicked.connect(refresh)
    return button


def page_frame(page: QWidget, top: QHBoxLayout, filters: QHBoxLayout, body: QWidget) -> QVBoxLayout:
    """Toolbar row, filter row, and the body taking the rest."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(12, 10, 12, 6)
    layout.addLayout(top)
    layout.addLayout(filters)
    layout.addWidget(body, 1)
    return layout


def refill_combo(combo: QComboBox, first: str, names: Sequence[str]) -> bool:
    """Put `first` (meaning all, data None) and `names` in a filter combo, keeping the choice where it
    still exists, without signals; returns True when the chosen name is gone (the caller re-filters)."""
    have = [combo.itemData(i) for i in range(1, combo.count())]
    if have == list(names):
        return False
    current = combo.currentData()
    was = combo.blockSignals(True)
    combo.clear()
    combo.addItem(first, None)
    for name in names:
        combo.addItem(name, name)
    i = combo.findData(current) if current else 0
    combo.setCurrentIndex(max(i, 0))
    combo.blockSignals(was)
    return bool(current) and i < 0


def selected_row(table: QTableView, proxy: DtoProxy[Any]) -> Any | None:
    """The DTO of the selected row of a DtoProxy table, or None."""
    rows = table.selectionModel().selectedRows()
    return proxy.row_at(rows[0].row()) if rows else None


def select_id(table: QTableView, proxy: DtoProxy[Any], row_id: int) -> bool:
    """Select and show the row of DTO `row_id`; False when the filters hide it (or it is not loaded)."""
    r = proxy.proxy_row_of(row_id)
    if r is None:
        return False
    table.selectRow(r)
    table.scrollTo(proxy.index(r, 0))
    return True
