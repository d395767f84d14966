"""The deadline light: derived from status, deadline and today; never stored."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from zhdesk.domain.workflow import Status

DEFAULT_WARNING_DAYS = 3


class Light(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    GREY = "grey"

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self]


LIGHT_LABELS: dict[Light, str] = {
    Light.RED: "红灯(超期)",
    Light.YELLOW: "黄灯(临期)",
    Light.GREEN: "绿灯(正常)",
    Light.GREY: "灰灯(已办结)",
}


def deadline_light(
    status: Status, deadline: dt.date | None, today: dt.date, warning_days: int = DEFAULT_WARNING_DAYS
) -> Light:
    """red = past the deadline and not closed; yellow = due within `warning_days` (today counts);
    green = on track or no deadline; grey = closed."""
    if status == Status.CLOSED:
        return Light.GREY
    if deadline is None:
        return Light.GREEN
    left = (deadline - today).days
    if left < 0:
        return Light.RED
    if left <= warning_days:
        return Light.YELLOW
    return Light.GREEN


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    return None if deadline is None else (deadline - today).days


def days_text(status: Status, deadline: dt.date | None, today: dt.date, closed_on: dt.date | None) -> str:
    """Short Chinese phrase for the table: 剩5天 / 今天到期 / 超期3天 / 已办结."""
    if status == Status.CLOSED:
        return "已办结"
    left = days_left(deadline, today)
    if left is None:
        return "无时限"
    if left > 0:
        return f"剩{left}天"
    if left == 0:
        return "今天到期"
    return f"超期{-left}天"


def item_light(
    closed: bool, deadline: dt.date | None, deferred: bool, today: dt.date, warning_days: int = DEFAULT_WARNING_DAYS
) -> Light:
    """The light of a supervision item (督办件): the deadline light, except that a deferred item (缓办) is
    never red or yellow while it waits. Overdue = red = open, past its deadline, not deferred: the SQL
    twin is services/stats.overdue_condition, and tests/zhdesk/services/test_stats.py checks the two agree."""
    if closed:
        return Light.GREY
    if deferred:
        return Light.GREEN
    return deadline_light(Status.LISTED, deadline, today, warning_days)


def item_days_text(closed: bool, deadline: dt.date | None, deferred: bool, today: dt.date) -> str:
    if deferred and not closed:
        return "缓办"
    return days_text(Status.CLOSED if closed else Status.LISTED, deadline, today, None)
