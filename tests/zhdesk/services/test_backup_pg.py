"""The portable backup archive (issue 12 item 3) on PostgreSQL: a round trip keeps every table, a backup
taken during a running import holds it whole or not at all, bad archives are refused with nothing written,
and the archive moves between the engines."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import make_engine, sqlite_url
from tests.pg import Server
from tests.support import assert_error, assert_ok, dump, signed_in, table_dump, zhdesk
from tests.zhdesk.tally import tally_files as tf
from zhdesk.desk import Desk
from zhdesk.errors import StorageProblem, UsageError
from zhdesk.services import archive
from zhdesk.services import backup as backup_svc


@pytest.fixture
def pg_demo(pg_server: Server, _pg_demo_template: str) -> Iterator[Desk]:
    url = pg_server.create(template=_pg_demo_template)
    d = signed_in(Desk.open(url))
    yield d
    d.close()
    pg_server.drop(url)


def _url(desk: Desk) -> str:
    return desk.engine.url.render_as_string(hide_password=False)


def test_round_trip_keeps_every_table_and_photo_bytes(pg_demo: Desk, tmp_path: Path) -> None:
    out = tmp_path / "demo.zip"
    result = pg_demo.backup(out)
    assert result.path == out and result.revision == migrate.head_revision() and result.rows > 100
    saved = table_dump(pg_demo.engine)
    assert saved["photo_blob"], "the demo has photos"
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "zhdesk-backup" and manifest["revision"] == migrate.head_revision()
        names = [t["name"] for t in manifest["tables"]]
        assert names[0] == "community" or names.index("community") < names.index("site")
        assert {t["name"]: t["rows"] for t in manifest["tables"]} == {k: len(v) for k, v in saved.items()}

    # change things: a new site, a setting, photos gone, an audit entry more
    pg_demo.add_site("备份测试路1号", pg_demo.communities()[0].name)
    pg_demo.set_warning_days(9)
    with pg_demo.engine.begin() as conn:
        conn.execute(text("DELETE FROM photo"))
    changed = table_dump(pg_demo.engine)
    assert changed != saved
    url = _url(pg_demo)
    pg_demo.close()

    restored = backup_svc.restore(url, out, now=dt.datetime(2026, 11, 30, 8, 15))
    after = dump(url)
    assert after == saved
    blobs = {r[0]: r[3] for r in after["photo_blob"]}
    assert blobs == {r[0]: r[3] for r in saved["photo_blob"]} and all(isinstance(b, bytes) for b in blobs.values())
    assert restored.safety is not None and restored.safety.name.endswith(".before-restore-20261130-081500.zip")
    assert not restored.upgraded and restored.rows == sum(len(v) for v in saved.values())

    # the sequences were reset: new rows get fresh ids; the audit trail is append-only again
    again = signed_in(Desk.open(url))
    try:
        again.add_site("恢复后新增路2号", again.communities()[0].name)
        with pytest.raises(Exception, match="append-only"), again.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entry"))
    finally:
        again.close()
    backup_svc.restore(url, restored.safety)  # the safety archive holds what was replaced
    assert dump(url) == changed


def _refused(url: str, bad: Path, match: str) -> None:
    before = dump(url)
    with pytest.raises(UsageError, match=match) as info:
        backup_svc.restore(url, bad)
    assert "\n" not in info.value.message
    assert dump(url) == before
    assert not list(bad.parent.glob("*before-restore*"))


def test_refusals_write_nothing(pg_demo: Desk, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    pg_demo.backup(good)
    url = _url(pg_demo)
    folder = tmp_path / "bad"
    folder.mkdir()
    text_file = folder / "notes.zip"
    text_file.write_text("这不是备份\n", encoding="utf-8")
    _refused(url, text_file, "不是 zhdesk 数据库")
    foreign = folder / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(url, foreign, "没有 manifest.json")
    other = folder / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something-else"}))
    _refused(url, other, "不是 zhdesk-backup 格式")

    def rewritten(name: str, change: dict[str, bytes]) -> Path:
        path = folder / name
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                dst.writestr(item.filename, change.get(item.filename, src.read(item.filename)))
        return path

    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        site = zf.read("tables/site.jsonl")
    newer = dict(manifest, revision="9999")
    _refused(url, rewritten("newer.zip", {"manifest.json": json.dumps(newer).encode()}), "结构版本 9999")
    damaged = site.replace("路".encode(), "街".encode(), 1)
    assert damaged != site
    _refused(url, rewritten("damaged.zip", {"tables/site.jsonl": damaged}), "成员 tables/site.jsonl 校验不符")
    truncated = folder / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(url, truncated, "已损坏")


def _ledger(path: Path, run: int, rows: int) -> Path:
    start = dt.date(2021, 1, 1)
    body = [[start + dt.timedelta(days=i), "江西路社区", "", "", "", "清理垃圾", i + run + 1, "吨", f"第{run}次"]
            for i in range(rows)]  # fmt: skip
    return tf.detail_ledger(path, body)


def _live_batches(url: str) -> list[tuple[int, int, int]]:
    """(batch id, entry_count, entries found) of every batch not undone."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT b.id, b.entry_count, (SELECT count(*) FROM tally_entry e WHERE e.import_batch_id = b.id) "
                "FROM import_batch b WHERE b.undone_at IS NULL ORDER BY b.id"
            )).all()  # fmt: skip
        return [(int(a), int(b), int(c)) for a, b, c in rows]
    finally:
        engine.dispose()


def test_backup_during_a_running_import_holds_it_whole_or_not_at_all(pg_demo: Desk, tmp_path: Path) -> None:
    """The importer (a thread with its own Desk) is held inside its transaction, after the batch row and
    its figures are written but before the commit, while a backup is taken; then another after it."""
    url = _url(pg_demo)
    base = len(_live_batches(url))
    files = [_ledger(tmp_path / f"台账{n}.xlsx", n, 300) for n in range(2)]
    inside, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    writer = signed_in(Desk.open(url))

    def hold(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TALLY_ENTRY") and not go.is_set():
            inside.set()
            go.wait(60)

    event.listen(writer.engine, "after_cursor_execute", hold)

    def importer(f: Path) -> None:
        try:
            assert writer.tally_import(f).status == "imported"
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    copies: list[tuple[Path, int]] = []
    for n, f in enumerate(files):
        inside.clear()
        go.clear()
        thread = threading.Thread(target=importer, args=(f,))
        thread.start()
        assert inside.wait(60), f"the import of {f.name} never reached its inserts"
        mid = tmp_path / f"mid{n}.zip"
        pg_demo.backup(mid)  # the import is running: its batch row and figures are written, not committed
        copies.append((mid, base + n))
        go.set()
        thread.join(60)
        after = tmp_path / f"after{n}.zip"
        pg_demo.backup(after)
        copies.append((after, base + n + 1))
    writer.close()
    assert not failures, failures
    pg_demo.close()
    for out, expected in copies:
        backup_svc.restore(url, out)
        batches = _live_batches(url)
        assert all(count == entries for _id, count, entries in batches), (out.name, batches)  # whole or none
        assert len(batches) == expected, out.name


def test_the_archive_is_one_snapshot_while_an_import_commits_mid_backup(pg_demo: Desk, tmp_path: Path) -> None:
    """The backup has read import_batch when an import commits; it must not then pick up that import's
    figures from tally_entry (read later): a per-statement snapshot would, and the archive would hold
    figures whose batch it lacks."""
    url = _url(pg_demo)
    base = len(_live_batches(url))
    f = _ledger(tmp_path / "台账.xlsx", 9, 300)
    writer = signed_in(Desk.open(url))
    failures: list[BaseException] = []

    def importer() -> None:
        try:
            assert writer.tally_import(f).status == "imported"
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    def between(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM import_batch" in statement and not between.done:  # type: ignore[attr-defined]
            between.done = True  # type: ignore[attr-defined]
            thread = threading.Thread(target=importer)
            thread.start()
            thread.join(60)  # committed before the backup reads tally_entry

    between.done = False  # type: ignore[attr-defined]
    event.listen(pg_demo.engine, "after_cursor_execute", between)
    out = tmp_path / "mid.zip"
    pg_demo.backup(out)
    event.remove(pg_demo.engine, "after_cursor_execute", between)
    writer.close()
    assert between.done and not failures, failures  # type: ignore[attr-defined]
    assert len(_live_batches(url)) == base + 1  # the import did commit during the backup
    pg_demo.close()
    backup_svc.restore(url, out)
    batches = _live_batches(url)
    assert len(batches) == base and all(count == entries for _id, count, entries in batches)


def test_cli_backup_then_restore_round_trip(pg_demo: Desk, tmp_path: Path) -> None:
    url = _url(pg_demo)
    saved = table_dump(pg_demo.engine)
    pg_demo.close()
    out = tmp_path / "cli.zip"
    r = zhdesk("backup", "-o", str(out), "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    assert r.json()["path"] == str(out) and r.json()["rows"] == sum(len(v) for v in saved.values())
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM setting"))
    engine.dispose()
    r = zhdesk("restore", str(out), "--yes", db=url, cwd=tmp_path)
    assert_ok(r)
    assert "已用备份" in r.out
    after = dump(url)
    restore_entries = [row for row in after["audit_entry"] if row[3] == "database.restore"]
    assert len(restore_entries) == 1  # the restore is on the restored trail
    after["audit_entry"] = [row for row in after["audit_entry"] if row[3] != "database.restore"]
    assert after == saved
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert_error(zhdesk("restore", str(bad), "--yes", db=url, cwd=tmp_path), 2)


def test_an_archive_moves_between_the_engines(pg_demo: Desk, demo_desk: Desk, tmp_path: Path) -> None:
    from_sqlite = tmp_path / "sqlite.zip"
    demo_desk.backup(from_sqlite)  # a .zip name: the portable archive from SQLite
    assert archive.is_archive(from_sqlite)
    sqlite_saved = table_dump(demo_desk.engine)
    pg_url = _url(pg_demo)
    pg_saved = table_dump(pg_demo.engine)
    from_pg = tmp_path / "pg.zip"
    pg_demo.backup(from_pg)
    pg_demo.close()
    backup_svc.restore(pg_url, from_sqlite)
    assert dump(pg_url).keys() == sqlite_saved.keys()
    assert {k: len(v) for k, v in dump(pg_url).items()} == {k: len(v) for k, v in sqlite_saved.items()}
    sqlite_url_ = _url(demo_desk)
    demo_desk.close()
    backup_svc.restore(sqlite_url_, from_pg)
    assert {k: len(v) for k, v in dump(sqlite_url_).items()} == {k: len(v) for k, v in pg_saved.items()}
    assert dump(sqlite_url_)["site"] == pg_saved["site"]


def test_an_older_archive_is_upgraded_on_restore(pg_demo: Desk, tmp_path: Path) -> None:
    from alembic import command

    old = tmp_path / "old.sqlite3"
    engine = make_engine(sqlite_url(old))
    with engine.connect() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(text("INSERT INTO setting(key, value) VALUES ('old_key', 'x')"))
        conn.commit()
    out = tmp_path / "old.zip"
    backup_svc.archive_to(engine, out)
    engine.dispose()
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json"))["revision"] == "0004"
    url = _url(pg_demo)
    pg_demo.close()
    result = backup_svc.restore(url, out)
    assert result.upgraded and result.revision == "0004"
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM setting WHERE key = 'old_key'")).scalar_one() == "x"
        assert conn.execute(text("SELECT count(*) FROM site")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM metric")).scalar_one() > 0  # seeded by the upgrade
    engine.dispose()


def test_restore_into_an_empty_server_database_creates_the_schema(pg_demo: Desk, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "demo.zip"
    pg_demo.backup(out)
    saved = table_dump(pg_demo.engine)
    backup_svc.restore(pg_url, out)  # a database with no tables yet: built at head, then filled
    assert dump(pg_url) == saved


def test_a_restore_failing_midway_changes_nothing_and_keeps_the_audit_trail_locked(
    pg_demo: Desk, tmp_path: Path
) -> None:
    """An archive whose hashes match but whose last table breaks a constraint: the one transaction rolls
    back — every row as before, the append-only triggers enabled again."""
    good = tmp_path / "good.zip"
    pg_demo.backup(good)
    bad = tmp_path / "constraint.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        for item in src.infolist():
            if item.filename == "manifest.json":
                continue
            data = src.read(item.filename)
            if item.filename == "tables/setting.jsonl":  # the same key twice: the primary key refuses it
                data = data + data.splitlines(keepends=True)[0]
                for t in manifest["tables"]:
                    if t["member"] == item.filename:
                        t["rows"] += 1
                        t["sha256"] = hashlib.sha256(data).hexdigest()
            dst.writestr(item.filename, data)
        dst.writestr("manifest.json", json.dumps(manifest))
    url = _url(pg_demo)
    before = table_dump(pg_demo.engine)
    pg_demo.close()
    with pytest.raises(StorageProblem, match="无法恢复数据库") as info:
        backup_svc.restore(url, bad)
    assert "\n" not in info.value.message
    assert dump(url) == before
    engine = make_engine(url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entry"))
    finally:
        engine.dispose()
