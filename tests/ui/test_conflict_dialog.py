"""An edit dialog whose save meets another workstation's change: the conflict dialog shows theirs and
「载入对方的修改」 discards mine, 「用我的修改覆盖」 saves mine over the current version, 取消 keeps the dialog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.support import as_user, table_dump
from tests.ui.conftest import wait_idle
from ui import conflict as conflict_ui
from ui.conflict import Choice, describe_theirs
from ui.dialogs.extend_dialog import ExtendDialog
from ui.ops import Ops
from zhdesk.desk import Desk
from zhdesk.dto import SiteFilter
from zhdesk.errors import Conflict


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[tuple[QWidget, Ops]]:
    parent = QWidget()
    qtbot.addWidget(parent)
    ops = Ops(parent, parent)
    yield parent, ops
    assert ops.shutdown()


@pytest.fixture
def other(ui_desk: Desk) -> Iterator[Desk]:
    d = as_user(ui_desk, "wangwu")
    yield d
    d.close()


def _stale_dialog(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk, other: Desk
) -> tuple[ExtendDialog, int, dt.date]:
    parent, ops = host
    row = next(r for r in ui_desk.list_sites(SiteFilter(listed_only=True)) if r.status != "closed" and r.deadline)
    site = ui_desk.get_site(row.id)
    dlg = ExtendDialog(parent, ui_desk, ops, site)
    assert row.deadline is not None
    theirs = row.deadline + dt.timedelta(days=20)
    cur = site.current
    assert cur is not None
    other.extend_deadline(row.id, theirs, "王五延期", cur.version)
    dlg.new.setDate(theirs + dt.timedelta(days=5))
    dlg.reason.setPlainText("我的延期")
    return dlg, row.id, theirs


@pytest.mark.parametrize("choice", list(Choice))
def test_conflict_choices(
    qtbot: QtBot, host: tuple[QWidget, Ops], ui_desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch, choice: Choice
) -> None:
    dlg, sid, theirs = _stale_dialog(qtbot, host, ui_desk, other)
    asked: list[Conflict] = []

    def answer(_parent: QWidget | None, c: Conflict) -> Choice:
        asked.append(c)
        return choice

    monkeypatch.setattr(conflict_ui, "choose", answer)
    before = table_dump(ui_desk.engine)
    dlg.show()
    dlg.save()
    wait_idle(qtbot, host[1])
    (c,) = asked
    assert c.by == "wangwu" and "整改时限" in c.message and theirs.isoformat() in describe_theirs(c)
    cur = ui_desk.get_site(sid).current
    assert cur is not None
    if choice is Choice.OVERWRITE:
        assert cur.deadline == theirs + dt.timedelta(days=5)
        assert not dlg.isVisible()
    else:
        assert cur.deadline == theirs and table_dump(ui_desk.engine) == before
        assert dlg.isVisible() == (choice is Choice.CANCEL)
        if choice is Choice.CANCEL:
            assert dlg.last_error == c.message
