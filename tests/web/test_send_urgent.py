"""/send and the receipt at an urgent level: what to do now comes first, and the clinic
must be able to phone the person (an e-mail alone is refused)."""

from __future__ import annotations

import re

from tests.store.helpers import EMERGENCY, SCIATICA
from tests.store.webapp import send_fields, with_answers

from nervetjek.engine import assess
from nervetjek.web.send import URGENT_LEVELS

SAME_DAY = {"calf_swollen_red_warm": True, "locations": ["right.calf"], "age": 50}
BY_EMAIL = {"name": "Karen Jensen", "phone": "", "email": "karen@example.dk", "consent": "ja"}
BY_PHONE = {"name": "Karen Jensen", "phone": "20 30 40 50", "email": "", "consent": "ja"}


def banner(html: str) -> str:
    found = re.search(r'<div class="banner banner--emergency urgent-now".*?</div>', html, re.S)
    return found.group(0) if found else ""


def test_the_answer_sets_are_at_the_levels_they_stand_for():
    assert assess(EMERGENCY).triage == "emergency"
    assert assess(SAME_DAY).triage == "same_day"
    assert assess(SCIATICA).triage not in URGENT_LEVELS


def test_emergency_send_page_says_call_112_before_the_form(client, settings):
    with_answers(client, settings, EMERGENCY)
    page = client.get("/send").text
    shown = banner(page)
    assert "Ring 112 nu" in shown and 'href="tel:112"' in shown
    assert page.index("urgent-now") < page.index("<form")
    assert "Telefon (skal udfyldes)" in page


def test_same_day_send_page_gives_the_doctor_and_lægevagten_numbers(client, settings):
    with_answers(client, settings, SAME_DAY)
    shown = banner(client.get("/send").text)
    assert "Ring til din egen læge i dag" in shown
    assert 'href="tel:1813"' in shown and 'href="tel:70113131"' in shown


def test_urgent_levels_refuse_an_e_mail_without_a_phone(client, settings):
    for answers in (EMERGENCY, SAME_DAY):
        with_answers(client, settings, answers)
        page = client.get("/send")
        response = client.post("/send", data=send_fields(page.text, **BY_EMAIL))
        assert response.status_code == 422
        assert "Skriv dit telefonnummer, så klinikken kan ringe til dig i dag." in response.text
        assert banner(response.text)


def test_a_calm_level_has_no_banner_and_takes_an_e_mail_alone(client, settings):
    with_answers(client, settings, SCIATICA)
    page = client.get("/send")
    assert banner(page.text) == ""
    assert "Skriv telefonnummer, e-mail eller begge." in page.text
    response = client.post("/send", data=send_fields(page.text, **BY_EMAIL), follow_redirects=False)
    assert response.status_code == 303
    receipt = client.get(response.headers["location"]).text
    assert banner(receipt) == ""
    assert "kan klinikken ringe til dig" in receipt


def test_the_emergency_receipt_repeats_call_112(client, settings):
    with_answers(client, settings, EMERGENCY)
    page = client.get("/send")
    response = client.post("/send", data=send_fields(page.text, **BY_PHONE), follow_redirects=False)
    assert response.status_code == 303
    receipt = client.get(response.headers["location"]).text
    assert "Ring 112 nu" in banner(receipt)
    assert 'href="tel:112"' in banner(receipt)
    # the receipt must not suggest waiting for a call back instead
    assert "kan klinikken ringe til dig" not in receipt
