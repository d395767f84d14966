"""Qt model over `SiteRow` DTOs and the proxy that filters and sorts it by real values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

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

from ui.widgets.light import LIGHT_ROLE, light_icon, light_label
from zhdesk.domain.lights import Light
from zhdesk.domain.workflow import Status
from zhdesk.dto import SiteRow
from zhdesk.export import Column

Index = QModelIndex | QPersistentModelIndex


class Col(IntEnum):
    LIGHT = 0
    ADDRESS = 1
    COMMUNITY = 2
    STATUS = 3
    LISTED_ON = 4
    DEADLINE = 5
    DAYS = 6
    LEAD = 7
    UNIT = 8
    CATEGORY = 9
    ISSUE = 10


# Header title and export kind of each column (the Excel export uses the same titles).
COLUMNS: dict[Col, Column] = {
    Col.LIGHT: Column("灯"),
    Col.ADDRESS: Column("地址"),
    Col.COMMUNITY: Column("社区"),
    Col.STATUS: Column("状态"),
    Col.LISTED_ON: Column("挂牌日期", "date"),
    Col.DEADLINE: Column("整改时限", "date"),
    Col.DAYS: Column("剩余/超期"),
    Col.LEAD: Column("包案领导"),
    Col.UNIT: Column("责任单位"),
    Col.CATEGORY: Column("问题类别"),
    Col.ISSUE: Column("期", "int"),
}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the SiteRow itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # (missing, value, urgency) — compared by the proxy
EXPORT_ROLE = Qt.ItemDataRole.UserRole + 3  # the cell as written to Excel (dates stay dates)

LIGHT_RANK = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, Light.GREY.value: 3, None: 4}
OVERDUE_TEXT = QColor("#c5221f")
DUE_SOON_TEXT = QColor("#a15c00")  # amber dark enough to read on white
OVERDUE_ROW = QColor("#fdecea")
NOT_LISTED = "未挂牌"


def urgency(row: SiteRow) -> tuple[int, int, str]:
    """Red first, then by days left (fewest first), then address — the order leaders read in."""
    return (LIGHT_RANK.get(row.light, 4), row.days_left if row.days_left is not None else 10**6, row.address)


def fmt_date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def category_text(row: SiteRow) -> str:
    if not row.category:
        return ""
    return f"{row.category}({row.category_code})" if row.category_code else row.category


def is_overdue(row: SiteRow) -> bool:
    return row.light == Light.RED.value


def _value(row: SiteRow, col: Col) -> Any:
    """The real value behind a cell: dates as dates, numbers as ints."""
    match col:
        case Col.LIGHT:
            return LIGHT_RANK.get(row.light, 4)
        case Col.ADDRESS:
            return row.address
        case Col.COMMUNITY:
            return row.community
        case Col.STATUS:
            return list(Status).index(Status(row.status)) if row.status else None
        case Col.LISTED_ON:
            return row.listed_on
        case Col.DEADLINE:
            return row.deadline
        case Col.DAYS:
            return row.days_left
        case Col.LEAD:
            return row.lead
        case Col.UNIT:
            return row.unit
        case Col.CATEGORY:
            return row.category_code or row.category
        case Col.ISSUE:
            return row.issue_no
    return None


def sort_key(row: SiteRow, col: Col) -> tuple[bool, Any, tuple[int, int, str]]:
    """(empty, real value, urgency): empty cells sort last, ties fall back to urgency."""
    value = _value(row, col)
    return (value is None or value == "", value if value is not None else 0, urgency(row))


def _display(row: SiteRow, col: Col) -> str:
    match col:
        case Col.LIGHT:
            return ""
        case Col.STATUS:
            return row.status_label or NOT_LISTED
        case Col.LISTED_ON:
            return fmt_date(row.listed_on)
        case Col.DEADLINE:
            return fmt_date(row.deadline)
        case Col.DAYS:
            return row.days_text if row.listed else ""
        case Col.CATEGORY:
            return category_text(row)
        case Col.ISSUE:
            return f"第{row.issue_no}期" if row.issue_no is not None else ""
    value = _value(row, col)
    return "" if value is None else str(value)


def export_cell(row: SiteRow, col: Col) -> str | int | dt.date | None:
    match col:
        case Col.LIGHT:
            return light_label(row.light)
        case Col.LISTED_ON:
            return row.listed_on
        case Col.DEADLINE:
            return row.deadline
        case Col.ISSUE:
            return row.issue_no
    return _display(row, col) or None


class SitesModel(QAbstractTableModel):
    """Read-only table over SiteRow DTOs; `replace_row` updates one row in place after a change."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SiteRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- data in
    def set_rows(self, rows: Sequence[SiteRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_row(self, row: SiteRow) -> bool:
        """Swap in a fresh DTO for the same site; False when the site is not in the table."""
        for i, old in enumerate(self._rows):
            if old.id == row.id:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(Col) - 1))
                return True
        return False

    def set_font(self, font: QFont) -> None:
        """The view's font, so emphasised cells follow the display size."""
        self._bold = QFont(font)
        self._bold.setBold(True)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Col) - 1))

    def rows(self) -> list[SiteRow]:
        return list(self._rows)

    def row_at(self, i: int) -> SiteRow:
        return self._rows[i]

    def row_of(self, site_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == site_id), None)

    # -- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        col = Col(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[col].title
        if role == Qt.ItemDataRole.ToolTipRole and col == Col.LIGHT:
            return "红灯：超期未办结；黄灯：临近整改时限；绿灯：正常；灰灯：已办结"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = Col(index.column())
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return _display(row, col)
            case Qt.ItemDataRole.DecorationRole if col == Col.LIGHT and row.light:
                return light_icon(row.light)
            case Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(row, col)
            case Qt.ItemDataRole.ForegroundRole if col == Col.DAYS and is_overdue(row):
                return QBrush(OVERDUE_TEXT)
            case Qt.ItemDataRole.ForegroundRole if col == Col.DAYS and row.light == Light.YELLOW.value:
                return QBrush(DUE_SOON_TEXT)
            case Qt.ItemDataRole.BackgroundRole if is_overdue(row):
                return QBrush(OVERDUE_ROW)
            case Qt.ItemDataRole.FontRole if col == Col.DAYS and is_overdue(row):
                return self._bold
            case Qt.ItemDataRole.TextAlignmentRole:
                if col in (Col.LIGHT, Col.LISTED_ON, Col.DEADLINE, Col.DAYS, Col.ISSUE):
                    return int(Qt.AlignmentFlag.AlignCenter)
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            case Qt.ItemDataRole.AccessibleTextRole if col == Col.LIGHT:
                return light_label(row.light)
        if role == LIGHT_ROLE and col == Col.LIGHT:
            return row.light
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return sort_key(row, col)
        if role == EXPORT_ROLE:
            return export_cell(row, col)
        return None

    @staticmethod
    def _tooltip(row: SiteRow, col: Col) -> str | None:
        if col == Col.LIGHT:
            return light_label(row.light)
        if col == Col.DAYS and row.deadline:
            return f"整改时限 {row.deadline.isoformat()}：{row.days_text}"
        if col == Col.LEAD and row.lead_phone:
            return f"{row.lead} 电话 {row.lead_phone}"
        if col == Col.CATEGORY and row.problem:
            return row.problem
        if col == Col.ADDRESS:
            return f"{row.address}（{row.kind_label}）"
        return None


class SitesProxy(QSortFilterProxyModel):
    """Filters by community / status / light / listed-only / search text; sorts by real values."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.community: str | None = None
        self.status: str | None = None
        self.light: str | None = None
        self.listed_only = True
        self.text = ""
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self.setDynamicSortFilter(True)
        self.setSortRole(SORT_ROLE)

    def set_filters(
        self,
        *,
        community: str | None = None,
        status: str | None = None,
        light: str | None = None,
        listed_only: bool = True,
        text: str = "",
    ) -> None:
        self.beginFilterChange()
        self.community = community or None
        self.status = status or None
        self.light = light or None
        self.listed_only = listed_only
        self.text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def accepts(self, row: SiteRow) -> bool:
        if self.listed_only and not row.listed:
            return False
        if self.community and row.community != self.community:
            return False
        if self.status and row.status != self.status:
            return False
        if self.light and row.light != self.light:
            return False
        if self.text:
            haystack = " ".join(x for x in (row.address, row.lead, row.unit) if x).casefold()
            if self.text not in haystack:
                return False
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, SitesModel)
        return self.accepts(model.row_at(source_row))

    def _source_row(self, source_index: Index) -> SiteRow:
        model = self.sourceModel()
        assert isinstance(model, SitesModel)
        return model.row_at(source_index.row())

    def lessThan(self, left: Index, right: Index) -> bool:
        col = Col(left.column())
        a = sort_key(self._source_row(left), col)
        b = sort_key(self._source_row(right), col)
        if a[0] != b[0]:
            return bool(a[0] < b[0])  # empty cells last
        x, y = a[1], b[1]
        if x != y:
            if isinstance(x, str) and isinstance(y, str):
                c = self._collator.compare(x, y)
                if c:
                    return c < 0
            else:
                return bool(x < y)
        return bool(a[2] < b[2])

    # -- helpers for the page and tests
    def row_at(self, proxy_row: int) -> SiteRow:
        return self._source_row(self.mapToSource(self.index(proxy_row, 0)))

    def visible_rows(self) -> list[SiteRow]:
        return [self.row_at(i) for i in range(self.rowCount())]

    def proxy_row_of(self, site_id: int) -> int | None:
        return next((i for i in range(self.rowCount()) if self.row_at(i).id == site_id), None)

    def export_rows(self) -> list[list[Any]]:
        """The cells exactly as filtered and sorted now, in column order."""
        return [[export_cell(row, col) for col in Col] for row in self.visible_rows()]
