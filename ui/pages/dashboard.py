"""The leadership dashboard of 总览: KPI cards, six charts and the 需要关注 list, for one filter.

Data arrives ready-made (a `Dashboard` from the worker); every bar, point and card that has items
behind it opens the drill-down list (`DrillDialog`), whose rows open the site's 点位档案 on that item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import access
from ui.display import relative_font
from ui.ops import Ops
from ui.widgets.charts import BarChart, RateChart, Series
from ui.widgets.light import light_icon
from zhdesk.domain.periods import axis_labels, date_text, fill_periods, gaps, period_text, range_text, range_word
from zhdesk.domain.stats import Kind, kind_label, percent, rate
from zhdesk.dto import AttentionEntry, Dashboard, Drill, FigureDTO, StatsFilter

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from ui.dialogs.drill import DrillDialog  # the dialogs load when first opened (issue 13)
    from ui.dialogs.figure_dialog import FigureDialog
    from zhdesk.desk import Desk


Index = QModelIndex | QPersistentModelIndex

# One colour per kind, dark to light (viridis): the stack still reads in grayscale.
KIND_COLORS: dict[str, str] = {
    Kind.PATROL.value: "#440154",
    Kind.FOOT_PATROL.value: "#443983",
    Kind.INSPECTION_BULLETIN.value: "#31688e",
    Kind.LISTED.value: "#21918c",
    Kind.SUPERVISION_CASE.value: "#35b779",
    Kind.COMPOUND_NOTICE.value: "#90d743",
    Kind.OTHER.value: "#fde725",
}
ITEMS_COLOR = "#9ec5e8"  # light
CLOSED_COLOR = "#1e6b34"  # dark
OVERDUE_COLOR = "#d93025"  # middle
CATEGORY_COLOR = "#3b78c3"
RED_TEXT = "#c5221f"
AMBER_TEXT = "#a05a00"
MAX_HBARS = 12  # horizontal charts show the largest ones


def fmt_number(value: Decimal | float | int) -> str:
    d = Decimal(value)
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d.normalize():f}"


def city_cases_text(value: Decimal, qualifier: str | None) -> str:
    """The qualifier printed back where the source puts it: 约130, 近130, 100余."""
    n = fmt_number(value)
    if not qualifier:
        return n
    return f"{n}{qualifier}" if qualifier == "余" else f"{qualifier}{n}"


def card_texts(data: Dashboard, f: StatsFilter, today: dt.date) -> list[tuple[str, str, str, str]]:
    """(title, value, sub-line, tooltip) of each KPI card, in the order of DashboardView.cards: what it
    counts (处 = places, i.e. listings; 件 = items) and over which range, in words."""
    fig = data.figures
    span = range_text(f.date_from, f.date_to)
    word = range_word(f.date_from, f.date_to, today)
    now = f"截至今天（{date_text(today)}）"
    where = f"，{f.community}" if f.community else ""
    attention = "“需要关注”列出截至今天各类超期、临期的督办件（按件，不限时间范围），所以数目可能不同。"
    cutoff = min(today, f.date_to) if f.date_to else today
    overdue = "已过整改时限" if data.listings_overdue else "无超期"
    # sub-lines: the range on the first line, what else the figure says on the second
    return [
        ("挂牌督办在办", f"{data.listings_in_force} 处", "截至今天 · 不论何时挂牌\n尚未摘牌",
         f"尚未摘牌的挂牌督办点位（处 = 点位）{now}{where}；不随时间范围变化。"),
        ("挂牌督办超期", f"{data.listings_overdue} 处", f"截至今天 · 不论何时挂牌\n{overdue}",
         f"已过整改时限、尚未摘牌且未缓办的挂牌督办点位（处 = 点位）{now}{where}；不随时间范围变化。\n"
         f"“超期挂牌督办 — 按包案领导”图数的是同一批点位。\n{attention}"),
        (f"{word}摘牌", f"{data.listings_closed_in_range} 处", f"{span}\n验收通过、摘牌",
         f"{'累计' if word == '累计' else '在' + span}验收通过、摘牌的挂牌督办点位（处 = 点位）{where}。"),
        ("督办件", f"{fig.total.issues}期 {fig.total.items}件", f"{span}\n已办结 {fig.total.closed} 件",
         f"{span}下发的各类督办件{where}：期数与件数（件 = 督办件，一件对应一处点位）；已办结 {fig.total.closed} 件。"),
        ("结案率", percent(fig.closure_rate), f"{span}\n按期结案率 {percent(fig.on_time_closure_rate)}",
         f"{span}下发的督办件{where}：结案率 = 结案数 ÷ (应结案数 − 缓办数) = {fig.closed_due} ÷ "
         f"({fig.due} − {fig.deferred})；应结案 = 已结案或截至{date_text(cutoff)}已过整改时限的件。\n"
         f"按期结案率：在整改时限内结案的 {fig.closed_on_time} 件。单击查看其中超期未办结的督办件。"),
        ("数字化城管件", f"{city_cases_text(data.city_cases, data.city_cases_qualifier)} 件", f"{span}\n来自社区台账",
         f"各社区台账中{span}处置的数字化城管件（件）{where}；台账未导入的时段可手工录入（右键或“录入…”）。"),
    ]  # fmt: skip


# ---------------------------------------------------------------- 需要关注 (services/attention.py)
class AttentionModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[AttentionEntry] = []

    def set_entries(self, entries: Sequence[AttentionEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[AttentionEntry]:
        return list(self._entries)

    def entry_at(self, row: int) -> AttentionEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{e.address}　{e.days_text}\n{e.what}" + (f"\n{e.who}" if e.who else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{e.address}（{e.days_text}）\n{e.what}\n{e.who}\n单击打开该点位"
        if role == Qt.ItemDataRole.DecorationRole:
            return light_icon(e.light, 18)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(RED_TEXT if e.light == "red" else AMBER_TEXT)
        if role == Qt.ItemDataRole.UserRole:
            return e.site_id
        return None


# ---------------------------------------------------------------- KPI cards
class KpiCard(QFrame):
    clicked = Signal()

    def __init__(self, title: str, tooltip: str = "", clickable: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpi_card")
        self.clickable = clickable
        self.setStyleSheet(
            "QFrame#kpi_card { background: white; border: 1px solid #dadce0; border-radius: 8px; }"
            "QFrame#kpi_card:hover { border-color: #1a5fb4; }"
        )
        self.title = QLabel(title)
        self.title.setStyleSheet("QLabel { color: #3c4043; border: none; }")
        relative_font(self.title, 1.1)
        self.value = QLabel("—")
        self.value.setObjectName("kpi_value")
        relative_font(self.value, 2.3, bold=True)
        self.sub = QLabel("")
        self.sub.setStyleSheet("QLabel { color: #5f6368; border: none; }")
        # Two lines from the start (card_texts gives every card two): the figures arriving do not make the
        # cards taller, which would resize and repaint every chart below them.
        self.sub.setMinimumHeight(self.sub.fontMetrics().boundingRect(QRect(0, 0, 4000, 400), 0, "一\n二").height())
        self.set_color(None)
        self.head = QHBoxLayout()
        self.head.setContentsMargins(0, 0, 0, 0)
        self.head.addWidget(self.title)
        self.head.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(2)
        layout.addLayout(self.head)
        layout.addWidget(self.value)
        layout.addWidget(self.sub)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        hint = "单击查看明细" if clickable else ""
        self.setToolTip("\n".join(x for x in (tooltip, hint) if x))
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def add_link(self, text: str, tooltip: str) -> QToolButton:
        """A small link-like button at the right of the title (its clicks never reach the card)."""
        link = QToolButton()
        link.setText(text)
        link.setToolTip(tooltip)
        link.setAutoRaise(True)
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.setStyleSheet(
            "QToolButton { color: #1a5fb4; border: none; padding: 0 2px; background: transparent; }"
            "QToolButton:hover { text-decoration: underline; }"
        )
        self.head.addWidget(link)
        return link

    def set_tooltip(self, text: str) -> None:
        hint = "单击查看明细" if self.clickable else ""
        self.setToolTip("\n".join(x for x in (text, hint) if x))

    def set_color(self, color: str | None) -> None:
        self.value.setStyleSheet(f"QLabel {{ color: {color or '#202124'}; border: none; }}")

    def set_value(self, value: str, sub: str = "", color: str | None = None) -> None:
        self.value.setText(value)
        self.sub.setText(sub)
        self.set_color(color)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def _panel(widget: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("chart_panel")
    frame.setStyleSheet("QFrame#chart_panel { background: white; border: 1px solid #e0e3e7; border-radius: 6px; }")
    # The grid shares its room by stretch alone, whatever a panel holds: a chart arriving later (or
    # refilled) does not resize the other panels, which would repaint every chart.
    frame.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    frame.setMinimumSize(220, 100)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(8, 6, 8, 6)
    if widget is not None:
        layout.addWidget(widget)
    return frame, layout


# ---------------------------------------------------------------- the view
class DashboardView(QWidget):
    site_activated = Signal(int)
    item_activated = Signal(int, int)  # (site id, item id): 需要关注 item lines and drill-down rows
    show_listings_progress = Signal()  # the listing cards point at the 督办进度 tab
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.filter = StatsFilter()
        self.today = dt.date.today()
        self.data: Dashboard | None = None
        self.granularity = "month"
        self.periods: list[str] = []
        self.last_drill: Drill | None = None
        self.drill_dialog: DrillDialog | None = None
        self.figure_dialog: FigureDialog | None = None

        # KPI cards: the tooltips and sub-lines follow the range (card_texts)
        self.card_in_force = KpiCard("挂牌督办在办")
        self.card_overdue = KpiCard("挂牌督办超期")
        self.card_closed = KpiCard("累计摘牌")
        self.card_items = KpiCard("督办件")
        self.card_rate = KpiCard("结案率")
        self.card_city = KpiCard(
            "数字化城管件", "各社区台账中处置的数字化城管件；台账未导入的时段可手工录入（右键或“录入…”）",
            clickable=False,
        )  # fmt: skip
        self.city_link = self.card_city.add_link("录入…", "手工录入某一时段的数字化城管件数量")
        self.city_link.setObjectName("city_cases_entry")
        self.city_link.clicked.connect(self.open_figure_dialog)
        self.city_action = QAction("录入数字化城管件…", self.card_city)
        self.city_action.triggered.connect(self.open_figure_dialog)
        self.card_city.addAction(self.city_action)
        self.card_city.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        access.gate(desk, "bulletins.edit", self.city_link, self.city_action, hide=True)
        self.cards = (self.card_in_force, self.card_overdue, self.card_closed, self.card_items, self.card_rate,
                      self.card_city)  # fmt: skip
        cards = QHBoxLayout()
        cards.setSpacing(10)
        for card in self.cards:
            cards.addWidget(card)
        self.card_in_force.clicked.connect(self.show_listings_progress)
        self.card_closed.clicked.connect(self.show_listings_progress)
        self.card_overdue.clicked.connect(self._overdue_listings_clicked)
        self.card_items.clicked.connect(lambda: self.drill(Drill(base=self.filter), "所选范围的全部督办件"))
        self.card_rate.clicked.connect(
            lambda: self.drill(Drill(base=self.filter, overdue_only=True), "超期未办结的督办件")
        )

        # Charts: each panel is laid out now, its chart built on a later event-loop turn (ops.later, one
        # chart a turn: 8–12 ms to build on the light plot, plus its first paint), so the page shows at once
        # and the window answers between charts (issue 13). set_data queues its chart updates behind them.
        self._panels: dict[str, QVBoxLayout] = {}
        overdue_box = QWidget()
        ob = QVBoxLayout(overdue_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.setSpacing(8)
        self._panels["overdue"] = ob
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        grid.addWidget(self._panel("period"), 0, 0, 1, 2)
        grid.addWidget(self._panel("rate"), 0, 2)
        grid.addWidget(self._panel("category"), 1, 0)
        grid.addWidget(self._panel("community"), 1, 1)
        grid.addWidget(_panel(overdue_box)[0], 1, 2)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        for r in range(2):
            grid.setRowStretch(r, 1)
        self.charts = grid_widget
        for build in (self._build_period_chart, self._build_rate_chart, self._build_category_chart,
                      self._build_community_chart, self._build_unit_chart, self._build_lead_chart):  # fmt: skip
            ops.later(build, label="正在绘制图表…")

        # 需要关注
        self.attention_model = AttentionModel(self)
        self.attention = QListView()
        self.attention.setObjectName("attention_list")
        self.attention.setModel(self.attention_model)
        self.attention.setWordWrap(True)
        # Thousands of entries on a large database: laid out in batches between events, not in one stall
        # of size hints for every row (issue 13, bench pages).
        self.attention.setLayoutMode(QListView.LayoutMode.Batched)
        self.attention.setBatchSize(100)
        self.attention.setSpacing(3)
        self.attention.setIconSize(QSize(18, 18))
        self.attention.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attention.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.attention.clicked.connect(lambda index: self.open_attention(index.row()))
        self.attention_title = QLabel("需要关注")
        relative_font(self.attention_title, 1.1, bold=True)
        self.attention_note = QLabel("截至今天、不限时间的各类督办件：超期（红）在前，临期（黄）在后；单击打开点位。")
        self.attention_note.setToolTip("与上方卡片不同，这里按件列出，不随所选时间范围变化")
        self.attention_note.setWordWrap(True)
        self.attention_note.setStyleSheet("QLabel { color: #5f6368; }")
        side = QFrame()
        side.setObjectName("attention_panel")
        side.setStyleSheet(
            "QFrame#attention_panel { background: white; border: 1px solid #e0e3e7; border-radius: 6px; }"
        )
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 6, 8, 6)
        side_layout.addWidget(self.attention_title)
        side_layout.addWidget(self.attention_note)
        side_layout.addWidget(self.attention, 1)
        side.setMinimumWidth(260)
        side.setMaximumWidth(340)

        body = QHBoxLayout()
        body.setSpacing(10)
        body.addWidget(self.charts, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(cards)
        layout.addLayout(body, 1)

    # ------------------------------------------------------------ charts, one per event-loop turn
    def _panel(self, name: str) -> QFrame:
        frame, self._panels[name] = _panel()  # its chart arrives later (the _build_* step)
        return frame

    def _build_period_chart(self) -> None:
        self.period_chart = BarChart("各类督办件数量（件，按下发时间）", describe=period_text, unit="件")
        self.period_chart.setMinimumHeight(120)
        self.period_chart.bar_clicked.connect(self._period_clicked)
        self._panels["period"].addWidget(self.period_chart)

    def _build_rate_chart(self) -> None:
        self.rate_chart = RateChart("结案率走势（按下发时间）", describe=period_text)
        self.rate_chart.setMinimumHeight(120)
        self.rate_chart.point_clicked.connect(self._rate_clicked)
        self._panels["rate"].addWidget(self.rate_chart)

    def _build_category_chart(self) -> None:
        self.category_chart = BarChart("问题类别（件）", horizontal=True, unit="件")
        self.category_chart.setMinimumHeight(120)
        self.category_chart.bar_clicked.connect(self._category_clicked)
        self._panels["category"].addWidget(self.category_chart)

    def _build_community_chart(self) -> None:
        self.community_chart = BarChart("各社区对比（件）", grouped=True, unit="件")
        self.community_chart.set_legend([("督办件", ITEMS_COLOR), ("已办结", CLOSED_COLOR), ("超期", OVERDUE_COLOR)])
        self.community_chart.setMinimumHeight(120)
        self.community_chart.bar_clicked.connect(self._community_clicked)
        self._panels["community"].addWidget(self.community_chart)

    def _build_unit_chart(self) -> None:
        self.unit_chart = BarChart("超期督办件 — 按责任单位（所选时间内下发，件）", horizontal=True, unit="件")
        self.unit_chart.setToolTip("所选时间内下发、截至今天已过整改时限仍未办结（不含缓办）的督办件，按责任单位")
        self.unit_chart.setMinimumHeight(60)
        self.unit_chart.bar_clicked.connect(self._unit_clicked)
        self._panels["overdue"].insertWidget(0, self.unit_chart, 3)

    def _build_lead_chart(self) -> None:
        self.lead_chart = BarChart("超期挂牌督办 — 按包案领导（截至今天，处）", horizontal=True, unit="处")
        self.lead_chart.setToolTip("截至今天超期的挂牌督办点位，不论何时挂牌：与“挂牌督办超期”卡片是同一批点位")
        self.lead_chart.setMinimumHeight(60)
        self.lead_chart.bar_clicked.connect(self._lead_clicked)
        self._panels["overdue"].addWidget(self.lead_chart, 2)

    # ------------------------------------------------------------ data in
    def set_data(self, data: Dashboard, f: StatsFilter, granularity: str, today: dt.date | None = None) -> None:
        self.data, self.filter, self.granularity = data, f, granularity
        self.today = today or dt.date.today()
        for card, (title, value, sub, tip) in zip(self.cards, card_texts(data, f, self.today), strict=True):
            card.title.setText(title)
            card.set_value(value, sub)
            card.set_tooltip(tip)
        self.card_overdue.set_color(RED_TEXT if data.listings_overdue > 0 else None)

        # (a) items per period, stacked by kind; (b) closure rate per period, on the same periods
        self.periods = fill_periods([p for p, _k, _n in data.items_per_period])
        periods, labels, breaks = self.periods, axis_labels(self.periods), gaps(self.periods)
        pos = {p: i for i, p in enumerate(periods)}
        values = {k.value: [0.0] * len(periods) for k in Kind}
        for p, k, n in data.items_per_period:
            values.setdefault(k, [0.0] * len(periods))[pos[p]] += n
        shown = [k for k in Kind if any(values[k.value])]
        rates: list[float | None] = [None] * len(periods)
        notes = [""] * len(periods)
        for p, due, deferred, closed in data.closure_per_period:
            if p in pos:
                rates[pos[p]] = rate(closed, due, deferred)
                notes[pos[p]] = f"结案 {closed} 件 ÷（应结案 {due} 件 − 缓办 {deferred} 件）"

        def period_chart() -> None:
            self.period_chart.set_data(
                periods, labels, [Series(k.value, k.label, KIND_COLORS[k.value], values[k.value]) for k in shown]
            )
            self.period_chart.set_legend([(k.label, KIND_COLORS[k.value]) for k in shown])
            self.period_chart.set_breaks(breaks)

        def rate_chart() -> None:
            self.rate_chart.set_data(periods, labels, rates, notes)
            self.rate_chart.set_breaks(breaks)

        # (c) categories, (d) communities, (e) overdue by unit, (f) by 包案领导
        cats = data.categories[:MAX_HBARS]
        com = data.communities
        units = data.overdue_by_unit[:MAX_HBARS]
        leads = data.overdue_by_lead[:MAX_HBARS]

        def category_chart() -> None:
            self.category_chart.set_data([c for c, _ in cats], [c for c, _ in cats],
                                         [Series("n", "", CATEGORY_COLOR, [n for _, n in cats])])  # fmt: skip

        def community_chart() -> None:
            self.community_chart.set_data(
                [c[0] for c in com], [c[0].replace("（示例）", "") for c in com],
                [
                    Series("items", "督办件", ITEMS_COLOR, [c[1] for c in com]),
                    Series("closed", "已办结", CLOSED_COLOR, [c[2] for c in com]),
                    Series("overdue", "超期", OVERDUE_COLOR, [c[3] for c in com]),
                ],
            )  # fmt: skip

        def unit_chart() -> None:
            self.unit_chart.set_data([u for u, _ in units], [u for u, _ in units],
                                     [Series("n", "", OVERDUE_COLOR, [n for _, n in units])])  # fmt: skip

        def lead_chart() -> None:
            self.lead_chart.set_data([p for p, _ in leads], [p for p, _ in leads],
                                     [Series("n", "", OVERDUE_COLOR, [n for _, n in leads])])  # fmt: skip

        # One chart a turn, behind the charts' own construction; a newer set_data's steps come after
        # these, so the last data wins.
        for step in (period_chart, rate_chart, category_chart, community_chart, unit_chart, lead_chart):
            self.ops.later(step, label="正在绘制图表…")

    def set_attention(self, entries: Sequence[AttentionEntry]) -> None:
        self.attention_model.set_entries(entries)
        red = sum(e.light == "red" for e in entries)
        self.attention_title.setText(f"需要关注（超期 {red} · 临期 {len(entries) - red}）")

    def open_attention(self, row: int) -> None:
        entry = self.attention_model.entry_at(row)
        if entry.item_id is not None:
            self.item_activated.emit(entry.site_id, entry.item_id)
        else:
            self.site_activated.emit(entry.site_id)

    # ------------------------------------------------------------ drill-down
    def drill(self, drill: Drill, title: str) -> None:
        """Open the drill-down list on the items behind a bar; its paged model reads them on the worker."""
        self.last_drill = drill
        if self.drill_dialog is None:
            from ui.dialogs.drill import DrillDialog

            self.drill_dialog = DrillDialog(self.desk, self.ops, self.window())
            self.drill_dialog.item_requested.connect(self.item_activated)
            self.drill_dialog.message.connect(self.message)
        self.drill_dialog.show_drill(title, drill)

    def _period_clicked(self, period: str, kind: str) -> None:
        self.drill(Drill(base=self.filter, period=period, kind=kind), f"{period_text(period)} · {kind_label(kind)}")

    def _rate_clicked(self, period: str) -> None:
        self.drill(Drill(base=self.filter, period=period), f"{period_text(period)} · 全部督办件")

    def _category_clicked(self, category: str, _series: str) -> None:
        self.drill(Drill(base=self.filter, category=category), f"问题类别：{category}")

    def _community_clicked(self, community: str, series: str) -> None:
        name = community.replace("（示例）", "")
        if series == "overdue":
            self.drill(Drill(base=self.filter, community=community, overdue_only=True), f"{name} · 超期")
        elif series == "closed":
            self.drill(Drill(base=self.filter, community=community, closed_only=True), f"{name} · 已办结")
        else:
            self.drill(Drill(base=self.filter, community=community), f"{name} · 全部督办件")

    def _unit_clicked(self, unit: str, _series: str) -> None:
        self.drill(Drill(base=self.filter, unit=unit, overdue_only=True), f"超期督办件 · {unit}")

    def _lead_clicked(self, lead: str, _series: str) -> None:
        self.drill(Drill(base=self.filter, lead=lead, overdue_only=True), f"超期挂牌督办 · 包案领导 {lead}")

    def _overdue_listings_clicked(self) -> None:
        base = StatsFilter(community=self.filter.community)  # listings are overdue whenever they were listed
        self.drill(Drill(base=base, kind=Kind.LISTED.value, overdue_only=True), "超期的挂牌督办")

    # ------------------------------------------------------------ 数字化城管件 by hand
    def open_figure_dialog(self) -> None:
        """Read the community names on the worker, then show 录入数字化城管件 for the current filter."""
        desk = self.desk
        self.ops.run(lambda: [c.name for c in desk.communities()], self.show_figure_dialog, label="正在读取社区…")

    def show_figure_dialog(self, communities: Sequence[str]) -> FigureDialog:
        if self.figure_dialog is None:
            from ui.dialogs.figure_dialog import FigureDialog

            self.figure_dialog = FigureDialog(self.desk, self.ops, self.window())
            self.figure_dialog.saved.connect(self._figure_saved)
        f = self.filter
        self.figure_dialog.prepare(f.date_from, f.date_to, f.community, communities, self.today)
        self.figure_dialog.open()
        return self.figure_dialog

    def _figure_saved(self, fig: FigureDTO) -> None:
        from ui.dialogs.figure_dialog import saved_text

        self.message.emit(saved_text(fig))  # the write's broadcast reloads the overview

    def close_dialogs(self) -> None:
        if self.drill_dialog is not None:
            self.drill_dialog.close()
        if self.figure_dialog is not None:
            self.figure_dialog.close()
