"""The own-words pages (issue 14, step 4): text box -> confirm page -> fewer questions.

Over HTTP (TestClient); the pure functions are in tests/interview/test_own_words.py: the
safety rules (text only adds or raises, nothing becomes an answer unconfirmed, a stated
warning sign is confirmed first and raises, one read as absent changes nothing), skipping,
the cookie-less path, the length bound, sending and the clinic's marked words.
"""

from __future__ import annotations

import re

import pytest
from patient_driver import (
    current_values,
    fill,
    form_at,
    own_words,
    question_form,
    run_questionnaire,
)
from sqlalchemy import select
from tests.interview.test_own_words import (
    BLADDER_TEXT,
    EMERGENCY_APPLIES,
    NO_FEVER_TEXT,
    NO_WARNING_SIGNS,
    SCIATICA,
    SCIATICA_TEXT,
)
from tests.store.webapp import app_db, send_fields

from nervetjek.intake import load_item_bank
from nervetjek.interview.progress import SessionData
from nervetjek.readability import lix
from nervetjek.store.models import Intake
from nervetjek.web import session
from nervetjek.web.patient_view import screen_url

# ----------------------------------------------------------------------- the pages


def _to_own_words(client, answers: dict) -> str:
    """Answer the warning screens from ``answers``; the path the flow arrives at."""
    client.get("/")
    path = client.get("/begynd", follow_redirects=False).headers["location"]
    for _ in range(20):
        if path == "/egne-ord":
            return path
        form = question_form(client.get(path).text)
        data, _ = fill(form, answers)
        path = client.post(form.action, data=data, follow_redirects=False).headers["location"]
    raise AssertionError("the text box never came")


def test_text_confirm_and_a_correction_give_fewer_questions(client):
    without = run_questionnaire(client, SCIATICA)
    client.cookies.clear()

    def correct(form):
        form["pain_intensity"] = "7"  # the person corrects one understood fact

    with_text = run_questionnaire(client, SCIATICA, text=SCIATICA_TEXT, confirm=correct)
    print(f"\nwithout the text: {len(without.asked)} questions: {without.asked}")
    print(f"with the text:    {len(with_text.asked)} questions: {with_text.asked}")
    assert "/egne-ord/bekraeft" in with_text.visited
    assert len(with_text.asked) < len(without.asked)
    assert "pain_intensity" not in with_text.asked
    assert "/egne-ord" in without.visited and "/egne-ord/bekraeft" not in without.visited
    check = client.get("/tjek").text
    assert re.search(r"7 af 10|7 ud af 10|\b7\b", check)


def test_a_stated_warning_sign_is_confirmed_first_and_raises_to_emergency(client):
    assert _to_own_words(client, NO_WARNING_SIGNS) == "/egne-ord"
    posted = own_words(client, BLADDER_TEXT)
    assert posted.headers["location"] == "/egne-ord/bekraeft"
    page = client.get("/egne-ord/bekraeft").text
    form = form_at(page, "/egne-ord/bekraeft")
    values = current_values(form)
    assert form.hidden("shown").split(",")[0] == "bladder_bowel_change"
    assert values["bladder_bowel_change"] == "yes"  # pre-ticked
    assert 'id="fjern-bladder_bowel_change"' not in page  # cannot be removed
    confirmed = client.post("/egne-ord/bekraeft", data=values, follow_redirects=False)
    assert confirmed.headers["location"] == "/akut"


def test_a_confirmed_warning_sign_reaches_112_even_without_a_session(client):
    _to_own_words(client, NO_WARNING_SIGNS)
    own_words(client, BLADDER_TEXT)
    values = current_values(form_at(client.get("/egne-ord/bekraeft").text, "/egne-ord/bekraeft"))
    client.cookies.clear()  # the session expired (or the browser dropped it)
    response = client.post("/egne-ord/bekraeft", data=values, follow_redirects=False)
    assert response.status_code == 200
    assert EMERGENCY_APPLIES in response.text
    stale = client.post(
        "/egne-ord/bekraeft", data={**values, "csrf_token": "forged"}, follow_redirects=False
    )
    assert EMERGENCY_APPLIES in stale.text


def test_a_stated_warning_sign_answered_no_on_the_confirm_page_stays_no(client):
    _to_own_words(client, NO_WARNING_SIGNS)
    own_words(client, BLADDER_TEXT)
    values = current_values(form_at(client.get("/egne-ord/bekraeft").text, "/egne-ord/bekraeft"))
    confirmed = client.post(
        "/egne-ord/bekraeft",
        data={**values, "bladder_bowel_change": "no"},
        follow_redirects=False,
    )
    assert confirmed.headers["location"] != "/akut"


def test_a_warning_sign_read_as_absent_changes_no_answer_and_skips_nothing(client):
    answers = {k: v for k, v in NO_WARNING_SIGNS.items() if k != "fever_or_unwell"}
    _to_own_words(client, answers)  # fever: "Ved ikke"
    own_words(client, NO_FEVER_TEXT)
    form = form_at(client.get("/egne-ord/bekraeft").text, "/egne-ord/bekraeft")
    assert form.hidden("shown").split(",") == ["electric_shocks"]  # "sviner"; no fever fact
    client.post("/egne-ord/bekraeft", data=current_values(form))
    data = _session(client)
    assert "fever_or_unwell" not in data.answers
    assert "fever_or_unwell" in data.unknown


def test_nothing_from_the_text_is_an_answer_before_the_confirm_page(client):
    _to_own_words(client, NO_WARNING_SIGNS)
    before = dict(_session(client).answers)
    own_words(client, SCIATICA_TEXT)
    data = _session(client)
    assert data.answers == {**before, "free_text": SCIATICA_TEXT}
    assert data.own_words == "read"
    # Leaving the confirm page for a question page does not skip it either.
    assert client.get("/begynd", follow_redirects=False).headers["location"] == (
        "/egne-ord/bekraeft"
    )


def test_skipping_the_text_goes_on_with_the_interview_as_before(client):
    _to_own_words(client, NO_WARNING_SIGNS)
    data = _session(client)
    expected = screen_url(len(data.screens) + 1)
    skipped = own_words(client, "   ")
    assert skipped.headers["location"] == expected
    after = _session(client)
    assert after.answers == data.answers and after.own_words == "done"
    form = form_at(client.get("/egne-ord").text, "/egne-ord")
    button = client.post(
        "/egne-ord", data={**current_values(form), "spring": "1"}, follow_redirects=False
    )
    assert button.headers["location"] == expected


def test_the_text_is_bounded(client):
    _to_own_words(client, NO_WARNING_SIGNS)
    limit = load_item_bank()["free_text"].max_length
    response = own_words(client, "ondt i benet " * (limit // 13 + 1))
    assert response.status_code == 400
    assert "Teksten er for lang" in response.text
    assert "free_text" not in _session(client).answers


def test_without_cookies_the_text_and_confirm_pages_carry_the_session(client):
    """As a browser that blocks cookies: every page is shown at once, the session in the form."""
    client.cookies.clear()
    html = client.get("/spoergsmaal/1").text
    for _ in range(20):
        if 'action="/egne-ord"' in html:
            break
        form = question_form(html)
        values, _ = fill(form, NO_WARNING_SIGNS)
        html = _post_without_cookie(client, form.action, values)
    form = form_at(html, "/egne-ord")
    assert form.hidden("tilstand")
    html = _post_without_cookie(
        client, "/egne-ord", {**current_values(form), "free_text": BLADDER_TEXT}
    )
    form = form_at(html, "/egne-ord/bekraeft")
    values = current_values(form)
    assert values["bladder_bowel_change"] == "yes" and form.hidden("tilstand")
    html = _post_without_cookie(client, "/egne-ord/bekraeft", values)
    assert EMERGENCY_APPLIES in html  # the emergency page, at once


def test_the_text_is_sent_with_the_intake_only_with_consent(client, settings):
    run_questionnaire(client, SCIATICA, text=SCIATICA_TEXT)
    page = client.get("/send")
    fields = {"name": "Karen Jensen", "phone": "20 30 40 50", "email": ""}
    refused = client.post("/send", data=send_fields(page.text, **fields, consent=""))
    assert refused.status_code == 422
    with app_db(settings).session() as db:
        assert list(db.scalars(select(Intake))) == []
    sent = client.post("/send", data=send_fields(page.text, **fields, consent="ja"))
    assert sent.status_code in (200, 303)
    with app_db(settings).session() as db:
        stored = list(db.scalars(select(Intake)))
        assert [i.answers.get("free_text") for i in stored] == [SCIATICA_TEXT]


# ------------------------------------------------------------------------ helpers


def _session(client) -> SessionData:
    data = session.load_token(_request(client.app), client.cookies.get(session.COOKIE_NAME))
    assert data is not None
    return data


def _request(app):
    class _Request:
        pass

    request = _Request()
    request.app = app
    return request


def _post_without_cookie(client, path: str, data: dict) -> str:
    client.cookies.clear()
    response = client.post(path, data=data, follow_redirects=False)
    client.cookies.clear()
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


@pytest.mark.parametrize("path", ["/egne-ord", "/egne-ord/bekraeft", "/tjek"])
def test_the_own_words_pages_are_plain_danish_and_in_english(client, path):
    _to_own_words(client, NO_WARNING_SIGNS)
    own_words(client, SCIATICA_TEXT)
    if path == "/tjek":
        page = client.get("/egne-ord/bekraeft")
        client.post("/egne-ord/bekraeft", data=current_values(form_at(page.text, page.url.path)))
    danish = client.get(path)
    assert danish.status_code == 200 and str(danish.url).endswith(path)
    assert lix(_main_text(danish.text)) < 40
    assert SCIATICA_TEXT.split(",")[0] in danish.text  # the person's own words are shown
    english = client.get(path + "?lang=en").text
    heading = {
        "/egne-ord": "Describe your symptoms in your own words",
        "/egne-ord/bekraeft": "This is what we understood",
        "/tjek": "In your own words",
    }[path]
    assert heading in english


def _main_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return " ".join(
        re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)).split()
    )
