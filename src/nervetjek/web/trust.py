"""Trust pages: /om (who publishes Nervetjek, who is clinically responsible, how the
assessment works and how accurate it measured) and /privatliv (the GDPR article 9
privacy notice).  Publisher and data controller come from the clinic settings."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from fastapi import APIRouter, Request

from nervetjek import __version__
from nervetjek.datafiles import package_yaml
from nervetjek.intake import load_outcomes
from nervetjek.knowledge import load_knowledge
from nervetjek.web.templating import render

router = APIRouter()


@cache
def about_facts() -> dict[str, Any]:
    """The review date and the measured accuracy (web/about.yaml)."""
    return package_yaml("nervetjek.web", "about.yaml")


def _long_date(value: date, lang: str) -> str:
    from babel.dates import format_date

    return format_date(value, "long", locale="da_DK" if lang == "da" else "en_GB")


def _clinic(request: Request) -> dict[str, str]:
    settings = request.app.state.settings
    return {
        "name": settings.clinic_name,
        "address": settings.clinic_address,
        "phone": settings.clinic_phone,
        "email": settings.clinic_email,
        "lead": settings.clinical_lead,
    }


@router.get("/om", name="about", include_in_schema=False)
def about(request: Request):
    lang = request.state.lang
    facts = about_facts()
    return render(
        request,
        "trust/about.html",
        {
            "clinic": _clinic(request),
            "accuracy": facts["accuracy"],
            "measured": _long_date(facts["accuracy"]["measured"], lang),
            "reviewed": _long_date(facts["reviewed"], lang),
            "reviewed_iso": facts["reviewed"].isoformat(),
            "patterns": len(load_outcomes().patterns),
            "engine_version": __version__,
            "ruleset_version": load_knowledge().version,
        },
    )


@router.get("/privatliv", name="privacy", include_in_schema=False)
def privacy(request: Request):
    settings = request.app.state.settings
    return render(
        request,
        "trust/privacy.html",
        {
            "clinic": _clinic(request),
            "retention_days": settings.retention_days,
            "session_minutes": settings.session_minutes,
            "followup_days": settings.followup_days,
        },
    )
