"""点位档案's records: a site's detail with every supervision item and tally entry recorded for it.

Loaded on first use: `from zhdesk.dto import DossierDTO` works as before (zhdesk/dto.py forwards it); start-up
does not import this module (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zhdesk.domain.dates import fmt_iso
from zhdesk.dto import ListingDTO, SiteDetail, SiteRow, with_iso_dates
from zhdesk.dto_supervision import ItemDTO
from zhdesk.dto_tally import MetricTotal, TallyEntryDTO

__all__ = ["DossierDTO", "DossierItem"]


@dataclass(frozen=True)
class DossierItem:
    """One supervision item of a site, with the batch it came in."""

    item: ItemDTO
    year: int
    issued_on: dt.date

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def kind_label(self) -> str:
        from zhdesk.domain.stats import kind_label

        return kind_label(self.item.kind)

    @property
    def batch_label(self) -> str:
        return f"{self.year}年{self.kind_label}第{self.item.issue_no}期"

    def to_json(self) -> dict[str, Any]:
        d = with_iso_dates(self.item)
        d.update(kind_label=self.kind_label, year=self.year, issued_on=fmt_iso(self.issued_on),
                 batch=self.batch_label)  # fmt: skip
        return d


@dataclass(frozen=True)
class DossierDTO:
    """Everything the office knows about one site: its detail and listings, every supervision item of every
    kind (newest batch first) and the tally entries recorded for it. The timeline and photos are read by
    their own tabs."""

    detail: SiteDetail
    items: tuple[DossierItem, ...]
    tally: tuple[TallyEntryDTO, ...]

    @property
    def row(self) -> SiteRow:
        return self.detail.row

    @property
    def listings_newest_first(self) -> tuple[ListingDTO, ...]:
        return tuple(reversed(self.detail.listings))  # SiteDetail keeps the current one last

    def item(self, item_id: int) -> DossierItem | None:
        return next((i for i in self.items if i.item.id == item_id), None)

    def to_json(self) -> dict[str, Any]:
        d = self.detail.to_json()
        d["listings"] = [li.to_json() for li in self.listings_newest_first]
        d["items"] = [i.to_json() for i in self.items]
        d["tally"] = [
            {"id": e.id, "metric": e.metric, "metric_name": e.metric_name, "unit": e.unit, "start": fmt_iso(e.start),
             "end": fmt_iso(e.end), "value": f"{e.value.normalize():f}", "qualifier": e.qualifier,
             "text": MetricTotal(e.metric, e.metric_name, e.unit, e.value, e.qualifier).text, "source": e.source}
            for e in self.tally
        ]  # fmt: skip
        return d
