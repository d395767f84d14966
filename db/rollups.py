"""Dashboard rollups (issue 13): the stat_* tables, kept equal to what the items say.

Every flush of a session opened by UnitOfWork passes through `before_flush` / `after_flush` below: the
items a flush touches (directly, or through their listing, batch or site) have their old contribution
subtracted before the flush and their new one added after it, in the same transaction, with atomic
`n = n + delta` upserts, so two workstations writing at once on PostgreSQL cannot lose a count. On
PostgreSQL the touched items (and the parents whose change moves them) are locked first, so a concurrent
writer reads their contribution only once the other has committed.

Writes past the ORM count themselves: the tally import and undo call `add_tally`, the benchmark
generator calls `rebuild`; a backup or archive carries the tables with the rows. `differences` compares
the tables with a recomputation from the rows (`zhdesk stats check`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Connection, Table, cast, delete, event, func, inspect, select
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from db.models import (
    Listing,
    Site,
    StatBatch,
    StatCategory,
    StatKind,
    StatOpen,
    StatTally,
    SupervisionBatch,
    SupervisionItem,
    TallyEntry,
)

CLOSED = "closed"
NO_DEADLINE = dt.date(9999, 12, 31)  # an open item without a deadline: never due, never overdue
ALL = 0  # community_id of the rows counting every community
CHUNK = 500  # ids per IN list
PENDING = "rollups.pending"

KIND_TABLE: Table = StatKind.__table__  # type: ignore[assignment]
CATEGORY_TABLE: Table = StatCategory.__table__  # type: ignore[assignment]
OPEN_TABLE: Table = StatOpen.__table__  # type: ignore[assignment]
BATCH_TABLE: Table = StatBatch.__table__  # type: ignore[assignment]
TALLY_TABLE: Table = StatTally.__table__  # type: ignore[assignment]
TABLES = (KIND_TABLE, CATEGORY_TABLE, OPEN_TABLE, BATCH_TABLE, TALLY_TABLE)
TALLY_PENDING = "rollups.tally_pending"
KIND_COUNTS = ("issues", "items", "closed", "on_time", "rework")
# Each table's key columns in the order Deltas spells its keys, then its counts.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "stat_kind": (("grain", "period", "kind", "community_id"), KIND_COUNTS),
    "stat_category": (("grain", "period", "community_id", "category_id"), ("items",)),
    "stat_open": (("issued_on", "kind", "community_id", "unit_id", "deadline", "deferred"), ("items",)),
    "stat_batch": (("batch_id", "community_id"), ("items",)),
    "stat_tally": (("metric_code", "period_start", "period_end", "community_id", "qualifier"), ("cents", "entries")),
}


def month_of(d: dt.date) -> dt.date:
    return d.replace(day=1)


@dataclass
class Deltas:
    """Signed changes per rollup key; kind values follow KIND_COUNTS."""

    kind: dict[tuple[str, dt.date, str, int], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 5))
    category: dict[tuple[str, dt.date, int, int], int] = field(default_factory=lambda: defaultdict(int))
    open: dict[tuple[dt.date, str, int, int, dt.date, bool], int] = field(default_factory=lambda: defaultdict(int))
    batch: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    batch_info: dict[int, tuple[dt.date, str]] = field(default_factory=dict)
    tally: dict[tuple[str, dt.date, dt.date, int, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )

    def add_issues(self, batch_id: int, community_id: int, sign: int) -> None:
        issued_on, kind = self.batch_info[batch_id]
        for grain, period in (("d", issued_on), ("m", month_of(issued_on))):
            self.kind[(grain, period, kind, community_id)][0] += sign


def _contribution_query() -> Any:
    """One row per item with everything its contribution depends on (a 挂牌督办 item reads its listing)."""
    i, li, b = SupervisionItem, Listing, SupervisionBatch
    return (
        select(
            i.id, i.batch_id, b.issued_on, b.kind, Site.community_id, i.listing_id, i.status, i.deadline, i.closed_on,
            i.category_id, i.unit_id, i.deferred, li.status, li.deadline, li.closed_on, li.category_id,
            li.rework_count,
        )
        .select_from(i)
        .join(b, b.id == i.batch_id)
        .join(Site, Site.id == i.site_id)
        .outerjoin(li, li.id == i.listing_id)
    )  # fmt: skip


def contributions(conn: Connection, item_ids: Iterable[int] | None) -> Iterator[Sequence[Any]]:
    """Rows of `_contribution_query` for the given items (every item when None)."""
    q = _contribution_query()
    if item_ids is None:
        yield from conn.execute(q)
        return
    ids = sorted(set(item_ids))
    for k in range(0, len(ids), CHUNK):
        yield from conn.execute(q.where(SupervisionItem.id.in_(ids[k : k + CHUNK])))


def deltas(rows: Iterable[Sequence[Any]], sign: int, into: Deltas | None = None) -> Deltas:
    """Each item's contribution times `sign`; 期 (issues) is left to the caller (it is not additive)."""
    d = into or Deltas()
    for (_id, batch_id, issued_on, kind, community, listing_id, status, deadline, closed_on, category, unit,
         deferred, l_status, l_deadline, l_closed_on, l_category, l_rework) in rows:  # fmt: skip
        if listing_id is not None and l_status is not None:  # the effective columns (services.supervision)
            status, deadline, closed_on, category, rework = l_status, l_deadline, l_closed_on, l_category, l_rework
        else:
            rework = 0
        closed = status == CLOSED
        on_time = closed and (deadline is None or (closed_on is not None and closed_on <= deadline))
        d.batch_info[batch_id] = (issued_on, kind)
        for c in (community, ALL):
            d.batch[(batch_id, c)] += sign
            for grain, period in (("d", issued_on), ("m", month_of(issued_on))):
                v = d.kind[(grain, period, kind, c)]
                v[1] += sign
                v[2] += sign * closed
                v[3] += sign * on_time
                v[4] += sign * int(rework or 0)
                d.category[(grain, period, c, category or 0)] += sign
        if not closed:
            d.open[(issued_on, kind, community, unit or 0, deadline or NO_DEADLINE, bool(deferred))] += sign
    return d


def tally_deltas(conn: Connection, where: Any, sign: int, into: Deltas | None = None) -> Deltas:
    """The tally entries matching `where` (all when None), grouped by the stat_tally key, times `sign`.
    Grouped in SQL: an import of 100,000 entries is a few thousand keys."""
    d = into or Deltas()
    t = TallyEntry
    key = (t.metric_code, t.period_start, t.period_end, func.coalesce(t.community_id, ALL),
           func.coalesce(t.qualifier, ""))  # fmt: skip
    q = select(*key, func.sum(cast(func.round(t.value * 100), BigInteger)), func.count()).group_by(*key)
    if where is not None:
        q = q.where(where)
    for metric, start, end, community, qualifier, cents, n in conn.execute(q):
        v = d.tally[(metric, start, end, int(community), qualifier)]
        v[0] += sign * int(cents or 0)
        v[1] += sign * int(n)
    return d


def _insert(conn: Connection, table: Table) -> Any:
    # The dialect's own INSERT (ON CONFLICT); imported here so a SQLite desktop never loads PostgreSQL's.
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def _upsert(conn: Connection, table: Table, counts: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to the stored row of its key (created at zero): atomic on both engines."""
    if not rows:
        return
    ins = _insert(conn, table)
    keys = [c.name for c in table.primary_key.columns]
    stmt = ins.on_conflict_do_update(index_elements=keys, set_={c: table.c[c] + ins.excluded[c] for c in counts})
    conn.execute(stmt, rows)


def apply(conn: Connection, d: Deltas) -> None:
    """Write signed changes: batch counts first (a batch going from 0 to 1 item in a community is one
    more 期 there, from 1 to 0 one less), then the kind, category and open-item counts."""
    ins = _insert(conn, BATCH_TABLE)
    stmt = ins.on_conflict_do_update(
        index_elements=["batch_id", "community_id"], set_={"items": BATCH_TABLE.c["items"] + ins.excluded["items"]}
    ).returning(BATCH_TABLE.c["items"])
    for (batch_id, community), n in sorted(d.batch.items()):
        if n == 0:
            continue
        after = int(conn.execute(stmt, {"batch_id": batch_id, "community_id": community, "items": n}).scalar_one())
        before = after - n
        if before <= 0 < after:
            d.add_issues(batch_id, community, 1)
        elif after <= 0 < before:
            d.add_issues(batch_id, community, -1)
    _upsert(conn, KIND_TABLE, KIND_COUNTS, [
        {"grain": g, "period": p, "kind": k, "community_id": c, **dict(zip(KIND_COUNTS, v, strict=True))}
        for (g, p, k, c), v in sorted(d.kind.items()) if any(v)
    ])  # fmt: skip
    _upsert(conn, CATEGORY_TABLE, ("items",), [
        {"grain": g, "period": p, "community_id": c, "category_id": cat, "items": n}
        for (g, p, c, cat), n in sorted(d.category.items()) if n
    ])  # fmt: skip
    _upsert(conn, OPEN_TABLE, ("items",), [
        {"issued_on": i, "kind": k, "community_id": c, "unit_id": u, "deadline": dl, "deferred": df, "items": n}
        for (i, k, c, u, dl, df), n in sorted(d.open.items()) if n
    ])  # fmt: skip
    _upsert(conn, TALLY_TABLE, ("cents", "entries"), [
        {"metric_code": m, "period_start": a, "period_end": b, "community_id": c, "qualifier": q, "cents": v[0],
         "entries": v[1]}
        for (m, a, b, c, q), v in sorted(d.tally.items()) if any(v)
    ])  # fmt: skip


def add_tally(conn: Connection, where: Any, sign: int) -> None:
    """For writes of tally entries past the ORM (import, undo): count the entries matching `where` in
    (+1, after inserting them) or out (-1, before deleting them)."""
    apply(conn, tally_deltas(conn, where, sign))


def expected(conn: Connection) -> Deltas:
    """The rollups recomputed from every item, 期 included."""
    d = tally_deltas(conn, None, 1, deltas(contributions(conn, None), 1))
    for (batch_id, community), n in d.batch.items():
        if n > 0:
            d.add_issues(batch_id, community, 1)
    return d


def _expected_rows(d: Deltas) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    return {
        "stat_kind": {k: tuple(v) for k, v in d.kind.items() if any(v)},
        "stat_category": {k: (n,) for k, n in d.category.items() if n},
        "stat_open": {k: (n,) for k, n in d.open.items() if n},
        "stat_batch": {k: (n,) for k, n in d.batch.items() if n},
        "stat_tally": {k: tuple(v) for k, v in d.tally.items() if any(v)},
    }


def _stored_rows(conn: Connection) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    out: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {}
    for table in TABLES:
        key_names, count_names = COLUMNS[table.name]
        keys = [table.c[c] for c in key_names]
        counts = [table.c[c] for c in count_names]
        rows = conn.execute(select(*keys, *counts))
        out[table.name] = {
            tuple(bool(v) if isinstance(v, bool) else v for v in r[: len(keys)]): tuple(int(v) for v in r[len(keys) :])
            for r in rows
            if any(r[len(keys) :])
        }
    return out


def differences(conn: Connection) -> list[str]:
    """What differs between the stored rollups and a recomputation from the rows (empty: they agree)."""
    want, have = _expected_rows(expected(conn)), _stored_rows(conn)
    out = []
    for name, rows in want.items():
        got = have[name]
        for key in sorted(set(rows) | set(got), key=repr):
            if rows.get(key) != got.get(key):
                out.append(f"{name} {key}: 应为 {rows.get(key)}，实为 {got.get(key)}")
    return out


def rebuild(conn: Connection) -> int:
    """Empty the rollups and fill them again from the rows, in the caller's transaction; returns the
    number of rows written."""
    for table in TABLES:
        conn.execute(delete(table))
    rows = _expected_rows(expected(conn))
    n = 0
    for table in TABLES:
        keys, counts = COLUMNS[table.name]
        values = [
            dict(zip(keys, k, strict=True)) | dict(zip(counts, v, strict=True)) for k, v in rows[table.name].items()
        ]
        for k in range(0, len(values), 5000):
            conn.execute(table.insert(), values[k : k + 5000])
        n += len(values)
    return n


# --- keeping them up to date from the ORM's flushes ---


def _lock(conn: Connection, column: Any, ids: set[int], read: bool = False) -> None:
    """PostgreSQL: lock the rows (ordered, to keep two writers from deadlocking); SQLite has one writer."""
    if conn.dialect.name != "postgresql" or not ids:
        return
    ordered = sorted(ids)
    for k in range(0, len(ordered), CHUNK):
        q = select(column).where(column.in_(ordered[k : k + CHUNK])).order_by(column)
        conn.execute(q.with_for_update(read=read, of=column.table))


def _touched(session: Session) -> tuple[set[int], dict[Any, set[int]]]:
    """Items changed or deleted in this flush, and the parents whose change or deletion moves theirs."""
    items: set[int] = set()
    parents: dict[Any, set[int]] = {SupervisionItem.site_id: set(), SupervisionItem.batch_id: set(),
                                    SupervisionItem.listing_id: set()}  # fmt: skip
    for obj, deleted in [(o, False) for o in session.dirty] + [(o, True) for o in session.deleted]:
        if not isinstance(obj, SupervisionItem | Listing | SupervisionBatch | Site):
            continue
        if not deleted and not session.is_modified(obj, include_collections=False):
            continue
        state: InstanceState[Any] = inspect(obj)
        if state.identity is None:
            continue
        oid = state.identity[0]
        if isinstance(obj, SupervisionItem):
            items.add(oid)
        elif isinstance(obj, Listing):
            parents[SupervisionItem.listing_id].add(oid)
        elif isinstance(obj, SupervisionBatch):
            parents[SupervisionItem.batch_id].add(oid)
        elif deleted or state.attrs.community_id.history.has_changes() or state.attrs.community.history.has_changes():
            parents[SupervisionItem.site_id].add(oid)
    return items, parents


_PARENT_ID = {"site_id": Site.id, "batch_id": SupervisionBatch.id, "listing_id": Listing.id}


def _tally_ids(session: Session) -> set[int]:
    """Tally entries changed or deleted through the ORM (a hand figure, the demo)."""
    out = set()
    for obj, deleted in [(o, False) for o in session.dirty] + [(o, True) for o in session.deleted]:
        if isinstance(obj, TallyEntry) and (deleted or session.is_modified(obj, include_collections=False)):
            state: InstanceState[Any] = inspect(obj)
            if state.identity is not None:
                out.add(state.identity[0])
    return out


def _tally_by_ids(conn: Connection, ids: set[int], sign: int) -> Deltas:
    d, ordered = Deltas(), sorted(ids)
    for k in range(0, len(ordered), CHUNK):
        tally_deltas(conn, TallyEntry.id.in_(ordered[k : k + CHUNK]), sign, d)
    return d


def before_flush(session: Session, _flush_context: UOWTransaction, _instances: object) -> None:
    tally = _tally_ids(session)
    session.info.pop(TALLY_PENDING, None)
    if tally:
        conn = session.connection()
        _lock(conn, TallyEntry.id, tally)
        apply(conn, _tally_by_ids(conn, tally, -1))
        session.info[TALLY_PENDING] = tally
    items, parents = _touched(session)
    session.info.pop(PENDING, None)
    if not items and not any(parents.values()):
        return
    conn = session.connection()
    for column, ids in parents.items():
        _lock(conn, _PARENT_ID[column.key], ids)
        ids_list = sorted(ids)
        for k in range(0, len(ids_list), CHUNK):
            items.update(conn.execute(select(SupervisionItem.id).where(column.in_(ids_list[k : k + CHUNK]))).scalars())
    _lock(conn, SupervisionItem.id, items)
    apply(conn, deltas(contributions(conn, items), -1))
    session.info[PENDING] = items


def after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    tally: set[int] = session.info.pop(TALLY_PENDING, set()) | {o.id for o in session.new if isinstance(o, TallyEntry)}
    if tally:
        conn = session.connection()
        apply(conn, _tally_by_ids(conn, tally, 1))
    items: set[int] = session.info.pop(PENDING, set())
    new = {o.id for o in session.new if isinstance(o, SupervisionItem)}
    if not items and not new:
        return
    conn = session.connection()
    if new and conn.dialect.name == "postgresql":  # a parent being moved by another writer: wait for it
        ids = sorted(new)
        for column in (SupervisionItem.site_id, SupervisionItem.batch_id, SupervisionItem.listing_id):
            for k in range(0, len(ids), CHUNK):
                parent_ids = select(column).where(SupervisionItem.id.in_(ids[k : k + CHUNK]))
                _lock(conn, _PARENT_ID[column.key], {p for p in conn.execute(parent_ids).scalars() if p is not None},
                      read=True)  # fmt: skip
    apply(conn, deltas(contributions(conn, items | new), 1))


def install(session: Session) -> None:
    event.listen(session, "before_flush", before_flush)
    event.listen(session, "after_flush", after_flush)
