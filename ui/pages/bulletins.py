"""督办通报 page: batches (期) of supervision items with filters, the selected batch's items (处), and
the actions on them: new batch, add items, 办结, 缓办, open a 挂牌督办 item's site, export to Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import access
from ui import conflict as conflict_ui
from ui.dialogs.batch_dialog import BatchDialog, CloseItemDialog, from_qdate, to_qdate
from ui.dialogs.export_dialog import export_rows
from ui.ops import Ops, describe, show_error
from ui.pages.bulletins_model import (
    BatchCol,
    BatchesModel,
    BatchesProxy,
    ItemCol,
    ItemsModel,
    ItemsProxy,
    batch_summary,
)
from ui.stale import StaleWatch
from ui.tables import (
    data_table,
    fit_columns,
    fit_rows,
    page_frame,
    page_title,
    refill_combo,
    refresh_button,
    select_id,
    selected_row,
    split,
)
from zhdesk.changes import ITEMS_CHANGED
from zhdesk.domain.stats import KIND_LABELS
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

Loaded = tuple[list[str], list[BatchDTO], list[BatchDTO], list[str], list[str]]


class BulletinsPage(QWidget):
    """Loads through `ops` only; kind/status/date filters live in the proxy, community in the core query."""

    message = Signal(str)  # transient status-bar text
    item_activated = Signal(int, int)  # (site id, item id): open the site's dossier on this item
    loaded = Signal()  # batches (re)loaded
    items_loaded = Signal()

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.current_batch_id: int | None = None
        self.all_batches: list[BatchDTO] = []  # unfiltered, for the next free 期号
        self.addresses: list[str] = []
        self.communities: list[str] = []
        self.categories: list[str] = []
        self.batch_dialog: BatchDialog | None = None
        self.close_dialog: CloseItemDialog | None = None
        self._fitted = False

        self.batches = BatchesModel(self)
        self.batch_proxy = BatchesProxy(self)
        self.batch_proxy.setSourceModel(self.batches)
        self.items = ItemsModel(self)
        self.item_proxy = ItemsProxy(self)
        self.item_proxy.setSourceModel(self.items)

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
        self.batch_table.setModel(self.batch_proxy)
        self.batch_table.sortByColumn(BatchCol.ISSUED_ON, Qt.SortOrder.DescendingOrder)

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
        self.item_table.setModel(self.item_proxy)
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
        self.community_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.batch_table.selectionModel().selectionChanged.connect(self._batch_selected)
        self.item_table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.item_table.doubleClicked.connect(self._item_double_clicked)
        self.batch_proxy.layoutChanged.connect(self._update_counts)
        self.batch_proxy.rowsInserted.connect(self._update_counts)
        self.batch_proxy.rowsRemoved.connect(self._update_counts)

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
        """Reload batches (and the selected batch's items) from the database, in the worker."""
        desk, community = self.desk, self.community_combo.currentData()
        self.watch.stale = False

        def load() -> Loaded:
            everything = desk.batches()
            shown = desk.batches(BatchFilter(community=community)) if community else everything
            addresses = [s.address for s in desk.list_sites()]
            return [c.name for c in desk.communities()], everything, shown, addresses, desk.categories()

        self.ops.run(load, self._loaded, label="正在读取督办通报…")

    def _loaded(self, result: Loaded) -> None:
        communities, everything, shown, addresses, categories = result
        self.communities, self.all_batches, self.addresses = communities, everything, addresses
        self.categories = categories
        self._fill_communities(communities)
        self.batches.set_rows(shown)
        if not self._fitted and shown:
            self.fit_columns()
        self._update_counts()
        keep = self.current_batch_id
        if keep is not None and any(b.id == keep for b in shown):
            self.select_batch(keep)  # may be filtered away: its items stay on show
            self._load_items(keep)
        elif self.batch_proxy.rowCount():
            self.current_batch_id = None
            self.batch_table.selectRow(0)
        else:
            self.current_batch_id = None
            self._show_batch(None)
        self.loaded.emit()

    def _fill_communities(self, names: list[str]) -> None:
        refill_combo(self.community_combo, ALL_COMMUNITIES, names)  # the query already used the choice

    def _load_items(self, batch_id: int) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.batch_items(batch_id), lambda items: self._items_loaded(batch_id, items),
                     label="正在读取督办件…")  # fmt: skip

    def _items_loaded(self, batch_id: int, items: list[ItemDTO]) -> None:
        if batch_id != self.current_batch_id:
            return  # the user moved on
        selected = self.current_item()
        self.items.set_rows(items)
        self.fit_item_columns()
        if selected is not None:
            self.select_item(selected.id)
        self._show_batch(self.current_batch())
        self._update_actions()
        self.items_loaded.emit()

    # ------------------------------------------------------------ filters, counts, selection
    def _apply_filters(self) -> None:
        dated = not self.all_dates.isChecked()
        self.date_from.setEnabled(dated)
        self.date_to.setEnabled(dated)
        self.batch_proxy.set_filters(
            kind=self.kind_combo.currentData(),
            status=self.status_combo.currentData(),
            date_from=from_qdate(self.date_from.date()) if dated else None,
            date_to=from_qdate(self.date_to.date()) if dated else None,
        )
        self._update_counts()

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
        visible = self.batch_proxy.visible_rows()
        self.summary.setText(batch_summary(visible))
        self.shown.setText(f"显示 {len(visible)} 期，共 {self.batches.rowCount()} 期")

    def current_batch(self) -> BatchDTO | None:
        if self.current_batch_id is None:
            return None
        return next((b for b in self.batches.rows() if b.id == self.current_batch_id), None)

    def _batch_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        batch: BatchDTO | None = selected_row(self.batch_table, self.batch_proxy)
        if batch is None:
            return  # filtered away: keep showing the last batch
        if batch.id == self.current_batch_id:
            return
        self.current_batch_id = batch.id
        self.items.set_rows([])
        self._show_batch(batch)
        self._load_items(batch.id)

    def select_batch(self, batch_id: int) -> bool:
        return select_id(self.batch_table, self.batch_proxy, batch_id)

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
        item: ItemDTO | None = selected_row(self.item_table, self.item_proxy)
        return item

    def select_item(self, item_id: int) -> bool:
        r = self.item_proxy.proxy_row_of(item_id)
        if r is None:
            return False
        self.item_table.selectRow(r)
        return True

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
        self.export_items_button.setEnabled(self.items.rowCount() > 0)

    # ------------------------------------------------------------ adding
    def _dialog(self, batch: BatchDTO | None) -> BatchDialog:
        dialog = BatchDialog(
            self.desk, self.ops, batches=self.all_batches, communities=self.communities, addresses=self.addresses,
            categories=self.categories, batch=batch, parent=self,
        )  # fmt: skip
        dialog.accepted.connect(lambda: self._batch_saved(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.batch_dialog = dialog
        dialog.open()
        return dialog

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
        item = self.item_proxy.row_at(index.row())
        self.item_activated.emit(item.site_id, item.id)

    # ------------------------------------------------------------ export
    def export_batches(self) -> int:
        return export_rows(self, self.ops, self.desk, name=SHEET_TITLE, columns=self.batches.columns(),
                           rows=self.batch_proxy.export_rows(), done=self.message.emit)  # fmt: skip

    def export_items(self) -> int:
        batch = self.current_batch()
        name = batch.label if batch else "督办件"
        return export_rows(self, self.ops, self.desk, name=name, columns=self.items.columns(),
                           rows=self.item_proxy.export_rows(), done=self.message.emit)  # fmt: skip

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
        fit_columns(self.batch_table, {BatchCol.ISSUER: 12}, min_chars=4, pad=0.6)
        self.fit_item_columns()

    def fit_item_columns(self) -> None:
        caps = {ItemCol.ADDRESS: 12, ItemCol.COMMUNITY: 10, ItemCol.CATEGORY: 10, ItemCol.UNIT: 14}
        fit_columns(self.item_table, caps, min_chars=4, pad=0.6)


def _expected(item: ItemDTO | None) -> dict[str, object] | None:
    """What close_item/set_deferred compare: the item's status and 缓办 as the user saw them."""
    return None if item is None else {"status": item.status, "deferred": item.deferred}
