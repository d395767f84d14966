"""设置 page: shared settings kept in the database (warning days) and this workstation's display size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.catalogue_dialog import CatalogueDialog
from ui.display import relative_font
from ui.ops import Ops
from ui.stale import StaleWatch
from ui.widgets.display_size import DisplaySizeCombo
from zhdesk.changes import SETTINGS_CHANGED
from zhdesk.dto import MetricDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


MIN_WARNING_DAYS = 0
MAX_WARNING_DAYS = 60


class SettingsPage(QWidget):
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self._saved: int | None = None

        title = QLabel("设置")
        relative_font(title, 1.5, bold=True)

        # Shared by every workstation (stored in the database).
        shared = QGroupBox("所有工作站共用（保存在数据库中）")
        self.warning_days = QSpinBox()
        self.warning_days.setObjectName("warning_days")
        self.warning_days.setRange(MIN_WARNING_DAYS, MAX_WARNING_DAYS)
        self.warning_days.setSuffix(" 天")
        self.warning_days.setEnabled(False)  # until the current value is read
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("save_warning_days")
        self.save_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.warning_days)
        row.addWidget(self.save_button)
        row.addStretch(1)
        explain = QLabel("距整改时限不超过该天数（含当天）且未办结的挂牌点位亮黄灯；超过时限亮红灯；已办结为灰灯。")
        explain.setWordWrap(True)
        form = QFormLayout(shared)
        form.addRow("临期提醒天数：", row)
        form.addRow("", explain)
        self.catalogue_button = QPushButton("统计指标目录…")
        self.catalogue_button.setObjectName("metric_catalogue")
        self.catalogue_button.setToolTip("重命名或新增社区台账的统计指标，添加表头同义词")
        self.catalogue_button.clicked.connect(self.show_catalogue)
        form.addRow("社区台账指标：", self.catalogue_button)

        # This workstation only (QSettings).
        local = QGroupBox("仅本机")
        self.size_combo = DisplaySizeCombo()
        self.size_combo.setObjectName("settings_display_size")
        self.size_combo.setToolTip("整个窗口（各页面和对话框）的文字大小，大屏幕上可选“较大”或“特大”")
        self.size_combo.setSizeAdjustPolicy(DisplaySizeCombo.SizeAdjustPolicy.AdjustToContents)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_combo)
        size_row.addStretch(1)
        db = QLabel(location)
        db.setObjectName("db_location")
        db.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        db.setWordWrap(True)
        lform = QFormLayout(local)
        lform.addRow("显示大小：", size_row)
        lform.addRow("数据库位置：", db)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(shared)
        layout.addWidget(local)
        layout.addStretch(1)
        for box in (shared, local):
            box.setMaximumWidth(820)

        self.warning_days.valueChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.watch = StaleWatch(self, ops, lambda c: c.settings, self.refresh)

    def refresh(self) -> None:
        desk = self.desk
        self.ops.run(desk.warning_days, self._show_days, label="正在读取设置…")

    def _show_days(self, days: int) -> None:
        self._saved = days
        was = self.warning_days.blockSignals(True)
        self.warning_days.setValue(days)
        self.warning_days.blockSignals(was)
        self.warning_days.setEnabled(True)
        self.save_button.setEnabled(False)

    def _edited(self, value: int) -> None:
        self.save_button.setEnabled(value != self._saved)

    def save(self) -> None:
        days, desk = self.warning_days.value(), self.desk
        self.save_button.setEnabled(False)
        self.ops.write(
            lambda: desk.set_warning_days(days),
            SETTINGS_CHANGED,
            self._saved_days,
            lambda _exc: self._edited(self.warning_days.value()),
            label="正在保存设置…",
            initiator=self,
        )

    def _saved_days(self, days: int) -> None:
        self._saved = days
        self._edited(self.warning_days.value())
        self.message.emit(f"已保存：临期提醒天数 {days} 天")

    def show_catalogue(self) -> None:
        self.ops.run(self.desk.metrics, self._show_catalogue, label="正在读取指标目录…")

    def _show_catalogue(self, metrics: list[MetricDTO]) -> None:
        self.catalogue_dialog = CatalogueDialog(self.desk, self.ops, metrics, self)
        self.catalogue_dialog.show()
