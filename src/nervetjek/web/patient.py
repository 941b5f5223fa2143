"""The patient flow: start, the interview's screens, warning pages, check answers, result.

Thin handlers over :mod:`nervetjek.interview.progress` (which step comes next),
:mod:`nervetjek.interview.forms` (form controls and parsing),
:mod:`nervetjek.interview.own_words` (the text box and its confirmation),
:mod:`nervetjek.web.session` (answers in an encrypted cookie) and the engine.  Every page
works without JavaScript, and the warning signs work without cookies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nervetjek.engine import assess_valid
from nervetjek.freetext import marked
from nervetjek.intake import bodymap, load_item_bank, load_outcomes
from nervetjek.interview import forms, own_words, progress
from nervetjek.interview.forms import FieldError
from nervetjek.interview.progress import SessionData, ShownScreen
from nervetjek.web import patient_view as view
from nervetjek.web import session
from nervetjek.web.deps import NO_STORE, csrf_binding
from nervetjek.web.templating import render

router = APIRouter()

# A form from another site, an old tab or a screen that is no longer next: the page is
# shown again with this, and nothing changes.
STALE_FORM = FieldError("csrf", "main", forms.MESSAGE_STALE_FORM)
# The hidden form field that carries the encrypted session when cookies are blocked.
STATE_FIELD = "tilstand"
# Set by the start page, read by "Start nu": whether the browser keeps cookies at all.
COOKIE_PROBE = "nervetjek_cookies"
# The page of each step of the interview (progress.Step); a new question screen's page
# is view.screen_url(its number).
CHECK_URL, OWN_WORDS_URL, CONFIRM_URL = "/tjek", "/egne-ord", "/egne-ord/bekraeft"
STEP_URLS = {"check": CHECK_URL, "own_words": OWN_WORDS_URL, "confirm": CONFIRM_URL}
WARNING_URLS = {"emergency": "/akut", "same_day": "/samme-dag"}


# ------------------------------------------------------------------------- helpers


def _redirect(request: Request, url: str, data: SessionData | None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303, headers=NO_STORE)
    if data is not None:
        session.save(request, response, data)
    return response


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


def _complete_instruments(request: Request) -> bool:
    return request.app.state.settings.complete_instruments


def _next_url(request: Request, data: SessionData) -> str:
    step = progress.next_step(data, _complete_instruments(request))
    return view.screen_url(len(data.screens) + 1) if step == "question" else STEP_URLS[step]


# --------------------------------------------------------------- without cookies
#
# With cookies blocked the session cannot live in a cookie.  The question form then
# carries the same encrypted session in a hidden field, and each answer is shown the
# next page directly (a redirect would lose it).  Above all, a warning sign that needs
# 112 is always evaluated from the posted answers, with or without any session.


def _cookie_less(request: Request) -> bool:
    return session.COOKIE_NAME not in request.cookies


def _form_state(request: Request, data: SessionData) -> str | None:
    """The hidden-field copy of the session, only when the request had no cookie."""
    return session.token(request, data) if _cookie_less(request) else None


def _posted_session(request: Request, form: Any) -> SessionData | None:
    data = session.current(request)
    if data is None and not request.cookies.get(session.COOKIE_NAME):
        token = form.get(STATE_FIELD)
        data = session.load_token(request, token) if isinstance(token, str) else None
    return data


def _own_form(request: Request, data: SessionData, form: Any) -> bool:
    """Whether the posted form carries this session's CSRF token."""
    return csrf_binding(request, data).accepts(form.get("csrf_token"))


def _show(request: Request, url: str, data: SessionData):
    """Go to ``url``: a redirect when cookies work, else that page rendered at once."""
    if not _cookie_less(request):
        return _redirect(request, url, data)
    if url == "/akut":
        return _warning_page(request, data, "emergency")
    if url == "/samme-dag":
        return _warning_page(request, data, "same_day")
    if url == OWN_WORDS_URL:
        return _own_words_response(request, data, [], None)
    if url == CONFIRM_URL:
        return _confirm_response(request, data, own_words.understood(data), [], None)
    if url.startswith("/spoergsmaal/"):
        number = int(url.rsplit("/", 1)[1])
        screen = progress.screen_at(data, number, _complete_instruments(request))
        if screen is not None:
            return _question_response(request, screen, data, [], None)
    # The check page needs the answers on every link: without cookies, show the result.
    return _render(request, "patient/result.html", _result_context(request, data), data)


def _emergency_without_session(request: Request, form: Any):
    """The emergency page if the posted answers alone call for 112, else None."""
    keys, answers = forms.posted_answers(form)
    if not answers or assess_valid(answers).triage != "emergency":
        return None
    data = SessionData(answers=answers, screens=[keys], emergency_shown=True)
    return _warning_page(request, data, "emergency")


# ------------------------------------------------------------------ question fields


def _question_response(
    request: Request,
    screen: ShownScreen,
    data: SessionData,
    errors: list[FieldError],
    values: dict[str, Any] | None,
    return_to: str | None = None,
    status_code: int = 200,
):
    lang = request.state.lang
    if values is None:
        values = forms.form_values(screen.items, data.answers, data.unknown)
    first = screen.items[0]
    page = load_item_bank().page(first.page)
    single = len(screen.items) == 1 and forms.widget(first) not in ("bodymap", "textarea")
    if return_to == view.RETURN_TO_CHECK:
        back_url = CHECK_URL
    elif screen.number > 1:
        back_url = view.screen_url(screen.number - 1)
    else:
        back_url = "/"
    ctx = {
        "screen": screen,
        "page_title": first.text(lang) if single else progress.screen_title(screen)(lang),
        "single": single,
        "intro": page.intro(lang) if page.intro and not single else None,
        "fields": view.question_fields(screen.items, values, errors, lang),
        "errors": errors,
        "remaining": screen.remaining,
        "back_url": back_url,
        "return_to": return_to if return_to == view.RETURN_TO_CHECK else "",
        "csrf": csrf_binding(request, data).token(),
        "state": _form_state(request, data),
        "shown": forms.LIST_SEPARATOR.join(screen.keys),
        "bodymap": bodymap.view(values.get("locations"), lang)
        if any(i.type == "regions" for i in screen.items)
        else None,
        "duration_units": list(forms.DURATION_UNITS),
    }
    return _render(request, "patient/question.html", ctx, data, status_code=status_code)


def _after_answers(request: Request, data: SessionData) -> str:
    """Where to go after a screen: an urgent page the first time it applies, else on."""
    level = progress.urgent_page_due(data)
    return WARNING_URLS[level] if level else _next_url(request, data)


# -------------------------------------------------------------------------- routes


@router.get("/", name="start", include_in_schema=False)
async def start(request: Request):
    data = session.current(request)

    def page() -> Response:
        in_progress = data is not None and data.started
        response = _render(
            request,
            "patient/start.html",
            {
                "in_progress": in_progress,
                "resume_url": _next_url(request, data) if in_progress else None,
                "expired": request.query_params.get("udloebet") == "1",
                "cookies_blocked": request.query_params.get("cookies") == "nej",
                "first_url": view.screen_url(1),
                "minutes": view.interview_minutes(),
                "session_minutes": request.app.state.settings.session_minutes,
            },
            data,
        )
        # The same for everyone, so it may be cached: "Start nu" looks for it.
        response.set_cookie(COOKIE_PROBE, "1", path="/", httponly=True, samesite="lax")
        return response

    # Without answers the start page is the same for everyone in the same language.
    return request.app.state.page_cache.respond(request, page) if data is None else page()


@router.get("/begynd", name="begin", include_in_schema=False)
def begin(request: Request):
    """'Start nu': the first question, or the start page again if cookies are blocked."""
    data = session.current(request)
    if data is None and COOKIE_PROBE not in request.cookies:
        return _redirect(request, "/?cookies=nej", None)
    data = data or SessionData()
    return _redirect(request, _next_url(request, data), data)


@router.get("/spoergsmaal/{number}", name="question_page", include_in_schema=False)
def question_page(request: Request, number: str):
    data = session.current(request) or SessionData()
    # An old address of the long form (/spoergsmaal/warning) finds the next screen too.
    place = int(number) if number.isdigit() else 0
    screen = progress.screen_at(data, place, _complete_instruments(request))
    if screen is None:
        return _redirect(request, _next_url(request, data), data)
    return_to = request.query_params.get("retur")
    return _question_response(request, screen, data, [], None, return_to)


@router.post("/spoergsmaal/{number}", name="question_page_post", include_in_schema=False)
async def question_page_post(request: Request, number: int):
    form = await request.form()
    data = _posted_session(request, form)
    if data is None:
        return _emergency_without_session(request, form) or _redirect(request, "/?udloebet=1", None)
    return_to = form.get("retur") if form.get("retur") == view.RETURN_TO_CHECK else None
    screen = progress.screen_at(data, number, _complete_instruments(request))
    shown = str(form.get("shown", ""))
    if (
        screen is None
        or shown != forms.LIST_SEPARATOR.join(screen.keys)
        or not _own_form(request, data, form)
    ):
        # A form from another site, an old tab or a screen that is no longer next: change
        # nothing, but never lose a warning sign that needs 112.
        urgent = _emergency_without_session(request, form)
        if urgent is not None:
            return urgent
        if screen is None:
            return _show(request, _next_url(request, data), data)
        return _question_response(request, screen, data, [STALE_FORM], None, return_to, 400)

    required = progress.required_keys() & set(screen.keys)
    submission = forms.parse_screen(screen.items, form, data.answers, required)
    if not submission.errors:
        candidate = progress.record(data, screen, submission.answers)
        if not session.fits(request, candidate):
            item = next((i for i in screen.items if i.type == "text"), screen.items[0])
            submission.errors.append(FieldError.on(item, forms.MESSAGE_TOO_BIG))
    if submission.errors:
        return _question_response(
            request, screen, data, submission.errors, submission.values, return_to, 400
        )
    data = candidate
    return _show(request, _after_answers(request, data), data)


@router.post("/fortsaet", name="continue_interview", include_in_schema=False)
async def continue_interview(request: Request):
    """'Continue with the questions' from an urgent page when cookies are blocked."""
    form = await request.form()
    data = _posted_session(request, form)
    if data is None or not _own_form(request, data, form):
        return _redirect(request, "/?udloebet=1", None)
    return _show(request, _next_url(request, data), data)


# ------------------------------------------------------------------- own words


def _own_words_response(
    request: Request,
    data: SessionData,
    errors: list[FieldError],
    text: str | None,
    status_code: int = 200,
):
    item = load_item_bank()[own_words.TEXT_KEY]
    screens = len(data.screens)
    ctx = {
        "errors": errors,
        "text": own_words.own_text(data.answers) if text is None else text,
        "max_length": item.max_length,
        "field_id": forms.field_id(item),
        "back_url": view.screen_url(screens) if screens else "/",
        "csrf": csrf_binding(request, data).token(),
        "state": _form_state(request, data),
    }
    return _render(request, "patient/own_words.html", ctx, data, status_code=status_code)


def _confirm_response(
    request: Request,
    data: SessionData,
    facts: list[own_words.Understood],
    errors: list[FieldError],
    values: dict[str, Any] | None,
    removed: Iterable[str] = (),
    status_code: int = 200,
):
    lang = request.state.lang
    if values is None:
        values = own_words.form_values(facts, data)
    fields = view.question_fields([f.item for f in facts], values, errors, lang)
    ctx = {
        "errors": errors,
        "facts": list(zip(facts, fields, strict=True)),
        "statements": {f.key: f.statement(lang) for f in facts},
        "marked": marked(own_words.own_text(data.answers)),
        "removed": set(removed),
        "remove_field": own_words.REMOVE_FIELD,
        "shown": forms.LIST_SEPARATOR.join(f.key for f in facts),
        "back_url": OWN_WORDS_URL,
        "csrf": csrf_binding(request, data).token(),
        "state": _form_state(request, data),
        "bodymap": bodymap.view(values.get("locations"), lang)
        if any(f.item.type == "regions" for f in facts)
        else None,
    }
    return _render(request, "patient/own_words_confirm.html", ctx, data, status_code=status_code)


@router.get("/egne-ord", name="own_words", include_in_schema=False)
def own_words_page(request: Request):
    data = session.current(request)
    if data is None or not data.started:
        return _redirect(request, "/", data)
    return _own_words_response(request, data, [], None)


@router.post("/egne-ord", name="own_words_post", include_in_schema=False)
async def own_words_post(request: Request):
    form = await request.form()
    data = _posted_session(request, form)
    if data is None:
        return _redirect(request, "/?udloebet=1", None)
    if not _own_form(request, data, form):
        return _own_words_response(request, data, [STALE_FORM], None, 400)
    item = load_item_bank()[own_words.TEXT_KEY]
    skipped = form.get("spring") is not None
    submission = forms.parse_screen([item], {} if skipped else form, {})
    text = submission.answers.get(own_words.TEXT_KEY)
    candidate = own_words.with_text(data, text)
    if candidate.own_words == "read" and not own_words.understood(candidate):
        candidate = own_words.done(candidate)  # nothing understood: nothing to confirm
    if not submission.errors and not session.fits(request, candidate):
        submission.errors.append(FieldError.on(item, forms.MESSAGE_TOO_BIG))
    if submission.errors:
        shown = submission.values.get(own_words.TEXT_KEY, "")
        return _own_words_response(request, data, submission.errors, shown, 400)
    return _show(request, _next_url(request, candidate), candidate)


@router.get("/egne-ord/bekraeft", name="own_words_confirm", include_in_schema=False)
def own_words_confirm(request: Request):
    data = session.current(request)
    if data is None or not data.started:
        return _redirect(request, "/", data)
    facts = own_words.understood(data)
    if data.own_words != "read" or not facts:
        data = own_words.done(data) if data.own_words == "read" else data
        return _redirect(request, _next_url(request, data), data)
    return _confirm_response(request, data, facts, [], None)


@router.post("/egne-ord/bekraeft", name="own_words_confirm_post", include_in_schema=False)
async def own_words_confirm_post(request: Request):
    form = await request.form()
    data = _posted_session(request, form)
    if data is None:
        # No session (expired or blocked): change nothing, but a confirmed warning sign
        # that needs 112 still reaches the emergency page.
        urgent = _emergency_without_session(request, form)
        return urgent or _redirect(request, "/?udloebet=1", None)
    facts = own_words.understood(data)
    own = _own_form(request, data, form)
    if own and data.own_words != "read":
        return _show(request, _next_url(request, data), data)
    shown = forms.LIST_SEPARATOR.join(f.key for f in facts)
    if not own or str(form.get("shown", "")) != shown:
        urgent = _emergency_without_session(request, form)
        if urgent is not None:
            return urgent
        return _confirm_response(request, data, facts, [STALE_FORM], None, status_code=400)
    result = own_words.confirm(data, facts, form)
    if result.data is None:
        return _confirm_response(
            request, data, facts, result.errors, result.values, result.removed, 400
        )
    return _show(request, _after_answers(request, result.data), result.data)


def _warning_page(request: Request, data: SessionData, level: str):
    lang = request.state.lang
    assessment = assess_valid(data.answers) if data.answers else None
    applies = assessment is not None and assessment.triage == level
    next_url = _next_url(request, data)
    ctx = {
        "applies": applies,
        "reasons": view.statements(assessment, level, lang) if applies else [],
        "signs": [flag.statement(lang) for flag in assessment.red_flags] if assessment else [],
        "level": load_outcomes().levels[level],
        "continue_url": next_url,
        "has_answers": data.started,
        "questions_left": next_url != CHECK_URL,
        "state": _form_state(request, data),
        "csrf": csrf_binding(request, data).token(),
        "out_of_hours": view.out_of_hours(),
    }
    template = "patient/emergency.html" if level == "emergency" else "patient/same_day.html"
    return _render(request, template, ctx, data)


@router.get("/akut", name="emergency", include_in_schema=False)
def emergency(request: Request):
    return _warning_page(request, session.current(request) or SessionData(), "emergency")


@router.get("/samme-dag", name="same_day", include_in_schema=False)
def same_day(request: Request):
    return _warning_page(request, session.current(request) or SessionData(), "same_day")


@router.get("/tjek", name="check_answers", include_in_schema=False)
def check_answers(request: Request):
    data = session.current(request)
    if data is None or not data.started:
        return _redirect(request, "/", data)
    next_url = _next_url(request, data)
    return _render(
        request,
        "patient/check.html",
        {
            "sections": view.answer_sections(data, request.state.lang),
            "unfinished_url": None if next_url == CHECK_URL else next_url,
            "back_url": view.screen_url(len(data.screens)),
            "own_words": own_words.own_text(data.answers),
        },
        data,
    )


def _result_context(request: Request, data: SessionData) -> dict[str, Any]:
    return {
        **view.result(data.answers, request.state.lang),
        "send_url": request.app.url_path_for("send_to_clinic"),
    }


@router.get("/resultat", name="result", include_in_schema=False)
def result(request: Request):
    data = session.current(request)
    if data is None or not data.started:
        return _redirect(request, "/", data)
    return _render(request, "patient/result.html", _result_context(request, data), data)


@router.get("/resultat/print", name="result_print", include_in_schema=False)
def result_print(request: Request):
    data = session.current(request)
    if data is None or not data.started:
        return _redirect(request, "/", data)
    ctx = _result_context(request, data)
    ctx["sections"] = view.answer_sections(
        data,
        request.state.lang,
        keep=lambda key, value: value is not None and key not in ("locations", "free_text"),
    )
    # The printed page goes to the doctor or physiotherapist: every score, as the clinic sees.
    ctx["instruments"] = view.instruments(ctx["assessment"].instruments, request.state.lang)
    # Free text runs across the page: in a table column it would push the page past A4.
    ctx["free_text"] = data.answers.get("free_text")
    return _render(request, "patient/print.html", ctx, data)


def _start_over_page(request: Request, data: SessionData | None, errors=(), status_code=200):
    return _render(
        request,
        "patient/start_over.html",
        {
            "csrf": csrf_binding(request, data).token() if data else "",
            "has_answers": bool(data and data.started),
            "errors": list(errors),
        },
        data,
        status_code,
    )


@router.get("/ny", name="start_over", include_in_schema=False)
def start_over(request: Request):
    return _start_over_page(request, session.current(request))


@router.post("/ny", name="start_over_post", include_in_schema=False)
async def start_over_post(request: Request):
    data = session.current(request)
    form = await request.form()
    if data is not None and not _own_form(request, data, form):
        return _start_over_page(request, data, [STALE_FORM], 400)
    response: Response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    session.clear(response)
    return response
