"""The worklist's duplicates and latest activity (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nervetjek.report import worklist


def _sent(id_, hours, phone="12 34 56 78", email=None, answers=None):
    at = datetime(2026, 11, 30, 8, tzinfo=UTC) + timedelta(hours=hours)
    return worklist.Sent(id_, at, phone, email, answers or {"age": 40, "back_pain": True})


def test_duplicates_are_the_same_contact_and_answers_within_a_day():
    sent = [
        _sent(1, 0),
        _sent(2, 3, phone="+45 12345678"),  # same number, written differently
        _sent(3, 5, phone=None, email="A@B.DK"),
        _sent(4, 6, phone=None, email="a@b.dk"),  # same e-mail, other case
        _sent(5, 7, answers={"age": 41}),  # other answers
        _sent(6, 40),  # same again, but more than 24 hours after the last one
        _sent(7, 41, phone="87654321"),  # another person
    ]
    assert worklist.duplicates(sent) == {2: 1, 4: 3}
    assert worklist.duplicates(list(reversed(sent))) == {2: 1, 4: 3}  # order of input is free


def test_latest_activity_is_the_newest_note_or_action():
    t = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert worklist.latest_activity("", None, None, []) is None
    seen_later = worklist.latest_activity("Ring i morgen", t, t + timedelta(hours=1), [])
    assert seen_later.kind == "seen"
    note_later = worklist.latest_activity("Ring i morgen\nmere", t + timedelta(hours=2), t, [])
    assert (note_later.kind, note_later.text) == ("note", "Ring i morgen")
    answered = worklist.latest_activity("", None, t, [(t, t + timedelta(days=3))])
    assert answered.kind == "followup_answered"
    long_note = worklist.latest_activity("x" * 200, t, None, [])
    assert len(long_note.text) == worklist.NOTE_PREVIEW
