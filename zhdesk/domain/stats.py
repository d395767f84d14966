"""Statistics formulas (pure). 结案率 = 结案数 ÷ (应结案数 − 缓办数); 按期结案率 likewise with
the items closed by their deadline. The app reports what the data says: no total is ever "fixed"."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PATROL = "patrol"
    FOOT_PATROL = "foot_patrol"
    INSPECTION_BULLETIN = "inspection_bulletin"
    LISTED = "listed"
    SUPERVISION_CASE = "supervision_case"
    COMPOUND_NOTICE = "compound_notice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[Kind, str] = {
    Kind.PATROL: "巡查",
    Kind.FOOT_PATROL: "中层步巡",
    Kind.INSPECTION_BULLETIN: "督察通报",
    Kind.LISTED: "挂牌督办",
    Kind.SUPERVISION_CASE: "督查件",
    Kind.COMPOUND_NOTICE: "通报部分楼院",
    Kind.OTHER: "其他",
}


def kind_label(code: str) -> str:
    """The Chinese name of a kind code; an unknown code (an older or edited database) as it is."""
    try:
        return KIND_LABELS[Kind(code)]
    except ValueError:
        return code


def parse_kind(text: str) -> Kind:
    from zhdesk.errors import UsageError

    t = text.strip()
    for k in Kind:
        if t in (k.value, k.label):
            return k
    if t in ("其他各类督办件", "其他督办件"):
        return Kind.OTHER
    names = "、".join(f"{k.value}({k.label})" for k in Kind)
    raise UsageError(f"未知的督办件类型“{text}”，可用：{names}")


@dataclass(frozen=True)
class Counts:
    """期 / 处 / 办结 for one kind (or the total)."""

    issues: int
    items: int
    closed: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.issues + other.issues, self.items + other.items, self.closed + other.closed)


def rate(numerator: int, due: int, deferred: int) -> float | None:
    """numerator ÷ (due − deferred); None when nothing is due (not 0%, not 100%)."""
    base = due - deferred
    if base <= 0:
        return None
    return numerator / base


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
