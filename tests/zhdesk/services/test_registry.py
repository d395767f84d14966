"""The registry services (issue 9 item 2): duplicate addresses, 编辑点位, 延期, 包案领导, 通讯录, 社区."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from db.models import AuditEntry, TimelineEvent
from tests.support import TODAY, table_dump
from zhdesk.desk import Desk
from zhdesk.dto import ContactInput, ListingInput
from zhdesk.errors import Conflict, InputRefused

LEAD = ContactInput("lead", person="王主任", title="街道副主任", phone="13800000001")


def refused(desk: Desk, call: Callable[[], object], *words: str) -> str:
    before = table_dump(desk.engine)
    with pytest.raises(InputRefused) as err:
        call()
    assert table_dump(desk.engine) == before
    for w in words:
        assert w in err.value.message, err.value.message
    assert "\n" not in err.value.message
    return err.value.message


def site_id(desk: Desk, address: str) -> int:
    (row,) = [r for r in desk.list_sites(today=TODAY) if r.address == address]
    return row.id


# ---------------------------------------------------------------- duplicate addresses


@pytest.mark.parametrize("typed", ["江西路１５３号", "江西路 153号", "江西路153号院", "江西路153号。"])
def test_same_place_in_the_same_community_is_refused_naming_the_site(demo_desk: Desk, typed: str) -> None:
    sid = site_id(demo_desk, "江西路153号")
    refused(demo_desk, lambda: demo_desk.add_site(typed, "江西路社区"), "江西路153号", f"编号 {sid}", "江西路社区")
    assert [s.id for s in demo_desk.similar_sites(typed)] == [sid]


def test_18hao_yuan_is_18hao(demo_desk: Desk) -> None:
    refused(demo_desk, lambda: demo_desk.add_site("善化路１８号", "善化路社区"), "善化路18号院")


def test_similar_sites_offers_other_communities_too(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    similar = demo_desk.similar_sites("江西路１５３号院")
    assert [(s.id, s.community) for s in similar] == [(sid, "江西路社区（示例）")]
    assert demo_desk.similar_sites("   ") == []
    assert demo_desk.similar_sites("江西路999号") == []


def test_edit_site_changes_fields_and_refuses_a_duplicate(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路121号")
    d = demo_desk.get_site(sid)
    out = demo_desk.edit_site(sid, " 江西路121号院 ", "澄海路社区", "street", "后门", d.site_version)
    assert (out.row.address, out.row.community, out.row.kind, out.note) == (
        "江西路121号院",
        "澄海路社区（示例）",
        "street",
        "后门",
    )
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "江西路121号", "澄海路社区", "street", None, d.site_version),
            "修改")  # stale version  # fmt: skip
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "澄海路２２号", "澄海路社区", "street", None), "澄海路22号")
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "  ", "澄海路社区", "street", None), "点位地址不能为空")
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "x" * 200, "澄海路社区", "street", None), "过长")
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "a\x07b", "澄海路社区", "street", None), "控制字符")
    refused(demo_desk, lambda: demo_desk.edit_site(sid, "新地址", "不存在社区", "street", None), "不存在社区")
    # its own address, re-saved, is no duplicate of itself
    demo_desk.edit_site(sid, "江西路121号院", "澄海路社区", "compound", None)
    with demo_desk.engine.connect() as c:
        assert c.scalar(select(AuditEntry.id).where(AuditEntry.action == "site.edit")) is not None


def test_stale_edit_is_a_conflict(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路121号")
    v = demo_desk.get_site(sid).site_version
    demo_desk.edit_site(sid, "江西路121号", "江西路社区", "compound", "一", v)
    with pytest.raises(Conflict):
        demo_desk.edit_site(sid, "江西路121号", "江西路社区", "compound", "二", v)


# ---------------------------------------------------------------- 包案领导 and 延期


def test_listing_needs_a_lead(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路121号")
    unit_only = ListingInput(TODAY, TODAY + dt.timedelta(days=30), contacts=(ContactInput("unit", unit="城管中队"),))
    refused(demo_desk, lambda: demo_desk.list_site(sid, unit_only), "挂牌督办需要填写包案领导")
    refused(demo_desk, lambda: demo_desk.list_site(sid, ListingInput(TODAY, None)), "包案领导")
    d = demo_desk.list_site(sid, ListingInput(TODAY, None, contacts=(LEAD,)))
    assert d.current is not None and d.current.contacts[0].person == "王主任"


def listed(desk: Desk) -> int:
    sid = site_id(desk, "江西路121号")
    desk.list_site(sid, ListingInput(dt.date(2026, 11, 1), dt.date(2026, 11, 30), contacts=(LEAD,)))
    return sid


def test_extend_moves_the_deadline_records_and_counts(demo_desk: Desk) -> None:
    sid = listed(demo_desk)
    d = demo_desk.extend_deadline(sid, dt.date(2026, 12, 31), " 雨季施工受阻 ")
    assert d.current is not None
    assert d.current.deadline == dt.date(2026, 12, 31) and d.current.extension_count == 1
    d = demo_desk.extend_deadline(sid, dt.date(2027, 1, 15), "材料未到", d.current.version)
    assert d.current is not None and d.current.extension_count == 2
    events = [e for e in demo_desk.timeline(sid) if e.kind == "extended"]
    assert [e.kind_label for e in events] == ["延期", "延期"]
    assert "整改时限由 2026-11-30 延至 2026-12-31：雨季施工受阻" in {e.text for e in events}
    with demo_desk.engine.connect() as c:
        assert c.scalar(select(AuditEntry.id).where(AuditEntry.action == "listing.extend")) is not None
        assert c.scalar(select(TimelineEvent.id).where(TimelineEvent.kind == "extended")) is not None


def test_extend_refusals_write_nothing(demo_desk: Desk) -> None:
    sid = listed(demo_desk)
    refused(demo_desk, lambda: demo_desk.extend_deadline(sid, dt.date(2026, 12, 31), "   "), "延期理由不能为空")
    refused(demo_desk, lambda: demo_desk.extend_deadline(sid, dt.date(2026, 11, 30), "理由"), "应晚于", "2026-11-30")
    refused(demo_desk, lambda: demo_desk.extend_deadline(sid, dt.date(2026, 10, 1), "理由"), "早于挂牌日期")
    refused(demo_desk, lambda: demo_desk.extend_deadline(sid, dt.date(2026, 12, 31), "理由", 999), "其他人修改")
    refused(demo_desk, lambda: demo_desk.extend_deadline(sid, dt.date(2026, 12, 31), "x\x00"), "延期理由")
    never = site_id(demo_desk, "江西路与福州南路交汇处")
    if demo_desk.get_site(never).current is None:
        refused(demo_desk, lambda: demo_desk.extend_deadline(never, dt.date(2026, 12, 31), "理由"), "没有未办结")


def test_extended_events_cannot_be_recorded_by_hand(demo_desk: Desk) -> None:
    sid = listed(demo_desk)
    refused(demo_desk, lambda: demo_desk.add_event(sid, "extended", TODAY, text="手工延期"), "延期")


# ---------------------------------------------------------------- 通讯录


def test_a_phone_changed_in_the_directory_shows_on_every_listing(demo_desk: Desk) -> None:
    a, b = site_id(demo_desk, "江西路121号"), site_id(demo_desk, "江西路与福州南路交汇处")
    for sid in (a, b):
        demo_desk.list_site(sid, ListingInput(TODAY, None, contacts=(LEAD,)))
    (wang,) = [p for p in demo_desk.people() if p.name == "王主任"]
    assert wang.listings == 2
    demo_desk.save_person(wang.id, "王主任", wang.title, wang.unit, "13999999999")
    for sid in (a, b):
        cur = demo_desk.get_site(sid).current
        assert cur is not None and cur.contacts[0].phone == "13999999999"


def test_people_and_units_add_edit_and_refuse(demo_desk: Desk) -> None:
    p = demo_desk.save_person(None, "李四", "科长", "新单位", "12345")
    assert (p.name, p.title, p.unit, p.phone, p.listings) == ("李四", "科长", "新单位", "12345", 0)
    assert any(u.name == "新单位" and u.people == 1 for u in demo_desk.units())
    refused(demo_desk, lambda: demo_desk.save_person(None, "李四", None, "新单位", None), "已有", "李四")
    refused(demo_desk, lambda: demo_desk.save_person(None, " ", None, None, None), "姓名不能为空")
    refused(demo_desk, lambda: demo_desk.save_person(None, "张三", None, None, "1" * 40), "电话过长")
    refused(demo_desk, lambda: demo_desk.delete_unit(next(u.id for u in demo_desk.units() if u.name == "新单位")),
            "1 名人员")  # fmt: skip
    demo_desk.delete_person(p.id)
    u = demo_desk.save_unit(None, "环卫站", "0311-1")
    refused(demo_desk, lambda: demo_desk.save_unit(None, "环卫站"), "已有单位")
    u = demo_desk.save_unit(u.id, "环卫所", "0311-2")
    assert (u.name, u.phone) == ("环卫所", "0311-2")
    demo_desk.delete_unit(u.id)
    sid = listed(demo_desk)
    assert sid
    (wang,) = [p for p in demo_desk.people() if p.name == "王主任"]
    refused(demo_desk, lambda: demo_desk.delete_person(wang.id), "1 个挂牌督办")


# ---------------------------------------------------------------- 社区


def test_communities_add_rename_delete(demo_desk: Desk) -> None:
    c = demo_desk.add_community("青岛路社区")
    refused(demo_desk, lambda: demo_desk.add_community(" 青岛路社区 "), "已存在")
    refused(demo_desk, lambda: demo_desk.add_community(""), "社区名称不能为空")
    assert demo_desk.rename_community(c.id, "青岛南路社区").name == "青岛南路社区"
    demo_desk.add_site("青岛南路1号", "青岛南路社区")
    used = next(u for u in demo_desk.community_uses() if u.id == c.id)
    refused(demo_desk, lambda: demo_desk.delete_community(used.id), "1 个点位", "不能删除")
    sample = next(u for u in demo_desk.community_uses() if u.is_sample)
    refused(demo_desk, lambda: demo_desk.delete_community(sample.id), "个点位")


def test_an_unused_sample_community_is_removable(desk: Desk) -> None:
    from db.models import Community

    with desk.uow() as uow:
        uow.session.add(Community(name="示范社区（示例）", is_sample=True, sort_order=1))
        uow.commit()
    (c,) = desk.community_uses()
    desk.delete_community(c.id)
    assert desk.community_uses() == []


def test_a_new_community_is_created_with_its_first_site_only_when_asked(desk: Desk) -> None:
    refused(desk, lambda: desk.add_site("东路1号", "东路社区"), "未知社区")
    d = desk.add_site("东路1号", "东路社区", "compound", None, True)
    assert d.row.community == "东路社区"
    assert [c.name for c in desk.communities()] == ["东路社区"]


def test_near_duplicates_already_there_stay_editable(demo_desk: Desk) -> None:
    from db.models import Site

    sid = site_id(demo_desk, "江西路153号")
    with demo_desk.uow() as uow:  # as an older database may hold them
        first = uow.session.get(Site, sid)
        assert first is not None
        twin = Site(address="江西路１５３号", community_id=first.community_id, kind="compound")
        uow.session.add(twin)
        uow.commit()
        twin_id = twin.id
    d = demo_desk.edit_site(twin_id, "江西路１５３号", "江西路社区", "compound", "旧库遗留")
    assert d.note == "旧库遗留"
    refused(demo_desk, lambda: demo_desk.edit_site(twin_id, "江西路１２１号", "江西路社区", "compound", None), "已存在")
