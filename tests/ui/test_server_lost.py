"""A PostgreSQL server stopped under a running window: one clear Chinese message, no traceback, the window
alive (its change feed waits quietly); when the server is back a reload works again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.pg import Server
from tests.support import signed_in
from tests.ui.conftest import Dialogs, wait_idle
from ui.main_window import MainWindow
from zhdesk.demo import load_demo
from zhdesk.desk import Desk


@pytest.fixture
def pg_desk(pg_url: str) -> Iterator[Desk]:
    d = signed_in(Desk.open(pg_url))
    with d.uow() as uow:
        load_demo(uow)
    yield d
    d.close()


def test_server_stopped_and_back(qtbot: QtBot, pg_server: Server, pg_desk: Desk, dialogs: Dialogs) -> None:
    w = MainWindow(pg_desk)
    qtbot.addWidget(w)
    w.show()
    wait_idle(qtbot, w.ops)
    rows = len(w.listings.model.rows())
    assert rows > 0 and not dialogs.shown
    try:
        pg_server.stop()
        w.refresh_action.trigger()  # F5 on 挂牌督办
        wait_idle(qtbot, w.ops, timeout=30000)
        texts = dialogs.texts()
        assert len(texts) == 1, texts
        (text,) = texts
        assert "无法连接数据库服务器" in text or "数据库读写失败" in text, text
        assert "\n" not in text and "Traceback" not in text and "程序内部错误" not in text
        assert w.isVisible() and w.feed_watch.running()
    finally:
        pg_server.start()
    dialogs.shown.clear()
    w.refresh_action.trigger()
    wait_idle(qtbot, w.ops, timeout=30000)
    assert not dialogs.shown, dialogs.shown
    assert len(w.listings.model.rows()) == rows
    w.close()
    assert not w.feed_watch.running()
