"""A site's timeline: dated events with actors and photos. Edits and deletions are audited;
a deleted event is hidden, never destroyed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from db.models import EventActor, Listing, Person, Photo, TimelineEvent, Unit, User
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.domain.vocab import EVENT_KINDS, SERVICE_EVENT_KINDS
from zhdesk.domain.workflow import WORKFLOW_EVENT_KINDS
from zhdesk.dto import EventDTO
from zhdesk.errors import InputRefused, NeedsConfirmation, NotFound, UsageError
from zhdesk.services.audit import audit
from zhdesk.services.authz import authorize, require_community, requires
from zhdesk.services.common import current_user, site_or_refuse
from zhdesk.services.conflicts import check_version, guarded
from zhdesk.services.sites import current_listing

# Every kind a timeline shows; the WORKFLOW_EVENT_KINDS among them are written only by the workflow.

# How far in the future an event may be dated without confirmation (clock skew, late evening entry).
FUTURE_SLACK = dt.timedelta(days=1)


def parse_kind(text: str) -> str:
    t = text.strip()
    if t in EVENT_KINDS:
        return t
    for code, name in EVENT_KINDS.items():
        if t == name:
            return code
    names = "、".join(f"{c}({n})" for c, n in EVENT_KINDS.items())
    raise UsageError(f"未知的事件类型“{text}”，可用：{names}")


# What a user may record or edit by hand (the event dialog offers these).


def _manual_kind(kind: str, what: str = "记录") -> str:
    """Workflow kinds come only from the workflow, so the timeline never shows a step the listing
    did not take."""
    if kind in WORKFLOW_EVENT_KINDS:
        raise InputRefused(
            f"“{EVENT_KINDS[kind]}”事件由挂牌流程自动生成，不能手工{what}；请用 site move（窗口：点位详情的流程按钮）"
        )
    if kind == "urge":  # 催办 stands for a numbered notice: only issue_notices writes it
        raise InputRefused(
            f"“{EVENT_KINDS[kind]}”事件由生成督办通知单自动记录，不能手工{what}；"
            "请用 notice（窗口：点位档案的 生成督办通知单…）"
        )
    if kind in SERVICE_EVENT_KINDS:  # 延期 is counted: only extend_deadline writes it
        raise InputRefused(
            f"“{EVENT_KINDS[kind]}”事件由延期操作自动生成，不能手工{what}；请用 site extend（窗口：点位详情的 延期…）"
        )
    return kind


def _clean_actors(names: Sequence[str]) -> list[str]:
    out = []
    for n, raw in enumerate(names, start=1):
        name = fields.clean(raw, fields.ACTOR, label=f"第{n}个参与人员或单位")
        if name is not None:
            out.append(name)
    return out


def _site_listing(s: Session, site_id: int) -> tuple[int, Listing | None]:
    site = site_or_refuse(s, site_id)
    listing = current_listing(s, site_id)
    return site.id, listing


def _check_date(s: Session, site_id: int, on: dt.date, today: dt.date, confirmed: bool) -> None:
    if confirmed:
        return
    first_listed = s.scalar(select(func.min(Listing.listed_on)).where(Listing.site_id == site_id))
    if first_listed is not None and on < first_listed:
        raise NeedsConfirmation(f"事件日期 {on.isoformat()} 早于该点位的挂牌日期 {first_listed.isoformat()}")
    if on > today + FUTURE_SLACK:
        raise NeedsConfirmation(f"事件日期 {on.isoformat()} 在将来（今天是 {today.isoformat()}）")


def _actors(s: Session, event_id: int, names: Sequence[str]) -> None:
    """`names` already cleaned (_clean_actors)."""
    for name in names:
        person = s.scalar(select(Person).where(Person.name == name).limit(1))
        unit = None if person else s.scalar(select(Unit).where(Unit.name == name))
        s.add(
            EventActor(
                event_id=event_id, person_id=person.id if person else None, unit_id=unit.id if unit else None,
                name=name,
            )
        )  # fmt: skip


def _dto(s: Session, ev: TimelineEvent) -> EventDTO:
    return _dtos(s, [ev])[0]


def _dtos(s: Session, events: Sequence[TimelineEvent]) -> list[EventDTO]:
    ids = [e.id for e in events]
    actors: dict[int, list[str]] = {}
    for eid, name in s.execute(
        select(EventActor.event_id, EventActor.name).where(EventActor.event_id.in_(ids)).order_by(EventActor.id)
    ):
        actors.setdefault(eid, []).append(name or "")
    photos: dict[int, list[int]] = {}
    for ev_id, pid in s.execute(
        select(Photo.event_id, Photo.id).where(Photo.event_id.in_(ids), Photo.deleted.is_(False)).order_by(Photo.id)
    ):
        if ev_id is not None:
            photos.setdefault(ev_id, []).append(pid)
    authors = dict(s.execute(select(User.id, User.display_name)).all())
    return [
        EventDTO(
            id=e.id, site_id=e.site_id, listing_id=e.listing_id, kind=e.kind,
            kind_label=EVENT_KINDS.get(e.kind, e.kind),
            date=e.occurred_on, time=e.occurred_at, text=e.text, actors=tuple(actors.get(e.id, [])),
            photo_ids=tuple(photos.get(e.id, [])), author=authors.get(e.author_id) if e.author_id else None,
            version=e.version,
        )
        for e in events
    ]  # fmt: skip


def list_timeline(uow: UnitOfWork, site_id: int) -> list[EventDTO]:
    site_or_refuse(uow.session, site_id)
    return timelines(uow, [site_id])[site_id]


def timelines(uow: UnitOfWork, site_ids: Sequence[int]) -> dict[int, list[EventDTO]]:
    """list_timeline of each of `site_ids` in three queries (the brief's site sections); the sites are not
    checked: an unknown id has no events."""
    s = uow.session
    out: dict[int, list[EventDTO]] = {sid: [] for sid in site_ids}
    if not out:
        return out
    events = list(
        s.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.site_id.in_(list(out)), TimelineEvent.deleted.is_(False))
            .order_by(TimelineEvent.site_id, TimelineEvent.occurred_on, TimelineEvent.occurred_at.is_(None),
                      TimelineEvent.occurred_at, TimelineEvent.id)
        )
    )  # fmt: skip
    for e in _dtos(s, events):
        out[e.site_id].append(e)
    return out


@requires("comments.add")
def add_event(
    uow: UnitOfWork,
    site_id: int,
    kind: str,
    on: dt.date,
    *,
    at: dt.time | None = None,
    text: str | None = None,
    actors: Sequence[str] = (),
    confirmed: bool = False,
    today: dt.date | None = None,
) -> EventDTO:
    """Record an event. A date before the listing or more than a day ahead is refused unless confirmed."""
    s = uow.session
    kind = _manual_kind(parse_kind(kind))
    text = fields.clean(text, fields.EVENT_TEXT)
    names = _clean_actors(actors)
    sid, listing = _site_listing(s, site_id)
    _may_record(uow, kind, sid, "add_event")
    _check_date(s, sid, on, today or dt.date.today(), confirmed)
    ev = TimelineEvent(
        site_id=sid, listing_id=listing.id if listing else None, kind=kind, occurred_on=on, occurred_at=at,
        text=text, author_id=current_user(uow).id,
    )  # fmt: skip
    s.add(ev)
    s.flush()
    _actors(s, ev.id, names)
    audit(uow, "event.add", "timeline_event", ev.id, site_id=sid, kind=kind, date=on, text=text)
    s.flush()
    uow.commit()
    return _dto(s, ev)


def _what(ev: TimelineEvent) -> str:
    return f"时间线记录（{ev.occurred_on.isoformat()}，编号 {ev.id}）"


def _may_record(uow: UnitOfWork, kind: str, site_id: int, use_case: str) -> None:
    """A note (备注, a leader's 批示) is a comment, which every role may add (comments.add, checked by
    `requires`); any other kind is casework (events.edit). A staff account bound to a community records
    only on its sites."""
    if kind != "note":
        authorize(uow, "events.edit", use_case)
    require_community(uow, [site_or_refuse(uow.session, site_id).community], "events.edit", use_case)


def _editable(uow: UnitOfWork, event_id: int, expected_version: int | None) -> TimelineEvent:
    s = uow.session
    ev = s.get(TimelineEvent, event_id)
    if ev is None or ev.deleted:
        raise NotFound(f"找不到编号为 {event_id} 的事件")
    _may_record(uow, ev.kind, ev.site_id, "edit_event")
    user = current_user(uow)
    if user.role != "admin" and ev.author_id != user.id:
        raise InputRefused("只有事件的录入人或管理员可以修改或删除此事件")
    check_version(uow, expected_version, ev.version, _what(ev), "timeline_event", ev.id)
    return ev


def _snapshot(s: Session, ev: TimelineEvent) -> dict[str, object]:
    actors = list(s.scalars(select(EventActor.name).where(EventActor.event_id == ev.id).order_by(EventActor.id)))
    return {"kind": ev.kind, "date": ev.occurred_on, "time": ev.occurred_at, "text": ev.text, "actors": actors}


@requires("comments.add")
def edit_event(
    uow: UnitOfWork,
    event_id: int,
    *,
    kind: str | None = None,
    on: dt.date | None = None,
    at: dt.time | None = None,
    text: str | None = None,
    actors: Sequence[str] | None = None,
    expected_version: int | None = None,
    confirmed: bool = False,
    today: dt.date | None = None,
) -> EventDTO:
    s = uow.session
    ev = _editable(uow, event_id, expected_version)
    before = _snapshot(s, ev)
    # Everything checked before anything changes: the checks' queries must not flush a half edit.
    new_kind = parse_kind(kind) if kind is not None else None
    if new_kind is not None and new_kind != ev.kind:
        _manual_kind(ev.kind, "改为其他类型")
        _manual_kind(new_kind, "录入")
        _may_record(uow, new_kind, ev.site_id, "edit_event")
    if on is not None and on != ev.occurred_on:
        _manual_kind(ev.kind, "改日期")  # the listing's dates and the order of its steps rest on it
    new_text = fields.clean(text, fields.EVENT_TEXT) if text is not None else None
    names = _clean_actors(actors) if actors is not None else None
    if on is not None:
        _check_date(s, ev.site_id, on, today or dt.date.today(), confirmed)
    with guarded(uow, _what(ev), "timeline_event", ev.id):
        if names is not None:
            for a in s.scalars(select(EventActor).where(EventActor.event_id == ev.id)):
                s.delete(a)
            s.flush()
            _actors(s, ev.id, names)
        with s.no_autoflush:
            if new_kind is not None:
                ev.kind = new_kind
            if on is not None:
                ev.occurred_on = on
            if at is not None:
                ev.occurred_at = at
            if text is not None:
                ev.text = new_text
            if actors is not None:
                flag_modified(ev, "kind")  # an actors-only edit is still a new version of the event
        s.flush()
        after = _snapshot(s, ev)
        if after == before:
            return _dto(s, ev)  # nothing changed: no new version, no audit line
        audit(uow, "event.edit", "timeline_event", ev.id, before=before, after=after)
        uow.commit()
    return _dto(s, ev)


@requires("comments.add")
def delete_event(uow: UnitOfWork, event_id: int, expected_version: int | None = None) -> None:
    """Hide the event; the row and the audit entry keep what it said."""
    ev = _editable(uow, event_id, expected_version)
    _manual_kind(ev.kind, "删除")
    before = _snapshot(uow.session, ev)
    with guarded(uow, _what(ev), "timeline_event", ev.id):
        ev.deleted = True
        uow.session.flush()
        audit(uow, "event.delete", "timeline_event", ev.id, before=before)
        uow.commit()
