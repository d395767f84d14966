"""Plain frozen records the services return to the CLI and the UI (never ORM objects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from zhdesk.dates import fmt_iso


def _with_iso_dates(obj: Any) -> dict[str, Any]:
    """asdict() with every date field as an ISO string (JSON has no dates)."""
    d = asdict(obj)
    for k, v in d.items():
        if isinstance(v, dt.date):
            d[k] = fmt_iso(v)
    return d


@dataclass(frozen=True)
class CommunityDTO:
    id: int
    name: str
    is_sample: bool


@dataclass(frozen=True)
class ContactDTO:
    """One responsibility line: role code + label, the person and/or unit, and a phone."""

    role: str
    role_label: str
    person: str | None
    unit: str | None
    title: str | None
    phone: str | None


@dataclass(frozen=True)
class TransitionDTO:
    action: str
    label: str
    target: str
    target_label: str


@dataclass(frozen=True)
class SiteRow:
    id: int
    address: str
    community: str
    kind: str
    kind_label: str
    military: bool
    listed: bool
    listing_id: int | None
    issue_no: int | None
    status: str | None
    status_label: str | None
    listed_on: dt.date | None
    deadline: dt.date | None
    closed_on: dt.date | None
    light: str | None
    days_left: int | None
    days_text: str
    lead: str | None
    lead_phone: str | None
    unit: str | None
    category: str | None
    category_code: str | None
    problem: str | None

    def to_json(self) -> dict[str, Any]:
        return _with_iso_dates(self)


@dataclass(frozen=True)
class ListingDTO:
    id: int
    issue_no: int | None
    listed_on: dt.date
    deadline: dt.date | None
    status: str
    status_label: str
    closed_on: dt.date | None
    category: str | None
    category_code: str | None
    category_std_version: str | None
    problem: str | None
    rework_count: int
    rebound_count: int
    light: str
    days_text: str
    version: int
    contacts: tuple[ContactDTO, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return _with_iso_dates(self)


@dataclass(frozen=True)
class SiteDetail:
    row: SiteRow
    note: str | None
    listings: tuple[ListingDTO, ...]
    transitions: tuple[TransitionDTO, ...] = field(default=())

    @property
    def current(self) -> ListingDTO | None:
        return self.listings[-1] if self.listings else None

    def to_json(self) -> dict[str, Any]:
        d = self.row.to_json()
        d["note"] = self.note
        d["listings"] = [li.to_json() for li in self.listings]
        d["transitions"] = [asdict(t) for t in self.transitions]
        return d
