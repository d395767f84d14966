"""Settings shared by every workstation, stored in the database."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Setting
from db.uow import UnitOfWork
from zhdesk.domain.lights import DEFAULT_WARNING_DAYS
from zhdesk.errors import InputRefused
from zhdesk.services.audit import audit

WARNING_DAYS = "warning_days"


def get_setting(uow: UnitOfWork, key: str) -> str | None:
    return uow.session.scalar(select(Setting.value).where(Setting.key == key))


def warning_days(uow: UnitOfWork) -> int:
    raw = get_setting(uow, WARNING_DAYS)
    try:
        return int(raw) if raw is not None else DEFAULT_WARNING_DAYS
    except ValueError:
        return DEFAULT_WARNING_DAYS


def set_warning_days(uow: UnitOfWork, days: int) -> int:
    if not 0 <= days <= 60:
        raise InputRefused(f"临期提醒天数应在 0 到 60 之间，收到 {days}")
    s = uow.session
    row = s.get(Setting, WARNING_DAYS)
    if row is None:
        s.add(Setting(key=WARNING_DAYS, value=str(days)))
    else:
        row.value = str(days)
    audit(uow, "setting.set", "setting", None, key=WARNING_DAYS, value=days)
    uow.commit()
    return days
