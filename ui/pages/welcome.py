"""The first page of an empty database: what the app does, and three ways to begin — add a site, import a
list of sites, or look at the demo (a database of its own). Shown instead of the pages until a site exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui import access
from ui.display import relative_font
from ui.ops import Ops
from zhdesk.site_import_dto import SiteImportReport

if TYPE_CHECKING:
    from zhdesk.desk import Desk

WELCOME_TITLE = "欢迎使用 zhdesk"
WHAT_IT_DOES = (
    "zhdesk 帮助街道跟踪市容秩序和环境卫生整治：登记点位，挂牌督办并盯住整改时限，"
    "记录每个点位的时间线和照片，汇总督办通报和社区台账。这个数据库里还没有点位，请从下面开始："
)
NEW_SITE = "新增点位…"
IMPORT_SITES = "导入点位清单…"
OPEN_DEMO = "打开演示数据"
COLUMN_WIDTH = 620


class WelcomePage(QWidget):
    """`new_site_requested` / `demo_requested`: the window (or ui/app.py) acts; `new_site`, if given, is called
    as well (the registry's 新增点位 dialog). The import runs here, through the window's ops."""

    new_site_requested = Signal()
    demo_requested = Signal()
    message = Signal(str)

    def __init__(
        self, desk: Desk, ops: Ops, new_site: Callable[[], object] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.new_site = new_site
        heading = QLabel(WELCOME_TITLE)
        relative_font(heading, 1.8, bold=True)
        what = QLabel(WHAT_IT_DOES)
        what.setObjectName("welcome_text")
        what.setWordWrap(True)
        relative_font(what, 1.15)

        self.new_button = self._button(NEW_SITE, "welcome_new_site", "逐个登记点位：地址、社区、类型")
        self.import_button = self._button(
            IMPORT_SITES, "welcome_import", "从 Excel/WPS 表格（.xlsx、.xls、.ods、.csv）导入：地址、社区、类型各一列"
        )
        self.demo_button = self._button(
            OPEN_DEMO, "welcome_demo", "打开单独的演示数据库看看各页面的样子；人员和电话均为虚构，不会写入本数据库"
        )
        self.new_button.clicked.connect(self._new_site)
        self.import_button.clicked.connect(self._import)
        self.demo_button.clicked.connect(self.demo_requested)
        access.gate(desk, "sites.edit", self.new_button, self.import_button)

        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        col = QVBoxLayout(column)
        col.setSpacing(14)
        heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(heading)
        col.addWidget(what)
        for b in (self.new_button, self.import_button, self.demo_button):
            col.addWidget(b)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setMinimumHeight(56)
        relative_font(b, 1.3)
        return b

    def _new_site(self) -> None:
        self.new_site_requested.emit()
        if self.new_site is not None:
            self.new_site()

    def _import(self) -> None:
        from ui.dialogs.site_import_dialog import import_site_list

        import_site_list(self, self.desk, self.ops, self._imported)

    def _imported(self, report: SiteImportReport) -> None:
        self.message.emit(report.summary())
