"""督办通报 page: batches (期) of supervision items with filters, the selected batch's items (处), and
the actions on them: new batch, add items, 办结, 缓办, open a 挂牌督办 item's site, export to Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as shiboken_valid

from ui import access
from ui import conflict as conflict_ui
from ui.dialogs.batch_dialog import BatchDialog, CloseItemDialog, from_qdate, to_qdate
from ui.dialogs.export_dialog import export_query
from ui.ops import Ops, describe, show_error
from ui.paged_table import PagedModel, fit_columns_from_sample
from ui.pages.bulletins_model import BatchCol, BatchesModel, ItemCol, ItemsModel, batch_summary
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
from zhdesk.changes import ITEMS_CHANGED
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.domain.vocab import CLOSED, OPEN
from zhdesk.dto import BatchDTO, BatchFilter, ItemDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


__all__ = ["BulletinsPage"]

ALL_KINDS = "全部类型"
ALL_COMMUNITIES = "全部社区"
STATUSES: tuple[tuple[str, str | None], ...] = (("全部", None), ("未办结", OPEN), ("全部办结", CLOSED))
SHEET_TITLE = "督办通报"
FIRST_DAY = dt.date(2020, 1, 1)  # the date range's default start

Loaded = tuple[list[str], list[str], dict[tuple[str, int], int], int]


class BulletinsPage(QWidget):
    """Loads through `ops` only. Both tables are paged models (ui/paged_table.py): every filter (kind,
    status, dates, community) and every header sort is a query the core answers in SQL, a page at a time."""

    message = Signal(str)  # transient status-bar text
    item_activated = Signal(int, int)  # (site id, item id): open the site's dossier on this item
    loaded = Signal()  # batches (re)loaded
    items_loaded = Signal()

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.current_batch_id: int | None = None
        self._current_batch: BatchDTO | None = None  # the batch whose items show (it may be filtered away)
        self.last_numbers: dict[tuple[str, int], int] = {}  # (kind, year) -> highest 期号, for the next one
        self.all_count = 0  # batches in the database, unfiltered
        self.addresses: list[str] | None = None  # read when a BatchDialog first needs them
        self.communities: list[str] = []
        self.categories: list[str] = []
        self.batch_dialog: BatchDialog | None = None
        self._keep_item: int | None = None  # the item to select again after the items reload
        self._items_fitted = False
        self.close_dialog: CloseItemDialog | None = None
        self._fitted = False

        self.batches = BatchesModel(desk, ops, self)
        self.items = ItemsModel(desk, ops, self)

        # Row 1: title, counts, actions.
        self.title = page_title("督办通报")
        self.summary = QLabel()
        self.summary.setObjectName("batch_summary")
        self.new_button = QPushButton("新建一期…")
        self.new_button.setObjectName("new_batch")
        self.new_button.clicked.connect(self.new_batch)
        self.refresh_button = refresh_button(self.refresh)
        self.export_button = QPushButton("导出Excel")
        self.export_button.setObjectName("export_batches")
        self.export_button.setToolTip("按当前筛选和排序导出各期为 .xlsx")
        self.export_button.clicked.connect(self.export_batches)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.new_button)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)

        # Row 2: filters.
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.addItem(ALL_KINDS, None)
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        self.community_combo = QComboBox()
        self.community_combo.setObjectName("community_filter")
        self.community_combo.addItem(ALL_COMMUNITIES, None)
        self.community_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        for label, value in STATUSES:
            self.status_combo.addItem(label, value)
        self.all_dates = QCheckBox("全部日期")
        self.all_dates.setObjectName("all_dates")
        self.all_dates.setChecked(True)
        self.date_from = self._date_edit("date_from", FIRST_DAY)
        self.date_to = self._date_edit("date_to", dt.date.today())
        self.shown = QLabel()
        self.shown.setObjectName("shown_count")
        filters = QHBoxLayout()
        filters.addWidget(QLabel("类型"))
        filters.addWidget(self.kind_combo)
        filters.addSpacing(8)
        filters.addWidget(self.community_combo)
        filters.addSpacing(8)
        filters.addWidget(QLabel("状态"))
        filters.addWidget(self.status_combo)
        filters.addSpacing(16)
        filters.addWidget(QLabel("下发日期"))
        filters.addWidget(self.all_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        filters.addWidget(self.shown)

        # Batches table.
        self.batch_table = data_table("batches_table")
        self.batch_table.setModel(self.batches)
        self.batch_table.sortByColumn(BatchCol.ISSUED_ON, Qt.SortOrder.DescendingOrder)  # recorded, not read yet

        # Items of the selected batch, with their actions.
        self.items_title = QLabel("请选择一期")
        self.items_title.setObjectName("items_title")
        self.add_items_button = QPushButton("添加督办件…")
        self.add_items_button.setObjectName("add_items")
        self.add_items_button.clicked.connect(self.add_items)
        self.close_button = QPushButton("办结…")
        self.close_button.setObjectName("close_item")
        self.close_button.clicked.connect(self.close_selected)
        self.open_site_button = QPushButton("打开挂牌点位")
        self.open_site_button.setObjectName("open_listed_site")
        self.open_site_button.setToolTip("打开该点位的档案；挂牌督办件随挂牌办结，在“挂牌督办”页验收摘牌")
        self.open_site_button.clicked.connect(self.open_selected_site)
        self.defer_button = QPushButton("缓办")
        self.defer_button.setObjectName("defer_item")
        self.defer_button.setCheckable(True)
        self.defer_button.setToolTip("缓办的督办件不计入超期")
        self.defer_button.clicked.connect(self.toggle_deferred)
        self.export_items_button = QPushButton("导出Excel")
        self.export_items_button.setObjectName("export_items")
        self.export_items_button.setToolTip("按当前排序导出本期督办件为 .xlsx")
        self.export_items_button.clicked.connect(self.export_items)
        item_bar = QHBoxLayout()
        item_bar.addWidget(self.items_title)
        item_bar.addStretch(1)
        for b in (self.add_items_button, self.close_button, self.open_site_button, self.defer_button,
                  self.export_items_button):  # fmt: skip
            item_bar.addWidget(b)
        access.gate(desk, "bulletins.edit", self.new_button, self.add_items_button, self.close_button,
                    self.defer_button)  # fmt: skip
        self.item_table = data_table("items_table")
        self.item_table.setModel(self.items)
        item_header = self.item_table.horizontalHeader()
        item_header.setStretchLastSection(False)
        item_header.setSectionResizeMode(ItemCol.PROBLEM, QHeaderView.ResizeMode.Stretch)  # takes the spare width
        items_box = QWidget()
        items_layout = QVBoxLayout(items_box)
        items_layout.setContentsMargins(0, 6, 0, 0)
        items_layout.addLayout(item_bar)
        items_layout.addWidget(self.item_table, 1)

        self.splitter = split("bulletins_splitter", Qt.Orientation.Vertical, self.batch_table, items_box, (520, 380))
        page_frame(self, top, filters, self.splitter)

        # Wiring.
        self.kind_combo.currentIndexChanged.connect(self._apply_filters)
        self.status_combo.currentIndexChanged.connect(self._apply_filters)
        self.all_dates.toggled.connect(self._apply_filters)
        self.date_from.dateChanged.connect(self._apply_filters)
        self.date_to.dateChanged.connect(self._apply_filters)
        self.community_combo.currentIndexChanged.connect(self._apply_filters)
        self.batch_table.selectionModel().selectionChanged.connect(self._batch_selected)
        self.item_table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.item_table.doubleClicked.connect(self._item_double_clicked)
        self.batches.loaded.connect(self._batches_loaded)
        self.items.loaded.connect(self._items_loaded)

        self._apply_filters()
        self._update_actions()
        self._fonts_changed()
        # Loaded when first shown (100,000 items cost seconds of the GUI thread: not at start, issue 13).
        self.watch = StaleWatch(
            self, ops, lambda c: c.any("sites", "listings", "items", "settings"), self.refresh, stale=True
        )

    @staticmethod
    def _date_edit(name: str, value: dt.date) -> QDateEdit:
        w = QDateEdit(to_qdate(value))
        w.setObjectName(name)
        w.setCalendarPopup(True)
        w.setDisplayFormat("yyyy-MM-dd")
        w.setMinimumDate(QDate(2000, 1, 1))
        return w

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Reload the lists behind the filters, then the batches (keeping as many rows as are loaded) and
        the shown batch's items, in the worker."""
        desk = self.desk
        self.watch.stale = False
        self.addresses = None  # read again when a dialog needs them

        def load() -> Loaded:
            return ([c.name for c in desk.communities()], desk.categories(), desk.last_issue_numbers(),
                    desk.batch_count())  # fmt: skip

        self.ops.run(load, self._loaded, label="正在读取督办通报…")

    def _loaded(self, result: Loaded) -> None:
        communities, categories, self.last_numbers, self.all_count = result
        self.communities, self.categories = communities, categories
        self._fill_communities(communities)
        self.batches.set_query(self._filter())
        if not self.batches.loading:
            self.batches.reload()
        if self.current_batch_id is not None:
            self._load_items(self.current_batch_id)

    def _batches_loaded(self) -> None:
        if not self._fitted and self.batches.rowCount():
            self.fit_columns()
        self._update_counts()
        keep = self.current_batch_id
        if keep is not None:
            i = self.batches.row_of(keep)
            if i is not None:
                self._current_batch = self.batches.row_at(i)
                self._select_row(self.batch_table, i)
            self._show_batch(self._current_batch)  # may be filtered away: its items stay on show
        elif self.batches.rowCount():
            self.batch_table.selectRow(0)
        else:
            self._show_batch(None)
        self.loaded.emit()

    def _fill_communities(self, names: list[str]) -> None:
        was = self.community_combo.blockSignals(True)
        refill_combo(self.community_combo, ALL_COMMUNITIES, names)
        self.community_combo.blockSignals(was)

    def _load_items(self, batch_id: int) -> None:
        self.items.set_query(batch_id)
        if not self.items.loading:
            self.items.reload()

    def _items_loaded(self) -> None:
        if self.items.query != self.current_batch_id:
            return  # the user moved on
        if not self._items_fitted and self.items.rowCount():
            self._items_fitted = True
            self.fit_item_columns()
        if self._keep_item is not None:
            self.select_item(self._keep_item)
        self._show_batch(self.current_batch())
        self._update_actions()
        self.items_loaded.emit()

    # ------------------------------------------------------------ filters, counts, selection
    def _filter(self) -> BatchFilter:
        dated = not self.all_dates.isChecked()
        kind = self.kind_combo.currentData()
        return BatchFilter(
            kind=Kind(kind) if kind else None,
            community=self.community_combo.currentData() or None,
            status=self.status_combo.currentData() or None,
            date_from=from_qdate(self.date_from.date()) if dated else None,
            date_to=from_qdate(self.date_to.date()) if dated else None,
        )

    def _apply_filters(self) -> None:
        dated = not self.all_dates.isChecked()
        self.date_from.setEnabled(dated)
        self.date_to.setEnabled(dated)
        self.batches.set_query(self._filter())  # re-queried only once the page has loaded

    def set_date_range(self, start: dt.date | None, end: dt.date | None) -> None:
        """Filter by issue date (None, None: all dates)."""
        for w in (self.all_dates, self.date_from, self.date_to):
            w.blockSignals(True)
        self.all_dates.setChecked(start is None and end is None)
        self.date_from.setDate(to_qdate(start or FIRST_DAY))
        self.date_to.setDate(to_qdate(end or dt.date.today()))
        for w in (self.all_dates, self.date_from, self.date_to):
            w.blockSignals(False)
        self._apply_filters()

    def _update_counts(self) -> None:
        totals = self.batches.totals()
        self.summary.setText(batch_summary(totals))
        self.shown.setText(f"显示 {totals.batches} 期，共 {max(self.all_count, totals.batches)} 期")

    def current_batch(self) -> BatchDTO | None:
        if self.current_batch_id is None:
            return None
        i = self.batches.row_of(self.current_batch_id)
        if i is not None:
            self._current_batch = self.batches.row_at(i)
        return self._current_batch

    def _selected(self, table: QTableView, model: PagedModel[Any, Any]) -> Any | None:
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0].row()) if rows else None

    def _batch_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        batch: BatchDTO | None = self._selected(self.batch_table, self.batches)
        if batch is None:
            return  # filtered away: keep showing the last batch
        if batch.id == self.current_batch_id:
            return
        self.current_batch_id, self._current_batch, self._keep_item = batch.id, batch, None
        self._show_batch(batch)
        self._load_items(batch.id)

    @staticmethod
    def _select_row(table: QTableView, i: int) -> None:
        table.selectRow(i)
        table.scrollTo(table.model().index(i, 0))

    def select_batch(self, batch_id: int) -> bool:
        """Select batch `batch_id`: at once when fetched, else once the core has told its row and the rows
        up to it are fetched. False when it is not among the rows fetched yet (it may still follow)."""
        i = self.batches.row_of(batch_id)
        if i is not None:
            self._select_row(self.batch_table, i)
            return True
        self.batches.ensure_row(batch_id, lambda r: self._select_row(self.batch_table, r) if r is not None else None)
        return False

    def _show_batch(self, batch: BatchDTO | None) -> None:
        if batch is None:
            self.items_title.setText("请选择一期")
            self.items.set_rows([])
        else:
            overdue = sum(i.overdue for i in self.items.rows() if i.batch_id == batch.id)
            extra = f"，超期 {overdue} 处" if overdue else ""
            issuer = f"（{batch.issuer}）" if batch.issuer else ""
            self.items_title.setText(
                f"<b>{batch.label}</b>　{batch.issued_on.isoformat()}{issuer}　"
                f"共 {batch.items} 处，办结 {batch.closed} 处{extra}"
            )
        self._update_actions()

    def current_item(self) -> ItemDTO | None:
        item: ItemDTO | None = self._selected(self.item_table, self.items)
        return item

    def select_item(self, item_id: int) -> bool:
        """As select_batch, for an item of the shown batch."""
        self._keep_item = item_id
        i = self.items.row_of(item_id)
        if i is not None:
            self._select_row(self.item_table, i)
            return True
        self.items.ensure_row(item_id, lambda r: self._select_row(self.item_table, r) if r is not None else None)
        return False

    def _update_actions(self) -> None:
        item = self.current_item()
        listed = item is not None and item.listing_id is not None
        is_open = item is not None and item.status == OPEN
        self.add_items_button.setEnabled(self.current_batch_id is not None)
        self.close_button.setVisible(not listed)
        self.close_button.setEnabled(is_open and not listed)
        self.open_site_button.setVisible(listed)
        self.defer_button.setEnabled(is_open)
        self.defer_button.setChecked(item is not None and item.deferred)
        self.export_items_button.setEnabled(self.items.total > 0)

    # ------------------------------------------------------------ adding
    def _dialog(self, batch: BatchDTO | None) -> BatchDialog:
        dialog = BatchDialog(
            self.desk, self.ops, last_numbers=self.last_numbers, communities=self.communities,
            addresses=self.addresses or [], categories=self.categories, batch=batch, parent=self,
        )  # fmt: skip
        if self.addresses is None:  # read now, not with the page: 10,000 sites cost nothing until needed
            desk = self.desk
            self.ops.run(desk.site_addresses, self._addresses_loaded, label="正在读取地址…")
        dialog.accepted.connect(lambda: self._batch_saved(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.batch_dialog = dialog
        dialog.open()
        return dialog

    def _addresses_loaded(self, addresses: list[str]) -> None:
        self.addresses = addresses
        dialog = self.batch_dialog
        if dialog is not None and shiboken_valid(dialog):
            dialog.set_addresses(addresses)

    def new_batch(self) -> BatchDialog:
        """新建一期… (non-blocking; returns the dialog so tests can drive it)."""
        return self._dialog(None)

    def add_items(self) -> BatchDialog | None:
        batch = self.current_batch()
        return self._dialog(batch) if batch is not None else None

    def _batch_saved(self, dialog: BatchDialog) -> None:
        n = len(dialog.items())
        if dialog.result_batch_id is not None:
            self.current_batch_id = dialog.result_batch_id
            self._current_batch = None
            if dialog.batch is None:
                self._reveal_new_batch()
        what = "已添加" if dialog.batch else "已新建一期，"
        self.message.emit(f"{what}督办件 {n} 处")  # the write's broadcast reloads the page

    def _reveal_new_batch(self) -> None:
        """A new batch may fall outside the filters: clear them so it shows and is selected."""
        for w in (self.kind_combo, self.status_combo, self.all_dates):
            w.blockSignals(True)
        self.kind_combo.setCurrentIndex(0)
        self.status_combo.setCurrentIndex(0)
        self.all_dates.setChecked(True)
        for w in (self.kind_combo, self.status_combo, self.all_dates):
            w.blockSignals(False)
        self._apply_filters()

    # ------------------------------------------------------------ item actions
    def close_selected(self) -> CloseItemDialog | None:
        """办结… for the selected item (a 挂牌督办 item closes with its listing instead)."""
        item = self.current_item()
        if item is None:
            return None
        if item.listing_id is not None:
            self.open_selected_site()
            return None
        dialog = CloseItemDialog(item.address, parent=self)
        dialog.accepted.connect(lambda: self.close_item(item.id, dialog.closing_date(), item))
        dialog.finished.connect(dialog.deleteLater)
        self.close_dialog = dialog
        dialog.open()
        return dialog

    def close_item(self, item_id: int, on: dt.date, seen: ItemDTO | None = None) -> None:
        """`seen`: the item as the user saw it; a change made elsewhere since asks (ui/conflict.py)."""
        desk, expected = self.desk, _expected(seen)
        self.ops.write(
            lambda: desk.close_item(item_id, on=on, expected=expected),
            ITEMS_CHANGED,
            lambda i: self._item_changed(i, f"“{i.address}”已于 {on.isoformat()} 办结"),
            lambda exc: self._item_failed(exc, seen, lambda now: self.close_item(item_id, on, now)),
            label="正在办结…",
            show_errors=False,
        )

    def toggle_deferred(self) -> None:
        item = self.current_item()
        if item is not None:
            self.set_deferred(item, not item.deferred)

    def set_deferred(self, item: ItemDTO, deferred: bool) -> None:
        desk, expected = self.desk, _expected(item)
        self.ops.write(
            lambda: desk.set_deferred(item.id, deferred, expected=expected),
            ITEMS_CHANGED,
            lambda i: self._item_changed(i, f"“{i.address}”已{'设为' if deferred else '取消'}缓办"),
            lambda exc: self._item_failed(exc, item, lambda now: self.set_deferred(now, deferred)),
            label="正在保存…",
            show_errors=False,
        )

    def _item_failed(self, exc: BaseException, seen: ItemDTO | None, again: Callable[[ItemDTO], None]) -> None:
        """A Conflict asks: theirs shown (reload), or mine written again over the item as it is now."""
        desk = self.desk

        def read_again() -> None:
            assert seen is not None
            self.ops.run(lambda: desk.batch_items(seen.batch_id), lambda items: _again(items), label="正在读取…")

        def _again(items: list[ItemDTO]) -> None:
            now = next((i for i in items if seen is not None and i.id == seen.id), None)
            if now is not None:
                again(now)

        if seen is None or conflict_ui.resolve(self, exc, self.refresh, read_again) is None:
            show_error(self, describe(exc))
            self.refresh()

    def _item_changed(self, item: ItemDTO, text: str) -> None:
        self.items.replace_row(item)
        self._update_actions()
        self.message.emit(text)  # the write's broadcast reloads the batch's counts

    def open_selected_site(self) -> None:
        item = self.current_item()
        if item is not None:
            self.item_activated.emit(item.site_id, item.id)

    def _item_double_clicked(self, index: QModelIndex) -> None:
        item = self.items.row_at(index.row())
        self.item_activated.emit(item.site_id, item.id)

    # ------------------------------------------------------------ export
    def export_batches(self) -> int:
        """Every batch of the current filter and sort, read by the core (not only the rows fetched)."""
        return export_query(self, self.ops, self.desk, name=SHEET_TITLE, columns=self.batches.columns(),
                            count=self.batches.total, read=self.batches.export_job(),
                            done=self.message.emit)  # fmt: skip

    def export_items(self) -> int:
        batch = self.current_batch()
        name = batch.label if batch else "督办件"
        return export_query(self, self.ops, self.desk, name=name, columns=self.items.columns(),
                            count=self.items.total, read=self.items.export_job(), done=self.message.emit)  # fmt: skip

    # ------------------------------------------------------------ display size (ui/display.py)
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fonts_changed()

    def _fonts_changed(self) -> None:
        font = self.font()
        self.batches.set_font(font)
        self.items.set_font(font)
        for t in (self.batch_table, self.item_table):
            fit_rows(t, 1.8)
        if self._fitted:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Size the batch columns to their contents at the current font, within sensible limits."""
        self._fitted = True
        fit_columns_from_sample(self.batch_table, self.batches, {BatchCol.ISSUER: 12}, pad=0.6)
        self.fit_item_columns()

    def fit_item_columns(self) -> None:
        caps = {ItemCol.ADDRESS: 12, ItemCol.COMMUNITY: 10, ItemCol.CATEGORY: 10, ItemCol.UNIT: 14}
        fit_columns_from_sample(self.item_table, self.items, caps, pad=0.6)


def _expected(item: ItemDTO | None) -> dict[str, object] | None:
    """What close_item/set_deferred compare: the item's status and 缓办 as the user saw them."""
    return None if item is None else {"status": item.status, "deferred": item.deferred}
