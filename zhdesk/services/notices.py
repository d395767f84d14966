"""督办通知单 / 催办单: a one-page notice per listed site to its responsible unit, all in one PDF, and a
催办 (urge) event on each site's timeline with an audit entry — in one unit of work, so a PDF that cannot
be written records nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import EventActor, Listing, Person, Responsibility, Setting, Site, TimelineEvent, Unit
from db.uow import UnitOfWork
from zhdesk.domain.lights import days_left, days_text
from zhdesk.domain.vocab import SITE_KINDS
from zhdesk.domain.workflow import Status
from zhdesk.dto import IssuedNotice, NoticeResult, StatsFilter
from zhdesk.errors import InputRefused, UsageError
from zhdesk.files import shown, write_export
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.common import current_user, site_or_refuse
from zhdesk.services.settings import brief_issuer, notice_title
from zhdesk.services.sites import current_listing
from zhdesk.services.stats import _overdue_listing_items

URGE = "urge"  # the timeline kind of an issued notice (催办); written only here
NO_UNIT = "相关责任单位"
DAYS_RANGE = (1, 365)


def _counter_key(year: int) -> str:
    return f"notice_no_{year}"  # 督〔year〕N号: numbered afresh each year, as 公文 are


def _next_numbers(uow: UnitOfWork, year: int, count: int) -> list[int]:
    """Reserve `count` notice numbers of `year` (part of the caller's transaction)."""
    s = uow.session
    row = s.get(Setting, _counter_key(year))
    try:
        last = int(row.value) if row is not None and row.value is not None else 0
    except ValueError:
        last = 0
    numbers = list(range(last + 1, last + 1 + count))
    if row is None:
        s.add(Setting(key=_counter_key(year), value=str(numbers[-1])))
    else:
        row.value = str(numbers[-1])
    return numbers


def office(uow: UnitOfWork) -> str:
    """The issuing office printed on a notice: the same as on the briefs (设置 → 发文单位)."""
    return brief_issuer(uow)


def _open_listing(s: Session, site_id: int) -> Listing:
    site = site_or_refuse(s, site_id)
    listing = current_listing(s, site_id)
    if listing is None or listing.status == Status.CLOSED.value:
        raise InputRefused(f"点位 {site_id}（{site.address}）没有在办的挂牌督办，不能发督办通知单")
    return listing


def _overdue_listings(s: Session, today: dt.date) -> list[Listing]:
    """The listings overdue today: the 总览 挂牌督办超期 card's own set (services/stats)."""
    ov = _overdue_listing_items(s, StatsFilter(), today)
    ids = set(s.scalars(select(ov.c.listing_id)))
    return list(s.scalars(select(Listing).where(Listing.id.in_(ids))))


def _addressee(li: Listing) -> tuple[str, Unit | None]:
    """The listing's 责任单位, else its 包案领导's unit, else 相关责任单位."""
    for role in ("unit", "lead"):
        for r in li.responsibilities:
            if r.role != role:
                continue
            unit = r.unit or (r.person.unit if r.person else None)
            if unit is not None:
                return unit.name, unit
            if role == "unit" and r.person is not None:
                return r.person.name, None
    return NO_UNIT, None


def _person(li: Listing, *roles: str) -> tuple[str | None, str | None]:
    for role in roles:
        for r in li.responsibilities:
            if r.role == role and r.person is not None:
                return r.person.name, r.person.phone or (r.person.unit.phone if r.person.unit else None)
    return None, None


@requires("sites.edit")
def issue_notices(
    uow: UnitOfWork,
    site_ids: Sequence[int] | None,
    path: Path,
    *,
    overdue: bool = False,
    overwrite: bool = False,
    days: int = 7,
    today: dt.date | None = None,
) -> NoticeResult:
    """Write a 督办通知单 for each of `site_ids` (each must have an open listing) or, with `overdue`, for
    every listing overdue today, into the PDF at `path`; record a 催办 event on each site. Refused in one
    line, writing nothing, when a site has no open listing, none is overdue, or the file cannot be written."""
    from zhdesk.notice.pdf import Notice, render

    today = today or dt.date.today()
    low, high = DAYS_RANGE
    if not low <= days <= high:
        raise InputRefused(f"整改期限天数应在 {low} 到 {high} 之间，收到 {days}")
    if overdue == bool(site_ids):
        raise UsageError("请指定点位（--site）或全部超期点位（--overdue），二者选一")
    s = uow.session
    if overdue:
        listings = _overdue_listings(s, today)
        if not listings:
            raise InputRefused(f"截至 {today.isoformat()} 没有超期的挂牌督办点位，未生成督办通知单")
    else:
        listings = [_open_listing(s, sid) for sid in dict.fromkeys(site_ids or ())]
    ids = [li.id for li in listings]
    listings = list(
        s.scalars(
            select(Listing).where(Listing.id.in_(ids)).options(
                selectinload(Listing.site).selectinload(Site.community), selectinload(Listing.category),
                selectinload(Listing.responsibilities).selectinload(Responsibility.person).selectinload(Person.unit),
                selectinload(Listing.responsibilities).selectinload(Responsibility.unit),
            )
        )
    )  # fmt: skip
    if overdue:  # most overdue first, then by address
        listings.sort(key=lambda li: (li.deadline or today, li.site.address))
    else:
        order = {lid: k for k, lid in enumerate(ids)}
        listings.sort(key=lambda li: order[li.id])
    title = notice_title(uow)
    issuer = office(uow)
    due = today + dt.timedelta(days=days)
    author = current_user(uow)
    notices: list[Notice] = []
    issued: list[IssuedNotice] = []
    for li, k in zip(listings, _next_numbers(uow, today.year, len(listings)), strict=True):
        number = f"督〔{today.year}〕{k}号"
        unit_name, unit = _addressee(li)
        lead, lead_phone = _person(li, "lead")
        contact, contact_phone = _person(li, "contact", "person")
        status = Status(li.status)
        left = days_left(li.deadline, today)
        when = days_text(status, li.deadline, today, li.closed_on)
        notices.append(
            Notice(
                title=title, number=number, addressee=unit_name, address=li.site.address,
                community=li.site.community.name, kind_label=SITE_KINDS.get(li.site.kind, li.site.kind),
                category=li.category.name if li.category else None, problem=li.problem, listed_on=li.listed_on,
                deadline=li.deadline, days_text=when, overdue=left is not None and left < 0, due=due, days=days,
                lead=lead, lead_phone=lead_phone, contact=contact, contact_phone=contact_phone, office=issuer,
                issued_on=today,
            )
        )  # fmt: skip
        text = f"发出督办通知单 {number}，限 {due.isoformat()} 前整改完毕"
        ev = TimelineEvent(
            site_id=li.site_id, listing_id=li.id, kind=URGE, occurred_on=today, text=text, author_id=author.id
        )
        s.add(ev)
        s.flush()
        if unit_name != NO_UNIT:
            s.add(EventActor(event_id=ev.id, unit_id=unit.id if unit else None, name=unit_name))
        audit(uow, "notice.issue", "timeline_event", ev.id, site_id=li.site_id, listing_id=li.id, number=number,
              addressee=unit_name, due=due, file=shown(path))  # fmt: skip
        issued.append(
            IssuedNotice(site_id=li.site_id, address=li.site.address, community=li.site.community.name,
                         number=number, addressee=unit_name, days_text=when, due=due, event_id=ev.id)
        )  # fmt: skip
    s.flush()
    existed = Path(path).exists()
    written = write_export(
        Path(path), lambda tmp: render(tmp, notices, title=title, author=issuer), overwrite=overwrite
    )
    try:
        uow.commit()
    except BaseException:
        if not existed:  # the events are gone: so is the notice that announced them
            Path(path).unlink(missing_ok=True)
        raise
    return NoticeResult(path=shown(written), notices=tuple(issued))
