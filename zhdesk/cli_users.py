"""Accounts on the command line (issue 12): signing in (`--user`, ZHDESK_USER / ZHDESK_PASSWORD),
`zhdesk user add|list|passwd|disable|enable|role` and `zhdesk accounts on|off|status`.

Passwords never travel as arguments (they would show in the process list and the shell history): they
are asked on the terminal (twice for a new one) or taken from the environment — ZHDESK_PASSWORD for
signing in, ZHDESK_NEW_PASSWORD for a new password. Registered by `zhdesk.cli.build_parser`; output and
exit codes as everywhere there."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from zhdesk.desk import Desk
from zhdesk.domain.roles import ROLE_LABELS
from zhdesk.dto import UserDTO
from zhdesk.errors import InputRefused, SignInRequired

USER_ENV = "ZHDESK_USER"
PASSWORD_ENV = "ZHDESK_PASSWORD"
NEW_PASSWORD_ENV = "ZHDESK_NEW_PASSWORD"
SIGN_IN_HINT = f"请加 --user 登录名（在终端中输入密码），或设置环境变量 {USER_ENV} 和 {PASSWORD_ENV}"


def _tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise InputRefused("未输入密码，已取消，未做任何改动") from None


def sign_in_password(login: str) -> str:
    """The password to sign `login` in: ZHDESK_PASSWORD, else asked on the terminal, else refused."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    if _tty():
        return _ask(f"“{login}”的密码：")
    raise InputRefused(f"未提供“{login}”的密码：请在终端中运行以输入密码，或设置环境变量 {PASSWORD_ENV}")


def new_password(what: str = "新密码") -> str:
    """A new password: ZHDESK_NEW_PASSWORD, else asked twice on the terminal, else refused."""
    given = os.environ.get(NEW_PASSWORD_ENV)
    if given is not None:
        return given
    if not _tty():
        raise InputRefused(f"未提供{what}：请在终端中运行以输入两次，或设置环境变量 {NEW_PASSWORD_ENV}，未做任何改动")
    first = _ask(f"{what}：")
    if _ask(f"再次输入{what}：") != first:
        raise InputRefused("两次输入的密码不一致，未做任何改动")
    return first


def authenticate(desk: Desk, user: str | None) -> None:
    """Sign the desk in as `--user` (or ZHDESK_USER) when its database uses accounts. A local database
    needs no sign-in: the OS user is its administrator, and a given login is not used."""
    login = (user if user is not None else os.environ.get(USER_ENV, "")).strip()
    if not login or desk.auth_mode() != "accounts":
        return
    desk.sign_in(login, sign_in_password(login))


def explain_sign_in(exc: SignInRequired) -> SignInRequired:
    """The refusal with what to do on the command line."""
    return SignInRequired(f"{exc.message}：{SIGN_IN_HINT}")


def _role(text: str) -> str:
    """A role by code (staff) or by its Chinese name (工作人员); the service refuses anything else."""
    value = text.strip()
    by_label = {label: code for code, label in ROLE_LABELS.items()}
    return by_label.get(value, value.lower() if value.isascii() else value)


def _line(u: UserDTO) -> str:
    parts = [u.login, u.display_name, u.role_label]
    if u.community:
        parts.append(f"限定社区：{u.community}")
    if u.disabled:
        parts.append("已停用")
    if u.locked_until is not None:
        parts.append(f"锁定至 {u.locked_until:%Y-%m-%d %H:%M}")
    if not u.has_password:
        parts.append("未设密码")
    return "  ".join(parts)


def cmd_user_add(desk: Desk, args: argparse.Namespace) -> int:
    desk.list_users()  # the role is checked (and a refusal audited) before a password is asked
    password = new_password("新账户的密码")
    user = desk.add_user(args.login, args.name, _role(args.role), password, args.community)
    print(f"已新增账户：{_line(user)}")
    return 0


def cmd_user_list(desk: Desk, args: argparse.Namespace) -> int:
    users = desk.list_users()
    if args.json:
        sys.stdout.write("[" + ",\n".join(_json(u) for u in users) + "]\n")
        return 0
    for u in users:
        print(_line(u))
    if not users:
        print("（还没有账户）")
    return 0


def _json(u: UserDTO) -> str:
    import json

    return json.dumps(u.to_json(), ensure_ascii=False)


def cmd_user_passwd(desk: Desk, args: argparse.Namespace) -> int:
    if desk.auth_mode() != "accounts":
        if not args.login:
            raise InputRefused("本机单人模式不使用密码；启用账户登录（zhdesk accounts on）后才能修改密码")
    elif not desk.signed_in:
        raise SignInRequired()
    target = (args.login or "").strip()
    if not target or (desk.signed_in and target == desk.user_login):
        old = os.environ.get(PASSWORD_ENV)
        if old is None:
            old = _ask("原密码：") if _tty() else ""
        desk.change_password(old, new_password())
        print(f"已修改“{desk.user_login}”的密码")
        return 0
    desk.list_users()  # as in user add: the role first
    desk.reset_password(target, new_password(f"“{target}”的新密码"))
    print(f"已重置“{target}”的密码（锁定已解除）")
    return 0


def cmd_user_disable(desk: Desk, args: argparse.Namespace) -> int:
    desk.set_user_disabled(args.login, True)
    print(f"已停用账户“{args.login.strip()}”")
    return 0


def cmd_user_enable(desk: Desk, args: argparse.Namespace) -> int:
    desk.set_user_disabled(args.login, False)
    print(f"已启用账户“{args.login.strip()}”")
    return 0


def cmd_user_role(desk: Desk, args: argparse.Namespace) -> int:
    user = desk.set_user_role(args.login, _role(args.role), args.community)
    print(f"已修改账户：{_line(user)}")
    return 0


def cmd_accounts(desk: Desk, args: argparse.Namespace) -> int:
    mode = desk.auth_mode()
    if args.switch == "status":
        if mode == "local":
            print("本机单人模式：无需登录，本机用户即管理员")
        elif desk.needs_first_admin():
            print("账户登录已启用，但还没有管理员：请运行 zhdesk accounts on --login 登录名 --name 姓名 创建")
        else:
            print("账户登录已启用：每次使用须登录")
        return 0
    if args.switch == "off":
        desk.disable_accounts()
        print("已关闭账户登录，改为本机单人模式（账户和密码保留，重新启用后可继续使用）")
        return 0
    if not args.login or not args.name:
        raise InputRefused("启用账户登录须给出管理员的登录名和姓名：zhdesk accounts on --login 登录名 --name 姓名")
    if mode == "accounts" and not desk.needs_first_admin():
        raise InputRefused("此数据库已启用账户登录，未做任何改动")
    password = new_password("管理员的密码")
    if mode == "accounts":
        user = desk.create_first_admin(args.login, args.name, password)
        print(f"已创建首个管理员：{_line(user)}")
    else:
        user = desk.enable_accounts(args.login, args.name, password)
        print(f"已启用账户登录，管理员：{_line(user)}；其他账户须由管理员设置密码后才能登录")
    return 0


def add_commands(sub: Any) -> None:
    roles = "、".join(f"{code}（{label}）" for code, label in ROLE_LABELS.items())
    us = sub.add_parser("user", help="账户：新增、列出、改密码、停用、启用、改角色（管理员）")
    usub = us.add_subparsers(dest="user_command", metavar="操作")
    usub.required = True
    ua = usub.add_parser("add", help=f"新增账户（密码在终端中输入两次，或用环境变量 {NEW_PASSWORD_ENV}）")
    ua.add_argument("login", metavar="LOGIN")
    ua.add_argument("--name", required=True, metavar="姓名")
    ua.add_argument("--role", required=True, metavar="ROLE", help=f"角色：{roles}")
    ua.add_argument("--community", metavar="社区", help="工作人员限定的社区")
    ua.set_defaults(func=cmd_user_add)
    ul = usub.add_parser("list", help="列出账户")
    ul.add_argument("--json", action="store_true")
    ul.set_defaults(func=cmd_user_list)
    up = usub.add_parser("passwd", help="修改本人密码；管理员给出 LOGIN 时重置该账户的密码并解除锁定")
    up.add_argument("login", nargs="?", metavar="LOGIN")
    up.set_defaults(func=cmd_user_passwd)
    ud = usub.add_parser("disable", help="停用账户（不能停用唯一的管理员）")
    ud.add_argument("login", metavar="LOGIN")
    ud.set_defaults(func=cmd_user_disable)
    ue = usub.add_parser("enable", help="重新启用账户")
    ue.add_argument("login", metavar="LOGIN")
    ue.set_defaults(func=cmd_user_enable)
    ur = usub.add_parser("role", help="修改账户角色（工作人员可限定社区）")
    ur.add_argument("login", metavar="LOGIN")
    ur.add_argument("role", metavar="ROLE", help=f"角色：{roles}")
    ur.add_argument("--community", metavar="社区")
    ur.set_defaults(func=cmd_user_role)

    ac = sub.add_parser("accounts", help="账户登录：on 启用（或创建首个管理员）、off 关闭（本机单人模式）、status 查看")
    ac.add_argument("switch", choices=("on", "off", "status"), metavar="on|off|status")
    ac.add_argument("--login", metavar="LOGIN", help="on：管理员的登录名")
    ac.add_argument("--name", metavar="姓名", help="on：管理员的姓名")
    ac.set_defaults(func=cmd_accounts)
