"""The pure table parser on grids: header detection, two-level headers without merge information, merged
community cells, 小计/合计 checks, period columns, mapping and exclusions — no database, no files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zhdesk.dto import TallyImportOptions
from zhdesk.reference import METRICS, SYNONYMS
from zhdesk.tally.parse import Catalogue, MetricInfo, ParseResult, parse_workbook
from zhdesk.tally.reader import SheetGrid, Workbook

CAT = Catalogue.build(
    [MetricInfo(c, n, u) for c, n, u in METRICS], SYNONYMS, ["江西路社区（示例）", "澄海路社区（示例）", "汕头路社区"]
)


def parse(rows: list[list[Any]], merged: Any = (), name: str = "表1", **opts: Any) -> ParseResult:
    wb = Workbook("f.xlsx", [SheetGrid(name, [list(r) for r in rows], list(merged))])
    return parse_workbook(wb, CAT, TallyImportOptions(**opts))


def totals(r: ParseResult) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for e in r.entries:
        out[e.metric] = out.get(e.metric, Decimal(0)) + e.value
    return out


def test_two_level_header_without_merge_information() -> None:
    r = parse([
        ["2021年第一季度统计（2021年1月1日—3月31日）"],
        ["社区", "拆除违法建设", "", "乱搭乱建", "", "清理垃圾(吨)"],
        ["", "处数", "面积(㎡)", "处", "面积（平方米）", ""],
        ["江西路社区", 2, 12, 1, 4, 7],
    ])  # fmt: skip
    assert not r.errors, r.errors
    assert totals(r) == {"illegal_buildings": 2, "illegal_buildings_area": 12, "unauthorized_structures": 1,
                         "unauthorized_structures_area": 4, "garbage_tons": 7}  # fmt: skip
    assert {(e.start, e.end) for e in r.entries} == {(dt.date(2021, 1, 1), dt.date(2021, 3, 31))}


def test_merged_community_cells_and_subtotals() -> None:
    rows = [
        ["日期", "社区", "清理垃圾（吨）"],
        [dt.date(2021, 3, 1), "江西路社区", 2],
        [dt.date(2021, 3, 2), "", 3],
        ["小计", "", 5],
        [dt.date(2021, 3, 3), "澄海路社区", 4],
        ["小计", "", 9],  # wrong: the section since the last 小计 is 4
        ["合计", "", 9],
    ]
    r = parse(rows, merged=[((1, 1), (2, 1))])  # 江西路社区 merged down over two rows
    assert not r.errors, r.errors
    assert [e.community for e in r.entries] == ["江西路社区（示例）", "江西路社区（示例）", "澄海路社区（示例）"]
    assert totals(r) == {"garbage_tons": 9}
    [w] = r.warnings
    assert (w.row, w.column) == (6, "C") and "小计" in w.reason and "4" in w.reason
    assert r.total_rows == [("表1", 4), ("表1", 6), ("表1", 7)]


def test_month_column_takes_the_year_from_the_title() -> None:
    r = parse([["澄海路社区2021年工作统计"], ["月份", "检查噪音扰民"], ["3月", 4], ["4月份", 5]])
    assert not r.errors, r.errors
    assert [(e.start, e.end, e.community) for e in r.entries] == [
        (dt.date(2021, 3, 1), dt.date(2021, 3, 31), "澄海路社区（示例）"),
        (dt.date(2021, 4, 1), dt.date(2021, 4, 30), "澄海路社区（示例）"),
    ]


def test_user_period_and_community_for_a_bare_summary() -> None:
    rows = [["清理垃圾", "占路游商"], ["约12", 3]]
    refused = parse(rows)
    assert refused.errors and not refused.entries
    r = parse(rows, community="汕头路社区", period=(dt.date(2021, 5, 1), dt.date(2021, 5, 31)))
    assert not r.errors and totals(r) == {"garbage_tons": 12, "street_vendors": 3}
    assert [e.qualifier for e in r.entries if e.metric == "garbage_tons"] == ["约"]


def test_unit_in_the_header_must_match_the_metric() -> None:
    r = parse([["日期", "社区", "清理垃圾（公斤）"], ["2021-03-01", "江西路社区", 300]])
    assert r.errors and "公斤" in r.errors[0].reason and "吨" in r.errors[0].reason


def test_mapping_fixes_and_exclusions() -> None:
    rows = [["日期", "社区", "拆违数", "备注"], ["2021-03-01", "江西路社区", "两处", ""],
            ["2021-03-02", "火星社区", 1, ""]]  # fmt: skip
    r = parse(rows)
    assert r.unmapped == ["拆违数"] and r.errors
    r = parse(rows, mapping={"拆违数": "illegal_buildings"})
    assert len(r.errors) == 2  # 两处 is not a number; 火星社区 is not a community
    r = parse(rows, mapping={"拆违数": "illegal_buildings"}, fixes={("表1", 2, "C"): "2"},
              excluded=frozenset({("表1", 3)}))  # fmt: skip
    assert not r.errors and totals(r) == {"illegal_buildings": 2} and r.excluded_rows == [("表1", 3)]


def test_header_below_several_title_rows_and_blank_rows() -> None:
    rows: list[list[Any]] = [
        ["珠海路街道"], [], ["江西路社区 工作台账"], ["填报人：张三"], [],
        ["日期", "统计指标", "数量", "单位"], [], ["2021/4/1", "下达告知书", 3, "份"], [],
    ]  # fmt: skip
    r = parse(rows)
    assert not r.errors, r.errors
    assert r.sheets[0].header_row == 6 and r.sheets[0].shape == "detail"
    assert [(e.metric, e.value, e.community, e.row) for e in r.entries] == [("notices", 3, "江西路社区（示例）", 8)]


# ------------------------------------------------------------------ whatever the cells, a result, never a crash

_WORDS = [
    "日期", "社区", "统计指标", "数量", "单位", "清理垃圾（吨）", "拆除违法建设", "处数", "面积(㎡)", "合计", "小计",
    "江西路社区", "火星社区", "月份", "3月", "2021年1月1日—6月30日", "约130", "近百", "100余", "十二", "待定", "-3",
    "2021-02-30", "3月5日", "开始日期", "结束日期", "=SUM(A1)", "", " ", "吨", "公斤", "清理垃圾", "出动人次",
    "1e30", "99999999999999999",
]  # fmt: skip
_CELLS = st.one_of(
    st.sampled_from(_WORDS), st.none(), st.booleans(), st.integers(-5, 50000),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.text(max_size=8),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(_CELLS, max_size=7), max_size=9),
    merged=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 7), st.integers(0, 3), st.integers(0, 3)), max_size=3),
)
def test_any_grid_gives_a_result(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> None:
    ranges = [((r, c), (r + dr, c + dc)) for r, c, dr, dc in merged]
    r = parse(rows, merged=ranges)
    assert all(p.reason for p in r.errors + r.warnings)
    assert all(0 < e.value < 10**12 for e in r.entries)
