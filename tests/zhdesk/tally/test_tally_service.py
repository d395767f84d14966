"""Tally use cases through the Desk: cancel leaves nothing, the catalogue is editable, synonyms map headers,
drill-down names file and row, 1904-based workbooks, the template round trip without LibreOffice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tests import engines
from tests.support import table_dump
from tests.zhdesk.tally import tally_files as tf
from zhdesk.desk import Desk
from zhdesk.dto import TallyImportOptions
from zhdesk.errors import InputRefused

# Every test here runs on both engines (tests/engines.py); the reader's own tests stay on SQLite.
desk, demo_desk = engines.desk, engines.demo_desk


def test_cancel_writes_nothing(demo_desk: Desk, tmp_path: Path) -> None:
    rows = [["日期", "社区", "清理垃圾（吨）"]] + [[dt.date(2021, 9, 1 + i % 28), "江西路社区", 1] for i in range(6000)]
    path = tf.xlsx(tmp_path / "big.xlsx", rows)
    before = table_dump(demo_desk.engine)
    seen: list[int] = []

    def progress(n: int) -> bool:
        seen.append(n)
        return False

    with pytest.raises(InputRefused, match="已取消"):
        demo_desk.tally_import(path, progress=progress)
    assert seen and table_dump(demo_desk.engine) == before


def test_catalogue_rename_add_and_synonym(demo_desk: Desk, tmp_path: Path) -> None:
    demo_desk.save_metric("garbage_tons", "清运垃圾总量", "吨")
    demo_desk.save_metric("posters", "清理小广告", "处")
    demo_desk.add_metric_synonym("铲除小广告", "posters")
    names = {m.code: m for m in demo_desk.metrics()}
    assert names["garbage_tons"].name == "清运垃圾总量" and "铲除小广告" in names["posters"].synonyms
    with pytest.raises(InputRefused):
        demo_desk.save_metric("bad code!", "x", "处")
    rows = [["日期", "社区", "铲除小广告", "清运垃圾总量（吨）"], [dt.date(2021, 10, 3), "汕头路社区", 5, 2]]
    report = demo_desk.tally_import(tf.xlsx(tmp_path / "s.xlsx", rows))
    assert report.status == "imported" and report.entries == 2
    totals = {t.code: t for t in demo_desk.metric_totals(dt.date(2021, 10, 1), dt.date(2021, 10, 31))}
    assert totals["posters"].value == 5 and totals["garbage_tons"].value == 2
    assert "清理小广告5处" in demo_desk.summary(dt.date(2021, 10, 1), dt.date(2021, 10, 31))


def test_drill_down_names_file_sheet_row_and_column(demo_desk: Desk, tmp_path: Path) -> None:
    demo_desk.tally_import(tf.summary_table(tmp_path / "汇总.xlsx"), TallyImportOptions())
    entries = demo_desk.tally_entries("illegal_buildings_area", dt.date(2021, 1, 1), dt.date(2021, 6, 30),
                                      "江西路社区")  # fmt: skip
    mine = [e for e in entries if e.file_name == "汇总.xlsx"]
    assert len(mine) == 1
    assert (mine[0].sheet, mine[0].row, mine[0].column, mine[0].value) == ("汇总", 4, "D", 12)
    assert mine[0].source == "汇总.xlsx 工作表“汇总” 第4行 D列"
    hand = demo_desk.tally_entries("city_cases", dt.date(2021, 1, 1), dt.date(2021, 6, 30))
    assert hand and all(e.batch_id is None and e.source.startswith("手工录入") for e in hand)


def test_table_by_community_and_period(demo_desk: Desk) -> None:
    cells = demo_desk.tally_table(dt.date(2021, 1, 1), dt.date(2021, 6, 30), granularity="month")
    mobilized = sum(c.value for c in cells if c.metric == "mobilized")
    assert mobilized == 517
    assert {c.period for c in cells if c.metric == "mobilized"} <= {f"2021-0{m}" for m in range(1, 7)}


def test_1904_workbook_dates(demo_desk: Desk, tmp_path: Path) -> None:
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["日期", "社区", "检查噪音扰民"])
    ws.append([dt.date(2021, 11, 3), "澄海路社区", 4])  # a real date cell, stored as a 1904 serial
    ws.append([42798 + 365 * 0, "澄海路社区", 1])  # a bare serial in a date column: 1904 → 2021-03-05
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    report = demo_desk.tally_import(path)
    assert report.status == "imported", report.errors
    days = sorted(p.start for p in report.preview)
    assert days == [dt.date(2021, 3, 5), dt.date(2021, 11, 3)]


def test_template_round_trip_without_libreoffice(demo_desk: Desk, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = demo_desk.write_tally_template(tmp_path / "t.xlsx")
    wb = load_workbook(out)
    ws = wb["明细台账"]
    for j, v in enumerate([dt.date(2021, 12, 1), "江西路社区（示例）", "", "", "", "清理毁绿种菜", 3, "处"], start=1):
        ws.cell(3, j, v)
    wb.save(tmp_path / "filled.xlsx")
    report = demo_desk.tally_import(tmp_path / "filled.xlsx")
    assert (report.status, report.entries) == ("imported", 1), report.errors
