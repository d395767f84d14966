"""one open listing per site

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 19:04:20.843341

Before the unique index can exist, a database that already holds two open listings for one site
(possible before this revision) is repaired deterministically, and every repair is recorded: the
site's current open listing (latest listed, then highest id) stays open; each other open listing
is closed on the day the kept one was listed, with an audit entry (listing.auto_close) and a note
on the site's timeline, so nobody loses track of it.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'closed'")


def _close_duplicate_open_listings() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, site_id, listed_on FROM listing WHERE status != 'closed' "
            "AND site_id IN (SELECT site_id FROM listing WHERE status != 'closed' "
            "GROUP BY site_id HAVING COUNT(*) > 1) ORDER BY site_id, listed_on DESC, id DESC"
        )
    ).all()
    now = dt.datetime.now().replace(microsecond=0)
    kept: dict[int, tuple[int, object]] = {}
    for listing_id, site_id, listed_on in rows:
        if site_id not in kept:
            kept[site_id] = (listing_id, listed_on)
            continue
        keep_id, keep_on = kept[site_id]
        conn.execute(
            sa.text("UPDATE listing SET status = 'closed', closed_on = :on, version = version + 1 WHERE id = :id"),
            {"on": keep_on, "id": listing_id},
        )
        detail = {"site_id": site_id, "listed_on": str(listed_on), "closed_on": str(keep_on),
                  "kept_listing": keep_id, "reason": "同一点位有两个未办结的挂牌"}  # fmt: skip
        conn.execute(
            sa.text(
                "INSERT INTO audit_entry (at, user_login, action, entity, entity_id, detail) "
                "VALUES (:at, 'zhdesk-migration-0003', 'listing.auto_close', 'listing', :id, :detail)"
            ),
            {"at": now, "id": listing_id, "detail": json.dumps(detail, ensure_ascii=False)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO timeline_event (site_id, listing_id, kind, occurred_on, text, deleted, created_at, "
                "version) VALUES (:site, :id, 'note', :on, :text, :no, :at, 1)"
            ),
            {
                "site": site_id, "id": listing_id, "on": keep_on, "at": now, "no": False,
                "text": f"数据库升级：同一点位只能有一个未办结的挂牌，{listed_on} 挂牌的这一次已自动办结"
                f"（保留编号 {keep_id} 的挂牌），请核对",
            },
        )  # fmt: skip


def upgrade() -> None:
    _close_duplicate_open_listings()
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.create_index("uq_listing_one_open", ["site_id"], unique=True, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index("uq_listing_one_open", sqlite_where=OPEN, postgresql_where=OPEN)
