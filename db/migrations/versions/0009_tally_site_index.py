"""tally entries by site: an index for a site's figures (点位档案, every site section of the brief)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:10:00

Without it, reading one site's entries scanned the whole tally (1,000,000 entries: ~4 s a site, so a brief
of all listed sites on the large database would have taken hours).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tally_entry", schema=None) as batch_op:
        batch_op.create_index("ix_tally_entry_site", ["site_id", "period_start", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tally_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_tally_entry_site")
