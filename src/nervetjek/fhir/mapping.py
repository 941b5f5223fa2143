"""QuestionnaireResponse <-> intake-v1 answers.

linkIds are the intake keys, so the mapping is mostly a change of shape:

    intake                         QuestionnaireResponse answer
    boolean  true/false            valueBoolean (intake questionnaire)
                                   valueCoding LOINC LA33-6 Yes / LA32-8 No (instrument ones)
    integer  3                     valueInteger
    choice   "gradual"             valueCoding {system: .../CodeSystem/onset, code: gradual}
    regions  ["left.calf", ...]    one valueCoding per region, .../CodeSystem/body-region
    text     "..."                 valueString

Intake -> response -> intake gives the same answers back.  Two intake values have no FHIR
form and are sent as unanswered, the more cautious reading: an empty body-map list
("answered, no place chosen") and an empty free text (FHIR strings are never empty).
The product's own form makes neither.

Reading a response checks, in order: it is a JSON object and a QuestionnaireResponse
(fhir.resources R4B model), it names one of our questionnaires, it fits that
questionnaire (``conformance.check_response``) and the answers fit the intake
(``validate_answers``).  Any failure raises :class:`FhirMappingError` listing every
problem with where it is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from nervetjek.fhir.codes import SYSTEM_REGION, choice_system, load_terminology
from nervetjek.fhir.conformance import check_response, index_questionnaire
from nervetjek.fhir.outcome import FhirInputError, Issue, structure_issues
from nervetjek.fhir.questionnaire import (
    INSTRUMENT_QUESTIONNAIRES,
    INTAKE,
    QUESTIONNAIRE_IDS,
    build_questionnaire,
    canonical_url,
    find_questionnaire,
    page_link_id,
    questionnaire_version,
)
from nervetjek.intake import IntakeError, Item, load_item_bank, validate_answers

ROOT = "QuestionnaireResponse"
READABLE_STATUSES = ("in-progress", "completed", "amended", "stopped")
ALL_STATUSES = (*READABLE_STATUSES, "entered-in-error")


class FhirMappingError(FhirInputError):
    """A QuestionnaireResponse that cannot be read as intake answers."""


# ------------------------------------------------------------------ intake -> FHIR


def _answer(item: Item, value: Any, questionnaire_id: str) -> list[dict[str, Any]]:
    match item.type:
        case "boolean" if questionnaire_id in INSTRUMENT_QUESTIONNAIRES:
            terms = load_terminology()
            coding = terms.yes if value else terms.no
            return [{"valueCoding": {"system": coding.system, "code": coding.code}}]
        case "boolean":
            return [{"valueBoolean": value}]
        case "integer":
            return [{"valueInteger": value}]
        case "choice":
            return [
                {
                    "valueCoding": {
                        "system": choice_system(item.key),
                        "code": value,
                        "display": item.options[value].da,
                    }
                }
            ]
        case "regions":
            bank = load_item_bank()
            return [
                {
                    "valueCoding": {
                        "system": SYSTEM_REGION,
                        "code": code,
                        "display": bank.region_labels[code].da,
                    }
                }
                for code in value
            ]
        case _:
            return [{"valueString": value}] if value else []


def _response_item(item: Item, value: Any, questionnaire_id: str) -> dict[str, Any] | None:
    answers = _answer(item, value, questionnaire_id)
    if not answers:  # an empty body map or text: no FHIR form (see the module docstring)
        return None
    return {"linkId": item.key, "text": item.text.da, "answer": answers}


def answers_to_response(
    answers: Mapping[str, Any],
    questionnaire_id: str = INTAKE,
    *,
    response_id: str | None = None,
    authored: datetime | None = None,
    subject: Mapping[str, Any] | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """A QuestionnaireResponse to ``questionnaire_id`` holding ``answers``.

    The answers are validated first (IntakeError when they do not fit the intake).  For
    an instrument questionnaire only that instrument's items are included.
    """
    valid = validate_answers(answers)
    bank = load_item_bank()
    items: list[dict[str, Any]] = []
    if questionnaire_id == INTAKE:
        for page in bank.pages:
            children = [
                entry
                for item in page.items
                if item.key in valid
                and (entry := _response_item(item, valid[item.key], questionnaire_id))
            ]
            if children:
                items.append(
                    {"linkId": page_link_id(page.id), "text": page.title.da, "item": children}
                )
    elif questionnaire_id in INSTRUMENT_QUESTIONNAIRES:
        uses = bank.instrument_items(INSTRUMENT_QUESTIONNAIRES[questionnaire_id])
        for item, _use in uses.values():
            if item.key in valid:
                items.append(_response_item(item, valid[item.key], questionnaire_id))
    else:
        raise ValueError(f"unknown questionnaire {questionnaire_id!r}")
    response: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if response_id is not None:
        response["id"] = response_id
    response.update(
        {
            "language": "da",
            "questionnaire": f"{canonical_url(questionnaire_id)}|{questionnaire_version()}",
            "status": status,
        }
    )
    if subject is not None:
        response["subject"] = dict(subject)
    if authored is not None:
        response["authored"] = authored.isoformat()
    response["item"] = items
    return response


# ------------------------------------------------------------------ FHIR -> intake


def identify_response(resource: Any, accept: Collection[str] = QUESTIONNAIRE_IDS) -> str:
    """Check that ``resource`` is a well-formed QuestionnaireResponse to one of our
    questionnaires (in ``accept``) and return that questionnaire's id."""
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    if not isinstance(resource, Mapping):
        raise FhirMappingError(
            [Issue("invalid", "the body must be a JSON object: a FHIR QuestionnaireResponse")],
            status=400,
        )
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        raise FhirMappingError(
            [
                Issue(
                    "structure",
                    f"resourceType must be 'QuestionnaireResponse', got {kind!r}",
                    "resourceType",
                )
            ],
            status=400,
        )
    try:
        QuestionnaireResponse.model_validate(dict(resource))
    except ValidationError as exc:
        raise FhirMappingError(structure_issues(exc, ROOT), status=400) from exc
    except (ValueError, TypeError, RecursionError) as exc:  # odd input the model chokes on
        raise FhirMappingError(
            [Issue("structure", f"not a valid QuestionnaireResponse: {exc}", ROOT)], status=400
        ) from exc
    status = resource.get("status")
    if status not in ALL_STATUSES:
        raise FhirMappingError(
            [
                Issue(
                    "value",
                    f"status must be one of {', '.join(ALL_STATUSES)}, got {status!r}",
                    f"{ROOT}.status",
                )
            ],
            status=400,
        )
    if status == "entered-in-error":
        raise FhirMappingError(
            [
                Issue(
                    "business-rule",
                    "the response is marked entered-in-error and is not assessed",
                    f"{ROOT}.status",
                )
            ]
        )
    return _questionnaire_of(resource, accept)


def _questionnaire_of(resource: Mapping[str, Any], accept: Collection[str]) -> str:
    reference = resource.get("questionnaire")
    known = ", ".join(canonical_url(q) for q in accept)
    if not reference:
        raise FhirMappingError(
            [
                Issue(
                    "required",
                    f"questionnaire is missing; it must name one of: {known}",
                    f"{ROOT}.questionnaire",
                )
            ]
        )
    questionnaire_id = find_questionnaire(reference)
    if questionnaire_id is None or questionnaire_id not in accept:
        raise FhirMappingError(
            [
                Issue(
                    "not-found",
                    f"unknown questionnaire {reference!r}; known: {known}",
                    f"{ROOT}.questionnaire",
                )
            ]
        )
    _, bar, version = reference.partition("|")
    if bar and version != questionnaire_version():
        raise FhirMappingError(
            [
                Issue(
                    "not-supported",
                    f"questionnaire version {version!r} is not served; the "
                    f"current version is {questionnaire_version()!r}",
                    f"{ROOT}.questionnaire",
                )
            ]
        )
    return questionnaire_id


def _collect(
    items: list[Mapping[str, Any]], path: str, found: dict[str, tuple[list[Any], str]]
) -> None:
    for index, item in enumerate(items):
        where = f"{path}.item[{index}]"
        if item.get("answer"):
            found[item["linkId"]] = (item["answer"], where)
        _collect(item.get("item", []), where, found)


def _value(item: Item, answers: list[Mapping[str, Any]], questionnaire_id: str) -> Any:
    if item.type == "regions":
        return [answer["valueCoding"]["code"] for answer in answers]
    (answer,) = answers
    if item.type == "boolean" and "valueCoding" in answer:
        return answer["valueCoding"]["code"] == load_terminology().yes.code
    if item.type == "choice":
        return answer["valueCoding"]["code"]
    return next(value for key, value in answer.items() if key.startswith("value"))


def response_to_answers(
    resource: Any, accept: Collection[str] = QUESTIONNAIRE_IDS
) -> dict[str, Any]:
    """The intake answers in a QuestionnaireResponse (raises FhirMappingError)."""
    questionnaire_id = identify_response(resource, accept)
    questionnaire = build_questionnaire(questionnaire_id)
    issues = check_response(resource, questionnaire)
    if issues:
        raise FhirMappingError(issues)
    bank = load_item_bank()
    nodes = index_questionnaire(questionnaire)
    found: dict[str, tuple[list[Any], str]] = {}
    _collect(resource.get("item", []), ROOT, found)
    answers: dict[str, Any] = {}
    where: dict[str, str] = {}
    for link_id, (raw_answers, path) in found.items():
        if nodes[link_id].type in ("group", "display"):
            continue
        item = bank[link_id]
        answers[link_id] = _value(item, raw_answers, questionnaire_id)
        where[link_id] = path
    try:
        return validate_answers(answers)
    except IntakeError as exc:
        raise FhirMappingError(
            [
                Issue("business-rule", f"{p.key}: {p.message}", where.get(p.key))
                for p in exc.problems
            ]
        ) from exc
