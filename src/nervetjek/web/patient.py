"""The patient flow: start, the questionnaire pages, warning pages, check answers, result.

Thin handlers over :mod:`nervetjek.web.questionnaire` (what to ask, form parsing),
:mod:`nervetjek.web.session` (answers in an encrypted cookie) and the engine.  Every page
works without JavaScript.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from nervetjek.content import quote as content_quote
from nervetjek.engine import DISCLAIMER, Assessment, assess_valid
from nervetjek.engine.explain import STEP_KINDS, reason_answers
from nervetjek.instruments import InstrumentScore, load_instruments
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.intake.bank import Item, Page
from nervetjek.web import bodymap, questionnaire, session
from nervetjek.web.deps import NO_STORE
from nervetjek.web.questionnaire import FieldError
from nervetjek.web.session import SessionData
from nervetjek.web.templating import render

router = APIRouter()

RETURN_TO_CHECK = "tjek"
# Patterns under this probability are left out of "Det kan være" (the first is always shown).
MIN_SHOWN_PROBABILITY = 0.10
SHOWN_PATTERNS = 3
MAX_REASONS_PER_PATTERN = 5

# Out-of-hours doctor (lægevagten) per region, checked 2026-11-26 against the regions'
# own pages: laegevagten.dk (Midtjylland, Syddanmark), regionsyddanmark.dk, Region
# Sjælland's 1818 (own service since 2022), Region Hovedstaden's 1813 (akuttelefonen).
OUT_OF_HOURS = (
    ("Region Hovedstaden", "1813"),
    ("Region Sjælland", "1818"),
    ("Region Syddanmark", "70 11 07 07"),
    ("Region Midtjylland", "70 11 31 31"),
    ("Region Nordjylland", "70 15 03 00"),
)

# ------------------------------------------------------------------------- helpers


def _page_or_404(page_id: str) -> Page:
    try:
        return load_item_bank().page(page_id)
    except KeyError:
        raise HTTPException(status_code=404) from None


def _redirect(request: Request, url: str, data: SessionData | None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303, headers=NO_STORE)
    if data is not None:
        session.save(request, response, data)
    return response


def _page_url(page: Page, return_to: str | None = None, anchor: str | None = None) -> str:
    url = f"/spoergsmaal/{page.id}"
    if return_to == RETURN_TO_CHECK:
        url += f"?retur={RETURN_TO_CHECK}"
    if anchor:
        url += f"#{anchor}"
    return url


def _resume_url(data: SessionData) -> str:
    """Where "continue" goes: the first page not yet answered, else the check page."""
    page = questionnaire.first_unseen_page(data.answers, data.seen)
    return _page_url(page) if page else "/tjek"


def _render(
    request: Request,
    template: str,
    ctx: dict[str, Any],
    data: SessionData | None,
    status_code: int = 200,
):
    response = render(request, template, ctx, status_code=status_code, headers=NO_STORE)
    if data is not None:
        session.save(request, response, data)
    return response


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "da")


def _statement_list(assessment: Assessment, level: str, lang: str) -> list[dict[str, Any]]:
    """The reasons that set ``level``, each with the answers behind it."""
    return [
        {"why": reason.why(lang), "answers": reason_answers(reason, assessment, lang)}
        for reason in assessment.triage_reasons
        if reason.level == level
    ]


# ------------------------------------------------------------------ question fields


@dataclass(frozen=True)
class QuestionField:
    """One question as the template shows it."""

    item: Item
    kind: str  # yesno | radios | scale | number | duration | bodymap | textarea
    text: str
    help: str | None
    value: Any
    error: FieldError | None
    field_id: str
    options: tuple[tuple[str, str], ...]  # (value, label) for radios
    unit: str | None
    follow_up: bool  # has an ask_if: shown or hidden by the answers so far
    visible: bool  # asked now; a hidden one can be revealed by questions.js


def _fields(
    page: Page, asked: list[Item], values: dict[str, Any], errors: list[FieldError], lang: str
) -> list[QuestionField]:
    """Every question of the page; those not asked now are rendered hidden."""
    by_key = {e.key: e for e in errors}
    asked_keys = {item.key for item in asked}
    fields = []
    for item in page.items:
        fields.append(
            QuestionField(
                item=item,
                kind=questionnaire.widget(item),
                text=item.text(lang),
                help=item.help(lang) if item.help else None,
                value=values.get(item.key),
                error=by_key.get(item.key),
                field_id=questionnaire.field_id(item),
                options=tuple((value, label(lang)) for value, label in item.options.items()),
                unit=item.unit(lang) if item.unit else None,
                follow_up=item.ask_if is not None,
                visible=item.key in asked_keys,
            )
        )
    return fields


def _question_context(
    request: Request,
    page: Page,
    data: SessionData,
    values: dict[str, Any],
    errors: list[FieldError],
    return_to: str | None,
    more: bool = False,
) -> dict[str, Any]:
    lang = _lang(request)
    items = questionnaire.asked_items(page, data.answers)
    step, total = questionnaire.page_position(page.id, data.answers)
    previous = questionnaire.previous_page(page.id, data.answers)
    if return_to == RETURN_TO_CHECK:
        back_url = "/tjek"
    elif previous is not None:
        back_url = _page_url(previous)
    else:
        back_url = "/"
    locations = values.get("locations") if "locations" in values else None
    return {
        "page": page,
        "page_title": page.title(lang),
        "intro": page.intro(lang) if page.intro else None,
        "fields": _fields(page, items, values, errors, lang),
        "errors": errors,
        "step": step,
        "total": total,
        "back_url": back_url,
        "return_to": return_to if return_to == RETURN_TO_CHECK else "",
        "csrf": data.csrf,
        "shown": questionnaire.LIST_SEPARATOR.join(i.key for i in items),
        "more": more,
        "bodymap": bodymap.view(locations, lang)
        if any(i.type == "regions" for i in page.items)
        else None,
        "duration_units": list(questionnaire.DURATION_UNITS),
    }


# Reasons set by the person's own warning-sign answers.  They stay true as more answers
# come in, unlike a pattern's default level, which can move while half the questions
# are still open.
ANSWER_DRIVEN_KINDS = ("escalation", "safety_floor")


def _answer_driven(assessment: Assessment) -> bool:
    """Whether the current level rests on an answer rather than on a guessed pattern."""
    return any(
        r.level == assessment.triage and r.kind in ANSWER_DRIVEN_KINDS
        for r in assessment.triage_reasons
    )


# -------------------------------------------------------------------------- routes


@router.get("/", name="start", include_in_schema=False)
async def start(request: Request):
    data = session.load(request)

    def page() -> Response:
        in_progress = data is not None and bool(data.seen)
        return _render(
            request,
            "patient/start.html",
            {
                "in_progress": in_progress,
                "resume_url": _resume_url(data) if in_progress else None,
                "expired": request.query_params.get("udloebet") == "1",
                "first_url": _page_url(load_item_bank().pages[0]),
                "session_minutes": request.app.state.settings.session_minutes,
            },
            data,
        )

    # Without answers the start page is the same for everyone in the same language.
    return request.app.state.page_cache.respond(request, page) if data is None else page()


@router.get("/spoergsmaal/{page_id}", name="question_page", include_in_schema=False)
def question_page(request: Request, page_id: str):
    page = _page_or_404(page_id)
    data = session.load(request) or SessionData()
    return_to = request.query_params.get("retur")
    values = questionnaire.form_values(page, data.answers, data.unknown)
    ctx = _question_context(
        request, page, data, values, [], return_to, more=request.query_params.get("mere") == "1"
    )
    return _render(request, "patient/question.html", ctx, data)


@router.post("/spoergsmaal/{page_id}", name="question_page_post", include_in_schema=False)
async def question_page_post(request: Request, page_id: str):
    page = _page_or_404(page_id)
    data = session.load(request)
    if data is None:
        return _redirect(request, "/?udloebet=1", None)
    form = await request.form()
    return_to = form.get("retur") if form.get("retur") == RETURN_TO_CHECK else None
    if not secrets.compare_digest(str(form.get("csrf", "")), data.csrf):
        # A form from another site or an old tab: show the page again, change nothing.
        values = questionnaire.form_values(page, data.answers, data.unknown)
        error = FieldError("csrf", "main", questionnaire.MESSAGE_STALE_FORM)
        ctx = _question_context(request, page, data, values, [error], return_to)
        return _render(request, "patient/question.html", ctx, data, status_code=400)
    page_keys = {item.key for item in page.items}
    shown = [
        k for k in str(form.get("shown", "")).split(questionnaire.LIST_SEPARATOR) if k in page_keys
    ]
    submission = questionnaire.parse_page(page, form, data.answers, data.unknown, shown)
    if not submission.errors:
        candidate = SessionData(
            submission.answers,
            submission.unknown,
            [*data.seen, page.id] if page.id not in data.seen else data.seen,
            data.emergency_shown,
            data.same_day_shown,
            data.csrf,
        )
        if not session.fits(request, candidate):
            submission.errors.append(
                FieldError("free_text", "f-free_text", questionnaire.MESSAGE_TOO_BIG)
            )
    if submission.errors:
        ctx = _question_context(
            request, page, data, submission.values, submission.errors, return_to
        )
        return _render(request, "patient/question.html", ctx, data, status_code=400)
    data = candidate

    # An answer on this page may open questions that were hidden: ask them now.
    new = [
        item.key
        for item in questionnaire.asked_items(page, data.answers)
        if item.key not in shown and item.key not in data.answers and item.key not in data.unknown
    ]
    if new:
        url = _page_url(page, return_to) + ("&" if return_to else "?") + "mere=1"
        return _redirect(
            request, url + f"#{questionnaire.field_id(load_item_bank()[new[0]])}", data
        )

    assessment = assess_valid(data.answers)
    if assessment.triage == "emergency" and not data.emergency_shown:
        data.emergency_shown = True
        return _redirect(request, "/akut", data)
    if (
        assessment.triage == "same_day"
        and _answer_driven(assessment)
        and not (data.same_day_shown or data.emergency_shown)
    ):
        data.same_day_shown = True
        return _redirect(request, "/samme-dag", data)
    if return_to == RETURN_TO_CHECK:
        unseen = questionnaire.first_unseen_page(data.answers, data.seen)
        return _redirect(request, _page_url(unseen, return_to) if unseen else "/tjek", data)
    following = questionnaire.next_page(page.id, data.answers)
    return _redirect(request, _page_url(following) if following else "/tjek", data)


@router.post("/spoergsmaal/{page_id}/vis", name="question_visibility", include_in_schema=False)
async def question_visibility(request: Request, page_id: str):
    """Which questions the page asks with the answers on screen now (saves nothing).

    questions.js calls this while the person answers, so follow-up questions appear and
    disappear by the same rules the server uses on submit.
    """
    page = _page_or_404(page_id)
    data = session.load(request)
    form = await request.form()
    if data is None or not secrets.compare_digest(str(form.get("csrf", "")), data.csrf):
        return JSONResponse({"error": "no_session"}, status_code=403, headers=NO_STORE)
    asked = questionnaire.preview_asked(page, form, data.answers)
    return JSONResponse({"asked": asked}, headers=NO_STORE)


def _warning_context(request: Request, data: SessionData, level: str) -> dict[str, Any]:
    lang = _lang(request)
    assessment = assess_valid(data.answers) if data.answers else None
    applies = assessment is not None and assessment.triage == level
    return {
        "applies": applies,
        "reasons": _statement_list(assessment, level, lang) if applies else [],
        "signs": [flag.statement(lang) for flag in assessment.red_flags] if assessment else [],
        "level": load_outcomes().levels[level],
        "continue_url": _resume_url(data),
        "has_answers": bool(data.seen),
        "out_of_hours": OUT_OF_HOURS,
    }


@router.get("/akut", name="emergency", include_in_schema=False)
def emergency(request: Request):
    data = session.load(request) or SessionData()
    return _render(
        request, "patient/emergency.html", _warning_context(request, data, "emergency"), data
    )


@router.get("/samme-dag", name="same_day", include_in_schema=False)
def same_day(request: Request):
    data = session.load(request) or SessionData()
    return _render(
        request, "patient/same_day.html", _warning_context(request, data, "same_day"), data
    )


def _answer_rows(page: Page, data: SessionData, lang: str) -> list[dict[str, Any]]:
    bank = load_item_bank()
    rows = []
    for item in questionnaire.asked_items(page, data.answers):
        value = data.answers.get(item.key)
        if item.key in data.unknown:
            shown, state = None, "unknown"
        elif value is None:
            shown, state = None, "unanswered"
        elif item.type == "boolean":
            shown, state = None, "yes" if value else "no"
        elif item.type == "choice":
            shown, state = item.options[value](lang), "value"
        elif item.type == "regions":
            shown, state = ", ".join(bank.region_label(c, lang) for c in value), "value"
        elif item.key == "duration_days":
            number, unit = questionnaire.duration_parts(value)
            shown, state = (number, unit), "duration"
        elif item.unit is not None:
            shown, state = f"{value} {item.unit(lang)}", "value"
        else:
            shown, state = str(value), "value"
        rows.append(
            {
                "key": item.key,
                "question": item.text(lang),
                "state": state,
                "shown": shown,
                "change_url": _page_url(page, RETURN_TO_CHECK, questionnaire.field_id(item)),
            }
        )
    return rows


@router.get("/tjek", name="check_answers", include_in_schema=False)
def check_answers(request: Request):
    data = session.load(request)
    if data is None or not data.seen:
        return _redirect(request, "/", data)
    lang = _lang(request)
    pages = questionnaire.applicable_pages(data.answers)
    return _render(
        request,
        "patient/check.html",
        {
            "sections": [
                {
                    "page": page,
                    "title": page.title(lang),
                    "seen": page.id in data.seen,
                    "rows": _answer_rows(page, data, lang),
                }
                for page in pages
            ],
            "back_url": _page_url(pages[-1]) if pages else "/",
        },
        data,
    )


def _patterns(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    outcomes = load_outcomes()
    shown = []
    for rank, pattern in enumerate(assessment.patterns[:SHOWN_PATTERNS]):
        if rank > 0 and pattern.probability < MIN_SHOWN_PROBABILITY:
            break
        info = outcomes.patterns[pattern.id]
        kind, number = pattern.percent
        shown.append(
            {
                "id": pattern.id,
                "rank": rank,
                "name": info.name(lang),
                "plain": info.plain(lang),
                "percent_kind": kind,
                "percent": number,
                "because": [e.label(lang) for e in pattern.supporting[:MAX_REASONS_PER_PATTERN]],
                "against": [e.label(lang) for e in pattern.opposing[:3]],
                "article_url": f"/viden/{info.article}",
            }
        )
    return shown


def _instruments(scores: dict[str, InstrumentScore], lang: str) -> list[dict[str, Any]]:
    definitions = load_instruments()
    shown = []
    for key, score in scores.items():
        meaning = score.interpretation
        shown.append(
            {
                "id": key,
                "name": score.name(lang),
                "purpose": definitions[key].purpose(lang),
                "complete": score.complete,
                "score": score.score,
                "points": score.points,
                "max_score": score.max_score,
                "missing": len(score.missing),
                "answered": len(definitions[key].scored_items) - len(score.missing),
                "meaning": meaning(lang) if meaning else None,
                "cutoffs": [(c.at_least, score.cutoff_label(c.id)(lang)) for c in score.cutoffs],
            }
        )
    return shown


def _steps(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    groups = []
    for kind in STEP_KINDS:
        steps = []
        for step in assessment.steps(kind):
            slug, _, anchor = step.see.partition("#")
            try:
                found = content_quote(step.see, lang)
            except Exception:  # an article problem must never break the result page
                found = None
            steps.append(
                {
                    "text": step.text(lang),
                    "url": f"/viden/{slug}" + (f"#{anchor}" if anchor else ""),
                    "title": found.title if found else None,
                }
            )
        if steps:
            groups.append({"kind": kind, "steps": steps})
    return groups


def _result_context(request: Request, data: SessionData) -> dict[str, Any]:
    lang = _lang(request)
    assessment = assess_valid(data.answers)
    level = load_outcomes().levels[assessment.triage]
    return {
        "assessment": assessment,
        "level": level,
        "reasons": _statement_list(assessment, assessment.triage, lang),
        "recognised": assessment.recognised,
        "patterns": _patterns(assessment, lang),
        "instruments": _instruments(assessment.instruments, lang),
        "step_groups": _steps(assessment, lang),
        "signs": [flag.statement(lang) for flag in assessment.red_flags],
        "disclaimer": DISCLAIMER(lang),
        "bodymap": bodymap.view(data.answers.get("locations"), lang),
        "send_url": request.app.url_path_for("send_to_clinic"),
        "today": date.today().isoformat(),
    }


@router.get("/resultat", name="result", include_in_schema=False)
def result(request: Request):
    data = session.load(request)
    if data is None or not data.seen:
        return _redirect(request, "/", data)
    return _render(request, "patient/result.html", _result_context(request, data), data)


@router.get("/resultat/print", name="result_print", include_in_schema=False)
def result_print(request: Request):
    data = session.load(request)
    if data is None or not data.seen:
        return _redirect(request, "/", data)
    lang = _lang(request)
    bank = load_item_bank()
    sections = []
    for section_id, title in bank.sections.items():
        rows = []
        for page in questionnaire.applicable_pages(data.answers):
            rows += [
                row
                for row in _answer_rows(page, data, lang)
                if bank[row["key"]].section == section_id
                and row["state"] != "unanswered"
                and row["key"] not in ("locations", "free_text")
            ]
        if rows:
            sections.append({"title": title(lang), "rows": rows})
    ctx = _result_context(request, data)
    ctx["sections"] = sections
    # Free text runs across the page: in a table column it would push the page past A4.
    ctx["free_text"] = data.answers.get("free_text")
    return _render(request, "patient/print.html", ctx, data)


@router.get("/ny", name="start_over", include_in_schema=False)
def start_over(request: Request):
    data = session.load(request)
    return _render(
        request,
        "patient/start_over.html",
        {"csrf": data.csrf if data else "", "has_answers": bool(data and data.seen)},
        data,
    )


@router.post("/ny", name="start_over_post", include_in_schema=False)
async def start_over_post(request: Request):
    data = session.load(request)
    form = await request.form()
    if data is not None and not secrets.compare_digest(str(form.get("csrf", "")), data.csrf):
        raise HTTPException(status_code=400)
    response: Response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    session.clear(response)
    return response
