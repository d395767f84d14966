"""Settings shared by every workstation, stored in the database."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from db.models import AuditEntry, Community, Setting
from db.uow import UnitOfWork
from zhdesk.domain.lights import DEFAULT_WARNING_DAYS
from zhdesk.dto import Documents
from zhdesk.errors import InputRefused
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.conflicts import check_setting

WARNING_DAYS = "warning_days"
PHOTO_MAX_MB = "photo_max_mb"
DEMO_DATA = "demo_data"  # "1": the database holds the fictional demo (zhdesk.demo), not an office's data
# A photo file bigger than this cannot be stored sensibly (SQLite's blob limit is about 1 GB).
PHOTO_MAX_MB_RANGE = (1, 500)
WARNING_DAYS_RANGE = (0, 60)
# A setting as the user reads its name (in a Conflict).
SETTING_LABELS = {
    "warning_days": "临期提醒天数",
    "photo_max_mb": "照片文件大小上限",
    "brief_title": "简报标题",
    "brief_issuer": "发文单位",
    "notice_title": "通知单标题",
    "brief_last_issue": "简报期号",
    "backup_keep": "每日备份保留份数",
}


def get_setting(uow: UnitOfWork, key: str) -> str | None:
    return uow.session.scalar(select(Setting.value).where(Setting.key == key))


def _get_int(uow: UnitOfWork, key: str, default: int, low: int, high: int) -> int:
    """A whole-number setting; missing, unreadable or out of range (an older or edited database) → default."""
    raw = get_setting(uow, key)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if low <= value <= high else default


def check_unchanged(uow: UnitOfWork, key: str, seen: object | None, now: object) -> None:
    """Optimistic locking for a setting: `seen` (the value the user loaded; None: not said) must still be
    the value `now`, else a Conflict naming who changed it, when, and to what."""
    check_setting(uow, key, seen, now, f"设置“{SETTING_LABELS.get(key, key)}”")


def _set_int(
    uow: UnitOfWork, key: str, value: int, low: int, high: int, refused: str, seen: int | None = None, now: int = 0
) -> int:
    """Store a whole-number setting in [low, high] (audited), else refuse with `refused` (one line);
    `seen`/`now`: see check_unchanged."""
    if not low <= value <= high:
        raise InputRefused(refused)
    check_unchanged(uow, key, seen, now)
    s = uow.session
    row = s.get(Setting, key)
    old = None if row is None else row.value
    if row is None:
        s.add(Setting(key=key, value=str(value)))
    else:
        row.value = str(value)
    audit(uow, "setting.set", "setting", None, key=key, value=value, before={"value": old}, after={"value": str(value)})
    uow.commit()
    return value


def warning_days(uow: UnitOfWork) -> int:
    return _get_int(uow, WARNING_DAYS, DEFAULT_WARNING_DAYS, *WARNING_DAYS_RANGE)


@requires("settings.edit")
def set_warning_days(uow: UnitOfWork, days: int, expected: int | None = None) -> int:
    """`expected`: the value the user loaded; another person's change since is a Conflict."""
    low, high = WARNING_DAYS_RANGE
    refused = f"临期提醒天数应在 {low} 到 {high} 之间，收到 {days}"
    return _set_int(uow, WARNING_DAYS, days, low, high, refused, expected, warning_days(uow))


def photo_max_mb(uow: UnitOfWork) -> int:
    """The largest photo file `photo add` reads, in MB (default imaging.DEFAULT_MAX_FILE_MB)."""
    from zhdesk import imaging  # Pillow: not at start (issue 13)

    return _get_int(uow, PHOTO_MAX_MB, imaging.DEFAULT_MAX_FILE_MB, *PHOTO_MAX_MB_RANGE)


@requires("settings.edit")
def set_photo_max_mb(uow: UnitOfWork, mb: int, expected: int | None = None) -> int:
    """`expected`: the value the user loaded; another person's change since is a Conflict."""
    low, high = PHOTO_MAX_MB_RANGE
    refused = f"照片文件大小上限应在 {low} 到 {high} MB 之间，收到 {mb}"
    return _set_int(uow, PHOTO_MAX_MB, mb, low, high, refused, expected, photo_max_mb(uow))


def is_demo(uow: UnitOfWork) -> bool:
    """Whether the database holds the demo data (the window marks it 演示数据): marked by load_demo, or
    filled by an older first start (demo.load audited, its （示例） communities still there)."""
    if get_setting(uow, DEMO_DATA) == "1":
        return True
    s = uow.session
    loaded = s.scalar(select(AuditEntry.id).where(AuditEntry.action == "demo.load").limit(1)) is not None
    return loaded and s.scalar(select(Community.id).where(Community.is_sample.is_(True)).limit(1)) is not None


def mark_demo(uow: UnitOfWork) -> None:
    """Record that the database holds demo data; part of the caller's transaction (no commit)."""
    s = uow.session
    if s.get(Setting, DEMO_DATA) is None:
        s.add(Setting(key=DEMO_DATA, value="1"))
        s.flush()


# -- 会议简报 (issue 11): the masthead title, the issuing unit, the last issue number recorded
BRIEF_TITLE = "brief_title"
BRIEF_ISSUER = "brief_issuer"
BRIEF_LAST_ISSUE = "brief_last_issue"
DEFAULT_BRIEF_TITLE = "市容环境卫生综合整治工作简报"
DEFAULT_BRIEF_ISSUER = "街道城市管理办公室"
DEMO_ISSUER = "珠海路街道城市管理办公室"  # the demo's office (zhdesk/demo.py units)
NOTICE_TITLE = "notice_title"
DEFAULT_NOTICE_TITLE = "市容环境卫生综合整治督办通知单"
BRIEF_TEXT_MAX = 60
BRIEF_ISSUE_RANGE = (1, 99999)


def _clean(value: str, what: str) -> str:
    """One line of at most BRIEF_TEXT_MAX characters: control characters go, runs of spaces become one."""
    text = " ".join("".join(ch for ch in value if unicodedata.category(ch) != "Cc" or ch.isspace()).split())
    if not text or len(text) > BRIEF_TEXT_MAX:
        raise InputRefused(f"{what}应为 1 到 {BRIEF_TEXT_MAX} 个字，收到 {len(text)} 个字")
    return text


def _put_text(uow: UnitOfWork, key: str, text: str) -> None:
    s = uow.session
    row = s.get(Setting, key)
    old = None if row is None else row.value
    if row is None:
        s.add(Setting(key=key, value=text))
    elif row.value != text:
        row.value = text
    else:
        return
    audit(uow, "setting.set", "setting", None, key=key, value=text, before={"value": old}, after={"value": text})


def _set_text(uow: UnitOfWork, key: str, value: str, what: str, seen: str | None = None, now: str = "") -> str:
    text = _clean(value, what)
    check_unchanged(uow, key, seen, now)
    _put_text(uow, key, text)
    uow.commit()
    return text


def brief_title(uow: UnitOfWork) -> str:
    return (get_setting(uow, BRIEF_TITLE) or "").strip() or DEFAULT_BRIEF_TITLE


@requires("settings.edit")
def set_brief_title(uow: UnitOfWork, title: str, expected: str | None = None) -> str:
    """`expected`: the title the user loaded; another person's change since is a Conflict."""
    return _set_text(uow, BRIEF_TITLE, title, "简报标题", expected, brief_title(uow))


def brief_issuer(uow: UnitOfWork) -> str:
    """The issuing office printed on briefs and 督办通知单: the setting, else the demo's office on the demo."""
    return (get_setting(uow, BRIEF_ISSUER) or "").strip() or (DEMO_ISSUER if is_demo(uow) else DEFAULT_BRIEF_ISSUER)


@requires("settings.edit")
def set_brief_issuer(uow: UnitOfWork, issuer: str, expected: str | None = None) -> str:
    """`expected`: the issuer the user loaded; another person's change since is a Conflict."""
    return _set_text(uow, BRIEF_ISSUER, issuer, "发文单位", expected, brief_issuer(uow))


def notice_title(uow: UnitOfWork) -> str:
    return (get_setting(uow, NOTICE_TITLE) or "").strip() or DEFAULT_NOTICE_TITLE


def documents(uow: UnitOfWork) -> Documents:
    return Documents(brief_issuer(uow), brief_title(uow), notice_title(uow))


@requires("settings.edit")
def set_documents(
    uow: UnitOfWork, issuer: str, brief: str, notice: str, expected: Documents | None = None
) -> Documents:
    """All three in one transaction: a refused one saves none. `expected`: the three the user loaded;
    another person's change to any of them since is a Conflict."""
    texts = (_clean(issuer, "发文单位"), _clean(brief, "简报标题"), _clean(notice, "通知单标题"))
    if expected is not None:
        now = documents(uow)
        for key, field in ((BRIEF_ISSUER, "issuer"), (BRIEF_TITLE, "brief_title"), (NOTICE_TITLE, "notice_title")):
            check_unchanged(uow, key, getattr(expected, field), getattr(now, field))
    for key, text in zip((BRIEF_ISSUER, BRIEF_TITLE, NOTICE_TITLE), texts, strict=True):
        _put_text(uow, key, text)
    uow.commit()
    return Documents(*texts)


def last_brief_issue(uow: UnitOfWork) -> int:
    """The issue number of the last brief saved; 0 when none."""
    return _get_int(uow, BRIEF_LAST_ISSUE, 0, 0, BRIEF_ISSUE_RANGE[1])


def set_last_brief_issue(uow: UnitOfWork, issue_no: int) -> int:
    low, high = BRIEF_ISSUE_RANGE
    return _set_int(uow, BRIEF_LAST_ISSUE, issue_no, low, high, f"简报期号应在 {low} 到 {high} 之间，收到 {issue_no}")


# -- accounts (issue 12): 'local' (the OS user, no password) or 'accounts' (sign-in). Absent: SQLite is a
# one-person install (local), PostgreSQL a shared server (accounts). Migration 0007 writes 'local' for a
# database that already had users, so an upgrade locks nobody out.
AUTH_MODE = "auth_mode"
AUTH_MODES = ("local", "accounts")


def auth_mode(uow: UnitOfWork) -> str:
    raw = (get_setting(uow, AUTH_MODE) or "").strip()
    if raw in AUTH_MODES:
        return raw
    return "accounts" if uow.session.get_bind().dialect.name == "postgresql" else "local"


def put_auth_mode(uow: UnitOfWork, mode: str) -> None:
    """Part of the caller's transaction (no commit), audited."""
    assert mode in AUTH_MODES
    s = uow.session
    row = s.get(Setting, AUTH_MODE)
    old = None if row is None else row.value
    if row is None:
        s.add(Setting(key=AUTH_MODE, value=mode))
    else:
        row.value = mode
    audit(uow, "setting.set", "setting", None, key=AUTH_MODE, value=mode, before={"value": old}, after={"value": mode})
