"""Engine creation: SQLite tuned for a desktop (WAL, foreign keys, busy timeout) or any URL.

PostgreSQL gets a connect timeout and a statement timeout so an unreachable or silent server fails
in seconds instead of hanging (ZHDESK_CONNECT_TIMEOUT, ZHDESK_STATEMENT_TIMEOUT, in seconds).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError

BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_ENV = "ZHDESK_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT_ENV = "ZHDESK_STATEMENT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT_S = 5
DEFAULT_STATEMENT_TIMEOUT_S = 60


class StorageError(Exception):
    """The database cannot be opened or used; message is user-facing Chinese."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # WAL is persistent per file; in-memory databases refuse it and keep 'memory'.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # 64 MB page cache (default 2 MB): the dashboard's index scans stay in memory between refreshes.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _sqlite_query_only(dbapi_conn: Any, _record: Any) -> None:
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.execute("PRAGMA query_only=ON")


def seconds_from_env(name: str, default: int) -> int:
    """A whole number of seconds from the environment; blank or unset means `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 0 < value <= 86_400:
        raise StorageError(f"环境变量 {name} 应为 1 到 86400 之间的整数（秒），现为“{raw}”")
    return value


def parse_url(url: str) -> URL:
    """Parse a database URL; a bare postgresql:// (or postgres://) uses psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"数据库地址无法识别：{url}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_file(parsed: URL) -> Path | None:
    """The file behind a SQLite URL, or None (in-memory, a `file:` URI, another backend)."""
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _postgresql_args(parsed: URL) -> dict[str, Any]:
    connect_s = seconds_from_env(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S)
    statement_s = seconds_from_env(STATEMENT_TIMEOUT_ENV, DEFAULT_STATEMENT_TIMEOUT_S)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    return {
        "connect_timeout": connect_s,
        "options": f"{options} -c statement_timeout={statement_s * 1000}".strip(),
    }


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for `url`; a SQLite file's folder must already exist and be writable.

    `read_only` makes SQLite refuse every change at the connection (used for a damaged file)."""
    parsed = parse_url(url)
    path = sqlite_file(parsed)
    if path is not None:
        folder = path.resolve().parent
        if not folder.is_dir():
            raise StorageError(f"数据库所在文件夹不存在：{folder}")
    connect_args: dict[str, Any] = {}
    if parsed.drivername in ("postgresql+psycopg", "postgresql+psycopg2"):
        connect_args = _postgresql_args(parsed)
    if parsed.get_backend_name() == "postgresql":
        from db.models import postgresql_options  # the dialect is loaded now anyway

        postgresql_options()
    try:
        engine = create_engine(parsed, future=True, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as exc:
        where = parsed.render_as_string(hide_password=True)
        raise StorageError(f"不支持的数据库类型或缺少驱动：{parsed.drivername}（{where}）") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if read_only:
            event.listen(engine, "connect", _sqlite_query_only)
    return engine


# SQLite result codes (`sqlite_errorname`, by prefix: SQLITE_IOERR_WRITE is an IOERR) in the user's words.
_SQLITE_REASONS = {
    "SQLITE_BUSY": "数据库正被其他程序占用，等待超时",
    "SQLITE_LOCKED": "数据库正被其他程序占用，等待超时",
    "SQLITE_FULL": "磁盘空间已满",
    "SQLITE_READONLY": "数据库文件只读，无法写入",
    "SQLITE_IOERR": "磁盘读写出错",
    "SQLITE_CORRUPT": "数据库文件已损坏，请从备份恢复",
    "SQLITE_NOTADB": "该文件不是数据库",
    "SQLITE_CANTOPEN": "无法打开数据库文件",
    "SQLITE_PERM": "没有访问权限",
}


def lost_race(exc: BaseException) -> bool:
    """A race lost to another writer, not a storage fault: a unique key it just took, or (SQLite WAL) a
    write from a snapshot another commit made stale, which SQLite refuses at once without waiting."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(getattr(exc, "orig", None), "sqlite_errorname", "") == "SQLITE_BUSY_SNAPSHOT"


def one_line(exc: BaseException) -> str:
    """A driver error in one line: SQLite's known failures in Chinese, else the first non-blank line of
    the message (psycopg adds hints on further lines)."""
    orig = getattr(exc, "orig", None) or exc
    name = str(getattr(orig, "sqlite_errorname", ""))
    for prefix, reason in _SQLITE_REASONS.items():
        if name.startswith(prefix):
            return reason
    for line in str(orig).splitlines():
        if line.strip():
            return " ".join(line.split())
    return type(orig).__name__


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"
