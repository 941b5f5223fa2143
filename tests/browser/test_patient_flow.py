"""The patient questionnaire in a real browser (system Chromium), with and without JavaScript.

Every page on the way is checked with axe-core, must not scroll sideways at 320 px and
at 200 % zoom (emulated as a 640 px wide viewport: a 1280 px screen at 200 %), and is
screenshotted (desktop and 320 px) into build/screenshots/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import assert_accessible, screenshot
from nervetjek.intake import load_item_bank
from nervetjek.interview import play
from nervetjek.knowledge import load_knowledge
from nervetjek.web.patient_view import MIN_SHOWN_PROBABILITY, SHOWN_PATTERNS

ZOOM_200_VIEWPORT = {"width": 640, "height": 450}
NARROW_VIEWPORT = {"width": 320, "height": 640}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
BUDGET_BYTES = 60 * 1024

NO_WARNING_SIGNS = dict.fromkeys(load_knowledge().warning_keys, False) | {
    "age": 50,
    "duration_days": 30,
}

# Four patients, as they would answer (our own descriptions, not the vignettes), and what a
# clinician expects: the level, and the pattern that must lead (None: any).
PATIENTS = {
    "iskias-bedring": (
        "One-sided sciatica, improving over 3 weeks",
        {
            **NO_WARNING_SIGNS,
            "age": 38,
            "sex": "male",
            "duration_days": 21,
            "trend": "better",
            "onset": "sudden",
            "locations": ["lower_back", "left.buttock", "left.thigh_back", "left.calf"],
            "back_pain": True,
            "leg_pain_worse_than_back": True,
            "electric_shocks": True,
            "worse_cough_sneeze": True,
            "worse_sitting_bending": True,
            "pain_intensity": 5,
            "numbness": False,
            "burning": False,
            "diabetes": False,
            "back_problems_history": True,
        },
        ("gp_or_physio", "self_care"),
        "lumbar_radiculopathy",
    ),
    "diabetes-foedder": (
        "68-year-old with diabetes and burning, numb feet for a year",
        {
            **NO_WARNING_SIGNS,
            "age": 68,
            "sex": "female",
            "duration_days": 365,
            "trend": "same",
            "onset": "gradual",
            "locations": ["left.foot_sole", "left.toes", "right.foot_sole", "right.toes"],
            "diabetes": True,
            "metformin": True,
            "burning": True,
            "numbness": True,
            "tingling": True,
            "pins_and_needles": True,
            "worse_at_night": True,
            "back_pain": False,
            "electric_shocks": False,
            "unsteady": True,
            "foot_wound_now": False,
        },
        ("gp_soon", "gp_or_physio"),
        "polyneuropathy",
    ),
    "cauda-equina": (
        "Sciatica with saddle numbness and retention",
        {
            **NO_WARNING_SIGNS,
            "bladder_bowel_change": True,
            "saddle_numbness": True,
            "sexual_function_change": False,
            "age": 45,
            "locations": ["lower_back", "right.buttock", "right.thigh_back", "right.calf"],
            "back_pain": True,
        },
        ("emergency",),
        None,
    ),
    "laeg-flyrejse": (
        "Swollen, painful calf after a long flight",
        {
            **NO_WARNING_SIGNS,
            "calf_swollen_red_warm": True,
            "whole_leg_swollen": False,
            "recent_surgery_or_immobilisation": True,
            "age": 55,
            "sex": "female",
            "duration_days": 2,
            "onset": "sudden",
            "trend": "worse",
            "locations": ["left.calf"],
            "back_pain": False,
            "previous_blood_clot": False,
        },
        ("same_day",),
        None,
    ),
}


# --------------------------------------------------------------------------- helpers


def path_of(page) -> str:
    return urlsplit(page.url).path


def open_region_list(page) -> None:
    """With JavaScript the body map's checkbox list is folded behind a toggle."""
    opener = page.locator("details[data-list]:not([open]) > summary")
    if opener.count():
        opener.click()


def screen_keys(page) -> list[str]:
    return page.get_attribute("input[name=shown]", "value").split(",")


def fill_page(page, answers: dict) -> list[str]:
    """Answer the questions this screen shows ("Ved ikke" when ``answers`` lacks one), send."""
    keys = screen_keys(page)
    for key in keys:
        if key not in answers:
            if page.locator(f"[id='f-{key}-unknown']").count():
                page.check(f"#f-{key}-unknown")
            continue
        value = answers[key]
        if isinstance(value, bool):
            page.check(f"#f-{key}-{'yes' if value else 'no'}")
        elif isinstance(value, list):
            open_region_list(page)
            for code in value:
                page.check(f"#f-{key}-{code.replace('.', '-')}")
        elif key == "duration_days":
            # Use weeks when it divides: the page must turn them back into days.
            if value % 7 == 0 and value:
                page.fill(f"#f-{key}", str(value // 7))
                page.check(f"#f-{key}-unit-weeks")
            else:
                page.fill(f"#f-{key}", str(value))
                page.check(f"#f-{key}-unit")
        elif page.locator(f"[id='f-{key}']").count():
            page.fill(f"#f-{key}", str(value))
        else:
            page.check(f"[id='f-{key}-{value}']")
    page.click("form.question-form button[type=submit]")
    return keys


@dataclass
class Walk:
    pages: list[str] = field(default_factory=list)  # paths in the order shown
    screens: list[list[str]] = field(default_factory=list)  # question keys per screen

    def print(self, name: str) -> None:
        bank = load_item_bank()
        print(f"\n{name}: {len(self.screens)} screens, {sum(map(len, self.screens))} questions")
        for number, keys in enumerate(self.screens, 1):
            for key in keys:
                print(f"  screen {number:2}: {bank[key].text('da')}")
        print("  pages: " + " -> ".join(self.pages))


def own_words_step(page, text: str = "", confirm=None) -> None:
    """The text box (empty: "Spring over") or its confirm page (``confirm(page)`` may
    correct it before it is sent)."""
    if path_of(page) == "/egne-ord":
        if text:
            page.fill("#f-free_text", text)
            page.click("form.own-words-form button:not([name])")
        else:
            page.click("form.own-words-form button[name=spring]")
        return
    if confirm is not None:
        confirm(page)
    page.click("form.confirm-form button[type=submit]")


def run_flow(
    page,
    base_url: str,
    answers: dict,
    visit=None,
    max_steps: int = 60,
    text: str = "",
    confirm=None,
) -> Walk:
    """From the start page to the check page; ``visit(page)`` runs on every page.

    The own-words box gets ``text`` (empty: skipped), see :func:`own_words_step`."""
    page.goto(base_url + "/")
    if visit:
        visit(page)
    page.click("a.button--start")
    walk = Walk()
    for _ in range(max_steps):
        page.wait_for_load_state("load")
        path = path_of(page)
        walk.pages.append(path)
        if visit:
            visit(page)
        if path == "/tjek":
            return walk
        if path in ("/akut", "/samme-dag"):
            page.click("[data-continue]")
            continue
        if path.startswith("/egne-ord"):
            own_words_step(page, text, confirm)
            continue
        walk.screens.append(fill_page(page, answers))
    raise AssertionError(f"no check page after {max_steps} steps: {walk.pages}")


def answer_new_questions(page, answers: dict) -> None:
    """After a change, answer the questions it opened until the flow leaves the screens."""
    for _ in range(30):
        if path_of(page) == "/egne-ord":
            own_words_step(page)
            continue
        if not path_of(page).startswith("/spoergsmaal/"):
            return
        fill_page(page, answers)


def advance_to(page, base_url: str, key: str, answers: dict | None = None) -> None:
    """Answer screens ("Nej" to every warning sign) until one asks ``key``."""
    answers = {**NO_WARNING_SIGNS, **(answers or {})}
    page.goto(base_url + "/")
    page.click("a.button--start")
    for _ in range(30):
        if path_of(page) == "/egne-ord":
            own_words_step(page)
            continue
        if key in screen_keys(page):
            # The page's scripts (body map, toggles) run on "load"; a click that
            # navigated may return before it, so tests would see the page half set up.
            page.wait_for_load_state("load")
            return
        fill_page(page, answers)
    raise AssertionError(f"{key} was never asked")


def shown_result(page) -> tuple[str, list[str]]:
    level = page.get_attribute("[data-level]", "data-level")
    patterns = page.locator("[data-pattern]").evaluate_all("els => els.map(e => e.dataset.pattern)")
    return level, patterns


def engine_result(answers: dict) -> tuple[str, list[str]]:
    """The level and patterns the interview engine reaches for a patient with these answers."""
    assessment = play(answers).result
    shown = []
    for rank, pattern in enumerate(assessment.patterns[:SHOWN_PATTERNS]):
        if rank > 0 and pattern.probability < MIN_SHOWN_PROBABILITY:
            break
        shown.append(pattern.id)
    return assessment.triage, shown


def no_sideways_scroll(page, viewport: dict) -> bool:
    page.set_viewport_size(viewport)
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def page_weight(page) -> int:
    """HTML + CSS + JS bytes of the current page, uncompressed."""
    urls = page.evaluate(
        """() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]
                 .map(e => e.href || e.src)"""
    )
    html = len(page.content().encode("utf-8"))
    return html + sum(len(page.request.get(url).body()) for url in urls)


class PageChecks:
    """Runs the per-page checks once per distinct page and records what it saw."""

    def __init__(self, name: str, shots: bool = True):
        self.name = name
        self.shots = shots
        self.done: set[str] = set()
        self.weights: dict[str, int] = {}

    def __call__(self, page) -> None:
        page.wait_for_load_state("load")
        path = path_of(page)
        if path in self.done:
            return
        self.done.add(path)
        assert_accessible(page)
        assert no_sideways_scroll(page, NARROW_VIEWPORT), f"{path} scrolls sideways at 320 px"
        assert no_sideways_scroll(page, ZOOM_200_VIEWPORT), f"{path} scrolls sideways at 200 %"
        page.set_viewport_size(DESKTOP_VIEWPORT)
        weight = page_weight(page)
        assert weight < BUDGET_BYTES, f"{path}: {weight} bytes"
        self.weights[path] = weight
        if self.shots:
            slug = path.strip("/").replace("/", "-") or "start"
            screenshot(page, f"{self.name}-{slug}")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK", "viewport": DESKTOP_VIEWPORT}


@pytest.fixture
def csp_reports(page):
    """Console errors (a CSP violation is one), script errors and failed requests."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on(
        "response",
        lambda r: seen.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return seen


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", list(PATIENTS))
def test_patient_through_the_interview(page, base_url, name, external_requests, csp_reports):
    title, answers, levels, leading = PATIENTS[name]
    checks = PageChecks(f"patient-{name}")
    walk = run_flow(page, base_url, answers, visit=checks)
    walk.print(title)
    expected = engine_result(answers)
    assert expected[0] in levels, (title, expected)
    if leading:
        assert expected[1][0] == leading, (title, expected)
    if "emergency" in levels:
        # The emergency page comes straight after the answer that sets it, screen 1-3.
        assert walk.pages.index("/akut") <= 3
    else:
        assert "/akut" not in walk.pages
    if "same_day" in levels:
        assert "/samme-dag" in walk.pages
    assert len(walk.screens) <= 35

    page.click("a[data-result]")
    assert path_of(page) == "/resultat"
    assert shown_result(page) == expected
    assert "vejledning, ikke en diagnose" in page.inner_text("main")
    checks(page)
    page.click("a[href='/resultat/print']")
    checks(page)
    assert external_requests == []
    assert csp_reports == []


def without_cookies(context):
    """A route handler for ``context``: a browser that blocks cookies.

    Each response is fetched, its Set-Cookie dropped, and the cookie jar the fetch shares
    with the browser emptied, so no request ever carries a cookie.
    """

    def handle(route):
        response = route.fetch(max_redirects=0)
        context.clear_cookies()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=response, headers=headers)

    return handle


def test_emergency_with_cookies_blocked(browser, base_url):
    context = browser.new_context(locale="da-DK", viewport=DESKTOP_VIEWPORT)
    context.route("**/*", without_cookies(context))
    page = context.new_page()
    page.goto(base_url + "/")
    page.click("a.button--start")
    # The start page says so before the first question.
    assert path_of(page) == "/"
    notice = page.locator("#cookies-blocked")
    # Auto-waiting: under load the redirect to "/?cookies=nej" may still be rendering.
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("gemmer ikke cookies")
    assert_accessible(page)
    screenshot(page, "patient-cookies-blokeret")
    page.click("a.button--start")
    answers = PATIENTS["cauda-equina"][1]
    screens = 0
    # Without cookies each answer shows the next page at once (at the address posted to).
    while page.locator("form.question-form").count():
        fill_page(page, answers)
        screens += 1
        assert screens <= 3
    assert "Ring 112 nu" in page.inner_text("main")
    assert "følelsesløshed i skridtet" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "patient-akut-uden-cookies")
    context.close()


def test_warning_questions_are_required(page, base_url):
    page.goto(base_url + "/")
    page.click("a.button--start")
    page.click("form.question-form button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    links = summary.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links == [f"#f-{key}-yes" for key in screen_keys(page)]
    assert page.title().startswith("Fejl:")
    assert_accessible(page)
    screenshot(page, "patient-advarsel-fejl")


def test_edit_from_the_check_answers_page(page, base_url):
    answers = PATIENTS["iskias-bedring"][1]
    run_flow(page, base_url, answers)
    assert "38 år" in page.inner_text("main")
    screenshot(page, "patient-tjek")

    page.click("a[data-change='age']")
    assert path_of(page).startswith("/spoergsmaal/")
    assert page.input_value("#f-age") == "38"
    page.fill("#f-age", "fyrre")  # not a number: error summary, linked to the field
    page.click("form.question-form button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("a").get_attribute("href") == "#f-age"
    assert page.title().startswith("Fejl:")
    assert_accessible(page)
    screenshot(page, "patient-fejl")
    page.fill("#f-age", "57")
    page.click("form.question-form button[type=submit]")
    # An older patient may need more questions: they come next, then the check page.
    answer_new_questions(page, answers)
    assert path_of(page) == "/tjek"
    assert "57 år" in page.inner_text("main")

    # Change where it hurts, then back to the check page with the new place.
    page.click("a[data-change='locations']")
    open_region_list(page)
    page.check("#f-locations-right-calf")
    page.click("form.question-form button[type=submit]")
    answer_new_questions(page, answers)
    assert path_of(page) == "/tjek"
    assert "Læg (højre)" in page.inner_text("main")
    # The back link on a change page goes to the check page, keeping the answers.
    page.click("a[data-change='duration_days']")
    page.click("a.back-link")
    assert path_of(page) == "/tjek"
    assert "57 år" in page.inner_text("main")
    # The browser's own Back and a reload keep the answers too.
    page.click("a[data-change='duration_days']")
    page.reload()
    assert page.input_value("#f-duration_days") == "3" and page.is_checked(
        "#f-duration_days-unit-weeks"
    )
    page.go_back()
    assert "57 år" in page.inner_text("main")


def test_body_map_by_mouse(page, base_url):
    advance_to(page, base_url, "locations")
    region = page.locator("g[data-region='right.calf']")
    box = page.locator("#f-locations-right-calf")
    assert region.get_attribute("role") == "checkbox"
    assert not box.is_checked()
    region.click()
    assert box.is_checked()
    assert region.get_attribute("aria-checked") == "true"
    region.click()
    assert not box.is_checked()
    assert region.get_attribute("aria-checked") == "false"
    # The list drives the drawing too.
    open_region_list(page)
    page.check("#f-locations-lower_back")
    assert page.get_attribute("g[data-region='lower_back']", "aria-checked") == "true"
    page.locator("g[data-region='left.foot_sole']").click()
    assert_accessible(page)
    screenshot(page, "patient-bodymap-mouse")
    page.click("form.question-form button[type=submit]")
    page.goto(base_url + "/tjek")
    text = page.inner_text("main")
    assert "Lænden" in text and "Fodsål (venstre)" in text and "Læg (højre)" not in text


def test_body_map_by_keyboard(page, base_url):
    advance_to(page, base_url, "locations")
    page.locator("h1").click()
    # Tab from the heading reaches the drawing's regions, in order.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.region || ''"):
            break
    first = page.evaluate("() => document.activeElement.dataset.region")
    assert first == "right.groin"
    page.keyboard.press("Space")
    assert page.is_checked("#f-locations-right-groin")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.region") == "right.thigh_front"
    page.keyboard.press("Enter")
    assert page.is_checked("#f-locations-right-thigh_front")
    page.keyboard.press("Enter")
    assert not page.is_checked("#f-locations-right-thigh_front")
    focused = page.evaluate(
        "() => ['role', 'aria-label'].map(a => document.activeElement.getAttribute(a))"
    )
    assert focused == ["checkbox", "Forsiden af låret (højre)"]
    screenshot(page, "patient-bodymap-keyboard")


def test_english_switch_keeps_the_answers(page, base_url):
    advance_to(page, base_url, "age")
    page.fill("#f-age", "61")
    page.click("form.question-form button[type=submit]")
    page.goto(base_url + "/spoergsmaal/1")
    assert page.get_attribute("html", "lang") == "da"
    page.click("a.lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert page.is_checked("#f-bladder_bowel_change-no")
    assert "questions left" in page.inner_text("#progress")
    assert_accessible(page)
    screenshot(page, "patient-english")
    page.goto(base_url + "/tjek")
    text = page.inner_text("main")
    assert "Check your answers" in text and "61 years" in text
    page.click("a.lang-switch")
    assert page.get_attribute("html", "lang") == "da"


@pytest.mark.parametrize("name", ["diabetes-foedder", "cauda-equina"])
def test_without_javascript_the_result_is_the_same(browser, base_url, name):
    answers = PATIENTS[name][1]
    results = {}
    for javascript in (True, False):
        context = browser.new_context(
            java_script_enabled=javascript, locale="da-DK", viewport=DESKTOP_VIEWPORT
        )
        page = context.new_page()
        walk = run_flow(page, base_url, answers)
        summary = page.inner_text("main")
        page.click("a[data-result]")
        results[javascript] = (walk.pages, shown_result(page), summary, page.inner_text("main"))
        if not javascript:
            screenshot(page, f"patient-nojs-{name}")
        context.close()
    assert results[True] == results[False]
    assert results[True][1] == engine_result(answers)


def test_pages_without_our_scripts_are_accessible(browser, base_url):
    """The no-JavaScript pages (our scripts blocked) pass axe and fit at 320 px and 200 %.

    axe itself needs JavaScript, so the browser runs it but our own files are not loaded:
    the page is exactly what a browser without JavaScript shows.
    """
    context = browser.new_context(locale="da-DK", viewport=DESKTOP_VIEWPORT)
    blocked: list[str] = []
    context.route(
        "**/static/js/**", lambda route: (blocked.append(route.request.url), route.abort())
    )
    page = context.new_page()
    checks = PageChecks("patient-nojs", shots=False)
    run_flow(page, base_url, PATIENTS["laeg-flyrejse"][1], visit=checks)
    page.click("a[data-result]")
    checks(page)
    assert any(url.endswith("/static/js/bodymap.js") for url in blocked)
    assert {"/", "/samme-dag", "/egne-ord", "/tjek", "/resultat"} <= checks.done
    context.close()


def test_print_summary_fits_one_a4_page(page, base_url):
    answers = PATIENTS["diabetes-foedder"][1]
    run_flow(page, base_url, answers)
    page.goto(base_url + "/resultat/print")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert page.is_visible("button[data-print]")  # shown by print.js


def test_start_over(page, base_url):
    run_flow(page, base_url, PATIENTS["iskias-bedring"][1])
    page.goto(base_url + "/")
    assert page.is_visible("text=Fortsæt, hvor du slap")
    page.goto(base_url + "/ny")
    assert_accessible(page)
    screenshot(page, "patient-ny")
    page.click("form button[type=submit]")
    assert path_of(page) == "/"
    assert page.is_visible("a.button--start")
    page.goto(base_url + "/resultat")
    assert path_of(page) == "/"


def test_follow_up_questions_come_after_their_lead(page, base_url, csp_reports):
    advance_to(page, base_url, "leg_weakness")
    assert page.locator("#q-weakness_sudden").count() == 0  # not before the lead is answered
    fill_page(page, {**NO_WARNING_SIGNS, "leg_weakness": True})
    assert "weakness_sudden" in screen_keys(page)
    page.check("#f-weakness_sudden-yes")
    page.check("#f-weakness_worsening-no")
    page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/akut"  # weakness that came on suddenly: emergency
    assert csp_reports == []
