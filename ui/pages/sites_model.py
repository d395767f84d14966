"""挂牌督办 table: `SiteRow` DTOs on ui/dto_table.py (one Field per column): the paged model the page shows
(sorted and filtered in SQL), and the in-memory model + proxy kept for small lists and their tests."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from ui.dto_table import ROW_ROLE, DtoModel, DtoProxy, Field
from ui.ops import Ops
from ui.paged_table import PagedModel
from ui.widgets.light import LIGHT_ROLE, light_icon, light_label
from zhdesk.domain.lights import Light
from zhdesk.domain.workflow import Status
from zhdesk.dto import Column, SiteQuery, SiteRow
from zhdesk.paging import Sort

if TYPE_CHECKING:  # the window is handed its Desk; importing it would load SQLAlchemy
    from zhdesk.desk import Desk


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

__all__ = ["COLUMNS", "FIELDS", "ROW_ROLE", "SORT_KEYS", "Col", "SitesModel", "SitesPagedModel", "SitesProxy"]

LIGHT_RANK = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, Light.GREY.value: 3, None: 4}
OVERDUE_TEXT = QColor("#c5221f")
DUE_SOON_TEXT = QColor("#a15c00")  # amber dark enough to read on white
OVERDUE_ROW = QColor("#fdecea")
NOT_LISTED = "未挂牌"


def urgency(row: SiteRow) -> tuple[int, int, str]:
    """Red first, then by days left (fewest first), then address — the order leaders read in."""
    return (LIGHT_RANK.get(row.light, 4), row.days_left if row.days_left is not None else 10**6, row.address)


def category_text(row: SiteRow) -> str:
    if not row.category:
        return ""
    return f"{row.category}({row.category_code})" if row.category_code else row.category


def is_overdue(row: SiteRow) -> bool:
    return row.light == Light.RED.value


def status_rank(row: SiteRow) -> int | None:
    return list(Status).index(Status(row.status)) if row.status else None


def issue_text(row: SiteRow) -> str:
    return f"第{row.issue_no}期" if row.issue_no is not None else ""


# The core's sort key of each column (services/sites.SITE_SORT_KEYS), in Col order.
SORT_KEYS: tuple[str, ...] = (
    "light", "address", "community", "status", "listed_on", "deadline", "days", "lead", "unit", "category", "issue",
)  # fmt: skip

# One Field per column, in Col order: what sorts (value), what shows (text) and what Excel gets.
FIELDS: tuple[Field[SiteRow], ...] = (
    Field(COLUMNS[Col.LIGHT], lambda r: LIGHT_RANK.get(r.light, 4), lambda _r: "", center=True,
          export=lambda r: light_label(r.light)),
    Field(COLUMNS[Col.ADDRESS], lambda r: r.address),
    Field(COLUMNS[Col.COMMUNITY], lambda r: r.community),
    Field(COLUMNS[Col.STATUS], status_rank, lambda r: r.status_label or NOT_LISTED),
    Field(COLUMNS[Col.LISTED_ON], lambda r: r.listed_on, center=True),
    Field(COLUMNS[Col.DEADLINE], lambda r: r.deadline, center=True),
    Field(COLUMNS[Col.DAYS], lambda r: r.days_left, lambda r: r.days_text if r.listed else "", center=True),
    Field(COLUMNS[Col.LEAD], lambda r: r.lead),
    Field(COLUMNS[Col.UNIT], lambda r: r.unit),
    Field(COLUMNS[Col.CATEGORY], lambda r: r.category_code or r.category, category_text),
    Field(COLUMNS[Col.ISSUE], lambda r: r.issue_no, issue_text, center=True),
)  # fmt: skip


class SitesLook:
    """How a site row looks (DtoModel's styling hooks): the light icon, overdue rows tinted, days left
    coloured; shared by the in-memory SitesModel and the paged SitesPagedModel."""

    def foreground(self, row: SiteRow, col: int) -> QColor | None:
        if col == Col.DAYS and is_overdue(row):
            return OVERDUE_TEXT
        if col == Col.DAYS and row.light == Light.YELLOW.value:
            return DUE_SOON_TEXT
        return None

    def background(self, row: SiteRow, col: int) -> QColor | None:
        return OVERDUE_ROW if is_overdue(row) else None

    def bold(self, row: SiteRow, col: int) -> bool:
        return col == Col.DAYS and is_overdue(row)

    def header_tooltip(self, col: int) -> str | None:
        return "红灯：超期未办结；黄灯：临近整改时限；绿灯：正常；灰灯：已办结" if col == Col.LIGHT else None

    def tooltip(self, row: SiteRow, col: int) -> str | None:
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

    def role_data(self, row: SiteRow, col: int, role: int) -> Any:
        if col != Col.LIGHT:
            return None
        if role == Qt.ItemDataRole.DecorationRole and row.light:
            return light_icon(row.light)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return light_label(row.light)
        if role == LIGHT_ROLE:
            return row.light
        return None


class SitesModel(SitesLook, DtoModel[SiteRow]):
    """Read-only table over SiteRow DTOs held in memory."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(FIELDS, parent)


class SitesPagedModel(SitesLook, PagedModel[SiteRow, SiteQuery]):
    """The 挂牌督办 table: site rows read from the core a page at a time (ui/paged_table.py), filtered and
    sorted in SQL (services/sites.site_page). Nothing is read before the first `reload()`."""

    def __init__(self, desk: Desk, ops: Ops, parent: Any = None) -> None:
        super().__init__(
            FIELDS, ops, fetch=desk.site_page, locate=desk.site_position, query=SiteQuery(),
            sort_keys=SORT_KEYS, sort=Sort(SORT_KEYS[Col.LIGHT]), label="正在读取挂牌督办点位…", parent=parent,
        )  # fmt: skip

    # the names the page and tests used on the proxy before paging
    def visible_rows(self) -> list[SiteRow]:
        return self.rows()

    def proxy_row_of(self, row_id: int) -> int | None:
        return self.row_of(row_id)


class SitesProxy(DtoProxy[SiteRow]):
    """Filters by community / status / light / listed-only / search text; equal values fall back to urgency."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.community: str | None = None
        self.status: str | None = None
        self.light: str | None = None
        self.listed_only = True
        self.text = ""

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

    def tie_less(self, left: SiteRow, right: SiteRow, left_row: int, right_row: int) -> bool:
        return urgency(left) < urgency(right)
