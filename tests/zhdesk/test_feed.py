"""The change feed (zhdesk/feed.py): another workstation's writes are seen, one's own are not; PostgreSQL
wakes the waiting side at once through NOTIFY."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support import as_user
from zhdesk.desk import Desk


@pytest.fixture
def pair(any_desk: Desk) -> Iterator[tuple[Desk, Desk]]:
    other = as_user(any_desk, "wangwu")
    yield any_desk, other
    other.close()


def test_other_writes_are_seen_own_are_not(pair: tuple[Desk, Desk]) -> None:
    mine, other = pair
    feed = mine.feed()
    try:
        last = feed.latest_change()
        mine.add_site("江西路153号", "一社区", new_community=True)
        last, changes = feed.changes_since(last)
        assert changes is None  # the window broadcast its own write already
        assert not mine.own_changes  # passed: forgotten

        site = other.add_site("江西路155号", "一社区").row.id
        started = time.monotonic()
        woke = feed.wait(5.0)
        if other.engine.url.get_backend_name() == "postgresql":
            assert woke and time.monotonic() - started < 3.0  # NOTIFY, not the timeout
        last, changes = feed.changes_since(last)
        assert changes is not None and changes.sites and changes.site_id == site
        assert feed.changes_since(last) == (last, None)

        other.set_warning_days(5)
        _, changes = feed.changes_since(last)
        assert changes is not None and changes.settings and changes.site_id is None
    finally:
        feed.close()


def test_stop_returns_at_once(any_desk: Desk) -> None:
    feed = any_desk.feed()
    feed.stop()
    started = time.monotonic()
    assert feed.wait(10.0) is False
    assert time.monotonic() - started < 1.0
    feed.close()
