"""Shared fixtures: a real SQLite file per test, the demo loaded at a fixed date, no user data touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import TODAY
from zhdesk.demo import load_demo
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


@pytest.fixture
def demo_desk(desk: Desk) -> Desk:
    with desk.uow() as uow:
        assert load_demo(uow, today=TODAY) > 0
    return desk
