"""A real third-party FHIR form filler renders our Questionnaire and its answers assess alike.

The NLM LHC-Forms web component (npm ``lforms``, prebuilt files in node_modules/lforms/dist)
loads ``/fhir/Questionnaire/intake`` in the system Chromium.  The test fills it for a
vignette through the rendered form, takes LHC-Forms' own QuestionnaireResponse
(``LForms.Util.getFormFHIRData``), posts it to ``$assess`` and expects the engine's triage
and top pattern for the same answers.

Everything is served from 127.0.0.1 by a small server the test starts: the test page
(tests/browser/lforms_page/), the lforms files and, on the same origin, the app itself.
Nothing comes from a CDN, and the product serves none of this.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from tests.browser.conftest import screenshot
from tests.conftest import make_settings
from tests.fhir.helpers import vignettes

from nervetjek.engine import assess
from nervetjek.fhir.codes import SYSTEM_PATTERN, SYSTEM_REGION, choice_system
from nervetjek.fhir.mapping import response_to_answers
from nervetjek.intake import load_item_bank
from nervetjek.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
LFORMS = ROOT / "node_modules" / "lforms" / "dist" / "lforms"
PAGE = Path(__file__).with_name("lforms_page")
ASSESS = "/fhir/QuestionnaireResponse/$assess"
# Vignettes filled in: sciatica with body map, numbers, choices and free text; and a
# cauda equina emergency.
CASES = ("dev-001", "dev-044")


class Server:
    def __init__(self, data_dir: Path):
        app = Starlette(
            routes=[
                Mount("/lforms-test", StaticFiles(directory=PAGE)),
                Mount("/lforms", StaticFiles(directory=LFORMS)),
                Mount("/", create_app(make_settings(data_dir))),
            ]
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def lforms_server(tmp_path_factory):
    if not (LFORMS / "webcomponent" / "main.js").exists():
        raise RuntimeError("node_modules/lforms is missing: run scripts/install-system-deps.sh")
    with Server(tmp_path_factory.mktemp("lforms-data")) as server:
        yield server


def open_form(page, server, questionnaire_id="intake", query=""):
    page.goto(f"{server.url}/lforms-test/index.html?q={questionnaire_id}{query}")
    page.wait_for_function(
        "document.getElementById('status').textContent !== 'loading'", timeout=30_000
    )
    assert page.inner_text("#status") == "ready"


def _control(page, element_id: str):
    return page.locator(f'[id="{element_id}"]')


def fill(page, answers: dict) -> None:
    """Answer through the rendered form, in questionnaire order, like a person would."""
    bank = load_item_bank()
    for key in bank.keys:
        if key not in answers:
            continue
        value, item, base = answers[key], bank[key], f"{key}/1/1"
        match item.type:
            case "boolean":
                _control(page, f"{base}|{'true' if value else 'false'}").click()
            case "choice":
                _control(page, f"{base}|{choice_system(key)}|{value}").click()
            case "regions":
                for code in value:
                    _control(page, f"{base}|{SYSTEM_REGION}|{code}").click()
            case "integer" | "text":
                field = _control(page, base)
                field.fill(str(value))
                field.press("Tab")


def _unordered(answers: dict) -> dict:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in answers.items()}


def lforms_response(page) -> dict:
    return page.evaluate(
        "() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', "
        "document.getElementById('formContainer'))"
    )


def post_assess(page, resource) -> dict:
    return page.evaluate(
        """async ([url, resource]) => {
            const response = await fetch(url, {
                method: "POST",
                headers: {"Content-Type": "application/fhir+json"},
                body: JSON.stringify(resource),
            });
            return {status: response.status, body: await response.json()};
        }""",
        [ASSESS, resource],
    )


@pytest.mark.parametrize("case_id", CASES)
def test_lforms_response_assesses_like_the_engine(page, lforms_server, external_requests, case_id):
    vignette = next(v for v in vignettes() if v["id"] == case_id)
    answers = vignette["answers"]
    open_form(page, lforms_server)
    fill(page, answers)
    screenshot(page, f"lforms-intake-{case_id}")
    response = lforms_response(page)
    assert response["resourceType"] == "QuestionnaireResponse"
    # LHC-Forms' own output carries exactly the answers given (body-map regions in the
    # questionnaire's order rather than the order clicked: a set either way).
    assert _unordered(response_to_answers(response)) == _unordered(answers)
    result = post_assess(page, response)
    assert result["status"] == 200, result["body"]
    risk = next(
        e["resource"]
        for e in result["body"]["entry"]
        if e["resource"]["resourceType"] == "RiskAssessment"
    )
    engine = assess(answers)
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == engine.triage
    top = next(
        c["code"]
        for c in risk["prediction"][1]["outcome"]["coding"]
        if c["system"] == SYSTEM_PATTERN
    )
    assert top == engine.pattern_ids[0]
    assert engine.triage == vignette["expect"]["triage"]
    assert external_requests == []


def test_enable_when_hides_and_shows_follow_up_questions(page, lforms_server):
    open_form(page, lforms_server)
    follow_up = page.locator('[id="item-weakness_sudden/1/1"]')
    assert follow_up.is_visible()  # lead question unanswered: asked
    _control(page, "leg_weakness/1/1|false").click()
    follow_up.wait_for(state="detached")
    _control(page, "leg_weakness/1/1|true").click()
    follow_up.wait_for(state="visible")


def test_instrument_scores_are_not_shown_to_the_patient(page, lforms_server):
    """S-LANSS weights reach LHC-Forms (it shows them when asked to), but not with our
    option displayScoreWithAnswerText false."""
    yes = '[id="pins_and_needles/1|http://loinc.org|LA33-6"]'
    open_form(page, lforms_server, "s-lanss", "&scores=1")
    assert page.inner_text(yes).strip() == "Ja - 5"  # item 1 weighs 5 points
    open_form(page, lforms_server, "s-lanss")
    assert page.inner_text(yes).strip() == "Ja"


def test_instrument_filled_in_lforms_is_scored_by_assess(page, lforms_server):
    """All seven S-LANSS items answered in LHC-Forms: $assess scores them with the
    published weights (items 1, 3 and 6 yes: 5 + 3 + 5 = 13, positive at 12)."""
    yes_items = {"pins_and_needles", "touch_sensitive", "rub_test_painful"}
    open_form(page, lforms_server, "s-lanss")
    bank = load_item_bank()
    for item, _use in bank.instrument_items("S-LANSS").values():
        code = "LA33-6" if item.key in yes_items else "LA32-8"
        _control(page, f"{item.key}/1|http://loinc.org|{code}").click()
    result = post_assess(page, lforms_response(page))
    assert result["status"] == 200, result["body"]
    (slanss,) = [
        e["resource"]
        for e in result["body"]["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "S-LANSS"
    ]
    assert slanss["valueInteger"] == 13
    assert slanss["interpretation"][0]["coding"][0]["code"] == "POS"
