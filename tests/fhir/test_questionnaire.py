"""Questionnaires generated from the item bank: valid R4B, complete, consistent."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from nervetjek.conditions import Facts
from nervetjek.fhir.codes import (
    EXT_ASK_IF_NOT_EXPRESSED,
    EXT_ITEM_WEIGHT,
    EXT_ORDINAL_VALUE,
    EXT_TRANSLATION,
    SYSTEM_REGION,
)
from nervetjek.fhir.conformance import check_questionnaire, index_questionnaire, is_enabled
from nervetjek.fhir.mapping import answers_to_response
from nervetjek.fhir.questionnaire import (
    QUESTIONNAIRE_IDS,
    UnknownQuestionnaireError,
    build_questionnaire,
    find_questionnaire,
)
from nervetjek.instruments import load_instruments
from nervetjek.intake import load_item_bank
from tests.fhir.helpers import r4b_validate
from tests.strategies import answers as answer_sets

BANK = load_item_bank()


@pytest.mark.parametrize("questionnaire_id", QUESTIONNAIRE_IDS)
def test_validates_as_r4b_and_is_consistent(questionnaire_id):
    questionnaire = build_questionnaire(questionnaire_id)
    r4b_validate(questionnaire)
    assert check_questionnaire(questionnaire) == []
    assert questionnaire["language"] == "da"
    assert questionnaire["url"].endswith(f"/Questionnaire/{questionnaire_id}")


def _questions(questionnaire):
    return {
        link_id: node.item
        for link_id, node in index_questionnaire(questionnaire).items()
        if node.type not in ("group", "display")
    }


def test_intake_asks_every_item_once_with_danish_text_and_english_translation():
    questions = _questions(build_questionnaire("intake"))
    assert sorted(questions) == sorted(BANK.keys)
    for key, question in questions.items():
        item = BANK[key]
        assert question["text"] == item.text.da
        (translation,) = question["_text"]["extension"]
        assert translation["url"] == EXT_TRANSLATION
        parts = {
            p["url"]: next(v for k, v in p.items() if k.startswith("value"))
            for p in translation["extension"]
        }
        assert parts == {"lang": "en", "content": item.text.en}


def test_item_types_and_value_sets_follow_the_bank():
    questions = _questions(build_questionnaire("intake"))
    expected = {
        "boolean": "boolean",
        "integer": "integer",
        "choice": "choice",
        "regions": "choice",
        "text": "text",
    }
    for key, question in questions.items():
        item = BANK[key]
        assert question["type"] == expected[item.type], key
        if item.type == "choice":
            assert [o["valueCoding"]["code"] for o in question["answerOption"]] == list(
                item.options
            )
    regions = questions["locations"]
    assert regions["repeats"] is True
    assert [o["valueCoding"]["code"] for o in regions["answerOption"]] == BANK.regions
    assert {o["valueCoding"]["system"] for o in regions["answerOption"]} == {SYSTEM_REGION}


def test_questions_sit_in_their_page_groups_in_questionnaire_order():
    questionnaire = build_questionnaire("intake")
    groups = questionnaire["item"]
    assert [g["linkId"] for g in groups] == [f"page.{p.id}" for p in BANK.pages]
    for group, page in zip(groups, BANK.pages, strict=True):
        assert group["type"] == "group"
        inside = [i["linkId"] for i in group["item"] if i["type"] != "display"]
        assert inside == [item.key for item in page.items]


@pytest.mark.parametrize(
    ("questionnaire_id", "instrument"), [("dn4", "DN4"), ("mnsi", "MNSI"), ("s-lanss", "S-LANSS")]
)
def test_instrument_weights_are_the_published_ones(questionnaire_id, instrument):
    definition = load_instruments()[instrument]
    questionnaire = build_questionnaire(questionnaire_id)
    numbers = BANK.instrument_items(instrument)
    assert [i["linkId"] for i in questionnaire["item"]] == [
        item.key for item, _ in numbers.values()
    ]
    for entry, (number, (_item, use)) in zip(questionnaire["item"], numbers.items(), strict=True):
        assert entry["prefix"] == f"{number}."
        weights = {}
        for option in entry["answerOption"]:
            ext = {e["url"]: e["valueDecimal"] for e in option["extension"]}
            # both SDC's itemWeight and R4's ordinalValue (what LHC-Forms reads), equal
            assert ext[EXT_ITEM_WEIGHT] == ext[EXT_ORDINAL_VALUE]
            weights[option["valueCoding"]["code"]] = ext[EXT_ITEM_WEIGHT]
        scored = definition.scored_items.get(number)
        weight = scored[2] if scored else 0
        assert weights == (
            {"LA33-6": weight, "LA32-8": 0} if use.scores_on else {"LA33-6": 0, "LA32-8": weight}
        )
    # the maximum over all answers is the published maximum
    total = sum(
        max(e["valueDecimal"] for o in i["answerOption"] for e in o["extension"])
        for i in questionnaire["item"]
    )
    assert total == definition.max_score


def test_loinc_codes_only_where_listed():
    questions = _questions(build_questionnaire("intake"))
    coded = {key: [c["code"] for c in q["code"]] for key, q in questions.items() if "code" in q}
    assert coded == {"age": ["30525-0"], "pregnant": ["82810-3"], "pain_intensity": ["72514-3"]}


def test_conditions_that_enable_when_cannot_say_are_always_enabled_and_explained():
    questions = _questions(build_questionnaire("intake"))
    unexpressed = {
        key
        for key, q in questions.items()
        if any(e["url"] == EXT_ASK_IF_NOT_EXPRESSED for e in q.get("extension", []))
    }
    conditional = {key for key, item in BANK.items.items() if item.ask_if is not None}
    expressed = {key for key, q in questions.items() if "enableWhen" in q}
    assert expressed | unexpressed == conditional
    assert not expressed & unexpressed
    # an "and" with an age range, and the feet questions' "both feet" body-map rule
    assert unexpressed == {
        "pregnant",
        "can_tell_hot_cold",
        "can_feel_feet_walking",
        "dry_cracked_skin",
        "foot_sore_ever",
        "diagnosed_diabetic_neuropathy",
        "weak_all_over",
        "amputation",
    }
    assert {"weakness_sudden", "worse_tight_shoes", "estrogen_hormones"} <= expressed


def _answer_values(answers):
    """linkId -> answer values, the way a response carries them."""
    response = answers_to_response(answers)
    values = {}
    for group in response["item"]:
        for item in group["item"]:
            values[item["linkId"]] = [
                (a["valueCoding"]["system"], a["valueCoding"]["code"])
                if "valueCoding" in a
                else next(v for k, v in a.items() if k.startswith("value"))
                for a in item["answer"]
            ]
    return values


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_enable_when_agrees_with_the_item_bank(answers):
    """Wherever enableWhen is given, it enables exactly what the product asks."""
    answers = {k: v for k, v in answers.items() if v not in ([], "")}  # no FHIR form

    questions = _questions(build_questionnaire("intake"))
    facts = Facts.of(answers)
    values = _answer_values(answers)
    for key, question in questions.items():
        if "enableWhen" in question:
            assert is_enabled(question, values) == BANK[key].is_asked(facts), key


def test_unknown_id_and_references():
    with pytest.raises(UnknownQuestionnaireError):
        build_questionnaire("phq9")
    url = build_questionnaire("intake")["url"]
    assert find_questionnaire(url) == "intake"
    assert find_questionnaire(url + "|1") == "intake"
    assert find_questionnaire("Questionnaire/mnsi") == "mnsi"
    assert find_questionnaire("http://127.0.0.1:8000/fhir/Questionnaire/dn4") == "dn4"
    assert find_questionnaire("https://example.org/fhir/Questionnaire/phq9") is None
    assert find_questionnaire("NotQuestionnaire/intake") is None
