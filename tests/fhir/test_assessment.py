"""$assess bundles: RiskAssessment, instrument Observations and the Condition candidate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nervetjek.engine import assess
from nervetjek.fhir.assessment import assess_response
from nervetjek.fhir.codes import (
    SYSTEM_DATA_ABSENT,
    SYSTEM_INSTRUMENT,
    SYSTEM_PATTERN,
    SYSTEM_TRIAGE_LEVEL,
)
from nervetjek.fhir.mapping import answers_to_response
from tests.fhir.helpers import r4b_validate, vignettes

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _by_type(bundle):
    found = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry)
    return found


@pytest.mark.parametrize("vignette", vignettes(), ids=lambda v: v["id"])
def test_bundle_validates_and_matches_the_engine(vignette):
    answers = vignette["answers"]
    response = answers_to_response(answers)
    _, bundle = assess_response(response, now=NOW)
    r4b_validate(bundle)
    for entry in bundle["entry"]:
        r4b_validate(entry["resource"])
    engine = assess(answers)
    resources = _by_type(bundle)
    (risk,) = resources["RiskAssessment"]
    triage, *patterns = risk["resource"]["prediction"]
    assert triage["qualitativeRisk"]["coding"][0] == {
        "system": SYSTEM_TRIAGE_LEVEL,
        "code": engine.triage,
        "display": triage["qualitativeRisk"]["coding"][0]["display"],
    }
    ranked = [
        next(c["code"] for c in p["outcome"]["coding"] if c["system"] == SYSTEM_PATTERN)
        for p in patterns
    ]
    assert ranked == engine.pattern_ids
    probabilities = [p["probabilityDecimal"] for p in patterns]
    assert probabilities == sorted(probabilities, reverse=True)
    assert abs(sum(probabilities) - 1) < 0.01
    # basis: the response and every Observation, by fullUrl within the bundle
    urls = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}
    basis = [urls[b["reference"]] for b in risk["resource"]["basis"]]
    assert basis == ["QuestionnaireResponse", "Observation", "Observation", "Observation"]
    conditions = resources.get("Condition", [])
    if engine.recognised:
        (condition,) = conditions
        codes = {c["system"]: c["code"] for c in condition["resource"]["code"]["coding"]}
        assert codes[SYSTEM_PATTERN] == engine.pattern_ids[0]
        assert "http://hl7.org/fhir/sid/icd-10" in codes
        assert condition["resource"]["verificationStatus"]["coding"][0]["code"] == "provisional"
    else:
        assert conditions == []


def _observations(bundle):
    return {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }


def test_complete_instrument_scores_with_interpretation():
    # All 7 DN4 interview items; 4 yes -> positive (cut-off 3).
    answers = {
        "burning": True,
        "painful_cold": False,
        "electric_shocks": True,
        "tingling": True,
        "pins_and_needles": True,
        "numbness": False,
        "itching": False,
    }
    _, bundle = assess_response(answers_to_response(answers), now=NOW)
    dn4 = _observations(bundle)["DN4"]
    assert dn4["code"]["coding"][0]["system"] == SYSTEM_INSTRUMENT
    assert dn4["valueInteger"] == 4
    assert "dataAbsentReason" not in dn4
    assert dn4["interpretation"][0]["coding"][0]["code"] == "POS"
    answers.update(burning=False, electric_shocks=False)
    _, bundle = assess_response(answers_to_response(answers), now=NOW)
    dn4 = _observations(bundle)["DN4"]
    assert dn4["valueInteger"] == 2
    assert dn4["interpretation"][0]["coding"][0]["code"] == "NEG"


def test_incomplete_instrument_is_not_scored_and_lists_the_missing_items():
    answers = {"burning": True, "tingling": False}
    _, bundle = assess_response(answers_to_response(answers), now=NOW)
    dn4 = _observations(bundle)["DN4"]
    assert "valueInteger" not in dn4
    assert dn4["dataAbsentReason"]["coding"][0]["system"] == SYSTEM_DATA_ABSENT
    assert "interpretation" not in dn4  # 1 point so far, up to 6: undecided
    assert "2 (painful_cold)" in dn4["note"][0]["text"]
    assert "7 (itching)" in dn4["note"][0]["text"]


def test_incomplete_but_decided_cut_off_is_interpreted_without_a_score():
    answers = {"burning": True, "painful_cold": True, "electric_shocks": True}
    _, bundle = assess_response(answers_to_response(answers), now=NOW)
    dn4 = _observations(bundle)["DN4"]
    assert "valueInteger" not in dn4
    assert dn4["interpretation"][0]["coding"][0]["code"] == "POS"


def test_same_response_same_bundle_and_subject_is_kept():
    response = answers_to_response({"back_pain": True}, subject={"reference": "Patient/123"})
    first = assess_response(response, now=NOW)[1]
    assert first == assess_response(response, now=NOW)[1]
    for entry in first["entry"][1:]:
        assert entry["resource"]["subject"] == {"reference": "Patient/123"}
