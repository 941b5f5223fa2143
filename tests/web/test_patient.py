"""The patient routes over HTTP: session cookie, CSRF, redirects, pages and languages."""

from __future__ import annotations

import json
import re
import time

import pytest
from babel.messages.pofile import read_po
from fastapi import Request, Response
from fastapi.testclient import TestClient
from patient_driver import fill, question_form, run_questionnaire

from nervetjek.paths import shared_dir
from nervetjek.readability import lix
from nervetjek.web import app as app_module
from nervetjek.web import questionnaire, session
from nervetjek.web.patient import SessionData

VIGNETTES = [
    json.loads(line)
    for line in (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
PATIENT_PO = app_module.__file__.replace("web/app.py", "locale/en/LC_MESSAGES/patient.po")


def post_page(client, path: str, answers: dict, **extra) -> object:
    form = question_form(client.get(path).text)
    data, _ = fill(form, answers)
    data.update(extra)
    return client.post(form.action, data=data, follow_redirects=False)


def main_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def cookie_header(response) -> str:
    return next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "nervetjek_svar" in v
    )


# ---------------------------------------------------------------------- start page


def test_start_page(client):
    response = client.get("/")
    assert response.status_code == 200
    text = main_text(response.text)
    assert "vejledning, ikke en diagnose" in text
    assert "5 minutter" in text
    assert 'href="/spoergsmaal/warning"' in response.text
    assert response.headers["cache-control"] == "no-store"


def test_question_pages_show_progress_and_a_back_link(client):
    first = client.get("/spoergsmaal/warning").text
    assert "Trin 1 af 10" in first
    assert 'class="back-link" href="/"' in first
    second = client.get("/spoergsmaal/risk").text
    assert "Trin 2 af 10" in second
    assert 'class="back-link" href="/spoergsmaal/warning"' in second


def test_unknown_page_is_404(client):
    assert client.get("/spoergsmaal/nope").status_code == 404


# ------------------------------------------------------------------------- session


def test_session_cookie_is_http_only_lax_and_encrypted(client):
    response = post_page(client, "/spoergsmaal/health", {"free_text": "hemmelig tekst om min fod"})
    assert response.status_code == 303
    header = cookie_header(response).lower()
    assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    assert "max-age=3600" in header
    value = client.cookies[session.COOKIE_NAME]
    assert "hemmelig" not in value and "free_text" not in value
    assert session.cookie_size(value) < session.MAX_COOKIE_BYTES


def test_secure_cookie_when_configured(settings):
    secure_app = app_module.create_app(settings.model_copy(update={"cookie_secure": True}))
    with TestClient(secure_app) as client:
        header = cookie_header(client.get("/spoergsmaal/warning"))
    assert "secure" in header.lower()


def _request_with_cookie(app, value: str):
    header = f"{session.COOKIE_NAME}={value}".encode()
    return Request({"type": "http", "headers": [(b"cookie", header)], "app": app})


def test_read_answers_and_clear(client, app):
    post_page(client, "/spoergsmaal/about", {"age": 50})
    value = client.cookies[session.COOKIE_NAME]
    assert session.read_answers(_request_with_cookie(app, value)) == {"age": 50}
    assert session.read_answers(_request_with_cookie(app, "forged")) == {}
    response = Response()
    session.clear(response)
    header = response.headers["set-cookie"].lower()
    assert header.startswith(f"{session.COOKIE_NAME}=") and "max-age=0" in header


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def test_forged_cookie_is_ignored(client):
    client.cookies.set(session.COOKIE_NAME, "gAAAAABforged")
    response = client.get("/tjek", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_expired_session_is_gone(client, app):
    fernet = session.Fernet(session.derive_key(app.state.settings.resolved_secret_key()))
    data = SessionData(answers={"age": 40}, seen=["about"])
    old = fernet.encrypt_at_time(
        __import__("zlib").compress(data.to_json()), int(time.time()) - 2 * 3600
    )
    client.cookies.set(session.COOKIE_NAME, old.decode())
    assert client.get("/tjek", follow_redirects=False).headers["location"] == "/"
    response = client.post(
        "/spoergsmaal/about", data={"csrf": data.csrf, "age": "41"}, follow_redirects=False
    )
    assert response.headers["location"] == "/?udloebet=1"
    assert "kunne ikke finde dine svar" in client.get("/?udloebet=1").text


def test_wrong_csrf_token_changes_nothing(client):
    post_page(client, "/spoergsmaal/about", {"age": 50})
    response = client.post(
        "/spoergsmaal/about", data={"csrf": "wrong", "age": "60"}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "Siden var for gammel" in response.text
    assert 'value="50"' in client.get("/spoergsmaal/about").text


def test_a_long_story_still_fits_in_the_cookie(client):
    answers = dict(VIGNETTES[1]["answers"])
    story = (
        "Jeg har haft ondt i begge fødder i et år. Det brænder om natten, og jeg kan ikke "
        "mærke gulvet, når jeg går. Min far havde det samme. "
    )
    answers["free_text"] = (story * 20)[:2000]
    run_questionnaire(client, answers)
    assert session.cookie_size(client.cookies[session.COOKIE_NAME]) < session.MAX_COOKIE_BYTES


def test_text_that_does_not_fit_gets_a_friendly_error(client):
    import random

    rng = random.Random(1)
    noise = "".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(2000))
    response = post_page(client, "/spoergsmaal/health", {"free_text": noise})
    assert response.status_code == 400
    assert "fylder for meget" in response.text


# ------------------------------------------------------------------------- flow


def test_errors_are_summarised_and_linked(client):
    response = post_page(client, "/spoergsmaal/about", {}, age="fyrre")
    assert response.status_code == 400
    assert "<title>Fejl:" in response.text
    assert '<a href="#f-age">Skriv din alder som et helt tal' in response.text
    assert 'id="e-age"' in response.text and 'aria-describedby="e-age"' in response.text
    assert 'value="fyrre"' in response.text


def test_emergency_goes_to_the_emergency_page_once(client):
    response = post_page(client, "/spoergsmaal/warning", {"leg_cold_pale": True})
    assert response.headers["location"] == "/akut"
    page = main_text(client.get("/akut").text)
    assert "et koldt, blegt og meget smertende ben" in page  # the person's own answer
    assert "Kør ikke selv bil" in page
    # Sending the page again does not show the emergency page a second time.
    again = post_page(client, "/spoergsmaal/warning", {"leg_cold_pale": True})
    assert again.headers["location"] == "/spoergsmaal/risk"


def test_same_day_page_for_an_answer_but_not_for_a_half_finished_guess(client):
    response = post_page(client, "/spoergsmaal/warning", {"foot_drop": True})
    assert response.headers["location"] == "/samme-dag"
    text = main_text(client.get("/samme-dag").text)
    assert "1813" in text and "70 11 31 31" in text
    assert "dropfod" in text


def test_a_yes_that_opens_hidden_questions_asks_them_on_the_same_page(client):
    post_page(client, "/spoergsmaal/warning", {"leg_weakness": False})
    page = client.get("/spoergsmaal/warning").text
    assert 'id="q-weakness_sudden" data-key="weakness_sudden" hidden' in page  # after a no
    response = post_page(client, "/spoergsmaal/warning", {"leg_weakness": True})
    assert response.headers["location"].startswith("/spoergsmaal/warning?mere=1#")
    page = client.get("/spoergsmaal/warning?mere=1").text
    assert 'data-key="weakness_sudden">' in page and "et par spørgsmål mere" in page


def test_changing_an_answer_returns_to_the_check_page(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    check = client.get("/tjek").text
    assert 'href="/spoergsmaal/about?retur=tjek#f-age"' in check
    page = client.get("/spoergsmaal/about?retur=tjek").text
    assert 'class="back-link" href="/tjek"' in page
    response = post_page(client, "/spoergsmaal/about?retur=tjek", {"age": 43}, retur="tjek")
    assert response.headers["location"] == "/tjek"
    assert "43 år" in main_text(client.get("/tjek").text)


def test_check_page_lists_dont_know_and_unanswered(client):
    post_page(client, "/spoergsmaal/warning", {}, leg_weakness="unknown")
    text = main_text(client.get("/tjek").text)
    assert "Er et ben svagt, eller giver det efter under dig? Ved ikke" in text
    assert "Ikke besvaret" in text


def test_result_needs_answers(client):
    assert client.get("/resultat", follow_redirects=False).headers["location"] == "/"
    assert client.get("/resultat/print", follow_redirects=False).headers["location"] == "/"


def test_result_page(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])  # sciatica, gp_or_physio
    html = client.get("/resultat").text
    text = main_text(html)
    assert 'data-level="gp_or_physio"' in html
    assert text.index("Fysioterapeut eller læge") < text.index("Det kan være")
    assert "Mest sandsynligt" in text and "Iskias" in text
    assert "Fordi du svarede:" in text
    assert "100 %" not in text
    assert "vejledning, ikke en diagnose" in text
    assert re.search(r"Version: motor \S+, regler \S+\.", text)
    assert 'href="/viden/iskias' in html
    assert "DN4" in text and "point" in text
    assert 'class="bm-region is-on" data-region="right.shin_outer"' in html


def test_unrecognised_answers_say_so(client):
    post_page(client, "/spoergsmaal/warning", {"leg_weakness": False})
    text = main_text(client.get("/resultat").text)
    assert "peger ikke tydeligt på én årsag" in text


def test_result_links_to_sending_it_to_the_clinic(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert 'href="/send">Send til klinikken' in client.get("/resultat").text


def test_print_page_has_answers_by_section_map_and_scores(client):
    run_questionnaire(client, VIGNETTES[1]["answers"])
    html = client.get("/resultat/print").text
    text = main_text(html)
    for heading in ("Advarselstegn", "Om dig", "Symptomer", "Forløb", "Helbred og livsstil"):
        assert f"<caption>{heading}</caption>" in html
    assert "MNSI" in text and "Vurdering: Bestil tid hos lægen" in text
    assert 'role="img"' in html and "is-on" in html


def test_start_over_deletes_the_answers(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    response = client.post("/ny", data={"csrf": _csrf(client, "/ny")}, follow_redirects=False)
    assert response.headers["location"] == "/"
    assert client.get("/tjek", follow_redirects=False).headers["location"] == "/"


def test_start_over_refuses_a_foreign_form(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert client.post("/ny", data={"csrf": "x"}).status_code == 400


# --------------------------------------------------------------------- languages


def test_english_pages(client):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    text = main_text(client.get("/resultat?lang=en").text)
    assert "Physiotherapist or doctor" in text and "Most likely" in text
    assert "Sciatica" in text and "guidance, not a diagnosis" in text
    # The choice sticks and the answers stay.
    assert "Check your answers" in main_text(client.get("/tjek").text)
    assert "42 years" in main_text(client.get("/tjek").text)


def test_error_messages_have_english_texts():
    with open(PATIENT_PO, "rb") as handle:
        english = {m.id: m.string for m in read_po(handle) if m.id}
    assert [m for m in questionnaire.MESSAGES if not english.get(m)] == []


@pytest.mark.parametrize("path", ["/", "/akut", "/samme-dag", "/ny", "/tjek", "/resultat"])
def test_danish_is_plain(client, path):
    run_questionnaire(client, VIGNETTES[0]["answers"])
    assert lix(main_text(client.get(path).text)) < 40


def test_visibility_preview_follows_the_answers_on_screen_and_saves_nothing(client):
    form = question_form(client.get("/spoergsmaal/warning").text)
    csrf = form.hidden("csrf")
    url = "/spoergsmaal/warning/vis"
    asked_no = client.post(url, data={"csrf": csrf, "leg_weakness": "no"}).json()["asked"]
    asked_yes = client.post(url, data={"csrf": csrf, "leg_weakness": "yes"}).json()["asked"]
    assert "weakness_sudden" not in asked_no and "weakness_sudden" in asked_yes
    assert client.post(url, data={"csrf": "x"}).status_code == 403
    response = client.post(url, data={"csrf": csrf, "leg_weakness": "yes"})
    assert "set-cookie" not in response.headers  # the session is not touched
    assert (
        'id="f-leg_weakness-yes" name="leg_weakness" value="yes">'
        in client.get("/spoergsmaal/warning").text
    )  # still unanswered (not checked)


def test_language_switch_keeps_the_page_and_its_query(client):
    html = client.get("/spoergsmaal/about?retur=tjek").text
    assert 'class="lang-switch" href="?retur=tjek&amp;lang=en"' in html
    english = client.get("/spoergsmaal/about?retur=tjek&lang=en").text
    assert 'class="lang-switch" href="?retur=tjek&amp;lang=da"' in english
    assert "<h1>About you</h1>" in english


def test_body_map_has_every_region_once():
    from nervetjek.intake import load_item_bank
    from nervetjek.web import bodymap

    assert bodymap.missing_regions() == []
    view = bodymap.view(["left.calf", "lower_back"], "da")
    codes = [r.code for d in view.drawings for r in d.regions]
    assert sorted(codes) == sorted(load_item_bank().regions) and len(codes) == 31
    assert [r.code for r in view.chosen] == ["lower_back", "left.calf"]
    # From the front the person's right leg is drawn on the viewer's left (smaller x).
    front = {r.code: r for r in view.drawings[0].regions}
    right_x = float(front["right.knee"].shapes[0].cx)
    left_x = float(front["left.knee"].shapes[0].cx)
    assert right_x < left_x
    back = {r.code: r for r in view.drawings[1].regions}

    def first_x(region):
        return float(region.shapes[0].points.split(",")[0])

    assert first_x(back["left.calf"]) < first_x(back["right.calf"])  # from the back: as is
