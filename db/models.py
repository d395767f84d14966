"""SQLAlchemy 2 typed models: the whole schema of zhdesk.

Later capabilities fill in behaviour; the tables exist from the first migration on.
Changing a model means adding an Alembic revision (tests/db/test_migrations.py checks they agree).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Community(Base):
    """社区. `is_sample` marks demo names so nobody mistakes them for real ones."""

    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Unit(Base):
    """责任单位 and other organisations (执法中队, 环卫站, a community office, ...)."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("name", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    unit: Mapped[Unit | None] = relationship()


class Site(Base):
    """点位: a compound, street, shop front, commercial area or military compound."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(24), default="compound")
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    military: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    version: Mapped[int] = mapped_column(Integer, default=1)
    community: Mapped[Community] = relationship()
    listings: Mapped[list[Listing]] = relationship(back_populates="site", order_by="Listing.listed_on")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("address", "community_id"),)


class ProblemCategory(Base):
    """Local category list, mapped onto the national standard where it can be (code + edition)."""

    __tablename__ = "problem_category"
    __table_args__ = (UniqueConstraint("name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    std_code: Mapped[str | None] = mapped_column(String(16))
    std_version: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# Partial unique indexes: the same WHERE on both engines. PostgreSQL's is attached by postgresql_options()
# when a PostgreSQL engine is made: naming a postgresql_* option here made SQLAlchemy import its whole
# PostgreSQL dialect (every driver module) at every desktop's start-up, 50–150 ms (issue 13).
OPEN_LISTING = "status != 'closed'"
LIVE_BATCH = "undone_at IS NULL"
PARTIAL_INDEXES = {"uq_listing_one_open": OPEN_LISTING, "uq_import_batch_live_sha256": LIVE_BATCH}


class Listing(Base):
    """挂牌督办: one listing of a site; a site listed again later gets a new record."""

    __tablename__ = "listing"
    __table_args__ = (
        CheckConstraint(
            "status IN ('listed','rectifying','awaiting_acceptance','closed')", name="status"
        ),
        CheckConstraint("deadline IS NULL OR deadline >= listed_on", name="deadline_after_listing"),
        Index("ix_listing_status_deadline", "status", "deadline"),
        # A site has at most one open listing, whatever writes to the database.
        Index("uq_listing_one_open", "site_id", unique=True, sqlite_where=text(OPEN_LISTING)),
    )  # fmt: skip
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    issue_no: Mapped[int | None] = mapped_column(Integer)
    listed_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("problem_category.id"))
    problem: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default="listed")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    rebound_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    site: Mapped[Site] = relationship(back_populates="listings")
    category: Mapped[ProblemCategory | None] = relationship()
    responsibilities: Mapped[list[Responsibility]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="Responsibility.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Responsibility(Base):
    """包案领导 (lead) / 责任单位 (unit) / 责任人 (person) / 联系人 (contact) of a listing."""

    __tablename__ = "responsibility"
    __table_args__ = (
        CheckConstraint("role IN ('lead','unit','person','contact')", name="role"),
        CheckConstraint("person_id IS NOT NULL OR unit_id IS NOT NULL", name="someone"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    listing: Mapped[Listing] = relationship(back_populates="responsibilities")
    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class SupervisionBatch(Base):
    """A numbered batch (期) of supervision items of one kind."""

    __tablename__ = "supervision_batch"
    __table_args__ = (
        UniqueConstraint("kind", "year", "issue_no"),
        Index("ix_supervision_batch_issued_on", "issued_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    issue_no: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(256))


class SupervisionItem(Base):
    """One item (处) of a batch. A 挂牌督办 item points at its listing instead of copying it."""

    __tablename__ = "supervision_item"
    # Covering indexes: the dashboard's aggregates scan these instead of the table (bench/dashboard.py).
    __table_args__ = (
        Index("ix_supervision_item_batch_cover", "batch_id", "listing_id", "status", "deferred", "deadline",
              "closed_on", "category_id"),
        Index("ix_supervision_item_site_cover", "site_id", "listing_id", "status", "deferred", "deadline",
              "closed_on"),
        Index("ix_supervision_item_status_deadline", "status", "deadline"),
    )  # fmt: skip
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("supervision_batch.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("problem_category.id"))
    problem: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(String(24), default="open")
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class User(Base):
    """An account (issue 12): in local mode the OS user, in accounts mode a login with a scrypt password
    (zhdesk/services/accounts.py). `community_id` binds a staff account to one community."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('admin','leader','preparer','staff')", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="staff")
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=_now)  # None: before 0007

    community: Mapped[Community | None] = relationship()


class TimelineEvent(Base):
    __tablename__ = "timeline_event"
    __table_args__ = (Index("ix_timeline_event_site_date", "site_id", "occurred_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"))
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    occurred_at: Mapped[dt.time | None] = mapped_column(Time)
    text: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class EventActor(Base):
    __tablename__ = "event_actor"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("timeline_event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str | None] = mapped_column(String(128))


class PhotoBlob(Base):
    """Original photo bytes, content-addressed; kept apart so lists never load them."""

    __tablename__ = "photo_blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Photo(Base):
    __tablename__ = "photo"
    __table_args__ = (CheckConstraint("phase IN ('before','during','after')", name="phase"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_event.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"), index=True)
    phase: Mapped[str] = mapped_column(String(8), default="before")
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    file_name: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Thumbnail(Base):
    __tablename__ = "thumbnail"
    sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"), primary_key=True)
    edge: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Metric(Base):
    """The work-statistics catalogue (codes from docs/domain.md)."""

    __tablename__ = "metric"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class MetricSynonym(Base):
    """A header that means a metric (清理垃圾量 → garbage_tons), or a column to ignore (metric_code NULL).

    Keyed by the normalised header (zhdesk/tally/text.py header_key); mappings the user chose are remembered here.
    """

    __tablename__ = "metric_synonym"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    text: Mapped[str] = mapped_column(String(128))
    metric_code: Mapped[str | None] = mapped_column(ForeignKey("metric.code"))
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=_now)


class ImportBatch(Base):
    """One imported tally file; undoing it deletes its entries and records who undid it and when."""

    __tablename__ = "import_batch"
    # One live batch per file content: two workstations importing the same file at once cannot both win.
    __table_args__ = (
        Index("uq_import_batch_live_sha256", "file_sha256", unique=True, sqlite_where=text(LIVE_BATCH)),
    )  # fmt: skip
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    sheet: Mapped[str | None] = mapped_column(String(128))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    entry_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(64))


class TallyEntry(Base):
    """One figure of the tally, with its qualifier (约/近/余) kept beside the number."""

    __tablename__ = "tally_entry"
    # Covering: a metric's total over a range is read from the index alone (1M-row tallies).
    __table_args__ = (
        Index("ix_tally_entry_metric_cover", "metric_code", "period_start", "period_end", "community_id", "value",
              "qualifier"),
        Index("ix_tally_entry_site", "site_id", "period_start", "id"),  # a site's figures, in order
    )  # fmt: skip
    id: Mapped[int] = mapped_column(primary_key=True)
    metric_code: Mapped[str] = mapped_column(ForeignKey("metric.code"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    qualifier: Mapped[str | None] = mapped_column(String(8))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    source_sheet: Mapped[str | None] = mapped_column(String(128))
    source_row: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    # Provenance: the column of an imported figure; who entered a hand figure and when.
    source_column: Mapped[str | None] = mapped_column(String(8))
    site_text: Mapped[str | None] = mapped_column(String(255))
    entered_by: Mapped[str | None] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, server_default=func.current_timestamp())
    user_login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class BriefRecord(Base):
    """A 会议简报 saved to a file: its spec (JSON of zhdesk.dto.BriefSpec), so it can be rebuilt or cloned."""

    __tablename__ = "brief_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    issue_no: Mapped[int] = mapped_column(Integer, index=True)
    spec: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    made_by: Mapped[str | None] = mapped_column(String(64))


class Setting(Base):
    """Settings every workstation shares (warning days, subdistrict name, ...)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Dashboard rollups (issue 13): counts kept up to date by db/rollups.py in the same flush as every write to
# items, listings, batches and sites, so the 总览 page adds up a few hundred rows instead of 100,000 items.
# No foreign keys: they are derived data, rebuilt by `zhdesk stats rebuild`. community_id 0 = every community;
# grain 'd' = the batch's issue day, 'm' = its month (period = the 1st), so any date range is whole months
# plus the days at its two ends.


class StatKind(Base):
    """Items per issue day or month, kind and community: 期 (batches with an item there), 处, 办结, 按期办结, 返工."""

    __tablename__ = "stat_kind"
    __table_args__ = {"sqlite_with_rowid": False}  # stored in key order: a range read is one sweep
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # before period: a range is one scan
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    issues: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    rework: Mapped[int] = mapped_column(Integer, default=0)


class StatCategory(Base):
    """Items per issue day or month, community and problem category (0 = none)."""

    __tablename__ = "stat_category"
    __table_args__ = {"sqlite_with_rowid": False}  # stored in key order: a range read is one sweep
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)


class StatOpen(Base):
    """Open items by their deadline (9999-12-31 = none), so due and overdue can be cut at any `today`."""

    __tablename__ = "stat_open"
    __table_args__ = {"sqlite_with_rowid": False}  # stored in key order: a range read is one sweep
    issued_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    deferred: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)


class StatBatch(Base):
    """Items per batch and community (0 = all): 期 counts a batch where this goes from 0 to 1."""

    __tablename__ = "stat_batch"
    __table_args__ = {"sqlite_with_rowid": False}  # stored in key order: a range read is one sweep
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)


class StatTally(Base):
    """Tally entries per metric, period, community (0 = none) and qualifier ('' = none): the sum in cents
    (exact on both engines) and how many entries, so a metric's total over a range reads a few thousand rows."""

    __tablename__ = "stat_tally"
    __table_args__ = {"sqlite_with_rowid": False}
    metric_code: Mapped[str] = mapped_column(String(48), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qualifier: Mapped[str] = mapped_column(String(8), primary_key=True)
    cents: Mapped[int] = mapped_column(BigInteger, default=0)
    entries: Mapped[int] = mapped_column(Integer, default=0)


def postgresql_options() -> None:
    """Give the partial indexes their PostgreSQL WHERE (db/engine.py calls this for a PostgreSQL engine)."""
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = PARTIAL_INDEXES.get(index.name or "")
            if where is not None:
                index.dialect_kwargs["postgresql_where"] = text(where)
