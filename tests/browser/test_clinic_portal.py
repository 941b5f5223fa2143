"""The clinic side in the system Chromium: send with consent, login, worklist, detail,
follow-up and the trend chart; axe-core on every page; screenshots."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from clinic_answers import CAUDA_EQUINA, POLYNEUROPATHY
from playwright.sync_api import expect
from tests.browser.conftest import assert_accessible, screenshot
from tests.store.helpers import EMERGENCY, MILD, SCIATICA
from tests.store.webapp import PASSWORD, make_followup, make_user, patient_cookie, store_intake

from nervetjek.store.models import utcnow

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK"}


@pytest.fixture(scope="module")
def clinician(live_server) -> str:
    email = f"browser-{uuid.uuid4().hex[:8]}@example.dk"
    make_user(live_server.settings, email, "admin")
    return email


def _login(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/klinik/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/klinik$"))


def test_send_with_consent(page, live_server, external_requests):
    cookie = patient_cookie(live_server.settings, SCIATICA)
    page.context.add_cookies([{"name": "nervetjek_svar", "value": cookie, "url": live_server.url}])
    page.goto(live_server.url + "/send")
    assert page.locator("h1").inner_text().startswith("Send dine svar")
    assert not page.is_checked("#consent")
    assert_accessible(page)
    screenshot(page, "clinic-send-form")
    page.fill("#name", "Browser Person")
    page.fill("#phone", "20 30 40 50")
    page.click("button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert "Sæt flueben" in page.locator(".error-summary").inner_text()
    assert_accessible(page)
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/send/kvittering$"))
    code = page.locator(".receipt-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", code)
    assert "Browser Person" not in page.content()
    assert_accessible(page)
    screenshot(page, "clinic-send-receipt")
    assert external_requests == []


def test_login_worklist_order_and_detail(page, live_server, clinician, external_requests):
    tag = uuid.uuid4().hex[:6]
    now = utcnow()
    settings = live_server.settings
    mild = store_intake(settings, MILD, name=f"Mild {tag}", created_at=now - timedelta(days=4))
    urgent = store_intake(
        settings, EMERGENCY, name=f"Akut {tag}", created_at=now - timedelta(hours=2)
    )
    middle = store_intake(
        settings, SCIATICA, name=f"Iskias {tag}", created_at=now - timedelta(days=1)
    )
    page.goto(live_server.url + "/klinik/login")
    assert_accessible(page)
    screenshot(page, "clinic-login")
    _login(page, live_server, clinician)
    page.fill("#f-name", tag)
    page.click(".filters button[type=submit]")
    page.wait_for_url(re.compile(r"navn="))
    links = page.locator("table.worklist tbody a.intake-link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"/klinik/henvendelse/{i}" for i in (urgent, middle, mild)]
    assert_accessible(page)
    screenshot(page, "clinic-worklist")
    page.click(f"a[href='/klinik/henvendelse/{urgent}']")
    assert page.locator(".red-flags").is_visible()
    assert page.locator(".bodymap svg").first.is_visible()
    assert_accessible(page)
    screenshot(page, "clinic-detail")
    page.fill("#note-text", "Ringet op")
    page.click("#note button[type=submit]")
    assert page.locator(".notice").inner_text() == "Noten er gemt."
    page.click("text=Markér som set")
    assert page.locator(".notice").inner_text() == "Markeret som set."
    page.goto(live_server.url + "/klinik/audit")
    assert_accessible(page)
    assert external_requests == []


def test_followup_and_trend_chart(page, live_server, clinician, external_requests):
    settings = live_server.settings
    intake_id = store_intake(
        settings,
        {
            **SCIATICA,
            "painful_cold": False,
            "pins_and_needles": True,
            "burning": True,
            "numbness": True,
            "itching": False,
        },
        name="Opfølgning Person",
    )
    token = make_followup(settings, intake_id)
    page.goto(f"{live_server.url}/opfoelgning/{token}")
    assert_accessible(page)
    screenshot(page, "clinic-followup-form")
    page.check("#q-bladder_bowel_change input[value=no]")
    page.check("#q-pain_intensity input[value='2']")
    page.check("#q-trend input[value=better]")
    for key in (
        "burning",
        "painful_cold",
        "electric_shocks",
        "tingling",
        "pins_and_needles",
        "numbness",
        "itching",
    ):
        page.check(f"#q-{key} input[value=no]")
    page.click("form button[type=submit]")
    assert "Dine svar er sendt" in page.content()
    assert_accessible(page)
    screenshot(page, "clinic-followup-done")
    _login(page, live_server, clinician)
    page.goto(f"{live_server.url}/klinik/henvendelse/{intake_id}")
    chart = page.locator("svg.trend-svg")
    assert chart.is_visible()
    assert chart.locator("circle.dot").count() >= 4
    assert chart.locator("path.line").count() >= 2
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    chart.scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "clinic-trend")
    assert external_requests == []


def test_followup_warning_sign_shows_urgent_advice(page, live_server):
    token = make_followup(live_server.settings, store_intake(live_server.settings, SCIATICA))
    page.goto(f"{live_server.url}/opfoelgning/{token}")
    page.check("#q-bladder_bowel_change input[value=yes]")
    page.click("form button[type=submit]")
    box = page.locator(".urgent-box")
    assert box.is_visible()
    assert "Ring 112 nu" in box.inner_text()
    assert_accessible(page)
    screenshot(page, "clinic-followup-urgent")


@pytest.mark.parametrize(
    ("name", "answers", "pattern", "first_step"),
    [
        ("polyneuropathy", POLYNEUROPATHY, "Polyneuropati", "10 g monofilament"),
        ("cauda-equina", CAUDA_EQUINA, "Cauda equina-syndrom", "Akut henvisning"),
    ],
)
def test_clinical_summary_and_examination_plan(
    page, live_server, clinician, external_requests, name, answers, pattern, first_step
):
    intake_id = store_intake(
        live_server.settings, answers, name=f"Resumé {name}", phone="20 30 40 50"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    _login(page, live_server, clinician)
    page.goto(f"{live_server.url}/klinik/henvendelse/{intake_id}")
    summary = page.locator("section.summary")
    assert pattern in summary.inner_text()
    box = summary.bounding_box()
    assert box["height"] <= 800, f"the summary is {box['height']} px high at 1280 px"
    assert page.locator(".site-nav a", has_text="Tjek dine gener").count() == 0
    assert page.locator(".clinic-nav a", has_text="Arbejdsliste").is_visible()
    assert page.locator("a[href='tel:+4520304050']").first.is_visible()
    exam = page.locator("section.examination")
    assert exam.locator("h3").first.inner_text().startswith(pattern)
    assert exam.locator("ol li").first.inner_text().startswith(first_step)
    assert "Kilde:" in exam.locator("ol li").first.inner_text()
    yes = page.locator(".answer-yes").first
    no = page.locator(".answer-no").first
    style = "(e) => [getComputedStyle(e).fontWeight, getComputedStyle(e).color]"
    assert yes.evaluate(style) != no.evaluate(style)
    journal = page.locator("#journal-text").input_value()
    assert journal.startswith("Henvendelse via Nervetjek") and "\nS: " in journal
    page.click("#copy-journal")
    # Not wait_for_function: a string predicate is eval'd in the page, which our CSP
    # (script-src 'self', no unsafe-eval) refuses.
    expect(page.locator("#copy-status")).not_to_have_text("")
    assert_accessible(page)
    screenshot(page, f"clinic-summary-{name}")
    page.click("text=Udskriv")
    page.wait_for_url(re.compile(r"/udskrift$"))
    assert page.locator("pre.journal-text").inner_text().strip() == journal.strip()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert not page.locator(".clinic-session").is_visible()
    page.emulate_media(media="screen")
    assert external_requests == []


def test_journal_text_without_javascript(browser, live_server, clinician):
    context = browser.new_context(java_script_enabled=False, locale="da-DK")
    page = context.new_page()
    intake_id = store_intake(live_server.settings, POLYNEUROPATHY, name="Uden JS")
    _login(page, live_server, clinician)
    page.goto(f"{live_server.url}/klinik/henvendelse/{intake_id}")
    assert page.locator("#journal-text").input_value().startswith("Henvendelse via Nervetjek")
    assert not page.locator("#copy-journal").is_visible()  # the button needs JavaScript
    context.close()
