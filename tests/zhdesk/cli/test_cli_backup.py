"""zhdesk backup / restore (issue 12 item 3): real subprocess, real SQLite files."""

from __future__ import annotations

import datetime as dt
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from db.engine import sqlite_url
from tests.support import CJK, assert_error, assert_ok, demo_database, dump, zhdesk


@pytest.fixture
def url(tmp_path: Path) -> str:
    return sqlite_url(demo_database(tmp_path / "demo.db", dt.date.today()))


def assert_restored_as(url: str, saved: dict[str, Any]) -> None:
    """Every table as backed up; the trail (the backup's own) gains one entry: 从备份恢复数据库."""
    after = dump(url)
    trail = after.pop("audit_entry")
    assert after == {k: v for k, v in saved.items() if k != "audit_entry"}
    old = saved["audit_entry"]
    assert trail[: len(old)] == old and len(trail) == len(old) + 1 and trail[-1][3] == "database.restore"


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def refused(url: str, cwd: Path, code: int, *args: str) -> str:
    before = dump(url)
    r = zhdesk(*args, db=url, cwd=cwd)
    assert_error(r, code)
    assert dump(url) == before
    return r.err


def test_backup_then_restore_round_trip(url: str, tmp_path: Path) -> None:
    out = tmp_path / "备份.sqlite3"
    r = zhdesk("backup", "-o", str(out), db=url, cwd=tmp_path)
    assert_ok(r)
    assert len(r.out.strip().splitlines()) == 1 and "已备份数据库" in r.out and str(out) in r.out
    assert "结构版本" in r.out and "MB" in r.out
    saved = dump(sqlite_url(out))
    assert saved == dump(url)

    assert_ok(
        zhdesk("site", "add", "--address", "备份测试路1号", "--community", "江西路社区（示例）", db=url, cwd=tmp_path)
    )
    assert dump(url) != saved
    r = zhdesk("restore", str(out), "--yes", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    data = r.json()
    assert data["upgraded"] is False and data["rows"] > 100
    assert Path(data["safety"]).is_file()
    assert_restored_as(url, saved)
    r = zhdesk("audit", "--action", "从备份恢复数据库", db=url, cwd=tmp_path)
    assert_ok(r)
    assert "从备份恢复数据库" in r.out and "数据库" in r.out and str(out) in r.out


def test_backup_refusals(url: str, tmp_path: Path) -> None:
    out = tmp_path / "b.sqlite3"
    assert_ok(zhdesk("backup", "-o", str(out), db=url, cwd=tmp_path))
    assert "--overwrite" in refused(url, tmp_path, 1, "backup", "-o", str(out))
    assert_ok(zhdesk("backup", "-o", str(out), "--overwrite", db=url, cwd=tmp_path))
    assert "正在使用的数据库" in refused(url, tmp_path, 1, "backup", "-o", str(_path(url)), "--overwrite")
    assert "文件夹" in refused(url, tmp_path, 2, "backup", "-o", str(tmp_path))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "不是普通文件" in refused(url, tmp_path, 2, "backup", "-o", str(fifo), "--overwrite")
    assert "文件夹不存在" in refused(url, tmp_path, 2, "backup", "-o", str(tmp_path / "nope" / "x.sqlite3"))


def test_restore_refuses_bad_files_with_exit_2(url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3"
    assert_ok(zhdesk("backup", "-o", str(good), db=url, cwd=tmp_path))
    random_bytes = tmp_path / "random.bin"
    random_bytes.write_bytes(os.urandom(4096))
    text_file = tmp_path / "a.txt"
    text_file.write_text("hello\n", encoding="utf-8")
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE songs(title TEXT)")
    conn.close()
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for bad in (random_bytes, text_file, empty, foreign, newer, tmp_path, fifo, tmp_path / "missing"):
        err = refused(url, tmp_path, 2, "restore", str(bad), "--yes")
        assert str(bad) in err
    assert "9999" in refused(url, tmp_path, 2, "restore", str(newer), "--yes")
    assert not list(tmp_path.glob("*before-restore*"))


def _run(url: str, cwd: Path, *args: str, stdin: int) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "ZHDESK_DB"}
    env["XDG_DATA_HOME"] = str(cwd / "xdg")
    cmd = [sys.executable, "-m", "zhdesk", "--db", url, *args]
    return subprocess.run(cmd, cwd=cwd, env=env, stdin=stdin, capture_output=True, timeout=120, check=False)


def test_restore_without_yes_needs_a_terminal(url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3"
    assert_ok(zhdesk("backup", "-o", str(good), db=url, cwd=tmp_path))
    before = dump(url)
    p = _run(url, tmp_path, "restore", str(good), stdin=subprocess.DEVNULL)
    err = p.stderr.decode("utf-8")
    assert p.returncode == 2 and "--yes" in err and len(err.strip().splitlines()) == 1 and CJK.search(err)
    assert dump(url) == before and not list(tmp_path.glob("*before-restore*"))


@pytest.mark.parametrize(("answer", "code"), [("n", 1), ("y", 0)])
def test_restore_asks_on_the_terminal(url: str, tmp_path: Path, answer: str, code: int) -> None:
    good = tmp_path / "good.sqlite3"
    assert_ok(zhdesk("backup", "-o", str(good), db=url, cwd=tmp_path))
    saved = dump(sqlite_url(good))
    assert_ok(
        zhdesk("site", "add", "--address", "备份测试路2号", "--community", "江西路社区（示例）", db=url, cwd=tmp_path)
    )
    changed = dump(url)
    master, slave = pty.openpty()
    try:
        os.write(master, f"{answer}\n".encode())
        p = _run(url, tmp_path, "restore", str(good), stdin=slave)
    finally:
        os.close(slave)
        os.close(master)
    err = p.stderr.decode("utf-8")
    assert p.returncode == code, err
    assert "将用备份" in err and "确定吗？[y/N]" in err and "Traceback" not in err
    if answer == "y":
        assert_restored_as(url, saved)
    else:
        assert dump(url) == changed
