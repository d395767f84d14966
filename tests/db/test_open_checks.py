"""Storage-level guarantees behind opening: atomic upgrades, the head read without Alembic, PostgreSQL
timeouts, race-safe first user."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from db import migrate
from db.engine import StorageError, _postgresql_args, make_engine, parse_url, sqlite_url
from db.models import User
from db.uow import UnitOfWork
from zhdesk.errors import StorageProblem
from zhdesk.services.common import current_user


def test_head_and_known_revisions_match_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {r.revision for r in script.walk_revisions()}


def test_a_failing_migration_writes_nothing(tmp_path: Path) -> None:
    """0001 creates `photo` last: a clash there must roll back every table created before it."""
    path = tmp_path / "clash.db"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE photo (anything TEXT)"))
    with pytest.raises(StorageError, match="photo"):
        migrate.upgrade(engine)
    with engine.connect() as conn:
        names = {n for (n,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
    assert names == {"photo"}


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "h.db")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    code = (
        "import sys\nfrom zhdesk.desk import Desk\n"
        f"d = Desk.open({url!r}); d.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_bare_postgresql_url_uses_psycopg_with_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("postgresql+psycopg2://u@h/d").drivername == "postgresql+psycopg2"
    monkeypatch.setenv("ZHDESK_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("ZHDESK_STATEMENT_TIMEOUT", "7")
    engine = make_engine("postgresql://u@127.0.0.1:1/d")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()
    args = _postgresql_args(parse_url("postgresql://u@h/d?options=-c%20search_path%3Dzh"))
    assert args == {"connect_timeout": 3, "options": "-c search_path=zh -c statement_timeout=7000"}
    monkeypatch.delenv("ZHDESK_CONNECT_TIMEOUT")
    monkeypatch.delenv("ZHDESK_STATEMENT_TIMEOUT")
    assert _postgresql_args(parse_url("postgresql://u@h/d")) == {
        "connect_timeout": 5, "options": "-c statement_timeout=60000"
    }  # fmt: skip


def test_a_new_login_inserted_meanwhile_by_another_command_is_reused(tmp_path: Path) -> None:
    """The race of issue 7 item 13, made deterministic: another process commits the same new login
    between this command's lookup and its insert."""
    url = sqlite_url(tmp_path / "u.db")
    engine = make_engine(url)
    migrate.upgrade(engine)
    other = make_engine(url)
    fired: list[str] = []

    def meanwhile(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO APP_USER") and not fired:
            fired.append(statement)
            with other.begin() as c:
                c.execute(text("INSERT INTO app_user (login, display_name, role) VALUES ('newcomer', 'n', 'admin')"))

    event.listen(engine, "before_cursor_execute", meanwhile)
    with UnitOfWork(engine, "newcomer") as uow:
        user = current_user(uow)
        uow.commit()
    assert fired
    with engine.connect() as conn:
        rows = conn.execute(select(User.login, User.role)).all()
    engine.dispose()
    other.dispose()
    assert user.login == "newcomer"
    assert rows == [("newcomer", "admin")]


def test_first_user_is_admin_then_staff(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "r.db"))
    migrate.upgrade(engine)
    for login in ("first", "second", "first"):
        with UnitOfWork(engine, login) as uow:
            current_user(uow)
            uow.commit()
    with engine.connect() as conn:
        assert conn.execute(select(User.login, User.role).order_by(User.id)).all() == [
            ("first", "admin"), ("second", "staff")
        ]  # fmt: skip
    engine.dispose()


def test_a_unit_of_work_refusing_writes_reads_but_never_writes(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "ro.db"))
    migrate.upgrade(engine)

    def refuse() -> Exception:
        return StorageProblem("数据库文件已损坏")

    with UnitOfWork(engine, "x", refuse_writes=refuse) as uow:
        assert uow.session.scalars(select(User)).all() == []
        uow.session.add(User(login="x", display_name="x", role="staff"))
        with pytest.raises(StorageProblem):
            uow.session.flush()
    with UnitOfWork(engine, "x", refuse_writes=refuse) as uow, pytest.raises(StorageProblem):
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(select(User)).all() == []
    engine.dispose()


def test_the_schema_check_at_open_is_one_query_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: a database at head is checked with one query (its version row), not a table listing too."""
    import sqlite3

    path = tmp_path / "one.db"
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    seen: list[str] = []
    real_connect = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[call-overload]
        conn.set_trace_callback(seen.append)  # records what the real connection runs
        return conn  # type: ignore[no-any-return]

    monkeypatch.setattr(sqlite3, "connect", connect)
    found = migrate.inspect_sqlite_file(path)
    assert found.revision == migrate.head_revision() and found.damaged is None
    queries = [s for s in seen if not s.upper().startswith("PRAGMA")]  # query_only, and the integrity check
    assert queries == [f"SELECT version_num FROM {migrate.VERSION_TABLE}"]


def test_a_foreign_sqlite_file_is_still_refused_by_its_tables(tmp_path: Path) -> None:
    """Without a version table the table listing still decides: a foreign database is refused unchanged."""
    path = tmp_path / "foreign.db"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER)"))
    engine.dispose()
    with pytest.raises(StorageError, match="orders"):
        migrate.inspect_sqlite_file(path)
    empty_version = tmp_path / "empty_version.db"
    engine = make_engine(sqlite_url(empty_version))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {migrate.VERSION_TABLE} (version_num VARCHAR(32))"))
        conn.execute(text("CREATE TABLE orders (id INTEGER)"))
    engine.dispose()
    with pytest.raises(StorageError, match="orders"):
        migrate.inspect_sqlite_file(empty_version)


def test_the_schema_check_at_open_is_one_query_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    with engine.connect():
        pass  # the dialect's first-connect queries (server version, …) are not the check's
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: seen.append(statement))
    assert migrate.peek_revision(engine) == migrate.head_revision()
    engine.dispose()
    assert [s for s in seen if not s.upper().startswith(("BEGIN", "ROLLBACK", "SET"))] == [
        f"SELECT version_num FROM {migrate.VERSION_TABLE}"
    ]
