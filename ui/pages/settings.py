"""设置 page: shared settings kept in the database (warning days, communities, what briefs and notices print)
and this workstation's display size."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui import access, site_actions
from ui import conflict as conflict_ui
from ui.display import relative_font
from ui.ops import Ops, confirm, describe, show_error
from ui.stale import StaleWatch
from ui.widgets.display_size import DisplaySizeCombo
from zhdesk.changes import SETTINGS_CHANGED, Changes
from zhdesk.dto import CommunityUse, Documents, MetricDTO

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


MIN_WARNING_DAYS = 0
MAX_WARNING_DAYS = 60
# Community names show in every site row and filter.
COMMUNITIES_CHANGED = Changes(sites=True, listings=True)


class SettingsPage(QWidget):
    message = Signal(str)
    switch_user_requested = Signal()  # 切换用户…: ui/app.py signs out and asks who works next
    account_changed = Signal()  # accounts switched on or off: the window's status bar follows

    def __init__(self, desk: Desk, ops: Ops, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        # What was loaded: each save passes it, so a change made elsewhere since is a Conflict.
        self._saved: int | None = None
        self._documents: Documents | None = None

        title = QLabel("设置")
        relative_font(title, 1.5, bold=True)

        # Shared by every workstation (stored in the database).
        shared = QGroupBox("所有工作站共用（保存在数据库中）")
        self.warning_days = QSpinBox()
        self.warning_days.setObjectName("warning_days")
        self.warning_days.setRange(MIN_WARNING_DAYS, MAX_WARNING_DAYS)
        self.warning_days.setSuffix(" 天")
        self.warning_days.setEnabled(False)  # until the current value is read
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("save_warning_days")
        self.save_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.warning_days)
        row.addWidget(self.save_button)
        row.addStretch(1)
        explain = QLabel("距整改时限不超过该天数（含当天）且未办结的挂牌点位亮黄灯；超过时限亮红灯；已办结为灰灯。")
        explain.setWordWrap(True)
        form = QFormLayout(shared)
        form.addRow("临期提醒天数：", row)
        form.addRow("", explain)
        self.catalogue_button = QPushButton("统计指标目录…")
        self.catalogue_button.setObjectName("metric_catalogue")
        self.catalogue_button.setToolTip("重命名或新增社区台账的统计指标，添加表头同义词")
        self.catalogue_button.clicked.connect(self.show_catalogue)
        form.addRow("社区台账指标：", self.catalogue_button)
        self.directory_button = QPushButton("通讯录…")
        self.directory_button.setObjectName("directory_button")
        self.directory_button.setToolTip("包案领导、责任人、联系人和责任单位的姓名、职务、电话，改一处处处生效")
        self.directory_button.clicked.connect(self.show_directory)
        form.addRow("人员和单位：", self.directory_button)
        self.audit_button = QPushButton("操作日志…")
        self.audit_button.setObjectName("audit_button")
        self.audit_button.setToolTip("谁在何时做了什么（含修改前后的值）；只能追加，任何人都不能修改或删除")
        self.audit_button.clicked.connect(self.show_audit)
        form.addRow("操作记录：", self.audit_button)

        # 账户: who works here, their password, and (administrators) everyone's accounts.
        account = QGroupBox("账户")
        self.account_line = QLabel()
        self.account_line.setObjectName("account_line")
        self.account_line.setWordWrap(True)
        self.account_buttons: dict[str, QPushButton] = {}
        arow = QHBoxLayout()
        for key, text, tip in (
            ("password", "修改密码…", "修改当前账户的登录密码"),
            ("switch", "切换用户…", "退出当前账户，换另一个账户登录"),
            ("manage", "账户管理…", "新增账户、重置密码、停用或启用、修改角色"),
            ("enable", "启用账户登录…", "多人共用此数据库时：每人用自己的账户登录，按角色限定可做的操作"),
            ("disable", "改回单机模式", "不再需要登录：本机用户即管理员（只适合一人使用的数据库）"),
        ):
            b = QPushButton(text)
            b.setObjectName(f"account_{key}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, k=key: self.account_action(k))
            self.account_buttons[key] = b
            arow.addWidget(b)
        arow.addStretch(1)
        al = QVBoxLayout(account)
        al.addWidget(self.account_line)
        al.addLayout(arow)

        # 社区: add, rename, delete (a community still used by sites or tally entries is kept).
        communities = QGroupBox("社区（所有工作站共用）")
        self.community_list = QListWidget()
        self.community_list.setObjectName("community_list")
        self.community_list.setMaximumHeight(180)
        self.community_name = QLineEdit()
        self.community_name.setObjectName("community_name")
        self.community_name.setPlaceholderText("社区名称")
        self.community_list.currentItemChanged.connect(self._community_chosen)
        self.community_buttons: dict[str, QPushButton] = {}
        crow = QHBoxLayout()
        crow.addWidget(self.community_name, 1)
        for key, text in (("add", "新增"), ("rename", "改名"), ("delete", "删除")):
            b = QPushButton(text)
            b.setObjectName(f"community_{key}")
            b.clicked.connect(lambda _=False, k=key: self.community_action(k))
            self.community_buttons[key] = b
            crow.addWidget(b)
        self.community_status = QLabel("（示例）社区在没有点位和台账数据时可以删除。")
        self.community_status.setObjectName("community_status")
        self.community_status.setWordWrap(True)
        cl = QVBoxLayout(communities)
        cl.addWidget(self.community_list)
        cl.addLayout(crow)
        cl.addWidget(self.community_status)

        # 简报和通知单: what the office prints on its documents.
        documents = QGroupBox("简报和通知单（所有工作站共用）")
        self.doc_fields: dict[str, QLineEdit] = {}
        self.doc_save = QPushButton("保存")
        dform = QFormLayout(documents)
        for key, label, hint in (
            ("issuer", "发文单位：", "印在简报报头和督办通知单落款，如 珠海路街道城市管理办公室"),
            ("brief_title", "简报标题：", "简报报头的红色大字"),
            ("notice_title", "通知单标题：", "督办通知单的标题"),
        ):
            edit = QLineEdit()
            edit.setObjectName(f"doc_{key}")
            edit.setMaxLength(60)
            edit.setToolTip(hint)
            edit.setEnabled(False)  # until the current values are read
            edit.textEdited.connect(lambda _t: self.doc_save.setEnabled(True))
            self.doc_fields[key] = edit
            dform.addRow(label, edit)
        self.doc_save.setObjectName("save_documents")
        self.doc_save.setEnabled(False)
        self.doc_save.clicked.connect(self.save_documents)
        self.doc_status = QLabel("")
        self.doc_status.setObjectName("documents_status")
        self.doc_status.setWordWrap(True)
        drow = QHBoxLayout()
        drow.addWidget(self.doc_save)
        drow.addWidget(self.doc_status, 1)
        dform.addRow("", drow)

        # This workstation only (QSettings).
        local = QGroupBox("仅本机")
        self.size_combo = DisplaySizeCombo()
        self.size_combo.setObjectName("settings_display_size")
        self.size_combo.setToolTip("整个窗口（各页面和对话框）的文字大小，大屏幕上可选“较大”或“特大”")
        self.size_combo.setSizeAdjustPolicy(DisplaySizeCombo.SizeAdjustPolicy.AdjustToContents)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_combo)
        size_row.addStretch(1)
        db = QLabel(location)
        db.setObjectName("db_location")
        db.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        db.setWordWrap(True)
        lform = QFormLayout(local)
        lform.addRow("显示大小：", size_row)
        lform.addRow("数据库位置：", db)

        # The groups scroll: the page never makes the window taller than a laptop screen.
        body = QWidget()
        scroll = QScrollArea()
        scroll.setObjectName("settings_scroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(account)
        layout.addWidget(shared)
        layout.addWidget(communities)
        layout.addWidget(documents)
        layout.addWidget(local)
        layout.addStretch(1)
        for box in (account, shared, communities, documents, local):
            box.setMaximumWidth(820)

        self.warning_days.valueChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.watch = StaleWatch(self, ops, lambda c: c.settings, self.refresh, stale=True)  # read when first shown
        # What the role cannot change stays visible, disabled, saying why (the core refuses it anyway).
        access.gate(desk, "settings.edit", self.warning_days, self.save_button, *self.doc_fields.values(),
                    self.doc_save)  # fmt: skip
        access.gate(desk, "directory.edit", self.community_name, *self.community_buttons.values())
        access.gate(desk, "audit.view", self.audit_button)
        self.update_account()

    # -- 账户
    def update_account(self) -> None:
        a = access.of(self.desk)
        u = a.user
        mode = ("单机模式：本机用户即管理员，不需要登录" if a.local
                else "账户登录：每次启动需要登录，可做的操作由角色决定")  # fmt: skip
        community = f"，所属社区：{u.community}" if u.community else ""
        self.account_line.setText(f"当前用户：{u.display_name}（{u.login}），角色：{u.role_label}{community}。{mode}")
        manage = a.can("accounts.manage")
        shown = {
            "password": not a.local,
            "switch": not a.local,
            "manage": manage,
            "enable": a.local and manage,
            "disable": not a.local and manage,
        }
        for key, b in self.account_buttons.items():
            b.setVisible(shown[key])

    def account_action(self, key: str) -> QWidget | None:
        """An 账户 button by name; returns the dialog it opened (tests drive it)."""
        desk, ops = self.desk, self.ops
        dialog: QWidget
        if key == "switch":
            self.switch_user_requested.emit()
            return None
        from ui.dialogs.accounts_dialog import AccountsDialog, EnableAccountsDialog
        from ui.dialogs.sign_in import ChangePasswordDialog

        if key == "password":
            pw = ChangePasswordDialog(self, desk, ops)
            pw.saved.connect(lambda _r: self.message.emit("密码已修改，下次登录请使用新密码"))
            dialog = pw
        elif key == "manage":
            accounts = AccountsDialog(desk, ops, self)
            accounts.message.connect(self.message)
            dialog = accounts
        elif key == "enable":
            enable = EnableAccountsDialog(self, desk, ops, access.of(desk).user)
            enable.saved.connect(self._accounts_on)
            dialog = enable
        else:
            if not confirm(self, "改回单机模式", "改回单机模式后，启动时不再需要登录，本机用户即管理员。"
                           "只适合一人使用的数据库。继续？"):  # fmt: skip
                return None
            ops.write(desk.disable_accounts, Changes(settings=True), lambda _r: self._mode_changed("已改回单机模式"),
                      label="正在保存设置…")  # fmt: skip
            return None
        self.account_dialog = dialog
        dialog.show()
        return dialog

    def _accounts_on(self, _user: object) -> None:
        self._mode_changed("已启用账户登录：以后每次启动都要登录")

    def _mode_changed(self, text: str) -> None:
        # The account and mode as they are now (read on the worker, like every other read).
        desk = self.desk
        self.ops.run(lambda: access.read(desk), lambda a: self._remember(a, text), label="正在读取账户…")

    def _remember(self, a: access.Access, text: str) -> None:
        access.remember(self.desk, a)
        self.update_account()
        self.account_changed.emit()
        self.message.emit(text)

    def refresh(self) -> None:
        desk = self.desk
        self.ops.run(desk.warning_days, self._show_days, label="正在读取设置…")
        self.ops.run(desk.community_uses, self._show_communities, label="正在读取社区…")
        self.ops.run(desk.documents, self._show_documents, label="正在读取设置…")

    # -- 简报和通知单
    def _show_documents(self, docs: Documents) -> None:
        self._documents = docs
        for key, edit in self.doc_fields.items():
            edit.setText(getattr(docs, key))
            edit.setEnabled(True)
        self.doc_save.setEnabled(False)

    def save_documents(self) -> None:
        desk, seen = self.desk, self._documents
        issuer, brief, notice = (self.doc_fields[k].text() for k in ("issuer", "brief_title", "notice_title"))
        self.doc_save.setEnabled(False)

        def saved(docs: Documents) -> None:
            self._show_documents(docs)
            self.doc_status.setText("已保存")
            self.message.emit(f"已保存：发文单位 {docs.issuer}")

        def failed(exc: BaseException) -> None:
            self.doc_status.setText("未保存：" + describe(exc))
            self.doc_save.setEnabled(True)
            conflict_ui.resolve(self, exc, lambda: self.ops.run(desk.documents, self._show_documents),
                                lambda: self.ops.run(desk.documents, overwrite))  # fmt: skip

        def overwrite(now: Documents) -> None:
            self._documents = now  # the fields keep mine
            self.save_documents()

        self.ops.write(lambda: desk.set_documents(issuer, brief, notice, expected=seen), Changes(settings=True),
                       saved, failed, label="正在保存设置…", show_errors=False, initiator=self)  # fmt: skip

    # -- 社区
    def _show_communities(self, uses: list[CommunityUse]) -> None:
        self.communities = uses
        chosen = self.chosen_community()
        self.community_list.clear()
        for u in uses:
            used = "、".join(x for x in (f"{u.sites} 个点位" if u.sites else "",
                                        f"{u.tally_entries} 条台账" if u.tally_entries else "") if x)  # fmt: skip
            item = QListWidgetItem(f"{u.name}（{used or '未使用'}）")
            item.setData(Qt.ItemDataRole.UserRole, u.id)
            self.community_list.addItem(item)
            if chosen is not None and u.id == chosen.id:
                self.community_list.setCurrentItem(item)

    def chosen_community(self) -> CommunityUse | None:
        item = self.community_list.currentItem()
        if item is None:
            return None
        ident = item.data(Qt.ItemDataRole.UserRole)
        return next((u for u in getattr(self, "communities", []) if u.id == ident), None)

    def _community_chosen(self) -> None:
        c = self.chosen_community()
        if c is not None:
            self.community_name.setText(c.name)

    def community_action(self, action: str) -> None:
        desk, name, c = self.desk, self.community_name.text(), self.chosen_community()
        if action == "add":
            fn: Callable[[], object] = lambda: desk.add_community(name)  # noqa: E731
            done = f"已新增社区：{name.strip()}"
        elif c is None:
            self.community_status.setText("请先在列表中选择一个社区")
            return
        elif action == "rename":
            self.rename_community(c.id, name, c.name)
            return
        else:
            if not confirm(self, "删除社区", f"删除社区“{c.name}”？"):
                return
            cid = c.id
            fn = lambda: desk.delete_community(cid)  # noqa: E731
            done = f"已删除社区：{c.name}"
        self.ops.write(fn, COMMUNITIES_CHANGED, lambda _r: self._community_done(done), self._community_failed,
                       label="正在保存社区…", show_errors=False, initiator=self)  # fmt: skip

    def rename_community(self, cid: int, name: str, seen: str) -> None:
        """`seen`: the name as loaded; a rename made elsewhere since asks (ui/conflict.py)."""
        desk = self.desk
        done = f"已将社区“{seen}”改名为“{name.strip()}”"

        def failed(exc: BaseException) -> None:
            self._community_failed(exc)
            read_now = lambda: self.ops.run(desk.community_uses, overwrite, label="正在读取社区…")  # noqa: E731
            conflict_ui.resolve(self, exc, self._reload_communities, read_now)

        def overwrite(uses: list[CommunityUse]) -> None:
            now = next((u for u in uses if u.id == cid), None)
            if now is None:
                self.community_status.setText("未保存：该社区已被其他人删除")
            else:
                self.rename_community(cid, name, now.name)

        self.ops.write(lambda: desk.rename_community(cid, name, expected_name=seen), COMMUNITIES_CHANGED,
                       lambda _r: self._community_done(done), failed,
                       label="正在保存社区…", show_errors=False, initiator=self)  # fmt: skip

    def _reload_communities(self) -> None:
        self.ops.run(self.desk.community_uses, self._show_communities, label="正在读取社区…")

    def _community_done(self, text: str) -> None:
        self.community_status.setText(text)
        self.message.emit(text)
        self._reload_communities()

    def _community_failed(self, exc: BaseException) -> None:
        self.community_status.setText("未保存：" + describe(exc))

    def show_audit(self) -> None:
        from ui.dialogs.audit_dialog import AuditDialog

        self.audit_dialog = AuditDialog(self.desk, self.ops, self)
        self.audit_dialog.show()

    def show_directory(self) -> None:
        self.directory_dialog = site_actions.open_directory(self, self.desk, self.ops)

    def _show_days(self, days: int) -> None:
        self._saved = days
        was = self.warning_days.blockSignals(True)
        self.warning_days.setValue(days)
        self.warning_days.blockSignals(was)
        self.warning_days.setEnabled(True)
        self.save_button.setEnabled(False)

    def _edited(self, value: int) -> None:
        self.save_button.setEnabled(value != self._saved)

    def save(self) -> None:
        days, desk, seen = self.warning_days.value(), self.desk, self._saved
        self.save_button.setEnabled(False)
        self.ops.write(
            lambda: desk.set_warning_days(days, expected=seen),
            SETTINGS_CHANGED,
            self._saved_days,
            self._days_failed,
            label="正在保存设置…",
            show_errors=False,
            initiator=self,
        )

    def _days_failed(self, exc: BaseException) -> None:
        self._edited(self.warning_days.value())
        desk = self.desk
        if conflict_ui.resolve(self, exc, lambda: self.ops.run(desk.warning_days, self._show_days),
                               lambda: self.ops.run(desk.warning_days, self._overwrite_days)) is None:  # fmt: skip
            show_error(self, describe(exc))

    def _overwrite_days(self, now: int) -> None:
        self._saved = now  # the spin box keeps mine
        self.save()

    def _saved_days(self, days: int) -> None:
        self._saved = days
        self._edited(self.warning_days.value())
        self.message.emit(f"已保存：临期提醒天数 {days} 天")

    def show_catalogue(self) -> None:
        self.ops.run(self.desk.metrics, self._show_catalogue, label="正在读取指标目录…")

    def _show_catalogue(self, metrics: list[MetricDTO]) -> None:
        from ui.dialogs.catalogue_dialog import CatalogueDialog

        self.catalogue_dialog = CatalogueDialog(self.desk, self.ops, metrics, self)
        self.catalogue_dialog.show()
