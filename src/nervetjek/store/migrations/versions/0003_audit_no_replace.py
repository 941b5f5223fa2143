"""The audit log refuses REPLACE on SQLite.

SQLite's REPLACE deletes the conflicting row without firing DELETE triggers (unless
recursive triggers are on), so `REPLACE INTO audit_log` could rewrite an entry that the
UPDATE and DELETE triggers of 0001 protect.  A BEFORE INSERT trigger refuses any insert
that reuses an existing id.  PostgreSQL has no REPLACE; there the protection against the
table owner is the role split (docs/operations.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            """CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
               WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
               BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_replace")
