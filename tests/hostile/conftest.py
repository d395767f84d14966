"""The hostile suite: the command line driven the way a careless or malicious user would.

Every test here asserts the same three things: no traceback on stderr, the documented exit code,
and (after a refusal) a database byte-for-byte as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.support import Run, demo_database, dump, zhdesk


@dataclass(frozen=True)
class Db:
    """A private copy of the demo database, with helpers to run the CLI against it."""

    path: Path
    url: str
    cwd: Path

    def run(self, *args: str, env: dict[str, str] | None = None) -> Run:
        return zhdesk(*args, db=self.url, cwd=self.cwd, env=env)

    def dump(self) -> dict[str, list[tuple[object, ...]]]:
        return dump(self.url)

    def file_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def _new_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """`user add`, `user passwd LOGIN` and `accounts on` read the new password from here (no terminal)."""
    monkeypatch.setenv("ZHDESK_NEW_PASSWORD", "刁难测试口令-2026")


@pytest.fixture(scope="session")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The CLI checks dates against the real clock, so the demo is loaded at the real today.
    return demo_database(tmp_path_factory.mktemp("hostile") / "demo.db", dt.date.today())


@pytest.fixture
def db(hostile_template: Path, tmp_path: Path) -> Iterator[Db]:
    path = tmp_path / "demo.db"
    shutil.copyfile(hostile_template, path)
    yield Db(path, sqlite_url(path), tmp_path)
