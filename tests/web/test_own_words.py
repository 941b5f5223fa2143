"""The own-words step (issue 14, step 4): text box -> confirm page -> fewer questions.

Pure functions of nervetjek.web.own_words first, then the pages over HTTP (TestClient):
the safety rules (text only adds or raises, nothing becomes an answer unconfirmed, a
stated warning sign is confirmed first and raises, one read as absent changes nothing),
skipping, the cookie-less path, the length bound, sending and the clinic's marked words.
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
from tests.store.webapp import app_db, send_fields

from nervetjek.intake import load_item_bank
from nervetjek.interview.plan import load_plan
from nervetjek.knowledge import load_knowledge
from nervetjek.readability import lix
from nervetjek.store.models import Intake
from nervetjek.web import interview_flow, session
from nervetjek.web import own_words as ow
from nervetjek.web.session import SessionData

NO_WARNING_SIGNS = dict.fromkeys(load_knowledge().warning_keys, False) | {
    "age": 52,
    "duration_days": 21,
}
# One patient: one-sided sciatica, as the interview would hear it from questions alone...
SCIATICA = {
    **NO_WARNING_SIGNS,
    "locations": ["lower_back", "left.buttock", "left.thigh_back", "left.calf"],
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "electric_shocks": True,
    "worse_cough_sneeze": True,
    "pain_intensity": 6,
    "numbness": False,
    "burning": False,
    "diabetes": False,
}
# ... and in their own words (our writing).
SCIATICA_TEXT = (
    "Jeg har ondt i lænden, og det jager ned bag på venstre lår og ned i læggen. "
    "Benet gør mere ondt end ryggen. Når jeg hoster, er det som at få stød. "
    "Smerten er 6 ud af 10."
)
BLADDER_TEXT = "Det jager ned i højre ben, og siden i går kan jeg ikke holde på vandet."
NO_FEVER_TEXT = "Det sviner ned i venstre ben. Jeg har ingen feber."
# The emergency page's words when the person's own answers call for 112.
EMERGENCY_APPLIES = "Dine svar kan være tegn på noget, der skal behandles med det samme."


def warnings_done(**answers) -> SessionData:
    """A session that has answered every warning-sign screen (no warning signs)."""
    plan_answers = {**NO_WARNING_SIGNS, **answers}
    data = SessionData()
    while interview_flow.warnings_pending(data):
        screen = interview_flow.screen_at(data, len(data.screens) + 1, False)
        chosen = {k: plan_answers[k] for k in screen.keys if k in plan_answers}
        data = interview_flow.record(data, screen, {**data.answers, **chosen})
    return data


# ------------------------------------------------------------------ pure functions


def test_the_text_box_comes_after_the_warning_screens():
    assert [step.name for step in interview_flow.FLOW][:2] == ["warning_signs", "own_words"]
    assert interview_flow.next_url(SessionData()) == interview_flow.screen_url(1)
    assert not interview_flow.own_words_due(SessionData())
    data = warnings_done()
    assert set(load_plan().warning_keys) <= set(data.asked)
    assert interview_flow.next_url(data) == interview_flow.OWN_WORDS_URL
    read = ow.with_text(data, NO_FEVER_TEXT)
    assert interview_flow.next_url(read) == interview_flow.CONFIRM_URL
    assert interview_flow.next_url(ow.done(read)).startswith("/spoergsmaal/")


def test_understood_facts_are_in_plain_words_never_keys():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    facts = ow.understood(data)
    keys = [f.key for f in facts]
    assert {"back_pain", "leg_pain_worse_than_back", "locations", "pain_intensity"} <= set(keys)
    bank = load_item_bank()
    for fact in facts:
        for lang in ("da", "en"):
            statement = fact.statement(lang)
            assert statement and fact.key not in statement
            assert statement == bank.answer_statement(fact.key, fact.value, lang)
        assert all(word in SCIATICA_TEXT for word in fact.words)
    print({f.key: f.statement("da") for f in facts})


def test_answers_given_are_not_overwritten():
    data = ow.with_text(warnings_done(back_pain=False, pain_intensity=3), SCIATICA_TEXT)
    data.answers.update(back_pain=False, pain_intensity=3)
    keys = {f.key for f in ow.understood(data)}
    assert "back_pain" not in keys and "pain_intensity" not in keys
    assert "locations" in keys


def test_a_stated_warning_sign_comes_first_ticked_yes_even_over_a_no():
    data = ow.with_text(warnings_done(), BLADDER_TEXT)
    assert data.answers["bladder_bowel_change"] is False
    facts = ow.understood(data)
    assert facts[0].key == "bladder_bowel_change" and facts[0].warning and facts[0].value is True
    assert ow.form_values(facts, data)["bladder_bowel_change"] == "yes"


def test_a_warning_sign_read_as_absent_is_never_offered():
    data = ow.with_text(warnings_done(fever_or_unwell=None), NO_FEVER_TEXT)
    assert ow.read(NO_FEVER_TEXT).facts.get("fever_or_unwell") is False
    assert "fever_or_unwell" not in {f.key for f in ow.understood(data)}


def test_confirm_applies_corrections_and_removals():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    facts = ow.understood(data)
    form = FormData({**current(facts, data), "pain_intensity": "8", ow.REMOVE_FIELD: ["back_pain"]})
    result = ow.confirm(data, facts, form)
    assert result.errors == []
    confirmed = result.data
    assert confirmed.own_words == "done"
    assert confirmed.answers["pain_intensity"] == 8
    assert "back_pain" not in confirmed.answers and "back_pain" not in confirmed.asked
    kept = [f.key for f in facts if f.key != "back_pain"]
    assert confirmed.screens[-1] == kept
    assert confirmed.answers["free_text"] == SCIATICA_TEXT


def test_a_stated_warning_sign_must_be_answered_and_cannot_be_removed():
    data = ow.with_text(warnings_done(), BLADDER_TEXT)
    facts = ow.understood(data)
    values = current(facts, data)
    values.pop("bladder_bowel_change")
    result = ow.confirm(data, facts, FormData({**values, ow.REMOVE_FIELD: "bladder_bowel_change"}))
    assert result.data is None
    assert [e.key for e in result.errors] == ["bladder_bowel_change"]


def test_an_empty_text_is_a_skip():
    data = ow.with_text(warnings_done(), None)
    assert data.own_words == "done" and "free_text" not in data.answers


class FormData(dict):
    """A posted form as Starlette gives it: one value, or a list for repeated names."""

    def getlist(self, key):
        value = self.get(key, [])
        return list(value) if isinstance(value, list) else [value]

    def get(self, key, default=None):
        value = super().get(key, default)
        return value[0] if isinstance(value, list) and key != ow.REMOVE_FIELD and value else value


def current(facts, data) -> dict:
    """The confirm form as shown: each control set to the fact read."""
    values = ow.form_values(facts, data)
    form: dict = {}
    for fact in facts:
        value = values[fact.key]
        if isinstance(value, tuple):
            form[fact.key], form[fact.key + "__unit"] = value
        else:
            form[fact.key] = value
    return form


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
    expected = interview_flow.screen_url(len(data.screens) + 1)
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


def test_the_session_keeps_the_own_words_state():
    data = ow.with_text(warnings_done(), SCIATICA_TEXT)
    again = SessionData.from_json(data.to_json())
    assert again.own_words == "read" and again.answers["free_text"] == SCIATICA_TEXT
    # A session from before the step has no state: it reaches the text box next.
    old = data.to_json().replace(b',"w":"read"', b"")
    assert SessionData.from_json(old).own_words == ""
    with pytest.raises(ValueError):
        SessionData.from_json(data.to_json().replace(b'"w":"read"', b'"w":"skipped"'))
