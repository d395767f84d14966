"""Lookups every service shares, each with its Chinese not-found message."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy import case, exists, literal, select, true
from sqlalchemy.orm import Session, selectinload

from db.models import Site, User
from db.uow import UnitOfWork
from zhdesk.errors import NotFound, SignInRequired
from zhdesk.services.settings import auth_mode


def by_code_point(s: Session, column: Any) -> Any:
    """`column` for ORDER BY in code-point order on both engines: SQLite compares UTF-8 bytes; a
    PostgreSQL database may have a locale collation (pinyin under ICU zh, case-folded under en_US)."""
    return column.collate("C") if s.get_bind().dialect.name == "postgresql" else column


def site_or_refuse(s: Session, site_id: int) -> Site:
    site = s.get(Site, site_id, options=[selectinload(Site.community)])
    if site is None:
        raise NotFound(f"找不到编号为 {site_id} 的点位")
    return site


def os_login() -> str:
    """The OS user: the one person of a local (single-user) install."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "local"


def current_user(uow: UnitOfWork) -> User:
    """The user behind this unit of work.

    Accounts mode: a signed-in, enabled account with a password, else SignInRequired; never created here
    (nobody becomes a user, let alone admin, by accident). Local mode: created on first use, as admin
    when it is the OS user or the database's first user, else staff (the role then only decides who may
    edit another's events). Parallel first commands by a new login must all succeed: the row is
    inserted-or-ignored in one statement (the role decided inside it), then read back."""
    s = uow.session
    query = select(User).where(User.login == uow.user_login)
    if auth_mode(uow) == "accounts":
        user = s.scalar(query) if uow.signed_in else None
        if user is None or user.disabled or user.password_hash is None:
            raise SignInRequired()
        return user
    user = s.scalar(query)
    if user is not None:
        return user
    dialect = s.get_bind().dialect.name
    is_os_user = uow.user_login == os_login()
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        if is_os_user:
            role: Any = literal("admin")
        else:
            role = case((exists(select(User.id)), literal("staff")), else_=literal("admin"))
        # WHERE true: SQLite needs it to parse INSERT … SELECT … ON CONFLICT.
        row = select(literal(uow.user_login), literal(uow.user_login), role).where(true())
        stmt = insert(User).from_select(["login", "display_name", "role"], row)
        s.execute(stmt.on_conflict_do_nothing(index_elements=[User.login]))
        user = s.scalar(query)
        assert user is not None
        return user
    first = s.scalar(select(exists(select(User.id)))) is False
    role_name = "admin" if first or is_os_user else "staff"
    user = User(login=uow.user_login, display_name=uow.user_login, role=role_name)
    s.add(user)
    s.flush()
    return user
