"""The clinician portal at /klinik (worklist, detail, notes, follow-up links, export,
audit) and its read-only JSON API under /api/klinik for the clinic's tools.

Every route here requires a logged-in clinician (a test walks the route table to make
sure): the pages redirect to the login page, the API answers 401 with a JSON body naming
the problem.  Every view, export, change and deletion is written to the audit log.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from nervetjek.bounds import MAX_ID, OutOfBounds, bounded_date
from nervetjek.engine import Assessment
from nervetjek.fhir.export import intake_bundle
from nervetjek.intake import bodymap, load_outcomes
from nervetjek.knowledge.examination import load_examination
from nervetjek.report import answers as given
from nervetjek.report import summary as clinical
from nervetjek.report.trend import trend_chart, trend_points
from nervetjek.report.worklist import DUPLICATE_WINDOW, Sent, duplicates, latest_activity
from nervetjek.store import repo
from nervetjek.store.export import worklist_csv
from nervetjek.store.models import Intake, utcnow
from nervetjek.web.deps import (
    ApiClinician,
    Clinician,
    NoStoreRoute,
    PortalClinician,
    PostingClinician,
    csrf_binding,
    database,
)
from nervetjek.web.templating import render, render_text

router = APIRouter(route_class=NoStoreRoute)
api_router = APIRouter(prefix="/api/klinik", tags=["clinic"], route_class=NoStoreRoute)

NOTE_MAX = 5000
CLINIC_TIMEZONE = ZoneInfo("Europe/Copenhagen")


def local_time(value: datetime) -> str:
    """Danish local time for people; the database keeps UTC."""
    return value.astimezone(CLINIC_TIMEZONE).strftime("%d.%m.%Y %H:%M")


def tel_href(phone: str) -> str:
    """A tel: link for a Danish phone number as the person wrote it."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if phone.strip().startswith("00"):
        return f"tel:+{digits[2:]}"
    return f"tel:+45{digits}" if len(digits) == 8 else f"tel:{digits}"


def journal_text(summary: clinical.ClinicalSummary, sent_at: str, lang: str) -> str:
    """Plain text for the record's subjective part, as a physiotherapist writes it."""
    text = render_text(
        "clinic/journal.txt",
        lang,
        s=summary,
        level=clinical.level_instruction(summary.level, lang),
        sent_at=sent_at,
    )
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines) + "\n"


# An intake's id in a path: a 64-bit row id, else 422 before any query runs.
IntakeId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return bounded_date(text)
    except OutOfBounds as exc:
        raise HTTPException(
            status_code=422,
            detail={"error": "invalid_filter", "message": f"{name}: {exc}"},
        ) from exc


def worklist_filter(
    level: str | None = Query(None, max_length=20),
    unread: str | None = Query(None, max_length=5),
    date_from: str | None = Query(None, alias="fra", max_length=10),
    date_to: str | None = Query(None, alias="til", max_length=10),
    name: str | None = Query(None, alias="navn", max_length=200),
) -> repo.WorklistFilter:
    levels = load_outcomes().levels
    return repo.WorklistFilter(
        level=level if level in levels else None,
        unread=unread in ("1", "on", "true"),
        date_from=_date(date_from, "fra"),
        date_to=_date(date_to, "til"),
        name=(name or "").strip() or None,
    )


def _context(request: Request, clinician: Clinician, **extra: Any) -> dict[str, Any]:
    return {
        "clinician": clinician,
        "csrf": csrf_binding(request).token(),
        "clinic_name": request.app.state.settings.clinic_name,
        "local_time": local_time,
        "tel_href": tel_href,
        **extra,
    }


def forbidden_page(request: Request, clinician: Clinician):
    return render(request, "clinic/forbidden.html", _context(request, clinician), status_code=403)


def _sent(intake: Intake) -> Sent:
    return Sent(
        intake.id, intake.created_at, intake.contact_phone, intake.contact_email, intake.answers
    )


def _worklist_row(intake: Intake, lang: str, duplicate_of: int | None) -> dict[str, Any]:
    return {
        "id": intake.id,
        "level": intake.triage_level,
        "level_label": given.level_label(intake.triage_level, lang),
        "pattern": clinical.pattern_name(intake.top_pattern, lang),
        "name": intake.contact_name,
        "phone": intake.contact_phone,
        "email": intake.contact_email,
        "age": intake.answers.get("age"),
        "created_at": intake.created_at,
        "unread": intake.seen_at is None,
        "duplicate_of": duplicate_of,
        "latest": latest_activity(
            intake.note,
            intake.note_updated_at,
            intake.seen_at,
            [(f.created_at, f.answered_at) for f in intake.followups],
        ),
    }


def _duplicates(session, intakes: list[Intake]) -> dict[int, int]:
    """Duplicates among the listed intakes, also of ones the filter leaves out."""
    if not intakes:
        return {}
    around = repo.WorklistFilter(
        date_from=(min(i.created_at for i in intakes) - DUPLICATE_WINDOW).date(),
        date_to=(max(i.created_at for i in intakes) + DUPLICATE_WINDOW).date(),
    )
    nearby = {i.id: i for i in repo.worklist(session, around, limit=5_000)}
    nearby.update({i.id: i for i in intakes})
    return duplicates([_sent(i) for i in nearby.values()])


def _audited_worklist(
    session, clinician: Clinician, filters: repo.WorklistFilter, action: str
) -> list[Intake]:
    intakes = repo.worklist(session, filters)
    detail = {**filters.for_audit(), "rows": len(intakes)}
    repo.audit(session, clinician.actor, action, detail=detail)
    return intakes


@router.get("/klinik", name="clinic_worklist")
def worklist(
    request: Request,
    clinician: PortalClinician,
    filters: repo.WorklistFilter = Depends(worklist_filter),
):
    lang = request.state.lang
    with database(request).session() as session:
        intakes = _audited_worklist(session, clinician, filters, "worklist.view")
        duplicate_of = _duplicates(session, intakes)
        rows = [_worklist_row(i, lang, duplicate_of.get(i.id)) for i in intakes]
    levels = [(level_id, given.level_label(level_id, lang)) for level_id in load_outcomes().levels]
    return render(
        request,
        "clinic/worklist.html",
        _context(
            request,
            clinician,
            rows=rows,
            filters=filters,
            levels=levels,
            query=request.url.query,
            now=utcnow(),
        ),
    )


@router.get("/klinik/eksport.csv", name="clinic_export_csv")
def export_csv(
    request: Request,
    clinician: PortalClinician,
    filters: repo.WorklistFilter = Depends(worklist_filter),
    contact: str | None = Query(None, alias="kontakt", max_length=5),
    dialect: str = Query("excel", alias="dialekt", pattern="^(excel|excel-da)$"),
):
    with_contact = contact in ("1", "on", "true")
    if with_contact and not clinician.is_admin:
        return forbidden_page(request, clinician)
    with database(request).session() as session:
        intakes = repo.worklist(session, filters, limit=100_000)
        body = worklist_csv(intakes, with_contact, dialect, bom=True)
        repo.audit(
            session,
            clinician.actor,
            "export.csv",
            detail={**filters.for_audit(), "rows": len(intakes), "contact": with_contact},
        )
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        body,  # with a BOM, so spreadsheets read æ, ø and å right
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="nervetjek-{stamp}.csv"',
        },
    )


def _load(session, intake_id: int) -> Intake:
    intake = repo.get_intake(session, intake_id)
    if intake is None:
        raise HTTPException(status_code=404, detail="No such intake")
    return intake


def detail_context(intake: Intake, lang: str) -> dict[str, Any]:
    assessment = intake.result
    answered = [f for f in intake.followups if f.answered_at is not None]
    points = trend_points(
        intake.created_at, intake.answers, [(f.answered_at, f.answers) for f in answered], lang
    )
    followup_rows = [
        {
            "at": f.answered_at,
            "level": f.triage_level,
            "level_label": given.level_label(f.triage_level, lang),
            "warnings": clinical.red_flag_findings(f.result, lang),
        }
        for f in answered
    ]
    open_links = [f for f in intake.followups if f.answered_at is None and f.expires_at > utcnow()]
    return {
        **summary_context(intake, lang),
        "receipt": repo.format_receipt_code(intake.receipt_code),
        "pattern": given.pattern_name(intake.top_pattern, lang),
        "recognised": assessment.recognised,
        "reasons": clinical.reason_rows(assessment, lang),
        "patterns": clinical.pattern_rows(assessment, lang),
        "hidden_below": round(100 * load_examination().shown.min_probability),
        "instruments": given.instrument_rows(assessment, lang),
        "sections": given.answer_sections(intake.answers, lang),
        "body": given.body_map(intake.answers, lang),
        "bodymap": bodymap.view(intake.answers.get("locations"), lang),
        "free_text": intake.answers.get("free_text"),
        "points": points,
        "chart": trend_chart(points, lang),
        "followups": followup_rows,
        "open_links": len(open_links),
        "age": intake.answers.get("age"),
    }


def summary_context(intake: Intake, lang: str) -> dict[str, Any]:
    """What the detail page and the print view both show first."""
    summary = clinical.clinical_summary(intake.result, lang)
    return {
        "intake": intake,
        "level_label": given.level_label(intake.triage_level, lang),
        "level_instruction": clinical.level_instruction(intake.triage_level, lang),
        "summary": summary,
        "examination": clinical.examination_plan(summary),
        "journal": journal_text(summary, local_time(intake.created_at), lang),
    }


@router.get("/klinik/henvendelse/{intake_id}", name="clinic_detail")
def detail(request: Request, intake_id: IntakeId, clinician: PortalClinician):
    lang = request.state.lang
    with database(request).session() as session:
        intake = _load(session, intake_id)
        context = detail_context(intake, lang)
        repo.audit(session, clinician.actor, "intake.view", "intake", intake.id)
    return render(
        request,
        "clinic/detail.html",
        _context(
            request,
            clinician,
            **context,
            saved=request.query_params.get("gemt"),
            now=utcnow(),
        ),
    )


@router.get("/klinik/henvendelse/{intake_id}/udskrift", name="clinic_print")
def print_view(request: Request, intake_id: IntakeId, clinician: PortalClinician):
    """Summary, examination plan and journal text on paper, without the portal around it."""
    with database(request).session() as session:
        intake = _load(session, intake_id)
        context = summary_context(intake, request.state.lang)
        repo.audit(session, clinician.actor, "intake.print", "intake", intake.id)
    return render(request, "clinic/print.html", _context(request, clinician, **context))


@router.post("/klinik/henvendelse/{intake_id}/note", name="clinic_note")
def save_note(
    request: Request,
    intake_id: IntakeId,
    clinician: PostingClinician,
    note: str = Form("", max_length=NOTE_MAX),
):
    with database(request).session() as session:
        intake = _load(session, intake_id)
        repo.save_note(session, intake, note.strip(), clinician.actor)
    return RedirectResponse(f"/klinik/henvendelse/{intake_id}?gemt=note#note", status_code=303)


@router.post("/klinik/henvendelse/{intake_id}/set", name="clinic_mark_seen")
def mark_seen(
    request: Request,
    intake_id: IntakeId,
    clinician: PostingClinician,
):
    with database(request).session() as session:
        intake = _load(session, intake_id)
        repo.mark_seen(session, intake, clinician.actor)
    return RedirectResponse(f"/klinik/henvendelse/{intake_id}?gemt=set", status_code=303)


@router.post("/klinik/henvendelse/{intake_id}/opfoelgning", name="clinic_create_followup")
def create_followup(
    request: Request,
    intake_id: IntakeId,
    clinician: PostingClinician,
):
    settings = request.app.state.settings
    with database(request).session() as session:
        intake = _load(session, intake_id)
        row, token = repo.create_followup(
            session, intake, timedelta(days=settings.followup_days), clinician.actor
        )
        expires = row.expires_at
    link = settings.base_url.rstrip("/") + f"/opfoelgning/{token}"
    return render(
        request,
        "clinic/followup_link.html",
        _context(request, clinician, link=link, expires=expires, intake_id=intake_id),
    )


@router.get("/klinik/henvendelse/{intake_id}/fhir", name="clinic_fhir")
def fhir_bundle(request: Request, intake_id: IntakeId, clinician: PortalClinician):
    with database(request).session() as session:
        intake = _load(session, intake_id)
        # The contact data the person consented to share with the clinic.
        patient = {
            "name": intake.contact_name,
            "phone": intake.contact_phone,
            "email": intake.contact_email,
        }
        bundle = intake_bundle(intake.id, intake.answers, intake.created_at, patient)
        repo.audit(session, clinician.actor, "export.fhir", "intake", intake.id)
    payload = bundle if isinstance(bundle, dict) else json.loads(bundle.model_dump_json())
    return Response(
        json.dumps(payload, ensure_ascii=False, indent=2),
        media_type="application/fhir+json",
        headers={
            "content-disposition": f'attachment; filename="nervetjek-{intake.id}.json"',
        },
    )


@router.post("/klinik/henvendelse/{intake_id}/slet", name="clinic_delete")
def delete(
    request: Request,
    intake_id: IntakeId,
    clinician: PostingClinician,
    confirm: str = Form("", max_length=10),
):
    if not clinician.is_admin:
        return forbidden_page(request, clinician)
    if confirm != "ja":
        return RedirectResponse(f"/klinik/henvendelse/{intake_id}?gemt=ikke-slettet", 303)
    db = database(request)
    with db.session() as session:
        intake = _load(session, intake_id)
        repo.delete_intake(session, intake, clinician.actor, "request")
    db.scrub()
    return RedirectResponse("/klinik?slettet=1", status_code=303)


AUDIT_PAGE = 100


@router.get("/klinik/audit", name="clinic_audit")
def audit_log(
    request: Request,
    clinician: PortalClinician,
    page: int = Query(1, ge=1, le=100_000, alias="side"),
):
    if not clinician.is_admin:
        return forbidden_page(request, clinician)
    with database(request).session() as session:
        entries = repo.audit_entries(session, AUDIT_PAGE, (page - 1) * AUDIT_PAGE)
        total = repo.count_audit_entries(session)
        rows = [
            {
                "at": e.at,
                "actor": e.actor_label,
                "kind": e.actor_kind,
                "action": e.action,
                "target": f"{e.target_type} {e.target_id}" if e.target_type else "",
                "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
                if e.detail
                else "",
            }
            for e in entries
        ]
        repo.audit(session, clinician.actor, "audit.view", detail={"page": page})
    return render(
        request,
        "clinic/audit.html",
        _context(
            request,
            clinician,
            rows=rows,
            page=page,
            pages=max(1, -(-total // AUDIT_PAGE)),
        ),
    )


# ------------------------------------------------------------------ the JSON API


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


@api_router.get("/henvendelser", response_model=list[IntakeSummary], responses=ERRORS)
def list_intakes(
    request: Request,
    clinician: ApiClinician,
    filters: repo.WorklistFilter = Depends(worklist_filter),
):
    """The worklist: most urgent first, then oldest first (same filters as the page)."""
    with database(request).session() as session:
        intakes = _audited_worklist(session, clinician, filters, "api.worklist")
        return [_summary(i) for i in intakes]


@api_router.get(
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
