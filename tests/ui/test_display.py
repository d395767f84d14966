"""显示大小 applies to the whole window: every page, the navigation, menus and dialogs, and it is remembered."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QMenu
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from ui import prefs
from ui.main_window import OVERVIEW, MainWindow


def test_display_size_applies_to_every_page_menus_and_dialogs(qtbot: QtBot, window: MainWindow) -> None:
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    overview, dash = window.overview, window.overview.dashboard
    base = window.bulletins.font().pointSizeF()
    nav = window.nav.font().pointSizeF()
    title = overview.title.font().pointSizeF()
    card_value = dash.card_overdue.value.font().pointSizeF()
    assert nav == pytest.approx(base * 1.15) and title == pytest.approx(base * 1.5)

    window.settings_page.size_combo.setCurrentIndex(window.settings_page.size_combo.findText("特大"))

    assert prefs.DISPLAY_SCALE.get() == 1.5
    assert window.listings.size_combo.currentText() == "特大"  # every chooser shows the one setting
    for w in (window.bulletins, overview, window.settings_page, window.listings.site_tabs.timeline,
              dash.card_overdue.sub, window.statusBar()):  # fmt: skip
        assert w.font().pointSizeF() == pytest.approx(base * 1.5), w
    assert window.nav.font().pointSizeF() == pytest.approx(nav * 1.5)
    assert overview.title.font().pointSizeF() == pytest.approx(title * 1.5)
    assert dash.card_overdue.value.font().pointSizeF() == pytest.approx(card_value * 1.5)
    dialog, menu = QDialog(window), QMenu(window)
    assert QLabel(parent=dialog).font().pointSizeF() == pytest.approx(base * 1.5)
    assert menu.font().pointSizeF() == pytest.approx(base * 1.5)
    dialog.deleteLater()
    menu.deleteLater()

    window.listings.size_combo.setCurrentIndex(0)  # 标准, from the 挂牌督办 toolbar
    assert overview.title.font().pointSizeF() == pytest.approx(title)
    assert window.bulletins.font().pointSizeF() == pytest.approx(base)
    assert window.settings_page.size_combo.currentText() == "标准"
