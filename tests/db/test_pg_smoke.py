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
