"""督办通报 and the drill-down lists paged in SQL (zhdesk.services.item_pages) on both engines: on random
datasets, the pages concatenated equal the old lists (list_batches, batch_items, drill_items) sorted in
Python the way the window's table sorted them (empty last, ties by id, descending the exact reverse; text
by code point), for every column in both directions; positions and totals agree."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

from tests.support import signed_in
from tests.zhdesk.services.test_stats import CH, JX, T, random_dataset
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind, kind_label
from zhdesk.dto import BatchDTO, BatchFilter, Drill, ItemDTO, StatsFilter
from zhdesk.errors import InputRefused
from zhdesk.paging import Page, Sort
from zhdesk.services.item_pages import BATCH_SORTS, ITEM_SORTS

R = TypeVar("R", BatchDTO, ItemDTO)


def _empty(v: Any) -> bool:
    return v is None or v == ""


def py_sorted(rows: Sequence[R], value: Callable[[R], Any], descending: bool) -> list[R]:
    """ui/dto_table.DtoProxy.lessThan with code-point text: empty last, then the value, then the id."""

    def cmp(a: R, b: R) -> int:
        x, y = value(a), value(b)
        if _empty(x) != _empty(y):
            return 1 if _empty(x) else -1
        if not _empty(x) and x != y:
            return -1 if x < y else 1
        return (a.id > b.id) - (a.id < b.id)

    out = sorted(rows, key=functools.cmp_to_key(cmp))
    return out[::-1] if descending else out


BATCH_VALUES: dict[str, Callable[[BatchDTO], Any]] = {  # ui/pages/bulletins_model.BATCH_FIELDS
    "kind": lambda b: b.kind_label,
    "year": lambda b: b.year,
    "issue_no": lambda b: b.issue_no,
    "issued_on": lambda b: b.issued_on,
    "issuer": lambda b: b.issuer,
    "items": lambda b: b.items,
    "closed": lambda b: (b.closed / b.items if b.items else -1.0, b.closed),
    "all_closed": lambda b: b.all_closed,
    "title": lambda b: b.title,
}


def status_rank(i: ItemDTO) -> int:  # ui/pages/bulletins_model.item_status_rank
    if i.status == "closed":
        return 3
    if i.overdue:
        return 0
    return 2 if i.deferred else 1


def problem_text(i: ItemDTO) -> str:  # ui/dialogs/drill.problem_text
    if i.category and i.problem:
        return f"{i.category}：{i.problem}"
    return i.category or i.problem or ""


ITEM_VALUES: dict[str, Callable[[ItemDTO], Any]] = {  # ITEM_FIELDS and the drill-down's fields
    "address": lambda i: i.address,
    "community": lambda i: i.community,
    "category": lambda i: i.category,
    "problem": lambda i: i.problem,
    "deadline": lambda i: i.deadline,
    "unit": lambda i: i.unit,
    "status": status_rank,
    "closed_on": lambda i: i.closed_on,
    "kind": lambda i: (kind_label(i.kind), i.issue_no),
    "problem_text": problem_text,
    "urgency": lambda i: (0 if i.overdue else 2 if i.status == "closed" else 1, i.days_left or 0),
}


def test_every_sort_has_its_python_twin() -> None:
    assert set(BATCH_VALUES) == set(BATCH_SORTS)
    assert set(ITEM_VALUES) == set(ITEM_SORTS)


def pages(read: Callable[[int, int], Page[R]], size: int) -> tuple[list[R], int]:
    rows: list[R] = []
    total = -1
    while True:
        page = read(len(rows), size)
        assert page.offset == len(rows)
        assert total in (-1, page.total)
        total = page.total
        rows += list(page.rows)
        if len(page.rows) < size:
            return rows, total


def check_batches(desk: Desk, f: BatchFilter, rnd: random.Random) -> None:
    expected = desk.batches(f)  # the old list: SQL, then the status filter in Python
    for sort in BATCH_SORTS:
        for descending in (False, True):
            want = py_sorted(expected, BATCH_VALUES[sort], descending)
            size = rnd.randint(1, 4)
            got, total = pages(lambda o, n, s=sort, d=descending: desk.batch_page(f, Sort(s, d), o, n), size)  # type: ignore[misc]
            assert [b.id for b in got] == [b.id for b in want], (f, sort, descending)
            assert got == want and total == len(want)
            for b in rnd.sample(want, min(3, len(want))):
                assert desk.batch_position(f, Sort(sort, descending), b.id) == want.index(b)
    default, _ = pages(lambda o, n: desk.batch_page(f, Sort(), o, n), 3)
    assert default == expected  # newest first, as list_batches
    totals = desk.batch_totals(f)
    assert (totals.batches, totals.items, totals.closed) == (
        len(expected), sum(b.items for b in expected), sum(b.closed for b in expected))  # fmt: skip
    page = desk.batch_page(f, Sort(), 0, 2)
    assert page.totals == totals
    assert desk.batch_page(f, None, len(expected) + 5, 2).totals == totals  # past the end


def check_items(
    expected: list[ItemDTO],
    read: Callable[[str | None, bool, int, int], Page[ItemDTO]],
    position: Callable[[str | None, bool, int], int | None],
    everything: Callable[[str | None, bool], list[ItemDTO]],
    rnd: random.Random,
    default_is_given_order: bool,
) -> None:
    for sort in ITEM_SORTS:
        for descending in (False, True):
            want = py_sorted(expected, ITEM_VALUES[sort], descending)
            size = rnd.randint(1, 5)
            got, total = pages(lambda o, n, s=sort, d=descending: read(s, d, o, n), size)  # type: ignore[misc]
            assert [i.id for i in got] == [i.id for i in want], (sort, descending)
            assert got == want and total == len(want)
            for i in rnd.sample(want, min(2, len(want))):
                assert position(sort, descending, i.id) == want.index(i)
            if rnd.random() < 0.2:
                assert everything(sort, descending) == want
    default, _ = pages(lambda o, n: read(None, False, o, n), 4)
    if default_is_given_order:
        assert default == expected
    else:
        assert default == sorted(expected, key=lambda i: i.id)


# 6 random datasets on SQLite, 2 on PostgreSQL
@pytest.mark.parametrize(
    ("any_url", "seed"),
    [*(("sqlite", n) for n in range(6)), *(("postgresql", n) for n in range(2))],
    indirect=["any_url"],
)
def test_paged_sql_equals_the_python_sort(any_url: str, seed: int) -> None:
    rnd = random.Random(seed)
    desk = signed_in(Desk.open(any_url))
    try:
        random_dataset(desk, rnd, T)
        random_dataset_extra(desk, rnd)
        start = T - dt.timedelta(days=rnd.randint(0, 400))
        for f in (
            BatchFilter(),
            BatchFilter(kind=rnd.choice(list(Kind))),
            BatchFilter(status="open"),
            BatchFilter(status="closed"),
            BatchFilter(date_from=start, date_to=start + dt.timedelta(days=200)),
            BatchFilter(community=JX),
            BatchFilter(community=CH, status="open", date_from=start),
        ):
            check_batches(desk, f, rnd)

        for b in desk.batches():
            check_items(
                desk.batch_items(b.id, today=T),
                lambda s, d, o, n, b=b: desk.item_page(b.id, Sort(s, d), o, n, today=T),  # type: ignore[misc]
                lambda s, d, i, b=b: desk.item_position(b.id, Sort(s, d), i, today=T),  # type: ignore[misc]
                lambda s, d, b=b: desk.all_items(b.id, Sort(s, d), today=T),  # type: ignore[misc]
                rnd, default_is_given_order=False,
            )  # fmt: skip

        some = desk.batch_items(desk.batches()[0].id, today=T)
        drills = [
            Drill(),
            Drill(overdue_only=True),
            Drill(closed_only=True),
            Drill(base=StatsFilter(date_from=start), kind=rnd.choice(list(Kind)).value),
            Drill(base=StatsFilter(community=JX), community=JX),
            Drill(category="未分类"),
            Drill(unit="未指定单位", overdue_only=True),
            Drill(lead="张三", overdue_only=True),
            *(Drill(category=i.category) for i in some[:1] if i.category),
        ]
        for drill in drills:
            check_items(
                desk.drill_items(drill, today=T),
                lambda s, d, o, n, dr=drill: desk.drill_page(dr, Sort(s, d), o, n, today=T),  # type: ignore[misc]
                lambda s, d, i, dr=drill: desk.drill_position(dr, Sort(s, d), i, today=T),  # type: ignore[misc]
                lambda s, d, dr=drill: desk.all_drill_items(dr, Sort(s, d), today=T),  # type: ignore[misc]
                rnd, default_is_given_order=True,
            )  # fmt: skip
        assert desk.drill_position(Drill(), Sort("address"), 10**9, today=T) is None
    finally:
        desk.close()


def random_dataset_extra(desk: Desk, rnd: random.Random) -> None:
    """Ties and empties the window must order the same way: equal issue dates, issuers empty and set,
    a batch without items, long and short problems."""
    day = T - dt.timedelta(days=rnd.randint(0, 30))
    for n, issuer in enumerate((None, "街道办", "街道办", "城管科"), start=900):
        desk.create_batch(Kind.OTHER, n, day, [], issuer=issuer, title=rnd.choice([None, "甲", "乙"]))


@pytest.mark.parametrize("any_url", ["sqlite", "postgresql"], indirect=True)
def test_closed_only_is_the_community_bars_closed_slice(any_url: str) -> None:
    """The 已办结 bar of a community read in SQL (it was a filter in the window)."""
    desk = signed_in(Desk.open(any_url))
    try:
        random_dataset(desk, random.Random(3), T)
        all_items = desk.drill_items(Drill(community=JX), today=T)
        closed = desk.drill_items(Drill(community=JX, closed_only=True), today=T)
        assert closed == [i for i in all_items if i.status == "closed"]
    finally:
        desk.close()


@pytest.mark.parametrize("any_url", ["sqlite"], indirect=True)
def test_bad_requests_are_refused(any_url: str) -> None:
    desk = signed_in(Desk.open(any_url))
    try:
        with pytest.raises(InputRefused, match="无法按“nope”排序"):
            desk.batch_page(BatchFilter(), Sort("nope"))
        with pytest.raises(InputRefused, match="无法按“nope”排序"):
            desk.drill_page(Drill(), Sort("nope"))
        with pytest.raises(InputRefused, match="分页参数有误"):
            desk.drill_page(Drill(), None, -1, 10)
        assert desk.last_issue_numbers() == {}
        desk.create_batch(Kind.PATROL, 4, T, [])
        desk.create_batch(Kind.PATROL, 2, T, [])
        assert desk.last_issue_numbers() == {("patrol", T.year): 4}
        assert desk.site_addresses() == []
        assert desk.batch_count() == 2
    finally:
        desk.close()
