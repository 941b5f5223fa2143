"""The patient questionnaire in a real browser (system Chromium), with and without JavaScript.

Every page on the way is checked with axe-core, must not scroll sideways at 320 px and
at 200 % zoom (emulated as a 640 px wide viewport: a 1280 px screen at 200 %), and is
screenshotted (desktop and 320 px) into build/screenshots/.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from conftest import assert_accessible, screenshot
from nervetjek.engine import assess
from nervetjek.paths import shared_dir
from nervetjek.web.patient import MIN_SHOWN_PROBABILITY, SHOWN_PATTERNS

ZOOM_200_VIEWPORT = {"width": 640, "height": 450}
NARROW_VIEWPORT = {"width": 320, "height": 640}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
BUDGET_BYTES = 60 * 1024

VIGNETTES = {
    json.loads(line)["id"]: json.loads(line)
    for line in (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    if line.strip()
}
# One case for each urgency level (the engine's level for these answers is checked too).
CASE_FOR_LEVEL = {
    "emergency": "dev-003",
    "same_day": "dev-005",
    "gp_soon": "dev-002",
    "gp_or_physio": "dev-001",
    "self_care": "dev-004",
}


# --------------------------------------------------------------------------- helpers


def path_of(page) -> str:
    return urlsplit(page.url).path


def fill_page(page, answers: dict) -> None:
    """Answer the questions this page shows from ``answers`` and press Continue."""
    keys = page.locator("form.question-form [data-key]").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.key)"
    )
    for key in keys:
        if key not in answers:
            continue
        value = answers[key]
        if isinstance(value, bool):
            page.check(f"#f-{key}-{'yes' if value else 'no'}")
        elif isinstance(value, list):
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


def run_flow(page, base_url: str, answers: dict, visit=None, max_steps: int = 40) -> list[str]:
    """From the start page to the check page; ``visit(page)`` runs on every page."""
    page.goto(base_url + "/")
    if visit:
        visit(page)
    page.click("a.button--start")
    seen = []
    for _ in range(max_steps):
        page.wait_for_load_state("load")
        path = path_of(page)
        seen.append(path)
        if visit:
            visit(page)
        if path == "/tjek":
            return seen
        if path in ("/akut", "/samme-dag"):
            page.click("a[data-continue]")
            continue
        fill_page(page, answers)
    raise AssertionError(f"no check page after {max_steps} steps: {seen}")


def shown_result(page) -> tuple[str, list[str]]:
    level = page.get_attribute("[data-level]", "data-level")
    patterns = page.locator("[data-pattern]").evaluate_all("els => els.map(e => e.dataset.pattern)")
    return level, patterns


def engine_result(answers: dict) -> tuple[str, list[str]]:
    assessment = assess(answers)
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


@pytest.mark.parametrize("level", list(CASE_FOR_LEVEL))
def test_full_questionnaire_to_the_result(page, base_url, level, external_requests, csp_reports):
    vignette = VIGNETTES[CASE_FOR_LEVEL[level]]
    answers = vignette["answers"]
    assert engine_result(answers)[0] == level
    checks = PageChecks(f"patient-{level}", shots=level == "gp_or_physio")
    seen = run_flow(page, base_url, answers, visit=checks)
    if level == "emergency":
        assert "/akut" in seen
    if level in ("gp_soon", "gp_or_physio", "self_care"):
        assert "/akut" not in seen and "/samme-dag" not in seen

    page.click("a[data-result]")
    assert path_of(page) == "/resultat"
    assert shown_result(page) == engine_result(answers)
    assert page.locator(".banner h1").inner_text().strip()
    assert "vejledning, ikke en diagnose" in page.inner_text("main")
    checks(page)
    screenshot(page, f"patient-result-{level}")

    page.click("a[href='/resultat/print']")
    checks(page)
    screenshot(page, f"patient-print-{level}")
    assert external_requests == []
    assert csp_reports == []


def test_emergency_short_cut(page, base_url, csp_reports):
    page.goto(base_url + "/spoergsmaal/warning")
    page.check("#f-saddle_numbness-yes")
    page.check("#f-bladder_bowel_change-yes")
    page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/akut"
    main = page.inner_text("main")
    assert "Ring 112 nu" in main
    assert "følelsesløshed i skridtet" in main  # the person's own warning sign, in the script
    assert "Kør ikke selv bil" in main
    assert page.get_attribute("a.button--call", "href") == "tel:112"
    assert_accessible(page)
    screenshot(page, "patient-akut")

    # The rest is optional: continuing goes to the next page, and the result stays urgent.
    page.click("a[data-continue]")
    assert path_of(page) == "/spoergsmaal/risk"
    page.goto(base_url + "/resultat")
    assert shown_result(page)[0] == "emergency"
    assert csp_reports == []


def test_same_day_page_for_a_warning_sign(page, base_url):
    page.goto(base_url + "/spoergsmaal/warning")
    page.check("#f-calf_swollen_red_warm-yes")
    page.click("form.question-form button[type=submit]")
    # A yes opens a follow-up question ("is the whole leg swollen?") on the same page.
    if path_of(page) == "/spoergsmaal/warning":
        page.check("#f-whole_leg_swollen-no")
        page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/samme-dag"
    main = page.inner_text("main")
    assert "1813" in main and "Kontakt en læge i dag" in main
    assert "fordi du svarede" in main
    assert_accessible(page)
    screenshot(page, "patient-samme-dag")
    page.click("a[data-continue]")
    assert path_of(page) == "/spoergsmaal/risk"


def test_edit_from_the_check_answers_page(page, base_url):
    answers = VIGNETTES["dev-001"]["answers"]
    run_flow(page, base_url, answers)
    assert "42 år" in page.inner_text("main")
    screenshot(page, "patient-tjek")

    page.click("a[data-change='age']")
    assert path_of(page) == "/spoergsmaal/about"
    assert page.input_value("#f-age") == "42"
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
    assert path_of(page) == "/tjek"
    assert "57 år" in page.inner_text("main")

    # Change where it hurts, then back to the check page with the new place.
    page.click("a[data-change='locations']")
    assert path_of(page) == "/spoergsmaal/where"
    page.check("#f-locations-left-calf")
    page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/tjek"
    assert "Læg (venstre)" in page.inner_text("main")
    # The back link on a change page goes to the check page, keeping the answers.
    page.click("a[data-change='trend']")
    page.click("a.back-link")
    assert path_of(page) == "/tjek"
    assert "57 år" in page.inner_text("main")


def test_body_map_by_mouse(page, base_url):
    page.goto(base_url + "/spoergsmaal/where")
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
    page.goto(base_url + "/spoergsmaal/where")
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
    page.goto(base_url + "/spoergsmaal/warning")
    page.check("#f-leg_weakness-no")
    page.click("form.question-form button[type=submit]")
    page.goto(base_url + "/spoergsmaal/about")
    page.fill("#f-age", "61")
    page.click("form.question-form button[type=submit]")
    page.goto(base_url + "/spoergsmaal/warning")
    assert page.get_attribute("html", "lang") == "da"
    page.click("a.lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Warning signs"
    assert page.is_checked("#f-leg_weakness-no")
    assert "Step 1 of" in page.inner_text("#progress")
    assert_accessible(page)
    screenshot(page, "patient-english")
    page.goto(base_url + "/tjek")
    text = page.inner_text("main")
    assert "Check your answers" in text and "61 years" in text
    page.click("a.lang-switch")
    assert page.get_attribute("html", "lang") == "da"


def test_without_javascript_the_result_is_the_same(browser, base_url):
    answers = VIGNETTES["dev-010"]["answers"]  # spinal stenosis, several pages and feet
    results = {}
    for javascript in (True, False):
        context = browser.new_context(
            java_script_enabled=javascript, locale="da-DK", viewport=DESKTOP_VIEWPORT
        )
        page = context.new_page()
        run_flow(page, base_url, answers)
        summary = page.inner_text("main")
        page.click("a[data-result]")
        results[javascript] = (shown_result(page), summary, page.inner_text("main"))
        if not javascript:
            screenshot(page, "patient-nojs-resultat")
            # Without JavaScript the drawing is only a picture; the checkboxes do the work.
            page.goto(base_url + "/spoergsmaal/where")
            assert page.get_attribute("svg[data-drawing='front']", "aria-hidden") == "true"
            assert page.locator("g[role='checkbox']").count() == 0
            screenshot(page, "patient-nojs-where")
        context.close()
    assert results[True] == results[False]
    assert results[True][0] == engine_result(answers)


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
    run_flow(page, base_url, VIGNETTES["dev-003"]["answers"], visit=checks)
    page.click("a[data-result]")
    checks(page)
    assert any(url.endswith("/static/js/bodymap.js") for url in blocked)
    assert {"/", "/spoergsmaal/where", "/akut", "/tjek", "/resultat"} <= checks.done
    context.close()


def test_print_summary_fits_one_a4_page(page, base_url):
    fullest = max(VIGNETTES.values(), key=lambda v: len(v["answers"]))
    answers = {
        **fullest["answers"],
        "free_text": ("Det brænder i fødderne om natten. " * 61)[:2000],
    }
    run_flow(page, base_url, answers)
    page.goto(base_url + "/resultat/print")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert page.is_visible("button[data-print]")  # shown by print.js


def test_start_over(page, base_url):
    run_flow(page, base_url, VIGNETTES["dev-004"]["answers"])
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


def test_follow_up_questions_appear_and_hide_while_answering(page, base_url, csp_reports):
    page.goto(base_url + "/spoergsmaal/warning")
    sudden = page.locator("#q-weakness_sudden")
    assert sudden.is_visible()  # not answered yet: asked (unknown means ask)
    page.check("#f-leg_weakness-no")
    sudden.wait_for(state="hidden")
    page.check("#f-leg_weakness-yes")
    sudden.wait_for(state="visible")
    page.check("#f-weakness_sudden-no")
    page.check("#f-weakness_worsening-no")
    page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/spoergsmaal/risk"

    # Back on the page after a "no": the follow-ups are hidden, and a "yes" brings
    # them back at once (without JavaScript the server asks them after Fortsæt).
    page.goto(base_url + "/spoergsmaal/warning")
    page.check("#f-leg_weakness-no")
    sudden.wait_for(state="hidden")
    page.click("form.question-form button[type=submit]")
    page.goto(base_url + "/spoergsmaal/warning")
    assert not sudden.is_visible()
    page.check("#f-leg_weakness-yes")
    sudden.wait_for(state="visible")
    page.check("#f-weakness_sudden-yes")
    page.click("form.question-form button[type=submit]")
    assert path_of(page) == "/akut"  # weakness that came on suddenly: emergency
    assert csp_reports == []
