"""Create or upgrade a database to the newest schema (Alembic, programmatic), and look at a SQLite file
read-only before anything may write to it.

Opening a database already at head needs no Alembic: the head is read from the version files and the
current revision with one query. An upgrade runs in one transaction under a lock (SQLite: BEGIN
IMMEDIATE; PostgreSQL: an advisory lock), re-checking the revision inside it, so parallel first starts
wait for each other and a failed migration leaves nothing behind.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import sqlite3
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from db.engine import BUSY_TIMEOUT_MS, StorageError, one_line

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
SQLITE_MAGIC = b"SQLite format 3\x00"
# PostgreSQL advisory lock key for migrations ("zhdesk" in ASCII, fits a bigint).
PG_LOCK_KEY = 0x7A6864657368
# quick_check reads the whole file (measured ~0.33 s for a 160 MB database, warm cache): run it at open
# up to this size; ZHDESK_QUICK_CHECK_MB changes it (0 = never).
QUICK_CHECK_ENV = "ZHDESK_QUICK_CHECK_MB"
DEFAULT_QUICK_CHECK_MB = 64


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


# `revision = "0009"` / `down_revision: str | None = "0008"` at the start of a line of a version file.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """(head, every known revision), read from the version files without importing Alembic. A line scan,
    not `ast.parse`: parsing the nine files cost 18–45 ms of every start (issue 13)."""
    down: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("[0-9a-zA-Z]*.py")):
        values: dict[str, object] = {}
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            values.setdefault(name, ast.literal_eval(value))
        if isinstance(values.get("revision"), str):
            parent = values.get("down_revision")
            down[str(values["revision"])] = parent if isinstance(parent, str) else None
    heads = set(down) - set(down.values())
    assert len(heads) == 1, f"migrations must form one chain, heads: {sorted(heads)}"
    return heads.pop(), frozenset(down)


def head_revision() -> str:
    return _revisions()[0]


def known_revisions() -> frozenset[str]:
    return _revisions()[1]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_revision(where: str, tables: Collection[str], versions: list[str]) -> str | None:
    """The schema revision of a database with these tables and version rows; None for an empty database.

    Refuses (StorageError) what zhdesk must not touch: foreign tables without a version, several
    version rows, or a revision newer than this program knows."""
    foreign = sorted(set(tables) - {VERSION_TABLE})
    if not versions:
        if foreign:
            names = "、".join(foreign[:3]) + ("……" if len(foreign) > 3 else "")
            raise StorageError(
                f"{where} 不是 zhdesk 数据库（含有其他程序的表：{names}，没有 zhdesk 版本记录），未做任何改动"
            )
        return None
    if len(versions) > 1:
        raise StorageError(
            f"数据库版本记录损坏（{VERSION_TABLE} 有 {len(versions)} 行）：{where}，未做任何改动，请从备份恢复"
        )
    revision = versions[0]
    if revision not in known_revisions():
        raise StorageError(
            f"数据库来自更新的 zhdesk 版本（结构版本 {revision}，本程序最高 {head_revision()}）：{where}，"
            "请升级 zhdesk 后再打开，未做任何改动"
        )
    return revision


@dataclass(frozen=True)
class SqliteFile:
    """What a read-only look at a SQLite file found."""

    path: Path
    revision: str | None  # None: absent, empty or a SQLite file without tables: created on open
    damaged: str | None  # why the file failed quick_check (writes must be refused), or None


def quick_check_limit() -> int:
    raw = os.environ.get(QUICK_CHECK_ENV, "").strip()
    if not raw:
        return DEFAULT_QUICK_CHECK_MB * 2**20
    if not raw.isdigit():
        raise StorageError(f"环境变量 {QUICK_CHECK_ENV} 应为不小于 0 的整数（MB），现为“{raw}”")
    return int(raw) * 2**20


def file_kind(path: Path) -> tuple[str, os.stat_result | None]:
    """What is at `path`: "missing", "folder", "special" (device, pipe, socket), "empty" or "file", with
    its stat (None when missing); OSError when it cannot be looked at. Callers word each case for what
    they expected there (a database, a backup)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing", None
    if stat.S_ISDIR(st.st_mode):
        return "folder", st
    if not stat.S_ISREG(st.st_mode):
        return "special", st
    return ("empty" if st.st_size == 0 else "file"), st


def inspect_sqlite_file(path: Path) -> SqliteFile:
    """Look at `path` without changing a byte (no pragma that writes, read-only connection)."""
    where = str(path)
    try:
        kind, st = file_kind(path)
    except OSError as exc:
        raise StorageError(f"无法读取数据库文件：{where}（{exc.strerror}）") from exc
    if kind == "folder":
        raise StorageError(f"数据库路径是文件夹，不是文件：{where}")
    if kind == "special":
        raise StorageError(f"数据库路径不是普通文件（设备、管道或套接字）：{where}")
    if st is None or kind == "empty":
        return SqliteFile(path, None, None)
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise StorageError(f"无法读取数据库文件：{where}（{exc.strerror}）") from exc
    if not header.startswith(SQLITE_MAGIC):
        raise StorageError(f"{where} 不是 zhdesk 数据库（不是 SQLite 文件），未做任何改动")
    # A read-only connection to a WAL file creates -wal/-shm files and may not remove them; a read-write
    # one (query_only) removes them on close. But when a -wal is there, closing a read-write connection
    # would checkpoint it into the file: then read-only. Files not in WAL mode: read-only.
    wal_mode = len(header) > 18 and header[18] == 2
    read_only = not wal_mode or Path(f"{path}-wal").exists()
    try:
        uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        raise StorageError(f"无法读取数据库文件：{where}（{exc}）") from exc
    try:
        # One query for a zhdesk database: its version row. The table list matters only without one.
        try:
            versions = [v for (v,) in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}")]
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            versions = []
        tables: list[str] = [VERSION_TABLE]
        if not versions:
            tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = [n for n in tables if not n.startswith("sqlite_")]
        revision = check_revision(where, tables, versions)
        damaged = None
        limit = quick_check_limit()
        wal = Path(f"{path}-wal")
        size = st.st_size + (wal.stat().st_size if wal.is_file() else 0)
        if revision is not None and size <= limit:
            try:
                rows = [str(r) for (r,) in conn.execute("PRAGMA quick_check(5)")]
            except sqlite3.DatabaseError as exc:  # a damaged page can stop the check itself
                rows = [str(exc)]
            if rows != ["ok"]:
                detail = next((r for r in rows if not r.startswith("***")), rows[0])
                reason = " ".join(detail.split())[:120]
                damaged = f"数据库文件已损坏（完整性检查未通过：{reason}）：{where}，不能写入，请从备份恢复"
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise StorageError(f"数据库正被其他程序占用，请稍后再试：{where}") from exc
        raise StorageError(f"数据库文件已损坏或不是 zhdesk 数据库（{one_line(exc)}）：{where}，未做任何改动") from exc
    finally:
        conn.close()
    return SqliteFile(path, revision, damaged)


def _lock(conn: Connection) -> None:
    """Serialise migrations: the first process upgrades, the others wait and then find the head."""
    if conn.dialect.name == "sqlite":
        # pysqlite would run DDL outside any transaction; an explicit BEGIN makes the upgrade atomic.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})


def _read_revision(conn: Connection) -> str | None:
    where = conn.engine.url.render_as_string(hide_password=True)
    tables = inspect(conn).get_table_names()
    versions: list[str] = []
    if VERSION_TABLE in tables:
        versions = [str(v) for v in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()]
    return check_revision(where, tables, versions)


def peek_revision(engine: Engine) -> str | None:
    """The current revision read without a lock (checked like `check_revision`): one query for a zhdesk
    database (its version row); the table list is read only when there is none."""
    where = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        try:
            versions = [str(v) for v in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()]
        except DBAPIError:  # no version table (or a lost connection, which the full read reports)
            conn.rollback()
            return _read_revision(conn)
        return check_revision(where, (), versions) if versions else _read_revision(conn)


def upgrade(engine: Engine) -> bool:
    """Bring the schema to head. Returns True when anything was applied. Idempotent and atomic."""
    try:
        with engine.connect() as conn:
            _lock(conn)
            if _read_revision(conn) == head_revision():
                conn.rollback()
                return False
            from alembic import command

            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            return True
    except DBAPIError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise StorageError(f"无法打开或升级数据库（{where}）：{one_line(exc)}") from exc
