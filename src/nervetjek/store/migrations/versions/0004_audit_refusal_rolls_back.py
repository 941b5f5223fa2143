"""A refused change to the audit log on SQLite rolls back the whole transaction.

With ``RAISE(ABORT)`` SQLite undoes only the refused statement: the connection that
tried it keeps its write lock until it commits or rolls back.  A script or person
with file access who tries to rewrite the audit log, and never ends the transaction,
would then lock every writer out (the service, ``nervetjek backup``'s audit entry)
until their process exits.  ``RAISE(ROLLBACK)`` ends that transaction at once, so a
refused attempt costs nothing but the attempt.  PostgreSQL's triggers (0001) raise an
exception, which already aborts the transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MESSAGE = "'audit_log is append-only'"

TRIGGERS = {
    "audit_log_no_update": "BEFORE UPDATE ON audit_log",
    "audit_log_no_delete": "BEFORE DELETE ON audit_log",
    "audit_log_no_replace": (
        "BEFORE INSERT ON audit_log WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)"
    ),
}


def _recreate(action: str) -> None:
    for name, when in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE({action}, {MESSAGE}); END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("ROLLBACK")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("ABORT")
