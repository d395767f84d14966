"""Accounts on the real command line (issue 12): `accounts on|off|status`, `user add|list|passwd|disable|
enable|role`, signing in with --user / ZHDESK_USER + ZHDESK_PASSWORD; refusals are one Chinese line with
the error class's exit code, and a password never reaches the output or the database in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import assert_error, assert_ok, dump, zhdesk

PW = "命令行口令-Abc123"
NEW = "新的命令行口令-456"


def _env(user: str | None = None, password: str | None = None, new: str | None = None) -> dict[str, str]:
    """Only the variables given (the helper's defaults for the tests' admin are overridden by blanks)."""
    env = {"ZHDESK_USER": user or ""}
    if password is not None:
        env["ZHDESK_PASSWORD"] = password
    if new is not None:
        env["ZHDESK_NEW_PASSWORD"] = new
    return env


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'u.db').as_posix()}"


def test_local_then_accounts_then_local(url: str, tmp_path: Path) -> None:
    r = zhdesk("accounts", "status", db=url, cwd=tmp_path, env=_env())
    assert_ok(r)
    assert "本机单人模式" in r.out
    # local: the OS user manages accounts without a password
    assert_ok(zhdesk("user", "add", "wang", "--name", "王五", "--role", "工作人员", db=url, cwd=tmp_path,
                     env=_env(new=PW)))  # fmt: skip
    r = zhdesk("accounts", "on", "--login", "chief", "--name", "主任", db=url, cwd=tmp_path, env=_env(new=PW))
    assert_ok(r)
    assert "已启用账户登录" in r.out
    # now every command needs a sign-in
    r = zhdesk("sites", db=url, cwd=tmp_path, env=_env())
    assert_error(r, 1)
    assert "请先登录" in r.err and "--user" in r.err
    assert_error(zhdesk("sites", db=url, cwd=tmp_path, env=_env("chief", "wrong-password-1")), 1)
    assert_ok(zhdesk("sites", db=url, cwd=tmp_path, env=_env("chief", PW)))
    assert_ok(zhdesk("--user", "chief", "sites", db=url, cwd=tmp_path, env=_env(password=PW)))
    r = zhdesk("user", "list", "--json", db=url, cwd=tmp_path, env=_env("chief", PW))
    assert_ok(r)
    users = {u["login"]: u for u in r.json()}
    assert users["chief"]["role"] == "admin" and users["wang"]["role"] == "staff"
    assert all("password" not in k or k == "has_password" for u in users.values() for k in u)
    # staff may not manage accounts: one line, exit 1, audited
    assert_ok(zhdesk("user", "passwd", "wang", db=url, cwd=tmp_path, env=_env("chief", PW, new=PW)))
    r = zhdesk("user", "add", "zhao", "--name", "赵六", "--role", "admin", db=url, cwd=tmp_path,
               env=_env("wang", PW, PW))  # fmt: skip
    assert_error(r, 1)
    assert "工作人员" in r.err and "管理账户" in r.err
    # own password
    assert_ok(zhdesk("user", "passwd", db=url, cwd=tmp_path, env=_env("wang", PW, new=NEW)))
    assert_error(zhdesk("sites", db=url, cwd=tmp_path, env=_env("wang", PW)), 1)
    assert_ok(zhdesk("sites", db=url, cwd=tmp_path, env=_env("wang", NEW)))
    # role, disable, enable
    assert_ok(zhdesk("user", "role", "wang", "leader", db=url, cwd=tmp_path, env=_env("chief", PW)))
    assert_ok(zhdesk("user", "disable", "wang", db=url, cwd=tmp_path, env=_env("chief", PW)))
    r = zhdesk("sites", db=url, cwd=tmp_path, env=_env("wang", NEW))
    assert_error(r, 1)
    assert "已停用" in r.err
    assert_ok(zhdesk("user", "enable", "wang", db=url, cwd=tmp_path, env=_env("chief", PW)))
    r = zhdesk("user", "disable", "chief", db=url, cwd=tmp_path, env=_env("chief", PW))
    assert_error(r, 1)
    assert "唯一的管理员" in r.err
    r = zhdesk("audit", "--json", "--action", "auth.denied", db=url, cwd=tmp_path, env=_env("chief", PW))
    assert_ok(r)
    assert '"user_login": "wang"' in r.out
    # back to local
    assert_ok(zhdesk("accounts", "off", db=url, cwd=tmp_path, env=_env("chief", PW)))
    assert_ok(zhdesk("sites", db=url, cwd=tmp_path, env=_env()))
    everything = repr(dump(url))
    assert PW not in everything and NEW not in everything


def test_refusals_are_one_line(url: str, tmp_path: Path) -> None:
    assert_ok(zhdesk("accounts", "on", "--login", "chief", "--name", "主任", db=url, cwd=tmp_path, env=_env(new=PW)))
    before = dump(url)
    cases = [
        (("--user", "chief", "sites"), _env(), 1),  # no password anywhere, no terminal
        (("user", "add", "x", "--name", "某人", "--role", "boss"), _env("chief", PW, PW), 1),
        (("user", "add", "y", "--name", "某人", "--role", "staff"), _env("chief", PW, "short"), 1),
        (("user", "add", "z", "--name", "某人", "--role", "staff"), _env("chief", PW), 1),  # no new password
        (("user", "role", "nobody", "admin"), _env("chief", PW), 1),
        (("accounts", "on", "--login", "a", "--name", "b"), _env("chief", PW, PW), 1),
        (("accounts", "maybe"), _env("chief", PW), 2),
        (("user",), _env("chief", PW), 2),
    ]
    for args, env, code in cases:
        r = zhdesk(*args, db=url, cwd=tmp_path, env=env)
        assert_error(r, code)
        assert PW not in r.err
    after = dump(url)
    assert {k: v for k, v in after.items() if k != "audit_entry"} == {
        k: v for k, v in before.items() if k != "audit_entry"
    }


def test_first_admin_on_a_new_shared_database(pg_url: str, tmp_path: Path) -> None:
    assert_ok(zhdesk("init", db=pg_url, cwd=tmp_path, env=_env()))
    r = zhdesk("accounts", "status", db=pg_url, cwd=tmp_path, env=_env())
    assert_ok(r)
    assert "还没有管理员" in r.out
    assert_error(zhdesk("sites", db=pg_url, cwd=tmp_path, env=_env()), 1)
    r = zhdesk("accounts", "on", "--login", "chief", "--name", "主任", db=pg_url, cwd=tmp_path, env=_env(new=PW))
    assert_ok(r)
    assert "首个管理员" in r.out
    r = zhdesk("accounts", "on", "--login", "other", "--name", "某人", db=pg_url, cwd=tmp_path, env=_env(new=PW))
    assert_error(r, 1)
    assert_ok(zhdesk("demo", db=pg_url, cwd=tmp_path, env=_env("chief", PW)))
    assert_ok(zhdesk("sites", "--json", db=pg_url, cwd=tmp_path, env=_env("chief", PW)))
