"""intake_bundle: a transaction Bundle of one stored intake, only consented contact data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nervetjek.fhir.codes import SYSTEM_INTAKE_ID
from nervetjek.fhir.export import intake_bundle
from nervetjek.fhir.mapping import response_to_answers
from nervetjek.intake import IntakeError
from tests.fhir.helpers import json_copy, r4b_validate, vignettes

SENT = datetime(2026, 11, 20, 8, 15, tzinfo=UTC)


def _types(bundle):
    return [e["resource"]["resourceType"] for e in bundle["entry"]]


@pytest.mark.parametrize("vignette", vignettes()[:12], ids=lambda v: v["id"])
def test_bundle_validates_and_carries_the_answers(vignette):
    bundle = intake_bundle(
        41, vignette["answers"], SENT, {"name": "Ida Holm", "phone": "+45 12 34 56 78"}
    )
    r4b_validate(bundle)
    assert bundle["type"] == "transaction"
    assert _types(bundle) == [
        "Patient",
        "QuestionnaireResponse",
        "Observation",
        "Observation",
        "Observation",
        "RiskAssessment",
        "Provenance",
    ]
    for entry in bundle["entry"]:
        r4b_validate(entry["resource"])
        assert entry["request"]["method"] == "POST"
        assert entry["fullUrl"].startswith("urn:uuid:")
    response = bundle["entry"][1]["resource"]
    assert response_to_answers(json_copy(response)) == vignette["answers"]
    assert response["identifier"] == {"system": SYSTEM_INTAKE_ID, "value": "41"}
    assert bundle["entry"][1]["request"]["ifNoneExist"] == f"identifier={SYSTEM_INTAKE_ID}|41"


def test_only_consented_contact_fields_are_sent():
    answers = vignettes()[0]["answers"]
    bundle = intake_bundle("7", answers, SENT, {"name": "Ida Holm", "phone": None, "email": " "})
    patient = bundle["entry"][0]["resource"]
    assert patient == {"resourceType": "Patient", "name": [{"text": "Ida Holm"}]}
    with pytest.raises(ValueError, match="cpr"):
        intake_bundle("7", answers, SENT, {"name": "Ida", "cpr": "010203-1234"})


def test_without_patient_the_subject_is_described_not_identified():
    bundle = intake_bundle("7", vignettes()[0]["answers"], SENT, None)
    assert "Patient" not in _types(bundle)
    for entry in bundle["entry"][:-1]:
        assert set(entry["resource"]["subject"]) == {"display"}


def test_references_resolve_inside_the_bundle_and_provenance_covers_all():
    bundle = intake_bundle("7", vignettes()[3]["answers"], SENT, {"email": "a@example.org"})
    urls = {e["fullUrl"] for e in bundle["entry"]}
    provenance = bundle["entry"][-1]["resource"]
    assert {t["reference"] for t in provenance["target"]} == urls - {bundle["entry"][-1]["fullUrl"]}
    risk = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"
    )
    assert {b["reference"] for b in risk["basis"]} <= urls
    assert provenance["recorded"] == SENT.isoformat()


def test_pure_and_strict():
    answers = vignettes()[5]["answers"]
    assert intake_bundle(3, answers, SENT) == intake_bundle(3, answers, SENT)
    with pytest.raises(ValueError, match="time zone"):
        intake_bundle(3, answers, datetime(2026, 11, 20, 8, 15))
    with pytest.raises(IntakeError):
        intake_bundle(3, {"age": "old"}, SENT)
