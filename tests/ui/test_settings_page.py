"""设置: warning days are saved to the database and the 挂牌督办 lights follow."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.main_window import LISTINGS, SETTINGS, MainWindow
from zhdesk.desk import Desk


def light_of(window: MainWindow, address: str) -> str | None:
    return next(r.light for r in window.listings.model.rows() if r.address == address)


def test_warning_days_saved_and_lights_update(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(SETTINGS)
    page = window.settings_page
    assert page.warning_days.isEnabled()
    assert page.warning_days.value() == 3
    assert not page.save_button.isEnabled()
    assert light_of(window, "善化路18号院") == "green"  # due in 25 days

    page.warning_days.setValue(30)
    assert page.save_button.isEnabled()
    page.save_button.click()
    wait_idle(qtbot, window.ops)

    assert ui_desk.warning_days() == 30
    assert not page.save_button.isEnabled()
    assert window.listings.watch.stale  # hidden: reloads when shown, not before
    assert light_of(window, "善化路18号院") == "green"
    window.show_page(LISTINGS)
    wait_idle(qtbot, window.ops)
    assert light_of(window, "善化路18号院") == "yellow"
    assert window.listings.chips["yellow"].text() == "临期 2 处"
    assert "30" in window.statusBar().currentMessage()


def test_database_refusal_is_shown(qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs) -> None:
    page = window.settings_page
    page.warning_days.setMaximum(99)  # get past the spin box's own limit to reach the service's
    page.warning_days.setValue(99)
    page.save()
    wait_idle(qtbot, window.ops)
    [text] = dialogs.texts("warning")
    assert "0 到 60" in text
    assert ui_desk.warning_days() == 3
    assert page.save_button.isEnabled()  # the unsaved value is still there to fix
