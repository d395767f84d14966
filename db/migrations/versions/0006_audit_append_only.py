"""audit trail append-only

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:30:00

No schema change: the database itself refuses UPDATE and DELETE on audit_entry, for every user and
every client (the app, a script, the sqlite3 shell), so the record of who changed what cannot be edited.
SQLite: two BEFORE triggers raising ABORT. PostgreSQL: a trigger function raising an exception (this
branch is not yet run by a test). A future batch_alter_table on audit_entry (SQLite copies the table)
drops the triggers: such a revision must create them again.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MESSAGE = "audit_entry is append-only"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        # TRUNCATE fires no row trigger: refuse it with a statement trigger
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
        return
    for what in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{what.lower()} BEFORE {what} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
        return
    for what in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{what}")
