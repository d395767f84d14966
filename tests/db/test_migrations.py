"""Migrating an empty database to head gives exactly the models' schema; the engine is tuned."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from db import migrate
from db.engine import make_engine, sqlite_url
from db.models import Base


def test_head_matches_models(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.db"))
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    engine.dispose()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.db"))
    assert migrate.upgrade(engine) is True
    assert migrate.upgrade(engine) is False
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "p.db"))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_check_constraints_hold(tmp_path: Path) -> None:
    """The database itself refuses a status outside the workflow, not only the services."""

    engine = make_engine(sqlite_url(tmp_path / "c.db"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO community (id, name, is_sample, sort_order) VALUES (1, 'c', 0, 0)"))
        conn.execute(text(
            "INSERT INTO site (id, address, kind, community_id, military, created_at, version) "
            "VALUES (1, 'a', 'compound', 1, 0, '2021-01-01 00:00:00', 1)"
        ))  # fmt: skip
    with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO listing (site_id, listed_on, status, rework_count, rebound_count, version) "
            "VALUES (1, '2021-01-01', 'done', 0, 0, 1)"
        ))  # fmt: skip
    with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO listing (site_id, listed_on, status, rework_count, rebound_count, version) "
            "VALUES (99, '2021-01-01', 'listed', 0, 0, 1)"
        ))  # fmt: skip
    engine.dispose()
