"""Settings shared by every workstation, stored in the database."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Setting
from db.uow import UnitOfWork
from zhdesk import imaging
from zhdesk.domain.lights import DEFAULT_WARNING_DAYS
from zhdesk.errors import InputRefused
from zhdesk.services.audit import audit

WARNING_DAYS = "warning_days"
PHOTO_MAX_MB = "photo_max_mb"
# A photo file bigger than this cannot be stored sensibly (SQLite's blob limit is about 1 GB).
PHOTO_MAX_MB_RANGE = (1, 500)


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


def photo_max_mb(uow: UnitOfWork) -> int:
    """The largest photo file `photo add` reads, in MB (default imaging.DEFAULT_MAX_FILE_MB)."""
    raw = get_setting(uow, PHOTO_MAX_MB)
    try:
        value = int(raw) if raw is not None else imaging.DEFAULT_MAX_FILE_MB
    except ValueError:
        return imaging.DEFAULT_MAX_FILE_MB
    low, high = PHOTO_MAX_MB_RANGE
    return value if low <= value <= high else imaging.DEFAULT_MAX_FILE_MB


def set_photo_max_mb(uow: UnitOfWork, mb: int) -> int:
    low, high = PHOTO_MAX_MB_RANGE
    if not low <= mb <= high:
        raise InputRefused(f"照片文件大小上限应在 {low} 到 {high} MB 之间，收到 {mb}")
    s = uow.session
    row = s.get(Setting, PHOTO_MAX_MB)
    if row is None:
        s.add(Setting(key=PHOTO_MAX_MB, value=str(mb)))
    else:
        row.value = str(mb)
    audit(uow, "setting.set", "setting", None, key=PHOTO_MAX_MB, value=mb)
    uow.commit()
    return mb
