"""设置: warning days are saved to the database and the 挂牌督办 lights follow."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from tests.support import dump
from tests.ui.conftest import Dialogs, wait_idle
from ui.main_window import LISTINGS, SETTINGS, TALLIES, MainWindow
from zhdesk.changes import Changes
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec, Documents, SiteFilter


def light_of(window: MainWindow, address: str) -> str | None:
    return next(r.light for r in window.listings.model.rows() if r.address == address)


def test_warning_days_saved_and_lights_update(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    window.show_page(SETTINGS)  # the page reads its settings when first shown
    wait_idle(qtbot, window.ops)
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


def test_documents_saved_together_and_printed_on_briefs_and_notices(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path
) -> None:
    window.show_page(SETTINGS)
    wait_idle(qtbot, window.ops)
    page = window.settings_page
    fields = page.doc_fields
    assert fields["issuer"].text() == "珠海路街道城市管理办公室"  # the demo's office until one is set
    assert fields["brief_title"].text() == "市容环境卫生综合整治工作简报" and not page.doc_save.isEnabled()
    # a refused field saves none of the three, and says which
    fields["issuer"].setText("珠海路街道\x00办事处")
    fields["notice_title"].setText("")
    fields["issuer"].textEdited.emit("")
    before = dump(str(ui_desk.engine.url))
    page.doc_save.click()
    wait_idle(qtbot, window.ops)
    assert page.doc_status.text().startswith("未保存：通知单标题应为 1 到 60 个字") and page.doc_save.isEnabled()
    assert dump(str(ui_desk.engine.url)) == before
    fields["notice_title"].setText("督办通知单")
    page.doc_save.click()
    wait_idle(qtbot, window.ops)
    assert ui_desk.documents() == Documents("珠海路街道办事处", "市容环境卫生综合整治工作简报", "督办通知单")
    assert fields["issuer"].text() == "珠海路街道办事处"  # the control character went
    # both documents print them
    ui_desk.write_brief(BriefSpec(photos=False, sections=("summary",)), tmp_path / "b.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, check=True).stdout
    assert "珠海路街道办事处" in text.decode()
    [site] = [r.id for r in ui_desk.list_sites(SiteFilter(text="江西路153号")) if r.address == "江西路153号"]
    ui_desk.issue_notices([site], tmp_path / "n.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, check=True).stdout
    assert "督办通知单" in text.decode() and "珠海路街道办事处" in text.decode()


def test_audit_log_shows_who_changed_what_and_exports_it(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path
) -> None:
    window.show_page(SETTINGS)
    page = window.settings_page
    page.warning_days.setValue(5)
    page.save_button.click()
    wait_idle(qtbot, window.ops)
    page.audit_button.click()
    dialog = page.audit_dialog
    wait_idle(qtbot, window.ops)
    table = dialog.table
    assert [table.horizontalHeaderItem(j).text() for j in range(5)] == ["时间", "用户", "操作", "对象", "详情"]
    first = [table.item(0, j).text() for j in range(5)]
    assert first[2] == "修改设置" and "warning_days" in first[4] and "5" in first[4]  # newest first
    assert dialog.status.text().startswith(f"共 {table.rowCount()} 条")
    dialog.show()
    window.ops.write(lambda: ui_desk.set_warning_days(6), Changes(settings=True))  # a write while it is open
    wait_idle(qtbot, window.ops)
    qtbot.waitUntil(lambda: "6" in table.item(0, 4).text() and "5 → 6" in table.item(0, 4).text(), timeout=5000)
    dialog.action.setText("修改设置")
    dialog.refresh()
    wait_idle(qtbot, window.ops)
    assert {table.item(i, 2).text() for i in range(table.rowCount())} == {"修改设置"}
    dialog.user.setText("没有这个人")
    dialog.refresh()
    wait_idle(qtbot, window.ops)
    assert table.rowCount() == 0 and not dialog.export_button.isEnabled()
    dialog.user.setText("")
    dialog.refresh()
    wait_idle(qtbot, window.ops)
    out = tmp_path / "日志.xlsx"
    dialog.export(out)
    wait_idle(qtbot, window.ops)
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][:5] == ["时间", "用户", "操作", "对象", "详情"]
    assert sheet.max_row == table.rowCount() + 1
