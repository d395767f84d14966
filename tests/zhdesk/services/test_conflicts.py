"""Optimistic locking: a write from a stale view is a Conflict naming the other person's change (who, when,
what), and writes nothing; on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.support import as_user, signed_in, table_dump
from zhdesk.desk import Desk
from zhdesk.dto import SiteFilter
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
    assert renamed.value.by == "wangwu"
