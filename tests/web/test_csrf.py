"""One CSRF scheme: every form's ``csrf_token`` is an HMAC of what ties it to the browser.

The binding is the clinician's session id when logged in, else the patient session's
random value, else a seed cookie (nervetjek.web.deps.csrf_binding).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from patient_driver import current_values, form_at, own_words
from tests.store.helpers import SCIATICA
from tests.store.webapp import (
    form_token,
    login,
    make_followup,
    make_user,
    send_fields,
    store_intake,
    with_answers,
)
from tests.web.test_clinic import all_routes
from tests.web.test_own_words import NO_FEVER_TEXT, NO_WARNING_SIGNS, _to_own_words
from tests.web.test_send import GOOD as GOOD_CONTACT

from nervetjek.web.deps import CsrfBinding

# Stateless JSON APIs: they read no cookie, so another site's request can do nothing a
# direct request could not.
NO_FORM_ROUTES = {"/api/assess", "/fhir/QuestionnaireResponse/$assess"}


def test_a_token_is_accepted_only_for_its_own_binding():
    mine = CsrfBinding("session-a", "secret")
    assert mine.accepts(mine.token())
    assert not CsrfBinding("session-b", "secret").accepts(mine.token())
    assert not CsrfBinding("session-a", "another secret").accepts(mine.token())
    assert not mine.accepts("") and not mine.accepts(None) and not mine.accepts("ø" * 64)


def test_a_token_from_one_browser_is_refused_in_another(app, client, settings):
    with_answers(client, settings, SCIATICA)
    token = form_token(client.get("/send").text)
    with TestClient(app) as other:
        with_answers(other, settings, SCIATICA)
        fields = send_fields(other.get("/send").text, **GOOD_CONTACT)  # its own seed cookie
        assert fields["csrf_token"] != token
        refused = other.post("/send", data={**fields, "csrf_token": token})
    assert refused.status_code == 403


def test_the_patient_token_is_bound_to_the_session(app, client):
    _patient(client, None)
    token = form_token(client.get("/ny").text)
    with TestClient(app) as other:
        _patient(other, None)
        assert other.post("/ny", data={"csrf_token": token}).status_code == 400
    assert client.post("/ny", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def _clinician(client, settings) -> dict[str, str]:
    make_user(settings, "csrf@example.dk", "admin")
    assert login(client, "csrf@example.dk").status_code == 303
    return {"intake_id": str(store_intake(settings, SCIATICA))}


def _patient(client, settings) -> dict[str, str]:
    """An interview under way: the first screen answered."""
    client.get("/")
    client.get("/begynd")
    token = form_token(client.get("/spoergsmaal/1").text)
    client.post("/spoergsmaal/1", data={**_question_fields(client), "csrf_token": token})
    return {"number": "1"}


def _question_fields(client) -> dict[str, str]:
    """Screen 1 answered "Nej" throughout: it would be accepted with the right token."""
    shown = form_token(client.get("/spoergsmaal/1").text, "shown")
    return {"shown": shown} | dict.fromkeys(shown.split(","), "no")


def _text_read(client, settings) -> dict[str, str]:
    """The own-words text sent (no warning sign in it): its confirm page is next."""
    _to_own_words(client, NO_WARNING_SIGNS)
    assert own_words(client, NO_FEVER_TEXT).headers["location"] == "/egne-ord/bekraeft"
    return {}


def _confirm_fields(client) -> dict[str, str]:
    return current_values(form_at(client.get("/egne-ord/bekraeft").text, "/egne-ord/bekraeft"))


def _sent(client, settings) -> dict[str, str]:
    with_answers(client, settings, SCIATICA)
    client.post("/send", data=send_fields(client.get("/send").text, **GOOD_CONTACT))
    return {}


# path -> (state set up first, fields of an otherwise good form, the refusal: a status
#          code, or the redirect's location).  One refusal per kind of page: the portal
#          403 (JSON), the login, sending and follow-up forms shown again with 403, the
#          patient's pages shown again with "Siden var for gammel" (400).
FORM_POSTS = {
    "/klinik/login": (lambda c, s: {}, lambda c: {"email": "x@example.dk", "password": "x"}, 403),
    "/klinik/logout": (_clinician, lambda c: {}, 403),
    "/klinik/logout-alle": (_clinician, lambda c: {}, 403),
    "/klinik/henvendelse/{intake_id}/note": (_clinician, lambda c: {"note": "x"}, 403),
    "/klinik/henvendelse/{intake_id}/set": (_clinician, lambda c: {}, 403),
    "/klinik/henvendelse/{intake_id}/opfoelgning": (_clinician, lambda c: {}, 403),
    "/klinik/henvendelse/{intake_id}/slet": (_clinician, lambda c: {"confirm": "ja"}, 403),
    "/opfoelgning/{token}": (
        lambda c, s: {"token": make_followup(s, store_intake(s, SCIATICA))},
        lambda c: {"pain_intensity": "4"},
        403,
    ),
    "/send": (
        lambda c, s: with_answers(c, s, SCIATICA) or {},
        lambda c: send_fields(c.get("/send").text, **GOOD_CONTACT),
        403,
    ),
    "/send/kvittering/opfoelgning": (_sent, lambda c: {}, "/send/kvittering"),
    "/spoergsmaal/{number}": (_patient, _question_fields, 400),
    "/fortsaet": (_patient, lambda c: {}, "/?udloebet=1"),
    "/egne-ord": (_patient, lambda c: {"spring": "1"}, 400),
    "/egne-ord/bekraeft": (_text_read, _confirm_fields, 400),
    "/ny": (_patient, lambda c: {}, 400),
}


def test_every_form_post_is_covered(app):
    """Walks the route table, so a new form post cannot be forgotten here."""
    posts = {path for path, methods in all_routes(app.routes) if "POST" in methods}
    assert posts - NO_FORM_ROUTES == set(FORM_POSTS)


@pytest.mark.parametrize("token", [None, "f" * 64], ids=["missing", "wrong"])
@pytest.mark.parametrize("path", sorted(FORM_POSTS))
def test_every_form_post_refuses_a_missing_or_wrong_token(client, settings, path, token):
    prepare, fields, refusal = FORM_POSTS[path]
    params = prepare(client, settings)
    data = {k: v for k, v in fields(client).items() if k != "csrf_token"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post(path.format(**params), data=data, follow_redirects=False)
    if isinstance(refusal, int):
        assert response.status_code == refusal, response.text[:300]
    else:
        assert response.status_code == 303 and response.headers["location"] == refusal


def test_a_refused_portal_post_changes_nothing(client, settings):
    intake_id = _clinician(client, settings)["intake_id"]
    client.post(f"/klinik/henvendelse/{intake_id}/note", data={"note": "Forged note"})
    assert "Forged note" not in client.get(f"/klinik/henvendelse/{intake_id}").text
