"""FHIR R4 endpoints under /fhir: questionnaires, the CapabilityStatement and $assess.

Thin handlers over ``nervetjek.fhir``.  Every answer is ``application/fhir+json``; every
problem is an OperationOutcome with a 4xx status that names it (never a 500 for bad input).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from nervetjek import __version__
from nervetjek.bounds import OutOfBounds, load_json
from nervetjek.fhir.assessment import assess_response
from nervetjek.fhir.codes import CANONICAL, FHIR_VERSION, PROFILE_SDC_QUESTIONNAIRE
from nervetjek.fhir.mapping import FhirMappingError
from nervetjek.fhir.outcome import Issue, operation_outcome
from nervetjek.fhir.questionnaire import (
    QUESTIONNAIRE_IDS,
    UnknownQuestionnaireError,
    build_questionnaire,
    find_questionnaire,
)

FHIR_JSON = "application/fhir+json"
# The date this CapabilityStatement last changed in meaning (a required element).
CAPABILITY_DATE = "2026-11-26"
ASSESS_DEFINITION = f"{CANONICAL}/OperationDefinition/QuestionnaireResponse-assess"
# A response to our intake is a few kilobytes; anything far bigger is not one.
MAX_BODY_BYTES = 512 * 1024


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


def outcome_response(status: int, *issues: Issue) -> FhirJSONResponse:
    return FhirJSONResponse(operation_outcome(issues), status_code=status)


class FhirRoute(APIRoute):
    """Request validation errors (bad query parameters) as an OperationOutcome too."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                issues = [
                    Issue(
                        "invalid",
                        error.get("msg", "invalid"),
                        ".".join(str(p) for p in error.get("loc", ())),
                    )
                    for error in exc.errors()
                ]
                return outcome_response(400, *issues)

        return route


router = APIRouter(prefix="/fhir", tags=["FHIR R4"], route_class=FhirRoute)

# OpenAPI: the shapes we answer with (FHIR resources are described loosely; the FHIR
# specification is their schema).
_RESOURCE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}
_OUTCOME = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code", "diagnostics"],
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string", "minLength": 1},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _doc(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {FHIR_JSON: {"schema": schema}}}


def _ok(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: _doc(description, _RESOURCE)}


def _fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


@router.get(
    "/metadata",
    response_class=FhirJSONResponse,
    responses=_ok("CapabilityStatement: what this FHIR endpoint supports"),
)
def metadata(request: Request) -> FhirJSONResponse:
    """The CapabilityStatement of this FHIR R4 endpoint."""
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "Nervetjek",
        "kind": "instance",
        "software": {"name": "Nervetjek", "version": __version__},
        "implementation": {
            "description": "Nervetjek: questionnaires for leg nerve symptoms and their "
            "assessment (guidance, not a diagnosis)",
            "url": _fhir_base(request),
        },
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Questionnaire",
                        "supportedProfile": [PROFILE_SDC_QUESTIONNAIRE],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "_id", "type": "token"},
                            {"name": "url", "type": "uri"},
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "operation": [{"name": "assess", "definition": ASSESS_DEFINITION}],
                    },
                ],
            }
        ],
    }
    return FhirJSONResponse(statement)


@router.get(
    "/Questionnaire",
    response_class=FhirJSONResponse,
    responses=_ok("Bundle (searchset) of the questionnaires that match"),
)
def search_questionnaires(
    request: Request,
    url: str | None = Query(None, description="Canonical URL, optionally with |version"),
    id_: str | None = Query(None, alias="_id", description="Questionnaire id"),
) -> FhirJSONResponse:
    """Search our questionnaires (intake, dn4, mnsi, s-lanss) by id or canonical URL."""
    found = list(QUESTIONNAIRE_IDS)
    if url is not None:
        match = find_questionnaire(url)
        found = [q for q in found if q == match and url.startswith(CANONICAL)]
    if id_ is not None:
        found = [q for q in found if q == id_]
    base = _fhir_base(request)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": str(request.url)}],
        "entry": [
            {
                "fullUrl": f"{base}/Questionnaire/{questionnaire_id}",
                "resource": build_questionnaire(questionnaire_id),
                "search": {"mode": "match"},
            }
            for questionnaire_id in found
        ],
    }
    return FhirJSONResponse(bundle)


@router.get(
    "/Questionnaire/{questionnaire_id}",
    response_class=FhirJSONResponse,
    responses={**_ok("The Questionnaire"), 404: _doc("No such questionnaire", _OUTCOME)},
)
def read_questionnaire(questionnaire_id: str) -> FhirJSONResponse:
    """One Questionnaire: ``intake`` (the whole intake) or an instrument (``dn4``, ``mnsi``,
    ``s-lanss``)."""
    try:
        return FhirJSONResponse(build_questionnaire(questionnaire_id))
    except UnknownQuestionnaireError:
        known = ", ".join(QUESTIONNAIRE_IDS)
        return outcome_response(
            404, Issue("not-found", f"no Questionnaire {questionnaire_id!r}; known: {known}")
        )


_ASSESS_BODY = {
    "required": True,
    "description": "A QuestionnaireResponse to one of our questionnaires (normally "
    f"{CANONICAL}/Questionnaire/intake), or a Parameters resource with it as the "
    "parameter named 'response'.",
    "content": {media: {"schema": _RESOURCE} for media in (FHIR_JSON, "application/json")},
}


@router.post(
    "/QuestionnaireResponse/$assess",
    response_class=FhirJSONResponse,
    openapi_extra={"requestBody": _ASSESS_BODY},
    responses={
        **_ok(
            "Bundle (collection): the response, score Observations, RiskAssessment and, "
            "when a pattern is recognised, a provisional Condition"
        ),
        400: _doc("Not JSON, or not a well-formed QuestionnaireResponse", _OUTCOME),
        413: _doc("Body too large", _OUTCOME),
        422: _doc("The response does not fit its questionnaire or the intake", _OUTCOME),
    },
)
async def assess(request: Request) -> FhirJSONResponse:
    """Assess a QuestionnaireResponse: urgency, likely patterns and instrument scores.

    Guidance, not a diagnosis.  Problems come back as an OperationOutcome naming the
    item (linkId) and what is allowed.
    """
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return outcome_response(
            413, Issue("too-long", f"the body is larger than {MAX_BODY_BYTES} bytes")
        )
    if not body.strip():
        return outcome_response(
            400, Issue("required", "the body is empty; send a QuestionnaireResponse as JSON")
        )
    try:
        resource = load_json(body)
    except UnicodeDecodeError:
        return outcome_response(400, Issue("invalid", "the body is not UTF-8 text"))
    except json.JSONDecodeError as exc:
        return outcome_response(
            400,
            Issue(
                "invalid",
                f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            ),
        )
    except RecursionError:
        return outcome_response(400, Issue("invalid", "the body is nested too deeply"))
    except OutOfBounds as exc:
        return outcome_response(400, Issue("invalid", str(exc)))
    resource = _unwrap_parameters(resource)
    try:
        _, bundle = assess_response(resource)
    except FhirMappingError as exc:
        return FhirJSONResponse(exc.operation_outcome(), status_code=exc.status)
    return FhirJSONResponse(bundle)


def _unwrap_parameters(resource: Any) -> Any:
    """A Parameters resource with a 'response' parameter stands for that response."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
        return resource
    parameters = resource.get("parameter")
    if isinstance(parameters, list):
        for parameter in parameters:
            if isinstance(parameter, dict) and parameter.get("name") == "response":
                return parameter.get("resource")
    return resource
