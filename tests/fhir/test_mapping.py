"""QuestionnaireResponse <-> intake answers: lossless round trip, and every misfit named."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings

from nervetjek.conditions import Facts
from nervetjek.fhir.mapping import FhirMappingError, answers_to_response, response_to_answers
from nervetjek.fhir.questionnaire import INSTRUMENT_QUESTIONNAIRES
from nervetjek.intake import load_item_bank
from tests.fhir.helpers import json_copy, r4b_validate, vignettes
from tests.strategies import answers as answer_sets

BANK = load_item_bank()


@pytest.mark.parametrize("vignette", vignettes(), ids=lambda v: v["id"])
def test_round_trip_is_lossless_for_every_dev_vignette(vignette):
    answers = vignette["answers"]
    response = answers_to_response(answers)
    r4b_validate(response)
    assert response_to_answers(json_copy(response)) == answers


@pytest.mark.parametrize("questionnaire_id", list(INSTRUMENT_QUESTIONNAIRES))
def test_instrument_responses_carry_their_items_as_loinc_yes_no(questionnaire_id):
    for vignette in vignettes():
        answers = vignette["answers"]
        response = answers_to_response(answers, questionnaire_id)
        r4b_validate(response)
        back = response_to_answers(json_copy(response))
        uses = BANK.instrument_items(INSTRUMENT_QUESTIONNAIRES[questionnaire_id])
        expected = {item.key: answers[item.key] for item, _ in uses.values() if item.key in answers}
        assert back == expected


@settings(max_examples=200, deadline=None)
@given(answer_sets())
def test_round_trip_is_lossless_for_generated_intakes(answers):
    facts = Facts.of(answers)
    # What the product itself can produce: only asked questions, no empty body map or text.
    answers = {k: v for k, v in answers.items() if BANK[k].is_asked(facts) and v not in ([], "")}
    assert response_to_answers(json_copy(answers_to_response(answers))) == answers


# ------------------------------------------------------------------ misfits

BASE = {
    "leg_weakness": True,
    "weakness_sudden": False,
    "age": 52,
    "sex": "female",
    "locations": ["lower_back", "left.calf"],
    "free_text": "Det startede i sommer.",
}


def _response():
    return json_copy(answers_to_response(BASE))


def _item(response, link_id):
    for group in response["item"]:
        for item in group["item"]:
            if item["linkId"] == link_id:
                return item
    raise KeyError(link_id)


def _problems(response):
    with pytest.raises(FhirMappingError) as caught:
        response_to_answers(response)
    return caught.value


def test_base_response_fits():
    assert response_to_answers(_response()) == BASE


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ([1, 2], 400, "invalid", "JSON object"),
        ({"resourceType": "Patient"}, 400, "structure", "'QuestionnaireResponse', got 'Patient'"),
        ({"resourceType": "QuestionnaireResponse"}, 400, "structure", "status"),
    ],
)
def test_not_a_response(body, status, code, words):
    error = _problems(body)
    assert error.status == status
    assert error.issues[0].code == code
    assert words in error.issues[0].message


def test_structure_errors_name_the_element():
    response = _response()
    response["item"][0]["item"][0]["answer"][0]["valueBolean"] = True
    error = _problems(response)
    assert error.status == 400
    assert any("valueBolean" in issue.message for issue in error.issues)


def test_unknown_status_and_entered_in_error():
    response = _response()
    response["status"] = "finished"
    assert "status must be one of" in _problems(response).issues[0].message
    response["status"] = "entered-in-error"
    assert _problems(response).issues[0].code == "business-rule"


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        (None, "questionnaire is missing"),
        ("https://example.org/Questionnaire/phq9", "unknown questionnaire"),
        ("https://nervetjek.dk/fhir/Questionnaire/intake|7", "version '7'"),
    ],
)
def test_unknown_questionnaire(reference, words):
    response = _response()
    if reference is None:
        del response["questionnaire"]
    else:
        response["questionnaire"] = reference
    error = _problems(response)
    assert error.status == 422
    assert words in error.issues[0].message
    assert error.issues[0].expression == "QuestionnaireResponse.questionnaire"


def test_link_id_not_in_questionnaire():
    response = _response()
    response["item"][0]["item"].append(
        {"linkId": "leg_numbness", "answer": [{"valueBoolean": True}]}
    )
    (issue,) = _problems(response).issues
    assert issue.code == "not-found"
    assert "'leg_numbness' is not an item of Questionnaire 'intake'" in issue.message
    assert issue.expression == "QuestionnaireResponse.item[0].item[2].linkId"


@pytest.mark.parametrize(
    ("link_id", "answer", "words"),
    [
        ("age", {"valueString": "52"}, "must be valueInteger, got valueString"),
        ("age", {"valueDecimal": 52.0}, "must be valueInteger, got valueDecimal"),
        ("leg_weakness", {"valueInteger": 1}, "must be valueBoolean"),
        (
            "sex",
            {"valueCoding": {"system": "https://nervetjek.dk/fhir/CodeSystem/sex", "code": "f"}},
            "not an answer option; codes are female, male, other",
        ),
        (
            "sex",
            {
                "valueCoding": {
                    "system": "http://hl7.org/fhir/administrative-gender",
                    "code": "female",
                }
            },
            "not an answer option",
        ),
        (
            "locations",
            {
                "valueCoding": {
                    "system": "https://nervetjek.dk/fhir/CodeSystem/body-region",
                    "code": "calf",
                }
            },
            "not an answer option",
        ),
        ("free_text", {"valueBoolean": True}, "must be valueString"),
    ],
)
def test_wrong_answer_type_or_code(link_id, answer, words):
    response = _response()
    _item(response, link_id)["answer"] = [answer]
    issues = _problems(response).issues
    assert any(words in i.message and link_id in i.message for i in issues), issues


def test_two_answers_to_a_single_question():
    response = _response()
    _item(response, "age")["answer"].append({"valueInteger": 53})
    (issue,) = _problems(response).issues
    assert "'age' takes one answer, got 2" in issue.message


def test_question_outside_its_group():
    response = _response()
    moved = _item(response, "age")
    response["item"][0]["item"].append(copy.deepcopy(moved))
    response["item"] = [g for g in response["item"]]
    for group in response["item"]:
        if group["linkId"] == "page.about":
            group["item"] = [i for i in group["item"] if i["linkId"] != "age"]
    issues = _problems(response).issues
    assert any(
        "'age' belongs inside 'page.about', but is inside 'page.warning'" in i.message
        for i in issues
    ), issues
    top = _response()
    top["item"].append(copy.deepcopy(_item(top, "sex")))
    assert any("at the top level" in i.message for i in _problems(top).issues)


def test_display_items_groups_and_nested_answers():
    response = _response()
    response["item"][0]["item"].insert(
        0, {"linkId": "page.warning.intro", "answer": [{"valueString": "x"}]}
    )
    response["item"][0]["answer"] = [{"valueBoolean": True}]
    _item(response, "leg_weakness")["answer"][0]["item"] = [{"linkId": "weakness_sudden"}]
    messages = " | ".join(i.message for i in _problems(response).issues)
    assert "'page.warning.intro' is display text" in messages
    assert "'page.warning' is a group and takes no answer" in messages
    assert "answers to 'leg_weakness' hold no items" in messages


def test_answer_to_a_disabled_question():
    response = _response()
    _item(response, "leg_weakness")["answer"] = [{"valueBoolean": False}]
    (issue,) = _problems(response).issues
    assert issue.code == "business-rule"
    assert "'weakness_sudden' is answered, but its enableWhen disables it" in issue.message
    assert "leg_weakness = true" in issue.message


def test_answers_that_violate_the_intake_name_the_key_and_the_range():
    response = _response()
    _item(response, "age")["answer"] = [{"valueInteger": 130}]
    (issue,) = _problems(response).issues
    assert issue.message == "age: must be from 0 to 120, got 130"
    assert issue.expression == "QuestionnaireResponse.item[1].item[0]"
    response = _response()
    _item(response, "weakness_sudden")["answer"] = [{"valueBoolean": True}]
    _item(response, "leg_weakness")["answer"] = [{"valueBoolean": True}]
    response_to_answers(response)  # consistent again


def test_duplicate_region_is_an_intake_problem():
    response = _response()
    _item(response, "locations")["answer"].append(
        copy.deepcopy(_item(response, "locations")["answer"][0])
    )
    (issue,) = _problems(response).issues
    assert "locations" in issue.message and "listed twice" in issue.message


def test_unanswered_items_are_not_guessed():
    response = _response()
    _item(response, "age").pop("answer")
    assert "age" not in response_to_answers(response)
