"""社区台账 page: figures from the demo tallies, drill-down to file and row, the summary with its copy
button, the import wizard (problems marked, fix a value, exclude a row, import), undo from the batch list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import wait_idle
from tests.zhdesk.tally import tally_files as tf
from ui.main_window import TALLIES, MainWindow
from ui.pages.tallies import TalliesPage

H1 = (dt.date(2021, 1, 1), dt.date(2021, 6, 30))


def _page(qtbot: QtBot, window: MainWindow) -> TalliesPage:
    window.nav.setCurrentRow(list(window.pages).index(TALLIES))
    page = window.tallies
    assert window.stack.currentWidget() is page
    page.set_range(*H1)
    wait_idle(qtbot, window.ops)
    return page


def test_figures_and_summary_from_the_demo_tallies(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(qtbot, window)
    assert page.value_at(page.by_community, "mobilized", "合计") == "517"
    assert page.value_at(page.by_community, "garbage_tons", "合计") == "近130"
    assert page.value_at(page.by_community, "illegal_buildings_area", "江西路社区（示例）") == "12"
    text = page.summary.toPlainText()
    assert "楼组长517人次" in text and "清理垃圾近130吨" in text and "主流媒体刊(播)发新闻100余条" in text
    page.findChild(type(page.import_button), "copy_summary").click()
    assert QGuiApplication.clipboard().text() == text
    assert page.by_period.columnCount() == 7  # six months + 合计


def test_drill_down_shows_file_and_row(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(qtbot, window)
    row = next(i for i, m in enumerate(page.metrics) if m.code == "illegal_buildings_area")
    col = next(j for j in range(page.by_community.columnCount())
               if page.by_community.horizontalHeaderItem(j).text() == "澄海路社区（示例）")  # fmt: skip
    page.drill(page.by_community, row, col)
    wait_idle(qtbot, window.ops)
    table = page.entries_dialog.table
    assert table.rowCount() == 6  # one per month of the monthly summary
    sources = [table.item(i, 5).text() for i in range(table.rowCount())]
    assert all("澄海路社区_2021年1-6月_月度统计.xlsx" in s and "第" in s and "行" in s for s in sources)
    page.entries_dialog.close()


def test_import_wizard_fix_exclude_and_import(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    page = _page(qtbot, window)
    before = int(page.value_at(page.by_period, "noise_checks", "2021年2月") or 0)
    rows = [["日期", "社区", "清理垃圾（吨）", "检查噪音扰民"],
            ["2021-02-30", "江西路社区", 3, 1],
            ["2021-02-10", "八大关社区", 2, 1],
            ["2021-02-11", "江西路社区", 4, 2]]  # fmt: skip
    path = tf.xlsx(tmp_path / "二月.xlsx", rows, title="二月")
    dialog = page.import_files([path])
    assert dialog is not None
    wait_idle(qtbot, window.ops)
    assert dialog.reports[path].status == "rejected"
    reasons = [dialog.problems.item(i, 5).text() for i in range(dialog.problems.rowCount())]
    assert any("不存在" in r for r in reasons) and any("社区列表" in r for r in reasons)
    assert not dialog.import_button.isEnabled()
    dialog.set_fix(path, "二月", 2, "A", "2021-02-28")  # fix the impossible date
    wait_idle(qtbot, window.ops)
    dialog.exclude(path, "二月", 3)  # leave out the unknown community's row
    wait_idle(qtbot, window.ops)
    report = dialog.reports[path]
    assert report.status == "preview" and report.entries == 4
    assert dialog.preview.rowCount() == 4
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    wait_idle(qtbot, window.ops)
    assert dialog.reports[path].status == "imported"
    wait_idle(qtbot, window.ops)
    assert page.value_at(page.by_period, "noise_checks", "2021年2月") == str(before + 3)  # rows 2 and 4
    dialog.close()


def test_undo_from_the_batch_list(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    page = _page(qtbot, window)
    before = page.value_at(page.by_community, "mobilized", "合计")
    page.show_batches()
    wait_idle(qtbot, window.ops)
    batches = page.batches_dialog.batches
    first = next(i for i, b in enumerate(batches) if "善化路社区" in b.file_name and b.undone_at is None)
    page.batches_dialog.table.selectRow(first)
    page.batches_dialog.undo_selected()
    wait_idle(qtbot, window.ops)
    assert page.value_at(page.by_community, "mobilized", "合计") != before
    assert any(b.undone_at for b in page.batches_dialog.batches)
    page.batches_dialog.close()


def test_template_button_writes_the_template(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    page = _page(qtbot, window)
    out = tmp_path / "模板.xlsx"
    page.export_template(out)
    wait_idle(qtbot, window.ops)
    assert out.exists() and out.stat().st_size > 5000


def test_chart_bars_per_period_and_community_drill_down(qtbot: QtBot, window: MainWindow) -> None:
    page = _page(qtbot, window)
    page.chart_metric.setCurrentIndex(page.chart_metric.findData("mobilized"))
    chart = page.chart
    assert len(chart.keys) == 6 and len(chart.series) == 4
    assert sum(sum(s.values) for s in chart.series) == 517
    chart.click_bar(0, 0)
    wait_idle(qtbot, window.ops)
    assert page.entries_dialog.table.rowCount() > 0
    page.entries_dialog.close()


def test_cancel_during_a_large_import_leaves_the_database_unchanged(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import threading

    from tests.support import table_dump

    page = _page(qtbot, window)
    body = [[dt.date(2021, 9, 1 + i % 28), "江西路社区", 1] for i in range(12000)]
    rows = [["日期", "社区", "清理垃圾（吨）"], *body]
    path = tf.xlsx(tmp_path / "大文件.xlsx", rows)
    dialog = page.import_files([path])
    assert dialog is not None
    wait_idle(qtbot, window.ops, timeout=30000)
    assert dialog.reports[path].status == "preview" and dialog.reports[path].rows == 12000
    before = table_dump(window.desk.engine)

    class Pressed(threading.Event):
        """The cancel button, pressed as soon as the import starts (clear() is the import resetting it)."""

        def clear(self) -> None:
            self.set()

    dialog._cancel = Pressed()
    dialog.import_button.click()
    wait_idle(qtbot, window.ops, timeout=30000)
    assert "已取消" in dialog.status.text()
    assert table_dump(window.desk.engine) == before
    dialog.close()


def test_template_through_the_save_dialog_replaces_only_a_name_it_asked_about(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, window)
    asked = tmp_path / "模板.xlsx"
    asked.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(asked), ""))
    page.export_template()
    wait_idle(qtbot, window.ops)
    assert asked.stat().st_size > 5000  # the dialog asked "replace?" for this very name
    not_asked = tmp_path / "模板2.xlsx"
    not_asked.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "模板2"), ""))
    page.export_template()
    wait_idle(qtbot, window.ops)
    assert not_asked.read_bytes() == b"old"  # .xlsx added by us: never asked, never replaced
