"""The FHIR endpoints under /fhir: read, search, metadata and $assess."""

from __future__ import annotations

import pytest
from tests.fhir.helpers import r4b_validate, vignettes

from nervetjek.engine import assess
from nervetjek.fhir.codes import SYSTEM_PATTERN, SYSTEM_TRIAGE_LEVEL
from nervetjek.fhir.mapping import answers_to_response
from nervetjek.fhir.questionnaire import QUESTIONNAIRE_IDS, build_questionnaire

FHIR_JSON = "application/fhir+json"
ASSESS = "/fhir/QuestionnaireResponse/$assess"


@pytest.mark.parametrize("questionnaire_id", QUESTIONNAIRE_IDS)
def test_read_questionnaire(client, questionnaire_id):
    response = client.get(f"/fhir/Questionnaire/{questionnaire_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == FHIR_JSON
    assert response.json() == build_questionnaire(questionnaire_id)


def test_unknown_questionnaire_is_a_404_outcome(client):
    response = client.get("/fhir/Questionnaire/phq9")
    assert response.status_code == 404
    assert response.headers["content-type"] == FHIR_JSON
    outcome = response.json()
    r4b_validate(outcome)
    assert "'phq9'" in outcome["issue"][0]["diagnostics"]


def test_search_and_metadata_validate(client):
    everything = client.get("/fhir/Questionnaire").json()
    r4b_validate(everything)
    assert everything["type"] == "searchset"
    assert [e["resource"]["id"] for e in everything["entry"]] == list(QUESTIONNAIRE_IDS)
    assert everything["entry"][0]["fullUrl"].endswith("/fhir/Questionnaire/intake")
    by_url = client.get(
        "/fhir/Questionnaire", params={"url": build_questionnaire("mnsi")["url"]}
    ).json()
    assert [e["resource"]["id"] for e in by_url["entry"]] == ["mnsi"]
    assert client.get("/fhir/Questionnaire", params={"_id": "nope"}).json()["total"] == 0
    statement = client.get("/fhir/metadata")
    assert statement.headers["content-type"] == FHIR_JSON
    r4b_validate(statement.json())
    assert statement.json()["fhirVersion"] == "4.0.1"


@pytest.mark.parametrize("vignette", vignettes()[::6], ids=lambda v: v["id"])
def test_assess_matches_the_engine(client, vignette):
    engine = assess(vignette["answers"])
    response = client.post(
        ASSESS, json=answers_to_response(vignette["answers"]), headers={"content-type": FHIR_JSON}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    bundle = response.json()
    r4b_validate(bundle)
    risk = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"
    )
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == engine.triage
    top = next(
        c["code"]
        for c in risk["prediction"][1]["outcome"]["coding"]
        if c["system"] == SYSTEM_PATTERN
    )
    assert top == engine.pattern_ids[0]
    assert risk["prediction"][0]["outcome"]["coding"][0]["system"] == SYSTEM_TRIAGE_LEVEL


def test_assess_accepts_parameters_wrapping(client):
    answers = vignettes()[0]["answers"]
    wrapped = {
        "resourceType": "Parameters",
        "parameter": [{"name": "response", "resource": answers_to_response(answers)}],
    }
    assert client.post(ASSESS, json=wrapped).status_code == 200


def _outcome(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == FHIR_JSON
    outcome = response.json()
    r4b_validate(outcome)
    return " | ".join(i["diagnostics"] for i in outcome["issue"])


def test_malformed_json(client):
    text = _outcome(client.post(ASSESS, content=b'{"resourceType": '), 400)
    assert "not valid JSON" in text
    assert "empty" in _outcome(client.post(ASSESS, content=b""), 400)
    assert "UTF-8" in _outcome(client.post(ASSESS, content=b"\xff\xfe{"), 400)


def test_wrong_resource_type(client):
    text = _outcome(client.post(ASSESS, json={"resourceType": "Patient", "id": "x"}), 400)
    assert "'QuestionnaireResponse', got 'Patient'" in text


def test_unknown_questionnaire(client):
    response = answers_to_response({"age": 30})
    response["questionnaire"] = "http://loinc.org/q/44249-1"
    assert "unknown questionnaire" in _outcome(client.post(ASSESS, json=response), 422)


def test_link_id_not_in_questionnaire(client):
    response = answers_to_response({"age": 30})
    response["item"][0]["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 42}]})
    assert "'shoe_size' is not an item" in _outcome(client.post(ASSESS, json=response), 422)


def test_wrong_answer_type(client):
    response = answers_to_response({"age": 30})
    response["item"][0]["item"][0]["answer"] = [{"valueBoolean": True}]
    text = _outcome(client.post(ASSESS, json=response), 422)
    assert "'age' is an integer question: the answer must be valueInteger" in text


def test_answer_that_violates_the_intake(client):
    response = answers_to_response({"age": 30})
    response["item"][0]["item"][0]["answer"] = [{"valueInteger": -4}]
    assert "age: must be from 0 to 120, got -4" in _outcome(client.post(ASSESS, json=response), 422)


def test_structure_error(client):
    response = answers_to_response({"age": 30})
    response["item"][0]["item"][0]["answer"] = [{"valueInteger": 30, "valueBoolean": True}]
    _outcome(client.post(ASSESS, json=response), 400)


def test_fhir_routes_keep_the_security_headers(client):
    response = client.get("/fhir/metadata")
    assert "default-src 'self'" in response.headers["content-security-policy"]
