"""Send the assessment to the clinic, with explicit consent, and show a receipt.

Nothing is stored unless the consent box is ticked.  A hidden idempotency key makes a
double click or a retry store the intake once.  The receipt code is only a reference:
there is no page that looks data up by it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from nervetjek.engine import assess_valid
from nervetjek.intake import load_outcomes
from nervetjek.report.answers import answer_sections, pattern_name
from nervetjek.store import repo
from nervetjek.store.models import utcnow
from nervetjek.web import session as patient_session
from nervetjek.web.deps import NoStoreRoute, csrf_binding, database
from nervetjek.web.metrics import SUBMISSIONS
from nervetjek.web.patient_view import out_of_hours
from nervetjek.web.templating import render

router = APIRouter(route_class=NoStoreRoute)

# Bump when the consent text in templates/send/form.html changes in meaning.
CONSENT_VERSION = "samtykke-2026-11-v1"
RECEIPT_COOKIE = "nervetjek_kvittering"
RECEIPT_MAX_AGE = 2 * 3600  # the receipt page works for two hours in the same browser
NAME_MAX = 100
PHONE = re.compile(r"^(?:\+|00)\d{7,15}$|^\d{8}$")
# At these levels the clinic must be able to phone the person today, and /send and the
# receipt repeat what to do now (112 or the doctor / lægevagten) above everything else.
URGENT_LEVELS = ("emergency", "same_day")
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class SendForm:
    name: str = ""
    phone: str = ""
    email: str = ""
    consent: bool = False
    phone_required: bool = False  # the advice is urgent: e-mail alone is not enough
    errors: dict[str, str] = field(default_factory=dict)

    def validate(self) -> repo.Contact | None:
        """The contact data if valid; otherwise fills ``errors`` with codes."""
        name = " ".join(self.name.split())
        phone = re.sub(r"[\s\-().]", "", self.phone)
        email = self.email.strip()
        if not self.consent:
            self.errors["consent"] = "consent"
        if not name:
            self.errors["name"] = "name_missing"
        elif len(name) > NAME_MAX or CONTROL.search(name):
            self.errors["name"] = "name_invalid"
        if phone and not PHONE.match(phone):
            self.errors["phone"] = "phone_invalid"
        elif not phone and self.phone_required:
            self.errors["phone"] = "phone_missing"
        if email and (len(email) > 254 or not EMAIL.match(email)):
            self.errors["email"] = "email_invalid"
        if not phone and not email:
            self.errors["contact"] = "contact_missing"
        if self.errors:
            return None
        return repo.Contact(name=name, phone=phone or None, email=email.lower() or None)


def _summary(answers: dict[str, Any], lang: str) -> dict[str, Any]:
    result = assess_valid(answers)
    top = result.top_pattern
    return {
        "count": len(answers),
        "level": result.triage,
        "level_label": load_outcomes().levels[result.triage].label(lang),
        "pattern": pattern_name(top.id if top else None, lang),
        "sections": answer_sections(answers, lang),
    }


def _urgent(level: str | None) -> dict[str, Any]:
    return {"level": level, "urgent_levels": URGENT_LEVELS, "out_of_hours": out_of_hours()}


def _form_page(
    request: Request, answers: dict[str, Any], form: SendForm, key: str, status: int = 200
):
    csrf = csrf_binding(request)
    settings = request.app.state.settings
    summary = _summary(answers, request.state.lang)
    form.phone_required = summary["level"] in URGENT_LEVELS
    response = render(
        request,
        "send/form.html",
        {
            "form": form,
            "key": key,
            "csrf": csrf.token(),
            "clinic_name": settings.clinic_name,
            "retention_days": settings.retention_days,
            "summary": summary,
            **_urgent(summary["level"]),
        },
        status_code=status,
    )
    csrf.set_seed(request, response)
    return response


def _no_answers(request: Request, status: int = 200):
    return render(request, "send/no_answers.html", {}, status_code=status)


@router.get("/send", name="send_to_clinic")
def send_form(request: Request):
    answers = patient_session.read_answers(request)
    if not answers:
        return _no_answers(request)
    return _form_page(request, answers, SendForm(), secrets.token_urlsafe(24))


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.resolved_secret_key(), "receipt")


def _to_receipt(request: Request, intake_id: int) -> RedirectResponse:
    response = RedirectResponse("/send/kvittering", status_code=303)
    response.set_cookie(
        RECEIPT_COOKIE,
        _serializer(request).dumps({"intake": intake_id}),
        max_age=RECEIPT_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/send",
    )
    patient_session.clear(response)
    return response


KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@router.post("/send")
def send(
    request: Request,
    key: str = Form("", max_length=64),
    csrf_token: str = Form("", max_length=200),
    name: str = Form("", max_length=500),
    phone: str = Form("", max_length=100),
    email: str = Form("", max_length=500),
    consent: str = Form("", max_length=10),
):
    if not KEY_PATTERN.match(key):
        key = secrets.token_urlsafe(24)
    answers = patient_session.read_answers(request)
    form = SendForm(name=name, phone=phone, email=email, consent=consent == "ja")
    assessment = assess_valid(answers) if answers else None
    form.phone_required = assessment is not None and assessment.triage in URGENT_LEVELS
    if not csrf_binding(request).accepts(csrf_token):
        if not answers:
            return _no_answers(request, status=403)
        form.errors["form"] = "csrf"
        return _form_page(request, answers, form, key, status=403)
    db = database(request)
    contact = form.validate() if answers else None
    if contact is None:
        # Before showing an error: a double click or retry after success (the answers
        # cookie is cleared by then) gets the same receipt, and nothing new is stored.
        with db.session() as session:
            existing = repo.intake_by_idempotency_key(session, key)
            if existing is not None:
                return _to_receipt(request, existing.id)
        if not answers:
            return _no_answers(request, status=409)
        return _form_page(request, answers, form, key, status=422)
    with db.session() as session:
        # create_intake returns the stored intake when the key was seen before.
        intake, created = repo.create_intake(
            session,
            idempotency_key=key,
            assessment=assessment,
            contact=contact,
            consent_version=CONSENT_VERSION,
            consented_at=utcnow(),
        )
        intake_id, level = intake.id, intake.triage_level
    if created:
        SUBMISSIONS.labels(level).inc()
    return _to_receipt(request, intake_id)


def _receipt_intake_id(request: Request) -> int | None:
    raw = request.cookies.get(RECEIPT_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=RECEIPT_MAX_AGE)
    except BadSignature:
        return None
    return data.get("intake") if isinstance(data, dict) else None


@router.get("/send/kvittering", name="send_receipt")
def receipt(request: Request):
    intake_id = _receipt_intake_id(request)
    code = level = None
    if intake_id is not None:
        with database(request).session() as session:
            intake = repo.get_intake(session, intake_id)
            if intake is not None:
                code = repo.format_receipt_code(intake.receipt_code)
                level = intake.triage_level
    csrf = csrf_binding(request)
    response = render(
        request,
        "send/receipt.html",
        {
            "code": code,
            "clinic_name": request.app.state.settings.clinic_name,
            "csrf": csrf.token(),
            "followup_days": request.app.state.settings.followup_days,
            **_urgent(level),
        },
    )
    csrf.set_seed(request, response)
    return response


@router.post("/send/kvittering/opfoelgning", name="send_receipt_followup")
def receipt_followup(request: Request, csrf_token: str = Form("", max_length=200)):
    """The person asks for a link to answer again later (same browser, within 2 hours)."""
    intake_id = _receipt_intake_id(request)
    if intake_id is None or not csrf_binding(request).accepts(csrf_token):
        return RedirectResponse("/send/kvittering", status_code=303)
    settings = request.app.state.settings
    with database(request).session() as session:
        intake = repo.get_intake(session, intake_id)
        if intake is None:
            return RedirectResponse("/send/kvittering", status_code=303)
        row, token = repo.create_followup(
            session, intake, timedelta(days=settings.followup_days), repo.PATIENT
        )
        expires = row.expires_at
    return render(
        request,
        "send/followup_link.html",
        {
            "link": settings.base_url.rstrip("/") + f"/opfoelgning/{token}",
            "expires": expires.strftime("%d.%m.%Y"),
        },
    )
