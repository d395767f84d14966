"""总览 page: filters on top, then two tabs — 数据看板 (KPI cards, charts, 需要关注; ui.pages.dashboard)
and 督办进度 (the Gantt chart of every listed site, most urgent first).

The filters (time range by the batches' issue dates, community) apply to the whole page; the Gantt
shows listings of the chosen community whatever their dates. Everything loads on the worker; the Gantt's
rows only while its tab is shown (a visit that shows 数据看板 reads 2,264 sites less on the large database:
that read held the GIL while the dashboard painted, the page's longest stall — docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.display import relative_font
from ui.ops import Ops
from ui.pages.dashboard import DashboardView
from ui.stale import StaleWatch
from ui.tables import page_title, refresh_button
from ui.widgets.gantt import LEGEND, GanttChart
from zhdesk.domain.periods import ALL, CUSTOM, QUICK_PRESETS, half_year_presets, preset_range, range_text
from zhdesk.dto import AttentionEntry, Dashboard, GanttRow, StatsFilter

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


PAGE_TITLE = "总览"
GANTT_TAB_TITLE = "督办进度"
DASHBOARD_TAB_TITLE = "数据看板"
ALL_COMMUNITIES = "全部社区"
NO_LIMIT = dt.date(2000, 1, 1)  # the start date shown as 不限

HALF_YEAR = "半年"  # the button whose menu lists half-years (periods.half_year_presets)


def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


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
    item_activated = Signal(int, int)  # (site id, item id)
    loaded = Signal()  # the Gantt rows arrived
    dashboard_loaded = Signal()  # the dashboard's figures and 需要关注 arrived
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self._generation = 0  # results of an older filter are dropped
        self._all_rows: list[GanttRow] = []
        self.filter = StatsFilter()

        self.title = page_title(PAGE_TITLE)
        self.refresh_button = refresh_button(self.refresh)

        # Filters: time range (with quick presets) and community.
        today = dt.date.today()
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(qdate(NO_LIMIT))
            edit.setMaximumDate(QDate(2099, 12, 31))
        self.date_from.setObjectName("date_from")
        self.date_to.setObjectName("date_to")
        self.date_from.setSpecialValueText("不限")
        self.date_from.setToolTip("按督办件下发日期筛选；最早日期显示为“不限”")
        self.date_from.setDate(qdate(NO_LIMIT))
        self.date_to.setDate(qdate(today))
        self.presets = QButtonGroup(self)
        self.presets.setExclusive(True)
        self.preset_buttons: dict[str, QToolButton] = {}
        style = (
            "QToolButton { padding: 3px 10px; border: 1px solid #c4c7c5; border-radius: 4px; background: white; }"
            "QToolButton:checked { background: #1a5fb4; color: white; border-color: #1a5fb4; }"
            "QToolButton::menu-indicator { image: none; }"
        )
        for name in (*QUICK_PRESETS, HALF_YEAR, CUSTOM):
            b = QToolButton()
            b.setText(name)
            b.setCheckable(True)
            b.setAutoRaise(False)
            b.setStyleSheet(style)
            self.presets.addButton(b)
            self.preset_buttons[name] = b
            if name in QUICK_PRESETS:
                b.clicked.connect(lambda _checked=False, n=name: self.apply_preset(n))
        # Half-years (this and last year's, and each one that has figures) in a menu: they are many.
        self._data_years: set[int] = set()
        self.half_year_menu = QMenu(self)
        self.half_year_menu.aboutToShow.connect(self._fill_half_years)
        half = self.preset_buttons[HALF_YEAR]
        half.setText(f"{HALF_YEAR} ▾")
        half.setToolTip("上半年 / 下半年：今年、去年，以及有督办件的各年")
        half.setMenu(self.half_year_menu)
        half.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        custom = self.preset_buttons[CUSTOM]
        custom.setToolTip("自己选择起止日期")
        custom.clicked.connect(self.start_custom)
        self.preset_buttons[ALL].setChecked(True)
        self.range_label = QLabel(range_text(None, None))
        self.range_label.setObjectName("range_text")
        self.range_label.setToolTip("总览的时间范围（按督办件下发日期）")
        self.community_combo = QComboBox()
        self.community_combo.setObjectName("community_filter")
        self.community_combo.addItem(ALL_COMMUNITIES)
        self.community_combo.setMinimumContentsLength(10)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(350)
        self._debounce.timeout.connect(self._dates_edited)
        self.date_from.dateChanged.connect(lambda _d: self._debounce.start())
        self.date_to.dateChanged.connect(lambda _d: self._debounce.start())
        self.community_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(24)
        top.addWidget(QLabel("时间"))
        for b in self.preset_buttons.values():
            top.addWidget(b)
        top.addSpacing(6)
        # The two date edits show for 自定义… only; otherwise the range reads in words.
        self.custom_box = QWidget()
        custom_row = QHBoxLayout(self.custom_box)
        custom_row.setContentsMargins(0, 0, 0, 0)
        custom_row.addWidget(self.date_from)
        custom_row.addWidget(QLabel("至"))
        custom_row.addWidget(self.date_to)
        self.custom_box.setVisible(False)
        top.addWidget(self.custom_box)
        top.addWidget(self.range_label)
        top.addSpacing(18)
        top.addWidget(QLabel("社区"))
        top.addWidget(self.community_combo)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.dashboard = DashboardView(desk, ops)
        self.dashboard.setObjectName("dashboard")
        self.dashboard.site_activated.connect(self.site_activated)
        self.dashboard.item_activated.connect(self.item_activated)
        self.dashboard.message.connect(self.message)

        # The Gantt section: heading, counts and legend, hint, chart.
        self.gantt_section = QFrame()
        self.gantt_section.setObjectName("gantt_section")
        heading = QLabel("挂牌督办整改进度（按紧急程度排列：超期的在最上面）")
        relative_font(heading, 1.1, bold=True)
        self.counts = QLabel()
        self.counts.setObjectName("gantt_counts")
        self.legend = QLabel(legend_html())
        self.legend.setObjectName("gantt_legend")
        hint = QLabel("单击某一行打开该点位；滚轮上下翻看点位，按住 Ctrl 滚动滚轮缩放日期，拖动左右平移。")
        hint.setStyleSheet("QLabel { color: #5f6368; }")
        self.reset_button = QPushButton("显示全部日期")
        self.reset_button.setToolTip("把日期范围恢复为从最早挂牌到最晚时限")
        # The chart (≈ 20 ms to build) comes on a later event-loop turn, like the dashboard's charts; its
        # rows are queued behind it (_gantt_loaded).
        self.chart: GanttChart
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
        section.setContentsMargins(0, 6, 0, 0)
        section.addLayout(head)
        section.addLayout(foot)
        self._gantt_layout = section
        section.addStretch(1)  # below a short chart (few sites): empty page, not thinly spread rows

        self.tabs = QTabWidget()
        self.tabs.setObjectName("overview_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.dashboard, DASHBOARD_TAB_TITLE)
        self.tabs.addTab(self.gantt_section, GANTT_TAB_TITLE)
        self.tabs.setTabToolTip(1, "挂牌督办点位的整改时间轴（甘特图）")
        self.dashboard.show_listings_progress.connect(lambda: self.tabs.setCurrentWidget(self.gantt_section))

        self.sections = QVBoxLayout()
        self.sections.setSpacing(12)
        self.sections.addWidget(self.tabs, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addLayout(top)
        layout.addLayout(self.sections, 1)

        ops.later(self._build_gantt, label="正在绘制图表…")
        # Read often and cheap: reloads on every visit (other workstations' writes) and on any write here.
        self.watch = StaleWatch(
            self,
            ops,
            lambda c: c.any("sites", "listings", "items", "figures", "settings"),
            self.refresh,
            every_show=True,
        )
        # The 督办进度 tab's rows (thousands of sites) are read only while that tab is shown: the page's
        # reload marks them stale (_load), and the tab reads them when on screen or next shown.
        self.gantt_watch = StaleWatch(self.gantt_section, ops, lambda _c: False, self._load_gantt, stale=True)

    def add_section(self, widget: QWidget, index: int = 0, stretch: int = 0) -> None:
        """Put another section on the page, above the tabs."""
        self.sections.insertWidget(index, widget, stretch)

    def hideEvent(self, event: QHideEvent) -> None:
        self._debounce.stop()
        super().hideEvent(event)

    # ------------------------------------------------------------ filters
    def current_filter(self) -> StatsFilter:
        start = pydate(self.date_from.date())
        end = pydate(self.date_to.date())
        date_from = None if start <= NO_LIMIT else start
        # 不限 … today is the unfiltered view (no end either).
        date_to = None if date_from is None and end >= dt.date.today() else end
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        community = self.community_combo.currentText()
        return StatsFilter(date_from, date_to, None if community == ALL_COMMUNITIES else community or None)

    def apply_preset(self, name: str, today: dt.date | None = None) -> None:
        """A named range (periods.preset_range: 本周 … 今年, 2026年上半年 …, 全部), computed from today."""
        start, end = preset_range(name, today or dt.date.today())
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
        self.date_from.setDate(qdate(start or NO_LIMIT))
        self.date_to.setDate(qdate(end or today or dt.date.today()))
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(False)
        button = self.preset_buttons.get(name)
        half = self.preset_buttons[HALF_YEAR]
        if button is None:  # a half-year from the menu
            button = half
            half.setText(f"{name} ▾")
        else:
            half.setText(f"{HALF_YEAR} ▾")
        button.setChecked(True)
        self.custom_box.setVisible(False)
        self._debounce.stop()
        self.apply_filter()

    def half_year_names(self, today: dt.date | None = None) -> list[str]:
        return half_year_presets(today or dt.date.today(), sorted(self._data_years))

    def _fill_half_years(self) -> None:
        self.half_year_menu.clear()
        for name in self.half_year_names():
            action = self.half_year_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, n=name: self.apply_preset(n))

    def start_custom(self) -> None:
        """自定义…: show the two date edits, starting from the current range."""
        self.preset_buttons[CUSTOM].setChecked(True)
        self.preset_buttons[HALF_YEAR].setText(f"{HALF_YEAR} ▾")
        self.custom_box.setVisible(True)
        self.date_from.setFocus()

    def set_range(self, start: dt.date | None, end: dt.date | None) -> None:
        """Set the dates as if typed (tests and other pages); refreshes at once."""
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
        self.date_from.setDate(qdate(start or NO_LIMIT))
        self.date_to.setDate(qdate(end or dt.date.today()))
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(False)
        self._dates_edited()

    def set_community(self, name: str | None) -> None:
        self.community_combo.setCurrentText(name or ALL_COMMUNITIES)  # the combo's signal refreshes

    def _dates_edited(self) -> None:
        self._debounce.stop()
        # A hand-edited range is no preset: 自定义… with its date edits.
        self.preset_buttons[CUSTOM].setChecked(True)
        self.preset_buttons[HALF_YEAR].setText(f"{HALF_YEAR} ▾")
        self.custom_box.setVisible(True)
        self.apply_filter()

    def apply_filter(self) -> None:
        self.filter = self.current_filter()
        self.range_label.setText(range_text(self.filter.date_from, self.filter.date_to))
        self.refresh_dashboard()
        if not self.gantt_watch.stale:  # (stale: the rows are read, and filtered, when the tab is shown)
            rows = self._all_rows
            self.ops.later(lambda: self.set_rows(rows), label="正在绘制图表…")  # (the chart may be on its way)

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        # Behind the charts' construction steps queued before it (a first visit) and the page's paint: the
        # worker's reads would hold the GIL half the time while the GUI thread builds and paints them.
        self.ops.after_paint(self, self._load, label="正在读取…")

    def _load(self) -> None:
        desk = self.desk
        self.filter = self.current_filter()
        self.refresh_dashboard()  # the tab shown first
        self.ops.run(lambda: [c.name for c in desk.communities()], self._fill_communities, label="正在读取社区…")
        self.gantt_watch.mark_stale()

    def _load_gantt(self) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.gantt(), self._gantt_loaded, label="正在读取督办进度…")

    def refresh_dashboard(self) -> None:
        self._generation += 1
        generation = self._generation
        desk, f = self.desk, self.filter

        today = dt.date.today()

        def done(data: Dashboard) -> None:
            if generation != self._generation:
                return  # a newer filter is on its way
            if f.date_from is None and f.date_to is None:  # years with figures, for the half-year menu
                self._data_years |= {int(p[:4]) for p, _k, _n in data.items_per_period if p[:4].isdigit()}
            self.dashboard.set_data(data, f, data.granularity, today)

        def attention_done(entries: list[AttentionEntry]) -> None:
            if generation == self._generation:
                self.dashboard.set_attention(entries)
                self.dashboard_loaded.emit()

        # Two reads: the figures (tens of ms, from the rollups) fill the charts while 需要关注 is read.
        self.ops.run(lambda: desk.dashboard(f, today), done, label="正在统计…")
        self.ops.run(lambda: desk.attention(f.community, today), attention_done, label="正在读取需要关注…")

    def _fill_communities(self, names: list[str]) -> None:
        current = self.community_combo.currentText()
        was = self.community_combo.blockSignals(True)
        self.community_combo.clear()
        self.community_combo.addItem(ALL_COMMUNITIES)
        self.community_combo.addItems(names)
        self.community_combo.setCurrentText(current if current in names else ALL_COMMUNITIES)
        self.community_combo.blockSignals(was)

    def _build_gantt(self) -> None:
        self.chart = GanttChart()
        self.reset_button.clicked.connect(self.chart.reset_dates)
        self.chart.site_activated.connect(self.site_activated)
        self._gantt_layout.insertWidget(self._gantt_layout.count() - 1, self.chart, 100)

    def _gantt_loaded(self, rows: Sequence[GanttRow]) -> None:
        self.ops.later(lambda: self.set_rows(rows), label="正在绘制图表…")  # behind the chart's construction

    def set_rows(self, rows: Sequence[GanttRow], today: dt.date | None = None) -> None:
        self._all_rows = list(rows)
        community = self.filter.community
        shown = [r for r in rows if community is None or r.community == community]
        self.chart.set_rows(shown, today)
        self.chart.setMaximumHeight(max(self.chart.content_height(), 120))
        self.counts.setText(counts_text(shown))
        self.loaded.emit()
