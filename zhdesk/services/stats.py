"""The campaign's figures, computed in one place: SQL aggregation (no Python loops over rows)
plus the pure formulas in zhdesk.domain.stats. The dashboard, the CLI and (later) the brief use this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    Community,
    Listing,
    Person,
    ProblemCategory,
    Responsibility,
    Site,
    SupervisionBatch,
    SupervisionItem,
    TallyEntry,
    Unit,
)
from db.uow import UnitOfWork
from zhdesk.domain.stats import Counts, Kind, rate
from zhdesk.domain.workflow import Status
from zhdesk.services.supervision import category_of_item, effective_columns


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
    # (period key 'YYYY-MM' or 'YYYY-Www', kind code, items)
    items_per_period: list[tuple[str, str, int]] = field(default_factory=list)
    # (period key, due, closed) for the closure-rate line
    closure_per_period: list[tuple[str, int, int, int]] = field(default_factory=list)
    categories: list[tuple[str, int]] = field(default_factory=list)
    # (community, items, closed, overdue)
    communities: list[tuple[str, int, int, int]] = field(default_factory=list)
    overdue_by_unit: list[tuple[str, int]] = field(default_factory=list)
    overdue_by_lead: list[tuple[str, int]] = field(default_factory=list)


def _community_id(s: Session, name: str | None) -> int | None:
    if not name:
        return None
    from zhdesk.services.sites import _community_by_name

    return _community_by_name(s, name).id


def _items_base(s: Session, f: StatsFilter, *cols: Any) -> Select[Any]:
    q = (
        select(*cols)
        .select_from(SupervisionItem)
        .join(SupervisionBatch, SupervisionBatch.id == SupervisionItem.batch_id)
        .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
    )
    if f.date_from is not None:
        q = q.where(SupervisionBatch.issued_on >= f.date_from)
    if f.date_to is not None:
        q = q.where(SupervisionBatch.issued_on <= f.date_to)
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.join(Site, Site.id == SupervisionItem.site_id).where(Site.community_id == cid)
    return q


def _due_columns(today: dt.date, f: StatsFilter) -> tuple[ColumnElement[bool], ...]:
    """closed, due, on-time: an item is due (应结案) when closed, or its deadline has passed by the
    end of the range (or today, whichever is earlier)."""
    closed, deadline, closed_on = effective_columns()
    cutoff = min(today, f.date_to) if f.date_to else today
    due = or_(closed, and_(deadline.is_not(None), deadline <= cutoff))
    on_time = and_(closed, or_(deadline.is_(None), closed_on <= deadline))
    return closed, due, on_time


def _sum(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def supervision_figures(uow: UnitOfWork, f: StatsFilter, today: dt.date | None = None) -> SupervisionFigures:
    s = uow.session
    today = today or dt.date.today()
    closed, due, on_time = _due_columns(today, f)
    q = _items_base(
        s, f,
        SupervisionBatch.kind,
        func.count(func.distinct(SupervisionBatch.id)),
        func.count(SupervisionItem.id),
        _sum(closed),
        _sum(due),
        _sum(and_(due, SupervisionItem.deferred)),
        _sum(and_(due, closed)),
        _sum(and_(due, on_time)),
        func.coalesce(func.sum(Listing.rework_count), 0),
    ).group_by(SupervisionBatch.kind)  # fmt: skip
    by_kind = {k.value: Counts(0, 0, 0) for k in Kind}
    due_n = deferred_n = closed_due_n = on_time_n = rework_n = 0
    for kind, issues, items, closed_n, d, dfr, cd, ot, rw in s.execute(q):
        by_kind[kind] = Counts(int(issues), int(items), int(closed_n))
        due_n += int(d)
        deferred_n += int(dfr)
        closed_due_n += int(cd)
        on_time_n += int(ot)
        rework_n += int(rw)
    total = sum(by_kind.values(), Counts(0, 0, 0))
    return SupervisionFigures(
        by_kind=by_kind, total=total, due=due_n, deferred=deferred_n, closed_due=closed_due_n,
        closed_on_time=on_time_n, rework=rework_n,
        closure_rate=rate(closed_due_n, due_n, deferred_n), on_time_closure_rate=rate(on_time_n, due_n, deferred_n),
    )  # fmt: skip


def _period_key(s: Session, column: Any, granularity: str) -> ColumnElement[str]:
    dialect = s.get_bind().dialect.name
    if dialect == "sqlite":
        return func.strftime("%Y-%m" if granularity == "month" else "%Y-W%W", column)
    return func.to_char(column, "YYYY-MM" if granularity == "month" else 'IYYY-"W"IW')


def granularity_for(f: StatsFilter, today: dt.date) -> str:
    """Weekly periods for ranges up to about half a year, monthly beyond."""
    start = f.date_from or dt.date(2000, 1, 1)
    end = f.date_to or today
    return "week" if (end - start).days <= 190 else "month"


def dashboard(uow: UnitOfWork, f: StatsFilter | None = None, today: dt.date | None = None) -> Dashboard:
    """Every figure and chart series of the 总览 page, for a date range and community."""
    s = uow.session
    f = f or StatsFilter()
    today = today or dt.date.today()
    figures = supervision_figures(uow, f, today)
    closed, due, _ = _due_columns(today, f)
    _, deadline, _ = effective_columns()
    overdue = and_(~closed, deadline < today, SupervisionItem.deferred.is_(False))
    gran = granularity_for(f, today)
    period = _period_key(s, SupervisionBatch.issued_on, gran).label("period")

    per_period = [
        (p, k, int(n))
        for p, k, n in s.execute(
            _items_base(s, f, period, SupervisionBatch.kind, func.count(SupervisionItem.id))
            .group_by(period, SupervisionBatch.kind)
            .order_by(period)
        )
    ]
    closure = [
        (p, int(d), int(dfr), int(c))
        for p, d, dfr, c in s.execute(
            _items_base(s, f, period, _sum(due), _sum(and_(due, SupervisionItem.deferred)), _sum(and_(due, closed)))
            .group_by(period)
            .order_by(period)
        )
    ]
    category_name = func.coalesce(ProblemCategory.name, literal("未分类"))
    categories = [
        (name, int(n))
        for name, n in s.execute(
            _items_base(s, f, category_name, func.count(SupervisionItem.id))
            .outerjoin(ProblemCategory, ProblemCategory.id == category_of_item())
            .group_by(category_name)
            .order_by(func.count(SupervisionItem.id).desc())
        )
    ]  # fmt: skip
    site = Site.__table__.alias("csite")
    communities = [
        (name, int(n), int(c), int(o))
        for name, n, c, o in s.execute(
            _items_base(s, f, Community.name, func.count(SupervisionItem.id), _sum(closed), _sum(overdue))
            .join(site, site.c.id == SupervisionItem.site_id)
            .join(Community, Community.id == site.c.community_id)
            .group_by(Community.id, Community.name)
            .order_by(Community.sort_order, Community.id)
        )
    ]
    unit_name = func.coalesce(Unit.name, literal("未指定单位"))
    by_unit = [
        (name, int(n))
        for name, n in s.execute(
            _items_base(s, f, unit_name, func.count(SupervisionItem.id))
            .outerjoin(Unit, Unit.id == SupervisionItem.unit_id)
            .where(overdue)
            .group_by(unit_name)
            .order_by(func.count(SupervisionItem.id).desc())
        )
    ]
    return Dashboard(
        figures=figures,
        listings_in_force=_listing_count(s, f, Listing.status != Status.CLOSED.value),
        listings_overdue=_listing_count(
            s, f, and_(Listing.status != Status.CLOSED.value, Listing.deadline < today)
        ),
        listings_closed_in_range=_listing_count(s, f, Listing.status == Status.CLOSED.value, closed_in_range=True),
        city_cases=_metric_total(s, f, "city_cases")[0],
        city_cases_qualifier=_metric_total(s, f, "city_cases")[1],
        items_per_period=per_period,
        closure_per_period=closure,
        categories=categories,
        communities=communities,
        overdue_by_unit=by_unit,
        overdue_by_lead=_overdue_by_lead(s, f, today),
    )


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


def _overdue_by_lead(s: Session, f: StatsFilter, today: dt.date) -> list[tuple[str, int]]:
    q = (
        select(Person.name, func.count(func.distinct(Listing.id)))
        .select_from(Listing)
        .join(Responsibility, and_(Responsibility.listing_id == Listing.id, Responsibility.role == "lead"))
        .join(Person, Person.id == Responsibility.person_id)
        .where(Listing.status != Status.CLOSED.value, Listing.deadline < today)
        .group_by(Person.name)
        .order_by(func.count(func.distinct(Listing.id)).desc())
    )
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.join(Site, Site.id == Listing.site_id).where(Site.community_id == cid)
    return [(name, int(n)) for name, n in s.execute(q)]


def _metric_total(s: Session, f: StatsFilter, code: str) -> tuple[Decimal, str | None]:
    """Sum of a tally metric over entries whose period lies in the range; an approximate entry
    (约/近/余) makes the total approximate, with the first qualifier kept."""
    q = select(func.coalesce(func.sum(TallyEntry.value), 0), func.max(TallyEntry.qualifier)).where(
        TallyEntry.metric_code == code
    )
    if f.date_from is not None:
        q = q.where(TallyEntry.period_start >= f.date_from)
    if f.date_to is not None:
        q = q.where(TallyEntry.period_end <= f.date_to)
    cid = _community_id(s, f.community)
    if cid is not None:
        q = q.where(TallyEntry.community_id == cid)
    total, qualifier = s.execute(q).one()
    return Decimal(total), qualifier


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
    }
