"""The stored rows.  Separate from the engine's result and from what pages show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nervetjek.engine import Assessment

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # clinician | admin
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClinicianSession(Base):
    """A login.  Only a hash of the cookie's random id is kept."""

    __tablename__ = "clinician_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """A failed login, counted per account and address to throttle guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64))  # sha256 of the lower-cased e-mail
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_login_failures_account_address_at", "account", "address", "at"),)


class Intake(Base):
    """One person's answers sent to the clinic with consent."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSONType)
    triage_level: Mapped[str] = mapped_column(String(20))
    triage_rank: Mapped[int] = mapped_column(Integer)  # 0 is the most urgent
    top_pattern: Mapped[str | None] = mapped_column(String(40))
    engine_version: Mapped[str] = mapped_column(String(40))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    contact_name: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200), index=True)  # casefolded name
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    consent_version: Mapped[str] = mapped_column(String(40))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    note_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note_updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_intakes_worklist", "triage_rank", "created_at"),)

    @property
    def result(self) -> Assessment:
        """The stored assessment, typed (as computed when it was sent, never recomputed)."""
        return Assessment.model_validate({**self.assessment, "answers": self.answers})

    followups: Mapped[list[FollowUp]] = relationship(
        back_populates="intake",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="FollowUp.created_at",
    )


class FollowUp(Base):
    """A follow-up link (only its hash is kept) and, once answered, the answers."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    triage_level: Mapped[str | None] = mapped_column(String(20))

    intake: Mapped[Intake] = relationship(back_populates="followups")

    @property
    def result(self) -> Assessment | None:
        """The stored assessment of the answered follow-up, typed; None before an answer."""
        if self.assessment is None:
            return None
        return Assessment.model_validate({**self.assessment, "answers": self.answers or {}})


class AuditEntry(Base):
    """Append-only: the code has no update or delete path, and triggers refuse both."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))  # user | patient | cli | system
    actor_id: Mapped[int | None] = mapped_column(Integer)  # users.id, no FK: history stays
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
