"""Every command against databases that are not what they claim: a foreign SQLite file, a text file, a
JPEG, a database from a newer zhdesk, a folder, a FIFO, a damaged file. Exit 2 in one line of Chinese
(a damaged file still serves reads), and the file byte-identical afterwards."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.hostile.test_generated import COMMANDS, Slot, run_cli
from tests.support import CJK
from tests.zhdesk.cli.test_cli_storage import _foreign_with_site_table, _jpeg_file, _text_file, corrupt

WRITES = {"site add", "site list", "site move", "event add", "figure set"}


def _defaults(name: str) -> list[str]:
    return [p.default if isinstance(p, Slot) else p for p in COMMANDS[name]]


def _newer(template: Path) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        shutil.copyfile(template, path)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        conn.close()

    return make


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else path.name


def _one_line(code: int, err: str, args: list[str]) -> None:
    assert "Traceback" not in err, (args, err)
    assert len(err.strip().splitlines()) == 1 and CJK.search(err), (args, err)


@pytest.mark.parametrize("kind", ["foreign", "text", "jpeg", "newer", "folder", "fifo"])
def test_every_command_refuses_a_database_that_is_not_one(hostile_template: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.db"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        make = {"foreign": _foreign_with_site_table, "text": _text_file, "jpeg": _jpeg_file,
                "newer": _newer(hostile_template)}[kind]  # fmt: skip
        make(path)
    before = _sha(path)
    for name in COMMANDS:
        args = _defaults(name)
        code, out, err = run_cli(sqlite_url(path), args)
        assert code == 2, (kind, args, code, err)
        _one_line(code, err, args)
        assert out == ""
        assert _sha(path) == before, (kind, args)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]  # no -wal, -shm or journal left beside it


def test_every_command_on_a_damaged_database_reads_or_refuses(hostile_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    shutil.copyfile(hostile_template, path)
    corrupt(path)
    before = _sha(path)
    for name in COMMANDS:
        args = _defaults(name)
        code, _out, err = run_cli(sqlite_url(path), args)
        if name in WRITES:
            assert code == 2 and "损坏" in err, (args, code, err)
        assert code in (0, 1, 2), (args, code, err)
        if code:
            _one_line(code, err, args)
        assert _sha(path) == before, args
