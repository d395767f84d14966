"""Upgrades keep data (issue 12, item 6), on both engines: a database built at every earlier migration,
with realistic rows in every table it has, opened by the app (which upgrades it to head) still holds every
row with the same values, and the app reads it.

The revisions come from the versions folder (Alembic's own walk), so a migration added later is covered
without touching this file. A table this file has no realistic row for gets one filled by column type.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, func, select, text
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import make_engine
from db.models import Base
from tests.support import TODAY
from zhdesk.desk import Desk


def _earlier_revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    chain = [s.revision for s in script.walk_revisions()]  # head first
    return list(reversed(chain))[:-1]


PHOTO = bytes(range(256)) * 3 + b"\x00\xff\xd8 jpeg-ish"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()
AT = dt.datetime(2026, 3, 1, 9, 30, 15)

# Realistic rows by table (ids given, so they can be found again). Columns a revision lacks are dropped;
# columns it has that are not here are filled by type.
ROWS: dict[str, list[dict[str, Any]]] = {
    "community": [{"id": 1, "name": "江西路社区", "is_sample": False, "sort_order": 1}],
    "unit": [{"id": 1, "name": "珠海路街道城管中队", "phone": "0532-8000000"}],
    "person": [{"id": 1, "name": "张三", "title": "副主任", "phone": "13800000000", "unit_id": 1}],
    "app_user": [{"id": 1, "login": "admin", "display_name": "管理员", "role": "admin",
                  "password_hash": "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5", "disabled": False,
                  "failed_logins": 2, "locked_until": None, "community_id": 1, "created_at": AT}],
    "problem_category": [{"id": 500, "name": "升级测试类别", "std_code": None, "std_version": None, "active": True}],
    "site": [{"id": 1, "address": "江西路153号", "kind": "compound", "community_id": 1, "military": False,
              "note": "老旧小区", "created_at": AT, "version": 2}],
    "listing": [{"id": 1, "site_id": 1, "issue_no": 3, "listed_on": dt.date(2026, 1, 5),
                 "deadline": dt.date(2026, 2, 5), "category_id": 500, "problem": "私搭乱建", "status": "rectifying",
                 "closed_on": None, "rework_count": 1, "rebound_count": 0, "version": 3}],
    "responsibility": [{"id": 1, "listing_id": 1, "role": "lead", "person_id": 1, "unit_id": None},
                       {"id": 2, "listing_id": 1, "role": "unit", "person_id": None, "unit_id": 1}],
    "supervision_batch": [{"id": 1, "kind": "listed", "year": 2026, "issue_no": 3, "issued_on": dt.date(2026, 1, 5),
                           "issuer": "区城管委", "title": "第三期挂牌督办"}],
    "supervision_item": [{"id": 1, "batch_id": 1, "site_id": 1, "listing_id": 1, "category_id": 500,
                          "problem": "私搭乱建", "deadline": dt.date(2026, 2, 5), "unit_id": 1, "status": "open",
                          "deferred": False, "closed_on": None, "version": 1}],
    "timeline_event": [{"id": 1, "site_id": 1, "listing_id": 1, "kind": "inspection",
                        "occurred_on": dt.date(2026, 1, 10), "occurred_at": dt.time(14, 5), "text": "现场检查",
                        "author_id": 1, "deleted": False, "created_at": AT, "version": 1}],
    "event_actor": [{"id": 1, "event_id": 1, "person_id": 1, "unit_id": None, "name": "张三"}],
    "photo_blob": [{"sha256": PHOTO_SHA, "size": len(PHOTO), "mime": "image/jpeg", "data": PHOTO}],
    "photo": [{"id": 1, "site_id": 1, "event_id": 1, "sha256": PHOTO_SHA, "phase": "before", "taken_at": AT,
               "file_name": "整改前.jpg", "width": 640, "height": 480, "added_at": AT, "deleted": False}],
    "thumbnail": [{"sha256": PHOTO_SHA, "edge": 160, "data": b"\x89PNG thumb"}],
    "metric": [{"code": "upgrade_probe_tons", "name": "升级测试吨数", "unit": "吨", "sort_order": 99}],
    "metric_synonym": [{"key": "升级测试吨数", "text": "升级测试吨数", "metric_code": "upgrade_probe_tons",
                        "created_at": AT}],
    "import_batch": [{"id": 1, "file_name": "台账.xlsx", "file_sha256": "ab" * 32, "sheet": "明细台账",
                      "imported_at": AT, "user_id": 1, "row_count": 1, "note": None, "entry_count": 1,
                      "undone_at": None, "undone_by": None}],
    "tally_entry": [{"id": 1, "metric_code": "upgrade_probe_tons", "community_id": 1, "site_id": 1,
                     "period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 1, 31),
                     "value": Decimal("12.50"), "qualifier": "约", "import_batch_id": 1, "source_sheet": "明细台账",
                     "source_row": 3, "note": "备注", "source_column": "G", "site_text": "江西路153号",
                     "entered_by": None, "entered_at": None}],
    "audit_entry": [{"id": 1, "at": AT, "user_login": "admin", "action": "site.add", "entity": "site",
                     "entity_id": 1, "detail": '{"address": "江西路153号"}'},
                    {"id": 2, "at": AT, "user_login": "admin", "action": "setting.set", "entity": "setting",
                     "entity_id": None, "detail": None}],
    "brief_record": [{"id": 1, "issue_no": 7, "spec": '{"title": "简报"}', "path": "/tmp/简报.docx", "pages": 2,
                      "size_bytes": 12345, "made_at": AT, "made_by": "admin"}],
    "setting": [{"key": "warning_days", "value": "5"}, {"key": "upgrade_probe", "value": "保留"}],
}  # fmt: skip


def _by_type(table: Table, name: str, rows: dict[str, list[dict[str, Any]]]) -> Any:
    col = table.columns[name]
    for fk in col.foreign_keys:  # the first row of the referred table, when there is one
        parent = rows.get(fk.column.table.name)
        return parent[0].get(fk.column.name) if parent else None
    try:
        kind = col.type.python_type
    except NotImplementedError:
        return None
    length = getattr(col.type, "length", None) or 64
    values: dict[type, Any] = {
        str: "升级测试"[:length], bool: False, int: 7, Decimal: Decimal("1.50"), dt.datetime: AT,
        dt.date: AT.date(), dt.time: dt.time(8, 0), bytes: b"\x00\x01",
    }  # fmt: skip
    return values.get(kind)


def _insert(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Realistic rows in every table the database has at its revision; returns what went in."""
    meta = MetaData()
    meta.reflect(conn)
    order = [t.name for t in Base.metadata.sorted_tables if t.name in meta.tables]
    order += sorted(n for n in meta.tables if n not in order and n != migrate.VERSION_TABLE)
    written: dict[str, list[dict[str, Any]]] = {}
    for name in order:
        table = meta.tables[name]
        rows = []
        for given in ROWS.get(name, [{}]):
            row = {k: v for k, v in given.items() if k in table.columns}
            for col in table.columns:
                if col.name not in given:
                    row[col.name] = _by_type(table, col.name, written)
            rows.append(row)
        conn.execute(table.insert(), rows)
        written[name] = rows
    if conn.dialect.name == "postgresql":  # as if the app had written them: sequences past the ids
        for name in order:
            for col in meta.tables[name].primary_key.columns:
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": col.name}).scalar()
                if seq:
                    conn.execute(text(f"SELECT setval('{seq}', (SELECT max({col.name}) FROM {name}))"))
    return written


def _seeded(url: str) -> set[str]:
    """The tables the app fills when a database reaches head (reference data): their counts may grow."""
    desk = Desk.open(url)
    try:
        with desk.engine.connect() as conn:
            return {t.name for t in Base.metadata.sorted_tables
                    if conn.execute(select(func.count()).select_from(t)).scalar_one()}  # fmt: skip
    finally:
        desk.close()


@pytest.fixture(scope="module")
def seeded_tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[str]]:
    yield _seeded(f"sqlite:///{(tmp_path_factory.mktemp('seed') / 's.db').as_posix()}")


@pytest.mark.parametrize("revision", _earlier_revisions())
def test_upgrade_from_every_earlier_revision_keeps_every_row(any_url: str, revision: str,
                                                             seeded_tables: set[str]) -> None:  # fmt: skip
    engine = make_engine(any_url)
    with engine.connect() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
    with engine.connect() as conn:
        written = _insert(conn)
        if revision >= "0007" and not conn.execute(text("SELECT 1 FROM setting WHERE key = 'auth_mode'")).first():
            # a database made at 0007 or later with these users was set up in local mode (as 0007 upgrades one)
            conn.execute(text("INSERT INTO setting (key, value) VALUES ('auth_mode', 'local')"))
        conn.commit()
        counts = {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in written}
    engine.dispose()
    assert migrate.current_revision(make_engine(any_url)) == revision

    desk = Desk.open(any_url)  # the app's own path: upgrade to head, seed
    try:
        assert migrate.current_revision(desk.engine) == migrate.head_revision()
        with desk.engine.connect() as conn:
            for name, rows in written.items():
                table = Base.metadata.tables.get(name)
                if table is None:
                    continue  # a table a later revision dropped
                after = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                if name in seeded_tables:
                    assert after >= counts[name], name
                elif name == "setting" and revision < "0007":  # 0007 keeps an install with users local
                    mode = conn.execute(text("SELECT value FROM setting WHERE key = 'auth_mode'")).scalar_one()
                    assert (after, mode) == (counts[name] + 1, "local")
                else:
                    assert after == counts[name], f"{name}: {counts[name]} rows before the upgrade, {after} after"
                for row in rows:
                    key = [table.columns[c.name] == row[c.name] for c in table.primary_key.columns]
                    found = conn.execute(select(table).where(*key)).mappings().one_or_none()
                    assert found is not None, f"{name} row {row} lost in the upgrade from {revision}"
                    kept = {k: v for k, v in row.items() if k in table.columns}
                    assert {k: found[k] for k in kept} == kept, f"{name} changed in the upgrade from {revision}"
        sites = desk.list_sites(today=TODAY)
        assert [(s.address, s.community) for s in sites] == [("江西路153号", "江西路社区")]
        assert desk.dashboard(today=TODAY) is not None
        assert [e.id for e in desk.timeline(1)] == [1]
        assert desk.original(1) == PHOTO
    except DBAPIError as exc:  # a driver error names the failing statement: keep it in the failure
        pytest.fail(f"upgrade from {revision}: {exc}")
    finally:
        desk.close()
