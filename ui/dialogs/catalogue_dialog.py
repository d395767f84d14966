"""The metric catalogue (统计指标目录): rename a metric, add one, add a header synonym. Opened from 社区台账
and from 设置; the pages that show figures follow through the change broadcast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import access
from ui import conflict as conflict_ui
from ui.ops import Ops, describe, show_error
from zhdesk.changes import FIGURES_CHANGED
from zhdesk.dto import MetricDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


class CatalogueDialog(QDialog):
    """The metric catalogue: rename a metric, add one, add a header synonym."""

    def __init__(self, desk: Desk, ops: Ops, metrics: list[MetricDTO], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.ops = desk, ops
        self.metrics = metrics
        self.setWindowTitle("统计指标目录")
        self.resize(900, 520)
        self.table = QTableWidget(len(metrics), 4)
        self.table.setObjectName("metric_table")
        self.table.setHorizontalHeaderLabels(["代码", "名称", "单位", "表头同义词"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for i, m in enumerate(metrics):
            for j, text in enumerate((m.code, m.name, m.unit, "、".join(m.synonyms))):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        rename = QPushButton("重命名…")
        rename.clicked.connect(self.rename)
        add = QPushButton("新增指标…")
        add.clicked.connect(self.add)
        synonym = QPushButton("添加同义词…")
        synonym.clicked.connect(self.add_synonym)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (rename, add, synonym):
            buttons.addWidget(b)
        access.gate(desk, "catalogue.edit", rename, add, synonym)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def _selected(self) -> MetricDTO | None:
        rows = sorted({i.row() for i in self.table.selectedItems()})
        return self.metrics[rows[0]] if rows else None

    def _saved(self) -> None:
        self.close()  # pages showing figures follow through the broadcast FIGURES_CHANGED

    def rename(self) -> None:
        m = self._selected()
        if m is None:
            return
        name, ok = QInputDialog.getText(self, "重命名指标", f"{m.code} 的新名称：", text=m.name)
        if ok and name.strip():
            self.save_name(m, name)

    def save_name(self, m: MetricDTO, name: str) -> None:
        """`m`: the metric as loaded; a change made elsewhere since asks (ui/conflict.py)."""
        seen = {"name": m.name, "unit": m.unit}
        self.ops.write(lambda: self.desk.save_metric(m.code, name, m.unit, expected=seen), FIGURES_CHANGED,
                       lambda _m: self._saved(), lambda exc: self._rename_failed(exc, m.code, name),
                       label="正在保存指标…", show_errors=False, initiator=self)  # fmt: skip

    def _rename_failed(self, exc: BaseException, code: str, name: str) -> None:
        def overwrite(metrics: list[MetricDTO]) -> None:
            now = next((x for x in metrics if x.code == code), None)
            if now is not None:
                self.save_name(now, name)

        def reload() -> None:  # theirs: the pages follow, the catalogue opens again on what is there now
            self.ops.changed.emit(FIGURES_CHANGED, None)
            self.close()

        if conflict_ui.resolve(self, exc, reload, lambda: self.ops.run(self.desk.metrics, overwrite)) is None:
            show_error(self, describe(exc))

    def add(self) -> None:
        text, ok = QInputDialog.getText(self, "新增指标", "代码,名称,单位（如 posters,清理小广告,处）：")
        if not ok:
            return
        parts = [p.strip() for p in text.replace("，", ",").split(",")]
        if len(parts) != 3:
            return
        code, name, unit = parts
        self.ops.write(lambda: self.desk.save_metric(code, name, unit), FIGURES_CHANGED,
                            lambda _m: self._saved(), label="正在保存指标…",
                            initiator=self)  # fmt: skip

    def add_synonym(self) -> None:
        m = self._selected()
        if m is None:
            return
        text, ok = QInputDialog.getText(self, "添加同义词", f"表头写成什么时表示“{m.name}”：")
        if ok and text.strip():
            self.ops.write(lambda: self.desk.add_metric_synonym(text, m.code), FIGURES_CHANGED,
                                lambda _r: self.close(), label="正在保存同义词…", initiator=self)  # fmt: skip
