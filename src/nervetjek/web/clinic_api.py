"""Clinician JSON API under /api/klinik: the worklist and one intake, for the clinic's tools.

Same session cookie as the portal.  Without one: 401 with a JSON body naming the problem.
Read-only; every call is audited like the pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from nervetjek.engine import Assessment
from nervetjek.store import repo
from nervetjek.store.models import Intake
from nervetjek.web.clinic import IntakeId, worklist_filter
from nervetjek.web.deps import ApiClinician, NoStoreRoute, database

router = APIRouter(prefix="/api/klinik", tags=["clinic"], route_class=NoStoreRoute)


class IntakeSummary(BaseModel):
    id: int
    sent_at: str
    triage: str
    top_pattern: str | None
    seen: bool
    name: str
    age: int | None


class IntakeDetail(IntakeSummary):
    phone: str | None
    email: str | None
    answers: dict[str, Any]
    assessment: Assessment
    note: str
    followups: list[dict[str, Any]]


class Problem(BaseModel):
    detail: dict[str, str]


def _summary(intake: Intake) -> dict[str, Any]:
    return {
        "id": intake.id,
        "sent_at": intake.created_at.isoformat(),
        "triage": intake.triage_level,
        "top_pattern": intake.top_pattern,
        "seen": intake.seen_at is not None,
        "name": intake.contact_name,
        "age": intake.answers.get("age"),
    }


ERRORS = {401: {"model": Problem, "description": "No clinician session"}}


@router.get("/henvendelser", response_model=list[IntakeSummary], responses=ERRORS)
def list_intakes(
    request: Request,
    clinician: ApiClinician,
    filters: repo.WorklistFilter = Depends(worklist_filter),
):
    """The worklist: most urgent first, then oldest first (same filters as the page)."""
    with database(request).session() as session:
        intakes = repo.worklist(session, filters)
        rows = [_summary(i) for i in intakes]
        repo.audit(
            session,
            clinician.actor,
            "api.worklist",
            detail={**filters.for_audit(), "rows": len(rows)},
        )
    return rows


@router.get(
    "/henvendelser/{intake_id}",
    response_model=IntakeDetail,
    responses={**ERRORS, 404: {"model": Problem, "description": "No such intake"}},
)
def get_intake(request: Request, intake_id: IntakeId, clinician: ApiClinician):
    """One intake with answers, the stored assessment, the note and answered follow-ups."""
    with database(request).session() as session:
        intake = repo.get_intake(session, intake_id)
        if intake is None:
            raise HTTPException(
                status_code=404,
                detail={"error": "not_found", "message": f"No intake with id {intake_id}"},
            )
        body = {
            **_summary(intake),
            "phone": intake.contact_phone,
            "email": intake.contact_email,
            "answers": intake.answers,
            "assessment": intake.result,
            "note": intake.note,
            "followups": [
                {
                    "answered_at": f.answered_at.isoformat(),
                    "answers": f.answers,
                    "triage": f.triage_level,
                }
                for f in intake.followups
                if f.answered_at is not None
            ],
        }
        repo.audit(session, clinician.actor, "api.intake.view", "intake", intake.id)
    return body
