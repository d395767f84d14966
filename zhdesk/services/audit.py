"""The audit trail: who changed what, written in the same unit of work as the change.

Append-only: the database refuses UPDATE and DELETE on audit_entry (migration 0006), so this module only
adds and reads entries.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from db.models import AuditEntry
from db.uow import UnitOfWork
from zhdesk.dto import AuditDTO
from zhdesk.errors import InputRefused
from zhdesk.services.authz import requires

# What each action code means to a reader; an unknown code is shown as it is.
ACTION_LABELS: dict[str, str] = {
    "site.add": "新增点位",
    "site.edit": "编辑点位",
    "site.import": "导入点位清单",
    "community.add": "新增社区",
    "community.rename": "重命名社区",
    "community.delete": "删除社区",
    "listing.add": "挂牌督办",
    "listing.status": "变更督办状态",
    "listing.extend": "延期",
    "listing.auto_close": "自动办结重复挂牌",
    "notice.issue": "生成督办通知单",
    "event.add": "新增时间线记录",
    "event.edit": "编辑时间线记录",
    "event.delete": "删除时间线记录",
    "photo.add": "添加照片",
    "photo.update": "修改照片",
    "photo.delete": "删除照片",
    "person.add": "新增人员",
    "person.edit": "编辑人员",
    "person.delete": "删除人员",
    "unit.add": "新增单位",
    "unit.edit": "编辑单位",
    "unit.delete": "删除单位",
    "batch.add": "新增督办批次",
    "item.add": "新增督办件",
    "item.close": "督办件办结",
    "item.defer": "督办件缓办",
    "tally.import": "导入社区台账",
    "tally.undo": "撤销台账导入",
    "metric.add": "新增统计指标",
    "metric.edit": "编辑统计指标",
    "metric.synonym": "新增指标别名",
    "figure.set": "录入统计数字",
    "setting.set": "修改设置",
    "brief.save": "保存会议简报",
    "database.restore": "从备份恢复数据库",
    "demo.load": "载入演示数据",
    "stats.rebuild": "重建统计汇总表",
    "auth.failed": "登录失败",
    "auth.denied": "越权操作被拒绝",
    "user.first_admin": "创建首个管理员",
    "user.add": "新增账户",
    "user.password": "修改本人密码",
    "user.password_reset": "重置密码",
    "user.disable": "停用账户",
    "user.enable": "启用账户",
    "user.role": "修改账户角色",
    "accounts.on": "启用账户登录",
    "accounts.off": "关闭账户登录（改为本机单人模式）",
}

LIMIT_RANGE = (1, 100_000)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def audit(uow: UnitOfWork, action: str, entity: str, entity_id: int | None, **detail: object) -> None:
    uow.session.add(
        AuditEntry(
            user_login=uow.user_login,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )
    )


def _detail(text: str | None) -> dict[str, object]:
    """The stored detail as a dict; a row written by hand that is not a JSON object is kept as text."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


@requires("audit.view")
def list_audit(
    uow: UnitOfWork,
    since: dt.date | None = None,
    until: dt.date | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int = 1000,
) -> list[AuditDTO]:
    """The audit trail, newest first: `since`/`until` are whole days (both included); `user` is the login,
    `action` the code (site.edit) or its Chinese label (编辑点位)."""
    low, high = LIMIT_RANGE
    if not low <= limit <= high:
        raise InputRefused(f"操作日志条数上限应在 {low} 到 {high} 之间，收到 {limit}")
    if since is not None and until is not None and since > until:
        raise InputRefused(f"操作日志起始日期 {since.isoformat()} 晚于截止日期 {until.isoformat()}")
    q = select(AuditEntry)
    if since is not None:
        q = q.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
    if until is not None:
        q = q.where(AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if user:
        q = q.where(AuditEntry.user_login == user.strip())
    if action:
        code = action.strip()
        codes = {code} | {k for k, v in ACTION_LABELS.items() if v == code}
        q = q.where(AuditEntry.action.in_(sorted(codes)))
    q = q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return [
        AuditDTO(
            id=e.id,
            at=e.at,
            user_login=e.user_login,
            action=e.action,
            action_label=action_label(e.action),
            entity=e.entity,
            entity_id=e.entity_id,
            detail=_detail(e.detail),
        )
        for e in uow.session.scalars(q)
    ]
