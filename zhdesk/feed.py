"""Changes made elsewhere: what other workstations (or the CLI) wrote since we last looked. Qt-free.

The change counter is the audit trail itself: every write adds an entry in its own transaction, so the
highest audit id says whether anything changed (one indexed query) and the new entries say what. Entries
this Desk wrote itself are skipped: the window has broadcast those already.

Waking: on PostgreSQL each commit through a Desk sends `NOTIFY zhdesk_changes` (zhdesk/desk.py) and `wait`
LISTENs, so another workstation hears of it at once; on SQLite `wait` just sleeps (a poll every 2 s).
A lost connection is not an error here: `wait` backs off and tries again, the caller polls again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from db.models import AuditEntry, Listing, Photo, TimelineEvent
from db.uow import UnitOfWork
from zhdesk.changes import Changes
from zhdesk.database import connection_problem

if TYPE_CHECKING:
    from zhdesk.desk import Desk

log = logging.getLogger(__name__)

CHANNEL = "zhdesk_changes"
POLL_S = 2.0  # SQLite: how often the window looks
MAX_BACKOFF_S = 30.0
MAX_ENTRIES = 500  # more new entries than this at once (an import, a restore): everything may have changed

EVERYTHING = Changes(
    sites=True, listings=True, items=True, events=True, photos=True, figures=True, settings=True, briefs=True
)

# What each audited entity's change touches (zhdesk/changes.py); an unknown entity: everything.
ENTITY_CHANGES: dict[str, Changes] = {
    "site": Changes(sites=True, listings=True),
    "listing": Changes(listings=True, items=True, events=True),
    "timeline_event": Changes(events=True),
    "photo": Changes(photos=True, events=True),
    "person": Changes(listings=True),
    "unit": Changes(listings=True),
    "community": Changes(sites=True, listings=True),
    "supervision_batch": Changes(sites=True, listings=True, items=True, events=True),
    "supervision_item": Changes(items=True),
    "import_batch": Changes(figures=True),
    "tally_entry": Changes(figures=True),
    "metric": Changes(figures=True),
    "setting": Changes(settings=True, listings=True, items=True),  # warning days move every light
    "brief_record": Changes(briefs=True, settings=True),
}
# Actions whose entity is not what they changed.
ACTION_CHANGES: dict[str, Changes] = {
    "photo.add": Changes(photos=True, events=True),
}


class ChangeFeed:
    """`latest_change()` once, then in a loop: `wait(timeout)`, `changes_since(last)`. Thread-safe enough
    for one thread of its own (it reads through its own units of work)."""

    def __init__(self, desk: Desk, poll_s: float = POLL_S) -> None:
        self.desk = desk
        self.poll_s = poll_s
        self.postgres = desk.engine.url.get_backend_name() == "postgresql"
        self._stop = threading.Event()
        self._listen: Any = None  # psycopg.Connection while LISTENing
        self._backoff = 0.0

    # -- reading
    def _read(self) -> UnitOfWork:
        return UnitOfWork(self.desk.engine, self.desk.user_login)

    def latest_change(self) -> int:
        """The newest audit entry's id (0 for none); StorageProblem when the database cannot be read.
        On PostgreSQL it LISTENs first, so no commit after the id read goes unheard."""
        if self.postgres and not self._stop.is_set():
            try:
                self._listening()
            except Exception as exc:  # the server is away: `wait` tries again
                log.info("change feed: %s", exc)
                self._drop_listen()
        try:
            with self._read() as uow:
                return int(uow.session.scalar(select(func.max(AuditEntry.id))) or 0)
        except DBAPIError as exc:
            raise connection_problem(exc, self.desk.engine) from exc

    def changes_since(self, last: int) -> tuple[int, Changes | None]:
        """(newest id, what entries after `last` written by others changed, or None if nothing)."""
        try:
            with self._read() as uow:
                s = uow.session
                rows = list(
                    s.execute(
                        select(AuditEntry.id, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.action)
                        .where(AuditEntry.id > last)
                        .order_by(AuditEntry.id)
                        .limit(MAX_ENTRIES + 1)
                    )
                )
                if not rows:
                    return last, None
                if len(rows) > MAX_ENTRIES:
                    newest = int(s.scalar(select(func.max(AuditEntry.id))) or last)
                    return newest, EVERYTHING
                newest = rows[-1].id
                own = self.desk.own_changes
                theirs = [r for r in rows if r.id not in own]
                self.desk._forget_own(newest)
                if not theirs:
                    return newest, None
                return newest, self._describe(s, theirs)
        except DBAPIError as exc:
            raise connection_problem(exc, self.desk.engine) from exc

    def _describe(self, s: Any, rows: Iterable[Any]) -> Changes:
        changes: Changes | None = None
        sites: set[int | None] = set()
        for r in rows:
            c = ACTION_CHANGES.get(r.action) or ENTITY_CHANGES.get(r.entity, EVERYTHING)
            changes = c if changes is None else changes | c
            sites.add(_site_of(s, r.entity, r.entity_id, r.action))
        assert changes is not None
        site = next(iter(sites)) if len(sites) == 1 else None
        return replace(changes, site_id=site)

    # -- waiting
    def wait(self, timeout: float) -> bool:
        """Block until another workstation may have written (PostgreSQL: a notification; True) or `timeout`
        passed or `close()` was called (False). Never raises for a lost connection: it backs off."""
        if self._stop.is_set():
            return False
        if not self.postgres:
            self._stop.wait(timeout)
            return False
        try:
            conn = self._listening()
            heard = any(True for _ in conn.notifies(timeout=timeout, stop_after=1))
            if heard:
                self._drain(conn)
            self._backoff = 0.0
            return heard
        except Exception as exc:  # psycopg's errors: the server went away; try again later
            log.info("change feed: %s", exc)
            self._drop_listen()
            self._backoff = min(MAX_BACKOFF_S, max(1.0, self._backoff * 2))
            self._stop.wait(min(self._backoff, max(timeout, 1.0)))
            return False

    def _listening(self) -> Any:
        if self._listen is None:
            import psycopg

            url = self.desk.engine.url.set(drivername="postgresql")
            conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5)
            conn.execute(f"LISTEN {CHANNEL}")
            self._listen = conn
        return self._listen

    @staticmethod
    def _drain(conn: Any) -> None:
        """Several commits at once wake us once."""
        for _ in conn.notifies(timeout=0.05):
            pass

    def _drop_listen(self) -> None:
        conn, self._listen = self._listen, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail; nothing to keep
                conn.close()

    def sleep(self, seconds: float) -> None:
        """Pause (a back-off); `stop()` ends it at once."""
        self._stop.wait(seconds)

    def stop(self) -> None:
        """From any thread: the current and every later `wait` returns at once (PostgreSQL: within its
        timeout)."""
        self._stop.set()

    def close(self) -> None:
        """Stop and close the listen connection; from the thread that waits (or when none does)."""
        self._stop.set()
        self._drop_listen()

    @property
    def closed(self) -> bool:
        return self._stop.is_set()


def _site_of(s: Any, entity: str, entity_id: int | None, action: str) -> int | None:
    """The site an entry concerns, when it concerns one."""
    if entity_id is None:
        return None
    if entity == "site":
        return entity_id
    model = {"listing": Listing, "timeline_event": TimelineEvent, "photo": Photo}.get(entity)
    if model is None:
        return None
    sid = s.scalar(select(model.site_id).where(model.id == entity_id))  # type: ignore[attr-defined]
    return int(sid) if sid is not None else None


def notify(connection: Any, newest: int) -> None:
    """PostgreSQL: wake every LISTENing workstation when this transaction commits."""
    connection.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '{int(newest)}')")
