"""Lookups every service shares, each with its Chinese not-found message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, exists, literal, select, true
from sqlalchemy.orm import Session, selectinload

from db.models import Site, User
from db.uow import UnitOfWork
from zhdesk.errors import NotFound


def by_code_point(s: Session, column: Any) -> Any:
    """`column` for ORDER BY in code-point order on both engines: SQLite compares UTF-8 bytes; a
    PostgreSQL database may have a locale collation (pinyin under ICU zh, case-folded under en_US)."""
    return column.collate("C") if s.get_bind().dialect.name == "postgresql" else column


def site_or_refuse(s: Session, site_id: int) -> Site:
    site = s.get(Site, site_id, options=[selectinload(Site.community)])
    if site is None:
        raise NotFound(f"找不到编号为 {site_id} 的点位")
    return site


def current_user(uow: UnitOfWork) -> User:
    """The user behind this unit of work; the first user of a database becomes its administrator.

    Parallel first commands by a new login must all succeed: the row is inserted-or-ignored in one
    statement (the role decided inside it), then read back."""
    s = uow.session
    query = select(User).where(User.login == uow.user_login)
    user = s.scalar(query)
    if user is not None:
        return user
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        role = case((exists(select(User.id)), literal("staff")), else_=literal("admin"))
        # WHERE true: SQLite needs it to parse INSERT … SELECT … ON CONFLICT.
        row = select(literal(uow.user_login), literal(uow.user_login), role).where(true())
        stmt = insert(User).from_select(["login", "display_name", "role"], row)
        s.execute(stmt.on_conflict_do_nothing(index_elements=[User.login]))
        user = s.scalar(query)
        assert user is not None
        return user
    first = s.scalar(select(exists(select(User.id)))) is False
    user = User(login=uow.user_login, display_name=uow.user_login, role="admin" if first else "staff")
    s.add(user)
    s.flush()
    return user
