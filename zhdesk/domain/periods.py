"""Periods of time the figures are grouped by, and how an office names them.

One convention on every engine: weeks run Monday to Sunday (ISO); a week's key is its Monday as an
ISO date ('2026-11-23'), so SQLite and PostgreSQL produce the same key and no week number has to be
agreed on. A week belongs to the month that holds its Thursday (the ISO rule for years, applied to
months), which is how a week spanning two months gets one name: 11月第4周.

Keys: year 'YYYY' · month 'YYYY-MM' · week 'YYYY-MM-DD' (a Monday).
"""

from __future__ import annotations

import datetime as dt
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
