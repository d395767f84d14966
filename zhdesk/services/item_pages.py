"""督办通报 (batches, a batch's items) and the 总览 drill-down lists read page by page in SQL (issue 13).

A list is a filter plus an order (zhdesk.paging.Sort): its key names a column (the keys below, one per
table column of the window), `descending` flips it. Every order ends with the id, so pages never overlap,
and descending is the exact reverse of ascending. Empty values (NULL, and '' for text) come last in
ascending order; text compares by code point on both engines (services/common.by_code_point). No key
(`sort=None` or `Sort()`) is the list's own order: newest batch first; a batch's items by id; a drill-down
most urgent first.

Each list has a page (rows from an offset, with the total), a position (the 0-based row of an id under
the same filter and order, None if the filter excludes it) and all rows (for the Excel export).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import Community, Listing, ProblemCategory, Site, SupervisionBatch, SupervisionItem, Unit
from db.uow import UnitOfWork
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.domain.vocab import CLOSED, OPEN
from zhdesk.dto import BatchDTO, BatchFilter, BatchPage, BatchTotals, Drill, ItemDTO
from zhdesk.errors import InputRefused
from zhdesk.paging import Page, Sort
from zhdesk.services.common import by_code_point
from zhdesk.services.settings import warning_days
from zhdesk.services.stats import drill_terms, overdue_condition
from zhdesk.services.supervision import _item_dto, _item_query, category_of_item, effective_columns, filter_batches

# What a sort key's parts may hold: "text" (NULL or '' is empty), "value" (NULL is empty), "plain" (never).
Part = tuple[Any, str]

MAX_PAGE = 5000  # one request never reads more (the window asks for about 200)


def _order(s: Session, parts: Sequence[Part], tie: Any, descending: bool) -> list[Any]:
    """ORDER BY terms: each part's emptiness flag then its value (empties as NULL, so they tie), then `tie`."""
    terms: list[Any] = []
    for expr, kind in parts:
        if kind == "plain":
            terms.append(by_code_point(s, expr) if _is_text(expr) else expr)
            continue
        empty = or_(expr.is_(None), expr == "") if kind == "text" else expr.is_(None)
        value: Any = case((empty, None), else_=expr)
        terms += [case((empty, 1), else_=0), by_code_point(s, value) if kind == "text" else value]
    terms.append(tie)
    return [t.desc() if descending else t.asc() for t in terms]


def _is_text(expr: Any) -> bool:
    try:
        return bool(expr.type.python_type is str)
    except (AttributeError, NotImplementedError):
        return False


def _check(offset: int, limit: int) -> None:
    if offset < 0 or not 0 <= limit <= MAX_PAGE:
        raise InputRefused(f"分页参数有误：offset={offset}，limit={limit}（每页至多 {MAX_PAGE} 行）")


def _position(s: Session, q: Select[Any], id_column: Any, order: list[Any], row_id: int) -> int | None:
    ranked = q.with_only_columns(
        id_column.label("rid"), func.row_number().over(order_by=order).label("rn")
    ).subquery()
    rn = s.scalar(select(ranked.c.rn).where(ranked.c.rid == row_id))
    return None if rn is None else int(rn) - 1


def _count(s: Session, q: Select[Any]) -> int:
    return int(s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0)


def _kind_label(column: Any) -> ColumnElement[str]:
    return case({k.value: label for k, label in KIND_LABELS.items()}, value=column, else_=column)


# ---------------------------------------------------------------- batches (期)

BATCH_SORTS = ("kind", "year", "issue_no", "issued_on", "issuer", "items", "closed", "all_closed", "title")


def _batches(s: Session, f: BatchFilter) -> Any:
    """One row per batch under the filter (kind, dates, community, open/closed) with its item counts;
    with a community, the counts are that community's and batches without its items drop out."""
    closed, _, _ = effective_columns()
    items = func.count(SupervisionItem.id)
    shut = func.coalesce(func.sum(case((closed, 1), else_=0)), 0)
    q = (
        select(
            SupervisionBatch.id, SupervisionBatch.kind, SupervisionBatch.year, SupervisionBatch.issue_no,
            SupervisionBatch.issued_on, SupervisionBatch.issuer, SupervisionBatch.title,
            items.label("n_items"), shut.label("n_closed"),
        )
        .outerjoin(SupervisionItem, SupervisionItem.batch_id == SupervisionBatch.id)
        .outerjoin(Listing, Listing.id == SupervisionItem.listing_id)
        .group_by(SupervisionBatch.id)
    )  # fmt: skip
    q = filter_batches(s, q, f)
    all_closed = and_(items > 0, items == shut)
    if f.status == CLOSED:
        q = q.having(all_closed)
    elif f.status == OPEN:
        q = q.having(~all_closed)
    return q.subquery()


def _batch_order(s: Session, b: Any, order: Sort | None) -> list[Any]:
    sort, descending = (order.key, order.descending) if order else (None, False)
    if sort is None:
        return [b.c.issued_on.desc(), b.c.id.desc()]
    all_closed = case((and_(b.c.n_items > 0, b.c.n_items == b.c.n_closed), 1), else_=0)
    ratio = case((b.c.n_items > 0, cast(b.c.n_closed, Float) / b.c.n_items), else_=-1.0)
    parts: dict[str, list[Part]] = {
        "kind": [(_kind_label(b.c.kind), "text")],
        "year": [(b.c.year, "value")],
        "issue_no": [(b.c.issue_no, "value")],
        "issued_on": [(b.c.issued_on, "value")],
        "issuer": [(b.c.issuer, "text")],
        "items": [(b.c.n_items, "value")],
        "closed": [(ratio, "plain"), (b.c.n_closed, "plain")],
        "all_closed": [(all_closed, "plain")],
        "title": [(b.c.title, "text")],
    }
    if sort not in parts:
        raise InputRefused(f"无法按“{sort}”排序督办通报")
    return _order(s, parts[sort], b.c.id, descending)


def _batch_dto(r: Any) -> BatchDTO:
    label = KIND_LABELS[Kind(r.kind)] if r.kind in Kind._value2member_map_ else r.kind
    return BatchDTO(r.id, r.kind, label, r.year, r.issue_no, r.issued_on, r.issuer, r.title, int(r.n_items),
                    int(r.n_closed))  # fmt: skip


def batch_page(
    uow: UnitOfWork,
    f: BatchFilter | None = None,
    sort: Sort | None = None,
    offset: int = 0,
    limit: int = 200,
) -> BatchPage:
    """A page of batches; `totals` holds the counts line of the whole filter (BatchTotals), computed in
    the same pass (window sums), since the aggregation over every item is the expensive part."""
    _check(offset, limit)
    s = uow.session
    b = _batches(s, f or BatchFilter())
    windows = (func.count().over().label("w_n"), func.sum(b.c.n_items).over().label("w_items"),
               func.sum(b.c.n_closed).over().label("w_closed"))  # fmt: skip
    q = select(b, *windows).order_by(*_batch_order(s, b, sort)).offset(offset).limit(limit)
    result = list(s.execute(q))
    if result:
        first = result[0]
        totals = BatchTotals(int(first.w_n), int(first.w_items or 0), int(first.w_closed or 0))
    else:  # past the end (or nothing): the window had no row to ride on
        totals = _totals(s, b)
    return BatchPage(tuple(_batch_dto(r) for r in result), offset, totals.batches, totals)


def batch_position(
    uow: UnitOfWork, f: BatchFilter | None, sort: Sort | None, batch_id: int
) -> int | None:
    s = uow.session
    b = _batches(s, f or BatchFilter())
    return _position(s, select(b.c.id), b.c.id, _batch_order(s, b, sort), batch_id)


def _totals(s: Session, b: Any) -> BatchTotals:
    n, items, closed = s.execute(select(func.count(), func.sum(b.c.n_items), func.sum(b.c.n_closed))).one()
    return BatchTotals(int(n or 0), int(items or 0), int(closed or 0))


def batch_totals(uow: UnitOfWork, f: BatchFilter | None = None) -> BatchTotals:
    s = uow.session
    return _totals(s, _batches(s, f or BatchFilter()))


def all_batches(
    uow: UnitOfWork, f: BatchFilter | None = None, sort: Sort | None = None
) -> list[BatchDTO]:
    """Every batch under the filter, in the order (the Excel export)."""
    s = uow.session
    b = _batches(s, f or BatchFilter())
    return [_batch_dto(r) for r in s.execute(select(b).order_by(*_batch_order(s, b, sort)))]


def batch_count(uow: UnitOfWork) -> int:
    """Batches in the database, unfiltered (督办通报's 共 N 期): one count, no aggregation over items."""
    return int(uow.session.scalar(select(func.count(SupervisionBatch.id))) or 0)


def last_issue_numbers(uow: UnitOfWork) -> dict[tuple[str, int], int]:
    """The highest 期号 per (kind, year): the next free one is one more (新建一期's suggestion)."""
    q = select(SupervisionBatch.kind, SupervisionBatch.year, func.max(SupervisionBatch.issue_no)).group_by(
        SupervisionBatch.kind, SupervisionBatch.year
    )
    return {(k, int(y)): int(n) for k, y, n in uow.session.execute(q)}


def site_addresses(uow: UnitOfWork) -> list[str]:
    """Every site address once, in code-point order: the address field's completion list (read when the
    dialog that needs it opens, not with the page)."""
    s = uow.session
    return list(s.scalars(select(Site.address).distinct().order_by(by_code_point(s, Site.address))))


# ---------------------------------------------------------------- items (处): a batch's, and drill-downs

ITEM_SORTS = ("address", "community", "category", "problem", "deadline", "unit", "status", "closed_on",
              "kind", "problem_text", "urgency")  # fmt: skip


def _item_parts(s: Session, sort: str, today: dt.date) -> list[Part]:
    closed, deadline, closed_on = effective_columns()
    problem = func.coalesce(Listing.problem, SupervisionItem.problem)
    overdue = overdue_condition(today)
    category = ProblemCategory.name
    both = and_(category != "", problem != "")
    parts: dict[str, list[Part]] = {
        "address": [(Site.address, "text")],
        "community": [(Community.name, "text")],
        "category": [(category, "text")],
        "problem": [(problem, "text")],
        "deadline": [(deadline, "value")],
        "unit": [(Unit.name, "text")],
        "closed_on": [(closed_on, "value")],
        # 督办通报's 状态: overdue, open, deferred, closed (ui/pages/bulletins_model.item_status_rank)
        "status": [(case((closed, 3), (overdue, 0), (SupervisionItem.deferred.is_(True), 2), else_=1), "plain")],
        # the drill-down's 督办件 (kind, 期号) and 问题 (类别：问题) columns (ui/dialogs/drill.py)
        "kind": [(_kind_label(SupervisionBatch.kind), "plain"), (SupervisionBatch.issue_no, "plain")],
        "problem_text": [(case((both, category + "：" + problem),
                               else_=func.coalesce(func.nullif(category, ""), func.nullif(problem, ""), "")), "text")],
        # the drill-down's 状态: overdue (longest first), open, closed (ui/dialogs/drill.status_rank)
        "urgency": [(case((overdue, 0), (closed, 2), else_=1), "plain"),
                    (case((closed, literal(today)), else_=func.coalesce(deadline, literal(today))), "plain")],
    }  # fmt: skip
    if sort not in parts:
        raise InputRefused(f"无法按“{sort}”排序督办件")
    return parts[sort]


def _item_order(s: Session, order: Sort | None, today: dt.date, default: str) -> list[Any]:
    sort, descending = (order.key, order.descending) if order else (None, False)
    if sort is None:
        if default == "urgency":  # drill_items' order: overdue, open, closed; then by deadline (none last)
            closed, deadline, _ = effective_columns()
            rank = case((overdue_condition(today), 0), (closed, 2), else_=1)
            return [rank, deadline.is_(None), deadline, SupervisionItem.id]
        return [SupervisionItem.id]
    return _order(s, _item_parts(s, sort, today), SupervisionItem.id, descending)


# The joins of supervision._item_query, each added to a narrow query only when a WHERE or ORDER BY term
# reads its table (all keep one row per item: inner joins on NOT NULL keys, outer joins on unique keys),
# so counting and ordering 100,000 items reads only what they need; the page's rows are then read whole.
_JOINS: tuple[tuple[Any, Callable[[Select[Any]], Select[Any]], tuple[Any, ...]], ...] = (
    (Site.__table__, lambda q: q.join(Site, Site.id == SupervisionItem.site_id), ()),
    (Community.__table__, lambda q: q.join(Community, Community.id == Site.community_id), (Site.__table__,)),
    (SupervisionBatch.__table__, lambda q: q.join(SupervisionBatch, SupervisionBatch.id == SupervisionItem.batch_id),
     ()),
    (Listing.__table__, lambda q: q.outerjoin(Listing, Listing.id == SupervisionItem.listing_id), ()),
    (ProblemCategory.__table__, lambda q: q.outerjoin(ProblemCategory, ProblemCategory.id == category_of_item()),
     (Listing.__table__,)),
    (Unit.__table__, lambda q: q.outerjoin(Unit, Unit.id == SupervisionItem.unit_id), ()),
)  # fmt: skip


def _narrow(columns: Sequence[Any], terms: Sequence[Any], order: Sequence[Any] = ()) -> Select[Any]:
    need: set[Any] = set()
    for e in (*columns, *terms, *order):
        need.update(getattr(e, "_from_objects", ()))
    for table, _join, deps in reversed(_JOINS):
        if table in need:
            need.update(deps)
    q = select(*columns).select_from(SupervisionItem)
    for table, join, _deps in _JOINS:
        if table in need:
            q = join(q)
    return q.where(*terms)


Terms = Callable[[Session, dt.date], list[Any]]


def _item_page(
    uow: UnitOfWork, terms_of: Terms, default: str, sort: Sort | None, offset: int, limit: int,
    today: dt.date | None,
) -> Page[ItemDTO]:  # fmt: skip
    _check(offset, limit)
    s = uow.session
    today = today or dt.date.today()
    terms = terms_of(s, today)
    order = _item_order(s, sort, today, default)
    ids = list(s.scalars(_narrow([SupervisionItem.id], terms, order).order_by(*order).offset(offset).limit(limit)))
    total = int(s.scalar(_narrow([func.count(SupervisionItem.id)], terms)) or 0)
    warn = warning_days(uow)
    by_id = {r[0]: _item_dto(r, today, warn) for r in s.execute(_item_query().where(SupervisionItem.id.in_(ids)))}
    return Page(tuple(by_id[i] for i in ids if i in by_id), offset, total)


def _item_position(
    uow: UnitOfWork, terms_of: Terms, default: str, sort: Sort | None, item_id: int,
    today: dt.date | None,
) -> int | None:  # fmt: skip
    s = uow.session
    today = today or dt.date.today()
    order = _item_order(s, sort, today, default)
    terms = terms_of(s, today)
    return _position(s, _narrow([SupervisionItem.id], terms, order), SupervisionItem.id, order, item_id)


def _all_items(
    uow: UnitOfWork, terms_of: Terms, default: str, sort: Sort | None, today: dt.date | None
) -> list[ItemDTO]:
    s = uow.session
    today = today or dt.date.today()
    warn = warning_days(uow)
    q = _item_query().where(*terms_of(s, today)).order_by(*_item_order(s, sort, today, default))
    return [_item_dto(r, today, warn) for r in s.execute(q)]


def _batch_source(batch_id: int) -> Terms:
    return lambda _s, _today: [SupervisionItem.batch_id == batch_id]


def _drill_source(drill: Drill) -> Terms:
    return lambda s, today: drill_terms(s, drill, today)


def item_page(
    uow: UnitOfWork, batch_id: int, sort: Sort | None = None, offset: int = 0,
    limit: int = 200, today: dt.date | None = None,
) -> Page[ItemDTO]:  # fmt: skip
    """A page of one batch's items (sort=None: by id, the order they were added)."""
    return _item_page(uow, _batch_source(batch_id), "id", sort, offset, limit, today)


def item_position(
    uow: UnitOfWork, batch_id: int, sort: Sort | None, item_id: int, today: dt.date | None = None
) -> int | None:
    return _item_position(uow, _batch_source(batch_id), "id", sort, item_id, today)


def all_items(
    uow: UnitOfWork, batch_id: int, sort: Sort | None = None, today: dt.date | None = None
) -> list[ItemDTO]:
    return _all_items(uow, _batch_source(batch_id), "id", sort, today)


def drill_page(
    uow: UnitOfWork, drill: Drill, sort: Sort | None = None, offset: int = 0,
    limit: int = 200, today: dt.date | None = None,
) -> Page[ItemDTO]:  # fmt: skip
    """A page of a drill-down list (sort=None: drill_items' order, most urgent first)."""
    return _item_page(uow, _drill_source(drill), "urgency", sort, offset, limit, today)


def drill_position(
    uow: UnitOfWork, drill: Drill, sort: Sort | None, item_id: int, today: dt.date | None = None
) -> int | None:
    return _item_position(uow, _drill_source(drill), "urgency", sort, item_id, today)


def all_drill_items(
    uow: UnitOfWork, drill: Drill, sort: Sort | None = None, today: dt.date | None = None
) -> list[ItemDTO]:
    return _all_items(uow, _drill_source(drill), "urgency", sort, today)


# ---------------------------------------------------------------- every batch with its items, streamed


def each_batch(
    uow: UnitOfWork,
    f: BatchFilter | None,
    emit: Callable[[BatchDTO, list[ItemDTO]], None],
    today: dt.date | None = None,
) -> int:
    """Call `emit(batch, its items)` for every batch under the filter, newest first (list_batches' order),
    items by id (batch_items'), reading two streams side by side: memory stays that of one batch however
    many there are (`zhdesk bulletins --items`). With a community, a batch's items are all of its items,
    as batch_items lists them. Returns the number of batches."""
    s = uow.session
    today = today or dt.date.today()
    warn = warning_days(uow)
    b = _batches(s, f or BatchFilter())
    batches = select(b).order_by(b.c.issued_on.desc(), b.c.id.desc())
    items_q = (
        _item_query()
        .where(SupervisionItem.batch_id.in_(select(b.c.id)))
        .order_by(SupervisionBatch.issued_on.desc(), SupervisionBatch.id.desc(), SupervisionItem.id)
    )
    stream = {"yield_per": 1000}
    items = iter(s.execute(items_q, execution_options=stream))
    pending = next(items, None)
    n = 0
    for r in s.execute(batches, execution_options=stream):
        batch = _batch_dto(r)
        mine: list[ItemDTO] = []
        while pending is not None and pending[1] == batch.id:
            mine.append(_item_dto(pending, today, warn))
            pending = next(items, None)
        emit(batch, mine)
        n += 1
    return n
