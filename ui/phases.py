"""How photo phases look in the window: one colour each (gallery badges, viewer, comparison) and the
date a photo was taken as text."""

from __future__ import annotations

from zhdesk.dto import PhotoDTO

PHASE_COLORS: dict[str, str] = {"before": "#c5221f", "during": "#e37400", "after": "#1e8e3e"}


def taken_text(p: PhotoDTO) -> str:
    return p.taken_at.strftime("%Y-%m-%d %H:%M") if p.taken_at else "拍摄时间未知"
