"""会议简报 (issue 11): the one spec the window, the CLI and the tests hand to the brief builder
(zhdesk/brief/), what a build returns and a saved brief.

Loaded on first use: `from zhdesk.dto import BriefSpec` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["BRIEF_SECTIONS", "BriefRecordDTO", "BriefResult", "BriefSpec"]


BRIEF_SECTIONS = ("summary", "kpi", "charts", "listings", "sites")


@dataclass(frozen=True)
class BriefSpec:
    """What a brief holds. None means the default the builder picks: the last issue + 1, the issuing
    unit and title from the settings, today."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    communities: tuple[str, ...] = ()  # empty: every community
    sections: tuple[str, ...] = BRIEF_SECTIONS
    sites: str = "listed"  # listed | all | chosen (then site_ids)
    site_ids: tuple[int, ...] = ()
    photos: bool = True
    issue_no: int | None = None
    issuer: str | None = None
    issued_on: dt.date | None = None
    internal: bool = False  # print the 内部资料 line
    title: str | None = None


@dataclass(frozen=True)
class BriefResult:
    path: Path
    pages: int  # the PDF's page count; 0 for a .docx (Word paginates it when it opens the file)
    bytes: int
    issue_no: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


@dataclass(frozen=True)
class BriefRecordDTO:
    """A saved brief, newest first in recent_briefs: enough to list it and rebuild or clone it."""

    id: int
    issue_no: int
    spec: BriefSpec
    path: str
    pages: int
    size_bytes: int
    made_at: dt.datetime
    made_by: str | None
