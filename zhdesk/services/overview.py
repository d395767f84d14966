"""督办进度总览: one bar per listed site (its current listing), most urgent first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import TimelineEvent
from db.uow import UnitOfWork
from zhdesk.dto import GanttRow, SiteQuery
from zhdesk.services.sites import site_rows


def gantt(uow: UnitOfWork, today: dt.date | None = None) -> list[GanttRow]:
    """Rows in the order the tables use (red, yellow, green by days left, then closed)."""
    rows = [r for r in site_rows(uow, SiteQuery(listed_only=True), today) if r.listed_on is not None]
    rebounds: dict[int, list[dt.date]] = {}
    events: dict[int, list[tuple[dt.date, str]]] = {}
    listing_ids = [r.listing_id for r in rows if r.listing_id is not None]
    for listing_id, on, kind in uow.session.execute(
        select(TimelineEvent.listing_id, TimelineEvent.occurred_on, TimelineEvent.kind)
        .where(TimelineEvent.listing_id.in_(listing_ids), TimelineEvent.deleted.is_(False))
        .order_by(TimelineEvent.occurred_on, TimelineEvent.id)
    ):  # fmt: skip
        if listing_id is None:
            continue
        if kind == "rebound":
            rebounds.setdefault(listing_id, []).append(on)
        elif kind != "listed":
            events.setdefault(listing_id, []).append((on, kind))
    out: list[GanttRow] = []
    for r in rows:
        assert r.listed_on is not None and r.status and r.status_label and r.light and r.listing_id
        out.append(
            GanttRow(
                site_id=r.id, address=r.address, community=r.community, lead=r.lead, unit=r.unit,
                status=r.status, status_label=r.status_label, light=r.light, listed_on=r.listed_on,
                deadline=r.deadline, closed_on=r.closed_on, days_text=r.days_text,
                rebounds=tuple(rebounds.get(r.listing_id, ())),
                events=tuple(events.get(r.listing_id, ())),
            )
        )  # fmt: skip
    return out
