"""Follow-up at /opfoelgning/<token>: a short questionnaire the patient answers later.

The link's token is random; only its hash is stored.  It expires after
``settings.followup_days`` and can be answered once.  A warning sign answered yes gets
the engine's advice on the very next page, before anything else.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from nervetjek.engine import assess_valid
from nervetjek.intake import IntakeError, load_outcomes, validate_answers
from nervetjek.intake.bank import Item
from nervetjek.intake.followup import followup_items, weakness_followups
from nervetjek.intake.wording import YES_NO
from nervetjek.interview.forms import NO, YES, parse_screen
from nervetjek.store import repo
from nervetjek.web.deps import NoStoreRoute, csrf_binding, database
from nervetjek.web.send import URGENT_LEVELS
from nervetjek.web.templating import render

router = APIRouter(route_class=NoStoreRoute)


def _fields(items: list[Item], lang: str, values: dict[str, str]) -> list[dict[str, Any]]:
    fields = []
    for item in items:
        if item.type == "boolean":
            options = [(YES, YES_NO[lang][0]), (NO, YES_NO[lang][1])]
        elif item.type == "choice":
            options = [(value, label(lang)) for value, label in item.options.items()]
        else:  # integer scale (pain 0-10)
            options = [(str(n), str(n)) for n in range(item.minimum, item.maximum + 1)]
        fields.append(
            {
                "key": item.key,
                "text": item.text(lang),
                "help": item.help(lang) if item.help else None,
                "options": options,
                "value": values.get(item.key, ""),
            }
        )
    return fields


def _groups(baseline: dict[str, Any], lang: str, values: dict[str, str]) -> dict[str, Any]:
    items = followup_items(baseline)
    return {name: _fields(group, lang, values) for name, group in items.items()} | {
        "weakness": _fields(weakness_followups(), lang, values)
    }


def _all_items(baseline: dict[str, Any]) -> list[Item]:
    groups = followup_items(baseline)
    return [item for group in groups.values() for item in group] + weakness_followups()


def parse_answers(form: dict[str, str], items: list[Item]) -> tuple[dict[str, Any], bool]:
    """(answers, whether every value was valid), read by the interview's own parser:
    one reading of yes/no, scales and choices for every form."""
    submission = parse_screen(items, form, {})
    return submission.answers, not submission.errors


def _closed(request: Request) -> Response:
    return render(request, "followup/closed.html", {}, status_code=404)


def _form(
    request: Request,
    token: str,
    baseline: dict[str, Any],
    values: dict[str, str],
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    csrf = csrf_binding(request)
    response = render(
        request,
        "followup/form.html",
        {
            "token": token,
            "groups": _groups(baseline, request.state.lang, values),
            "csrf": csrf.token(),
            "problems": problems or [],
            "clinic_name": request.app.state.settings.clinic_name,
        },
        status_code=status,
    )
    csrf.set_seed(request, response)
    response.headers["referrer-policy"] = "no-referrer"
    return response


@router.get("/opfoelgning/{token}", name="followup_form")
def followup_form(request: Request, token: str):
    with database(request).session() as session:
        followup = repo.open_followup(session, token[:100])
        if followup is None:
            return _closed(request)
        baseline = dict(followup.intake.answers)
    return _form(request, token, baseline, {})


@router.post("/opfoelgning/{token}")
async def followup_answer(request: Request, token: str):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_answer_sync, request, token[:100], form)


def _answer_sync(request: Request, token: str, form: dict[str, str]) -> Response:
    lang = request.state.lang
    db = database(request)
    with db.session() as session:
        followup = repo.open_followup(session, token)
        if followup is None:
            return _closed(request)
        baseline = dict(followup.intake.answers)
    values = {k: v[:10] for k, v in form.items()}
    if not csrf_binding(request).accepts(form.get("csrf_token")):
        return _form(request, token, baseline, values, ["csrf"], status=403)
    answers, valid = parse_answers(form, _all_items(baseline))
    if not valid:
        return _form(request, token, baseline, values, ["invalid"], status=422)
    try:
        answers = validate_answers(answers)
        # The engine sees the first answers updated with the new ones, so that rules
        # needing context (e.g. fever with back pain) still apply.
        merged = validate_answers({**baseline, **answers})
    except IntakeError as error:
        return _form(request, token, baseline, values, [p.message for p in error.problems], 422)
    if not answers:
        return _form(request, token, baseline, values, ["empty"], status=422)
    assessment = assess_valid(merged)
    with db.session() as session:
        followup = repo.open_followup(session, token)
        if followup is None:  # answered in another tab a moment ago
            return _closed(request)
        repo.answer_followup(session, followup, answers, assessment)
    warnings = [
        flag.statement(lang) for flag in assessment.red_flags if answers.get(flag.key) is True
    ]
    level = load_outcomes().levels[assessment.triage]
    urgent = bool(warnings) or assessment.triage in URGENT_LEVELS
    return render(
        request,
        "followup/done.html",
        {
            "urgent": urgent,
            "warnings": warnings,
            "level": assessment.triage,
            "level_label": level.label(lang),
            "level_action": level.action(lang),
            "reasons": [r.why(lang) for r in assessment.triage_reasons if r.kind != "unrecognised"],
            "clinic_name": request.app.state.settings.clinic_name,
        },
    )
