"""点位档案: everything the office knows about one site, read in one unit of work.

Built from the readers that already exist: the site detail with every listing (services/sites.get_site),
the supervision items as every list shows them (services/supervision._item_query/_item_dto) and the
tally entries with their provenance (services/tally.entries).
"""

from __future__ import annotations

import datetime as dt

from db.models import SupervisionBatch, SupervisionItem
from db.uow import UnitOfWork
from zhdesk.dto import DossierDTO, DossierItem
from zhdesk.services.settings import warning_days
from zhdesk.services.sites import get_site
from zhdesk.services.supervision import _ITEM_COLUMNS, _item_dto, _item_query
from zhdesk.services.tally import entries


def site_dossier(uow: UnitOfWork, site_id: int, today: dt.date | None = None) -> DossierDTO:
    """Unknown id → NotFound (from get_site). Items newest batch first; tally entries by period."""
    today = today or dt.date.today()
    detail = get_site(uow, site_id, today)
    warn = warning_days(uow)
    q = (
        _item_query(SupervisionBatch.year, SupervisionBatch.issued_on)
        .where(SupervisionItem.site_id == site_id)
        .order_by(SupervisionBatch.issued_on.desc(), SupervisionBatch.id.desc(), SupervisionItem.id.desc())
    )
    items = tuple(
        DossierItem(_item_dto(row, today, warn), row[_ITEM_COLUMNS], row[_ITEM_COLUMNS + 1])
        for row in uow.session.execute(q)
    )
    return DossierDTO(detail, items, tuple(entries(uow, site_id=site_id)))
