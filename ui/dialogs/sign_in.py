"""Signing in (issue 12): 登录 at start on a database with accounts, 建立管理员账户 on one that has no
administrator yet, and 修改密码 from the window.

The start dialogs run before the window exists (no worker yet): the attempt is one short call on the GUI
thread, as opening the database is. A refusal (wrong password, locked with the time left, disabled) stays
in the dialog in one red line; the password field is cleared for the next try.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.access import local_user
from ui.dialogs.write_dialog import WriteDialog
from ui.ops import Ops
from zhdesk.changes import Changes
from zhdesk.errors import ZhdeskError

if TYPE_CHECKING:
    from zhdesk.desk import Desk
    from zhdesk.dto import UserDTO

SIGN_IN_TITLE = "登录"
FIRST_ADMIN_TITLE = "建立管理员账户"
MISMATCH = "两次输入的密码不一致"
# A dialog's result when another workstation made the first administrator meanwhile: sign in instead.
SWITCH_TO_SIGN_IN = 2


def password_edit(name: str) -> QLineEdit:
    e = QLineEdit()
    e.setObjectName(name)
    e.setEchoMode(QLineEdit.EchoMode.Password)
    e.setMaxLength(128)
    return e


def text_edit(name: str, text: str = "", hint: str = "") -> QLineEdit:
    e = QLineEdit(text)
    e.setObjectName(name)
    e.setMaxLength(64)
    e.setPlaceholderText(hint)
    return e


class _StartDialog(QDialog):
    """A form, one red status line and 确定/取消; `attempt()` signs in or raises a ZhdeskError."""

    def __init__(self, desk: Desk, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.user: UserDTO | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.intro = QLabel()
        self.intro.setObjectName("sign_in_intro")
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.status = QLabel()
        self.status.setObjectName("sign_in_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("QLabel { color: #b00020; }")
        where = QLabel(f"数据库：{desk.location()}")
        where.setObjectName("sign_in_database")
        where.setWordWrap(True)
        where.setStyleSheet("QLabel { color: #5f6368; }")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("sign_in_ok")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addWidget(where)
        layout.addWidget(self.buttons)

    def attempt(self) -> UserDTO | None:
        """Sign in from the form; None when the form itself is incomplete (the status says why)."""
        raise NotImplementedError

    def refuse(self, message: str) -> None:
        self.status.setText(message)

    def refused(self, exc: ZhdeskError) -> None:
        self.refuse(exc.message)

    def submit(self) -> None:
        self.status.setText("")
        try:
            user = self.attempt()
        except ZhdeskError as exc:
            self.refused(exc)
            return
        if user is not None:
            self.user = user
            self.accept()


class SignInDialog(_StartDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None, login: str = "") -> None:
        super().__init__(desk, SIGN_IN_TITLE, "登录", parent)
        self.intro.setText("此数据库已启用账户登录，请输入用户名和密码。")
        self.login = text_edit("sign_in_login", login)
        self.password = password_edit("sign_in_password")
        self.form.addRow("用户名：", self.login)
        self.form.addRow("密码：", self.password)
        (self.password if login else self.login).setFocus()

    def attempt(self) -> UserDTO | None:
        login, password = self.login.text().strip(), self.password.text()
        if not login:
            self.refuse("请输入用户名")
            self.login.setFocus()
            return None
        if not password:
            self.refuse("请输入密码")
            self.password.setFocus()
            return None
        return self.desk.sign_in(login, password)

    def refused(self, exc: ZhdeskError) -> None:
        super().refused(exc)
        self.password.clear()
        self.password.setFocus()


class FirstAdminDialog(_StartDialog):
    """An accounts database without an administrator: the first one is made here, on purpose."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, FIRST_ADMIN_TITLE, "建立并登录", parent)
        self.intro.setText(
            "此数据库还没有管理员账户。请建立第一个管理员账户：管理员管理其他人的账户和各项设置，"
            "其他人的账户由管理员在“设置 → 账户管理”中建立。"
        )
        self.login = text_edit("admin_login", hint="登录用的名字，如 zhangsan")
        self.display_name = text_edit("admin_name", hint="显示在操作日志中，如 张三")
        self.password = password_edit("admin_password")
        self.password.setPlaceholderText("至少 8 个字符")
        self.confirm = password_edit("admin_confirm")
        self.form.addRow("用户名：", self.login)
        self.form.addRow("姓名：", self.display_name)
        self.form.addRow("密码：", self.password)
        self.form.addRow("确认密码：", self.confirm)
        self.login.setFocus()

    def attempt(self) -> UserDTO | None:
        values = account_form(self, self.login, self.display_name, self.password, self.confirm)
        if values is None:
            return None
        return self.desk.create_first_admin(*values)

    def refused(self, exc: ZhdeskError) -> None:
        try:
            taken = not self.desk.needs_first_admin()
        except ZhdeskError:
            taken = False
        if taken:  # another workstation was quicker: nobody else becomes admin, this one signs in
            self.done(SWITCH_TO_SIGN_IN)
            return
        super().refused(exc)


def account_form(
    dialog: _StartDialog | WriteDialog, login: QLineEdit, name: QLineEdit, password: QLineEdit, confirm: QLineEdit
) -> tuple[str, str, str] | None:
    """(login, display name, password) from a new account's fields, or None with the reason shown."""
    if not login.text().strip():
        dialog.refuse("请输入用户名")
        return None
    if not name.text().strip():
        dialog.refuse("请输入姓名")
        return None
    if password.text() != confirm.text():
        dialog.refuse(MISMATCH)
        confirm.clear()
        confirm.setFocus()
        return None
    return login.text().strip(), name.text().strip(), password.text()


def run_dialog(dialog: QDialog) -> int:
    """`exec` a start dialog (tests replace this to drive it without blocking)."""
    return dialog.exec()


def sign_in_at_start(desk: Desk, parent: QWidget | None = None, login: str = "") -> UserDTO | None:
    """The account this desk works as: local mode needs nothing; an accounts database asks for its first
    administrator or for a sign-in. None: the user cancelled (the app exits)."""
    if desk.auth_mode() != "accounts":
        return local_user(desk)
    if desk.needs_first_admin():
        first = FirstAdminDialog(desk, parent)
        result = run_dialog(first)
        first.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            return first.user
        if result != SWITCH_TO_SIGN_IN:
            return None
    dialog = SignInDialog(desk, parent, login)
    result = run_dialog(dialog)
    dialog.deleteLater()
    return dialog.user if result == QDialog.DialogCode.Accepted else None


class ChangePasswordDialog(WriteDialog):
    """修改密码 (own account): the old one, the new one twice."""

    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops) -> None:
        super().__init__(parent, ops, "修改密码", Changes())
        self.desk = desk
        form = QFormLayout()
        self.old = password_edit("old_password")
        self.new = password_edit("new_password")
        self.new.setPlaceholderText("至少 8 个字符")
        self.confirm = password_edit("confirm_password")
        form.addRow("原密码：", self.old)
        form.addRow("新密码：", self.new)
        form.addRow("确认新密码：", self.confirm)
        self.form_layout.addLayout(form)

    def work(self) -> Callable[[], Any] | None:
        old, new, desk = self.old.text(), self.new.text(), self.desk
        if not old:
            self.refuse("请输入原密码")
            return None
        if new != self.confirm.text():
            self.refuse(MISMATCH)
            return None
        return lambda: desk.change_password(old, new)
