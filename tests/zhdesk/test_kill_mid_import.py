"""A tally import or a photo batch killed with SIGKILL half-way (rows already sent inside its transaction):
after restart the SQLite file passes `PRAGMA integrity_check` and holds the whole batch or none of it."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select, text

from db.models import AuditEntry, ImportBatch, Photo, TallyEntry
from db.uow import UnitOfWork
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


def _counts(url: str) -> dict[str, int]:
    desk = Desk.open(url)
    try:
        with desk.uow() as uow:
            s = uow.session
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            return {
                m.__name__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (TallyEntry, ImportBatch, Photo, AuditEntry)
            }
    finally:
        desk.close()


def _hang(marker: Path) -> None:
    marker.write_text("started")
    time.sleep(120)  # killed here, inside the open transaction


def _import_child(url: str, path: str, marker: str) -> None:
    desk = Desk.open(url)

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
    desk = Desk.open(url)

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


def test_tally_import_killed_half_way(demo_desk: Desk, tmp_path: Path) -> None:
    url = demo_desk.engine.url.render_as_string(hide_password=False)
    ledger = _big_ledger(tmp_path / "大台账.xlsx")
    before = _counts(url)
    demo_desk.close()
    marker = tmp_path / "import.started"
    proc = mp.get_context("fork").Process(target=_import_child, args=(url, str(ledger), str(marker)))
    proc.start()
    _kill_when_started(proc, marker)
    assert _counts(url) == before  # none of it
    # and after the restart the same import goes through whole
    desk = Desk.open(url)
    try:
        report = desk.tally_import(ledger)
        assert report.entries == ROWS
    finally:
        desk.close()
    after = _counts(url)
    assert after["TallyEntry"] == before["TallyEntry"] + ROWS and after["ImportBatch"] == before["ImportBatch"] + 1


def test_photo_batch_killed_half_way(demo_desk: Desk, tmp_path: Path) -> None:
    url = demo_desk.engine.url.render_as_string(hide_password=False)
    site_id = demo_desk.list_sites()[0].id
    folder = tmp_path / "照片"
    folder.mkdir()
    write_jpegs(folder, 12)
    before = _counts(url)
    demo_desk.close()
    marker = tmp_path / "photos.started"
    proc = mp.get_context("fork").Process(target=_photos_child, args=(url, site_id, str(folder), str(marker)))
    proc.start()
    _kill_when_started(proc, marker)
    assert _counts(url) == before
