"""Plain frozen records the services take and return, for the CLI and the UI (never ORM objects).

The one place every DTO, input and filter type is imported from: the window imports these (and
zhdesk.domain) without loading SQLAlchemy. This module defines the records a start uses (挂牌督办, sign-in,
settings, the audit trail); the other pages' records live in zhdesk/dto_*.py and load the first time one
of them is named here (`from zhdesk.dto import ItemDTO` imports zhdesk.dto_supervision, PEP 562): a frozen
dataclass costs ≈ 1.4 ms to define, and a start used 21 of 55 (issue 13).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from zhdesk.domain.dates import fmt_iso
from zhdesk.domain.lights import Light
from zhdesk.domain.workflow import Status

# The records defined in zhdesk/dto_*.py, by module: named here, each is imported on first use (below).
LATER: dict[str, tuple[str, ...]] = {
    "zhdesk.dto_supervision": ("ItemInput", "BatchDTO", "ItemDTO", "BatchFilter", "PastedRow", "BatchTotals",
                               "BatchPage"),
    "zhdesk.dto_stats": ("FigureDTO", "StatsFilter", "SupervisionFigures", "Dashboard", "AttentionEntry", "Drill",
                         "GanttRow"),
    "zhdesk.dto_tally": ("TallyImportOptions", "TallyProblem", "TallyPreviewEntry", "TallyFileReport",
                         "TallyBatchDTO", "MetricDTO", "MetricTotal", "TallyCell", "TallyEntryDTO"),
    "zhdesk.dto_dossier": ("DossierItem", "DossierDTO"),
    "zhdesk.dto_registry": ("PersonDTO", "UnitDTO", "CommunityUse"),
    "zhdesk.dto_brief": ("BRIEF_SECTIONS", "BriefSpec", "BriefResult", "BriefRecordDTO"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in LATER.items() for name in names}

if TYPE_CHECKING:  # what mypy sees: the same names, exactly typed (tests/zhdesk/test_dto.py checks both lists agree)
    from zhdesk.dto_brief import BRIEF_SECTIONS as BRIEF_SECTIONS
    from zhdesk.dto_brief import BriefRecordDTO as BriefRecordDTO
    from zhdesk.dto_brief import BriefResult as BriefResult
    from zhdesk.dto_brief import BriefSpec as BriefSpec
    from zhdesk.dto_dossier import DossierDTO as DossierDTO
    from zhdesk.dto_dossier import DossierItem as DossierItem
    from zhdesk.dto_registry import CommunityUse as CommunityUse
    from zhdesk.dto_registry import PersonDTO as PersonDTO
    from zhdesk.dto_registry import UnitDTO as UnitDTO
    from zhdesk.dto_stats import AttentionEntry as AttentionEntry
    from zhdesk.dto_stats import Dashboard as Dashboard
    from zhdesk.dto_stats import Drill as Drill
    from zhdesk.dto_stats import FigureDTO as FigureDTO
    from zhdesk.dto_stats import GanttRow as GanttRow
    from zhdesk.dto_stats import StatsFilter as StatsFilter
    from zhdesk.dto_stats import SupervisionFigures as SupervisionFigures
    from zhdesk.dto_supervision import BatchDTO as BatchDTO
    from zhdesk.dto_supervision import BatchFilter as BatchFilter
    from zhdesk.dto_supervision import BatchPage as BatchPage
    from zhdesk.dto_supervision import BatchTotals as BatchTotals
    from zhdesk.dto_supervision import ItemDTO as ItemDTO
    from zhdesk.dto_supervision import ItemInput as ItemInput
    from zhdesk.dto_supervision import PastedRow as PastedRow
    from zhdesk.dto_tally import MetricDTO as MetricDTO
    from zhdesk.dto_tally import MetricTotal as MetricTotal
    from zhdesk.dto_tally import TallyBatchDTO as TallyBatchDTO
    from zhdesk.dto_tally import TallyCell as TallyCell
    from zhdesk.dto_tally import TallyEntryDTO as TallyEntryDTO
    from zhdesk.dto_tally import TallyFileReport as TallyFileReport
    from zhdesk.dto_tally import TallyImportOptions as TallyImportOptions
    from zhdesk.dto_tally import TallyPreviewEntry as TallyPreviewEntry
    from zhdesk.dto_tally import TallyProblem as TallyProblem
else:  # hidden from mypy, like zhdesk/services/__init__.py: a misspelt name is an error, not `Any`

    def __getattr__(name: str) -> object:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # the next lookup is a plain one
        return value

    def __dir__() -> list[str]:
        return sorted([*globals(), *_MODULE_OF])


Cell = str | int | float | dt.date | dt.datetime | None  # one value of an exported table


@dataclass(frozen=True)
class Column:
    """A column of an exported table (zhdesk/export.py)."""

    title: str
    kind: str = "text"  # text | int | date


def with_iso_dates(obj: Any) -> dict[str, Any]:
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
        return with_iso_dates(self)


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
        return with_iso_dates(self)


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


# ---------------------------------------------------------------- notices and the registry (点位)


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
        return with_iso_dates(self)


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
class Documents:
    """What the office prints on its documents (设置 → 简报和通知单)."""

    issuer: str
    brief_title: str
    notice_title: str


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
