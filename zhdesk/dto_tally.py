"""社区台账's records: import options and reports, batches, metrics, totals, cells and entries.

Loaded on first use: `from zhdesk.dto import TallyFileReport` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "MetricDTO",
    "MetricTotal",
    "TallyBatchDTO",
    "TallyCell",
    "TallyEntryDTO",
    "TallyFileReport",
    "TallyImportOptions",
    "TallyPreviewEntry",
    "TallyProblem",
]


@dataclass(frozen=True)
class TallyImportOptions:
    """What the user adds to a tally file: a default community, a period, header mappings, fixes, exclusions."""

    community: str | None = None
    period: tuple[dt.date, dt.date] | None = None
    # header text → metric code, or None to ignore the column (CLI --map, the wizard's choices)
    mapping: dict[str, str | None] = field(default_factory=dict)
    # (sheet, row as the spreadsheet shows it, column letter) → the value the user typed instead
    fixes: dict[tuple[str, int, str], str] = field(default_factory=dict)
    excluded: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class TallyProblem:
    """One problem of an import, with its place: sheet, row (as shown), column letter, the value, the reason."""

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}  # fmt: skip

    def text(self, file_name: str) -> str:
        where = [file_name]
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列")
        value = f"“{self.value}”" if self.value not in (None, "") else ""
        return f"{' '.join(where)}{value}：{self.reason}"


@dataclass(frozen=True)
class TallyPreviewEntry:
    metric: str
    metric_name: str
    unit: str
    community: str
    site: str | None
    start: dt.date
    end: dt.date
    value: Decimal
    qualifier: str | None
    sheet: str
    row: int
    column: str


@dataclass(frozen=True)
class TallyFileReport:
    """The outcome of importing (or previewing) one file; `status` imported | duplicate | rejected | preview."""

    file: str
    status: str
    rows: int = 0
    entries: int = 0
    errors: tuple[TallyProblem, ...] = ()
    warnings: tuple[TallyProblem, ...] = ()
    unmapped: tuple[str, ...] = ()
    batch_id: int | None = None
    sha256: str | None = None
    unreadable: bool = False
    preview: tuple[TallyPreviewEntry, ...] = ()
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status, "rows": self.rows, "entries": self.entries,
            "errors": [e.to_json() for e in self.errors], "warnings": [w.to_json() for w in self.warnings],
            "unmapped": list(self.unmapped), "batch": self.batch_id,
        }  # fmt: skip


@dataclass(frozen=True)
class TallyBatchDTO:
    id: int
    file_name: str
    sha256: str
    sheets: str | None
    imported_at: dt.datetime
    imported_by: str | None
    rows: int
    entries: int
    undone_at: dt.datetime | None
    undone_by: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "file": self.file_name, "sha256": self.sha256, "sheets": self.sheets,
            "imported_at": self.imported_at.isoformat(sep=" "), "imported_by": self.imported_by, "rows": self.rows,
            "entries": self.entries, "undone": self.undone_at is not None,
            "undone_at": self.undone_at.isoformat(sep=" ") if self.undone_at else None, "undone_by": self.undone_by,
        }  # fmt: skip


@dataclass(frozen=True)
class MetricDTO:
    code: str
    name: str
    unit: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricTotal:
    """A metric's total over a range; an approximate entry (约/近/余) makes the total approximate."""

    code: str
    name: str
    unit: str
    value: Decimal
    qualifier: str | None

    @property
    def text(self) -> str:
        """As the source writes it: 约130, 近130, 100余."""
        number = f"{self.value.normalize():f}" if self.value == self.value.to_integral() else f"{self.value:f}"
        if self.qualifier == "余":
            return f"{number}余"
        return f"{self.qualifier or ''}{number}"


@dataclass(frozen=True)
class TallyCell:
    """One figure of the metric × community × period table."""

    metric: str
    community: str  # '全街道' for entries without a community
    period: str  # a period key (zhdesk/domain/periods.py)
    value: Decimal
    qualifier: str | None


@dataclass(frozen=True)
class TallyEntryDTO:
    """One entry behind a figure, with where it came from: a file and row, or a hand entry."""

    id: int
    metric: str
    metric_name: str
    unit: str
    community: str | None
    site: str | None
    start: dt.date
    end: dt.date
    value: Decimal
    qualifier: str | None
    batch_id: int | None
    file_name: str | None
    sheet: str | None
    row: int | None
    column: str | None
    entered_by: str | None
    entered_at: dt.datetime | None

    @property
    def source(self) -> str:
        if self.batch_id is not None:
            where = " ".join(x for x in (f"工作表“{self.sheet}”" if self.sheet else "",
                                          f"第{self.row}行" if self.row else "", f"{self.column}列" if self.column
                                          else "") if x)  # fmt: skip
            return f"{self.file_name} {where}".strip()
        when = self.entered_at.strftime("%Y-%m-%d %H:%M") if self.entered_at else ""
        return f"手工录入 {self.entered_by or ''} {when}".strip()
