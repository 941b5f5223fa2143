"""The patient routes over HTTP: session cookie, CSRF, redirects, pages and languages."""

from __future__ import annotations

import json
import re
import time

import pytest
from babel.messages.pofile import read_po
from fastapi import Request, Response
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from patient_driver import (
    _errors,
    current_values,
    fill,
    form_at,
    own_words,
    question_form,
    run_questionnaire,
)

from nervetjek.engine import assess
from nervetjek.intake import load_item_bank
from nervetjek.interview import forms, play
from nervetjek.interview.progress import SessionData
from nervetjek.knowledge import load_knowledge
from nervetjek.paths import shared_dir
from nervetjek.readability import lix
from nervetjek.web import app as app_module
from nervetjek.web import patient, patient_view, session

VIGNETTES = [
    json.loads(line)
    for line in (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
NO_WARNING_SIGNS = dict.fromkeys(load_knowledge().warning_keys, False) | {
    "age": 50,
    "duration_days": 30,
}
PATIENT_PO = app_module.__file__.replace("web/app.py", "locale/en/LC_MESSAGES/patient.po")


def screen_form(client, path: str):
    return question_form(client.get(path).text)


def post_screen(client, path: str, answers: dict, **extra) -> object:
    """Answer the screen at ``path`` from ``answers`` ("Ved ikke" for the rest) and send it."""
    form = screen_form(client, path)
    data, _ = fill(form, answers)
    data.update(extra)
    return client.post(form.action, data=data, follow_redirects=False)


def advance_to(client, key: str, answers: dict | None = None) -> str:
    """Answer screens ("Nej" to every warning sign) until one asks ``key``; its path."""
    answers = {**NO_WARNING_SIGNS, **(answers or {})}
    client.get("/")
    path = client.get("/begynd", follow_redirects=False).headers["location"]
    for _ in range(40):
        if path == "/egne-ord":
            path = own_words(client).headers["location"]  # skipped
        form = screen_form(client, path)
        if key in form.hidden("shown").split(","):
            return path
        data, _ = fill(form, answers)
        path = client.post(form.action, data=data, follow_redirects=False).headers["location"]
        assert path.startswith("/spoergsmaal/") or path == "/egne-ord", path
    raise AssertionError(f"{key} was never asked")


def main_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def asked_by_engine(answers: dict) -> set[str]:
    return set(play(answers).asked)


def cookie_header_named(response, name: str) -> str:
    return next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(name)
    )


def cookie_header(response) -> str:
    return cookie_header_named(response, session.COOKIE_NAME)


# ---------------------------------------------------------------------- start page


def test_start_page(client):
    response = client.get("/")
    assert response.status_code == 200
    text = main_text(response.text)
    assert "vejledning, ikke en diagnose" in text
    typical, most = patient_view.interview_minutes()
    assert 0 < typical <= most
    assert f"Det tager omtrent {typical} minutter" in text
    assert 'href="/begynd"' in response.text
    assert response.headers["cache-control"] == "no-store"
    assert patient.COOKIE_PROBE in client.cookies  # set now, so "Start nu" can test it
    # The page is the same for everyone (cached): the probe holds no session.
    assert session.COOKIE_NAME not in client.cookies
    assert cookie_header_named(client.get("/"), patient.COOKIE_PROBE).startswith(
        f"{patient.COOKIE_PROBE}=1;"
    )


def test_start_now_goes_to_the_first_screen(client):
    client.get("/")
    assert client.get("/begynd", follow_redirects=False).headers["location"] == "/spoergsmaal/1"


def test_start_page_says_when_cookies_are_blocked(client):
    client.get("/")
    client.cookies.clear()  # the browser did not keep the cookie
    response = client.get("/begynd", follow_redirects=False)
    assert response.headers["location"] == "/?cookies=nej"
    client.cookies.clear()
    text = main_text(client.get("/?cookies=nej").text)
    assert "Din browser gemmer ikke cookies" in text
    assert "Er det akut, får du besked med det samme" in text
    assert "Svar uden cookies" in text


def test_screens_show_questions_left_and_a_back_link(client):
    first = client.get("/spoergsmaal/1").text
    left = int(re.search(r"Omtrent (\d+) spørgsmål tilbage", first).group(1))
    assert 'class="back-link" href="/"' in first
    post_screen(client, "/spoergsmaal/1", NO_WARNING_SIGNS)
    second = client.get("/spoergsmaal/2").text
    assert 'class="back-link" href="/spoergsmaal/1"' in second
    assert int(re.search(r"Omtrent (\d+) spørgsmål tilbage", second).group(1)) < left


def test_a_screen_not_reached_yet_goes_to_the_next_one(client):
    for path in ("/spoergsmaal/7", "/spoergsmaal/0", "/spoergsmaal/warning"):
        response = client.get(path, follow_redirects=False)
        assert response.headers["location"] == "/spoergsmaal/1"


# ------------------------------------------------------------------------- session


def test_session_cookie_is_http_only_lax_and_encrypted(client):
    response = post_screen(client, "/spoergsmaal/1", NO_WARNING_SIGNS)
    assert response.status_code == 303
    header = cookie_header(response).lower()
    assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    assert "max-age=3600" in header
    value = client.cookies[session.COOKIE_NAME]
    assert "bladder" not in value and "false" not in value
    assert session.cookie_size(value) < session.MAX_COOKIE_BYTES


def test_secure_cookie_when_configured(settings):
    secure_app = app_module.create_app(settings.model_copy(update={"cookie_secure": True}))
    with TestClient(secure_app) as client:
        header = cookie_header(client.get("/spoergsmaal/1"))
    assert "secure" in header.lower()


def _request_with_cookie(app, value: str):
    header = f"{session.COOKIE_NAME}={value}".encode()
    scope = {"type": "http", "headers": [(b"cookie", header)], "app": app}
    return Request({**scope, "state": {"patient": session.cookie_session(scope)}})


def test_read_answers_and_clear(client, app):
    path = advance_to(client, "age")
    post_screen(client, path, {"age": 50})
    value = client.cookies[session.COOKIE_NAME]
    answers = session.read_answers(_request_with_cookie(app, value))
    assert answers["age"] == 50 and answers["bladder_bowel_change"] is False
    assert session.read_answers(_request_with_cookie(app, "forged")) == {}
    response = Response()
    session.clear(response)
    header = response.headers["set-cookie"].lower()
    assert header.startswith(f"{session.COOKIE_NAME}=") and "max-age=0" in header


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_forged_cookie_is_ignored(client):
    client.cookies.set(session.COOKIE_NAME, "gAAAAABforged")
    response = client.get("/tjek", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_expired_session_is_gone(client, app):
    fernet = session.Fernet(session.derive_key(app.state.settings.resolved_secret_key()))
    data = SessionData(answers={"age": 40}, screens=[["age"]])
    old = fernet.encrypt_at_time(
        __import__("zlib").compress(data.to_json()), int(time.time()) - 2 * 3600
    )
    client.cookies.set(session.COOKIE_NAME, old.decode())
    assert client.get("/tjek", follow_redirects=False).headers["location"] == "/"
    response = client.post(
        "/spoergsmaal/1",
        data={"csrf_token": "x" * 64, "shown": "age", "age": "41"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/?udloebet=1"
    assert "kunne ikke finde dine svar" in client.get("/?udloebet=1").text


def test_wrong_csrf_token_changes_nothing(client):
    path = advance_to(client, "age")
    post_screen(client, path, {"age": 50})
    response = post_screen(client, path, {"age": 60}, csrf_token="wrong")
    assert response.status_code == 400
    assert "Siden var for gammel" in response.text
    assert 'value="50"' in client.get(path).text


def test_a_form_for_another_screen_changes_nothing(client):
    form = screen_form(client, "/spoergsmaal/1")
    data, _ = fill(form, NO_WARNING_SIGNS)
    response = client.post("/spoergsmaal/1", data={**data, "shown": "age"}, follow_redirects=False)
    assert response.status_code == 400 and "Siden var for gammel" in response.text
    assert client.get("/tjek", follow_redirects=False).headers["location"] == "/"


def test_a_whole_interview_fits_in_the_cookie(client):
    fullest = max(VIGNETTES, key=lambda v: len(v["answers"]))
    run_questionnaire(client, fullest["answers"])
    assert session.cookie_size(client.cookies[session.COOKIE_NAME]) < session.MAX_COOKIE_BYTES


# ------------------------------------------------------------------------- flow


def test_warning_questions_are_required(client):
    form = screen_form(client, "/spoergsmaal/1")
    keys = form.hidden("shown").split(",")
    response = client.post(
        form.action, data={"csrf_token": form.hidden("csrf_token"), "shown": ",".join(keys)}
    )
    assert response.status_code == 400
    assert "<title>Fejl:" in response.text
    for key in keys:
        assert f'<a href="#f-{key}-yes">Svar ja, nej eller ved ikke.</a>' in response.text
    # "Ved ikke" is an answer: it leaves the question unknown, never "no".
    data = {"csrf_token": form.hidden("csrf_token"), "shown": ",".join(keys)} | dict.fromkeys(
        keys, "unknown"
    )
    assert client.post(form.action, data=data, follow_redirects=False).status_code == 303
    fernet = session.Fernet(session.derive_key(client.app.state.settings.resolved_secret_key()))
    stored = session.decode(fernet, client.cookies[session.COOKIE_NAME], 3600)
    assert stored.asked == keys and stored.answers == {} and stored.unknown == set(keys)


def test_errors_are_summarised_and_linked(client):
    path = advance_to(client, "age")
    response = post_screen(client, path, {}, age="fyrre")
    assert response.status_code == 400
    assert "<title>Fejl:" in response.text
    assert '<a href="#f-age">Skriv din alder som et helt tal' in response.text
    assert 'id="e-age"' in response.text and 'aria-describedby="e-age"' in response.text
    assert 'value="fyrre"' in response.text


def test_the_session_is_read_once_per_request_and_only_where_needed(client, monkeypatch):
    post_screen(client, advance_to(client, "age"), {"age": 50})
    reads = []
    real_decode = session.decode
    monkeypatch.setattr(session, "decode", lambda *args: reads.append(1) or real_decode(*args))
    assert client.get("/tjek").status_code == 200
    assert len(reads) == 1
    client.get("/healthz")
    client.get("/static/css/site.css")
    assert len(reads) == 1


def test_age_typed_with_words_is_kept(client):
    path = advance_to(client, "age")
    response = post_screen(client, path, {}, age="45 år gammel")
    assert response.status_code == 303
    value = client.cookies[session.COOKIE_NAME]
    assert session.read_answers(_request_with_cookie(client.app, value))["age"] == 45


def test_a_duration_longer_than_the_age_is_shown_as_an_error_on_the_page(client):
    path = advance_to(client, "duration_days", {"age": 45})
    response = post_screen(client, path, {}, duration_days="100 år", duration_days__unit="")
    assert response.status_code == 400
    message = "Det er længere end din alder. Skriv hvor længe du har haft generne"
    assert f'<a href="#f-duration_days">{message}' in response.text
    assert 'value="100 år"' in response.text  # shown again as typed
    kept = post_screen(client, path, {}, duration_days="2 mdr.", duration_days__unit="years")
    assert kept.status_code == 303


@given(typed=st.text(max_size=30))
@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_any_text_in_the_number_boxes_is_a_page_never_a_server_error(client, typed):
    for key, extra in (("age", {}), ("duration_days", {"duration_days__unit": "weeks"})):
        client.cookies.clear()
        path = advance_to(client, key)
        response = post_screen(client, path, {}, **{key: typed}, **extra)
        assert response.status_code in (303, 400), (key, typed, response.status_code)


def test_a_single_question_is_the_page_heading(client):
    html = client.get(advance_to(client, "age")).text
    assert re.search(r'<h1 class="label-heading"><label class="label" for="f-age">', html)
    assert html.count("<h1") == 1


def test_emergency_goes_to_the_emergency_page_at_once_and_once(client):
    response = post_screen(
        client, "/spoergsmaal/1", {"bladder_bowel_change": True, "saddle_numbness": True}
    )
    assert response.headers["location"] == "/akut"
    page = main_text(client.get("/akut").text)
    assert "nye problemer med blære eller tarm" in page  # the person's own answer
    assert "Kør ikke selv bil" in page
    # Sending the screen again does not show the emergency page a second time.
    again = post_screen(
        client, "/spoergsmaal/1", {"bladder_bowel_change": True, "saddle_numbness": True}
    )
    assert again.headers["location"] != "/akut"


def test_emergency_page_works_with_cookies_blocked(client):
    """The warning screen is evaluated from what was posted: no cookie is needed."""
    form = screen_form(client, "/spoergsmaal/1")
    data, _ = fill(form, {"bladder_bowel_change": True, "saddle_numbness": True})
    client.cookies.clear()
    response = client.post(form.action, data=data, follow_redirects=False)
    assert response.status_code == 200
    text = main_text(response.text)
    assert "Ring 112 nu" in text and "følelsesløshed i skridtet" in text
    # Even with no session in the form either (an old tab, a proxy that strips fields).
    client.cookies.clear()
    bare = {k: v for k, v in data.items() if k != patient.STATE_FIELD}
    response = client.post(form.action, data=bare, follow_redirects=False)
    assert response.status_code == 200 and "Ring 112 nu" in main_text(response.text)
    # An unreadable answer beside the warning sign does not hide it.
    client.cookies.clear()
    tampered = {**bare, "sexual_function_change": "robot"}
    response = client.post(form.action, data=tampered, follow_redirects=False)
    assert response.status_code == 200 and "Ring 112 nu" in main_text(response.text)


def test_without_cookies_the_form_carries_the_answers_to_the_end(client):
    """Each screen is shown at once with the encrypted session in a hidden field."""
    answers = VIGNETTES[0]["answers"]
    client.cookies.clear()
    html = client.get("/spoergsmaal/1").text
    screens = 0
    while 'class="question-form' in html:
        if 'action="/egne-ord"' in html:  # the text box, skipped
            form = form_at(html, "/egne-ord")
            client.cookies.clear()
            html = client.post("/egne-ord", data=current_values(form)).text
            continue
        form = question_form(html)
        assert form.hidden(patient.STATE_FIELD)
        data, _ = fill(form, answers)
        client.cookies.clear()
        response = client.post(form.action, data=data, follow_redirects=False)
        assert response.status_code == 200, _errors(response.text)
        html = response.text
        screens += 1
        assert screens < 60
    # The end is the result page itself (the check page would need the cookie).
    expected = assess({k: v for k, v in answers.items() if k in asked_by_engine(answers)})
    assert re.findall(r'data-level="([a-z_]+)"', html) == [expected.triage]


def test_same_day_page_for_an_answer(client):
    path = advance_to(client, "foot_drop")
    response = post_screen(client, path, {**NO_WARNING_SIGNS, "foot_drop": True})
    assert response.headers["location"] == "/samme-dag"
    text = main_text(client.get("/samme-dag").text)
    assert "1813" in text and "70 11 31 31" in text
    assert "dropfod" in text


def test_follow_ups_come_only_after_a_yes_to_their_lead(client):
    path = advance_to(client, "leg_weakness")
    assert "weakness_sudden" not in screen_form(client, path).hidden("shown")
    response = post_screen(client, path, {**NO_WARNING_SIGNS, "leg_weakness": True})
    follow_up = screen_form(client, response.headers["location"]).hidden("shown").split(",")
    assert "weakness_sudden" in follow_up and "weakness_worsening" in follow_up
    # Changing the lead to "no" takes the follow-ups (and their answers) away again.
    post_screen(client, response.headers["location"], {"weakness_sudden": False})
    post_screen(client, path, {**NO_WARNING_SIGNS, "leg_weakness": False}, retur="tjek")
    fernet = session.Fernet(session.derive_key(client.app.state.settings.resolved_secret_key()))
    stored = session.decode(fernet, client.cookies[session.COOKIE_NAME], 3600)
    assert "weakness_sudden" not in stored.asked and "weakness_sudden" not in stored.answers


def test_back_and_reload_keep_the_answers(client):
    post_screen(client, "/spoergsmaal/1", NO_WARNING_SIGNS)
    for _ in range(2):  # a reload shows the same screen with the same answers
        html = client.get("/spoergsmaal/1").text
        assert (
            'id="f-bladder_bowel_change-no" name="bladder_bowel_change" value="no" checked' in html
        )


def test_changing_an_answer_returns_to_the_check_page(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    check = client.get("/tjek").text
    change = re.search(r'href="(/spoergsmaal/(\d+)\?retur=tjek)#f-age"', check)
    assert change
    page = client.get(change.group(1)).text
    assert 'class="back-link" href="/tjek"' in page
    response = post_screen(client, change.group(1), {"age": 43}, retur="tjek")
    assert response.headers["location"] == "/tjek"
    assert "43 år" in main_text(client.get("/tjek").text)


def test_check_page_lists_dont_know(client):
    post_screen(client, "/spoergsmaal/1", {"bladder_bowel_change": False})
    text = main_text(client.get("/tjek").text)
    assert "eller afføring? Nej" in text
    asked = load_item_bank()["sexual_function_change"].text("da")
    assert f"{asked} Ved ikke" in text
    assert "Der er flere spørgsmål" in text  # the interview is not finished


def test_result_needs_answers(client):
    assert client.get("/resultat", follow_redirects=False).headers["location"] == "/"
    assert client.get("/resultat/print", follow_redirects=False).headers["location"] == "/"


def test_result_page(client):
    answers = VIGNETTES[0]["answers"]  # sciatica, gp_or_physio
    run_questionnaire(client, answers)
    html = client.get("/resultat").text
    text = main_text(html)
    assert 'data-level="gp_or_physio"' in html
    assert text.index("Fysioterapeut eller læge") < text.index("Det kan være")
    assert "Iskias" in text
    assert "Det taler for" in text
    assert "100 %" not in text
    assert "vejledning, ikke en diagnose" in text
    assert re.search(r"Version: motor \S+, regler \S+\.", text)
    assert 'href="/viden/iskias' in html
    # DN4 and S-LANSS are for nerve lesions; next to sciatica they would contradict it.
    assert "DN4" not in text and "S-LANSS" not in text
    assert 'class="bm-region is-on" data-region="right.shin_outer"' in html


def test_unrecognised_answers_say_so(client):
    post_screen(client, "/spoergsmaal/1", NO_WARNING_SIGNS)
    text = main_text(client.get("/resultat").text)
    assert "peger ikke tydeligt på én årsag" in text


def test_result_links_to_sending_it_to_the_clinic(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert 'href="/send">Send til klinikken' in client.get("/resultat").text


def test_print_page_has_answers_by_section_map_and_scores(client):
    run_questionnaire(client, VIGNETTES[1]["answers"])
    html = client.get("/resultat/print").text
    text = main_text(html)
    for heading in ("Advarselstegn", "Om dig", "Forløb"):
        assert f"<caption>{heading}</caption>" in html
    assert "Vurdering: Bestil tid hos lægen" in text
    assert 'role="img"' in html and "is-on" in html


def test_start_over_deletes_the_answers(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    response = client.post("/ny", data={"csrf_token": _csrf(client, "/ny")}, follow_redirects=False)
    assert response.headers["location"] == "/"
    assert client.get("/tjek", follow_redirects=False).headers["location"] == "/"


def test_start_over_refuses_a_foreign_form(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert client.post("/ny", data={"csrf_token": "x"}).status_code == 400


# --------------------------------------------------------------------- languages


def test_english_pages(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    text = main_text(client.get("/resultat?lang=en").text)
    assert "Physiotherapist or doctor" in text
    assert "Sciatica" in text and "guidance, not a diagnosis" in text
    # The choice sticks and the answers stay.
    assert "Check your answers" in main_text(client.get("/tjek").text)
    assert "42 years" in main_text(client.get("/tjek").text)


def test_error_messages_have_english_texts():
    with open(PATIENT_PO, "rb") as handle:
        english = {m.id: m.string for m in read_po(handle) if m.id}
    assert [m for m in forms.MESSAGES if not english.get(m)] == []


@pytest.mark.parametrize(
    "path", ["/", "/spoergsmaal/1", "/akut", "/samme-dag", "/egne-ord", "/ny", "/tjek", "/resultat"]
)
def test_danish_is_plain(client, path):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert lix(main_text(client.get(path).text)) < 40


def test_language_switch_keeps_the_screen_and_its_query(client):
    html = client.get("/spoergsmaal/1?retur=tjek").text
    assert 'class="lang-switch" href="?retur=tjek&amp;lang=en"' in html
    english = client.get("/spoergsmaal/1?retur=tjek&lang=en").text
    assert 'class="lang-switch" href="?retur=tjek&amp;lang=da"' in english
    assert "questions left" in english
