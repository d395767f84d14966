"""通讯录: the people and units listings name. A listing refers to its Person/Unit rows, so a phone
changed here is changed on every listing that names them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.models import EventActor, Person, Responsibility, SupervisionItem, Unit
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.dto import PersonDTO, UnitDTO
from zhdesk.errors import InputRefused, NotFound
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.common import by_code_point
from zhdesk.services.conflicts import check_values


def _listing_counts(s: Session, column: object) -> dict[int, int]:
    q = (
        select(column, func.count(func.distinct(Responsibility.listing_id)))  # type: ignore[call-overload]
        .where(column.isnot(None))  # type: ignore[attr-defined]
        .group_by(column)
    )
    return {k: n for k, n in s.execute(q)}


def list_people(uow: UnitOfWork) -> list[PersonDTO]:
    """Everyone in the 通讯录 by name, with how many listings name them."""
    s = uow.session
    counts = _listing_counts(s, Responsibility.person_id)
    by_name = (by_code_point(s, Person.name), Person.id)
    people = s.scalars(select(Person).options(selectinload(Person.unit)).order_by(*by_name))
    return [_person_dto(p, counts.get(p.id, 0)) for p in people]


def list_units(uow: UnitOfWork) -> list[UnitDTO]:
    s = uow.session
    counts = _listing_counts(s, Responsibility.unit_id)
    q = select(Person.unit_id, func.count()).where(Person.unit_id.isnot(None)).group_by(Person.unit_id)
    people = {k: n for k, n in s.execute(q)}
    return [
        UnitDTO(u.id, u.name, u.phone, people.get(u.id, 0), counts.get(u.id, 0))
        for u in s.scalars(select(Unit).order_by(by_code_point(s, Unit.name), Unit.id))
    ]


def _person_dto(p: Person, listings: int) -> PersonDTO:
    return PersonDTO(p.id, p.name, p.title, p.unit.name if p.unit else None, p.phone, listings)


def _person_values(p: Person) -> dict[str, object]:
    """A person as the audit records them (before an edit)."""
    return {"name": p.name, "title": p.title, "unit": p.unit.name if p.unit else None, "phone": p.phone}


def _unit_named(s: Session, name: str) -> Unit:
    u = s.scalar(select(Unit).where(Unit.name == name))
    if u is None:
        u = Unit(name=name)
        s.add(u)
        s.flush()
    return u


@requires("directory.edit")
def save_person(
    uow: UnitOfWork,
    person_id: int | None,
    name: str,
    title: str | None = None,
    unit: str | None = None,
    phone: str | None = None,
    expected: Mapping[str, object] | None = None,
) -> PersonDTO:
    """Add (person_id None) or edit a person; a unit not yet in the 通讯录 is added with them.
    `expected`: the values the user saw (name, title, unit, phone); another person's edit since is a Conflict."""
    s = uow.session
    name = fields.required(name, fields.PERSON)
    title = fields.clean(title, fields.TITLE)
    unit_name = fields.clean(unit, fields.UNIT)
    phone = fields.clean(phone, fields.PHONE)
    found: Person | None = None
    if person_id is not None:
        found = s.get(Person, person_id)
        if found is None:
            raise NotFound(f"找不到编号为 {person_id} 的人员")
        check_values(uow, expected, _person_values(found), f"人员“{found.name}”", "person", found.id)
    u = _unit_named(s, unit_name) if unit_name else None
    q = select(Person).where(Person.name == name, Person.unit_id == u.id if u else Person.unit_id.is_(None))
    other = s.scalar(q)
    if other is not None and other is not found:
        where = f"（{u.name}）" if u else ""
        raise InputRefused(f"通讯录中已有“{name}”{where}（编号 {other.id}），请直接修改该人员")
    p = found if found is not None else Person()
    before = None if found is None else _person_values(found)
    p.name, p.title, p.phone, p.unit_id = name, title, phone, u.id if u else None
    if found is None:
        s.add(p)
    s.flush()
    if before is None:
        audit(uow, "person.add", "person", p.id, name=name, unit=unit_name)
    else:
        after = {"name": name, "title": title, "unit": unit_name, "phone": phone}
        audit(uow, "person.edit", "person", p.id, name=name, unit=unit_name, before=before, after=after)
    uow.commit()
    s.refresh(p)
    counts = _listing_counts(s, Responsibility.person_id)
    return _person_dto(p, counts.get(p.id, 0))


@requires("directory.edit")
def save_unit(
    uow: UnitOfWork,
    unit_id: int | None,
    name: str,
    phone: str | None = None,
    expected: Mapping[str, object] | None = None,
) -> UnitDTO:
    """`expected`: the values the user saw (name, phone); another person's edit since is a Conflict."""
    s = uow.session
    name = fields.required(name, fields.UNIT)
    phone = fields.clean(phone, fields.PHONE)
    other = s.scalar(select(Unit).where(Unit.name == name))
    if unit_id is None:
        if other is not None:
            raise InputRefused(f"通讯录中已有单位“{name}”（编号 {other.id}），请直接修改该单位")
        u = Unit(name=name, phone=phone)
        s.add(u)
    else:
        found = s.get(Unit, unit_id)
        if found is None:
            raise NotFound(f"找不到编号为 {unit_id} 的单位")
        now = {"name": found.name, "phone": found.phone}
        check_values(uow, expected, now, f"单位“{found.name}”", "unit", found.id)
        if other is not None and other is not found:
            raise InputRefused(f"通讯录中已有单位“{name}”（编号 {other.id}），不能改成同名")
        u = found
        before = {"name": u.name, "phone": u.phone}
        u.name, u.phone = name, phone
    s.flush()
    if unit_id is None:
        audit(uow, "unit.add", "unit", u.id, name=name)
    else:
        audit(uow, "unit.edit", "unit", u.id, name=name, before=before, after={"name": name, "phone": phone})
    uow.commit()
    return next(x for x in list_units(uow) if x.id == u.id)


@requires("directory.edit")
def delete_person(uow: UnitOfWork, person_id: int) -> None:
    """Only a person no listing or event names (removing them would lose who was responsible)."""
    s = uow.session
    p = s.get(Person, person_id)
    if p is None:
        raise NotFound(f"找不到编号为 {person_id} 的人员")
    listings = s.scalar(
        select(func.count(func.distinct(Responsibility.listing_id))).where(Responsibility.person_id == p.id)
    )
    events = s.scalar(select(func.count()).select_from(EventActor).where(EventActor.person_id == p.id))
    if listings or events:
        raise InputRefused(f"“{p.name}”（编号 {p.id}）仍被 {listings} 个挂牌督办、{events} 条事件引用，不能删除")
    s.delete(p)
    audit(uow, "person.delete", "person", person_id, name=p.name)
    uow.commit()


@requires("directory.edit")
def delete_unit(uow: UnitOfWork, unit_id: int) -> None:
    s = uow.session
    u = s.get(Unit, unit_id)
    if u is None:
        raise NotFound(f"找不到编号为 {unit_id} 的单位")

    def count(q: object) -> int:
        return int(s.scalar(q) or 0)  # type: ignore[call-overload]

    people = count(select(func.count()).select_from(Person).where(Person.unit_id == u.id))
    listings = count(select(func.count(func.distinct(Responsibility.listing_id))).where(Responsibility.unit_id == u.id))
    items = count(select(func.count()).select_from(SupervisionItem).where(SupervisionItem.unit_id == u.id))
    events = count(select(func.count()).select_from(EventActor).where(EventActor.unit_id == u.id))
    if people or listings or items or events:
        uses = "、".join(
            f"{n} {what}"
            for n, what in ((people, "名人员"), (listings, "个挂牌督办"), (items, "件督办件"), (events, "条事件"))
            if n
        )
        raise InputRefused(f"单位“{u.name}”（编号 {u.id}）仍被 {uses}引用，不能删除")
    s.delete(u)
    audit(uow, "unit.delete", "unit", unit_id, name=u.name)
    uow.commit()
