"""Shared fixtures: a real SQLite file per test, the demo loaded at a fixed date, no user data touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import TODAY, copy_database, demo_database
from zhdesk.desk import Desk


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
