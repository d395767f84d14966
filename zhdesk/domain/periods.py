"""Periods of time the figures are grouped by, and how an office names them.

One convention on every engine: weeks run Monday to Sunday (ISO); a week's key is its Monday as an
ISO date ('2026-11-23'), so SQLite and PostgreSQL produce the same key and no week number has to be
agreed on. A week belongs to the month that holds its Thursday (the ISO rule for years, applied to
months), which is how a week spanning two months gets one name: 11月第4周.

Keys: year 'YYYY' · month 'YYYY-MM' · week 'YYYY-MM-DD' (a Monday).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

Granularity = Literal["week", "month", "year"]

GAP = "…"  # stands for a long run of empty periods (years between two campaign phases)
MAX_EMPTY_RUN = 6
WEEKLY_UP_TO_DAYS = 190  # about half a year: weekly bars; longer ranges go monthly


def granularity_for(start: dt.date, end: dt.date) -> Granularity:
    return "week" if (end - start).days <= WEEKLY_UP_TO_DAYS else "month"


def granularity_of(key: str) -> Granularity:
    return {4: "year", 7: "month", 10: "week"}.get(len(key), "month")  # type: ignore[return-value]


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def period_key(d: dt.date, granularity: Granularity) -> str:
    if granularity == "week":
        return monday(d).isoformat()
    if granularity == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def period_start(key: str) -> dt.date:
    g = granularity_of(key)
    if g == "week":
        return dt.date.fromisoformat(key)
    if g == "month":
        return dt.date(int(key[:4]), int(key[5:7]), 1)
    return dt.date(int(key), 1, 1)


def period_end(key: str) -> dt.date:
    g = granularity_of(key)
    start = period_start(key)
    if g == "week":
        return start + dt.timedelta(days=6)
    if g == "month":
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(start.year, 12, 31)


def _next(key: str) -> str:
    g = granularity_of(key)
    if g == "week":
        return (period_start(key) + dt.timedelta(days=7)).isoformat()
    return period_key(period_end(key) + dt.timedelta(days=1), g)


def all_periods(first: str, last: str) -> list[str]:
    """Every key from `first` to `last`, both included (same granularity)."""
    out: list[str] = []
    k = first
    while k <= last:
        out.append(k)
        k = _next(k)
    return out


def fill_periods(keys: Sequence[str]) -> list[str]:
    """Every period from the first to the last key, so empty weeks or months show as gaps; a run of
    more than MAX_EMPTY_RUN empty periods (years between two campaigns) becomes one GAP."""
    if not keys:
        return []
    present = set(keys)
    out: list[str] = []
    run: list[str] = []
    for k in all_periods(min(keys), max(keys)):
        if k in present:
            out.extend(run if len(run) <= MAX_EMPTY_RUN else [GAP])
            run = []
            out.append(k)
        else:
            run.append(k)
    return out


def week_of_month(key: str) -> tuple[int, int, int]:
    """(year, month, n): the week's Thursday decides the month; n counts that month's weeks from 1."""
    thursday = period_start(key) + dt.timedelta(days=3)
    return thursday.year, thursday.month, (thursday.day - 1) // 7 + 1


def period_label(key: str, with_year: bool = False) -> str:
    """Short axis label: 2021年3月 · 11月第4周 (2026年11月第4周 with the year) · 2021年."""
    if key == GAP:
        return "……"
    g = granularity_of(key)
    if g == "week":
        y, m, n = week_of_month(key)
        return f"{y}年{m}月第{n}周" if with_year else f"{m}月第{n}周"
    if g == "month":
        return f"{key[:4]}年{int(key[5:7])}月"
    return f"{key}年"


def axis_labels(keys: Sequence[str]) -> list[str]:
    """Tick labels for a run of periods, full: 2021年3月 · 11月第4周 · …… (a GAP). Shown ticks drop a
    month's year when the tick before it is of the same year (short_label)."""
    return [period_label(k) for k in keys]


def is_period_key(key: str) -> bool:
    """A period key (YYYY · YYYY-MM · YYYY-MM-DD, a Monday) or GAP."""
    if key == GAP:
        return True
    try:
        return period_key(period_start(key), granularity_of(key)) == key
    except ValueError:
        return False


def short_label(key: str) -> str:
    """A month without its year (3月), for a tick after one of the same year; others as period_label."""
    if key != GAP and granularity_of(key) == "month":
        return f"{int(key[5:7])}月"
    return period_label(key)


def tick_labels(keys: Sequence[str], shown: Sequence[int]) -> list[str]:
    """Labels of the shown ticks: the first shown month and each one in a new year carry the year
    (2021年1月, 3月, 5月 … 2026年11月)."""
    out = []
    previous: str | None = None
    for i in shown:
        k = keys[i]
        year = k[:4] if k != GAP and granularity_of(k) == "month" else None
        out.append(short_label(k) if year is not None and year == previous else period_label(k))
        previous = year
    return out


def period_text(key: str) -> str:
    """Full description for tooltips and drill-down titles, with both dates of a week."""
    if key == GAP:
        return "（中间一段时间没有督办件）"
    if granularity_of(key) == "week":
        start, end = period_start(key), period_end(key)
        return f"{period_label(key, with_year=True)}（{start.month}月{start.day}日—{end.month}月{end.day}日）"
    return period_label(key)


def gap_text(before: str, after: str) -> str:
    """What a GAP between two periods stands for: 2021年7月1日—2026年9月30日 没有督办件."""
    first = period_end(before) + dt.timedelta(days=1)
    last = period_start(after) - dt.timedelta(days=1)
    return f"{first.year}年{first.month}月{first.day}日—{last.year}年{last.month}月{last.day}日 没有督办件"


def gap_label(before: str, after: str) -> str:
    """The short form drawn in a break between two campaign phases: 2021年7月—2026年9月 (months),
    2026年7月6日—8月23日 (weeks)."""
    first = period_end(before) + dt.timedelta(days=1)
    last = period_start(after) - dt.timedelta(days=1)
    if granularity_of(before) == "month":
        return f"{first.year}年{first.month}月—{last.year}年{last.month}月"
    return range_text(first, last)


def gaps(keys: Sequence[str]) -> dict[int, tuple[str, str]]:
    """index of each GAP in `keys` → (gap_label, gap_text) from its two neighbours."""
    out = {}
    for i, k in enumerate(keys):
        if k == GAP and 0 < i < len(keys) - 1:
            out[i] = (gap_label(keys[i - 1], keys[i + 1]), gap_text(keys[i - 1], keys[i + 1]))
    return out


# ---------------------------------------------------------------- date ranges an office picks
ALL = "全部"
CUSTOM = "自定义…"
QUICK_PRESETS = (ALL, "本周", "本月", "本季度", "今年")  # the buttons; half-years are offered in a list


def half_year_name(year: int, half: int) -> str:
    return f"{year}年{'上' if half == 1 else '下'}半年"


def half_year_presets(today: dt.date, with_data: Sequence[int] = ()) -> list[str]:
    """This and last year's halves (newest first, the coming half of this year left out), then each
    half-year of `with_data` (years that have figures) not already offered."""
    out = []
    for year in (today.year, today.year - 1):
        for half in (2, 1):
            if dt.date(year, 1 if half == 1 else 7, 1) <= today:
                out.append(half_year_name(year, half))
    for year in sorted(set(with_data), reverse=True):
        for half in (2, 1):
            name = half_year_name(year, half)
            if name not in out and dt.date(year, 1 if half == 1 else 7, 1) <= today:
                out.append(name)
    return out


def preset_range(name: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates of a preset, computed from today; whole periods (本月 = the 1st to the last day), the
    range's end caps what counts as due at today anyway. 全部 (or any unknown name) is no limit."""
    if name == "本周":
        start = monday(today)
        return start, start + dt.timedelta(days=6)
    if name == "本月":
        key = period_key(today, "month")
        return period_start(key), period_end(key)
    if name == "本季度":
        first = (today.month - 1) // 3 * 3 + 1
        start = dt.date(today.year, first, 1)
        return start, period_end(period_key(dt.date(today.year, first + 2, 1), "month"))
    if name == "今年":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if len(name) == 8 and name[4] == "年" and name[5:] in ("上半年", "下半年") and name[:4].isdigit():
        year = int(name[:4])
        if name[5] == "上":
            return dt.date(year, 1, 1), dt.date(year, 6, 30)
        return dt.date(year, 7, 1), dt.date(year, 12, 31)
    return None, None


def date_text(d: dt.date, with_year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


def range_text(start: dt.date | None, end: dt.date | None) -> str:
    """A range in words for sub-lines and titles: 2026年11月1日—11月30日 · 全部时间 · 截至2021年6月30日."""
    if start is None and end is None:
        return "全部时间"
    if start is None:
        assert end is not None
        return f"截至{date_text(end)}"
    if end is None:
        return f"{date_text(start)}起"
    if start == end:
        return date_text(start)
    return f"{date_text(start)}—{date_text(end, with_year=end.year != start.year)}"


def range_word(start: dt.date | None, end: dt.date | None, today: dt.date) -> str:
    """What a card title calls the range: 本月, 本周, 今年, 2021年上半年 … or 所选时间; 累计 when unlimited
    (never 本期 for 不限)."""
    if start is None and end is None:
        return "累计"
    for name in (*QUICK_PRESETS[1:], *half_year_presets(today, [start.year] if start else [])):
        if preset_range(name, today) == (start, end):
            return name
    return "所选时间"


# ---------------------------------------------------------------- axis ticks
MAX_EVERY_TICK = 12


def tick_indices(n: int, fit: int) -> list[int]:
    """Which of n periods get a label: every one when n ≤ 12 and they fit, else a regular stride from
    the first; the last is labelled too (replacing a stride label closer than a stride). `fit` is how many
    labels the axis has room for (at least 2 are kept: the first and the last)."""
    if n <= 0:
        return []
    fit = max(fit, 2)
    if n <= min(MAX_EVERY_TICK, fit):
        return list(range(n))
    step = max(1, math.ceil((n - 1) / (min(fit, MAX_EVERY_TICK) - 1)))
    out = list(range(0, n, step))
    if out[-1] != n - 1:
        if n - 1 - out[-1] < step and len(out) > 1:
            out.pop()  # closer than a stride: the last label would collide with it
        out.append(n - 1)
    return out
