"""Backup and restore (issue 12 item 3): real SQLite files, a real writer in another process. SQLite only
(sqlite_desk/sqlite_demo_desk): this folder's conftest runs `desk`/`demo_desk` on both engines."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import migrate
from db.engine import make_engine, sqlite_url
from tests.support import assert_restore_refused, dump, old_database, table_dump
from zhdesk.desk import Desk
from zhdesk.errors import InputRefused, StorageProblem, UsageError
from zhdesk.files import TargetExists
from zhdesk.services import backup as backup_svc


def _url(desk: Desk) -> str:
    return desk.engine.url.render_as_string(hide_password=False)


def test_backup_verifies_and_round_trip_restores_every_table(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite3"
    result = sqlite_demo_desk.backup(out)
    assert result.path == out and result.size == out.stat().st_size > 0
    assert result.revision == migrate.head_revision() and result.rows > 100
    assert "已备份数据库" in result.line() and "结构版本" in result.line()
    with sqlite3.connect(out) as conn:  # one self-contained file, sound
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    saved = dump(sqlite_url(out))
    assert saved == table_dump(sqlite_demo_desk.engine)

    # change things: a new site, a setting, a deleted event
    sqlite_demo_desk.add_site("备份测试路1号", sqlite_demo_desk.communities()[0].name)
    sqlite_demo_desk.set_warning_days(9)
    with sqlite3.connect(str(sqlite_demo_desk.engine.url.database)) as conn:
        conn.execute("DELETE FROM photo")
    assert table_dump(sqlite_demo_desk.engine) != saved
    before_restore = table_dump(sqlite_demo_desk.engine)

    url = _url(sqlite_demo_desk)
    sqlite_demo_desk.close()
    now = dt.datetime(2026, 11, 30, 8, 15, 0)
    restored = backup_svc.restore(url, out, now=now)
    assert dump(url) == saved
    assert restored.safety is not None and restored.safety.name.endswith(".before-restore-20261130-081500.sqlite3")
    assert dump(sqlite_url(restored.safety)) == before_restore  # the safety copy holds what was replaced
    assert dump(sqlite_url(out)) == saved  # the backup file itself is untouched
    again = Desk.open(url)  # opens normally afterwards
    try:
        assert again.warning_days() != 9
    finally:
        again.close()


def test_restore_is_seen_by_a_connection_left_open_elsewhere(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite3"
    sqlite_demo_desk.backup(out)
    saved = dump(sqlite_url(out))
    sqlite_demo_desk.set_warning_days(9)
    other = make_engine(_url(sqlite_demo_desk))  # another workstation's engine, pooled connection kept open
    try:
        table_dump(other)
        url = _url(sqlite_demo_desk)
        sqlite_demo_desk.close()
        backup_svc.restore(url, out)
        assert table_dump(other) == saved
    finally:
        other.dispose()


WRITER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
conn.execute("PRAGMA busy_timeout=5000")
i = 0
while True:
    # two rows per transaction: a consistent copy holds both or neither
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO setting(key, value) VALUES (?, 'a')", (f"load{i}a",))
    conn.execute("INSERT INTO setting(key, value) VALUES (?, 'b')", (f"load{i}b",))
    conn.execute("COMMIT")
    i += 1
    if i == 5:
        print("started", flush=True)
"""


def test_backup_while_another_process_writes_restores_consistently(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    path = str(sqlite_demo_desk.engine.url.database)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
        copies = []
        for n in range(3):
            out = tmp_path / f"during{n}.sqlite3"
            copies.append((out, sqlite_demo_desk.backup(out)))
            time.sleep(0.05)
    finally:
        writer.kill()
        writer.wait()
    url = _url(sqlite_demo_desk)
    sqlite_demo_desk.close()
    loads = []
    for out, _result in copies:
        backup_svc.restore(url, out)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            keys = [k for (k,) in conn.execute("SELECT key FROM setting WHERE key LIKE 'load%'")]
        a = {k[:-1] for k in keys if k.endswith("a")}
        b = {k[:-1] for k in keys if k.endswith("b")}
        assert a == b  # every transaction whole or absent
        assert dump(url) == dump(sqlite_url(out))
        loads.append(len(a))
    assert loads[-1] > 0


def test_backup_refuses_the_database_a_folder_a_fifo_a_missing_folder(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    db_file = Path(str(sqlite_demo_desk.engine.url.database))
    before = table_dump(sqlite_demo_desk.engine)
    with pytest.raises(InputRefused, match="正在使用的数据库"):
        sqlite_demo_desk.backup(db_file, True)
    with pytest.raises(InputRefused, match="正在使用的数据库"):
        sqlite_demo_desk.backup(Path(f"{db_file}-wal"), True)
    with pytest.raises(UsageError, match="文件夹"):
        sqlite_demo_desk.backup(tmp_path, True)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="不是普通文件"):
        sqlite_demo_desk.backup(fifo, True)
    with pytest.raises(StorageProblem, match="文件夹不存在"):
        sqlite_demo_desk.backup(tmp_path / "nope" / "x.sqlite3")
    existing = tmp_path / "old.sqlite3"
    existing.write_bytes(b"keep")
    with pytest.raises(TargetExists):
        sqlite_demo_desk.backup(existing)
    assert existing.read_bytes() == b"keep"
    assert table_dump(sqlite_demo_desk.engine) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp left


def test_the_sqlite_copy_refuses_a_server_database_in_one_line() -> None:
    """A server database gets the portable archive (test_backup_pg.py), never the SQLite file copy."""
    with pytest.raises(UsageError, match="只能备份 SQLite 数据库文件") as info:
        backup_svc.backup_to("postgresql+psycopg://u:secret@localhost/zhdesk", Path("x.sqlite3"))
    assert "secret" not in info.value.message


@pytest.fixture
def backup_file(sqlite_demo_desk: Desk, tmp_path: Path) -> Path:
    out = tmp_path / "good.sqlite3"
    sqlite_demo_desk.backup(out)
    return out


def _refuse(desk: Desk, bad: Path, match: str) -> None:
    assert_restore_refused(_url(desk), bad, match, Path(str(desk.engine.url.database)).parent)


def test_restore_refuses_what_is_not_a_zhdesk_backup(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    random_bytes = tmp_path / "random.sqlite3"
    random_bytes.write_bytes(os.urandom(8192))
    _refuse(sqlite_demo_desk, random_bytes, "不是 SQLite 文件")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("这不是备份\n", encoding="utf-8")
    _refuse(sqlite_demo_desk, text_file, "不是 SQLite 文件")
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    _refuse(sqlite_demo_desk, empty, "空文件")
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE songs(title TEXT)")
    _refuse(sqlite_demo_desk, foreign, "其他程序的表")
    no_tables = tmp_path / "bare.sqlite3"
    with sqlite3.connect(no_tables) as conn:
        conn.execute("PRAGMA user_version=3")
    _refuse(sqlite_demo_desk, no_tables, "没有 zhdesk 数据表")
    _refuse(sqlite_demo_desk, tmp_path, "文件夹")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refuse(sqlite_demo_desk, fifo, "不是普通文件")
    _refuse(sqlite_demo_desk, tmp_path / "missing.sqlite3", "不存在")


def test_restore_refuses_a_backup_from_a_newer_schema(sqlite_demo_desk: Desk, backup_file: Path) -> None:
    with sqlite3.connect(backup_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    _refuse(sqlite_demo_desk, backup_file, "更新的 zhdesk 版本（结构版本 9999")


def test_restore_upgrades_a_backup_from_an_older_schema(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    old = old_database(tmp_path / "old.sqlite3", "0004")
    url = _url(sqlite_demo_desk)
    sqlite_demo_desk.close()
    result = backup_svc.restore(url, old)
    assert result.upgraded and result.revision == "0004"
    with sqlite3.connect(Path(str(make_engine(url).url.database))) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrate.head_revision()
        assert conn.execute("SELECT value FROM setting WHERE key = 'old_key'").fetchone()[0] == "x"
        assert conn.execute("SELECT count(*) FROM site").fetchone()[0] == 0
    with sqlite3.connect(old) as conn:  # the user's file is never changed
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"


def test_daily_backup_once_a_day_keeps_the_newest(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    url = sqlite_demo_desk.engine.url
    first = backup_svc.daily(url, folder, 3, today=dt.date(2026, 11, 1))
    assert first == folder / "zhdesk-2026-11-01.sqlite3"
    assert backup_svc.daily(url, folder, 3, today=dt.date(2026, 11, 1)) is None  # once a day
    (folder / "notes.txt").write_text("mine", encoding="utf-8")  # not ours: never removed
    for day in range(2, 8):
        assert backup_svc.daily(url, folder, 3, today=dt.date(2026, 11, day)) is not None
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.txt", "zhdesk-2026-11-05.sqlite3", "zhdesk-2026-11-06.sqlite3",
                     "zhdesk-2026-11-07.sqlite3"]  # fmt: skip
    assert dump(sqlite_url(folder / "zhdesk-2026-11-07.sqlite3")) == table_dump(sqlite_demo_desk.engine)


def test_daily_backup_use_case_skips_the_demo_and_reads_the_setting(sqlite_demo_desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    assert sqlite_demo_desk.is_demo()
    assert sqlite_demo_desk.daily_backup(folder) is None and not folder.exists()
    assert sqlite_demo_desk.backup_keep() == backup_svc.DEFAULT_BACKUP_KEEP
    with pytest.raises(InputRefused, match="保留份数"):
        sqlite_demo_desk.set_backup_keep(0)
    sqlite_demo_desk.set_backup_keep(2)
    assert sqlite_demo_desk.backup_keep() == 2


def test_daily_backup_use_case_writes_for_a_local_database(sqlite_desk: Desk) -> None:
    written = sqlite_desk.daily_backup()
    assert written is not None and written.parent.name == "backups"
    assert written.name == f"zhdesk-{dt.date.today().isoformat()}.sqlite3"
    assert sqlite_desk.daily_backup() is None
