"""Supervision items (督办件) in numbered batches (期).

A 挂牌督办 item is a listing: the item row only points at it (`listing_id`), and its status,
deadline and closing date are the listing's — one record, not two copies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import Community, Listing, ProblemCategory, Site, SupervisionBatch, SupervisionItem, Unit
from db.uow import UnitOfWork
from zhdesk.dates import parse_date
from zhdesk.domain import fields
from zhdesk.domain.stats import Kind
from zhdesk.domain.workflow import Status
from zhdesk.errors import InputRefused, NotFound, ZhdeskError
from zhdesk.services.audit import audit

OPEN = "open"
CLOSED = "closed"


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
    overdue: bool


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


def clean_item(item: ItemInput, where: str) -> ItemInput:
    """The item with its texts trimmed and checked (`where` is e.g. 第3处：)."""
    if not item.address.strip():
        raise InputRefused(f"{where}缺少地址")
    return ItemInput(
        address=fields.required(item.address, fields.ADDRESS, label="地址", where=where),
        community=fields.clean(item.community, fields.COMMUNITY, where=where),
        problem=fields.clean(item.problem, fields.PROBLEM, where=where),
        category=fields.clean(item.category, fields.CATEGORY, where=where),
        deadline=item.deadline,
        unit=fields.clean(item.unit, fields.UNIT, label="责任单位", where=where),
        deferred=item.deferred,
    )


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


def close_item(uow: UnitOfWork, item_id: int, on: dt.date | None = None) -> ItemDTO:
    s = uow.session
    item = s.get(SupervisionItem, item_id)
    if item is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    if item.listing_id is not None:
        raise InputRefused("挂牌督办件随挂牌办结：请在“挂牌督办”页验收通过(摘牌)")
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
    item.status = CLOSED
    item.closed_on = on
    s.flush()
    audit(uow, "item.close", "supervision_item", item.id, on=on)
    uow.commit()
    return get_item(uow, item.id)


def set_deferred(uow: UnitOfWork, item_id: int, deferred: bool) -> ItemDTO:
    s = uow.session
    item = s.get(SupervisionItem, item_id)
    if item is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    item.deferred = deferred
    s.flush()
    audit(uow, "item.defer", "supervision_item", item.id, deferred=deferred)
    uow.commit()
    return get_item(uow, item.id)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class BatchFilter:
    kind: Kind | None = None
    community: str | None = None
    status: str | None = None  # open | closed (batch: all items closed or not)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


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


def _item_query() -> Select[Any]:
    closed, deadline, closed_on = effective_columns()
    return (
        select(
            SupervisionItem.id, SupervisionItem.batch_id, SupervisionBatch.kind, SupervisionBatch.issue_no,
            Site.id, Site.address, Community.name, ProblemCategory.name,
            func.coalesce(Listing.problem, SupervisionItem.problem), deadline, Unit.name,
            case((closed, CLOSED), else_=OPEN), closed_on, SupervisionItem.deferred, SupervisionItem.listing_id,
        )
        .join(SupervisionBatch, SupervisionBatch.id == SupervisionItem.batch_id)
        .join(Site, Site.id == SupervisionItem.site_id)
        .join(Community, Community.id == Site.community_id)
        .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
        .outerjoin(ProblemCategory, ProblemCategory.id == category_of_item())
        .outerjoin(Unit, Unit.id == SupervisionItem.unit_id)
    )  # fmt: skip


def _item_dto(row: Row[Any], today: dt.date) -> ItemDTO:
    (iid, bid, kind, issue_no, sid, address, community, category, problem, deadline, unit, status, closed_on,
     deferred, listing_id) = tuple(row)  # fmt: skip
    return ItemDTO(
        id=iid, batch_id=bid, kind=kind, issue_no=issue_no, site_id=sid, address=address, community=community,
        category=category, problem=problem, deadline=deadline, unit=unit, status=status, closed_on=closed_on,
        deferred=bool(deferred), listing_id=listing_id,
        overdue=status == OPEN and deadline is not None and deadline < today and not deferred,
    )  # fmt: skip


def batch_items(uow: UnitOfWork, batch_id: int, today: dt.date | None = None) -> list[ItemDTO]:
    today = today or dt.date.today()
    q = _item_query().where(SupervisionItem.batch_id == batch_id).order_by(SupervisionItem.id)
    return [_item_dto(r, today) for r in uow.session.execute(q)]


def get_item(uow: UnitOfWork, item_id: int, today: dt.date | None = None) -> ItemDTO:
    today = today or dt.date.today()
    q = _item_query().where(SupervisionItem.id == item_id)
    row = uow.session.execute(q).first()
    if row is None:
        raise NotFound(f"找不到编号为 {item_id} 的督办件")
    return _item_dto(row, today)


# ---------------------------------------------------------------- paste


@dataclass(frozen=True)
class PastedRow:
    line: int
    text: str
    item: ItemInput | None
    error: str | None


_DATE_LIKE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}")


def parse_paste(text: str, default_community: str | None = None) -> list[PastedRow]:
    """Rows pasted from a spreadsheet: 地址 [TAB 问题] [TAB 整改时限] [TAB 责任单位] [TAB 社区].

    Rows that do not parse are returned with their error, for the user to see and consent to skip.
    """
    out: list[PastedRow] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.split("\t")]
        cells += [""] * (5 - len(cells))
        address, problem, deadline_text, unit, community = cells[:5]
        if not address:
            out.append(PastedRow(n, raw, None, f"第{n}行：缺少地址"))
            continue
        deadline = None
        if deadline_text:
            try:
                deadline = parse_date(deadline_text, f"第{n}行整改时限")
            except ZhdeskError as exc:
                out.append(PastedRow(n, raw, None, exc.message))
                continue
        elif _DATE_LIKE.search(problem):
            hint = "请按 地址、问题、整改时限、责任单位、社区 的顺序粘贴"
            out.append(PastedRow(n, raw, None, f"第{n}行：第2列像是日期，{hint}"))
            continue
        item = ItemInput(address=address, community=community or default_community, problem=problem or None,
                         deadline=deadline, unit=unit or None)  # fmt: skip
        try:
            item = clean_item(item, f"第{n}行：")
        except InputRefused as exc:
            out.append(PastedRow(n, raw, None, exc.message))
            continue
        out.append(PastedRow(n, raw, item, None))
    return out
