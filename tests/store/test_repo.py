import re
import threading
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from nervetjek.engine import assess
from nervetjek.store import repo
from nervetjek.store.models import AuditEntry, FollowUp, Intake, User, utcnow

from .helpers import EMERGENCY, MILD, SCIATICA, add_intake

ADMIN = repo.Actor("cli", "test")


def test_receipt_codes_are_long_and_unambiguous():
    codes = {repo.new_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", code)


def test_intake_keeps_answers_assessment_versions_and_consent(db):
    with db.session() as session:
        intake = add_intake(session, SCIATICA, name="Åse Ørsted", email="a@example.dk", phone=None)
        intake_id = intake.id
    with db.session() as session:
        stored = repo.get_intake(session, intake_id)
        result = assess(SCIATICA)
        assert stored.answers == SCIATICA
        assert stored.assessment["triage"] == result.triage
        assert stored.assessment["engine_version"] == result.engine_version
        assert stored.ruleset_version == result.ruleset_version
        assert stored.top_pattern == result.top_pattern.id
        assert stored.consent_version == "test-1"
        assert stored.consented_at.tzinfo is not None
        assert stored.name_search == "åse ørsted"
        assert stored.seen_at is None


def test_contact_needs_phone_or_email(db):
    with pytest.raises(IntegrityError), db.session() as session:
        add_intake(session, MILD, phone=None, email=None)


def test_same_idempotency_key_stores_once(db):
    with db.session() as session:
        first = add_intake(session, MILD, key="same-key")
    with db.session() as session:
        second, created = repo.create_intake(
            session,
            idempotency_key="same-key",
            assessment=assess(MILD),
            contact=repo.Contact("Other", "87654321"),
            consent_version="test-1",
            consented_at=utcnow(),
        )
        assert created is False
        assert second.id == first.id
        assert session.scalar(select(Intake.id).where(Intake.id != first.id)) is None


def test_concurrent_submissions_with_one_key_store_one_intake(db):
    key = uuid.uuid4().hex
    results, errors = [], []

    def submit():
        try:
            with db.session() as session:
                intake, created = repo.create_intake(
                    session,
                    idempotency_key=key,
                    assessment=assess(MILD),
                    contact=repo.Contact("Race", "12345678"),
                    consent_version="test-1",
                    consented_at=utcnow(),
                )
                results.append((intake.id, created))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({intake_id for intake_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with db.session() as session:
        assert len(session.scalars(select(Intake)).all()) == 1


def test_worklist_is_most_urgent_then_oldest_first(db):
    now = utcnow()
    with db.session() as session:
        mild_old = add_intake(session, MILD, created_at=now - timedelta(days=3)).id
        urgent_new = add_intake(session, EMERGENCY, created_at=now - timedelta(hours=1)).id
        urgent_old = add_intake(session, EMERGENCY, created_at=now - timedelta(days=2)).id
        middle = add_intake(session, SCIATICA, created_at=now - timedelta(days=5)).id
    with db.session() as session:
        order = [i.id for i in repo.worklist(session)]
    assert order == [urgent_old, urgent_new, middle, mild_old]


def test_worklist_filters(db):
    now = utcnow()
    with db.session() as session:
        a = add_intake(session, EMERGENCY, name="Birgitte Ærø", created_at=now - timedelta(days=10))
        b = add_intake(session, MILD, name="Carl 50%_x", created_at=now - timedelta(days=1))
        c = add_intake(session, MILD, name="Dorte", created_at=now)
        repo.mark_seen(session, c, ADMIN)
        ids = (a.id, b.id, c.id)
    with db.session() as session:

        def found(**kwargs):
            return [i.id for i in repo.worklist(session, repo.WorklistFilter(**kwargs))]

        assert found(level="emergency") == [ids[0]]
        assert found(unread=True) == [ids[0], ids[1]]
        assert found(name="ÆRØ") == [ids[0]]
        assert found(name="50%_") == [ids[1]]
        assert found(name="%") == [ids[1]]
        today = now.date()
        assert found(date_from=today - timedelta(days=2)) == [ids[1], ids[2]]
        assert found(date_to=today - timedelta(days=5)) == [ids[0]]
        assert found(date_from=date(2000, 1, 1), date_to=date(2000, 1, 2)) == []


def test_note_and_seen_are_audited(db):
    with db.session() as session:
        user = repo.create_user(session, "k@example.dk", "a long password 1", "clinician")
        intake = add_intake(session, SCIATICA)
        actor = repo.Actor.of_user(user)
        repo.save_note(session, intake, "Ring tirsdag", actor)
        repo.mark_seen(session, intake, actor)
        repo.mark_seen(session, intake, actor)  # once is enough
    with db.session() as session:
        actions = [(e.action, e.actor_label) for e in reversed(repo.audit_entries(session))]
    assert actions == [
        ("intake.create", "patient"),
        ("intake.note", "k@example.dk"),
        ("intake.mark_seen", "k@example.dk"),
    ]


def test_audit_log_refuses_update_and_delete(db):
    with db.session() as session:
        repo.audit(session, ADMIN, "test.entry", detail={"n": 1})
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(update(AuditEntry).values(action="changed"))
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(delete(AuditEntry))
    with db.session() as session:
        assert [e.action for e in repo.audit_entries(session)] == ["test.entry"]


def test_audit_log_refuses_truncate_on_postgresql(db):
    if not db.is_postgresql:
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(text("TRUNCATE audit_log"))


def test_purge_deletes_only_old_intakes_and_logs_counts(db):
    now = utcnow()
    with db.session() as session:
        old = add_intake(session, SCIATICA, name="Gammel Person", created_at=now - timedelta(200))
        repo.create_followup(session, old, timedelta(days=30), ADMIN)
        new = add_intake(session, SCIATICA, created_at=now - timedelta(days=10))
        old_id, new_id = old.id, new.id
    with db.session() as session:
        result = repo.purge(session, timedelta(days=180), ADMIN)
        assert (result.intakes, result.followups) == (1, 1)
    with db.session() as session:
        assert repo.get_intake(session, old_id) is None
        assert repo.get_intake(session, new_id) is not None
        assert session.scalars(select(FollowUp)).all() == []
        entry = repo.audit_entries(session)[0]
        assert entry.action == "purge"
        assert entry.detail["intakes"] == 1
        assert entry.detail["followups"] == 1
        assert "Gammel" not in str(entry.detail)


def test_purge_dry_run_deletes_nothing(db):
    with db.session() as session:
        add_intake(session, MILD, created_at=utcnow() - timedelta(days=400))
    with db.session() as session:
        assert repo.purge(session, timedelta(days=180), ADMIN, dry_run=True).intakes == 1
    with db.session() as session:
        assert len(repo.worklist(session)) == 1


def test_delete_one_intake_by_receipt_or_id(db):
    with db.session() as session:
        first = add_intake(session, MILD)
        second = add_intake(session, MILD)
        repo.create_followup(session, first, timedelta(days=30), ADMIN)
        code, second_id = first.receipt_code, second.id
    with db.session() as session:
        found = repo.find_intake(session, repo.format_receipt_code(code).lower())
        repo.delete_intake(session, found, ADMIN, "request")
    with db.session() as session:
        assert repo.find_intake(session, code) is None
        found = repo.find_intake(session, str(second_id))
        assert found.id == second_id
        assert session.scalars(select(FollowUp)).all() == []
        assert repo.audit_entries(session)[0].action == "intake.delete"


def test_passwords_are_argon2id_and_checked(db):
    with db.session() as session:
        user = repo.create_user(session, " Admin@Example.dk ", "correct horse battery", "admin")
        assert user.email == "admin@example.dk"
        assert user.password_hash.startswith("$argon2id$")
    with db.session() as session:
        user_id, stored = repo.password_hash_for(session, "ADMIN@example.dk")
        assert session.get(User, user_id).role == "admin"
        assert repo.verify_password(stored, "correct horse battery")
        assert not repo.verify_password(stored, "wrong password!!")
        assert repo.password_hash_for(session, "nobody@example.dk") is None
        assert not repo.verify_password(None, "correct horse battery")


def test_user_rules(db):
    with db.session() as session:
        with pytest.raises(repo.UserError, match="role"):
            repo.create_user(session, "a@example.dk", "long enough password", "root")
        with pytest.raises(repo.UserError, match="12"):
            repo.create_user(session, "a@example.dk", "short", "admin")
        repo.create_user(session, "a@example.dk", "long enough password", "admin")
        with pytest.raises(repo.UserError, match="exists"):
            repo.create_user(session, "A@example.dk", "long enough password", "admin")


def test_sessions_expire_when_idle_and_can_all_be_revoked(db):
    idle = timedelta(minutes=30)
    life = timedelta(hours=12)
    with db.session() as session:
        user = repo.create_user(session, "c@example.dk", "long enough password", "clinician")
        one, two = repo.start_session(session, user), repo.start_session(session, user)
        user_id = user.id
    with db.session() as session:
        assert repo.active_session(session, one, idle, life).user.email == "c@example.dk"
        assert repo.active_session(session, "not-a-token", idle, life) is None
        later = utcnow() + timedelta(minutes=31)
        assert repo.active_session(session, one, idle, life, now=later) is None
        repo.end_session(session, one)
    with db.session() as session:
        assert repo.active_session(session, one, idle, life) is None
        assert repo.active_session(session, two, idle, life) is not None
        assert repo.end_all_sessions(session, user_id) == 1
    with db.session() as session:
        assert repo.active_session(session, two, idle, life) is None
        stored = [row for row in session.scalars(select(User))]
        assert one not in str([vars(r) for r in stored])


def test_an_active_session_ends_after_its_absolute_lifetime(db):
    """Finding 9: a session kept busy is still refused once older than the lifetime."""
    idle, life = timedelta(minutes=30), timedelta(hours=12)
    with db.session() as session:
        user = repo.create_user(session, "c@example.dk", "long enough password", "clinician")
        token = repo.start_session(session, user)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes, never idle
        with db.session() as session:
            now = start + timedelta(minutes=minutes)
            assert repo.active_session(session, token, idle, life, now=now) is not None
    with db.session() as session:
        later = start + life + timedelta(minutes=1)
        assert repo.active_session(session, token, idle, life, now=later) is None


def test_login_failures_count_per_account_and_per_address_in_the_window(db):
    window = timedelta(minutes=15)
    with db.session() as session:
        for _ in range(3):
            repo.record_failure(session, "x@example.dk", "10.0.0.1")
        repo.record_failure(session, "x@example.dk", "10.0.0.2")
        repo.record_failure(session, "y@example.dk", "10.0.0.2")
    with db.session() as session:
        counts = repo.recent_failures(session, "X@example.dk", "10.0.0.1", window)
        assert counts == repo.FailureCounts(account=4, address=3)
        counts = repo.recent_failures(session, "y@example.dk", "10.0.0.2", window)
        assert counts == repo.FailureCounts(account=1, address=2)
        later = utcnow() + timedelta(minutes=16)
        counts = repo.recent_failures(session, "x@example.dk", "10.0.0.1", window, now=later)
        assert counts == repo.FailureCounts(0, 0)
        repo.clear_failures(session, "x@example.dk", "10.0.0.1", window)
    with db.session() as session:
        counts = repo.recent_failures(session, "x@example.dk", "10.0.0.1", window)
        assert counts == repo.FailureCounts(account=1, address=0)


def test_reserving_login_attempts_stops_at_either_limit(db):
    window = timedelta(minutes=15)
    reserve = repo.reserve_login_attempt
    with db.session() as session:
        got = [reserve(session, "x@example.dk", "10.0.0.1", window, 3, 100) for _ in range(5)]
        assert [g is not None for g in got] == [True, True, True, False, False]
        # Another address cannot go on guessing the same account.
        assert reserve(session, "x@example.dk", "10.0.0.9", window, 3, 100) is None
        # Rotating accounts from one address stops at the address limit.
        got = [reserve(session, f"u{i}@example.dk", "10.0.0.2", window, 3, 4) for i in range(6)]
        assert [g is not None for g in got] == [True, True, True, True, False, False]


def test_followup_links_open_once_and_expire(db):
    now = utcnow()
    with db.session() as session:
        intake = add_intake(session, SCIATICA)
        _, token = repo.create_followup(session, intake, timedelta(days=30), ADMIN, now=now)
        _, expired = repo.create_followup(
            session, intake, timedelta(days=1), ADMIN, now=now - timedelta(days=2)
        )
        stored_hashes = [f.token_hash for f in session.scalars(select(FollowUp))]
        assert token not in stored_hashes
    with db.session() as session:
        assert repo.open_followup(session, expired) is None
        assert repo.open_followup(session, "nonsense") is None
        followup = repo.open_followup(session, token)
        answers = {"pain_intensity": 3}
        repo.answer_followup(session, followup, answers, assess(answers))
    with db.session() as session:
        assert repo.open_followup(session, token) is None
        answered = session.scalars(
            select(FollowUp).where(
                FollowUp.intake_id == intake.id, FollowUp.answered_at.is_not(None)
            )
        ).all()
        assert [f.answers for f in answered] == [{"pain_intensity": 3}]
