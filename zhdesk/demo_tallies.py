"""Demo community tallies, imported through the same importer a user's files go through.

Phase one (2021-01-01 … 2021-06-30): the files in resources/tallies (tools/make_demo_tallies.py wrote them),
one shape per community, totalling the source's figures. Live phase: a weekly detail ledger per community for
the recent weeks, written at load time. Re-running the demo adds nothing: the files' sha256 are known.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from sqlalchemy import select

from db.models import ImportBatch
from db.uow import UnitOfWork
from zhdesk.errors import InputRefused
from zhdesk.services.tally import import_file

LIVE_PREFIX = "演示_近期台账_"
LIVE_WEEKS = 8
# metric name, unit, per-week range
LIVE_METRICS: tuple[tuple[str, str, int, int], ...] = (
    ("组织发动人次", "人次", 8, 20), ("清理整治楼院", "个", 0, 3), ("占路游商", "起", 0, 2),
    ("跨门经营", "处", 0, 2), ("检查噪音扰民", "次", 1, 4), ("下达告知书、责改文书", "份", 1, 5),
    ("出动清运车辆", "台次", 1, 3), ("清理垃圾", "吨", 2, 8), ("清理毁绿种菜", "处", 0, 4),
)  # fmt: skip


def tally_files() -> list[Path]:
    import resources

    folder = Path(resources.__file__).resolve().parent / "tallies"
    return sorted(folder.glob("*.xlsx"))


def load_demo_tallies(uow: UnitOfWork, communities: list[str], today: dt.date) -> int:
    """Import the demo tallies; returns how many entries were added. Each file commits on its own."""
    added = 0
    for path in tally_files():
        added += _import(uow, path)
    s = uow.session
    if s.scalar(select(ImportBatch.id).where(ImportBatch.file_name.startswith(LIVE_PREFIX)).limit(1)) is None:
        with tempfile.TemporaryDirectory(prefix="zhdesk-demo-") as tmp:
            for path in _live_files(Path(tmp), communities, today):
                added += _import(uow, path)
    return added


def _import(uow: UnitOfWork, path: Path) -> int:
    report = import_file(uow, path, as_user=False)
    if report.status == "rejected":  # the demo's own files must import; say which one did not
        first = report.errors[0].text(report.file) if report.errors else report.file
        raise InputRefused(f"演示台账导入失败：{first}")
    return report.entries if report.status == "imported" else 0


def _live_files(folder: Path, communities: list[str], today: dt.date) -> list[Path]:
    from openpyxl import Workbook

    rnd = random.Random(20261129)
    start = today - dt.timedelta(days=7 * LIVE_WEEKS)
    out = []
    for community in communities:
        wb = Workbook()
        ws = wb.active
        ws.title = "明细台账"
        ws.append([f"{community}近期工作台账（{start.isoformat()}—{(today - dt.timedelta(days=1)).isoformat()}）"])
        ws.append(["日期", "社区", "统计指标", "数量", "单位", "备注"])
        for week in range(LIVE_WEEKS):
            for name, unit, lo, hi in LIVE_METRICS:
                value = rnd.randint(lo, hi)
                if value:
                    day = start + dt.timedelta(days=7 * week + rnd.randint(0, 6))
                    if day < today:
                        ws.append([day, community, name, value, unit, "演示数据"])
        path = folder / f"{LIVE_PREFIX}{community}_{today.isoformat()}.xlsx"
        wb.save(path)
        out.append(path)
    return out
