"""The vocabulary the office uses: kinds of site, roles, event kinds, photo phases, item states.

Codes are stored; the Chinese labels are shown. Qt-free and storage-free, so the window can import it."""

from __future__ import annotations

from zhdesk.domain.workflow import WORKFLOW_EVENT_KINDS

SITE_KINDS: dict[str, str] = {
    "compound": "楼院",
    "street": "背街小巷",
    "shop": "沿街商铺",
    "commercial": "商圈",
    "military": "部队管辖楼院",
}

ROLE_LABELS: dict[str, str] = {"lead": "包案领导", "unit": "责任单位", "person": "责任人", "contact": "联系人"}

EVENT_KINDS: dict[str, str] = {
    "listed": "挂牌",
    "inspection": "现场检查",
    "interview": "约谈",
    "action": "整改措施",
    "acceptance_request": "申请验收",
    "accepted": "验收通过",
    "rejected": "退回整改",
    "delisted": "摘牌",
    "follow_up": "回头看",
    "rebound": "反弹",
    "note": "备注",
    "extended": "延期",
    "urge": "催办",
}

# Written only by their service (延期: extend_deadline; 催办: issue_notices), never by hand: each one is counted.
SERVICE_EVENT_KINDS: dict[str, str] = {**WORKFLOW_EVENT_KINDS, "extended": "延期", "urge": "催办"}

MANUAL_EVENT_KINDS: dict[str, str] = {k: v for k, v in EVENT_KINDS.items() if k not in SERVICE_EVENT_KINDS}

PHASES: dict[str, str] = {"before": "整改前", "during": "整改中", "after": "整改后"}

OPEN = "open"

CLOSED = "closed"
