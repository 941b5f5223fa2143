"""The hazard log cannot rot: every hazard is controlled, every reference exists."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from nervetjek.datafiles import parse_yaml
from nervetjek.safety import controls
from nervetjek.safety.hazards import LOG_PATH, HazardLog, load_hazard_log

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_TOPICS = [
    "cauda equina",
    "ischaemia",
    "Guillain-Barré",
    "sudden leg weakness",
    "thrombosis",
    "shingles",
    "cookies",
    "JavaScript",
    "language",
    "explanation",
    "untranslated",
    "ruleset",
    "worklist",
    "follow-up link",
    "logs",
    "exports",
    "child",
    "outage",
]


@pytest.fixture(scope="module")
def log() -> HazardLog:
    return load_hazard_log(ROOT)


def test_the_log_holds_at_least_15_hazards_each_with_controls_and_tests(log):
    assert len(log.hazards) >= 15
    for hazard in log.hazards:
        assert hazard.controls, hazard.id
        assert all(control.tests for control in hazard.controls), hazard.id


def test_the_required_hazards_are_in_the_log(log):
    titles = " ".join(h.title + " " + h.cause for h in log.hazards).lower()
    missing = [topic for topic in REQUIRED_TOPICS if topic.lower() not in titles]
    assert not missing


def test_residual_risk_is_never_above_the_initial_risk(log):
    for hazard in log.hazards:
        assert log.risk_matrix.rate(hazard.residual) <= log.risk_matrix.rate(hazard.initial)


def test_every_named_file_rule_and_setting_exists(log):
    assert controls.broken_references(log, ROOT) == []


def test_every_referenced_test_exists_and_is_not_skip_marked(log):
    found = controls.collected(ROOT, log.test_ids)
    assert controls.test_problems(log.test_ids, found, want="collected") == []


def test_a_hazard_without_controls_or_with_a_typo_is_refused():
    raw = parse_yaml((ROOT / LOG_PATH).read_text("utf-8"))
    raw["hazards"][0]["controls"] = []
    with pytest.raises(ValidationError):
        HazardLog.model_validate(raw)
    raw = parse_yaml((ROOT / LOG_PATH).read_text("utf-8"))
    raw["hazards"][0]["contrls"] = raw["hazards"][0].pop("controls")
    with pytest.raises(ValidationError):
        HazardLog.model_validate(raw)


def test_a_missing_or_skipped_test_is_reported(log):
    ids = ("tests/a.py::gone", "tests/b.py::skipped", "tests/c.py::fine", "tests/d.py::param")
    outcomes = {
        "tests/b.py::skipped": "skipped",
        "tests/c.py::fine": "passed",
        "tests/d.py::param[one]": "passed",
        "tests/d.py::param[two]": "failed",
    }
    assert controls.test_problems(ids, outcomes, want="passed") == [
        "tests/a.py::gone: no such test",
        "tests/b.py::skipped: skipped",
        "tests/d.py::param: failed",
    ]
