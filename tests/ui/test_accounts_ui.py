"""Accounts in the window (issue 12): sign-in and the first administrator at start, 修改密码/切换用户,
设置 → 账户管理, and every page hiding or disabling what the signed-in role cannot do — with the core's
refusal sentence, the same one the services raise."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from tests.support import copy_database, dump
from tests.ui.conftest import DESK_WRITES, Dialogs, wait_idle
from ui import access
from ui import app as app_module
from ui.app import Launcher, main
from ui.dialogs import sign_in as sign_in_module
from ui.dialogs.accounts_dialog import AccountsDialog, AddUserDialog, ResetPasswordDialog, RoleDialog, state_text
from ui.dialogs.sign_in import MISMATCH, FirstAdminDialog, SignInDialog
from ui.main_window import MainWindow
from ui.pages.dashboard import DashboardView
from zhdesk.desk import Desk
from zhdesk.domain import roles
from zhdesk.errors import InputRefused

PW = "mima-2026-ok"
USE_CASES = Desk.use_cases()  # before the autouse fixture wraps the writes
UI_ROOT = Path(__file__).resolve().parents[2] / "ui"

# Who the accounts database holds (besides the administrator who enabled accounts).
ACCOUNTS = {
    "leader": ("lingdao", "王领导"),
    "preparer": ("bianzhi", "李编制"),
    "staff": ("gongzuo", "赵工作"),
}
ADMIN = ("guanli", "张管理")


def _url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture
def accounts_url(_demo_template: Path, tmp_path: Path) -> str:
    """A copy of the demo with accounts switched on: an administrator, a leader, a preparer and a staff
    account bound to the first community."""
    copy_database(_demo_template, tmp_path / "acc.db")
    url = _url(tmp_path / "acc.db")
    desk = Desk.open(url)
    try:
        desk.enable_accounts(ADMIN[0], ADMIN[1], PW)
        home = next(r.community for r in desk.list_sites() if r.status not in (None, "closed"))
        for role, (login, name) in ACCOUNTS.items():
            desk.add_user(login, name, role, PW, home if role == "staff" else None)
    finally:
        desk.close()
    return url


@pytest.fixture
def signed(accounts_url: str) -> Iterator[Callable[[str], Desk]]:
    """A desk on the accounts database signed in as the given role's account."""
    opened: list[Desk] = []

    def as_role(role: str) -> Desk:
        login = ADMIN[0] if role == "admin" else ACCOUNTS[role][0]
        d = Desk.open(accounts_url)
        d.sign_in(login, PW)
        opened.append(d)
        return d

    yield as_role
    for d in opened:
        d.close()


def open_window(qtbot: QtBot, desk: Desk) -> MainWindow:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    wait_idle(qtbot, w.ops)
    return w


def drive(monkeypatch: pytest.MonkeyPatch, *steps: Callable[[QDialog], None]) -> list[QDialog]:
    """Replace the start dialogs' exec: each dialog shown runs the next step; returns the dialogs seen."""
    seen: list[QDialog] = []

    def run(dialog: QDialog) -> int:
        steps[len(seen)](dialog)
        seen.append(dialog)
        return dialog.result()

    monkeypatch.setattr(sign_in_module, "run_dialog", run)
    return seen


def capture_window(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_exec(*_args: Any) -> int:
        [w] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        wait_idle(qtbot, w.ops)
        seen["window"] = w
        seen["user"] = w.user_label.text()
        seen["import_hidden"] = w.tallies.import_button.isHidden()
        return 0

    monkeypatch.setattr(app_module.QApplication, "exec", fake_exec)
    return seen


def sign_in_as(login: str, password: str = PW) -> Callable[[QDialog], None]:
    def step(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        dialog.login.setText(login)
        dialog.password.setText(password)
        dialog.ok_button.click()

    return step


# ---------------------------------------------------------------- start


def test_local_database_opens_without_a_dialog_and_says_who(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(tmp_path / "local.db")
    Desk.open(url).close()
    before = dump(url)
    shown = drive(monkeypatch)  # any dialog would fail: no steps
    seen = capture_window(monkeypatch, qtbot)
    assert main(["--db", url]) == 0
    assert shown == []
    assert seen["user"].endswith("· 管理员（单机模式）")
    assert dump(url) == before  # knowing who works wrote nothing
    seen["window"].deleteLater()


def test_sign_in_wrong_password_stays_then_signs_in(
    qtbot: QtBot, accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []

    def wrong_then_right(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        assert dialog.windowTitle() == "登录"
        dialog.ok_button.click()  # nothing typed
        said.append(dialog.status.text())
        dialog.login.setText(ACCOUNTS["leader"][0])
        dialog.password.setText("not-the-password")
        dialog.ok_button.click()
        said.append(dialog.status.text())
        assert dialog.result() != QDialog.DialogCode.Accepted and dialog.password.text() == ""
        dialog.password.setText(PW)
        dialog.ok_button.click()

    drive(monkeypatch, wrong_then_right)
    seen = capture_window(monkeypatch, qtbot)
    assert main(["--db", accounts_url]) == 0
    assert said[0] == "请输入用户名"
    assert said[1] and re.search(r"[\u4e00-\u9fff]", said[1]) and "Traceback" not in said[1]
    assert seen["user"] == "王领导 · 领导"
    assert seen["import_hidden"]  # a leader imports no tallies
    seen["window"].deleteLater()


def test_lock_out_shows_the_time_left_in_the_dialog(
    qtbot: QtBot, accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []

    def hammer(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        for _ in range(6):
            dialog.login.setText(ACCOUNTS["staff"][0])
            dialog.password.setText("wrong-wrong")
            dialog.ok_button.click()
            said.append(dialog.status.text())
        dialog.password.setText(PW)  # even the right password now: locked
        dialog.ok_button.click()
        said.append(dialog.status.text())
        dialog.reject()

    drive(monkeypatch, hammer)
    assert main(["--db", accounts_url]) == 0  # 取消 exits cleanly
    assert "锁定" in said[-1] and "分钟" in said[-1]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_cancel_at_sign_in_exits_with_0_and_no_window(
    qtbot: QtBot, accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drive(monkeypatch, lambda d: d.reject())
    assert main(["--db", accounts_url]) == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_first_start_on_an_empty_server_database_asks_for_the_administrator(
    qtbot: QtBot, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []

    def make_admin(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstAdminDialog)
        assert "还没有管理员" in dialog.intro.text()
        dialog.login.setText("zhangsan")
        dialog.display_name.setText("张三")
        dialog.password.setText(PW)
        dialog.confirm.setText(PW + "x")
        dialog.ok_button.click()
        said.append(dialog.status.text())
        dialog.password.setText("short")
        dialog.confirm.setText("short")
        dialog.ok_button.click()  # the core's password rule, in the dialog
        said.append(dialog.status.text())
        dialog.password.setText(PW)
        dialog.confirm.setText(PW)
        dialog.ok_button.click()

    drive(monkeypatch, make_admin)
    seen = capture_window(monkeypatch, qtbot)
    assert main(["--db", pg_url]) == 0
    assert said[0] == MISMATCH
    assert said[1] and said[1] != MISMATCH
    assert seen["user"] == "张三 · 管理员"
    seen["window"].deleteLater()
    again = Desk.open(pg_url)
    try:
        assert not again.needs_first_admin()  # and nobody else becomes admin by opening it now
    finally:
        again.close()


def test_first_admin_made_elsewhere_meanwhile_turns_into_sign_in(
    qtbot: QtBot, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Desk.open(pg_url)

    def too_late(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstAdminDialog)
        other.create_first_admin("lisi", "李四", PW)  # another workstation was quicker
        dialog.login.setText("zhangsan")
        dialog.display_name.setText("张三")
        dialog.password.setText(PW)
        dialog.confirm.setText(PW)
        dialog.ok_button.click()

    try:
        shown = drive(monkeypatch, too_late, sign_in_as("lisi"))
        seen = capture_window(monkeypatch, qtbot)
        assert main(["--db", pg_url]) == 0
        assert [type(d) for d in shown] == [FirstAdminDialog, SignInDialog]
        assert seen["user"] == "李四 · 管理员"
        seen["window"].deleteLater()
    finally:
        other.close()


def test_switch_user_reopens_the_window_for_the_new_role(
    qtbot: QtBot, signed: Callable[[str], Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = signed("admin")
    launcher = Launcher(None)
    old = launcher.start(desk)
    launcher.show()
    wait_idle(qtbot, old.ops)
    old_ops = old.ops
    assert old.user_label.text() == f"{ADMIN[1]} · 管理员"
    assert not old.settings_page.account_buttons["manage"].isHidden()
    drive(monkeypatch, sign_in_as(ACCOUNTS["staff"][0]))
    old._fill_user_menu()  # the status bar's name opens the same actions as 设置 → 账户
    menu = {a.objectName(): a for a in old.user_menu.actions() if a.objectName()}
    assert set(menu) == {"user_menu_password", "user_menu_switch", "user_menu_manage", "user_menu_disable"}
    menu["user_menu_switch"].trigger()
    new = launcher.window
    assert new is not None and new is not old
    qtbot.addWidget(new)
    wait_idle(qtbot, new.ops)
    assert new.user_label.text() == f"{ACCOUNTS['staff'][1]} · 工作人员"
    assert new.settings_page.account_buttons["manage"].isHidden()  # staff: no 账户管理
    assert not new.tallies.import_button.isHidden()
    assert old_ops.closed
    qtbot.waitUntil(lambda: not shiboken6.isValid(old))  # closed and deleted
    launcher.close()


def test_switch_user_cancelled_closes_the_window(
    qtbot: QtBot, signed: Callable[[str], Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = signed("leader")
    launcher = Launcher(None)
    old = launcher.start(desk)
    launcher.show()
    wait_idle(qtbot, old.ops)
    old_ops = old.ops
    drive(monkeypatch, lambda d: d.reject())
    assert launcher.switch_user() is False
    assert launcher.window is None and old_ops.closed and not old.isVisible()
    assert not desk.signed_in
    launcher.close()


# ---------------------------------------------------------------- 修改密码, 账户管理


def test_change_password_from_settings(qtbot: QtBot, signed: Callable[[str], Desk], accounts_url: str) -> None:
    w = open_window(qtbot, signed("preparer"))
    page = w.settings_page
    assert not page.account_buttons["password"].isHidden() and page.account_buttons["manage"].isHidden()
    dlg = page.account_action("password")
    assert dlg is not None
    dlg.old.setText("wrong-old-password")  # type: ignore[attr-defined]
    dlg.new.setText(PW + "2")  # type: ignore[attr-defined]
    dlg.confirm.setText(PW + "2")  # type: ignore[attr-defined]
    dlg.save()  # type: ignore[attr-defined]
    wait_idle(qtbot, w.ops)
    assert dlg.isVisible() and dlg.last_error  # type: ignore[attr-defined]
    dlg.old.setText(PW)  # type: ignore[attr-defined]
    dlg.save()  # type: ignore[attr-defined]
    wait_idle(qtbot, w.ops)
    assert not dlg.isVisible()
    assert "密码已修改" in w.statusBar().currentMessage()
    again = Desk.open(accounts_url)
    try:
        assert again.sign_in(ACCOUNTS["preparer"][0], PW + "2").role == "preparer"
    finally:
        again.close()
    w.close()


def test_accounts_dialog_add_reset_disable_role_and_refusals(
    qtbot: QtBot, signed: Callable[[str], Desk], dialogs: Dialogs
) -> None:
    w = open_window(qtbot, signed("admin"))
    dlg = w.settings_page.account_action("manage")
    assert isinstance(dlg, AccountsDialog)
    qtbot.addWidget(dlg)
    wait_idle(qtbot, w.ops)
    assert dlg.table.rowCount() >= 4
    logins = [dlg.table.item(i, 0).text() for i in range(dlg.table.rowCount())]
    assert {ADMIN[0], *(v[0] for v in ACCOUNTS.values())} <= set(logins)

    add = dlg.act("add")
    assert isinstance(add, AddUserDialog)
    add.login.setText("xinren")
    add.display_name.setText("钱新人")
    add.role.setCurrentIndex(add.role.findData("staff"))
    add.community.setCurrentIndex(1)
    community = add.community.itemText(1)
    add.password.setText("short")
    add.confirm.setText("short")
    add.save()
    wait_idle(qtbot, w.ops)
    assert add.isVisible() and add.last_error  # the core's password rule, one Chinese line
    add.password.setText(PW)
    add.confirm.setText(PW)
    add.save()
    wait_idle(qtbot, w.ops)
    row = next(u for u in dlg.users if u.login == "xinren")
    assert row.role == "staff" and row.community == community and state_text(row) == "正常"

    dlg.select("xinren")
    reset = dlg.act("reset")
    assert isinstance(reset, ResetPasswordDialog)
    reset.password.setText(PW + "9")
    reset.confirm.setText(PW + "9")
    done: list[object] = []
    reset.saved.connect(done.append)
    reset.save()
    wait_idle(qtbot, w.ops)
    assert done  # saved and closed

    dlg.select("xinren")
    role = dlg.act("role")
    assert isinstance(role, RoleDialog)
    role.role.setCurrentIndex(role.role.findData("leader"))
    assert not role.community.isEnabled()  # only staff has a community
    role.save()
    wait_idle(qtbot, w.ops)
    assert next(u for u in dlg.users if u.login == "xinren").role == "leader"

    dlg.select("xinren")
    assert dlg.buttons["disable"].text() == "停用"
    dlg.act("disable")
    wait_idle(qtbot, w.ops)
    assert state_text(next(u for u in dlg.users if u.login == "xinren")) == "已停用"
    dlg.select("xinren")
    assert dlg.buttons["disable"].text() == "启用"

    dlg.select(ADMIN[0])  # the last administrator cannot be disabled
    dlg.act("disable")
    wait_idle(qtbot, w.ops)
    [refusal] = dialogs.texts("warning")
    assert re.search(r"[\u4e00-\u9fff]", refusal) and "Traceback" not in refusal and "Error" not in refusal
    assert state_text(next(u for u in dlg.users if u.login == ADMIN[0])) == "正常"
    dlg.close()
    w.close()


def test_local_database_switches_to_accounts_and_back(qtbot: QtBot, ui_desk: Desk, dialogs: Dialogs) -> None:
    w = open_window(qtbot, ui_desk)
    page = w.settings_page
    shown = {k: not b.isHidden() for k, b in page.account_buttons.items()}
    assert shown == {"password": False, "switch": False, "manage": True, "enable": True, "disable": False}
    enable = page.account_action("enable")
    assert enable is not None
    enable.password.setText(PW)  # type: ignore[attr-defined]
    enable.confirm.setText(PW)  # type: ignore[attr-defined]
    enable.save()  # type: ignore[attr-defined]
    wait_idle(qtbot, w.ops)
    assert ui_desk.auth_mode() == "accounts" and ui_desk.signed_in
    assert "单机模式" not in w.user_label.text() and w.user_label.text().endswith("· 管理员")
    assert not page.account_buttons["disable"].isHidden() and page.account_buttons["enable"].isHidden()
    page.account_action("disable")  # dialogs.answer: yes
    wait_idle(qtbot, w.ops)
    assert ui_desk.auth_mode() == "local"
    assert w.user_label.text().endswith("（单机模式）")
    w.close()


# ---------------------------------------------------------------- what each role sees

# The write use cases the window reaches, with the action it gates them by (ui/access.gate calls).
_GATED_BY: dict[str, tuple[str, ...]] = {
    "sites.edit": ("add_site", "edit_site", "list_site", "change_status", "extend_deadline", "issue_notices",
                   "site_import"),
    "bulletins.edit": ("create_batch", "add_items", "close_item", "set_deferred", "set_figure"),
    "tallies.import": ("tally_import", "tally_undo"),
    "catalogue.edit": ("save_metric", "add_metric_synonym"),
    "directory.edit": ("save_person", "save_unit", "delete_person", "delete_unit", "add_community",
                       "rename_community", "delete_community"),
    "settings.edit": ("set_warning_days", "set_documents"),
    "briefs.write": ("save_brief",),
    "comments.add": ("add_event", "edit_event", "delete_event"),  # other kinds than 备注 need events.edit too
    "events.edit": ("add_photos", "update_photo", "delete_photo"),
    "accounts.manage": ("add_user", "reset_password", "set_user_disabled", "set_user_role"),
}  # fmt: skip
UI_GATES = {name: action for action, names in _GATED_BY.items() for name in names}


def test_every_write_the_window_reaches_is_gated_by_the_action_the_core_requires() -> None:
    from zhdesk.services.authz import required_action

    source = "\n".join(p.read_text(encoding="utf-8") for p in UI_ROOT.rglob("*.py"))
    reached = {n for n in DESK_WRITES if re.search(rf"\bdesk\.{n}\(", source)}
    assert reached - set(UI_GATES) == set(), "a write the window reaches is not gated"
    for name, action in UI_GATES.items():
        assert required_action(USE_CASES[name].fn) == action, name


@pytest.mark.parametrize("role", ["admin", "leader", "preparer", "staff"])
def test_each_role_sees_only_what_it_may_do(qtbot: QtBot, signed: Callable[[str], Desk], role: str) -> None:
    desk = signed(role)
    w = open_window(qtbot, desk)
    may = roles.MATRIX[role]
    name = ADMIN[1] if role == "admin" else ACCOUNTS[role][1]
    assert w.user_label.text() == f"{name} · {roles.ROLE_LABELS[role]}"

    hidden = {
        "新增点位": (w.listings.new_site_button, "sites.edit"),
        "超期通知单": (w.listings.notice_button, "sites.edit"),
        "导入台账": (w.tallies.import_button, "tallies.import"),
        "录入数字化城管件": (w.overview.findChild(DashboardView).city_link, "bulletins.edit"),  # (built on first use)
    }
    for label, (widget, action) in hidden.items():
        assert widget.isHidden() == (action not in may), label
        if action not in may:
            assert widget.toolTip() == roles.refusal(role, action)

    disabled = {
        "新建一期": (w.bulletins.new_button, "bulletins.edit"),
        "编辑点位": (w.listings.panel.registry_buttons["edit"], "sites.edit"),
        "档案编辑点位": (w.dossier.registry_buttons["edit"], "sites.edit"),
        "临期提醒天数": (w.settings_page.save_button, "settings.edit"),
        "社区新增": (w.settings_page.community_buttons["add"], "directory.edit"),
        "操作日志": (w.settings_page.audit_button, "audit.view"),
        "保存简报PDF": (w.brief.save_button, "briefs.write"),
    }
    for label, (widget, action) in disabled.items():
        if action in may:
            assert widget.property(access.REFUSED) is None, label
        else:
            assert not widget.isEnabled(), label
            assert widget.toolTip() == roles.refusal(role, action), label
            widget.setEnabled(True)  # a page's own enabling cannot undo the refusal
            assert not widget.isEnabled(), label

    settings = w.settings_page.account_buttons
    assert settings["manage"].isHidden() == (role != "admin")
    w._fill_user_menu()
    assert ("账户管理…" in [a.text() for a in w.user_menu.actions()]) == (role == "admin")
    assert not settings["password"].isHidden() and not settings["switch"].isHidden()

    # The workflow buttons of a listed site: only who may edit listings can press them.
    w.listings.select_site(next(r.id for r in w.listings.model.rows() if r.status_label == "整改中"))
    wait_idle(qtbot, w.ops)
    buttons = w.listings.panel.transition_buttons()
    assert buttons and all(b.isEnabled() == ("sites.edit" in may) for b in buttons.values())
    w.close()


def test_staff_bound_to_a_community_changes_only_its_sites(
    qtbot: QtBot, signed: Callable[[str], Desk]
) -> None:
    desk = signed("staff")
    w = open_window(qtbot, desk)
    home = desk.me().community
    assert home
    rows = w.listings.model.rows()
    mine = next(r for r in rows if r.community == home)
    theirs = next(r for r in rows if r.community != home)
    tabs = w.listings.site_tabs
    for row, allowed in ((mine, True), (theirs, False)):
        tabs.set_site(row)
        for b in (tabs.timeline.record_button, tabs.photos.add_files_button, tabs.photos.add_folder_button):
            assert b.isEnabled() == allowed, (row.community, b.text())
        if not allowed:
            tip = tabs.timeline.record_button.toolTip()
            assert home in tip and row.community in tip
            assert tabs.timeline.record_event() is None
            assert tabs.photos.add_paths([Path("x.jpg")]) is False
    # And the core refuses it anyway.
    with pytest.raises(InputRefused, match=home):
        desk.add_event(theirs.id, "inspection", dt.date.today(), text="不该写进去")
    w.close()
