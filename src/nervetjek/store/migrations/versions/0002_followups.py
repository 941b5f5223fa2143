"""Follow-up links and answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from nervetjek.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "intake_id",
            sa.Integer(),
            sa.ForeignKey("intakes.id", ondelete="CASCADE", name="fk_followups_intake_id_intakes"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column(
            "created_by",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_followups_created_by_users"),
            nullable=True,
        ),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answers", JSONType, nullable=True),
        sa.Column("assessment", JSONType, nullable=True),
        sa.Column("triage_level", sa.String(20), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_followups_token_hash"),
    )
    op.create_index("ix_followups_intake_id", "followups", ["intake_id"])


def downgrade() -> None:
    op.drop_table("followups")
