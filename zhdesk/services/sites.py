"""Use cases around sites and their listings (挂牌督办). Each runs in one unit of work."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Date, bindparam, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db.models import (
    Community,
    Listing,
    Person,
    ProblemCategory,
    Responsibility,
    Site,
    TimelineEvent,
    Unit,
)
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.domain.addresses import address_key
from zhdesk.domain.lights import Light, days_left, days_text, deadline_light
from zhdesk.domain.vocab import ROLE_LABELS, SITE_KINDS
from zhdesk.domain.workflow import (
    WORKFLOW_EVENT_KINDS,
    Action,
    ListingState,
    Status,
    Transition,
    allowed,
    apply,
    transition_for,
    transition_to,
)
from zhdesk.dto import (
    CommunityDTO,
    ContactDTO,
    ContactInput,
    ListingDTO,
    ListingInput,
    SimilarSite,
    SiteCounts,
    SiteDetail,
    SiteFilter,
    SiteQuery,
    SiteRow,
    TransitionDTO,
)
from zhdesk.errors import InputRefused, NotFound
from zhdesk.paging import Page, Sort
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.common import by_code_point, current_user, site_or_refuse
from zhdesk.services.conflicts import check_version, guarded
from zhdesk.services.settings import warning_days

# The timeline event each workflow action leaves behind.
ACTION_EVENT_KIND: dict[Action, str] = {
    Action.START: "action",
    Action.SUBMIT: "acceptance_request",
    Action.ACCEPT: "accepted",
    Action.REJECT: "rejected",
    Action.REBOUND: "rebound",
}


# 延期: the timeline event an extension leaves; counted per listing.
EXTENDED = "extended"

# ---------------------------------------------------------------- reading


def has_sites(uow: UnitOfWork) -> bool:
    return uow.session.scalar(select(Site.id).limit(1)) is not None


def list_categories(uow: UnitOfWork) -> list[str]:
    """Problem category names, in the order of the list (editable per database)."""
    return list(uow.session.scalars(select(ProblemCategory.name).order_by(ProblemCategory.id)))


def list_communities(uow: UnitOfWork) -> list[CommunityDTO]:
    rows = uow.session.scalars(select(Community).order_by(Community.sort_order, Community.id))
    return [CommunityDTO(c.id, c.name, c.is_sample) for c in rows]


def _community_by_name(s: Session, name: str, where: str = "") -> Community:
    name = fields.required(name, fields.COMMUNITY, where=where)
    c = s.scalar(select(Community).where(Community.name == name))
    if c is None:
        # Accept the name without the sample marker, as people will type it.
        # Literal prefix: a typed "%" or "_" must not act as a LIKE wildcard.
        # istartswith: the same ASCII-case rule on both engines; the first by sort order if several match
        prefixed = select(Community).where(Community.name.istartswith(f"{name}（", autoescape=True))
        c = s.scalars(prefixed.order_by(Community.sort_order, Community.id).limit(1)).first()
    if c is None:
        known = "、".join(s.scalars(select(Community.name).order_by(Community.sort_order, Community.id)))
        raise NotFound(f"{where}未知社区“{name}”，现有社区：{known or '（无）'}")
    return c


def _current_first() -> tuple[Any, ...]:
    """Order putting a site's current listing first: its open listing (at most one), else the latest
    listed (a site listed in 2021 and again now shows the new one, whatever order they were entered).
    Open first keeps an open listing reachable even in a database from before that rule."""
    return (case((Listing.status != Status.CLOSED.value, 0), else_=1), Listing.listed_on.desc(), Listing.id.desc())


def _current_listing_ids(s: Session, site_ids: Iterable[int] | None = None) -> dict[int, int]:
    """site id -> id of its current listing (see `_current_first`)."""
    rank = func.row_number().over(partition_by=Listing.site_id, order_by=_current_first()).label("rank")
    inner = select(Listing.site_id, Listing.id, rank)
    if site_ids is not None:
        inner = inner.where(Listing.site_id.in_(list(site_ids)))
    sub = inner.subquery()
    return {sid: lid for sid, lid in s.execute(select(sub.c.site_id, sub.c.id).where(sub.c.rank == 1))}


def current_listing(s: Session, site_id: int) -> Listing | None:
    return s.scalar(select(Listing).where(Listing.site_id == site_id).order_by(*_current_first()).limit(1))


def _contacts(listings: Sequence[Listing]) -> dict[int, list[ContactDTO]]:
    out: dict[int, list[ContactDTO]] = {}
    for li in listings:
        out[li.id] = [
            ContactDTO(
                role=r.role,
                role_label=ROLE_LABELS.get(r.role, r.role),
                person=r.person.name if r.person else None,
                unit=r.unit.name if r.unit else (r.person.unit.name if r.person and r.person.unit else None),
                title=r.person.title if r.person else None,
                phone=(r.person.phone if r.person and r.person.phone else (r.unit.phone if r.unit else None)),
            )
            for r in li.responsibilities
        ]
    return out


def _first(contacts: list[ContactDTO], role: str) -> ContactDTO | None:
    return next((c for c in contacts if c.role == role), None)


def _row(site: Site, listing: Listing | None, contacts: list[ContactDTO], today: dt.date, warn: int) -> SiteRow:
    if listing is None:
        return SiteRow(
            id=site.id, address=site.address, community=site.community.name, kind=site.kind,
            kind_label=SITE_KINDS.get(site.kind, site.kind), military=site.military, listed=False,
            listing_id=None, issue_no=None, status=None, status_label=None, listed_on=None, deadline=None,
            closed_on=None, light=None, days_left=None, days_text="未挂牌", lead=None, lead_phone=None,
            unit=None, category=None, category_code=None, problem=None,
        )  # fmt: skip
    status = Status(listing.status)
    lead = _first(contacts, "lead")
    unit = _first(contacts, "unit")
    return SiteRow(
        id=site.id,
        address=site.address,
        community=site.community.name,
        kind=site.kind,
        kind_label=SITE_KINDS.get(site.kind, site.kind),
        military=site.military,
        listed=True,
        listing_id=listing.id,
        issue_no=listing.issue_no,
        status=status.value,
        status_label=status.label,
        listed_on=listing.listed_on,
        deadline=listing.deadline,
        closed_on=listing.closed_on,
        light=deadline_light(status, listing.deadline, today, warn).value,
        days_left=None if status == Status.CLOSED else days_left(listing.deadline, today),
        days_text=days_text(status, listing.deadline, today, listing.closed_on),
        lead=lead.person if lead else None,
        lead_phone=lead.phone if lead else None,
        unit=(unit.unit or unit.person) if unit else None,
        category=listing.category.name if listing.category else None,
        category_code=listing.category.std_code if listing.category else None,
        problem=listing.problem,
    )


def _listing_dto(li: Listing, contacts: list[ContactDTO], today: dt.date, warn: int, extensions: int = 0) -> ListingDTO:
    status = Status(li.status)
    return ListingDTO(
        id=li.id,
        issue_no=li.issue_no,
        listed_on=li.listed_on,
        deadline=li.deadline,
        status=status.value,
        status_label=status.label,
        closed_on=li.closed_on,
        category=li.category.name if li.category else None,
        category_code=li.category.std_code if li.category else None,
        category_std_version=li.category.std_version if li.category else None,
        problem=li.problem,
        rework_count=li.rework_count,
        rebound_count=li.rebound_count,
        light=deadline_light(status, li.deadline, today, warn).value,
        days_text=days_text(status, li.deadline, today, li.closed_on),
        version=li.version,
        contacts=tuple(contacts),
        extension_count=extensions,
    )


_LISTING_LOAD = (
    selectinload(Listing.category),
    selectinload(Listing.responsibilities).selectinload(Responsibility.person).selectinload(Person.unit),
    selectinload(Listing.responsibilities).selectinload(Responsibility.unit),
)


def list_sites(uow: UnitOfWork, filters: SiteFilter | None = None, today: dt.date | None = None) -> list[SiteRow]:
    """Sites with their current listing, filtered; ordered by urgency then address."""
    f = filters or SiteFilter()
    today = today or dt.date.today()
    s = uow.session
    warn = warning_days(uow)
    q = select(Site).options(selectinload(Site.community))
    if f.community:
        q = q.where(Site.community_id == _community_by_name(s, f.community).id)
    if f.text and f.text.strip():
        text = f.text.strip()
        # icontains: SQLite's LIKE ignores ASCII case, PostgreSQL's does not; ILIKE/lower() on both
        q = q.where(or_(Site.address.icontains(text, autoescape=True), Site.note.icontains(text, autoescape=True)))
    sites = list(s.scalars(q.order_by(Site.id)))
    current = _current_listing_ids(s)
    listings = {
        li.id: li for li in s.scalars(select(Listing).where(Listing.id.in_(current.values())).options(*_LISTING_LOAD))
    }
    contacts = _contacts(list(listings.values()))
    rows: list[SiteRow] = []
    for site in sites:
        lid = current.get(site.id)
        listing = listings.get(lid) if lid is not None else None
        if f.listed_only and listing is None:
            continue
        if f.status is not None and (listing is None or listing.status != f.status.value):
            continue
        row = _row(site, listing, contacts.get(lid, []) if lid else [], today, warn)
        if f.light is not None and row.light != f.light.value:
            continue
        rows.append(row)
    order = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, Light.GREY.value: 3, None: 4}
    rows.sort(key=lambda r: (order[r.light], r.days_left if r.days_left is not None else 10**6, r.address))
    return rows


# ---------------------------------------------------------------- paged site rows (issue 13)
# The 挂牌督办 table reads its rows a page at a time: filters, every column's order (derived ones too:
# light, days left, status) and the default urgency order are computed in SQL, ties broken by id.

# Column keys of the paged query (ui/pages/sites_model.py maps its columns onto them).
SITE_SORT_KEYS = (
    "light", "address", "community", "status", "listed_on", "deadline", "days", "lead", "unit", "category", "issue",
)  # fmt: skip


@functools.cache
def _site_view(of_ids: bool = False) -> Any:
    """One row per site (of the bound `ids` if `of_ids`): its current listing's fields and every derived
    sort value, as a subquery; `today` and `soon` (the last yellow day) are bound parameters (see
    `_view_params`). Unused columns cost nothing: SQLite and PostgreSQL drop them when flattening. Built
    once: building it cost ~50 ms a query (cProfile), and a constant statement hits SQLAlchemy's cache."""
    rank = func.row_number().over(partition_by=Listing.site_id, order_by=_current_first()).label("rank")
    ranked_q = select(Listing.id.label("lid"), Listing.site_id.label("sid"), rank)
    if of_ids:
        ranked_q = ranked_q.where(Listing.site_id.in_(bindparam("ids", expanding=True)))
    ranked = ranked_q.subquery()
    current = select(ranked.c.lid, ranked.c.sid).where(ranked.c.rank == 1).subquery()
    # Core table aliases: ORM aliases cost more to build, the SQL is the same
    li = _table(Listing).alias("li")
    cat = _table(ProblemCategory).alias("cat")

    def first_contact(role: str, value: Any) -> Any:
        r = _table(Responsibility).alias()
        p = _table(Person).alias()
        u = _table(Unit).alias()
        pu = _table(Unit).alias()
        q = (
            select(value(r, p, u, pu))
            .select_from(r)
            .outerjoin(p, p.c.id == r.c.person_id)
            .outerjoin(u, u.c.id == r.c.unit_id)
            .outerjoin(pu, pu.c.id == p.c.unit_id)
            .where(r.c.listing_id == li.c.id, r.c.role == role)
            .order_by(r.c.id)
            .limit(1)
        )
        return q.scalar_subquery()

    lead = first_contact("lead", lambda r, p, u, pu: p.c.name)
    # ContactDTO.phone of the first lead: the person's, else the unit's
    lead_phone = first_contact("lead", lambda r, p, u, pu: func.coalesce(func.nullif(p.c.phone, ""), u.c.phone))
    # the unit shown: the unit named, else the person's unit, else the person (as SiteRow.unit)
    unit = first_contact("unit", lambda r, p, u, pu: func.coalesce(u.c.name, pu.c.name, p.c.name))
    closed = li.c.status == Status.CLOSED.value
    light_rank = case(
        (li.c.id.is_(None), 4),
        (closed, 3),
        (li.c.deadline.is_(None), 2),
        (li.c.deadline < bindparam("today", type_=Date), 0),
        (li.c.deadline <= bindparam("soon", type_=Date), 1),
        else_=2,
    )
    status_rank = case(*((li.c.status == st.value, i) for i, st in enumerate(Status)), else_=None)
    return (
        select(
            Site.id.label("id"),
            Site.address.label("address"),
            Community.name.label("community"),
            li.c.id.label("listing_id"),
            li.c.status.label("status"),
            light_rank.label("light"),
            status_rank.label("status_rank"),
            li.c.listed_on.label("listed_on"),
            li.c.deadline.label("deadline"),
            case((closed, None), else_=li.c.deadline).label("days"),  # days left orders as the deadline
            func.nullif(lead, "").label("lead"),
            func.nullif(unit, "").label("unit"),
            func.coalesce(func.nullif(cat.c.std_code, ""), func.nullif(cat.c.name, "")).label("category"),
            li.c.issue_no.label("issue"),
            # the rest of a SiteRow
            Site.kind.label("kind"),
            Site.military.label("military"),
            li.c.closed_on.label("closed_on"),
            lead_phone.label("lead_phone"),
            cat.c.name.label("category_name"),
            cat.c.std_code.label("category_code"),
            li.c.problem.label("problem"),
        )
        .select_from(Site)
        .join(Community, Community.id == Site.community_id)
        .outerjoin(current, current.c.sid == Site.id)
        .outerjoin(li, li.c.id == current.c.lid)
        .outerjoin(cat, cat.c.id == li.c.category_id)
        .subquery("v")
    )


def _table(model: Any) -> Any:
    return model.__table__


def _view_params(today: dt.date, warn: int) -> dict[str, Any]:
    return {"today": today, "soon": today + dt.timedelta(days=warn)}


_LIGHT_RANKS = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, Light.GREY.value: 3}


def _filtered(v: Any, query: SiteQuery) -> list[Any]:
    where: list[Any] = []
    if query.listed_only:
        where.append(v.c.listing_id.is_not(None))
    if query.community:
        where.append(v.c.community == query.community)
    if query.status:
        where.append(v.c.status == query.status)
    if query.light:
        where.append(v.c.light == _LIGHT_RANKS.get(query.light, -1))
    text = query.search.strip()
    if text:
        # icontains: ASCII case ignored on both engines; a typed % or _ is literal
        where.append(or_(*(c.icontains(text, autoescape=True) for c in (v.c.address, v.c.lead, v.c.unit))))
    return where


def _site_order(s: Session, v: Any, sort: Sort) -> list[Any]:
    """Empty values last, then the column's value, then urgency (light, days left, address), then id;
    descending is the exact reverse."""
    urgency = [v.c.light, v.c.days.is_(None), v.c.days, by_code_point(s, v.c.address)]
    if sort.key is None:
        keys = urgency
    else:
        if sort.key not in SITE_SORT_KEYS:
            raise InputRefused(f"挂牌督办：不能按“{sort.key}”排序")
        col = v.c[{"light": "light", "status": "status_rank"}.get(sort.key, sort.key)]
        text = sort.key in ("address", "community", "lead", "unit", "category")
        keys = [col.is_(None), by_code_point(s, col) if text else col, *urgency]
    keys.append(v.c.id)
    return [k.desc() for k in keys] if sort.descending else [k.asc() for k in keys]


def site_page(
    uow: UnitOfWork, query: SiteQuery, sort: Sort, offset: int, limit: int, today: dt.date | None = None
) -> Page[SiteRow]:
    """Rows `offset`..`offset+limit-1` of the sites matching `query` ordered by `sort`, and their count."""
    s = uow.session
    today = today or dt.date.today()
    warn = warning_days(uow)
    v, params = _site_view(), _view_params(today, warn)
    where = _filtered(v, query)
    offset, limit = max(offset, 0), max(limit, 0)
    # the ids of the page and the count in one pass (sort keys only; the row's other columns come after)
    got = s.execute(
        select(v.c.id, func.count().over().label("total")).where(*where).order_by(*_site_order(s, v, sort))
        .offset(offset).limit(limit),
        params,
    ).all()  # fmt: skip
    ids = [r.id for r in got]
    # past the end (or nothing matches): count alone
    total = int(got[0].total) if got else s.scalar(select(func.count()).select_from(v).where(*where), params) or 0
    return Page(tuple(_rows_of(s, ids, today, warn)), offset, total)


def site_rows(uow: UnitOfWork, query: SiteQuery, today: dt.date | None = None) -> list[SiteRow]:
    """Every site matching `query` in the default (urgency) order, through the paged view's SQL: the rows
    list_sites gives for the same filter, without loading every site through the ORM (1.1 s → 0.3 s for
    2,264 listed sites of 10,000)."""
    return list(site_page(uow, query, Sort(), 0, 2**31 - 1, today).rows)


def site_fields(uow: UnitOfWork, query: SiteQuery, columns: Sequence[str], today: dt.date | None = None) -> list[Any]:
    """The named columns of the paged view for every site matching `query`, in the default (urgency) order, in
    one query: for readers that need a few fields of many sites (the Gantt: 2,264 sites), without a SiteRow
    each. `today` and the warning days bind as in `site_page`; "light" is its rank (see `_LIGHT_RANKS`)."""
    s = uow.session
    v, params = _site_view(), _view_params(today or dt.date.today(), warning_days(uow))
    q = select(*(v.c[c] for c in columns)).where(*_filtered(v, query)).order_by(*_site_order(s, v, Sort()))
    return list(s.execute(q, params))


def site_position(
    uow: UnitOfWork, query: SiteQuery, sort: Sort, site_id: int, today: dt.date | None = None
) -> int | None:
    """Where site `site_id` is among the rows of `site_page(query, sort, ...)`, or None if not matched."""
    s = uow.session
    v, params = _site_view(), _view_params(today or dt.date.today(), warning_days(uow))
    pos = func.row_number().over(order_by=_site_order(s, v, sort)).label("pos")
    ranked = select(v.c.id, pos).where(*_filtered(v, query)).subquery()
    found = s.scalar(select(ranked.c.pos).where(ranked.c.id == site_id), params)
    return None if found is None else int(found) - 1


def site_counts(uow: UnitOfWork, today: dt.date | None = None) -> SiteCounts:
    """Listed sites per light and all sites (the 挂牌督办 chips and counts line)."""
    s = uow.session
    v, params = _site_view(), _view_params(today or dt.date.today(), warning_days(uow))
    grouped = s.execute(select(v.c.light, func.count()).group_by(v.c.light), params)
    by_rank: dict[int, int] = {int(r): int(n) for r, n in grouped}
    lights = {light: by_rank.get(rank, 0) for light, rank in _LIGHT_RANKS.items()}
    return SiteCounts(lights, sum(by_rank.values()))


def _rows_of(s: Session, ids: Sequence[int], today: dt.date, warn: int) -> list[SiteRow]:
    """SiteRows of `ids`, in that order, equal to list_sites' rows (checked by the random-data tests)."""
    if not ids:
        return []
    v = _site_view(of_ids=True)
    rows = s.execute(
        select(v).where(v.c.id.in_(bindparam("ids", expanding=True))), {**_view_params(today, warn), "ids": list(ids)}
    )
    by_id = {r.id: r for r in rows}
    out = []
    for sid in ids:
        r = by_id[sid]
        kind = SITE_KINDS.get(r.kind, r.kind)
        if r.listing_id is None:
            out.append(SiteRow(
                id=r.id, address=r.address, community=r.community, kind=r.kind, kind_label=kind,
                military=r.military, listed=False, listing_id=None, issue_no=None, status=None, status_label=None,
                listed_on=None, deadline=None, closed_on=None, light=None, days_left=None, days_text="未挂牌",
                lead=None, lead_phone=None, unit=None, category=None, category_code=None, problem=None,
            ))  # fmt: skip
            continue
        status = Status(r.status)
        out.append(SiteRow(
            id=r.id, address=r.address, community=r.community, kind=r.kind, kind_label=kind, military=r.military,
            listed=True, listing_id=r.listing_id, issue_no=r.issue, status=status.value, status_label=status.label,
            listed_on=r.listed_on, deadline=r.deadline, closed_on=r.closed_on,
            light=deadline_light(status, r.deadline, today, warn).value,
            days_left=None if status == Status.CLOSED else days_left(r.deadline, today),
            days_text=days_text(status, r.deadline, today, r.closed_on),
            lead=r.lead, lead_phone=r.lead_phone, unit=r.unit, category=r.category_name,
            category_code=r.category_code, problem=r.problem,
        ))  # fmt: skip
    return out


def rows_and_notes(
    uow: UnitOfWork, ids: Sequence[int], today: dt.date | None = None
) -> list[tuple[SiteRow, str | None]]:
    """(row, note) of each of `ids` in that order, as get_site gives them (`.row`, `.note`), in two queries
    (the brief's site sections); an unknown id raises NotFound naming the first."""
    s = uow.session
    q = select(Site.id, Site.note).where(Site.id.in_(list(ids)))
    notes: dict[int, str | None] = {sid: note for sid, note in s.execute(q)}
    for sid in ids:
        if sid not in notes:
            site_or_refuse(s, sid)  # raises NotFound, one line naming it
    rows = _rows_of(s, ids, today or dt.date.today(), warning_days(uow))
    return [(r, notes[r.id]) for r in rows]


def get_site(uow: UnitOfWork, site_id: int, today: dt.date | None = None) -> SiteDetail:
    today = today or dt.date.today()
    s = uow.session
    site = site_or_refuse(s, site_id)
    warn = warning_days(uow)
    listings = list(
        s.scalars(
            select(Listing)
            .where(Listing.site_id == site_id)
            # Oldest first and the current listing last (SiteDetail.current is the last one).
            .order_by(case((Listing.status != Status.CLOSED.value, 1), else_=0), Listing.listed_on, Listing.id)
            .options(*_LISTING_LOAD)
        )
    )
    contacts = _contacts(listings)
    extensions = _extension_counts(s, [li.id for li in listings])
    current = listings[-1] if listings else None
    row = _row(site, current, contacts.get(current.id, []) if current else [], today, warn)
    transitions: tuple[TransitionDTO, ...] = ()
    if current is not None:
        transitions = tuple(
            TransitionDTO(t.action.value, t.action.label, t.target.value, t.target.label)
            for t in allowed(Status(current.status))
        )
    return SiteDetail(
        row=row,
        note=site.note,
        listings=tuple(_listing_dto(li, contacts[li.id], today, warn, extensions.get(li.id, 0)) for li in listings),
        transitions=transitions,
        site_version=site.version,
    )


def _extension_counts(s: Session, listing_ids: Sequence[int]) -> dict[int, int]:
    """listing id -> how many times its deadline was extended (its 延期 events)."""
    if not listing_ids:
        return {}
    q = (
        select(TimelineEvent.listing_id, func.count())
        .where(
            TimelineEvent.listing_id.in_(list(listing_ids)),
            TimelineEvent.kind == EXTENDED,
            TimelineEvent.deleted.is_(False),
        )
        .group_by(TimelineEvent.listing_id)
    )
    return {lid: n for lid, n in s.execute(q) if lid is not None}


def similar_sites(uow: UnitOfWork, address: str, exclude_id: int | None = None) -> list[SimilarSite]:
    """Sites whose address reads as the same place as `address` (see domain/addresses.py): the window
    offers them while the user types, instead of a duplicate."""
    text = fields.clean(address, fields.ADDRESS)
    if text is None:
        return []
    return [
        SimilarSite(site.id, site.address, site.community.name, SITE_KINDS.get(site.kind, site.kind))
        for site in _same_address(uow.session, text, exclude_id)
    ]


def _same_address(s: Session, address: str, exclude_id: int | None = None) -> list[Site]:
    key = address_key(address)
    # Keys are not stored (no migration; near-duplicates already there stay): compared in Python,
    # over addresses only (a district has a few thousand sites at most).
    ids = [
        sid for sid, addr in s.execute(select(Site.id, Site.address)) if sid != exclude_id and address_key(addr) == key
    ]
    if not ids:
        return []
    return list(s.scalars(select(Site).where(Site.id.in_(ids)).options(selectinload(Site.community)).order_by(Site.id)))


def _refuse_duplicate(s: Session, address: str, community: Community, exclude_id: int | None = None) -> None:
    """The same place twice in one community is refused; the same address in another community is a
    different site (the schema's rule, and bulletins name the community to tell them apart) — the
    window still offers it while the user types (similar_sites)."""
    same = [x for x in _same_address(s, address, exclude_id) if x.community_id == community.id]
    if same:
        d = same[0]
        raise InputRefused(f"点位“{d.address}”已存在（编号 {d.id}，{d.community.name}）")


# ---------------------------------------------------------------- writing


@requires("sites.edit")
def add_site(
    uow: UnitOfWork,
    address: str,
    community: str,
    kind: str = "compound",
    note: str | None = None,
    new_community: bool = False,
) -> SiteDetail:
    """新增点位. `new_community`: a community not yet known is created in the same transaction (the
    window asks first; an empty real database has none)."""
    s = uow.session
    address = fields.required(address, fields.ADDRESS)
    note = fields.clean(note, fields.NOTE)
    _check_kind(kind)
    c = _community_or_new(uow, community, new_community)
    _refuse_duplicate(s, address, c)
    site = Site(address=address, community_id=c.id, kind=kind, military=kind == "military", note=note)
    s.add(site)
    s.flush()
    audit(uow, "site.add", "site", site.id, address=address, community=c.name)
    uow.commit()
    return get_site(uow, site.id)


def _community_or_new(uow: UnitOfWork, name: str, create: bool) -> Community:
    s = uow.session
    try:
        return _community_by_name(s, name)
    except NotFound:
        if not create:
            raise
    text = fields.required(name, fields.COMMUNITY)
    order = s.scalar(select(func.max(Community.sort_order))) or 0
    c = Community(name=text, is_sample=False, sort_order=order + 1)
    s.add(c)
    s.flush()
    audit(uow, "community.add", "community", c.id, name=text)
    return c


def _check_kind(kind: str) -> None:
    if kind not in SITE_KINDS:
        kinds = "、".join(f"{k}({v})" for k, v in SITE_KINDS.items())
        raise InputRefused(f"未知的点位类型“{fields.clean(kind, fields.TITLE, label='点位类型')}”，可用：{kinds}")


@requires("sites.edit")
def edit_site(
    uow: UnitOfWork,
    site_id: int,
    address: str,
    community: str,
    kind: str,
    note: str | None,
    expected_version: int | None = None,
    new_community: bool = False,
) -> SiteDetail:
    """编辑点位: address, community, kind and note; an address another site already has is refused."""
    s = uow.session
    site = site_or_refuse(s, site_id)
    what = f"点位“{site.address}”"
    check_version(uow, expected_version, site.version, what, "site", site.id)
    address = fields.required(address, fields.ADDRESS)
    note = fields.clean(note, fields.NOTE)
    _check_kind(kind)
    c = _community_or_new(uow, community, new_community)
    if address_key(address) != address_key(site.address) or c.id != site.community_id:
        # Near-duplicates from before this rule stay editable; only a new clash is refused.
        _refuse_duplicate(s, address, c, exclude_id=site.id)
    before = {"address": site.address, "community": site.community.name, "kind": site.kind, "note": site.note}
    with guarded(uow, what, "site", site.id):
        site.address = address
        site.community = c  # the relationship, not the id: the session keeps objects across commits
        site.kind = kind
        site.military = kind == "military"
        site.note = note
        after = {"address": address, "community": c.name, "kind": kind, "note": note}
        audit(uow, "site.edit", "site", site.id, before=before, after=after)
        s.flush()
        uow.commit()
    return get_site(uow, site.id)


def _unit(s: Session, name: str, phone: str | None = None) -> Unit:
    u = s.scalar(select(Unit).where(Unit.name == name))
    if u is None:
        u = Unit(name=name, phone=phone)
        s.add(u)
        s.flush()
    return u


def _person(s: Session, name: str, unit: Unit | None, title: str | None, phone: str | None) -> Person:
    q = select(Person).where(Person.name == name)
    q = q.where(Person.unit_id == unit.id) if unit else q.where(Person.unit_id.is_(None))
    p = s.scalar(q)
    if p is None:
        p = Person(name=name, unit_id=unit.id if unit else None, title=title, phone=phone)
        s.add(p)
        s.flush()
    else:
        p.title = title or p.title
        p.phone = phone or p.phone
    return p


def _category(s: Session, text: str, where: str = "") -> ProblemCategory:
    t = fields.required(text, fields.CATEGORY, where=where)
    c = s.scalar(select(ProblemCategory).where(or_(ProblemCategory.name == t, ProblemCategory.std_code == t)))
    if c is None:
        raise NotFound(f"{where}未知的问题类别“{t}”（可写类别名称或标准编码，如 06036 乱堆杂物）")
    return c


def clean_contact(c: ContactInput) -> ContactInput:
    """The contact with its fields trimmed and checked; a phone or title without its person is refused."""
    if c.role not in ROLE_LABELS:
        role = fields.clean(c.role, fields.TITLE, label="责任角色")
        raise InputRefused(f"未知的责任角色“{role}”，可用：{'、'.join(ROLE_LABELS)}")
    role = ROLE_LABELS[c.role]
    person = fields.clean(c.person, fields.PERSON, label=f"{role}姓名")
    unit = fields.clean(c.unit, fields.UNIT, label=f"{role}单位")
    title = fields.clean(c.title, fields.TITLE, label=f"{role}职务")
    phone = fields.clean(c.phone, fields.PHONE, label=f"{role}电话")
    if not (person or unit):
        raise InputRefused(f"{role}需要填写人员或单位")
    if person is None and title is not None:
        raise InputRefused(f"填写了{role}职务但没有填写{role}姓名")
    return ContactInput(c.role, person=person, unit=unit, title=title, phone=phone)


def check_new_listing(s: Session, site: Site, listed_on: dt.date, deadline: dt.date | None, where: str = "") -> None:
    """A new listing: at most one open listing per site, dated after the previous one closed and not
    in the future, its deadline not before it."""
    today = dt.date.today()
    if listed_on > today + dt.timedelta(days=1):
        raise InputRefused(f"{where}挂牌日期 {listed_on.isoformat()} 在将来（今天是 {today.isoformat()}）")
    open_listing = s.scalar(select(Listing).where(Listing.site_id == site.id, Listing.status != Status.CLOSED.value))
    if open_listing is not None:
        raise InputRefused(
            f"{where}点位“{site.address}”已有未办结的挂牌（{open_listing.listed_on.isoformat()} 挂牌），不能重复挂牌"
        )
    last_closed = s.scalar(
        select(func.max(func.coalesce(Listing.closed_on, Listing.listed_on))).where(Listing.site_id == site.id)
    )
    if last_closed is not None and listed_on < last_closed:
        raise InputRefused(
            f"{where}挂牌日期 {listed_on.isoformat()} 早于点位“{site.address}”上一次挂牌的办结日期 "
            f"{last_closed.isoformat()}"
        )
    if deadline is not None and deadline < listed_on:
        raise InputRefused(f"{where}整改时限 {deadline.isoformat()} 早于挂牌日期 {listed_on.isoformat()}")


def _one_open_listing(site: Site) -> InputRefused:
    """The partial unique index caught a second open listing another writer added meanwhile."""
    return InputRefused(f"点位“{site.address}”已有未办结的挂牌，不能重复挂牌（可能刚被其他人挂牌，请刷新）")


@requires("sites.edit")
def list_site_for_supervision(uow: UnitOfWork, site_id: int, data: ListingInput) -> SiteDetail:
    """挂牌: open a new listing for a site. A site has at most one open listing at a time."""
    s = uow.session
    site = site_or_refuse(s, site_id)
    problem = fields.clean(data.problem, fields.PROBLEM)
    if data.issue_no is not None:
        fields.whole(data.issue_no, "期号")
    contacts = [clean_contact(c) for c in data.contacts]
    check_new_listing(s, site, data.listed_on, data.deadline)
    category_id = _category(s, data.category).id if data.category is not None else None
    if not any(c.role == "lead" and c.person for c in contacts):
        raise InputRefused("挂牌督办需要填写包案领导")
    listing = Listing(
        site_id=site.id,
        issue_no=data.issue_no,
        listed_on=data.listed_on,
        deadline=data.deadline,
        problem=problem,
        category_id=category_id,
        status=Status.LISTED.value,
    )
    s.add(listing)
    try:
        s.flush()
    except IntegrityError as exc:
        raise _one_open_listing(site) from exc
    for c in contacts:
        unit = _unit(s, c.unit) if c.unit else None
        person = _person(s, c.person, unit, c.title, c.phone) if c.person else None
        if person is None and unit is not None and c.phone:
            unit.phone = unit.phone or c.phone
        s.add(Responsibility(listing_id=listing.id, role=c.role, person=person, unit=unit))
    s.add(
        TimelineEvent(
            site_id=site.id, listing_id=listing.id, kind="listed", occurred_on=data.listed_on,
            text=problem or "挂牌督办", author_id=current_user(uow).id,
        )
    )  # fmt: skip
    audit(uow, "listing.add", "listing", listing.id, site=site.address, deadline=data.deadline)
    s.flush()
    uow.commit()
    return get_site(uow, site.id)


def _previous_step(s: Session, listing: Listing, step: Transition) -> tuple[dt.date, str]:
    """The date (and name) of the step the listing's next step follows: its latest workflow event,
    its closing for a rebound, and never before it was listed."""
    when, what = listing.listed_on, "挂牌"
    if step.rebound and listing.closed_on is not None and listing.closed_on > when:
        when, what = listing.closed_on, "办结"
    latest = s.execute(
        select(TimelineEvent.occurred_on, TimelineEvent.kind)
        .where(
            TimelineEvent.listing_id == listing.id,
            TimelineEvent.deleted.is_(False),
            or_(
                TimelineEvent.kind.in_(list(WORKFLOW_EVENT_KINDS)),
                (TimelineEvent.kind == ACTION_EVENT_KIND[Action.START])
                & TimelineEvent.text.startswith(Action.START.label, autoescape=True),
            ),
        )
        .order_by(TimelineEvent.occurred_on.desc(), TimelineEvent.id.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.occurred_on > when:
        when, what = latest.occurred_on, WORKFLOW_EVENT_KINDS.get(latest.kind, Action.START.label)
    return when, what


def _status_values(li: Listing) -> dict[str, object]:
    """What a status step changes on a listing (the audit's before/after)."""
    return {"status": li.status, "closed_on": li.closed_on, "rework_count": li.rework_count,
            "rebound_count": li.rebound_count}  # fmt: skip


@requires("sites.edit")
def change_status(
    uow: UnitOfWork,
    site_id: int,
    *,
    action: Action | None = None,
    to: Status | None = None,
    note: str | None = None,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> SiteDetail:
    """Move the site's current listing one step; the step is named by action or target state.

    `expected_version` (from the DTO the user was looking at) turns a race into a clear conflict.
    """
    s = uow.session
    on = on or dt.date.today()
    site = site_or_refuse(s, site_id)
    listing = current_listing(s, site_id)
    if listing is None:
        raise InputRefused(f"点位“{site.address}”未挂牌督办，无法变更状态")
    what = f"点位“{site.address}”的挂牌督办"
    check_version(uow, expected_version, listing.version, what, "listing", listing.id)
    source = Status(listing.status)
    step: Transition
    if action is not None:
        step = transition_for(source, action)
    elif to is not None:
        step = transition_to(source, to)
    else:
        raise InputRefused("请指定操作或目标状态")
    if on > dt.date.today() + dt.timedelta(days=1):
        raise InputRefused(f"日期 {on.isoformat()} 在将来（今天是 {dt.date.today().isoformat()}）")
    after, what = _previous_step(s, listing, step)
    if on < after:
        raise InputRefused(f"日期 {on.isoformat()} 早于上一步的日期（{what}日期 {after.isoformat()}），步骤不能倒序")
    note = fields.clean(note, fields.NOTE)
    new = apply(ListingState(source, listing.closed_on, listing.rework_count, listing.rebound_count), step, on)
    before = _status_values(listing)
    author = current_user(uow).id  # before the change: its query would autoflush it
    try:
        with guarded(uow, what, "listing", listing.id):
            listing.status = new.status.value
            listing.closed_on = new.closed_on
            listing.rework_count = new.rework_count
            listing.rebound_count = new.rebound_count
            text = step.action.label + (f"：{note}" if note else "")
            s.add(
                TimelineEvent(
                    site_id=site.id,
                    listing_id=listing.id,
                    kind=ACTION_EVENT_KIND[step.action],
                    occurred_on=on,
                    text=text,
                    author_id=author,
                )
            )
            audit(
                uow, "listing.status", "listing", listing.id,
                site=site.address, source=source.value, target=new.status.value, note=note,
                before=before, after=_status_values(listing),
            )  # fmt: skip
            s.flush()
            uow.commit()
    except IntegrityError as exc:
        raise _one_open_listing(site) from exc
    return get_site(uow, site.id)


@requires("sites.edit")
def extend_deadline(
    uow: UnitOfWork,
    site_id: int,
    new_deadline: dt.date,
    reason: str,
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> SiteDetail:
    """延期: move the open listing's deadline later, with its reason, on the timeline and counted."""
    s = uow.session
    on = on or dt.date.today()
    site = site_or_refuse(s, site_id)
    listing = current_listing(s, site_id)
    if listing is None or listing.status == Status.CLOSED.value:
        raise InputRefused(f"点位“{site.address}”没有未办结的挂牌督办，不能延期")
    what = f"点位“{site.address}”的挂牌督办"
    check_version(uow, expected_version, listing.version, what, "listing", listing.id)
    text = fields.required(reason, fields.EVENT_TEXT, label="延期理由")
    old = listing.deadline
    if new_deadline < listing.listed_on:
        raise InputRefused(f"新的整改时限 {new_deadline.isoformat()} 早于挂牌日期 {listing.listed_on.isoformat()}")
    if old is not None and new_deadline <= old:
        raise InputRefused(
            f"新的整改时限 {new_deadline.isoformat()} 应晚于现在的整改时限 {old.isoformat()}（点位“{site.address}”）"
        )
    author = current_user(uow).id  # before the change: its query would autoflush it
    with guarded(uow, what, "listing", listing.id):
        listing.deadline = new_deadline
        was = old.isoformat() if old is not None else "无"
        event_on = max(on, listing.listed_on)  # never before the listing it belongs to
        s.add(
            TimelineEvent(
                site_id=site.id, listing_id=listing.id, kind=EXTENDED, occurred_on=event_on,
                text=f"整改时限由 {was} 延至 {new_deadline.isoformat()}：{text}", author_id=author,
            )
        )  # fmt: skip
        audit(
            uow,
            "listing.extend",
            "listing",
            listing.id,
            site=site.address,
            old=old,
            new=new_deadline,
            reason=text,
            before={"deadline": old},
            after={"deadline": new_deadline},
        )
        s.flush()
        uow.commit()
    return get_site(uow, site.id)
