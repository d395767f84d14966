"""社区 editable in 设置: add, rename, delete (only when nothing uses it, sample or not)."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import Community, Site, TallyEntry
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.dto import CommunityUse
from zhdesk.errors import InputRefused, NotFound
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.conflicts import check_values


def list_community_uses(uow: UnitOfWork) -> list[CommunityUse]:
    s = uow.session
    sites = {k: n for k, n in s.execute(select(Site.community_id, func.count()).group_by(Site.community_id))}
    q = select(TallyEntry.community_id, func.count()).where(TallyEntry.community_id.isnot(None))
    tallies = {k: n for k, n in s.execute(q.group_by(TallyEntry.community_id))}
    return [
        CommunityUse(c.id, c.name, c.is_sample, sites.get(c.id, 0), tallies.get(c.id, 0))
        for c in s.scalars(select(Community).order_by(Community.sort_order, Community.id))
    ]


def _name(uow: UnitOfWork, name: str, exclude_id: int | None = None) -> str:
    text = fields.required(name, fields.COMMUNITY, label="社区名称")
    other = uow.session.scalar(select(Community).where(Community.name == text))
    if other is not None and other.id != exclude_id:
        raise InputRefused(f"社区“{text}”已存在（编号 {other.id}）")
    return text


@requires("directory.edit")
def add_community(uow: UnitOfWork, name: str) -> CommunityUse:
    s = uow.session
    text = _name(uow, name)
    order = s.scalar(select(func.max(Community.sort_order))) or 0
    c = Community(name=text, is_sample=False, sort_order=order + 1)
    s.add(c)
    s.flush()
    audit(uow, "community.add", "community", c.id, name=text)
    uow.commit()
    return CommunityUse(c.id, text, False, 0, 0)


def _community(uow: UnitOfWork, community_id: int) -> Community:
    c = uow.session.get(Community, community_id)
    if c is None:
        raise NotFound(f"找不到编号为 {community_id} 的社区")
    return c


@requires("directory.edit")
def rename_community(
    uow: UnitOfWork, community_id: int, name: str, expected_name: str | None = None
) -> CommunityUse:
    """`expected_name`: the name the user saw; a rename by someone else since is a Conflict."""
    c = _community(uow, community_id)
    if expected_name is not None:
        check_values(uow, {"name": expected_name}, {"name": c.name}, f"社区“{expected_name}”", "community", c.id)
    text = _name(uow, name, exclude_id=c.id)
    before = c.name
    c.name = text
    # A sample community renamed by hand has become a real one.
    c.is_sample = c.is_sample and text.endswith("（示例）")
    audit(uow, "community.rename", "community", c.id, name=text, before={"name": before}, after={"name": text})
    uow.session.flush()
    uow.commit()
    return next(u for u in list_community_uses(uow) if u.id == community_id)


@requires("directory.edit")
def delete_community(uow: UnitOfWork, community_id: int) -> None:
    """Refused, saying what uses it, while a site or a tally entry belongs to it."""
    c = _community(uow, community_id)
    use = next(u for u in list_community_uses(uow) if u.id == community_id)
    if use.sites or use.tally_entries:
        uses = "、".join(f"{n} {what}" for n, what in ((use.sites, "个点位"), (use.tally_entries, "条台账数据")) if n)
        raise InputRefused(f"社区“{c.name}”仍有 {uses}，不能删除（请先把点位改到其他社区）")
    uow.session.delete(c)
    audit(uow, "community.delete", "community", community_id, name=c.name)
    uow.commit()
