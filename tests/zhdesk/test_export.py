"""Table export to .xlsx, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support import dump
from zhdesk.desk import Desk
from zhdesk.dto import Column
from zhdesk.errors import InputRefused, StorageProblem, UsageError
from zhdesk.export import export_table
from zhdesk.files import TargetExists

COLUMNS = (
    Column("地址"),
    Column("社区"),
    Column("整改时限", "date"),
    Column("剩余天数", "int"),
    Column("办结日期", "date"),
)
# Deliberately not in any sorted order: the file must keep the order it is given.
ROWS = (
    ("澄海路22号", "澄海路社区（示例）", dt.date(2026, 12, 1), 2, None),
    ("江西路153号", "江西路社区（示例）", dt.date(2026, 11, 24), -5, None),
    ("汕头路7号", "汕头路社区（示例）", dt.date(2026, 11, 9), None, dt.datetime(2026, 11, 2, 0, 0)),
    ("善化路18号院", "善化路社区（示例）", dt.date(2026, 12, 24), 25, None),
)


def test_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "点位.xlsx"
    assert export_table(target, "挂牌督办点位", COLUMNS, ROWS) == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["点位.xlsx"]  # no temp file left behind
    ws = load_workbook(target).active
    assert ws is not None
    assert ws.title == "挂牌督办点位"
    assert ws.freeze_panes == "A2"
    header = list(ws[1])
    assert [c.value for c in header] == [c.title for c in COLUMNS]
    assert all(c.font.bold for c in header)
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert ws.max_row == 1 + len(ROWS)
    assert [r[0] for r in body] == ["澄海路22号", "江西路153号", "汕头路7号", "善化路18号院"]
    assert [r[1] for r in body] == [r[1] for r in ROWS]
    assert [r[3] for r in body] == [2, -5, None, 25]
    assert [r[2] for r in body] == [dt.datetime.combine(r[2], dt.time()) for r in ROWS]
    assert [r[4] for r in body] == [None, None, dt.datetime(2026, 11, 2), None]
    for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        assert cell.is_date, cell.coordinate
        assert cell.number_format == "yyyy-mm-dd"
    assert ws["E4"].is_date and ws["E4"].number_format == "yyyy-mm-dd"
    assert not ws["D2"].is_date and ws["D2"].data_type == "n"
    # Chinese columns are wider than the Latin default
    assert (ws.column_dimensions["A"].width or 0) > 10


def test_empty_table_still_has_its_header(tmp_path: Path) -> None:
    ws = load_workbook(export_table(tmp_path / "空.xlsx", "空表", COLUMNS, ())).active
    assert ws is not None
    assert ws.max_row == 1 and [c.value for c in ws[1]] == [c.title for c in COLUMNS]
    assert ws.freeze_panes == "A2"


def test_replaces_an_existing_file_only_when_told(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    export_table(target, "表", COLUMNS, ROWS)
    before = target.read_bytes()
    with pytest.raises(TargetExists) as err:
        export_table(target, "表", COLUMNS, ROWS[:1])
    assert "已存在" in err.value.message and "t.xlsx" in err.value.message
    assert target.read_bytes() == before
    export_table(target, "表", COLUMNS, ROWS[:1], overwrite=True)
    ws = load_workbook(target).active
    assert ws is not None and ws.max_row == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    rows = (("=1+1", '=HYPERLINK("http://x")', None, 1, None),)
    ws = load_workbook(export_table(tmp_path / "f.xlsx", "表", COLUMNS, rows)).active
    assert ws is not None
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")
    assert (ws["B2"].value, ws["B2"].data_type) == ('=HYPERLINK("http://x")', "s")


def test_control_characters_from_pasted_text_do_not_break_the_export(tmp_path: Path) -> None:
    rows = (("江西路\x0b153号", "备注\x07", None, 1, None),)
    ws = load_workbook(export_table(tmp_path / "c.xlsx", "表", COLUMNS, rows)).active
    assert ws is not None
    assert (ws["A2"].value, ws["B2"].value) == ("江西路153号", "备注")


def test_sheet_title_excel_would_refuse_is_made_valid(tmp_path: Path) -> None:
    title = "点位 2026/11/29 [红灯]: 超期?*" + "很长" * 20
    ws = load_workbook(export_table(tmp_path / "t.xlsx", title, COLUMNS, ROWS)).active
    assert ws is not None
    assert ws.title.startswith("点位 2026")
    assert len(ws.title) <= 31
    assert not set(ws.title) & set("/\\[]:*?")


def test_missing_folder_is_a_storage_problem_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "没有这个文件夹" / "点位.xlsx"
    with pytest.raises(StorageProblem) as err:
        export_table(target, "表", COLUMNS, ROWS)
    assert "点位.xlsx" in err.value.message and "无法写入" in err.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "是个文件夹.xlsx"
    target.mkdir()
    with pytest.raises(UsageError) as err:
        export_table(target, "表", COLUMNS, ROWS, overwrite=True)
    assert "文件夹" in err.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["是个文件夹.xlsx"]
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_never_over_the_open_database_even_with_overwrite(desk: Desk, db_url: str, tmp_path: Path, suffix: str) -> None:
    """The window's xlsx exports hold no unit of work: the open Desk registers its files for every export."""
    db = tmp_path / "t.db"
    target = Path(f"{db}{suffix}")
    before = dump(db_url)
    raw = db.read_bytes()
    with pytest.raises(InputRefused) as err:
        export_table(target, "表", COLUMNS, ROWS, overwrite=True)
    assert "数据库" in err.value.message and not isinstance(err.value, TargetExists)
    assert db.read_bytes() == raw and dump(db_url) == before
    link = tmp_path / "链接.xlsx"
    link.symlink_to(target)
    with pytest.raises(InputRefused):
        export_table(link, "表", COLUMNS, ROWS, overwrite=True)
    assert link.is_symlink() and db.read_bytes() == raw


def test_a_closed_database_is_no_longer_protected(db_url: str, tmp_path: Path) -> None:
    Desk.open(db_url).close()
    export_table(tmp_path / "t.db", "表", COLUMNS, ROWS, overwrite=True)  # the user's choice once it is closed
    assert (tmp_path / "t.db").read_bytes()[:2] == b"PK"  # a zip: the workbook
