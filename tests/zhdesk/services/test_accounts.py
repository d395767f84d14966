"""Accounts (issue 12): the two modes, the first administrator, sign-in with lock-out, passwords never in
clear, account management and its guard rails; on both engines where the engine matters."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from db.engine import make_engine
from db.models import AuditEntry, User
from tests.support import ADMIN_PASSWORD, table_dump
from zhdesk.desk import Desk
from zhdesk.errors import Forbidden, InputRefused, NotFound, SignInRefused, SignInRequired
from zhdesk.services import accounts
from zhdesk.services.common import os_login

SECRET = "机密口令-Zx9!qq"


def _accounts_url(request: pytest.FixtureRequest, tmp_path: Path, engine: str) -> str:
    """An empty database in accounts mode: PostgreSQL by default, SQLite switched by its setting."""
    if engine == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        Desk.open(url).close()  # migrated, as the first start leaves it
        return url
    url = f"sqlite:///{(tmp_path / 'a.db').as_posix()}"
    d = Desk.open(url)
    with d.engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('auth_mode', 'accounts')"))
    d.close()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def acc_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _accounts_url(request, tmp_path, request.param)


@pytest.fixture
def acc(acc_url: str) -> Iterator[Desk]:
    d = Desk.open(acc_url)
    yield d
    d.close()


def _audit(desk: Desk, action: str) -> list[AuditEntry]:
    with desk.engine.connect() as conn:
        return list(conn.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# ---------------------------------------------------------------- passwords


def test_password_hash_is_scrypt_salted_and_verifies() -> None:
    one, two = accounts.hash_password(SECRET), accounts.hash_password(SECRET)
    assert one.startswith("scrypt$16384$8$1$") and one != two  # a fresh salt each time
    assert SECRET not in one
    assert accounts.verify_password(SECRET, one) and accounts.verify_password(SECRET, two)
    assert not accounts.verify_password(SECRET + "x", one)
    assert not accounts.verify_password(SECRET, None)
    assert not accounts.verify_password(SECRET, "scrypt$garbage")
    assert not accounts.verify_password(SECRET, "md5$x$y$z$a$b")


@pytest.mark.parametrize(
    ("password", "words"),
    [("", "不能为空"), ("        ", "不能为空"), ("short1", "8 到 128"), ("x" * 129, "8 到 128"),
     ("abc\ndefgh", "控制字符"), ("abc\x00defgh", "控制字符")],
)  # fmt: skip
def test_password_rules(password: str, words: str) -> None:
    with pytest.raises(InputRefused) as caught:
        accounts.check_password(password)
    assert words in caught.value.message and "\n" not in caught.value.message
    assert accounts.check_password("八个字的中文密码") == "八个字的中文密码"


# ---------------------------------------------------------------- local mode


def test_sqlite_is_local_the_os_user_is_admin(sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    assert desk.auth_mode() == "local"
    assert desk.needs_first_admin() is False
    me = desk.me()
    assert (me.login, me.role, me.role_label, me.has_password) == (os_login(), "admin", "管理员", False)
    assert desk.can("accounts.manage") and desk.can("tallies.import")
    assert desk.list_users()[0].login == os_login()
    with pytest.raises(InputRefused, match="本机单人模式"):
        desk.create_first_admin("boss", "老板", SECRET)
    with pytest.raises(InputRefused, match="本机单人模式"):
        desk.change_password("", SECRET)


# ---------------------------------------------------------------- accounts mode


def test_postgresql_starts_in_accounts_mode_and_asks_for_the_first_admin(pg_url: str) -> None:
    desk = Desk.open(pg_url)
    try:
        assert desk.auth_mode() == "accounts"
        assert desk.can("sites.edit") is False
        assert desk.needs_first_admin() is True
        before = table_dump(desk.engine)
        for call in (desk.me, desk.has_sites, desk.list_users, lambda: desk.add_user("x", "x", "admin", SECRET)):
            with pytest.raises(SignInRequired) as caught:
                call()
            assert caught.value.message == "此数据库已启用账户登录，请先登录"
        with pytest.raises(SignInRefused):  # nobody to sign in as; nobody created by trying
            desk.sign_in(os_login(), "")
        assert [r for r in table_dump(desk.engine)["app_user"]] == before["app_user"]
        admin = desk.create_first_admin("zhang", "张主任", SECRET)
        assert (admin.login, admin.role, admin.has_password) == ("zhang", "admin", True)
        assert desk.me().login == "zhang" and desk.can("accounts.manage")
        assert desk.needs_first_admin() is False
        with pytest.raises(InputRefused, match="已有管理员"):
            Desk(desk.engine).create_first_admin("li", "李四", SECRET)
        assert [e.user_login for e in _audit(desk, "user.first_admin")] == ["zhang"]
    finally:
        desk.close()


def test_sign_in_wrong_unknown_locked_then_reset(acc: Desk) -> None:
    acc.create_first_admin("admin", "管理员", SECRET)
    acc.add_user("wang", "王五", "staff", ADMIN_PASSWORD)
    other = Desk(acc.engine)
    with pytest.raises(SignInRefused) as unknown:
        other.sign_in("nobody", ADMIN_PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        other.sign_in("wang", "wrong-password")
    assert unknown.value.message == wrong.value.message == "登录名或密码不正确"
    assert unknown.value.locked_until is None
    for _ in range(3):
        with pytest.raises(SignInRefused):
            other.sign_in("wang", "wrong-password")
    with pytest.raises(SignInRefused) as fifth:
        other.sign_in("wang", "wrong-password")
    assert fifth.value.message == "账户已锁定，请在 15 分钟后再试"
    assert fifth.value.locked_until is not None
    with pytest.raises(SignInRefused, match=r"账户已锁定，请在 1[45] 分钟后再试"):
        other.sign_in("wang", ADMIN_PASSWORD)  # the right password waits too
    assert not other.signed_in
    failed = _audit(acc, "auth.failed")
    assert len(failed) == 7 and {e.user_login for e in failed} == {"nobody", "wang"}
    # the lock runs out
    with acc.engine.begin() as conn:
        past = dt.datetime.now() - dt.timedelta(minutes=1)
        conn.execute(update(User).where(User.login == "wang").values(locked_until=past))
    assert other.sign_in("wang", ADMIN_PASSWORD).role == "staff"
    assert other.can("tallies.import") and not other.can("accounts.manage")
    # an administrator's reset clears a lock
    for _ in range(5):
        with pytest.raises(SignInRefused):
            Desk(acc.engine).sign_in("wang", "wrong-password")
    acc.reset_password("wang", "新的口令-12345")
    assert Desk(acc.engine).sign_in("wang", "新的口令-12345").locked_until is None


def test_change_password_own_account(acc: Desk) -> None:
    acc.create_first_admin("admin", "管理员", SECRET)
    acc.add_user("li", "李四", "leader", ADMIN_PASSWORD)
    li = Desk(acc.engine)
    li.sign_in("li", ADMIN_PASSWORD)
    with pytest.raises(InputRefused, match="原密码不正确"):
        li.change_password("not-it-at-all", "另一个口令-2026")
    with pytest.raises(InputRefused, match="8 到 128"):
        li.change_password(ADMIN_PASSWORD, "short")
    li.change_password(ADMIN_PASSWORD, "另一个口令-2026")
    with pytest.raises(SignInRefused):
        Desk(acc.engine).sign_in("li", ADMIN_PASSWORD)
    assert Desk(acc.engine).sign_in("li", "另一个口令-2026").role == "leader"
    assert [e.user_login for e in _audit(acc, "user.password")] == ["li"]


def test_management_and_the_last_admin(acc: Desk) -> None:
    acc.create_first_admin("admin", "管理员", SECRET)
    acc.add_community("江西路社区")
    staff = acc.add_user("wang", "王五", "staff", ADMIN_PASSWORD, "江西路社区")
    assert (staff.role_label, staff.community, staff.disabled) == ("工作人员", "江西路社区", False)
    with pytest.raises(InputRefused, match="已存在"):
        acc.add_user("wang", "王五", "staff", ADMIN_PASSWORD)
    with pytest.raises(InputRefused, match="角色“boss”不存在"):
        acc.add_user("x1", "某人", "boss", ADMIN_PASSWORD)
    with pytest.raises(InputRefused, match="只有“工作人员”账户可以限定社区"):
        acc.add_user("x2", "某人", "leader", ADMIN_PASSWORD, "江西路社区")
    with pytest.raises(NotFound):
        acc.add_user("x3", "某人", "staff", ADMIN_PASSWORD, "没有这个社区")
    with pytest.raises(InputRefused, match="空格"):
        acc.add_user("a b", "某人", "staff", ADMIN_PASSWORD)
    # the last administrator stays
    with pytest.raises(InputRefused, match="唯一的管理员"):
        acc.set_user_disabled("admin", True)
    with pytest.raises(InputRefused, match="唯一的管理员"):
        acc.set_user_role("admin", "leader")
    acc.set_user_role("wang", "admin")
    acc.set_user_role("admin", "preparer")  # another admin exists now
    with pytest.raises(Forbidden):  # the role counts from the next call on
        acc.list_users()
    wang = Desk(acc.engine)
    wang.sign_in("wang", ADMIN_PASSWORD)
    assert {u.login: u.role for u in wang.list_users()} == {"admin": "preparer", "wang": "admin"}
    # a disabled account cannot sign in
    wang.add_user("zhao", "赵六", "staff", ADMIN_PASSWORD)
    wang.set_user_disabled("zhao", True)
    with pytest.raises(SignInRefused, match="已停用"):
        Desk(acc.engine).sign_in("zhao", ADMIN_PASSWORD)
    wang.set_user_disabled("zhao", False)
    assert Desk(acc.engine).sign_in("zhao", ADMIN_PASSWORD).login == "zhao"
    codes = [e.action for e in _audit(acc, "user.role") + _audit(acc, "user.disable") + _audit(acc, "user.enable")]
    assert sorted(codes) == ["user.disable", "user.enable", "user.role", "user.role"]


def test_roles_without_accounts_manage_are_refused_and_audited(acc: Desk) -> None:
    acc.create_first_admin("admin", "管理员", SECRET)
    acc.add_user("li", "李四", "leader", ADMIN_PASSWORD)
    li = Desk(acc.engine)
    li.sign_in("li", ADMIN_PASSWORD)
    before = table_dump(acc.engine)
    with pytest.raises(Forbidden) as caught:
        li.add_user("x", "x", "admin", SECRET)
    assert caught.value.message == "当前账户的角色是“领导”，无权管理账户；如需办理请联系管理员"
    with pytest.raises(Forbidden):
        li.list_users()
    after = table_dump(acc.engine)
    denied = _audit(acc, "auth.denied")
    assert len(denied) == 2 and {e.user_login for e in denied} == {"li"}
    assert '"required": "accounts.manage"' in (denied[0].detail or "")
    assert {k: v for k, v in after.items() if k != "audit_entry"} == {
        k: v for k, v in before.items() if k != "audit_entry"
    }


def test_enable_then_disable_accounts(sqlite_desk: Desk) -> None:
    desk = sqlite_desk  # local mode: a SQLite install
    assert desk.auth_mode() == "local"
    assert desk.has_sites() is False  # local mode: no sign-in
    admin = desk.enable_accounts("chief", "主任", SECRET)
    assert (admin.login, admin.role) == ("chief", "admin") and desk.signed_in
    assert desk.auth_mode() == "accounts" and desk.can("accounts.manage")
    fresh = Desk(desk.engine)
    with pytest.raises(SignInRequired):
        fresh.has_sites()
    with pytest.raises(InputRefused, match="已启用账户登录"):
        desk.enable_accounts("chief", "主任", SECRET)
    fresh.sign_in("chief", SECRET)
    assert fresh.has_sites() is False
    desk.disable_accounts()
    assert Desk(desk.engine).has_sites() is False  # local again: no sign-in
    assert [e.action for e in _audit(desk, "accounts.on") + _audit(desk, "accounts.off")] == [
        "accounts.on",
        "accounts.off",
    ]


def test_upgrade_keeps_an_install_with_users_local(tmp_path: Path) -> None:
    """0007 writes 'local' where app_user had rows: covered on both engines by tests/db/test_upgrade_all;
    here the other side: an empty SQLite database stays local without a setting."""
    d = Desk.open(f"sqlite:///{(tmp_path / 'e.db').as_posix()}")
    with d.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM setting WHERE key = 'auth_mode'")).first() is None
    assert d.auth_mode() == "local"
    d.close()


def test_role_check_holds_in_the_database(any_desk: Desk) -> None:
    with pytest.raises(IntegrityError, match="ck_app_user_role"), any_desk.engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (login, display_name, role) VALUES ('x', 'x', 'boss')"))
    any_desk.me()  # a row to update, on both engines
    with pytest.raises(IntegrityError, match="ck_app_user_role"), any_desk.engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET role = 'root'"))


# ---------------------------------------------------------------- never in clear


def test_the_password_appears_nowhere(acc: Desk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    acc.create_first_admin("admin", "管理员", SECRET)
    acc.add_user("wang", "王五", "staff", SECRET + "2")
    for bad in (SECRET + "3", SECRET + "2x"):
        with pytest.raises(SignInRefused):
            Desk(acc.engine).sign_in("wang", bad)
    acc.reset_password("wang", SECRET + "4")
    wang = Desk(acc.engine)
    wang.sign_in("wang", SECRET + "4")
    wang.change_password(SECRET + "4", SECRET + "5")
    with pytest.raises(InputRefused):
        acc.add_user("zz", "某人", "staff", SECRET[:3])  # refused: the message does not repeat it either
    dumped = repr(table_dump(acc.engine))
    audit_text = repr([(e.user_login, e.action, e.detail) for e in acc.list_audit(limit=1000)])
    for secret in (SECRET, SECRET + "2", SECRET + "3", SECRET + "4", SECRET + "5", SECRET[:3] + "'"):
        assert secret not in dumped and secret not in audit_text and secret not in caplog.text


# ---------------------------------------------------------------- parallel first starts


def test_two_first_admins_at_once_exactly_one_wins(acc_url: str) -> None:
    engine = make_engine(acc_url)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def start(login: str) -> None:
        desk = Desk(engine)
        barrier.wait()
        try:
            results[login] = desk.create_first_admin(login, login, SECRET).login
        except InputRefused as exc:
            results[login] = exc

    threads = [threading.Thread(target=start, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    wins = [v for v in results.values() if isinstance(v, str)]
    refused = [v for v in results.values() if isinstance(v, InputRefused)]
    assert len(wins) == 1 and len(refused) == 1, results
    assert "已有管理员" in refused[0].message
    with engine.connect() as conn:
        assert conn.execute(select(User.login, User.role)).all() == [(wins[0], "admin")]
    engine.dispose()
