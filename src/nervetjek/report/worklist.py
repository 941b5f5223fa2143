"""What the worklist says about each intake besides its row: whether it was sent twice,
and the clinic's latest note or action on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DUPLICATE_WINDOW = timedelta(hours=24)  # "sent twice": same person, same answers, one day


@dataclass(frozen=True)
class Sent:
    """What the duplicate check needs to know about one stored intake."""

    id: int
    at: datetime
    phone: str | None
    email: str | None
    answers: dict[str, Any]


def contact_keys(phone: str | None, email: str | None) -> set[str]:
    """Ways to recognise the same person: the phone's last 8 digits, the e-mail casefolded."""
    keys = set()
    digits = "".join(c for c in phone or "" if c.isdigit())
    if len(digits) >= 8:
        keys.add("tel:" + digits[-8:])
    if email and email.strip():
        keys.add("mail:" + email.strip().casefold())
    return keys


def duplicates(intakes: Sequence[Sent]) -> dict[int, int]:
    """Intake id -> the id of an earlier intake with the same contact and answers in 24 h."""
    found: dict[int, int] = {}
    ordered = sorted(intakes, key=lambda s: (s.at, s.id))
    for index, later in enumerate(ordered):
        keys = contact_keys(later.phone, later.email)
        for earlier in reversed(ordered[:index]):
            if later.at - earlier.at > DUPLICATE_WINDOW:
                break
            if earlier.answers == later.answers and keys & contact_keys(
                earlier.phone, earlier.email
            ):
                found[later.id] = earlier.id
                break
    return found


@dataclass(frozen=True)
class Activity:
    at: datetime
    kind: str  # note | seen | followup_link | followup_answered
    text: str = ""


NOTE_PREVIEW = 80


def latest_activity(
    note: str,
    note_at: datetime | None,
    seen_at: datetime | None,
    followups: Sequence[tuple[datetime, datetime | None]],  # (created, answered)
) -> Activity | None:
    """The clinic's latest note or action on an intake, for the worklist."""
    events = []
    if note.strip() and note_at is not None:
        preview = note.strip().splitlines()[0]
        if len(preview) > NOTE_PREVIEW:
            preview = preview[: NOTE_PREVIEW - 1].rstrip() + "…"
        events.append(Activity(note_at, "note", preview))
    if seen_at is not None:
        events.append(Activity(seen_at, "seen"))
    for created, answered in followups:
        events.append(Activity(created, "followup_link"))
        if answered is not None:
            events.append(Activity(answered, "followup_answered"))
    return max(events, key=lambda e: e.at, default=None)
