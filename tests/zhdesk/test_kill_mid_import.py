"""A tally import or a photo batch killed with SIGKILL half-way (rows already sent inside its transaction):
after restart the database holds the whole batch or none of it, on each engine. SQLite: the file passes
`PRAGMA integrity_check`. PostgreSQL: the killed client's server session ends with its transaction (no
session, no lock left behind), every import batch holds the entries it counts, and the import then goes
through whole."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from db.models import AuditEntry, ImportBatch, Photo, PhotoBlob, TallyEntry
from db.uow import UnitOfWork
from tests.support import signed_in
from tests.ui.photo_files import write_jpegs
from zhdesk.desk import Desk
from zhdesk.services.photos import add_photos
from zhdesk.services.tally import import_file

ROWS = 21_000  # more than one 20 000-row chunk: the first chunk is inserted before the kill


def _big_ledger(path: Path) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("明细台账")
    ws.append(["江西路社区工作台账"])
    ws.append(["日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量", "单位", "备注"])
    start = dt.date(2021, 1, 1)
    for i in range(ROWS):
        day = start + dt.timedelta(days=i % 365)
        ws.append([day, "江西路社区", "", "", "清运", "清理垃圾", i % 7 + 1, "吨", ""])
    wb.save(path)
    return path


def _open(url: str) -> Desk:
    """The one place this module (parent and children) opens the database: signed in as the tests'
    administrator where the database uses accounts (a PostgreSQL one)."""
    desk: Desk = signed_in(Desk.open(url))
    return desk


# Other sessions on this PostgreSQL database, and the locks they hold.
_SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
_LOCKS = (
    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
    "WHERE d.datname = current_database() AND l.pid <> pg_backend_pid()"
)


def _no_session_left(url: str, timeout: float = 15) -> None:
    """The server ends a killed client's session (rolling back its transaction) once it sees the socket
    close; wait for that (on a connection of its own, before this process opens any other), then nothing
    may hold a lock on the database."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + timeout
            while conn.execute(text(_SESSIONS)).scalar():
                assert time.monotonic() < deadline, "the killed client's session is still on the server"
                conn.rollback()
                time.sleep(0.1)
            assert conn.execute(text(_LOCKS)).scalar() == 0
    finally:
        engine.dispose()


def _counts(url: str) -> dict[str, int]:
    if url.startswith("postgresql"):
        _no_session_left(url)
    desk = _open(url)
    try:
        with desk.uow() as uow:
            s = uow.session
            if desk.engine.dialect.name == "sqlite":
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            entries = func.count(TallyEntry.id)
            q = select(ImportBatch.id, ImportBatch.entry_count, entries).outerjoin(TallyEntry).group_by(ImportBatch.id)
            for batch_id, counted, found in s.execute(q.where(ImportBatch.undone_at.is_(None))):
                assert counted == found, f"import batch {batch_id} counts {counted} entries, holds {found}"
            return {
                m.__name__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (TallyEntry, ImportBatch, Photo, PhotoBlob, AuditEntry)
            }
    finally:
        desk.close()


def _hang(marker: Path) -> None:
    marker.write_text("started")
    time.sleep(120)  # killed here, inside the open transaction


def _import_child(url: str, path: str, marker: str) -> None:
    desk = _open(url)

    def work(uow: UnitOfWork) -> Any:
        def progress(_n: int) -> bool:
            # The parse calls it too; the store phase only after a chunk of rows went in, its batch first.
            name = Path(path).name
            if uow.session.scalar(select(func.count()).select_from(ImportBatch).where(ImportBatch.file_name == name)):
                _hang(Path(marker))
            return True

        return import_file(uow, Path(path), progress=progress)

    desk.run(work)


def _photos_child(url: str, site_id: int, folder: str, marker: str) -> None:
    desk = _open(url)

    def progress(done: int, total: int) -> bool:
        if done == total // 2:
            _hang(Path(marker))
        return True

    desk.run(add_photos, site_id, sorted(Path(folder).iterdir()), "before", None, progress)


def _kill_when_started(proc: Any, marker: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.is_alive(), "the child ended before it reached the middle of its batch"
        assert time.monotonic() < deadline, "the child never reached the middle of its batch"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL


def test_tally_import_killed_half_way(any_demo_desk: Desk, tmp_path: Path) -> None:
    url = any_demo_desk.engine.url.render_as_string(hide_password=False)
    ledger = _big_ledger(tmp_path / "大台账.xlsx")
    any_demo_desk.close()  # no session of this process stays open on the server
    before = _counts(url)
    marker = tmp_path / "import.started"
    proc = mp.get_context("fork").Process(target=_import_child, args=(url, str(ledger), str(marker)))
    proc.start()
    _kill_when_started(proc, marker)
    assert _counts(url) == before  # none of it
    # and after the restart the same import goes through whole
    desk = _open(url)
    try:
        report = desk.tally_import(ledger)
        assert report.entries == ROWS
    finally:
        desk.close()
    after = _counts(url)
    assert after["TallyEntry"] == before["TallyEntry"] + ROWS and after["ImportBatch"] == before["ImportBatch"] + 1


def test_photo_batch_killed_half_way(any_demo_desk: Desk, tmp_path: Path) -> None:
    url = any_demo_desk.engine.url.render_as_string(hide_password=False)
    site_id = any_demo_desk.list_sites()[0].id
    folder = tmp_path / "照片"
    folder.mkdir()
    write_jpegs(folder, 12)
    any_demo_desk.close()  # no session of this process stays open on the server
    before = _counts(url)
    marker = tmp_path / "photos.started"
    proc = mp.get_context("fork").Process(target=_photos_child, args=(url, site_id, str(folder), str(marker)))
    proc.start()
    _kill_when_started(proc, marker)
    assert _counts(url) == before
    # and after the restart the same batch goes through whole
    desk = _open(url)
    try:
        added = desk.run(add_photos, site_id, sorted(folder.iterdir()), "before", None, None)
    finally:
        desk.close()
    assert _counts(url)["Photo"] == before["Photo"] + 12, added
