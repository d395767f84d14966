"""Backup and restore of a SQLite database (issue 12, item 3).

A backup is a consistent copy taken with SQLite's online backup API while the app may be writing: the
source is opened read-only, row counts are taken in the same read transaction the copy is made in (one
step, so no writer can slip in between), and the copy is verified (integrity_check, a zhdesk version row,
equal row counts) before it is renamed into place through `files.write_export`'s guard.

Restore checks the file read-only first (`db.migrate.inspect_sqlite_file`, the same refusal the app gives
a foreign or newer database), takes a safety copy of the current database next to it, upgrades a copy of
the backup to the newest schema, and writes it into the database file with the backup API: one write
transaction, so other connections see the old or the new database, never half of each.

A PostgreSQL database (or any database given a `.zip` name) is backed up as the portable archive of
`zhdesk.services.archive`: every table as JSON lines, read in one snapshot, verified (manifest, counts,
sha256 of every member) before the rename into place. Restore reads either kind into either engine: an
archive is checked whole first; its rows (or a SQLite backup's) are staged in a private SQLite file when
they need the schema upgrade, and replace a PostgreSQL database's rows in one transaction after a safety
archive of the current data is written next to the backup (`*.before-restore-*.zip`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import BUSY_TIMEOUT_MS, StorageError, make_engine, one_line, sqlite_file, sqlite_url
from db.models import Base, Setting
from db.uow import UnitOfWork
from zhdesk.errors import InputRefused, StorageProblem, UsageError
from zhdesk.files import database_files, os_reason, shown, write_export
from zhdesk.services import archive
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.settings import check_unchanged, get_setting, is_demo

BACKUP_KEEP = "backup_keep"  # how many daily backups a local install keeps
DEFAULT_BACKUP_KEEP = 7
BACKUP_KEEP_RANGE = (1, 365)
BACKUP_FOLDER = "backups"
_DAILY = re.compile(r"^zhdesk-(\d{4}-\d{2}-\d{2})\.sqlite3$")


@dataclass(frozen=True)
class BackupResult:
    source: str
    path: Path
    size: int
    revision: str
    tables: int
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "path": shown(self.path), "size": self.size, "revision": self.revision,
            "tables": self.tables, "rows": self.rows,
        }  # fmt: skip

    def line(self) -> str:
        return (
            f"已备份数据库 {shown(self.source)} 到 {shown(self.path)}（{size_text(self.size)}，"
            f"结构版本 {self.revision}，{self.tables} 张表 {self.rows} 行，完整性检查通过）"
        )


@dataclass(frozen=True)
class RestoreResult:
    target: Path | str  # the SQLite file, or the server database's URL (password hidden)
    backup: Path
    safety: Path | None  # the copy of the database as it was before the restore (None: there was none)
    revision: str  # the backup's schema version as found
    upgraded: bool  # the backup was from an older schema and was brought to the newest
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {
            "target": shown(self.target), "backup": shown(self.backup),
            "safety": shown(self.safety) if self.safety else None, "revision": self.revision,
            "upgraded": self.upgraded, "rows": self.rows,
        }  # fmt: skip

    def line(self) -> str:
        safety = f"，原数据库已另存为 {shown(self.safety)}" if self.safety else ""
        upgraded = f"（由结构版本 {self.revision} 升级）" if self.upgraded else ""
        return f"已用备份 {shown(self.backup)} 恢复数据库 {shown(self.target)}{upgraded}，共 {self.rows} 行{safety}"


def size_text(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


# ------------------------------------------------------------------ helpers on raw sqlite3 connections


def _tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables]


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of every zhdesk table present in `conn` (plus alembic_version)."""
    present = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    names = [n for n in [*_tables(), migrate.VERSION_TABLE] if n in present]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _integrity(conn: sqlite3.Connection) -> str | None:
    """None when integrity_check says ok, else its first complaint (one line)."""
    try:
        rows = [str(r) for (r,) in conn.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows == ["ok"]:
        return None
    return " ".join(rows[0].split())[:120]


def _revision(conn: sqlite3.Connection, where: str) -> str | None:
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    tables = [n for n in tables if not n.startswith("sqlite_")]
    versions: list[str] = []
    if migrate.VERSION_TABLE in tables:
        versions = [str(v) for (v,) in conn.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}")]
    return migrate.check_revision(where, tables, versions)


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _copy(source: Path, target: str) -> tuple[dict[str, int], str]:
    """Copy the database at `source` into the new file `target` with the backup API and verify the copy.

    Returns the row counts (taken in the read transaction the copy came from) and the schema revision.
    The copy is left in rollback-journal mode: one self-contained file."""
    where = shown(source)
    try:
        src = _connect_ro(source)
    except sqlite3.Error as exc:
        raise StorageProblem(f"无法读取数据库文件：{where}（{exc}）") from exc
    try:
        dst = sqlite3.connect(target)
        try:
            src.execute("BEGIN")  # one read snapshot for the counts and the one-step copy
            counts = _counts(src)
            src.backup(dst)  # pages=-1: every page in one step, under one read lock
            src.rollback()
            dst.execute("PRAGMA journal_mode=DELETE")
            problem = _integrity(dst)
            if problem is not None:
                raise StorageProblem(f"备份校验未通过（完整性检查：{problem}）：{where}，未写入备份")
            revision = _revision(dst, where)
            if revision is None:
                raise StorageProblem(f"{where} 不是 zhdesk 数据库（没有版本记录），未写入备份")
            copied = _counts(dst)
            if copied != counts:
                diff = next(n for n in counts if copied.get(n) != counts[n])
                got = copied.get(diff)
                raise StorageProblem(
                    f"备份校验未通过（表 {diff}：原 {counts[diff]} 行，备份 {got} 行）：{where}，未写入备份"
                )
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise StorageProblem(f"备份数据库失败：{where}（{' '.join(str(exc).split())}）") from exc
    except StorageError as exc:
        raise StorageProblem(str(exc)) from exc
    finally:
        src.close()
    return counts, revision


def _source_file(url: URL | str) -> Path:
    u = make_url(url) if isinstance(url, str) else url
    where = u.render_as_string(hide_password=True)
    path = sqlite_file(u)
    if path is None:
        raise UsageError(f"只能备份 SQLite 数据库文件：{where}，未写入")
    return path


# ------------------------------------------------------------------ backup


def backup_to(url: URL | str, path: Path, *, overwrite: bool = False) -> BackupResult:
    """Back up the database at `url` to `path` (see the module doc); the export guard keeps `path` off the
    database, folders, devices and FIFOs, and off an existing file unless `overwrite`."""
    source = _source_file(url)
    if not source.is_file():
        raise StorageProblem(f"数据库文件不存在：{shown(source)}，未写入备份")
    found: dict[str, Any] = {}

    def write(tmp: str) -> None:
        os.unlink(tmp)  # sqlite3 writes a fresh file; the guard made the name unique
        found["counts"], found["revision"] = _copy(source, tmp)

    written = write_export(Path(path), write, overwrite=overwrite, protected=database_files(url))
    counts: dict[str, int] = found["counts"]
    try:
        size = written.stat().st_size
    except OSError as exc:
        raise StorageProblem(f"无法读取备份文件：{shown(written)}（{os_reason(exc)}）") from exc
    rows = sum(v for k, v in counts.items() if k != migrate.VERSION_TABLE)
    tables = len(counts) - (1 if migrate.VERSION_TABLE in counts else 0)
    return BackupResult(str(source), written, size, found["revision"], tables, rows)


def wants_archive(url: URL, path: Path) -> bool:
    """A server database always gets the portable archive; a SQLite file when the name ends in .zip."""
    return url.get_backend_name() != "sqlite" or Path(path).suffix.lower() == ".zip"


def archive_to(engine: Engine, path: Path, *, overwrite: bool = False) -> BackupResult:
    """Write the portable archive of the database behind `engine` to `path`, read in one snapshot and
    verified (reopened: manifest, row counts, every member's sha256) before it is renamed into place."""
    where = engine.url.render_as_string(hide_password=True)
    found: dict[str, archive.Manifest] = {}

    def write(tmp: str) -> None:
        source = sqlite_file(engine.url)
        try:
            if source is not None:  # SQLite: the online backup API gives the snapshot, then read the copy
                with tempfile.TemporaryDirectory(prefix=".zhdesk-archive-", dir=Path(tmp).parent) as folder:
                    copy = Path(folder) / "snapshot.sqlite3"
                    _copy(source, str(copy))
                    found["m"] = _archive_file(copy, tmp)
            else:
                with engine.connect() as conn:
                    archive.snapshot(conn)
                    found["m"] = archive.write(conn, tmp)
                    conn.rollback()
        except DBAPIError as exc:
            raise StorageProblem(f"备份数据库失败：{where}（{one_line(exc)}），未写入备份") from exc
        except StorageError as exc:
            raise StorageProblem(str(exc)) from exc
        try:
            again = archive.check(Path(tmp))
        except UsageError as exc:
            raise StorageProblem(f"备份校验未通过：{exc.message}") from None
        if again.tables != found["m"].tables:
            raise StorageProblem(f"备份校验未通过（清单与写入的行数或校验值不符）：{where}，未写入备份")

    written = write_export(Path(path), write, overwrite=overwrite, protected=database_files(engine.url))
    try:
        size = written.stat().st_size
    except OSError as exc:
        raise StorageProblem(f"无法读取备份文件：{shown(written)}（{os_reason(exc)}）") from exc
    m = found["m"]
    return BackupResult(where, written, size, m.revision, len(m.tables), m.rows)


def _archive_file(copy: Path, target: str) -> archive.Manifest:
    engine = make_engine(sqlite_url(copy))
    try:
        with engine.connect() as conn:
            return archive.write(conn, target)
    finally:
        engine.dispose()


@requires("backup.run")
def backup(uow: UnitOfWork, path: Path, overwrite: bool = False) -> BackupResult:
    """The Desk's use case: back up the open database (read-only on it; the copy is a file)."""
    url = uow.engine.url
    if wants_archive(url, path):
        uow.session.rollback()  # the archive reads on its own connection
        return archive_to(uow.engine, path, overwrite=overwrite)
    return backup_to(url, path, overwrite=overwrite)


# ------------------------------------------------------------------ restore


@dataclass(frozen=True)
class BackupFile:
    path: Path
    revision: str
    manifest: archive.Manifest | None = None  # a portable archive (checked whole), None: a SQLite file


def check_backup(path: Path) -> BackupFile:
    """`path` as a zhdesk backup that may be restored, or UsageError (exit 2) in one line: missing, not a
    regular file, empty, not SQLite nor a zhdesk archive, a foreign database or zip, damaged (an archive
    names the member whose hash or row count does not match), or from a newer schema."""
    where = shown(path)
    try:
        kind, _ = migrate.file_kind(Path(path))
    except OSError as exc:
        raise UsageError(f"无法读取备份文件：{where}（{os_reason(exc)}）") from None
    refused = {
        "missing": f"备份文件不存在：{where}",
        "folder": f"备份路径是文件夹：{where}，请给出备份文件",
        "special": f"备份路径不是普通文件（设备、管道或套接字）：{where}，未恢复",
        "empty": f"{where} 不是 zhdesk 备份（空文件），未恢复",
    }
    if kind in refused:
        raise UsageError(refused[kind])
    if archive.is_archive(Path(path)):
        manifest = archive.check(Path(path))
        return BackupFile(Path(path), manifest.revision, manifest)
    try:
        found = migrate.inspect_sqlite_file(Path(path))
    except StorageError as exc:
        raise UsageError(f"不能用作备份恢复：{exc}") from None
    if found.revision is None:
        raise UsageError(f"{where} 不是 zhdesk 备份（没有 zhdesk 数据表），未恢复")
    if found.damaged is not None:
        raise UsageError(f"备份文件已损坏，不能恢复：{where}（完整性检查未通过），未恢复")
    return BackupFile(Path(path), found.revision)


def safety_name(target: Path, now: dt.datetime) -> Path:
    return target.with_name(f"{target.name}.before-restore-{now:%Y%m%d-%H%M%S}.sqlite3")


def _free(path: Path) -> Path:
    for n in range(1, 100):
        if not path.exists():
            break
        path = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return path


def _stage(found: BackupFile, staged: Path) -> dict[str, int]:
    """The backup's rows in the new SQLite file `staged`, at the newest schema: a SQLite backup is
    copied; an archive is loaded into a schema built with Alembic at its own revision. Either is then
    upgraded by the app's own open. Returns the row counts."""
    if found.manifest is None:
        _copy(found.path, str(staged))
    else:
        from alembic import command

        engine = make_engine(sqlite_url(staged))
        try:
            with engine.connect() as conn:
                cfg = migrate.alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, found.revision)
                with zipfile.ZipFile(found.path) as zf:
                    archive.insert(conn, archive.archive_source(zf, found.manifest), shown(found.path))
                conn.commit()
        finally:
            engine.dispose()
    if found.revision != migrate.head_revision() or found.manifest is not None:
        _open_at_head(sqlite_url(staged))
    return _verified_counts(staged)


def _open_at_head(url: str) -> None:
    """Open `url` as any start does (upgraded and seeded), then close it. zhdesk.desk is imported by name:
    it names this module's use cases lazily, and mypy cannot type those through an import cycle."""
    importlib.import_module("zhdesk.desk").Desk.open(url).close()


def restore(url: str, path: Path, *, now: dt.datetime | None = None) -> RestoreResult:
    """Replace the database at `url` by the backup at `path` (see the module doc). No connection of this
    process may be open on a SQLite target (the CLI closes its Desk first); other processes see old or
    new."""
    found = check_backup(path)
    now = now or dt.datetime.now()
    if make_url(url).get_backend_name() == "postgresql":
        return _restore_server(url, found, now)
    target = _source_file(url)
    where = shown(target)
    folder = target.resolve().parent
    safety: Path | None = None
    if target.is_file() and target.stat().st_size > 0:
        safety = _free(safety_name(target, now))
        backup_to(url, safety)
    # Upgrade a private copy of the backup (the user's file is never changed), then write it in.
    staged = folder / f".{target.name}.restore-{os.getpid()}.sqlite3"
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)
        counts = _stage(found, staged)
        upgraded = found.revision != migrate.head_revision()
        _write_into(staged, target)
        if _verified_counts(target) != counts:
            raise StorageProblem(f"恢复后行数与备份不符：{where}，原数据库见 {shown(safety) if safety else '（无）'}")
    except OSError as exc:
        raise StorageProblem(f"无法恢复数据库：{where}（{os_reason(exc)}）") from exc
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{staged}{suffix}")
    rows = sum(v for k, v in counts.items() if k != migrate.VERSION_TABLE)
    return RestoreResult(target, Path(path), safety, found.revision, upgraded, rows)


def _restore_server(url: str, found: BackupFile, now: dt.datetime) -> RestoreResult:
    """Replace every row of a PostgreSQL database in one transaction (archive.replace_postgresql), after a
    safety archive of its current data next to the backup. An archive at the newest schema is read
    straight in; anything else is staged (and upgraded) in a private SQLite file first."""
    _open_at_head(url)  # the target at the newest schema (created, or upgraded and seeded) before rows go in
    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    name = engine.url.database or "zhdesk"
    safety = _free(found.path.resolve().parent / f"{name}.before-restore-{now:%Y%m%d-%H%M%S}.zip")
    try:
        archive_to(engine, safety)
        with tempfile.TemporaryDirectory(prefix="zhdesk-restore-") as folder, engine.connect() as conn:
            if found.manifest is not None and found.revision == migrate.head_revision():
                with zipfile.ZipFile(found.path) as zf:
                    counts = archive.replace_postgresql(conn, archive.archive_source(zf, found.manifest), where)
            else:
                staged = Path(folder) / "staged.sqlite3"
                _stage(found, staged)
                source = make_engine(sqlite_url(staged))
                try:
                    with source.connect() as src:
                        counts = archive.replace_postgresql(conn, archive.database_source(src), where)
                finally:
                    source.dispose()
            after = archive.counts_in(conn)
            wanted = {t: counts.get(t, 0) for t in after}
            if after != wanted:
                bad = next(t for t in after if after[t] != wanted[t])
                raise StorageProblem(f"恢复后表 {bad} 的行数与备份不符：{where}，未恢复")
            conn.commit()
    except DBAPIError as exc:
        raise StorageProblem(f"无法恢复数据库：{where}（{one_line(exc)}），未恢复；原数据见 {shown(safety)}") from exc
    except OSError as exc:
        raise StorageProblem(f"无法恢复数据库：{where}（{os_reason(exc)}），未恢复") from exc
    finally:
        engine.dispose()
    upgraded = found.revision != migrate.head_revision()
    return RestoreResult(where, found.path, safety, found.revision, upgraded, sum(counts.values()))


def _verified_counts(path: Path) -> dict[str, int]:
    conn = _connect_ro(path)
    try:
        problem = _integrity(conn)
        if problem is not None:
            raise StorageProblem(f"完整性检查未通过（{problem}）：{shown(path)}")
        return _counts(conn)
    finally:
        conn.close()


def _write_into(staged: Path, target: Path) -> None:
    """The backup API into the database file: one write transaction (WAL or not), so a reader in another
    process sees either the old or the new database."""
    try:
        src = _connect_ro(staged)
        try:
            dst = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StorageProblem(f"无法恢复数据库：{shown(target)}（{' '.join(str(exc).split())}）") from exc


# ------------------------------------------------------------------ the daily rotating backup


def daily(engine_url: URL | str, folder: Path, keep: int, *, today: dt.date | None = None) -> Path | None:
    """Write `zhdesk-YYYY-MM-DD.sqlite3` in `folder` unless today's is there, then keep the newest `keep`
    daily files. Returns the file written, or None when today's existed."""
    today = today or dt.date.today()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageProblem(f"无法创建备份文件夹：{shown(folder)}（{os_reason(exc)}）") from exc
    path = folder / f"zhdesk-{today.isoformat()}.sqlite3"
    written: Path | None = None
    if not path.exists():
        written = backup_to(engine_url, path).path
    dailies = sorted((p for p in folder.iterdir() if _DAILY.match(p.name) and p.is_file()), reverse=True)
    for old in dailies[max(keep, 1) :]:
        with contextlib.suppress(OSError):
            old.unlink()
    return written


def backup_keep(uow: UnitOfWork) -> int:
    raw = get_setting(uow, BACKUP_KEEP)
    low, high = BACKUP_KEEP_RANGE
    try:
        value = int(raw) if raw is not None else DEFAULT_BACKUP_KEEP
    except ValueError:
        return DEFAULT_BACKUP_KEEP
    return value if low <= value <= high else DEFAULT_BACKUP_KEEP


@requires("settings.edit")
def set_backup_keep(uow: UnitOfWork, keep: int, expected: int | None = None) -> int:
    """`expected`: the count the user loaded; another person's change since is a Conflict."""
    low, high = BACKUP_KEEP_RANGE
    if not low <= keep <= high:
        raise InputRefused(f"每日备份保留份数应在 {low} 到 {high} 之间，收到 {keep}")
    check_unchanged(uow, BACKUP_KEEP, expected, backup_keep(uow))
    row = uow.session.get(Setting, BACKUP_KEEP)
    old = None if row is None else row.value
    if row is None:
        uow.session.add(Setting(key=BACKUP_KEEP, value=str(keep)))
    else:
        row.value = str(keep)
    before, after = {"value": old}, {"value": str(keep)}
    audit(uow, "setting.set", "setting", None, key=BACKUP_KEEP, value=keep, before=before, after=after)
    uow.commit()
    return keep


def daily_backup(uow: UnitOfWork, folder: Path | None = None) -> Path | None:
    """The window's start: today's backup of a local SQLite database in the data folder's backups/ (not
    for the demo, nor for a server database). Returns the file written, or None."""
    url = uow.engine.url
    if url.get_backend_name() != "sqlite" or sqlite_file(url) is None or is_demo(uow):
        return None
    keep = backup_keep(uow)
    uow.session.rollback()  # end the read transaction: the copy reads on its own connection
    if folder is None:
        from zhdesk.database import data_dir

        folder = data_dir() / BACKUP_FOLDER
    return daily(url, folder, keep)


@requires("database.restore")
def record_restore(uow: UnitOfWork, backup: str, safety: str | None) -> None:
    """The restore on the audit trail: written after it, into the restored database (whose trail is the
    backup's own), so the trail says the data came back from a backup and where the old one went."""
    audit(uow, "database.restore", "database", None, backup=backup, safety=safety)
    uow.commit()
