"""Deadline light boundaries: red / yellow / green / grey, derived from today."""

from __future__ import annotations

import datetime as dt

import pytest

from zhdesk.domain.lights import Light, days_text, deadline_light
from zhdesk.domain.workflow import Status

TODAY = dt.date(2021, 3, 5)


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("offset", "warn", "light"),
    [
        (-30, 3, Light.RED),
        (-1, 3, Light.RED),  # yesterday: overdue
        (0, 3, Light.YELLOW),  # due today still counts as in time
        (3, 3, Light.YELLOW),  # last day of the window
        (4, 3, Light.GREEN),  # first day outside it
        (0, 0, Light.YELLOW),
        (1, 0, Light.GREEN),
        (7, 7, Light.YELLOW),
        (8, 7, Light.GREEN),
    ],
)
def test_boundaries(offset: int, warn: int, light: Light) -> None:
    for status in (Status.LISTED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE):
        assert deadline_light(status, day(offset), TODAY, warn) == light


@pytest.mark.parametrize("offset", [-100, -1, 0, 2, 100])
def test_closed_is_grey_whatever_the_deadline(offset: int) -> None:
    assert deadline_light(Status.CLOSED, day(offset), TODAY) == Light.GREY


def test_no_deadline_is_green_until_closed() -> None:
    assert deadline_light(Status.RECTIFYING, None, TODAY) == Light.GREEN
    assert deadline_light(Status.CLOSED, None, TODAY) == Light.GREY


def test_default_window_is_three_days() -> None:
    assert deadline_light(Status.LISTED, day(3), TODAY) == Light.YELLOW
    assert deadline_light(Status.LISTED, day(4), TODAY) == Light.GREEN


@pytest.mark.parametrize(
    ("status", "offset", "text"),
    [(Status.RECTIFYING, 5, "剩5天"), (Status.RECTIFYING, 0, "今天到期"), (Status.LISTED, -3, "超期3天"),
     (Status.CLOSED, -3, "已办结")],
)  # fmt: skip
def test_days_text(status: Status, offset: int, text: str) -> None:
    assert days_text(status, day(offset), TODAY, None) == text
