"""Where the database lives and how it is opened: `--db URL`, `ZHDESK_DB`, or the user data folder.

A SQLite file is looked at read-only before anything touches it: a file that is not a zhdesk database,
comes from a newer version or has a damaged version record is refused byte-identical; a file that
fails the quick integrity check is opened with writes refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from db import migrate
from db.engine import (
    CONNECT_TIMEOUT_ENV,
    DEFAULT_CONNECT_TIMEOUT_S,
    StorageError,
    lost_race,
    make_engine,
    one_line,
    parse_url,
    seconds_from_env,
    sqlite_file,
    sqlite_url,
)
from zhdesk.errors import Conflict, StorageProblem, UsageError, ZhdeskError

APP_NAME = "zhdesk"
ENV_VAR = "ZHDESK_DB"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


DEMO_FILE = "demo.sqlite"


def default_url() -> str:
    """The URL used when none is given: ZHDESK_DB, else a SQLite file in the user data folder."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    return sqlite_url(_writable_data_dir() / "zhdesk.sqlite3")


def demo_url() -> str:
    """The demo database: a file of its own in the user data folder, never the real one (nor ZHDESK_DB)."""
    return sqlite_url(_writable_data_dir() / DEMO_FILE)


def location_of(url: str) -> str:
    """A URL as the user reads it: the file of a SQLite database, else the URL with its password hidden."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database:
        return u.database
    return u.render_as_string(hide_password=True)


def _writable_data_dir() -> Path:
    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageProblem(f"数据文件夹无法写入：{folder}（{exc.strerror}）") from exc
    return folder


def resolve_url(url: str | None) -> str:
    """`url` as given, or the default when None; an explicit blank URL is a usage error."""
    if url is None:
        return default_url()
    if not url.strip():
        raise UsageError(
            "数据库地址为空：--db 需要一个地址（如 sqlite:///路径/zhdesk.sqlite3），不写 --db 则用默认数据库"
        )
    return url.strip()


def connection_problem(exc: DBAPIError, engine: Engine) -> StorageProblem:
    """One line of Chinese for a failure to reach or read the database (no driver hint lines)."""
    where = engine.url.render_as_string(hide_password=True)
    reason = one_line(exc)
    if engine.url.get_backend_name() == "postgresql":
        if "timeout" in reason.lower():
            seconds = seconds_from_env(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S)
            return StorageProblem(f"连接数据库服务器超时（{seconds} 秒未应答）：{where}（{reason}）")
        return StorageProblem(f"无法连接数据库服务器：{where}（{reason}）")
    return StorageProblem(f"无法打开数据库（{where}）：{reason}")


CONFLICT_MESSAGE = "记录已被其他人修改，请刷新后重试"


def write_problem(exc: StaleDataError | DBAPIError, engine: Engine) -> ZhdeskError:
    """A failure while reading or writing: a race lost to another writer is a Conflict (exit 1, try again);
    anything else a StorageProblem naming the database."""
    if isinstance(exc, StaleDataError) or lost_race(exc):
        return Conflict(CONFLICT_MESSAGE)
    where = engine.url.render_as_string(hide_password=True)
    return StorageProblem(f"数据库读写失败（{where}）：{one_line(exc)}")


@dataclass(frozen=True)
class Opened:
    engine: Engine
    damaged: str | None  # one line saying why writes are refused, or None
    upgraded: bool = False  # the schema was not at head when opened (this process or a parallel one upgraded it)


def open_database(url: str | None = None, *, migrate_schema: bool = True) -> Opened:
    """Check, open and (when needed) upgrade the database at `url`; StorageProblem/UsageError on refusal."""
    resolved = resolve_url(url)
    try:
        path = sqlite_file(parse_url(resolved))
        found = migrate.inspect_sqlite_file(path) if path is not None else None
        damaged = found.damaged if found is not None else None
        engine = make_engine(resolved, read_only=damaged is not None)
    except StorageError as exc:
        raise StorageProblem(str(exc)) from exc
    try:
        revision = found.revision if found is not None else migrate.peek_revision(engine)
        if damaged is not None and revision != migrate.head_revision():
            raise StorageError(damaged)  # an old damaged file can be neither upgraded nor read
        upgraded = migrate_schema and damaged is None and revision != migrate.head_revision()
        if upgraded:
            migrate.upgrade(engine)
    except StorageError as exc:
        engine.dispose()
        raise StorageProblem(str(exc)) from exc
    except DBAPIError as exc:
        engine.dispose()
        raise connection_problem(exc, engine) from exc
    return Opened(engine, damaged, upgraded)
