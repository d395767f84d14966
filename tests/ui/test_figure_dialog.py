"""录入数字化城管件 from the 总览 dashboard: saved on the worker, shown on the card; refused input stays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from ui.dialogs.figure_dialog import WHOLE_STREET, FigureDialog, this_month
from ui.main_window import OVERVIEW, MainWindow
from ui.pages.overview import OverviewPage
from zhdesk.desk import Desk
from zhdesk.dto import StatsFilter

NOV = (dt.date(2030, 11, 1), dt.date(2030, 11, 30))  # no demo data there


def overview(qtbot: QtBot, window: MainWindow) -> OverviewPage:
    window.show_page(OVERVIEW)
    wait_idle(qtbot, window.ops)
    return window.overview


def open_dialog(qtbot: QtBot, window: MainWindow, page: OverviewPage) -> FigureDialog:
    qtbot.mouseClick(page.dashboard.city_link, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.ops)
    dialog = page.dashboard.figure_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def save(qtbot: QtBot, window: MainWindow, dialog: FigureDialog, text: str) -> None:
    dialog.value_edit.setText(text)
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.ops)


def test_entered_figure_is_stored_and_shown(qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs) -> None:
    page = overview(qtbot, window)
    view = page.dashboard
    page.set_range(*NOV)
    wait_idle(qtbot, window.ops)
    assert view.card_city.value.text() == "0 件"

    dialog = open_dialog(qtbot, window, page)
    assert (dialog.date_from.date().toPython(), dialog.date_to.date().toPython()) == NOV  # the filter's range
    assert dialog.community_combo.currentText() == WHOLE_STREET
    assert dialog.community_combo.count() == 1 + len(ui_desk.communities())
    save(qtbot, window, dialog, "约１２０")

    assert not dialog.isVisible()
    data = ui_desk.dashboard(StatsFilter(*NOV))
    assert (data.city_cases, data.city_cases_qualifier) == (Decimal(120), "约")
    assert view.card_city.value.text() == "约120 件"  # the dashboard reloaded
    assert window.statusBar().currentMessage() == "已录入 2030-11-01 至 2030-11-30 全街道 处置数字化城管件 约120件"
    assert dialogs.shown == []

    # Entering the same period again replaces the figure (the context-menu action opens the same dialog).
    view.city_action.trigger()
    wait_idle(qtbot, window.ops)
    assert dialog.isVisible() and dialog.value_edit.text() == "" and not dialog.error.isVisible()
    save(qtbot, window, dialog, "130")
    data = ui_desk.dashboard(StatsFilter(*NOV))
    assert (data.city_cases, data.city_cases_qualifier) == (Decimal(130), None)
    assert view.card_city.value.text() == "130 件"


def test_refused_input_keeps_the_dialog_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs
) -> None:
    page = overview(qtbot, window)
    total = ui_desk.dashboard(StatsFilter()).city_cases
    dialog = open_dialog(qtbot, window, page)

    dialog.set_values(*NOV, None, "")
    save(qtbot, window, dialog, "很多")
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "无法识别" in dialog.error.text() and "c5221f" in dialog.error.styleSheet()
    assert dialog.save_button().isEnabled()

    dialog.set_values(NOV[1], NOV[0], None, "")
    save(qtbot, window, dialog, "120")
    assert dialog.isVisible() and "早于起始日期" in dialog.error.text()

    # What NUMERIC(14,2) cannot store exactly is refused in the dialog, as on the command line.
    dialog.set_values(*NOV, None, "")
    for text, words in (("0.0000001", "2 位小数"), ("99999999999999999999999999999", "超出范围")):
        save(qtbot, window, dialog, text)
        assert dialog.isVisible() and words in dialog.error.text()

    assert dialogs.shown == []  # shown in the dialog, not in a message box
    assert ui_desk.dashboard(StatsFilter(*NOV)).city_cases == 0
    assert ui_desk.dashboard(StatsFilter()).city_cases == total
    dialog.reject()


def test_defaults_follow_the_filter(qtbot: QtBot, window: MainWindow) -> None:
    page = overview(qtbot, window)
    page.apply_preset("全部")
    wait_idle(qtbot, window.ops)
    dialog = open_dialog(qtbot, window, page)
    start, end = this_month(dt.date.today())  # open-ended filter: this month
    assert (dialog.date_from.date().toPython(), dialog.date_to.date().toPython()) == (start, end)
    dialog.reject()

    name = page.community_combo.itemText(1)
    page.set_community(name)
    wait_idle(qtbot, window.ops)
    dialog = open_dialog(qtbot, window, page)
    assert dialog.community_combo.currentData() == name
    dialog.reject()


def test_this_month() -> None:
    assert this_month(dt.date(2026, 2, 14)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert this_month(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
