"""Where the database lives and how it is opened: `--db URL`, `ZHDESK_DB`, or the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import StorageError, make_engine, sqlite_url
from db.uow import UnitOfWork
from zhdesk.errors import StorageProblem

APP_NAME = "zhdesk"
ENV_VAR = "ZHDESK_DB"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    """The URL used when none is given: ZHDESK_DB, else a SQLite file in the user data folder."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageProblem(f"数据文件夹无法写入：{folder}（{exc.strerror}）") from exc
    return sqlite_url(folder / "zhdesk.sqlite3")


def open_engine(url: str | None = None) -> Engine:
    try:
        return make_engine(url or default_url())
    except StorageError as exc:
        raise StorageProblem(str(exc)) from exc


def init_schema(engine: Engine) -> bool:
    """Create or upgrade the schema; True when something changed. Idempotent."""
    try:
        return migrate.upgrade(engine)
    except StorageError as exc:
        raise StorageProblem(str(exc)) from exc
    except DBAPIError as exc:
        raise StorageProblem(f"无法打开数据库：{exc.orig}") from exc


def schema_is_current(engine: Engine) -> bool:
    try:
        return migrate.current_revision(engine) == migrate.head_revision()
    except DBAPIError as exc:
        raise StorageProblem(f"无法打开数据库：{exc.orig}") from exc


def unit_of_work(engine: Engine, user_login: str = "local") -> UnitOfWork:
    return UnitOfWork(engine, user_login)
