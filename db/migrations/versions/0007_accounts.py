"""accounts: passwords, lock-out, disabled, community binding, the four roles

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:40:00

app_user gains what sign-in needs (zhdesk/services/accounts.py) and a CHECK on the four roles; existing
rows keep their role. A database that already has users keeps working as it did: the auth mode setting is
written as 'local' for it, so nobody is locked out by the upgrade (an absent setting means 'accounts' on
PostgreSQL). SQLite adds the columns in place (other tables refer to app_user, so a rebuild's DROP would
fail with foreign keys on) and enforces the role CHECK by triggers; a later rebuild of app_user must keep them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


ROLES = "role IN ('admin','leader','preparer','staff')"
COLUMNS = [
    "password_hash TEXT",
    "disabled BOOLEAN DEFAULT 0 NOT NULL",
    "failed_logins INTEGER DEFAULT '0' NOT NULL",
    "locked_until DATETIME",
    "community_id INTEGER CONSTRAINT fk_app_user_community_id_community REFERENCES community (id)",
    "created_at DATETIME",  # unknown (NULL) for the users an upgrade finds
]


def upgrade() -> None:
    conn = op.get_bind()
    has_users = conn.execute(sa.text("SELECT 1 FROM app_user LIMIT 1")).first() is not None
    # a role outside the four (none was ever written) would fail the CHECK: such a user becomes staff
    conn.execute(sa.text(f"UPDATE app_user SET role = 'staff' WHERE NOT ({ROLES})"))
    if conn.dialect.name == "sqlite":
        # No table rebuild: other tables refer to app_user and foreign keys are on (a DROP would fail), so
        # the columns are added in place and the role CHECK is two triggers.
        for column in COLUMNS:
            op.execute(f"ALTER TABLE app_user ADD COLUMN {column}")
        for what in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER app_user_role_{what.lower()} BEFORE {what} ON app_user "
                f"WHEN NOT (NEW.{ROLES}) BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_app_user_role'); END"
            )
    else:
        with op.batch_alter_table("app_user", schema=None) as batch_op:
            batch_op.add_column(sa.Column("password_hash", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
            batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f("fk_app_user_community_id_community"), "community", ["community_id"], ["id"]
            )
            batch_op.create_check_constraint("role", ROLES)
    if has_users:
        conn.execute(
            sa.text(
                "INSERT INTO setting (key, value) SELECT 'auth_mode', 'local' "
                "WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'auth_mode')"
            )
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS app_user_role_insert")
        op.execute("DROP TRIGGER IF EXISTS app_user_role_update")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        if op.get_context().dialect.name != "sqlite":
            batch_op.drop_constraint(batch_op.f("ck_app_user_role"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_app_user_community_id_community"), type_="foreignkey")
        batch_op.drop_column("created_at")
        batch_op.drop_column("community_id")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("disabled")
        batch_op.drop_column("password_hash")
    op.execute("DELETE FROM setting WHERE key = 'auth_mode'")
