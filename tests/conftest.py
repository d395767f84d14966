"""Shared fixtures: a real SQLite file per test, the demo loaded at a fixed date, no user data touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import Server, start_server
from tests.support import TODAY, copy_database, demo_database, signed_in
from zhdesk.desk import Desk

_pg: Server | str | None = None  # the session's server, or why there is none
_pg_ran = 0


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never open the user's ZHDESK_DB or real data folder (platformdirs reads XDG_DATA_HOME on Linux)."""
    home = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("ZHDESK_DB", f"sqlite:///{(home / 'default.db').as_posix()}")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 't.db').as_posix()}"


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    d = Desk.open(db_url)
    yield d
    d.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded once per session (drawing its photos is the slow part); tests get copies."""
    return demo_database(tmp_path_factory.mktemp("demo") / "demo.db", TODAY)


@pytest.fixture
def demo_desk(_demo_template: Path, tmp_path: Path) -> Iterator[Desk]:
    """A private copy of a database with the demo loaded at TODAY."""
    copy_database(_demo_template, tmp_path / "t.db")
    d = Desk.open(f"sqlite:///{(tmp_path / 't.db').as_posix()}")
    yield d
    d.close()


# The same two under names a test module cannot override: a module that runs `desk`/`demo_desk` on both
# engines (overriding them with any_desk/any_demo_desk) takes these for its SQLite-file-only tests.
@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Iterator[Desk]:
    d = Desk.open(f"sqlite:///{(tmp_path / 't.db').as_posix()}")
    yield d
    d.close()


@pytest.fixture
def sqlite_demo_desk(_demo_template: Path, tmp_path: Path) -> Iterator[Desk]:
    copy_database(_demo_template, tmp_path / "t.db")
    d = Desk.open(f"sqlite:///{(tmp_path / 't.db').as_posix()}")
    yield d
    d.close()


# ---------------------------------------------------------------- PostgreSQL (tests/pg.py)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """One throw-away PostgreSQL cluster for the session; skipped loudly where none can start, an error
    under CI (`CI` set), where the PostgreSQL tests must run."""
    global _pg
    if _pg is None:
        _pg = start_server()
    if isinstance(_pg, str):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run in CI, but: {_pg}", pytrace=False)
        pytest.skip(f"NO POSTGRESQL SERVER — PostgreSQL tests skipped: {_pg}")
    yield _pg


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """A new, empty database on the test server."""
    global _pg_ran
    _pg_ran += 1
    url = pg_server.create()
    yield url
    pg_server.drop(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine in turn: the same test must give the same answers on both."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 't.db').as_posix()}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def any_desk(any_url: str) -> Iterator[Desk]:
    """An empty database on each engine; on PostgreSQL (accounts mode) signed in as the tests'
    administrator (tests.support.ADMIN_LOGIN), the first admin of the database."""
    d = signed_in(Desk.open(any_url))
    yield d
    d.close()


@pytest.fixture(scope="session")
def _pg_demo_template(pg_server: Server) -> str:
    """The demo loaded once into a template database; tests get copies (CREATE DATABASE … TEMPLATE)."""
    from zhdesk.demo import load_demo

    url = pg_server.create(name="zhdesk_demo_template")
    desk = signed_in(Desk.open(url))  # the template's administrator: its copies sign in as it
    try:
        with desk.uow() as uow:
            assert load_demo(uow, today=TODAY) > 0
    finally:
        desk.close()
    return "zhdesk_demo_template"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """A private copy of the demo (loaded at TODAY) on each engine in turn."""
    global _pg_ran
    if request.param == "sqlite":
        copy_database(request.getfixturevalue("_demo_template"), tmp_path / "t.db")
        url = f"sqlite:///{(tmp_path / 't.db').as_posix()}"
        server = None
    else:
        server = request.getfixturevalue("pg_server")
        _pg_ran += 1
        url = server.create(template=request.getfixturevalue("_pg_demo_template"))
    d = signed_in(Desk.open(url))
    yield d
    d.close()
    if server is not None:
        server.drop(url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, or loudly why none could."""
    if isinstance(_pg, str):
        terminalreporter.write_line(f"!!! PostgreSQL tests skipped: {_pg}", red=True, bold=True)
    elif _pg is not None:
        terminalreporter.write_line(f"PostgreSQL: {_pg_ran} test databases on a throw-away server (port {_pg.port})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if isinstance(_pg, Server):
        _pg.close()
