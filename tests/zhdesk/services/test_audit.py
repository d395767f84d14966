"""The audit trail (issue 12, item 2): append-only in the database itself, before/after for edits, the
filtered query and `zhdesk audit` — real SQLite files, the CLI in a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError  # SQLite: IntegrityError; PostgreSQL: ProgrammingError (42501)

from db.engine import sqlite_url
from db.models import AuditEntry
from db.uow import UnitOfWork
from tests.support import TODAY, as_user, assert_error, assert_ok, demo_database, dump, table_dump, zhdesk
from tests.zhdesk.services.test_services import new_listed_site
from zhdesk.desk import Desk
from zhdesk.domain.workflow import Status
from zhdesk.errors import InputRefused
from zhdesk.services import directory, sites
from zhdesk.services.audit import ACTION_LABELS, audit


def _path(desk: Desk) -> str:
    path = desk.engine.url.database
    assert path is not None
    return path


def _site(desk: Desk, address: str) -> int:
    (row,) = [r for r in desk.list_sites(today=TODAY) if r.address == address]
    return row.id


# ---------------------------------------------------------------- append-only


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_entry SET user_login = 'someone_else'",
        "UPDATE audit_entry SET detail = NULL WHERE id = 1",
        "DELETE FROM audit_entry WHERE id = 1",
        "DELETE FROM audit_entry",
    ],
)
def test_raw_sqlite_update_and_delete_refused(sqlite_demo_desk: Desk, sql: str) -> None:
    # SQLite only: the file opened with the sqlite3 module, no SQLAlchemy (tests/db/test_pg_smoke.py: PG)
    demo_desk = sqlite_demo_desk
    before = table_dump(demo_desk.engine)
    assert before["audit_entry"], "the demo writes audit entries"
    demo_desk.engine.dispose()
    conn = sqlite3.connect(_path(demo_desk))
    try:
        with pytest.raises(sqlite3.IntegrityError, match="audit_entry is append-only"):
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    assert table_dump(demo_desk.engine) == before


def test_sqlalchemy_update_and_delete_refused(demo_desk: Desk) -> None:
    before = table_dump(demo_desk.engine)
    attempts = [
        lambda uow: uow.session.execute(update(AuditEntry).values(action="x")),
        lambda uow: uow.session.execute(delete(AuditEntry)),
        lambda uow: uow.session.execute(text("DELETE FROM audit_entry WHERE id = 1")),
    ]
    for attempt in attempts:
        with pytest.raises(DBAPIError, match="append-only"), UnitOfWork(demo_desk.engine) as uow:
            attempt(uow)
            uow.commit()
    # the ORM: an entry loaded, changed or deleted, and flushed
    for change in ("edit", "delete"):
        with pytest.raises(DBAPIError, match="append-only"), UnitOfWork(demo_desk.engine) as uow:
            entry = uow.session.scalars(select(AuditEntry).limit(1)).one()
            if change == "edit":
                entry.detail = "{}"
            else:
                uow.session.delete(entry)
            uow.commit()
    assert table_dump(demo_desk.engine) == before


def test_adding_entries_still_works(demo_desk: Desk) -> None:
    n = len(table_dump(demo_desk.engine)["audit_entry"])
    with UnitOfWork(demo_desk.engine, "alice") as uow:
        audit(uow, "test.add", "site", 1, note="ok")
        uow.commit()
    assert len(table_dump(demo_desk.engine)["audit_entry"]) == n + 1


# ---------------------------------------------------------------- who, when, what, before/after


def test_site_edit_records_who_when_before_and_after(demo_desk: Desk) -> None:
    sid = _site(demo_desk, "江西路121号")
    old = demo_desk.get_site(sid, today=TODAY)
    start = dt.datetime.now().replace(microsecond=0)
    alice = as_user(demo_desk, "alice", "preparer")  # on PostgreSQL an account signed in
    try:
        with alice.uow() as uow:
            sites.edit_site(uow, sid, "江西路121号甲", old.row.community, old.row.kind, "后门进")
    finally:
        alice.close()
    (entry,) = demo_desk.list_audit(action="site.edit")
    assert (entry.user_login, entry.action, entry.action_label, entry.entity, entry.entity_id) == (
        "alice", "site.edit", "编辑点位", "site", sid,
    )  # fmt: skip
    assert start <= entry.at <= dt.datetime.now()
    assert entry.detail["before"] == {
        "address": "江西路121号", "community": old.row.community, "kind": old.row.kind, "note": old.note,
    }  # fmt: skip
    assert entry.detail["after"] == {
        "address": "江西路121号甲", "community": old.row.community, "kind": old.row.kind, "note": "后门进",
    }  # fmt: skip


def test_status_setting_and_directory_edits_have_before_and_after(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    demo_desk.change_status(sid, to=Status.RECTIFYING, on=dt.date(2026, 11, 2))
    (st,) = demo_desk.list_audit(action="listing.status", limit=1)
    assert (st.detail["before"]["status"], st.detail["after"]["status"]) == ("listed", "rectifying")  # type: ignore[index]

    old_days = demo_desk.warning_days()
    demo_desk.set_warning_days(old_days + 1)
    (s,) = demo_desk.list_audit(action="修改设置", limit=1)
    assert s.detail["after"] == {"value": str(old_days + 1)}
    assert s.detail["before"] in ({"value": None}, {"value": str(old_days)})

    p = demo_desk.save_person(None, "测试人", title="科员", unit="城管中队", phone="1")
    demo_desk.save_person(p.id, "测试人", title="科长", unit="城管中队", phone="2")
    (pe,) = demo_desk.list_audit(action="person.edit")
    assert pe.detail["before"] == {"name": "测试人", "title": "科员", "unit": "城管中队", "phone": "1"}
    assert pe.detail["after"] == {"name": "测试人", "title": "科长", "unit": "城管中队", "phone": "2"}

    u = demo_desk.save_unit(None, "测试单位", "110")
    demo_desk.save_unit(u.id, "测试单位二", "110")
    (ue,) = demo_desk.list_audit(action="unit.edit")
    assert (ue.detail["before"], ue.detail["after"]) == (
        {"name": "测试单位", "phone": "110"}, {"name": "测试单位二", "phone": "110"},
    )  # fmt: skip


def test_refused_edit_writes_no_audit(demo_desk: Desk) -> None:
    before = table_dump(demo_desk.engine)
    with pytest.raises(InputRefused):
        demo_desk.set_warning_days(-5)
    with pytest.raises(InputRefused), UnitOfWork(demo_desk.engine) as uow:
        directory.save_person(uow, None, "  ")
    assert table_dump(demo_desk.engine) == before


# ---------------------------------------------------------------- the query


def _entries(desk: Desk) -> None:
    """Entries at known times, by known users (inserting is what the trail allows)."""
    rows = [
        (dt.datetime(2026, 1, 1, 9, 0), "alice", "site.add"),
        (dt.datetime(2026, 1, 2, 23, 59, 59), "bob", "site.edit"),
        (dt.datetime(2026, 1, 3, 0, 0), "alice", "site.edit"),
        (dt.datetime(2026, 1, 4, 12, 0), "carol", "mystery.thing"),
    ]
    with UnitOfWork(desk.engine) as uow:
        uow.session.add_all(
            AuditEntry(at=at, user_login=who, action=what, entity="site", entity_id=i, detail=json.dumps({"n": i}))
            for i, (at, who, what) in enumerate(rows, 1)
        )
        uow.commit()


def test_filters_newest_first(desk: Desk) -> None:
    _entries(desk)
    ids = lambda **kw: [e.entity_id for e in desk.list_audit(**kw)]  # noqa: E731
    assert ids(until=dt.date(2026, 1, 4)) == [4, 3, 2, 1]
    assert ids(since=dt.date(2026, 1, 2), until=dt.date(2026, 1, 2)) == [2]  # a whole day, both ends
    assert ids(since=dt.date(2026, 1, 3), until=dt.date(2026, 1, 4)) == [4, 3]
    assert ids(user="alice", until=dt.date(2026, 1, 31)) == [3, 1]
    assert ids(action="site.edit") == [3, 2]
    assert ids(action="编辑点位") == [3, 2]
    assert ids(action="site.edit", user="bob") == [2]
    assert ids(until=dt.date(2026, 1, 31), limit=2) == [4, 3]
    assert ids(user="nobody") == []
    (unknown,) = desk.list_audit(action="mystery.thing")
    assert (unknown.action_label, unknown.detail) == ("mystery.thing", {"n": 4})  # an unknown code shows as is
    with pytest.raises(InputRefused):
        desk.list_audit(limit=0)
    with pytest.raises(InputRefused):
        desk.list_audit(since=dt.date(2026, 1, 5), until=dt.date(2026, 1, 1))


def test_every_action_the_app_writes_has_a_label() -> None:
    src = Path(__file__).resolve().parents[3] / "zhdesk"
    import re

    written = set()
    for f in src.rglob("*.py"):
        written |= set(re.findall(r'audit\(\s*uow,\s*"([a-z_]+\.[a-z_]+)"', f.read_text(encoding="utf-8")))
        written |= set(re.findall(r'action = "([a-z_]+\.[a-z_]+)"', f.read_text(encoding="utf-8")))
    assert written and written <= set(ACTION_LABELS), written - set(ACTION_LABELS)


# ---------------------------------------------------------------- the CLI


def test_cli_audit_json_and_table_on_the_demo(tmp_path: Path) -> None:
    url = sqlite_url(demo_database(tmp_path / "demo.db", dt.date.today()))
    r = zhdesk("audit", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    lines = [json.loads(line) for line in r.out.splitlines()]
    assert lines and any(e["action"] == "demo.load" and e["action_label"] == "载入演示数据" for e in lines)
    assert [e["id"] for e in lines] == sorted((e["id"] for e in lines), reverse=True)
    assert set(lines[0]) == {"id", "at", "user_login", "action", "action_label", "entity", "entity_id", "detail"}

    r = zhdesk("audit", "--action", "demo.load", "--limit", "1", db=url, cwd=tmp_path)
    assert_ok(r)
    header, row = r.out.splitlines()
    assert header.split() == ["时间", "用户", "操作", "对象", "详情"] and "载入演示数据" in row

    r = zhdesk("audit", "--user", "nobody", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    assert r.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "2021-13-01"),
        ("--since", "昨天"),
        ("--until", "2021-02-30"),
        ("--since", "2026-02-01", "--until", "2026-01-01"),
        ("--limit", "many"),
        ("--limit", "0"),
    ],
)
def test_cli_audit_bad_arguments_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = sqlite_url(tmp_path / "t.db")
    assert_ok(zhdesk("audit", db=url, cwd=tmp_path))
    before = dump(url)
    assert_error(zhdesk("audit", *args, db=url, cwd=tmp_path), 2)
    assert dump(url) == before


def test_every_audited_table_has_a_chinese_name() -> None:
    """操作日志's 对象 column: every entity a service audits is shown in Chinese, not as a table name."""
    import re

    from zhdesk.dto import ENTITY_LABELS

    root = Path(__file__).resolve().parents[3] / "zhdesk"
    used = {
        m.group(1)
        for f in root.rglob("*.py")
        for m in re.finditer(r'audit\(\s*\w+,\s*"[a-z_.]+",\s*"([a-z_]+)"', f.read_text(encoding="utf-8"))
    }
    assert {"site", "user", "timeline_event"} <= used  # the scan finds the calls
    assert used <= set(ENTITY_LABELS), sorted(used - set(ENTITY_LABELS))
