"""社区台账: the tally figures metric × community and metric × period, drill-down to the entries and the
file and row they came from, the summary paragraph with a copy button, the import wizard, the template,
the import batches (with undo) and the metric catalogue. Database work runs on the worker (ui/ops.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import access
from ui.ops import Ops
from ui.stale import StaleWatch
from ui.widgets.charts import BarChart, Series
from zhdesk.changes import FIGURES_CHANGED
from zhdesk.domain import periods
from zhdesk.dto import CommunityDTO, MetricDTO, MetricTotal, TallyBatchDTO, TallyCell, TallyEntryDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from ui.dialogs.tally_import import TallyImportDialog  # the dialogs load when first opened (issue 13)
    from zhdesk.desk import Desk

ALL = "全部社区"
TOTAL = "合计"
CELL_ROLE = Qt.ItemDataRole.UserRole + 1  # (metric code, community or None, period key or None)


def figure_text(value: Decimal, qualifier: str | None) -> str:
    number = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    if qualifier == "余":
        return f"{number}余"
    return f"{qualifier or ''}{number}"


def _combine(quals: set[str | None]) -> str | None:
    q = {x for x in quals if x}
    return None if not q else q.pop() if len(q) == 1 else "约"


def _read_only(table: QTableWidget) -> None:
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.verticalHeader().setVisible(True)



def _header_text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""

class TalliesPage(QWidget):
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.metrics: list[MetricDTO] = []
        self.cells: list[TallyCell] = []
        self.totals: list[MetricTotal] = []

        today = dt.date.today()
        self.date_from = QDateEdit(QDate(today.year, 1, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.date_from.setObjectName("tally_from")
        self.date_to.setObjectName("tally_to")
        self.community = QComboBox()
        self.community.setObjectName("tally_community")
        self.community.addItem(ALL)
        self.granularity = QComboBox()
        self.granularity.setObjectName("tally_granularity")
        for label, key in (("按月", "month"), ("按周", "week"), ("按年", "year")):
            self.granularity.addItem(label, key)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        self.import_button = QPushButton("导入台账…")
        self.import_button.setObjectName("tally_import")
        self.import_button.clicked.connect(self.import_files)
        template = QPushButton("导出模板…")
        template.setObjectName("tally_template")
        template.clicked.connect(self.export_template)
        batches = QPushButton("导入批次…")
        batches.setObjectName("tally_batches")
        batches.clicked.connect(self.show_batches)
        catalogue = QPushButton("指标目录…")
        catalogue.setObjectName("tally_catalogue")
        catalogue.clicked.connect(self.show_catalogue)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("时段"))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.date_to)
        bar.addWidget(self.community)
        bar.addWidget(self.granularity)
        bar.addWidget(refresh)
        bar.addStretch(1)
        for b in (self.import_button, template, batches, catalogue):
            bar.addWidget(b)
        access.gate(desk, "tallies.import", self.import_button, hide=True)

        self.by_community = QTableWidget()
        self.by_community.setObjectName("tally_by_community")
        self.by_period = QTableWidget()
        self.by_period.setObjectName("tally_by_period")
        for t in (self.by_community, self.by_period):
            _read_only(t)
            t.cellDoubleClicked.connect(lambda r, c, table=t: self.drill(table, r, c))
            t.setToolTip("双击数字查看明细及其来源文件和行")
        self.chart_metric = QComboBox()
        self.chart_metric.setObjectName("chart_metric")
        self.chart_metric.currentIndexChanged.connect(lambda _i: self._fill_chart())
        self.chart = BarChart("各社区按时段", unit="")
        self.chart.setObjectName("tally_chart")
        self.chart.bar_clicked.connect(self._chart_clicked)
        chart_box = QWidget()
        cb = QVBoxLayout(chart_box)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("指标"))
        pick.addWidget(self.chart_metric)
        pick.addStretch(1)
        cb.addLayout(pick)
        cb.addWidget(self.chart, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.by_community, "指标 × 社区")
        self.tabs.addTab(self.by_period, "指标 × 时段")
        self.tabs.addTab(chart_box, "图表")

        self.summary = QPlainTextEdit()
        self.summary.setObjectName("tally_summary")
        self.summary.setReadOnly(True)
        copy = QPushButton("复制")
        copy.setObjectName("copy_summary")
        copy.clicked.connect(self.copy_summary)
        summary_box = QWidget()
        sb = QVBoxLayout(summary_box)
        sb.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("工作综述（由数据生成）"))
        head.addStretch(1)
        head.addWidget(copy)
        sb.addLayout(head)
        sb.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(summary_box)
        split.setSizes([720, 110])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._loaded_communities = False
        self.community_order: list[str] = []
        # Loaded when first shown, not at start-up; again after any write its figures or paragraph show.
        self.watch = StaleWatch(self, ops, lambda c: c.any("figures", "items", "listings", "sites"), self.refresh,
                                stale=True)  # fmt: skip

    # ------------------------------------------------------------ data
    def _range(self) -> tuple[dt.date, dt.date, str | None]:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        community = self.community.currentText()
        return start, end, None if community == ALL else community

    def set_range(self, start: dt.date, end: dt.date, community: str | None = None) -> None:
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))
        if community:
            i = self.community.findText(community)
            if i < 0:
                self.community.addItem(community)
                i = self.community.count() - 1
            self.community.setCurrentIndex(i)
        self.refresh()

    def refresh(self) -> None:
        self.watch.stale = False
        start, end, community = self._range()
        gran = str(self.granularity.currentData())
        desk = self.desk

        def work() -> tuple[list[CommunityDTO], list[MetricDTO], list[TallyCell], list[MetricTotal], str]:
            return (desk.communities(), desk.metrics(), desk.tally_table(start, end, community, gran),
                    desk.metric_totals(start, end, community), desk.summary(start, end, community))  # fmt: skip

        self.ops.run(work, self._loaded, label="正在统计台账…")

    def _loaded(
        self, data: tuple[list[CommunityDTO], list[MetricDTO], list[TallyCell], list[MetricTotal], str]
    ) -> None:
        communities, self.metrics, self.cells, self.totals, summary = data
        self.community_order = [c.name for c in communities]
        if not self._loaded_communities:
            self._loaded_communities = True
            for c in communities:
                if self.community.findText(c.name) < 0:
                    self.community.addItem(c.name)
        self._fill(self.by_community, "community")
        self._fill(self.by_period, "period")
        self.summary.setPlainText(summary)
        current = self.chart_metric.currentData()
        self.chart_metric.blockSignals(True)
        self.chart_metric.clear()
        for m in self.metrics:
            self.chart_metric.addItem(f"{m.name}（{m.unit}）", m.code)
        i = self.chart_metric.findData(current) if current else 0
        self.chart_metric.setCurrentIndex(max(i, 0))
        self.chart_metric.blockSignals(False)
        # The chart in the next event-loop turn: tables and chart in one turn stalled the window 0.13 s
        # (cProfile, large database), each half is under 0.07 s.
        QTimer.singleShot(0, self, self._fill_chart)

    COLORS = ("#1a5fb4", "#e66100", "#26a269", "#9141ac", "#c01c28", "#986a44", "#5e5c64")

    def _fill_chart(self) -> None:
        """One metric: bars per period, stacked by community; a click drills into that slice."""
        code = self.chart_metric.currentData()
        m = next((x for x in self.metrics if x.code == code), None)
        if m is None:
            return
        cells = [c for c in self.cells if c.metric == code]
        keys = sorted({c.period for c in cells})
        keys = [k for k in periods.fill_periods(keys) if k != periods.GAP] if keys else []
        communities = sorted({c.community for c in cells}, key=self._community_rank)
        values: dict[tuple[str, str], float] = defaultdict(float)
        for c in cells:
            values[(c.community, c.period)] += float(c.value)
        series = [Series(name, name, self.COLORS[i % len(self.COLORS)], [values[(name, k)] for k in keys])
                  for i, name in enumerate(communities)]  # fmt: skip
        self.chart.unit = m.unit
        self.chart.title_label.setText(f"{m.name}：各社区按时段（{m.unit}）")
        self.chart.set_data(keys, [periods.period_label(k) for k in keys], series)
        self.chart.set_legend([(x.label, x.color) for x in series])

    def _chart_clicked(self, period: object, community: object) -> None:
        code = self.chart_metric.currentData()
        start, end, _scope = self._range()
        desk = self.desk
        title = f"{self.chart_metric.currentText()} · {community} · {period}"

        def work() -> list[TallyEntryDTO]:
            return desk.tally_entries(str(code), start, end, str(community), str(period))

        self.ops.run(work, lambda rows: self._show_entries(title, rows), label="正在读取明细…")

    def _community_rank(self, name: str) -> tuple[int, str]:
        """The communities' own order (as in 设置), entries without a community last."""
        order = self.community_order
        return (order.index(name) if name in order else len(order), name)

    def _fill(self, table: QTableWidget, axis: str) -> None:
        keys = sorted({c.community if axis == "community" else c.period for c in self.cells})
        if axis == "community":
            keys.sort(key=self._community_rank)
        if axis == "period":
            keys = [k for k in periods.fill_periods(keys) if k != periods.GAP] if keys else []
        sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        quals: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        for c in self.cells:
            k = (c.metric, c.community if axis == "community" else c.period)
            sums[k] += c.value
            quals[k].add(c.qualifier)
        totals = {t.code: t for t in self.totals}
        table.clear()
        table.setRowCount(len(self.metrics))
        table.setColumnCount(len(keys) + 1)
        heads = [periods.period_label(k, with_year=True) if axis == "period" else k for k in keys]
        table.setHorizontalHeaderLabels([*heads, TOTAL])
        table.setVerticalHeaderLabels([f"{m.name}（{m.unit}）" for m in self.metrics])
        for i, m in enumerate(self.metrics):
            for j, key in enumerate(keys):
                v = sums.get((m.code, key))
                item = QTableWidgetItem(figure_text(v, _combine(quals[(m.code, key)])) if v else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                where = (key, None) if axis == "community" else (None, key)
                item.setData(CELL_ROLE, (m.code, *where))
                table.setItem(i, j, item)
            t = totals.get(m.code)
            item = QTableWidgetItem(figure_text(t.value, t.qualifier) if t and t.value else "")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setData(CELL_ROLE, (m.code, None, None))
            table.setItem(i, len(keys), item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def value_at(self, table: QTableWidget, metric: str, column_label: str) -> str:
        """The text shown for a metric under a column header (tests and accessibility)."""
        row = next(i for i, m in enumerate(self.metrics) if m.code == metric)
        col = next(j for j in range(table.columnCount()) if _header_text(table.horizontalHeaderItem(j)) == column_label)
        item = table.item(row, col)
        return item.text() if item else ""

    # ------------------------------------------------------------ drill-down
    def drill(self, table: QTableWidget, row: int, column: int) -> None:
        item = table.item(row, column)
        if item is None or not item.text():
            return
        metric, community, period = item.data(CELL_ROLE)
        start, end, scope = self._range()
        desk = self.desk
        title = f"{_header_text(table.verticalHeaderItem(row))} · {_header_text(table.horizontalHeaderItem(column))}"

        def work() -> list[TallyEntryDTO]:
            return desk.tally_entries(metric, start, end, community or scope, period)

        self.ops.run(work, lambda rows: self._show_entries(title, rows), label="正在读取明细…")

    def _show_entries(self, title: str, rows: list[TallyEntryDTO]) -> None:
        self.entries_dialog = EntriesDialog(title, rows, self)
        self.entries_dialog.show()

    # ------------------------------------------------------------ actions
    def copy_summary(self) -> None:
        QGuiApplication.clipboard().setText(self.summary.toPlainText())
        self.message.emit("工作综述已复制")

    def import_files(self, paths: list[Path] | None = None) -> TallyImportDialog | None:
        from ui.dialogs.tally_import import TallyImportDialog, choose_files

        chosen = paths if paths else choose_files(self)
        if not chosen:
            return None
        self.import_dialog = TallyImportDialog(self.desk, self.ops, chosen, self)
        self.import_dialog.imported.connect(self.refresh)
        self.import_dialog.show()
        return self.import_dialog

    def export_template(self, path: Path | None = None, *, overwrite: bool = False) -> None:
        if path is None:
            from ui.dialogs.export_dialog import ask_xlsx_path

            chosen = ask_xlsx_path(self, "社区台账模板")  # the one save dialog of the window's exports
            if chosen is None:
                return
            path, overwrite = chosen
        target, replace = path, overwrite
        self.ops.run(lambda: self.desk.write_tally_template(target, overwrite=replace),
                     lambda p: self.message.emit(f"已导出模板：{p}"), label="正在生成模板…")  # fmt: skip

    def show_batches(self) -> None:
        self.ops.run(self.desk.tally_batches, self._show_batches, label="正在读取导入批次…")

    def _show_batches(self, batches: list[TallyBatchDTO]) -> None:
        self.batches_dialog = BatchesDialog(self, batches)
        self.batches_dialog.show()

    def undo_batch(self, batch_id: int) -> None:
        def done(b: TallyBatchDTO) -> None:
            self.message.emit(f"已撤销导入批次 {b.id}（{b.file_name}）")
            self.refresh()
            self.show_batches()

        self.ops.write(lambda: self.desk.tally_undo(batch_id), FIGURES_CHANGED, done, label="正在撤销导入…",
                       initiator=self)  # fmt: skip

    def show_catalogue(self) -> None:
        self.ops.run(self.desk.metrics, self._show_catalogue, label="正在读取指标目录…")

    def _show_catalogue(self, metrics: list[MetricDTO]) -> None:
        from ui.dialogs.catalogue_dialog import CatalogueDialog

        self.catalogue_dialog = CatalogueDialog(self.desk, self.ops, metrics, self)
        self.catalogue_dialog.show()


class EntriesDialog(QDialog):
    """The entries behind one figure, each with its source: the file, sheet, row and column, or a hand entry."""

    def __init__(self, title: str, rows: list[TallyEntryDTO], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"明细：{title}")
        self.resize(1000, 520)
        self.table = QTableWidget(len(rows), 6)
        self.table.setObjectName("tally_entries")
        self.table.setHorizontalHeaderLabels(["时段", "社区", "点位", "指标", "数值", "来源"])
        _read_only(self.table)
        for i, e in enumerate(rows):
            period = e.start.isoformat() if e.start == e.end else f"{e.start.isoformat()} — {e.end.isoformat()}"
            cells = [period, e.community or "全街道", e.site or "", e.metric_name,
                     f"{figure_text(e.value, e.qualifier)} {e.unit}", e.source]  # fmt: skip
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"共 {len(rows)} 条"))
        layout.addWidget(self.table)


class BatchesDialog(QDialog):
    def __init__(self, page: TalliesPage, batches: list[TallyBatchDTO]) -> None:
        super().__init__(page)
        self.page = page
        self.batches = batches
        self.setWindowTitle("导入批次")
        self.resize(1000, 480)
        self.table = QTableWidget(len(batches), 6)
        self.table.setObjectName("tally_batch_table")
        self.table.setHorizontalHeaderLabels(["编号", "文件", "导入时间", "导入人", "行/数字", "状态"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for i, b in enumerate(batches):
            state = f"已撤销（{b.undone_by} {b.undone_at:%Y-%m-%d %H:%M}）" if b.undone_at else "有效"
            cells = [str(b.id), b.file_name, f"{b.imported_at:%Y-%m-%d %H:%M}", b.imported_by or "",
                     f"{b.rows} / {b.entries}", state]  # fmt: skip
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        undo = QPushButton("撤销所选批次")
        undo.setObjectName("undo_batch")
        undo.clicked.connect(self.undo_selected)
        access.gate(page.desk, "tallies.import", undo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(undo, 0, Qt.AlignmentFlag.AlignRight)

    def undo_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedItems()})
        if rows:
            self.close()
            self.page.undo_batch(self.batches[rows[0]].id)
