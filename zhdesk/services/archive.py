"""The portable backup archive (issue 12, item 3): every table as JSON lines in a zip, written by the app.

Format "zhdesk-backup" version 1: `manifest.json` (format, format_version, revision, engine, created_at,
and per table its member, row count and sha256), then one member `tables/<name>.jsonl` per table in
`Base.metadata.sorted_tables` order; photo blobs are rows like any other. Each line is one row, a JSON
object by column name; values JSON cannot carry are tagged: {"$date": iso}, {"$datetime": iso},
{"$time": iso}, {"$decimal": text}, {"$bytes": base64}.

Any engine reads and writes it, so no pg_dump version has to match the server: PostgreSQL is read in one
REPEATABLE READ, READ ONLY transaction (one snapshot: a running import is in it whole or not at all).
Loading into PostgreSQL is one transaction: lock every table, delete every row (audit_entry's
append-only triggers disabled for that transaction only), insert, reset the id sequences, re-enable the
triggers, check the counts, commit.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import StorageError, one_line
from db.models import Base
from zhdesk.errors import StorageProblem, UsageError
from zhdesk.files import shown

FORMAT = "zhdesk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ZIP_MAGIC = b"PK\x03\x04"
_BATCH = 500


# ------------------------------------------------------------------ values


def encode(value: Any) -> Any:
    """A column value as JSON (tagged where JSON has no such type). datetime before date: it is one."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot archive a {type(value).__name__}")


_DECODE: dict[str, Callable[[str], Any]] = {
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$decimal": Decimal,
    "$bytes": lambda s: base64.b64decode(s, validate=True),
}


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        ((tag, raw),) = value.items()
        return _DECODE[tag](raw)
    return value


# ------------------------------------------------------------------ reading a database


def present_tables(conn: Connection) -> list[Table]:
    """The model tables the database has, as they are there (reflected: a database at an older revision
    has other columns), parents before children (the order of the archive)."""
    names = set(inspect(conn).get_table_names())
    meta = MetaData()
    meta.reflect(conn, only=[t.name for t in Base.metadata.sorted_tables if t.name in names])
    return [meta.tables[t.name] for t in Base.metadata.sorted_tables if t.name in meta.tables]


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, max_row_buffer=_BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield dict(row)


def _revision_in(conn: Connection) -> str:
    where = conn.engine.url.render_as_string(hide_password=True)
    names = inspect(conn).get_table_names()
    versions: list[str] = []
    if migrate.VERSION_TABLE in names:
        versions = [str(v) for v in conn.execute(text(f"SELECT version_num FROM {migrate.VERSION_TABLE}")).scalars()]
    revision = migrate.check_revision(where, names, versions)
    if revision is None:
        raise StorageError(f"{where} 不是 zhdesk 数据库（没有版本记录），未写入备份")
    return revision


@dataclass(frozen=True)
class Manifest:
    revision: str
    engine: str
    created_at: str
    tables: dict[str, tuple[str, int, str]]  # name → (member, rows, sha256), in archive order

    @property
    def rows(self) -> int:
        return sum(n for _m, n, _h in self.tables.values())


def write(conn: Connection, target: str, *, now: dt.datetime | None = None) -> Manifest:
    """Write the archive of the database behind `conn` to the new file `target`. The caller holds the
    read snapshot (`snapshot`); the counts are those of the rows written."""
    revision = _revision_in(conn)
    tables: dict[str, tuple[str, int, str]] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in present_tables(conn):
            member = f"tables/{table.name}.jsonl"
            digest = hashlib.sha256()
            count = 0
            with zf.open(member, "w", force_zip64=True) as out:
                for row in _rows(conn, table):
                    line = json.dumps({k: encode(v) for k, v in row.items()}, ensure_ascii=False) + "\n"
                    data = line.encode("utf-8")
                    digest.update(data)
                    out.write(data)
                    count += 1
            tables[table.name] = (member, count, digest.hexdigest())
        created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        manifest = Manifest(revision, conn.dialect.name, created, tables)
        body = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "revision": revision, "engine": conn.dialect.name,
            "created_at": created,
            "tables": [{"name": n, "member": m, "rows": c, "sha256": h} for n, (m, c, h) in tables.items()],
        }  # fmt: skip
        zf.writestr(MANIFEST, json.dumps(body, ensure_ascii=False, indent=1))
    return manifest


def snapshot(conn: Connection) -> None:
    """Begin one read-only snapshot: every table read after this sees the same committed state."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


# ------------------------------------------------------------------ checking an archive


def is_archive(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == ZIP_MAGIC
    except OSError:
        return False


def _not_ours(where: str, why: str) -> UsageError:
    return UsageError(f"{where} 不是 zhdesk 备份（{why}），未恢复")


def read_manifest(zf: zipfile.ZipFile, where: str) -> Manifest:
    if MANIFEST not in zf.namelist():
        raise _not_ours(where, "压缩包中没有 manifest.json")
    try:
        body = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
        why = one_line(exc)
        raise UsageError(f"备份文件已损坏，不能恢复：{where}（manifest.json 无法读取：{why}），未恢复") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _not_ours(where, "manifest.json 不是 zhdesk-backup 格式")
    version = body.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise UsageError(
            f"备份文件格式版本 {version} 比本程序新（最高 {FORMAT_VERSION}）：{where}，请升级 zhdesk 后再恢复，未恢复"
        )
    revision = str(body.get("revision"))
    try:
        migrate.check_revision(where, [], [revision])
    except StorageError as exc:
        raise UsageError(f"不能用作备份恢复：{exc}") from None
    try:
        tables = {str(t["name"]): (str(t["member"]), int(t["rows"]), str(t["sha256"])) for t in body["tables"]}
    except (KeyError, TypeError, ValueError):
        raise UsageError(f"备份文件已损坏，不能恢复：{where}（manifest.json 的表清单不完整），未恢复") from None
    return Manifest(revision, str(body.get("engine")), str(body.get("created_at")), tables)


def check(path: Path) -> Manifest:
    """The archive at `path` read whole: the manifest, then every member's sha256 and row count.
    UsageError in one line naming the member that does not match; nothing is written."""
    where = shown(path)
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = read_manifest(zf, where)
            names = set(zf.namelist())
            for name, (member, rows, sha) in manifest.tables.items():
                if member not in names:
                    raise UsageError(f"备份文件已损坏，不能恢复：{where}（缺少成员 {member}），未恢复")
                digest = hashlib.sha256()
                count = 0
                with zf.open(member) as f:
                    for line in f:
                        digest.update(line)
                        count += 1
                if digest.hexdigest() != sha or count != rows:
                    raise UsageError(f"备份文件已损坏，不能恢复：{where}（成员 {member} 校验不符，表 {name}），未恢复")
    except zipfile.BadZipFile as exc:
        raise UsageError(f"备份文件已损坏，不能恢复：{where}（{one_line(exc)}），未恢复") from None
    except OSError as exc:
        raise UsageError(f"无法读取备份文件：{where}（{one_line(exc)}）") from None
    return manifest


def rows_of(zf: zipfile.ZipFile, member: str) -> Iterator[dict[str, Any]]:
    with zf.open(member) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            yield {k: decode(v) for k, v in json.loads(line).items()}


# ------------------------------------------------------------------ loading


Source = Iterable[tuple[str, Iterator[dict[str, Any]]]]


def archive_source(zf: zipfile.ZipFile, manifest: Manifest) -> Source:
    for name, (member, _rows, _sha) in manifest.tables.items():
        yield name, rows_of(zf, member)


def database_source(conn: Connection) -> Source:
    for table in present_tables(conn):
        yield table.name, _rows(conn, table)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(conn: Connection, source: Source, where: str) -> dict[str, int]:
    """Insert every row of `source` into the (empty) tables of `conn`, reflected as they are at its
    revision. Refuses (UsageError) a table or column the database does not have."""
    meta = MetaData()
    meta.reflect(conn)
    counts: dict[str, int] = {}
    for name, rows in source:
        table = meta.tables.get(name)
        if table is None:
            raise UsageError(f"备份中的表 {name} 在此结构版本中不存在：{where}，未恢复")
        known = set(table.columns.keys())
        count = 0
        for batch in _batches(rows):
            extra = set(batch[0]) - known
            if extra:
                cols = "、".join(sorted(extra))
                raise UsageError(f"备份中表 {name} 的列 {cols} 在此结构版本中不存在：{where}，未恢复")
            conn.execute(table.insert(), batch)
            count += len(batch)
        counts[name] = count
    return counts


def replace_postgresql(conn: Connection, source: Source, where: str) -> dict[str, int]:
    """Replace every row of the PostgreSQL database behind `conn` (at head) by `source`, inside the
    caller's transaction. The audit trail's append-only triggers are disabled with ALTER TABLE … DISABLE
    TRIGGER USER: transactional (a failure re-enables them with the rollback), needs only table
    ownership (session_replication_role needs a superuser and would also skip the foreign-key checks),
    and the ACCESS EXCLUSIVE lock it takes is held anyway."""
    tables = present_tables(conn)
    names = ", ".join(f'"{t.name}"' for t in tables)
    conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")  # others wait, then see old or new
    conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
    for table in reversed(tables):
        conn.execute(table.delete())
    counts = insert(conn, source, where)
    for table in tables:
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
            name = seq.scalar()
            if name is None:
                continue
            top = conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()
            conn.execute(text("SELECT setval(:s, :v, false)"), {"s": name, "v": int(top) + 1})
    conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    return counts


def counts_in(conn: Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in present_tables(conn)}


def db_problem(exc: DBAPIError, where: str, what: str) -> StorageProblem:
    return StorageProblem(f"{what}失败：{where}（{one_line(exc)}）")
