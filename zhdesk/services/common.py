"""Lookups every service shares, each with its Chinese not-found message."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.models import Site, User
from db.uow import UnitOfWork
from zhdesk.errors import NotFound


def site_or_refuse(s: Session, site_id: int) -> Site:
    site = s.get(Site, site_id, options=[selectinload(Site.community)])
    if site is None:
        raise NotFound(f"找不到编号为 {site_id} 的点位")
    return site


def current_user(uow: UnitOfWork) -> User:
    """The user behind this unit of work; the first user of a database becomes its administrator."""
    s = uow.session
    user = s.scalar(select(User).where(User.login == uow.user_login))
    if user is None:
        first = s.scalar(select(func.count(User.id))) == 0
        user = User(login=uow.user_login, display_name=uow.user_login, role="admin" if first else "staff")
        s.add(user)
        s.flush()
    return user
