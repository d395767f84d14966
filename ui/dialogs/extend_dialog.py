"""延期…: a later deadline for the open listing, with its reason (on the timeline, counted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QLabel, QPlainTextEdit, QWidget

from ui.dialogs.write_dialog import WriteDialog, date_edit, get_date
from ui.ops import Ops
from zhdesk.changes import Changes
from zhdesk.domain.dates import fmt_iso
from zhdesk.dto import SiteDetail

if TYPE_CHECKING:
    from zhdesk.desk import Desk

EXTENDED = Changes(listings=True, items=True, events=True)


class ExtendDialog(WriteDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, site: SiteDetail) -> None:
        super().__init__(parent, ops, f"延期 — {site.row.address}", EXTENDED.for_site(site.row.id))
        self.desk = desk
        self.site = site
        cur = site.current
        old = cur.deadline if cur else None
        times = cur.extension_count if cur else 0
        self.old = QLabel(f"{fmt_iso(old) or '无时限'}" + (f"（已延期 {times} 次）" if times else ""))
        self.old.setObjectName("extend_old")
        start = old or dt.date.today()
        self.new = date_edit("extend_to", start + dt.timedelta(days=30))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("extend_reason")
        self.reason.setPlaceholderText("延期理由（必填），记入点位时间线")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        form = QFormLayout()
        form.addRow("现在的整改时限：", self.old)
        form.addRow("新的整改时限：", self.new)
        form.addRow("理由：", self.reason)
        self.form_layout.addLayout(form)

    def current(self) -> Callable[[], Any] | None:
        desk, sid = self.desk, self.site.row.id
        return lambda: desk.get_site(sid)

    def adopt(self, record: Any) -> None:
        self.site = record

    def work(self) -> Callable[[], Any] | None:
        cur = self.site.current
        desk, sid = self.desk, self.site.row.id
        new, reason, version = get_date(self.new), self.reason.toPlainText(), cur.version if cur else None
        return lambda: desk.extend_deadline(sid, new, reason, version)
