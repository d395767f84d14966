"""Periods: one week convention (ISO, Monday keys) and the names an office reads."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from zhdesk.domain.periods import (
    ALL,
    CUSTOM,
    GAP,
    QUICK_PRESETS,
    all_periods,
    axis_labels,
    fill_periods,
    gap_label,
    gap_text,
    gaps,
    granularity_of,
    half_year_presets,
    is_period_key,
    period_end,
    period_key,
    period_label,
    period_start,
    period_text,
    preset_range,
    range_text,
    range_word,
    tick_indices,
    tick_labels,
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


# ---------------------------------------------------------------- presets, range words, ticks

D = dt.date


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 1, 1), {  # a Thursday
            "本周": (D(2025, 12, 29), D(2026, 1, 4)), "本月": (D(2026, 1, 1), D(2026, 1, 31)),
            "本季度": (D(2026, 1, 1), D(2026, 3, 31)), "今年": (D(2026, 1, 1), D(2026, 12, 31))}),
        (D(2026, 6, 30), {  # a Tuesday
            "本周": (D(2026, 6, 29), D(2026, 7, 5)), "本月": (D(2026, 6, 1), D(2026, 6, 30)),
            "本季度": (D(2026, 4, 1), D(2026, 6, 30)), "今年": (D(2026, 1, 1), D(2026, 12, 31))}),
        (D(2026, 7, 1), {
            "本周": (D(2026, 6, 29), D(2026, 7, 5)), "本月": (D(2026, 7, 1), D(2026, 7, 31)),
            "本季度": (D(2026, 7, 1), D(2026, 9, 30)), "今年": (D(2026, 1, 1), D(2026, 12, 31))}),
        (D(2026, 12, 31), {
            "本周": (D(2026, 12, 28), D(2027, 1, 3)), "本月": (D(2026, 12, 1), D(2026, 12, 31)),
            "本季度": (D(2026, 10, 1), D(2026, 12, 31)), "今年": (D(2026, 1, 1), D(2026, 12, 31))}),
        (D(2026, 11, 30), {  # a Monday
            "本周": (D(2026, 11, 30), D(2026, 12, 6)), "本月": (D(2026, 11, 1), D(2026, 11, 30)),
            "本季度": (D(2026, 10, 1), D(2026, 12, 31))}),
        (D(2026, 11, 29), {  # a Sunday
            "本周": (D(2026, 11, 23), D(2026, 11, 29)), "本月": (D(2026, 11, 1), D(2026, 11, 30))}),
        (D(2024, 2, 29), {"本月": (D(2024, 2, 1), D(2024, 2, 29)), "本季度": (D(2024, 1, 1), D(2024, 3, 31))}),
    ],
)  # fmt: skip
def test_presets_are_computed_from_today(today: dt.date, expected: dict[str, tuple[dt.date, dt.date]]) -> None:
    for name, dates in expected.items():
        assert preset_range(name, today) == dates, name
    assert preset_range(ALL, today) == (None, None)
    assert preset_range(CUSTOM, today) == (None, None)
    # every preset holds today
    for name in QUICK_PRESETS[1:]:
        start, end = preset_range(name, today)
        assert start is not None and end is not None and start <= today <= end, name


def test_half_year_presets_of_this_and_last_year_and_years_with_data() -> None:
    assert half_year_presets(D(2026, 6, 30)) == ["2026年上半年", "2025年下半年", "2025年上半年"]
    assert half_year_presets(D(2026, 7, 1)) == ["2026年下半年", "2026年上半年", "2025年下半年", "2025年上半年"]
    assert half_year_presets(D(2026, 1, 1), [2021, 2025, 2021]) == [
        "2026年上半年", "2025年下半年", "2025年上半年", "2021年下半年", "2021年上半年"]  # fmt: skip
    today = D(2026, 11, 30)
    assert preset_range("2026年下半年", today) == (D(2026, 7, 1), D(2026, 12, 31))
    assert preset_range("2021年上半年", today) == (D(2021, 1, 1), D(2021, 6, 30))
    assert preset_range("2025年下半年", today) == (D(2025, 7, 1), D(2025, 12, 31))


def test_range_text_and_word() -> None:
    today = D(2026, 11, 30)
    assert range_text(*preset_range("本月", today)) == "2026年11月1日—11月30日"
    assert range_text(None, None) == "全部时间"
    assert range_text(D(2025, 12, 29), D(2026, 1, 4)) == "2025年12月29日—2026年1月4日"
    assert range_text(None, D(2021, 6, 30)) == "截至2021年6月30日"
    assert range_text(D(2021, 1, 1), None) == "2021年1月1日起"
    assert range_text(D(2021, 1, 1), D(2021, 1, 1)) == "2021年1月1日"
    for name in (*QUICK_PRESETS[1:], "2026年下半年", "2021年上半年"):
        assert range_word(*preset_range(name, today), today) == name
    assert range_word(None, None, today) == "累计"  # never 本期 for 不限
    assert range_word(D(2026, 11, 3), D(2026, 11, 9), today) == "所选时间"


@pytest.mark.parametrize("n", range(0, 80))
@pytest.mark.parametrize("fit", [1, 2, 3, 5, 8, 12, 30])
def test_ticks_label_the_first_and_last_and_a_regular_stride(n: int, fit: int) -> None:
    ticks = tick_indices(n, fit)
    if n == 0:
        assert ticks == []
        return
    assert ticks[0] == 0 and ticks[-1] == n - 1 and ticks == sorted(set(ticks))
    if n <= min(12, fit):
        assert ticks == list(range(n))  # every period
        return
    assert len(ticks) <= max(min(fit, 12), 2)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(set(gaps[:-1])) <= 1  # a regular stride, only the step onto the last may differ
    assert max(gaps) <= 2 * gaps[0] and min(gaps) * 2 >= gaps[0]  # no bar is far from a label


def test_tick_labels_name_the_year_on_the_first_month_and_each_new_year() -> None:
    keys = ["2020-11", "2020-12", "2021-01", "2021-02"]
    assert axis_labels(keys) == ["2020年11月", "2020年12月", "2021年1月", "2021年2月"]
    assert tick_labels(keys, range(4)) == ["2020年11月", "12月", "2021年1月", "2月"]
    keys = ["2021-01", "2021-02", "2021-03", "2021-04", GAP, "2026-10", "2026-11"]
    assert tick_labels(keys, [0, 2, 4, 6]) == ["2021年1月", "3月", "……", "2026年11月"]  # the year after a break
    assert tick_labels(keys, [0, 6]) == ["2021年1月", "2026年11月"]
    assert tick_labels(["2026-11-02", "2026-11-23"], [0, 1]) == ["11月第1周", "11月第4周"]


def test_a_gap_between_two_phases_names_both_dates() -> None:
    keys = ["2021-05", "2021-06", GAP, "2026-10", "2026-11"]
    assert gaps(keys) == {2: ("2021年7月—2026年9月", "2021年7月1日—2026年9月30日 没有督办件")}
    assert gap_label("2026-06-29", "2026-08-24") == "2026年7月6日—8月23日"
    assert gaps(["2021-05", "2021-06"]) == {}


def test_is_period_key() -> None:
    assert all(is_period_key(k) for k in ("2021", "2021-03", "2026-11-23", GAP))
    assert not any(is_period_key(k) for k in ("2026-11-24", "江西路社区", "2021-13", "", "21-3"))
