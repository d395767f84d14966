"""Supervision items (督办件) in numbered batches (期).

A 挂牌督办 item is a listing: the item row only points at it (`listing_id`), and its status,
deadline and closing date are the listing's — one record, not two copies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import Community, Listing, ProblemCategory, Site, SupervisionBatch, SupervisionItem, Unit
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.domain.lights import days_left, item_days_text, item_light
from zhdesk.domain.paste import clean_item
from zhdesk.domain.stats import Kind
from zhdesk.domain.vocab import CLOSED, OPEN
from zhdesk.domain.workflow import Status
from zhdesk.dto import BatchDTO, BatchFilter, ItemDTO, ItemInput
from zhdesk.errors import InputRefused, NotFound
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.conflicts import check_values
from zhdesk.services.settings import warning_days


def effective_columns() -> tuple[ColumnElement[bool], ColumnElement[Any], ColumnElement[Any]]:
    """SQL expressions for an item's status, deadline and closing date, read through its listing."""
    # A listing's status wins; coalesce keeps the expression two-valued when there is no listing
    # (a bare `Listing.status == 'closed'` would be NULL there, and NOT NULL is not TRUE).
    closed = func.coalesce(Listing.status, SupervisionItem.status) == CLOSED
    deadline = func.coalesce(Listing.deadline, SupervisionItem.deadline)
    closed_on = func.coalesce(Listing.closed_on, SupervisionItem.closed_on)
    return closed, deadline, closed_on


def category_of_item() -> ColumnElement[Any]:
    return func.coalesce(Listing.category_id, SupervisionItem.category_id)


def _site_for(s: Session, item: ItemInput, where: str) -> Site:
    """`item` already cleaned (clean_item)."""
    address = item.address
    q = select(Site).where(Site.address == address)
    community: Community | None = None
    if item.community:
        from zhdesk.services.sites import _community_by_name

        community = _community_by_name(s, item.community, f"{where}：")
        q = q.where(Site.community_id == community.id)
    found = list(s.scalars(q))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputRefused(f"{where}：地址“{address}”在多个社区都有，请注明社区")
    if community is None:
        raise InputRefused(f"{where}：新地址“{address}”需要注明所属社区")
    site = Site(address=address, community_id=community.id, kind="compound", military=False)
    s.add(site)
    s.flush()
    return site


def _unit(s: Session, name: str | None) -> int | None:
    if not name:
        return None
    u = s.scalar(select(Unit).where(Unit.name == name))
    if u is None:
        u = Unit(name=name)
        s.add(u)
        s.flush()
    return u.id


def _category(s: Session, text: str | None, where: str) -> int | None:
    if not text:
        return None
    t = text.strip()
    c = s.scalar(select(ProblemCategory).where(or_(ProblemCategory.name == t, ProblemCategory.std_code == t)))
    if c is None:
        raise InputRefused(f"{where}：未知的问题类别“{text}”")
    return c.id


def _add_items(s: Session, batch: SupervisionBatch, items: Sequence[ItemInput], first_row: int = 1) -> list[int]:
    ids: list[int] = []
    for n, raw in enumerate(items, start=first_row):
        where = f"第{n}处"
        item = clean_item(raw, f"{where}：")
        if item.deadline is not None and item.deadline < batch.issued_on:
            raise InputRefused(
                f"{where}：整改时限 {item.deadline.isoformat()} 早于下发日期 {batch.issued_on.isoformat()}"
            )
        site = _site_for(s, item, where)
        listing_id: int | None = None
        category_id = _category(s, item.category, where)
        if batch.kind == Kind.LISTED.value:
            from zhdesk.services.sites import check_new_listing

            check_new_listing(s, site, batch.issued_on, item.deadline, f"{where}：")
            listing = Listing(
                site_id=site.id, issue_no=batch.issue_no, listed_on=batch.issued_on, deadline=item.deadline,
                category_id=category_id, problem=item.problem, status=Status.LISTED.value,
            )  # fmt: skip
            s.add(listing)
            s.flush()
            listing_id = listing.id
        row = SupervisionItem(
            batch_id=batch.id, site_id=site.id, listing_id=listing_id, category_id=None if listing_id else category_id,
            problem=None if listing_id else item.problem, deadline=None if listing_id else item.deadline,
            unit_id=_unit(s, item.unit), status=OPEN, deferred=item.deferred,
        )  # fmt: skip
        s.add(row)
        s.flush()
        ids.append(row.id)
    return ids


@requires("bulletins.edit")
def create_batch(
    uow: UnitOfWork,
    kind: Kind,
    issue_no: int,
    issued_on: dt.date,
    items: Sequence[ItemInput] = (),
    issuer: str | None = None,
    title: str | None = None,
) -> BatchDTO:
    s = uow.session
    fields.whole(issue_no, "期号")
    issuer = fields.clean(issuer, fields.ISSUER)
    title = fields.clean(title, fields.BATCH_TITLE)
    dup = s.scalar(
        select(SupervisionBatch.id).where(
            SupervisionBatch.kind == kind.value,
            SupervisionBatch.year == issued_on.year,
            SupervisionBatch.issue_no == issue_no,
        )
    )
    if dup is not None:
        raise InputRefused(f"{issued_on.year}年{kind.label}第{issue_no}期已存在，期号不能重复")
    batch = SupervisionBatch(
        kind=kind.value, year=issued_on.year, issue_no=issue_no, issued_on=issued_on, issuer=issuer, title=title
    )
    s.add(batch)
    s.flush()
    _add_items(s, batch, items)
    audit(uow, "batch.add", "supervision_batch", batch.id, kind=kind.value, issue_no=issue_no, items=len(items))
    uow.commit()
    return get_batch(uow, batch.id)


@requires("bulletins.edit")
def add_items(uow: UnitOfWork, batch_id: int, items: Sequence[ItemInput]) -> list[int]:
    s = uow.session
    batch = s.get(SupervisionBatch, batch_id)
    if batch is None:
        raise NotFound(f"找不到编号为 {batch_id} 的督办批次")
    have = s.scalar(select(func.count(SupervisionItem.id)).where(SupervisionItem.batch_id == batch_id)) or 0
    ids = _add_items(s, batch, items, first_row=have + 1)
    audit(uow, "item.add", "supervision_batch", batch.id, count=len(ids))
    uow.commit()
    return ids


def _item_values(item: SupervisionItem) -> dict[str, object]:
    """What two people may change on an item, as its ItemDTO shows them (the keys `expected` takes)."""
    return {"status": item.status, "deferred": bool(item.deferred)}


def _check_item(uow: UnitOfWork, item: SupervisionItem, expected: Mapping[str, object] | None) -> None:
    if expected is not None:
        site = uow.session.get(Site, item.site_id)
        what = f"督办件“{site.address if site else item.id}”"
        check_values(uow, expected, _item_values(item), what, "supervision_item", item.id)


@requires("bulletins.edit")
def close_item(
    uow: UnitOfWork, item_id: int, on: dt.date | None = None, expected: Mapping[str, object] | None = None
) -> ItemDTO:
    """`expected`: the item's status and deferred flag as the user saw them; another person's change to
    either since is a Conflict."""
    s = uow.session
    item = s.get(SupervisionItem, item_id)
    if item is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    if item.listing_id is not None:
        raise InputRefused("挂牌督办件随挂牌办结：请在“挂牌督办”页验收通过(摘牌)")
    _check_item(uow, item, expected)
    if item.status == CLOSED:
        when = item.closed_on.isoformat() if item.closed_on else "此前"
        raise InputRefused(f"该督办件已于 {when} 办结，不能重复办结")
    on = on or dt.date.today()
    batch = s.get(SupervisionBatch, item.batch_id)
    assert batch is not None
    if on < batch.issued_on:
        raise InputRefused(f"办结日期 {on.isoformat()} 早于下发日期 {batch.issued_on.isoformat()}")
    if on > dt.date.today() + dt.timedelta(days=1):
        raise InputRefused(f"办结日期 {on.isoformat()} 在将来（今天是 {dt.date.today().isoformat()}）")
    before = {"status": item.status, "closed_on": None}
    item.status = CLOSED
    item.closed_on = on
    s.flush()
    after = {"status": CLOSED, "closed_on": on.isoformat()}
    audit(uow, "item.close", "supervision_item", item.id, on=on, before=before, after=after)
    uow.commit()
    return get_item(uow, item.id)


@requires("bulletins.edit")
def set_deferred(
    uow: UnitOfWork, item_id: int, deferred: bool, expected: Mapping[str, object] | None = None
) -> ItemDTO:
    """`expected`: as for close_item."""
    s = uow.session
    item = s.get(SupervisionItem, item_id)
    if item is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    _check_item(uow, item, expected)
    before = {"deferred": bool(item.deferred)}
    item.deferred = deferred
    s.flush()
    after = {"deferred": deferred}
    audit(uow, "item.defer", "supervision_item", item.id, deferred=deferred, before=before, after=after)
    uow.commit()
    return get_item(uow, item.id)


# ---------------------------------------------------------------- reading


def _batch_query(s: Session, f: BatchFilter) -> Select[Any]:
    closed, _, _ = effective_columns()
    q = (
        select(
            SupervisionBatch,
            func.count(SupervisionItem.id).label("items"),
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0).label("closed"),
        )
        .outerjoin(SupervisionItem, SupervisionItem.batch_id == SupervisionBatch.id)
        .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
        .group_by(SupervisionBatch.id)
    )
    return filter_batches(s, q, f)


def filter_batches(s: Session, q: Select[Any], f: BatchFilter) -> Select[Any]:
    """`f`'s kind, issue dates and community on a query over batches outer-joined to their items (the
    batch list here and its paged form, services/item_pages.py)."""
    if f.kind is not None:
        q = q.where(SupervisionBatch.kind == f.kind.value)
    if f.date_from is not None:
        q = q.where(SupervisionBatch.issued_on >= f.date_from)
    if f.date_to is not None:
        q = q.where(SupervisionBatch.issued_on <= f.date_to)
    if f.community:
        from zhdesk.services.sites import _community_by_name

        cid = _community_by_name(s, f.community).id
        q = q.join(Site, Site.id == SupervisionItem.site_id).where(Site.community_id == cid)
    return q


def list_batches(uow: UnitOfWork, f: BatchFilter | None = None) -> list[BatchDTO]:
    s = uow.session
    f = f or BatchFilter()
    q = _batch_query(s, f)
    out = [
        BatchDTO(b.id, b.kind, Kind(b.kind).label, b.year, b.issue_no, b.issued_on, b.issuer, b.title, items, closed)
        for b, items, closed in s.execute(q.order_by(SupervisionBatch.issued_on.desc(), SupervisionBatch.id.desc()))
    ]
    if f.status == CLOSED:
        out = [b for b in out if b.all_closed]
    elif f.status == OPEN:
        out = [b for b in out if not b.all_closed]
    return out


def get_batch(uow: UnitOfWork, batch_id: int) -> BatchDTO:
    s = uow.session
    q = _batch_query(s, BatchFilter()).where(SupervisionBatch.id == batch_id)
    row = s.execute(q).first()
    if row is None:
        raise NotFound(f"找不到编号为 {batch_id} 的督办批次")
    b, items, closed = row
    return BatchDTO(b.id, b.kind, Kind(b.kind).label, b.year, b.issue_no, b.issued_on, b.issuer, b.title, items, closed)


_ITEM_COLUMNS = 15  # what _item_dto reads; columns a caller adds follow these


def _item_query(*extra: ColumnElement[Any] | InstrumentedAttribute[Any]) -> Select[Any]:
    """The columns of an ItemDTO, then `extra` (e.g. the batch's year) for callers that need more."""
    closed, deadline, closed_on = effective_columns()
    return (
        select(
            SupervisionItem.id, SupervisionItem.batch_id, SupervisionBatch.kind, SupervisionBatch.issue_no,
            Site.id, Site.address, Community.name, ProblemCategory.name,
            func.coalesce(Listing.problem, SupervisionItem.problem), deadline, Unit.name,
            case((closed, CLOSED), else_=OPEN), closed_on, SupervisionItem.deferred, SupervisionItem.listing_id,
            *extra,
        )
        .join(SupervisionBatch, SupervisionBatch.id == SupervisionItem.batch_id)
        .join(Site, Site.id == SupervisionItem.site_id)
        .join(Community, Community.id == Site.community_id)
        .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
        .outerjoin(ProblemCategory, ProblemCategory.id == category_of_item())
        .outerjoin(Unit, Unit.id == SupervisionItem.unit_id)
    )  # fmt: skip


def _item_dto(row: Row[Any], today: dt.date, warn: int) -> ItemDTO:
    (iid, bid, kind, issue_no, sid, address, community, category, problem, deadline, unit, status, closed_on,
     deferred, listing_id) = tuple(row)[:_ITEM_COLUMNS]  # fmt: skip
    closed = status == CLOSED
    return ItemDTO(
        id=iid, batch_id=bid, kind=kind, issue_no=issue_no, site_id=sid, address=address, community=community,
        category=category, problem=problem, deadline=deadline, unit=unit, status=status, closed_on=closed_on,
        deferred=bool(deferred), listing_id=listing_id,
        light=item_light(closed, deadline, bool(deferred), today, warn).value,
        days_left=None if closed else days_left(deadline, today),
        days_text=item_days_text(closed, deadline, bool(deferred), today),
    )  # fmt: skip


def batch_items(uow: UnitOfWork, batch_id: int, today: dt.date | None = None) -> list[ItemDTO]:
    today = today or dt.date.today()
    q = _item_query().where(SupervisionItem.batch_id == batch_id).order_by(SupervisionItem.id)
    warn = warning_days(uow)
    return [_item_dto(r, today, warn) for r in uow.session.execute(q)]


def get_item(uow: UnitOfWork, item_id: int, today: dt.date | None = None) -> ItemDTO:
    today = today or dt.date.today()
    q = _item_query().where(SupervisionItem.id == item_id)
    row = uow.session.execute(q).first()
    if row is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    return _item_dto(row, today, warning_days(uow))


# ---------------------------------------------------------------- paste
