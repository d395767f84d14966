"""Timeline services against a real SQLite file: adding, date checks, actors, order, audited edit and
soft delete, who may change what, workflow events, and the demo's timelines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from db.models import AuditEntry, EventActor, Person, TimelineEvent, Unit, User
from db.uow import UnitOfWork
from tests.support import ADMIN_PASSWORD, TODAY, table_dump
from zhdesk.desk import Desk
from zhdesk.domain.vocab import EVENT_KINDS, PHASES
from zhdesk.domain.workflow import Action
from zhdesk.dto import ContactInput, EventDTO, ListingInput
from zhdesk.errors import Conflict, InputRefused, NotFound, UsageError
from zhdesk.services import timeline

FIVE = ("江西路153号", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院")
MILITARY = ("善化路18号院", "善化路19号院")
LISTED_ON = dt.date(2026, 11, 1)


def site_id(desk: Desk, address: str) -> int:
    (row,) = [r for r in desk.list_sites(today=TODAY) if r.address == address]
    return row.id


def new_listed_site(desk: Desk, address: str = "测试路1号") -> int:
    sid = desk.add_site(address, "江西路社区").row.id
    desk.list_site(
        sid,
        ListingInput(
            listed_on=LISTED_ON, deadline=dt.date(2026, 12, 31), problem="乱堆杂物",
            contacts=(ContactInput("lead", person="王主任"),),
        ),
    )  # fmt: skip
    return sid


def uow_as(desk: Desk, login: str) -> UnitOfWork:
    """A unit of work by `login`. Local mode (SQLite) creates users on first use; accounts mode
    (PostgreSQL) needs an account signed in: alice is an administrator, the others staff."""
    if desk.auth_mode() != "accounts":
        return UnitOfWork(desk.engine, login)
    if login not in {u.login for u in desk.list_users()}:
        desk.add_user(login, login, "admin" if login == "alice" else "staff", ADMIN_PASSWORD)
    return UnitOfWork(desk.engine, login, signed_in=True)


def add(desk: Desk, sid: int, kind: str, on: dt.date, login: str | None = None, **kw: object) -> EventDTO:
    with uow_as(desk, login) if login else desk.uow() as uow:
        return timeline.add_event(uow, sid, kind, on, today=TODAY, **kw)  # type: ignore[arg-type]


def edit(desk: Desk, event_id: int, login: str, **kw: object) -> EventDTO:
    with uow_as(desk, login) as uow:
        return timeline.edit_event(uow, event_id, today=TODAY, **kw)  # type: ignore[arg-type]


def delete(desk: Desk, event_id: int, login: str, expected_version: int | None = None) -> None:
    with uow_as(desk, login) as uow:
        timeline.delete_event(uow, event_id, expected_version)


def audits(desk: Desk, action: str) -> list[tuple[str, int | None, dict[str, object]]]:
    with desk.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.user_login, AuditEntry.entity_id, AuditEntry.detail)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [(login, eid, json.loads(detail or "{}")) for login, eid, detail in rows]


@pytest.fixture
def two_users(demo_desk: Desk) -> Desk:
    """alice is the database's first user, hence its administrator; bob comes second, staff."""
    with uow_as(demo_desk, "alice") as uow:
        assert timeline.current_user(uow).role == "admin"
        uow.commit()
    with uow_as(demo_desk, "bob") as uow:
        assert timeline.current_user(uow).role == "staff"
        uow.commit()
    return demo_desk


# ---------------------------------------------------------------- adding


KINDS = [("inspection", "inspection"), ("现场检查", "inspection"), ("约谈", "interview"), (" follow_up ", "follow_up"),
         ("回头看", "follow_up")]  # fmt: skip


@pytest.mark.parametrize(("kind", "code"), KINDS)
def test_add_event_with_kind_code_or_chinese_name(demo_desk: Desk, kind: str, code: str) -> None:
    sid = site_id(demo_desk, "江西路153号")
    ev = add(demo_desk, sid, kind, TODAY, text="  楼道堆物已清理  ", at=dt.time(14, 30))
    assert (ev.kind, ev.kind_label, ev.date, ev.time, ev.text) == (
        code, EVENT_KINDS[code], TODAY, dt.time(14, 30), "楼道堆物已清理",
    )  # fmt: skip
    assert ev.author == demo_desk.user_login
    with demo_desk.engine.connect() as conn:
        row = conn.execute(select(TimelineEvent).where(TimelineEvent.id == ev.id)).one()
    assert (row.kind, row.occurred_on, row.site_id, row.deleted) == (code, TODAY, sid, False)
    assert row.listing_id is not None  # tied to the site's current listing
    (entry,) = audits(demo_desk, "event.add")
    assert entry[1] == ev.id and entry[2]["kind"] == code


def test_unknown_kind(demo_desk: Desk) -> None:
    before = table_dump(demo_desk.engine)
    with pytest.raises(UsageError) as err:
        add(demo_desk, site_id(demo_desk, "江西路153号"), "巡查", TODAY)
    assert "巡查" in err.value.message and "inspection(现场检查)" in err.value.message
    assert table_dump(demo_desk.engine) == before


def test_unknown_site(demo_desk: Desk) -> None:
    with pytest.raises(NotFound):
        add(demo_desk, 9999, "note", TODAY)


def test_date_before_the_listing_is_refused_unless_confirmed(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    before = table_dump(demo_desk.engine)
    with pytest.raises(InputRefused) as err:
        add(demo_desk, sid, "inspection", LISTED_ON - dt.timedelta(days=1))
    assert "2026-10-31" in err.value.message and "2026-11-01" in err.value.message and "早于" in err.value.message
    assert table_dump(demo_desk.engine) == before
    assert add(demo_desk, sid, "inspection", LISTED_ON).date == LISTED_ON  # the day itself is fine
    early = add(demo_desk, sid, "inspection", dt.date(2026, 9, 1), confirmed=True)
    assert early.date == dt.date(2026, 9, 1)


def test_unlisted_site_has_no_lower_bound(demo_desk: Desk) -> None:
    ev = add(demo_desk, site_id(demo_desk, "江西路121号"), "note", dt.date(2020, 1, 1), text="历史情况")
    assert (ev.date, ev.listing_id) == (dt.date(2020, 1, 1), None)


def test_future_dates(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    before = table_dump(demo_desk.engine)
    with pytest.raises(InputRefused) as err:
        add(demo_desk, sid, "inspection", TODAY + dt.timedelta(days=2))
    assert "2026-12-01" in err.value.message and "将来" in err.value.message and TODAY.isoformat() in err.value.message
    assert table_dump(demo_desk.engine) == before
    assert add(demo_desk, sid, "inspection", TODAY + dt.timedelta(days=1)).date == dt.date(2026, 11, 30)
    assert add(demo_desk, sid, "note", dt.date(2027, 3, 1), confirmed=True).date == dt.date(2027, 3, 1)


def test_actors_matched_to_people_and_units_else_kept_by_name(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    ev = add(demo_desk, sid, "inspection", TODAY, actors=["李明远", " 珠海路环卫站 ", "", "  ", "物业公司张经理"])
    assert ev.actors == ("李明远", "珠海路环卫站", "物业公司张经理")
    with demo_desk.engine.connect() as conn:
        rows = conn.execute(
            select(EventActor.name, Person.name, Unit.name)
            .outerjoin(Person, Person.id == EventActor.person_id)
            .outerjoin(Unit, Unit.id == EventActor.unit_id)
            .where(EventActor.event_id == ev.id)
            .order_by(EventActor.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("李明远", "李明远", None),
        ("珠海路环卫站", None, "珠海路环卫站"),
        ("物业公司张经理", None, None),
    ]


# ---------------------------------------------------------------- listing


def test_timeline_in_date_order_untimed_last_deleted_hidden(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    day = dt.date(2026, 11, 10)
    late = add(demo_desk, sid, "action", day, at=dt.time(15, 0), text="下午")
    untimed = add(demo_desk, sid, "note", day, text="当天，未记时间")
    early = add(demo_desk, sid, "inspection", day, at=dt.time(9, 0), text="上午")
    early2 = add(demo_desk, sid, "interview", day, at=dt.time(9, 0), text="上午，后录入")
    before = add(demo_desk, sid, "inspection", dt.date(2026, 11, 5), text="更早的一天")
    gone = add(demo_desk, sid, "note", dt.date(2026, 11, 6), text="录错了")
    delete(demo_desk, gone.id, demo_desk.user_login)
    events = demo_desk.timeline(sid)
    assert events[0].kind == "listed"
    assert [e.id for e in events[1:]] == [before.id, early.id, early2.id, late.id, untimed.id]
    assert gone.id not in [e.id for e in events]


# ---------------------------------------------------------------- who may change what


def test_actors_only_edit_is_a_new_audited_version(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    ev = add(desk, sid, "inspection", TODAY, "bob", text="初查", actors=["刘海峰"])
    edited = edit(desk, ev.id, "bob", actors=["孙丽萍"], expected_version=ev.version)
    assert (edited.actors, edited.version) == (("孙丽萍",), ev.version + 1)
    (entry,) = audits(desk, "event.edit")
    assert (entry[2]["before"]["actors"], entry[2]["after"]["actors"]) == (["刘海峰"], ["孙丽萍"])
    same = edit(desk, ev.id, "bob", text="初查", expected_version=edited.version)
    assert same.version == edited.version  # nothing changed: no new version, no audit line
    assert len(audits(desk, "event.edit")) == 1


def test_author_edits_own_event_and_the_audit_keeps_before_and_after(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    ev = add(desk, sid, "inspection", TODAY, "bob", text="初查", actors=["刘海峰"])
    assert (ev.author, ev.version) == ("bob", 1)
    edited = edit(desk, ev.id, "bob", kind="回头看", text="复查：已整改", on=TODAY - dt.timedelta(days=1),
                  at=dt.time(10, 0), actors=["孙丽萍", "珠海路环卫站"], expected_version=1)  # fmt: skip
    assert (edited.kind, edited.text, edited.date, edited.time) == (
        "follow_up", "复查：已整改", TODAY - dt.timedelta(days=1), dt.time(10, 0),
    )  # fmt: skip
    assert edited.actors == ("孙丽萍", "珠海路环卫站")
    assert edited.version == ev.version + 1  # one edit, one new version
    (entry,) = audits(desk, "event.edit")
    login, eid, detail = entry
    assert (login, eid) == ("bob", ev.id)
    assert detail["before"] == {
        "kind": "inspection", "date": TODAY.isoformat(), "time": None, "text": "初查", "actors": ["刘海峰"],
    }  # fmt: skip
    assert detail["after"] == {
        "kind": "follow_up", "date": "2026-11-28", "time": "10:00:00", "text": "复查：已整改",
        "actors": ["孙丽萍", "珠海路环卫站"],
    }  # fmt: skip
    with desk.engine.connect() as conn:
        names = conn.execute(select(EventActor.name).where(EventActor.event_id == ev.id)).scalars().all()
    assert sorted(names) == sorted(["孙丽萍", "珠海路环卫站"])  # the old actor is replaced, not kept


def test_another_staff_user_may_not_edit_or_delete(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    alices = add(desk, sid, "inspection", TODAY, "alice", text="管理员录入")
    with uow_as(desk, "carol") as uow:  # a third user: staff too
        assert timeline.current_user(uow).role == "staff"
        uow.commit()
    bobs = add(desk, sid, "note", TODAY, "bob", text="bob 录入")
    before = table_dump(desk.engine)
    for login, event_id in (("bob", alices.id), ("carol", bobs.id)):
        with pytest.raises(InputRefused) as err:
            edit(desk, event_id, login, text="改掉")
        assert "录入人或管理员" in err.value.message
        with pytest.raises(InputRefused):
            delete(desk, event_id, login)
    assert table_dump(desk.engine) == before


def test_admin_may_edit_and_delete_others_events(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    bobs = add(desk, sid, "note", TODAY, "bob", text="bob 录入")
    assert edit(desk, bobs.id, "alice", text="管理员更正").text == "管理员更正"
    assert edit(desk, bobs.id, "alice", text="管理员更正").author == "bob"  # the author stays bob
    delete(desk, bobs.id, "alice")
    assert bobs.id not in [e.id for e in desk.timeline(sid)]
    assert [(login, eid) for login, eid, _ in audits(desk, "event.delete")] == [("alice", bobs.id)]


def test_delete_hides_and_the_row_and_audit_keep_what_it_said(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    ev = add(desk, sid, "interview", TODAY, "bob", text="约谈产权人，下达告知书", actors=["刘海峰"])
    delete(desk, ev.id, "bob", expected_version=1)
    assert ev.id not in [e.id for e in desk.timeline(sid)]
    with desk.engine.connect() as conn:
        row = conn.execute(select(TimelineEvent).where(TimelineEvent.id == ev.id)).one()
        actors = conn.execute(select(EventActor.name).where(EventActor.event_id == ev.id)).scalars().all()
    assert (row.deleted, row.text, row.kind) == (True, "约谈产权人，下达告知书", "interview")
    assert actors == ["刘海峰"]
    ((login, eid, detail),) = audits(desk, "event.delete")
    assert (login, eid) == ("bob", ev.id)
    assert detail["before"]["text"] == "约谈产权人，下达告知书"  # type: ignore[index]
    for again in (lambda: edit(desk, ev.id, "bob", text="x"), lambda: delete(desk, ev.id, "bob")):
        with pytest.raises(NotFound):
            again()


def test_stale_version_is_a_conflict_and_writes_nothing(two_users: Desk) -> None:
    desk = two_users
    sid = site_id(desk, "江西路153号")
    ev = add(desk, sid, "note", TODAY, "bob", text="第一版")
    first = edit(desk, ev.id, "alice", text="管理员先改了", expected_version=1)  # someone else got there first
    before = table_dump(desk.engine)
    with pytest.raises(Conflict) as err:
        edit(desk, ev.id, "bob", text="第二版", expected_version=1)
    assert "刷新" in err.value.message
    with pytest.raises(Conflict):
        delete(desk, ev.id, "bob", expected_version=1)
    assert table_dump(desk.engine) == before
    again = edit(desk, ev.id, "bob", text="第二版", expected_version=first.version)  # after a refresh
    assert again.version > first.version


def test_edited_date_is_checked_too(two_users: Desk) -> None:
    desk = two_users
    sid = new_listed_site(desk)
    ev = add(desk, sid, "note", TODAY, "bob")
    before = table_dump(desk.engine)
    for on in (LISTED_ON - dt.timedelta(days=1), TODAY + dt.timedelta(days=2)):
        with pytest.raises(InputRefused):
            edit(desk, ev.id, "bob", on=on)
    assert table_dump(desk.engine) == before
    assert edit(desk, ev.id, "bob", on=dt.date(2026, 10, 1), confirmed=True).date == dt.date(2026, 10, 1)


def test_status_change_records_its_event_with_an_author(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    demo_desk.change_status(sid, action=Action.START, note="执法中队进场", on=dt.date(2026, 11, 3))
    demo_desk.change_status(sid, action=Action.SUBMIT, on=dt.date(2026, 11, 20))
    events = demo_desk.timeline(sid)
    assert [(e.kind, e.date, e.text, e.author) for e in events] == [
        ("listed", LISTED_ON, "乱堆杂物", demo_desk.user_login),
        ("action", dt.date(2026, 11, 3), "开始整改：执法中队进场", demo_desk.user_login),
        ("acceptance_request", dt.date(2026, 11, 20), "申请验收", demo_desk.user_login),
    ]
    with demo_desk.engine.connect() as conn:
        (user,) = conn.execute(select(User.login, User.role)).all()
    assert tuple(user) == (demo_desk.user_login, "admin")


# ---------------------------------------------------------------- the demo's timelines


def test_demo_timelines_have_events_photos_and_the_military_units(demo_desk: Desk) -> None:
    for address in FIVE:
        sid = site_id(demo_desk, address)
        events = demo_desk.timeline(sid)
        pics = demo_desk.photos(sid)
        assert len(events) >= 3, address
        assert len(pics) >= 2, address
        assert [e.date for e in events] == sorted(e.date for e in events)
        assert events[0].kind == "listed"
        assert {e.kind for e in events} <= set(EVENT_KINDS)
        by_id = {e.id: e for e in events}
        for p in pics:
            assert p.event_id in by_id, (address, p.id)
            assert p.taken_at is not None and p.taken_at.date() == by_id[p.event_id].date, (address, p.id)
            assert p.id in by_id[p.event_id].photo_ids
        assert sorted(i for e in events for i in e.photo_ids) == sorted(p.id for p in pics)
        assert {p.phase for p in pics} <= set(PHASES)
        if address in MILITARY:
            said = " ".join(" ".join((e.text or "", *e.actors)) for e in events)
            assert "区退役军人事务局" in said and "北部战区海军保障部直属保障队" in said, address
            actors = {a for e in events for a in e.actors}
            assert actors & {"区退役军人事务局", "北部战区海军保障部直属保障队"}, address
