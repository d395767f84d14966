"""总览 page: 督办进度总览 — the Gantt chart of every listed site, most urgent first.

The page is a column of sections (`self.sections`); KPI cards are meant to go in above the chart
(`add_section(widget, index=0)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.ops import Ops
from ui.widgets.gantt import LEGEND, GanttChart
from zhdesk.desk import Desk
from zhdesk.services.overview import GanttRow

PAGE_TITLE = "督办进度总览"


def legend_html() -> str:
    items = [f"<span style='color:{color}; font-size:large'>{mark}</span>&nbsp;{text}" for mark, color, text in LEGEND]
    return "&nbsp;&nbsp;&nbsp;&nbsp;".join(items)


def counts_text(rows: Sequence[GanttRow]) -> str:
    n = {light: sum(r.light == light for r in rows) for light in ("red", "yellow", "green", "grey")}
    return (
        f"挂牌督办 {len(rows)} 处：超期 {n['red']} 处 · 临期 {n['yellow']} 处 · "
        f"正常 {n['green']} 处 · 已办结 {n['grey']} 处"
    )


class OverviewPage(QWidget):
    site_activated = Signal(int)
    loaded = Signal()

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self._loaded_once = False

        self.title = QLabel(PAGE_TITLE)
        self.title.setObjectName("page_title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setToolTip("重新读取数据库 (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        # The Gantt section: heading, counts and legend, hint, chart.
        self.gantt_section = QFrame()
        self.gantt_section.setObjectName("gantt_section")
        heading = QLabel("整改进度（按紧急程度排列：超期的在最上面）")
        heading_font = QFont(heading.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.1)
        heading.setFont(heading_font)
        self.counts = QLabel()
        self.counts.setObjectName("gantt_counts")
        self.legend = QLabel(legend_html())
        self.legend.setObjectName("gantt_legend")
        hint = QLabel("单击某一行打开该点位；滚轮上下翻看点位，按住 Ctrl 滚动滚轮缩放日期，拖动左右平移。")
        hint.setStyleSheet("QLabel { color: #5f6368; }")
        self.reset_button = QPushButton("显示全部日期")
        self.reset_button.setToolTip("把日期范围恢复为从最早挂牌到最晚时限")
        self.chart = GanttChart()
        self.reset_button.clicked.connect(self.chart.reset_dates)
        head = QHBoxLayout()
        head.addWidget(heading)
        head.addSpacing(16)
        head.addWidget(self.counts)
        head.addStretch(1)
        head.addWidget(self.reset_button)
        foot = QHBoxLayout()
        foot.addWidget(self.legend)
        foot.addStretch(1)
        foot.addWidget(hint)
        section = QVBoxLayout(self.gantt_section)
        section.setContentsMargins(0, 0, 0, 0)
        section.addLayout(head)
        section.addLayout(foot)
        section.addWidget(self.chart, 100)
        section.addStretch(1)  # below a short chart (few sites): empty page, not thinly spread rows

        self.sections = QVBoxLayout()
        self.sections.setSpacing(12)
        self.sections.addWidget(self.gantt_section, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addLayout(top)
        layout.addLayout(self.sections, 1)

        self.chart.site_activated.connect(self.site_activated)

    def add_section(self, widget: QWidget, index: int = 0, stretch: int = 0) -> None:
        """Put another section on the page (KPI cards go at index 0, above the chart)."""
        self.sections.insertWidget(index, widget, stretch)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # the overview is read often and changes elsewhere: cheap to reload on every visit

    def refresh(self) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.gantt(), self.set_rows, label="正在读取督办进度…")

    def set_rows(self, rows: Sequence[GanttRow], today: dt.date | None = None) -> None:
        self.chart.set_rows(rows, today)
        self.chart.setMaximumHeight(max(self.chart.content_height(), 120))
        self.counts.setText(counts_text(rows))
        self._loaded_once = True
        self.loaded.emit()
