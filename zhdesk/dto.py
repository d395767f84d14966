"""Plain frozen records the services take and return, for the CLI and the UI (never ORM objects).

The one home of every DTO, input and filter type: the window imports these (and zhdesk.domain) without
loading SQLAlchemy."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhdesk.domain.dates import fmt_iso
from zhdesk.domain.lights import Light
from zhdesk.domain.stats import Counts, Kind
from zhdesk.domain.workflow import Status
from zhdesk.paging import Page

Cell = str | int | float | dt.date | dt.datetime | None  # one value of an exported table


@dataclass(frozen=True)
class Column:
    """A column of an exported table (zhdesk/export.py)."""

    title: str
    kind: str = "text"  # text | int | date


def _with_iso_dates(obj: Any) -> dict[str, Any]:
    """asdict() with every date field as an ISO string (JSON has no dates)."""
    d = asdict(obj)
    for k, v in d.items():
        if isinstance(v, dt.date):
            d[k] = fmt_iso(v)
    return d


@dataclass(frozen=True)
class CommunityDTO:
    id: int
    name: str
    is_sample: bool


@dataclass(frozen=True)
class ContactDTO:
    """One responsibility line: role code + label, the person and/or unit, and a phone."""

    role: str
    role_label: str
    person: str | None
    unit: str | None
    title: str | None
    phone: str | None


@dataclass(frozen=True)
class TransitionDTO:
    action: str
    label: str
    target: str
    target_label: str


@dataclass(frozen=True)
class SiteRow:
    id: int
    address: str
    community: str
    kind: str
    kind_label: str
    military: bool
    listed: bool
    listing_id: int | None
    issue_no: int | None
    status: str | None
    status_label: str | None
    listed_on: dt.date | None
    deadline: dt.date | None
    closed_on: dt.date | None
    light: str | None
    days_left: int | None
    days_text: str
    lead: str | None
    lead_phone: str | None
    unit: str | None
    category: str | None
    category_code: str | None
    problem: str | None

    def to_json(self) -> dict[str, Any]:
        return _with_iso_dates(self)


@dataclass(frozen=True)
class ListingDTO:
    id: int
    issue_no: int | None
    listed_on: dt.date
    deadline: dt.date | None
    status: str
    status_label: str
    closed_on: dt.date | None
    category: str | None
    category_code: str | None
    category_std_version: str | None
    problem: str | None
    rework_count: int
    rebound_count: int
    light: str
    days_text: str
    version: int
    contacts: tuple[ContactDTO, ...] = ()
    extension_count: int = 0  # 延期: how many times its deadline was extended

    def to_json(self) -> dict[str, Any]:
        return _with_iso_dates(self)


@dataclass(frozen=True)
class SiteDetail:
    row: SiteRow
    note: str | None
    listings: tuple[ListingDTO, ...]
    transitions: tuple[TransitionDTO, ...] = field(default=())
    site_version: int = 0  # for edit_site's expected_version

    @property
    def current(self) -> ListingDTO | None:
        return self.listings[-1] if self.listings else None

    def to_json(self) -> dict[str, Any]:
        d = self.row.to_json()
        d["note"] = self.note
        d["listings"] = [li.to_json() for li in self.listings]
        d["transitions"] = [asdict(t) for t in self.transitions]
        return d


@dataclass(frozen=True)
class SiteFilter:
    community: str | None = None
    status: Status | None = None
    light: Light | None = None
    listed_only: bool = False
    text: str | None = None


@dataclass(frozen=True)
class SiteQuery:
    """The 挂牌督办 table's filters, for the paged site query (services/sites.site_page): exact community
    name, status and light values, listed sites only, and `search` over address / 包案领导 / 责任单位."""

    community: str | None = None
    status: str | None = None
    light: str | None = None
    listed_only: bool = True
    search: str = ""


@dataclass(frozen=True)
class SiteCounts:
    """Listed sites per light (red/yellow/green/grey) and every site, whatever the filters."""

    lights: dict[str, int]
    sites: int

    @property
    def listed(self) -> int:
        return sum(self.lights.values())


@dataclass(frozen=True)
class ContactInput:
    role: str
    person: str | None = None
    unit: str | None = None
    title: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ListingInput:
    listed_on: dt.date
    deadline: dt.date | None
    problem: str | None = None
    category: str | None = None
    issue_no: int | None = None
    contacts: tuple[ContactInput, ...] = ()


@dataclass(frozen=True)
class EventDTO:
    id: int
    site_id: int
    listing_id: int | None
    kind: str
    kind_label: str
    date: dt.date
    time: dt.time | None
    text: str | None
    actors: tuple[str, ...]
    photo_ids: tuple[int, ...]
    author: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = fmt_iso(self.date)
        d["time"] = self.time.strftime("%H:%M") if self.time else None
        d["actors"] = list(self.actors)
        d["photo_ids"] = list(self.photo_ids)
        return d


@dataclass(frozen=True)
class PhotoDTO:
    id: int
    site_id: int
    event_id: int | None
    phase: str
    phase_label: str
    taken_at: dt.datetime | None
    file_name: str | None
    size: int
    width: int | None
    height: int | None
    sha256: str

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["taken_at"] = self.taken_at.isoformat(sep=" ") if self.taken_at else None
        d["taken_date"] = fmt_iso(self.taken_at.date()) if self.taken_at else None
        return d


@dataclass(frozen=True)
class FileResult:
    file: str
    id: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AddPhotosResult:
    added: tuple[FileResult, ...] = ()
    duplicates: tuple[FileResult, ...] = ()
    refused: tuple[FileResult, ...] = ()
    photo_ids: tuple[int, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [{"file": r.file, "id": r.id} for r in self.added],
            "duplicates": [{"file": r.file, "id": r.id} for r in self.duplicates],
            "refused": [{"file": r.file, "reason": r.reason} for r in self.refused],
        }


@dataclass(frozen=True)
class ItemInput:
    address: str
    community: str | None = None
    problem: str | None = None
    category: str | None = None
    deadline: dt.date | None = None
    unit: str | None = None
    deferred: bool = False


@dataclass(frozen=True)
class BatchDTO:
    id: int
    kind: str
    kind_label: str
    year: int
    issue_no: int
    issued_on: dt.date
    issuer: str | None
    title: str | None
    items: int
    closed: int

    @property
    def all_closed(self) -> bool:
        return self.items > 0 and self.items == self.closed

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.issue_no}期{self.kind_label}"


@dataclass(frozen=True)
class ItemDTO:
    id: int
    batch_id: int
    kind: str
    issue_no: int
    site_id: int
    address: str
    community: str
    category: str | None
    problem: str | None
    deadline: dt.date | None
    unit: str | None
    status: str  # open | closed
    closed_on: dt.date | None
    deferred: bool
    listing_id: int | None
    light: str  # red | yellow | green | grey (domain/lights.item_light): views never recompute it
    days_left: int | None
    days_text: str  # 剩5天 / 今天到期 / 超期3天 / 缓办 / 已办结

    @property
    def overdue(self) -> bool:
        return self.light == Light.RED.value


@dataclass(frozen=True)
class BatchFilter:
    kind: Kind | None = None
    community: str | None = None
    status: str | None = None  # open | closed (batch: all items closed or not)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class PastedRow:
    line: int
    text: str
    item: ItemInput | None
    error: str | None


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


# ---- tallies


@dataclass(frozen=True)
class TallyImportOptions:
    """What the user adds to a tally file: a default community, a period, header mappings, fixes, exclusions."""

    community: str | None = None
    period: tuple[dt.date, dt.date] | None = None
    # header text → metric code, or None to ignore the column (CLI --map, the wizard's choices)
    mapping: dict[str, str | None] = field(default_factory=dict)
    # (sheet, row as the spreadsheet shows it, column letter) → the value the user typed instead
    fixes: dict[tuple[str, int, str], str] = field(default_factory=dict)
    excluded: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class TallyProblem:
    """One problem of an import, with its place: sheet, row (as shown), column letter, the value, the reason."""

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}  # fmt: skip

    def text(self, file_name: str) -> str:
        where = [file_name]
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列")
        value = f"“{self.value}”" if self.value not in (None, "") else ""
        return f"{' '.join(where)}{value}：{self.reason}"


@dataclass(frozen=True)
class TallyPreviewEntry:
    metric: str
    metric_name: str
    unit: str
    community: str
    site: str | None
    start: dt.date
    end: dt.date
    value: Decimal
    qualifier: str | None
    sheet: str
    row: int
    column: str


@dataclass(frozen=True)
class TallyFileReport:
    """The outcome of importing (or previewing) one file; `status` imported | duplicate | rejected | preview."""

    file: str
    status: str
    rows: int = 0
    entries: int = 0
    errors: tuple[TallyProblem, ...] = ()
    warnings: tuple[TallyProblem, ...] = ()
    unmapped: tuple[str, ...] = ()
    batch_id: int | None = None
    sha256: str | None = None
    unreadable: bool = False
    preview: tuple[TallyPreviewEntry, ...] = ()
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status, "rows": self.rows, "entries": self.entries,
            "errors": [e.to_json() for e in self.errors], "warnings": [w.to_json() for w in self.warnings],
            "unmapped": list(self.unmapped), "batch": self.batch_id,
        }  # fmt: skip


@dataclass(frozen=True)
class TallyBatchDTO:
    id: int
    file_name: str
    sha256: str
    sheets: str | None
    imported_at: dt.datetime
    imported_by: str | None
    rows: int
    entries: int
    undone_at: dt.datetime | None
    undone_by: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "file": self.file_name, "sha256": self.sha256, "sheets": self.sheets,
            "imported_at": self.imported_at.isoformat(sep=" "), "imported_by": self.imported_by, "rows": self.rows,
            "entries": self.entries, "undone": self.undone_at is not None,
            "undone_at": self.undone_at.isoformat(sep=" ") if self.undone_at else None, "undone_by": self.undone_by,
        }  # fmt: skip


@dataclass(frozen=True)
class MetricDTO:
    code: str
    name: str
    unit: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricTotal:
    """A metric's total over a range; an approximate entry (约/近/余) makes the total approximate."""

    code: str
    name: str
    unit: str
    value: Decimal
    qualifier: str | None

    @property
    def text(self) -> str:
        """As the source writes it: 约130, 近130, 100余."""
        number = f"{self.value.normalize():f}" if self.value == self.value.to_integral() else f"{self.value:f}"
        if self.qualifier == "余":
            return f"{number}余"
        return f"{self.qualifier or ''}{number}"


@dataclass(frozen=True)
class TallyCell:
    """One figure of the metric × community × period table."""

    metric: str
    community: str  # '全街道' for entries without a community
    period: str  # a period key (zhdesk/domain/periods.py)
    value: Decimal
    qualifier: str | None


@dataclass(frozen=True)
class TallyEntryDTO:
    """One entry behind a figure, with where it came from: a file and row, or a hand entry."""

    id: int
    metric: str
    metric_name: str
    unit: str
    community: str | None
    site: str | None
    start: dt.date
    end: dt.date
    value: Decimal
    qualifier: str | None
    batch_id: int | None
    file_name: str | None
    sheet: str | None
    row: int | None
    column: str | None
    entered_by: str | None
    entered_at: dt.datetime | None

    @property
    def source(self) -> str:
        if self.batch_id is not None:
            where = " ".join(x for x in (f"工作表“{self.sheet}”" if self.sheet else "",
                                          f"第{self.row}行" if self.row else "", f"{self.column}列" if self.column
                                          else "") if x)  # fmt: skip
            return f"{self.file_name} {where}".strip()
        when = self.entered_at.strftime("%Y-%m-%d %H:%M") if self.entered_at else ""
        return f"手工录入 {self.entered_by or ''} {when}".strip()


# ---- 点位档案 (site dossier)


@dataclass(frozen=True)
class DossierItem:
    """One supervision item of a site, with the batch it came in."""

    item: ItemDTO
    year: int
    issued_on: dt.date

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def kind_label(self) -> str:
        from zhdesk.domain.stats import kind_label

        return kind_label(self.item.kind)

    @property
    def batch_label(self) -> str:
        return f"{self.year}年{self.kind_label}第{self.item.issue_no}期"

    def to_json(self) -> dict[str, Any]:
        d = _with_iso_dates(self.item)
        d.update(kind_label=self.kind_label, year=self.year, issued_on=fmt_iso(self.issued_on),
                 batch=self.batch_label)  # fmt: skip
        return d


@dataclass(frozen=True)
class DossierDTO:
    """Everything the office knows about one site: its detail and listings, every supervision item of every
    kind (newest batch first) and the tally entries recorded for it. The timeline and photos are read by
    their own tabs."""

    detail: SiteDetail
    items: tuple[DossierItem, ...]
    tally: tuple[TallyEntryDTO, ...]

    @property
    def row(self) -> SiteRow:
        return self.detail.row

    @property
    def listings_newest_first(self) -> tuple[ListingDTO, ...]:
        return tuple(reversed(self.detail.listings))  # SiteDetail keeps the current one last

    def item(self, item_id: int) -> DossierItem | None:
        return next((i for i in self.items if i.item.id == item_id), None)

    def to_json(self) -> dict[str, Any]:
        d = self.detail.to_json()
        d["listings"] = [li.to_json() for li in self.listings_newest_first]
        d["items"] = [i.to_json() for i in self.items]
        d["tally"] = [
            {"id": e.id, "metric": e.metric, "metric_name": e.metric_name, "unit": e.unit, "start": fmt_iso(e.start),
             "end": fmt_iso(e.end), "value": f"{e.value.normalize():f}", "qualifier": e.qualifier,
             "text": MetricTotal(e.metric, e.metric_name, e.unit, e.value, e.qualifier).text, "source": e.source}
            for e in self.tally
        ]  # fmt: skip
        return d


# ---------------------------------------------------------------- the registry (点位, 通讯录, 社区)


@dataclass(frozen=True)
class IssuedNotice:
    """One 督办通知单 issued (zhdesk/services/notices.py): its number, addressee and the 催办 event."""

    site_id: int
    address: str
    community: str
    number: str  # 督〔2026〕12号
    addressee: str
    days_text: str  # 超期3天 / 剩5天 ...
    due: dt.date  # 限期整改完毕
    event_id: int

    def to_json(self) -> dict[str, Any]:
        return _with_iso_dates(self)


@dataclass(frozen=True)
class NoticeResult:
    """The notices written into one PDF, one page each."""

    path: str
    notices: tuple[IssuedNotice, ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "pages": len(self.notices), "notices": [n.to_json() for n in self.notices]}


@dataclass(frozen=True)
class SimilarSite:
    """An existing site whose address reads as the same place as one being typed."""

    id: int
    address: str
    community: str
    kind_label: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PersonDTO:
    """A person of the 通讯录; `listings` counts the listings naming them (any role)."""

    id: int
    name: str
    title: str | None
    unit: str | None
    phone: str | None
    listings: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UnitDTO:
    id: int
    name: str
    phone: str | None
    people: int = 0
    listings: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CommunityUse:
    """A community and what uses it (a used one cannot be deleted)."""

    id: int
    name: str
    is_sample: bool
    sites: int
    tally_entries: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- 会议简报 (issue 11): the one spec the
# window, the CLI and the tests hand to the brief builder (zhdesk/brief/).

BRIEF_SECTIONS = ("summary", "kpi", "charts", "listings", "sites")


@dataclass(frozen=True)
class BriefSpec:
    """What a brief holds. None means the default the builder picks: the last issue + 1, the issuing
    unit and title from the settings, today."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    communities: tuple[str, ...] = ()  # empty: every community
    sections: tuple[str, ...] = BRIEF_SECTIONS
    sites: str = "listed"  # listed | all | chosen (then site_ids)
    site_ids: tuple[int, ...] = ()
    photos: bool = True
    issue_no: int | None = None
    issuer: str | None = None
    issued_on: dt.date | None = None
    internal: bool = False  # print the 内部资料 line
    title: str | None = None


@dataclass(frozen=True)
class Documents:
    """What the office prints on its documents (设置 → 简报和通知单)."""

    issuer: str
    brief_title: str
    notice_title: str


@dataclass(frozen=True)
class BriefResult:
    path: Path
    pages: int  # the PDF's page count; 0 for a .docx (Word paginates it when it opens the file)
    bytes: int
    issue_no: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


@dataclass(frozen=True)
class AuditDTO:
    """One entry of the audit trail (操作日志): who did what to which record, and its detail."""

    id: int
    at: dt.datetime
    user_login: str
    action: str  # the code, e.g. site.edit
    action_label: str  # in Chinese, e.g. 编辑点位; an unknown code is shown as it is
    entity: str
    entity_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat(sep=" ")
        return d

    @property
    def target(self) -> str:
        """对象: the entity and its id (site 12)."""
        name = ENTITY_LABELS.get(self.entity, self.entity)
        return f"{name} {self.entity_id}" if self.entity_id is not None else name

    def detail_text(self, limit: int | None = None) -> str:
        """One line: the fields an edit changed as `字段：旧 → 新`, then the other detail as `键=值`."""
        detail = self.detail
        parts: list[str] = []
        before, after = detail.get("before"), detail.get("after")
        if isinstance(before, dict) and isinstance(after, dict):
            for key in dict.fromkeys([*before, *after]):
                if before.get(key) != after.get(key):
                    parts.append(f"{key}：{_audit_value(before.get(key))} → {_audit_value(after.get(key))}")
            rest = {k: v for k, v in detail.items() if k not in ("before", "after")}
        else:
            rest = detail
        parts += [f"{k}={_audit_value(v)}" for k, v in rest.items()]
        text = "；".join(parts).replace("\n", " ").replace("\r", " ")
        return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


# 对象 in the 操作日志: the audited tables by their Chinese names (an unknown one shows as it is)
ENTITY_LABELS: dict[str, str] = {
    "site": "点位", "community": "社区", "listing": "挂牌督办", "setting": "设置", "brief_record": "会议简报",
    "import_batch": "台账导入", "metric": "统计指标", "photo": "照片", "tally_entry": "台账数字",
    "supervision_batch": "督办批次", "supervision_item": "督办件", "timeline_event": "时间线事件",
    "person": "人员", "unit": "单位", "database": "数据库", "user": "账户", "stat": "统计汇总表",
}  # fmt: skip


def _audit_value(v: object) -> str:
    return "空" if v is None or v == "" else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))


@dataclass(frozen=True)
class BriefRecordDTO:
    """A saved brief, newest first in recent_briefs: enough to list it and rebuild or clone it."""

    id: int
    issue_no: int
    spec: BriefSpec
    path: str
    pages: int
    size_bytes: int
    made_at: dt.datetime
    made_by: str | None


@dataclass(frozen=True)
class UserDTO:
    """An account (设置 → 账户): never its password, only whether it has one."""

    id: int
    login: str
    display_name: str
    role: str  # admin | leader | preparer | staff (zhdesk/domain/roles.py)
    role_label: str  # 管理员 …
    community: str | None  # the community a staff account is bound to
    disabled: bool
    locked_until: dt.datetime | None
    has_password: bool

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["locked_until"] = None if self.locked_until is None else self.locked_until.isoformat(sep=" ")
        return d


@dataclass(frozen=True)
class BatchTotals:
    """督办通报's counts line under a filter: 共 N 期 M 处，办结 K 处."""

    batches: int
    items: int
    closed: int


@dataclass(frozen=True)
class BatchPage(Page[BatchDTO]):
    """A page of 督办通报's batches with the counts line of the whole filter (read in the same pass)."""

    totals: BatchTotals = BatchTotals(0, 0, 0)
