"""Writing user files safely. Every export (photo originals, .xlsx, and any later PDF, docx or backup) goes
through `write_export`: one guard deciding where an export may go, then a temp file beside the target
renamed over it, so a failure never leaves a half-written file where the user expects their export.

The guard refuses the open database and its -wal/-shm/-journal files (by real path and by inode, so
neither a symlink nor a hard link gets past it), anything that exists and is not a regular file (a
device, FIFO, folder or socket: renaming over /dev/null as root would replace the device node), and an
existing file unless the caller says to replace it. A symlink to a regular file is written through: the
link stays, its target gets the new content.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import URL

from zhdesk.errors import InputRefused, StorageProblem, UsageError

_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")

# Files of databases opened in this process (Desk registers its own): exports that do not hold a unit of
# work (the window's xlsx exports) are still kept off them.
_open_databases: dict[int, tuple[Path, ...]] = {}
_lock = threading.Lock()

_REASONS: dict[int | None, str] = {
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在磁盘为只读",
    errno.ENOSPC: "磁盘空间不足",
    getattr(errno, "EDQUOT", -1): "超出磁盘配额",
    errno.ELOOP: "符号链接循环",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EISDIR: "这是文件夹",
    errno.EXDEV: "不能跨磁盘改名",
    errno.EIO: "磁盘读写错误",
}


class TargetExists(InputRefused):
    """The export target exists and the caller did not ask to replace it (CLI: --overwrite)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


def shown(path: str | os.PathLike[str]) -> str:
    """A path as one printable line of valid UTF-8: bytes that are not UTF-8 and control characters
    (a newline in a file name) become U+FFFD. For messages and JSON, never for opening the file."""
    text = os.fsencode(path).decode("utf-8", "replace")
    # Cc: control characters; Zl/Zp: U+2028/U+2029, which Python and some viewers break lines at.
    return "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


def is_clean_name(path: str | os.PathLike[str]) -> bool:
    """True when the path is valid UTF-8 (undecodable bytes arrive as surrogates)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def os_reason(exc: OSError, default: str = "无法访问") -> str:
    """A short Chinese reason for an OSError (strerror is English or in the system's code page)."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return f"{default}（错误代码 {exc.errno}）" if exc.errno is not None else default


# ------------------------------------------------------------------ the files of the open database


def database_files(url: URL | str) -> tuple[Path, ...]:
    """The files a SQLite database at `url` consists of (main, -wal, -shm, -journal), as real paths and
    as given; () for a server database or an in-memory one."""
    from sqlalchemy.engine import make_url

    u = make_url(url) if isinstance(url, str) else url
    if u.get_backend_name() != "sqlite":
        return ()
    name = u.database or ""
    if name.startswith("file:"):  # a SQLite URI filename: file:/path/x.db?mode=ro
        name = unquote(urlsplit(name).path)
    if not name or name == ":memory:":
        return ()
    given = Path(name).expanduser()
    out: list[Path] = []
    for suffix in _DB_SUFFIXES:
        for p in (Path(os.path.realpath(f"{given}{suffix}")), Path(os.path.realpath(given) + suffix)):
            if p not in out:
                out.append(p)
    return tuple(out)


def register_database(owner: object, files: Iterable[Path]) -> None:
    """Keep every export in this process off `files` until `unregister_database(owner)`."""
    with _lock:
        _open_databases[id(owner)] = tuple(files)
    weakref.finalize(owner, unregister_database, id(owner))  # an owner never closed does not linger


def unregister_database(owner: object | int) -> None:
    key = owner if isinstance(owner, int) else id(owner)
    with _lock:
        _open_databases.pop(key, None)


def _protected(extra: Iterable[Path]) -> list[Path]:
    with _lock:
        registered = [p for files in _open_databases.values() for p in files]
    return [*registered, *extra]


# ------------------------------------------------------------------ the guard


def export_target(path: Path, *, overwrite: bool = False, protected: Iterable[Path] = ()) -> Path:
    """Where an export to `path` is written (the target of a symlink), or the refusal in one line.

    InputRefused: the open database, or an existing file without `overwrite` (TargetExists).
    UsageError: something that is not a regular file (folder, device, FIFO, socket), a dangling link.
    StorageProblem: the folder is missing or not a folder, a link loop.
    """
    path = Path(path)
    where = shown(path)
    protected_paths = _protected(protected)
    refused = InputRefused(f"不能导出到正在使用的数据库文件：{where}，未写入")
    try:
        link = path.is_symlink()
        real = Path(os.path.realpath(path))
        if real in protected_paths:
            raise refused
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        if link:
            raise UsageError(f"导出路径是指向不存在文件的符号链接：{where}，未写入") from None
        st = None
    except OSError as exc:
        raise StorageProblem(f"无法写入文件：{where}（{os_reason(exc)}）") from None
    if st is not None and _same_file(st, protected_paths):  # a hard link to the database
        raise refused
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"导出路径是文件夹：{where}，请给出文件名")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"导出路径不是普通文件（设备、管道或套接字）：{where}，未写入")
        if not overwrite:
            raise TargetExists(f"文件已存在：{where}，未替换", path)
    else:
        try:
            parent = os.stat(real.parent)
        except OSError as exc:
            raise StorageProblem(f"无法写入文件：{where}（{os_reason(exc)}）") from None
        if not stat.S_ISDIR(parent.st_mode):
            raise StorageProblem(f"无法写入文件：{where}（上级路径不是文件夹）")
    return real


def _same_file(st: os.stat_result, paths: Iterable[Path]) -> bool:
    for p in paths:
        try:
            other = os.stat(p)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _create_temp(folder: Path, suffix: str) -> Path:
    """A new empty file with the user's normal permissions (0666 less the umask, as the OS applies it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(20):
        tmp = folder / f".{secrets.token_hex(6)}.part{suffix}"
        try:
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(errno.EEXIST, "temp file names exhausted")


def write_export(
    path: Path, write: Callable[[str], None], *, overwrite: bool = False, protected: Iterable[Path] = ()
) -> Path:
    """Check `path` with `export_target`, call `write(temp_path)`, then move the result into place.

    A replaced file keeps its mode (and owner, where allowed); a new one gets the user's default mode.
    Returns the path as given. OSError → StorageProblem, one line of Chinese.
    """
    path = Path(path)
    real = export_target(path, overwrite=overwrite, protected=protected)
    where = shown(path)
    tmp: Path | None = None
    try:
        tmp = _create_temp(real.parent, real.suffix)
        write(str(tmp))
        try:
            old: os.stat_result | None = os.stat(real)
        except FileNotFoundError:
            old = None
        if old is not None:
            # The target changed since the check (a device or folder appeared): never rename over it.
            if not stat.S_ISREG(old.st_mode):
                raise UsageError(f"导出路径不是普通文件：{where}，未写入")
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):  # only root may give a file away; the mode matters more
                    os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise StorageProblem(f"无法写入文件：{where}（{os_reason(exc)}）") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path
