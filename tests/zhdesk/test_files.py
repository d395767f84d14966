"""The export guard (zhdesk/files.py) and bounded photo reads (imaging.read_file), on real files."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import sqlite_url
from zhdesk import imaging
from zhdesk.errors import InputRefused, StorageProblem, UsageError, ZhdeskError
from zhdesk.files import TargetExists, database_files, export_target, is_clean_name, shown, write_export

DATA = b"exported bytes"


def put(tmp: str) -> None:
    Path(tmp).write_bytes(DATA)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_file_gets_the_users_normal_mode(tmp_path: Path, umask_022: None) -> None:
    out = write_export(tmp_path / "新.jpg", put)
    assert out.read_bytes() == DATA
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # 0666 less the umask, not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["新.jpg"]


def test_an_existing_file_needs_overwrite_and_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "old.jpg"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(TargetExists) as err:
        write_export(target, put)
    assert err.value.exit_code == 1 and "已存在" in err.value.message
    assert target.read_bytes() == b"old"
    write_export(target, put, overwrite=True)
    assert target.read_bytes() == DATA
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_to_a_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.jpg"
    real.write_bytes(b"old")
    link = tmp_path / "link.jpg"
    link.symlink_to(real)
    with pytest.raises(TargetExists):
        write_export(link, put)
    write_export(link, put, overwrite=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == DATA


def test_a_dangling_symlink_and_a_link_loop_are_refused(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.jpg"
    dangling.symlink_to(tmp_path / "nowhere.jpg")
    with pytest.raises(UsageError):
        write_export(dangling, put, overwrite=True)
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    with pytest.raises(ZhdeskError):
        write_export(loop, put, overwrite=True)
    assert not (tmp_path / "nowhere.jpg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.jpg", "loop.jpg"]


def test_dev_null_is_refused_before_any_write(tmp_path: Path) -> None:
    # export_target decides before anything is created: /dev is never touched.
    before = os.lstat("/dev/null")
    with pytest.raises(UsageError) as err:
        export_target(Path("/dev/null"), overwrite=True)
    assert "不是普通文件" in err.value.message
    with pytest.raises(UsageError):
        write_export(Path("/dev/null"), put, overwrite=True)
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_fifo_socket_and_folder_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    sock_path = tmp_path / "s.jpg"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for target in (fifo, folder, sock_path):
            with pytest.raises(UsageError):
                write_export(target, put, overwrite=True)
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and stat.S_ISSOCK(sock_path.lstat().st_mode)
        assert list(folder.iterdir()) == []
    finally:
        sock.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.jpg", "folder.jpg", "s.jpg"]


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_database_files_are_refused_by_real_path_and_inode(tmp_path: Path, suffix: str) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"SQLite format 3\x00")
    if suffix:
        Path(f"{db}{suffix}").write_bytes(b"db part")
    files = database_files(sqlite_url(tmp_path / "." / "x.db"))
    target = Path(f"{db}{suffix}")
    link = tmp_path / "link"
    link.symlink_to(target)
    hard = tmp_path / "hard"
    os.link(target, hard)
    for t in (target, link, hard, tmp_path / "sub" / ".." / target.name):
        if t.parent.name == "sub":
            (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(InputRefused) as err:
            write_export(t, put, overwrite=True, protected=files)
        assert "数据库" in err.value.message and not isinstance(err.value, TargetExists)
    assert Path(f"{db}{suffix}").read_bytes() == (b"SQLite format 3\x00" if not suffix else b"db part")


def test_a_wal_file_not_there_yet_is_still_refused(tmp_path: Path) -> None:
    files = database_files(sqlite_url(tmp_path / "x.db"))
    with pytest.raises(InputRefused):
        write_export(tmp_path / "x.db-wal", put, protected=files)
    assert not (tmp_path / "x.db-wal").exists()


def test_database_files_of_other_urls(tmp_path: Path) -> None:
    assert database_files("sqlite://") == ()
    assert database_files("sqlite:///:memory:") == ()
    assert database_files("postgresql+psycopg://u:p@localhost/zhdesk") == ()
    uri = f"sqlite:///file:{(tmp_path / 'y.db').as_posix()}?mode=ro&uri=true"
    assert tmp_path / "y.db" in database_files(uri)


@pytest.mark.parametrize(
    ("target", "words"),
    [("missing/x.jpg", "文件夹不存在"), ("file.txt/x.jpg", "不是文件夹")],
)
def test_a_missing_or_non_folder_parent_is_one_line(tmp_path: Path, target: str, words: str) -> None:
    (tmp_path / "file.txt").write_bytes(b"text")
    with pytest.raises(StorageProblem) as err:
        write_export(tmp_path / target, put)
    assert words in err.value.message and "\n" not in err.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_a_failing_writer_leaves_nothing(tmp_path: Path) -> None:
    def broken(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(StorageProblem) as err:
        write_export(tmp_path / "a.jpg", broken)
    assert "磁盘空间不足" in err.value.message
    assert list(tmp_path.iterdir()) == []


def test_names_shown_as_one_line_of_valid_utf8() -> None:
    gbk = os.fsdecode("照片".encode("gbk") + b".jpg")
    assert not is_clean_name(gbk) and is_clean_name("照片.jpg")
    assert "\ufffd" in shown(gbk) and shown(gbk).endswith(".jpg")
    assert shown("a\nb.jpg") == "a\ufffdb.jpg"
    shown(gbk).encode("utf-8")


# ---------------------------------------------------------------- bounded reads


def test_read_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(imaging.PhotoRefused) as err:
        imaging.read_file(fifo)  # would block forever on the old path.read_bytes()
    assert "不是普通文件" in err.value.reason


def test_read_refuses_devices_sockets_loops_and_folders(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_bytes(b"text")
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    sock_path = tmp_path / "s.jpg"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for path, words in [
            (Path("/dev/zero"), "不是普通文件"),
            (loop, "符号链接循环"),
            (sock_path, "不是普通文件"),
            (tmp_path, "文件夹"),
            (tmp_path / "f.txt" / "x.jpg", "不是文件夹"),
        ]:
            with pytest.raises(imaging.PhotoRefused) as err:
                imaging.read_file(path)
            assert words in err.value.reason, path
    finally:
        sock.close()


def test_read_refuses_a_big_sparse_file_by_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)  # 2 GB, no blocks on disk
    with pytest.raises(imaging.PhotoRefused) as err:
        imaging.read_file(big)
    assert "文件过大" in err.value.reason and "100 MB" in err.value.reason
    small = tmp_path / "small.jpg"
    small.write_bytes(b"x" * 2048)
    assert imaging.read_file(small, limit=2048) == b"x" * 2048
    with pytest.raises(imaging.PhotoRefused):
        imaging.read_file(small, limit=2047)
