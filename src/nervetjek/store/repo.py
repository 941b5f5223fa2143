"""Repository functions: every read and write of stored data goes through here.

Functions take an open SQLAlchemy session (see ``Database.session``) and never commit
on their own, so a route's writes and its audit entry land in one transaction.
There is deliberately no function that changes or deletes an audit entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nervetjek.bounds import MAX_ID, OutOfBounds, record_id
from nervetjek.engine import Assessment
from nervetjek.intake import load_outcomes
from nervetjek.store.models import (
    AuditEntry,
    ClinicianSession,
    FollowUp,
    Intake,
    LoginFailure,
    User,
    utcnow,
)

ROLES = ("clinician", "admin")
# No 0/O, 1/I/L: easy to read aloud and type.  31 symbols ** 10 = about 2 ** 49.5.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from offline attack".
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses longer input; the first 72 characters decide.
PASSWORD_SCORED_CHARS = 72
# Write the session's last-seen time at most this often (fewer writes per page view).
SESSION_TOUCH_SECONDS = 60

# argon2id, 64 MiB and 3 passes as the library recommends (RFC 9106's second choice), but
# one lane instead of four: the attacker's cost is set by memory and passes, while four
# lanes let one login take four cores, and a flood of guesses starve the whole server.
# Older hashes with four lanes still verify and are rehashed at the next good login.
_hasher = PasswordHasher(parallelism=1)
# Verified against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# ------------------------------------------------------------------ tokens and codes


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalise_receipt_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch not in " -")


def format_receipt_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


# ------------------------------------------------------------------ audit


@dataclass(frozen=True)
class Actor:
    kind: str  # user | patient | cli | system
    label: str
    id: int | None = None

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls("user", user.email, user.id)


PATIENT = Actor("patient", "patient")
SYSTEM = Actor("system", "system")


def audit(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry.  ``detail`` must never hold personal data."""
    session.add(
        AuditEntry(
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail or {},
        )
    )


def audit_entries(session: Session, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_audit_entries(session: Session) -> int:
    return session.scalar(select(func.count(AuditEntry.id))) or 0


# ------------------------------------------------------------------ users


class UserError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, email: str = "") -> None:
    """Refuse short, blank, common and easily guessed passwords (zxcvbn)."""
    from zxcvbn import zxcvbn

    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters (not counting "
            "spaces at the ends)"
        )
    hints = [part for part in re.split(r"[@.+_-]", email) if part] + ["nervetjek", "klinik"]
    found = zxcvbn(password[:PASSWORD_SCORED_CHARS], user_inputs=hints)
    if found["score"] < MIN_PASSWORD_SCORE:
        advice = found["feedback"].get("warning") or "it is easy to guess"
        raise UserError(
            f"the password is too weak ({advice.rstrip('.')}): use several unrelated words"
        )


def create_user(session: Session, email: str, password: str, role: str) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise UserError("not an e-mail address")
    check_password_strength(password, email)
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise UserError("a user with that e-mail exists")
    user = User(email=email, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def password_hash_for(session: Session, email: str) -> tuple[int, str] | None:
    """(user id, stored hash) of an active account, for checking outside the transaction."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    return user.id, user.password_hash


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Slow on purpose (argon2id); also slow for unknown accounts, so timing tells nothing.

    Needs no database: call it outside any transaction, so a flood of guesses holds no
    lock and no connection while it hashes.
    """
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def rehash_if_needed(session: Session, user_id: int, password: str) -> None:
    """Upgrade a hash made with older argon2 parameters after a good login."""
    user = session.get(User, user_id)
    if user is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)


# ------------------------------------------------------------------ login throttling

# Any fixed 64-bit number: the advisory lock that makes count-and-record atomic on PostgreSQL.
PG_LOGIN_THROTTLE_LOCK = 7_346_112_904


@dataclass(frozen=True)
class FailureCounts:
    account: int  # failures for the account, from any address
    address: int  # failures from the address, for any account


def account_key(email: str) -> str:
    return hash_token("account:" + normalise_email(email))


def recent_failures(
    session: Session, email: str, address: str, window: timedelta, now: datetime | None = None
) -> FailureCounts:
    since = (now or utcnow()) - window
    count = select(func.count(LoginFailure.id)).where(LoginFailure.at >= since)
    return FailureCounts(
        account=session.scalar(count.where(LoginFailure.account == account_key(email))) or 0,
        address=session.scalar(count.where(LoginFailure.address == address)) or 0,
    )


def record_failure(session: Session, email: str, address: str) -> int:
    row = LoginFailure(account=account_key(email), address=address)
    session.add(row)
    session.flush()
    return row.id


def lock_login_throttle(session: Session) -> None:
    """Serialise count-and-record across processes until the transaction ends.

    SQLite needs nothing more: every transaction here starts with BEGIN IMMEDIATE, which
    already excludes other writers.  PostgreSQL gets a transaction-level advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOGIN_THROTTLE_LOCK})


def reserve_login_attempt(
    session: Session,
    email: str,
    address: str,
    window: timedelta,
    account_limit: int,
    address_limit: int,
) -> int | None:
    """Count and record one attempt atomically; None when the limits are reached.

    The attempt is recorded as a failure before the password is checked (and removed
    after a good one), so concurrent guesses cannot all pass the count before any of
    them is written.
    """
    lock_login_throttle(session)
    counts = recent_failures(session, email, address, window)
    if counts.account >= account_limit or counts.address >= address_limit:
        return None
    return record_failure(session, email, address)


def clear_failures(session: Session, email: str, address: str, window: timedelta) -> None:
    """After a good login; also drops everyone's failures older than the window."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.account == account_key(email), LoginFailure.address == address
        )
    )
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - window))


# ------------------------------------------------------------------ clinician sessions


def start_session(session: Session, user: User) -> str:
    """A new login; returns the random token for the cookie (only its hash is kept)."""
    token = new_token()
    session.add(ClinicianSession(token_hash=hash_token(token), user_id=user.id))
    return token


def active_session(
    session: Session,
    token: str | None,
    idle: timedelta,
    lifetime: timedelta,
    now: datetime | None = None,
) -> ClinicianSession | None:
    """The session for a cookie if it is neither idle too long nor older than lifetime."""
    if not token:
        return None
    now = now or utcnow()
    row = session.scalar(
        select(ClinicianSession).where(ClinicianSession.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        return None
    if (now - row.last_seen_at).total_seconds() > SESSION_TOUCH_SECONDS:
        row.last_seen_at = now
    return row


def end_session(session: Session, token: str) -> None:
    session.execute(
        update(ClinicianSession)
        .where(ClinicianSession.token_hash == hash_token(token))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(session: Session, user_id: int) -> int:
    result = session.execute(
        update(ClinicianSession)
        .where(ClinicianSession.user_id == user_id, ClinicianSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


# ------------------------------------------------------------------ intakes


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None


def create_intake(
    session: Session,
    *,
    idempotency_key: str,
    assessment: Assessment,
    contact: Contact,
    consent_version: str,
    consented_at: datetime,
) -> tuple[Intake, bool]:
    """Store an intake once per idempotency key.  Returns (intake, created)."""
    existing = intake_by_idempotency_key(session, idempotency_key)
    if existing is not None:
        return existing, False
    outcomes = load_outcomes()
    top = assessment.top_pattern
    for _attempt in range(5):
        intake = Intake(
            receipt_code=new_receipt_code(),
            idempotency_key=idempotency_key,
            answers=dict(assessment.answers),
            assessment=assessment.as_dict(),
            triage_level=assessment.triage,
            triage_rank=outcomes.levels[assessment.triage].rank,
            top_pattern=top.id if top else None,
            engine_version=assessment.engine_version,
            ruleset_version=assessment.ruleset_version,
            contact_name=contact.name,
            name_search=contact.name.casefold(),
            contact_phone=contact.phone,
            contact_email=contact.email,
            consent_version=consent_version,
            consented_at=consented_at,
            note="",
        )
        try:
            with session.begin_nested():
                session.add(intake)
                session.flush()
        except IntegrityError:
            # Another request with the same key won the race, or (very rarely) the
            # receipt code was taken: return the winner or try a new code.
            existing = intake_by_idempotency_key(session, idempotency_key)
            if existing is not None:
                return existing, False
            taken = select(Intake.id).where(Intake.receipt_code == intake.receipt_code)
            if session.scalar(taken) is None:
                raise
            continue
        audit(session, PATIENT, "intake.create", "intake", intake.id)
        return intake, True
    raise RuntimeError("could not find a free receipt code")


def intake_by_idempotency_key(session: Session, key: str) -> Intake | None:
    return session.scalar(select(Intake).where(Intake.idempotency_key == key))


def get_intake(session: Session, intake_id: int) -> Intake | None:
    if not 1 <= intake_id <= MAX_ID:  # no such row, and the driver cannot bind it
        return None
    return session.get(Intake, intake_id)


def find_intake(session: Session, receipt_or_id: str) -> Intake | None:
    """By receipt code (with or without the dash) or by numeric id."""
    text = receipt_or_id.strip()
    with contextlib.suppress(OutOfBounds):
        found = session.get(Intake, record_id(text))
        if found is not None:
            return found
    code = normalise_receipt_code(text)
    return session.scalar(select(Intake).where(Intake.receipt_code == code))


@dataclass(frozen=True)
class WorklistFilter:
    level: str | None = None
    unread: bool = False
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    name: str | None = None

    def for_audit(self) -> dict[str, Any]:
        """The filter without the name searched for (that is personal data)."""
        return {
            "level": self.level,
            "unread": self.unread,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "name_search": bool(self.name),
        }


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def worklist(
    session: Session, filters: WorklistFilter = WorklistFilter(), limit: int = 500
) -> list[Intake]:
    """Most urgent first, then oldest first."""
    query = select(Intake)
    if filters.level:
        query = query.where(Intake.triage_level == filters.level)
    if filters.unread:
        query = query.where(Intake.seen_at.is_(None))
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        query = query.where(Intake.created_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(Intake.created_at < end)
    if filters.name and filters.name.strip():
        pattern = f"%{_like_escape(filters.name.strip().casefold())}%"
        query = query.where(Intake.name_search.like(pattern, escape="\\"))
    query = query.order_by(Intake.triage_rank, Intake.created_at, Intake.id).limit(limit)
    return list(session.scalars(query))


def mark_seen(session: Session, intake: Intake, actor: Actor) -> None:
    if intake.seen_at is None:
        intake.seen_at = utcnow()
        intake.seen_by = actor.id
        audit(session, actor, "intake.mark_seen", "intake", intake.id)


def save_note(session: Session, intake: Intake, note: str, actor: Actor) -> None:
    intake.note = note
    intake.note_updated_at = utcnow()
    intake.note_updated_by = actor.id
    audit(session, actor, "intake.note", "intake", intake.id, {"length": len(note)})


def delete_intake(session: Session, intake: Intake, actor: Actor, reason: str) -> None:
    """Delete one person's intake and follow-ups (right to erasure)."""
    intake_id = intake.id
    followups = len(intake.followups)
    session.execute(delete(FollowUp).where(FollowUp.intake_id == intake_id))
    session.execute(delete(Intake).where(Intake.id == intake_id))
    session.expunge(intake)
    audit(
        session,
        actor,
        "intake.delete",
        "intake",
        intake_id,
        {"reason": reason, "followups": followups},
    )


@dataclass
class PurgeResult:
    cutoff: datetime
    intakes: int = 0
    followups: int = 0
    ids: list[int] = field(default_factory=list)


def purge(
    session: Session,
    older_than: timedelta,
    actor: Actor,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Delete intakes (and their follow-ups) sent before now - older_than."""
    cutoff = (now or utcnow()) - older_than
    ids = list(session.scalars(select(Intake.id).where(Intake.created_at < cutoff)))
    result = PurgeResult(cutoff=cutoff, intakes=len(ids), ids=ids)
    if ids:
        result.followups = (
            session.scalar(select(func.count(FollowUp.id)).where(FollowUp.intake_id.in_(ids))) or 0
        )
    if dry_run:
        return result
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        session.execute(delete(FollowUp).where(FollowUp.intake_id.in_(chunk)))
        session.execute(delete(Intake).where(Intake.id.in_(chunk)))
    audit(
        session,
        actor,
        "purge",
        detail={
            "cutoff": cutoff.isoformat(),
            "older_than_days": older_than.days,
            "intakes": result.intakes,
            "followups": result.followups,
        },
    )
    return result


# ------------------------------------------------------------------ follow-ups


def create_followup(
    session: Session,
    intake: Intake,
    valid_for: timedelta,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[FollowUp, str]:
    """A new follow-up link; returns the row and the raw token (only its hash is kept)."""
    token = new_token()
    now = now or utcnow()
    row = FollowUp(
        intake_id=intake.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + valid_for,
        created_by=actor.id if actor.kind == "user" else None,
    )
    session.add(row)
    session.flush()
    audit(session, actor, "followup.create", "intake", intake.id, {"followup": row.id})
    return row, token


def open_followup(session: Session, token: str, now: datetime | None = None) -> FollowUp | None:
    """The follow-up for a token if it is still open (not expired, not answered)."""
    row = session.scalar(select(FollowUp).where(FollowUp.token_hash == hash_token(token)))
    if row is None or row.answered_at is not None or row.expires_at <= (now or utcnow()):
        return None
    return row


def answer_followup(
    session: Session, followup: FollowUp, answers: dict[str, Any], assessment: Assessment
) -> None:
    followup.answered_at = utcnow()
    followup.answers = dict(answers)
    followup.assessment = assessment.as_dict()
    followup.triage_level = assessment.triage
    audit(
        session,
        PATIENT,
        "followup.answer",
        "intake",
        followup.intake_id,
        {"followup": followup.id},
    )
