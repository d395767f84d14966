"""生成督办通知单… in the window: the 点位档案 button for a listed site and the 挂牌督办 page's
为全部超期点位生成督办通知单…; the PDF is written on the worker and the 催办 event shows on the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from tests.zhdesk.notice.pdfcheck import page_texts
from ui.main_window import MainWindow
from ui.pages.dossier import TIMELINE_TAB
from zhdesk.desk import Desk
from zhdesk.domain.lights import Light
from zhdesk.dto import SiteFilter


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def test_dossier_button_writes_the_notice_and_records_it(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "通知单"  # no suffix: .pdf is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    page = window.dossier
    messages: list[str] = []
    page.message.connect(messages.append)
    never = site_id(ui_desk, "江西路与福州南路交汇处")
    window.open_site(never)
    wait_idle(qtbot, window.ops)
    assert not page.notice_button.isVisibleTo(page)  # no open listing: nothing to urge
    sid = site_id(ui_desk, "江西路153号")
    window.open_site(sid)
    wait_idle(qtbot, window.ops)
    assert page.notice_button.isVisibleTo(page)
    page.notice_button.click()
    wait_idle(qtbot, window.ops)
    pdf = out.with_name("通知单.pdf")
    assert len(page_texts(pdf)) == 1 and "江西路153号" in page_texts(pdf)[0]
    assert messages and "已生成督办通知单 1 份" in messages[-1]
    assert [e.kind_label for e in ui_desk.timeline(sid) if e.kind == "urge"] == ["催办"]
    page.tabs.setCurrentIndex(TIMELINE_TAB)  # the tab reloads when shown
    qtbot.waitUntil(lambda: any(e.kind == "urge" for e in page.timeline.model.events()), timeout=5000)


def test_listings_page_notices_every_overdue_site(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "全部.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    overdue = ui_desk.list_sites(SiteFilter(listed_only=True, light=Light.RED))
    window.listings.notice_button.click()
    wait_idle(qtbot, window.ops)
    assert len(page_texts(out)) == len(overdue) >= 1
