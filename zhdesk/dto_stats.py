"""总览's records: figures, the dashboard and its drill-downs, the attention list and the Gantt rows.

Loaded on first use: `from zhdesk.dto import Dashboard` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from zhdesk.domain.stats import Counts

__all__ = ["AttentionEntry", "Dashboard", "Drill", "FigureDTO", "GanttRow", "StatsFilter", "SupervisionFigures"]


@dataclass(frozen=True)
class FigureDTO:
    metric: str
    metric_name: str
    unit: str
    period_start: dt.date
    period_end: dt.date
    community: str | None
    value: Decimal
    qualifier: str | None

    @property
    def text(self) -> str:
        """As the source writes it: 约130, 近130, 100余."""
        number = f"{self.value.normalize():f}"
        if self.qualifier == "余":
            return f"{number}余"
        return f"{self.qualifier or ''}{number}"


@dataclass(frozen=True)
class StatsFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    community: str | None = None


@dataclass(frozen=True)
class SupervisionFigures:
    by_kind: dict[str, Counts]
    total: Counts
    due: int  # 应结案数
    deferred: int  # 缓办数
    closed_due: int  # 结案数
    closed_on_time: int
    rework: int
    closure_rate: float | None
    on_time_closure_rate: float | None


@dataclass(frozen=True)
class Dashboard:
    figures: SupervisionFigures
    listings_in_force: int
    listings_overdue: int
    listings_closed_in_range: int
    city_cases: Decimal
    city_cases_qualifier: str | None
    # (period key as domain/periods.py makes it, kind code, items)
    items_per_period: list[tuple[str, str, int]] = field(default_factory=list)
    # (period key, due, closed) for the closure-rate line
    closure_per_period: list[tuple[str, int, int, int]] = field(default_factory=list)
    categories: list[tuple[str, int]] = field(default_factory=list)
    # (community, items, closed, overdue)
    communities: list[tuple[str, int, int, int]] = field(default_factory=list)
    overdue_by_unit: list[tuple[str, int]] = field(default_factory=list)
    overdue_by_lead: list[tuple[str, int]] = field(default_factory=list)
    granularity: str = "month"  # of the period keys above (domain/periods.py)


@dataclass(frozen=True)
class AttentionEntry:
    """One line of 需要关注: an overdue or nearly due listing or supervision item."""

    site_id: int
    light: str  # red | yellow
    address: str
    what: str
    who: str
    days_text: str
    deadline: dt.date | None
    rank: int  # 0 overdue listing, 1 overdue item, 2 listing due soon, 3 item due soon
    item_id: int | None = None  # the supervision item, when the line is one


@dataclass(frozen=True)
class Drill:
    """The items behind one bar or point of a chart: the page's filter plus the clicked slice."""

    base: StatsFilter = StatsFilter()
    kind: str | None = None
    period: str | None = None  # a period key (domain/periods.py): '2026-11', '2026-11-23' (a week), '2026'
    category: str | None = None  # '未分类' = none
    community: str | None = None
    unit: str | None = None  # '未指定单位' = none
    lead: str | None = None
    overdue_only: bool = False
    closed_only: bool = False  # the 已办结 bar of a community


@dataclass(frozen=True)
class GanttRow:
    site_id: int
    address: str
    community: str
    lead: str | None
    unit: str | None
    status: str
    status_label: str
    light: str
    listed_on: dt.date
    deadline: dt.date | None
    closed_on: dt.date | None
    days_text: str
    rebounds: tuple[dt.date, ...]
    # (date, kind code) of the current listing's other events, for small marks along the bar
    events: tuple[tuple[dt.date, str], ...] = ()
