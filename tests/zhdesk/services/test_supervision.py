"""Supervision batches (期) and their items (处) against a real SQLite file: creating, refusing,
closing, 挂牌督办 items read through their listing, filters, deferral, pasted rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.models import Community, Listing, Site, SupervisionBatch, SupervisionItem
from tests.support import table_dump
from zhdesk.desk import Desk
from zhdesk.domain.paste import parse_paste
from zhdesk.domain.stats import Kind
from zhdesk.domain.workflow import Action, Status
from zhdesk.dto import BatchDTO, BatchFilter, ItemDTO, ItemInput
from zhdesk.errors import InputRefused, NotFound
from zhdesk.services import supervision

JX = "江西路社区（示例）"
CH = "澄海路社区（示例）"
ISSUED = dt.date(2026, 11, 2)
DUE = dt.date(2026, 11, 20)


@pytest.fixture
def sd(desk: Desk) -> Desk:
    """An empty database with two communities and one known site, 江西路153号 in 江西路社区."""
    with desk.uow() as uow:
        uow.session.add_all(
            [Community(name=JX, is_sample=True, sort_order=0), Community(name=CH, is_sample=True, sort_order=1)]
        )
        uow.commit()
    desk.add_site("江西路153号", "江西路社区")
    return desk


def count(desk: Desk, model: type) -> int:
    with desk.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def site_of(desk: Desk, address: str) -> Site:
    with desk.uow() as uow:
        (site,) = uow.session.scalars(select(Site).where(Site.address == address))
        uow.session.expunge(site)
    return site


def item(desk: Desk, item_id: int, today: dt.date) -> ItemDTO:
    with desk.uow() as uow:
        return supervision.get_item(uow, item_id, today)


def items(desk: Desk, batch_id: int, today: dt.date) -> list[ItemDTO]:
    with desk.uow() as uow:
        return supervision.batch_items(uow, batch_id, today)


def batch(desk: Desk, batch_id: int) -> BatchDTO:
    with desk.uow() as uow:
        return supervision.get_batch(uow, batch_id)


# ---------------------------------------------------------------- creating


def test_create_batch_resolves_known_address_and_creates_new_site(sd: Desk) -> None:
    known = site_of(sd, "江西路153号")
    sites_before = count(sd, Site)
    b = sd.create_batch(
        Kind.PATROL, 3, ISSUED,
        [
            ItemInput("江西路153号", problem="楼道堆物", category="乱堆杂物", deadline=DUE, unit="珠海路环卫站"),
            ItemInput(" 澄海路200号 ", community="澄海路社区", problem="占道经营", category="09006", deadline=DUE),
        ],
        issuer="街道城市管理办公室", title="巡查通报",
    )  # fmt: skip
    assert (b.kind, b.kind_label, b.year, b.issue_no, b.issued_on) == ("patrol", "巡查", 2026, 3, ISSUED)
    assert (b.items, b.closed, b.all_closed, b.issuer, b.title) == (2, 0, False, "街道城市管理办公室", "巡查通报")
    assert b.label == "2026年第3期巡查"
    assert count(sd, Site) == sites_before + 1
    new = site_of(sd, "澄海路200号")  # stripped
    first, second = items(sd, b.id, ISSUED)
    assert (first.site_id, first.address, first.community) == (known.id, "江西路153号", JX)
    assert (first.category, first.problem, first.deadline, first.unit) == ("乱堆杂物", "楼道堆物", DUE, "珠海路环卫站")
    assert (first.status, first.closed_on, first.listing_id, first.deferred) == ("open", None, None, False)
    assert (second.site_id, second.community, second.category, second.unit) == (new.id, CH, "占道经营", None)
    assert [b.id for b in sd.batches()] == [b.id]


def test_same_address_in_two_communities_needs_the_community(sd: Desk) -> None:
    sd.add_site("同名路1号", "江西路社区")
    theirs = sd.add_site("同名路1号", "澄海路社区").row.id
    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.create_batch(Kind.PATROL, 1, ISSUED, [ItemInput("同名路1号")])
    assert "第1处" in err.value.message and "多个社区" in err.value.message and "同名路1号" in err.value.message
    assert table_dump(sd.engine) == before
    b = sd.create_batch(Kind.PATROL, 1, ISSUED, [ItemInput("同名路1号", community="澄海路社区")])
    assert [i.site_id for i in items(sd, b.id, ISSUED)] == [theirs]


GOOD = [
    ItemInput("江西路153号", problem="堆物", deadline=DUE),
    ItemInput("江西路201号", community="江西路社区", problem="新点位", deadline=DUE),  # creates a site
]
BAD: list[tuple[ItemInput, tuple[str, ...]]] = [
    (ItemInput("江西路153号", deadline=ISSUED - dt.timedelta(days=1)), ("早于下发日期", "2026-11-01", "2026-11-02")),
    (ItemInput("   ", community="江西路社区"), ("缺少地址",)),
    (ItemInput("", community="江西路社区"), ("缺少地址",)),
    (ItemInput("江西路153号", category="不存在的类别"), ("未知的问题类别", "不存在的类别")),
    (ItemInput("无名路1号"), ("需要注明所属社区", "无名路1号")),
    (ItemInput("新路1号", community="青岛路社区"), ("青岛路社区",)),
]


@pytest.mark.parametrize(("bad", "words"), BAD, ids=[w[0] for _, w in BAD])
def test_a_bad_third_item_refuses_the_whole_batch(sd: Desk, bad: ItemInput, words: tuple[str, ...]) -> None:
    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.create_batch(Kind.PATROL, 1, ISSUED, [*GOOD, bad])
    if "青岛路社区" not in words:  # an unknown community is named, not the row
        assert "第3处" in err.value.message
    for w in words:
        assert w in err.value.message
    assert table_dump(sd.engine) == before  # not the batch, not the 2 good items, not the new site
    ok = sd.create_batch(Kind.PATROL, 1, ISSUED, GOOD)  # the same 期 is still free
    assert ok.items == 2


def test_add_items_numbers_rows_after_the_existing_ones(sd: Desk) -> None:
    b = sd.create_batch(Kind.PATROL, 1, ISSUED, GOOD)
    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.add_items(b.id, [ItemInput("江西路153号"), ItemInput("无名路9号")])
    assert "第4处" in err.value.message
    assert table_dump(sd.engine) == before
    ids = sd.add_items(b.id, [ItemInput("江西路153号", problem="再次发现")])
    assert len(ids) == 1 and batch(sd, b.id).items == 3
    with pytest.raises(NotFound):
        sd.add_items(9999, [ItemInput("江西路153号")])


def test_issue_number_unique_per_kind_and_year(sd: Desk) -> None:
    sd.create_batch(Kind.PATROL, 1, ISSUED, [GOOD[0]])
    before = table_dump(sd.engine)
    for issued in (ISSUED, dt.date(2026, 1, 5), dt.date(2026, 12, 31)):
        with pytest.raises(InputRefused) as err:
            sd.create_batch(Kind.PATROL, 1, issued, [GOOD[0]])
        assert "2026年巡查第1期已存在" in err.value.message
    with pytest.raises(InputRefused) as err:
        sd.create_batch(Kind.PATROL, 0, ISSUED)
    assert "期号" in err.value.message
    assert table_dump(sd.engine) == before
    other_kind = sd.create_batch(Kind.FOOT_PATROL, 1, ISSUED, [GOOD[0]])
    other_year = sd.create_batch(Kind.PATROL, 1, dt.date(2025, 12, 31), [GOOD[0]])
    assert (other_kind.kind, other_kind.issue_no, other_year.year, other_year.issue_no) == ("foot_patrol", 1, 2025, 1)
    assert count(sd, SupervisionBatch) == 3


# ---------------------------------------------------------------- closing


def test_close_item_once_and_batch_closes_with_its_last_item(sd: Desk) -> None:
    b = sd.create_batch(Kind.PATROL, 1, ISSUED, GOOD)
    first, second = (i.id for i in items(sd, b.id, ISSUED))
    done = sd.close_item(first, dt.date(2026, 11, 10))
    assert (done.status, done.closed_on) == ("closed", dt.date(2026, 11, 10))
    assert (batch(sd, b.id).closed, batch(sd, b.id).all_closed) == (1, False)

    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.close_item(first, dt.date(2026, 11, 12))
    assert "2026-11-10" in err.value.message and "不能重复办结" in err.value.message
    with pytest.raises(InputRefused) as err:
        sd.close_item(second, dt.date(2026, 11, 1))
    assert "早于下发日期" in err.value.message and "2026-11-01" in err.value.message
    with pytest.raises(NotFound):
        sd.close_item(9999, dt.date(2026, 11, 10))
    with pytest.raises(InputRefused, match="在将来"):
        sd.close_item(second, dt.date.today() + dt.timedelta(days=2))
    assert table_dump(sd.engine) == before

    sd.close_item(second, ISSUED)  # on the issue date itself is fine
    after = batch(sd, b.id)
    assert (after.items, after.closed, after.all_closed) == (2, 2, True)
    assert [x.id for x in sd.batches(BatchFilter(status="closed"))] == [b.id]
    assert sd.batches(BatchFilter(status="open")) == []


def test_an_empty_batch_is_not_closed(sd: Desk) -> None:
    b = sd.create_batch(Kind.OTHER, 1, ISSUED)
    assert (b.items, b.closed, b.all_closed) == (0, 0, False)


# ---------------------------------------------------------------- 挂牌督办: the item is the listing


def raw_item(desk: Desk, item_id: int) -> SupervisionItem:
    with desk.uow() as uow:
        row = uow.session.get(SupervisionItem, item_id)
        assert row is not None
        uow.session.expunge(row)
    return row


def test_listed_batch_creates_one_listing_per_item(sd: Desk) -> None:
    listings_before = count(sd, Listing)
    b = sd.create_batch(
        Kind.LISTED, 2, ISSUED,
        [
            ItemInput("江西路153号", problem="院内私搭棚厦", category="私搭乱建", deadline=DUE, unit="珠海路环卫站"),
            ItemInput("澄海路9号", community="澄海路社区", problem="毁绿种菜", category="06045",
                      deadline=dt.date(2026, 12, 1)),
        ],
    )  # fmt: skip
    assert count(sd, Listing) == listings_before + 2
    first, second = items(sd, b.id, ISSUED)
    with sd.uow() as uow:
        listings = {
            li.id: (li.site_id, li.issue_no, li.listed_on, li.deadline, li.problem, li.status)
            for li in uow.session.scalars(select(Listing))
        }
    for dto, problem, deadline in ((first, "院内私搭棚厦", DUE), (second, "毁绿种菜", dt.date(2026, 12, 1))):
        assert dto.listing_id is not None
        assert listings[dto.listing_id] == (dto.site_id, 2, ISSUED, deadline, problem, Status.LISTED.value)
        row = raw_item(sd, dto.id)
        assert (row.listing_id, row.deadline, row.problem, row.category_id) == (dto.listing_id, None, None, None)
        assert (dto.deadline, dto.problem, dto.status) == (deadline, problem, "open")
    assert (first.category, second.category, first.unit) == ("私搭乱建", "非法占绿毁绿", "珠海路环卫站")

    # one record: a change to the listing is what the item shows
    with sd.uow() as uow:
        li = uow.session.get(Listing, first.listing_id)
        assert li is not None
        li.problem, li.deadline = "棚厦已部分拆除", dt.date(2026, 11, 25)
        uow.commit()
    again = items(sd, b.id, ISSUED)[0]
    assert (again.problem, again.deadline) == ("棚厦已部分拆除", dt.date(2026, 11, 25))
    assert again.overdue is False
    assert item(sd, first.id, dt.date(2026, 11, 26)).overdue is True


def test_listed_item_closes_with_its_listing(sd: Desk) -> None:
    b = sd.create_batch(Kind.LISTED, 1, ISSUED, [ItemInput("江西路153号", problem="堆物", deadline=DUE),
                                                 ItemInput("江西路202号", community="江西路社区", deadline=DUE)])
    first, second = items(sd, b.id, ISSUED)
    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.close_item(first.id, dt.date(2026, 11, 10))
    assert "随挂牌办结" in err.value.message and "验收通过" in err.value.message
    assert table_dump(sd.engine) == before

    for action, on in ((Action.START, 3), (Action.SUBMIT, 8), (Action.ACCEPT, 10)):
        sd.change_status(first.site_id, action=action, on=dt.date(2026, 11, on))
        assert batch(sd, b.id).closed == (1 if action == Action.ACCEPT else 0)
    closed = item(sd, first.id, dt.date(2026, 11, 29))
    assert (closed.status, closed.closed_on, closed.overdue) == ("closed", dt.date(2026, 11, 10), False)
    assert raw_item(sd, first.id).status == "open"  # nothing copied: the listing says closed
    assert batch(sd, b.id).all_closed is False
    for action in (Action.START, Action.SUBMIT, Action.ACCEPT):
        sd.change_status(second.site_id, action=action, on=dt.date(2026, 11, 12))
    assert batch(sd, b.id).all_closed is True
    assert [x.id for x in sd.batches(BatchFilter(kind=Kind.LISTED, status="closed"))] == [b.id]
    # a rebound reopens the listing, and with it the item and the batch
    sd.change_status(second.site_id, action=Action.REBOUND, on=dt.date(2026, 11, 20))
    assert (batch(sd, b.id).closed, item(sd, second.id, DUE).status) == (1, "open")


def test_a_site_with_an_open_listing_cannot_be_listed_again(sd: Desk) -> None:
    sd.create_batch(Kind.LISTED, 1, ISSUED, [ItemInput("江西路153号", deadline=DUE)])
    before = table_dump(sd.engine)
    with pytest.raises(InputRefused) as err:
        sd.create_batch(Kind.LISTED, 2, ISSUED, [ItemInput("江西路203号", community="江西路社区"),
                                                 ItemInput("江西路153号", deadline=DUE)])
    assert "第2处" in err.value.message and "重复挂牌" in err.value.message
    assert table_dump(sd.engine) == before


# ---------------------------------------------------------------- listing batches


def test_list_batches_filters_and_counts(sd: Desk) -> None:
    jx = ItemInput("江西路153号", deadline=DUE)
    ch = ItemInput("澄海路1号", community="澄海路社区", deadline=DUE)
    old = sd.create_batch(Kind.PATROL, 1, dt.date(2026, 10, 1), [jx, jx])
    mixed = sd.create_batch(Kind.PATROL, 2, dt.date(2026, 11, 2), [jx, ch, ch])
    foot = sd.create_batch(Kind.FOOT_PATROL, 1, dt.date(2026, 11, 10), [ch])
    for i in items(sd, old.id, ISSUED):
        sd.close_item(i.id, dt.date(2026, 10, 5))
    ch_first = items(sd, mixed.id, ISSUED)[1]
    sd.close_item(ch_first.id, dt.date(2026, 11, 5))

    def ids(**kw: object) -> list[int]:
        return [b.id for b in sd.batches(BatchFilter(**kw))]  # type: ignore[arg-type]

    assert ids() == [foot.id, mixed.id, old.id]  # newest first
    assert ids(kind=Kind.PATROL) == [mixed.id, old.id]
    assert ids(kind=Kind.OTHER) == []
    assert ids(status="closed") == [old.id]
    assert ids(status="open") == [foot.id, mixed.id]
    assert ids(date_from=dt.date(2026, 11, 2)) == [foot.id, mixed.id]  # inclusive
    assert ids(date_to=dt.date(2026, 11, 2)) == [mixed.id, old.id]
    assert ids(date_from=dt.date(2026, 10, 2), date_to=dt.date(2026, 11, 9)) == [mixed.id]
    by_id = {b.id: b for b in sd.batches(BatchFilter(community="澄海路社区"))}
    assert sorted(by_id) == sorted([mixed.id, foot.id])
    assert (by_id[mixed.id].items, by_id[mixed.id].closed) == (2, 1)  # only its 澄海路 items
    assert (by_id[foot.id].items, by_id[foot.id].closed) == (1, 0)
    jx_only = {b.id: b for b in sd.batches(BatchFilter(community=JX))}
    assert (jx_only[mixed.id].items, jx_only[mixed.id].closed, jx_only[mixed.id].all_closed) == (1, 0, False)
    assert ids(community="江西路社区", status="closed") == [old.id]
    assert ids(community="澄海路社区", status="closed", kind=Kind.PATROL) == []
    every = {b.id: (b.items, b.closed) for b in sd.batches()}
    assert [every[b] for b in (old.id, mixed.id, foot.id)] == [(2, 2), (3, 1), (1, 0)]
    with pytest.raises(NotFound):
        sd.batches(BatchFilter(community="青岛路社区"))


# ---------------------------------------------------------------- 缓办


def test_set_deferred_takes_an_item_out_of_overdue(sd: Desk) -> None:
    b = sd.create_batch(Kind.PATROL, 1, ISSUED, [ItemInput("江西路153号", deadline=DUE)])
    (it,) = items(sd, b.id, ISSUED)
    late = DUE + dt.timedelta(days=1)
    assert item(sd, it.id, late).overdue is True
    assert item(sd, it.id, DUE).overdue is False  # due today is not yet overdue
    dto = sd.set_deferred(it.id, True)
    assert dto.deferred is True
    assert (item(sd, it.id, late).deferred, item(sd, it.id, late).overdue) == (True, False)
    assert sd.set_deferred(it.id, False).deferred is False
    assert item(sd, it.id, late).overdue is True
    with pytest.raises(NotFound):
        sd.set_deferred(9999, True)


# ---------------------------------------------------------------- pasted rows


def test_parse_paste() -> None:
    text = "\n".join(
        [
            "江西路1号\t楼道堆物\t2026-12-01\t珠海路环卫站\t江西路社区",
            "",
            "   ",
            "澄海路2号\t占道经营",
            "汕头路3号\t积存垃圾\t2026-13-01",
            "\t无地址的问题\t2026-12-01",
            "善化路4号\t2026-12-01",
            "江西路5号\t毁绿\t２０２６年１２月５日",
            "江西路6号\t毁绿\t2026.12.6\t\t",
        ]
    )
    rows = parse_paste(text, default_community="澄海路社区")
    assert [r.line for r in rows] == [1, 4, 5, 6, 7, 8, 9]
    ok = {r.line: r.item for r in rows if r.error is None}
    bad = {r.line: r.error for r in rows if r.error is not None}
    assert sorted(ok) == [1, 4, 8, 9] and sorted(bad) == [5, 6, 7]
    assert all(r.item is None for r in rows if r.error is not None)
    assert ok[1] == ItemInput("江西路1号", "江西路社区", "楼道堆物", None, dt.date(2026, 12, 1), "珠海路环卫站")
    assert ok[4] == ItemInput("澄海路2号", "澄海路社区", "占道经营", None, None, None)  # the default community
    assert ok[8] is not None and ok[8].deadline == dt.date(2026, 12, 5)  # full-width digits
    assert ok[9] is not None and (ok[9].deadline, ok[9].unit, ok[9].community) == (dt.date(2026, 12, 6), None,
                                                                                  "澄海路社区")  # fmt: skip
    assert bad[5] is not None and "第5行" in bad[5] and "2026-13-01" in bad[5]
    assert bad[6] == "第6行：缺少地址"
    assert bad[7] is not None and "第7行" in bad[7] and "第2列像是日期" in bad[7] and "整改时限" in bad[7]
    assert {r.line: r.text for r in rows}[7] == "善化路4号\t2026-12-01"
    assert parse_paste("") == [] and parse_paste("\n\n") == []
