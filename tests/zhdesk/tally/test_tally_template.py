"""The tally template: its structure, and the round trip a new user makes — export, fill in, save with
LibreOffice, import. Also .xls and .ods files written by LibreOffice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support import assert_error, assert_ok, dump, zhdesk
from tests.zhdesk.tally import tally_files as tf
from zhdesk.desk import Desk


@pytest.fixture
def url(demo_desk: Desk, tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 't.db').as_posix()}"


def _template(url: str, tmp_path: Path) -> Path:
    out = tmp_path / "社区台账模板.xlsx"
    r = zhdesk("tally", "template", "-o", str(out), db=url, cwd=tmp_path)
    assert_ok(r)
    return out


def test_template_structure(url: str, tmp_path: Path) -> None:
    wb = load_workbook(_template(url, tmp_path))
    assert wb.sheetnames[:3] == ["明细台账", "汇总表", "填写说明"]
    lists = wb["下拉列表"]
    assert lists.sheet_state == "hidden"
    assert "江西路社区（示例）" in [c.value for c in lists["A"]]
    assert "清理垃圾" in [c.value for c in lists["B"]]
    detail = wb["明细台账"]
    assert [c.value for c in detail[2]][:7] == ["日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量"]
    assert detail.protection.sheet is True
    assert detail["A2"].protection.locked and not detail["A3"].protection.locked  # header protected, data free
    assert detail["A3"].number_format == "yyyy-mm-dd"
    formulas = [dv.formula1 for dv in detail.data_validations.dataValidation]
    assert any("下拉列表" in (f or "") for f in formulas)  # lists on the hidden sheet, not inline
    summary = wb["汇总表"]
    assert "清理垃圾（吨）" in [c.value for c in summary[2]]
    assert "填写说明" in wb["填写说明"]["A1"].value


def test_template_refuses_a_folder_or_other_suffix(url: str, tmp_path: Path) -> None:
    before = dump(url)
    assert_error(zhdesk("tally", "template", "-o", str(tmp_path / "t.csv"), db=url, cwd=tmp_path), 2)
    assert dump(url) == before


def _fill(template: Path, out: Path) -> Path:
    wb = load_workbook(template)
    ws = wb["明细台账"]
    rows = [
        (dt.date(2024, 4, 2), "江西路社区（示例）", "江西路153号", "私搭乱建", "拆除", "拆除违法建设", 1, "处"),
        (dt.date(2024, 4, 2), "江西路社区（示例）", "江西路153号", "私搭乱建", "拆除", "拆除违法建设面积", 7, "平方米"),
        (dt.date(2024, 4, 9), "江西路社区（示例）", None, None, "清运", "清理垃圾", "约4", "吨"),
    ]  # fmt: skip
    for i, row in enumerate(rows, start=3):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v)
    sm = wb["汇总表"]
    heads = [c.value for c in sm[2]]
    sm.cell(3, 1, "澄海路社区（示例）")
    sm.cell(3, 2, dt.date(2024, 4, 1))
    sm.cell(3, 3, dt.date(2024, 6, 30))
    sm.cell(3, heads.index("检查噪音扰民（次）") + 1, 11)
    wb.save(out)
    return out


@tf.needs_soffice
def test_template_filled_saved_by_libreoffice_imports(url: str, tmp_path: Path) -> None:
    filled = _fill(_template(url, tmp_path), tmp_path / "filled.xlsx")
    converted = tf.soffice_convert(filled, "xlsx", tmp_path / "lo")
    r = zhdesk("tally", "import", str(converted), "--json", db=url, cwd=tmp_path)
    assert r.code == 0, (r.out, r.err)
    f = r.json()["files"][0]
    assert (f["status"], f["rows"], f["entries"]) == ("imported", 4, 4), f
    m = zhdesk("stats", "--json", "--from", "2024-04-01", "--to", "2024-06-30", db=url, cwd=tmp_path).json()["metrics"]
    assert m["illegal_buildings_area"]["value"] == 7 and m["noise_checks"]["value"] == 11
    assert m["garbage_tons"] == {"value": 4, "unit": "吨", "qualifier": "约"}


@tf.needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_written_by_libreoffice(url: str, tmp_path: Path, fmt: str) -> None:
    converted = tf.soffice_convert(tf.summary_table(tmp_path / "汇总.xlsx"), fmt, tmp_path / "lo")
    r = zhdesk("tally", "import", str(converted), "--json", db=url, cwd=tmp_path)
    assert r.code == 0, (r.out, r.err)
    f = r.json()["files"][0]
    assert (f["status"], f["rows"], f["entries"]) == ("imported", 2, 10), f


@tf.needs_soffice
def test_bad_date_in_a_libreoffice_file_is_refused(url: str, tmp_path: Path) -> None:
    src = tf.xlsx(tmp_path / "bad.xlsx", [["日期", "社区", "清理垃圾（吨）"], ["2021-02-30", "江西路社区", 1]])
    converted = tf.soffice_convert(src, "ods", tmp_path / "lo")
    before = dump(url)
    r = zhdesk("tally", "import", str(converted), db=url, cwd=tmp_path)
    assert r.code == 1 and "2021-02-30" in r.err and "不存在" in r.err
    assert dump(url) == before


@tf.needs_soffice
def test_damaged_xls_is_one_line_and_writes_nothing(url: str, tmp_path: Path) -> None:
    """.xls is read in a child process: a damaged one (calamine may panic or abort on it) is one line, exit 2."""
    xls = tf.soffice_convert(tf.summary_table(tmp_path / "汇总.xlsx"), "xls", tmp_path / "lo")
    data = bytearray(xls.read_bytes())
    for i in range(600, len(data), 97):  # scribble over the sectors after the header
        data[i] = (data[i] * 7 + 13) % 256
    bad = tmp_path / "损坏.xls"
    bad.write_bytes(bytes(data))
    before = dump(url)
    r = zhdesk("tally", "import", str(bad), db=url, cwd=tmp_path)
    assert r.code in (1, 2), (r.out, r.err)
    assert len(r.err.strip().splitlines()) >= 1 and "panicked" not in r.err and "Traceback" not in r.err
    assert dump(url) == before
    truncated = tmp_path / "截断.xls"
    truncated.write_bytes(xls.read_bytes()[:700])
    assert_error(zhdesk("tally", "import", str(truncated), db=url, cwd=tmp_path), 2)
    assert dump(url) == before
