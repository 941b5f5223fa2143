"""Every dev vignette answered through the web interview: the interview engine's questions,
screen by screen, and the engine's result."""

from __future__ import annotations

import json
import re

import pytest
from patient_driver import run_questionnaire

from nervetjek.engine import assess
from nervetjek.interview import play
from nervetjek.paths import shared_dir
from nervetjek.web import session
from nervetjek.web.patient_view import MIN_SHOWN_PROBABILITY, SHOWN_PATTERNS


def _vignettes() -> list[dict]:
    path = shared_dir() / "vignettes" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


VIGNETTES = _vignettes()


def _shown_patterns(assessment) -> list[str]:
    shown = []
    for rank, pattern in enumerate(assessment.patterns[:SHOWN_PATTERNS]):
        if rank > 0 and pattern.probability < MIN_SHOWN_PROBABILITY:
            break
        shown.append(pattern.id)
    return shown


def _session_answers(client, app) -> dict:
    fernet = session.Fernet(session.derive_key(app.state.settings.resolved_secret_key()))
    data = session.decode(fernet, client.cookies[session.COOKIE_NAME], 3600)
    assert data is not None
    return data.answers


def test_there_are_48_dev_vignettes():
    assert len(VIGNETTES) == 48


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette_through_the_web_flow_matches_the_interview(client, app, vignette):
    answers = vignette["answers"]
    run = run_questionnaire(client, answers)
    dialogue = play(answers)

    # The pages asked exactly what the interview engine asks, screen by screen.
    assert run.screens == [list(s.keys) for s in dialogue.screens if s.keys]
    stored = _session_answers(client, app)
    # The body map keeps its own order of places; the places are the same.
    assert sorted(stored.pop("locations", [])) == sorted(dialogue.answers.get("locations", []))
    assert stored == {k: v for k, v in dialogue.answers.items() if k != "locations"}

    expected = dialogue.result
    assert expected.triage == assess({k: answers[k] for k in run.asked if k in answers}).triage
    page = client.get("/resultat")
    assert page.status_code == 200
    assert re.findall(r'data-level="([a-z_]+)"', page.text) == [expected.triage]
    assert re.findall(r'data-pattern="([a-z_]+)"', page.text) == _shown_patterns(expected)

    # The emergency and same-day pages were shown when (and only when) they apply.
    if expected.triage == "emergency":
        # At once: right after the screen whose answer set it, with no question between.
        asked_screens = [s for s in dialogue.screens if s.keys]
        assert dialogue.done.emergency
        before = run.visited[run.visited.index("/akut") - 1]
        assert before == f"/spoergsmaal/{len(asked_screens)}"
    if expected.triage not in ("emergency", "same_day"):
        assert "/akut" not in run.visited and "/samme-dag" not in run.visited
