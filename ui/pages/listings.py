"""挂牌督办 page: every listed site with its deadline light, filters, detail panel and workflow buttons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelection, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from ui import access, prefs, site_actions
from ui.ops import Ops, confirm
from ui.paged_table import fit_columns_from_sample
from ui.pages.site_detail import SiteDetailPanel
from ui.pages.site_tabs import SiteTabs
from ui.pages.sites_model import COLUMNS, OVERDUE_TEXT, Col, SitesModel, SitesPagedModel, SitesProxy
from ui.stale import StaleWatch
from ui.tables import (
    data_table,
    fit_rows,
    page_frame,
    page_title,
    refill_combo,
    refresh_button,
    split,
)
from ui.widgets.display_size import DisplaySizeCombo
from ui.widgets.light import LightDelegate, light_icon
from zhdesk.changes import STATUS_CHANGED
from zhdesk.domain.lights import LIGHT_LABELS, Light
from zhdesk.domain.workflow import ACTION_LABELS, Action, Status
from zhdesk.dto import Cell, CommunityDTO, SiteCounts, SiteDetail, SiteQuery, SiteRow
from zhdesk.errors import Conflict, IllegalTransition

__all__ = ["ListingsPage", "SitesModel", "SitesPagedModel", "SitesProxy"]

ALL_COMMUNITIES = "全部社区"
ALL_STATUSES = "全部状态"
ALL_LIGHTS = "全部灯色"
SEARCH_WINDOW_MS = 250
SHEET_TITLE = "挂牌督办"
NOT_SHOWN = "挂牌督办：当前筛选条件下看不到该点位，请调整筛选（如“仅显示挂牌点位”、搜索框）"

# Summary chips above the table: light, short word.
CHIPS: tuple[tuple[Light, str], ...] = (
    (Light.RED, "超期"),
    (Light.YELLOW, "临期"),
    (Light.GREEN, "正常"),
    (Light.GREY, "已办结"),
)

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


# Widest a text column may grow when fitted to its contents, in characters.
MAX_COLUMN_CHARS = {Col.ADDRESS: 12, Col.UNIT: 9, Col.CATEGORY: 9}


class ListingsPage(QWidget):
    """Rows come a page at a time from the core through `ops` (never on the GUI thread): filters, search and
    header sorting re-query it (ui/paged_table.py); the counts line and chips come from `site_counts`."""

    message = Signal(str)  # transient status-bar text
    counts_changed = Signal(str)  # one-line summary for the status bar
    loaded = Signal()  # rows (re)loaded into the model
    site_requested = Signal(int)  # open this site's 点位档案 (double-click, Enter, 查看档案)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None, *, load: bool = False) -> None:
        """`load`: read the rows at once (the window's first page), as `refresh()` would after construction."""
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.current_id: int | None = None
        self._fitted = False

        self.model = SitesPagedModel(desk, ops, self)
        self.proxy = self.model  # the name tests and callers used before paging: rows as shown
        self.counts: SiteCounts | None = None
        self._detail_fresh = False  # the panel shows what a write just returned: the next reload keeps it
        self.model.modelAboutToBeReset.connect(self._hold_table)
        self.model.loaded.connect(self._rows_loaded)
        self._delivering = False  # inside _rows_loaded: the selected site's detail is read after the paint
        self._detail_queued = False

        # The table first: with `load`, the reads start before the rest of the page is built (issue 13).
        self.table = data_table("sites_table", self.model)
        self.table.setItemDelegateForColumn(Col.LIGHT, LightDelegate(self.table))
        self.table.sortByColumn(Col.LIGHT, Qt.SortOrder.AscendingOrder)  # red first (recorded: read on refresh)
        if load:  # query and sort are the defaults the filters below set: the worker's SQL runs beside the build
            self._reload_counts()
            self.model.reload()

        # Row 1: title, light summary chips, actions, display size.
        self.title = page_title("挂牌督办")
        self.chips: dict[str, QToolButton] = {}
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        for light, word in CHIPS:
            chip = QToolButton()
            chip.setObjectName(f"chip_{light.value}")
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            chip.setAutoRaise(True)
            chip.setCheckable(True)
            chip.setIcon(light_icon(light.value, 32))
            chip.setProperty("word", word)
            chip.setText(f"{word} 0 处")
            chip.setToolTip(f"只看{LIGHT_LABELS[light]}的点位（再点一次取消）")
            chip.clicked.connect(lambda checked, lv=light.value: self._chip_clicked(lv, checked))
            self.chips[light.value] = chip
            top.addWidget(chip)
        top.addStretch(1)
        self.refresh_button = refresh_button(self.refresh)
        self.export_button = QPushButton("导出Excel")
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip("按当前筛选和排序导出为 .xlsx")
        self.export_button.clicked.connect(lambda: self.export_excel())
        self.size_combo = DisplaySizeCombo()
        self.size_combo.setObjectName("display_size")
        self.new_site_button = QPushButton("新增点位…")
        self.new_site_button.setObjectName("new_site_button")
        self.new_site_button.setToolTip("登记一个新点位（地址已存在时会提示并可打开已有点位）")
        self.new_site_button.clicked.connect(self.new_site)
        top.addWidget(self.new_site_button)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        self.notice_button = QPushButton("为全部超期点位生成督办通知单…")
        self.notice_button.setObjectName("overdue_notices_button")
        self.notice_button.setToolTip("每个超期点位一页，合成一个PDF；并在各点位时间线记录催办")
        self.notice_button.clicked.connect(
            lambda: site_actions.issue_overdue_notices(self, self.desk, self.ops, self.message.emit)
        )
        top.addWidget(self.notice_button)
        access.gate(desk, "sites.edit", self.new_site_button, self.notice_button, hide=True)
        top.addSpacing(12)
        top.addWidget(QLabel("显示大小"))
        top.addWidget(self.size_combo)

        # Row 2: filters.
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索 地址 / 包案领导 / 责任单位")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.community_combo = QComboBox()
        self.community_combo.setObjectName("community_filter")
        self.community_combo.addItem(ALL_COMMUNITIES, None)
        self.community_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(ALL_STATUSES, None)
        for status in Status:
            self.status_combo.addItem(status.label, status.value)
        self.light_combo = QComboBox()
        self.light_combo.setObjectName("light_filter")
        self.light_combo.addItem(ALL_LIGHTS, None)
        for light in Light:
            self.light_combo.addItem(light_icon(light.value), LIGHT_LABELS[light], light.value)
        self.listed_only = QCheckBox("仅显示挂牌点位")
        self.listed_only.setObjectName("listed_only")
        self.listed_only.setChecked(True)
        self.shown = QLabel()
        self.shown.setObjectName("shown_count")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.community_combo)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.light_combo)
        filters.addWidget(self.listed_only)
        filters.addStretch(1)
        filters.addWidget(self.shown)

        # Detail panel.
        self.panel = SiteDetailPanel()
        self.panel.setObjectName("detail_panel")
        self.panel.refused = access.of(desk).refusal("sites.edit")  # the workflow buttons
        access.gate(desk, "sites.edit", *self.panel.registry_buttons.values())
        self.site_tabs = SiteTabs(desk, ops, self.panel)

        self.splitter = split("listings_splitter", Qt.Orientation.Horizontal, self.table, self.site_tabs, (900, 560))
        page_frame(self, top, filters, self.splitter)

        # Wiring.
        # A query reads every site on a large database: the first change asks at once, a burst of keystrokes
        # one more time after it, with the last text.
        self.search.textChanged.connect(lambda _t: ops.throttle(self.search, SEARCH_WINDOW_MS, self._apply_filters))
        self.community_combo.currentIndexChanged.connect(self._apply_filters)
        self.status_combo.currentIndexChanged.connect(self._apply_filters)
        self.light_combo.currentIndexChanged.connect(self._apply_filters)
        self.listed_only.toggled.connect(self._apply_filters)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.panel.transition_requested.connect(self._transition)
        self.panel.dossier_requested.connect(self.site_requested)
        self.table.doubleClicked.connect(lambda index: self.site_requested.emit(self.model.row_at(index.row()).id))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self.table, self.open_selected, context=Qt.ShortcutContext.WidgetShortcut)
        self.panel.registry_requested.connect(lambda w: site_actions.dispatch(w, self, desk, ops, self.current_id))
        self.site_tabs.message.connect(self.message)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

        self._apply_filters()
        self._font_changed()
        # Rows follow writes made elsewhere (settings change every light); the site's tabs watch for themselves.
        self.watch = StaleWatch(self, ops, lambda c: c.any("sites", "listings", "settings"), self._reload_rows)
        splitter_state = prefs.LISTINGS_SPLITTER.get()
        if splitter_state is not None:
            self.splitter.restoreState(splitter_state)

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Reload communities and rows from the database (in the worker), and the open site's tabs."""
        self.site_tabs.reload()
        self._reload_rows()

    def _reload_rows(self) -> None:
        """Counts first, then the rows (the worker runs them in order): when the rows arrive all is in."""
        self.watch.stale = False
        self._reload_counts()
        self.model.reload()

    def _reload_counts(self) -> None:
        # Its failure is not shown: the rows' read, queued right after, says what went wrong, once.
        desk = self.desk
        self.ops.run(lambda: (desk.communities(), desk.site_counts()), self._counts_loaded,
                     label="正在读取挂牌督办点位…", show_errors=False)  # fmt: skip

    def _reload_site_counts(self) -> None:
        desk = self.desk
        self.ops.run(desk.site_counts, self._site_counts_loaded, label="正在读取挂牌督办点位…", show_errors=False)

    def _site_counts_loaded(self, counts: SiteCounts) -> None:
        self.counts = counts
        self._after_rows_changed()

    def _counts_loaded(self, result: tuple[list[CommunityDTO], SiteCounts]) -> None:
        communities, counts = result
        self.counts = counts
        self._fill_communities([c.name for c in communities])
        self._after_rows_changed()

    # A (re)load is shown in three event-loop turns, so none of them stalls the window (issue 13; the
    # split per turn is in docs/performance.md): (1) the rows' delivery — model reset, columns, selection, the
    # panel's row texts and the visible rows' cells — with the table's painting held; (2) the table's one
    # paint, after Qt's delayed layout and column-resize timers ran (painting at once painted the table
    # twice); (3) only then the selected site's detail is read, so the worker's Python does not share the
    # GIL with that paint.
    def _hold_table(self) -> None:
        if self.table.updatesEnabled():
            self.table.setUpdatesEnabled(False)
            self.ops.later(self._release_table, label="正在显示挂牌督办点位…")

    def _release_table(self) -> None:
        self.table.setUpdatesEnabled(True)  # one full update of the table
        if self.model.has_loaded and not self.model.loading:
            self.loaded.emit()

    def _rows_loaded(self) -> None:
        self._update_shown()
        if not self._fitted and self.model.rowCount():
            self.fit_columns()
        fresh, self._detail_fresh = self._detail_fresh, False
        self._delivering = True
        try:
            if self.current_id is not None:
                self._reselect(self.current_id)
                if not fresh:
                    self._load_detail_later()
            elif self.model.rowCount():
                self.table.selectRow(0)  # first load: open the most urgent site
        finally:
            self._delivering = False
        top = self.table.rowAt(0)
        if top >= 0:
            rows = self.table.viewport().height() // max(1, self.table.verticalHeader().defaultSectionSize())
            self.model.prepare(top, top + rows + 1)
        if self.table.updatesEnabled():  # (a reload whose reset was not held)
            self.loaded.emit()

    def _load_detail_later(self) -> None:
        """The selected site's detail, read once the turns queued before (the table's paint) have run."""
        if not self._detail_queued:
            self._detail_queued = True
            self.ops.after_paint(self.table.viewport(), self._load_current_detail, label="正在读取点位详情…")

    def _load_current_detail(self) -> None:
        self._detail_queued = False
        if self.current_id is not None:
            self._load_detail(self.current_id)

    def _fill_communities(self, names: list[str]) -> None:
        if refill_combo(self.community_combo, ALL_COMMUNITIES, names):
            self._apply_filters()

    def _load_detail(self, site_id: int) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.get_site(site_id), self._detail_loaded, label="正在读取点位详情…")

    def _detail_loaded(self, detail: SiteDetail) -> None:
        self.model.replace_row(detail.row)
        if detail.row.id == self.current_id:
            self.panel.show_detail(detail)
            self.site_tabs.site_updated(detail.row)

    # ------------------------------------------------------------ filtering and selection
    def _apply_filters(self) -> None:
        self.model.set_query(self.query())
        light = self.light_combo.currentData()
        for value, chip in self.chips.items():
            chip.setChecked(value == light)

    def query(self) -> SiteQuery:
        """The filters as the core's query."""
        return SiteQuery(
            community=self.community_combo.currentData() or None,
            status=self.status_combo.currentData() or None,
            light=self.light_combo.currentData() or None,
            listed_only=self.listed_only.isChecked(),
            search=self.search.text().strip(),
        )

    def _chip_clicked(self, light: str, checked: bool) -> None:
        i = self.light_combo.findData(light) if checked else 0
        self.light_combo.setCurrentIndex(max(i, 0))

    def _after_rows_changed(self) -> None:
        if self.counts is None:
            return
        counts = self.counts.lights
        for light, word in CHIPS:
            chip = self.chips[light.value]
            n = counts[light.value]
            chip.setText(f"{word} {n} 处")
            chip.setProperty("alarm", light == Light.RED and n > 0)
            self._style_chip(chip)
        listed = sum(counts.values())
        total = self.counts.sites
        self.counts_changed.emit(
            f"挂牌督办 {listed} 处：超期 {counts['red']} · 临期 {counts['yellow']} · "
            f"正常 {counts['green']} · 已办结 {counts['grey']}　|　点位共 {total} 处"
        )

    def _style_chip(self, chip: QToolButton) -> None:
        """Overdue count in bold red while there is any; fonts follow the display size."""
        alarm = bool(chip.property("alarm"))
        font = QFont(self.font())
        font.setBold(alarm)
        chip.setFont(font)
        pal = chip.palette()
        color = OVERDUE_TEXT if alarm else self.palette().color(QPalette.ColorRole.ButtonText)
        pal.setColor(QPalette.ColorRole.ButtonText, color)
        chip.setPalette(pal)

    def _update_shown(self) -> None:
        self.shown.setText(f"显示 {self.model.total} 处")

    def selected(self) -> SiteRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected()
        if row is None:
            return  # filtered away or cleared: keep showing the last site
        if row.id == self.current_id and self.panel.detail is not None:
            return
        self.current_id = row.id
        self.panel.show_row(row)
        self.site_tabs.set_site(row)
        if self._delivering:
            self._load_detail_later()
        else:
            self._load_detail(row.id)

    def _select(self, site_id: int) -> bool:
        """Select a fetched row; False when it is not among the rows fetched so far."""
        r = self.model.row_of(site_id)
        if r is None:
            return False
        self.table.selectRow(r)
        self.table.scrollTo(self.model.index(r, 0))
        return True

    def _reselect(self, site_id: int) -> None:
        """After a reload: the site again if it is among the rows fetched (a reload after writes keeps as
        many rows as were loaded); else the selection is cleared and the panel keeps showing it — a new
        sort or filter does not fetch thousands of rows to chase the old selection."""
        if not self._select(site_id):
            self.table.clearSelection()

    def select_site(self, site_id: int) -> bool:
        """Select a site by id (for navigation from other pages and tests). False when the filters hide it;
        a site not fetched yet is looked up in the core and selected when found (True), or the page says
        it is not shown."""
        if self._select(site_id):
            return True
        if self.model.has_loaded and not self.model.loading and self.model.rowCount() >= self.model.total:
            return False  # every row of the query is here

        def found(r: int | None) -> None:
            if r is None or not self._select(site_id):
                self.message.emit(NOT_SHOWN)

        self.model.ensure_row(site_id, found)
        return True

    def open_selected(self) -> None:
        """Open the selected site's 点位档案 (Enter on the table)."""
        row = self.selected()
        if row is not None:
            self.site_requested.emit(row.id)

    # ------------------------------------------------------------ workflow
    def _transition(self, action: str, note: str) -> None:
        detail = self.panel.detail
        listing = detail.current if detail else None
        if detail is None or listing is None:
            return
        act = Action(action)
        address = detail.row.address
        if act == Action.ACCEPT and not confirm(
            self,
            "确认摘牌",
            f"确认“{address}”验收通过并摘牌？\n摘牌后该点位列为已办结，如问题反弹可再“反弹重新整改”。",
        ):
            return
        site_id, version, desk = detail.row.id, listing.version, self.desk
        self.panel.set_busy(True)
        self.ops.write(
            lambda: desk.change_status(site_id, action=act, note=note or None, expected_version=version),
            STATUS_CHANGED.for_site(site_id),
            lambda d: self._changed(d, act),
            lambda exc: self._change_failed(site_id, exc),
            label=f"正在{ACTION_LABELS[act]}…",
            initiator=self,  # shows the returned detail itself; its timeline and photos tabs reload on the broadcast
        )

    def _changed(self, detail: SiteDetail, action: Action) -> None:
        self.panel.set_busy(False)
        self.panel.note.clear()
        self.model.replace_row(detail.row)
        if detail.row.id == self.current_id:
            self.panel.show_detail(detail)
            self.site_tabs.site_updated(detail.row)
            self._select(detail.row.id)
        # its light and status moved it (or out of the filters), and the counts changed: read them again
        self._detail_fresh = True
        self._reload_site_counts()
        self.model.reload()
        self.message.emit(f"“{detail.row.address}”已{ACTION_LABELS[action]}，当前状态：{detail.row.status_label}")

    def _change_failed(self, site_id: int, exc: BaseException) -> None:
        self.panel.set_busy(False)
        if isinstance(exc, Conflict | IllegalTransition):
            self._load_detail(site_id)  # show what the database holds now

    # ------------------------------------------------------------ export
    def new_site(self) -> QDialog:
        """新增点位…: the new (or the existing, if chosen instead) site opens in its 点位档案, where it is listed."""
        return site_actions.new_site(self, self.desk, self.ops, on_saved=self.site_requested.emit,
                                     on_open=self.site_requested.emit)  # fmt: skip

    def export_excel(self, path: Path | None = None) -> int:
        """Every row of the current filters and sort, read from the core (not only the rows fetched);
        `path` skips the file dialog. Returns the worker job id reading the rows."""
        return self.ops.run(self.model.export_job(), lambda cells: self._export(cells, path),
                            label="正在读取要导出的点位…")  # fmt: skip

    def _export(self, cells: list[list[Cell]], path: Path | None) -> int:
        from ui.dialogs.export_dialog import export_rows  # loaded with the first export (issue 13)

        return export_rows(self, self.ops, self.desk, name=SHEET_TITLE, columns=[COLUMNS[c] for c in Col],
                           rows=cells, done=self.message.emit, path=path,
                           empty_text="当前筛选条件下没有点位，无可导出的内容。")  # fmt: skip

    # ------------------------------------------------------------ display size (ui/display.py)
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._font_changed()

    def _font_changed(self) -> None:
        font = self.font()
        self.model.set_font(font)
        h = self.fontMetrics().height()
        fit_rows(self.table, 1.9)
        for chip in self.chips.values():
            chip.setIconSize(QSize(round(h * 1.1), round(h * 1.1)))
            self._style_chip(chip)
        self.panel.setMinimumWidth(round(self.fontMetrics().horizontalAdvance("汉") * 22))
        self.site_tabs.photos.view.update_grid()
        if self._fitted:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Size columns to their contents at the current font, within sensible limits."""
        self._fitted = True
        fixed = {Col.LIGHT: 2.4, Col.UNIT: MAX_COLUMN_CHARS[Col.UNIT]}
        fit_columns_from_sample(self.table, self.model, MAX_COLUMN_CHARS, fixed=fixed, pad=0.4)

    # ------------------------------------------------------------ persistence
    def save_state(self) -> None:
        prefs.LISTINGS_SPLITTER.set(self.splitter.saveState())
