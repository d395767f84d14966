"""Roles enforced in the services (issue 12): every writing use case names the action it requires, and
every role trying every use case it must not use is refused (Forbidden, naming the role and the action),
each refusal audited, the data otherwise unchanged; staff bound to a community stay inside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry
from tests.support import ADMIN_PASSWORD, TODAY, signed_in, table_dump
from zhdesk.desk import Desk
from zhdesk.domain.roles import ACTIONS, ROLE_LABELS, allowed, refusal
from zhdesk.dto import SiteFilter
from zhdesk.errors import Forbidden
from zhdesk.services.authz import required_action

# Read use cases that are guarded all the same (the brief: accounts, the audit trail, backups).
GUARDED_READS = {"list_users": "accounts.manage", "list_audit": "audit.view", "backup": "backup.run"}


def test_every_writing_use_case_requires_an_action() -> None:
    cases = Desk.use_cases()
    missing = [name for name, uc in cases.items() if uc.writes and required_action(uc.fn) is None]
    assert missing == [], f"writing use cases without @requires: {missing}"
    for name, action in GUARDED_READS.items():
        assert required_action(cases[name].fn) == action, name
    for name, uc in cases.items():
        action = required_action(uc.fn)
        assert action is None or action in ACTIONS, (name, action)


def _denied(desk: Desk) -> int:
    with desk.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(AuditEntry.action == "auth.denied")).scalar_one())


def _without_audit(dump: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {k: v for k, v in dump.items() if k != "audit_entry"}


@pytest.fixture
def acc_demo(any_demo_desk: Desk) -> Iterator[Desk]:
    """The demo on each engine in accounts mode, signed in as an administrator, with one account of each
    other role (staff bound to the first community)."""
    desk = any_demo_desk
    if desk.auth_mode() == "local":
        desk.enable_accounts("admin", "admin", ADMIN_PASSWORD)
    signed_in(desk)
    community = desk.communities()[0].name
    desk.add_user("lingdao", "领导甲", "leader", ADMIN_PASSWORD)
    desk.add_user("bianzhi", "编制乙", "preparer", ADMIN_PASSWORD)
    desk.add_user("gongzuo", "工作丙", "staff", ADMIN_PASSWORD, community)
    yield desk


def _as(desk: Desk, login: str) -> Desk:
    other = Desk(desk.engine)
    other.sign_in(login, ADMIN_PASSWORD)
    return other


def test_every_role_is_refused_every_use_case_it_must_not_use(acc_demo: Desk) -> None:
    before = table_dump(acc_demo.engine)
    denied_before = _denied(acc_demo)
    refusals = 0
    for login, role in (("lingdao", "leader"), ("bianzhi", "preparer"), ("gongzuo", "staff")):
        desk = _as(acc_demo, login)
        for name, uc in Desk.use_cases().items():
            action = required_action(uc.fn)
            if action is None or allowed(role, action):
                continue
            with pytest.raises(Forbidden) as caught:
                getattr(desk, name)()  # no arguments: the check comes first
            assert caught.value.message == refusal(role, action), name
            assert ROLE_LABELS[role] in caught.value.message
            refusals += 1
        with pytest.raises(Forbidden):
            desk.disable_accounts()
        refusals += 1
        assert not desk.can("accounts.manage")
    assert refusals > 60
    assert _denied(acc_demo) - denied_before == refusals
    assert _without_audit(table_dump(acc_demo.engine)) == _without_audit(before)
    entry = acc_demo.list_audit(action="auth.denied", limit=1)[0]
    assert entry.action_label == "越权操作被拒绝" and entry.detail["use_case"] and entry.detail["required"]


def test_leader_adds_notes_only(acc_demo: Desk) -> None:
    leader = _as(acc_demo, "lingdao")
    sid = leader.list_sites(SiteFilter(listed_only=True), today=TODAY)[0].id
    note = leader.add_event(sid, "note", TODAY, text="请尽快整改", confirmed=True, today=TODAY)
    assert note.kind == "note"
    leader.edit_event(note.id, text="请本周内整改", today=TODAY)
    with pytest.raises(Forbidden) as caught:
        leader.add_event(sid, "inspection", TODAY, text="检查", confirmed=True, today=TODAY)
    assert caught.value.message == refusal("leader", "events.edit")
    with pytest.raises(Forbidden):
        leader.edit_event(note.id, kind="inspection", today=TODAY)
    assert leader.can("comments.add") and leader.can("briefs.write") and not leader.can("events.edit")


def test_staff_bound_to_a_community_stays_inside_it(acc_demo: Desk) -> None:
    staff = _as(acc_demo, "gongzuo")
    own = staff.me().community
    assert own is not None
    rows = staff.list_sites(SiteFilter(), today=TODAY)
    mine = next(r for r in rows if r.community == own)
    theirs = next(r for r in rows if r.community != own)
    ev = staff.add_event(mine.id, "inspection", TODAY, text="本社区检查", confirmed=True, today=TODAY)
    assert ev.kind == "inspection"
    before = _denied(acc_demo)
    dump = table_dump(acc_demo.engine)
    with pytest.raises(Forbidden) as caught:
        staff.add_event(theirs.id, "inspection", TODAY, text="越界", confirmed=True, today=TODAY)
    assert own in caught.value.message and theirs.community in caught.value.message
    with pytest.raises(Forbidden):
        staff.add_photos(theirs.id, [])
    other_photo = next((p for p in acc_demo.photos(theirs.id)), None)
    if other_photo is not None:
        with pytest.raises(Forbidden):
            staff.delete_photo(other_photo.id)
    # a tally batch reaching other communities cannot be undone by this account
    batch = next(b for b in staff.tally_batches() if b.undone_at is None)
    with pytest.raises(Forbidden, match="限定在"):
        staff.tally_undo(batch.id)
    assert _denied(acc_demo) > before
    assert _without_audit(table_dump(acc_demo.engine)) == _without_audit(dump)
    # an event of another community's site, written by an admin, is out of reach too
    admin_ev = acc_demo.add_event(theirs.id, "note", TODAY, text="管理员备注", confirmed=True, today=TODAY)
    with pytest.raises(Forbidden):
        staff.delete_event(admin_ev.id)


def test_local_mode_refuses_nothing(sqlite_demo_desk: Desk) -> None:
    """Local mode is a one-person SQLite install (a new PostgreSQL database starts in accounts mode)."""
    demo_desk = sqlite_demo_desk
    assert demo_desk.auth_mode() == "local" and demo_desk.can("accounts.manage")
    assert demo_desk.list_audit(limit=1) is not None
    assert demo_desk.set_warning_days(5) == 5
    assert demo_desk.me().role == "admin" and demo_desk.list_users()[0].role == "admin"
