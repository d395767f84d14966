"""The campaign's figures (zhdesk.services.stats) against real SQLite files.

A small hand-built dataset where every figure is worked out by hand below; the demo's phase-one
figures (the source's); and random datasets where the SQL aggregation must equal a plain Python
recomputation from the item and listing rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

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
from tests.support import TODAY, signed_in
from zhdesk.desk import Desk
from zhdesk.domain.lights import Light, item_light
from zhdesk.domain.periods import period_key
from zhdesk.domain.stats import Counts, Kind, rate
from zhdesk.domain.workflow import Action, Status
from zhdesk.dto import BatchFilter, ContactInput, Dashboard, Drill, ItemDTO, ItemInput, ListingInput, StatsFilter
from zhdesk.services import stats, supervision
from zhdesk.services.stats import granularity_for


# Every test here runs on SQLite and on PostgreSQL: the engine-parametrised fixtures stand in for the
# SQLite-only ones (tests/conftest.py). Tests about a SQLite file itself say so and take sqlite_* ones.
@pytest.fixture
def desk(any_desk: Desk) -> Desk:
    return any_desk


@pytest.fixture
def demo_desk(any_demo_desk: Desk) -> Desk:
    return any_demo_desk

T = TODAY  # 2026-11-29
JX = "江西路社区（示例）"
CH = "澄海路社区（示例）"
ST = "汕头路社区（示例）"
U1 = "珠海路环卫站"
U2 = "市南区综合行政执法大队珠海路街道中队"
NO_UNIT = "未指定单位"


def d(days: int) -> dt.date:
    return T + dt.timedelta(days=days)


def add_communities(desk: Desk, *names: str) -> None:
    with desk.uow() as uow:
        for order, name in enumerate(names):
            uow.session.add(Community(name=name, is_sample=True, sort_order=order))
        uow.commit()


def add_lead(desk: Desk, listing_id: int, name: str) -> None:
    with desk.uow() as uow:
        s = uow.session
        person = s.scalar(select(Person).where(Person.name == name))
        if person is None:
            person = Person(name=name)
            s.add(person)
            s.flush()
        s.add(Responsibility(listing_id=listing_id, role="lead", person_id=person.id))
        uow.commit()


def add_tally(desk: Desk, community: str, start: dt.date, end: dt.date, value: str, qualifier: str | None) -> None:
    with desk.uow() as uow:
        s = uow.session
        cid = s.scalar(select(Community.id).where(Community.name == community))
        s.add(TallyEntry(metric_code="city_cases", community_id=cid, period_start=start, period_end=end,
                         value=Decimal(value), qualifier=qualifier))  # fmt: skip
        uow.commit()


def dash(desk: Desk, f: StatsFilter | None = None, today: dt.date = T) -> Dashboard:
    return desk.dashboard(f or StatsFilter(), today=today)


def names(rows: list[ItemDTO]) -> set[str]:
    """Every item of the hand-built dataset carries its name (a1, b2, …) as its problem text."""
    return {i.problem or "?" for i in rows}


# ---------------------------------------------------------------- the hand-built dataset
#
# today T = 2026-11-29. Items (name: community, category, deadline, unit → what happens):
#   A 巡查 第1期, issued T-40 (2026-10-20)
#     a1 江西路 乱堆杂物 T-30 U1 → closed T-32 (on time)
#     a2 江西路 暴露垃圾 T-30 U1 → closed T-25 (late)
#     a3 澄海路 乱堆杂物 T-20 U2 → open: overdue
#   B 巡查 第2期, issued T-10 (2026-11-19)
#     b1 江西路 占道经营 T+5 U1 → open, not yet due
#     b2 澄海路 (none)   T-3 U1 → open, 缓办 (deferred): due, deferred, not overdue
#     b3 澄海路 暴露垃圾 T-1 (no unit) → open: overdue
#   C 中层步巡 第1期, issued T-100 (2026-08-21)
#     c1 江西路 卫生死角 T-90 U2 → closed T-95 (on time)
#     c2 澄海路 (none)  (no deadline) U2 → open, never due
#   D 挂牌督办 第1期, issued T-60 (2026-09-30): listings
#     d1 江西路5号 私搭乱建 T-30 U2, lead 张三 → start, submit, reject, submit, accepted T-28 (late, 1 rework)
#     d2 澄海路5号 乱堆杂物 T-5  U1, lead 李四 → started: overdue
#   E 督察通报 第1期, issued T-400 (2025-10-25)
#     e1 江西路 烟头纸屑 T-390 U1 → closed T-395 (on time)


@dataclass(frozen=True)
class Data:
    desk: Desk
    batches: dict[str, int]
    items: dict[str, int]


@pytest.fixture
def data(desk: Desk) -> Data:
    add_communities(desk, JX, CH, ST)
    batches: dict[str, int] = {}
    batches["A"] = desk.create_batch(Kind.PATROL, 1, d(-40), [
        ItemInput("江西路1号", "江西路社区", "a1", "乱堆杂物", d(-30), U1),
        ItemInput("江西路2号", "江西路社区", "a2", "暴露垃圾", d(-30), U1),
        ItemInput("澄海路1号", "澄海路社区", "a3", "乱堆杂物", d(-20), U2),
    ]).id  # fmt: skip
    batches["B"] = desk.create_batch(Kind.PATROL, 2, d(-10), [
        ItemInput("江西路1号", "江西路社区", "b1", "占道经营", d(5), U1),
        ItemInput("澄海路2号", "澄海路社区", "b2", None, d(-3), U1, deferred=True),
        ItemInput("澄海路1号", "澄海路社区", "b3", "暴露垃圾", d(-1), None),
    ]).id  # fmt: skip
    batches["C"] = desk.create_batch(Kind.FOOT_PATROL, 1, d(-100), [
        ItemInput("江西路3号", "江西路社区", "c1", "卫生死角", d(-90), U2),
        ItemInput("澄海路3号", "澄海路社区", "c2", None, None, U2),
    ]).id  # fmt: skip
    batches["D"] = desk.create_batch(Kind.LISTED, 1, d(-60), [
        ItemInput("江西路5号", "江西路社区", "d1", "私搭乱建", d(-30), U2),
        ItemInput("澄海路5号", "澄海路社区", "d2", "乱堆杂物", d(-5), U1),
    ]).id  # fmt: skip
    batches["E"] = desk.create_batch(Kind.INSPECTION_BULLETIN, 1, d(-400), [
        ItemInput("江西路1号", "江西路社区", "e1", "烟头纸屑", d(-390), U1),
    ]).id  # fmt: skip
    items: dict[str, int] = {}
    listed: dict[str, ItemDTO] = {}
    for bid in batches.values():
        for i in desk.batch_items(bid):
            assert i.problem is not None
            items[i.problem] = i.id
            if i.listing_id is not None:
                listed[i.problem] = i
    for name, on in (("a1", -32), ("a2", -25), ("c1", -95), ("e1", -395)):
        desk.close_item(items[name], d(on))
    for action, on in ((Action.START, -55), (Action.SUBMIT, -40), (Action.REJECT, -38), (Action.SUBMIT, -31),
                       (Action.ACCEPT, -28)):  # fmt: skip
        desk.change_status(listed["d1"].site_id, action=action, on=d(on))
    desk.change_status(listed["d2"].site_id, action=Action.START, on=d(-50))
    assert listed["d1"].listing_id is not None and listed["d2"].listing_id is not None
    add_lead(desk, listed["d1"].listing_id, "张三")
    add_lead(desk, listed["d2"].listing_id, "李四")
    add_tally(desk, JX, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "100", None)
    add_tally(desk, CH, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "30", "约")
    add_tally(desk, JX, dt.date(2025, 10, 1), dt.date(2025, 10, 31), "50", None)
    add_tally(desk, CH, dt.date(2026, 11, 1), dt.date(2026, 11, 29), "7.5", None)
    return Data(desk, batches, items)


def kinds(**given: tuple[int, int, int]) -> dict[str, Counts]:
    out = {k.value: Counts(0, 0, 0) for k in Kind}
    out.update({k: Counts(*v) for k, v in given.items()})
    return out


def test_figures_unfiltered(data: Data) -> None:
    fig = dash(data.desk).figures
    assert fig.by_kind == kinds(patrol=(2, 6, 2), foot_patrol=(1, 2, 1), listed=(1, 2, 1),
                                inspection_bulletin=(1, 1, 1))  # fmt: skip
    assert fig.total == Counts(5, 11, 5)
    # due: 5 closed + a3, b2, b3, d2 open past their deadline (b1 is not yet due, c2 has no deadline)
    assert (fig.due, fig.deferred, fig.closed_due, fig.closed_on_time, fig.rework) == (9, 1, 5, 3, 1)
    assert fig.closure_rate == 5 / 8  # 5 ÷ (9 − 1)
    assert fig.on_time_closure_rate == 3 / 8  # a1, c1, e1


def test_overdue_by_unit_and_lead_and_listings(data: Data) -> None:
    db = dash(data.desk)
    assert dict(db.overdue_by_unit) == {U1: 1, U2: 1, NO_UNIT: 1}  # d2, a3, b3; b2 is deferred
    assert db.overdue_by_lead == [("李四", 1)]  # 张三's listing is closed
    assert (db.listings_in_force, db.listings_overdue, db.listings_closed_in_range) == (1, 1, 1)
    assert db.communities == [(JX, 6, 5, 0), (CH, 5, 0, 3)]
    # a day earlier b3 (due T-1) was not yet overdue; a day later b1 still is not
    assert dict(dash(data.desk, today=d(-1)).overdue_by_unit) == {U1: 1, U2: 1}
    data.desk.set_deferred(data.items["b2"], False)
    assert dict(dash(data.desk).overdue_by_unit) == {U1: 2, U2: 1, NO_UNIT: 1}


def test_overdue_listing_card_and_lead_chart_count_the_same_listings(data: Data) -> None:
    """挂牌督办超期 and 超期挂牌督办 — 按包案领导 agree under any range: both count the listings overdue
    today (whenever issued), a deferred listing in neither, a listing without 包案领导 in a bar of its own."""
    for f in (StatsFilter(), StatsFilter(date_from=d(-10), date_to=T), StatsFilter(community="澄海路社区")):
        db = dash(data.desk, f)
        assert (db.listings_overdue, db.overdue_by_lead) == (1, [("李四", 1)]), f
    assert dash(data.desk, StatsFilter(community="江西路社区")).listings_overdue == 0
    data.desk.set_deferred(data.items["d2"], True)  # 缓办: not overdue, in the card as in the chart
    db = dash(data.desk, StatsFilter(date_from=d(-10), date_to=T))
    assert (db.listings_overdue, db.overdue_by_lead) == (0, [])
    data.desk.set_deferred(data.items["d2"], False)
    with data.desk.uow() as uow:
        uow.session.execute(Responsibility.__table__.delete().where(Responsibility.role == "lead"))
        uow.commit()
    db = dash(data.desk, StatsFilter(date_from=d(-10), date_to=T))
    assert (db.listings_overdue, db.overdue_by_lead) == (1, [(stats.NO_LEAD, 1)])


def test_a_listing_opened_without_a_bulletin_counts_as_overdue(data: Data) -> None:
    """挂牌督办… in the window (or `site list`) opens a listing with no 挂牌督办 item: overdue, it is in the
    card and the 按包案领导 chart all the same (it was in neither)."""
    site = data.desk.add_site("汕头路8号", ST)
    lead = (ContactInput("lead", person="王五"),)
    data.desk.list_site(site.row.id, ListingInput(d(-20), d(-2), problem="堆物", contacts=lead))
    db = dash(data.desk, StatsFilter(date_from=d(-10), date_to=T))
    assert (db.listings_overdue, sorted(db.overdue_by_lead)) == (2, [("李四", 1), ("王五", 1)])
    assert dash(data.desk, StatsFilter(community=ST)).listings_overdue == 1
    assert dash(data.desk, today=d(-3)).listings_overdue == 1  # not yet overdue three days ago


def test_deferred_items_leave_the_denominator(data: Data) -> None:
    data.desk.set_deferred(data.items["b2"], False)
    fig = dash(data.desk).figures
    assert (fig.due, fig.deferred, fig.closure_rate) == (9, 0, 5 / 9)
    data.desk.set_deferred(data.items["b3"], True)
    data.desk.set_deferred(data.items["c2"], True)  # not due (no deadline): nothing to take out
    fig = dash(data.desk).figures
    assert (fig.due, fig.deferred, fig.closure_rate, fig.on_time_closure_rate) == (9, 1, 5 / 8, 3 / 8)


def test_a_deferred_item_that_is_closed_counts_as_closed_not_deferred(data: Data) -> None:
    """结案率 can never exceed 100%: an item deferred and then closed is a closed item."""
    data.desk.set_deferred(data.items["a1"], True)  # already closed
    data.desk.close_item(data.items["b2"], d(-2))  # deferred, now closed (late)
    fig = dash(data.desk).figures
    assert (fig.due, fig.deferred, fig.closed_due, fig.closed_on_time) == (9, 0, 6, 3)
    assert fig.closure_rate == 6 / 9 and fig.on_time_closure_rate == 3 / 9


def test_rework_counts_rejections(data: Data) -> None:
    assert dash(data.desk).figures.rework == 1
    d2 = next(i for i in data.desk.batch_items(data.batches["D"]) if i.problem == "d2")
    for action in (Action.SUBMIT, Action.REJECT, Action.SUBMIT, Action.REJECT):
        data.desk.change_status(d2.site_id, action=action, on=d(-4))
    assert dash(data.desk).figures.rework == 3
    assert dash(data.desk, StatsFilter(community="澄海路社区")).figures.rework == 2


def test_rate() -> None:
    assert rate(0, 0, 0) is None
    assert rate(3, 5, 5) is None  # everything due is deferred
    assert rate(0, 2, 0) == 0.0
    assert rate(2, 5, 1) == 0.5
    assert rate(1, 3, 0) == 1 / 3


def test_nothing_due_gives_no_rate(data: Data) -> None:
    # 江西路 items of batch B: only b1, due in 5 days
    f = StatsFilter(date_from=d(-12), date_to=T, community="江西路社区")
    fig = dash(data.desk, f).figures
    assert (fig.total, fig.due, fig.closure_rate, fig.on_time_closure_rate) == (Counts(1, 1, 0), 0, None, None)
    empty = dash(data.desk, StatsFilter(community="汕头路社区")).figures
    assert (empty.total, empty.due, empty.closure_rate, empty.on_time_closure_rate) == (Counts(0, 0, 0), 0, None, None)
    with data.desk.uow() as uow:
        out = stats.stats_json(uow, StatsFilter(community="汕头路社区"), T)
    assert (out["closure_rate"], out["on_time_closure_rate"]) == (None, None)


def test_community_filter(data: Data) -> None:
    db = dash(data.desk, StatsFilter(community="江西路社区"))
    fig = db.figures
    assert fig.by_kind == kinds(patrol=(2, 3, 2), foot_patrol=(1, 1, 1), listed=(1, 1, 1),
                                inspection_bulletin=(1, 1, 1))  # fmt: skip
    assert (fig.total, fig.due, fig.deferred, fig.closed_on_time, fig.rework) == (Counts(5, 6, 5), 5, 0, 3, 1)
    assert (fig.closure_rate, fig.on_time_closure_rate) == (1.0, 3 / 5)
    assert (db.overdue_by_unit, db.overdue_by_lead, db.communities) == ([], [], [(JX, 6, 5, 0)])
    assert (db.city_cases, db.city_cases_qualifier) == (Decimal(150), None)
    ch = dash(data.desk, StatsFilter(community=CH))
    assert ch.figures.total == Counts(4, 5, 0)
    assert (ch.figures.due, ch.figures.deferred, ch.figures.closure_rate) == (4, 1, 0.0)
    assert ch.overdue_by_lead == [("李四", 1)]
    assert (ch.city_cases, ch.city_cases_qualifier) == (Decimal("37.5"), "约")


def test_date_range_counts_items_of_batches_issued_in_range(data: Data) -> None:
    db = dash(data.desk, StatsFilter(date_from=d(-50), date_to=T))  # batches A and B
    fig = db.figures
    assert fig.by_kind == kinds(patrol=(2, 6, 2))
    assert (fig.due, fig.deferred, fig.closed_due, fig.closed_on_time, fig.rework) == (5, 1, 2, 1, 0)
    assert (fig.closure_rate, fig.on_time_closure_rate) == (2 / 4, 1 / 4)
    assert dict(db.overdue_by_unit) == {U2: 1, NO_UNIT: 1}  # a3, b3
    # overdue listings are counted as of today whatever their issue date (the card counts the same)
    assert db.overdue_by_lead == [("李四", 1)] and db.listings_overdue == 1
    assert (db.city_cases, db.city_cases_qualifier) == (Decimal("7.5"), None)  # entries inside the range only
    # boundaries are inclusive
    assert dash(data.desk, StatsFilter(date_from=d(-40), date_to=d(-40))).figures.total == Counts(1, 3, 2)
    assert dash(data.desk, StatsFilter(date_from=d(-39), date_to=d(-11))).figures.total == Counts(0, 0, 0)


def test_range_end_is_the_cutoff_for_what_is_due(data: Data) -> None:
    # batch A only; a3 (due T-20) is due by the end of the second range but not the first
    early = dash(data.desk, StatsFilter(date_from=d(-45), date_to=d(-25))).figures
    assert (early.total, early.due, early.closure_rate, early.on_time_closure_rate) == (Counts(1, 3, 2), 2, 1.0, 0.5)
    late = dash(data.desk, StatsFilter(date_from=d(-45), date_to=d(-15))).figures
    assert (late.due, late.closure_rate, late.on_time_closure_rate) == (3, 2 / 3, 1 / 3)
    # a range ending after today cuts off at today: b1 (due T+5) is not due
    future = dash(data.desk, StatsFilter(date_from=d(-12), date_to=d(30))).figures
    assert (future.due, future.deferred) == (2, 1)


def test_city_cases_keep_the_qualifier(data: Data) -> None:
    db = dash(data.desk)
    assert (db.city_cases, db.city_cases_qualifier) == (Decimal("187.5"), "约")
    oct26 = dash(data.desk, StatsFilter(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31)))
    assert (oct26.city_cases, oct26.city_cases_qualifier) == (Decimal(130), "约")
    y2025 = dash(data.desk, StatsFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)))
    assert (y2025.city_cases, y2025.city_cases_qualifier) == (Decimal(50), None)
    with data.desk.uow() as uow:
        out = stats.stats_json(uow, StatsFilter(), T)
    assert out["city_cases"] == {"value": 187.5, "qualifier": "约"}


# ---------------------------------------------------------------- charts


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (StatsFilter(), "month"),
        (StatsFilter(date_from=d(-190), date_to=T), "week"),
        (StatsFilter(date_from=d(-191), date_to=T), "month"),
        (StatsFilter(date_from=d(-30)), "week"),
        (StatsFilter(date_from=d(-400), date_to=d(-300)), "week"),
        (StatsFilter(date_to=d(-300)), "month"),
        (StatsFilter(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30)), "week"),
    ],
)
def test_granularity_for(f: StatsFilter, expected: str) -> None:
    assert granularity_for(f, T) == expected


def test_items_and_closure_per_month(data: Data) -> None:
    db = dash(data.desk)
    assert db.items_per_period == [
        ("2025-10", "inspection_bulletin", 1),
        ("2026-08", "foot_patrol", 2),
        ("2026-09", "listed", 2),
        ("2026-10", "patrol", 3),
        ("2026-11", "patrol", 3),
    ]
    # (period, due, deferred, closed)
    assert db.closure_per_period == [
        ("2025-10", 1, 0, 1),
        ("2026-08", 1, 0, 1),
        ("2026-09", 2, 0, 1),
        ("2026-10", 3, 0, 2),
        ("2026-11", 2, 1, 0),
    ]


def test_items_and_closure_per_week(data: Data) -> None:
    data.desk.create_batch(Kind.FOOT_PATROL, 2, d(-38), [ItemInput("江西路1号", "江西路社区", "f1", None, d(-30))])
    db = dash(data.desk, StatsFilter(date_from=d(-50), date_to=T))
    assert sorted(db.items_per_period) == [
        ("2026-10-19", "foot_patrol", 1),  # Thursday 2026-10-22: the week of Monday 10-19
        ("2026-10-19", "patrol", 3),  # Tuesday 2026-10-20
        ("2026-11-16", "patrol", 3),  # Thursday 2026-11-19
    ]
    assert db.closure_per_period == [("2026-10-19", 4, 0, 2), ("2026-11-16", 2, 1, 0)]


def test_ties_sort_by_name_with_the_unnamed_last_on_both_engines(data: Data) -> None:
    """Equal counts: by name in code-point order, 未分类/未指定单位/未指定包案领导 last; kinds of one period
    by kind. (Before, PostgreSQL's hash grouping and its NULLS LAST gave other orders than SQLite.)"""
    data.desk.create_batch(Kind.LISTED, 2, d(-39), [ItemInput("江西路7号", "江西路社区", "g1", None, d(-35), None)])
    db = dash(data.desk)
    assert [k for p, k, _ in db.items_per_period if p == "2026-10"] == ["listed", "patrol"]
    assert db.overdue_by_lead == [("李四", 1), (stats.NO_LEAD, 1)]
    assert dict(db.overdue_by_unit) == {NO_UNIT: 2, U1: 1, U2: 1}
    assert db.overdue_by_unit == [(NO_UNIT, 2), (U2, 1), (U1, 1)]  # 市… before 珠… by code point
    assert db.categories == sorted(db.categories, key=lambda c: (-c[1], c[0] == "未分类", c[0]))
    assert ("未分类", 3) in db.categories and ("暴露垃圾", 2) in db.categories


def test_categories_read_listings(data: Data) -> None:
    cats = dash(data.desk).categories
    assert dict(cats) == {"乱堆杂物": 3, "暴露垃圾": 2, "未分类": 2, "占道经营": 1, "卫生死角": 1, "私搭乱建": 1,
                          "烟头纸屑": 1}  # fmt: skip
    assert [n for _, n in cats] == sorted((n for _, n in cats), reverse=True)
    # a listing's category is the item's: change it on the listing, the chart follows
    d1 = next(i for i in data.desk.batch_items(data.batches["D"]) if i.problem == "d1")
    with data.desk.uow() as uow:
        li = uow.session.get(Listing, d1.listing_id)
        assert li is not None
        li.category_id = uow.session.scalar(select(ProblemCategory.id).where(ProblemCategory.name == "乱堆杂物"))
        uow.commit()
    after = dict(dash(data.desk).categories)
    assert (after["乱堆杂物"], "私搭乱建" in after) == (4, False)


# ---------------------------------------------------------------- drill-down


def drill(data: Data, **kw: Any) -> list[ItemDTO]:
    return data.desk.drill_items(Drill(**kw), today=T)


def test_drill_returns_the_items_behind_a_slice(data: Data) -> None:
    assert names(drill(data, kind="patrol", period="2026-10")) == {"a1", "a2", "a3"}
    assert names(drill(data, kind="patrol", period="2026")) == {"a1", "a2", "a3", "b1", "b2", "b3"}
    assert names(drill(data, kind="patrol", period="2026-11-16")) == {"b1", "b2", "b3"}
    assert names(drill(data, kind="listed")) == {"d1", "d2"}
    assert names(drill(data, category="乱堆杂物")) == {"a1", "a3", "d2"}
    assert names(drill(data, category="私搭乱建")) == {"d1"}  # from its listing
    assert names(drill(data, category="未分类")) == {"b2", "c2"}
    assert names(drill(data, community=CH)) == {"a3", "b2", "b3", "c2", "d2"}
    assert names(drill(data, unit=U2, overdue_only=True)) == {"a3"}
    assert names(drill(data, unit=U2)) == {"a3", "c1", "c2", "d1"}
    assert names(drill(data, unit=NO_UNIT, overdue_only=True)) == {"b3"}
    assert names(drill(data, lead="李四", overdue_only=True)) == {"d2"}
    assert names(drill(data, lead="张三")) == {"d1"}
    assert drill(data, lead="张三", overdue_only=True) == []
    assert names(drill(data, community=CH, base=StatsFilter(date_from=d(-50)))) == {"a3", "b2", "b3"}
    ordered = drill(data, community=CH)
    assert [i.overdue for i in ordered] == [True, True, True, False, False]  # most urgent first
    assert [i.problem for i in ordered[:3]] == ["a3", "d2", "b3"]  # then by deadline


def check_slices(desk: Desk, f: StatsFilter, today: dt.date) -> None:
    """Every bar or point of the dashboard drills down to exactly the items it counts."""
    db = desk.dashboard(f, today=today)
    issued = {b.id: b.issued_on for b in desk.batches()}
    gran = granularity_for(f, today)

    def rows(**kw: Any) -> list[ItemDTO]:
        return desk.drill_items(Drill(base=f, **kw), today=today)

    assert sum(n for _, _, n in db.items_per_period) == db.figures.total.items
    for period, kind, n in db.items_per_period:
        got = rows(kind=kind, period=period)
        assert len(got) == n, (period, kind)
        assert all(i.kind == kind and period_key(issued[i.batch_id], gran) == period for i in got)
    assert sum(n for _, n in db.categories) == db.figures.total.items
    for name, n in db.categories:
        got = rows(category=name)
        assert len(got) == n, name
        assert all(i.category == (None if name == "未分类" else name) for i in got)
    for name, n, closed, overdue in db.communities:
        got = rows(community=name)
        assert (len(got), sum(i.status == "closed" for i in got), sum(i.overdue for i in got)) == (n, closed, overdue)
        assert all(i.community == name for i in got)
    for unit, n in db.overdue_by_unit:
        got = rows(unit=unit, overdue_only=True)
        assert len(got) == n, unit
        assert all(i.overdue and i.unit == (None if unit == NO_UNIT else unit) for i in got)
    with desk.uow() as uow:
        leads: dict[int, set[str]] = defaultdict(set)
        for lid, name in uow.session.execute(
            select(Responsibility.listing_id, Person.name)
            .join(Person, Person.id == Responsibility.person_id)
            .where(Responsibility.role == "lead")
        ):
            leads[lid].add(name)
    for lead, n in db.overdue_by_lead:  # as of today, whatever the range: only the community applies
        got = desk.drill_items(Drill(base=StatsFilter(community=f.community), lead=lead, overdue_only=True), today)
        assert len(got) == n, lead
        assert all(i.overdue and i.listing_id is not None for i in got)
        assert all(lead in leads[i.listing_id] if lead != stats.NO_LEAD else not leads[i.listing_id] for i in got)


@pytest.mark.parametrize(
    "f",
    [
        StatsFilter(),
        StatsFilter(date_from=d(-50), date_to=T),
        StatsFilter(date_from=d(-70), date_to=d(-20)),
        StatsFilter(community="澄海路社区"),
        StatsFilter(date_from=d(-400), date_to=d(-50), community="江西路社区"),
    ],
    ids=["all", "last-50-days", "range", "澄海路", "range+江西路"],
)
def test_every_slice_drills_to_its_items(data: Data, f: StatsFilter) -> None:
    check_slices(data.desk, f, T)


# ---------------------------------------------------------------- the demo


def test_demo_phase_one_is_the_source(demo_desk: Desk) -> None:
    with demo_desk.uow() as uow:
        out = stats.stats_json(uow, StatsFilter(dt.date(2021, 1, 1), dt.date(2021, 6, 30)), TODAY)
    sup = out["supervision"]
    expected = {
        "patrol": (26, 54), "foot_patrol": (21, 39), "inspection_bulletin": (8, 12), "listed": (5, 10),
        "supervision_case": (3, 20), "compound_notice": (1, 5), "other": (0, 0),
    }  # fmt: skip
    for kind, (issues, items) in expected.items():
        assert sup[kind] == {"issues": issues, "items": items, "closed": items}, kind
    assert sup["total"] == {"issues": 64, "items": 140, "closed": 140}  # not the source's 174
    assert (out["closure_rate"], out["due"], out["deferred"], out["closed_due"]) == (1.0, 140, 0, 140)
    assert 0 < out["on_time_closure_rate"] <= 1
    assert out["overdue_by_unit"] == []  # items of the range
    # listings overdue today, whatever the range (the same as the 挂牌督办超期 figure)
    assert out["overdue_by_lead"] == [{"lead": "李明远", "listings": 1}] and out["listings"]["overdue"] == 1
    assert out["city_cases"] == {"value": 1758.0, "qualifier": None}


def test_demo_current_phase(demo_desk: Desk) -> None:
    with demo_desk.uow() as uow:
        out = stats.stats_json(uow, StatsFilter(), TODAY)
    total = out["supervision"]["total"]
    assert total["issues"] > 64 and total["items"] > 140 and total["closed"] < total["items"]
    assert sum(u["items"] for u in out["overdue_by_unit"]) >= 1
    assert out["deferred"] >= 1 and out["closure_rate"] < 1
    assert out["city_cases"]["value"] > 1758
    check_slices(demo_desk, StatsFilter(), TODAY)
    check_slices(demo_desk, StatsFilter(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 6, 30)), TODAY)


def test_demo_2021_listed_items_are_the_five_sites_twice(demo_desk: Desk) -> None:
    f = BatchFilter(kind=Kind.LISTED, date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31))
    batches = demo_desk.batches(f)
    assert len(batches) == 5 and all(b.all_closed and b.items == 2 for b in batches)
    with demo_desk.uow() as uow:
        items = [i for b in batches for i in supervision.batch_items(uow, b.id, TODAY)]
        listing_ids = set(uow.session.scalars(select(Listing.id)))
    assert len(items) == 10
    assert all(i.listing_id in listing_ids and i.status == "closed" for i in items)
    assert len({i.listing_id for i in items}) == 10
    assert Counter(i.address for i in items) == {a: 2 for a in ("江西路153号", "澄海路22号", "汕头路7号",
                                                                 "善化路18号院", "善化路19号院")}  # fmt: skip


# ---------------------------------------------------------------- SQL == Python, on random data


LEADS = ("张三", "李四", "王五")
UNITS = (U1, U2, None)
CATEGORIES = ("乱堆杂物", "暴露垃圾", "私搭乱建", None)


def random_dataset(desk: Desk, rnd: random.Random, today: dt.date) -> None:
    add_communities(desk, JX, CH, ST)
    short = ("江西路社区", "澄海路社区", "汕头路社区")
    numbers: Counter[tuple[Kind, int]] = Counter()
    listed_sites = 0
    for _ in range(rnd.randint(3, 8)):
        kind = rnd.choice([*Kind, Kind.LISTED, Kind.PATROL])
        issued = today - dt.timedelta(days=rnd.randint(0, 400))
        numbers[kind, issued.year] += 1
        inputs = []
        for _ in range(rnd.randint(0, 4)):
            if kind == Kind.LISTED:
                listed_sites += 1
                address = f"挂牌路{listed_sites}号"
            else:
                address = f"测试路{rnd.randint(1, 4)}号"  # the same address in several communities
            deadline = None if rnd.random() < 0.2 else issued + dt.timedelta(days=rnd.randint(0, 40))
            inputs.append(ItemInput(address, rnd.choice(short), None, rnd.choice(CATEGORIES), deadline,
                                    rnd.choice(UNITS), deferred=rnd.random() < 0.2))  # fmt: skip
        b = desk.create_batch(kind, numbers[kind, issued.year], issued, inputs)
        for it in desk.batch_items(b.id):
            if it.listing_id is None:
                if rnd.random() < 0.5:
                    desk.close_item(it.id, min(today, issued + dt.timedelta(days=rnd.randint(0, 50))))
            else:
                on = issued
                for _ in range(rnd.randint(0, 6)):
                    on = min(today, on + dt.timedelta(days=rnd.randint(0, 10)))
                    status = desk.get_site(it.site_id, today).row.status
                    step = {
                        Status.LISTED.value: Action.START,
                        Status.RECTIFYING.value: Action.SUBMIT,
                        Status.AWAITING_ACCEPTANCE.value: rnd.choice([Action.ACCEPT, Action.ACCEPT, Action.REJECT]),
                        Status.CLOSED.value: Action.REBOUND,
                    }[status or ""]
                    if step == Action.REBOUND and rnd.random() < 0.7:
                        break
                    desk.change_status(it.site_id, action=step, on=on)
                for lead in rnd.sample(LEADS, rnd.choice([0, 1, 1, 2])):
                    add_lead(desk, it.listing_id, lead)
            if rnd.random() < 0.15:
                desk.set_deferred(it.id, not it.deferred)  # also on closed items


@dataclass(frozen=True)
class Row:
    """One item as the tables hold it, with its listing's fields where it has one."""

    kind: str
    batch_id: int
    issued_on: dt.date
    community: str
    category: str | None
    unit: str | None
    closed: bool
    deadline: dt.date | None
    closed_on: dt.date | None
    deferred: bool
    rework: int
    leads: frozenset[str]
    listed: bool


def table_rows(desk: Desk) -> list[Row]:
    """Plain ORM reads, no SQL aggregation and no effective_columns."""
    with desk.uow() as uow:
        s = uow.session
        batches = {b.id: b for b in s.scalars(select(SupervisionBatch))}
        listings = {li.id: li for li in s.scalars(select(Listing))}
        sites = {x.id: x.community_id for x in s.scalars(select(Site))}
        communities = {c.id: c.name for c in s.scalars(select(Community))}
        categories = {c.id: c.name for c in s.scalars(select(ProblemCategory))}
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        people = {p.id: p.name for p in s.scalars(select(Person))}
        leads: dict[int, set[str]] = defaultdict(set)
        for r in s.scalars(select(Responsibility).where(Responsibility.role == "lead")):
            assert r.person_id is not None
            leads[r.listing_id].add(people[r.person_id])
        out = []
        for it in s.scalars(select(SupervisionItem)):
            b = batches[it.batch_id]
            li = listings.get(it.listing_id) if it.listing_id is not None else None
            category_id = li.category_id if li else it.category_id
            out.append(Row(
                kind=b.kind, batch_id=b.id, issued_on=b.issued_on, community=communities[sites[it.site_id]],
                category=categories[category_id] if category_id else None,
                unit=units[it.unit_id] if it.unit_id else None,
                closed=(li.status if li else it.status) == "closed",
                deadline=li.deadline if li else it.deadline, closed_on=li.closed_on if li else it.closed_on,
                deferred=it.deferred, rework=li.rework_count if li else 0,
                leads=frozenset(leads[li.id]) if li else frozenset(), listed=li is not None,
            ))  # fmt: skip
    return out


def recompute(rows: list[Row], f: StatsFilter, today: dt.date) -> dict[str, Any]:
    cutoff = min(today, f.date_to) if f.date_to else today
    gran = granularity_for(f, today)
    sel = [
        r for r in rows
        if (f.date_from is None or r.issued_on >= f.date_from) and (f.date_to is None or r.issued_on <= f.date_to)
        and (f.community is None or r.community.split("（")[0] == f.community)
    ]  # fmt: skip

    def due(r: Row) -> bool:
        return r.closed or (r.deadline is not None and r.deadline <= cutoff)

    def overdue(r: Row) -> bool:
        return not r.closed and r.deadline is not None and r.deadline < today and not r.deferred

    by_kind = {k.value: Counts(0, 0, 0) for k in Kind}
    for k in by_kind:
        mine = [r for r in sel if r.kind == k]
        by_kind[k] = Counts(len({r.batch_id for r in mine}), len(mine), sum(r.closed for r in mine))
    n_due = sum(due(r) for r in sel)
    n_deferred = sum(due(r) and r.deferred and not r.closed for r in sel)
    n_closed = sum(r.closed for r in sel)
    n_on_time = sum(r.closed and (r.deadline is None or (r.closed_on is not None and r.closed_on <= r.deadline))
                    for r in sel)  # fmt: skip
    base = n_due - n_deferred
    per_period: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in sel:
        acc = per_period[period_key(r.issued_on, gran)]
        acc[0] += due(r)
        acc[1] += due(r) and r.deferred and not r.closed
        acc[2] += r.closed
    communities: dict[str, tuple[int, int, int]] = {}
    for name in {r.community for r in sel}:
        mine = [r for r in sel if r.community == name]
        communities[name] = (len(mine), sum(r.closed for r in mine), sum(overdue(r) for r in mine))
    return {
        "by_kind": by_kind,
        "total": Counts(len({r.batch_id for r in sel}), len(sel), n_closed),
        "figures": (n_due, n_deferred, n_closed, n_on_time, sum(r.rework for r in sel)),
        "rates": (n_closed / base if base > 0 else None, n_on_time / base if base > 0 else None),
        "items_per_period": Counter((period_key(r.issued_on, gran), r.kind) for r in sel),
        "closure_per_period": sorted((p, *v) for p, v in per_period.items()),
        "categories": Counter(r.category or "未分类" for r in sel),
        "communities": communities,
        "overdue_by_unit": Counter(r.unit or NO_UNIT for r in sel if overdue(r)),
        # overdue listings as of today whatever their issue date: only the community applies
        "overdue_by_lead": Counter(
            lead for r in rows if r.listed and overdue(r)
            and (f.community is None or r.community.split("（")[0] == f.community)
            for lead in (r.leads or {stats.NO_LEAD})
        ),
    }


def from_sql(db: Dashboard) -> dict[str, Any]:
    fig = db.figures
    assert all(0 <= x <= 1 for x in (fig.closure_rate, fig.on_time_closure_rate) if x is not None)
    return {
        "by_kind": fig.by_kind,
        "total": fig.total,
        "figures": (fig.due, fig.deferred, fig.closed_due, fig.closed_on_time, fig.rework),
        "rates": (fig.closure_rate, fig.on_time_closure_rate),
        "items_per_period": Counter({(p, k): n for p, k, n in db.items_per_period}),
        "closure_per_period": db.closure_per_period,
        "categories": Counter(dict(db.categories)),
        "communities": {name: (n, c, o) for name, n, c, o in db.communities},
        "overdue_by_unit": Counter(dict(db.overdue_by_unit)),
        "overdue_by_lead": Counter(dict(db.overdue_by_lead)),
    }


def check_overdue_condition_is_the_red_light(desk: Desk, today: dt.date) -> None:
    """stats.overdue_condition (SQL) picks exactly the items whose item_light (Python) is red."""
    with desk.uow() as uow:
        s = uow.session
        q = select(SupervisionItem.id).outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
        by_sql = set(s.scalars(q.where(stats.overdue_condition(today))))
        by_light = set()
        for item in s.scalars(select(SupervisionItem)):
            li = s.get(Listing, item.listing_id) if item.listing_id else None
            closed = (li.status if li else item.status) == Status.CLOSED.value
            deadline = li.deadline if li else item.deadline
            if item_light(closed, deadline, bool(item.deferred), today) == Light.RED:
                by_light.add(item.id)
    assert by_sql == by_light


# 20 random datasets on SQLite, the first 6 also on PostgreSQL (each costs about a second there)
@pytest.mark.parametrize(
    ("any_url", "seed"),
    [*(("sqlite", n) for n in range(20)), *(("postgresql", n) for n in range(6))],
    indirect=["any_url"],
)
def test_sql_figures_equal_a_python_recomputation(any_url: str, seed: int) -> None:
    rnd = random.Random(seed)
    desk = signed_in(Desk.open(any_url))
    try:
        random_dataset(desk, rnd, T)
        rows = table_rows(desk)
        start = d(-rnd.randint(0, 400))
        filters = [
            StatsFilter(),
            StatsFilter(date_from=start, date_to=start + dt.timedelta(days=rnd.randint(0, 300))),
            StatsFilter(date_from=start),
            StatsFilter(date_to=start),
            StatsFilter(community=rnd.choice(["江西路社区", "澄海路社区", "汕头路社区"])),
            StatsFilter(date_from=start, community="澄海路社区"),
        ]
        for f in filters:
            assert from_sql(desk.dashboard(f, today=T)) == recompute(rows, f, T), f
        check_slices(desk, filters[1], T)
        check_overdue_condition_is_the_red_light(desk, T)
        # the batch list agrees with the rows, and with the items read through batch_items
        per_batch = Counter(r.batch_id for r in rows)
        closed = Counter(r.batch_id for r in rows if r.closed)
        for b in desk.batches():
            n = per_batch[b.id]
            assert (b.items, b.closed, b.all_closed) == (n, closed[b.id], n > 0 and n == closed[b.id])
            got = [(i.status == "closed", i.deadline, i.closed_on) for i in desk.batch_items(b.id)]
            assert sorted(got, key=repr) == sorted(
                ((r.closed, r.deadline, r.closed_on) for r in rows if r.batch_id == b.id), key=repr
            )
    finally:
        desk.close()
