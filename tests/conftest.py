"""Shared fixtures: a real SQLite file per test, the demo loaded at a fixed date, no user data touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
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


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded once per session (drawing its photos is the slow part); tests get copies."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    d = Desk.open(f"sqlite:///{path.as_posix()}")
    try:
        with d.uow() as uow:
            assert load_demo(uow, today=TODAY) > 0
    finally:
        d.close()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def demo_desk(_demo_template: Path, tmp_path: Path) -> Iterator[Desk]:
    """A private copy of a database with the demo loaded at TODAY."""
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{_demo_template}{suffix}")
        if src.exists():
            shutil.copyfile(src, tmp_path / f"t.db{suffix}")
    d = Desk.open(f"sqlite:///{(tmp_path / 't.db').as_posix()}")
    yield d
    d.close()
