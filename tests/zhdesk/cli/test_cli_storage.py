"""Opening hostile or damaged databases from the command line: foreign files stay byte-identical, damaged
files refuse writes, unreachable servers fail fast, first use is race-safe. Real files, real subprocesses."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import sqlite_url
from db.migrate import head_revision
from tests.support import Run, assert_error, assert_ok, zhdesk

NOT_ZHDESK = "不是 zhdesk 数据库"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def copy_demo(_demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the session's demo database (checkpointed: one file, no -wal)."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_template, path)
    assert not Path(f"{_demo_template}-wal").exists()
    return path


def assert_untouched(path: Path, before: str, run: Run, *, says: str) -> None:
    assert_error(run, 2)
    assert says in run.err, run.err
    assert path.name in run.err, run.err
    assert sha(path) == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()


# ---------------------------------------------------------------- item 2: not a zhdesk database


def _foreign_with_site_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE site (id INTEGER PRIMARY KEY, url TEXT NOT NULL)")
        conn.execute("INSERT INTO site (url) VALUES ('https://example.org')")
    conn.close()


def _tables_without_version(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.close()


def _empty_version_table(path: Path) -> None:
    """What the old code left behind: its tables plus an empty alembic_version."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("CREATE TABLE site (id INTEGER PRIMARY KEY, url TEXT NOT NULL)")
    conn.close()


def _text_file(path: Path) -> None:
    path.write_text("这不是数据库\nhello\n", encoding="utf-8")


def _jpeg_file(path: Path) -> None:
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9")


@pytest.mark.parametrize(
    "make", [_foreign_with_site_table, _tables_without_version, _empty_version_table, _text_file, _jpeg_file]
)
@pytest.mark.parametrize("command", [("sites",), ("init",), ("site", "add", "--address", "x", "--community", "c")])
def test_a_foreign_file_is_left_byte_identical(tmp_path: Path, make: object, command: tuple[str, ...]) -> None:
    path = tmp_path / "other.db"
    make(path)  # type: ignore[operator]
    before = sha(path)
    r = zhdesk(*command, db=sqlite_url(path), cwd=tmp_path)
    assert_untouched(path, before, r, says=NOT_ZHDESK)
    assert files_in(tmp_path) == {"other.db"}


def test_a_foreign_wal_file_left_by_a_crash_is_not_checkpointed(tmp_path: Path) -> None:
    """A foreign WAL database copied with its -wal while open (as after a crash): both stay as they are."""
    live = tmp_path / "live"
    live.mkdir()
    conn = sqlite3.connect(live / "other.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE site (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO site (url) VALUES ('x')")
    conn.commit()
    for name in ("other.db", "other.db-wal"):
        shutil.copyfile(live / name, tmp_path / name)
    conn.close()
    path = tmp_path / "other.db"
    wal = tmp_path / "other.db-wal"
    before = (sha(path), sha(wal))
    r = zhdesk("sites", db=sqlite_url(path), cwd=tmp_path)
    assert_error(r, 2)
    assert NOT_ZHDESK in r.err, r.err
    assert (sha(path), sha(wal)) == before


def test_a_new_path_and_an_empty_file_become_databases(tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (new, empty):
        assert_ok(zhdesk("init", db=sqlite_url(path), cwd=tmp_path))
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        conn.close()


def test_a_folder_or_fifo_as_database_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    for path, says in ((folder, "文件夹"), (fifo, "不是普通文件")):
        t0 = time.monotonic()
        r = zhdesk("sites", db=sqlite_url(path), cwd=tmp_path)
        assert time.monotonic() - t0 < 30
        assert_error(r, 2)
        assert says in r.err and path.name in r.err, r.err
    assert folder.is_dir() and list(folder.iterdir()) == []


# ---------------------------------------------------------------- item 7: newer or damaged version rows


def test_a_database_from_a_newer_version_is_refused_untouched(copy_demo: Path, tmp_path: Path) -> None:
    with sqlite3.connect(copy_demo) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    before = sha(copy_demo)
    for command in (("sites",), ("init",)):
        r = zhdesk(*command, db=sqlite_url(copy_demo), cwd=tmp_path)
        assert_untouched(copy_demo, before, r, says="数据库来自更新的 zhdesk 版本")


def test_two_version_rows_are_refused_untouched(copy_demo: Path, tmp_path: Path) -> None:
    with sqlite3.connect(copy_demo) as conn:
        conn.execute("INSERT INTO alembic_version (version_num) VALUES ('0001')")
    conn.close()
    before = sha(copy_demo)
    r = zhdesk("sites", db=sqlite_url(copy_demo), cwd=tmp_path)
    assert_untouched(copy_demo, before, r, says="版本记录损坏")


# ---------------------------------------------------------------- item 3: a corrupted file refuses writes


def corrupt(path: Path) -> None:
    """Overwrite the cell pointers of a leaf page in the middle of photo_blob's b-tree."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [n for (n,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'photo_blob' AND pagetype = 'leaf' ORDER BY pageno"
        )]  # fmt: skip
    conn.close()
    page = leaves[len(leaves) // 2]
    with path.open("r+b") as f:
        f.seek((page - 1) * page_size + 8)
        f.write(b"\xff" * 64)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:  # depending on the page hit, quick_check reports the damage or fails reading it
            assert conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
        except sqlite3.DatabaseError as exc:
            assert "malformed" in str(exc)
    conn.close()


def readable_dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the one damaged on purpose (reading it fails)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        # Sorted here, not ORDER BY rowid: the rollup tables are WITHOUT ROWID.
        out = {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names if n != "photo_blob"}
    conn.close()
    return out


def test_a_corrupted_database_refuses_writes_but_reads(copy_demo: Path, tmp_path: Path) -> None:
    corrupt(copy_demo)
    url = sqlite_url(copy_demo)
    before = readable_dump(copy_demo)
    digest = sha(copy_demo)
    r = zhdesk("site", "add", "--address", "新地址1号", "--community", "江西路社区", db=url, cwd=tmp_path)
    assert_error(r, 2)
    assert "损坏" in r.err and "备份" in r.err and copy_demo.name in r.err, r.err
    for command in (("init",), ("event", "add", "1", "--kind", "note", "--date", "2026-11-01")):
        assert_error(zhdesk(*command, db=url, cwd=tmp_path), 2)
    assert readable_dump(copy_demo) == before
    assert sha(copy_demo) == digest
    reads = zhdesk("sites", db=url, cwd=tmp_path)
    assert_ok(reads)
    assert "江西路153号" in reads.out


# ---------------------------------------------------------------- item 6: PostgreSQL that never answers


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never writes a byte."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_a_silent_postgresql_server_fails_fast_in_one_line(silent_server: int, tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = zhdesk("sites", db=f"postgresql://u:secret@127.0.0.1:{silent_server}/zh", cwd=tmp_path,
               env={"ZHDESK_CONNECT_TIMEOUT": "2"})  # fmt: skip
    took = time.monotonic() - t0
    assert_error(r, 2)
    assert took < 15, took
    assert "超时" in r.err and "secret" not in r.err, r.err


def test_a_silent_postgresql_server_default_timeout(silent_server: int, tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = zhdesk("sites", db=f"postgresql://u@127.0.0.1:{silent_server}/zh", cwd=tmp_path)
    took = time.monotonic() - t0
    assert_error(r, 2)
    assert 4 < took < 20, took


def test_a_refused_postgresql_connection_is_one_line(tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = zhdesk("sites", db=f"postgresql://u:secret@127.0.0.1:{closed_port()}/zh", cwd=tmp_path)
    assert time.monotonic() - t0 < 15
    assert_error(r, 2)
    assert "无法连接" in r.err and "secret" not in r.err, r.err


@pytest.mark.parametrize("value", ["0", "-1", "abc", "5s"])
def test_a_bad_timeout_setting_is_a_usage_error(tmp_path: Path, value: str) -> None:
    r = zhdesk("sites", db="postgresql://u@127.0.0.1:1/zh", cwd=tmp_path, env={"ZHDESK_CONNECT_TIMEOUT": value})
    assert_error(r, 2)
    assert "ZHDESK_CONNECT_TIMEOUT" in r.err, r.err


# ---------------------------------------------------------------- item 14: a blank --db


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_db_url_is_a_usage_error(tmp_path: Path, blank: str) -> None:
    r = zhdesk("sites", db=blank, cwd=tmp_path)
    assert_error(r, 2)
    assert "--db" in r.err, r.err
    assert not (tmp_path / "xdg").exists()  # the default database was not created


def test_a_blank_zhdesk_db_still_means_unset(tmp_path: Path) -> None:
    assert_ok(zhdesk("init", db=None, cwd=tmp_path, env={"ZHDESK_DB": "  "}))
    assert (tmp_path / "xdg" / "zhdesk" / "zhdesk.sqlite3").is_file()


# ---------------------------------------------------------------- item 13: first use in parallel


def _parallel(args_list: list[list[str]], cwd: Path, env: dict[str, str] | None = None) -> list[Run]:
    e = {k: v for k, v in os.environ.items() if k not in ("ZHDESK_DB", "PYTHONIOENCODING", "PYTHONUTF8")}
    e["XDG_DATA_HOME"] = str(cwd / "xdg")
    e.update(env or {})
    procs = [
        subprocess.Popen([sys.executable, "-m", "zhdesk", *a], cwd=cwd, env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for a in args_list
    ]  # fmt: skip
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        runs.append(Run(p.returncode, out, out.decode("utf-8"), err.decode("utf-8")))
    return runs


def test_parallel_events_by_a_new_user_all_succeed(copy_demo: Path, tmp_path: Path) -> None:
    url = sqlite_url(copy_demo)
    with sqlite3.connect(copy_demo) as conn:
        events_before = conn.execute("SELECT count(*) FROM timeline_event").fetchone()[0]
    conn.close()
    login = "newcomer"
    runs = _parallel(
        [["--db", url, "event", "add", "1", "--kind", "note", "--date", "2026-11-20", "--text", f"第{i}条"]
         for i in range(8)],
        tmp_path, env={"LOGNAME": login, "USER": login},
    )  # fmt: skip
    for r in runs:
        assert_ok(r)
    with sqlite3.connect(copy_demo) as conn:
        assert conn.execute("SELECT count(*) FROM timeline_event").fetchone()[0] == events_before + 8
        assert conn.execute("SELECT count(*) FROM app_user WHERE login = ?", (login,)).fetchone()[0] == 1
    conn.close()


def test_parallel_first_init_on_a_new_file_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    runs = _parallel([["--db", sqlite_url(path), "init"] for _ in range(8)], tmp_path)
    for r in runs:
        assert_ok(r)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = [n for (n,) in conn.execute("SELECT name FROM problem_category")]
    conn.close()
    assert len(names) == len(set(names)) > 0
