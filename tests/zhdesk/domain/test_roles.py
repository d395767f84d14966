"""The role table every refusal and every hidden button reads."""

from __future__ import annotations

import pytest

from zhdesk.domain import roles


def test_every_role_has_a_label_and_admin_may_do_everything() -> None:
    assert set(roles.MATRIX) == set(roles.ROLE_LABELS)
    assert all(roles.allowed("admin", a) for a in roles.ACTIONS)
    for role, actions in roles.MATRIX.items():
        assert actions <= set(roles.ACTIONS), role


def test_only_admin_manages_accounts_and_settings() -> None:
    for role in ("leader", "preparer", "staff"):
        assert not roles.allowed(role, "accounts.manage")
        assert not roles.allowed(role, "settings.edit")
        assert not roles.allowed(role, "backup.run")


def test_the_refusal_names_role_and_action() -> None:
    text = roles.refusal("leader", "tallies.import")
    assert "领导" in text and "导入或撤销台账" in text
    assert not roles.allowed("nobody", "briefs.write")
    with pytest.raises(KeyError):
        roles.allowed("admin", "no.such.action")
