"""One object the UI and CLI hold: an opened database plus the use cases, each in its own unit of work.

The UI never sees a session: it calls these (from its database worker thread) and gets DTOs. A use case
is a service function named here with `read(...)` or `write(...)`; nothing else is written twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import AuditEntry
from db.uow import UnitOfWork
from zhdesk.database import connection_problem, open_database, write_problem
from zhdesk.domain.roles import allowed
from zhdesk.dto import UserDTO
from zhdesk.errors import SignInRequired, StorageProblem
from zhdesk.feed import POLL_S, ChangeFeed, notify
from zhdesk.files import database_files, register_database, unregister_database
from zhdesk.reference import seed_reference
from zhdesk.services import accounts as accounts_svc
from zhdesk.services import attention as attention_svc
from zhdesk.services import audit as audit_svc
from zhdesk.services import backup as backup_svc
from zhdesk.services import brief as brief_svc
from zhdesk.services import communities as communities_svc
from zhdesk.services import directory as directory_svc
from zhdesk.services import dossier as dossier_svc
from zhdesk.services import exports as exports_svc
from zhdesk.services import figures as figures_svc
from zhdesk.services import item_pages as pages_svc
from zhdesk.services import notices as notices_svc
from zhdesk.services import overview as overview_svc
from zhdesk.services import photos as photos_svc
from zhdesk.services import settings as settings_svc
from zhdesk.services import site_import as site_import_svc
from zhdesk.services import sites as sites_svc
from zhdesk.services import stats as stats_svc
from zhdesk.services import supervision as supervision_svc
from zhdesk.services import tally as tally_svc
from zhdesk.services import timeline as timeline_svc
from zhdesk.services.common import os_login


class _DeskUnitOfWork(UnitOfWork):
    """A unit of work whose database failures mid-operation (locked, read-only, disk full, connection lost)
    reach the caller as one line of Chinese, never a raw driver error (zhdesk/database.write_problem).

    It also tells the Desk which audit entries its commits wrote (the change feed skips them) and, on
    PostgreSQL, notifies other workstations in the same transaction (zhdesk/feed.py)."""

    def __init__(
        self,
        engine: Engine,
        user_login: str,
        refuse_writes: Callable[[], Exception] | None,
        committed: Callable[[list[int]], None],
        signed_in: bool,
    ) -> None:
        super().__init__(engine, user_login, refuse_writes, signed_in=signed_in)
        self._committed = committed
        self._written: list[AuditEntry] = []

    def __enter__(self) -> UnitOfWork:
        super().__enter__()
        event.listen(self.session, "after_flush", self._after_flush)
        event.listen(self.session, "after_commit", self._after_commit)
        event.listen(self.session, "after_rollback", self._after_rollback)
        return self

    def _after_flush(self, session: Session, _context: object) -> None:
        new = [o for o in session.new if isinstance(o, AuditEntry)]
        if new:
            self._written.extend(new)
            if self.engine.url.get_backend_name() == "postgresql":
                notify(session.connection(), max(o.id for o in new))

    def _after_commit(self, _session: Session) -> None:
        written, self._written = self._written, []
        if written:
            self._committed([o.id for o in written])

    def _after_rollback(self, _session: Session) -> None:
        self._written = []

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        if isinstance(exc, StaleDataError | DBAPIError):
            raise write_problem(exc, self.engine) from exc


P = ParamSpec("P")
R = TypeVar("R")


class UseCase(Generic[P, R]):
    """A service function `fn(uow, *args)` offered on the Desk as `desk.name(*args)`, run in a unit of
    work of its own. Typed: the Desk method has exactly the service's parameters after `uow`, so the two
    cannot drift apart."""

    def __init__(self, fn: Callable[Concatenate[UnitOfWork, P], R], *, writes: bool) -> None:
        self.fn = fn
        self.writes = writes

    @overload
    def __get__(self, desk: None, owner: type[Desk]) -> UseCase[P, R]: ...
    @overload
    def __get__(self, desk: Desk, owner: type[Desk]) -> Callable[P, R]: ...
    def __get__(self, desk: Desk | None, owner: type[Desk]) -> UseCase[P, R] | Callable[P, R]:
        if desk is None:
            return self
        fn = self.fn

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            return desk.run(fn, *args, **kwargs)

        call.__doc__ = fn.__doc__
        return call


def read(fn: Callable[Concatenate[UnitOfWork, P], R]) -> UseCase[P, R]:
    return UseCase(fn, writes=False)


def write(fn: Callable[Concatenate[UnitOfWork, P], R]) -> UseCase[P, R]:
    return UseCase(fn, writes=True)


class Desk:
    """The opened database and every use case, by name (`desk.list_sites(f)`), or any service function
    through `desk.run(fn, *args)`. Each call is one unit of work: committed by the service, or rolled back."""

    def __init__(self, engine: Engine, user_login: str | None = None, damaged: str | None = None) -> None:
        self.engine = engine
        self.user_login = user_login or os_login()
        register_database(self, database_files(engine.url))  # every export in this process stays off it
        # Transactions committed through this desk: lets the CLI tell an interrupted command that saved
        # nothing from one interrupted just after its commit.
        self.commits = 0
        event.listen(engine, "commit", self._count_commit)
        # Why writes are refused (the file failed its integrity check), or None; reads go on.
        self.damaged = damaged
        # Audit ids this desk's commits wrote and the change feed has not passed yet (zhdesk/feed.py).
        self.own_changes: set[int] = set()
        self._own_lock = threading.Lock()
        # Accounts (issue 12): whether `user_login` proved its password here, and what can() answers from
        # without a query: the role and the auth mode seen at sign-in or at the last me()/auth_mode().
        self.signed_in = False
        self._role: str | None = None
        self._mode: str | None = None

    def _count_commit(self, _conn: object) -> None:
        self.commits += 1

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, user_login: str | None = None) -> Desk:
        opened = open_database(url, migrate_schema=migrate)
        desk = cls(opened.engine, user_login, damaged=opened.damaged)
        if opened.upgraded:  # a database at head was seeded when it got there: opening costs one version query
            try:
                desk._seed_reference()
            except DBAPIError as exc:
                desk.close()
                raise connection_problem(exc, opened.engine) from exc
        return desk

    def _seed_reference(self) -> None:
        """Categories and metrics every database needs; parallel first starts may race, so retry."""
        for attempt in range(3):
            try:
                with UnitOfWork(self.engine, self.user_login) as uow:
                    if seed_reference(uow):
                        uow.commit()
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def uow(self, login: str | None = None) -> UnitOfWork:
        """A unit of work as this desk's user (or as `login`, not signed in: sign-in, first admin)."""
        refuse = self._refuse_writes if self.damaged else None
        if login is not None:
            return _DeskUnitOfWork(self.engine, login, refuse, self._remember_own, False)
        return _DeskUnitOfWork(self.engine, self.user_login, refuse, self._remember_own, self.signed_in)

    def _remember_own(self, ids: list[int]) -> None:
        with self._own_lock:
            self.own_changes = self.own_changes | set(ids)  # a new set: the feed's thread reads it

    def _forget_own(self, upto: int) -> None:
        """The feed has passed `upto`: its own entries up to there need no remembering."""
        with self._own_lock:
            self.own_changes = {i for i in self.own_changes if i > upto}

    def feed(self, poll_s: float = POLL_S) -> ChangeFeed:
        """What other workstations write, for a thread of its own (zhdesk/feed.py)."""
        return ChangeFeed(self, poll_s)

    def _refuse_writes(self) -> StorageProblem:
        return StorageProblem(self.damaged or "数据库只读")

    def close(self) -> None:
        unregister_database(self)
        self.engine.dispose()

    def run(self, fn: Callable[Concatenate[UnitOfWork, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run any service function `fn(uow, ...)` in a unit of work of its own: the one way the window,
        the CLI and the tests reach a service (the use cases below are this, by name)."""
        with self.uow() as uow:
            if not self.signed_in and settings_svc.auth_mode(uow) == "accounts":
                raise SignInRequired()
            return fn(uow, *args, **kwargs)

    # -- accounts (issue 12): sign-in and the first administrator are not use cases: they change who this
    # desk is, and work before anyone signed in.
    def auth_mode(self) -> str:
        """'local' (the OS user, no password) or 'accounts' (sign-in); needs no sign-in."""
        with self.uow() as uow:
            self._mode = settings_svc.auth_mode(uow)
        return self._mode

    def needs_first_admin(self) -> bool:
        """Accounts mode and no enabled administrator with a password: only create_first_admin gets in."""
        with self.uow() as uow:
            return accounts_svc.needs_first_admin(uow)

    def _signed_in_as(self, user: UserDTO, mode: str) -> UserDTO:
        self.user_login, self.signed_in, self._role, self._mode = user.login, True, user.role, mode
        return user

    def create_first_admin(self, login: str, display_name: str, password: str) -> UserDTO:
        """The first administrator of an empty accounts database (refused once there is one); signs in."""
        with self.uow((login or "").strip()[:64] or "?") as uow:
            user = accounts_svc.create_first_admin(uow, login, display_name, password)
        return self._signed_in_as(user, "accounts")

    def sign_in(self, login: str, password: str) -> UserDTO:
        """Sign this desk in; SignInRefused (audited, counted towards the lock-out) otherwise."""
        with self.uow((login or "").strip()[:64] or "?") as uow:
            user, refused = accounts_svc.sign_in(uow, login, password)
            mode = settings_svc.auth_mode(uow)
        if refused is not None:
            raise refused
        assert user is not None
        return self._signed_in_as(user, mode)

    def sign_out(self) -> None:
        self.signed_in, self._role = False, None

    def me(self) -> UserDTO:
        """The signed-in account; in local mode the OS user, an administrator."""
        with self.uow() as uow:
            mode = settings_svc.auth_mode(uow)
            if mode == "accounts" and not self.signed_in:
                raise SignInRequired()
            user = accounts_svc.me(uow)
        self._role, self._mode = user.role, mode
        return user

    def can(self, action: str) -> bool:
        """May this desk's user do `action`? No query: from the role cached at sign-in or the last me()
        (local mode: everything). False before either."""
        if self._mode == "local":
            return True
        return self.signed_in and self._role is not None and allowed(self._role, action)

    def change_password(self, old: str, new: str) -> None:
        """The signed-in account's own password."""
        self.run(accounts_svc.change_password, old, new)

    def enable_accounts(self, login: str, display_name: str, password: str) -> UserDTO:
        """Local → accounts by the local administrator: `login` becomes an administrator with this password
        and this desk is signed in as it; other users need a password from an administrator."""
        user = self.run(accounts_svc.enable_accounts, login, display_name, password)
        return self._signed_in_as(user, "accounts")

    def disable_accounts(self) -> None:
        """Back to local (one person, no sign-in); administrators only."""
        self.run(accounts_svc.disable_accounts)
        self._mode = "local"

    def location(self) -> str:
        """Where the data lives, for the status bar (password hidden)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            return url.database
        return url.render_as_string(hide_password=True)

    @classmethod
    def use_cases(cls) -> dict[str, UseCase[..., object]]:
        """Every use case by name; `.writes` says which ones change the database."""
        return {name: v for name, v in vars(cls).items() if isinstance(v, UseCase)}

    # -- sites and listings
    has_sites = read(sites_svc.has_sites)
    communities = read(sites_svc.list_communities)
    categories = read(sites_svc.list_categories)
    list_sites = read(sites_svc.list_sites)
    get_site = read(sites_svc.get_site)
    site_page = read(sites_svc.site_page)  # the 挂牌督办 table, a page at a time
    site_position = read(sites_svc.site_position)
    site_counts = read(sites_svc.site_counts)
    add_site = write(sites_svc.add_site)
    list_site = write(sites_svc.list_site_for_supervision)
    change_status = write(sites_svc.change_status)
    gantt = read(overview_svc.gantt)
    dossier = read(dossier_svc.site_dossier)  # 点位档案: the site, its listings, items and tally entries

    # -- settings
    warning_days = read(settings_svc.warning_days)
    set_warning_days = write(settings_svc.set_warning_days)
    photo_max_mb = read(settings_svc.photo_max_mb)
    set_photo_max_mb = write(settings_svc.set_photo_max_mb)

    # -- timeline
    timeline = read(timeline_svc.list_timeline)
    add_event = write(timeline_svc.add_event)
    edit_event = write(timeline_svc.edit_event)
    delete_event = write(timeline_svc.delete_event)

    # -- photos
    photos = read(photos_svc.list_photos)
    thumbnail = read(photos_svc.thumbnail_bytes)  # makes a missing thumbnail once: a cache, not a change
    thumbnails = read(photos_svc.thumbnails)
    original = read(photos_svc.original_bytes)
    export_photo = read(photos_svc.export_photo)  # writes a file, not the database
    add_photos = write(photos_svc.add_photos)
    update_photo = write(photos_svc.update_photo)
    delete_photo = write(photos_svc.delete_photo)

    # -- supervision bulletins, figures and the dashboard
    batches = read(supervision_svc.list_batches)
    batch_items = read(supervision_svc.batch_items)
    create_batch = write(supervision_svc.create_batch)
    add_items = write(supervision_svc.add_items)
    close_item = write(supervision_svc.close_item)
    set_deferred = write(supervision_svc.set_deferred)
    dashboard = read(stats_svc.dashboard)
    attention = read(attention_svc.attention)
    drill_items = read(stats_svc.drill_items)
    # -- the same lists page by page in SQL (issue 13): page, position of an id, every row (export)
    batch_page = read(pages_svc.batch_page)
    batch_position = read(pages_svc.batch_position)
    batch_totals = read(pages_svc.batch_totals)
    batch_count = read(pages_svc.batch_count)
    all_batches = read(pages_svc.all_batches)
    last_issue_numbers = read(pages_svc.last_issue_numbers)
    site_addresses = read(pages_svc.site_addresses)
    item_page = read(pages_svc.item_page)
    item_position = read(pages_svc.item_position)
    all_items = read(pages_svc.all_items)
    drill_page = read(pages_svc.drill_page)
    drill_position = read(pages_svc.drill_position)
    all_drill_items = read(pages_svc.all_drill_items)
    each_batch = read(pages_svc.each_batch)  # every batch with its items, streamed to a callback
    stats_json = read(stats_svc.stats_json)
    rebuild_rollups = write(stats_svc.rebuild_rollups)
    check_rollups = read(stats_svc.check_rollups)
    export_table = read(exports_svc.export_table)  # writes a file, not the database
    export_bytes = read(exports_svc.export_bytes)  # writes a file, not the database
    set_figure = write(figures_svc.enter_figure)
    hand_figure = read(figures_svc.hand_figure)

    # -- community tallies (台账)
    tally_import = write(tally_svc.import_file)
    tally_check = read(tally_svc.check_file)  # the import's preview: nothing written
    tally_batches = read(tally_svc.list_batches)
    tally_undo = write(tally_svc.undo_batch)
    metrics = read(tally_svc.list_metrics)
    save_metric = write(tally_svc.save_metric)
    add_metric_synonym = write(tally_svc.add_synonym)
    metric_totals = read(tally_svc.metric_totals)
    tally_table = read(tally_svc.table)
    tally_entries = read(tally_svc.entries)
    summary = read(tally_svc.summary)
    write_tally_template = read(tally_svc.write_template)  # writes a file, not the database
    figure_overlaps = read(tally_svc.imported_overlaps)

    # -- first start: the demo mark, 导入点位清单
    is_demo = read(settings_svc.is_demo)
    site_import = write(site_import_svc.import_sites)
    site_import_check = read(site_import_svc.check_sites_file)  # the import's preview: nothing written
    write_site_template = read(site_import_svc.write_sites_template)  # writes a file, not the database
    # -- the registry: sites edited, 延期, 通讯录, 社区 (issue 9)
    edit_site = write(sites_svc.edit_site)
    similar_sites = read(sites_svc.similar_sites)
    extend_deadline = write(sites_svc.extend_deadline)
    issue_notices = write(notices_svc.issue_notices)  # 督办通知单: a PDF and a 催办 event per site
    people = read(directory_svc.list_people)
    units = read(directory_svc.list_units)
    save_person = write(directory_svc.save_person)
    save_unit = write(directory_svc.save_unit)
    delete_person = write(directory_svc.delete_person)
    delete_unit = write(directory_svc.delete_unit)
    community_uses = read(communities_svc.list_community_uses)
    add_community = write(communities_svc.add_community)
    rename_community = write(communities_svc.rename_community)
    delete_community = write(communities_svc.delete_community)
    # -- 会议简报 (issue 11): the brief PDF, in memory (the preview) or written; its issue number
    brief_pdf = read(brief_svc.build_pdf)
    write_brief = read(brief_svc.write_brief)  # writes a file, not the database
    next_brief_issue = read(brief_svc.next_brief_issue)
    record_brief = write(brief_svc.record_brief)  # the saved issue number: the next brief suggests it + 1
    recent_briefs = read(brief_svc.recent_briefs)  # 近期简报, newest first, each with its spec

    # write_brief + record_brief in one unit of work; SQLite's transaction is deferred, so the seconds of
    # building take no write lock (the first write is the record)
    save_brief = write(brief_svc.save_brief)
    brief_title = read(settings_svc.brief_title)
    set_brief_title = write(settings_svc.set_brief_title)
    brief_issuer = read(settings_svc.brief_issuer)
    set_brief_issuer = write(settings_svc.set_brief_issuer)
    documents = read(settings_svc.documents)  # 发文单位 and the two titles (设置 → 简报和通知单)
    set_documents = write(settings_svc.set_documents)

    # -- 操作日志 (issue 12): the append-only audit trail, newest first
    list_audit = read(audit_svc.list_audit)

    # -- backup (issue 12): the copy is a file; the database is only read. Restore is not a use case: it
    # needs every connection closed (zhdesk.services.backup.restore, after Desk.close()).
    backup = read(backup_svc.backup)
    daily_backup = read(backup_svc.daily_backup)  # the window's start: today's copy in backups/
    backup_keep = read(backup_svc.backup_keep)
    set_backup_keep = write(backup_svc.set_backup_keep)
    record_restore = write(backup_svc.record_restore)  # after zhdesk restore, on the restored database

    # -- accounts (issue 12, 设置 → 账户): administrators only
    list_users = read(accounts_svc.list_users)
    add_user = write(accounts_svc.add_user)
    reset_password = write(accounts_svc.reset_password)  # clears the lock
    set_user_disabled = write(accounts_svc.set_user_disabled)
    set_user_role = write(accounts_svc.set_user_role)
