"""账户管理 (设置 → 账户管理…, administrators only): every account with its role, community and state;
新增账户, 重置密码, 停用/启用, 修改角色. The core checks each of them again (a refusal — the last
administrator, a weak password — is the app's usual Chinese message, never a traceback); the table
reloads after every write. Also 启用账户登录 (a local database switches to accounts, its administrator
gets a password) — the dialog of the same frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.sign_in import MISMATCH, account_form, password_edit, text_edit
from ui.dialogs.write_dialog import WriteDialog
from ui.ops import Ops, confirm
from zhdesk.changes import Changes
from zhdesk.domain import roles

if TYPE_CHECKING:
    from zhdesk.desk import Desk
    from zhdesk.dto import UserDTO

HEADERS = ("用户名", "姓名", "角色", "所属社区", "状态")
NO_COMMUNITY = "（不限社区）"
# Account writes show on no page but this dialog (it reloads itself).
ACCOUNTS_CHANGED = Changes()


def state_text(u: UserDTO, now: dt.datetime | None = None) -> str:
    """正常 / 已停用 / 已锁定至 HH:MM (a lock that has run out is 正常) / 未设密码 (an account from before
    accounts, e.g. a local install's OS user: it cannot sign in until an administrator resets it)."""
    if u.disabled:
        return "已停用"
    until = u.locked_until
    if until is not None:
        current = now or (dt.datetime.now(until.tzinfo) if until.tzinfo else dt.datetime.now())
        if until > current:
            local = until.astimezone() if until.tzinfo else until
            return f"已锁定至 {local:%H:%M}"
    return "正常" if u.has_password else "未设密码（不能登录）"


def role_combo(name: str, role: str = "staff") -> QComboBox:
    c = QComboBox()
    c.setObjectName(name)
    for code, label in roles.ROLE_LABELS.items():
        c.addItem(label, code)
    c.setCurrentIndex(max(0, c.findData(role)))
    return c


def community_combo(name: str, communities: list[str], current: str | None = None) -> QComboBox:
    c = QComboBox()
    c.setObjectName(name)
    c.addItem(NO_COMMUNITY, None)
    for n in communities:
        c.addItem(n, n)
    if current:
        if c.findData(current) < 0:
            c.addItem(current, current)
        c.setCurrentIndex(c.findData(current))
    c.setToolTip("工作人员可限定在一个社区：只能记录、导入该社区点位的事件、照片和台账")
    return c


def _follow_role(role: QComboBox, community: QComboBox) -> None:
    """Only a community-bound role (工作人员) has a community."""

    def update() -> None:
        bound = role.currentData() in roles.COMMUNITY_BOUND
        community.setEnabled(bound)
        if not bound:
            community.setCurrentIndex(0)

    role.currentIndexChanged.connect(lambda _i: update())
    update()


class AddUserDialog(WriteDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, communities: list[str]) -> None:
        super().__init__(parent, ops, "新增账户", ACCOUNTS_CHANGED)
        self.desk = desk
        self.login = text_edit("new_login", hint="登录用的名字，如 lisi")
        self.display_name = text_edit("new_name", hint="如 李四")
        self.role = role_combo("new_role")
        self.community = community_combo("new_community", communities)
        _follow_role(self.role, self.community)
        self.password = password_edit("new_password")
        self.password.setPlaceholderText("至少 8 个字符；请当面告知本人，首次登录后自行修改")
        self.confirm = password_edit("new_confirm")
        form = QFormLayout()
        form.addRow("用户名：", self.login)
        form.addRow("姓名：", self.display_name)
        form.addRow("角色：", self.role)
        form.addRow("所属社区：", self.community)
        form.addRow("初始密码：", self.password)
        form.addRow("确认密码：", self.confirm)
        self.form_layout.addLayout(form)

    def work(self) -> Callable[[], Any] | None:
        values = account_form(self, self.login, self.display_name, self.password, self.confirm)
        if values is None:
            return None
        login, name, password = values
        role, community, desk = self.role.currentData(), self.community.currentData(), self.desk
        return lambda: desk.add_user(login, name, role, password, community)


class ResetPasswordDialog(WriteDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, user: UserDTO) -> None:
        super().__init__(parent, ops, f"重置密码：{user.display_name}（{user.login}）", ACCOUNTS_CHANGED)
        self.desk, self.login = desk, user.login
        note = QLabel("新密码请当面告知本人；重置同时解除锁定。")
        note.setWordWrap(True)
        self.password = password_edit("reset_password")
        self.password.setPlaceholderText("至少 8 个字符")
        self.confirm = password_edit("reset_confirm")
        form = QFormLayout()
        form.addRow(note)
        form.addRow("新密码：", self.password)
        form.addRow("确认新密码：", self.confirm)
        self.form_layout.addLayout(form)

    def work(self) -> Callable[[], Any] | None:
        if self.password.text() != self.confirm.text():
            self.refuse(MISMATCH)
            return None
        login, password, desk = self.login, self.password.text(), self.desk
        return lambda: desk.reset_password(login, password)


class RoleDialog(WriteDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, user: UserDTO, communities: list[str]) -> None:
        super().__init__(parent, ops, f"修改角色：{user.display_name}（{user.login}）", ACCOUNTS_CHANGED)
        self.desk, self.login = desk, user.login
        self.role = role_combo("change_role", user.role)
        self.community = community_combo("change_community", communities, user.community)
        _follow_role(self.role, self.community)
        form = QFormLayout()
        form.addRow("角色：", self.role)
        form.addRow("所属社区：", self.community)
        self.form_layout.addLayout(form)

    def work(self) -> Callable[[], Any] | None:
        login, role, community, desk = self.login, self.role.currentData(), self.community.currentData(), self.desk
        return lambda: desk.set_user_role(login, role, community)


class EnableAccountsDialog(WriteDialog):
    """启用账户登录: this local database's administrator gets a password; from then on everyone signs in."""

    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops, me: UserDTO) -> None:
        super().__init__(parent, ops, "启用账户登录", Changes(settings=True))
        self.desk = desk
        intro = QLabel(
            "启用后，每次启动都要登录；本机当前用户成为管理员账户，请为它设置密码。"
            "其他人的账户在“账户管理”中建立。可随时改回单机模式。"
        )
        intro.setWordWrap(True)
        self.login = text_edit("enable_login", me.login)
        self.display_name = text_edit("enable_name", me.display_name)
        self.password = password_edit("enable_password")
        self.password.setPlaceholderText("至少 8 个字符")
        self.confirm = password_edit("enable_confirm")
        form = QFormLayout()
        form.addRow(intro)
        form.addRow("管理员用户名：", self.login)
        form.addRow("姓名：", self.display_name)
        form.addRow("密码：", self.password)
        form.addRow("确认密码：", self.confirm)
        self.form_layout.addLayout(form)
        self.buttons.button(self.buttons.StandardButton.Save).setText("启用")

    def work(self) -> Callable[[], Any] | None:
        values = account_form(self, self.login, self.display_name, self.password, self.confirm)
        if values is None:
            return None
        desk = self.desk
        return lambda: desk.enable_accounts(*values)


class AccountsDialog(QDialog):
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.ops = desk, ops
        self.users: list[UserDTO] = []
        self.community_names: list[str] = []
        self.child: QDialog | None = None
        self.setWindowTitle("账户管理")
        self.resize(900, 520)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for i in range(len(HEADERS) - 1):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, tip in (
            ("add", "新增账户…", "建立一个账户：用户名、姓名、角色、所属社区和初始密码"),
            ("reset", "重置密码…", "为所选账户设置新密码，并解除锁定"),
            ("disable", "停用", "停用后该账户不能登录；操作日志中的记录保留"),
            ("role", "修改角色…", "修改所选账户的角色和所属社区"),
        ):
            b = QPushButton(text)
            b.setObjectName(f"accounts_{key}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, k=key: self.act(k))
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        roles_note = QLabel(
            "管理员：全部操作、账户和设置；领导：查看全部、会议简报、批示备注；简报编制：简报、督办通报、点位和挂牌；"
            "工作人员：台账导入、事件和照片（可限定所属社区）。"
        )
        roles_note.setWordWrap(True)
        roles_note.setStyleSheet("QLabel { color: #5f6368; }")
        self.status = QLabel("")
        self.status.setObjectName("accounts_status")
        layout = QVBoxLayout(self)
        layout.addWidget(roles_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self._update_buttons()
        self.refresh()
        ops.run(lambda: [c.name for c in desk.communities()], self._communities, label="正在读取社区…")

    def _communities(self, names: list[str]) -> None:
        self.community_names = names

    def refresh(self) -> int:
        self.status.setText("正在读取…")
        return self.ops.run(self.desk.list_users, self.show_users, lambda _e: self.status.setText("读取失败"),
                            label="正在读取账户…")  # fmt: skip

    def show_users(self, users: list[UserDTO]) -> None:
        chosen = self.selected()
        self.users = users
        self.table.setRowCount(len(users))
        for i, u in enumerate(users):
            cells = (u.login, u.display_name, u.role_label, u.community or "", state_text(u))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u.login)
                self.table.setItem(i, j, item)
            if chosen is not None and u.login == chosen.login:
                self.table.selectRow(i)
        self.status.setText(f"共 {len(users)} 个账户")
        self._update_buttons()

    def selected(self) -> UserDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        login = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((u for u in self.users if u.login == login), None)

    def select(self, login: str) -> None:
        for i, u in enumerate(self.users):
            if u.login == login:
                self.table.selectRow(i)

    def _update_buttons(self) -> None:
        u = self.selected()
        for key in ("reset", "disable", "role"):
            self.buttons[key].setEnabled(u is not None)
        self.buttons["disable"].setText("启用" if u is not None and u.disabled else "停用")

    def act(self, key: str) -> QDialog | None:
        """A button by name; returns the form it opened (tests drive it)."""
        u, desk = self.selected(), self.desk
        if key == "add":
            return self._open(AddUserDialog(self, desk, self.ops, self.community_names), "已新增账户")
        if u is None:
            return None
        if key == "reset":
            return self._open(ResetPasswordDialog(self, desk, self.ops, u), f"已重置 {u.login} 的密码")
        if key == "role":
            return self._open(RoleDialog(self, desk, self.ops, u, self.community_names), f"已修改 {u.login} 的角色")
        disable = not u.disabled
        verb = "停用" if disable else "启用"
        if not confirm(self, f"{verb}账户", f"{verb}账户“{u.display_name}（{u.login}）”？"):
            return None
        login = u.login
        self.ops.write(lambda: desk.set_user_disabled(login, disable), ACCOUNTS_CHANGED,
                       lambda _r: self._done(f"已{verb}账户 {login}"), label="正在保存账户…")  # fmt: skip
        return None

    def _open(self, dialog: WriteDialog, done: str) -> WriteDialog:
        dialog.saved.connect(lambda _r: self._done(done))
        dialog.finished.connect(dialog.deleteLater)
        self.child = dialog
        dialog.open()
        return dialog

    def _done(self, text: str) -> None:
        self.message.emit(text)
        self.refresh()
