"""stat rollups: the dashboard's counts per issue day/month, kind, community, category, open deadline; tallies

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:10:00

Five derived tables (db/models.py StatKind, StatCategory, StatOpen, StatBatch, StatTally), filled here from the
existing rows by db/rollups.rebuild, then kept up to date by every flush (db/rollups.py). They have no
foreign keys (`zhdesk stats rebuild` can always recompute them) and, on SQLite, no rowid: stored in key
order, a date range is one sweep of the table. The fill reads today's models; a later
migration that changes the columns it reads must fill again itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_kind",
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("issues", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("rework", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grain", "community_id", "period", "kind", name=op.f("pk_stat_kind")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_category",
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grain", "community_id", "period", "category_id", name=op.f("pk_stat_category")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_open",
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deferred", sa.Boolean(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "issued_on", "kind", "community_id", "unit_id", "deadline", "deferred", name=op.f("pk_stat_open")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_batch",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "community_id", name=op.f("pk_stat_batch")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stat_tally",
        sa.Column("metric_code", sa.String(length=48), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("qualifier", sa.String(length=8), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric_code", "period_start", "period_end", "community_id", "qualifier", name=op.f("pk_stat_tally")
        ),
        sqlite_with_rowid=False,
    )
    from db import rollups

    rollups.rebuild(op.get_bind())


def downgrade() -> None:
    for name in ("stat_tally", "stat_batch", "stat_open", "stat_category", "stat_kind"):
        op.drop_table(name)
