"""A read-only Qt table over frozen DTOs, described column by column, and a proxy that sorts by each
column's real value. Used by the 挂牌督办 and 督办通报 tables and the 总览 drill-down list.

A `Field` says, per column, the header and Excel kind, the real value (for sorting), the text shown and the
cell written to Excel, so what is shown, what sorts and what is exported cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

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

from zhdesk.dto import Cell, Column

Index = QModelIndex | QPersistentModelIndex


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the DTO itself


@dataclass(frozen=True)
class Field(Generic[T]):
    """One column: header/export kind, real value, shown text, and Excel cell (default: value or text)."""

    column: Column
    value: Callable[[T], Any]
    text: Callable[[T], str] | None = None
    center: bool = False
    export: Callable[[T], Cell] | None = None  # the Excel cell when it is neither the value nor the text

    def shown(self, row: T) -> str:
        if self.text is not None:
            return self.text(row)
        v = self.value(row)
        if v is None:
            return ""
        return v.isoformat() if isinstance(v, dt.date) else str(v)

    def cell(self, row: T) -> Cell:
        """What Excel gets: dates stay dates, numbers stay numbers, everything else as shown."""
        if self.export is not None:
            return self.export(row)
        if self.column.kind in ("date", "int"):
            v = self.value(row)
            return v if isinstance(v, int | dt.date) else None
        return self.shown(row) or None


# What `DtoModel.data()` answers for one cell, worked out once per row (see `DtoModel._look`).
_DISPLAY, _TOOLTIP, _FOREGROUND, _BACKGROUND, _FONT, _ALIGN, _DECORATION = range(7)
_ROLE_SLOT: dict[int, int] = {
    int(Qt.ItemDataRole.DisplayRole): _DISPLAY,
    int(Qt.ItemDataRole.ToolTipRole): _TOOLTIP,
    int(Qt.ItemDataRole.ForegroundRole): _FOREGROUND,
    int(Qt.ItemDataRole.BackgroundRole): _BACKGROUND,
    int(Qt.ItemDataRole.FontRole): _FONT,
    int(Qt.ItemDataRole.TextAlignmentRole): _ALIGN,
    int(Qt.ItemDataRole.DecorationRole): _DECORATION,
}
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole)  # asked for every cell by the delegate; never set here
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class DtoModel(QAbstractTableModel, Generic[T]):
    """Read-only table over frozen DTOs (each with an `id`); `replace_row` swaps one in place after a change.

    A paint asks `data()` for 7–10 roles of every visible cell (≈ 6,000–8,000 calls for a 1600×1000
    table). The styling hooks are pure functions of the row, so each row's shown text, tooltip, brushes,
    font, alignment and icon are worked out once, on its first `data()` call, and kept until the row
    changes: `set_rows`, `replace_row`, `set_font`, a reset, or any `dataChanged` over it drops them.
    """

    def __init__(self, fields: Sequence[Field[T]], parent: Any = None) -> None:
        super().__init__(parent)
        self.fields: tuple[Field[T], ...] = tuple(fields)
        self._rows: list[T] = []
        self._looks: dict[int, tuple[tuple[Any, ...], ...]] = {}  # row index -> per column, per role slot
        self.max_row_read = -1  # highest row index data() or prepare() read (tests: only visible rows are read)
        self._bold = QFont()
        self._bold.setBold(True)
        self.modelReset.connect(self._looks.clear)
        self.layoutChanged.connect(self._looks.clear)
        self.rowsRemoved.connect(self._looks.clear)
        self.rowsMoved.connect(self._looks.clear)
        self.rowsInserted.connect(self._inserted)
        self.dataChanged.connect(self._changed)

    def _inserted(self, _parent: Index, first: int, last: int) -> None:
        if first < len(self._rows) - (last - first + 1):  # not appended: the rows after it moved
            self._looks.clear()

    def _changed(self, top: Index, bottom: Index, _roles: Sequence[int] = ()) -> None:
        for r in range(top.row(), bottom.row() + 1):
            self._looks.pop(r, None)

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
        self._looks.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.fields) - 1))

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, i: int) -> T:
        return self._rows[i]

    def row_of(self, row_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == row_id), None)

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

    def background(self, row: T, col: int) -> QColor | None:
        return None

    def header_tooltip(self, col: int) -> str | None:
        return None

    def role_data(self, row: T, col: int, role: int) -> Any:
        """Any other role (icons, custom roles)."""
        return None

    # -- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.fields[section].column.title
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(section)
        return None

    def _look(self, r: int) -> tuple[tuple[Any, ...], ...]:
        """Row `r`'s cells as data() answers them, per column: (text, tooltip, foreground brush, background
        brush, font, alignment, icon). Made once per row (the hooks run here, not per paint)."""
        row = self._rows[r]
        cells: list[tuple[Any, ...]] = []
        for col, field in enumerate(self.fields):
            color = self.foreground(row, col)
            back = self.background(row, col)
            cells.append((
                field.shown(row),
                self.tooltip(row, col),
                QBrush(color) if color is not None else None,
                QBrush(back) if back is not None else None,
                self._bold if self.bold(row, col) else None,
                _CENTER if field.center else _LEFT,
                self.role_data(row, col, Qt.ItemDataRole.DecorationRole),
            ))  # fmt: skip
        look = self._looks[r] = tuple(cells)
        return look

    def prepare(self, first: int, last: int) -> None:
        """Work out rows first..last's cells now (e.g. the visible rows, in the turn that delivered them),
        so the paint that follows runs no styling hook; counts as reading them (`max_row_read`)."""
        for r in range(max(first, 0), min(last, len(self._rows) - 1) + 1):
            if r not in self._looks:
                self._look(r)
            if r > self.max_row_read:
                self.max_row_read = r

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called ≈ 2,500 times a paint (7 roles of every visible cell): one frame, no isValid() call (an
        # invalid index has row -1), the cached look first, CheckStateRole answered before any row is read.
        r = index.row()
        slot = _ROLE_SLOT.get(role)
        if slot is not None:
            look = self._looks.get(r)
            if look is None:
                if not 0 <= r < len(self._rows):
                    return None
                if r > self.max_row_read:
                    self.max_row_read = r
                look = self._look(r)
            return look[index.column()][slot]
        if role == _CHECK_STATE or not 0 <= r < len(self._rows):
            return None
        if r > self.max_row_read:
            self.max_row_read = r
        if role == ROW_ROLE:
            return self._rows[r]
        return self.role_data(self._rows[r], index.column(), role)


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
            if x_empty != y_empty:
                return y_empty
            return self.tie_less(model.row_at(left.row()), model.row_at(right.row()), left.row(), right.row())
        if x != y:
            if isinstance(x, str) and isinstance(y, str):
                c = self._collator.compare(x, y)
                if c:
                    return c < 0
            else:
                return bool(x < y)
        return self.tie_less(model.row_at(left.row()), model.row_at(right.row()), left.row(), right.row())

    def tie_less(self, left: T, right: T, left_row: int, right_row: int) -> bool:
        """Order of rows whose values are equal (or both empty): the loaded order."""
        return left_row < right_row

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
