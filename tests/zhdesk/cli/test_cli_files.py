"""issue 7, items 1, 5, 9, 10: `photo export` and `photo add` against hostile paths, in a subprocess.

Exports never touch the open database, devices or FIFOs and replace a file only with --overwrite;
`photo add` never hangs on a FIFO, never reads a huge file or a device into memory, and refuses a
GBK-named or unreadable file alone while the rest of the batch is added.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.imagefiles import jpeg
from tests.support import CJK, Run, assert_error, demo_database, dump
from tests.zhdesk.cli.test_cli_photos import Db

NOBODY = 65534
PHOTO = jpeg(7)  # made once: exported bytes are compared with it


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The command line checks dates against the real clock.
    return demo_database(tmp_path_factory.mktemp("cli-files") / "demo.db", dt.date.today())


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Db:
    shutil.copyfile(template, tmp_path / "demo.db")
    return Db(tmp_path / "demo.db", sqlite_url(tmp_path / "demo.db"), tmp_path)


def run(
    db: Db,
    *args: str,
    timeout: float = 60,
    preexec: Callable[[], None] | None = None,
    user: int | None = None,
    cwd: Path | None = None,
) -> Run:
    """Like tests.support.zhdesk, with a short timeout (a hang fails fast), an optional rlimit, or as `user`."""
    here = cwd or db.cwd
    env = {k: v for k, v in os.environ.items() if k not in ("ZHDESK_DB", "PYTHONIOENCODING", "PYTHONUTF8")}
    env["XDG_DATA_HOME"] = str(here / "xdg")
    cmd = [sys.executable, "-m", "zhdesk", "--db", db.url, *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        env["HOME"] = str(here)
    p = subprocess.run(cmd, cwd=here, env=env, capture_output=True, timeout=timeout, check=False, preexec_fn=preexec)
    return Run(p.returncode, p.stdout, p.stdout.decode("utf-8"), p.stderr.decode("utf-8"))


def assert_files_refused(r: Run, n: int = 1) -> None:
    """photo add's per-file contract: exit 1, the summary on stdout, one Chinese line per refused file."""
    assert r.code == 1, (r.code, r.out, r.err)
    assert "Traceback" not in r.err, r.err
    lines = r.err.strip().splitlines()
    assert len(lines) == n and all(CJK.search(line) for line in lines), r.err
    assert "未添加" in r.out or r.out.startswith("{")


def _head(p: Path) -> bytes:
    """The first two bytes, or none for a -wal/-shm SQLite removed between the glob and the read."""
    try:
        with p.open("rb") as f:
            return f.read(2)
    except FileNotFoundError:
        return b""


def db_state(d: Db) -> tuple[int, bytes, list[str]]:
    """The database file's inode (a rename over it changes it), its header, and which of its files exist
    that are not SQLite's own (an export written over -wal or -shm would start like a JPEG)."""
    jpegs = [p.name for p in d.path.parent.glob(d.path.name + "*") if _head(p) == b"\xff\xd8"]
    return d.path.stat().st_ino, d.path.read_bytes()[:16], jpegs


@pytest.fixture
def photo_id(db: Db, tmp_path: Path) -> str:
    f = tmp_path / "a.jpg"
    f.write_bytes(PHOTO)
    r = run(db, "photo", "add", db.site("江西路121号"), str(f), "--json")
    assert r.code == 0, r.err
    return str(r.json()["added"][0]["id"])


# ---------------------------------------------------------------- item 1: export targets


@pytest.mark.parametrize("target", ["demo.db", "demo.db-wal", "demo.db-shm", "link-to-db.jpg", "hard-link.db"])
def test_export_never_replaces_the_open_database(db: Db, photo_id: str, target: str) -> None:
    (db.cwd / "link-to-db.jpg").symlink_to(db.path)
    os.link(db.path, db.cwd / "hard-link.db")
    before, raw = dump(db.url), db_state(db)
    assert raw[1] == b"SQLite format 3\x00" and raw[2] == []
    for extra in ([], ["--overwrite"]):
        r = run(db, "photo", "export", photo_id, "-o", str(db.cwd / target), *extra)
        assert_error(r, 1)
        assert "数据库" in r.err
    assert db_state(db) == raw and dump(db.url) == before
    assert (db.cwd / "link-to-db.jpg").is_symlink()
    # a relative path through another spelling of the folder is the same file
    assert_error(run(db, "photo", "export", photo_id, "-o", "./sub/../demo.db", "--overwrite"), 1)
    assert db_state(db) == raw


def test_export_over_an_existing_file_needs_overwrite_and_keeps_its_mode(db: Db, photo_id: str) -> None:
    out = db.cwd / "已有.jpg"
    out.write_bytes(b"mine")
    out.chmod(0o640)
    r = run(db, "photo", "export", photo_id, "-o", str(out))
    assert_error(r, 1)
    assert "已存在" in r.err and "--overwrite" in r.err
    assert out.read_bytes() == b"mine"
    r = run(db, "photo", "export", photo_id, "-o", str(out), "--overwrite")
    assert r.code == 0, r.err
    assert out.read_bytes() == PHOTO
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_export_gets_the_users_normal_mode(db: Db, photo_id: str) -> None:
    out = db.cwd / "新.jpg"
    r = run(db, "photo", "export", photo_id, "-o", str(out), preexec=lambda: os.umask(0o022) and None)
    assert r.code == 0, r.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # mkstemp gave 0600


def test_export_through_a_symlink_writes_its_target(db: Db, photo_id: str) -> None:
    real = db.cwd / "real.jpg"
    real.write_bytes(b"old")
    link = db.cwd / "link.jpg"
    link.symlink_to(real)
    assert_error(run(db, "photo", "export", photo_id, "-o", str(link)), 1)
    assert run(db, "photo", "export", photo_id, "-o", str(link), "--overwrite").code == 0
    assert link.is_symlink() and real.read_bytes() == PHOTO


def test_export_to_dev_null_a_fifo_or_a_socket_is_refused(db: Db, photo_id: str) -> None:
    dev = os.lstat("/dev/null")
    fifo = db.cwd / "fifo.jpg"
    os.mkfifo(fifo)
    sock_path = db.cwd / "s.jpg"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for target in ("/dev/null", str(fifo), str(sock_path)):
            r = run(db, "photo", "export", photo_id, "-o", target, "--overwrite", timeout=30)
            assert_error(r, 2)
            assert "不是普通文件" in r.err
    finally:
        sock.close()
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (dev.st_ino, dev.st_rdev)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize(
    ("target", "words"),
    [("nope/x.jpg", "文件夹不存在"), ("file.txt/x.jpg", "不是文件夹"), ("demo.db/x.jpg", "不是文件夹")],
)
def test_export_into_a_missing_or_non_folder_is_one_line(db: Db, photo_id: str, target: str, words: str) -> None:
    (db.cwd / "file.txt").write_bytes(b"text")
    raw = db_state(db)
    r = run(db, "photo", "export", photo_id, "-o", str(db.cwd / target))
    assert_error(r, 2)
    assert words in r.err
    assert db_state(db) == raw


def test_export_to_a_name_with_a_newline_or_gbk_bytes_prints_one_line(db: Db, photo_id: str) -> None:
    for name in ("a\nb.jpg", os.fsdecode("照片".encode("gbk") + b".jpg")):
        r = run(db, "photo", "export", photo_id, "-o", str(db.cwd / name))
        assert r.code == 0, r.err
        assert len(r.out.strip().splitlines()) == 1
        assert (db.cwd / name).read_bytes() == PHOTO


# ---------------------------------------------------------------- item 5: special and huge files


def test_photo_add_a_fifo_does_not_hang(db: Db) -> None:
    fifo = db.cwd / "fifo.jpg"
    os.mkfifo(fifo)
    good = db.cwd / "good.jpg"
    good.write_bytes(jpeg(3))
    r = run(db, "photo", "add", db.site("江西路121号"), str(fifo), str(good), "--json", timeout=30)
    assert r.code == 1, r.err
    out = r.json()
    assert [a["file"] for a in out["added"]] == [str(good)]
    assert [f["file"] for f in out["refused"]] == [str(fifo)]
    assert "不是普通文件" in out["refused"][0]["reason"]
    assert "Traceback" not in r.err


def test_photo_add_a_2gb_sparse_file_is_refused_without_reading_it(db: Db) -> None:
    big = db.cwd / "big.jpg"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)
    before = dump(db.url)
    env = {k: v for k, v in os.environ.items() if k not in ("ZHDESK_DB", "PYTHONIOENCODING", "PYTHONUTF8")}
    env["XDG_DATA_HOME"] = str(db.cwd / "xdg")
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n')\n"
        "sys.stdout.write(str(p.returncode) + '\\n' + p.stderr.decode('utf-8'))\n"
    )
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "zhdesk", "--db", db.url, "photo", "add",
           db.site("江西路121号"), str(big)]  # fmt: skip
    p = subprocess.run(cmd, cwd=db.cwd, env=env, capture_output=True, timeout=120, check=True)
    maxrss_kb, code, err = p.stdout.decode("utf-8").split("\n", 2)
    assert int(code) == 1, err
    assert "文件过大" in err and "Traceback" not in err
    assert int(maxrss_kb) < 400 * 1024, maxrss_kb  # the old read took 2.1 GB
    assert dump(db.url) == before


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))


def test_photo_add_dev_zero_under_a_memory_limit(db: Db) -> None:
    before = dump(db.url)
    r = run(db, "photo", "add", db.site("江西路121号"), "/dev/zero", timeout=60, preexec=_limit_memory)
    assert_files_refused(r)
    assert "不是普通文件" in r.err
    assert dump(db.url) == before


def test_photo_add_a_symlink_loop_and_a_socket(db: Db) -> None:
    loop = db.cwd / "loop.jpg"
    loop.symlink_to(loop)
    sock_path = db.cwd / "s.jpg"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    good = db.cwd / "good.jpg"
    good.write_bytes(jpeg(4))
    try:
        r = run(db, "photo", "add", db.site("江西路121号"), str(loop), str(sock_path), str(good), "--json")
    finally:
        sock.close()
    assert r.code == 1, r.err
    out = r.json()
    assert len(out["added"]) == 1
    reasons = {f["file"]: f["reason"] for f in out["refused"]}
    assert "符号链接循环" in reasons[str(loop)] and "不是普通文件" in reasons[str(sock_path)]
    assert len(r.err.strip().splitlines()) == 2 and "Traceback" not in r.err


def test_photo_size_cap_is_a_database_setting(db: Db) -> None:
    f = db.cwd / "big.jpg"
    f.write_bytes(jpeg(5, size=(1600, 1200)) + b"\0" * (1024 * 1024))  # a bit over 1 MB
    r = run(db, "photo", "limit")
    assert r.code == 0 and "100 MB" in r.out
    assert run(db, "photo", "limit", "1").code == 0
    assert "1 MB" in run(db, "photo", "limit").out
    before = dump(db.url)
    r = run(db, "photo", "add", db.site("江西路121号"), str(f))
    assert_files_refused(r)
    assert "文件过大" in r.err and "1 MB" in r.err
    assert dump(db.url) == before
    for bad, code in (("0", 1), ("501", 1), ("abc", 2)):
        assert_error(run(db, "photo", "limit", bad), code)
    assert dump(db.url) == before
    assert run(db, "photo", "limit", "2").code == 0
    assert run(db, "photo", "add", db.site("江西路121号"), str(f)).code == 0


# ---------------------------------------------------------------- item 9: names that are not UTF-8


def test_a_gbk_named_photo_in_a_folder_is_refused_alone(db: Db) -> None:
    folder = db.cwd / "照片"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(jpeg(1))
    gbk = os.fsencode(folder) + b"/" + "江西路".encode("gbk") + b".jpg"
    fd = os.open(gbk, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, jpeg(2))
    os.close(fd)
    r = run(db, "photo", "add", db.site("江西路121号"), str(folder), "--json")
    assert r.code == 1, r.err
    out = json.loads(r.raw.decode("utf-8"))  # strict: valid UTF-8
    assert [a["file"] for a in out["added"]] == [str(folder / "good.jpg")]
    (refused,) = out["refused"]
    assert "\ufffd" in refused["file"] and "UTF-8" in refused["reason"]
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert db.count("SELECT count(*) FROM photo WHERE file_name = 'good.jpg'") == 1
    # the same file named directly on the command line
    r = run(db, "photo", "add", db.site("江西路121号"), os.fsdecode(gbk))
    assert_files_refused(r)
    assert "\ufffd" in r.err


# ---------------------------------------------------------------- item 10: unreadable and unwritable paths


def test_a_path_under_a_regular_file_is_refused_in_one_line(db: Db) -> None:
    (db.cwd / "file.txt").write_bytes(b"text")
    good = db.cwd / "good.jpg"
    good.write_bytes(jpeg(6))
    r = run(db, "photo", "add", db.site("江西路121号"), str(db.cwd / "file.txt" / "x.jpg"), str(good))
    assert r.code == 1, r.err
    assert "不是文件夹" in r.err and "Traceback" not in r.err
    before = dump(db.url)
    assert_files_refused(run(db, "photo", "add", db.site("江西路121号"), str(db.cwd / "file.txt" / "x")))
    assert dump(db.url) == before


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private tmp (0700 for root) that another user can reach."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the command as an unprivileged user")
    d = Path(tempfile.mkdtemp(prefix="zhdesk-h7-"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unreadable_folder_file_and_unwritable_export_as_an_unprivileged_user(
    db: Db, shared_dir: Path
) -> None:
    probe = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable, "-c", "import zhdesk"],
        capture_output=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"an unprivileged user cannot run this checkout: {probe.stderr.decode(errors='replace')[-200:]}")
    mine = shared_dir / "home"
    mine.mkdir()
    os.chown(mine, NOBODY, NOBODY)
    shutil.copyfile(db.path, mine / "demo.db")
    os.chown(mine / "demo.db", NOBODY, NOBODY)
    d = Db(mine / "demo.db", f"sqlite:///{(mine / 'demo.db').as_posix()}", mine)
    locked = shared_dir / "locked"
    locked.mkdir()
    (locked / "a.jpg").write_bytes(jpeg(8))
    locked.chmod(0o000)
    secret = shared_dir / "secret.jpg"
    secret.write_bytes(jpeg(9))
    secret.chmod(0o000)
    good = shared_dir / "good.jpg"
    good.write_bytes(jpeg(10))
    sid = d.site("江西路121号")

    r = run(d, "photo", "add", sid, str(locked), str(secret), str(good), "--json", user=NOBODY)
    assert r.code == 1, r.err
    out = r.json()
    assert [a["file"] for a in out["added"]] == [str(good)]
    reasons = {f["file"]: f["reason"] for f in out["refused"]}
    assert "没有读取权限" in reasons[str(locked)] and "没有读取权限" in reasons[str(secret)]
    assert "Traceback" not in r.err and all(CJK.search(line) for line in r.err.strip().splitlines())

    before = dump(d.url)
    r = run(d, "photo", "add", sid, str(locked), user=NOBODY)
    assert_error(r, 1)
    assert "没有读取权限" in r.err
    assert dump(d.url) == before

    (added,) = out["added"]
    r = run(d, "photo", "export", str(added["id"]), "-o", str(shared_dir / "x.jpg"), user=NOBODY)
    assert_error(r, 2)
    assert "没有写入权限" in r.err
    assert not (shared_dir / "x.jpg").exists()
    with sqlite3.connect(d.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
