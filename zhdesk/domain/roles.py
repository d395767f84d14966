"""Who may do what: the four account roles and the actions the services check (issue 12).

One table, read by the services (zhdesk/services/authz.py refuses) and by the window (it hides or disables
what the signed-in role cannot do), so the two cannot disagree. Qt-free and storage-free."""

from __future__ import annotations

ROLE_LABELS: dict[str, str] = {
    "admin": "管理员",
    "leader": "领导",
    "preparer": "简报编制",
    "staff": "工作人员",
}

# Action code -> what the refusal names ("“领导”不能导入台账").
ACTIONS: dict[str, str] = {
    "sites.edit": "新增或修改点位、挂牌督办",
    "bulletins.edit": "录入督办通报和整治数据",
    "briefs.write": "保存会议简报",
    "comments.add": "添加备注（领导批示）",
    "events.edit": "记录时间线事件和照片",
    "tallies.import": "导入或撤销台账",
    "catalogue.edit": "修改指标目录",
    "directory.edit": "修改通讯录和社区",
    "settings.edit": "修改设置",
    "accounts.manage": "管理账户",
    "audit.view": "查看操作日志",
    "backup.run": "备份数据库",
    "database.restore": "从备份恢复数据库",
    "demo.load": "载入演示数据",
    "stats.rebuild": "重建统计汇总表",
}

MATRIX: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "leader": frozenset({"briefs.write", "comments.add", "audit.view"}),
    "preparer": frozenset(
        {"sites.edit", "bulletins.edit", "briefs.write", "comments.add", "catalogue.edit", "directory.edit"}
    ),
    "staff": frozenset({"events.edit", "comments.add", "tallies.import"}),
}

# Roles whose account may be bound to one community: their events, photos and tallies stay inside it.
COMMUNITY_BOUND: frozenset[str] = frozenset({"staff"})


def allowed(role: str, action: str) -> bool:
    """May `role` do `action`? An unknown action is a programming error, not a refusal."""
    if action not in ACTIONS:
        raise KeyError(action)
    return action in MATRIX.get(role, frozenset())


def refusal(role: str, action: str) -> str:
    """The one Chinese sentence every refusal uses, naming the role and the action."""
    label = ROLE_LABELS.get(role, role)
    return f"当前账户的角色是“{label}”，无权{ACTIONS[action]}；如需办理请联系管理员"
