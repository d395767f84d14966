"""设置: warning days are saved to the database and the 挂牌督办 lights follow."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.main_window import LISTINGS, SETTINGS, TALLIES, MainWindow
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


def test_metric_catalogue_from_settings_renames_and_the_tallies_page_follows(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show_page(TALLIES)  # loads the figures once
    wait_idle(qtbot, window.ops)
    window.show_page(SETTINGS)
    window.settings_page.catalogue_button.click()
    wait_idle(qtbot, window.ops)
    dialog = window.settings_page.catalogue_dialog
    assert dialog.table.rowCount() == len(ui_desk.metrics()) >= 16
    row = next(i for i, m in enumerate(dialog.metrics) if m.code == "garbage_tons")
    dialog.table.selectRow(row)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("清运垃圾", True))
    dialog.rename()
    wait_idle(qtbot, window.ops)
    assert next(m.name for m in ui_desk.metrics() if m.code == "garbage_tons") == "清运垃圾"
    assert window.tallies.watch.stale  # hidden: reloads when shown
    window.show_page(TALLIES)
    wait_idle(qtbot, window.ops)
    assert any(m.name == "清运垃圾" for m in window.tallies.metrics)
