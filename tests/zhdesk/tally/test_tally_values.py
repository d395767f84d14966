"""Pure parsing of tally cells: numbers with units and qualifiers, dates, periods, header keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhdesk.tally.text import header_key, same_unit
from zhdesk.tally.values import ValueProblem, find_period, parse_date, parse_number


@pytest.mark.parametrize(
    ("cell", "value", "qualifier", "unit"),
    [
        (29, Decimal(29), None, ""),
        (12.5, Decimal("12.5"), None, ""),
        ("29平方米", Decimal(29), None, "平方米"),
        ("6㎡", Decimal(6), None, "平方米"),
        ("约130吨", Decimal(130), "约", "吨"),
        ("近130", Decimal(130), "近", ""),
        ("近百", Decimal(100), "近", ""),
        ("100余条", Decimal(100), "余", "条"),
        ("100多", Decimal(100), "余", ""),
        ("１２", Decimal(12), None, ""),
        ("1,758", Decimal(1758), None, ""),
        (" 52 人次 ", Decimal(52), None, "人次"),
    ],
)
def test_numbers_keep_value_qualifier_and_unit(cell: object, value: Decimal, qualifier: str | None, unit: str) -> None:
    assert parse_number(cell) == (value, qualifier, unit)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("十二", "中文数字"), ("待定", "不是数字"), (-3, "负数"), ("-3吨", "负数"), (True, "逻辑值"),
     (dt.date(2021, 3, 5), "日期"), ("1.2.3", "不是")],
)  # fmt: skip
def test_numbers_refused_with_a_reason(cell: object, reason: str) -> None:
    with pytest.raises(ValueProblem) as exc:
        parse_number(cell)
    assert reason in exc.value.reason


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.date(2021, 3, 5), dt.date(2021, 3, 5)),
        (dt.datetime(2021, 3, 5, 9, 30), dt.date(2021, 3, 5)),
        ("2021年3月5日", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        ("2021.3.5", dt.date(2021, 3, 5)),
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("２０２１年３月５日", dt.date(2021, 3, 5)),
        ("3月5日", dt.date(2021, 3, 5)),
        (44260, dt.date(2021, 3, 5)),  # Excel 1900 serial
        ("44260", dt.date(2021, 3, 5)),
    ],
)
def test_dates_in_every_usual_form(cell: object, expected: dt.date) -> None:
    assert parse_date(cell, year=2021) == expected


def test_1904_serials() -> None:
    assert parse_date(42798, date1904=True) == dt.date(2021, 3, 5)


@pytest.mark.parametrize(("cell", "reason"), [("2021-02-30", "不存在"), ("3月5日", "缺少年份"), ("明天", "不是日期")])
def test_bad_dates(cell: str, reason: str) -> None:
    with pytest.raises(ValueProblem) as exc:
        parse_date(cell)
    assert reason in exc.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("江西路社区工作统计表（2024年4月1日—6月30日）", (dt.date(2024, 4, 1), dt.date(2024, 6, 30))),
        ("2021.1.1-2021.6.30", (dt.date(2021, 1, 1), dt.date(2021, 6, 30))),
        ("2021年1月—6月", (dt.date(2021, 1, 1), dt.date(2021, 6, 30))),
        ("2021年1-6月", (dt.date(2021, 1, 1), dt.date(2021, 6, 30))),
        ("2021年2月", (dt.date(2021, 2, 1), dt.date(2021, 2, 28))),
        ("社区工作统计表", None),
    ],
)
def test_periods_in_titles(text: str, expected: tuple[dt.date, dt.date] | None) -> None:
    assert find_period(text) == expected


def test_header_keys_ignore_units_width_and_spacing() -> None:
    assert header_key("清理垃圾（吨）") == header_key("清理垃圾") == header_key(" 清理垃圾(吨) ")
    assert header_key("主流媒体刊(播)发新闻") == header_key("主流媒体刊（播）发新闻")
    assert header_key("ＡＢＣ") == header_key("abc")
    assert same_unit("㎡", "平方米") and same_unit("m2", "平方米") and not same_unit("公斤", "吨")
