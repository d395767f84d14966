"""Demo supervision batches and city-case figures.

Phase one, 2021-01-01 … 2021-06-30, totals exactly the source's figures per kind (巡查26期54处,
中层步巡21期39处, 督察通报8期12处, 挂牌督办5期10处, 督查件3期20处, 通报部分楼院1期5处), all closed,
and 1758 数字化城管件. Its 挂牌督办 items are listings of the five named sites (each listed twice
in 2021, and again now). A current phase in the eight weeks before `today` has open, overdue,
deferred and closed items. Deterministic (seeded) and idempotent (batches are found by kind,
year and issue number before anything is added).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Community,
    Listing,
    ProblemCategory,
    Responsibility,
    Site,
    SupervisionBatch,
    SupervisionItem,
    TallyEntry,
    TimelineEvent,
    Unit,
)
from zhdesk.domain.stats import Kind
from zhdesk.domain.workflow import Status

PHASE_ONE = (dt.date(2021, 1, 1), dt.date(2021, 6, 30))

# kind, 期, 处 — the source's figures
PHASE_ONE_FIGURES: tuple[tuple[Kind, int, int], ...] = (
    (Kind.PATROL, 26, 54),
    (Kind.FOOT_PATROL, 21, 39),
    (Kind.INSPECTION_BULLETIN, 8, 12),
    (Kind.LISTED, 5, 10),
    (Kind.SUPERVISION_CASE, 3, 20),
    (Kind.COMPOUND_NOTICE, 1, 5),
)
CITY_CASES_PHASE_ONE = 1758

ISSUERS: dict[Kind, str] = {
    Kind.PATROL: "街道城市管理办公室",
    Kind.FOOT_PATROL: "街道中层干部步巡组",
    Kind.INSPECTION_BULLETIN: "区城市管理督察组",
    Kind.LISTED: "街道党工委、办事处",
    Kind.SUPERVISION_CASE: "区综合整治指挥部",
    Kind.COMPOUND_NOTICE: "区综合整治指挥部",
    Kind.OTHER: "街道",
}

PROBLEMS: tuple[tuple[str, str], ...] = (
    ("乱堆杂物", "楼道、院内堆放杂物"),
    ("暴露垃圾", "垃圾桶外溢，暴露垃圾未及时清运"),
    ("积存垃圾渣土", "积存建筑垃圾渣土"),
    ("私搭乱建", "院内私搭棚厦"),
    ("店外经营(跨门经营)", "沿街商铺跨门经营"),
    ("占道经营", "占道经营、摆摊设点"),
    ("非法占绿毁绿", "毁绿种菜"),
    ("大件垃圾", "大件垃圾随意丢弃"),
    ("卫生死角", "背街小巷卫生死角"),
    ("烟头纸屑", "路面烟头纸屑较多"),
    ("树叶杂草", "绿化带树叶杂草未清理"),
    ("垃圾分类", "商铺未按要求垃圾分类"),
)

STREETS = ("江西路", "澄海路", "汕头路", "善化路")
UNIT_NAMES = ("市南区综合行政执法大队珠海路街道中队", "珠海路环卫站", "珠海路街道城市管理办公室")


def _issue_dates(start: dt.date, end: dt.date, n: int, rnd: random.Random) -> list[dt.date]:
    span = (end - start).days
    return sorted(start + dt.timedelta(days=int(span * (i + rnd.random() * 0.8) / n)) for i in range(n))


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _extra_sites(s: Session, communities: list[Community], rnd: random.Random) -> list[Site]:
    """Fictional addresses on the four communities' streets, for items to point at."""
    sites: list[Site] = []
    for ci, street in enumerate(STREETS):
        for no in range(31, 71, 4):
            address = f"{street}{no}号"
            c = communities[ci]
            site = s.scalar(select(Site).where(Site.address == address, Site.community_id == c.id))
            if site is None:
                site = Site(address=address, community_id=c.id, kind=rnd.choice(["compound", "compound", "shop"]),
                            military=False)  # fmt: skip
                s.add(site)
                s.flush()
            sites.append(site)
    return sites


def load_supervision_demo(s: Session, today: dt.date) -> None:
    rnd = random.Random(2021)
    communities = list(s.scalars(select(Community).order_by(Community.sort_order, Community.id)))
    if len(communities) < 4:
        return
    pool = _extra_sites(s, communities, rnd)
    categories = {c.name: c.id for c in s.scalars(select(ProblemCategory))}
    units = {u.name: u.id for u in s.scalars(select(Unit))}
    named = list(s.scalars(select(Site).where(Site.address.in_(
        ["江西路153号", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院"]
    )).order_by(Site.id)))  # fmt: skip

    # ---- phase one: the source's figures, all closed
    for kind, issues, items in PHASE_ONE_FIGURES:
        dates = _issue_dates(PHASE_ONE[0], PHASE_ONE[1] - dt.timedelta(days=21), issues, rnd)
        for no, (issued, count) in enumerate(zip(dates, _split(items, issues), strict=True), start=1):
            batch = _batch(s, kind, no, issued)
            if batch is None:
                continue
            for j in range(count):
                cat, text = PROBLEMS[rnd.randrange(len(PROBLEMS))]
                deadline = issued + dt.timedelta(days=rnd.choice([7, 10, 15, 20]))
                late = rnd.random() < 0.06
                allowed = (deadline - issued).days
                days_taken = allowed + rnd.randint(1, 4) if late else rnd.randint(2, allowed)
                done_on = issued + dt.timedelta(days=days_taken)
                if kind == Kind.LISTED:
                    site = named[(2 * (no - 1) + j) % len(named)] if named else rnd.choice(pool)  # each site twice
                    _closed_listing(s, batch, site, categories.get(cat), text, deadline, done_on)
                else:
                    site = rnd.choice(pool)
                    s.add(SupervisionItem(
                        batch_id=batch.id, site_id=site.id, category_id=categories.get(cat), problem=text,
                        deadline=deadline, unit_id=units.get(rnd.choice(UNIT_NAMES)), status="closed",
                        closed_on=done_on, deferred=False,
                    ))  # fmt: skip
    _city_cases(s, communities, PHASE_ONE, CITY_CASES_PHASE_ONE, rnd)

    # ---- the current listings become this year's 挂牌督办 batches (one record: the item points at it)
    named_ids = [site.id for site in named]
    for listing in s.scalars(
        select(Listing)
        .where(Listing.listed_on > PHASE_ONE[1], Listing.site_id.in_(named_ids))
        .order_by(Listing.issue_no, Listing.id)
    ):
        if listing.issue_no is None or s.scalar(
            select(SupervisionItem.id).where(SupervisionItem.listing_id == listing.id)
        ):
            continue
        batch = _batch(s, Kind.LISTED, listing.issue_no, listing.listed_on, year=listing.listed_on.year)
        if batch is None:
            batch = s.scalar(select(SupervisionBatch).where(
                SupervisionBatch.kind == Kind.LISTED.value, SupervisionBatch.year == listing.listed_on.year,
                SupervisionBatch.issue_no == listing.issue_no))  # fmt: skip
            assert batch is not None
        unit_id = s.scalar(
            select(Responsibility.unit_id).where(
                Responsibility.listing_id == listing.id, Responsibility.role == "unit"
            ).limit(1)
        )
        s.add(SupervisionItem(batch_id=batch.id, site_id=listing.site_id, listing_id=listing.id, unit_id=unit_id,
                              status="open", deferred=False))  # fmt: skip

    # ---- the current phase: eight weeks of live work
    start = today - dt.timedelta(days=56)
    created_current = False
    plan = ((Kind.PATROL, 8, 2), (Kind.FOOT_PATROL, 6, 2), (Kind.INSPECTION_BULLETIN, 3, 2),
            (Kind.SUPERVISION_CASE, 2, 4), (Kind.COMPOUND_NOTICE, 1, 3))  # fmt: skip
    for kind, issues, per in plan:
        dates = _issue_dates(start, today - dt.timedelta(days=1), issues, rnd)
        for no, issued in enumerate(dates, start=1):
            batch = _batch(s, kind, no, issued)
            if batch is None:
                continue
            created_current = True
            for _ in range(per):
                cat, text = PROBLEMS[rnd.randrange(len(PROBLEMS))]
                deadline = issued + dt.timedelta(days=rnd.choice([7, 10, 15, 20]))
                age = (today - issued).days
                roll = rnd.random()
                closed_on: dt.date | None = None
                if (deadline < today and roll < 0.5) or (deadline >= today and roll < 0.25):
                    closed_on = min(today, issued + dt.timedelta(days=rnd.randint(1, max(1, min(age, 12)))))
                s.add(SupervisionItem(
                    batch_id=batch.id, site_id=rnd.choice(pool).id, category_id=categories.get(cat), problem=text,
                    deadline=deadline, unit_id=units.get(rnd.choice(UNIT_NAMES)),
                    status="closed" if closed_on else "open", closed_on=closed_on,
                    deferred=closed_on is None and rnd.random() < 0.12,
                ))  # fmt: skip
    if created_current:  # a later run (another day) must not add a second set of figures
        _city_cases(s, communities, (start, today), 40 * 8, rnd)
    s.flush()


def _batch(s: Session, kind: Kind, issue_no: int, issued: dt.date, year: int | None = None) -> SupervisionBatch | None:
    """A new batch, or None when this (kind, year, 期) is already there (the demo ran before)."""
    year = year or issued.year
    if s.scalar(select(SupervisionBatch.id).where(
        SupervisionBatch.kind == kind.value, SupervisionBatch.year == year, SupervisionBatch.issue_no == issue_no
    )):  # fmt: skip
        return None
    batch = SupervisionBatch(kind=kind.value, year=year, issue_no=issue_no, issued_on=issued, issuer=ISSUERS[kind],
                             title=f"{year}年{kind.label}第{issue_no}期")  # fmt: skip
    s.add(batch)
    s.flush()
    return batch


def _closed_listing(
    s: Session, batch: SupervisionBatch, site: Site, category_id: int | None, text: str,
    deadline: dt.date, closed_on: dt.date,
) -> None:  # fmt: skip
    listing = Listing(
        site_id=site.id, issue_no=batch.issue_no, listed_on=batch.issued_on, deadline=deadline,
        category_id=category_id, problem=text, status=Status.CLOSED.value, closed_on=closed_on,
    )  # fmt: skip
    s.add(listing)
    s.flush()
    s.add(SupervisionItem(batch_id=batch.id, site_id=site.id, listing_id=listing.id, status="open", deferred=False))
    s.add(TimelineEvent(site_id=site.id, listing_id=listing.id, kind="listed", occurred_on=batch.issued_on,
                        text=f"{batch.title}：{text}"))  # fmt: skip
    s.add(TimelineEvent(site_id=site.id, listing_id=listing.id, kind="accepted", occurred_on=closed_on,
                        text="验收通过，摘牌"))  # fmt: skip


def _city_cases(
    s: Session, communities: list[Community], span: tuple[dt.date, dt.date], total: int, rnd: random.Random
) -> None:
    """Monthly 数字化城管件 per community, entered by hand (no import batch), summing to `total`."""
    months: list[tuple[dt.date, dt.date]] = []
    cur = span[0].replace(day=1)
    while cur <= span[1]:
        nxt = (cur + dt.timedelta(days=32)).replace(day=1)
        months.append((max(cur, span[0]), min(nxt - dt.timedelta(days=1), span[1])))
        cur = nxt
    cells = [(m, c) for m in months for c in communities]
    weights = [rnd.uniform(0.6, 1.4) for _ in cells]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    for ((p0, p1), c), value in zip(cells, shares, strict=True):
        exists = s.scalar(select(TallyEntry.id).where(
            TallyEntry.metric_code == "city_cases", TallyEntry.community_id == c.id, TallyEntry.period_start == p0,
            TallyEntry.import_batch_id.is_(None)))  # fmt: skip
        if exists is None:
            s.add(TallyEntry(metric_code="city_cases", community_id=c.id, period_start=p0, period_end=p1,
                             value=Decimal(value), note="演示数据：按月手工录入"))  # fmt: skip
