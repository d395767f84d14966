"""One object the UI and CLI hold: an opened database plus the use cases, each in its own unit of work.

The UI never sees a session: it calls these methods (from its database worker thread) and gets DTOs.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from db.uow import UnitOfWork
from zhdesk.database import init_schema, open_engine
from zhdesk.domain.stats import Kind
from zhdesk.domain.workflow import Action, Status
from zhdesk.dto import (
    CommunityDTO,
    MetricDTO,
    MetricTotal,
    SiteDetail,
    SiteRow,
    TallyBatchDTO,
    TallyCell,
    TallyEntryDTO,
    TallyFileReport,
    TallyImportOptions,
)
from zhdesk.errors import Conflict, StorageProblem
from zhdesk.reference import seed_reference
from zhdesk.services import figures as figures_svc
from zhdesk.services import overview as overview_svc
from zhdesk.services import photos as photos_svc
from zhdesk.services import settings as settings_svc
from zhdesk.services import sites as sites_svc
from zhdesk.services import stats as stats_svc
from zhdesk.services import supervision as supervision_svc
from zhdesk.services import timeline as timeline_svc
from zhdesk.services.sites import ListingInput, SiteFilter


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "local"


# SQLite result codes (`sqlite_errorname`, by prefix: SQLITE_IOERR_WRITE is an IOERR) in the user's words.
_SQLITE_REASONS = {
    "SQLITE_BUSY": "数据库正被其他程序占用，等待超时",
    "SQLITE_LOCKED": "数据库正被其他程序占用，等待超时",
    "SQLITE_FULL": "磁盘空间已满",
    "SQLITE_READONLY": "数据库文件只读，无法写入",
    "SQLITE_IOERR": "磁盘读写出错",
    "SQLITE_CORRUPT": "数据库文件已损坏，请从备份恢复",
    "SQLITE_NOTADB": "该文件不是数据库",
    "SQLITE_CANTOPEN": "无法打开数据库文件",
    "SQLITE_PERM": "没有访问权限",
}
CONFLICT_MESSAGE = "记录已被其他人修改，请刷新后重试"


def _is_race(exc: DBAPIError) -> bool:
    """Lost races, not storage faults: a unique key another writer just took, or (SQLite WAL) a write
    from a snapshot that another commit made stale, which SQLite refuses at once without waiting."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlite_errorname", "") == "SQLITE_BUSY_SNAPSHOT"


def storage_reason(exc: DBAPIError) -> str:
    name = str(getattr(exc.orig, "sqlite_errorname", ""))
    for prefix, reason in _SQLITE_REASONS.items():
        if name.startswith(prefix):
            return reason
    return " ".join(str(exc.orig).split())


class _DeskUnitOfWork(UnitOfWork):
    """A unit of work whose database failures mid-operation (locked, read-only, disk full, connection lost)
    reach the caller as StorageProblem, and a lost race with another writer as Conflict: one line of
    Chinese, never a raw driver error."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        if isinstance(exc, StaleDataError):
            # A versioned row changed under us between read and write (another workstation or process).
            raise Conflict(CONFLICT_MESSAGE) from exc
        if isinstance(exc, DBAPIError):
            if _is_race(exc):
                raise Conflict(CONFLICT_MESSAGE) from exc
            where = self.engine.url.render_as_string(hide_password=True)
            raise StorageProblem(f"数据库读写失败（{where}）：{storage_reason(exc)}") from exc


class Desk:
    def __init__(self, engine: Engine, user_login: str | None = None) -> None:
        self.engine = engine
        self.user_login = user_login or _login()
        # Transactions committed through this desk: lets the CLI tell an interrupted command that saved
        # nothing from one interrupted just after its commit.
        self.commits = 0
        event.listen(engine, "commit", self._count_commit)

    def _count_commit(self, _conn: object) -> None:
        self.commits += 1

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Desk:
        engine = open_engine(url)
        desk = cls(engine)
        if migrate:
            init_schema(engine)
            with desk.uow() as uow:  # categories and metrics every database needs
                if seed_reference(uow):
                    uow.commit()
        return desk

    def uow(self) -> UnitOfWork:
        return _DeskUnitOfWork(self.engine, self.user_login)

    def close(self) -> None:
        self.engine.dispose()

    # -- reading
    def has_sites(self) -> bool:
        with self.uow() as uow:
            return sites_svc.has_sites(uow)

    def communities(self) -> list[CommunityDTO]:
        with self.uow() as uow:
            return sites_svc.list_communities(uow)

    def list_sites(self, filters: SiteFilter | None = None, today: dt.date | None = None) -> list[SiteRow]:
        with self.uow() as uow:
            return sites_svc.list_sites(uow, filters, today)

    def get_site(self, site_id: int, today: dt.date | None = None) -> SiteDetail:
        with self.uow() as uow:
            return sites_svc.get_site(uow, site_id, today)

    def warning_days(self) -> int:
        with self.uow() as uow:
            return settings_svc.warning_days(uow)

    # -- writing
    def set_warning_days(self, days: int) -> int:
        with self.uow() as uow:
            return settings_svc.set_warning_days(uow, days)

    def add_site(self, address: str, community: str, kind: str = "compound", note: str | None = None) -> SiteDetail:
        with self.uow() as uow:
            return sites_svc.add_site(uow, address, community, kind, note)

    def list_site(self, site_id: int, data: ListingInput) -> SiteDetail:
        with self.uow() as uow:
            return sites_svc.list_site_for_supervision(uow, site_id, data)

    def change_status(
        self,
        site_id: int,
        *,
        action: Action | None = None,
        to: Status | None = None,
        note: str | None = None,
        on: dt.date | None = None,
        expected_version: int | None = None,
    ) -> SiteDetail:
        with self.uow() as uow:
            return sites_svc.change_status(
                uow, site_id, action=action, to=to, note=note, on=on, expected_version=expected_version
            )

    def location(self) -> str:
        """Where the data lives, for the status bar (password hidden)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            return url.database
        return url.render_as_string(hide_password=True)

    # -- overview
    def gantt(self, today: dt.date | None = None) -> list[overview_svc.GanttRow]:
        with self.uow() as uow:
            return overview_svc.gantt(uow, today)

    # -- timeline
    def timeline(self, site_id: int) -> list[timeline_svc.EventDTO]:
        with self.uow() as uow:
            return timeline_svc.list_timeline(uow, site_id)

    def add_event(
        self,
        site_id: int,
        kind: str,
        on: dt.date,
        *,
        at: dt.time | None = None,
        text: str | None = None,
        actors: Sequence[str] = (),
        confirmed: bool = False,
    ) -> timeline_svc.EventDTO:
        with self.uow() as uow:
            return timeline_svc.add_event(
                uow, site_id, kind, on, at=at, text=text, actors=actors, confirmed=confirmed
            )

    def edit_event(
        self,
        event_id: int,
        *,
        kind: str | None = None,
        on: dt.date | None = None,
        at: dt.time | None = None,
        text: str | None = None,
        actors: Sequence[str] | None = None,
        expected_version: int | None = None,
        confirmed: bool = False,
    ) -> timeline_svc.EventDTO:
        with self.uow() as uow:
            return timeline_svc.edit_event(
                uow, event_id, kind=kind, on=on, at=at, text=text, actors=actors,
                expected_version=expected_version, confirmed=confirmed,
            )  # fmt: skip

    def delete_event(self, event_id: int, expected_version: int | None = None) -> None:
        with self.uow() as uow:
            timeline_svc.delete_event(uow, event_id, expected_version)

    # -- photos
    def photos(self, site_id: int, phase: str | None = None) -> list[photos_svc.PhotoDTO]:
        with self.uow() as uow:
            return photos_svc.list_photos(uow, site_id, phase)

    def add_photos(
        self,
        site_id: int,
        paths: Sequence[Path],
        phase: str = "before",
        event_id: int | None = None,
        progress: Callable[[int, int], bool] | None = None,
    ) -> photos_svc.AddPhotosResult:
        with self.uow() as uow:
            return photos_svc.add_photos(uow, site_id, paths, phase, event_id, progress)

    def thumbnail(self, photo_id: int) -> bytes:
        with self.uow() as uow:
            return photos_svc.thumbnail_bytes(uow, photo_id)

    def thumbnails(self, photo_ids: Sequence[int]) -> dict[int, bytes]:
        with self.uow() as uow:
            return photos_svc.thumbnails(uow, photo_ids)

    def original(self, photo_id: int) -> bytes:
        with self.uow() as uow:
            return photos_svc.original_bytes(uow, photo_id)

    def export_photo(self, photo_id: int, out: Path) -> Path:
        with self.uow() as uow:
            return photos_svc.export_photo(uow, photo_id, out)

    def update_photo(
        self, photo_id: int, *, phase: str | None = None, event_id: int | None = None, unlink: bool = False
    ) -> photos_svc.PhotoDTO:
        with self.uow() as uow:
            return photos_svc.update_photo(uow, photo_id, phase=phase, event_id=event_id, unlink=unlink)

    def delete_photo(self, photo_id: int) -> None:
        with self.uow() as uow:
            photos_svc.delete_photo(uow, photo_id)

    # -- supervision bulletins and figures
    def batches(self, f: supervision_svc.BatchFilter | None = None) -> list[supervision_svc.BatchDTO]:
        with self.uow() as uow:
            return supervision_svc.list_batches(uow, f)

    def batch_items(self, batch_id: int) -> list[supervision_svc.ItemDTO]:
        with self.uow() as uow:
            return supervision_svc.batch_items(uow, batch_id)

    def create_batch(
        self,
        kind: Kind,
        issue_no: int,
        issued_on: dt.date,
        items: Sequence[supervision_svc.ItemInput] = (),
        issuer: str | None = None,
        title: str | None = None,
    ) -> supervision_svc.BatchDTO:
        with self.uow() as uow:
            return supervision_svc.create_batch(uow, kind, issue_no, issued_on, items, issuer, title)

    def add_items(self, batch_id: int, items: Sequence[supervision_svc.ItemInput]) -> list[int]:
        with self.uow() as uow:
            return supervision_svc.add_items(uow, batch_id, items)

    def close_item(self, item_id: int, on: dt.date | None = None) -> supervision_svc.ItemDTO:
        with self.uow() as uow:
            return supervision_svc.close_item(uow, item_id, on)

    def set_deferred(self, item_id: int, deferred: bool) -> supervision_svc.ItemDTO:
        with self.uow() as uow:
            return supervision_svc.set_deferred(uow, item_id, deferred)

    def dashboard(self, f: stats_svc.StatsFilter | None = None, today: dt.date | None = None) -> stats_svc.Dashboard:
        with self.uow() as uow:
            return stats_svc.dashboard(uow, f, today)

    def drill_items(self, drill: stats_svc.Drill, today: dt.date | None = None) -> list[supervision_svc.ItemDTO]:
        with self.uow() as uow:
            return stats_svc.drill_items(uow, drill, today)

    def set_figure(
        self,
        metric: str,
        period_start: dt.date,
        period_end: dt.date,
        value_text: str,
        community: str | None = None,
    ) -> figures_svc.FigureDTO:
        """Enter a figure as the user typed it (1758, 约130, 100余) for a period."""
        value, qualifier = figures_svc.parse_figure(value_text)
        with self.uow() as uow:
            return figures_svc.set_figure(uow, metric, period_start, period_end, value, qualifier, community)

    # -- tallies
    def tally_import(
        self,
        path: Path,
        opts: TallyImportOptions | None = None,
        *,
        dry_run: bool = False,
        progress: Callable[[int], bool] | None = None,
    ) -> TallyFileReport:
        """Import (or with dry_run, preview) one tally file in one transaction."""
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.import_file(uow, path, opts, dry_run=dry_run, progress=progress)

    def tally_batches(self) -> list[TallyBatchDTO]:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.list_batches(uow)

    def tally_undo(self, batch_id: int) -> TallyBatchDTO:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.undo_batch(uow, batch_id)

    def metrics(self) -> list[MetricDTO]:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.list_metrics(uow)

    def save_metric(self, code: str, name: str, unit: str) -> MetricDTO:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.save_metric(uow, code, name, unit)

    def add_metric_synonym(self, text: str, code: str | None) -> None:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            tally_svc.add_synonym(uow, text, code)

    def metric_totals(
        self, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None
    ) -> list[MetricTotal]:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.metric_totals(uow, date_from, date_to, community)

    def tally_table(
        self, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None,
        granularity: str = "month",
    ) -> list[TallyCell]:  # fmt: skip
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.table(uow, date_from, date_to, community, granularity)

    def tally_entries(
        self, metric: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
        community: str | None = None, period: str | None = None, batch_id: int | None = None,
    ) -> list[TallyEntryDTO]:  # fmt: skip
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.entries(uow, metric, date_from, date_to, community, period, batch_id)

    def summary(
        self, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None
    ) -> str:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.summary(uow, date_from, date_to, community)

    def write_tally_template(self, out: Path) -> Path:
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.write_template(uow, out)

    def figure_overlaps(
        self, metric: str, start: dt.date, end: dt.date, community: str | None = None
    ) -> list[str]:
        """Warnings: imported tallies that cover the same metric and period as a hand figure."""
        from zhdesk.services import tally as tally_svc

        with self.uow() as uow:
            return tally_svc.imported_overlaps(uow, metric, start, end, community)
