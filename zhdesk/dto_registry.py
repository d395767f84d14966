"""The registry's records (通讯录, 社区): people, units and communities with what uses them.

Loaded on first use: `from zhdesk.dto import PersonDTO` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CommunityUse", "PersonDTO", "UnitDTO"]


@dataclass(frozen=True)
class PersonDTO:
    """A person of the 通讯录; `listings` counts the listings naming them (any role)."""

    id: int
    name: str
    title: str | None
    unit: str | None
    phone: str | None
    listings: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UnitDTO:
    id: int
    name: str
    phone: str | None
    people: int = 0
    listings: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CommunityUse:
    """A community and what uses it (a used one cannot be deleted)."""

    id: int
    name: str
    is_sample: bool
    sites: int
    tally_entries: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
