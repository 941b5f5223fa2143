"""The own-words step in the system Chromium (issue 14, step 4).

A patient (our scripts blocked: the pages as without JavaScript) types a description,
corrects one understood fact on the confirm page and is asked fewer questions than the
same patient without the text (both counts and the questions are printed); the text
page, the confirm page and the clinic's summary with the marked words are checked with
axe-core and screenshotted into build/screenshots/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_patient_flow import (
    DESKTOP_VIEWPORT,
    NARROW_VIEWPORT,
    no_sideways_scroll,
    path_of,
    run_flow,
)
from tests.store.webapp import PASSWORD, make_user

from nervetjek.knowledge import load_knowledge

pytestmark = pytest.mark.browser

NO_WARNING_SIGNS = dict.fromkeys(load_knowledge().warning_keys, False) | {
    "age": 47,
    "duration_days": 14,
}
# One-sided sciatica; the same answers with and without the text (our own writing).
ANSWERS = {
    **NO_WARNING_SIGNS,
    "sex": "female",
    "locations": ["lower_back", "right.buttock", "right.thigh_back", "right.calf"],
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "electric_shocks": True,
    "worse_cough_sneeze": True,
    "pain_intensity": 7,
    "numbness": False,
    "burning": False,
    "diabetes": False,
}
TEXT = (
    "Jeg har ondt i lænden, og det jager ned bag på højre lår og ned i læggen. "
    "Benet gør mere ondt end ryggen, og når jeg nyser, er det som at få stød. "
    "Smerten er 5 ud af 10."
)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK", "viewport": DESKTOP_VIEWPORT}


def _check(page, name: str, narrow: bool = True) -> None:
    """axe, and for the patient's pages no sideways scrolling at 320 px (the clinic's
    portal is a desktop tool, as in test_clinic_portal.py); screenshots."""
    page.wait_for_load_state("load")
    assert_accessible(page)
    if narrow:
        assert no_sideways_scroll(page, NARROW_VIEWPORT), f"{path_of(page)} scrolls sideways"
    page.set_viewport_size(DESKTOP_VIEWPORT)
    screenshot(page, name)


def _questions(walk) -> list[str]:
    return [key for keys in walk.screens for key in keys]


def test_own_words_mean_fewer_questions(browser, base_url, live_server):
    walks = {}
    for label in ("without", "with"):
        context = browser.new_context(locale="da-DK", viewport=DESKTOP_VIEWPORT)
        if label == "with":
            # The pages as a browser without JavaScript shows them (axe still runs).
            context.route("**/static/js/**", lambda route: route.abort())
        page = context.new_page()
        corrected: list[str] = []

        def visit(page, label=label):
            if label == "with" and path_of(page) == "/egne-ord":
                _check(page, "patient-egne-ord")
            if path_of(page) == "/egne-ord/bekraeft":
                _check(page, "patient-egne-ord-bekraeft")

        def correct(page, corrected=corrected):
            # The text said 5 out of 10; the person corrects it to 7.
            assert page.is_checked("#f-pain_intensity-5")
            page.check("#f-pain_intensity-7")
            corrected.append("pain_intensity")

        walks[label] = run_flow(
            page,
            base_url,
            ANSWERS,
            visit=visit,
            text=TEXT if label == "with" else "",
            confirm=correct,
        )
        if label == "with":
            assert corrected == ["pain_intensity"]
            check = page.inner_text("main")
            assert "7" in check
            _send(page, base_url)
            _clinic_detail(browser, live_server)
        context.close()
    for label, walk in walks.items():
        walk.print(f"{label} the text")
        print(f"  {label} the text: {len(_questions(walk))} questions: {_questions(walk)}")
    assert "/egne-ord/bekraeft" in walks["with"].pages
    assert "/egne-ord/bekraeft" not in walks["without"].pages
    assert len(_questions(walks["with"])) < len(_questions(walks["without"]))
    assert "pain_intensity" not in _questions(walks["with"])


NAME = f"Egne Ord {uuid.uuid4().hex[:6]}"


def _send(page, base_url: str) -> None:
    page.goto(base_url + "/send")
    page.fill("#name", NAME)
    page.fill("#phone", "20 30 40 50")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/send/kvittering$"))


def _clinic_detail(browser, live_server) -> None:
    email = f"ownwords-{uuid.uuid4().hex[:8]}@example.dk"
    make_user(live_server.settings, email, "admin")
    context = browser.new_context(locale="da-DK", viewport=DESKTOP_VIEWPORT)
    page = context.new_page()
    page.goto(live_server.url + "/klinik/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/klinik$"))
    page.fill("#f-name", NAME)
    page.click(".filters button[type=submit]")
    page.wait_for_url(re.compile(r"navn="))
    page.locator("table.worklist tbody a.intake-link").first.click()
    words = page.locator(".own-words blockquote")
    assert "ondt i lænden" in words.inner_text()
    marks = page.locator(".own-words mark").all_inner_texts()
    assert "ondt i lænden" in marks
    assert page.locator(".own-words .mark-label").count() == len(marks)
    page.locator(".own-words").scroll_into_view_if_needed()
    _check(page, "clinic-egne-ord-markeret", narrow=False)
    context.close()
