"""Main window: navigation, honest placeholders, status bar, remembered geometry, clean shutdown."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from ui import prefs
from ui.main_window import (
    BULLETINS,
    DEMO_TITLE_SUFFIX,
    DOSSIER,
    LISTINGS,
    NAVIGATION,
    OVERVIEW,
    SETTINGS,
    WINDOW_TITLE,
    MainWindow,
)
from ui.pages.placeholder import NOT_YET, PlaceholderPage
from zhdesk.desk import Desk


def test_layout_and_start_page(window: MainWindow, ui_desk: Desk) -> None:
    assert window.windowTitle() == WINDOW_TITLE + DEMO_TITLE_SUFFIX == "市容秩序和环境卫生综合整治督办 — zhdesk — 演示数据"  # noqa: E501
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "总览", "挂牌督办", "点位档案", "督办通报", "社区台账", "会议简报", "设置",
    ]  # fmt: skip
    assert window.current_page_name() == LISTINGS
    assert window.stack.currentWidget() is window.listings
    db_path = ui_desk.engine.url.database
    assert db_path and db_path in window.location.text()
    assert window.counts.text().startswith("挂牌督办 5 处：超期 1 · 临期 1 · 正常 2 · 已办结 1")


def test_unbuilt_pages_say_so(window: MainWindow) -> None:
    for i, name in enumerate(NAVIGATION):
        window.nav.setCurrentRow(i)
        page = window.stack.currentWidget()
        if isinstance(page, PlaceholderPage):
            texts = [w.text() for w in page.findChildren(QLabel)]
            assert name in texts and NOT_YET in texts
            purpose = page.findChild(QLabel, "placeholder_purpose")
            assert purpose is not None and len(purpose.text()) > 10
    assert sum(isinstance(window.pages[n], PlaceholderPage) for n in NAVIGATION) == 0  # every page is built


def test_only_the_first_page_is_built_at_start_and_each_other_on_its_first_visit(window: MainWindow) -> None:
    """Issue 13: start-up builds 挂牌督办 only; navigation builds a page once, on its first visit."""
    assert window.pages.built() == [LISTINGS] and window.stack.count() == 1
    first: dict[str, object] = {}
    for i, name in enumerate(NAVIGATION):
        before = set(window.pages.built())
        window.nav.setCurrentRow(i)
        assert window.current_page_name() == name
        assert set(window.pages.built()) == before | {name}  # exactly that page, no other
        assert window.stack.currentWidget() is window.pages[name] and window.stack.count() == len(before | {name})
        first[name] = window.pages[name]
    for i, name in enumerate(NAVIGATION):  # a second visit builds nothing again
        window.nav.setCurrentRow(i)
        assert window.stack.currentWidget() is first[name]
    assert window.stack.count() == len(NAVIGATION)
    assert [window.pages[n].objectName() for n in NAVIGATION] == [f"page_{i}" for i in range(len(NAVIGATION))]


def test_pages_are_built_when_used_not_only_when_navigated_to(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    """open_site builds 点位档案, the user menu reads 设置's account buttons, an attribute builds its page."""
    assert OVERVIEW in window.pages and window.pages.built() == [LISTINGS]  # `in` builds nothing
    site = ui_desk.list_sites()[0]
    window.open_site(site.id)
    assert window.current_page_name() == DOSSIER and window.pages.built() == [LISTINGS, DOSSIER]
    qtbot.waitUntil(lambda: window.dossier.site_id == site.id, timeout=10000)
    window.user_menu.aboutToShow.emit()  # (what a click on the user button does before it pops up)
    assert SETTINGS in window.pages.built()
    assert [a.text() for a in window.user_menu.actions() if a.text()][-1] == "设置…"
    bulletins = window.bulletins
    assert BULLETINS in window.pages.built() and window.current_page_name() == DOSSIER
    assert not bulletins.isVisible()  # built on access, shown (and loaded) only when visited
    window.refresh_action.trigger()  # F5 refreshes the page shown
    wait_idle(qtbot, window.ops)


def test_geometry_and_splitters_are_remembered(qtbot: QtBot, ui_desk: Desk) -> None:
    w = MainWindow(ui_desk)
    qtbot.addWidget(w)
    w.resize(1234, 600)
    w.show()
    wait_idle(qtbot, w.ops)
    w.listings.splitter.setSizes([700, 500])
    sizes = w.listings.splitter.sizes()
    w.close()
    assert prefs.MAIN_GEOMETRY.get() is not None
    assert prefs.LISTINGS_SPLITTER.get() is not None

    again = MainWindow(ui_desk)
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, again.ops)
    # The offscreen screen is 800x800: Qt fits a restored window's width to it, the height is kept.
    assert again.height() == 600
    assert again.width() != 1440  # not the first-run default
    table, panel = again.listings.splitter.sizes()
    assert table / panel == pytest.approx(sizes[0] / sizes[1], rel=0.02)  # same split at the fitted width
    again.close()


def test_close_stops_the_worker(qtbot: QtBot, ui_desk: Desk) -> None:
    w = MainWindow(ui_desk)
    qtbot.addWidget(w)
    w.show()
    w.listings.refresh()
    w.close()
    assert w.ops.is_idle()
    assert w.ops._pool.activeThreadCount() == 0
    assert w.ops.run(lambda: None) == 0


def test_built_pages_leave_the_collector_until_the_window_closes(qtbot: QtBot, ui_desk: Desk) -> None:
    """Issue 13: a full garbage collection holds the GIL for as long as it walks every object (110–200 ms
    on the large database); what a page builds lives as long as the window, so it is frozen out of them."""
    gc.unfreeze()
    w = MainWindow(ui_desk)
    qtbot.addWidget(w)
    at_start = gc.get_freeze_count()
    assert at_start > 0  # the first page built
    page = w.pages[SETTINGS]
    assert gc.get_freeze_count() > at_start
    assert gc.is_tracked(page.__dict__) and not any(page.__dict__ is o for o in gc.get_objects())  # frozen
    w.close()
    assert gc.get_freeze_count() == 0  # closing gives them back

