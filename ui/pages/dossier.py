"""点位档案: one site read whole — header (address, community, kind, the current listing with its light,
deadline and responsible people), then 督办件 (every item of every kind), 挂牌记录 (every listing, newest
first), 时间线 and 照片 (the 挂牌督办 page's own tabs, embedded) and 台账 (the site's tally entries).

Reached from every place that shows a site (`MainWindow.open_site`) and by typing an address in its search
box. `show_site(site_id, item_id)` selects that item in 督办件.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import access, site_actions
from ui.dialogs.drill import problem_text, status_rank, status_text
from ui.display import relative_font
from ui.dto_table import DtoModel, DtoProxy, Field
from ui.ops import Ops
from ui.pages.photos_tab import PhotosTab
from ui.pages.site_detail import EMPTY, MILITARY_BADGE, REGISTRY_ACTIONS, contact_name, registry_visible
from ui.pages.sites_model import LIGHT_RANK, OVERDUE_TEXT
from ui.pages.tallies import figure_text
from ui.pages.timeline_tab import TimelineTab
from ui.stale import StaleWatch
from ui.tables import data_table, fit_columns, page_title, refresh_button, select_id
from ui.thumbnails import ThumbnailCache
from ui.widgets.light import LIGHT_ROLE, LightDelegate, light_label, light_pixmap
from zhdesk.changes import Changes
from zhdesk.domain.dates import fmt_cn
from zhdesk.domain.lights import Light
from zhdesk.dto import Column, DossierDTO, DossierItem, ListingDTO, SiteQuery, SiteRow, TallyEntryDTO
from zhdesk.paging import Sort

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk

CLOSED_COLOR = QColor("#5f6368")
ITEMS_TAB, LISTINGS_TAB, TIMELINE_TAB, PHOTOS_TAB, TALLY_TAB = range(5)
TAB_TITLES = ("督办件", "挂牌记录", "时间线", "照片", "台账")
# Sites whose address contains the typed one, read to find those at exactly that address (sorted by
# address, an exact match comes before the longer ones).
ADDRESS_MATCHES = 200
WATCHED = ("sites", "listings", "items", "events", "photos", "figures", "settings")


class ICol(IntEnum):
    LIGHT = 0
    BATCH = 1
    ISSUED = 2
    PROBLEM = 3
    DEADLINE = 4
    STATUS = 5
    UNIT = 6
    CLOSED_ON = 7


class ItemsModel(DtoModel[DossierItem]):
    """Every supervision item of the site: its batch, state, deadline and light (computed by the core)."""

    def __init__(self, parent: Any = None) -> None:
        fields: tuple[Field[DossierItem], ...] = (
            Field(Column("灯"), lambda d: LIGHT_RANK.get(d.item.light, 4), lambda _d: "", center=True,
                  export=lambda d: light_label(d.item.light)),
            Field(Column("督办件"), lambda d: (d.issued_on, d.item.batch_id), lambda d: d.batch_label),
            Field(Column("下发日期", "date"), lambda d: d.issued_on, center=True),
            Field(Column("问题"), lambda d: problem_text(d.item)),
            Field(Column("整改时限", "date"), lambda d: d.item.deadline, center=True),
            Field(Column("状态"), lambda d: status_rank(d.item), lambda d: status_text(d.item)),
            Field(Column("责任单位"), lambda d: d.item.unit),
            Field(Column("办结日期", "date"), lambda d: d.item.closed_on, center=True),
        )  # fmt: skip
        super().__init__(fields, parent)

    def foreground(self, row: DossierItem, col: int) -> QColor | None:
        if row.item.overdue and col in (ICol.STATUS, ICol.DEADLINE):
            return OVERDUE_TEXT
        return CLOSED_COLOR if row.item.status == "closed" else None

    def bold(self, row: DossierItem, col: int) -> bool:
        return row.item.overdue and col == ICol.STATUS

    def tooltip(self, row: DossierItem, col: int) -> str | None:
        if col == ICol.LIGHT:
            return light_label(row.item.light)
        return super().tooltip(row, col)

    def role_data(self, row: DossierItem, col: int, role: int) -> Any:
        return row.item.light if col == ICol.LIGHT and role == LIGHT_ROLE else None


def listing_problem(li: ListingDTO) -> str:
    if li.category and li.problem:
        return f"{li.category}：{li.problem}"
    return li.category or li.problem or ""


class ListingsModel(DtoModel[ListingDTO]):
    """Every listing of the site, newest first, with its rework and rebound counts."""

    def __init__(self, parent: Any = None) -> None:
        fields: tuple[Field[ListingDTO], ...] = (
            Field(Column("挂牌日期", "date"), lambda li: li.listed_on, center=True),
            Field(Column("期", "int"), lambda li: li.issue_no, lambda li: f"第{li.issue_no}期" if li.issue_no else "",
                  center=True),
            Field(Column("问题"), listing_problem),
            Field(Column("整改时限", "date"), lambda li: li.deadline, center=True),
            Field(Column("状态"), lambda li: li.status_label),
            Field(Column("剩余/超期"), lambda li: li.days_text, center=True),
            Field(Column("办结日期", "date"), lambda li: li.closed_on, center=True),
            Field(Column("退回整改", "int"), lambda li: li.rework_count, lambda li: f"{li.rework_count} 次",
                  center=True),
            Field(Column("反弹", "int"), lambda li: li.rebound_count, lambda li: f"{li.rebound_count} 次",
                  center=True),
        )  # fmt: skip
        super().__init__(fields, parent)

    def foreground(self, row: ListingDTO, col: int) -> QColor | None:
        return OVERDUE_TEXT if row.light == Light.RED.value else None

    def tooltip(self, row: ListingDTO, col: int) -> str | None:
        return row.problem or None


def period_text(e: TallyEntryDTO) -> str:
    return e.start.isoformat() if e.start == e.end else f"{e.start.isoformat()} — {e.end.isoformat()}"


class TallyModel(DtoModel[TallyEntryDTO]):
    """The tally entries recorded for the site, each with its file and row (or who entered it)."""

    def __init__(self, parent: Any = None) -> None:
        fields: tuple[Field[TallyEntryDTO], ...] = (
            Field(Column("时段"), lambda e: (e.start, e.end), period_text),
            Field(Column("指标"), lambda e: e.metric_name),
            Field(Column("数值"), lambda e: e.value, lambda e: f"{figure_text(e.value, e.qualifier)} {e.unit}"),
            Field(Column("来源"), lambda e: e.source),
        )  # fmt: skip
        super().__init__(fields, parent)


def _table(name: str, model: DtoModel[Any], stretch: int) -> tuple[QTableView, DtoProxy[Any]]:
    """A table in the service's order until a header is clicked; column `stretch` (the text) takes the room."""
    proxy: DtoProxy[Any] = DtoProxy(model)
    proxy.setSourceModel(model)
    table = data_table(name, proxy)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table, proxy


class DossierPage(QWidget):
    """Loads through `ops.run(desk.dossier, …)`; follows writes that concern the shown site (StaleWatch)."""

    message = Signal(str)
    loaded = Signal()  # a dossier arrived and is shown
    listing_requested = Signal(int)  # site id: its listing's workflow is on the 挂牌督办 page

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.site_id: int | None = None
        self.dossier: DossierDTO | None = None
        self._select_item: int | None = None
        self._addresses: list[str] = []  # every site address once (the completer's list)

        # Row 1: title, the search box, refresh.
        self.search = QLineEdit()
        self.search.setObjectName("dossier_search")
        self.search.setPlaceholderText("输入地址查找点位，回车打开档案")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.completer = QCompleter(QStringListModel(self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(self.completer)
        self.completer.activated.connect(self.open_text)
        self.search.returnPressed.connect(lambda: self.open_text(self.search.text()))
        top = QHBoxLayout()
        top.addWidget(page_title("点位档案"))
        top.addSpacing(16)
        top.addWidget(self.search, 1)
        top.addWidget(refresh_button(self.refresh))

        # Header: address, where, military badge, the current listing, its people; actions on the right.
        self.address = QLabel()
        self.address.setObjectName("dossier_address")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        relative_font(self.address, 1.8, bold=True)
        self.where = QLabel()
        self.where.setObjectName("dossier_where")
        self.badge = QLabel(MILITARY_BADGE)
        self.badge.setObjectName("dossier_military")
        self.badge.setStyleSheet("QLabel { background: #5b6b2f; color: white; border-radius: 4px; padding: 1px 8px; }")
        self.badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.light_dot = QLabel()
        self.status = QLabel()
        self.status.setObjectName("dossier_status")
        relative_font(self.status, 1.15, bold=True)
        self.people = QLabel()
        self.people.setObjectName("dossier_people")
        self.people.setWordWrap(True)
        self.people.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # 编辑点位… / 挂牌督办… / 延期… (the registry's buttons). Not `self.actions`: that would hide
        # QWidget.actions().
        self.actions_row = QHBoxLayout()
        self.actions_row.setObjectName("dossier_actions")
        self.registry_buttons: dict[str, QPushButton] = {}
        for key, text, tip in REGISTRY_ACTIONS:
            b = QPushButton(text)
            b.setObjectName(f"dossier_registry_{key}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, k=key: site_actions.dispatch(k, self, self.desk, self.ops, self.site_id))
            self.actions_row.addWidget(b)
            self.registry_buttons[key] = b
        self.notice_button = QPushButton("生成督办通知单…")
        self.notice_button.setObjectName("dossier_notice")
        self.notice_button.setToolTip("给责任单位的督办通知单（PDF，A4 一页，带回执），并在时间线记录催办")
        self.notice_button.clicked.connect(self._issue_notice)
        self.actions_row.addWidget(self.notice_button)
        access.gate(desk, "sites.edit", *self.registry_buttons.values(), self.notice_button)
        title_row = QHBoxLayout()
        title_row.addWidget(self.address)
        title_row.addSpacing(12)
        title_row.addWidget(self.where)
        title_row.addWidget(self.badge)
        title_row.addStretch(1)
        title_row.addLayout(self.actions_row)
        status_row = QHBoxLayout()
        status_row.addWidget(self.light_dot)
        status_row.addWidget(self.status, 1)
        self.listing_button = QPushButton("到挂牌督办页办理")
        self.listing_button.setObjectName("dossier_to_listing")
        self.listing_button.setToolTip("申请验收、验收摘牌、退回整改等在“挂牌督办”页办理")
        self.listing_button.clicked.connect(self._to_listing)
        status_row.addWidget(self.listing_button)
        header = QVBoxLayout()
        header.addLayout(title_row)
        header.addLayout(status_row)
        header.addWidget(self.people)

        # Sections.
        self.items_model = ItemsModel(self)
        self.items_table, self.items_proxy = _table("dossier_items", self.items_model, ICol.PROBLEM)
        self.items_table.setItemDelegateForColumn(ICol.LIGHT, LightDelegate(self.items_table))
        self.listings_model = ListingsModel(self)
        self.listings_table, self.listings_proxy = _table("dossier_listings", self.listings_model, 2)
        self.tally_model = TallyModel(self)
        self.tally_table, self.tally_proxy = _table("dossier_tally", self.tally_model, 3)
        self.thumbs = ThumbnailCache(desk, ops, self)
        self.timeline = TimelineTab(desk, ops, self.thumbs)
        self.timeline.setObjectName("dossier_timeline")
        self.photos = PhotosTab(desk, ops, self.thumbs)
        self.photos.setObjectName("dossier_photos")
        for tab in (self.timeline, self.photos):
            tab.message.connect(self.message)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("dossier_tabs")
        self.tabs.setDocumentMode(True)
        for widget, title in zip(
            (self.items_table, self.listings_table, self.timeline, self.photos, self.tally_table), TAB_TITLES,
            strict=True,
        ):
            self.tabs.addTab(widget, title)
        self.timeline.count_changed.connect(lambda n: self.tabs.setTabText(TIMELINE_TAB, f"时间线（{n}）"))
        self.photos.count_changed.connect(lambda n: self.tabs.setTabText(PHOTOS_TAB, f"照片（{n}）"))

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(header)
        body_layout.addWidget(self.tabs, 1)
        self.empty = QLabel("在上方输入地址打开一个点位的档案；\n在总览、挂牌督办、督办通报中双击点位也会打开这里。")
        self.empty.setObjectName("dossier_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        # The site list for the completer is read on the first show; the dossier on writes about its site.
        self.watch = StaleWatch(self, ops, self._concerns, self.refresh, stale=True)

    # ------------------------------------------------------------ loading
    def _concerns(self, changes: Changes) -> bool:
        return changes.any(*WATCHED) and (self.site_id is None or changes.concerns_site(self.site_id))

    def refresh(self) -> None:
        """Read the site addresses (for the search box) and the shown site again."""
        self.watch.stale = False
        desk = self.desk
        # Addresses only: a list of strings, ~30 ms for 10,000 sites. Whole SiteRows (list_sites) took ~1 s
        # of Python on the worker there, and its garbage collections (110–150 ms each, holding the GIL)
        # froze the window for up to 0.5 s on the page's first visit (issue 13).
        self.ops.run(desk.site_addresses, self._addresses_loaded, label="正在读取点位清单…")
        if self.site_id is not None:
            self._load(self.site_id)
            if self.dossier is not None:
                for tab in (self.timeline, self.photos):
                    tab.set_site(self.dossier.row, reload=True)

    def _addresses_loaded(self, addresses: list[str]) -> None:
        self._addresses = addresses
        model = self.completer.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(addresses)

    def open_text(self, text: str) -> None:
        """Open the site typed or picked in the search box: the address exactly, else the only address
        containing the text; an address found in several communities is told apart as “地址（社区）”."""
        text = text.strip()
        if not text:
            return
        address, community = text, None
        if text.endswith("）") and text not in self._addresses:  # “地址（社区）”; both may hold brackets
            named = [a for a in self._addresses if text.startswith(a + "（")]
            if named:
                address = max(named, key=len)
                community = text[len(address) + 1 : -1].strip() or None
        if address not in self._addresses:
            found = [a for a in self._addresses if text in a]
            if len(found) != 1:
                what = "没有" if not found else f"有 {len(found)} 个"
                self.message.emit(f"点位档案：地址含“{text}”的点位{what}，请从下拉列表中选择")
                return
            address, community = found[0], None
        desk, query = self.desk, SiteQuery(community=community, listed_only=False, search=address)

        def sites() -> list[SiteRow]:  # on the worker: the sites at that address (a few)
            rows = desk.site_page(query, Sort("address"), 0, ADDRESS_MATCHES).rows
            return [r for r in rows if r.address == address]

        self.ops.run(sites, lambda rows: self._open_found(address, rows), label="正在查找点位…")

    def _open_found(self, address: str, rows: list[SiteRow]) -> None:
        if len(rows) == 1:
            self.show_site(rows[0].id)
        elif not rows:
            self.message.emit(f"点位档案：没有地址为“{address}”的点位，请从下拉列表中选择")
        else:
            where = "、".join(r.community for r in rows)
            hint = f"请输入“{address}（社区名）”"
            self.message.emit(f"点位档案：地址为“{address}”的点位有 {len(rows)} 个（{where}），{hint}")

    def show_site(self, site_id: int, item_id: int | None = None) -> None:
        """Load a site's dossier; with `item_id`, show 督办件 with that item selected."""
        self.site_id = site_id
        self._select_item = item_id
        if item_id is not None:
            self.tabs.setCurrentIndex(ITEMS_TAB)
        if self.watch.stale:  # first open, or writes while hidden: read it all now, not again when shown
            self.refresh()
        else:
            self._load(site_id)

    def _load(self, site_id: int) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.dossier(site_id), self._loaded, label="正在读取点位档案…")

    def _loaded(self, d: DossierDTO) -> None:
        if d.row.id != self.site_id:
            return  # another site was asked for meanwhile
        same = self.dossier is not None and self.dossier.row.id == d.row.id
        self.dossier = d
        self._header(d)
        selected = self.selected_item()
        self.items_model.set_rows(d.items)
        self.listings_model.set_rows(d.listings_newest_first)
        self.tally_model.set_rows(d.tally)
        counts = (len(d.items), len(d.detail.listings), len(d.tally))
        for i, n in zip((ITEMS_TAB, LISTINGS_TAB, TALLY_TAB), counts, strict=True):
            self.tabs.setTabText(i, f"{TAB_TITLES[i]}（{n}）")
        if not same:
            self.thumbs.clear()
            self.tabs.setTabText(TIMELINE_TAB, TAB_TITLES[TIMELINE_TAB])
            self.tabs.setTabText(PHOTOS_TAB, TAB_TITLES[PHOTOS_TAB])
        for tab in (self.timeline, self.photos):
            tab.set_site(d.row)
        fit_columns(self.items_table, {ICol.BATCH: 18, ICol.UNIT: 16})
        fit_columns(self.listings_table)
        fit_columns(self.tally_table)
        asked, self._select_item = self._select_item, None
        if asked is not None:  # opened on an item: show it
            self.tabs.setCurrentIndex(ITEMS_TAB)
            select_id(self.items_table, self.items_proxy, asked)
        elif same and selected is not None:  # a reload keeps the selection
            select_id(self.items_table, self.items_proxy, selected.id)
        self.stack.setCurrentIndex(1)
        self.loaded.emit()

    def _issue_notice(self) -> None:
        if self.site_id is not None:
            address = self.dossier.row.address if self.dossier else ""
            site_actions.issue_notice(self, self.desk, self.ops, self.site_id, address, self.message.emit)

    def _to_listing(self) -> None:
        if self.site_id is not None:
            self.listing_requested.emit(self.site_id)

    def selected_item(self) -> DossierItem | None:
        rows = self.items_table.selectionModel().selectedRows()
        return self.items_proxy.row_at(rows[0].row()) if rows else None

    # ------------------------------------------------------------ header
    def _header(self, d: DossierDTO) -> None:
        row = d.row
        self.address.setText(row.address)
        self.where.setText(f"{row.community} · {row.kind_label}")
        self.badge.setVisible(row.military)
        open_items = [i for i in d.items if i.item.status != "closed"]
        overdue = sum(i.item.overdue for i in open_items)
        items = f"督办件 {len(d.items)} 件，未办结 {len(open_items)} 件" + (f"（超期 {overdue} 件）" if overdue else "")
        li = d.detail.current
        self.listing_button.setVisible(li is not None)
        for key, shown in registry_visible(li).items():
            self.registry_buttons[key].setVisible(shown)
        self.notice_button.setVisible(registry_visible(li)["extend"])  # an open listing, as 延期…
        if li is None:
            self.light_dot.clear()
            self.status.setText(f"未挂牌督办　|　{items}")
            self.people.setText("")
            return
        self.light_dot.setPixmap(light_pixmap(li.light, self.fontMetrics().height()))
        self.light_dot.setToolTip(light_label(li.light))
        deadline = f"整改时限 {fmt_cn(li.deadline)}（{li.days_text}）" if li.deadline else "无时限"
        self.status.setText(f"挂牌督办：{li.status_label}　{light_label(li.light)}　{deadline}　|　{items}")
        people = [f"{c.role_label}：{contact_name(c)}" + (f" {c.phone}" if c.phone else "") for c in li.contacts]
        self.people.setText("　".join(people) or f"责任人：{EMPTY}")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.dossier is not None:
            self._header(self.dossier)
