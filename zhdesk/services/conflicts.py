"""Optimistic locking: a write from a stale view becomes a Conflict that shows the other person's change.

Two ways a stale write is caught: the service compares the version (or the values) the user saw with the
row now (`conflict`), or the database refuses the UPDATE itself (SQLAlchemy's version_id_col matched no
row; SQLite WAL refused a write from an old snapshot) inside `guarded`. Either way the latest audit entry
on the record says who changed it, when, and what (its before → after).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from db.engine import lost_race
from db.models import AuditEntry, User
from db.uow import UnitOfWork
from zhdesk.domain.vocab import PHASES, SITE_KINDS
from zhdesk.domain.workflow import Status
from zhdesk.errors import Conflict

_STATUS_LABELS = {s.value: s.label for s in Status}

# Field names in the audit's before/after, as the user reads them.
FIELD_LABELS: dict[str, str] = {
    "address": "地址",
    "community": "社区",
    "kind": "类型",
    "note": "备注",
    "deadline": "整改时限",
    "status": "状态",
    "closed_on": "办结日期",
    "rework_count": "返工次数",
    "rebound_count": "反弹次数",
    "date": "日期",
    "time": "时间",
    "text": "内容",
    "actors": "参与人",
    "name": "名称",
    "title": "职务",
    "unit": "单位",
    "phone": "电话",
    "deferred": "缓办",
    "on": "日期",
    "value": "值",
    "qualifier": "限定词",
    "phase": "阶段",
    "event_id": "关联事件",
}
ENDING = "请刷新后再操作"


def _text(value: object, key: str = "") -> str:
    if key == "status" and isinstance(value, str) and value in _STATUS_LABELS:
        return _STATUS_LABELS[value]
    if key == "kind" and isinstance(value, str) and value in SITE_KINDS:
        return SITE_KINDS[value]
    if key == "phase" and isinstance(value, str) and value in PHASES:
        return PHASES[value]
    if value is None or value == "" or value == []:
        return "空"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _changed(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """`字段：旧 → 新` for each field that changed."""
    out = []
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            out.append(f"{FIELD_LABELS.get(key, key)}：{_text(old, key)} → {_text(new, key)}")
    return out


def _at_text(at: dt.datetime) -> str:
    return at.strftime("%H:%M") if at.date() == dt.date.today() else at.strftime("%Y-%m-%d %H:%M")


def conflict(
    uow: UnitOfWork, what: str, entity: str, entity_id: int | None, match: tuple[str, str] | None = None
) -> Conflict:
    """The Conflict for `what` (e.g. 点位“江西路153号”), naming the latest change on the trail for the
    record (`entity`, `entity_id` as the audit writes them; a record without an id is found by `match`,
    a (field, value) of its audit detail: a setting's ("key", key), a metric's ("code", code)). Rolls the
    session back first: after a refused flush it must be, and a fresh read sees the other person's commit."""
    s = uow.session
    s.rollback()
    # `== None` is SQL's IS NULL
    q = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
    if match is not None:  # the detail as audit() writes it (json.dumps, default separators)
        q = q.where(AuditEntry.detail.contains(json.dumps(dict([match]), ensure_ascii=False)[1:-1]))
    entry = s.scalar(q.order_by(AuditEntry.id.desc()).limit(1))
    if entry is None:
        return Conflict(f"{what}已被其他人修改，{ENDING}")
    try:
        detail = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    before, after = detail.get("before"), detail.get("after")
    theirs: dict[str, object]
    if isinstance(after, dict):
        theirs = dict(after)
        parts = _changed(before if isinstance(before, dict) else {}, after)
    else:
        theirs = {k: v for k, v in detail.items() if k != "before"}
        parts = []
    from zhdesk.services.audit import action_label  # audit imports nothing of this module; kept local

    theirs["action"] = action_label(entry.action)
    name = s.scalar(select(User.display_name).where(User.login == entry.user_login)) or entry.user_login
    said = "；".join(parts) if parts else action_label(entry.action)
    return Conflict(
        f"{what}已被其他人修改（{name} 于 {_at_text(entry.at)}：{said}），{ENDING}",
        theirs=theirs,
        by=name,
        at=entry.at,
    )


def check_version(uow: UnitOfWork, seen: int | None, now: int, what: str, entity: str, entity_id: int) -> None:
    """Refuse a write from a view older than the row (`seen` None: the caller did not say)."""
    if seen is not None and seen != now:
        raise conflict(uow, what, entity, entity_id)


def check_values(
    uow: UnitOfWork,
    seen: Mapping[str, object] | None,
    now: Mapping[str, object],
    what: str,
    entity: str,
    entity_id: int,
) -> None:
    """For records without a version: refuse when a value the user saw (`seen`, field -> value) differs
    from the row now. Only the fields given are compared."""
    if seen is not None and any(now.get(k) != v for k, v in seen.items()):
        raise conflict(uow, what, entity, entity_id)


def check_setting(uow: UnitOfWork, key: str, seen: object | None, now: object, what: str) -> None:
    """A shared setting (`key`): refuse when the value the user saw (`seen`) is no longer the value now."""
    if seen is not None and seen != now:
        raise conflict(uow, what, "setting", None, ("key", key))


def stale_write(exc: BaseException) -> bool:
    """The database refused a write made from an old view: a version that no longer matches, or (SQLite
    WAL) a snapshot another commit made stale. Unique-key clashes are not this (callers say what)."""
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError) and lost_race(exc)


@contextmanager
def guarded(uow: UnitOfWork, what: str, entity: str, entity_id: int) -> Iterator[None]:
    """Around the writes of an edit (autoflush may send them early): a stale write becomes `conflict`."""
    try:
        yield
    except (StaleDataError, DBAPIError) as exc:
        if stale_write(exc):
            raise conflict(uow, what, entity, entity_id) from exc
        raise
