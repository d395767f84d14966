"""The test server works: a database opens at head on both engines, and the audit trail is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from zhdesk.desk import Desk


def test_a_database_opens_at_head_and_lists_nothing(any_desk: Desk) -> None:
    assert any_desk.engine.dialect.name in ("sqlite", "postgresql")
    with any_desk.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM site")).scalar_one() == 0


def test_audit_trail_refuses_update_and_delete_on_both_engines(any_demo_desk: Desk) -> None:
    with any_demo_desk.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() > 0
    for sql in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), any_demo_desk.engine.begin() as conn:
            conn.execute(text(sql))
    if any_demo_desk.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), any_demo_desk.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_entry"))


def test_the_partial_indexes_are_partial_on_both_engines(any_desk: Desk) -> None:
    """The migrations make them partial; the models agree once an engine of that kind exists (PostgreSQL's
    WHERE is attached by db/engine.make_engine, so a SQLite desktop never loads the PostgreSQL dialect)."""
    from sqlalchemy.schema import CreateIndex

    from db.models import PARTIAL_INDEXES, Base

    engine = any_desk.engine
    if engine.dialect.name == "postgresql":
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = :n"
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name = :n"
    indexes = {i.name: i for t in Base.metadata.tables.values() for i in t.indexes}
    for name, where in PARTIAL_INDEXES.items():
        with engine.connect() as conn:
            _, made = conn.execute(text(sql), {"n": name}).one()
        ddl = str(CreateIndex(indexes[name]).compile(dialect=engine.dialect))
        assert "WHERE" in made and "WHERE" in ddl, (made, ddl)
        assert where.split()[0] in made and ddl.endswith(where), (made, ddl)
