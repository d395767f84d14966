"""时间线 tab of the site panel: the painted timeline above, the event list below, and the buttons
记录事件 / 编辑 / 删除. Clicking an event in the drawing selects it in the list and vice versa."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui import conflict as conflict_ui
from ui.conflict import Choice
from ui.ops import Ops, confirm, describe, show_error
from ui.pages.events_model import ECol, EventPhotosDelegate, EventsModel
from ui.pages.site_tab import SiteTab
from ui.tables import fit_columns
from ui.thumbnails import ThumbnailCache
from ui.widgets.timeline import TimelineWidget
from zhdesk.changes import EVENTS_CHANGED
from zhdesk.dto import EventDTO, SiteRow
from zhdesk.errors import Conflict, NeedsConfirmation

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from ui.dialogs.event_dialog import EventDialog, EventInput  # loaded when first opened (issue 13)
    from zhdesk.desk import Desk


DATE_CONFIRM_TITLE = "请确认事件日期"
RECORD_TIP = "在该点位的时间线上记录一次检查、约谈、整改措施等"
DELETE_TIP = "从时间线上删除所选事件（审计记录中保留）"
NOTE = "note"  # the one kind a role that may only comment records
NOTE_ACTION = "comments.add"


def is_date_refusal(exc: BaseException) -> bool:
    """The core refuses an event dated before listing or in the future unless confirmed."""
    return isinstance(exc, NeedsConfirmation)


def site_caption(row: SiteRow) -> str:
    parts = [row.address]
    if row.status_label:
        parts.append(row.status_label)
    if row.listed and row.days_text:
        parts.append(row.days_text)
    return " · ".join(parts)


class TimelineTab(SiteTab):
    WATCHES = ("events", "photos", "listings")  # each event shows its photos; the span follows the listing
    count_changed = Signal(int)
    message = Signal(str)
    loaded = Signal()

    def __init__(self, desk: Desk, ops: Ops, thumbs: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(desk, ops, parent)
        self.thumbs = thumbs
        self.dialog: EventDialog | None = None
        self._select_after_load: int | None = None
        self._syncing = False

        self.caption = QLabel()
        self.caption.setObjectName("timeline_caption")
        self.record_button = QPushButton("记录事件…")
        self.record_button.setObjectName("record_event")
        self.record_button.setToolTip(RECORD_TIP)
        self.edit_button = QPushButton("编辑…")
        self.edit_button.setObjectName("edit_event")
        self.delete_button = QPushButton("删除")
        self.delete_button.setObjectName("delete_event")
        self.delete_button.setToolTip(DELETE_TIP)
        bar = QHBoxLayout()
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.record_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.delete_button)

        self.drawing = TimelineWidget()
        self.show_all = QCheckBox("显示以往挂牌的事件")
        self.show_all.setObjectName("timeline_show_all")
        self.show_all.setToolTip("时间线图和事件记录默认只列本次挂牌以来的事件；勾选后列出全部历史")
        self.show_all.setVisible(False)
        self.list_title = QLabel("事件记录（最新的在上面，双击可编辑）")

        self.model = EventsModel(self)
        self.table = QTableView()
        self.table.setObjectName("events_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setItemDelegateForColumn(ECol.PHOTOS, EventPhotosDelegate(thumbs, self.table))
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ECol.TEXT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(40)

        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(1, 1, 1, 1)
        frame_layout.addWidget(self.drawing)
        under = QHBoxLayout()
        under.addWidget(self.list_title, 1)
        under.addWidget(self.show_all)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(frame)
        layout.addLayout(under)
        layout.addWidget(self.table, 1)

        self.record_button.clicked.connect(self.record_event)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.drawing.event_clicked.connect(self.select_event)
        self.drawing.event_activated.connect(self.edit_event)
        self.show_all.toggled.connect(self.drawing.set_show_all)
        self.drawing.show_all_changed.connect(self._show_all_changed)
        self.table.selectionModel().selectionChanged.connect(self._table_selection)
        self.table.doubleClicked.connect(self._table_activated)
        self.thumbs.loaded.connect(self.model.photos_changed)
        self._update_buttons()

    # ------------------------------------------------------------ loading (ui/pages/site_tab.py)
    def clear_site(self) -> None:
        self.model.set_events([])
        self.drawing.set_timeline([], None, None, None)

    def show_row(self, row: SiteRow) -> None:
        self.caption.setText(site_caption(row))
        self._update_span()

    def update_controls(self) -> None:
        self._update_buttons()

    def load(self, sid: int) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.timeline(sid), lambda evs: self._loaded(sid, evs), label="正在读取时间线…")

    def _loaded(self, site_id: int, events: list[EventDTO]) -> None:
        if self.site is None or self.site.id != site_id:
            return
        keep = self._select_after_load or self.selected_id()
        self._select_after_load = None
        self.model.set_events(events, self._since())
        self._update_span()
        self._fit_columns()
        self.thumbs.request([pid for e in events for pid in e.photo_ids])
        if keep is not None and self.model.row_of(keep) is not None:
            self.select_event(keep)
        self._update_buttons()
        self.count_changed.emit(len(events))
        self.loaded.emit()

    def _update_span(self) -> None:
        row = self.site
        if row is None:
            return
        self.drawing.set_timeline(self.model.events(), row.listed_on, row.deadline, row.closed_on, dt.date.today())
        self.show_all.setVisible(bool(self.drawing.earlier_events()) or self.drawing.show_all)

    def _since(self) -> dt.date | None:
        """The first day the list shows: the current listing's, unless 显示以往挂牌的事件 is ticked."""
        row = self.site
        return None if self.drawing.show_all or row is None else row.listed_on

    def _show_all_changed(self, show_all: bool) -> None:
        was = self.show_all.blockSignals(True)
        self.show_all.setChecked(show_all)
        self.show_all.blockSignals(was)
        self.show_all.setVisible(bool(self.drawing.earlier_events()) or show_all)
        keep = self.selected_id()
        self.model.set_since(self._since())  # the list follows the drawing
        self._fit_columns()
        if keep is not None and self.model.row_of(keep) is not None:
            self.select_event(keep)
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Date, kind and photos fit their contents; actors at most ~7 characters; the text takes the rest."""
        fit_columns(self.table, {ECol.ACTORS: 7})
        self.table.resizeRowsToContents()

    # ------------------------------------------------------------ selection, both ways
    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.event_at(rows[0].row()).id if rows else None

    def selected_event(self) -> EventDTO | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.event_at(rows[0].row()) if rows else None

    def select_event(self, event_id: int) -> None:
        """Select an event in the list and the drawing (from a click on the drawing, or code)."""
        r = self.model.row_of(event_id)
        if r is None and any(e.id == event_id for e in self.model.events()):
            self.drawing.set_show_all(True)  # an event of an earlier listing: list the whole history
            r = self.model.row_of(event_id)
        if r is None:
            return
        self._syncing = True
        try:
            ix = self.model.index(r, 0)
            self.table.selectionModel().select(
                ix, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.setCurrentIndex(ix)
            self.table.scrollTo(ix)
            self.drawing.set_selected(event_id)
        finally:
            self._syncing = False
        self._update_buttons()

    def _table_selection(self, _s: QItemSelection, _d: QItemSelection) -> None:
        if not self._syncing:
            self.drawing.set_selected(self.selected_id())
        self._update_buttons()

    def _table_activated(self, index: QModelIndex) -> None:
        self.edit_event(self.model.event_at(index.row()).id)

    def _update_buttons(self) -> None:
        has_site = self.site is not None
        eid = self.selected_id()
        # 备注 is a comment (comments.add: every role); other kinds are casework (events.edit). A role that
        # may only comment (领导) records 备注 and nothing else; a staff account only on its community's sites.
        record = self.refusal(NOTE_ACTION) if has_site else None
        edit = self.event_refusal(eid) if eid is not None else None
        self.record_button.setEnabled(has_site and record is None)
        self.record_button.setToolTip(record or RECORD_TIP)
        self.edit_button.setEnabled(eid is not None and edit is None)
        self.edit_button.setToolTip(edit or "")
        self.delete_button.setEnabled(eid is not None and edit is None)
        self.delete_button.setToolTip(edit or DELETE_TIP)

    def notes_only(self) -> bool:
        """The account may add 备注 here but not record other events."""
        return self.refusal() is not None and self.refusal(NOTE_ACTION) is None

    def event_refusal(self, event_id: int) -> str | None:
        """Why the account may not change this event (its kind's action, the site's community), or None.
        Only its author or an administrator may, which the core says when it comes to it."""
        r = self.model.row_of(event_id)
        note = r is not None and self.model.event_at(r).kind == NOTE
        return self.refusal(NOTE_ACTION if note else "events.edit")

    # ------------------------------------------------------------ record / edit / delete
    def record_event(self) -> EventDialog | None:
        """Open the 记录事件 dialog (non-blocking); returns it so callers and tests can drive it."""
        if self.site is None or not self.record_button.isEnabled():
            return None
        return self._open_dialog(None)

    def edit_selected(self) -> EventDialog | None:
        eid = self.selected_id()
        return self.edit_event(eid) if eid is not None else None

    def edit_event(self, event_id: int) -> EventDialog | None:
        r = self.model.row_of(event_id)
        if self.site is None or r is None:
            return None
        why = self.event_refusal(event_id)
        if why is not None:  # (a double click) the event stays as it is; say why
            self.message.emit(why)
            return None
        return self._open_dialog(self.model.event_at(r))

    def _open_dialog(self, event: EventDTO | None) -> EventDialog:
        assert self.site is not None
        if self.dialog is not None:
            self.dialog.close()
        from ui.dialogs.event_dialog import EventDialog

        dlg = EventDialog(self, self.site.address, event)
        if event is None and self.notes_only():
            dlg.only_kind(NOTE)
        dlg.submitted.connect(lambda: self._save(dlg, confirmed=False))
        dlg.finished.connect(lambda _r: self._dialog_closed(dlg))
        self.dialog = dlg
        dlg.open()
        return dlg

    def _dialog_closed(self, dlg: EventDialog) -> None:
        if self.dialog is dlg:
            self.dialog = None
        dlg.deleteLater()

    def _save(self, dlg: EventDialog, *, confirmed: bool) -> None:
        if self.site is None:
            return
        v = dlg.values()
        work = self._save_call(self.site.id, dlg.editing, v, confirmed)
        self.ops.write(
            work,
            EVENTS_CHANGED.for_site(self.site.id),
            lambda ev: self._saved(dlg, ev),
            lambda exc: self._save_failed(dlg, exc, confirmed),
            label="正在保存事件…",
            show_errors=False,
        )

    def _save_call(self, site_id: int, old: EventDTO | None, v: EventInput, confirmed: bool) -> Callable[[], EventDTO]:
        desk = self.desk
        if old is None:
            return lambda: desk.add_event(
                site_id, v.kind, v.on, at=v.at, text=v.text or None, actors=v.actors, confirmed=confirmed
            )
        # Only a changed date is re-checked: an old event confirmed once need not be confirmed again.
        on = v.on if v.on != old.date else None
        return lambda: desk.edit_event(
            old.id, kind=v.kind, on=on, at=v.at, text=v.text, actors=v.actors,
            expected_version=old.version, confirmed=confirmed,
        )  # fmt: skip

    def _saved(self, dlg: EventDialog, event: EventDTO) -> None:
        verb = "修改" if dlg.editing else "记录"
        if isValid(dlg):
            dlg.accept()
        self._select_after_load = event.id  # the write's broadcast reloads this tab
        self.message.emit(f"已{verb}事件：{event.date.isoformat()} {event.kind_label}")

    def _save_failed(self, dlg: EventDialog, exc: BaseException, confirmed: bool) -> None:
        if not isValid(dlg) or not dlg.isVisible():
            return  # closed meanwhile: nothing was saved, nobody to tell
        if not confirmed and is_date_refusal(exc):
            if confirm(
                dlg,
                DATE_CONFIRM_TITLE,
                f"{describe(exc)}。\n\n如果日期确实无误（例如补录或预约的事项），可以仍然记录。是否仍要保存？",
            ):
                self._save(dlg, confirmed=True)
                return
            dlg.set_busy(False, "未保存：请修改日期后再保存。")
            return
        dlg.set_busy(False, "未保存：" + describe(exc))
        if isinstance(exc, Conflict) and dlg.editing is not None and self.site is not None:
            choice = conflict_ui.choose(dlg, exc)
            if choice is Choice.RELOAD:  # discard mine
                dlg.reject()
                self.reload()
            elif choice is Choice.OVERWRITE:  # mine again, over the version now stored
                desk, sid, eid = self.desk, self.site.id, dlg.editing.id
                self.ops.run(lambda: desk.timeline(sid), lambda evs: self._overwrite(dlg, eid, evs, confirmed),
                             show_errors=True)  # fmt: skip
            return
        show_error(dlg, describe(exc))

    def _overwrite(self, dlg: EventDialog, event_id: int, events: list[EventDTO], confirmed: bool) -> None:
        now = next((e for e in events if e.id == event_id), None)
        if not isValid(dlg) or not dlg.isVisible() or now is None:
            return  # closed meanwhile, or deleted by the other person: nothing to overwrite
        dlg.editing = now
        self._save(dlg, confirmed=confirmed)

    def delete_selected(self) -> None:
        ev = self.selected_event()
        if ev is None:
            return
        if not confirm(
            self,
            "删除事件",
            f"删除 {ev.date.isoformat()} 的“{ev.kind_label}”事件？\n\n"
            "删除后时间线上不再显示，但原内容和这次删除都保留在审计记录中，可以追溯。",
        ):
            return
        desk, sid = self.desk, self.site.id if self.site else None
        self.ops.write(
            lambda: desk.delete_event(ev.id, ev.version),
            EVENTS_CHANGED if sid is None else EVENTS_CHANGED.for_site(sid),
            lambda _r: self._deleted(ev),
            lambda _exc: self.reload(),
            label="正在删除事件…",
        )

    def _deleted(self, ev: EventDTO) -> None:
        self.message.emit(f"已删除事件：{ev.date.isoformat()} {ev.kind_label}（审计记录中保留）")
