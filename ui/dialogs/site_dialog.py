"""新增点位 / 编辑点位: address, community (a new name creates it, after a question), kind, note.

While the address is typed, sites whose address reads the same (号/号院, full-width digits, spaces) are
offered: 打开已有点位 instead of adding a duplicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ui.dialogs.write_dialog import WriteDialog
from ui.ops import Ops, confirm
from zhdesk.changes import Changes
from zhdesk.domain.vocab import SITE_KINDS
from zhdesk.dto import CommunityDTO, SimilarSite, SiteDetail

if TYPE_CHECKING:
    from zhdesk.desk import Desk

# A site's row, its listing's light, and the settings page's community list may all change.
SITE_SAVED = Changes(sites=True, listings=True, settings=True)


class SiteDialog(WriteDialog):
    open_existing = Signal(int)  # the user chose an existing site instead of a duplicate

    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, site: SiteDetail | None = None) -> None:
        super().__init__(
            parent, ops, "编辑点位" if site else "新增点位", SITE_SAVED.for_site(site.row.id) if site else SITE_SAVED
        )
        self.desk = desk
        self.site = site
        self.known: list[CommunityDTO] = []
        self.similar: list[SimilarSite] = []

        self.address = QLineEdit()
        self.address.setObjectName("site_address")
        self.address.setPlaceholderText("如：江西路153号")
        self.community = QComboBox()
        self.community.setObjectName("site_community")
        self.community.setEditable(True)
        self.community.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        edit = self.community.lineEdit()
        if edit is not None:  # editable: the placeholder lives on its line edit
            edit.setPlaceholderText("选择社区，或输入新社区名称")
        self.kind = QComboBox()
        self.kind.setObjectName("site_kind")
        for code, label in SITE_KINDS.items():
            self.kind.addItem(label, code)
        self.note = QPlainTextEdit()
        self.note.setObjectName("site_note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)

        self.similar_label = QLabel()
        self.similar_label.setObjectName("site_similar")
        self.similar_label.setWordWrap(True)
        self.open_button = QPushButton("打开已有点位")
        self.open_button.setObjectName("site_open_existing")
        self.open_button.clicked.connect(self._open_existing)
        similar_row = QHBoxLayout()
        similar_row.addWidget(self.similar_label, 1)
        similar_row.addWidget(self.open_button)
        self.similar_label.hide()
        self.open_button.hide()

        form = QFormLayout()
        form.addRow("地址：", self.address)
        form.addRow("", similar_row)
        form.addRow("社区：", self.community)
        form.addRow("类型：", self.kind)
        form.addRow("备注：", self.note)
        self.form_layout.addLayout(form)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._look_up)
        self.address.textChanged.connect(lambda _t: self._timer.start())

        if site is not None:
            self.address.setText(site.row.address)
            self.kind.setCurrentIndex(max(0, self.kind.findData(site.row.kind)))
            self.note.setPlainText(site.note or "")
        ops.run(desk.communities, self._communities, label="正在读取社区…")

    def _communities(self, communities: list[CommunityDTO]) -> None:
        self.known = communities
        current = self.community.currentText()
        self.community.clear()
        for c in communities:
            self.community.addItem(c.name)
        want = self.site.row.community if self.site else current
        if want:
            self.community.setCurrentText(want)
        elif not communities:
            self.community.setCurrentText("")

    def set_values(self, address: str, community: str, kind: str = "compound", note: str = "") -> None:
        self.address.setText(address)
        self.community.setCurrentText(community)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.note.setPlainText(note)

    # -- similar addresses
    def _look_up(self) -> None:
        text = self.address.text()
        desk, exclude = self.desk, self.site.row.id if self.site else None
        self.ops.run(lambda: desk.similar_sites(text, exclude), self._show_similar, show_errors=False,
                     label="正在查找同名点位…")  # fmt: skip

    def look_up_now(self) -> None:
        self._timer.stop()
        self._look_up()

    def _show_similar(self, similar: list[SimilarSite]) -> None:
        self.similar = similar
        if not similar:
            self.similar_label.hide()
            self.open_button.hide()
            return
        s = similar[0]
        more = f" 等 {len(similar)} 处" if len(similar) > 1 else ""
        self.similar_label.setText(f"已有点位“{s.address}”（编号 {s.id}，{s.community}，{s.kind_label}）{more}")
        self.similar_label.show()
        self.open_button.show()

    def _open_existing(self) -> None:
        if self.similar:
            self.open_existing.emit(self.similar[0].id)
            self.reject()

    # -- saving
    def current(self) -> Callable[[], Any] | None:
        if self.site is None:
            return None
        desk, sid = self.desk, self.site.row.id
        return lambda: desk.get_site(sid)

    def adopt(self, record: Any) -> None:
        self.site = record

    def work(self) -> Callable[[], Any] | None:
        address = self.address.text()
        community = self.community.currentText().strip()
        kind = str(self.kind.currentData())
        note = self.note.toPlainText()
        names = {c.name for c in self.known}
        bare = {c.name.removesuffix("（示例）") for c in self.known}
        new_community = bool(community) and community not in names and community not in bare
        if new_community and not confirm(self, "新建社区", f"社区“{community}”还没有登记，是否新建该社区并保存点位？"):
            self.refuse(f"社区“{community}”未登记，未新建")
            return None
        desk = self.desk
        if self.site is None:
            return lambda: desk.add_site(address, community, kind, note, new_community)
        sid, version = self.site.row.id, self.site.site_version
        return lambda: desk.edit_site(sid, address, community, kind, note, version, new_community)
