"""Periods: one week convention (ISO, Monday keys) and the names an office reads."""

from __future__ import annotations

import datetime as dt

import pytest

from zhdesk.domain.periods import (
    GAP,
    all_periods,
    fill_periods,
    gap_text,
    granularity_of,
    period_end,
    period_key,
    period_label,
    period_start,
    period_text,
)


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (dt.date(2026, 11, 23), "2026-11-23"),  # a Monday is its own key
        (dt.date(2026, 11, 29), "2026-11-23"),  # Sunday belongs to the week before (ISO)
        (dt.date(2026, 11, 30), "2026-11-30"),
        (dt.date(2021, 1, 1), "2020-12-28"),  # a week across the new year keeps one key
        (dt.date(2021, 1, 3), "2020-12-28"),
    ],
)
def test_week_key_is_the_monday(day: dt.date, key: str) -> None:
    assert period_key(day, "week") == key
    assert period_start(key) <= day <= period_end(key)
    assert granularity_of(key) == "week"


def test_labels_read_like_an_office() -> None:
    assert period_label("2026-11-23") == "11月第4周"
    assert period_label("2026-11-30") == "12月第1周"  # its Thursday is 12月3日
    assert period_label("2020-12-28", with_year=True) == "2020年12月第5周"  # Thursday 12-31
    assert period_label("2021-03") == "2021年3月"
    assert period_label("2021") == "2021年"
    assert period_text("2026-11-23") == "2026年11月第4周（11月23日—11月29日）"
    assert "周" not in period_label("2021-03") and "第44周" not in period_label("2026-11-02")


def test_every_day_of_a_year_falls_in_exactly_one_week_and_month() -> None:
    day = dt.date(2024, 1, 1)
    while day.year == 2024:
        for g in ("week", "month", "year"):
            key = period_key(day, g)  # type: ignore[arg-type]
            assert period_start(key) <= day <= period_end(key)
        day += dt.timedelta(days=1)


def test_fill_periods_shows_empty_periods_and_one_gap_for_a_long_break() -> None:
    assert fill_periods(["2021-01", "2021-03"]) == ["2021-01", "2021-02", "2021-03"]
    assert fill_periods(["2021-01", "2026-10"]) == ["2021-01", GAP, "2026-10"]
    assert fill_periods(["2021-01-04", "2021-01-25"]) == ["2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"]
    assert all_periods("2020-12", "2021-02") == ["2020-12", "2021-01", "2021-02"]
    assert fill_periods([]) == []


def test_gap_text_names_both_dates() -> None:
    assert gap_text("2021-06", "2026-10") == "2021年7月1日—2026年9月30日 没有督办件"
