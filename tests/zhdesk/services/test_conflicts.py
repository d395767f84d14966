"""Optimistic locking: a write from a stale view is a Conflict naming the other person's change (who, when,
what), and writes nothing; on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.support import TODAY, as_user, signed_in, table_dump
from zhdesk.desk import Desk
from zhdesk.dto import Documents, ItemDTO, SiteFilter
from zhdesk.errors import Conflict, InputRefused


@pytest.fixture
def other(any_demo_desk: Desk) -> Iterator[Desk]:
    """A second workstation on the same database, used by 王五."""
    d = as_user(any_demo_desk, "wangwu")
    yield d
    d.close()


def _open_listing(desk: Desk) -> int:
    rows = desk.list_sites(SiteFilter(listed_only=True))
    return next(r.id for r in rows if r.status != "closed" and r.deadline is not None)


def test_stale_extension_names_the_other_change(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    sid = _open_listing(desk)
    seen = desk.get_site(sid).listings[-1]
    old = seen.deadline
    assert old is not None
    theirs = old + dt.timedelta(days=14)
    other.extend_deadline(sid, theirs, "王五延期", seen.version)
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        desk.extend_deadline(sid, old + dt.timedelta(days=7), "我的延期", seen.version)
    c = caught.value
    assert isinstance(c, InputRefused)
    assert c.by == "wangwu" and c.at is not None
    assert c.theirs["deadline"] == theirs.isoformat()
    assert f"整改时限：{old.isoformat()} → {theirs.isoformat()}" in c.message
    assert "wangwu" in c.message and "\n" not in c.message
    assert table_dump(desk.engine) == before
    # 用我的修改覆盖: the current version goes through
    now = desk.get_site(sid).listings[-1]
    desk.extend_deadline(sid, theirs + dt.timedelta(days=1), "我的延期", now.version)


def test_stale_site_edit(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    sid = _open_listing(desk)
    d = desk.get_site(sid)
    r = d.row
    other.edit_site(sid, r.address + "（东）", r.community, r.kind, "王五的备注", d.site_version)
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        desk.edit_site(sid, r.address, r.community, r.kind, "我的备注", d.site_version)
    assert caught.value.theirs["note"] == "王五的备注"
    assert "备注" in caught.value.message and "王五的备注" in caught.value.message
    assert table_dump(desk.engine) == before


def test_stale_event_edit(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    sid = _open_listing(desk)
    ev = desk.add_event(sid, "note", dt.date(2026, 11, 20), text="原文", confirmed=True)
    other_user = signed_in(Desk(other.engine, user_login=desk.user_login))  # the author may edit it
    other_user.edit_event(ev.id, text="对方改的", expected_version=ev.version)
    with pytest.raises(Conflict) as caught:
        desk.edit_event(ev.id, text="我改的", expected_version=ev.version)
    assert caught.value.theirs["text"] == "对方改的"
    with pytest.raises(Conflict):
        desk.delete_event(ev.id, ev.version)


def test_directory_and_community_compare_what_the_user_saw(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    p = desk.people()[0]
    seen = {"name": p.name, "title": p.title, "unit": p.unit, "phone": p.phone}
    other.save_person(p.id, p.name, p.title, p.unit, "13900000000", expected=seen)
    with pytest.raises(Conflict) as caught:
        desk.save_person(p.id, p.name, p.title, p.unit, "13800000000", expected=seen)
    assert "电话" in caught.value.message and "13900000000" in caught.value.message
    u = desk.units()[0]
    other.save_unit(u.id, u.name, "0791-1234567", expected={"name": u.name, "phone": u.phone})
    with pytest.raises(Conflict):
        desk.save_unit(u.id, u.name, "0791-7654321", expected={"name": u.name, "phone": u.phone})
    c = desk.community_uses()[0]
    other.rename_community(c.id, "王五社区", c.name)
    with pytest.raises(Conflict) as renamed:
        desk.rename_community(c.id, "我的社区", c.name)
    assert renamed.value.by == "wangwu" and f"名称：{c.name} → 王五社区" in renamed.value.message


def _open_item(desk: Desk) -> ItemDTO:
    """An open, not deferred 督办件 of the demo that is not a listing (those close with their listing)."""
    return next(
        i
        for b in desk.batches()
        for i in desk.batch_items(b.id)
        if i.listing_id is None and i.status == "open" and not i.deferred
    )


def _seen(item: ItemDTO) -> dict[str, object]:
    return {"status": item.status, "deferred": item.deferred}


def test_stale_item_close_and_deferral(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    item = _open_item(desk)
    other.set_deferred(item.id, True, expected=_seen(item))
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        desk.close_item(item.id, TODAY, expected=_seen(item))
    c = caught.value
    assert c.by == "wangwu" and c.theirs["deferred"] is True
    assert f"督办件“{item.address}”" in c.message and "缓办：否 → 是" in c.message
    with pytest.raises(Conflict):
        desk.set_deferred(item.id, False, expected=_seen(item))
    assert table_dump(desk.engine) == before
    # 用我的修改覆盖: what is there now goes through
    now = next(i for i in desk.batch_items(item.batch_id) if i.id == item.id)
    assert desk.close_item(item.id, TODAY, expected=_seen(now)).status == "closed"
    # a close by someone else: a Conflict naming it, not only 不能重复办结
    with pytest.raises(Conflict) as closed:
        other.set_deferred(item.id, False, expected=_seen(now))
    assert "状态" in closed.value.message and closed.value.by == desk.user_login


SETTERS: list[tuple[str, str, object, object, object]] = [
    # use case, reader, theirs, mine, label in the message
    ("set_warning_days", "warning_days", 9, 5, "临期提醒天数"),
    ("set_photo_max_mb", "photo_max_mb", 40, 60, "照片文件大小上限"),
    ("set_brief_title", "brief_title", "王五的简报", "我的简报", "简报标题"),
    ("set_brief_issuer", "brief_issuer", "王五的单位", "我的单位", "发文单位"),
    ("set_backup_keep", "backup_keep", 3, 12, "每日备份保留份数"),
]


@pytest.mark.parametrize(("setter", "reader", "theirs", "mine", "label"), SETTERS, ids=[s[0] for s in SETTERS])
def test_stale_setting_names_who_changed_it(
    any_demo_desk: Desk, other: Desk, setter: str, reader: str, theirs: object, mine: object, label: str
) -> None:
    desk = any_demo_desk
    seen = getattr(desk, reader)()
    getattr(other, setter)(theirs, expected=seen)
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        getattr(desk, setter)(mine, expected=seen)
    c = caught.value
    assert c.by == "wangwu" and c.at is not None and c.theirs["value"] == str(theirs)
    assert f"设置“{label}”" in c.message and f"→ {theirs}" in c.message and "\n" not in c.message
    assert table_dump(desk.engine) == before
    assert getattr(desk, setter)(mine, expected=getattr(desk, reader)()) == mine
    assert getattr(desk, reader)() == mine


def test_stale_documents(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    seen = desk.documents()
    other.set_documents(seen.issuer, seen.brief_title, "王五的通知单", expected=seen)
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        desk.set_documents("我的单位", seen.brief_title, seen.notice_title, expected=seen)
    assert "通知单标题" in caught.value.message and "王五的通知单" in caught.value.message
    assert table_dump(desk.engine) == before
    now = desk.documents()
    saved = desk.set_documents("我的单位", now.brief_title, now.notice_title, expected=now)
    assert saved == Documents("我的单位", now.brief_title, "王五的通知单")


def test_stale_metric_rename(any_demo_desk: Desk, other: Desk) -> None:
    desk = any_demo_desk
    m = desk.metrics()[0]
    seen = {"name": m.name, "unit": m.unit}
    other.save_metric(m.code, "王五的指标", m.unit, expected=seen)
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as caught:
        desk.save_metric(m.code, "我的指标", m.unit, expected=seen)
    assert caught.value.by == "wangwu" and f"名称：{m.name} → 王五的指标" in caught.value.message
    assert table_dump(desk.engine) == before
    now = {"name": "王五的指标", "unit": m.unit}
    assert desk.save_metric(m.code, "我的指标", m.unit, expected=now).name == "我的指标"
