"""Accounts (issue 12): passwords, sign-in with lock-out, the first administrator, account management.

Passwords: hashlib.scrypt (n=2**14, r=8, p=1) with a 16-byte random salt, stored as one self-describing
string "scrypt$n$r$p$salt$hash" (base64), compared with hmac.compare_digest. A password is never stored,
logged or audited in clear. Sign-in failures are audited (auth.failed) in a transaction of their own that
commits although the sign-in is refused; 5 failures lock the account for 15 minutes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import secrets
import unicodedata

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Community, User
from db.uow import UnitOfWork
from zhdesk.domain.roles import COMMUNITY_BOUND, ROLE_LABELS
from zhdesk.dto import UserDTO
from zhdesk.errors import InputRefused, NotFound, SignInRefused
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.common import current_user
from zhdesk.services.settings import auth_mode, put_auth_mode

SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES, SALT_BYTES = 2**14, 8, 1, 32, 16
PASSWORD_LEN = (8, 128)
LOGIN_MAX = 64
NAME_MAX = 64
MAX_FAILURES = 5
LOCK_MINUTES = 15
WRONG = "登录名或密码不正确"  # an unknown login gets the same answer as a wrong password
# PostgreSQL advisory lock key serialising the first administrator ("zhacct" in ASCII)
FIRST_ADMIN_LOCK = 0x7A6861636374


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# -- passwords


def check_password(password: str) -> str:
    """The password if it follows the rules, else InputRefused (the message never repeats it)."""
    low, high = PASSWORD_LEN
    if not isinstance(password, str) or not password.strip():
        raise InputRefused("密码不能为空")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in password):
        raise InputRefused("密码不能包含控制字符或换行")
    if not low <= len(password) <= high:
        raise InputRefused(f"密码长度应为 {low} 到 {high} 个字符，现为 {len(password)} 个")
    return password


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; an unreadable or missing hash matches nothing."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(key, validate=True)
        got = hashlib.scrypt(
            password.encode("utf-8", "surrogatepass"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


# -- names


def _clean_login(login: str) -> str:
    text_ = (login or "").strip()
    if not text_ or len(text_) > LOGIN_MAX:
        raise InputRefused(f"登录名应为 1 到 {LOGIN_MAX} 个字符，收到 {len(text_)} 个")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text_):
        raise InputRefused(f"登录名“{text_}”不能包含空格或控制字符")
    return text_


def _clean_name(name: str) -> str:
    text_ = " ".join("".join(ch for ch in (name or "") if not unicodedata.category(ch).startswith("C")).split())
    if not text_ or len(text_) > NAME_MAX:
        raise InputRefused(f"姓名应为 1 到 {NAME_MAX} 个字，收到 {len(text_)} 个")
    return text_


def _check_role(role: str) -> str:
    if role not in ROLE_LABELS:
        names = "、".join(f"{code}（{label}）" for code, label in ROLE_LABELS.items())
        raise InputRefused(f"角色“{role}”不存在，可选：{names}")
    return role


def _community(s: Session, role: str, community: str | None) -> Community | None:
    name = (community or "").strip()
    if not name:
        return None
    if role not in COMMUNITY_BOUND:
        raise InputRefused(f"只有“{ROLE_LABELS['staff']}”账户可以限定社区，“{ROLE_LABELS[role]}”不能")
    found = s.scalar(select(Community).where(Community.name == name))
    if found is None:
        raise NotFound(f"找不到社区“{name}”")
    return found


def to_dto(user: User, role: str | None = None) -> UserDTO:
    role = role or user.role
    return UserDTO(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        role=role,
        role_label=ROLE_LABELS.get(role, role),
        community=None if user.community is None else user.community.name,
        disabled=bool(user.disabled),
        locked_until=user.locked_until,
        has_password=user.password_hash is not None,
    )


def _user(s: Session, login: str) -> User:
    user = s.scalar(select(User).where(User.login == (login or "").strip()))
    if user is None:
        raise NotFound(f"找不到账户“{(login or '').strip()}”")
    return user


def _enabled_admins(s: Session, with_password: bool) -> int:
    q = select(func.count(User.id)).where(User.role == "admin", User.disabled.is_(False))
    if with_password:
        q = q.where(User.password_hash.is_not(None))
    return int(s.scalar(q) or 0)


def _keep_an_admin(uow: UnitOfWork, user: User) -> None:
    """Refuse to leave the database without an enabled administrator (in accounts mode: one who can sign
    in, i.e. has a password)."""
    s = uow.session
    signs_in = auth_mode(uow) == "accounts"
    if signs_in and user.password_hash is None:
        return  # not one who could sign in: the others are unchanged
    if user.role == "admin" and not user.disabled and _enabled_admins(s, with_password=signs_in) <= 1:
        raise InputRefused(f"“{user.login}”是唯一的管理员，不能停用或改为其他角色；请先指定另一位管理员")


# -- sign-in


def needs_first_admin(uow: UnitOfWork) -> bool:
    """Accounts mode and no enabled administrator with a password: only create_first_admin lets anyone in."""
    return auth_mode(uow) == "accounts" and _enabled_admins(uow.session, with_password=True) == 0


def _serialise(uow: UnitOfWork) -> None:
    """Hold the database's write lock (SQLite) or an advisory lock (PostgreSQL) until the transaction ends,
    so two workstations deciding "no administrator yet" at once take turns."""
    s = uow.session
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FIRST_ADMIN_LOCK})
    else:  # any write statement takes SQLite's write lock, even one that changes no row
        s.execute(text("UPDATE setting SET value = value WHERE key = 'auth_mode'"))


def create_first_admin(uow: UnitOfWork, login: str, display_name: str, password: str) -> UserDTO:
    """The first administrator of an empty accounts database; refused once there is one."""
    login, name, password = _clean_login(login), _clean_name(display_name), check_password(password)
    s = uow.session
    if auth_mode(uow) != "accounts":
        raise InputRefused("此数据库为本机单人模式，无需创建管理员；如需多人使用，请启用账户登录")
    _serialise(uow)
    if not needs_first_admin(uow):
        raise InputRefused("此数据库已有管理员账户（可能刚由其他工作站创建），请用管理员账户登录")
    user = s.scalar(select(User).where(User.login == login))
    if user is None:
        user = User(login=login, display_name=name, role="admin")
        s.add(user)
    user.display_name, user.role, user.disabled = name, "admin", False
    user.community = None
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    s.flush()
    audit(uow, "user.first_admin", "user", user.id, login=login, name=name)
    uow.commit()
    return to_dto(user)


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _locked(until: dt.datetime, now: dt.datetime) -> SignInRefused:
    return SignInRefused(f"账户已锁定，请在 {_minutes_left(until, now)} 分钟后再试", locked_until=until)


def sign_in(uow: UnitOfWork, login: str, password: str) -> tuple[UserDTO | None, SignInRefused | None]:
    """Check a sign-in in the caller's unit of work, which it commits either way (the failure count, the
    lock and the auth.failed entry must stay although the sign-in is refused). Returns the account or
    the refusal to raise; the caller raises it (after its commit)."""
    s = uow.session
    now = _now()
    login = (login or "").strip()
    user = s.scalar(select(User).where(User.login == login)) if login else None
    if user is not None and user.locked_until is not None and user.locked_until > now:
        refusal = _locked(user.locked_until, now)
        audit(uow, "auth.failed", "user", user.id, login=login, reason="locked")
        uow.commit()
        return None, refusal
    if user is None or not verify_password(password if isinstance(password, str) else "", user.password_hash):
        refusal = SignInRefused(WRONG)
        if user is not None:
            failures = (0 if user.locked_until is not None else user.failed_logins) + 1
            user.failed_logins, user.locked_until = failures, None
            if failures >= MAX_FAILURES:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                refusal = _locked(user.locked_until, now)
        audit(uow, "auth.failed", "user", None if user is None else user.id, login=login[:LOGIN_MAX], reason="password")
        uow.commit()
        return None, refusal
    if user.disabled:
        audit(uow, "auth.failed", "user", user.id, login=login, reason="disabled")
        uow.commit()
        return None, SignInRefused(f"账户“{login}”已停用，请联系管理员")
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
        uow.commit()
    return to_dto(user), None


def me(uow: UnitOfWork) -> UserDTO:
    """The user behind this unit of work; in local mode the one person of the install, an administrator."""
    user = current_user(uow)
    local = auth_mode(uow) == "local"
    uow.commit()  # local mode may have created the row
    return to_dto(user, "admin" if local else None)


def change_password(uow: UnitOfWork, old: str, new: str) -> None:
    """The signed-in account's own password."""
    if auth_mode(uow) != "accounts":
        raise InputRefused("本机单人模式不使用密码；启用账户登录后才能修改密码")
    user = current_user(uow)
    if not verify_password(old if isinstance(old, str) else "", user.password_hash):
        raise InputRefused("原密码不正确")
    user.password_hash = hash_password(check_password(new))
    audit(uow, "user.password", "user", user.id, login=user.login)
    uow.commit()


# -- management (accounts.manage)


@requires("accounts.manage")
def list_users(uow: UnitOfWork) -> list[UserDTO]:
    s = uow.session
    return [to_dto(u) for u in s.scalars(select(User).order_by(User.login))]


@requires("accounts.manage")
def add_user(
    uow: UnitOfWork, login: str, display_name: str, role: str, password: str, community: str | None = None
) -> UserDTO:
    login, name, role = _clean_login(login), _clean_name(display_name), _check_role(role)
    password = check_password(password)
    s = uow.session
    if s.scalar(select(User.id).where(User.login == login)) is not None:
        raise InputRefused(f"登录名“{login}”已存在")
    user = User(login=login, display_name=name, role=role, community=_community(s, role, community))
    user.password_hash = hash_password(password)
    s.add(user)
    try:
        s.flush()
    except IntegrityError as exc:  # another workstation added the same login just now
        raise InputRefused(f"登录名“{login}”已存在") from exc
    bound = None if user.community is None else user.community.name
    audit(uow, "user.add", "user", user.id, login=login, name=name, role=role, community=bound)
    uow.commit()
    return to_dto(user)


@requires("accounts.manage")
def reset_password(uow: UnitOfWork, login: str, new_password: str) -> None:
    """An administrator sets another account's password; clears its lock."""
    user = _user(uow.session, login)
    user.password_hash = hash_password(check_password(new_password))
    user.failed_logins, user.locked_until = 0, None
    audit(uow, "user.password_reset", "user", user.id, login=user.login)
    uow.commit()


@requires("accounts.manage")
def set_user_disabled(uow: UnitOfWork, login: str, disabled: bool) -> None:
    s = uow.session
    user = _user(s, login)
    if bool(user.disabled) == bool(disabled):
        return
    if disabled:
        _keep_an_admin(uow, user)
    user.disabled = bool(disabled)
    audit(uow, "user.disable" if disabled else "user.enable", "user", user.id, login=user.login,
          before={"disabled": not disabled}, after={"disabled": bool(disabled)})  # fmt: skip
    uow.commit()


@requires("accounts.manage")
def set_user_role(uow: UnitOfWork, login: str, role: str, community: str | None = None) -> UserDTO:
    s = uow.session
    user = _user(s, login)
    role = _check_role(role)
    bound = _community(s, role, community)
    if role != "admin":
        _keep_an_admin(uow, user)
    before = {"role": user.role, "community": None if user.community is None else user.community.name}
    user.role, user.community = role, bound
    after = {"role": role, "community": None if bound is None else bound.name}
    if before != after:
        audit(uow, "user.role", "user", user.id, login=user.login, before=before, after=after)
    uow.commit()
    return to_dto(user)


def enable_accounts(uow: UnitOfWork, login: str, display_name: str, password: str) -> UserDTO:
    """Local → accounts, by the local administrator: `login` becomes (or stays) an administrator with
    this password; the caller signs the desk in as it. Other users need a password from an admin."""
    login, name, password = _clean_login(login), _clean_name(display_name), check_password(password)
    s = uow.session
    if auth_mode(uow) == "accounts":
        raise InputRefused("此数据库已启用账户登录")
    current_user(uow)  # local mode: the person at the desk is known (and recorded)
    user = s.scalar(select(User).where(User.login == login))
    if user is None:
        user = User(login=login, display_name=name, role="admin")
        s.add(user)
    user.display_name, user.role, user.disabled, user.community = name, "admin", False, None
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    s.flush()
    put_auth_mode(uow, "accounts")
    audit(uow, "accounts.on", "user", user.id, login=login)
    uow.commit()
    return to_dto(user)


@requires("accounts.manage")
def disable_accounts(uow: UnitOfWork) -> None:
    """Accounts → local (a one-person install again): no sign-in, the OS user is the administrator."""
    if auth_mode(uow) == "local":
        return
    put_auth_mode(uow, "local")
    audit(uow, "accounts.off", "setting", None)
    uow.commit()
