"""The paged 挂牌督办 query (services/sites.site_page / site_position / site_counts) equals the plain Python
filter and sort of `list_sites()` rows, on random datasets, on both engines: every sort column both
directions, every filter, page boundaries and position lookups."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest

from db.models import Community, Listing, Person, ProblemCategory, Responsibility, Site, Unit
from zhdesk.desk import Desk
from zhdesk.domain.workflow import Status
from zhdesk.dto import SiteFilter, SiteQuery, SiteRow
from zhdesk.paging import Sort
from zhdesk.services.sites import SITE_SORT_KEYS

TODAY = dt.date(2026, 6, 15)
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "grey": 3, None: 4}
STATUSES = list(Status)

# The value each sort key orders by: ui/pages/sites_model.FIELDS' values (the UI's one definition).
VALUES: dict[str, Callable[[SiteRow], Any]] = {
    "light": lambda r: LIGHT_RANK[r.light],
    "address": lambda r: r.address,
    "community": lambda r: r.community,
    "status": lambda r: STATUSES.index(Status(r.status)) if r.status else None,
    "listed_on": lambda r: r.listed_on,
    "deadline": lambda r: r.deadline,
    "days": lambda r: r.days_left,
    "lead": lambda r: r.lead,
    "unit": lambda r: r.unit,
    "category": lambda r: r.category_code or r.category,
    "issue": lambda r: r.issue_no,
}


def urgency(r: SiteRow) -> tuple[int, int, str]:
    return (LIGHT_RANK[r.light], r.days_left if r.days_left is not None else 10**6, r.address)


def python_order(rows: list[SiteRow], q: SiteQuery, sort: Sort) -> list[int]:
    """The table's filter and sort done in Python over every row (what the page did before paging)."""
    text = q.search.strip().casefold()

    def accepts(r: SiteRow) -> bool:
        if q.listed_only and not r.listed:
            return False
        if q.community and r.community != q.community:
            return False
        if q.status and r.status != q.status:
            return False
        if q.light and r.light != q.light:
            return False
        return not text or any(text in (x or "").casefold() for x in (r.address, r.lead, r.unit))

    def key(r: SiteRow) -> tuple[Any, ...]:
        if sort.key is None:
            return (*urgency(r), r.id)
        v = VALUES[sort.key](r)
        empty = v is None or v == ""
        return (empty, 0 if empty else v, *urgency(r), r.id)

    return [r.id for r in sorted(filter(accepts, rows), key=key, reverse=sort.descending)]


ADDRESSES = ("江西路", "澄海路", "汕头路", "Abc街", "abd街", "善化路")
PEOPLE = ("张三", "李四", "王五", "Li")
UNITS = ("城管中队", "物业公司", "Zeta单位")


def random_sites(desk: Desk, rnd: random.Random, n: int) -> None:
    with desk.uow() as uow:
        s = uow.session
        communities = [Community(name=f"社区{i}", sort_order=i) for i in range(3)]
        units = [Unit(name=u) for u in UNITS]
        people = [Person(name=p, unit=rnd.choice([*units, None]), phone=rnd.choice([None, "123"])) for p in PEOPLE]
        named = (("测试甲", "Z1"), ("测试乙", None), ("测试丙", ""))
        cats = [ProblemCategory(name=c, std_code=code) for c, code in named]
        s.add_all([*communities, *units, *people, *cats])
        used: set[tuple[str, int]] = set()
        for _ in range(n):
            # repeated addresses and deadlines make ties, broken by urgency then id
            while (key := (f"{rnd.choice(ADDRESSES)}{rnd.randint(1, 9)}号", rnd.randrange(3))) in used:
                pass
            used.add(key)
            site = Site(address=key[0], community=communities[key[1]])
            s.add(site)
            s.flush()
            k = rnd.choice([0, 1, 1, 1, 2])
            for j in range(k):
                last = j == k - 1
                status = rnd.choice(STATUSES) if last else Status.CLOSED
                listed_on = TODAY - dt.timedelta(days=rnd.randint(21, 300))
                deadline = None if rnd.random() < 0.15 else TODAY + dt.timedelta(days=rnd.randint(-20, 20))
                li = Listing(site_id=site.id, issue_no=rnd.choice([None, 1, 2, 3]), listed_on=listed_on,
                             deadline=deadline, status=status.value, category=rnd.choice([*cats, None]),
                             closed_on=listed_on if status == Status.CLOSED else None)  # fmt: skip
                s.add(li)
                s.flush()
                for role in rnd.sample(["lead", "unit", "lead", "contact"], rnd.randint(0, 3)):
                    person = rnd.choice([*people, None])
                    unit = rnd.choice([*units, None]) if role == "unit" else None
                    if person is None and unit is None:
                        person = people[0]
                    s.add(Responsibility(listing_id=li.id, role=role, person=person, unit=unit))
        uow.commit()


QUERIES = [
    SiteQuery(listed_only=False),
    SiteQuery(),
    SiteQuery(community="社区1", listed_only=False),
    SiteQuery(status=Status.RECTIFYING.value),
    SiteQuery(light="red"),
    SiteQuery(light="yellow", listed_only=False),
    SiteQuery(search="江西"),
    SiteQuery(search="ab", listed_only=False),  # ASCII case ignored
    SiteQuery(search="张三"),  # the lead
    SiteQuery(search="物业"),  # the unit
    SiteQuery(search="50%"),  # literal %, matches nothing
    SiteQuery(community="社区2", light="green", search="路"),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_sort_and_filter_equals_python(desk: Desk, seed: int) -> None:
    rnd = random.Random(seed)
    random_sites(desk, rnd, 90)
    rows = desk.list_sites(today=TODAY)
    assert len(rows) == 90
    sorts = [Sort(), *(Sort(k, d) for k in SITE_SORT_KEYS for d in (False, True))]
    for q in QUERIES:
        for sort in sorts:
            expected = python_order(rows, q, sort)
            page = desk.site_page(q, sort, 0, 1000, TODAY)
            assert [r.id for r in page.rows] == expected, (q, sort)
            assert page.total == len(expected)
    # the default order is list_sites' order
    assert [r.id for r in desk.site_page(SiteQuery(listed_only=False), Sort(), 0, 1000, TODAY).rows] == [
        r.id for r in rows
    ]
    # and the rows are list_sites' rows
    by_id = {r.id: r for r in rows}
    by_lead = desk.site_page(SiteQuery(listed_only=False), Sort("lead"), 0, 1000, TODAY).rows
    assert all(by_id[r.id] == r for r in by_lead)


def test_pages_concatenate_and_positions_match(desk: Desk) -> None:
    rnd = random.Random(7)
    random_sites(desk, rnd, 70)
    rows = desk.list_sites(today=TODAY)
    for q, sort in ((SiteQuery(listed_only=False), Sort("address", True)), (SiteQuery(), Sort("days")),
                    (SiteQuery(listed_only=False), Sort())):  # fmt: skip
        expected = python_order(rows, q, sort)
        got: list[int] = []
        offset = 0
        while True:
            page = desk.site_page(q, sort, offset, 9, TODAY)
            assert page.offset == offset and page.total == len(expected)
            if not page.rows:
                break
            assert len(page.rows) == min(9, len(expected) - offset)
            got += [r.id for r in page.rows]
            offset = page.end
        assert got == expected
        for i in rnd.sample(range(len(expected)), 10):
            assert desk.site_position(q, sort, expected[i], TODAY) == i
    unlisted = next(r.id for r in rows if not r.listed)
    assert desk.site_position(SiteQuery(), Sort(), unlisted, TODAY) is None
    assert desk.site_position(SiteQuery(), Sort(), 10**6, TODAY) is None
    assert desk.site_page(SiteQuery(), Sort(), 10**4, 10, TODAY).rows == ()


def test_counts(desk: Desk) -> None:
    random_sites(desk, random.Random(3), 60)
    rows = desk.list_sites(today=TODAY)
    counts = desk.site_counts(TODAY)
    assert counts.sites == 60
    for light in ("red", "yellow", "green", "grey"):
        assert counts.lights[light] == sum(1 for r in rows if r.light == light)
    assert counts.listed == sum(1 for r in rows if r.listed)


def test_unknown_sort_key_is_refused(desk: Desk) -> None:
    from zhdesk.errors import InputRefused

    with pytest.raises(InputRefused, match="排序"):
        desk.site_page(SiteQuery(), Sort("nope"), 0, 10, TODAY)


def test_the_gantt_reads_the_same_listed_sites_in_the_same_order(desk: Desk) -> None:
    """总览's 督办进度 reads the paged view (one page of every listed site), not list_sites: same rows."""
    random_sites(desk, random.Random(11), 80)
    listed = [r for r in desk.list_sites(SiteFilter(listed_only=True), today=TODAY) if r.listed_on is not None]
    rows = desk.gantt(TODAY)
    assert len(listed) > 10
    assert [(g.site_id, g.address, g.light, g.days_text, g.deadline, g.closed_on, g.lead, g.unit) for g in rows] == [
        (r.id, r.address, r.light, r.days_text, r.deadline, r.closed_on, r.lead, r.unit) for r in listed
    ]
