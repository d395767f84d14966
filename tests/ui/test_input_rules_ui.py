"""The window shows the field refusals of issue 7 (items 15, 16) as the command line does."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.support import table_dump
from tests.ui.conftest import Dialogs, wait_idle
from ui.dialogs.batch_dialog import BatchDialog
from ui.main_window import BULLETINS, MainWindow
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind


def test_batch_dialog_shows_length_and_control_character_refusals(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, dialogs: Dialogs
) -> None:
    window.show_page(BULLETINS)  # the page loads when first shown: its batches give the next issue number
    wait_idle(qtbot, window.ops)
    page = window.bulletins
    dialog = page.new_batch()
    assert isinstance(dialog, BatchDialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(Kind.PATROL.value))

    # Pasted rows: a control character and an overlong address are bad rows, named by line and field.
    paste = dialog.open_paste()
    paste.text.setPlainText("江西路153号\t堆物\n江西\x1b路1号\t堆物\n" + "路" * 129 + "\t堆物\n")
    assert len(paste.good_rows()) == 1 and len(paste.bad_rows()) == 2
    errors = [paste.model.index(row, 6).data() for row in (1, 2)]
    assert "第2行" in errors[0] and "地址" in errors[0]
    assert "第3行" in errors[1] and "最多 128 个字符" in errors[1]
    paste.reject()

    # A typed item with an overlong problem: refused on save, shown, nothing written.
    before = table_dump(ui_desk.engine)
    dialog.address.setText("汕头路7号")
    dialog.problem.setText("问" * 5001)
    assert dialog.add_typed_item()
    dialog.save_button.click()
    wait_idle(qtbot, page.ops)
    assert "问题描述过长" in dialog.error.text() and "5000" in dialog.error.text()
    assert dialog.isVisible()
    assert table_dump(ui_desk.engine) == before
    dialog.reject()
