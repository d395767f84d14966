"""`zhdesk tally import|batches|undo`, `stats --json` metrics and `summary`, with real files and the real CLI.

Every refusal is checked with a full dump of the database before and after: nothing written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_error, assert_ok, dump, zhdesk
from tests.zhdesk.tally import tally_files as tf
from zhdesk.desk import Desk


@pytest.fixture
def url(any_demo_desk: Desk) -> str:
    """The demo on each engine in turn: imports, undo and the figures read back must agree."""
    return any_demo_desk.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def reader_url(sqlite_demo_desk: Desk) -> str:
    """SQLite only: for what the reader decides (formats, dates, refusals) before any database work."""
    return sqlite_demo_desk.engine.url.render_as_string(hide_password=False)


def run(url: str, tmp_path: Path, *args: str) -> Any:
    return zhdesk(*args, db=url, cwd=tmp_path)


def imported(url: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    r = run(url, tmp_path, "tally", "import", *args, "--json")
    assert r.code == 0, (r.out, r.err)
    data: dict[str, Any] = r.json()["files"][0]
    return data


def metrics(url: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    r = run(url, tmp_path, "stats", "--json", *args)
    assert_ok(r)
    out: dict[str, Any] = r.json()["metrics"]
    return out


# ------------------------------------------------------------------ the shapes


def test_summary_table_with_title_period_two_level_headers_and_total(url: str, tmp_path: Path) -> None:
    before = metrics(url, tmp_path, "--from", "2021-01-01", "--to", "2021-06-30", "--community", "江西路社区")
    f = imported(url, tmp_path, str(tf.summary_table(tmp_path / "汇总.xlsx")))
    assert f["status"] == "imported" and f["rows"] == 2 and f["entries"] == 10
    assert f["errors"] == [] and f["warnings"] == []
    after = metrics(url, tmp_path, "--from", "2021-01-01", "--to", "2021-06-30", "--community", "江西路社区")
    assert after["illegal_buildings_area"]["value"] == before["illegal_buildings_area"]["value"] + 12
    assert after["garbage_tons"]["value"] == before["garbage_tons"]["value"] + 30
    assert after["media_reports"]["qualifier"] == "余" and after["media_reports"]["unit"] == "条"


def test_total_row_mismatch_is_a_warning_naming_the_row(reader_url: str, tmp_path: Path) -> None:
    f = imported(reader_url, tmp_path, str(tf.summary_table(tmp_path / "汇总.xlsx", total_ok=False)))
    assert f["status"] == "imported" and f["entries"] == 10  # the 合计 row is never counted
    [w] = f["warnings"]
    assert (w["sheet"], w["row"], w["column"], w["value"]) == ("汇总", 7, "F", "101")
    assert "合计" in w["reason"] and "100" in w["reason"]


def test_detail_ledger_dates_in_every_form_and_units(reader_url: str, tmp_path: Path) -> None:
    f = imported(reader_url, tmp_path, str(tf.detail_ledger(tmp_path / "明细.xlsx")))
    assert f["status"] == "imported" and f["rows"] == 4 and f["entries"] == 4
    day = metrics(reader_url, tmp_path, "--from", "2021-03-07", "--to", "2021-03-07")
    assert day["garbage_tons"] == {"value": 3, "unit": "吨", "qualifier": "近"}
    area = metrics(reader_url, tmp_path, "--from", "2021-03-06", "--to", "2021-03-06")["illegal_buildings_area"]
    assert area["value"] == 6


def test_csv_in_utf8_bom_and_gbk(reader_url: str, tmp_path: Path) -> None:
    text = "日期,社区,统计指标,数量\n2021-05-04,汕头路社区,检查噪音扰民,7\n2021-05-05,汕头路社区,清理垃圾,约2吨\n"
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "gbk.csv").write_bytes(text.replace("2021-05-0", "2021-05-1").encode("gbk"))
    for name in ("bom.csv", "gbk.csv"):
        f = imported(reader_url, tmp_path, str(tmp_path / name))
        assert (f["status"], f["entries"]) == ("imported", 2), f
    m = metrics(reader_url, tmp_path, "--from", "2021-05-04", "--to", "2021-05-15", "--community", "汕头路社区")
    assert m["noise_checks"]["value"] == 14 and m["garbage_tons"] == {"value": 4, "unit": "吨", "qualifier": "约"}


# ------------------------------------------------------------------ duplicates, undo, dry run


def test_reimport_adds_nothing_and_undo_removes_the_batch(url: str, tmp_path: Path) -> None:
    path = tf.summary_table(tmp_path / "汇总.xlsx")
    f = imported(url, tmp_path, str(path))
    after_first = dump(url)
    again = imported(url, tmp_path, str(path))
    assert again["status"] == "duplicate" and again["entries"] == 0 and again["batch"] == f["batch"]
    assert dump(url) == after_first
    r = run(url, tmp_path, "tally", "undo", str(f["batch"]), "--json")
    assert_ok(r)
    assert r.json()["undone"] is True
    assert metrics(url, tmp_path, "--from", "2021-01-01", "--to", "2021-06-30", "--community", "澄海路社区")[
        "mobilized"]["value"] < 130 + 200  # fmt: skip
    batches = run(url, tmp_path, "tally", "batches", "--json").json()
    mine = next(b for b in batches if b["id"] == f["batch"])
    assert mine["undone"] and mine["undone_by"] and mine["entries"] == 10
    audit = [r for r in dump(url)["audit_entry"] if r[3] == "tally.undo"]
    assert len(audit) == 1  # the undo is itself recorded
    state = dump(url)
    assert_error(run(url, tmp_path, "tally", "undo", str(f["batch"])), 1)
    assert_error(run(url, tmp_path, "tally", "undo", "99999"), 1)
    assert dump(url) == state
    # undone, the same file may come in again
    assert imported(url, tmp_path, str(path))["status"] == "imported"


def test_undo_really_removes_the_figures(url: str, tmp_path: Path) -> None:
    args = ("--from", "2021-03-05", "--to", "2021-03-08")
    base = metrics(url, tmp_path, *args)
    f = imported(url, tmp_path, str(tf.detail_ledger(tmp_path / "明细.xlsx")))
    assert metrics(url, tmp_path, *args) != base
    assert_ok(run(url, tmp_path, "tally", "undo", str(f["batch"])))
    assert metrics(url, tmp_path, *args) == base


def test_dry_run_writes_nothing(url: str, tmp_path: Path) -> None:
    before = dump(url)
    r = run(url, tmp_path, "tally", "import", str(tf.summary_table(tmp_path / "s.xlsx")), "--dry-run", "--json")
    assert r.code == 0 and r.json()["files"][0]["status"] == "preview"
    assert dump(url) == before


# ------------------------------------------------------------------ periods and mappings


def test_summary_without_any_period_is_refused_not_guessed(reader_url: str, tmp_path: Path) -> None:
    path = tf.xlsx(tmp_path / "无时段.xlsx", [["社区", "清理垃圾（吨）"], ["江西路社区", 5]])
    before = dump(reader_url)
    r = run(reader_url, tmp_path, "tally", "import", str(path), "--json")
    assert r.code == 1
    f = r.json()["files"][0]
    assert f["status"] == "rejected" and "时段" in f["errors"][0]["reason"]
    assert dump(reader_url) == before
    f = imported(reader_url, tmp_path, str(path), "--from", "2021-02-01", "--to", "2021-02-28")
    assert f["status"] == "imported" and f["entries"] == 1


def test_unmapped_header_reported_then_mapped_and_remembered(url: str, tmp_path: Path) -> None:
    rows = [["日期", "社区", "捡拾烟头（公斤）", "清理垃圾"], [dt.date(2021, 4, 2), "善化路社区", 3, 2]]
    path = tf.xlsx(tmp_path / "a.xlsx", rows)
    before = dump(url)
    r = run(url, tmp_path, "tally", "import", str(path), "--json")
    f = r.json()["files"][0]
    assert r.code == 1 and f["status"] == "rejected" and f["unmapped"] == ["捡拾烟头（公斤）"]
    assert f["errors"][0]["column"] == "C" and f["errors"][0]["row"] == 1
    assert dump(url) == before
    f = imported(url, tmp_path, str(path), "--map", "捡拾烟头（公斤）=-")
    assert f["entries"] == 1  # ignored on request
    # the choice is remembered: the next file with that header imports without --map
    rows2 = [["日期", "社区", "捡拾烟头", "清理垃圾"], [dt.date(2021, 4, 9), "善化路社区", 4, 1]]
    assert imported(url, tmp_path, str(tf.xlsx(tmp_path / "b.xlsx", rows2)))["entries"] == 1


def test_map_to_an_unknown_code_is_a_usage_error(reader_url: str, tmp_path: Path) -> None:
    before = dump(reader_url)
    r = run(reader_url, tmp_path, "tally", "import", str(tf.summary_table(tmp_path / "s.xlsx")), "--map", "x=nothing")
    assert r.code == 2 and "nothing" in r.err
    assert dump(reader_url) == before


# ------------------------------------------------------------------ bad input: refused, nothing written


def _refused(url: str, tmp_path: Path, path: Path, code: int, *words: str) -> None:
    before = dump(url)
    r = run(url, tmp_path, "tally", "import", str(path))
    assert r.code == code, (r.out, r.err)
    assert "Traceback" not in r.err
    assert path.name in r.err
    for w in words:
        assert w in r.err, r.err
    r = run(url, tmp_path, "tally", "import", str(path), "--json")
    assert r.code == code
    f = r.json()["files"][0]
    assert f["status"] == "rejected" and f["errors"]
    assert dump(url) == before


def test_corrupt_and_truncated_file(reader_url: str, tmp_path: Path) -> None:
    good = tf.summary_table(tmp_path / "good.xlsx")
    _refused(reader_url, tmp_path, tf.corrupt_copy(good, tmp_path / "截断.xlsx"), 2, "损坏")


def test_not_a_spreadsheet_renamed_xlsx(reader_url: str, tmp_path: Path) -> None:
    path = tmp_path / "照片.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    _refused(reader_url, tmp_path, path, 2, "不是电子表格")


def test_password_protected_workbook(reader_url: str, tmp_path: Path) -> None:
    path = tf.encrypted(tf.summary_table(tmp_path / "plain.xlsx"), tmp_path / "加密.xlsx")
    _refused(reader_url, tmp_path, path, 2, "密码")


def test_xml_bomb(reader_url: str, tmp_path: Path) -> None:
    path = tf.xml_bomb(tf.summary_table(tmp_path / "plain.xlsx"), tmp_path / "bomb.xlsx")
    _refused(reader_url, tmp_path, path, 2, "XML")


def test_zip_bomb_capped_before_parsing(reader_url: str, tmp_path: Path) -> None:
    path = tf.zip_bomb(tf.summary_table(tmp_path / "plain.xlsx"), tmp_path / "zipbomb.xlsx")
    _refused(reader_url, tmp_path, path, 2, "压缩炸弹")


def test_empty_workbook(reader_url: str, tmp_path: Path) -> None:
    _refused(reader_url, tmp_path, tf.xlsx(tmp_path / "空.xlsx", []), 1, "空")


def test_sheet_with_no_recognisable_header(reader_url: str, tmp_path: Path) -> None:
    path = tf.xlsx(tmp_path / "杂项.xlsx", [["会议纪要"], ["时间", "地点", "参会人"], ["上午", "街道", "张三"]])
    _refused(reader_url, tmp_path, path, 1, "表头")


@pytest.mark.parametrize(
    ("cell", "words"),
    [("2021-02-30", ("第3行", "A列", "2021-02-30", "不存在")), ],
)  # fmt: skip
def test_impossible_date(reader_url: str, tmp_path: Path, cell: str, words: tuple[str, ...]) -> None:
    rows = [["日期", "社区", "清理垃圾（吨）"], ["2021-02-01", "江西路社区", 1], [cell, "江西路社区", 2]]
    _refused(reader_url, tmp_path, tf.xlsx(tmp_path / "d.xlsx", rows), 1, *words)


@pytest.mark.parametrize(("cell", "word"), [("十二", "阿拉伯数字"), ("待定", "不是数字"), (-3, "负数")])
def test_bad_numbers(reader_url: str, tmp_path: Path, cell: object, word: str) -> None:
    rows = [["日期", "社区", "清理垃圾（吨）"], ["2021-02-01", "江西路社区", 1], ["2021-02-02", "江西路社区", cell]]
    _refused(reader_url, tmp_path, tf.xlsx(tmp_path / "n.xlsx", rows), 1, "第3行", "C列", word)


def test_community_not_in_the_list(url: str, tmp_path: Path) -> None:
    rows = [["日期", "社区", "清理垃圾（吨）"], ["2021-02-01", "江西路社区", 1], ["2021-02-02", "八大关社区", 2]]
    _refused(url, tmp_path, tf.xlsx(tmp_path / "c.xlsx", rows), 1, "八大关社区", "社区列表")


def test_formula_without_cached_value(reader_url: str, tmp_path: Path) -> None:
    rows = [["日期", "社区", "清理垃圾（吨）"], ["2021-02-01", "江西路社区", 1], ["2021-02-02", "江西路社区", "=C2*2"]]
    _refused(reader_url, tmp_path, tf.xlsx(tmp_path / "f.xlsx", rows), 1, "公式")


def test_one_bad_file_does_not_stop_the_good_one(url: str, tmp_path: Path) -> None:
    bad = tf.xlsx(tmp_path / "bad.xlsx", [["日期", "社区", "清理垃圾（吨）"], ["2021-02-30", "江西路社区", 1]])
    good = tf.summary_table(tmp_path / "good.xlsx")
    r = run(url, tmp_path, "tally", "import", str(bad), str(good), "--json")
    assert r.code == 1
    statuses = [f["status"] for f in r.json()["files"]]
    assert statuses == ["rejected", "imported"]


# ------------------------------------------------------------------ provenance, overlap, summary


def test_hand_figure_has_provenance_and_overlap_is_a_warning(url: str, tmp_path: Path) -> None:
    r = run(url, tmp_path, "figure", "set", "garbage_tons", "--from", "2021-08-01", "--to", "2021-08-31",
            "--value", "约9", "--community", "江西路社区")  # fmt: skip
    assert_ok(r)
    entry = [row for row in dump(url)["tally_entry"] if row[4] == dt.date(2021, 8, 1) and row[1] == "garbage_tons"]
    assert entry and entry[0][-2]  # entered_by
    rows = [["日期", "社区", "清理垃圾（吨）"], [dt.date(2021, 8, 10), "江西路社区", 2]]
    f = imported(url, tmp_path, str(tf.xlsx(tmp_path / "aug.xlsx", rows)))
    assert f["status"] == "imported"
    assert any("手工录入" in w["reason"] and "重复计算" in w["reason"] for w in f["warnings"])


SOURCE_CLAUSES = (
    "已处置数字化城管件1758件", "巡查26期54处", "中层步巡21期39处", "督察通报8期12处", "挂牌督办5期10处",
    "督查件3期20处", "通报部分楼院1期5处", "全部办结", "楼组长517人次", "完成了65个楼院的清理整治",
    "拆除违法建设5处、共29平方米", "乱搭乱建9处、共48平方米", "占路游商20起", "跨门经营16处", "检查噪音扰民67次",
    "检查沿街商铺垃圾分类27次", "下达告知书、责改文书88份", "出动清运车辆50台次", "清理垃圾近130吨",
    "清理毁绿种菜152处", "主流媒体刊(播)发新闻100余条",
)  # fmt: skip


def test_demo_summary_reproduces_the_source(url: str, tmp_path: Path) -> None:
    r = run(url, tmp_path, "summary", "--from", "2021-01-01", "--to", "2021-06-30")
    assert_ok(r)
    text = r.out.strip()
    assert len(text.splitlines()) == 1
    for clause in SOURCE_CLAUSES:
        assert clause in text, clause
    m = metrics(url, tmp_path, "--from", "2021-01-01", "--to", "2021-06-30")
    assert m["garbage_tons"] == {"value": 130, "unit": "吨", "qualifier": "近"}
    assert m["mobilized"]["value"] == 517 and m["city_cases"]["value"] == 1758


def test_summary_leaves_out_zero_clauses(url: str, tmp_path: Path) -> None:
    r = run(url, tmp_path, "summary", "--from", "2019-01-01", "--to", "2019-01-31")
    assert_ok(r)
    assert "人次" not in r.out and "0" not in r.out.replace("2019", "").replace("01", "")


def test_demo_batches_are_listed(url: str, tmp_path: Path) -> None:
    r = run(url, tmp_path, "tally", "batches", "--json")
    assert_ok(r)
    names = [b["file"] for b in r.json()]
    assert any("明细台账" in n for n in names) and any("月度统计" in n for n in names)


def test_figure_set_over_imported_tallies_warns(url: str, tmp_path: Path) -> None:
    r = run(url, tmp_path, "figure", "set", "garbage_tons", "--from", "2021-01-01", "--to", "2021-06-30",
            "--value", "近130", "--community", "江西路社区", "--json")  # fmt: skip
    assert_ok(r)
    warnings = r.json()["warnings"]
    assert warnings and "重复计算" in warnings[0] and "江西路社区_2021年上半年_明细台账.xlsx" in warnings[0]
    r = run(url, tmp_path, "figure", "set", "garbage_tons", "--from", "2019-01-01", "--to", "2019-01-31",
            "--value", "3", "--json")  # fmt: skip
    assert_ok(r)
    assert r.json()["warnings"] == []


def test_community_option_is_resolved_like_a_cell(url: str, tmp_path: Path) -> None:
    path = tf.xlsx(tmp_path / "无社区列.xlsx", [["日期", "清理垃圾（吨）"], ["2021-03-01", 2]])
    before = dump(url)
    r = run(url, tmp_path, "tally", "import", str(path), "--community", "火星社区")
    assert r.code == 1 and "火星社区" in r.err and "Traceback" not in r.err
    assert dump(url) == before
    f = imported(url, tmp_path, str(path), "--community", "江西路社区")  # the sample marker may be left out
    assert f["status"] == "imported" and f["entries"] == 1
