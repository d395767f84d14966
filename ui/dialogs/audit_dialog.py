"""操作日志 (设置 → 操作日志…): the append-only audit trail, newest first, filtered by time range, user and
action, exportable to Excel. Read only: nobody, admin included, can change an entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.export_dialog import export_rows
from ui.ops import Ops, describe
from zhdesk.dto import AuditDTO, Column

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk

RANGES: dict[str, int | None] = {"最近7天": 7, "最近30天": 30, "最近一年": 365, "全部": None}
HEADERS = ("时间", "用户", "操作", "对象", "详情")
SHOWN = 2000  # rows read at most; the line under the table says when there may be more


class AuditDialog(QDialog):
    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.ops = desk, ops
        self.rows: list[AuditDTO] = []
        self.setWindowTitle("操作日志")
        self.resize(1100, 620)
        self.range_combo = QComboBox()
        self.range_combo.setObjectName("audit_range")
        self.range_combo.addItems(list(RANGES))
        self.range_combo.setCurrentText("最近30天")
        self.user = QLineEdit()
        self.user.setObjectName("audit_user")
        self.user.setPlaceholderText("用户（登录名）")
        self.action = QLineEdit()
        self.action.setObjectName("audit_action")
        self.action.setPlaceholderText("操作，如 编辑点位")
        search = QPushButton("查询")
        search.setObjectName("audit_search")
        search.clicked.connect(self.refresh)
        for edit in (self.user, self.action):
            edit.returnPressed.connect(self.refresh)
        self.range_combo.currentTextChanged.connect(lambda _t: self.refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel("时间："))
        top.addWidget(self.range_combo)
        top.addWidget(self.user, 1)
        top.addWidget(self.action, 1)
        top.addWidget(search)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("audit_table")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("")
        self.status.setObjectName("audit_status")
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("audit_export")
        self.export_button.clicked.connect(lambda: self.export())
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        ops.changed.connect(self._changed)  # every write is an entry: the open log follows it
        self.refresh()

    def _changed(self, _changes: object, _initiator: object) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> int:
        days = RANGES.get(self.range_combo.currentText())
        since = dt.date.today() - dt.timedelta(days=days - 1) if days else None
        user, action, desk = self.user.text().strip() or None, self.action.text().strip() or None, self.desk
        self.status.setText("正在读取…")
        return self.ops.run(lambda: desk.list_audit(since=since, user=user, action=action, limit=SHOWN), self.show_rows,
                            self._failed, label="正在读取操作日志…", show_errors=False)  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("读取失败：" + describe(exc))

    def cells(self, r: AuditDTO) -> list[str]:
        return [r.at.strftime("%Y-%m-%d %H:%M:%S"), r.user_login, r.action_label, r.target, r.detail_text(300)]

    def show_rows(self, rows: list[AuditDTO]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate(self.cells(r)):
                item = QTableWidgetItem(text)
                if j == 4:
                    item.setToolTip(r.detail_text())
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        more = f"（只显示最新的 {SHOWN} 条，请缩小范围）" if len(rows) >= SHOWN else ""
        self.status.setText(f"共 {len(rows)} 条{more}；操作日志只能追加，任何人都不能修改或删除")
        self.export_button.setEnabled(bool(rows))

    def export(self, path: Path | None = None) -> int:
        columns = [Column("时间"), Column("用户"), Column("操作"), Column("对象"), Column("详情")]
        rows = [[*self.cells(r)[:4], r.detail_text()] for r in self.rows]
        return export_rows(self, self.ops, self.desk, name="操作日志", columns=columns, rows=rows,
                           done=self.status.setText, path=path)  # fmt: skip
