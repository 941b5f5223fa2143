"""Send to the clinic: consent, validation, idempotency, receipt."""

from __future__ import annotations

import re

from sqlalchemy import select
from tests.store.helpers import SCIATICA
from tests.store.webapp import app_db, form_token, send_fields, with_answers

from nervetjek.engine import assess
from nervetjek.store.models import Intake
from nervetjek.web.send import CONSENT_VERSION

GOOD = {"name": "Karen Jensen", "phone": "20 30 40 50", "email": "", "consent": "ja"}


def intakes(settings) -> list[Intake]:
    with app_db(settings).session() as session:
        return list(session.scalars(select(Intake)))


def test_without_answers_there_is_nothing_to_send(client):
    page = client.get("/send")
    assert page.status_code == 200
    assert "ingen svar" in page.text


def test_the_page_says_what_is_sent_to_whom_why_how_long_and_how_to_delete(tmp_path):
    from fastapi.testclient import TestClient
    from tests.conftest import make_settings

    from nervetjek.web.app import create_app

    settings = make_settings(tmp_path, clinic_name="Fysio Nord", retention_days=90)
    with TestClient(create_app(settings)) as client:
        with_answers(client, settings, SCIATICA)
        page = client.get("/send")
    text = page.text
    assert page.status_code == 200
    assert "Fysio Nord" in text
    assert "90 dage" in text
    assert f"svaret på {len(SCIATICA)} spørgsmål" in text
    assert "slettet" in text
    assert 'name="consent" type="checkbox" value="ja">' in text  # not ticked
    assert "checked" not in text
    assert re.search(r'name="key" value="[A-Za-z0-9_-]{24,}"', text)
    assert len(page.content) < 60_000


def test_nothing_is_stored_without_consent(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    response = client.post("/send", data=send_fields(page.text, **{**GOOD, "consent": ""}))
    assert response.status_code == 422
    assert "Sæt flueben" in response.text
    assert intakes(settings) == []


def test_contact_data_is_validated(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    cases = [
        ({"name": "", "phone": "20304050"}, "Skriv dit navn"),
        ({"name": "A", "phone": "123"}, "8 cifre"),
        ({"name": "A", "email": "not-an-email"}, "rigtig e-mail"),
        ({"name": "A", "phone": "", "email": ""}, "telefon eller e-mail"),
    ]
    for fields, message in cases:
        data = send_fields(page.text, consent="ja", **fields)
        response = client.post("/send", data=data)
        assert response.status_code == 422, fields
        assert message in response.text, fields
        assert 'value="A"' in response.text or not fields["name"]
    assert intakes(settings) == []


def test_sending_stores_answers_assessment_versions_and_consent(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    response = client.post(
        "/send",
        data=send_fields(page.text, **{**GOOD, "email": "Karen@Example.DK"}),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/send/kvittering"
    [stored] = intakes(settings)
    expected = assess(SCIATICA)
    assert stored.answers == SCIATICA
    assert stored.assessment["triage"] == expected.triage
    assert stored.engine_version == expected.engine_version
    assert stored.ruleset_version == expected.ruleset_version
    assert stored.consent_version == CONSENT_VERSION
    assert stored.consented_at is not None
    assert (stored.contact_name, stored.contact_phone, stored.contact_email) == (
        "Karen Jensen",
        "20304050",
        "karen@example.dk",
    )
    # The questionnaire's cookie is cleared once the answers are sent.
    assert "nervetjek_svar=" in response.headers.get("set-cookie", "")


def test_double_submission_stores_one_intake_and_shows_the_same_code(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    data = send_fields(page.text, **GOOD)
    first = client.post("/send", data=data)
    with_answers(client, settings, SCIATICA)
    second = client.post("/send", data=data)
    codes = [re.search(r'class="receipt-code">([^<]+)<', r.text).group(1) for r in (first, second)]
    assert codes[0] == codes[1]
    assert len(intakes(settings)) == 1


def test_submission_without_csrf_token_is_refused(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    data = send_fields(page.text, **GOOD)
    data["csrf_token"] = "x" * 64
    assert client.post("/send", data=data).status_code == 403
    assert intakes(settings) == []


def test_receipt_shows_only_the_code_and_what_happens_next(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    receipt = client.post("/send", data=send_fields(page.text, **GOOD))
    [stored] = intakes(settings)
    code = f"{stored.receipt_code[:5]}-{stored.receipt_code[5:]}"
    assert code in receipt.text
    main = receipt.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    for secret in ("Karen", "20304050", "20 30 40 50", "Iskias", "stråler", "Lænden"):
        assert secret not in receipt.text
    assert "Ring 112 nu" not in main and "Fysioterapeut eller læge" not in main
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", stored.receipt_code)


def test_a_receipt_code_reveals_nothing_anywhere(app, client, settings):
    from fastapi.testclient import TestClient

    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    client.post("/send", data=send_fields(page.text, **GOOD))
    [stored] = intakes(settings)
    with TestClient(app) as stranger:
        assert "Ingen kvittering" in stranger.get("/send/kvittering").text
        for path in (
            f"/send/kvittering/{stored.receipt_code}",
            f"/send/{stored.receipt_code}",
            f"/kvittering/{stored.receipt_code}",
            f"/api/send/{stored.receipt_code}",
        ):
            response = stranger.get(path)
            assert response.status_code in (404, 405), path
            assert "Karen" not in response.text
        # A forged receipt cookie is ignored.
        stranger.cookies.set("nervetjek_kvittering", '{"intake": 1}', path="/send")
        assert "Ingen kvittering" in stranger.get("/send/kvittering").text


def test_receipt_can_make_a_followup_link_in_the_same_browser(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    receipt = client.post("/send", data=send_fields(page.text, **GOOD))
    link_page = client.post(
        "/send/kvittering/opfoelgning", data={"csrf_token": form_token(receipt.text)}
    )
    assert re.search(r"/opfoelgning/[A-Za-z0-9_-]{40,}", link_page.text)
    assert link_page.headers["cache-control"] == "no-store"
