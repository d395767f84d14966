"""导入点位清单 in the window: choose a file (Chinese dialog), see what it would add in a small preview, then
import through `ops.write` (one transaction; refusals come back as one Chinese line from ops)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ops import Ops
from zhdesk.changes import Changes
from zhdesk.site_import_dto import SiteImportReport

if TYPE_CHECKING:
    from zhdesk.desk import Desk

TITLE = "导入点位清单"
FILTER = "点位清单 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"
# New sites (and perhaps communities): every list of sites and every total may change.
SITES_IMPORTED = Changes(sites=True, listings=True)
PREVIEW_ROWS = 500  # the table shows at most this many; the summary line counts them all


class SiteImportPreview(QDialog):
    """What the file would add: the sites, the communities it creates, the addresses it skips."""

    def __init__(self, report: SiteImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{TITLE} — {report.file}")
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        summary = QLabel(report.summary())
        summary.setObjectName("import_summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        if report.new_communities:
            comm = QLabel("将新建社区：" + "、".join(report.new_communities))
            comm.setObjectName("import_communities")
            comm.setWordWrap(True)
            layout.addWidget(comm)
        self.table = QTableWidget(min(len(report.added), PREVIEW_ROWS), 4)
        self.table.setObjectName("import_rows")
        self.table.setHorizontalHeaderLabels(["行", "地址", "社区", "类型"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, r in enumerate(report.added[:PREVIEW_ROWS]):
            for j, text in enumerate((str(r.row), r.address, r.community, r.kind_label)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        if report.skipped:
            lines = [f"第 {s.row} 行 {s.address}：已存在于{s.existing}" for s in report.skipped[:50]]
            more = len(report.skipped) - len(lines)
            skipped = QLabel("跳过：\n" + "\n".join(lines) + (f"\n……另有 {more} 处" if more > 0 else ""))
            skipped.setObjectName("import_skipped")
            skipped.setStyleSheet("QLabel { color: #5f6368; }")
            layout.addWidget(skipped)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(f"导入 {len(report.added)} 处点位", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("import_ok")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def confirm_import(parent: QWidget | None, report: SiteImportReport) -> bool:
    """Show the preview; True when the user chose to import (tests replace this)."""
    return SiteImportPreview(report, parent).exec() == QDialog.DialogCode.Accepted


def choose_file(parent: QWidget | None) -> Path | None:
    path_text, _ = QFileDialog.getOpenFileName(parent, "选择点位清单文件", "", FILTER)
    return Path(path_text) if path_text else None


def import_site_list(
    parent: QWidget,
    desk: Desk,
    ops: Ops,
    on_done: Callable[[SiteImportReport], object] | None = None,
    *,
    initiator: object | None = None,
) -> None:
    """File dialog → preview (nothing written) → import through ops.write; `on_done(report)` after."""
    path = choose_file(parent)
    if path is None:
        return

    def checked(report: SiteImportReport) -> None:
        if not report.added:
            text = f"{report.file}：没有新的点位可导入（{len(report.skipped)} 处已存在）"
            QMessageBox.information(parent, TITLE, text)
            return
        if not confirm_import(parent, report):
            return
        ops.write(lambda: desk.site_import(path), SITES_IMPORTED, on_done, label="正在导入点位…", initiator=initiator)

    ops.run(lambda: desk.site_import_check(path), checked, label="正在检查点位清单…")
