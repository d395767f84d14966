"""One object the UI and CLI hold: an opened database plus the use cases, each in its own unit of work.

The UI never sees a session: it calls these (from its database worker thread) and gets DTOs. A use case
is a service function named here with `read(...)` or `write(...)`; nothing else is written twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import AuditEntry
from db.uow import UnitOfWork
from zhdesk import services
from zhdesk.database import connection_problem, open_database, write_problem
from zhdesk.domain.roles import allowed
from zhdesk.dto import UserDTO
from zhdesk.errors import SignInRequired, StorageProblem
from zhdesk.feed import POLL_S, ChangeFeed, notify
from zhdesk.files import database_files, register_database, unregister_database
from zhdesk.reference import seed_reference
from zhdesk.services import accounts as accounts_svc
from zhdesk.services import settings as settings_svc
from zhdesk.services.common import os_login

# Each use case's module loads on its first call (zhdesk/services/__init__.py); these tell mypy the types of
# `services.<module>`, which the lambdas below name.
if TYPE_CHECKING:
    import zhdesk.services.attention
    import zhdesk.services.audit
    import zhdesk.services.backup
    import zhdesk.services.brief
    import zhdesk.services.communities
    import zhdesk.services.directory
    import zhdesk.services.dossier
    import zhdesk.services.exports
    import zhdesk.services.figures
    import zhdesk.services.item_pages
    import zhdesk.services.notices
    import zhdesk.services.overview
    import zhdesk.services.photos
    import zhdesk.services.site_import
    import zhdesk.services.sites
    import zhdesk.services.stats
    import zhdesk.services.supervision
    import zhdesk.services.tally
    import zhdesk.services.timeline  # noqa: F401 (ruff counts the group as one binding)


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
    cannot drift apart. Named by a function returning it (`read(lambda: services.sites.list_sites)`): the
    service's module is imported on the first call, not at start (issue 13)."""

    def __init__(self, get: Callable[[], Callable[Concatenate[UnitOfWork, P], R]], *, writes: bool) -> None:
        self._get = get
        self._fn: Callable[Concatenate[UnitOfWork, P], R] | None = None
        self.writes = writes

    @property
    def fn(self) -> Callable[Concatenate[UnitOfWork, P], R]:
        """The service function (its module imported on first use)."""
        if self._fn is None:
            self._fn = self._get()
        return self._fn

    @overload
    def __get__(self, desk: None, owner: type[Desk]) -> UseCase[P, R]: ...
    @overload
    def __get__(self, desk: Desk, owner: type[Desk]) -> Callable[P, R]: ...
    def __get__(self, desk: Desk | None, owner: type[Desk]) -> UseCase[P, R] | Callable[P, R]:
        if desk is None:
            return self

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            return desk.run(self.fn, *args, **kwargs)

        return call


def read(get: Callable[[], Callable[Concatenate[UnitOfWork, P], R]]) -> UseCase[P, R]:
    return UseCase(get, writes=False)


def write(get: Callable[[], Callable[Concatenate[UnitOfWork, P], R]]) -> UseCase[P, R]:
    return UseCase(get, writes=True)


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
    has_sites = read(lambda: services.sites.has_sites)
    communities = read(lambda: services.sites.list_communities)
    categories = read(lambda: services.sites.list_categories)
    list_sites = read(lambda: services.sites.list_sites)
    get_site = read(lambda: services.sites.get_site)
    site_page = read(lambda: services.sites.site_page)  # the 挂牌督办 table, a page at a time
    site_position = read(lambda: services.sites.site_position)
    site_counts = read(lambda: services.sites.site_counts)
    add_site = write(lambda: services.sites.add_site)
    list_site = write(lambda: services.sites.list_site_for_supervision)
    change_status = write(lambda: services.sites.change_status)
    gantt = read(lambda: services.overview.gantt)
    dossier = read(lambda: services.dossier.site_dossier)  # 点位档案: the site, its listings, items and tally entries

    # -- settings
    warning_days = read(lambda: services.settings.warning_days)
    set_warning_days = write(lambda: services.settings.set_warning_days)
    photo_max_mb = read(lambda: services.settings.photo_max_mb)
    set_photo_max_mb = write(lambda: services.settings.set_photo_max_mb)

    # -- timeline
    timeline = read(lambda: services.timeline.list_timeline)
    add_event = write(lambda: services.timeline.add_event)
    edit_event = write(lambda: services.timeline.edit_event)
    delete_event = write(lambda: services.timeline.delete_event)

    # -- photos
    photos = read(lambda: services.photos.list_photos)
    thumbnail = read(lambda: services.photos.thumbnail_bytes)  # makes a missing thumbnail once: a cache, not a change
    thumbnails = read(lambda: services.photos.thumbnails)
    original = read(lambda: services.photos.original_bytes)
    export_photo = read(lambda: services.photos.export_photo)  # writes a file, not the database
    add_photos = write(lambda: services.photos.add_photos)
    update_photo = write(lambda: services.photos.update_photo)
    delete_photo = write(lambda: services.photos.delete_photo)

    # -- supervision bulletins, figures and the dashboard
    batches = read(lambda: services.supervision.list_batches)
    batch_items = read(lambda: services.supervision.batch_items)
    create_batch = write(lambda: services.supervision.create_batch)
    add_items = write(lambda: services.supervision.add_items)
    close_item = write(lambda: services.supervision.close_item)
    set_deferred = write(lambda: services.supervision.set_deferred)
    dashboard = read(lambda: services.stats.dashboard)
    attention = read(lambda: services.attention.attention)
    drill_items = read(lambda: services.stats.drill_items)
    # -- the same lists page by page in SQL (issue 13): page, position of an id, every row (export)
    batch_page = read(lambda: services.item_pages.batch_page)
    batch_position = read(lambda: services.item_pages.batch_position)
    batch_totals = read(lambda: services.item_pages.batch_totals)
    batch_count = read(lambda: services.item_pages.batch_count)
    all_batches = read(lambda: services.item_pages.all_batches)
    last_issue_numbers = read(lambda: services.item_pages.last_issue_numbers)
    site_addresses = read(lambda: services.item_pages.site_addresses)
    item_page = read(lambda: services.item_pages.item_page)
    item_position = read(lambda: services.item_pages.item_position)
    all_items = read(lambda: services.item_pages.all_items)
    drill_page = read(lambda: services.item_pages.drill_page)
    drill_position = read(lambda: services.item_pages.drill_position)
    all_drill_items = read(lambda: services.item_pages.all_drill_items)
    each_batch = read(lambda: services.item_pages.each_batch)  # every batch with its items, streamed to a callback
    stats_json = read(lambda: services.stats.stats_json)
    rebuild_rollups = write(lambda: services.stats.rebuild_rollups)
    check_rollups = read(lambda: services.stats.check_rollups)
    export_table = read(lambda: services.exports.export_table)  # writes a file, not the database
    export_bytes = read(lambda: services.exports.export_bytes)  # writes a file, not the database
    set_figure = write(lambda: services.figures.enter_figure)
    hand_figure = read(lambda: services.figures.hand_figure)

    # -- community tallies (台账)
    tally_import = write(lambda: services.tally.import_file)
    tally_check = read(lambda: services.tally.check_file)  # the import's preview: nothing written
    tally_batches = read(lambda: services.tally.list_batches)
    tally_undo = write(lambda: services.tally.undo_batch)
    metrics = read(lambda: services.tally.list_metrics)
    save_metric = write(lambda: services.tally.save_metric)
    add_metric_synonym = write(lambda: services.tally.add_synonym)
    metric_totals = read(lambda: services.tally.metric_totals)
    tally_table = read(lambda: services.tally.table)
    tally_entries = read(lambda: services.tally.entries)
    summary = read(lambda: services.tally.summary)
    write_tally_template = read(lambda: services.tally.write_template)  # writes a file, not the database
    figure_overlaps = read(lambda: services.tally.imported_overlaps)

    # -- first start: the demo mark, 导入点位清单
    is_demo = read(lambda: services.settings.is_demo)
    site_import = write(lambda: services.site_import.import_sites)
    site_import_check = read(lambda: services.site_import.check_sites_file)  # the import's preview: nothing written
    write_site_template = read(lambda: services.site_import.write_sites_template)  # writes a file, not the database
    # -- the registry: sites edited, 延期, 通讯录, 社区 (issue 9)
    edit_site = write(lambda: services.sites.edit_site)
    similar_sites = read(lambda: services.sites.similar_sites)
    extend_deadline = write(lambda: services.sites.extend_deadline)
    issue_notices = write(lambda: services.notices.issue_notices)  # 督办通知单: a PDF and a 催办 event per site
    people = read(lambda: services.directory.list_people)
    units = read(lambda: services.directory.list_units)
    save_person = write(lambda: services.directory.save_person)
    save_unit = write(lambda: services.directory.save_unit)
    delete_person = write(lambda: services.directory.delete_person)
    delete_unit = write(lambda: services.directory.delete_unit)
    community_uses = read(lambda: services.communities.list_community_uses)
    add_community = write(lambda: services.communities.add_community)
    rename_community = write(lambda: services.communities.rename_community)
    delete_community = write(lambda: services.communities.delete_community)
    # -- 会议简报 (issue 11): the brief PDF, in memory (the preview) or written; its issue number
    brief_pdf = read(lambda: services.brief.build_pdf)
    brief_section_count = read(lambda: services.brief.section_count)  # the preview asks before hundreds
    write_brief = read(lambda: services.brief.write_brief)  # writes a file, not the database
    next_brief_issue = read(lambda: services.brief.next_brief_issue)
    record_brief = write(lambda: services.brief.record_brief)  # the saved issue number: the next brief suggests it + 1
    recent_briefs = read(lambda: services.brief.recent_briefs)  # 近期简报, newest first, each with its spec

    # write_brief + record_brief in one unit of work; SQLite's transaction is deferred, so the seconds of
    # building take no write lock (the first write is the record)
    save_brief = write(lambda: services.brief.save_brief)
    brief_title = read(lambda: services.settings.brief_title)
    set_brief_title = write(lambda: services.settings.set_brief_title)
    brief_issuer = read(lambda: services.settings.brief_issuer)
    set_brief_issuer = write(lambda: services.settings.set_brief_issuer)
    documents = read(lambda: services.settings.documents)  # 发文单位 and the two titles (设置 → 简报和通知单)
    set_documents = write(lambda: services.settings.set_documents)

    # -- 操作日志 (issue 12): the append-only audit trail, newest first
    list_audit = read(lambda: services.audit.list_audit)

    # -- backup (issue 12): the copy is a file; the database is only read. Restore is not a use case: it
    # needs every connection closed (zhdesk.services.backup.restore, after Desk.close()).
    backup = read(lambda: services.backup.backup)
    daily_backup = read(lambda: services.backup.daily_backup)  # the window's start: today's copy in backups/
    backup_keep = read(lambda: services.backup.backup_keep)
    set_backup_keep = write(lambda: services.backup.set_backup_keep)
    record_restore = write(lambda: services.backup.record_restore)  # after zhdesk restore, on the restored database

    # -- accounts (issue 12, 设置 → 账户): administrators only
    list_users = read(lambda: services.accounts.list_users)
    add_user = write(lambda: services.accounts.add_user)
    reset_password = write(lambda: services.accounts.reset_password)  # clears the lock
    set_user_disabled = write(lambda: services.accounts.set_user_disabled)
    set_user_role = write(lambda: services.accounts.set_user_role)
