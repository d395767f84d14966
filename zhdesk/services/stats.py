"""The campaign's figures, computed in one place: SQL aggregation (no Python loops over rows)
plus the pure formulas in zhdesk.domain.stats. The dashboard, the CLI and (later) the brief use this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db import rollups
from db.models import (
    Community,
    Listing,
    Person,
    ProblemCategory,
    Responsibility,
    Site,
    StatCategory,
    StatKind,
    StatOpen,
    StatTally,
    SupervisionBatch,
    SupervisionItem,
    TallyEntry,
    Unit,
)
from db.uow import UnitOfWork
from zhdesk.domain import periods
from zhdesk.domain.periods import Granularity
from zhdesk.domain.stats import Counts, Kind, rate
from zhdesk.domain.vocab import CLOSED as CLOSED_STATUS
from zhdesk.domain.workflow import Status
from zhdesk.dto import Dashboard, Drill, ItemDTO, StatsFilter, SupervisionFigures
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.common import by_code_point
from zhdesk.services.settings import warning_days
from zhdesk.services.supervision import effective_columns


def _community_id(s: Session, name: str | None) -> int | None:
    """The community's id, looked up once per unit of work (a dashboard refresh builds ~10 queries)."""
    if not name:
        return None
    cache: dict[str, int] = s.info.setdefault("stats.community_ids", {})
    if name not in cache:
        from zhdesk.services.sites import _community_by_name

        cache[name] = _community_by_name(s, name).id
    return cache[name]


def _item_scope(s: Session, f: StatsFilter) -> list[ColumnElement[bool]]:
    """WHERE terms restricting items to the range (by issue date) and community, without joins:
    subqueries on the small batch and site tables keep the 100k-row item scan join-free."""
    terms: list[ColumnElement[bool]] = []
    if f.date_from is not None or f.date_to is not None:
        batches = select(SupervisionBatch.id)
        if f.date_from is not None:
            batches = batches.where(SupervisionBatch.issued_on >= f.date_from)
        if f.date_to is not None:
            batches = batches.where(SupervisionBatch.issued_on <= f.date_to)
        terms.append(SupervisionItem.batch_id.in_(batches.scalar_subquery()))
    cid = _community_id(s, f.community)
    if cid is not None:
        terms.append(SupervisionItem.site_id.in_(select(Site.id).where(Site.community_id == cid).scalar_subquery()))
    return terms


def _flags(
    status: Any, deadline: Any, closed_on: Any, deferred: Any, today: dt.date, f: StatsFilter
) -> dict[str, ColumnElement[bool]]:
    """Per-item conditions over the given columns (the item's own, or its listing's).

    due (应结案): closed, or its deadline passed by the end of the range (or today, if earlier);
    deferred (缓办数): due, deferred and still open — a deferred item that was closed anyway counts as
    closed, never also as deferred (else 结案率 = 结案数 ÷ (应结案数 − 缓办数) could pass 100%);
    on time: closed by the deadline; overdue: open, past the deadline, not deferred (缓办)."""
    cutoff = min(today, f.date_to) if f.date_to else today
    closed = status == CLOSED_STATUS
    due = or_(closed, and_(deadline.is_not(None), deadline <= cutoff))
    return {
        "closed": closed,
        "due": due,
        "deferred_due": and_(due, deferred, ~closed),
        # closed implies due, so 结案数 is simply `closed` (one sum less per row)
        "on_time": and_(closed, or_(deadline.is_(None), closed_on <= deadline)),
        "overdue": and_(~closed, deadline < today, deferred.is_(False)),
    }


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    """An item open past its deadline and not deferred, read through its listing where it has one."""
    closed, deadline, _ = effective_columns()
    return and_(~closed, deadline < today, SupervisionItem.deferred.is_(False))


NO_LEAD = "未指定包案领导"


def _overdue_listing_items(s: Session, f: StatsFilter, today: dt.date) -> Any:
    """The listings overdue today (listing_id) with their 挂牌督办 item where they have one (id), whatever
    their issue date (an overdue listing is a state of today, not of the range): only the community
    applies. The 挂牌督办超期 card, the 按包案领导 chart and their drill-downs all read this one set, so they
    cannot disagree. A listing opened in the window or with `site list` has no item yet: it counts too."""
    q = (
        select(SupervisionItem.id, Listing.id.label("listing_id"))
        .select_from(Listing)
        .outerjoin(SupervisionItem, SupervisionItem.listing_id == Listing.id)
        .where(
            Listing.status != Status.CLOSED.value,
            Listing.deadline < today,
            func.coalesce(SupervisionItem.deferred, False).is_(False),  # 缓办 is on the item
        )
    )
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.where(Listing.site_id.in_(select(Site.id).where(Site.community_id == cid).scalar_subquery()))
    return q.subquery()


def _no_listing() -> ColumnElement[bool]:
    """Items without a listing, written so no index on listing_id is used for it: 97% of the rows
    match, and a scan of the covering index beats an index search plus a table lookup per row."""
    return func.coalesce(SupervisionItem.listing_id, 0) == 0


def _sum(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _grouped(s: Session, f: StatsFilter, today: dt.date, group: Any, names: Sequence[str], rework: bool = False) -> Any:
    """Items counted per `group` (batch or site) with the named flag sums, in two join-free passes:
    items without a listing (the bulk) read their own columns; 挂牌督办 items read their listing's."""
    scope = _item_scope(s, f)
    own = _flags(SupervisionItem.status, SupervisionItem.deadline, SupervisionItem.closed_on,
                 SupervisionItem.deferred, today, f)  # fmt: skip
    via = _flags(Listing.status, Listing.deadline, Listing.closed_on, SupervisionItem.deferred, today, f)
    plain = (
        select(group.label("g"), func.count().label("n"), *(_sum(own[k]).label(k) for k in names),
               *([literal(0).label("rework")] if rework else []))
        .where(_no_listing(), *scope)
        .group_by(group)
    )  # fmt: skip
    listed = (
        select(group.label("g"), func.count().label("n"), *(_sum(via[k]).label(k) for k in names),
               *([func.sum(Listing.rework_count).label("rework")] if rework else []))
        .select_from(Listing)
        .join(SupervisionItem, SupervisionItem.listing_id == Listing.id)
        .where(*scope)
        .group_by(group)
    )  # fmt: skip
    return union_all(plain, listed).subquery()


_FIGURE_COLUMNS = ("closed", "due", "deferred_due", "on_time")


def _kind_period_rows(s: Session, f: StatsFilter, today: dt.date, gran: Granularity) -> list[Any]:
    """(kind, period, 期, 处, closed, due, deferred, on_time, rework) per kind and period."""
    pb = _grouped(s, f, today, SupervisionItem.batch_id, _FIGURE_COLUMNS, rework=True)
    period = _period_key(s, SupervisionBatch.issued_on, gran).label("period")
    q = (
        select(
            SupervisionBatch.kind, period, func.count(func.distinct(pb.c.g)), func.sum(pb.c.n),
            *(func.sum(getattr(pb.c, c)) for c in _FIGURE_COLUMNS), func.sum(pb.c.rework),
        )
        .select_from(pb)
        .join(SupervisionBatch, SupervisionBatch.id == pb.c.g)
        .group_by(SupervisionBatch.kind, period)
        .order_by(period, SupervisionBatch.kind)
    )  # fmt: skip
    return list(s.execute(q))


def _figures(rows: list[Any]) -> SupervisionFigures:
    by_kind = {k.value: Counts(0, 0, 0) for k in Kind}
    due = deferred = closed_due = on_time = rework = 0
    for kind, _period, issues, n, closed, d, dfr, ot, rw in rows:
        by_kind[kind] = by_kind[kind] + Counts(int(issues), int(n), int(closed))
        due += int(d)
        deferred += int(dfr)
        closed_due += int(closed)
        on_time += int(ot)
        rework += int(rw)
    total = sum(by_kind.values(), Counts(0, 0, 0))
    return SupervisionFigures(
        by_kind=by_kind, total=total, due=due, deferred=deferred, closed_due=closed_due, closed_on_time=on_time,
        rework=rework, closure_rate=rate(closed_due, due, deferred),
        on_time_closure_rate=rate(on_time, due, deferred),
    )  # fmt: skip


def supervision_figures(uow: UnitOfWork, f: StatsFilter, today: dt.date | None = None) -> SupervisionFigures:
    today = today or dt.date.today()
    return _figures(_kind_period_rows(uow.session, f, today, "year"))


def _period_key(s: Session, column: Any, granularity: Granularity) -> ColumnElement[str]:
    """The period key of a date column, the same on both engines (see domain/periods.py)."""
    sqlite = s.get_bind().dialect.name == "sqlite"
    if granularity == "week":  # the Monday of the ISO week
        if sqlite:  # 'weekday 0' moves to the coming Sunday (or stays on one); six days back is Monday
            return func.date(column, "weekday 0", "-6 days")
        return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
    fmt = {"month": ("%Y-%m", "YYYY-MM"), "year": ("%Y", "YYYY")}[granularity]
    return func.strftime(fmt[0], column) if sqlite else func.to_char(column, fmt[1])


def granularity_for(f: StatsFilter, today: dt.date) -> Granularity:
    """Weekly periods for ranges up to about half a year, monthly beyond."""
    return periods.granularity_for(f.date_from or dt.date(2000, 1, 1), f.date_to or today)


def dashboard(
    uow: UnitOfWork, f: StatsFilter | None = None, today: dt.date | None = None, *, plain: bool = False
) -> Dashboard:
    """Every figure and chart series of the 总览 page, for a date range and community.

    Read from the rollups (db/rollups.py: a few hundred rows whatever the size of the data); `plain=True`
    aggregates the items themselves instead — the reference the tests and `zhdesk stats check` compare with."""
    s = uow.session
    f = f or StatsFilter()
    today = today or dt.date.today()
    gran = granularity_for(f, today)
    if plain:
        rows = _kind_period_rows(s, f, today, gran)
        categories, communities, by_unit = _plain_charts(s, f, today)
    else:
        rows, categories, communities, by_unit = _rollup_charts(s, f, today, gran)
    figures = _figures(rows)
    per_period = [(p, k, int(n)) for k, p, _i, n, *_ in rows]
    closure_acc: dict[str, list[int]] = {}
    for _k, p, _i, _n, closed, d, dfr, _ot, _rw in rows:
        acc = closure_acc.setdefault(p, [0, 0, 0])
        acc[0] += int(d)
        acc[1] += int(dfr)
        acc[2] += int(closed)
    closure = [(p, d, dfr, cd) for p, (d, dfr, cd) in sorted(closure_acc.items())]
    city_cases, qualifier = (_metric_total if plain else _rolled_metric_total)(s, f, "city_cases")
    return Dashboard(
        figures=figures,
        listings_in_force=_listing_count(s, f, Listing.status != Status.CLOSED.value),
        listings_overdue=_overdue_listings(s, f, today),
        listings_closed_in_range=_listing_count(s, f, Listing.status == Status.CLOSED.value, closed_in_range=True),
        city_cases=city_cases,
        city_cases_qualifier=qualifier,
        items_per_period=per_period,
        closure_per_period=closure,
        categories=categories,
        communities=communities,
        overdue_by_unit=by_unit,
        overdue_by_lead=_overdue_by_lead(s, f, today),
        granularity=gran,
    )


Chart = list[tuple[str, int]]
CommunityRow = tuple[str, int, int, int]


def _plain_charts(s: Session, f: StatsFilter, today: dt.date) -> tuple[Chart, list[CommunityRow], Chart]:
    """Categories, communities and overdue units aggregated from the items themselves (one pass each)."""
    scope = _item_scope(s, f)
    per_category = union_all(
        select(SupervisionItem.category_id.label("c"), func.count().label("n"))
        .where(_no_listing(), *scope)
        .group_by(SupervisionItem.category_id),
        select(Listing.category_id.label("c"), func.count().label("n"))
        .select_from(Listing)
        .join(SupervisionItem, SupervisionItem.listing_id == Listing.id)
        .where(*scope)
        .group_by(Listing.category_id),
    ).subquery()
    categories = _by_count(
        s.execute(
            select(ProblemCategory.name, func.sum(per_category.c.n))
            .select_from(per_category)
            .outerjoin(ProblemCategory, ProblemCategory.id == per_category.c.c)
            .group_by(ProblemCategory.name)
        ),
        "未分类",
    )
    ps = _grouped(s, f, today, SupervisionItem.site_id, ("closed", "overdue"))
    communities = [
        (name, int(n), int(c), int(o))
        for name, n, c, o in s.execute(
            select(Community.name, func.sum(ps.c.n), func.sum(ps.c.closed), func.sum(ps.c.overdue))
            .select_from(ps)
            .join(Site, Site.id == ps.c.g)
            .join(Community, Community.id == Site.community_id)
            .group_by(Community.id, Community.name)
            .order_by(Community.sort_order, Community.id)
        )
    ]
    overdue = overdue_condition(today)
    by_unit = _by_count(
        s.execute(
            select(Unit.name, func.count(SupervisionItem.id))
            .select_from(SupervisionItem)
            .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
            .outerjoin(Unit, Unit.id == SupervisionItem.unit_id)
            .where(overdue, *_item_scope(s, f))
            .group_by(Unit.name)
        ),
        "未指定单位",
    )
    return categories, communities, by_unit


def _windows(f: StatsFilter, gran: Granularity) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """The rollup rows covering the range: (grain, first, last period), None = unbounded. Whole months
    come from the month rows, the days before the first and after the last whole month from the day
    rows; weekly charts read day rows only (weeks cross months; such a range is half a year at most)."""
    lo, hi = f.date_from, f.date_to
    if gran == "week":
        return [("d", lo, hi)]
    first = lo if lo is None or lo.day == 1 else (lo.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = hi if hi is None or (hi + dt.timedelta(days=1)).day == 1 else hi.replace(day=1) - dt.timedelta(days=1)
    if first is not None and last is not None and first > last:
        return [("d", lo, hi)]
    out: list[tuple[str, dt.date | None, dt.date | None]] = [("m", first, last.replace(day=1) if last else None)]
    if lo is not None and first is not None and first != lo:
        out.append(("d", lo, first - dt.timedelta(days=1)))
    if hi is not None and last is not None and last != hi:
        out.append(("d", last + dt.timedelta(days=1), hi))
    return out


def _in_windows(grain: Any, period: Any, windows: list[tuple[str, dt.date | None, dt.date | None]]) -> Any:
    terms = []
    for g, a, b in windows:
        term = [grain == g]
        if a is not None:
            term.append(period >= a)
        if b is not None:
            term.append(period <= b)
        terms.append(and_(*term))
    return or_(*terms)


def _issued_in(column: Any, f: StatsFilter) -> list[ColumnElement[bool]]:
    return [t for t in (column >= f.date_from if f.date_from else None, column <= f.date_to if f.date_to else None)
            if t is not None]  # fmt: skip


def _named(s: Session, model: Any, counts: dict[int, int]) -> list[tuple[str | None, int]]:
    """{id: n} as (name, n) merged by name (the plain path groups by name); id 0 is the unnamed group."""
    q = select(model.id, model.name).where(model.id.in_([k for k in counts if k]))
    names: dict[int, str] = {i: name for i, name in s.execute(q)}
    out: dict[str | None, int] = {}
    for k, n in counts.items():
        name = names.get(k) if k else None
        out[name] = out.get(name, 0) + n
    return [(name, n) for name, n in out.items() if n]


def _rollup_charts(
    s: Session, f: StatsFilter, today: dt.date, gran: Granularity
) -> tuple[list[Any], Chart, list[CommunityRow], Chart]:
    """The kind × period rows and the three charts from the stat_* rollups (db/rollups.py): the same
    figures as the plain aggregation for every range, community and `today` (open items are kept by
    deadline, so due and overdue are cut here)."""
    cutoff = min(today, f.date_to) if f.date_to else today
    cid = _community_id(s, f.community)
    windows = _windows(f, gran)
    k = StatKind
    acc: dict[tuple[str, str], list[int]] = {}
    q = select(k.grain, k.period, k.kind, k.issues, k.items, k.closed, k.on_time, k.rework).where(
        _in_windows(k.grain, k.period, windows), k.community_id == (cid or rollups.ALL), k.items != 0
    )
    for _g, period, kind, issues, n, closed, on_time, rework in s.execute(q):
        a = acc.setdefault((kind, periods.period_key(period, gran)), [0] * 7)
        for j, v in enumerate((issues, n, closed, closed, 0, on_time, rework)):  # due starts at closed
            a[j] += v
    o = StatOpen
    open_scope = [*_issued_in(o.issued_on, f), *([o.community_id == cid] if cid is not None else [])]
    due = o.deadline <= cutoff
    q2 = (
        select(o.issued_on, o.kind, _sum_of(due), _sum_of(and_(due, o.deferred)))
        .where(*open_scope)
        .group_by(o.issued_on, o.kind)
    )
    for issued_on, kind, d, dfr in s.execute(q2):
        found = acc.get((kind, periods.period_key(issued_on, gran)))
        if found is not None:
            found[3] += int(d)
            found[4] += int(dfr)
    rows: list[Any] = sorted(((kind, p, *a) for (kind, p), a in acc.items() if a[1]), key=lambda r: (r[1], r[0]))

    cat = StatCategory
    q3 = (
        select(cat.category_id, func.sum(cat.items))
        .where(_in_windows(cat.grain, cat.period, windows), cat.community_id == (cid or rollups.ALL))
        .group_by(cat.category_id)
    )
    categories = _by_count(_named(s, ProblemCategory, {c: int(n) for c, n in s.execute(q3)}), "未分类")

    overdue = and_(o.deadline < today, o.deferred.is_(False))
    q4 = (
        select(k.community_id, func.sum(k.items), func.sum(k.closed))
        .where(_in_windows(k.grain, k.period, windows), k.community_id == cid if cid else k.community_id != rollups.ALL)
        .group_by(k.community_id)
    )
    per_community = {c: [int(n), int(closed), 0] for c, n, closed in s.execute(q4) if n}
    q5 = select(o.community_id, _sum_of(overdue)).where(*open_scope).group_by(o.community_id)
    for c, n in s.execute(q5):
        if c in per_community:
            per_community[c][2] += int(n)
    order = select(Community.id, Community.name).where(Community.id.in_(list(per_community)))
    communities: list[CommunityRow] = [
        (name, per_community[c][0], per_community[c][1], per_community[c][2])
        for c, name in s.execute(order.order_by(Community.sort_order, Community.id))
    ]
    q6 = select(o.unit_id, func.sum(o.items)).where(overdue, *open_scope).group_by(o.unit_id)
    by_unit = _by_count(_named(s, Unit, {u: int(n) for u, n in s.execute(q6)}), "未指定单位")
    return rows, categories, communities, by_unit


def _sum_of(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, StatOpen.items), else_=0)), 0)


def _by_count(rows: Any, unnamed: str) -> list[tuple[str, int]]:
    """(name, count) groups, most first; ties by name in code-point order, the unnamed (NULL) group last.
    Sorted here, not in SQL: the engines order NULLs and (under a locale collation) text differently,
    and these are a few dozen groups."""
    named = sorted(((name, int(n)) for name, n in rows), key=lambda r: (-r[1], r[0] is None, r[0] or ""))
    return [(name or unnamed, n) for name, n in named]


def _listing_count(s: Session, f: StatsFilter, cond: ColumnElement[bool], closed_in_range: bool = False) -> int:
    q = select(func.count(Listing.id)).where(cond)
    if closed_in_range:
        if f.date_from is not None:
            q = q.where(Listing.closed_on >= f.date_from)
        if f.date_to is not None:
            q = q.where(Listing.closed_on <= f.date_to)
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.join(Site, Site.id == Listing.site_id).where(Site.community_id == cid)
    return int(s.scalar(q) or 0)


def _overdue_listings(s: Session, f: StatsFilter, today: dt.date) -> int:
    ov = _overdue_listing_items(s, f, today)
    return int(s.scalar(select(func.count(func.distinct(ov.c.listing_id)))) or 0)


def _overdue_by_lead(s: Session, f: StatsFilter, today: dt.date) -> list[tuple[str, int]]:
    """包案领导 of the listings overdue today (the 挂牌督办超期 card's set, whatever the range), NO_LEAD for
    a listing without one; drill_items(lead=…, overdue_only=True) lists the same items."""
    ov = _overdue_listing_items(s, f, today)
    n = func.count(func.distinct(ov.c.listing_id))
    q = (
        select(Person.name, n)
        .select_from(ov)
        .outerjoin(Responsibility, and_(Responsibility.listing_id == ov.c.listing_id, Responsibility.role == "lead"))
        .outerjoin(Person, Person.id == Responsibility.person_id)
        .group_by(Person.name)
    )
    return _by_count(s.execute(q), NO_LEAD)


def _tally_range(s: Session, q: Select[Any], table: type[TallyEntry] | type[StatTally], f: StatsFilter) -> Select[Any]:
    """`q` kept to the rows of `table` (tally entries or their rollup) whose period lies in the filter's
    range, of its community."""
    if f.date_from is not None:
        q = q.where(table.period_start >= f.date_from)
    if f.date_to is not None:
        q = q.where(table.period_end <= f.date_to)
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.where(table.community_id == cid)
    return q


def _metric_total(s: Session, f: StatsFilter, code: str) -> tuple[Decimal, str | None]:
    """Sum of a tally metric over entries whose period lies in the range; an approximate entry
    (约/近/余) makes the total approximate, with the first qualifier kept (the largest by code point on
    both engines: a PostgreSQL locale collation would rank them otherwise)."""
    qualifier = func.max(by_code_point(s, TallyEntry.qualifier))
    q = select(func.coalesce(func.sum(TallyEntry.value), 0), qualifier).where(TallyEntry.metric_code == code)
    total, qualifier = s.execute(_tally_range(s, q, TallyEntry, f)).one()
    return Decimal(total), qualifier


def _rolled_metric_total(s: Session, f: StatsFilter, code: str) -> tuple[Decimal, str | None]:
    """_metric_total from stat_tally: the same entries (period inside the range, the community's), summed
    in cents; the qualifier of the kept rows that still count an entry."""
    t = StatTally
    qualifier = func.max(by_code_point(s, case((t.entries > 0, func.nullif(t.qualifier, "")))))
    q = select(func.coalesce(func.sum(t.cents), 0), qualifier).where(t.metric_code == code)
    cents, qualifier = s.execute(_tally_range(s, q, t, f)).one()
    return Decimal(int(cents)) / 100, qualifier


def stats_json(uow: UnitOfWork, f: StatsFilter, today: dt.date | None = None) -> dict[str, Any]:
    """The object `zhdesk stats --json` prints; later issues add tally metrics beside these keys."""
    d = dashboard(uow, f, today)
    fig = d.figures
    sup: dict[str, Any] = {
        k: {"issues": c.issues, "items": c.items, "closed": c.closed} for k, c in fig.by_kind.items()
    }
    sup["total"] = {"issues": fig.total.issues, "items": fig.total.items, "closed": fig.total.closed}
    return {
        "range": {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "community": f.community,
        },
        "supervision": sup,
        "closure_rate": fig.closure_rate,
        "on_time_closure_rate": fig.on_time_closure_rate,
        "due": fig.due,
        "deferred": fig.deferred,
        "closed_due": fig.closed_due,
        "closed_on_time": fig.closed_on_time,
        "rework": fig.rework,
        "listings": {
            "in_force": d.listings_in_force,
            "overdue": d.listings_overdue,
            "closed_in_range": d.listings_closed_in_range,
        },
        "overdue_by_unit": [{"unit": u, "items": n} for u, n in d.overdue_by_unit],
        "overdue_by_lead": [{"lead": p, "listings": n} for p, n in d.overdue_by_lead],
        "city_cases": {"value": float(d.city_cases), "qualifier": d.city_cases_qualifier},
        "metrics": _metrics_json(uow, f),
    }


def _metrics_json(uow: UnitOfWork, f: StatsFilter) -> dict[str, Any]:
    """Every tally metric: code → {value, unit, qualifier}, over the same entries as city_cases."""
    from zhdesk.services.tally import metric_totals, metrics_json

    return metrics_json(metric_totals(uow, f.date_from, f.date_to, f.community))


@requires("stats.rebuild")
def rebuild_rollups(uow: UnitOfWork) -> int:
    """`zhdesk stats rebuild`: the dashboard rollups recomputed from the rows in one transaction (after a
    write that bypassed the app, or to repair them); returns the number of rollup rows written."""
    n = rollups.rebuild(uow.session.connection())
    audit(uow, "stats.rebuild", "stat", None, rows=n)
    uow.commit()
    return n


def check_rollups(uow: UnitOfWork) -> list[str]:
    """`zhdesk stats check`: where the rollups differ from a recomputation from the rows (empty: agree)."""
    return rollups.differences(uow.session.connection())


def drill_terms(s: Session, drill: Drill, today: dt.date) -> list[ColumnElement[bool]]:
    """WHERE terms selecting a drill-down's items, over the joins of supervision._item_query: drill_items
    lists them, the paged list (services/item_pages.py) orders, counts and pages them in SQL."""
    f = drill.base
    if drill.lead:  # overdue listings by 包案领导 are as of today, whatever the range (_overdue_listing_items)
        f = StatsFilter(community=f.community)
    terms = _item_scope(s, f)
    if drill.kind:
        terms.append(SupervisionBatch.kind == drill.kind)
    if drill.period:
        terms.append(_period_key(s, SupervisionBatch.issued_on, periods.granularity_of(drill.period)) == drill.period)
    if drill.category is not None:
        none = drill.category == "未分类"
        terms.append(ProblemCategory.name.is_(None) if none else ProblemCategory.name == drill.category)
    if drill.community:
        terms.append(Community.name == drill.community)
    if drill.unit is not None:
        terms.append(Unit.name.is_(None) if drill.unit == "未指定单位" else Unit.name == drill.unit)
    if drill.lead == NO_LEAD:
        with_lead = select(Responsibility.listing_id).where(Responsibility.role == "lead")
        listing = SupervisionItem.listing_id
        terms += [listing.is_not(None), listing.not_in(with_lead.scalar_subquery())]
    elif drill.lead:
        leads = (
            select(Responsibility.listing_id)
            .join(Person, Person.id == Responsibility.person_id)
            .where(Responsibility.role == "lead", Person.name == drill.lead)
        )
        terms.append(SupervisionItem.listing_id.in_(leads.scalar_subquery()))
    if drill.overdue_only:
        terms.append(overdue_condition(today))
    if drill.closed_only:
        terms.append(effective_columns()[0])
    return terms


def drill_query(s: Session, drill: Drill, today: dt.date) -> Any:
    """The items of a drill-down, unordered, with the columns of an ItemDTO."""
    from zhdesk.services.supervision import _item_query

    return _item_query().where(*drill_terms(s, drill, today))


def drill_items(
    uow: UnitOfWork, drill: Drill, today: dt.date | None = None, where: Sequence[ColumnElement[bool]] = ()
) -> list[ItemDTO]:
    """Items for a drill-down list, most urgent first (overdue, then by deadline); `where` narrows them
    further in SQL."""
    from zhdesk.services.supervision import _item_dto

    s = uow.session
    today = today or dt.date.today()
    q = drill_query(s, drill, today).where(*where)
    _, deadline, _ = effective_columns()
    warn = warning_days(uow)
    rows = [_item_dto(r, today, warn) for r in s.execute(q.order_by(deadline.is_(None), deadline, SupervisionItem.id))]
    rows.sort(key=lambda i: (not i.overdue, i.status == "closed"))
    return rows
