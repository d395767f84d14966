"""Everything a brief shows, gathered through the existing services into plain dataclasses (no reportlab
here): the figures, the summary paragraph, the 挂牌督办 table and each chosen site's section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from db.uow import UnitOfWork
from zhdesk.domain.lights import Light
from zhdesk.domain.periods import date_text
from zhdesk.dto import BriefSpec, Dashboard, EventDTO, PhotoDTO, SiteQuery, SiteRow, StatsFilter
from zhdesk.errors import UsageError
from zhdesk.paging import Sort
from zhdesk.services import photos as photos_svc
from zhdesk.services import settings as settings_svc
from zhdesk.services import sites as sites_svc
from zhdesk.services import stats as stats_svc
from zhdesk.services import tally as tally_svc
from zhdesk.services import timeline as timeline_svc

SITE_CHOICES = ("listed", "all", "chosen")
PHOTOS_PER_PHASE = 2  # before/after pairs shown per site; more would split a site over pages


@dataclass(frozen=True)
class SiteSection:
    row: SiteRow
    note: str | None
    events: tuple[EventDTO, ...]
    before: tuple[PhotoDTO, ...]
    after: tuple[PhotoDTO, ...]
    photo_count: int

    def facts(self) -> str:
        """The site's one line of facts under its heading (the PDF and the Word copy print the same)."""
        r = self.row
        return "；".join(x for x in (
            f"社区：{r.community}",
            f"问题：{r.problem}" if r.problem else "",
            f"包案领导：{r.lead}" if r.lead else "",
            f"责任单位：{r.unit}" if r.unit else "",
            f"挂牌：{date_text(r.listed_on)}" if r.listed_on else "",
            f"整改期限：{date_text(r.deadline)}（{r.days_text}）" if r.deadline else "",
            f"状态：{r.status_label}" if r.status_label else "未挂牌",
        ) if x)  # fmt: skip


@dataclass(frozen=True)
class BriefData:
    spec: BriefSpec
    title: str
    issuer: str
    issue_no: int
    issued_on: dt.date
    today: dt.date
    communities: tuple[str, ...]
    summary: str
    dashboards: Dashboard
    listings: tuple[SiteRow, ...]
    sites: tuple[SiteSection, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """No supervision item in the range: the brief says so instead of empty figures and charts (the
        listings as they stand today are still shown)."""
        return self.dashboards.figures.total.items == 0


def _order_key(r: SiteRow) -> tuple[int, int, str]:
    rank = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2}.get(r.light or "", 3)
    return rank, r.days_left if r.days_left is not None else 10**6, r.address


def _in_range(r: SiteRow, spec: BriefSpec) -> bool:
    """The table shows the listings as they stand today, leaving out only those closed before the range."""
    return not (spec.date_from is not None and r.closed_on is not None and r.closed_on < spec.date_from)


def gather(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None = None) -> BriefData:
    today = today or dt.date.today()
    if spec.sites not in SITE_CHOICES:
        raise UsageError(f"点位范围应为 listed、all 或点位编号，收到 “{spec.sites}”")
    known = {c.name for c in sites_svc.list_communities(uow)}
    for name in spec.communities:
        if name not in known:
            sites_svc._community_by_name(uow.session, name)  # raises NotFound, one line naming it
    community = spec.communities[0] if len(spec.communities) == 1 else None
    f = StatsFilter(spec.date_from, spec.date_to, community)
    dash = stats_svc.dashboard(uow, f, today)
    summary = tally_svc.summary(uow, spec.date_from, spec.date_to, community)
    wanted = set(spec.communities)
    listings = _listings(uow, spec, today)
    sections: tuple[SiteSection, ...] = ()
    if "sites" in spec.sections:
        if spec.sites == "listed":
            ids = [r.id for r in listings]
        elif spec.sites == "all":
            every = sites_svc.list_sites(uow, None, today)
            ids = [r.id for r in sorted(every, key=_order_key) if not wanted or r.community in wanted]
        else:
            ids = list(dict.fromkeys(spec.site_ids))
        sections = sections_of(uow, ids, spec.photos, today)
    return BriefData(
        spec=spec,
        title=spec.title or settings_svc.brief_title(uow),
        issuer=spec.issuer or settings_svc.brief_issuer(uow),
        issue_no=spec.issue_no or next_issue(uow),
        issued_on=spec.issued_on or today,
        today=today,
        communities=spec.communities,
        summary=summary,
        dashboards=dash,
        listings=listings,
        sites=sections,
    )


def _listings(uow: UnitOfWork, spec: BriefSpec, today: dt.date) -> tuple[SiteRow, ...]:
    """The brief's listings table: the listed sites of its communities, most urgent first."""
    wanted = set(spec.communities)
    listed = sites_svc.site_rows(uow, SiteQuery(listed_only=True), today)
    rows = [r for r in listed if r.listing_id is not None and (not wanted or r.community in wanted)]
    return tuple(sorted((r for r in rows if _in_range(r, spec)), key=_order_key))


def section_count(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None = None) -> int:
    """How many site sections (点位详情, a page or more each) `gather` would lay out, without reading them:
    the preview asks before building hundreds (ui/pages/brief.py)."""
    if "sites" not in spec.sections:
        return 0
    if spec.sites == "chosen":
        return len(dict.fromkeys(spec.site_ids))
    today = today or dt.date.today()
    if spec.sites == "all":
        names: tuple[str | None, ...] = tuple(dict.fromkeys(spec.communities)) or (None,)
        return sum(sites_svc.site_page(uow, SiteQuery(n, listed_only=False), Sort(), 0, 0, today).total for n in names)
    return len(_listings(uow, spec, today))


SECTION_CHUNK = 500  # sites per batch of reads: bounds the IN lists (SQLite and PostgreSQL cap bound values)


def sections_of(uow: UnitOfWork, ids: Sequence[int], photos: bool, today: dt.date) -> tuple[SiteSection, ...]:
    """The sections of sites `ids`, in that order; an unknown id raises NotFound naming it. Read a batch of
    sites at a time (rows, notes, timelines, photos: 5–6 queries a batch), not a site at a time: each
    site's dossier, timeline and photos were ~20 queries, half of a second build of a 50-site brief."""
    out: list[SiteSection] = []
    for k in range(0, len(ids), SECTION_CHUNK):
        chunk = list(ids[k : k + SECTION_CHUNK])
        rows = sites_svc.rows_and_notes(uow, chunk, today)
        events = timeline_svc.timelines(uow, chunk)
        shown = photos_svc.photos_of_sites(uow, chunk) if photos else {}
        for row, note in rows:
            every = shown.get(row.id, [])
            before = tuple(p for p in every if p.phase == "before")[:PHOTOS_PER_PHASE]
            after = tuple(p for p in every if p.phase == "after")[-PHOTOS_PER_PHASE:]
            out.append(SiteSection(row, note, tuple(events[row.id]), before, after, len(every)))
    return tuple(out)


def next_issue(uow: UnitOfWork) -> int:
    """The last recorded issue + 1; 1 when none is recorded."""
    return settings_svc.last_brief_issue(uow) + 1
