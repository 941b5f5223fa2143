"""Shared test data for store tests: real answers assessed by the real engine."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from nervetjek.engine import assess
from nervetjek.store import repo
from nervetjek.store.models import utcnow

EMERGENCY = {"bladder_bowel_change": True, "back_pain": True, "locations": ["lower_back"]}
SCIATICA = {
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "locations": ["lower_back", "left.buttock", "left.thigh_back", "left.calf"],
    "worse_cough_sneeze": True,
    "pain_intensity": 6,
    "electric_shocks": True,
    "tingling": True,
    "age": 45,
}
MILD = {"back_pain": True, "pain_intensity": 2, "trend": "better", "duration_days": 5}


def add_intake(
    session,
    answers: dict[str, Any],
    name: str = "Test Person",
    phone: str | None = "12345678",
    email: str | None = None,
    created_at: datetime | None = None,
    key: str | None = None,
):
    intake, _created = repo.create_intake(
        session,
        idempotency_key=key or uuid.uuid4().hex,
        assessment=assess(answers),
        contact=repo.Contact(name=name, phone=phone, email=email),
        consent_version="test-1",
        consented_at=utcnow(),
    )
    if created_at is not None:
        intake.created_at = created_at
        session.flush()
    return intake
