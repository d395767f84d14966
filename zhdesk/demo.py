"""Demo data: the subdistrict's four (sample) communities, the five listed sites the source names,
and enough fictional sites and people to make every view real.

Deadlines are placed relative to `today`, so each deadline light colour shows at least once.
Loading is idempotent: everything is found by its natural key first, so running it twice adds nothing.
Person names and phone numbers are fictional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    Base,
    Community,
    EventActor,
    Listing,
    Person,
    ProblemCategory,
    Responsibility,
    Site,
    TimelineEvent,
    Unit,
)
from db.uow import UnitOfWork
from zhdesk import demo_photos
from zhdesk.demo_supervision import load_supervision_demo
from zhdesk.domain.workflow import Action, ListingState, Status, transition_for
from zhdesk.domain.workflow import apply as apply_step
from zhdesk.reference import seed_reference
from zhdesk.services.audit import audit
from zhdesk.services.photos import store_photo
from zhdesk.services.settings import mark_demo
from zhdesk.services.sites import ACTION_EVENT_KIND

SAMPLE = "（示例）"

COMMUNITIES = ("江西路社区", "澄海路社区", "汕头路社区", "善化路社区")

UNITS: tuple[tuple[str, str], ...] = (
    ("市南区综合行政执法大队珠海路街道中队", "0532-8000 1101"),
    ("珠海路环卫站", "0532-8000 1102"),
    ("珠海路街道城市管理办公室", "0532-8000 1103"),
    ("区退役军人事务局", "0532-8000 1104"),
    ("北部战区海军保障部直属保障队", "0532-8000 1105"),
    *((f"{c}居委会{SAMPLE}", f"0532-8000 12{i:02d}") for i, c in enumerate(COMMUNITIES, start=1)),
)

# (name, title, unit or None, phone)
PEOPLE: tuple[tuple[str, str, str | None, str], ...] = (
    ("王建华", "街道党工委书记", None, "138 0000 0101"),
    ("李明远", "街道办事处主任", None, "138 0000 0102"),
    ("张立新", "街道办事处副主任", None, "138 0000 0103"),
    ("赵国强", "街道武装部部长", None, "138 0000 0104"),
    ("刘海峰", "中队长", "市南区综合行政执法大队珠海路街道中队", "139 0000 0201"),
    ("陈晓东", "站长", "珠海路环卫站", "139 0000 0202"),
    ("孙丽萍", "科员", "珠海路街道城市管理办公室", "139 0000 0203"),
    ("周文博", "协调员", "区退役军人事务局", "139 0000 0204"),
    ("吴志刚", "保障队联络员", "北部战区海军保障部直属保障队", "139 0000 0205"),
    ("郑红梅", "社区党委书记", f"江西路社区居委会{SAMPLE}", "137 0000 0301"),
    ("冯建军", "社区党委书记", f"澄海路社区居委会{SAMPLE}", "137 0000 0302"),
    ("何淑芬", "社区党委书记", f"汕头路社区居委会{SAMPLE}", "137 0000 0303"),
    ("高玉兰", "社区党委书记", f"善化路社区居委会{SAMPLE}", "137 0000 0304"),
    ("马德胜", "楼组长", f"善化路社区居委会{SAMPLE}", "137 0000 0305"),
)


@dataclass(frozen=True)
class DemoEvent:
    """A timeline event `after` days from listing, with actors and the photo phases taken then."""

    after: int
    kind: str
    text: str
    actors: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()
    hour: int = 10


@dataclass(frozen=True)
class DemoListing:
    address: str
    community: str
    kind: str
    listed_days_ago: int
    deadline_in_days: int
    category: str
    problem: str
    issue_no: int
    # (action, days after listing, note) applied in order through the workflow rules
    steps: tuple[tuple[Action, int, str], ...]
    lead: str
    units: tuple[str, ...]
    person: str
    contact: str
    events: tuple[DemoEvent, ...] = ()
    listing_photos: tuple[str, ...] = ("before", "before")


LISTED: tuple[DemoListing, ...] = (
    DemoListing(
        "江西路153号", "江西路社区", "compound", 40, -5, "乱堆杂物",
        "楼院内乱堆杂物、私搭乱建，堵塞消防通道，居民反映强烈",
        1,
        ((Action.START, 2, "执法中队进场，下达责改文书"),),
        "李明远", ("市南区综合行政执法大队珠海路街道中队",), "刘海峰", "郑红梅",
    ),
    DemoListing(
        "澄海路22号", "澄海路社区", "compound", 30, 2, "暴露垃圾",
        "楼院积存垃圾、大件垃圾长期未清运",
        2,
        ((Action.START, 1, "环卫站组织清运"), (Action.SUBMIT, 24, "清运完毕，申请验收")),
        "张立新", ("珠海路环卫站",), "陈晓东", "冯建军",
    ),
    DemoListing(
        "汕头路7号", "汕头路社区", "compound", 60, -20, "私搭乱建",
        "院内违法搭建2处，约30平方米",
        3,
        (
            (Action.START, 3, "约谈产权人"),
            (Action.SUBMIT, 25, "拆除完毕"),
            (Action.ACCEPT, 33, "验收通过，摘牌"),
        ),
        "王建华", ("市南区综合行政执法大队珠海路街道中队",), "刘海峰", "何淑芬",
    ),
    DemoListing(
        "善化路18号院", "善化路社区", "military", 50, 25, "私搭乱建",
        "部队管辖楼院私搭乱建、积存垃圾，历史遗留问题多，情况复杂",
        4,
        (
            (Action.START, 5, "与区退役军人事务局协调，联系北部战区海军保障部直属保障队"),
            (Action.SUBMIT, 30, "第一批违建拆除，申请验收"),
            (Action.REJECT, 33, "仍有积存垃圾未清理，退回整改"),
        ),
        "赵国强", ("北部战区海军保障部直属保障队", "区退役军人事务局"), "吴志刚", "高玉兰",
    ),
    DemoListing(
        "善化路19号院", "善化路社区", "military", 50, 40, "积存垃圾渣土",
        "部队管辖楼院积存垃圾渣土、楼道堆物，居民多为现役、退休军人及家属",
        5,
        ((Action.START, 6, "配合保障队入户劝解，分批清理"),),
        "赵国强", ("北部战区海军保障部直属保障队", "区退役军人事务局"), "周文博", "马德胜",
    ),
)  # fmt: skip

# Timelines beyond the workflow steps: who went there, what was done, what it looked like.
EVENTS: dict[str, tuple[DemoEvent, ...]] = {
    "江西路153号": (
        DemoEvent(1, "inspection", "街道主要领导现场查看，确定整改方案", ("李明远", "郑红梅"), ("before",)),
        DemoEvent(7, "interview", "约谈违建户，下达告知书", ("刘海峰",)),
        DemoEvent(15, "action", "清理楼道堆物6车，拆除棚厦1处",
                  ("市南区综合行政执法大队珠海路街道中队", "珠海路环卫站"), ("during", "during")),
        DemoEvent(37, "inspection", "复查：院内仍有违建1处未拆除，已超期", ("李明远",), ("during",)),
    ),
    "澄海路22号": (
        DemoEvent(2, "inspection", "现场核查积存垃圾约8吨", ("张立新", "冯建军"), ("before",)),
        DemoEvent(10, "action", "出动清运车辆3台次，清理大件垃圾", ("珠海路环卫站",), ("during",)),
        DemoEvent(23, "action", "清运完毕，楼院恢复整洁", ("陈晓东",), ("after", "after")),
    ),
    "汕头路7号": (
        DemoEvent(1, "inspection", "现场勘查违法搭建2处", ("王建华", "何淑芬"), ("before",)),
        DemoEvent(12, "action", "执法中队依法拆除违建", ("市南区综合行政执法大队珠海路街道中队",), ("during",)),
        DemoEvent(24, "action", "拆除完毕，清运建筑垃圾", ("刘海峰",), ("after",)),
        DemoEvent(45, "follow_up", "回头看：未发现反弹", ("何淑芬",), ("after",)),
    ),
    "善化路18号院": (
        DemoEvent(2, "interview", "与区退役军人事务局协调部队楼院整治事宜", ("赵国强", "区退役军人事务局")),
        DemoEvent(4, "interview", "联系北部战区海军保障部直属保障队，商定联合整治",
                  ("赵国强", "北部战区海军保障部直属保障队")),
        DemoEvent(8, "inspection", "联合踏勘：违建多为历史遗留，居民多为现役、退休军人及家属", ("吴志刚", "高玉兰"),
                  ("before", "before")),
        DemoEvent(20, "action", "保障队配合拆除第一批违建3处", ("北部战区海军保障部直属保障队",), ("during",)),
        DemoEvent(40, "note", "部分住户有异议，继续做好有温度的劝解工作", ("马德胜",)),
    ),
    "善化路19号院": (
        DemoEvent(3, "interview", "与区退役军人事务局、保障队三方座谈", ("赵国强", "区退役军人事务局", "周文博")),
        DemoEvent(9, "inspection", "入户查看楼道堆物，登记清理清单", ("周文博", "马德胜"), ("before",)),
        DemoEvent(25, "action", "分批清理楼道堆物，完成约四成", ("北部战区海军保障部直属保障队", "珠海路环卫站"),
                  ("during",)),
    ),
}  # fmt: skip

# Fictional, unlisted sites so the tables and later pages have something real to show.
OTHER_SITES: tuple[tuple[str, str, str], ...] = (
    ("江西路121号", "江西路社区", "compound"),
    ("江西路与福州南路交汇处", "江西路社区", "street"),
    ("江西路沿街商铺(88—102号)", "江西路社区", "shop"),
    ("澄海路16号", "澄海路社区", "compound"),
    ("澄海路背街小巷(3号至11号)", "澄海路社区", "street"),
    ("佰优坊商圈", "澄海路社区", "commercial"),
    ("汕头路3号", "汕头路社区", "compound"),
    ("汕头路15号", "汕头路社区", "compound"),
    ("汕头路沿街商铺(20—36号)", "汕头路社区", "shop"),
    ("善化路9号", "善化路社区", "compound"),
    ("善化路背街小巷", "善化路社区", "street"),
    ("浮山湾时尚会客厅周边", "善化路社区", "commercial"),
)


def _row_count(s: Session) -> int:
    s.flush()
    return sum(s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables)


def _get_or_add(s: Session, model: type, where: dict[str, object], **values: object) -> object:
    obj = s.scalar(select(model).filter_by(**where))
    if obj is None:
        obj = model(**where, **values)
        s.add(obj)
        s.flush()
    return obj


def load_demo(uow: UnitOfWork, today: dt.date | None = None) -> int:
    """Load the demo data and mark the database as holding it (setting demo_data=1); returns how many
    records were added (0 when already loaded). Commits."""
    today = today or dt.date.today()
    s = uow.session
    rows_before = _row_count(s)
    seed_reference(uow)
    communities: dict[str, Community] = {}
    for order, name in enumerate(COMMUNITIES):
        c = _get_or_add(s, Community, {"name": name + SAMPLE}, is_sample=True, sort_order=order)
        assert isinstance(c, Community)
        communities[name] = c
    units: dict[str, Unit] = {}
    for name, phone in UNITS:
        u = _get_or_add(s, Unit, {"name": name}, phone=phone)
        assert isinstance(u, Unit)
        units[name] = u
    people: dict[str, Person] = {}
    for name, title, unit, phone in PEOPLE:
        unit_id = units[unit].id if unit else None
        p = _get_or_add(s, Person, {"name": name, "unit_id": unit_id}, title=title, phone=phone)
        assert isinstance(p, Person)
        people[name] = p
    for d in LISTED:
        site = _get_or_add(
            s, Site, {"address": d.address, "community_id": communities[d.community].id},
            kind=d.kind, military=d.kind == "military",
        )  # fmt: skip
        assert isinstance(site, Site)
        if s.scalar(select(Listing.id).where(Listing.site_id == site.id).limit(1)) is not None:
            continue
        _add_listing(s, site, d, today, people, units)
    for address, community, kind in OTHER_SITES:
        _get_or_add(
            s, Site, {"address": address, "community_id": communities[community].id}, kind=kind, military=False
        )
    load_supervision_demo(s, today)
    mark_demo(uow)  # the window says 演示数据 on any database that holds it
    added = _row_count(s) - rows_before  # every row in every table, whatever the parts above add
    if added:
        audit(uow, "demo.load", "database", None, added=added)
    uow.commit()
    # Tallies go through the importer, one committed file at a time, like a user's files.
    from zhdesk.demo_tallies import load_demo_tallies

    tallies_before = _row_count(s)
    load_demo_tallies(uow, [c.name for c in communities.values()], today)
    return added + _row_count(s) - tallies_before


def _add_listing(
    s: Session, site: Site, d: DemoListing, today: dt.date, people: dict[str, Person], units: dict[str, Unit]
) -> None:
    listed_on = today - dt.timedelta(days=d.listed_days_ago)
    category = s.scalar(select(ProblemCategory).where(ProblemCategory.name == d.category))
    listing = Listing(
        site_id=site.id,
        issue_no=d.issue_no,
        listed_on=listed_on,
        deadline=today + dt.timedelta(days=d.deadline_in_days),
        category_id=category.id if category else None,
        problem=d.problem,
        status=Status.LISTED.value,
    )
    s.add(listing)
    s.flush()
    s.add(Responsibility(listing_id=listing.id, role="lead", person_id=people[d.lead].id))
    for name in d.units:
        s.add(Responsibility(listing_id=listing.id, role="unit", unit_id=units[name].id))
    s.add(Responsibility(listing_id=listing.id, role="person", person_id=people[d.person].id))
    s.add(Responsibility(listing_id=listing.id, role="contact", person_id=people[d.contact].id))
    listed_ev = TimelineEvent(
        site_id=site.id, listing_id=listing.id, kind="listed", occurred_on=listed_on, text=d.problem
    )
    s.add(listed_ev)
    s.flush()
    state = ListingState(Status.LISTED, None, 0, 0)
    for action, after, note in d.steps:
        on = listed_on + dt.timedelta(days=after)
        step = transition_for(state.status, action)
        state = apply_step(state, step, on)
        s.add(
            TimelineEvent(
                site_id=site.id, listing_id=listing.id, kind=ACTION_EVENT_KIND[action], occurred_on=on,
                text=f"{action.label}：{note}",
            )
        )  # fmt: skip
    listing.status = state.status.value
    listing.closed_on = state.closed_on
    listing.rework_count = state.rework_count
    listing.rebound_count = state.rebound_count
    s.flush()
    shot = 0
    for phase in d.listing_photos:  # taken on the day of listing
        shot += 1
        when = dt.datetime.combine(listed_on, dt.time(9, 10 + shot))
        data = demo_photos.draw(d.address, phase, when, shot)
        store_photo(s, site.id, data, f"IMG_{shot:04d}.jpg", phase, listed_ev.id, when)
    for e in EVENTS.get(d.address, ()):
        on = listed_on + dt.timedelta(days=e.after)
        if on > today:
            continue
        ev = TimelineEvent(
            site_id=site.id, listing_id=listing.id, kind=e.kind, occurred_on=on, occurred_at=dt.time(e.hour, 0),
            text=e.text,
        )
        s.add(ev)
        s.flush()
        for name in e.actors:
            person = s.scalar(select(Person).where(Person.name == name).limit(1))
            unit = None if person else s.scalar(select(Unit).where(Unit.name == name))
            s.add(EventActor(event_id=ev.id, person_id=person.id if person else None,
                             unit_id=unit.id if unit else None, name=name))  # fmt: skip
        for phase in e.photos:
            shot += 1
            when = dt.datetime.combine(on, dt.time(e.hour, 5 + shot))
            data = demo_photos.draw(d.address, phase, when, shot)
            store_photo(s, site.id, data, f"IMG_{shot:04d}.jpg", phase, ev.id, when)
