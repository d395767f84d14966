"""Figures entered by hand for a period (e.g. 数字化城管件 handled), until a tally import feeds them.

Stored as tally entries without an import batch, so the statistics read them the same way. Entering a
figure again for the same metric, period and community replaces it (never a silent second copy).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, select

from db.models import Metric, TallyEntry
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.dto import FigureDTO
from zhdesk.errors import InputRefused, NotFound, UsageError
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires
from zhdesk.services.conflicts import check_values

QUALIFIERS = ("约", "近", "余")
_NUMBER = re.compile(r"^\s*(约|近)?\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*(余|多)?\s*$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def parse_figure(text: str) -> tuple[Decimal, str | None]:
    """'1758' → (1758, None); '约130' / '近130' → (130, 约/近); '100余' → (100, 余)."""
    m = _NUMBER.match(text.translate(_FULLWIDTH))
    if not m:
        raise UsageError(f"数值“{text}”无法识别，请写成 1758、约130、近130 或 100余")
    try:
        value = Decimal(m.group(2).replace("．", "."))
    except InvalidOperation:
        raise UsageError(f"数值“{text}”无法识别") from None
    qualifier = m.group(1) or ("余" if m.group(3) else None)
    return value, qualifier


def _hand_entry(metric: str, start: dt.date, end: dt.date, community_id: int | None) -> Select[Any]:
    """The one hand entry (no import batch, no site) for a metric, period and community (None: 全街道)."""
    return select(TallyEntry).where(
        TallyEntry.metric_code == metric, TallyEntry.period_start == start, TallyEntry.period_end == end,
        TallyEntry.import_batch_id.is_(None), TallyEntry.site_id.is_(None),
        TallyEntry.community_id.is_(None) if community_id is None else TallyEntry.community_id == community_id,
    )  # fmt: skip


def set_figure(
    uow: UnitOfWork,
    metric: str,
    period_start: dt.date,
    period_end: dt.date,
    value: Decimal,
    qualifier: str | None = None,
    community: str | None = None,
    expected: Mapping[str, object] | None = None,
) -> FigureDTO:
    """`expected`: the figure for this metric, period and community as the user saw it ({"value": Decimal
    or None, "qualifier": ...}; a value None: they saw none); another person's entry since is a Conflict."""
    s = uow.session
    metric = fields.required(metric, fields.METRIC)
    # by name: the same ASCII-case rule on both engines (icontains), the first in catalogue order
    by_name = select(Metric).where(Metric.name.icontains(metric, autoescape=True))
    m = s.get(Metric, metric) or s.scalars(by_name.order_by(Metric.sort_order, Metric.code).limit(1)).first()
    if m is None:
        known = "、".join(s.scalars(select(Metric.code).order_by(Metric.sort_order, Metric.code)))
        raise NotFound(f"未知的统计指标“{metric}”，可用：{known}")
    if period_end < period_start:
        raise InputRefused(f"截止日期 {period_end.isoformat()} 早于起始日期 {period_start.isoformat()}")
    fields.amount(value, m.name)
    if value < 0:
        raise InputRefused(f"{m.name}不能为负数（{value}）")
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise InputRefused(f"限定词只能是 {'、'.join(QUALIFIERS)}，收到“{qualifier}”")
    community_id = None
    community_name = None
    if community:
        from zhdesk.services.sites import _community_by_name

        c = _community_by_name(s, community)
        community_id, community_name = c.id, c.name
    metric = m.code
    entry = s.scalar(_hand_entry(metric, period_start, period_end, community_id))
    now: dict[str, object] = {"value": None, "qualifier": None}
    if entry is not None:
        now = {"value": entry.value, "qualifier": entry.qualifier}
    if expected is not None and entry is not None:
        where = f"{period_start.isoformat()} 至 {period_end.isoformat()} {community_name or '全街道'}"
        check_values(uow, expected, now, f"{where}的{m.name}", "tally_entry", entry.id)
    before = {"value": _text(now["value"]), "qualifier": now["qualifier"]}
    if entry is None:
        entry = TallyEntry(metric_code=metric, period_start=period_start, period_end=period_end,
                           community_id=community_id, note="手工录入")  # fmt: skip
        s.add(entry)
    entry.value = value
    entry.qualifier = qualifier
    entry.entered_by = uow.user_login  # a hand entry's provenance: who, when
    entry.entered_at = dt.datetime.now().replace(microsecond=0)
    s.flush()
    after = {"value": _text(value), "qualifier": qualifier}
    audit(uow, "figure.set", "tally_entry", entry.id, metric=metric, start=period_start, end=period_end,
          community=community, value=str(value), qualifier=qualifier, before=before, after=after)  # fmt: skip
    uow.commit()
    return FigureDTO(metric, m.name, m.unit, period_start, period_end, community_name, value, qualifier)


def _text(value: object) -> str | None:
    """A stored amount as the audit (and a Conflict's message) shows it: 130, not 130.00."""
    return f"{value.normalize():f}" if isinstance(value, Decimal) else None


def hand_figure(
    uow: UnitOfWork, metric: str, period_start: dt.date, period_end: dt.date, community: str | None = None
) -> FigureDTO | None:
    """The figure entered by hand for exactly this metric, period and community (None: none yet), as the
    entry dialog shows it and passes back as `expected`."""
    s = uow.session
    m = s.get(Metric, metric)
    if m is None:
        raise NotFound(f"未知的统计指标“{metric}”")
    community_id = None
    if community:
        from zhdesk.services.sites import _community_by_name

        community_id = _community_by_name(s, community).id
    e = s.scalar(_hand_entry(m.code, period_start, period_end, community_id))
    if e is None:
        return None
    return FigureDTO(m.code, m.name, m.unit, period_start, period_end, community, e.value, e.qualifier)


@requires("bulletins.edit")
def enter_figure(
    uow: UnitOfWork,
    metric: str,
    period_start: dt.date,
    period_end: dt.date,
    value_text: str,
    community: str | None = None,
    expected: Mapping[str, object] | None = None,
) -> FigureDTO:
    """Enter a figure as the user typed it (1758, 约130, 100余) for a period; `expected` as set_figure."""
    value, qualifier = parse_figure(value_text)
    return set_figure(uow, metric, period_start, period_end, value, qualifier, community, expected)
