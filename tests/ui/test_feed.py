"""Two workstations on one database (each engine): a write through desk B reloads the page the window on
desk A shows, within a few seconds and without the user refreshing; the feed's thread stops with the window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.support import as_user
from tests.ui.conftest import wait_idle
from ui.feed_watch import LOADED
from ui.main_window import MainWindow
from zhdesk.demo import load_demo
from zhdesk.desk import Desk
from zhdesk.domain.workflow import Action


@pytest.fixture
def two(any_desk: Desk) -> Iterator[tuple[Desk, Desk]]:
    with any_desk.uow() as uow:
        load_demo(uow)
    other = as_user(any_desk, "wangwu")
    yield any_desk, other
    other.close()


def test_other_workstation_write_reloads_the_open_page(qtbot: QtBot, two: tuple[Desk, Desk]) -> None:
    mine, other = two
    w = MainWindow(mine)
    qtbot.addWidget(w)
    w.show()
    wait_idle(qtbot, w.ops)
    try:
        page = w.listings
        sid = next(r.id for r in page.model.rows() if r.address == "善化路19号院")
        version = other.get_site(sid).listings[-1].version
        other.change_status(sid, action=Action.SUBMIT, expected_version=version)

        def reloaded() -> bool:
            return next(r for r in page.model.rows() if r.id == sid).status_label == "待验收"

        qtbot.waitUntil(reloaded, timeout=8000)
        assert w.statusBar().currentMessage() == LOADED
    finally:
        w.close()
    assert not w.feed_watch.running()
    assert w.ops.shutdown()
