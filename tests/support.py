"""Helpers shared by the tests (not fixtures)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from db.engine import make_engine
from db.models import Base

# The demo's "today": every light and "days left" in the tests is relative to it, never to the clock.
TODAY = dt.date(2026, 11, 29)
CJK = re.compile(r"[\u4e00-\u9fff]")


def table_dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: compare two dumps to prove nothing was written."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """table_dump of the database at `url` (an engine of its own, disposed after)."""
    engine = make_engine(url)
    try:
        return table_dump(engine)
    finally:
        engine.dispose()


def demo_database(path: Path, today: dt.date) -> Path:
    """A real SQLite file at `path` with the demo loaded as of `today` (the CLI checks dates against the
    real clock, so CLI tests pass dt.date.today(); the rest pass TODAY). Closed, WAL checkpointed."""
    from zhdesk.demo import load_demo
    from zhdesk.desk import Desk

    desk = Desk.open(f"sqlite:///{path.as_posix()}")
    try:
        with desk.uow() as uow:
            assert load_demo(uow, today=today) > 0
    finally:
        desk.close()  # the last connection checkpoints the WAL into the file
    return path


def copy_database(src: Path, dst: Path) -> Path:
    """A private copy of a database file (and its -wal/-shm, if any) for a test that writes."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{src}{suffix}")
        try:
            shutil.copyfile(source, Path(f"{dst}{suffix}"))
        except FileNotFoundError:
            if not suffix:
                raise  # the database itself must be there; a -wal/-shm may come and go
    return dst


# ---------------------------------------------------------------- the command line in a subprocess


@dataclass(frozen=True)
class Run:
    code: int
    raw: bytes
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def zhdesk(*args: str, db: str | None, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `python -m zhdesk [--db URL] args` with no ZHDESK_DB and a data folder inside cwd."""
    e = {k: v for k, v in os.environ.items() if k not in ("ZHDESK_DB", "PYTHONIOENCODING", "PYTHONUTF8")}
    e["XDG_DATA_HOME"] = str(cwd / "xdg")
    # the tests' administrator signs in where the database uses accounts (a local one ignores these)
    e.setdefault("ZHDESK_USER", ADMIN_LOGIN)
    e.setdefault("ZHDESK_PASSWORD", ADMIN_PASSWORD)
    e.update(env or {})
    cmd = [sys.executable, "-m", "zhdesk", *(["--db", db] if db is not None else []), *args]
    p = subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, timeout=120, check=False)
    return Run(p.returncode, p.stdout, p.stdout.decode("utf-8"), p.stderr.decode("utf-8"))


def assert_ok(r: Run) -> None:
    assert r.code == 0, r.err
    assert r.err == ""


def assert_error(r: Run, code: int) -> None:
    """Exit code as promised; exactly one line of Chinese on stderr; no traceback; nothing on stdout."""
    assert r.code == code, (r.code, r.out, r.err)
    assert "Traceback" not in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1, r.err
    assert CJK.search(r.err), r.err
    assert r.out == ""


# Accounts (issue 12): a new PostgreSQL database asks for sign-in; the tests' administrator.
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "测试管理员口令-2026"


def signed_in(desk: Any, login: str = ADMIN_LOGIN, password: str = ADMIN_PASSWORD) -> Any:
    """`desk` signed in as `login` when its database uses accounts (the first administrator created on an
    empty one); a local database needs nothing. Returns the desk."""
    if desk.auth_mode() != "accounts":
        return desk
    if login == ADMIN_LOGIN and desk.needs_first_admin():
        desk.create_first_admin(login, login, password)
    else:
        desk.sign_in(login, password)
    return desk


def as_user(desk: Any, login: str, role: str = "admin", community: str | None = None) -> Any:
    """A second desk on `desk`'s database used by `login` (an account with `role`, made by the test
    administrator when the database uses accounts; in local mode simply that login). Close it after."""
    from zhdesk.desk import Desk

    other = Desk(Desk.open(desk.engine.url.render_as_string(hide_password=False)).engine, user_login=login)
    if other.auth_mode() == "accounts":
        admin = signed_in(Desk(desk.engine))
        if login not in {u.login for u in admin.list_users()}:
            admin.add_user(login, login, role, ADMIN_PASSWORD, community)
        other.sign_in(login, ADMIN_PASSWORD)
    return other
