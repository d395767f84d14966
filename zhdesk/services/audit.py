"""The audit trail: who changed what, written in the same unit of work as the change."""

from __future__ import annotations

import json

from db.models import AuditEntry
from db.uow import UnitOfWork


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
